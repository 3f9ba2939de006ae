"""Events: what happened, who did it, with what, how many, where and when (``events.rules.v1``).

``detect_events(document, parsed, claims, places, times, quantities, taxonomy)``
reads the spaCy parse of ``document.text``, the removed ranges, the claims
(content and cue spans), the places, time mentions and quantities found by the
other stages, and returns one ``Event`` per trigger word:

- trigger: a verb or noun whose lemma the taxonomy lists for an event type,
  with its constraints (theme in a lexicon, particle, modifier); the most
  constrained matching rule wins. Triggers in removed ranges, inside an
  attribution cue (unless the type allows it: "ordered" is both), or negated
  are skipped.
- actor: the grammatical subject, the passive agent ("by X"), the object of
  the governing verb for "ordered X to deploy", or the owner of a passive
  theme ("battalions under the 9th Corps"). Pronouns give no actor.
- theme: direct object, passive subject, or the noun a participle modifies.
  It becomes the equipment (types whose role is ``equipment``) or the target.
  For "order" events, equipment named anywhere under the trigger is kept.
- quantity: the quantities counting the theme's head or its conjuncts; for a
  target they are summed ("ten men and one child" -> 11).
- places and time: those inside the trigger's clause (its syntactic subtree),
  else those in its sentence (places inside a source mention left out).
- claims: attributed claims whose content contains the trigger.
- acled_code and confidence: from the taxonomy (context lemmas can override),
  halved when a modal verb ("might", "could") governs the trigger.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimgraph.errors import ClaimgraphError
from claimgraph.model import Claim, Document, Event, Place, Span, TimeInterval

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from claimgraph.quantities import Quantity
    from claimgraph.times import TimeMention

NAME = "events.rules.v1"
TAXONOMY_FILE = "event_types.json"

# Factor on the confidence of an event whose trigger a modal verb governs ("might be shot"):
# the text reports a possibility, not an occurrence. Set by hand.
MODAL_FACTOR = 0.5
MODALS = frozenset({"may", "might", "could", "would", "should", "must", "can"})
# Dependencies that carry the theme of a verb trigger.
OBJECT_DEPS = frozenset({"dobj", "nsubjpass", "obj"})
SUBJECT_DEPS = frozenset({"nsubj"})
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


class TaxonomyError(ClaimgraphError):
    """The event taxonomy file is malformed."""


@dataclass(frozen=True, slots=True)
class TriggerRule:
    """One way a type is triggered: a lemma with optional constraints."""

    type: str
    lemma: str
    pos: str = "VERB"
    objects: frozenset[str] = frozenset()
    particles: frozenset[str] = frozenset()
    modifiers: frozenset[str] = frozenset()

    @property
    def specificity(self) -> int:
        return bool(self.objects) + bool(self.particles) + bool(self.modifiers)


@dataclass(frozen=True, slots=True)
class EventType:
    name: str
    description: str
    role: str  # equipment | target
    keywords: tuple[str, ...]
    acled_code: str
    acled_confidence: float
    acled_context: tuple[tuple[frozenset[str], str, float], ...] = ()
    cue_ok: bool = False  # the trigger may also be an attribution cue ("ordered")


@dataclass(slots=True)
class Taxonomy:
    """Event types, their triggers by lemma, and the lexicons constraints refer to."""

    version: str
    types: dict[str, EventType]
    rules: dict[str, list[TriggerRule]]  # by lemma
    lexicons: dict[str, frozenset[str]] = field(default_factory=dict)

    def family(self, type_name: str) -> frozenset[str]:
        """Words naming a type's family: its name's parts and its keywords."""
        t = self.types[type_name]
        return frozenset([*type_name.split("_"), *t.keywords])


def _expand(items: list[str], lexicons: dict[str, frozenset[str]]) -> frozenset[str]:
    out: set[str] = set()
    for item in items:
        if item.startswith("@"):
            if item[1:] not in lexicons:
                raise TaxonomyError(f"unknown lexicon {item!r} in {TAXONOMY_FILE}")
            out |= lexicons[item[1:]]
        else:
            out.add(item.lower())
    return frozenset(out)


def parse_taxonomy(raw: dict[str, Any]) -> Taxonomy:
    """Build a Taxonomy from the JSON object of ``event_types.json``."""
    try:
        lexicons = {k: frozenset(str(w).lower() for w in v) for k, v in raw.get("lexicons", {}).items()}
        types: dict[str, EventType] = {}
        rules: dict[str, list[TriggerRule]] = {}
        for name, spec in raw["types"].items():
            acled = spec["acled"]
            context = tuple(
                (frozenset(c["lemmas"]), str(c["code"]), float(c["confidence"]))
                for c in spec.get("acled_context", [])
            )
            types[name] = EventType(
                name=name,
                description=str(spec.get("description", "")),
                role=str(spec.get("role", "target")),
                keywords=tuple(spec.get("keywords", [])),
                acled_code=str(acled["code"]),
                acled_confidence=float(acled["confidence"]),
                acled_context=context,
                cue_ok=bool(spec.get("cue_ok", False)),
            )
            for trig in spec["triggers"]:
                rule = TriggerRule(
                    type=name,
                    lemma=str(trig["lemma"]).lower(),
                    pos=str(trig.get("pos", "VERB")),
                    objects=_expand(trig.get("object", []), lexicons),
                    particles=frozenset(trig.get("particle", [])),
                    modifiers=frozenset(trig.get("modifier", [])),
                )
                rules.setdefault(rule.lemma, []).append(rule)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise TaxonomyError(f"malformed event taxonomy: {exc!r}") from exc
    return Taxonomy(version=str(raw.get("version", "?")), types=types, rules=rules, lexicons=lexicons)


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read the event taxonomy (``path``, or the packaged ``data/event_types.json``)."""
    try:
        if path is not None:
            text = path.read_text(encoding="utf-8")
        else:
            text = resources.files("claimgraph").joinpath("data", TAXONOMY_FILE).read_text(encoding="utf-8")
        raw = json.loads(text)
    except (OSError, json.JSONDecodeError) as exc:
        raise TaxonomyError(f"cannot read event taxonomy: {exc}") from exc
    if not isinstance(raw, dict):
        raise TaxonomyError("event taxonomy must be a JSON object")
    return parse_taxonomy(raw)


# --- the parse -------------------------------------------------------------------------------


def _tokens_over(parsed: Doc, span: Span) -> list[Token]:
    chosen = parsed.char_span(span.start, span.end, alignment_mode="expand")
    return list(chosen) if chosen is not None else []


def _tok_span(tok: Token) -> Span:
    return Span(tok.idx, tok.idx + len(tok.text))


def _particle(tok: Token) -> Token | None:
    return next((c for c in tok.children if c.dep_ == "prt"), None)


def _theme(tok: Token) -> Token | None:
    """The thing acted on: object, passive subject, the noun a participle modifies, or an "of" object."""
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
        return _theme(tok.head) if not any(c.dep_ in SUBJECT_DEPS for c in tok.children) else None
    return None


def _through_generic(head: Token, generic: frozenset[str]) -> Token:
    """For "a number of tanks", "a group of soldiers": the "of" object stands for the phrase."""
    if head.lemma_.lower() in generic:
        for c in head.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                pobj = next((p for p in c.children if p.dep_ == "pobj"), None)
                if pobj is not None:
                    return pobj
    return head


def _modifier_lemmas(tok: Token) -> set[str]:
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


def _match_rule(tok: Token, taxonomy: Taxonomy) -> TriggerRule | None:
    """The most specific taxonomy rule ``tok`` satisfies."""
    candidates = taxonomy.rules.get(tok.lemma_.lower()) or taxonomy.rules.get(tok.lower_)
    if not candidates:
        return None
    pos = "NOUN" if tok.pos_ in ("NOUN", "PROPN") else "VERB" if tok.pos_ in ("VERB", "AUX") else tok.pos_
    best: TriggerRule | None = None
    for rule in candidates:
        if rule.pos != pos:
            continue
        if rule.particles:
            prt = _particle(tok)
            if prt is None or prt.lower_ not in rule.particles:
                continue
        if rule.modifiers and not (_modifier_lemmas(tok) & rule.modifiers):
            continue
        if rule.objects:
            theme = _theme(tok)
            heads = _heads(theme, taxonomy) if theme is not None else []
            if not any(h.lemma_.lower() in rule.objects or h.lower_ in rule.objects for h in heads):
                continue
        if best is None or rule.specificity > best.specificity:
            best = rule
    return best


def _heads(head: Token, taxonomy: Taxonomy) -> list[Token]:
    """A noun phrase's head (through generic heads) and its conjuncts, in order."""
    generic = taxonomy.lexicons.get("generic_heads", frozenset())
    out: list[Token] = []
    stack = [head]
    while stack:
        tok = stack.pop()
        real = _through_generic(tok, generic)
        out.append(real)
        for node in {tok, real}:
            stack.extend(c for c in node.children if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN", "PRON"))
    return sorted(out, key=lambda t: t.i)


def _phrase(tok: Token, text: str) -> str:
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


def _np_text(tok: Token, text: str) -> str:
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


def _subject(tok: Token) -> Token | None:
    for c in tok.children:
        if c.dep_ in SUBJECT_DEPS:
            return c
    if tok.dep_ == "conj" and tok.head.pos_ in ("VERB", "AUX"):
        return _subject(tok.head)
    if tok.dep_ == "xcomp":
        governor = tok.head
        obj = next((c for c in governor.children if c.dep_ in ("dobj", "obj")), None)
        return obj if obj is not None else _subject(governor)
    if tok.dep_ in ("relcl",) and tok.head.pos_ in ("NOUN", "PROPN"):
        return tok.head
    return None


def _is_passive(tok: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children)


def _agent(tok: Token) -> Token | None:
    for c in tok.children:
        if c.dep_ == "agent":
            return next((p for p in c.children if p.dep_ == "pobj"), None)
    return None


def _owner(theme: Token) -> Token | None:
    """ "battalions under the 9th Corps": the unit a passive theme belongs to."""
    for c in theme.children:
        if c.dep_ == "prep" and c.lower_ in ("under",):
            return next((p for p in c.children if p.dep_ == "pobj"), None)
    return None


def _actor(tok: Token, theme: Token | None) -> Token | None:
    if tok.pos_ == "NOUN":
        poss = next((c for c in tok.children if c.dep_ == "poss"), None)
        if poss is not None:
            return poss
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ == "by":
                return next((p for p in c.children if p.dep_ == "pobj"), None)
        return None
    if _is_passive(tok) or tok.dep_ in ("acl", "amod"):
        agent = _agent(tok)
        if agent is not None:
            return agent
        return _owner(theme) if theme is not None else None
    return _subject(tok)


def _modal(tok: Token) -> bool:
    """A possibility or an intention, not an occurrence: "might be shot", "orders to shoot"."""
    for node in (tok, tok.head):
        if any(c.dep_ == "aux" and c.lower_ in MODALS for c in node.children):
            return True
    infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)
    return infinitive and tok.dep_ in ("acl", "relcl") and tok.head.pos_ in ("NOUN", "PROPN")


def _negated(tok: Token) -> bool:
    return any(c.dep_ == "neg" for c in tok.children)


def _clause(tok: Token) -> Span:
    """Characters of the trigger's clause: its subtree (a compound noun's head's subtree)."""
    node = tok.head if tok.dep_ == "compound" else tok
    left, right = node.left_edge, node.right_edge
    return Span(left.idx, right.idx + len(right.text))


# --- assembling events -----------------------------------------------------------------------


def _acled(event_type: EventType, sentence_lemmas: set[str]) -> tuple[str, float]:
    for lemmas, code, confidence in event_type.acled_context:
        if lemmas & sentence_lemmas:
            return code, confidence
    return event_type.acled_code, event_type.acled_confidence


def _pick_places(places: list[Place], clause: Span, sentence: Span, claims: list[Claim]) -> list[str]:
    inside = [p.id for p in places if clause.contains(p.mention)]
    if inside:
        return inside
    speakers = [m for c in claims for m in c.source_mentions]
    return [
        p.id
        for p in places
        if sentence.contains(p.mention) and not any(m.overlaps(p.mention) for m in speakers)
    ]


def _pick_time(times: list[TimeMention], clause: Span, sentence: Span) -> TimeInterval | None:
    known = [t for t in times if t.interval.precision != "unknown"]
    for region in (clause, sentence):
        inside = [t for t in known if region.contains(t.span)]
        if inside:
            return inside[0].interval
    return None


def _quantity(heads: list[Token], quantities: list[Quantity], role: str) -> tuple[float | None, bool]:
    indexes = {h.i for h in heads}
    hits = [q for q in quantities if q.head is not None and q.head in indexes]
    if not hits:
        return None, False
    if role == "target":
        return sum(q.value for q in hits), any(q.approximate for q in hits)
    return hits[0].value, hits[0].approximate


def _equipment_under(tok: Token, taxonomy: Taxonomy, text: str) -> list[str]:
    """Equipment named anywhere under the trigger ("ordered units to deploy anti-aircraft guns")."""
    lexicon = taxonomy.lexicons.get("equipment", frozenset())
    return [
        _phrase(t, text)
        for t in tok.subtree
        if t.pos_ == "NOUN" and t.dep_ != "compound" and t.lemma_.lower() in lexicon and t is not tok
    ]


def _text_or_none(tok: Token | None, text: str) -> str | None:
    if tok is None or tok.lower_ in PRONOUNS or tok.pos_ == "PRON":
        return None
    return _np_text(tok, text) if tok.pos_ == "PROPN" else _phrase(tok, text)


def detect_events(
    document: Document,
    parsed: Doc,
    claims: list[Claim],
    places: list[Place],
    times: list[TimeMention],
    quantities: list[Quantity],
    taxonomy: Taxonomy,
) -> list[Event]:
    """One Event per taxonomy trigger in ``parsed`` (see the module docstring for each field)."""
    text = document.text
    cues = [c for claim in claims for c in claim.cue]
    cue_tokens = {t.i for c in cues for t in _tokens_over(parsed, c)}
    attributed = [c for c in claims if c.mode != "unattributed"]
    events: list[Event] = []
    for tok in parsed:
        if tok.pos_ not in ("VERB", "NOUN", "AUX", "PROPN"):
            continue
        rule = _match_rule(tok, taxonomy)
        if rule is None:
            continue
        trigger = _tok_span(tok)
        prt = _particle(tok) if rule.particles else None
        if prt is not None:
            trigger = Span(min(trigger.start, prt.idx), max(trigger.end, prt.idx + len(prt.text)))
        event_type = taxonomy.types[rule.type]
        is_cue = any(trigger.overlaps(c) for c in cues) and not event_type.cue_ok
        if document.is_removed(trigger) or is_cue or _negated(tok):
            continue
        theme = _theme(tok)
        heads = _heads(theme, taxonomy) if theme is not None else []
        actor = _actor(tok, theme)
        if (
            actor is not None
            and actor.dep_ == "nsubj"
            and actor.head.i in cue_tokens
            and actor.head.i != tok.i
        ):
            actor = None  # the speaker of an attribution verb the trigger was conjoined to
        equipment: list[str] = []
        target: str | None = None
        if event_type.role == "equipment":
            equipment = [_phrase(h, text) for h in heads]
        elif theme is not None:
            target = _text_or_none(theme, text)
        if rule.type == "order":
            equipment = _equipment_under(tok, taxonomy, text)
        quantity, approximate = _quantity(heads, quantities, event_type.role)
        sent = tok.sent
        sentence = Span(sent.start_char, sent.end_char)
        clause = _clause(tok)
        code, confidence = _acled(event_type, {t.lemma_.lower() for t in sent})
        if _modal(tok):
            confidence *= MODAL_FACTOR
        events.append(
            Event(
                id=f"{document.id}/e{len(events) + 1}",
                document=document.id,
                type=rule.type,
                trigger=trigger,
                actor=_text_or_none(actor, text),
                target=target,
                equipment=[e for e in equipment if e],
                quantity=quantity,
                approximate=approximate,
                places=_pick_places(places, clause, sentence, claims),
                time=_pick_time(times, clause, sentence),
                claims=[c.id for c in attributed if any(s.contains(trigger) for s in c.content)],
                acled_code=code,
                confidence=round(confidence, 3),
            )
        )
    return events
