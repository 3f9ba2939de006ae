"""Hedging: words by which the article distances itself from a claim.

A claim is hedged when a hedge word ("reportedly", "allegedly", "mysterious")
governs its cue or its content clause outside quotation marks, or describes its
source or relay ("a mysterious report"), or when a
hedge phrase ("could not be independently verified") stands in the claim's
sentence or the next one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from claimgraph.attribution.cues import RawAttribution
from claimgraph.attribution.lexicon import Lexicons
from claimgraph.attribution.quotes import Quotes
from claimgraph.model import Span

if TYPE_CHECKING:
    from spacy.tokens import Doc


def find_hedges(doc: Doc, lex: Lexicons, raw: RawAttribution, quotes: Quotes) -> list[Span]:
    """Spans of the hedge words and phrases that apply to ``raw``."""
    out: list[Span] = []
    cue_tok = doc[raw.cue_token]
    sent = cue_tok.sent
    content_roots = {
        t.i for t in sent if any(s.start <= t.idx < s.end for s in raw.content) and t.head.i == t.i
    }
    governors = {cue_tok.i, *content_roots}
    if raw.content:
        first = raw.content[0]
        for t in sent:
            if (
                t.idx >= first.start
                and t.idx < first.end
                and not (t.head.idx >= first.start and t.head.idx < first.end)
            ):
                governors.add(t.i)
    for t in sent:
        if (
            t.lower_ in lex.hedge_words
            and quotes.region_at(t.idx) is None
            and (t.head.i in governors or t.i == raw.cue_token)
        ):
            out.append(Span(t.idx, t.idx + len(t.text)))
    # the article's own words about the source: "a mysterious report", "an unverified account"
    for span in [raw.source_span, *raw.relay_spans]:
        if span is None:
            continue
        for t in doc.char_span(span.start, span.end, alignment_mode="expand") or []:
            if t.lower_ in lex.hedge_words and quotes.region_at(t.idx) is None:
                out.append(Span(t.idx, t.idx + len(t.text)))
    window_end = sent.end_char
    nxt = doc[sent.end].sent if sent.end < len(doc) else None
    if nxt is not None:
        window_end = nxt.end_char
    window = doc.char_span(sent.start_char, window_end, alignment_mode="expand")
    window_text = window.text.lower() if window is not None else ""
    for phrase in lex.hedge_phrases:
        for m in re.finditer(re.escape(phrase), window_text):
            start = sent.start_char + m.start()
            if quotes.region_at(start) is None:
                out.append(Span(start, start + len(phrase)))
    return sorted(set(out))
