"""Toponym resolution: pick one gazetteer entry per mention from the document's context.

Reads the mentions with their candidates and the document text; returns one
entry per mention. Evidence, strongest first:

1. What the text says next to the name. Containment: "Alexandria, La.",
   "Pandi, Bulacan", "Musan and Onsong counties in North Hamgyong" (a region of
   a larger kind named right after it, so "Louisiana, Michigan" is a list, not
   a chain). Kind: "Washington state" and "the state of Washington" are the
   admin unit, "the city of Sao Paulo" the town. Lists: "Utah, Washington and
   Wisconsin" favour the reading of the same kind as the other names.
2. The document's focus: the countries and admin1 regions of the mentions that
   are unambiguous (one country among the candidates, or one candidate far more
   prominent than the rest), then of every mention after a first pass.
3. Co-location: a candidate near candidates of the other names in the text
   (Gainesville, Georgia beside Hall County, Georgia).
4. A prior: the feature type (a country before a region before a town; a
   national capital before a first-level division of the same name) and the
   population.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from claimgraph.places.gazetteer import LARGE_FEATURES, Entry, Gazetteer, name_key
from claimgraph.places.recognize import Mention

# Prior bonus per feature, in units of log10(population): a country name is read
# as the country unless context overrides it by several orders of magnitude.
# A bare name ("Richmond") is the town before the county named after it.
# Water bodies have no population: their bonus stands for one of 10^7, so a bare
# "Pacific" is the ocean unless the text is about a town of that name.
FEATURE_PRIOR = {
    "PCLI": 3.0,
    "CONT": 3.0,
    "RGN": 3.0,
    "OCN": 7.0,
    "SEA": 7.0,
    "ADM1": 1.5,
    "PPLC": 1.0,
    "ADM2": -1.5,
    "ADM3": -2.0,
    "PPL": 0.0,
}
# Bonus for an admin2/3 entry when the mention itself carries a designator ("Rapides Parish").
DESIGNATED_ADMIN_BONUS = 4.5
# A national capital that shares its name with a first-level division of its country
# ("Washington", "Buenos Aires"; not "Mexico", a country first) is the capital unless
# context says otherwise. 2.0 overturns the division's larger population and feature
# prior (~1.5 for Washington). Checked on both corpora (1.0 / 2.0 / 3.0): LGL acc@161
# 85.4 / 85.8 / 85.8, GeoVirus 86.6 / 86.1 / 85.6 before the list and kind cues below,
# which win back the US state lists (86.6 with them).
CAPITAL_HOMONYM_BONUS = 2.0
# An entry whose own name is the mention beats one that only lists it as an alternate
# (Onsong the town, not the neighbouring district that GeoNames also calls Onsong).
OWN_NAME_BONUS = 1.0
# A mention is unambiguous when its best prior beats the best candidate in another
# country by this much (two orders of magnitude of population).
UNAMBIGUOUS_MARGIN = 2.0
# Weights of the context evidence, in the same units as the prior. Calibrated
# on LGL (local US news, where focus matters most) and the seeds; GeoVirus checked.
W_COUNTRY = 4.0  # times the share of focus votes for the candidate's country
W_ADMIN1 = 3.0  # times the share of focus votes for the candidate's admin1
W_CONTAINER = 6.0  # the text names a container of the candidate next to it
W_NEAR = 4.0  # times the share of the text's other names that have a candidate near this one
NEAR_KM = 150.0
# Times the share of a list's other names whose likeliest reading is of the candidate's
# kind. Checked on LGL and GeoVirus: 1 to 3 gave the same figures (lists are few).
W_PEER = 2.0
# Characters after a name in which a container may start (", La.", " in North Hamgyong").
CONTAINER_WINDOW = 60
# Text between a name and its container: a comma or bracket ("Pandi, Bulacan"), or
# words ending in "in"/"of" ("Musan and Onsong counties in North Hamgyong").
_CONTAINER_GAP = re.compile(r"\s*[,(]\s*|(?:[^.;\n]*\s)?(?:in|of)\s+(?:the\s+)?")
# How large each kind of place is: a container must be of a larger kind than the name,
# so a list of peers ("Louisiana, Michigan, Missouri") is no chain of containment.
KIND_RANK = {
    "PPL": 0,
    "PPLC": 0,
    "ADM3": 1,
    "ADM2": 2,
    "ADM1": 3,
    "PCLI": 4,
    "RGN": 5,
    "SEA": 5,
    "OCN": 6,
    "CONT": 6,
}
# The word right after a name, and "<word> of" right before it (kind cues).
_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z]+)\b")
_OF_BEFORE = re.compile(r"\b([A-Za-z]+)[ \t]+of[ \t]+$")
CUE_WINDOW = 20
KIND_CUE_FEATURES = {"admin": frozenset({"ADM1", "ADM2", "ADM3"}), "town": frozenset({"PPL", "PPLC"})}
# Bonus for a candidate of the kind a word next to the name says ("Washington state"):
# as strong as a designator inside the name (DESIGNATED_ADMIN_BONUS).
W_KIND_CUE = 4.5
# Text between two names of one list: a comma, "and" or "or", or both.
_LIST_GAP = re.compile(r"[ \t]*,[ \t]*(?:(?:and|or)[ \t]+)?|[ \t]+(?:and|or)[ \t]+")
_TRAILING_TOKEN = re.compile(r"^\s*,\s*([A-Z][A-Za-z.]{1,6}\.)")


def prior(entry: Entry, mention: Mention, gazetteer: Gazetteer) -> float:
    """Type and population prior of ``entry`` for ``mention``."""
    score = math.log10(entry.population + 10) + FEATURE_PRIOR.get(entry.feature, 0.0)
    if name_key(entry.name) == name_key(mention.text):
        score += OWN_NAME_BONUS
    words = mention.text.lower().split()
    if entry.feature in ("ADM2", "ADM3") and words and words[-1] in gazetteer.designators:
        score += DESIGNATED_ADMIN_BONUS
    if (
        entry.feature == "PPLC"
        and any(e.feature == "ADM1" and e.country == entry.country for e in mention.candidates)
        and not any(e.feature == "PCLI" for e in mention.candidates)
    ):
        score += CAPITAL_HOMONYM_BONUS
    return score


def _containers(
    mentions: Sequence[Mention], ranks: Sequence[int], text: str, gazetteer: Gazetteer
) -> list[set[str]]:
    """For each mention, the admin1/country codes the text places it in (empty when none).

    ``ranks`` are the mentions' ``_kind_rank``: a container is of a larger kind.
    """
    out: list[set[str]] = []
    for k, mention in enumerate(mentions):
        codes: set[str] = set()
        after = text[mention.span.end : mention.span.end + CONTAINER_WINDOW]
        abbreviation = _TRAILING_TOKEN.match(after)
        if abbreviation and abbreviation.group(1) in gazetteer.state_abbreviations:
            codes.add(gazetteer.state_abbreviations[abbreviation.group(1)])
        for j in range(k + 1, len(mentions)):
            other = mentions[j]
            gap = text[mention.span.end : other.span.start]
            if len(gap) > CONTAINER_WINDOW or "\n" in gap:
                break
            if ranks[j] <= ranks[k] or not _CONTAINER_GAP.fullmatch(gap):
                continue
            for entry in other.candidates:
                if entry.feature == "ADM1" and entry.admin1:
                    codes.add(entry.admin1)
                elif entry.feature == "PCLI":
                    codes.add(entry.country)
        out.append(codes)
    return out


def _peer_kinds(mentions: Sequence[Mention], ranks: Sequence[int], text: str) -> list[Counter[int]]:
    """For each mention in a list of names ("Utah, Washington and Wisconsin"), the kinds of its peers.

    A list is three or more names joined by commas and "and"/"or", or two joined by
    "and"/"or" (two joined by a comma may be a name and its container). A peer's kind
    is its rank in ``ranks`` (the KIND_RANK of its likeliest reading out of context).
    """
    groups: list[list[int]] = []
    joiners: list[list[str]] = []
    for k, mention in enumerate(mentions):
        if k and (gap := _LIST_GAP.fullmatch(text[mentions[k - 1].span.end : mention.span.start])):
            groups[-1].append(k)
            joiners[-1].append(gap.group(0).strip(" ,"))
        else:
            groups.append([k])
            joiners.append([])
    out: list[Counter[int]] = [Counter() for _ in mentions]
    for group, joined in zip(groups, joiners, strict=True):
        if len(group) < 2 or (len(group) == 2 and not any(joined)):
            continue
        for k in group:
            out[k] = Counter(ranks[j] for j in group if j != k)
    return out


def _kind_cues(mentions: Sequence[Mention], text: str, gazetteer: Gazetteer) -> list[str | None]:
    """For each mention, "admin" or "town" when a word next to it says which it is, else None.

    "Washington state", "the state of Washington" → admin; "the city of Sao Paulo",
    "Quebec city" → town. The word is a designator of the alias table ("city" and
    the town words of the alias table say town).
    """
    out: list[str | None] = []
    for m in mentions:
        after = _NEXT_WORD.match(text, m.span.end)
        before = _OF_BEFORE.search(text, max(0, m.span.start - CUE_WINDOW), m.span.start)
        words = {w.group(1).lower() for w in (after, before) if w}
        if words & gazetteer.town_words:
            out.append("town")
        elif words & gazetteer.designators:
            out.append("admin")
        else:
            out.append(None)
    return out


def _kind_rank(mention: Mention, gazetteer: Gazetteer) -> int:
    """KIND_RANK of the mention's likeliest reading out of context (-1 when it has no candidate)."""
    if not mention.candidates:
        return -1
    best = max(mention.candidates, key=lambda e: prior(e, mention, gazetteer))
    return KIND_RANK.get(best.feature, 0)


def _unambiguous(mention: Mention, gazetteer: Gazetteer) -> Entry | None:
    """The candidate the mention denotes regardless of context, if any."""
    ranked = sorted(mention.candidates, key=lambda e: -prior(e, mention, gazetteer))
    if not ranked:
        return None
    best = ranked[0]
    rival = next((e for e in ranked[1:] if e.country != best.country), None)
    if (
        rival is None
        or prior(best, mention, gazetteer) - prior(rival, mention, gazetteer) >= UNAMBIGUOUS_MARGIN
    ):
        return best
    return None


def _votes(entries: Sequence[Entry | None]) -> tuple[Counter[str], Counter[str]]:
    countries: Counter[str] = Counter()
    admins: Counter[str] = Counter()
    for entry in entries:
        if entry is None:
            continue
        if entry.country:
            countries[entry.country] += 1
        if entry.admin1 and entry.feature != "PCLI":
            admins[entry.admin1] += 1
    return countries, admins


def _support(mentions: Sequence[Mention]) -> list[list[float]]:
    """For each candidate, the share of the other names in the text that have a candidate near it.

    Near: within NEAR_KM, or one is an admin1 region and the other lies in it.
    Countries and continents neither give nor get support (they are near everything).
    Repeats of one name count once, so a name cannot support itself.
    """
    keys = sorted({name_key(m.text) for m in mentions})
    if len(keys) < 2:
        return [[0.0] * len(m.candidates) for m in mentions]
    key_of = {k: n for n, k in enumerate(keys)}
    flat = [(key_of[name_key(m.text)], e) for m in mentions for e in m.candidates]
    lat = np.radians(np.array([e.lat for _, e in flat]))
    lon = np.radians(np.array([e.lon for _, e in flat]))
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    near = 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))) <= NEAR_KM
    admin1 = [e.admin1 for _, e in flat]
    regions = [e.feature == "ADM1" for _, e in flat]
    for i, (_, e) in enumerate(flat):
        if regions[i] and e.admin1:
            same = np.array([a == e.admin1 for a in admin1])
            near[i] |= same
            near[:, i] |= same
    small = np.array([e.feature not in LARGE_FEATURES for _, e in flat])
    near &= small[:, None] & small[None, :]
    owner = np.array([k for k, _ in flat])
    # has[i, k]: candidate i has a near candidate of name k.
    has = np.zeros((len(flat), len(keys)), dtype=bool)
    for k in range(len(keys)):
        has[:, k] = near[:, owner == k].any(axis=1)
    has[np.arange(len(flat)), owner] = False
    share = has.sum(axis=1) / (len(keys) - 1)
    out: list[list[float]] = []
    i = 0
    for m in mentions:
        out.append([float(x) for x in share[i : i + len(m.candidates)]])
        i += len(m.candidates)
    return out


def _score(
    entry: Entry,
    mention: Mention,
    gazetteer: Gazetteer,
    container: set[str],
    countries: Counter[str],
    admins: Counter[str],
    support: float,
    peers: Counter[int],
    cue: str | None,
) -> float:
    score = prior(entry, mention, gazetteer)
    total_c = sum(countries.values()) or 1
    total_a = sum(admins.values()) or 1
    score += W_COUNTRY * countries[entry.country] / total_c
    if entry.admin1:
        score += W_ADMIN1 * admins[entry.admin1] / total_a
    if container and (entry.admin1 in container or entry.country in container):
        score += W_CONTAINER
    if cue is not None and entry.feature in KIND_CUE_FEATURES[cue]:
        score += W_KIND_CUE
    if peers:
        score += W_PEER * peers[KIND_RANK.get(entry.feature, 0)] / sum(peers.values())
    return score + W_NEAR * support


def resolve(mentions: Sequence[Mention], text: str, gazetteer: Gazetteer) -> list[Entry]:
    """One entry per mention, chosen by containment, focus, co-location and prior (two passes)."""
    ranks = [_kind_rank(m, gazetteer) for m in mentions]
    containers = _containers(mentions, ranks, text, gazetteer)
    support = _support(mentions)
    peers = _peer_kinds(mentions, ranks, text)
    cues = _kind_cues(mentions, text, gazetteer)
    countries, admins = _votes([_unambiguous(m, gazetteer) for m in mentions])
    chosen: list[Entry] = []
    for _ in range(2):
        chosen = []
        for m, c, sup, peer, cue in zip(mentions, containers, support, peers, cues, strict=True):
            scores = [
                _score(e, m, gazetteer, c, countries, admins, sup[k], peer, cue)
                for k, e in enumerate(m.candidates)
            ]
            chosen.append(m.candidates[scores.index(max(scores))])
        countries, admins = _votes(chosen)
    return chosen
