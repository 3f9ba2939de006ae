"""Type a source mention: person, outlet, government, document, anonymous, author.

Reads the mention's head token, its named-entity tags and the lexicons; finds
the name (the proper-noun run of the head, not of a possessor or a
prepositional phrase: "South Korea's JoongAng Ilbo newspaper" is JoongAng
Ilbo, "a military source in North Hamgyong province" has no name).

A mention is anonymous when the reader cannot tell who it is (the rules follow the
guidelines of ``eval/anonymity/README.md``):

- unnamed people by role or stance ("a senior official", "Clinton aides", "critics"),
  unless a member is named ("critics, like Senator Ann Lo") or one person is identified
  ("her daughter", "the minister");
- unnamed members of a group ("Republicans", "one Democrat", "a group of doctors",
  "Twelve percent"), indefinites ("some", "no one"), generic "you";
- what the text says is anonymous ("people familiar with the matter", "an aide who spoke
  on condition of anonymity");
- evidence without author or name ("polls show", "one study").
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
PLURAL_PRONOUNS = frozenset({"they", "them", "we", "us", "these", "those"})
# Indefinites that stand for one person ("someone said"), the others for several.
SINGULAR_INDEFINITES = frozenset({"someone", "somebody", "anyone", "anybody", "one", "nobody"})
# Determiners and quantifiers of an unnamed group: "some Democrats", "one Republican".
UNNAMED_DETERMINERS = frozenset(
    {
        "some",
        "many",
        "most",
        "several",
        "few",
        "other",
        "others",
        "one",
        "another",
        "all",
        "various",
        "numerous",
        "multiple",
        "recent",
        "instant",
        "exit",
        "independent",
        "two",
        "three",
        "four",
        "five",
    }
)
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
    plural: bool = False  # "aides", "they": several people, never the antecedent of "he"


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
    """Type the mention whose head is token ``head_i`` and whose words are ``span``.

    Reads the head's parse (dependents, tag, entity type) and the lexicons; returns the
    mention with its kind, anonymity, name or descriptor, and the cues coreference needs
    (pronoun, definite, ordinal, plural, possessor).
    """
    head = doc[head_i]
    chosen = doc.char_span(span.start, span.end, alignment_mode="expand")
    text = chosen.text if chosen is not None else ""
    m = Mention(
        span=span, head=head_i, text=text, kind="unknown", anonymous=False, head_lemma=head.lemma_.lower()
    )
    m.definite = any(c.lower_ in DEFINITE for c in head.lefts if c.dep_ in ("det", "predet"))
    m.ordinal = any(t.lower_ in ORDINALS and t.pos_ != "PROPN" for t in doc[head.left_edge.i : head.i + 1])
    m.plural = head.tag_ in ("NNS", "NNPS") or head.lower_ in PLURAL_PRONOUNS

    if _anonymity_stated(doc, head, text, lex) or (head.lower_ == "one" and _has_child(head, "no")):
        # "people familiar with the matter", "an aide who spoke on condition of anonymity", "no one"
        m.kind, m.anonymous, m.descriptor = "anonymous", True, text
        return m
    if head.lower_ in lex.indefinite_pronouns and not _names_members(head):
        # "some", "many of whom", "no one", "everyone I interviewed": unidentified people
        m.kind, m.anonymous, m.descriptor, m.plural = (
            "anonymous",
            True,
            text,
            head.lower_ not in SINGULAR_INDEFINITES,
        )
        return m
    if head.pos_ == "PRON" or head.lower_ in PRONOUNS:
        m.pronoun = True
        if head.lower_ in ("i", "we", "me", "us") and not in_quote:
            m.kind = "author"
        elif head.lower_ == "you" and not in_quote:
            m.kind, m.anonymous, m.descriptor = "anonymous", True, text  # the reader, anyone
            m.pronoun = False
        return m
    member = _group_member(head, lex)
    named = _names_members(head) if member is not None else None
    if named is not None:
        # "one of the family's attorneys, Jo Bamberg": the member is named
        m.kind, m.name = "person", _person_name(doc, _name_tokens(named), lex) or named.text
        return m
    if member is not None:
        # "a group of doctors", "a number of other members of Congress": type the members
        inner = describe(doc, member.i, span, lex, in_quote)
        inner.head_lemma, inner.plural = m.head_lemma, True
        return inner
    if m.head_lemma in lex.respondent_heads:
        # "Twelve percent", "42 percent of those responding": a poll's unnamed respondents
        m.kind, m.anonymous, m.descriptor, m.plural = "anonymous", True, text, True
        return m
    return _describe_noun(doc, head, m, lex)


def _describe_noun(doc: Doc, head: Token, m: Mention, lex: Lexicons) -> Mention:
    text, lemma = m.text, m.head_lemma
    lower = text.lower()
    words = {t.lower_ for t in doc[head.left_edge.i : head.i + 1]}
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
    if lemma in lex.document_heads and not (head.pos_ == "PROPN" and name and lex.outlet_name(name)):
        # ('The Lantern Post' is an outlet, 'a leaked post' a document)
        return _describe_document(doc, head, m, lex, words)

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

    named_person = name is not None and (
        head.ent_type_ == "PERSON" or any(t.ent_type_ == "PERSON" for t in name_toks)
    )
    if _people_noun(head, lex) and not (name_toks and name_toks[-1].i == head.i):
        members = _names_members(head)
        if members is not None:
            # "critics, like Senators Ann Lo and Bo Chen": the members are named
            m.kind, m.name = "person", _person_name(doc, _name_tokens(members), lex) or members.text
            return m
        if _identified_by_possessor(head, poss, lex) or _unique_office(head, m, lex):
            # "her daughter", "Pagliano's lawyer", "the minister": one person, identifiable
            m.kind, m.descriptor = "person", text
            return m
        m.kind, m.anonymous, m.descriptor = "anonymous", True, text
        return m
    if name and _normal(name) in lex.government_names:
        m.kind, m.name = "government", name
        return m
    if named_person or (name and head.ent_type_ == "PERSON"):
        m.kind, m.name = "person", _person_name(doc, name_toks, lex) or name
        return m
    if head.ent_type_ == "NORP" and _unnamed_group(head):
        # "Republicans", "many Democrats", "One Republican": unnamed members of a group
        m.kind, m.anonymous, m.descriptor = "anonymous", True, text
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
        # the parser tags a bare surname as an organisation now and then ("Trump railed")
        person = name.split()[-1] in person_surnames(doc) and len(name.split()) == 1
        m.kind, m.name = ("person" if person else "organisation"), name
        return m
    if head.pos_ == "PROPN" and name:
        m.kind, m.name = ("person" if _looks_like_person(name_toks, lex) else "organisation"), name
        return m
    if lower.split()[0:1] and lower.split()[0] in lex.person_titles:
        m.kind, m.name = "person", text
        return m
    if lemma in lex.organisation_heads:
        m.kind, m.descriptor = "organisation", text
        return m
    m.descriptor = text
    return m


def _describe_document(doc: Doc, head: Token, m: Mention, lex: Lexicons, words: set[str]) -> Mention:
    """A report, poll or memo: hosted by an outlet ('the report in the Courier'), or a
    document of its own; unidentified evidence ('polls show', 'one study') is anonymous."""
    text = m.text
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
    for c in head.children:
        if c.dep_ in ("compound", "poss") and c.pos_ == "PROPN":
            # "a Politico report", "the Courier's survey": the outlet that published it
            named = lex.outlet_name(re.sub(r"['’]s?$", "", _span_text(doc, _name_tokens(c) or [c])).strip())
            if named:
                m.host_outlet = named
                m.kind, m.name, m.descriptor = "outlet", named, text
                return m
    m.kind, m.descriptor = "document", text
    if m.head_lemma in lex.evidence_heads and _unidentified_evidence(head):
        m.kind, m.anonymous = "anonymous", True
    return m


def _has_child(head: Token, word: str) -> bool:
    return any(c.lower_ == word for c in head.children)


def _anonymity_stated(doc: Doc, head: Token, text: str, lex: Lexicons) -> bool:
    """Does the text say this unnamed speaker is anonymous ('sources close to him', 'an official
    who spoke on condition of anonymity' in the same sentence)? Named people never are."""
    if head.ent_type_ == "PERSON" or any(t.ent_type_ == "PERSON" for t in head.subtree if t.dep_ != "pobj"):
        return False
    if head.pos_ == "PROPN" or head.lower_ in ("he", "she", "i", "we", "you", "it"):
        return False
    lower = text.lower()
    if any(p in lower for p in lex.anonymity_phrases):
        return True
    if head.pos_ != "NOUN" or not (
        {head.lemma_.lower(), head.lower_} & (lex.anonymous_heads | lex.role_heads)
    ):
        return False
    sentence = head.sent.text.lower()
    return any(p in sentence for p in lex.anonymity_conditions)


def _people_noun(head: Token, lex: Lexicons) -> bool:
    """Does the head name people (or bodies) by role or stance, not by name?"""
    if head.pos_ == "PROPN" and head.ent_type_ in ("PERSON", "ORG", "GPE"):
        return False
    if head.ent_type_ == "ORG" and any(t.ent_type_ == "ORG" and t.i != head.i for t in head.subtree):
        return False  # 'Citizens for Tax Justice': a named organisation
    words = {head.lemma_.lower(), head.lower_}
    return bool(words & lex.anonymous_heads) or bool(words & lex.relation_heads)


_MEMBER_PREPS = ("like", "including", "includes", "such")


def _named_in(prep: Token) -> Token | None:
    """The person or body named under 'including' / 'like' / 'such as'."""
    for t in prep.subtree:
        if t.ent_type_ in ("PERSON", "ORG") and t.dep_ in ("pobj", "conj", "appos"):
            return t
    return None


def _names_members(head: Token) -> Token | None:
    """The named member in 'critics, like Senator Ann Lo', 'experts, including Mr. Dunn',
    'an attorney for the family, Jo Bamberg' or 'Obama, others'; also when the parser hangs
    the list on the subject's verb or its object ('A chorus of Republicans has said the same
    thing, including Senator Ann Lo')."""
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in _MEMBER_PREPS and (named := _named_in(child)):
            return named
        if child.dep_ in ("appos", "conj") and child.ent_type_ == "PERSON" and child.i > head.i:
            return child
    appos = next((t for t in head.subtree if t.dep_ == "appos" and t.ent_type_ == "PERSON"), None)
    if appos is not None or head.dep_ not in ("nsubj", "nsubjpass"):
        return appos
    verb = head.head
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    for parent in (verb, *objects):
        for child in parent.children:
            member = child.dep_ == "prep" and child.lower_ in _MEMBER_PREPS and child.i > verb.i
            if member and (named := _named_in(child)) is not None:
                return named
    return None


def _identified_by_possessor(head: Token, poss: Token | None, lex: Lexicons) -> bool:
    """One person identified through a named one ('her daughter', 'Pagliano's lawyer'),
    unlike 'his aides' (several) or 'RFA's source' (a source is anonymous by its trade)."""
    if poss is None or head.tag_ in ("NNS", "NNPS") or head.lemma_.lower() not in lex.relation_heads:
        return False
    return poss.pos_ in ("PRON", "PROPN") or poss.ent_type_ == "PERSON"


def _unique_office(head: Token, m: Mention, lex: Lexicons) -> bool:
    """'The minister', 'the Indiana governor': one office-holder the reader can identify,
    unlike 'the official' or 'the source' (anonymous by their trade) or 'the aides'."""
    lemma = head.lemma_.lower()
    return m.definite and not m.plural and lemma in lex.role_heads and lemma not in lex.anonymous_always


def _unnamed_group(head: Token) -> bool:
    """'Republicans', 'some Democrats', 'one Republican': not 'the Republican' (someone named)."""
    if head.tag_ in ("NNS", "NNPS"):
        return True
    return any(
        c.dep_ in ("det", "nummod", "amod", "quantmod") and c.lower_ in UNNAMED_DETERMINERS
        for c in head.children
    )


def _unidentified_evidence(head: Token) -> bool:
    """'polls show', 'other studies', 'one estimate': evidence without author or name; not
    'the poll', 'a Bloomberg poll', 'polls by the Courier', 'his analysis'."""
    if any(c.dep_ == "poss" or (c.dep_ == "compound" and c.pos_ == "PROPN") for c in head.children):
        return False
    if any(c.dep_ in ("prep", "agent") and c.lower_ in ("by", "from", "of") for c in head.rights):
        return False
    dets = [c.lower_ for c in head.children if c.dep_ in ("det", "nummod", "amod")]
    if any(d in DEFINITE or d in ("a", "an", "this", "its", "their") for d in dets):
        return False
    return head.tag_ in ("NNS", "NNPS") or any(d in UNNAMED_DETERMINERS for d in dets)


def _group_member(head: Token, lex: Lexicons) -> Token | None:
    """The members named in 'a group of doctors', 'a number of lawmakers', 'most of whom'."""
    if head.lemma_.lower() not in lex.group_heads and head.lower_ not in lex.group_heads:
        return None
    for prep in head.rights:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if pobj is not None and pobj.pos_ != "PRON":
                return pobj
    return None


def person_surnames(doc: Doc) -> frozenset[str]:
    """Last words of the multi-word person names the parser tagged in ``doc``."""
    return frozenset(e[-1].text for e in doc.ents if e.label_ == "PERSON" and len(e) > 1)


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
