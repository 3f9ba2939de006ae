"""One Event per taxonomy trigger: roles from the parse, places, time, quantity, claims.

``detect_events`` is the stage function; the package docstring says what each field
comes from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claimgraph.events import discourse
from claimgraph.events import syntax as sx
from claimgraph.events.acled import AcledClassifier
from claimgraph.events.taxonomy import Taxonomy
from claimgraph.model import Claim, Document, Event, Place, Span, TimeInterval

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from claimgraph.quantities import Quantity
    from claimgraph.times import TimeMention


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
        sx.phrase_text(t, text)
        for t in tok.subtree
        if t.pos_ == "NOUN" and t.dep_ != "compound" and t.lemma_.lower() in lexicon and t is not tok
    ]


def _text_or_none(tok: Token | None, text: str) -> str | None:
    if tok is None or tok.lower_ in sx.PRONOUNS or tok.pos_ == "PRON":
        return None
    return sx.np_text(tok, text) if tok.pos_ == "PROPN" else sx.phrase_text(tok, text)


def _code_text(text: str, clause: Span, moved: Token | None) -> str:
    """The words an event's code is read from: its clause (a sentence often tells several
    events), without the phrase of the equipment moved (rockets deployed are no rocket attack)."""
    words = text[clause.start : clause.end]
    if moved is None:
        return words
    left, right = (
        moved.left_edge.idx - clause.start,
        moved.right_edge.idx + len(moved.right_edge) - clause.start,
    )
    if 0 <= left < right <= len(words):
        words = words[:left] + " " * (right - left) + words[right:]
    return words


def _trigger_span(tok: Token, particles: bool) -> Span:
    trigger = sx.tok_span(tok)
    prt = sx.particle_of(tok) if particles else None
    if prt is not None:
        trigger = Span(min(trigger.start, prt.idx), max(trigger.end, prt.idx + len(prt.text)))
    return trigger


def detect_events(
    document: Document,
    parsed: Doc,
    claims: list[Claim],
    places: list[Place],
    times: list[TimeMention],
    quantities: list[Quantity],
    taxonomy: Taxonomy,
    classifier: AcledClassifier | None = None,
) -> list[Event]:
    """One Event per taxonomy trigger in ``parsed`` (see the package docstring for each field).

    ``classifier`` gives the CASE 2021 code; without one, the taxonomy's rules give it.
    """
    text = document.text
    cues = [c for claim in claims for c in claim.cue]
    cue_tokens = {t.i for c in cues for t in sx.tokens_over(parsed, c)}
    attributed = [c for c in claims if c.mode != "unattributed"]
    acled = classifier if classifier is not None else AcledClassifier(taxonomy=taxonomy)
    events: list[Event] = []
    sentences: list[Span] = []
    for tok in parsed:
        if tok.pos_ not in ("VERB", "NOUN", "AUX", "PROPN"):
            continue
        rule = sx.match_rule(tok, taxonomy)
        if rule is None:
            continue
        trigger = _trigger_span(tok, bool(rule.particles))
        event_type = taxonomy.types[rule.type]
        is_cue = any(trigger.overlaps(c) for c in cues) and not event_type.cue_ok
        if document.is_removed(trigger) or is_cue or sx.is_negated(tok):
            continue
        theme = sx.theme_of(tok)
        heads = sx.heads_of(theme, taxonomy, rule.existential) if theme is not None else []
        actor = sx.actor_of(tok, theme)
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
            equipment = [sx.phrase_text(h, text) for h in heads]
        elif theme is not None:
            target = _text_or_none(theme, text)
        if rule.type == "order":
            equipment = _equipment_under(tok, taxonomy, text)
        quantity, approximate = _quantity(heads, quantities, event_type.role)
        sent = tok.sent
        sentence = Span(sent.start_char, sent.end_char)
        clause = sx.clause_span(tok)
        code, confidence = acled.classify_event(
            _code_text(text, clause, theme if event_type.role == "equipment" else None),
            rule.type,
            {t.lemma_.lower() for t in sent},
        )
        if sx.is_modal(tok):
            confidence *= sx.MODAL_FACTOR
        picked = _pick_places(places, clause, sentence, claims)
        if not picked:
            picked = discourse.described_places(parsed, clause, places, taxonomy)
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
                places=picked,
                time=_pick_time(times, clause, sentence),
                claims=[c.id for c in attributed if any(s.contains(trigger) for s in c.content)],
                acled_code=code,
                confidence=round(confidence, 3),
            )
        )
        sentences.append(sentence)
    discourse.carry_places(events, sentences, text)
    discourse.merge_elaborations(events, sentences, parsed, taxonomy)
    return events
