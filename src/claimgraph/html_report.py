"""The HTML report: one self-contained page, each document's text with its claims highlighted.

Reads an ``Analysis``; returns a string. The page loads nothing (no scripts,
fonts, images or style sheets from elsewhere) and says so to the browser with a
Content-Security-Policy of ``default-src 'none'; style-src 'unsafe-inline'``.

Article text is untrusted: every string that comes from a document, a source
or a claim (text, title, outlet, path, ids, reasons) goes through
``html.escape``; element ids and anchors are built from positions, never from
stored ids; a document's URL becomes a link only when it is ``http(s)``.

Highlighting: the text is cut at every span boundary into segments, and each
segment is wrapped in its own ``<mark class="content cue ...">`` listing every
span covering it, so overlapping spans of any shape still give balanced tags.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from claimgraph import highlights
from claimgraph.model import Analysis, Claim, DocumentAnalysis, Span
from claimgraph.report import (
    UNATTRIBUTED,
    OriginGroup,
    chain_label,
    claim_position,
    group_by_origin,
    is_anonymous,
    removed_summary,
    shorten,
    source_label,
    spans_text,
    summarize,
)

# Longest claim text in the claims table; the highlighted text below it shows
# every claim in full, so the table only needs enough to recognise the claim.
HTML_CONTENT_MAX_CHARS = 300
HTML_CUE_MAX_CHARS = 60
CSP = "default-src 'none'; style-src 'unsafe-inline'"
LINKABLE_SCHEMES = frozenset({"http", "https"})

_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 72rem; margin: 1rem auto; padding: 0 1rem;
       color: #1d1d1d; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.25rem; margin-top: 2.5rem; border-top: 2px solid #333;
       padding-top: .5rem; } h3 { font-size: 1rem; margin-bottom: .3rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0 1rem; margin: .5rem 0; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .5rem; text-align: left; vertical-align: top; }
tr.group th { background: #f2f2f2; border-top: 1px solid #999; }
.num { text-align: right; width: 2.5rem; } .mode { width: 6rem; }
.flag { font-size: .8rem; font-weight: 600; border-radius: 3px; padding: 0 .3rem; margin-left: .4rem; }
.flag.anonymous { background: #f8d7da; color: #721c24; } .flag.hedged { background: #fff3cd; color: #6b4e00; }
.text { white-space: pre-wrap; font: 14px/1.6 Georgia, serif; background: #fcfcfa; border: 1px solid #ddd;
        padding: 1rem; }
mark { background: none; color: inherit; padding: 0; }
mark.content { background: #fff0a8; } mark.source { background: #cfe5ff; }
mark.cue { font-weight: 700; text-decoration: underline; }
mark.hedge { font-style: italic; text-decoration: underline wavy #c26a00; }
.removed, .removed mark { color: #9a9a9a; background: #f0f0f0; text-decoration: line-through; }
.legend mark, .legend span { padding: 0 .3rem; }
.anchor:target + mark, .anchor:target + span mark { outline: 2px solid #d33; }
"""

# Highlight kinds in the order their classes are listed on a mark.
_MARK_KINDS = ("content", "cue", "source", "hedge")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


@dataclass(frozen=True, slots=True)
class _Mark:
    """One highlighted range: which kind, and a human note for the tooltip."""

    start: int
    end: int
    kind: str  # one of _MARK_KINDS, or "removed"
    note: str


def _clamp(span: Span, length: int) -> tuple[int, int] | None:
    start, end = min(span.start, length), min(span.end, length)
    return (start, end) if start < end else None


def _claim_numbers(da: DocumentAnalysis) -> dict[str, int]:
    ordered = sorted(da.claims, key=lambda c: (claim_position(c), c.id))
    return {c.id: i for i, c in enumerate(ordered, 1)}


def _marks(da: DocumentAnalysis, numbers: dict[str, int]) -> list[_Mark]:
    """Every range to highlight in ``da``'s text: claim spans, source mentions, removed noise."""
    marks: list[_Mark] = []
    for m in highlights.marks(da):
        if m.item == "claim":
            note = f"claim {numbers[da.claims[m.index].id]} {m.kind}"
        elif m.item == "source":
            note = f"source: {source_label(da, da.sources[m.index].id)}"
        elif m.item == "removed":
            note = f"removed: {da.document.removed[m.index].reason}"
        else:
            continue  # events and places are not shown in the report
        marks.append(_Mark(m.start, m.end, m.kind, note))
    return marks


def _anchor_positions(da: DocumentAnalysis, numbers: dict[str, int], doc_no: int) -> dict[int, list[str]]:
    """Element ids to place in the text, by offset: one per claim, where its first span starts."""
    length = len(da.document.text)
    anchors: dict[int, list[str]] = defaultdict(list)
    for claim in da.claims:
        spans = [
            c for c in (_clamp(s, length) for s in claim.content or claim.cue or claim.source_mentions) if c
        ]
        position = min((s for s, _ in spans), default=0)
        anchors[position].append(_claim_anchor(doc_no, numbers[claim.id]))
    return anchors


def _claim_anchor(doc_no: int, claim_no: int) -> str:
    return f"d{doc_no}-c{claim_no}"


def _highlighted_text(da: DocumentAnalysis, numbers: dict[str, int], doc_no: int) -> Iterator[str]:
    """The document text as HTML: flat segments, each wrapped in the marks that cover it."""
    text = da.document.text
    marks = _marks(da, numbers)
    anchors = _anchor_positions(da, numbers, doc_no)
    for piece in highlights.cut(len(text), marks, anchors):
        for anchor in piece.anchors:
            yield f'<span class="anchor" id="{_e(anchor)}"></span>'
        if piece.start < piece.end:
            yield _segment(text[piece.start : piece.end], piece.covering)


def _segment(piece: str, covering: list[_Mark]) -> str:
    body = _e(piece)
    kinds = {m.kind for m in covering}
    highlight = [k for k in _MARK_KINDS if k in kinds]
    notes = "; ".join(dict.fromkeys(m.note for m in covering))
    if highlight:
        body = f'<mark class="{" ".join(highlight)}" title="{_e(notes)}">{body}</mark>'
    if "removed" in kinds:
        reason = "; ".join(dict.fromkeys(m.note for m in covering if m.kind == "removed"))
        body = f'<span class="removed" title="{_e(reason)}">{body}</span>'
    return body


def _meta(da: DocumentAnalysis) -> str:
    doc = da.document
    rows = [
        ("outlet", _e(doc.outlet or "?")),
        ("published", _e(doc.published or "?")),
        ("id", _e(doc.id)),
    ]
    if doc.path:
        rows.append(("path", _e(doc.path)))
    if doc.url:
        scheme = urlsplit(doc.url).scheme.lower() if doc.url.isprintable() else ""
        if scheme in LINKABLE_SCHEMES:
            link = f'<a href="{_e(doc.url)}" rel="noopener noreferrer">{_e(doc.url)}</a>'
        else:
            link = _e(doc.url)
        rows.append(("url", link))
    rows.append(("noise", _e(removed_summary(doc))))
    items = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<dl class="meta">{items}</dl>'


def _group_rows(da: DocumentAnalysis, group: OriginGroup, numbers: dict[str, int], doc_no: int) -> str:
    text = da.document.text
    if group.origin is None:
        title = _e(UNATTRIBUTED)
    else:
        title = " | ".join(_e(chain_label(da, chain)) for chain in group.chains) or _e(group.origin)
    if is_anonymous(da, group.origin):
        title += '<span class="flag anonymous">anonymous</span>'
    if group.hedged:
        title += f'<span class="flag hedged">hedged {group.hedged}/{len(group.claims)}</span>'
    rows = [f'<tr class="group"><th colspan="5">{title}</th></tr>']
    show_via = len(group.chains) > 1
    for claim in group.claims:
        rows.append(_claim_row(text, claim, numbers[claim.id], doc_no, da if show_via else None))
    return "<tbody>" + "".join(rows) + "</tbody>"


def _claim_row(text: str, claim: Claim, n: int, doc_no: int, via_of: DocumentAnalysis | None) -> str:
    """One table row; ``via_of`` is given when the group's claims came through different relays."""
    content = spans_text(text, claim.content, HTML_CONTENT_MAX_CHARS) or "(no content span)"
    cue = spans_text(text, claim.cue, HTML_CUE_MAX_CHARS)
    hedge = spans_text(text, claim.hedges, HTML_CUE_MAX_CHARS) or ("hedged" if claim.hedged else "")
    via = (chain_label(via_of, claim.chain[:-1]) or "direct") if via_of else ""
    via_note = f"<br><small>via {_e(via)}</small>" if via else ""
    return (
        f'<tr><td class="num"><a href="#{_claim_anchor(doc_no, n)}">{n}</a></td>'
        f'<td class="mode">{_e(claim.mode)}</td><td>{_e(content)}{via_note}</td>'
        f"<td>{_e(cue)}</td><td>{_e(hedge)}</td></tr>"
    )


def _document_section(da: DocumentAnalysis, doc_no: int) -> str:
    doc = da.document
    numbers = _claim_numbers(da)
    heading = shorten(doc.title or doc.path or doc.id, 200)
    parts = [f'<section class="document" id="d{doc_no}">', f"<h2>{_e(heading)}</h2>", _meta(da)]
    parts.append("<h3>Claims by origin</h3>")
    if da.claims:
        parts.append(
            '<table class="claims"><thead><tr><th class="num">#</th><th class="mode">mode</th>'
            "<th>claim</th><th>cue</th><th>hedge</th></tr></thead>"
        )
        parts.extend(_group_rows(da, g, numbers, doc_no) for g in group_by_origin(da))
        parts.append("</table>")
    else:
        parts.append("<p>No claims found.</p>")
    parts.append("<h3>Text</h3>")
    parts.append('<div class="text">' + "".join(_highlighted_text(da, numbers, doc_no)) + "</div>")
    parts.append("</section>")
    return "\n".join(parts)


def render_html(analysis: Analysis) -> str:
    """A complete, self-contained HTML page reporting ``analysis``."""
    summary = _e(str(summarize(analysis)))
    toc = "".join(
        f'<li><a href="#d{i}">{_e(shorten(da.document.title or da.document.path or da.document.id, 120))}</a>'
        f" ({len(da.claims)} claims)</li>"
        for i, da in enumerate(analysis.documents)
    )
    legend = (
        '<p class="legend"><mark class="content">claim content</mark> <mark class="cue">cue</mark> '
        '<mark class="source">source</mark> <mark class="hedge">hedge</mark> '
        '<span class="removed">removed noise</span></p>'
    )
    sections = "\n".join(_document_section(da, i) for i, da in enumerate(analysis.documents))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>claimgraph report</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n"
        f'<header><h1>claimgraph report</h1><p class="summary">{summary}</p>{legend}'
        f"<nav><ol>{toc}</ol></nav></header>\n"
        f"<main>\n{sections}\n</main>\n</body>\n</html>\n"
    )
