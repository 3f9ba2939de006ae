"""Attribution: who says what, through whom, and how sure the article is.

``attribute(document, parsed, lexicons)`` reads the spaCy parse of
``document.text`` and the document's removed ranges, and returns the
document's Sources and Claims (``attribution.rules.v1``):

    cue_model.py is this word a cue? (logistic regression learned from PolNeAR train)
    cues.py      find cue, source mention and content spans (rules on the parse)
    cue_extent.py which words after the verb belong to the cue? (learned from PolNeAR train)
    syntax.py    spans and grammatical roles read off the parse
    mentions.py  type each source mention (person, outlet, anonymous, ...)
    coref.py     resolve mentions to one Source each; relay chains
    hedges.py    does the article distance itself?
    quotes.py    quotation regions, for content and mode
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from claimgraph.attribution.coref import Entity, Resolver
from claimgraph.attribution.cue_extent import extend_cues
from claimgraph.attribution.cues import Finder, RawAttribution
from claimgraph.attribution.hedges import find_hedges
from claimgraph.attribution.lexicon import Lexicons, load_lexicons
from claimgraph.attribution.mentions import Mention, describe
from claimgraph.attribution.quotes import Quotes, find_quotes, quote_mode
from claimgraph.model import Claim, Document, Source, Span

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["Lexicons", "attribute", "load_lexicons"]

NAME = "attribution.rules.v1"

# How far back (characters) an agentless "reportedly" looks for the report it echoes.
AGENTLESS_WINDOW = 700


def attribute(document: Document, parsed: Doc, lexicons: Lexicons) -> tuple[list[Source], list[Claim]]:
    """Find the claims of one document and the sources that make them."""
    quotes = find_quotes(document.text, [r.span for r in document.removed])
    raws = raw_attributions(document, parsed, lexicons, quotes)
    extend_cues(raws, parsed, lexicons.cue_extent)
    resolver = Resolver(parsed, document.id, lexicons)
    claims = [
        _claim(document, parsed, lexicons, quotes, resolver, raw, n) for n, raw in enumerate(raws, start=1)
    ]
    _nest(claims, quotes)
    used = {sid for c in claims for sid in c.chain}
    sources = [e.to_source(document.id) for e in resolver.entities if e.id in used]
    return sources, claims


def raw_attributions(
    document: Document, parsed: Doc, lexicons: Lexicons, quotes: Quotes
) -> list[RawAttribution]:
    """The rules' attributions, in text order: cues outside removed ranges, content clipped
    to the text as ingested and asides cut out of their hosts (no cue extent model applied yet)."""
    raws = [r for r in Finder(parsed, lexicons, quotes).find() if not _in_removed(document, r)]
    for r in raws:
        r.content = _clip(document, r.content)
    raws = _carve(document.text, [r for r in raws if r.content])
    raws.sort(key=lambda r: r.cue[0].start)
    return raws


# Largest gap (characters) between an aside's source and its cue for both to be cut.
ADJACENT = 3

# Rules whose attribution sits inside another one's content as an aside
# ("..., as the newspaper states it: “…”"): the aside is cut out of the host.
_ASIDE_RULES = frozenset({"verb.as", "verb.parataxis", "verb.colon", "colon"})


def _carve(text: str, raws: list[RawAttribution]) -> list[RawAttribution]:
    """Cut asides out of the content of the attribution that hosts them."""
    for host in raws:
        for aside in raws:
            if aside is host or aside.rule not in _ASIDE_RULES:
                continue
            cue = aside.cue[0]
            if not any(s.start <= cue.start < s.end for s in host.content):
                continue
            if any(c.start <= host.cue[0].start < c.end for c in aside.content):
                continue
            parts = [*aside.cue, *aside.content]
            src = aside.source_span
            if (
                src is not None
                and 0 <= cue.start - src.end <= ADJACENT
                and not text[src.end : cue.start].strip()
            ):
                parts.append(src)
            lo, hi = min(p.start for p in parts), max(p.end for p in parts)
            host.content = [
                p for p in _subtract(host.content, Span(lo, hi)) if text[p.start : p.end].strip(" ,—–-;:")
            ]
    return [r for r in raws if r.content]


def _subtract(spans: list[Span], cut: Span) -> list[Span]:
    """``spans`` without the characters of ``cut``."""
    out: list[Span] = []
    for p in spans:
        if not p.overlaps(cut):
            out.append(p)
            continue
        if p.start < cut.start:
            out.append(Span(p.start, cut.start))
        if cut.end < p.end:
            out.append(Span(cut.end, p.end))
    return out


def _in_removed(document: Document, raw: RawAttribution) -> bool:
    return any(document.is_removed(s) for s in raw.cue)


def _clip(document: Document, spans: list[Span]) -> list[Span]:
    """Cut removed ranges out of content spans."""
    for r in document.removed:
        spans = _subtract(spans, r.span)
    return [p for p in spans if document.text[p.start : p.end].strip()]


def _mention(parsed: Doc, lex: Lexicons, quotes: Quotes, head: int, span: Span | None) -> Mention:
    tok = parsed[head]
    if tok.lower_ in ("who", "which", "that") and tok.head.dep_ == "relcl":
        noun = tok.head.head
        toks = [t for t in noun.subtree if t.i not in {x.i for x in tok.head.subtree}]
        toks = [t for t in toks if not t.is_punct] or [noun]
        span = Span(toks[0].idx, toks[-1].idx + len(toks[-1].text))
        head = noun.i
    if span is None:
        span = Span(tok.idx, tok.idx + len(tok.text))
    return describe(parsed, head, span, lex, in_quote=quotes.region_at(span.start) is not None)


def _claim(
    document: Document,
    parsed: Doc,
    lex: Lexicons,
    quotes: Quotes,
    resolver: Resolver,
    raw: RawAttribution,
    n: int,
) -> Claim:
    text = document.text
    why: dict[str, Any] = {"rule": raw.rule, "cue": raw.cue_lemma, "by": NAME}
    if raw.cue_split is not None:
        why["cue_split"] = raw.cue_split  # the cue extent model took words from the content
    if raw.speaker_span is not None:
        why["speaker"] = [raw.speaker_span.start, raw.speaker_span.end]
    relays: list[Entity] = []
    for head, span in zip(raw.relay_heads, raw.relay_spans, strict=False):
        e, how = resolver.resolve(_mention(parsed, lex, quotes, head, span))
        relays.append(e)
        why.setdefault("relay_resolution", []).append(how)
    origin: Entity | None = None
    mention_spans: list[Span] = []
    if raw.source_head is not None:
        m = _mention(parsed, lex, quotes, raw.source_head, raw.source_span)
        origin, how = resolver.resolve(m)
        why["source_resolution"] = how
        mention_spans = [raw.source_span or m.span]
    elif raw.rule == "adverb":
        cue_start = raw.cue[0].start
        recent = resolver.recent(cue_start, ("outlet", "document"))
        if recent and cue_start - resolver.last_before(recent[0], cue_start) <= AGENTLESS_WINDOW:
            origin = recent[0]
            why["source_resolution"] = "agentless: the report it echoes"
    chain: list[str] = []
    if origin is not None:
        if relays:
            new = [r.id for r in relays if r.id != origin.id]
            if new and not origin.relays:
                origin.relays = new
        pre = origin.relays or (
            resolver.inherited_relays(origin, raw.cue[0].start)
            if origin.anonymous and origin.relays == []
            else []
        )
        if origin.anonymous and not origin.relays and pre:
            origin.relays = pre
            why["relay"] = "inherited from an earlier source"
        chain = [*[r for r in origin.relays if r != origin.id], origin.id]
    else:
        chain = [r.id for r in relays]
    share = quotes.quoted_share(raw.content, text)
    mode = quote_mode(share)
    why["quoted_share"] = round(share, 2)
    hedges = find_hedges(parsed, lex, raw, quotes)
    source_words = " ".join(text[s.start : s.end].lower() for s in [*mention_spans, *raw.relay_spans])
    hedged_source = any(w in lex.hedge_words for w in source_words.replace(",", " ").split())
    hedged = bool(hedges) or hedged_source or raw.cue_lemma in lex.hedging_verbs
    if hedged:
        why["hedged_by"] = [text[h.start : h.end] for h in hedges] or (
            ["cue: " + raw.cue_lemma] if raw.cue_lemma in lex.hedging_verbs else ["source description"]
        )
    return Claim(
        id=f"{document.id}/c{n}",
        document=document.id,
        content=sorted(raw.content),
        cue=sorted(raw.cue),
        source_mentions=mention_spans,
        chain=chain,
        mode=mode,
        hedged=hedged,
        source=origin.id if origin is not None else None,
        hedges=hedges,
        explanation=why,
    )


def _nest(claims: list[Claim], quotes: Quotes) -> None:
    """A claim made inside another claim's quotation, or inside what an 'according to' claim
    reports ('According to the Courier, an official said …'), is relayed by that claim's chain."""
    for inner in claims:
        cue = inner.cue[0].start
        region = quotes.region_at(cue)
        for outer in claims:
            if outer is inner or not outer.chain:
                continue
            quoted = region is not None and any(s.contains(region) for s in outer.content)
            reported = outer.explanation.get("rule") == "according_to" and any(
                s.start <= cue < s.end for s in outer.content
            )
            if quoted or reported:
                prefix = [c for c in outer.chain if c not in inner.chain]
                if prefix:
                    inner.chain = prefix + inner.chain
                    inner.explanation["nested_in"] = outer.id
                break
