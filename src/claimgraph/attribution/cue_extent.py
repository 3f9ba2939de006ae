"""Light-verb cues: 'have expressed misgivings about C', 'made the case for C', 'derided the deal'.

The rules give such a cue its verb alone and make everything after it the content. PolNeAR's
annotators often put the verb's object, and the preposition after it, in the cue
instead, leaving the content to what the preposition governs. For a cue whose content
starts right after it, the candidate splits are: the cue takes the object's head phrase
('expressed misgivings'), or the cue runs to a preposition under the verb or its object
('expressed misgivings about'). A logistic regression (``cue_model.CueModel``) learned
from PolNeAR's train split scores each; the best split at or above ``SPLIT_THRESHOLD`` is
made, or none.

Trained by ``scripts/train_cue_model.py --cue-extent-output`` (``make train-attribution``);
the weights ship as ``data/cue_extent.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from claimgraph.model import Span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from claimgraph.attribution.cue_model import CueModel
    from claimgraph.attribution.cues import RawAttribution

SPLIT_THRESHOLD = 0.7
# Longest stretch (words) a split may move from the content into the cue.
MAX_WORDS = 6
_OBJECTS = frozenset({"dobj", "attr", "oprd"})


@dataclass(frozen=True, slots=True)
class Split:
    """Move the content's first characters up to ``end`` into the cue."""

    kind: str  # "object" (the object's head phrase) or "preposition" (up to a preposition)
    first: Token  # the first token moved into the cue (the content's first)
    last: Token  # the last token moved into the cue
    end: int  # character offset where the cue would end


def _content_start(raw: RawAttribution, doc: Doc) -> Token | None:
    """The content's first token when the content is one span right after the cue."""
    if len(raw.content) != 1 or not raw.cue:
        return None
    cue_end = max(s.end for s in raw.cue)
    content = raw.content[0]
    if content.start < cue_end or doc.text[cue_end : content.start].strip():
        return None
    span = doc.char_span(content.start, content.end, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def splits(raw: RawAttribution, doc: Doc) -> list[Split]:
    """The candidate splits of ``raw`` (none when the content does not start right after the cue)."""
    first = _content_start(raw, doc)
    if first is None:
        return []
    verb = doc[raw.cue_token]
    content_end = raw.content[0].end
    out: list[Split] = []
    obj = next((c for c in verb.rights if c.dep_ in _OBJECTS and c.i >= first.i), None)
    if obj is not None and obj.left_edge.i == first.i and obj.i - first.i < MAX_WORDS:
        out.append(Split("object", first, obj, obj.idx + len(obj.text)))
    heads = [verb] if obj is None else [verb, obj]
    for head in heads:
        for prep in head.rights:
            if prep.dep_ != "prep" or prep.i < first.i or prep.i - first.i >= MAX_WORDS:
                continue
            if not any(c.dep_ in ("pobj", "pcomp") for c in prep.children):
                continue
            out.append(Split("preposition", first, prep, prep.idx + len(prep.text)))
            break
    return [s for s in out if s.end < content_end and doc.text[s.end : content_end].strip()]


def features(raw: RawAttribution, doc: Doc, split: Split) -> list[str]:
    verb = doc[raw.cue_token]
    lemma = verb.lemma_.lower()
    moved = [t for t in doc[split.first.i : split.last.i + 1] if not t.is_punct]
    n = len(moved)
    obj = next((t for t in moved if t.dep_ in _OBJECTS), None)
    obj_lemma = obj.lemma_.lower() if obj is not None else "-"
    prep = split.last.lower_ if split.kind == "preposition" else "-"
    det = moved[0].lower_ if moved and moved[0].dep_ in ("det", "poss") else "-"
    ent = next((t.ent_type_ for t in moved if t.ent_type_), "-")
    return [
        "bias",
        f"kind={split.kind}",
        f"lemma={lemma}/{split.kind}",
        f"object={obj_lemma}/{split.kind}",
        f"prep={prep}",
        f"lemma_prep={lemma}/{prep}",
        f"object_prep={obj_lemma}/{prep}",
        f"lemma_object={lemma}/{obj_lemma}",
        f"det={det}/{split.kind}",
        f"words={min(n, 4)}/{split.kind}",
        f"ent={ent}",
        f"rule={raw.rule}/{split.kind}",
    ]


def apply(raw: RawAttribution, doc: Doc, split: Split) -> None:
    """Move the content's start into the cue, up to the split (in place)."""
    tail = max(raw.cue, key=lambda s: s.end)
    raw.cue = [s for s in raw.cue if s is not tail] + [Span(tail.start, split.end)]
    content = raw.content[0]
    start = split.end
    while start < content.end and doc.text[start].isspace():
        start += 1
    raw.content = [Span(start, content.end)]


def extend_cues(raws: list[RawAttribution], doc: Doc, model: CueModel | None) -> None:
    """Make, for each cue, the best split the model admits (in place); a model without weights
    decides nothing."""
    if model is None or not model.weights:
        return
    for raw in raws:
        scored = [(model.probability(features(raw, doc, s)), s) for s in splits(raw, doc)]
        best = max(scored, key=lambda ps: ps[0], default=None)
        if best is not None and best[0] >= SPLIT_THRESHOLD:
            apply(raw, doc, best[1])
            raw.cue_split = {"kind": best[1].kind, "probability": round(best[0], 3)}
