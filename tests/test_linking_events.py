"""Same-event linking, origins per event cluster, and ``claimgraph assess``.

Unit tests compare hand-built events (no parser). ``test_fixture_*`` run the real pipeline
on ``tests/fixtures/linking/events.jsonl`` (FICTION, real place names so the gazetteer can
resolve them):

- W1-W4: one wire story (named police spokesman) carried by four outlets with light rewrites;
- R1-R4: an anonymous military source of the Daily Ledger relayed by a second outlet (R2),
  cited by a third ("as first reported by", R3), the province spelled Ryanggang, Yanggang
  and Ryangkang, and a later correction by the Daily Ledger (R4: 18 tanks, not 80);
- N1-N2: a border closure from an anonymous customs officer, confirmed independently by a
  named spokeswoman (Jilin spelled Kirin in N2).
"""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from claimgraph.errors import InputError
from claimgraph.linking.events import (
    EventFeatures,
    EventIndex,
    LinkRules,
    PlaceRef,
    compare,
    load_link_rules,
    parse_link_rules,
    place_match,
)
from claimgraph.model import (
    Analysis,
    Assessment,
    Claim,
    Document,
    DocumentAnalysis,
    Event,
    Place,
    Source,
    Span,
)
from spans import at

if TYPE_CHECKING:
    from claimgraph.linking import Linker
    from claimgraph.pipeline import Pipeline

FIXTURES = Path(__file__).parent / "fixtures" / "linking"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SCHEMA = SHARED / "contract" / "analysis.schema.json"


@pytest.fixture(scope="module")
def rules() -> LinkRules:
    return load_link_rules()


# -- hand-built events -----------------------------------------------------------

HYESAN = PlaceRef("hyesan", "Hyesan", "g:1", "KP", "KP-10", 2, 41.39, 128.18)
RYANGGANG = PlaceRef("ryanggang", "Ryanggang", "g:2", "KP", "KP-10", 1, 41.2, 128.3)
NORTH_KOREA = PlaceRef("north korea", "North Korea", "g:3", "KP", None, 0, 40.0, 127.0)
HOERYONG = PlaceRef("hoeryong", "Hoeryong", "g:4", "KP", "KP-09", 2, 42.44, 129.75)
NEAR_HYESAN = PlaceRef("wiyon", "Wiyon", "g:5", "KP", "KP-10", 2, 41.45, 128.25)


def _event(
    eid: str,
    *,
    doc: str = "d1",
    type_: str = "deployment",
    places: tuple[PlaceRef, ...] = (),
    start: date | None = None,
    end: date | None = None,
    published: date | None = date(2031, 4, 14),
    quantity: float | None = None,
    approximate: bool = False,
    equipment: tuple[str, ...] = (),
    actor: tuple[str, ...] = (),
) -> EventFeatures:
    return EventFeatures(
        id=eid,
        document=doc,
        type=type_,
        family=type_,
        places=list(places),
        start=start,
        end=end or start,
        published=published,
        quantity=quantity,
        approximate=approximate,
        equipment=set(equipment),
        actor=set(actor),
    )


NONE = (0, "")
STORY = (1, "same story")


def test_quantities_about_80_and_90_agree_80_and_2000_do_not(rules: LinkRules) -> None:
    base = _event("a", doc="d1", places=(HYESAN,), quantity=80, equipment=("tank",))
    about = _event("b", doc="d2", places=(HYESAN,), quantity=80, approximate=True, equipment=("tank",))
    ninety = _event("c", doc="d3", places=(HYESAN,), quantity=90, approximate=True, equipment=("tank",))
    many = _event("d", doc="d4", places=(HYESAN,), quantity=2000, equipment=("tank",))
    assert compare(base, about, rules, NONE).linked
    assert compare(about, ninety, rules, NONE).linked
    verdict = compare(base, many, rules, NONE)
    assert not verdict.linked and verdict.conflict and "quantities" in verdict.conflict
    assert any("quantities 80 ~ about 80" in e for e in compare(base, about, rules, NONE).evidence)


def test_places_overlap_by_id_containment_or_distance() -> None:
    assert place_match(HYESAN, HYESAN) == (2, "same place (Hyesan, g:1)")
    found = place_match(RYANGGANG, HYESAN)
    assert found is not None and found[0] == 2 and "Hyesan lies in Ryanggang (KP-10)" in found[1]
    country = place_match(HYESAN, NORTH_KOREA)
    assert country is not None and country[0] == 1
    near = place_match(HYESAN, NEAR_HYESAN)
    assert near is not None and "km apart" in near[1]
    assert place_match(HYESAN, HOERYONG) is None
    assert place_match(RYANGGANG, HOERYONG) is None  # another province


def test_conflicts_veto_and_unknown_time_is_weaker(rules: LinkRules) -> None:
    week = (date(2031, 4, 7), date(2031, 4, 13))
    a = _event("a", doc="d1", places=(HYESAN,), start=week[0], end=week[1], equipment=("tank",))
    b = _event("b", doc="d2", places=(RYANGGANG,), start=date(2031, 4, 10), equipment=("armoured", "vehicle"))
    undated = _event("c", doc="d3", places=(HYESAN,), equipment=("tank",))
    later = _event(
        "e", doc="d4", places=(HYESAN,), start=date(2031, 6, 1), published=None, equipment=("tank",)
    )
    guns = _event("f", doc="d5", places=(HYESAN,), equipment=("anti-aircraft", "unit"))
    elsewhere = _event("g", doc="d6", places=(HOERYONG,), equipment=("tank",))
    strike = _event("h", doc="d7", type_="protest", places=(HYESAN,))
    with_time, without = compare(a, b, rules, NONE), compare(a, undated, rules, NONE)
    assert with_time.linked and without.linked and with_time.points > without.points
    assert "times" in (compare(a, later, rules, NONE).conflict or "")
    assert "equipment" in (compare(a, guns, rules, STORY).conflict or "")
    assert "places apart" in (compare(a, elsewhere, rules, STORY).conflict or "")
    assert "types" in (compare(a, strike, rules, STORY).conflict or "")
    # reported before it happened: the event cannot be the one the earlier article reports
    early = _event("i", doc="d8", places=(HYESAN,), published=date(2031, 4, 1), equipment=("tank",))
    assert "after" in (compare(a, early, rules, NONE).conflict or "")


def test_without_places_only_related_documents_link(rules: LinkRules) -> None:
    a = _event("a", doc="d1", equipment=("tank",), quantity=40, approximate=True)
    b = _event("b", doc="d2", equipment=("tank",), quantity=40)
    assert not compare(a, b, rules, NONE).linked  # nothing says where: strangers stay apart
    relayed = compare(a, b, rules, (2, "d2 relays or cites outlet:x, which published d1"))
    assert relayed.linked and any("relays or cites" in e for e in relayed.evidence)


def test_link_rules_file_is_validated() -> None:
    rules = parse_link_rules(
        {"type_families": [["attack", "strike"]], "equipment_groups": [["tanks", "armour"]]}
    )
    assert rules.family("strike") == rules.family("attack") != rules.family("protest")
    assert rules.groups["tank"] == rules.groups["armour"]
    with pytest.raises(InputError):
        parse_link_rules({"type_families": "attack"})
    with pytest.raises(InputError):
        parse_link_rules({"prefix_letters": 1})


def _document(
    text: str, day: int, events: list[tuple[str, tuple[PlaceRef, ...], float | None]]
) -> DocumentAnalysis:
    """A FICTION document with hand-made events: (equipment word, places, quantity) each."""
    da = DocumentAnalysis(Document(text=text, outlet=f"Outlet {day}", published=f"2031-04-{day:02d}"))
    features = {0: "PCLI", 1: "ADM1", 2: "PPL"}
    for n, (equipment, places, quantity) in enumerate(events, start=1):
        ids = []
        for ref in places:
            ids.append(f"{da.document.id}/p{len(da.places) + 1}")
            da.places.append(
                Place(
                    id=ids[-1],
                    document=da.document.id,
                    mention=Span(0, 1),
                    name=ref.label,
                    country=ref.country,
                    admin1=ref.admin1,
                    feature=features[ref.level],
                    gazetteer_id=ref.gazetteer_id,
                    lat=ref.lat,
                    lon=ref.lon,
                )
            )
        da.events.append(
            Event(
                id=f"{da.document.id}/e{n}",
                document=da.document.id,
                type="deployment",
                equipment=[equipment],
                quantity=quantity,
                places=ids,
            )
        )
    return da


def test_a_detail_less_event_cannot_chain_80_to_2000(rules: LinkRules) -> None:
    docs = [
        _document("FICTION. Eighty tanks near Hyesan.", 10, [("tanks", (HYESAN,), 80.0)]),
        _document("FICTION. Tanks near Hyesan.", 11, [("tanks", (HYESAN,), None)]),
        _document("FICTION. Two thousand tanks near Hyesan.", 12, [("tanks", (HYESAN,), 2000.0)]),
    ]
    index = EventIndex(rules)
    for da in docs:
        index.add(da, "story-1", lambda a, b: STORY)
    assert len(index.edges) == 2  # 80 ~ ?, ? ~ 2000; never 80 ~ 2000
    clusters = [c.events for c in index.clusters()]
    assert len(clusters) == 2
    assert not any({docs[0].events[0].id, docs[2].events[0].id} <= set(c) for c in clusters)


def _synthetic(n: int, seed: int = 5) -> list[DocumentAnalysis]:
    """``n`` FICTION documents, one event each; every third document reports the same event."""
    rng = random.Random(seed)
    towns = [
        PlaceRef(
            f"town{i}",
            f"Town{i}",
            f"g:t{i}",
            f"C{i % 40}",
            f"C{i % 40}-1",
            2,
            rng.uniform(-60, 60),
            rng.uniform(-170, 170),
        )
        for i in range(n // 3 + 1)
    ]
    out = []
    for i in range(n):
        topic = i // 3
        da = _document(
            f"FICTION {i}: tanks in town {topic}.",
            1 + topic % 28,
            [("tanks", (towns[topic],), float(10 + topic))],
        )
        out.append(da)
    return out


def test_event_blocking_is_bounded_per_event_and_adds_incrementally(rules: LinkRules) -> None:
    from claimgraph.linking.events import EVENT_BUCKET_LIMIT

    for n in (1200, 4800):
        index = EventIndex(rules)
        for da in _synthetic(n):
            index.add(da, da.document.id, lambda a, b: NONE)
        assert len([c for c in index.clusters() if len(c.events) > 1]) == n // 3
        # one country key over three time buckets and one story key, each capped: a constant
        # per event whatever n, so the cost is linear once the buckets are full
        assert index.comparisons <= n * 4 * EVENT_BUCKET_LIMIT
    documents = _synthetic(90)
    once, twice = EventIndex(rules), EventIndex(rules)
    for da in documents:
        once.add(da, da.document.id, lambda a, b: NONE)
    for da in documents[:60]:
        twice.add(da, da.document.id, lambda a, b: NONE)
    before = twice.comparisons
    for da in documents[60:]:
        twice.add(da, da.document.id, lambda a, b: NONE)
    # the new events only, each bounded by its capped buckets
    assert twice.comparisons - before <= 30 * 4 * EVENT_BUCKET_LIMIT
    assert [c.events for c in once.clusters()] == [c.events for c in twice.clusters()]


# -- the real pipeline on the fixtures ---------------------------------------------


@pytest.fixture(scope="session")
def fixture_linked(pipeline: Pipeline) -> tuple[Analysis, Linker, dict[str, str]]:
    """events.jsonl analyzed once and linked (the Linker kept for its traces)."""
    from claimgraph.ingest import iter_inputs
    from claimgraph.linking import link_analysis

    documents = [d for d in iter_inputs([str(FIXTURES / "events.jsonl")]) if isinstance(d, Document)]
    analysis = Analysis(documents=list(pipeline.analyze_many(documents)))
    linker = link_analysis(analysis, lexicons=pipeline.lexicons)
    names = {da.document.id: str(da.document.meta["external_id"]) for da in analysis.documents}
    return analysis, linker, names


def _event_assessments(
    linked: tuple[Analysis, Linker, dict[str, str]],
) -> dict[frozenset[str], list[Assessment]]:
    from claimgraph.linking.render import is_event_subject, owners

    analysis, linker, names = linked
    owner = owners(linker)
    out: dict[frozenset[str], list[Assessment]] = {}
    for a in analysis.assessments:
        if is_event_subject(a, linker):
            out.setdefault(frozenset(names[owner[e]] for e in a.subject), []).append(a)
    return out


def test_fixture_files_are_labelled_fiction() -> None:
    paths = sorted(FIXTURES.glob("*.jsonl"))
    assert paths, FIXTURES
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            assert "fiction" in record["text"].lower(), (path.name, record["id"])
            assert record["note"].startswith("FICTION"), (path.name, record["id"])


@pytest.mark.slow
def test_fixture_stories_and_shared_events(fixture_linked: tuple[Analysis, Linker, dict[str, str]]) -> None:
    analysis, _, names = fixture_linked
    stories = sorted(sorted(names[d] for d in s.documents) for s in analysis.stories)
    assert stories == [["N1", "N2"], ["R1", "R2", "R3", "R4"], ["W1", "W2", "W3", "W4"]]
    for story in analysis.stories:
        shared = {names[e.split("/")[0]] for e in story.events}
        assert shared == {names[d] for d in story.documents}  # every document shares an event


@pytest.mark.slow
def test_fixture_wire_copies_count_once(fixture_linked: tuple[Analysis, Linker, dict[str, str]]) -> None:
    (wire,) = _event_assessments(fixture_linked)[frozenset({"W1", "W2", "W3", "W4"})]
    assert wire.origins == ["person:kang myong-su"]
    assert wire.independent_origins == 1 and wire.circular is True
    assert wire.credibility == "3"
    copies = [r for r in wire.reasons if "near-copy" in r and "Jaccard" in r]
    assert len(copies) == 3  # W2, W3, W4 each named with their similarity to W1
    assert any(
        "circular: 4 reports trace back to one origin (person:kang myong-su)" in r for r in wire.reasons
    )
    assert any("restate" in r for r in wire.reasons)  # the headlines add no origin


@pytest.mark.slow
def test_fixture_relayed_anonymous_source_is_circular(
    fixture_linked: tuple[Analysis, Linker, dict[str, str]],
) -> None:
    by_docs = _event_assessments(fixture_linked)
    (relayed,) = by_docs[frozenset({"R1", "R2", "R3", "R4"})]
    origin = "anonymous:outlet:daily ledger|military source in the province"
    assert relayed.origins == [origin]
    assert relayed.independent_origins == 1 and relayed.circular is True
    # an echo of one anonymous source is at most 3; the Daily Ledger's correction lowers it to 4
    assert relayed.credibility == "4"
    assert {"outlet:daily ledger", "outlet:harbour times", "outlet:kestrel bay post"} <= set(relayed.relays)
    reasons = "\n".join(relayed.reasons)
    assert "first reported by the Daily Ledger" in reasons  # R3's citation, quoted
    assert f"{origin}: the same descriptor" in reasons  # why R1 and R2's sources are one
    assert "correction" in reasons
    assert "outlet:daily ledger also relays" in reasons
    # the corrected figure (18, not about 80) is another event, from the same one source
    (corrected,) = by_docs[frozenset({"R4"})]
    assert corrected.origins == [origin] and corrected.independent_origins == 1
    assert corrected.circular is False and corrected.credibility == "3"


@pytest.mark.slow
def test_fixture_one_province_spelled_three_ways(
    fixture_linked: tuple[Analysis, Linker, dict[str, str]],
) -> None:
    analysis, _, names = fixture_linked
    provinces = {}
    for da in analysis.documents:
        if names[da.document.id] in ("R1", "R2", "R3"):
            for p in da.places:
                if p.feature == "ADM1":
                    provinces[p.mention.text(da.document.text)] = p.gazetteer_id
    spellings = ("Ryanggang", "Yanggang", "Ryangkang")
    assert set(spellings) <= set(provinces)
    assert len({gid for mention, gid in provinces.items() if mention.startswith(spellings)}) == 1
    (relayed,) = _event_assessments(fixture_linked)[frozenset({"R1", "R2", "R3", "R4"})]
    assert any("lies in" in r for r in relayed.reasons)  # R3 names only the province


@pytest.mark.slow
def test_fixture_named_official_confirms_independently(
    fixture_linked: tuple[Analysis, Linker, dict[str, str]],
) -> None:
    (closure,) = _event_assessments(fixture_linked)[frozenset({"N1", "N2"})]
    assert closure.independent_origins == 2 and closure.circular is False
    assert closure.credibility == "1"
    assert "person:liu wenhui" in closure.origins
    assert any(o.startswith("anonymous:outlet:northern courier|") for o in closure.origins)
    assert any("named: person:liu wenhui" in r for r in closure.reasons)
    assert any("same place (Tumen" in r for r in closure.reasons)  # Jilin / Kirin: one town


@pytest.mark.slow
def test_fixture_every_grade_has_evidence(fixture_linked: tuple[Analysis, Linker, dict[str, str]]) -> None:
    analysis = fixture_linked[0]
    assert analysis.assessments
    for a in analysis.assessments:
        assert a.reasons[0].startswith(f"credibility {a.credibility}")
        assert any("document(s):" in r for r in a.reasons)
        if a.circular:
            assert any(r.startswith("circular:") for r in a.reasons)
    # nothing in W or R is confirmed: one origin each, however many outlets carry it
    for docs, found in _event_assessments(fixture_linked).items():
        if docs & {"W1", "R1", "R2", "R3"}:
            assert all(a.credibility != "1" and a.independent_origins == 1 for a in found)


@pytest.mark.slow
def test_fixture_adding_documents_later_gives_the_same_events(
    fixture_linked: tuple[Analysis, Linker, dict[str, str]],
) -> None:
    from claimgraph.linking import Linker, ReliabilityTable

    analysis, whole, _ = fixture_linked
    linker = Linker(table=ReliabilityTable(), lexicons=whole.lexicons)
    linker.add(analysis.documents[:5])  # W1-W4 and R1
    first = linker.event_index.comparisons
    linker.add(analysis.documents[5:])
    assert linker.event_index.comparisons - first < whole.event_index.comparisons  # only new events compared
    assert [c.events for c in linker.event_index.clusters()] == [
        c.events for c in whole.event_index.clusters()
    ]
    assert [s.events for s in linker.stories()] == [s.events for s in analysis.stories]


def _store(analysis: Analysis, url: str) -> None:
    from claimgraph.store import open_store

    with open_store(url) as store:
        for da in analysis.documents:
            store.save(da)


def _assess_json(analysis: Analysis, url: str, out: Path) -> dict[str, Any]:
    """Store ``analysis`` at ``url``, run ``assess --format json`` into ``out`` and read it back."""
    from click.testing import CliRunner

    from claimgraph.cli import cli

    _store(analysis, url)
    result = CliRunner().invoke(cli, ["assess", "--db", url, "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


@pytest.mark.slow
@pytest.mark.shared
def test_assess_json_validates_against_the_shared_schema(
    fixture_linked: tuple[Analysis, Linker, dict[str, str]], tmp_path: Path
) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"contract schema not found at {SCHEMA} (../shared beside the repository)")
    jsonschema = pytest.importorskip("jsonschema")
    analysis, _, _ = fixture_linked
    data = _assess_json(analysis, f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "assess.json")
    assert data["assessments"]
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))


@pytest.mark.slow
def test_assess_command_shows_relays_and_stores_what_it_prints(
    fixture_linked: tuple[Analysis, Linker, dict[str, str]], tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from claimgraph.cli import cli

    analysis, _, _ = fixture_linked
    url = f"sqlite:///{tmp_path / 'x.db'}"
    data = _assess_json(analysis, url, tmp_path / "assess.json")
    assert len(data["stories"]) == 3
    assert sum(1 for a in data["assessments"] if "/e" in a["subject"][0]) >= 4
    table = CliRunner().invoke(cli, ["assess", "--db", url, "--full"])  # nothing new: --full reports all
    assert table.exit_code == 0, table.output
    assert "Event 1:" in table.output and "relay graph" in table.output
    assert "military source in the province\n        <- outlet:daily ledger <- " in table.output
    assert "grade F1" in table.output and "grade F4" in table.output
    # the stored result reads back
    from claimgraph.store import open_store

    with open_store(url) as store:
        stored = store.load()
    assert sorted(a.id for a in stored.assessments) == sorted(a["id"] for a in data["assessments"])


@pytest.mark.slow
def test_outlet_table_sets_reliability(
    fixture_linked: tuple[Analysis, Linker, dict[str, str]], tmp_path: Path
) -> None:
    from claimgraph.cli_assess import assess

    analysis, _, _ = fixture_linked
    url = f"sqlite:///{tmp_path / 'y.db'}"
    _store(analysis, url)
    table = tmp_path / "outlets.json"
    table.write_text(json.dumps({"outlets": {"Daily Ledger": {"reliability": "C", "note": "test"}}}))
    data = json.loads(assess(url, "json", table))
    # the Daily Ledger is an origin only where it speaks itself; its anonymous source stays F
    assert {a["reliability"] for a in data["assessments"]} <= {"C", "F"}
    assert all(
        a["reliability"] == "F" for a in data["assessments"] if a["origins"][0].startswith("anonymous:")
    )


@pytest.mark.slow
@pytest.mark.shared
def test_seeds_assess_one_story_no_shared_event(pipeline: Pipeline, tmp_path: Path) -> None:
    seeds = SHARED / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"shared seeds not found at {seeds}")
    from claimgraph.cli_assess import assess
    from claimgraph.ingest import iter_inputs

    documents = [d for d in iter_inputs([str(seeds)]) if isinstance(d, Document)]
    url = f"sqlite:///{tmp_path / 'seeds.db'}"
    _store(Analysis(documents=list(pipeline.analyze_many(documents))), url)
    data = json.loads(assess(url, "json", None))
    assert len(data["stories"]) == 1 and data["stories"][0]["events"] == []
    assert all(a["credibility"] != "1" for a in data["assessments"])
    events = {e["id"]: e for e in data["events"]}
    for a in data["assessments"]:
        if a["subject"][0] in events:
            assert len({events[e]["document"] for e in a["subject"]}) == 1  # no shared event
    # the gold's two events (80 tanks; the anti-aircraft deployment) have one origin each
    tanks = [
        a for a in data["assessments"] if any(events.get(e, {}).get("quantity") == 80 for e in a["subject"])
    ]
    guns = [
        a
        for a in data["assessments"]
        if any(
            "anti-aircraft artillery" in " ".join(events.get(e, {}).get("equipment", []))
            for e in a["subject"]
        )
    ]
    assert tanks and guns
    assert all(a["independent_origins"] == 1 for a in tanks + guns)
    if SCHEMA.is_file():
        import jsonschema

        jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))


# -- PolNeAR: copies among real articles ----------------------------------------------


@pytest.mark.slow
@pytest.mark.shared
def test_polnear_reruns_are_copies_and_wire_stories_are_not_confused() -> None:
    """PolNeAR holds no wire story carried twice by two outlets; its metadata marks the wire
    service (``wire``) and borrowed stories (``credit``). Copies it does hold: an outlet's
    re-run of one article (same title, same publisher, days apart). Copy detection must find
    every re-run, pair only articles of one publisher, and not pair two wire articles that
    merely share a title months apart."""
    import csv
    from datetime import date as day

    from claimgraph.linking.copies import COPY_JACCARD, LshIndex, MinHasher, similarity

    root = SHARED / "eval" / "polnear"
    if not (root / "metadata.tsv").is_file():
        pytest.skip(f"PolNeAR not found at {root}")
    with (root / "metadata.tsv").open(encoding="utf-8") as f:
        meta = {r["filename"]: r for r in csv.DictReader(f, delimiter="\t")}
    hasher, index = MinHasher.create(), LshIndex()
    found: set[frozenset[str]] = set()
    for split in ("train", "dev"):
        for path in sorted((root / split / "text").glob("*.txt")):
            sig = hasher.text_signature(path.read_text(encoding="utf-8", errors="replace"))
            for other in index.add(path.stem, sig):
                if similarity(sig, index.signatures[other]) >= COPY_JACCARD:
                    found.add(frozenset({path.stem, other}))
    names = [n for n in index.signatures if n in meta]
    by_title: dict[tuple[str, str], list[str]] = {}
    for n in names:
        by_title.setdefault((meta[n]["publisher"], meta[n]["title"].strip().lower()), []).append(n)
    reruns: set[frozenset[str]] = set()
    far: set[frozenset[str]] = set()
    for group in by_title.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                gap = abs(
                    (
                        day.fromisoformat(meta[a]["publication_date"])
                        - day.fromisoformat(meta[b]["publication_date"])
                    ).days
                )
                (reruns if gap <= 3 else far).add(frozenset({a, b}))
    assert reruns and reruns <= found
    assert all(len({meta[n]["publisher"] for n in pair}) == 1 for pair in found)
    wired = {pair for pair in far if all(meta[n]["wire"] not in ("None", "NA") for n in pair)}
    assert wired and not (wired & found)


# -- citations in the lead, definite descriptors ----------------------------------------


def test_lead_citation_counts_only_known_outlets() -> None:
    from claimgraph.attribution import load_lexicons
    from claimgraph.linking.origins import find_citations

    lex = load_lexicons()
    follows = DocumentAnalysis(Document(text="FICTION\n\nAccording to the Daily Ledger, forty tanks moved."))
    person = DocumentAnalysis(Document(text="FICTION\n\nAccording to Ola Varn, forty tanks moved."))
    own = {follows.document.id: None, person.document.id: None}
    found = find_citations([follows, person], own, lex, {"outlet:daily ledger"})
    assert found == {follows.document.id: ("outlet:daily ledger", "According to the Daily Ledger,")}
    assert find_citations([follows], own, lex) == {}  # an outlet nobody has seen is not assumed


def test_definite_descriptor_takes_the_key_of_its_antecedent() -> None:
    from claimgraph.attribution import load_lexicons
    from claimgraph.linking.identity import assign_keys

    text = "FICTION. A senior defence official told the Daily Ledger that tanks moved. The official said so."
    da = DocumentAnalysis(Document(text=text, outlet="Harbour Times"))
    doc = da.document.id
    outlet = Source(f"{doc}/s1", doc, "outlet", False, [at(text, "the Daily Ledger")], name="Daily Ledger")
    first = Source(
        f"{doc}/s2",
        doc,
        "anonymous",
        True,
        [at(text, "A senior defence official")],
        descriptor="A senior defence official",
    )
    later = Source(f"{doc}/s3", doc, "anonymous", True, [at(text, "The official")], descriptor="The official")
    da.sources = [outlet, first, later]
    chain = [outlet.id, first.id]
    da.claims = [
        Claim(f"{doc}/c1", doc, [at(text, "tanks moved")], [], [], chain, "paraphrase", False, first.id),
        Claim(f"{doc}/c2", doc, [at(text, "so")], [], [], [later.id], "paraphrase", False, later.id),
    ]
    assign_keys([da], {doc: "outlet:harbour times"}, load_lexicons())
    assert later.key == first.key == "anonymous:outlet:daily ledger|senior defence official"
    # an indefinite descriptor is never taken for an earlier one
    later.descriptor, later.key = "An official", None
    assign_keys([da], {doc: "outlet:harbour times"}, load_lexicons())
    assert later.key == "anonymous:outlet:harbour times|official"
