"""The attribution lexicons, read from data files (``claimgraph/data``).

``load_lexicons`` is called once by the pipeline; the result is immutable and
passed to every call of ``attribute``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from claimgraph.attribution.cue_model import CueModel

# Volition and intention verbs whose infinitive complement is the content
# ("wants to", "plans to", "refused to"), as PolNeAR annotates them.
XCOMP_LEMMAS = frozenset(
    [
        "want",
        "plan",
        "refuse",
        "promise",
        "pledge",
        "vow",
        "hope",
        "expect",
        "decide",
        "seek",
        "intend",
        "agree",
        "threaten",
        "offer",
        "aim",
        "wish",
        "prefer",
        "try",
    ]
)


# Lower-case words allowed inside a proper name ("Voice of America", "Globe and Mail").
_NAME_GLUE = frozenset({"of", "and", "the", "de", "du", "la", "el", "&"})


def _stands_alone(text: str, start: int, end: int) -> bool:
    """Is text[start:end] a whole name, not part of a longer one? 'Harbour Times' is not The
    Times; 'South Korea's Chosun Ilbo' and 'the US-backed Radio Free Asia' are their outlets."""
    if (start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")) or (
        end < len(text) and (text[end].isalnum() or text[end] == "_")
    ):
        return False
    before = text[:start].split()
    if before:
        prev = before[-1]
        possessive = prev.endswith(("'s", "’s", "'", "’"))
        if prev[:1].isupper() and "-" not in prev and not possessive and prev not in ("The",):
            return False
    after = text[end:].split()
    return not (after and after[0][:1].isupper())


def _norm(name: str) -> str:
    """Key for outlet matching: case kept, curly apostrophes folded, leading 'The' dropped."""
    name = name.replace("’", "'").strip()
    name = re.sub(r"\s+", " ", name)
    return re.sub(r"^(?:The|the)\s+", "", name)


@dataclass(frozen=True, slots=True)
class OutletIndex:
    """Outlet names and aliases mapped to a canonical outlet name."""

    by_alias: dict[str, str] = field(default_factory=dict)

    def canonical(self, name: str) -> str | None:
        return self.by_alias.get(_norm(name))

    def find_in(self, text: str) -> str | None:
        """Canonical outlet named anywhere inside ``text`` (longest alias first)."""
        key = _norm(text)
        if key in self.by_alias:
            return self.by_alias[key]
        best: tuple[int, str] | None = None
        for alias, canonical in self.by_alias.items():
            if len(alias) < 3 or alias not in key:
                continue
            if not any(_stands_alone(key, m.start(), m.end()) for m in re.finditer(re.escape(alias), key)):
                continue
            if best is None or len(alias) > best[0]:
                best = (len(alias), canonical)
        return best[1] if best else None


@dataclass(frozen=True, slots=True)
class Lexicons:
    """Everything the rule-based attribution stage looks words up in."""

    speech: frozenset[str]
    cognition: frozenset[str]
    needs_clause: frozenset[str]
    object_content: frozenset[str]
    particles: dict[str, frozenset[str]]
    hedging_verbs: frozenset[str]
    hedge_words: frozenset[str]
    hedge_phrases: tuple[str, ...]
    agentless_adverbs: frozenset[str]
    anonymous_heads: frozenset[str]
    anonymous_always: frozenset[str]
    indefinite_pronouns: frozenset[str]
    group_heads: frozenset[str]
    respondent_heads: frozenset[str]
    evidence_heads: frozenset[str]
    organisation_heads: frozenset[str]
    role_heads: frozenset[str]
    relation_heads: frozenset[str]
    anonymity_phrases: tuple[str, ...]
    anonymity_conditions: tuple[str, ...]
    anonymous_markers: frozenset[str]
    resolving_heads: frozenset[str]
    government_heads: frozenset[str]
    government_names: frozenset[str]
    document_heads: frozenset[str]
    outlet_heads: frozenset[str]
    outlet_name_words: frozenset[str]
    person_titles: frozenset[str]
    outlets: OutletIndex
    # learned by scripts/train_cue_model.py; None falls back to the lexicons alone
    cue_model: CueModel | None = None
    # the plain reporting verbs, trusted from a lower detector probability
    reporting: frozenset[str] = frozenset()
    # learned by scripts/train_cue_model.py --cue-extent-output; None leaves cues as the rules found them
    cue_extent: CueModel | None = None

    @property
    def cue_lemmas(self) -> frozenset[str]:
        return self.speech | self.cognition

    def outlet_name(self, name: str) -> str | None:
        """The outlet a proper name denotes: its lexicon entry, or the name itself when it is
        built like an outlet's ('Northern Courier', 'Daily Ledger', 'Radio Kestrel')."""
        listed = self.outlets.find_in(name)
        if listed:
            return listed
        words = [w for w in re.split(r"\s+", name.strip()) if w]
        words = words[1:] if words and words[0] in ("The", "the") else words
        if not words or not all(w[:1].isupper() or w in _NAME_GLUE for w in words):
            return None
        if words[0] in self.outlet_name_words or words[-1] in self.outlet_name_words:
            return " ".join(words)
        return None

    def is_cue(self, lemma: str, pos: str) -> bool:
        """Without a trained cue detector: speech and cognition verbs of the lexicon."""
        return pos in ("VERB", "AUX") and lemma in self.cue_lemmas


def _read_json(path: Path | None, name: str) -> dict[str, Any]:
    if path is not None:
        data: dict[str, Any] = json.loads((path / name).read_text(encoding="utf-8"))
        return data
    ref = resources.files("claimgraph").joinpath("data", name)
    loaded: dict[str, Any] = json.loads(ref.read_text(encoding="utf-8"))
    return loaded


def load_lexicons(data_dir: Path | None = None) -> Lexicons:
    """Read ``attribution.json`` and ``outlets.json`` (from ``data_dir`` or the package)."""
    raw = _read_json(data_dir, "attribution.json")
    outlets_raw = _read_json(data_dir, "outlets.json")
    cue_model = CueModel.from_json(_read_json(data_dir, "cue_model.json"))
    cue_extent = CueModel.from_json(_read_json(data_dir, "cue_extent.json"))

    def fs(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in raw.get(key, []))

    by_alias: dict[str, str] = {}
    for row in outlets_raw.get("outlets", []):
        canonical = _norm(row["name"])
        for alias in [row["name"], *row.get("aliases", [])]:
            by_alias.setdefault(_norm(alias), canonical)
    return Lexicons(
        speech=fs("speech_verbs"),
        cognition=fs("cognition_verbs"),
        needs_clause=fs("verbs_needing_clause"),
        object_content=fs("verbs_with_object_content"),
        particles={k: frozenset(v) for k, v in raw.get("verb_particles", {}).items()},
        hedging_verbs=fs("hedging_verbs"),
        hedge_words=fs("hedge_words"),
        hedge_phrases=tuple(p.lower() for p in raw.get("hedge_phrases", [])),
        agentless_adverbs=fs("agentless_adverbs"),
        anonymous_heads=fs("anonymous_heads"),
        anonymous_always=fs("anonymous_always"),
        indefinite_pronouns=fs("indefinite_pronouns"),
        group_heads=fs("group_heads"),
        respondent_heads=fs("respondent_heads"),
        evidence_heads=fs("evidence_heads"),
        organisation_heads=fs("organisation_heads"),
        role_heads=fs("role_heads"),
        relation_heads=fs("relation_heads"),
        anonymity_phrases=tuple(p.lower() for p in raw.get("anonymity_phrases", [])),
        anonymity_conditions=tuple(p.lower() for p in raw.get("anonymity_conditions", [])),
        anonymous_markers=fs("anonymous_markers"),
        resolving_heads=fs("resolving_heads"),
        government_heads=fs("government_heads"),
        government_names=frozenset(_norm(n) for n in raw.get("government_names", [])),
        document_heads=fs("document_heads"),
        outlet_heads=fs("outlet_heads"),
        outlet_name_words=frozenset(raw.get("outlet_name_words", [])),
        person_titles=fs("person_titles"),
        outlets=OutletIndex(by_alias=by_alias),
        cue_model=cue_model,
        reporting=fs("reporting_verbs"),
        cue_extent=cue_extent,
    )
