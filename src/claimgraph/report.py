"""The terminal report: per document, claims grouped by the origin that first made them.

Reads an ``Analysis`` (documents, their sources and claims); writes nothing
back. ``render_table`` prints to a rich ``Console``; ``format_table`` renders
the same report to a plain string (for tests and ``-o FILE``).

Article text is untrusted: every string taken from a document (text, title,
outlet, path, source names) is stripped of terminal control characters and
passed through ``rich.markup.escape`` before it becomes markup, so ``[bold]``
in an article prints literally and no escape sequence reaches the terminal.

The grouping helpers (``origin_of``, ``group_by_origin``, ``chain_label``, ...)
hold no rich types and are shared with ``claimgraph.html_report``.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from rich.console import Console
from rich.markup import escape
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from claimgraph.model import Analysis, Assessment, Claim, Document, DocumentAnalysis, Skipped, Span

UNATTRIBUTED = "unattributed / author"
CHAIN_ARROW = " → "
ELLIPSIS = "…"
# Longest claim text shown in a table row. A typical news sentence is 100-200
# characters; 180 keeps most one-sentence claims whole while a five-paragraph
# quote still fits in about three lines of a 100-column terminal.
CONTENT_MAX_CHARS = 180
# Cues are a verb or a short phrase ("told the Northern Courier", "according to").
CUE_MAX_CHARS = 40
# Source names and descriptors ("a military official in Harrow province").
LABEL_MAX_CHARS = 70
# Titles and paths in a document header.
HEADER_MAX_CHARS = 90
# Skipped inputs listed one by one before the rest are only counted.
SKIPPED_LIST_MAX = 20

# C0/C1 control characters other than tab and newline, and the bidirectional
# overrides that can make a terminal line read differently from its bytes.
_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_WHITESPACE = re.compile(r"\s+")


# --- plain helpers (no rich), shared with html_report -----------------------


def safe_text(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` instead of being sent to the terminal."""
    return _UNSAFE_CHARS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def shorten(text: str, limit: int) -> str:
    """``text`` on one line (whitespace collapsed), cut at a word boundary to at most ``limit`` chars."""
    flat = _WHITESPACE.sub(" ", text).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: max(limit - 1, 0)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + ELLIPSIS


def spans_text(text: str, spans: Iterable[Span], limit: int) -> str:
    """The text of ``spans`` in document order, joined by " … " and shortened to ``limit``."""
    parts = [_WHITESPACE.sub(" ", s.text(text)).strip() for s in sorted(spans)]
    return shorten(f" {ELLIPSIS} ".join(p for p in parts if p), limit)


def origin_of(claim: Claim) -> str | None:
    """The id of the source that first made the claim: the chain's last element, else ``claim.source``."""
    if claim.chain:
        return claim.chain[-1]
    return claim.source


def claim_position(claim: Claim) -> int:
    """Where the claim starts in the text (its first content, cue or source span), for ordering."""
    spans = claim.content or claim.cue or claim.source_mentions
    return min((s.start for s in spans), default=0)


@dataclass(slots=True)
class OriginGroup:
    """The claims of one document that share an origin, with the distinct chains they came through."""

    origin: str | None  # source id; None for unattributed claims (the author's own)
    chains: list[tuple[str, ...]] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)

    @property
    def hedged(self) -> int:
        return sum(1 for c in self.claims if c.hedged)


def group_by_origin(da: DocumentAnalysis) -> list[OriginGroup]:
    """Group ``da.claims`` by origin, groups and claims in text order, unattributed last."""
    groups: dict[str | None, OriginGroup] = {}
    for claim in sorted(da.claims, key=lambda c: (claim_position(c), c.id)):
        origin = origin_of(claim)
        group = groups.setdefault(origin, OriginGroup(origin=origin))
        chain = tuple(claim.chain) if claim.chain else ((origin,) if origin else ())
        if chain and chain not in group.chains:
            group.chains.append(chain)
        group.claims.append(claim)
    attributed = [g for g in groups.values() if g.origin is not None]
    return attributed + ([groups[None]] if None in groups else [])


def source_label(da: DocumentAnalysis, source_id: str) -> str:
    """A readable name for a source: name (descriptor first when anonymous), else its first mention."""
    source = da.source(source_id)
    if source is None:
        return source_id
    preferred = (source.descriptor, source.name) if source.anonymous else (source.name, source.descriptor)
    for candidate in preferred:
        if candidate and candidate.strip():
            return shorten(candidate, LABEL_MAX_CHARS)
    if source.mentions:
        return shorten(min(source.mentions).text(da.document.text), LABEL_MAX_CHARS) or source_id
    return source_id


def chain_label(da: DocumentAnalysis, chain: Iterable[str]) -> str:
    """A relay chain as "Outlet → anonymous source" (outermost relay first)."""
    return CHAIN_ARROW.join(source_label(da, s) for s in chain)


def is_anonymous(da: DocumentAnalysis, source_id: str | None) -> bool:
    source = da.source(source_id) if source_id else None
    return bool(source and source.anonymous)


def removed_summary(document: Document) -> str:
    """How many ranges were removed as noise, and why: "3 removed (teaser ×2, newsletter)"."""
    if not document.removed:
        return "nothing removed"
    reasons = Counter(r.reason or "unspecified" for r in document.removed)
    parts = [f"{reason} ×{n}" if n > 1 else reason for reason, n in reasons.most_common()]
    return f"{len(document.removed)} removed ({', '.join(parts)})"


@dataclass(frozen=True, slots=True)
class Summary:
    documents: int
    sources: int
    claims: int
    anonymous_origin: int
    hedged: int

    def __str__(self) -> str:
        return (
            f"{plural(self.documents, 'document')} · {plural(self.sources, 'source')} · "
            f"{plural(self.claims, 'claim')} · {self.anonymous_origin} with an anonymous origin · "
            f"{self.hedged} hedged"
        )


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def summarize(analysis: Analysis) -> Summary:
    """Counts over the whole run for the report's last line."""
    claims = [(da, c) for da in analysis.documents for c in da.claims]
    return Summary(
        documents=len(analysis.documents),
        sources=sum(len(da.sources) for da in analysis.documents),
        claims=len(claims),
        anonymous_origin=sum(1 for da, c in claims if is_anonymous(da, origin_of(c))),
        hedged=sum(1 for _, c in claims if c.hedged),
    )


# --- rich rendering ----------------------------------------------------------


def _m(markup: str) -> Text:
    """Markup built by this module (article parts already escaped) as Text, emoji codes off."""
    return Text.from_markup(markup, emoji=False)


def _e(text: str) -> str:
    """Article-derived text made safe to embed in markup."""
    return escape(safe_text(text))


def _document_header(da: DocumentAnalysis) -> list[Text | Rule]:
    doc = da.document
    heading = doc.title or doc.path or doc.id
    facts = [
        f"[bold]outlet[/] {_e(doc.outlet or '?')}",
        f"[bold]published[/] {_e(doc.published or '?')}",
        f"[bold]id[/] {_e(doc.id)}",
    ]
    lines: list[Text | Rule] = [Rule(_m(f"[bold]{_e(shorten(heading, HEADER_MAX_CHARS))}[/]"), align="left")]
    lines.append(_m(" · ".join(facts)))
    if doc.path and doc.title:
        lines.append(_m(f"[bold]path[/] {_e(shorten(doc.path, HEADER_MAX_CHARS))}"))
    lines.append(_m(f"[bold]noise[/] {_e(removed_summary(doc))}"))
    return lines


def _group_title(da: DocumentAnalysis, group: OriginGroup) -> Text:
    if group.origin is None:
        title = _m(f"[bold]{escape(UNATTRIBUTED)}[/]")
    else:
        labels = [_e(chain_label(da, chain)) for chain in group.chains] or [_e(group.origin)]
        title = _m(f"[bold]{' | '.join(labels)}[/]")
    if is_anonymous(da, group.origin):
        title.append_text(_m(" [bold red]" + escape("[anonymous]") + "[/]"))
    if group.hedged:
        title.append_text(_m(" [yellow]" + escape(f"[hedged {group.hedged}/{len(group.claims)}]") + "[/]"))
    return title


def _hedge_cell(text: str, claim: Claim) -> Text:
    if not claim.hedged:
        return Text("")
    words = spans_text(text, claim.hedges, CUE_MAX_CHARS)
    return _m(f"[yellow]{_e(words) if words else 'hedged'}[/]")


def _claim_cell(da: DocumentAnalysis, group: OriginGroup, claim: Claim) -> Text:
    content = spans_text(da.document.text, claim.content, CONTENT_MAX_CHARS)
    cell = _m(_e(content) if content else "[dim](no content span)[/]")
    if len(group.chains) > 1:
        via = chain_label(da, claim.chain[:-1]) or "direct"
        cell.append_text(_m(f"\n[dim]via {_e(via)}[/]"))
    return cell


def _document_table(da: DocumentAnalysis) -> Table:
    """One table per document: a title row per origin group, then that group's claims."""
    text = da.document.text
    numbers = {c.id: i for i, c in enumerate(sorted(da.claims, key=lambda c: (claim_position(c), c.id)), 1)}
    table = Table(expand=True)
    table.add_column("#", justify="right", no_wrap=True, min_width=3)
    table.add_column("mode", no_wrap=True, min_width=len("unattributed"))
    table.add_column("origin and claim", ratio=6)
    table.add_column("cue", ratio=2)
    table.add_column("hedge", width=len("reportedly"))
    for group in group_by_origin(da):
        table.add_row("", "", _group_title(da, group), "", "")
        for claim in group.claims:
            table.add_row(
                Text(str(numbers[claim.id])),
                _m(_e(claim.mode)),
                _claim_cell(da, group, claim),
                _m(_e(spans_text(text, claim.cue, CUE_MAX_CHARS))),
                _hedge_cell(text, claim),
            )
        table.add_section()
    return table


def shared_assessments(analysis: Analysis) -> list[Assessment]:
    """Assessments worth a reader's eye: claims carried by several documents, circular
    reporting, or corroboration (credibility 1 or 2)."""
    owner = {c.id: da.document.id for da in analysis.documents for c in da.claims}
    out = []
    for a in analysis.assessments:
        documents = {owner[c] for c in a.subject if c in owner}
        if len(documents) > 1 or a.circular or a.credibility in ("1", "2"):
            out.append(a)
    return out


def _stories_table(analysis: Analysis) -> Table:
    titles = {
        da.document.id: da.document.title or da.document.path or da.document.id for da in analysis.documents
    }
    claims = {c.id: (da, c) for da in analysis.documents for c in da.claims}
    chosen = shared_assessments(analysis)
    table = Table(title="Stories across articles", expand=True, show_lines=False)
    table.add_column("story / claim", ratio=5)
    table.add_column("origins", ratio=1, justify="right")
    table.add_column("grade", ratio=1)
    table.add_column("reasons", ratio=5)
    for story in analysis.stories:
        docs = "; ".join(shorten(safe_text(titles.get(d, d)), 60) for d in story.documents)
        table.add_row(
            _m(f"[bold]{_e(shorten(safe_text(story.label or story.id), 80))}[/]\n{_e(docs)}"), "", "", ""
        )
        members = set(story.documents)
        for a in chosen:
            first = next((claims[c] for c in a.subject if c in claims), None)
            if first is None or first[0].document.id not in members:
                continue
            da, claim = first
            flag = " [red]circular[/]" if a.circular else ""
            table.add_row(
                _m("  " + _e(spans_text(da.document.text, claim.content, CONTENT_MAX_CHARS))),
                str(a.independent_origins),
                _m(f"{a.reliability}{a.credibility}{flag}"),
                _m(_e(shorten(safe_text("; ".join(a.reasons)), 400))),
            )
        table.add_section()
    return table


def render_table(analysis: Analysis, console: Console) -> None:
    """Print the report for ``analysis`` on ``console``: per document, claims by origin; then
    stories across articles with their origins and grades; then a summary."""
    for da in analysis.documents:
        for line in _document_header(da):
            console.print(line)
        if da.claims:
            console.print(_document_table(da))
        else:
            console.print(_m("[dim]no claims found[/]"))
        console.print()
    if analysis.stories:
        console.print(_stories_table(analysis))
        console.print()
    console.print(_m(f"[bold]{escape(str(summarize(analysis)))}[/]"))


def format_table(analysis: Analysis, width: int = 100) -> str:
    """The report as plain text ``width`` columns wide, without colour codes."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system=None,
        force_terminal=False,
        force_jupyter=False,
        emoji=False,
        highlight=False,
        legacy_windows=False,
    )
    render_table(analysis, console)
    return buffer.getvalue()


def format_skipped(skipped: list[Skipped]) -> str:
    """Plain text (not markup) listing inputs that were not analyzed and why; "" when none were."""
    if not skipped:
        return ""
    lines = [f"Skipped {plural(len(skipped), 'input')}:"]
    lines.extend(f"  {safe_text(str(s))}" for s in skipped[:SKIPPED_LIST_MAX])
    if len(skipped) > SKIPPED_LIST_MAX:
        lines.append(f"  {ELLIPSIS} and {len(skipped) - SKIPPED_LIST_MAX} more")
        problems = Counter(s.problem for s in skipped)
        lines.append("  most common problems:")
        lines.extend(f"    {n} × {safe_text(p)}" for p, n in problems.most_common(5))
    return "\n".join(lines)
