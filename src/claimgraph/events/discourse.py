"""Links between an event and the sentences around it.

- ``described_places``: "the city was locked down" names no place, but "the city" is
  the most recent earlier place of that kind ("Hyesan", a populated place). The kinds
  and their GeoNames feature prefixes are data (``discourse.place_types``).
- ``carry_places``: an event told without a place ("there are also two brigades")
  takes the places of the last earlier event of the same type in the same paragraph.
- ``merge_elaborations``: a sentence opening with an anaphoric phrase ("On that
  occasion, two soldiers were caught") tells more about the last event before it;
  each fills what the other leaves unknown (quantity, target, places, time).

Each function reads the events (and the parse) and fills empty fields in place; none
overwrites a value a sentence gave.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claimgraph.events.syntax import tokens_over
from claimgraph.model import Event, Place, Span

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from claimgraph.events.taxonomy import Taxonomy

# Determiners that make a place noun refer back ("the city", "this province").
DEFINITE = frozenset({"the", "this", "that"})
# How many sentences back an anaphoric opener may reach for its event: the sentence just
# before, or the one before it when a short line intervenes. Set by hand on invented
# two-paragraph reports (a one-sentence paragraph between the two is common in news).
ANAPHORA_SENTENCES = 2


def described_places(parsed: Doc, clause: Span, places: list[Place], taxonomy: Taxonomy) -> list[str]:
    """Places that definite descriptions inside ``clause`` ("the city") stand for.

    Reads the tokens of ``clause`` and the places found before each description;
    returns the id of the most recent earlier place whose feature code starts with one
    of the description's prefixes, per description.
    """
    if not taxonomy.place_types:
        return []
    out: list[str] = []
    for tok in tokens_over(parsed, clause):
        prefixes = taxonomy.place_types.get(tok.lemma_.lower())
        if prefixes is None or tok.pos_ != "NOUN":
            continue
        if not any(c.dep_ == "det" and c.lower_ in DEFINITE for c in tok.children):
            continue
        if any(c.dep_ in ("compound", "prep", "appos") for c in tok.children):
            continue  # "the city of X", "the X county": the name is there, or not a reference
        earlier = [
            p
            for p in places
            if p.mention.end <= tok.idx and p.feature and p.feature.startswith(tuple(prefixes))
        ]
        if earlier:
            place = max(earlier, key=lambda p: p.mention.start)
            if place.id not in out:
                out.append(place.id)
    return out


def _same_paragraph(text: str, start: int, end: int) -> bool:
    return "\n" not in text[start:end]


def carry_places(events: list[Event], sentences: list[Span], text: str) -> None:
    """Give an event without places those of the last earlier same-type event of its paragraph."""
    for i, event in enumerate(events):
        if event.places or event.trigger is None:
            continue
        for j in range(i - 1, -1, -1):
            earlier = events[j]
            if earlier.trigger is None or not _same_paragraph(text, earlier.trigger.end, event.trigger.start):
                break
            if earlier.type == event.type and earlier.places and sentences[j] != sentences[i]:
                event.places = list(earlier.places)
                break


def _opens_with(text: str, sentence: Span, openers: tuple[str, ...]) -> bool:
    head = text[sentence.start : sentence.end].lstrip(" \t\n\"'“‘").lower()
    return any(head.startswith(o) and not head[len(o) : len(o) + 1].isalnum() for o in openers)


def _fill(target: Event, source: Event, attributes: bool) -> None:
    if attributes and target.quantity is None and source.quantity is not None:
        target.quantity, target.approximate = source.quantity, source.approximate
    if attributes and target.target is None and source.target is not None:
        target.target = source.target
    if not target.places and source.places:
        target.places = list(source.places)
    if target.time is None and source.time is not None:
        target.time = source.time


def merge_elaborations(events: list[Event], sentences: list[Span], parsed: Doc, taxonomy: Taxonomy) -> None:
    """Share fields between the events of an anaphoric sentence and the event it elaborates.

    Reads each event's sentence; when it opens with one of ``taxonomy.anaphoric_openers``,
    the antecedent is the last event of an earlier sentence at most ``ANAPHORA_SENTENCES``
    back. The antecedent takes the elaboration's quantity and target when it has none;
    places and time go both ways.
    """
    if not taxonomy.anaphoric_openers or not events:
        return
    text = parsed.text
    order = [Span(s.start_char, s.end_char) for s in parsed.sents if s.text.strip()]
    rank = {s: n for n, s in enumerate(order)}
    if any(s not in rank for s in sentences):
        return
    for i, event in enumerate(events):
        if not _opens_with(text, sentences[i], taxonomy.anaphoric_openers):
            continue
        here = rank[sentences[i]]
        earlier = [j for j in range(i) if 0 < here - rank[sentences[j]] <= ANAPHORA_SENTENCES]
        if not earlier:
            continue
        antecedent = events[max(earlier, key=lambda j: (rank[sentences[j]], j))]
        _fill(antecedent, event, attributes=True)
        _fill(event, antecedent, attributes=False)
