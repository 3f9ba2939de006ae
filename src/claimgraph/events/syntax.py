"""Reading event roles off the spaCy parse: theme, heads, actor, phrases, clause.

Every function reads tokens of one parsed document and returns tokens, text or
spans; none keeps state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claimgraph.events.taxonomy import Taxonomy, TriggerRule
from claimgraph.model import Span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


# Factor on the confidence of an event whose trigger a modal verb governs ("might be shot"):
# the text reports a possibility, not an occurrence. Set by hand.
MODAL_FACTOR = 0.5
MODALS = frozenset({"may", "might", "could", "would", "should", "must", "can"})
# Dependencies that carry the theme of a verb trigger.
OBJECT_DEPS = frozenset({"dobj", "nsubjpass", "obj"})
SUBJECT_DEPS = frozenset({"nsubj"})
# Dependencies of what an existential "there is/are" introduces.
EXISTENTIAL_DEPS = frozenset({"attr", "nsubj"})
# Dependencies that add items to a list of heads: conjuncts, and appositions, which the
# parser gives to quoted lists ("an infantry unit, a unit of launchers, and a brigade").
LIST_DEPS = frozenset({"conj", "appos"})
# Children left out of a noun phrase's text: clauses, appositions, punctuation, most prepositions.
NP_DROP_DEPS = frozenset(
    {"poss", "relcl", "acl", "advcl", "appos", "punct", "cc", "prep", "det", "predet", "nummod", "quantmod"}
)
# Adjectives that say nothing about the equipment ("other armored vehicles").
EMPTY_MODIFIERS = frozenset(
    {"first", "last", "other", "more", "additional", "further", "several", "many", "some", "such", "new"}
)
PRONOUNS = frozenset(
    {"he", "she", "it", "they", "we", "i", "you", "who", "which", "that", "this", "these", "those", "them"}
)


def tokens_over(parsed: Doc, span: Span) -> list[Token]:
    chosen = parsed.char_span(span.start, span.end, alignment_mode="expand")
    return list(chosen) if chosen is not None else []


def tok_span(tok: Token) -> Span:
    return Span(tok.idx, tok.idx + len(tok.text))


def particle_of(tok: Token) -> Token | None:
    return next((c for c in tok.children if c.dep_ == "prt"), None)


def is_existential(tok: Token) -> bool:
    """ "there are N units ...": a form of "be" with an expletive "there"."""
    return tok.lemma_.lower() == "be" and any(c.dep_ == "expl" for c in tok.children)


def theme_of(tok: Token) -> Token | None:
    """The thing acted on: object, passive subject, the noun a participle modifies, or an "of" object.

    For an existential ("there are tanks ..."), the thing said to exist.
    """
    if is_existential(tok):
        return next((c for c in tok.children if c.dep_ in EXISTENTIAL_DEPS), None)
    if tok.pos_ == "NOUN":
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                return next((p for p in c.children if p.dep_ == "pobj"), None)
        return None
    for c in tok.children:
        if c.dep_ in OBJECT_DEPS:
            return c
    if tok.dep_ in ("acl", "amod") and tok.head.pos_ in ("NOUN", "PROPN"):
        return tok.head
    if tok.dep_ == "conj":
        return theme_of(tok.head) if not any(c.dep_ in SUBJECT_DEPS for c in tok.children) else None
    return None


def through_generic(head: Token, generic: frozenset[str]) -> Token:
    """For "a number of tanks", "a group of soldiers": the "of" object stands for the phrase."""
    if head.lemma_.lower() in generic:
        for c in head.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                pobj = next((p for p in c.children if p.dep_ == "pobj"), None)
                if pobj is not None:
                    return pobj
    return head


def modifier_lemmas(tok: Token) -> set[str]:
    out = set()
    for c in tok.children:
        if c.dep_ in ("compound", "amod", "nmod", "npadvmod", "poss") or (
            c.dep_ == "prep" and tok.pos_ == "NOUN"
        ):
            out.add(c.lemma_.lower())
            out |= {t.lemma_.lower() for t in c.subtree if t.dep_ in ("compound", "amod")}
    if tok.dep_ == "compound":
        out.add(tok.head.lemma_.lower())
    if tok.dep_ == "pobj" and tok.head.dep_ == "prep":
        out.add(tok.head.head.lemma_.lower())
    return out


def match_rule(tok: Token, taxonomy: Taxonomy) -> TriggerRule | None:
    """The most specific taxonomy rule ``tok`` satisfies."""
    candidates = taxonomy.rules.get(tok.lemma_.lower()) or taxonomy.rules.get(tok.lower_)
    if not candidates:
        return None
    pos = "NOUN" if tok.pos_ in ("NOUN", "PROPN") else "VERB" if tok.pos_ in ("VERB", "AUX") else tok.pos_
    best: TriggerRule | None = None
    for rule in candidates:
        if rule.pos != pos or rule.existential != is_existential(tok):
            continue
        if rule.particles:
            prt = particle_of(tok)
            if prt is None or prt.lower_ not in rule.particles:
                continue
        if rule.modifiers and not (modifier_lemmas(tok) & rule.modifiers):
            continue
        if rule.objects:
            theme = theme_of(tok)
            heads = heads_of(theme, taxonomy, rule.existential) if theme is not None else []
            if not any(h.lemma_.lower() in rule.objects or h.lower_ in rule.objects for h in heads):
                continue
        if best is None or rule.specificity > best.specificity:
            best = rule
    return best


def heads_of(head: Token, taxonomy: Taxonomy, appositions: bool = False) -> list[Token]:
    """A noun phrase's head (through generic heads) and its conjuncts, in order.

    With ``appositions``, appositions count as list items too: the parser gives them to
    quoted lists after an existential ("there are an infantry unit, a unit of ...").
    """
    deps = LIST_DEPS if appositions else frozenset({"conj"})
    generic = taxonomy.lexicons.get("generic_heads", frozenset())
    out: list[Token] = []
    stack = [head]
    while stack:
        tok = stack.pop()
        real = through_generic(tok, generic)
        out.append(real)
        for node in {tok, real}:
            stack.extend(c for c in node.children if c.dep_ in deps and c.pos_ in ("NOUN", "PROPN", "PRON"))
    return sorted(out, key=lambda t: t.i)


def phrase_text(tok: Token, text: str) -> str:
    """A noun phrase's words: the head with its modifiers, without determiners, clauses or quantities."""
    keep = [tok]
    for c in tok.lefts:
        if c.dep_ in NP_DROP_DEPS or c.lower_ in EMPTY_MODIFIERS or c.pos_ in ("VERB", "ADV"):
            continue
        keep.extend(
            t for t in c.subtree if t.dep_ not in ("det", "nummod", "quantmod", "punct") or t.text == "-"
        )
    for c in tok.rights:
        if c.dep_ == "prep" and c.lower_ == "of" and tok.pos_ == "PROPN":
            keep.extend(c.subtree)
    keep.sort(key=lambda t: t.i)
    start = keep[0].idx
    end = keep[-1].idx + len(keep[-1].text)
    return text[start:end].strip(" ,\u2019'")


def np_text(tok: Token, text: str) -> str:
    """A noun phrase with its conjuncts and "of" complements, without clauses, for targets."""
    drop = NP_DROP_DEPS - {"prep", "cc", "nummod", "quantmod"} | {"det"}
    tokens = [tok]
    stack = list(tok.children)
    while stack:
        c = stack.pop()
        if c.dep_ in drop and c.head is tok and c.i < tok.i and c.dep_ == "det":
            continue
        if c.dep_ in ("relcl", "acl", "advcl", "appos") or (c.dep_ == "prep" and c.lower_ != "of"):
            continue
        tokens.append(c)
        stack.extend(c.children)
    tokens.sort(key=lambda t: t.i)
    while tokens and tokens[0].dep_ in ("det", "punct", "cc"):
        tokens.pop(0)
    while tokens and tokens[-1].dep_ in ("punct", "cc"):
        tokens.pop()
    if not tokens:
        return tok.text
    return text[tokens[0].idx : tokens[-1].idx + len(tokens[-1].text)]


def subject_of(tok: Token) -> Token | None:
    for c in tok.children:
        if c.dep_ in SUBJECT_DEPS:
            return c
    if tok.dep_ == "conj" and tok.head.pos_ in ("VERB", "AUX"):
        return subject_of(tok.head)
    if tok.dep_ == "xcomp":
        governor = tok.head
        obj = next((c for c in governor.children if c.dep_ in ("dobj", "obj")), None)
        return obj if obj is not None else subject_of(governor)
    if tok.dep_ in ("relcl",) and tok.head.pos_ in ("NOUN", "PROPN"):
        return tok.head
    return None


def is_passive(tok: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children)


def agent_of(tok: Token) -> Token | None:
    for c in tok.children:
        if c.dep_ == "agent":
            return next((p for p in c.children if p.dep_ == "pobj"), None)
    return None


def owner_of(theme: Token) -> Token | None:
    """ "battalions under the 9th Corps": the unit a passive theme belongs to."""
    for c in theme.children:
        if c.dep_ == "prep" and c.lower_ in ("under",):
            return next((p for p in c.children if p.dep_ == "pobj"), None)
    return None


def actor_of(tok: Token, theme: Token | None) -> Token | None:
    if tok.pos_ == "NOUN":
        poss = next((c for c in tok.children if c.dep_ == "poss"), None)
        if poss is not None:
            return poss
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ == "by":
                return next((p for p in c.children if p.dep_ == "pobj"), None)
        return None
    if is_passive(tok) or tok.dep_ in ("acl", "amod"):
        agent = agent_of(tok)
        if agent is not None:
            return agent
        return owner_of(theme) if theme is not None else None
    if is_existential(tok):
        return None
    return subject_of(tok)


def is_modal(tok: Token) -> bool:
    """A possibility or an intention, not an occurrence: "might be shot", "orders to shoot"."""
    for node in (tok, tok.head):
        if any(c.dep_ == "aux" and c.lower_ in MODALS for c in node.children):
            return True
    infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)
    return infinitive and tok.dep_ in ("acl", "relcl") and tok.head.pos_ in ("NOUN", "PROPN")


def is_negated(tok: Token) -> bool:
    return any(c.dep_ == "neg" for c in tok.children)


def clause_span(tok: Token) -> Span:
    """Characters of the trigger's clause: its subtree (a compound noun's head's subtree)."""
    node = tok.head if tok.dep_ == "compound" else tok
    left, right = node.left_edge, node.right_edge
    return Span(left.idx, right.idx + len(right.text))
