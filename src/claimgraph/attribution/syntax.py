"""Spans and grammatical roles read off the dependency parse.

Character spans from tokens, trimming of dangling punctuation, the cue span of a
verb, the subject of a verb (through conjunctions, participles and relative
clauses), the words of a source mention. Used by ``cues.py``; no lexicons here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from claimgraph.model import Span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_CUE_MODIFIERS = frozenset({"aux", "auxpass", "neg", "advmod"})
_TRIM = " \t\n\r,;:.—–-"
_CLOSING_QUOTES = "”\"'»"


def char_span(tokens: Iterable[Token]) -> Span | None:
    toks = list(tokens)
    if not toks:
        return None
    start = min(t.idx for t in toks)
    end = max(t.idx + len(t.text) for t in toks)
    return Span(start, end)


def trim(text: str, span: Span) -> Span | None:
    """Strip blanks and dangling punctuation; keep a closing quote and what it closes."""
    start, end = span.start, span.end
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    if end < span.end and text[end : span.end].strip(" \t\n") and end > start:
        # keep sentence punctuation right before a closing quote: 'wraps.”'
        rest = text[end : span.end]
        for i, ch in enumerate(rest):
            if ch in _CLOSING_QUOTES:
                end = end + i + 1
    if end <= start:
        return None
    return Span(start, end)


_OPENING_MARKS = "“\"'«„"
_BRACKETS = {")": "(", "]": "["}


def trim_run(run: list[Token]) -> list[Token]:
    """Drop dangling punctuation and conjunctions at a run's edges, keeping quote marks,
    closing brackets whose opener is inside, and abbreviations such as 'N.C.'."""

    def keep_last(t: Token) -> bool:
        if t.text in _BRACKETS:
            return any(x.text == _BRACKETS[t.text] for x in run)
        return t.text[:1] in _CLOSING_QUOTES or t.text == "''"

    while run and (run[-1].dep_ == "cc" or (run[-1].is_punct and not keep_last(run[-1]))):
        run = run[:-1]
    while run and (run[0].dep_ == "cc" or (run[0].is_punct and run[0].text[:1] not in _OPENING_MARKS)):
        run = run[1:]
    return run


def _subtree_runs(tokens: list[Token], exclude: set[int]) -> list[list[Token]]:
    """Contiguous runs of ``tokens`` (sorted) that skip the excluded token indices."""
    runs: list[list[Token]] = []
    current: list[Token] = []
    last = None
    for t in tokens:
        if t.i in exclude:
            if current:
                runs.append(current)
            current, last = [], None
            continue
        if last is not None and t.i != last + 1:
            runs.append(current)
            current = []
        current.append(t)
        last = t.i
    if current:
        runs.append(current)
    return runs


def content_spans(doc: Doc, tokens: list[Token], exclude: set[int]) -> list[Span]:
    """Character spans of ``tokens`` less ``exclude``: one per contiguous run, edges trimmed."""
    out: list[Span] = []
    for run in _subtree_runs(sorted(tokens, key=lambda t: t.i), exclude):
        run = trim_run(run)
        span = char_span(run)
        if span is not None and any(any(ch.isalnum() for ch in t.text) for t in run):
            out.append(span)
    return out


def tokens_in(doc: Doc, span: Span) -> list[Token]:
    """The tokens overlapping a character span (no scan of the whole document)."""
    chosen = doc.char_span(span.start, span.end, alignment_mode="expand")
    return list(chosen) if chosen is not None else []


def cue_span(
    doc: Doc, verb: Token, subject_end: int | None, extra: Iterable[Token] = (), start: Token | None = None
) -> list[Span]:
    """The cue: the verb with its auxiliaries and adverbs between the subject and the verb,
    its particle, and what follows it before the content: a colon ('said:'), a time or manner
    adverb ('said sarcastically'), the exchange ('said in an interview'). Dates ('said Friday')
    stay outside: PolNeAR's annotators include them about as often as not. ``extra``
    tokens (a preposition before the content) stretch the cue up to them; ``start`` stretches it
    back (to the verb it is the infinitive of: 'appeared to suggest')."""
    keep = {verb.i}
    for child in verb.lefts:
        if child.dep_ in _CUE_MODIFIERS and (subject_end is None or child.i > subject_end):
            keep.update(t.i for t in child.subtree)
    for child in verb.rights:
        if child.dep_ == "prt" or (child.text == ":" and child.i == verb.i + 1 and not verb.whitespace_):
            keep.add(child.i)
        elif child.dep_ == "advmod" and child.lower_ not in _NOT_CUE_ADVERBS and child.i == verb.i + 1:
            keep.update(t.i for t in child.subtree)  # 'said sarcastically', 'complained bitterly'
        elif child.dep_ == "prep" and child.lower_ == "in":
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None and pobj.lemma_.lower() in _INTERVIEW_NOUNS:
                # 'said in an interview', 'wrote in an email' (not what the interview was with)
                keep.add(child.i)
                keep.update(t.i for t in pobj.lefts)
                keep.add(pobj.i)
    lo = hi = verb.i
    while lo - 1 in keep:
        lo -= 1
    while hi + 1 in keep:
        hi += 1
    for tok in extra:  # stretch over what lies between the verb and the preposition
        hi = max(hi, tok.i)
    if start is not None and start.i < lo:
        lo = start.i
        for child in start.lefts:
            if child.dep_ in _CUE_MODIFIERS and (subject_end is None or child.i > subject_end):
                lo = min(lo, child.left_edge.i)
    while lo < hi and doc[lo].is_punct:
        lo += 1
    span = char_span(doc[lo : hi + 1])
    return [span] if span is not None else []


# 'said in an interview': the exchange the words were said in is part of the cue (PolNeAR
# keeps 'in a statement' outside).
_INTERVIEW_NOUNS = frozenset({"interview", "email", "e-mail"})

# Adverbs right after a verb that belong to the clause, not to the cue.
_NOT_CUE_ADVERBS = frozenset(
    {"so", "too", "also", "as", "how", "why", "when", "where", "then", "now", "here", "there"}
)


def subject_of(verb: Token) -> Token | None:
    """The verb's subject, looking through conjunction, xcomp and participle heads.

    Climbing from "explaining" in "A source said X had been prompted by Y,
    explaining: ..." passes the passive "prompted" and reaches "said".
    """
    according = next((c for c in verb.children if c.lower_ == "according"), None)
    if according is not None and (speaker := misattached_subject(according)) is not None:
        return speaker
    tok = verb
    for _ in range(5):
        own = tok.i == verb.i
        for child in tok.children:
            if child.dep_ == "nsubj" or (child.dep_ == "nsubjpass" and own and not is_passive(verb)):
                return child
        for child in tok.children:
            if child.dep_ == "agent" and own:
                pobj = [c for c in child.children if c.dep_ == "pobj"]
                if pobj:
                    return pobj[0]
        if tok.dep_ in ("acl", "relcl") and tok.head.i != tok.i:
            if own and is_passive(verb):
                return None  # 'areas that were deemed to be …': the areas are not the source
            return tok.head
        if tok.dep_ in ("conj", "xcomp", "advcl") or (tok.dep_ == "ccomp" and not own):
            if tok.head.i == tok.i:
                return None
            tok = tok.head
            continue
        return None
    return None


def misattached_subject(according: Token) -> Token | None:
    """'According to the Courier, a military official said …' is often parsed with the
    official as an apposition of the Courier and 'said' without a subject: that apposition."""
    head = according.head
    if head.i == according.i or any(c.dep_ in ("nsubj", "nsubjpass") for c in head.children):
        return None
    to = next((c for c in according.children if c.lower_ == "to"), None)
    pobj = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
    if pobj is None:
        return None
    return next((c for c in pobj.children if c.dep_ == "appos" and c.i > pobj.i), None)


def is_passive(verb: Token) -> bool:
    """'it was reported that ...': the grammatical subject is not the source."""
    return any(c.dep_ == "auxpass" for c in verb.children)


def paragraph_bounds(tok: Token) -> tuple[int, int]:
    """Token index range of the paragraph holding ``tok`` (blank-line tokens bound it)."""
    doc = tok.doc
    lo = tok.i
    while lo > 0 and "\n" not in doc[lo - 1].text and "\n" not in doc[lo - 1].whitespace_:
        lo -= 1
    hi = tok.i
    while hi < len(doc) - 1 and "\n" not in doc[hi].whitespace_ and "\n" not in doc[hi + 1].text:
        hi += 1
    return lo, hi


# Longest relative clause or participle (tokens) kept in a source mention.
DESCRIPTION_TOKENS = 20


def _plain_description(clause: Token) -> bool:
    """Is a relative clause or participle after a source short and plain enough to be part of
    its mention ('Jo Coelbart, who works on defence policy,', 'a report released last year')?
    PolNeAR's sources keep these; a clause holding a colon, a quotation mark or a line break is
    what the source says, not who it is."""
    toks = list(clause.subtree)
    return len(toks) <= DESCRIPTION_TOKENS and not any(
        t.text == ":" or t.is_quote or "\n" in t.text for t in toks
    )


def source_tokens(subject: Token) -> list[Token]:
    """The source mention: the subject's subtree (long or quoted relative clauses left out) without
    trailing punctuation, inside the subject's own paragraph."""
    drop: set[int] = set()
    for child in subject.children:
        if child.dep_ in ("relcl", "acl") and child.i > subject.i and not _plain_description(child):
            drop.update(t.i for t in child.subtree)
    lo, hi = paragraph_bounds(subject)
    toks = trim_run([t for t in subject.subtree if t.i not in drop and lo <= t.i <= hi])
    # "Keron Blair, executive director of AROS, said": the comma closing an apposition
    if toks and any(t.dep_ in ("appos", "relcl") for t in toks) and toks[-1].i + 1 < len(subject.doc):
        nxt = subject.doc[toks[-1].i + 1]
        if nxt.text == "," and nxt.i + 1 < len(subject.doc) and nxt.i + 1 not in drop:
            toks.append(nxt)
    return toks
