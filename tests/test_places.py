"""The places stage: gazetteer, recognition, resolution, removed ranges, the on-disk cache.

Uses the real gazetteer (built once into the user cache, ~10 s the first time,
then read in well under a second) and the session ``nlp`` fixture.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from claimgraph.model import Document, Place, Removed
from claimgraph.nlp import paragraph_doc
from claimgraph.places import Gazetteer, load_gazetteer, locate
from claimgraph.places import gazetteer as gazetteer_module
from claimgraph.places.gazetteer import name_key
from claimgraph.places.points import middle, spherical_mean, within

if TYPE_CHECKING:
    from spacy.language import Language


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def _places(nlp: Language, gazetteer: Gazetteer, document: Document) -> list[Place]:
    return locate(document, nlp(paragraph_doc(nlp, document.text)), gazetteer)


def _named(document: Document, places: list[Place], mention: str) -> list[Place]:
    return [p for p in places if document.text[p.mention.start : p.mention.end] == mention]


def test_name_key_folds_accents_case_and_separators() -> None:
    assert name_key("Hamgyŏng-Bukto") == name_key("hamgyong bukto")
    assert name_key("St. Louis") == "st louis"


def test_alias_table_variants_resolve_to_the_province(gazetteer: Gazetteer) -> None:
    for variant in ("Ryanggang", "Ryangkang", "Ryanggang Province"):
        entries = gazetteer.lookup(variant)
        assert [(e.country, e.admin1, e.feature) for e in entries] == [("KP", "KP-10", "ADM1")], variant
    # "Yanggang" is also a Chinese town: the province is one of its readings.
    assert ("KP", "KP-10", "ADM1") in {(e.country, e.admin1, e.feature) for e in gazetteer.lookup("Yanggang")}
    north = {(e.admin1, e.feature) for e in gazetteer.lookup("Hamgyong-bukto")}
    assert north == {("KP-09", "ADM1")}
    assert {e.admin1 for e in gazetteer.lookup("North Hamgyong")} == {"KP-09"}


def test_countries_admins_and_abbreviations(gazetteer: Gazetteer) -> None:
    china = gazetteer.country("CN")
    assert china is not None and china.feature == "PCLI"
    assert gazetteer.lookup("United Kingdom")[0].country == "GB"
    assert any(e.admin1 == "US-LA" and e.feature == "ADM1" for e in gazetteer.lookup("La."))
    assert gazetteer.lookup("North Korean") == [] or all(
        e.feature != "PCLI" for e in gazetteer.lookup("North Korean")
    )
    assert name_key("North Korean") in gazetteer.demonyms


def test_place_ner_misses_is_recovered(nlp: Language, gazetteer: Gazetteer) -> None:
    text = (
        "Smugglers crossed the Tumen River near Hoeryong on Tuesday, "
        "and Musan residents said the guards in North Korea had been paid."
    )
    document = Document(text=text)
    places = _places(nlp, gazetteer, document)
    for name in ("Hoeryong", "Musan"):
        found = _named(document, places, name)
        assert found and found[0].country == "KP", name
    assert len({p.id for p in places}) == len(places)
    assert all(p.id.startswith(f"{document.id}/p") for p in places)


def test_demonyms_are_not_places(nlp: Language, gazetteer: Gazetteer) -> None:
    document = Document(text="A North Korean defector and two Chinese traders met in Dandong.")
    places = _places(nlp, gazetteer, document)
    assert not _named(document, places, "North Korean")
    assert not _named(document, places, "Chinese")


def test_focus_country_picks_the_local_town(nlp: Language, gazetteer: Gazetteer) -> None:
    text = (
        "Storms crossed Texas overnight. In Paris, the county judge closed two schools, "
        "while crews from Dallas and Sherman cleared fallen trees."
    )
    document = Document(text=text)
    paris = _named(document, _places(nlp, gazetteer, document), "Paris")
    assert paris and paris[0].country == "US" and paris[0].admin1 == "US-TX"


def test_containment_places_a_county_in_its_province(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "Traders in Musan and Onsong counties in North Hamgyong said prices had doubled."
    document = Document(text=text)
    places = _places(nlp, gazetteer, document)
    for name in ("Musan", "Onsong", "North Hamgyong"):
        found = _named(document, places, name)
        assert found and found[0].country == "KP" and found[0].admin1 == "KP-09", name


def test_nothing_from_removed_ranges(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "Troops moved toward Hyesan.\nSubscribe from Switzerland or Germany today."
    cut = text.index("Subscribe")
    document = Document(text=text, removed=[Removed(cut, len(text), "test")])
    places = _places(nlp, gazetteer, document)
    assert _named(document, places, "Hyesan")
    assert all(p.mention.end <= cut for p in places)


def test_index_is_built_once_then_read_from_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def fake_build() -> Gazetteer:
        calls.append(1)
        return Gazetteer(names=["Somewhere"], version="test")

    monkeypatch.setattr(gazetteer_module, "build_gazetteer", fake_build)
    first = gazetteer_module.load_gazetteer(tmp_path)
    second = gazetteer_module.load_gazetteer(tmp_path)
    assert calls == [1]
    assert second.names == first.names == ["Somewhere"]
    assert len(list(tmp_path.glob("gazetteer-*.pickle"))) == 1


def test_corrupt_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gazetteer_module, "build_gazetteer", lambda: Gazetteer(names=["X"]))
    gazetteer_module.load_gazetteer(tmp_path)
    for path in tmp_path.glob("gazetteer-*.pickle"):
        path.write_bytes(b"not a pickle")
    assert gazetteer_module.load_gazetteer(tmp_path).names == ["X"]


# -- representative points, capitals, names (the real gazetteer) ---------------


def test_admin_point_is_central_not_where_towns_crowd(gazetteer: Gazetteer) -> None:
    # Queensland's towns crowd its east coast (~153 E); its packaged point lies inland.
    queensland = gazetteer.admin("AU-QLD")
    assert queensland is not None and 140.0 < queensland.lon < 147.0
    ontario = gazetteer.admin("CA-ON")
    assert ontario is not None and ontario.lat > 47.0  # not down among Toronto's suburbs


def test_one_capital_per_country(gazetteer: Gazetteer) -> None:
    capitals = [e for e in gazetteer.lookup("Washington") if e.feature == "PPLC"]
    assert [(e.country, e.admin1) for e in capitals] == [("US", "US-DC")]


def test_a_small_town_does_not_take_a_region_name(gazetteer: Gazetteer) -> None:
    assert {e.feature for e in gazetteer.lookup("Missouri")} == {"ADM1"}
    # A big city keeps such an alternate: New York City is still a reading of "New York".
    assert "PPL" in {e.feature for e in gazetteer.lookup("New York")}


def test_acronyms_match_only_in_capitals(gazetteer: Gazetteer) -> None:
    assert [e.admin1 for e in gazetteer.lookup("ACT")] == ["AU-ACT"]
    assert not any(e.admin1 == "AU-ACT" for e in gazetteer.lookup("Act"))
    assert [e.admin1 for e in gazetteer.lookup("NSW")] == ["AU-NSW"]


def test_inner_article_is_ignored_in_names(gazetteer: Gazetteer) -> None:
    assert name_key("Democratic Republic of Congo") == name_key("Democratic Republic of the Congo")
    assert name_key("The Hague") == "the hague"
    assert [e.country for e in gazetteer.lookup("Democratic Republic of Congo")] == ["CD"]
    assert gazetteer.lookup("Congo")[0].country == "CD"  # the larger Congo first


def test_regions_and_seas_have_points(gazetteer: Gazetteer) -> None:
    region = next(e for e in gazetteer.lookup("Middle East") if e.feature == "RGN")
    assert 20.0 < region.lat < 38.0 and 30.0 < region.lon < 55.0
    assert region.population > 100_000_000
    darfur = gazetteer.lookup("Darfur")
    assert [(e.country, e.feature) for e in darfur] == [("SD", "RGN")]
    assert any(e.feature == "OCN" for e in gazetteer.lookup("Pacific"))
    assert any(e.feature == "SEA" for e in gazetteer.lookup("Mediterranean"))


# -- recognition and resolution in context (fictional text) ----------------------


def test_place_opening_an_agency_name_and_after_a_compass_word(nlp: Language, gazetteer: Gazetteer) -> None:
    text = (
        "Inspectors from the Ohio Department of Agriculture visited two farms "
        "in Northeast Georgia on Monday, officials said."
    )
    document = Document(text=text)
    places = _places(nlp, gazetteer, document)
    ohio = _named(document, places, "Ohio")
    georgia = _named(document, places, "Georgia")
    assert ohio and ohio[0].admin1 == "US-OH"
    assert georgia and georgia[0].admin1 == "US-GA" and georgia[0].feature == "ADM1"


def test_newspapers_diseases_and_common_words_are_not_places(nlp: Language, gazetteer: Gazetteer) -> None:
    text = (
        "The Springfield Gazette reported that the Marburg virus had not reached the farm. "
        "Under the Clean Water Act, inspectors tested every well near Denver."
    )
    document = Document(text=text)
    places = _places(nlp, gazetteer, document)
    assert _named(document, places, "Denver")  # the same text still yields its real place
    for word in ("Springfield", "Marburg", "Act"):
        assert not _named(document, places, word), word


def test_a_list_of_states_is_no_chain_of_containment(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "Cases were confirmed in Arizona, Louisiana, Michigan, Missouri, Utah, Washington and Wisconsin."
    document = Document(text=text)
    places = _places(nlp, gazetteer, document)
    for name, code in (("Louisiana", "US-LA"), ("Washington", "US-WA"), ("Utah", "US-UT")):
        found = _named(document, places, name)
        assert found and found[0].feature == "ADM1" and found[0].admin1 == code, name


def test_capital_alone_but_the_state_when_the_text_says_state(nlp: Language, gazetteer: Gazetteer) -> None:
    capital = Document(text="Negotiators flew to Washington on Friday to meet the trade delegation.")
    found = _named(capital, _places(nlp, gazetteer, capital), "Washington")
    assert found and found[0].admin1 == "US-DC" and found[0].feature == "PPLC"
    state = Document(text="The sick cow came from a dairy in Washington state, inspectors said.")
    found = _named(state, _places(nlp, gazetteer, state), "Washington")
    assert found and found[0].admin1 == "US-WA" and found[0].feature == "ADM1"


def test_regions_and_oceans_are_not_namesake_towns(nlp: Language, gazetteer: Gazetteer) -> None:
    text = (
        "Fishing fleets from the Middle East and West Africa met in the Pacific "
        "to discuss quotas with delegates from the Caribbean."
    )
    document = Document(text=text)
    places = _places(nlp, gazetteer, document)
    features = {name: _named(document, places, name) for name in ("Middle East", "West Africa", "Pacific")}
    assert features["Middle East"] and features["Middle East"][0].feature == "RGN"
    assert features["West Africa"] and features["West Africa"][0].feature == "RGN"
    assert features["Pacific"] and features["Pacific"][0].feature == "OCN"


def test_spherical_mean_crosses_the_date_line() -> None:
    lat, lon = spherical_mean([(10.0, 179.0, 1.0), (10.0, -179.0, 1.0)]) or (0.0, 0.0)
    assert abs(abs(lon) - 180.0) < 1e-6 and lat == pytest.approx(10.0, abs=0.01)
    heavy = spherical_mean([(0.0, 0.0, 3.0), (0.0, 10.0, 1.0)])
    assert heavy is not None and 0.0 < heavy[1] < 5.0
    assert spherical_mean([]) is None


def test_packaged_point_must_lie_near_the_towns() -> None:
    lats, lons = [10.0, 11.0, 12.0], [20.0, 21.0, 22.0]
    assert within((11.5, 21.5), lats, lons)
    assert not within((30.0, 21.0), lats, lons)
    assert middle([0.0, 1.0, 2.0, 3.0, 100.0] * 4) == pytest.approx(50.0)


def test_subdivision_points_are_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from claimgraph.places.points import subdivision_points

    points = subdivision_points()
    assert points.get("KP-10") is not None  # Ryanggang, from the installed package
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert subdivision_points() == {}


@pytest.mark.parametrize(
    "text",
    ["", "Paris", "the city of", ", and ,\n\n or", "Utah, and", "North", "Marburg", "in the state of Texas"],
)
def test_odd_inputs_never_crash(nlp: Language, gazetteer: Gazetteer, text: str) -> None:
    document = Document(text=text)
    places = _places(nlp, gazetteer, document)
    assert all(0 <= p.mention.start < p.mention.end <= len(text) for p in places)
