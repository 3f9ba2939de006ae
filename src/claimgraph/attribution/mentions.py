"""Type a source mention: person, outlet, government, document, anonymous, author.

Reads the mention's head token, its named-entity tags and the lexicons; finds
the name (the proper-noun run of the head, not of a possessor or a
prepositional phrase: "South Korea's JoongAng Ilbo newspaper" is JoongAng
Ilbo, "a military source in North Hamgyong province" has no name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from claimgraph.attribution.lexicon import Lexicons
from claimgraph.model import Span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

PRONOUNS = frozenset({"he", "she", "him", "her", "they", "them", "it", "who", "which", "that", "this"})
ORDINALS = frozenset({"second", "third", "fourth", "another", "other", "further", "new"})
DEFINITE = frozenset({"the", "this", "that", "these", "those"})


@dataclass(slots=True)
class Mention:
    """A source mention with what the text tells about it."""

    span: Span
    head: int  # token index
    text: str
    kind: str
    anonymous: bool
    name: str | None = None
    descriptor: str | None = None
    pronoun: bool = False
    definite: bool = False
    ordinal: bool = False
    head_lemma: str = ""
    possessor_outlet: str | None = None  # "RFA's source": the outlet that relays it
    host_outlet: str | None = None  # "the report in Chosun Ilbo": the outlet it belongs to


def _name_tokens(head: Token) -> list[Token]:
    """The proper-noun run naming the head: compounds and flat name parts, not possessors."""
    parts = [c for c in head.lefts if c.dep_ in ("compound", "flat") and c.pos_ in ("PROPN", "X", "NOUN")]
    if head.pos_ == "PROPN":
        toks = [*parts, head]
        toks += [c for c in head.rights if c.dep_ in ("compound", "flat") and c.pos_ == "PROPN"]
    else:
        toks = [c for c in parts if c.pos_ == "PROPN"]
        # include compound chains of those proper nouns ("Radio Free Asia")
        more = []
        for t in toks:
            more += [c for c in t.subtree if c.dep_ in ("compound", "flat") and c.pos_ == "PROPN"]
        toks += more
    toks = sorted({t.i: t for t in toks}.values(), key=lambda t: t.i)
    # keep the contiguous run that ends nearest the head
    run: list[Token] = []
    for t in reversed(toks):
        if not run or t.i == run[0].i - 1 or (t.i == run[0].i - 2 and t.nbor(1).text in "-'’"):
            run.insert(0, t)
        else:
            break
    return run


def _possessor(head: Token) -> Token | None:
    return next((c for c in head.lefts if c.dep_ == "poss"), None)


def _span_text(doc: Doc, toks: list[Token]) -> str:
    if not toks:
        return ""
    return doc[toks[0].i : toks[-1].i + 1].text


def describe(doc: Doc, head_i: int, span: Span, lex: Lexicons, in_quote: bool = False) -> Mention:
    """Type the mention whose head is token ``head_i`` and whose words are ``span``."""
    head = doc[head_i]
    chosen = doc.char_span(span.start, span.end, alignment_mode="expand")
    text = chosen.text if chosen is not None else ""
    lower = text.lower()
    lemma = head.lemma_.lower()
    words = {t.lower_ for t in doc[head.left_edge.i : head.i + 1]}
    m = Mention(span=span, head=head_i, text=text, kind="unknown", anonymous=False, head_lemma=lemma)
    m.definite = any(c.lower_ in DEFINITE for c in head.lefts if c.dep_ in ("det", "predet"))
    m.ordinal = bool(words & ORDINALS)

    if head.pos_ == "PRON" or head.lower_ in PRONOUNS:
        m.pronoun = True
        if head.lower_ in ("i", "we", "me", "us") and not in_quote:
            m.kind = "author"
        return m

    name_toks = _name_tokens(head)
    if not name_toks and head.pos_ != "PROPN":
        # "the Japanese newspaper Asahi Shimbun": the name is an apposition of the head
        appos = next((c for c in head.rights if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
        if appos is not None:
            name_toks = _name_tokens(appos)
    name = _span_text(doc, name_toks) or None
    if name and len(name) < 2:
        name = None
    outlet = lex.outlets.find_in(text) if name or head.pos_ == "PROPN" else None
    poss = _possessor(head)
    if poss is not None:
        poss_text = _span_text(doc, list(poss.subtree))
        poss_outlet = lex.outlet_name(re.sub(r"['’]s?$", "", poss_text).strip())
        if poss_outlet and lemma in lex.anonymous_heads:
            m.possessor_outlet = poss_outlet
            outlet = None
    # "the report in South Korea's Chosun Ilbo": a document hosted by an outlet
    if lemma in lex.document_heads:
        for prep in head.rights:
            if prep.dep_ == "prep" and prep.lower_ in ("in", "by", "from", "of"):
                inner = _span_text(doc, list(prep.subtree)[1:])
                host = lex.outlets.find_in(inner)
                if host is None:
                    pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)
                    if pobj is not None and pobj.lemma_.lower() in lex.outlet_heads:
                        pn = _span_text(doc, _name_tokens(pobj))
                        host = pn or None
                if host:
                    m.host_outlet = host
                    m.kind, m.name = "outlet", host
                    m.descriptor = text
                    return m
        m.kind, m.descriptor = "document", text
        if any(w in lex.hedge_words for w in words):
            m.descriptor = text
        return m

    if outlet is None and name and lex.outlet_name(name):
        outlet = lex.outlet_name(name)
    if outlet is not None and (name is None or lex.outlet_name(name) == outlet or head.pos_ == "PROPN"):
        m.kind, m.name = "outlet", outlet
        return m
    if name and lemma in lex.outlet_heads:
        m.kind, m.name = "outlet", name
        return m
    if name and name_toks and name_toks[-1].text in lex.outlet_name_words and head.ent_type_ == "ORG":
        m.kind, m.name = "outlet", name
        return m

    anonymous_head = lemma in lex.anonymous_heads or head.lower_ in lex.anonymous_heads
    named_person = name is not None and (
        head.ent_type_ == "PERSON" or any(t.ent_type_ == "PERSON" for t in name_toks)
    )
    if anonymous_head and not named_person and (name is None or name_toks[-1].i != head.i):
        m.kind, m.anonymous, m.descriptor = "anonymous", True, text
        return m
    if name and _normal(name) in lex.government_names:
        m.kind, m.name = "government", name
        return m
    if named_person or (name and head.ent_type_ == "PERSON"):
        m.kind, m.name = "person", _person_name(doc, name_toks, lex) or name
        return m
    if lemma in lex.government_heads or head.lower_ in lex.government_heads:
        m.kind = "government"
        m.name = text if not m.definite else re.sub(r"^(the|this|that)\s+", "", text, flags=re.I)
        m.descriptor = text
        return m
    if head.ent_type_ in ("GPE", "NORP") or (name and head.ent_type_ in ("GPE", "NORP")):
        m.kind, m.name = "government", name or text
        return m
    if name and head.ent_type_ == "ORG":
        m.kind, m.name = "organisation", name
        return m
    if head.pos_ == "PROPN" and name:
        m.kind, m.name = ("person" if _looks_like_person(name_toks, lex) else "organisation"), name
        return m
    if lower.split()[0:1] and lower.split()[0] in lex.person_titles:
        m.kind, m.name = "person", text
        return m
    m.descriptor = text
    return m


def _person_name(doc: Doc, toks: list[Token], lex: Lexicons) -> str | None:
    """A person's name without the titles and roles before it ('Harbour master Leo Dunn',
    'Defence Minister Marta Olenko' → 'Leo Dunn', 'Marta Olenko'), so one person has one key."""
    tagged = [t for t in toks if t.ent_type_ == "PERSON"]
    if tagged:
        toks = tagged
    while len(toks) > 1 and (toks[0].lower_ in lex.person_titles or not toks[0].is_title):
        toks = toks[1:]
    return _span_text(doc, toks) or None


def _looks_like_person(toks: list[Token], lex: Lexicons) -> bool:
    if any(t.lower_ in lex.person_titles for t in toks):
        return True
    return 1 <= len(toks) <= 3 and all(t.is_title for t in toks)


def _normal(name: str) -> str:
    return re.sub(r"^(?:The|the)\s+", "", name.replace("’", "'")).strip()
