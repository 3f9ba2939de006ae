"""Event detection on invented sentences, the taxonomy file, and the seeds (when ../shared is present)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from claimgraph.events import Taxonomy, TaxonomyError, detect_events, load_taxonomy, parse_taxonomy
from claimgraph.model import Document, Event, Place, Removed, Span
from claimgraph.nlp import paragraph_doc
from claimgraph.quantities import find_quantities
from claimgraph.times import resolve_times

if TYPE_CHECKING:
    from claimgraph.pipeline import Pipeline

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
GOLD = SHARED / "eval" / "seeds.gold.json"
CASE_TYPES = SHARED / "eval" / "events" / "case2021_event_types.txt"
CASE_NOTE = SHARED / "eval" / "events" / "case2021_note_on_event_types.txt"

# Gold seed events the rules must find (of 9; measured 9 since the existential rule: the one
# once missed lists units after "there are", with no trigger word).
SEED_EVENTS_FLOOR = 9


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


def place(document: Document, name: str, n: int = 1) -> Place:
    start = document.text.index(name)
    return Place(
        id=f"{document.id}/p{n}", document=document.id, mention=Span(start, start + len(name)), name=name
    )


def run(
    pipeline: Pipeline, taxonomy: Taxonomy, text: str, published: str | None = "2024-05-10", **kw: Any
) -> tuple[Document, list[Event]]:
    document = Document(text=text, published=published, **kw)
    analysis = pipeline.analyze(document)
    parsed = pipeline.nlp(paragraph_doc(pipeline.nlp, text))
    places = [place(document, name, n) for n, name in enumerate(kw.get("meta", {}).get("places", []), 1)]
    times = resolve_times(parsed, document)
    events = detect_events(
        document, parsed, analysis.claims, places, times, find_quantities(parsed), taxonomy
    )
    return document, events


def only(events: list[Event], kind: str) -> Event:
    matching = [e for e in events if e.type == kind]
    assert len(matching) == 1, [(e.type, e.trigger) for e in events]
    return matching[0]


def test_reported_deployment(pipeline: Pipeline, taxonomy: Taxonomy) -> None:
    text = "Officials said the Veldorian army deployed about 40 tanks to Marrow County in early March."
    document, events = run(pipeline, taxonomy, text, meta={"places": ["Marrow County"]})
    event = only(events, "deployment")
    assert event.trigger is not None and event.trigger.text(text) == "deployed"
    assert (event.actor, event.equipment, event.quantity, event.approximate) == (
        "Veldorian army",
        ["tanks"],
        40.0,
        True,
    )
    assert event.places == [f"{document.id}/p1"]
    assert event.time is not None and (event.time.start, event.time.end) == ("2024-03-01", "2024-03-10")
    assert len(event.claims) == 1
    assert event.acled_code == "CHANGE_TO_GROUP_ACT" and event.confidence is not None
    assert all(e.trigger is not None and e.trigger.text(text) != "said" for e in events)


def test_arrest_with_count_place_and_weekday(pipeline: Pipeline, taxonomy: Taxonomy) -> None:
    text = "Border police detained twelve fishermen near Port Alda on Tuesday."
    document, events = run(pipeline, taxonomy, text, meta={"places": ["Port Alda"]})
    event = only(events, "arrest_detention")
    assert (event.actor, event.target, event.quantity, event.approximate) == (
        "Border police",
        "fishermen",
        12.0,
        False,
    )
    assert event.places == [f"{document.id}/p1"]
    assert event.time is not None and event.time.start == "2024-05-07"  # the Tuesday before Friday 10 May
    assert event.claims == []  # the article asserts it itself
    assert event.acled_code == "ARREST"


def test_passive_with_agent(pipeline: Pipeline, taxonomy: Taxonomy) -> None:
    text = "Two hundred refugees were repatriated by the Keshan authorities."
    _, events = run(pipeline, taxonomy, text)
    event = only(events, "repatriation")
    assert (event.actor, event.target, event.quantity) == ("Keshan authorities", "refugees", 200.0)


def test_conjoined_targets_are_summed(pipeline: Pipeline, taxonomy: Taxonomy) -> None:
    text = "Guards arrested nine men and three women at the ferry terminal."
    _, events = run(pipeline, taxonomy, text)
    assert only(events, "arrest_detention").quantity == 12.0


def test_order_carries_the_equipment_and_the_ordered_move(pipeline: Pipeline, taxonomy: Taxonomy) -> None:
    text = "The general ordered the brigade to move its rocket launchers to the coast."
    _, events = run(pipeline, taxonomy, text)
    order = only(events, "order")
    assert order.actor == "general"
    assert order.equipment == ["rocket launchers"]
    move = only(events, "deployment")
    assert (move.actor, move.equipment) == ("brigade", ["rocket launchers"])


def test_phrasal_and_constrained_triggers(pipeline: Pipeline, taxonomy: Taxonomy) -> None:
    text = "The port city was locked down last week. Rebels planted landmines along the road. She moved to a new flat."
    _, events = run(pipeline, taxonomy, text)
    kinds = sorted(e.type for e in events)
    assert kinds == ["lockdown", "mine_laying"]  # moving house is not a deployment
    lockdown = only(events, "lockdown")
    assert lockdown.trigger is not None and lockdown.trigger.text(text) == "locked down"
    assert lockdown.time is not None and (lockdown.time.start, lockdown.time.end) == (
        "2024-04-29",
        "2024-05-05",
    )


def test_negated_and_removed_triggers_give_no_event(pipeline: Pipeline, taxonomy: Taxonomy) -> None:
    text = "The navy did not deploy any ships.\nRead more: troops deployed to the island"
    tail = text.index("Read more")
    _, events = run(pipeline, taxonomy, text, removed=[Removed(tail, len(text), "related-link")])
    assert events == []


def test_possible_events_get_lower_confidence(pipeline: Pipeline, taxonomy: Taxonomy) -> None:
    text = "Soldiers arrested the smugglers. Soldiers might arrest the smugglers."
    _, events = run(pipeline, taxonomy, text)
    first, second = (e.confidence for e in events)
    assert first is not None and second is not None and second < first


def test_taxonomy_types_and_codes(taxonomy: Taxonomy) -> None:
    required = {
        "deployment", "withdrawal", "exercise", "weapons_test", "strike", "clash", "arrest_detention",
        "repatriation", "smuggling", "protest", "agreement", "border_closure", "execution", "lockdown", "order",
    }  # fmt: skip
    assert required <= set(taxonomy.types)
    assert all(re.fullmatch(r"[A-Z_]+", t.acled_code) for t in taxonomy.types.values())
    assert all(0 < t.acled_confidence <= 1 and t.description for t in taxonomy.types.values())


def test_malformed_taxonomy_raises_a_claimgraph_error(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError):
        parse_taxonomy(
            {
                "types": {
                    "x": {
                        "triggers": [{"lemma": "go", "object": ["@nowhere"]}],
                        "acled": {"code": "OTHER", "confidence": 1},
                    }
                }
            }
        )
    bad = tmp_path / "t.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(TaxonomyError):
        load_taxonomy(bad)


# --- shared data ------------------------------------------------------------------------------


@pytest.mark.shared
def test_acled_codes_are_case2021_codes(taxonomy: Taxonomy) -> None:
    if not CASE_TYPES.is_file():
        pytest.skip(f"shared evaluation data not found at {CASE_TYPES}")
    codes = set(CASE_TYPES.read_text(encoding="utf-8").split())
    codes |= {w for w in CASE_NOTE.read_text(encoding="utf-8").split() if re.fullmatch(r"[A-Z_]{4,}", w)}
    assert taxonomy.types
    for t in taxonomy.types.values():
        assert t.acled_code in codes, t.name
        assert all(code in codes for _, code, _ in t.acled_context), t.name


@pytest.mark.shared
def test_seed_events(pipeline: Pipeline) -> None:
    """The seeds' gold events are found by the project's own seeds scorer (the gate holds the rest)."""
    from claimgraph.evaluate.seeds import evaluate_seeds

    if not GOLD.is_file():
        pytest.skip(f"shared evaluation data not found at {GOLD}")
    counts = evaluate_seeds(GOLD, pipeline.analyze_many).counts
    assert counts["seeds.events.matched"] >= SEED_EVENTS_FLOOR


# --- across sentences: existentials, definite places, carried places, elaborations -----------


def typed_place(document: Document, name: str, n: int, feature: str) -> Place:
    return replace(place(document, name, n), feature=feature)


def detect(
    pipeline: Pipeline, taxonomy: Taxonomy, text: str, places: list[tuple[str, str]]
) -> tuple[Document, list[Event]]:
    document = Document(text=text, published="2024-05-10")
    analysis = pipeline.analyze(document)
    parsed = pipeline.nlp(paragraph_doc(pipeline.nlp, text))
    found = [typed_place(document, name, n, feature) for n, (name, feature) in enumerate(places, 1)]
    times = resolve_times(parsed, document)
    events = detect_events(
        document, parsed, analysis.claims, found, times, find_quantities(parsed), taxonomy, pipeline.acled
    )
    return document, events


def test_existential_presence_of_forces_is_a_deployment(pipeline: Pipeline, taxonomy: Taxonomy) -> None:
    text = "Near the dam there are now about forty tanks and two artillery batteries."
    _, events = detect(pipeline, taxonomy, text, [])
    event = only(events, "deployment")
    assert event.trigger is not None and event.trigger.text(text) == "are"
    assert (event.quantity, event.approximate) == (40.0, True)
    assert "tanks" in event.equipment
    # an existential about anything else is no event
    _, none = detect(pipeline, taxonomy, "There are many reasons to doubt the report.", [])
    assert none == []


def test_definite_description_names_the_last_place_of_its_kind(
    pipeline: Pipeline, taxonomy: Taxonomy
) -> None:
    text = "Smugglers were seen near Port Alda in Veldoria. The town was then locked down by the police."
    document, events = detect(pipeline, taxonomy, text, [("Port Alda", "PPL"), ("Veldoria", "PCLI")])
    lockdown = only(events, "lockdown")
    assert lockdown.places == [f"{document.id}/p1"]  # the town, not the country named after it


def test_definite_description_without_a_place_of_its_kind_gives_none(
    pipeline: Pipeline, taxonomy: Taxonomy
) -> None:
    text = "Smugglers were seen in Veldoria. The town was then locked down by the police."
    _, events = detect(pipeline, taxonomy, text, [("Veldoria", "PCLI")])
    assert only(events, "lockdown").places == []


def test_same_type_event_of_the_paragraph_lends_its_places(pipeline: Pipeline, taxonomy: Taxonomy) -> None:
    text = (
        "The Kessan army deployed 30 tanks to Marrow County. "
        "Besides the tanks, there are two rifle battalions.\n"
        "Elsewhere, troops were deployed without fuss."
    )
    document, events = detect(pipeline, taxonomy, text, [("Marrow County", "ADM2")])
    first, second, third = [e for e in events if e.type == "deployment"]
    assert first.places == second.places == [f"{document.id}/p1"]
    assert third.places == []  # another paragraph


def test_anaphoric_sentence_elaborates_the_event_before_it(pipeline: Pipeline, taxonomy: Taxonomy) -> None:
    text = (
        "Officials blamed the fuel smuggling incident in Port Alda in early April.\n"
        "On that occasion, three guards were caught carrying drums across the river."
    )
    document, events = detect(pipeline, taxonomy, text, [("Port Alda", "PPL")])
    smuggling = only(events, "smuggling")
    assert (smuggling.quantity, smuggling.target) == (3.0, "guards")
    arrest = only(events, "arrest_detention")
    assert arrest.places == [f"{document.id}/p1"]
    assert arrest.time is not None and arrest.time.start == "2024-04-01"


def test_without_an_opener_sentences_stay_apart(pipeline: Pipeline, taxonomy: Taxonomy) -> None:
    text = (
        "Officials blamed the fuel smuggling incident in Port Alda in early April.\n"
        "Later, three guards were caught carrying drums across the river."
    )
    _, events = detect(pipeline, taxonomy, text, [("Port Alda", "PPL")])
    assert only(events, "smuggling").quantity is None


def test_event_codes_use_the_sentence_cues(pipeline: Pipeline, taxonomy: Taxonomy) -> None:
    text = "Warplanes struck the depot in an air strike overnight."
    _, events = detect(pipeline, taxonomy, text, [])
    assert {e.acled_code for e in events} == {"AIR_STRIKE"}
    assert all(e.confidence is not None and 0 < e.confidence <= 1 for e in events)
