"""Find attributions in a parsed document: cue, source mention, content.

Each rule reads the spaCy dependency parse and yields ``RawAttribution``
records with character spans; sources are typed and resolved later
(``mentions.py``, ``coref.py``). Rules, by name:

- ``verb.ccomp``     "X said (that) C", "C, X said"          (speech and cognition verbs)
- ``verb.colon``     "X told Y: “C”"                         (quote after a colon, may span paragraphs)
- ``verb.parataxis`` "“C1,” X said, “C2”"
- ``verb.xcomp``     "X wants to C"
- ``verb.raising``   "C1 seems to C2", "C1 is expected to C2"      (no source: the subject is content)
- ``verb.copula``    "X is sure that C", "X has been critical of C"
- ``verb.object``    "X announced C", "X called for C"
- ``verb.as``        "as X notes, C"
- ``verb.cite``      "X cites Y as claiming C"               (X relays Y)
- ``according_to``   "according to X, C"
- ``adverb``         "there are reportedly C"                (agentless)
- ``colon``          "This report comes with sourcing: “C”"  (no cue verb)

Content is then snapped to quotation marks: a quotation the content ends inside runs to
its closing mark ('“a grave mistake.”'), a quotation of several sentences before the cue
is taken whole, a quotation resumed right after the cue or in the next sentences joins
it, and a comma-led aside closing the content (', which …') is left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from claimgraph.attribution.lexicon import XCOMP_LEMMAS, Lexicons
from claimgraph.attribution.quotes import Quotes
from claimgraph.attribution.syntax import (
    char_span,
    content_spans,
    cue_span,
    is_passive,
    misattached_subject,
    source_tokens,
    subject_of,
    tokens_in,
    trim,
)
from claimgraph.model import Span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})
# '“…” ― Sonya Herridge': a dash and a capitalised name of one to four words after a quotation.
_DASH_NAME = re.compile(r"\s*(?P<dash>[―—–]|--)\s*(?P<name>[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3})")
# 'PENCE: Well, …' or 'Pat Caddell: …' at the start of a line.
_LABEL = re.compile(
    r"^[\"“]?(?P<name>(?:[A-Z][A-Za-z.'’-]*|[A-Z]{2,})(?: (?:[A-Z][A-Za-z.'’-]*|[A-Z]{2,})){0,3}):[ \t]",
    re.MULTILINE,
)
# Line labels that are not speakers.
_LABEL_STOP = frozenset(
    [
        "UPDATE",
        "UPDATED",
        "BREAKING",
        "WATCH",
        "READ",
        "MORE",
        "RELATED",
        "NOTE",
        "PHOTO",
        "PHOTOS",
        "VIDEO",
        "SOURCE",
        "SOURCES",
        "EDITOR",
        "EDITOR'S",
        "EDITOR’S",
        "CORRECTION",
        "CLARIFICATION",
        "ABSTRACT",
        "WARNING",
        "SPOILER",
        "JUST",
        "LIVE",
        "TRANSCRIPT",
        "EXCLUSIVE",
        "ANALYSIS",
        "OPINION",
        "REVIEW",
        "UPDATE:",
        "WHAT",
        "WHY",
        "HOW",
        "WHEN",
        "WHERE",
        "WHO",
    ]
)

# A line label starting with an article is a heading ('The Latest: …'), not a speaker.
_ARTICLES = frozenset({"The", "A", "An"})

# Verbs whose direct object is the person addressed, never the content ('told the passengers').
_ADDRESSEE_VERBS = frozenset({"tell", "ask", "inform", "assure", "remind", "brief", "notify", "warn", "urge"})

# Cues whose person object and preposition belong to the cue ('accused Holt of', 'asked him about').
_PERSON_PREP_CUES = frozenset(
    {"accuse", "ask", "tell", "liken", "compare", "warn", "question", "press", "quiz"}
)

# Prepositions that join the cue when the content follows them ('accused of', 'endorsed by');
# PolNeAR's annotators leave 'as', 'to' and 'about' outside as often as not.
_CUE_PREPS = frozenset({"of", "by"})

# Prepositions after a person object that introduce the content ('accused X of', 'asked X about').
_ABOUT_PREPS = frozenset({"of", "about", "for", "over", "as", "to", "on", "against"})

# Prepositional phrases that set the scene rather than carry content.
_CIRCUMSTANCE = frozenset({"in", "at", "on", "during", "after", "before", "since", "while", "by", "from"})

# Subjects that never speak for themselves (expletives and relative or demonstrative pronouns).
_NON_AGENTS = frozenset(
    {"it", "there", "this", "that", "these", "those", "what", "which", "something", "nothing"}
)

# Punctuation after which an "as X notes," aside opens a new clause.
_CLAUSE_BREAKS = frozenset({"—", "–", "--", ";", ":"})

# Prepositions that introduce what a learned cue verb is about ('rail against', 'talk about').
_STANCE_PREPS = frozenset({"about", "against", "for", "on", "of", "to", "at", "over", "with"})

# Probability from the cue detector above which a verb is a cue. Calibrated on PolNeAR
# dev over the whole stage, not the detector alone: cue exact F1 is flat within 0.6
# point from 0.36 (P 78, R 65) to 0.58 (P 83, R 61). 0.56 is the lowest threshold that
# keeps every precision at or above the floors pinned in eval/floors.json (floors only
# go up), at a cost of 0.4 point of cue F1 against the best threshold (0.42).
CUE_THRESHOLD = 0.56
# The plain reporting verbs ('said', 'told', 'wrote': the lexicon's reporting_verbs) pass
# from a lower probability: the detector learned from PolNeAR that such a verb inside a
# conjunction or a relative clause is often not annotated, but where a rule finds its
# content it is a cue. On PolNeAR dev 0.45 raised cue exact F1 70.5 -> 70.8 and content
# 55.4 -> 55.8; 0.3 gave 70.8 / 55.7 with lower precision.
REPORTING_THRESHOLD = 0.45

# Above this detector probability a cue verb with no recognised complement takes the rest
# of its clause as content (tuned on PolNeAR dev).
FALLBACK_THRESHOLD = 0.55
# Dependents after a verb that are not what was said.
_NOT_CONTENT_DEPS = frozenset(
    {"punct", "cc", "conj", "advcl", "npadvmod", "mark", "nsubj", "nsubjpass", "parataxis"}
)

# Verbs whose subject belongs to the infinitive after them ('X seems to C'), and verbs that
# raise it when passive ('X is expected to C'): the subject is content, there is no source.
_RAISING_VERBS = frozenset({"seem", "appear"})
_RAISING_PASSIVES = frozenset({"expect", "say", "believe", "think", "report", "rumor", "rumour", "know"})

# Dependents that give a verb a content of its own (so 'as X verb …' is not an aside).
_OWN_OBJECTS = frozenset({"dobj", "ccomp", "xcomp", "oprd"})

# Dependents that, after a comma at the end of the content, are the article's aside.
_ASIDE_DEPS = frozenset({"relcl", "appos", "advcl", "acl"})
_ASIDE_MARKS = frozenset({",", "—", "–", "--"})

# Characters that may stand between where a quotation opens and the sentence it opens: the
# parser leaves an opening mark ('' or “) on the sentence before it.
_OPENING_MARKS = "“\"'«„ "

# Characters of punctuation allowed between content and the quotation mark it snaps to.
SNAP_GAP = 2
_PRONOUN_SOURCES = frozenset({"he", "she", "they", "it", "i", "we", "you", "who", "which", "that"})


@dataclass(slots=True)
class RawAttribution:
    """One attribution before sources are resolved."""

    rule: str
    cue: list[Span]
    content: list[Span]
    cue_token: int  # index of the cue's head token
    source_head: int | None = None  # token index of the source mention's head
    source_span: Span | None = None
    relay_heads: list[int] = field(default_factory=list)  # outermost first
    relay_spans: list[Span] = field(default_factory=list)
    cue_lemma: str = ""
    consumed: list[int] = field(default_factory=list)  # other tokens this cue uses up
    # the cue's grammatical subject when it is a relay, not the origin ('RFA reported, citing Y')
    speaker_span: Span | None = None
    # what the cue extent model moved from content into the cue, and its probability
    cue_split: dict[str, object] | None = None


class Finder:
    """Runs every rule over one parsed document."""

    def __init__(self, doc: Doc, lex: Lexicons, quotes: Quotes) -> None:
        self.doc = doc
        self.lex = lex
        self.quotes = quotes
        self.text = doc.text
        self._scores: dict[int, float] = {}  # token index -> cue detector probability

    def _cue_score(self, tok: Token) -> float:
        """The detector's probability that ``tok`` heads a cue (0 without a detector), computed once."""
        model = self.lex.cue_model
        if model is None:
            return 0.0
        if tok.i not in self._scores:
            self._scores[tok.i] = model.score(tok, self.quotes)
        return self._scores[tok.i]

    def find(self) -> list[RawAttribution]:
        found: list[RawAttribution] = []
        taken: set[int] = set()
        for tok in self.doc:
            if tok.i in taken:
                continue
            for att in self._rules_for(tok):
                if att.content and att.cue:
                    found.append(att)
                    taken.add(att.cue_token)
                    taken.update(att.consumed)
                    break
        found = self._drop_embedded(found)
        for att in found:
            self._take_preposition(att)
        found += [a for a in self._labels() if a.cue_token not in taken]
        found.sort(key=lambda a: a.cue[0].start)
        self.join_split_quotes(found)
        self.continue_quotes(found)
        for att in found:
            self._whole_quotation(att)
        return found

    def _whole_quotation(self, att: RawAttribution) -> None:
        """'“S1. S2,” he said': the parse gives the content as the quotation's last sentence; the
        whole quotation is what was said, when the cue stands outside it."""
        if not att.content:
            return
        first = att.content[0]
        region = self.quotes.region_at(first.start)
        if region is None or not region.start < first.start or region.end > first.end:
            return
        if any(region.start <= c.start < region.end for c in att.cue):
            return
        att.content = [Span(region.start, first.end), *att.content[1:]]

    def _token_at(self, pos: int) -> int:
        span = self.doc.char_span(pos, pos + 1, alignment_mode="expand")
        return span.start if span is not None else 0

    def _labels(self) -> Iterator[RawAttribution]:
        """Typographic attributions: '“…” ― Name' and transcript labels 'NAME: words'."""
        text = self.text
        for region in self.quotes.regions:
            m = _DASH_NAME.match(text, region.end)
            if m:
                dash = Span(m.start("dash"), m.end("dash"))
                name = Span(m.start("name"), m.end("name"))
                yield RawAttribution(
                    rule="dash",
                    cue=[dash],
                    content=[region],
                    cue_token=self._token_at(dash.start),
                    source_head=self._token_at(name.end - 1),
                    source_span=name,
                    cue_lemma="―",
                )
        for m in _LABEL.finditer(text):
            label = m.group("name")
            first = label.split()[0]
            if label.upper() in _LABEL_STOP or first.upper() in _LABEL_STOP or first in _ARTICLES:
                continue  # 'UPDATE: …', 'The Latest: …' are headings, not speakers
            colon = m.end("name")
            rest_end = text.find("\n", colon)
            rest_end = len(text) if rest_end < 0 else rest_end
            content = trim(text, Span(colon + 1, rest_end))
            if content is None:
                continue
            yield RawAttribution(
                rule="label",
                cue=[Span(colon, colon + 1)],
                content=[content],
                cue_token=self._token_at(colon),
                source_head=self._token_at(m.end("name") - 1),
                source_span=Span(m.start("name"), m.end("name")),
                cue_lemma=":",
            )

    def _take_preposition(self, att: RawAttribution) -> None:
        """'was accused of lying', 'described it as', 'has been endorsed by': a preposition
        between the cue and the content belongs to the cue."""
        if not att.content or len(att.cue) != 1:
            return
        first = att.content[0]
        span = self.doc.char_span(first.start, first.end, alignment_mode="expand")
        if span is None or len(span) < 2:
            return
        prep = span[0]
        if (
            prep.dep_ not in ("prep", "agent")
            or prep.head.i != att.cue_token
            or prep.lower_ not in _CUE_PREPS
        ):
            return
        cue = att.cue[0]
        if self.text[cue.end : prep.idx].strip():
            return
        rest = trim(self.text, Span(prep.idx + len(prep.text), first.end))
        if rest is None:
            return
        att.cue = [Span(cue.start, prep.idx + len(prep.text))]
        att.content = [rest, *att.content[1:]]

    def _drop_embedded(self, found: list[RawAttribution]) -> list[RawAttribution]:
        """Keep an attribution made inside someone's words only when it names where those words
        came from. Inside a quotation or another attribution's content, 'I think', 'he says he
        is honoured' and 'the deal shows' are part of what the outer source says; 'according to
        sources', 'RFA reported' and 'the orders say' are relays and stay."""
        keep = []
        for att in found:
            cue = att.cue[0].start
            embedded = self.quotes.region_at(cue) is not None or any(
                other is not att and any(c.start <= cue < c.end for c in other.content) for other in found
            )
            if embedded and not self._relays_a_source(att):
                continue
            keep.append(att)
        return keep

    def _relays_a_source(self, att: RawAttribution) -> bool:
        """Does this attribution name a source other than a person speaking for themselves?"""
        if att.rule in ("according_to", "verb.cite") or att.relay_heads:
            return True
        if att.source_head is None:
            return att.rule != "adverb"
        head = self.doc[att.source_head]
        lemma = head.lemma_.lower()
        if head.lower_ in _PRONOUN_SOURCES:
            return False
        if (
            lemma in self.lex.anonymous_heads
            or lemma in self.lex.document_heads
            or lemma in self.lex.outlet_heads
        ):
            return True
        names = [t for t in head.subtree if t.pos_ == "PROPN"]
        return bool(names) and self.lex.outlet_name(" ".join(t.text for t in names)) is not None

    def _rules_for(self, tok: Token) -> Iterator[RawAttribution]:
        lemma = tok.lemma_.lower()
        if tok.lower_ == "according" and any(c.lower_ == "to" for c in tok.children):
            yield from self._according_to(tok)
        elif tok.pos_ in ("VERB", "AUX") and self._is_cue_verb(tok, lemma):
            yield from self._verb(tok, lemma)
        elif tok.lower_ in self.lex.agentless_adverbs and tok.dep_ == "advmod":
            yield from self._adverb(tok)
        elif tok.text == ":" and tok.head.pos_ in ("VERB", "AUX"):
            yield from self._colon(tok)

    # -- verb cues ---------------------------------------------------------

    def _verb(self, verb: Token, lemma: str) -> Iterator[RawAttribution]:
        if verb.tag_ == "VBN" and verb.dep_ in ("amod", "acl") and lemma not in ("cite", "quote"):
            return  # "the reported deal", "a plan announced last week"
        outer = self._second_cue(verb)
        subject = subject_of(outer if outer is not None else verb)
        if subject is not None and subject.i > verb.i and subject.head.i == verb.i:
            subj_toks = source_tokens(subject)
        else:
            subj_toks = source_tokens(subject) if subject is not None else []
        subj_span = char_span(subj_toks)
        subj_ids = {t.i for t in subj_toks}
        subj_end = max(subj_ids) if subj_ids and max(subj_ids) < verb.i else None

        if (
            lemma in ("cite", "quote")
            and self._governing_cue(verb) is not None
            and (cited := next((c for c in verb.children if c.dep_ == "dobj"), None)) is not None
            and self._names_a_source(cited)
        ):
            return  # 'X reported, citing Y, that C': the reporting verb takes it (below)
        if lemma in ("cite", "quote"):
            att = self._cite(verb, subject, subj_span)
            if att is not None:
                yield att
                return

        head = verb.head
        start: Token | None = None
        if verb.dep_ == "xcomp" and head.pos_ in ("VERB", "AUX") and head.i < verb.i:
            if self._is_cue_verb(head, head.lemma_.lower()):
                return  # 'continues to insist': the head verb takes both
            if verb.i - head.i <= 4:
                start = head  # 'appeared to suggest', 'went on to discuss'
        relays = self._relay_objects(verb, lemma)
        relay_ids = {t.i for r in relays for t in r.subtree}
        exclude = subj_ids | relay_ids | {verb.i}
        cue = cue_span(self.doc, verb, subj_end, start=start)
        exclude |= {t.i for s in cue for t in tokens_in(self.doc, s)}

        base = RawAttribution(
            rule="",
            cue=cue,
            content=[],
            cue_token=verb.i,
            source_head=subject.i if subject is not None else None,
            source_span=subj_span,
            relay_heads=[r.i for r in relays],
            relay_spans=[s for r in relays if (s := char_span(source_tokens(r))) is not None],
            cue_lemma=lemma,
        )
        citing = self._citing_participle(verb)
        if citing is not None and subject is not None and subj_span is not None:
            # 'RFA reported, citing a source, that C': the subject relays the cited source
            participle, cited = citing
            cited_span = char_span(source_tokens(cited))
            if cited_span is not None:
                exclude |= {t.i for t in participle.subtree}
                base = replace(
                    base,
                    source_head=cited.i,
                    source_span=cited_span,
                    relay_heads=[subject.i, *base.relay_heads],
                    relay_spans=[subj_span, *base.relay_spans],
                    consumed=[participle.i],
                    speaker_span=subj_span,
                )

        if lemma == "be":
            att = self._copula(verb, subj_end, exclude, base, start)
            if att is not None:
                yield att
            return

        # "X told Y: “...”" — the quote after the colon, however many paragraphs it runs.
        colon = self._colon_after(verb)
        if colon is not None:
            region = self.quotes.region_starting_near(colon.idx + 1, self.text)
            if region is not None:
                yield replace(base, rule="verb.colon", content=[region])
                return

        clause = [c for c in verb.children if c.dep_ in ("ccomp",) and c.i not in subj_ids]
        later = [c for c in clause if c.i > verb.i]
        if later and not any(c.lemma_.lower() in self.lex.cue_lemmas for c in later):
            # 'It is unlikely; her team says she will go on': a clause before the cue, outside
            # any quotation, when another follows it, is the writer's, not the speaker's (unless
            # the one after is itself a report: 'C, a source told the Ledger, the paper reported')
            clause = [c for c in clause if c.i > verb.i or self.quotes.region_at(c.idx) is not None]
        if clause:
            toks = self._without_trailing_aside([t for c in clause for t in c.subtree])
            toks = self._without_second_cue(clause[-1], toks)
            content = content_spans(self.doc, toks, exclude)
            content = self._extend_quote(content)
            # '“C1,” said X, “C2.”': join_split_quotes adds C2 for every verb rule
            yield replace(base, rule="verb.ccomp", content=content)
            return

        if verb.dep_ == "parataxis" or (
            verb.dep_ == "advcl"
            and any(c.lower_ == "as" for c in verb.children)
            # 'as he discussed his plan' is a time clause: the verb has an object of its own
            # ('as she put it' has none)
            and not any(c.dep_ in _OWN_OBJECTS and c.lower_ != "it" for c in verb.children)
        ):
            head = verb.head
            toks = self._clause_after_aside(verb) or [
                t for t in head.subtree if t.i not in {x.i for x in verb.subtree}
            ]
            content = content_spans(self.doc, toks, exclude)
            rule = "verb.as" if verb.dep_ == "advcl" else "verb.parataxis"
            yield replace(base, rule=rule, content=self._extend_quote(content))
            return

        if not self._plausible_source(subject, verb):
            return
        agent = next((c for c in verb.children if c.dep_ == "agent"), None)
        patient = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
        if agent is not None and patient is not None and subject is not None:
            # 'The plan was first reported by the Ledger': the Ledger reported the plan
            cue = cue_span(self.doc, verb, None, extra=[agent], start=start)
            content = content_spans(self.doc, list(patient.subtree), exclude)
            yield replace(base, rule="verb.passive", content=self._extend_quote(content), cue=cue)
            return
        yield from self._complements(verb, lemma, subj_end, exclude, base, start)

    def _complements(
        self,
        verb: Token,
        lemma: str,
        subj_end: int | None,
        exclude: set[int],
        base: RawAttribution,
        start: Token | None,
    ) -> Iterator[RawAttribution]:
        """Content that is not a clause: 'wants to C', 'called for C', 'blasted him for C',
        'called C “D”', 'said: C', or a quotation right next to the verb."""
        particles = self.lex.particles.get(lemma, frozenset())
        object_ok = (
            lemma not in self.lex.needs_clause
            and lemma not in _ADDRESSEE_VERBS
            and (
                lemma in self.lex.object_content
                or lemma not in self.lex.cue_lemmas
                or lemma in self.lex.speech
            )
        )
        xcomp = next((c for c in verb.children if c.dep_ == "xcomp"), None)
        dobj = next((c for c in verb.children if c.dep_ == "dobj"), None)
        preps = [
            c
            for c in verb.rights
            if c.dep_ == "prep" and any(x.dep_ in ("pobj", "pcomp") for x in c.children)
        ]

        if xcomp is not None and self._is_cue_verb(xcomp, xcomp.lemma_.lower()) and xcomp.i <= verb.i + 3:
            # 'continues to insist that C', 'refused to disclose C': one cue over both verbs
            inner = [c for c in xcomp.children if c.dep_ in ("ccomp", "dobj", "xcomp")]
            if inner:
                cue = cue_span(self.doc, verb, subj_end, extra=[xcomp], start=start)
                toks = [t for c in inner for t in c.subtree]
                yield replace(
                    base, rule="verb.xcomp", content=self._joined(toks, exclude | {xcomp.i}, cue), cue=cue
                )
                return
        if xcomp is not None and base.source_head is not None and self._raises(verb, lemma):
            # 'X seems to C', 'X is expected to C': X is part of what is held, not who holds it
            subject = self.doc[base.source_head]
            toks = [*source_tokens(subject), *xcomp.subtree]
            yield replace(
                base,
                rule="verb.raising",
                content=self._joined(toks, exclude - {t.i for t in subject.subtree}, base.cue),
                source_head=None,
                source_span=None,
            )
            return
        if xcomp is not None and (
            dobj is None or lemma in XCOMP_LEMMAS or dobj.i > xcomp.i or lemma in _ADDRESSEE_VERBS
        ):
            toks = list(xcomp.subtree)
            if dobj is not None and dobj.i < xcomp.i and lemma not in XCOMP_LEMMAS:
                toks = [*dobj.subtree, *toks]  # 'told his advisers to …', 'urged voters to …'
            yield replace(base, rule="verb.xcomp", content=self._joined(toks, exclude, base.cue))
            return

        for prep in preps:
            if prep.lower_ in particles and (dobj is None or prep.i < dobj.i or self._is_person(dobj)):
                pobj = next(c for c in prep.children if c.dep_ in ("pobj", "pcomp"))
                cue = cue_span(self.doc, verb, subj_end, extra=[prep], start=start)
                content = content_spans(self.doc, list(pobj.subtree), exclude)
                yield replace(base, rule="verb.prep", content=self._extend_quote(content), cue=cue)
                return

        if dobj is not None and self._is_person(dobj) and lemma in _PERSON_PREP_CUES:
            about = next((p for p in preps if p.i > dobj.i and p.lower_ in _ABOUT_PREPS), None)
            if about is not None:
                # 'accused Holt of C', 'asked him about C': the cue runs to the preposition
                pobj = next(c for c in about.children if c.dep_ in ("pobj", "pcomp"))
                cue = cue_span(self.doc, verb, subj_end, extra=[about], start=start)
                content = content_spans(self.doc, list(pobj.subtree), exclude)
                yield replace(base, rule="verb.prep", content=self._extend_quote(content), cue=cue)
                return

        if dobj is not None and object_ok:
            toks = list(dobj.subtree)
            for sib in verb.rights:
                # 'called him “a genius”', 'blasted him for not paying'
                if (
                    sib.i > dobj.i
                    and sib.dep_ in ("oprd", "xcomp", "ccomp", "prep")
                    and sib.lower_ not in _CIRCUMSTANCE
                ):
                    toks += list(sib.subtree)
                    break
            if self._is_pronoun(dobj) and len(toks) == len(list(dobj.subtree)):
                return  # 'criticised him' says nothing by itself
            yield replace(base, rule="verb.object", content=self._joined(toks, exclude, base.cue))
            return

        for prep in preps:
            if prep.lower_ in _STANCE_PREPS and (
                lemma not in self.lex.cue_lemmas or lemma in self.lex.object_content
            ):
                pobj = next(c for c in prep.children if c.dep_ in ("pobj", "pcomp"))
                cue = cue_span(self.doc, verb, subj_end, extra=[prep], start=start)
                content = content_spans(self.doc, list(pobj.subtree), exclude)
                yield replace(base, rule="verb.prep", content=self._extend_quote(content), cue=cue)
                return

        if lemma in self.lex.speech and lemma not in self.lex.needs_clause:
            # a quotation the parse did not attach: 'he said, “...”' or '“...?” she said.'
            after = self._quote_after(verb.idx + len(verb.text))
            if after is not None:
                yield replace(base, rule="verb.quote", content=[after])
                return
            src = base.source_span
            left = min([verb.idx, *(s.start for s in base.cue), *([src.start] if src else [])])
            before = self._quote_before(left)
            if before is not None:
                yield replace(base, rule="verb.quote", content=[before])
                return
            # 'The governor added:' closing a paragraph: the next paragraph is what he added
            colon = self._colon_after(verb)
            if colon is not None and colon.i + 1 < len(self.doc):
                nxt = colon.nbor(1)
                while nxt.is_space and nxt.i + 1 < len(self.doc):
                    nxt = nxt.nbor(1)
                para = self._paragraph_span(nxt.idx)
                if para is not None:
                    yield replace(base, rule="verb.colon", content=[para])
                    return

        # Nothing matched a construction: what follows the verb in its own clause is the content,
        # when the detector is sure enough that this is a cue.
        if self._cue_score(verb) >= FALLBACK_THRESHOLD:
            toks = [
                t
                for c in verb.rights
                if c.dep_ not in _NOT_CONTENT_DEPS
                and not c.is_punct
                and not (c.dep_ == "dobj" and lemma in _ADDRESSEE_VERBS)
                for t in c.subtree
            ]
            content = self._joined(toks, exclude, base.cue)
            if content:
                yield replace(base, rule="verb.rest", content=content)

    def _raises(self, verb: Token, lemma: str) -> bool:
        """Is the verb's subject raised from its infinitive ('seems to', 'is expected to')?"""
        return lemma in _RAISING_VERBS or (lemma in _RAISING_PASSIVES and is_passive(verb))

    def _clause_after_aside(self, verb: Token) -> list[Token]:
        """'… — as X notes, C.' and '… as X puts it: “C”': an "as" aside that closes
        with a colon, or opens a clause after a dash, semicolon or colon and closes with
        a comma, introduces what follows it, C, even when the parser hangs it on the
        clause before. Empty when that is not so."""
        closer = self._aside_closer(verb)
        if closer is None:
            return []
        mark, sent = verb.left_edge, verb.sent
        opens_clause = mark.i == sent.start or self.doc[mark.i - 1].text in _CLAUSE_BREAKS
        if closer.text == "," and not opens_clause:
            return []
        return [t for t in self.doc[closer.i + 1 : sent.end] if not t.is_space]

    def _aside_closer(self, verb: Token) -> Token | None:
        """The comma or colon right after an "as X notes" aside headed by ``verb`` (the
        aside starting with its "as"), in the same sentence; None for anything else."""
        if not any(c.dep_ == "mark" and c.lower_ == "as" and c.i == verb.left_edge.i for c in verb.children):
            return None
        after = verb.right_edge.i + 1
        if after >= verb.sent.end or self.doc[after].text not in (",", ":"):
            return None
        return self.doc[after]

    def _without_trailing_aside(self, toks: list[Token]) -> list[Token]:
        """Drop a comma-led relative clause or apposition that closes the content outside any
        quotation ('…, which forced her to leave'): PolNeAR's content stops before it."""
        if not toks:
            return toks
        last = max(t.i for t in toks)
        ids = {t.i for t in toks}
        for t in sorted(toks, key=lambda x: x.i):
            left = t.left_edge.i
            if (
                t.dep_ in _ASIDE_DEPS
                and left - 1 in ids
                and self.doc[left - 1].text in _ASIDE_MARKS
                and t.right_edge.i >= last - 1
                and self.quotes.region_at(t.idx) is None
            ):
                drop = {x.i for x in t.subtree} | {left - 1}
                return [x for x in toks if x.i not in drop]
        return toks

    def _second_cue(self, verb: Token) -> Token | None:
        """'X said C and warned D': the cue verb ``verb`` conjoined at the end of the clause C,
        without a subject of its own, is X's second act. The verb that takes C ('said'), or
        None when ``verb`` is not such a conjunct."""
        clause = verb.head
        if (
            verb.dep_ != "conj"
            or verb.pos_ != "VERB"
            or clause.dep_ != "ccomp"
            or clause.head.i == clause.i
            or any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)
            or max((c.i for c in clause.rights if c.dep_ == "conj"), default=-1) != verb.i
            or not self._is_cue_verb(verb, verb.lemma_.lower())
            or not self._is_cue_verb(clause.head, clause.head.lemma_.lower())
        ):
            return None
        return clause.head

    def _without_second_cue(self, clause: Token, toks: list[Token]) -> list[Token]:
        """Drops from the content of the clause ``clause`` a second cue conjoined at its end
        (see ``_second_cue``), with its conjunction."""
        conj = next((c for c in reversed(list(clause.rights)) if c.dep_ == "conj"), None)
        if conj is None or self._second_cue(conj) is None:
            return toks
        drop = {t.i for t in conj.subtree}
        drop |= {c.i for c in clause.children if c.dep_ == "cc" and clause.i < c.i < conj.i}
        return [t for t in toks if t.i not in drop]

    def _joined(self, toks: list[Token], exclude: set[int], cue: Sequence[Span] = ()) -> list[Span]:
        """Content from tokens, as one span from the first to the last piece (quotes snapped),
        but never over the ``cue``: 'Melania seems to have vanished' is 'Melania' and 'to have
        vanished', not one span holding 'seems'."""
        toks = self._without_trailing_aside(toks)
        content = content_spans(self.doc, toks, exclude)
        if content:
            joined = [content[0]]
            for piece in content[1:]:
                gap = Span(joined[-1].end, piece.start)
                if any(gap.overlaps(c) for c in cue):
                    joined.append(piece)
                else:
                    joined[-1] = Span(joined[-1].start, piece.end)
            content = joined
        return self._extend_quote(content)

    def _paragraph_span(self, pos: int) -> Span | None:
        end = self.text.find("\n", pos)
        end = len(self.text) if end < 0 else end
        return trim(self.text, Span(pos, end))

    def _copula(
        self, verb: Token, subj_end: int | None, exclude: set[int], base: RawAttribution, start: Token | None
    ) -> RawAttribution | None:
        """'was sure (that) C', 'are afraid C', 'has been critical of C', 'is an opponent of C':
        the cue runs from the copula to the predicate (and its preposition)."""
        pred = next((c for c in verb.children if c.dep_ in ("acomp", "attr") and c.i > verb.i), None)
        if pred is None or base.source_head is None:
            return None
        for comp in pred.children:
            if comp.i < pred.i:
                continue
            if comp.dep_ in ("ccomp", "xcomp"):
                cue = cue_span(self.doc, verb, subj_end, extra=[pred], start=start)
                toks = list(comp.subtree)
            elif comp.dep_ == "prep" and comp.lower_ in _STANCE_PREPS:
                obj = next((c for c in comp.children if c.dep_ in ("pobj", "pcomp")), None)
                if obj is None:
                    continue
                cue = cue_span(self.doc, verb, subj_end, extra=[comp], start=start)
                toks = list(obj.subtree)
            else:
                continue
            content = self._joined(toks, exclude)
            return replace(base, rule="verb.copula", cue=cue, content=content) if content else None
        return None

    def _cite(self, verb: Token, subject: Token | None, subj_span: Span | None) -> RawAttribution | None:
        """'X cites Y as claiming C': X relays Y; the cue is both verbs."""
        obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
        as_prep = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "as"), None)
        if obj is None or as_prep is None:
            return None
        inner = next((c for c in as_prep.children if c.dep_ in ("pcomp", "pobj")), None)
        if inner is None:
            return None
        clause = [c for c in inner.children if c.dep_ in ("ccomp", "xcomp", "dobj")]
        if not clause:
            return None
        obj_toks = source_tokens(obj)
        exclude = {t.i for t in obj_toks} | {verb.i, as_prep.i, inner.i}
        content = content_spans(self.doc, [t for c in clause for t in c.subtree], exclude)
        cue = sorted(s for s in (char_span([verb]), char_span([as_prep, inner])) if s is not None)
        return RawAttribution(
            rule="verb.cite",
            cue=cue,
            content=self._extend_quote(content),
            cue_token=verb.i,
            source_head=obj.i,
            source_span=char_span(obj_toks),
            relay_heads=[subject.i] if subject is not None else [],
            relay_spans=[subj_span] if subj_span is not None else [],
            cue_lemma=inner.lemma_.lower(),
            consumed=[inner.i],
        )

    def _citing_participle(self, verb: Token) -> tuple[Token, Token] | None:
        """'citing Y' / 'quoting Y' hung on the cue verb or on the clause it reports:
        the participle and Y."""
        places = [verb, *(c for c in verb.children if c.dep_ == "ccomp")]
        for host in places:
            for child in host.children:
                if (
                    child.dep_ == "advcl"
                    and child.tag_ == "VBG"
                    and child.lemma_.lower() in ("cite", "quote")
                ):
                    cited = next((c for c in child.children if c.dep_ == "dobj"), None)
                    if cited is not None and self._names_a_source(cited):
                        return child, cited
        return None

    def _names_a_source(self, cited: Token) -> bool:
        """Is what 'citing' / 'quoting' names someone or something that speaks ('citing a source',
        'citing the Ledger', 'citing a report'), rather than the grounds given ('citing the
        release of prisoners': then 'citing' is a cue of its own)?"""
        if cited.ent_type_ in ("PERSON", "ORG", "NORP", "GPE") or cited.pos_ in ("PROPN", "PRON"):
            return True
        lemma = cited.lemma_.lower()
        lex = self.lex
        return any(
            lemma in heads
            for heads in (
                lex.anonymous_heads,
                lex.document_heads,
                lex.outlet_heads,
                lex.group_heads,
                lex.role_heads,
                lex.organisation_heads,
                lex.government_heads,
                lex.evidence_heads,
                lex.respondent_heads,
                lex.relation_heads,
            )
        )

    def _governing_cue(self, participle: Token) -> Token | None:
        """The cue verb a 'citing Y' participle belongs to, if any (see ``_citing_participle``)."""
        if participle.dep_ != "advcl" or participle.tag_ != "VBG":
            return None
        head = participle.head
        for verb in (head, head.head if head.dep_ == "ccomp" else None):
            if (
                verb is not None
                and verb.pos_ in ("VERB", "AUX")
                and verb.lemma_.lower() not in ("cite", "quote")
                and self._is_cue_verb(verb, verb.lemma_.lower())
            ):
                return verb
        return None

    def _relay_objects(self, verb: Token, lemma: str) -> list[Token]:
        """'told CNN', 'in an interview with the Independent', 'citing X' (outer relay)."""
        out: list[Token] = []
        if lemma == "tell":
            for child in verb.children:
                if child.dep_ in ("dobj", "dative") and self._is_outlet_like(child):
                    out.append(child)
        for child in verb.children:
            if child.dep_ == "prep" and child.lower_ in ("in", "to"):
                for pobj in child.children:
                    if pobj.dep_ != "pobj":
                        continue
                    if pobj.lemma_.lower() == "interview":
                        for p2 in pobj.children:
                            if p2.dep_ == "prep" and p2.lower_ == "with":
                                out += [
                                    c for c in p2.children if c.dep_ == "pobj" and self._is_outlet_like(c)
                                ]
                    elif child.lower_ == "to" and lemma in ("speak", "talk") and self._is_outlet_like(pobj):
                        out.append(pobj)
        return out

    def _is_outlet_like(self, tok: Token) -> bool:
        text = self.text[tok.left_edge.idx : tok.right_edge.idx + len(tok.right_edge.text)]
        if self.lex.outlets.find_in(text):
            return True
        names = [t for t in tok.subtree if t.pos_ == "PROPN"]
        if names and self.lex.outlet_name(self.text[names[0].idx : names[-1].idx + len(names[-1].text)]):
            return True
        return tok.lemma_.lower() in self.lex.outlet_heads and any(t.pos_ == "PROPN" for t in tok.subtree)

    def _is_cue_verb(self, tok: Token, lemma: str) -> bool:
        """The learned cue detector decides; without one, the lexicons do."""
        model = self.lex.cue_model
        if model is None:
            return self.lex.is_cue(lemma, tok.pos_)
        score = self._cue_score(tok)
        if score >= CUE_THRESHOLD or (lemma in self.lex.reporting and score >= REPORTING_THRESHOLD):
            return True
        if lemma not in self.lex.speech:
            return False
        # '… as the paper states it: “C”': an "as" aside with a speaker, closed by a colon,
        # attributes what follows, whatever the detector makes of the aside.
        closer = self._aside_closer(tok) if tok.dep_ == "advcl" else None
        if closer is not None and closer.text == ":" and any(c.dep_ in _SUBJECTS for c in tok.children):
            return True
        # 'According to X, an official said C': the detector learned from PolNeAR that a verb under
        # 'according to' is mostly content; a speech verb with a speaker there is a relayed cue
        # (also when the parse hangs the official off X as an apposition).
        return any(
            c.lower_ == "according"
            and (misattached_subject(c) is not None or any(x.dep_ in _SUBJECTS for x in tok.children))
            for c in tok.children
        )

    def _plausible_source(self, subject: Token | None, verb: Token) -> bool:
        """Could this subject speak, write or hold a view? (for the looser object and xcomp
        rules). Agentless passives ('have been blamed for') pass with no subject."""
        if subject is None:
            return is_passive(verb)
        if subject.lower_ in _NON_AGENTS:
            return False
        return subject.pos_ in ("NOUN", "PROPN", "PRON") or subject.ent_type_ != ""

    def _is_person(self, tok: Token) -> bool:
        return (tok.pos_ == "PRON" and tok.lower_ in ("him", "her", "them", "me", "us", "you")) or (
            tok.ent_type_ in ("PERSON", "ORG", "NORP", "GPE")
        )

    def _is_pronoun(self, tok: Token) -> bool:
        return tok.pos_ == "PRON" and tok.lower_ not in ("this", "that")

    def _quote_after(self, pos: int) -> Span | None:
        """A quotation opening right after ``pos`` (blanks, a comma or a colon between)."""
        k = pos
        while k < len(self.text) and k - pos <= 3 and self.text[k] in " ,:\t":
            k += 1
        region = self.quotes.region_at(k)
        return region if region is not None and region.start == k else None

    def _quote_before(self, pos: int) -> Span | None:
        """A quotation closing right before ``pos`` ('“…?” she said')."""
        k = pos
        while k > 0 and pos - k <= 3 and self.text[k - 1] in " ,\t":
            k -= 1
        region = self.quotes.region_at(k - 1) if k > 0 else None
        if region is not None and region.end == k:
            return region
        return None

    def _colon_after(self, verb: Token) -> Token | None:
        """A colon closing the verb's own clause ('told the website:'), right before what was said."""
        for k in range(verb.i + 1, min(len(self.doc), verb.i + 14)):
            t = self.doc[k]
            if t.text == ":":
                owner = t.head
                if owner.i == verb.i or (
                    owner.head.i == verb.i and owner.dep_ in ("dobj", "dative", "prep", "npadvmod")
                ):
                    return t
                return None
            if t.is_sent_start or t.text in ".?!" or self.quotes.region_at(t.idx) is not None:
                return None
        return None

    def _extend_quote(self, content: list[Span]) -> list[Span]:
        """Snap content to the quotation marks around it: take in an opening mark just before
        and a closing mark just after ('“It is,” he said'), grow content that ends inside a
        quotation to its end, and cut a quotation followed by the article's own words after a
        comma ('“…,” an area that …')."""
        if not content:
            return content
        first = content[0]
        lead = self.text[first.start : first.start + 6]
        offset = 5 if lead.lower().startswith("that ") else 0
        region = self.quotes.region_at(first.start + offset)
        if region is not None and region.start >= first.start and region.end < first.end:
            tail = self.text[region.end : first.end]
            before = self.text[region.end - 2 : region.end]
            if tail.lstrip().startswith(",") or "," in before:
                content = [Span(first.start, region.end), *content[1:]]
        return [self._snap(span) for span in content]

    def _snap(self, span: Span) -> Span:
        start, end = span.start, span.end
        region = self.quotes.region_at(start)
        if region is None and start > 0:
            region = self.quotes.region_at(start - 1)
        if (
            region is not None
            and region.start < start
            and not self.text[region.start + 1 : start].strip("“\"'«„ ")
        ):
            start = region.start
        region = self.quotes.region_at(end - 1)
        if region is not None and region.end > end:
            between = self.text[end : region.end - 1]
            if not between.strip(" ,.;:!?”\"'»") or (
                region.start <= start + 3 and (region.end - end <= SNAP_GAP or region.start >= start)
            ):
                end = region.end
        return Span(start, end)

    def join_split_quotes(self, found: list[RawAttribution]) -> None:
        """'“A,” he said, “B.”': a quotation broken by its own cue is one content. Reads each
        verb attribution whose content is one whole quotation and adds the other half: a
        quotation ending in a comma right before the source and cue, or one right after them
        when the content ends in a comma. Quotations another attribution holds are left alone."""
        held = [span for att in found for span in att.content]
        for att in found:
            if not att.rule.startswith("verb") or len(att.content) != 1:
                continue
            content = att.content[0]
            if self.quotes.region_at(content.start) != content:
                continue
            around = [*att.cue, *([att.source_span] if att.source_span else [])]
            if not around:
                continue
            left = min(span.start for span in around)
            right = max(span.end for span in around)
            if content.start >= right:
                other = self._quote_before(left)
            elif content.end <= left:
                other = self._quote_after(self._clause_end(att.cue_token, right))
            else:
                continue
            if other is None or any(s.start < other.end and other.start < s.end for s in held):
                continue
            pair = sorted([content, other])
            if "," in self.text[pair[0].end - 3 : pair[0].end]:
                att.content = pair

    def _clause_end(self, cue_token: int, pos: int) -> int:
        """Where the cue verb's own words after ``pos`` end ('told the council'): the end of the
        run of its dependents that follows, up to punctuation or a quotation."""
        verb = self.doc[cue_token]
        end = pos
        for tok in self.doc[verb.i + 1 : verb.sent.end]:
            if tok.idx < pos:
                continue
            if tok.is_punct or self.quotes.region_at(tok.idx) is not None or not verb.is_ancestor(tok):
                break
            end = tok.idx + len(tok.text)
        return end

    def continue_quotes(self, found: list[RawAttribution]) -> None:
        """'“A,” he said. “B.”': the quotation right after the cue's sentence, in the same
        paragraph and with no cue of its own, continues the content."""
        cue_starts = sorted(a.cue[0].start for a in found)
        for att in found:
            if not att.rule.startswith("verb") or not att.content:
                continue
            sent = self.doc[att.cue_token].sent
            if sent.end >= len(self.doc) or "\n" in sent[-1].whitespace_ or "\n" in sent[-1].text:
                continue
            nxt = self.doc[sent.end].sent
            region = self.quotes.region_at(nxt.start_char)
            if region is None or self.text[region.start : nxt.start_char].strip(_OPENING_MARKS):
                continue
            if region.end <= att.content[-1].end:
                continue
            if any(nxt.start_char <= c < max(nxt.end_char, region.end) for c in cue_starts):
                continue
            att.content = [*att.content, region]

    # -- other cues ----------------------------------------------------------

    def _according_to(self, tok: Token) -> Iterator[RawAttribution]:
        to = next(c for c in tok.children if c.lower_ == "to")
        pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
        if pobj is None:
            return
        head = tok.head if tok.head.i != tok.i else tok
        speaker = misattached_subject(tok)
        phrase = {t.i for t in tok.subtree} - (
            {t.i for t in speaker.subtree} if speaker is not None else set()
        )
        if head.i == tok.i:
            sent = tok.sent
            toks = [t for t in sent if t.i not in phrase]
        else:
            toks = [t for t in head.subtree if t.i not in phrase]
        src_toks = source_tokens(pobj)
        if speaker is not None:
            src_toks = [t for t in src_toks if t.i < speaker.left_edge.i]
            while src_toks and src_toks[-1].is_punct:
                src_toks.pop()
        relays: list[Token] = []
        source = pobj
        # 'according to a Politico report citing two aides'
        for child in pobj.children:
            if child.dep_ == "acl" and child.lemma_.lower() in ("cite", "quote"):
                obj = next((c for c in child.children if c.dep_ == "dobj"), None)
                if obj is not None:
                    relays, source = [pobj], obj
                    src_toks = source_tokens(obj)
        cue = [s for s in (char_span([tok, to]),) if s is not None]
        yield RawAttribution(
            rule="according_to",
            cue=cue,
            content=self._extend_quote(content_spans(self.doc, toks, phrase)),
            cue_token=tok.i,
            source_head=source.i,
            source_span=char_span(src_toks),
            relay_heads=[r.i for r in relays],
            relay_spans=[s for r in relays if (s := char_span(source_tokens(r))) is not None],
            cue_lemma="according to",
        )

    def _adverb(self, adv: Token) -> Iterator[RawAttribution]:
        """'there are reportedly ...': an attribution with no source in its sentence."""
        head = adv.head
        if head.lemma_.lower() in self.lex.cue_lemmas:
            return
        drop = {adv.i}
        for child in head.lefts:
            if child.dep_ in ("prep", "advcl", "npadvmod", "advmod", "punct", "cc"):
                drop.update(t.i for t in child.subtree)
        content = content_spans(self.doc, list(head.subtree), drop)
        cue = [s for s in (char_span([adv]),) if s is not None]
        yield RawAttribution(
            rule="adverb", cue=cue, content=self._extend_quote(content), cue_token=adv.i, cue_lemma=adv.lower_
        )

    def _colon(self, colon: Token) -> Iterator[RawAttribution]:
        """'This report, too, comes with shady sourcing: “...”' (source-like subject, then a quote)."""
        head = colon.head
        if head.lemma_.lower() in self.lex.cue_lemmas:
            return
        region = self.quotes.region_starting_near(colon.idx + 1, self.text)
        if region is None:
            return
        subject = next((c for c in head.children if c.dep_ in _SUBJECTS), None)
        if subject is None:
            return
        lemma = subject.lemma_.lower()
        if not (
            lemma in self.lex.document_heads
            or lemma in self.lex.outlet_heads
            or subject.ent_type_ in ("PERSON", "ORG", "NORP", "GPE")
            or subject.lower_ in ("he", "she", "they")
        ):
            return
        src = source_tokens(subject)
        yield RawAttribution(
            rule="colon",
            cue=[Span(colon.idx, colon.idx + 1)],
            content=[region],
            cue_token=colon.i,
            source_head=subject.i,
            source_span=char_span(src),
            cue_lemma=":",
        )
