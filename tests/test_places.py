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
