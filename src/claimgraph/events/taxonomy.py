"""The event taxonomy (``data/event_types.json``): types, trigger rules, lexicons.

``load_taxonomy`` reads the packaged file (or a given path) into a ``Taxonomy``;
``parse_taxonomy`` builds one from the decoded JSON object. Nothing is read at import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimgraph.data_files import read_json_object
from claimgraph.errors import ClaimgraphError

TAXONOMY_FILE = "event_types.json"


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
    # Matches only a "there is/are" clause (lemma "be"), whose theme is what exists.
    existential: bool = False

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
    # "the city" -> feature code prefixes of the places it can stand for ("PPL").
    place_types: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Sentence openers that make a sentence elaborate the event just told ("On that occasion").
    anaphoric_openers: tuple[str, ...] = ()

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
                    existential=bool(trig.get("existential", False)),
                )
                rules.setdefault(rule.lemma, []).append(rule)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise TaxonomyError(f"malformed event taxonomy: {exc!r}") from exc
    discourse = raw.get("discourse", {})
    if not isinstance(discourse, dict):
        raise TaxonomyError("'discourse' in the event taxonomy must be an object")
    try:
        place_types = {
            str(noun).lower(): tuple(str(code) for code in codes)
            for noun, codes in discourse.get("place_types", {}).items()
        }
        openers = tuple(str(o).lower() for o in discourse.get("anaphoric_openers", []))
    except (TypeError, ValueError, AttributeError) as exc:
        raise TaxonomyError(f"malformed 'discourse' in the event taxonomy: {exc!r}") from exc
    return Taxonomy(
        version=str(raw.get("version", "?")),
        types=types,
        rules=rules,
        lexicons=lexicons,
        place_types=place_types,
        anaphoric_openers=openers,
    )


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read the event taxonomy (``path``, or the packaged ``data/event_types.json``)."""
    return parse_taxonomy(read_json_object(path, TAXONOMY_FILE, "event taxonomy", TaxonomyError))
