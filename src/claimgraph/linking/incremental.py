"""Incremental linking: add new documents to a linked corpus without relinking everything.

``relink`` reads the kept states of the documents already linked (``state``), in the
order they were added, the full analyses of the new documents, and the stories and
assessments stored by the previous run; it adds the new documents to the restored
``Linker`` (each compared only with its blocking candidates, as always) and returns every
story and assessment, equal to what linking all documents at once gives.

Only what can have changed is recomputed, from full analyses loaded on demand (``load``):

- *dirty documents*: the new ones and the members of every story a new document joined
  (a copy of an earlier-dated new document changes whose voice the old ones speak with,
  so their source keys are worked out again);
- an event cluster is assessed again when it holds an event of a dirty document or is not
  among the stored event assessments (new members, or a regrouping of its component); the
  claim groups of a story, when the story has a dirty document;
- every other assessment is taken from the store. When one of its origins' keys is now
  held by other documents too (a new report quotes the same person), only its identity
  reasons ("<key>: <grounds> (in <documents>)") are rewritten, from the identity notes kept
  per document (``assess.identity_block``); if its reasons do not read as expected, it is
  recomputed instead.

The documents a recomputed assessment reads are loaded in full; nothing else is.
``Relinked`` says which documents were loaded and which stories changed. ``relink_store``
runs all this on a ``Store`` (states in ``link_state``, results diffed into the stored
stories and assessments), falling back to a relink from scratch when the states cannot be
trusted.

Cost of adding k documents to n: restoring the states is O(n · terms per document) with
no text read (about 0.4 ms per document); adding, O(k) as always; assessing, O(n) for the
per-document maps plus the recomputed units.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from claimgraph.attribution.lexicon import Lexicons
from claimgraph.errors import InputError
from claimgraph.linking import Linker
from claimgraph.linking.assess import identity_block, with_identities
from claimgraph.linking.events import documents_of
from claimgraph.linking.grading import ReliabilityTable
from claimgraph.linking.identity import Identities
from claimgraph.linking.state import STATE_VERSION, export_states, restore
from claimgraph.model import Assessment, DocumentAnalysis, Story

if TYPE_CHECKING:
    from claimgraph.store.base import Store

# ("events", event ids of a cluster) or ("claims", story id): what ``Linker.assess`` may reuse
Unit = tuple[str, tuple[str, ...] | str]
# Loads the full analyses of these document ids (any order in, the same order out).
Loader = Callable[[list[str]], list[DocumentAnalysis]]


@dataclass(slots=True)
class Relinked:
    """The result of one incremental run."""

    linker: Linker
    stories: list[Story]  # every story, in order
    assessments: list[Assessment]  # every assessment, in order
    new: list[str]  # documents linked by this run
    changed: list[str]  # stories that contain a new document (their documents are held in full)
    owner: dict[str, str] = field(default_factory=dict)  # claim or event id -> its document
    loaded: list[str] = field(default_factory=list)  # old documents loaded in full
    recomputed: int = 0  # assessment units computed (an event cluster, a story's claim groups)
    states: dict[str, bytes] = field(default_factory=dict)  # states to store: new and changed ones

    def changed_stories(self) -> list[Story]:
        wanted = set(self.changed)
        return [s for s in self.stories if s.id in wanted]

    def changed_assessments(self) -> list[Assessment]:
        """Assessments listed with the changed stories (their subjects' first document is in one)."""
        docs = {d for s in self.changed_stories() for d in s.documents}
        return [a for a in self.assessments if a.subject and self.owner.get(a.subject[0]) in docs]


def _identities(linker: Linker, order: Sequence[str]) -> Identities:
    ids = Identities()
    for doc_id in order:
        for key, reason in linker.notes.get(doc_id, []):
            ids.note(key, doc_id, reason)
    return ids


def _changed_keys(before: Identities, after: Identities) -> set[str]:
    """Keys whose documents or grounds differ (their reasons read differently)."""
    keys = set(before.documents) | set(after.documents)
    return {
        k
        for k in keys
        if before.documents.get(k) != after.documents.get(k) or before.grounds.get(k) != after.grounds.get(k)
    }


def link_all(documents: Sequence[DocumentAnalysis], table: ReliabilityTable, lexicons: Lexicons) -> Relinked:
    """Link from scratch (``--full``, or a store without states): every document is new."""
    linker = Linker(table=table, lexicons=lexicons)
    linker.add(documents)
    stories = linker.stories()
    assessments = linker.assess(stories)
    ids = [da.document.id for da in documents]
    owner = {c.id: da.document.id for da in documents for c in da.claims}
    owner.update({e: f.document for e, f in linker.event_index.events.items()})
    return Relinked(
        linker,
        stories,
        assessments,
        new=ids,
        changed=[s.id for s in stories],
        owner=owner,
        recomputed=len(assessments),
        states=export_states(linker, ids),
    )


def relink(
    states: Sequence[bytes],
    new: Sequence[DocumentAnalysis],
    load: Loader,
    stored: tuple[Sequence[Story], Sequence[Assessment]],
    table: ReliabilityTable,
    lexicons: Lexicons,
) -> Relinked:
    """Add ``new`` to the linked documents whose ``states`` are given (in the order they were
    added) and return every story and assessment (see the module doc).

    ``stored`` holds the stories and assessments the previous run stored for exactly those
    documents. Raises ``InputError`` when a state cannot be read (relink from scratch then).
    """
    owner: dict[str, str] = {}  # claim id -> document
    linker = restore(states, table, lexicons, owner)
    old_order = list(linker.index.docs)
    before = _identities(linker, old_order)
    old_notes = dict(linker.notes)  # ``_evidence`` replaces the lists of the documents it keys
    linker.add(new)
    owner.update({c.id: da.document.id for da in new for c in da.claims})
    owner.update({e: f.document for e, f in linker.event_index.events.items()})
    new_ids = list(dict.fromkeys(da.document.id for da in new if da.document.id in linker.documents))
    stories = linker.stories()
    fresh = set(new_ids)
    changed = [s for s in stories if fresh.intersection(s.documents)]
    dirty = {d for s in changed for d in s.documents}
    loaded = _load(linker, load, sorted(dirty - fresh))
    evidence = linker._evidence(stories)  # keys of the dirty documents, notes of every document
    after = evidence.identities  # the same notes, in the same order
    moved = _changed_keys(before, after)

    story_of = {d: s.id for s in stories for d in s.documents}
    kept: dict[Unit, list[Assessment]] = defaultdict(list)
    for a in stored[1]:
        if not a.subject:
            continue
        if a.subject[0] in linker.event_index.events:
            kept[("events", tuple(a.subject))].append(a)
        elif owner.get(a.subject[0]) in story_of:
            kept[("claims", story_of[owner[a.subject[0]]])].append(a)
    clean_stories = {s.id for s in stories} - {s.id for s in changed}

    def reusable(unit: Unit) -> list[Assessment] | None:
        """The stored assessments of ``unit`` (identity reasons brought up to date), or None."""
        if unit[0] == "claims":
            if unit[1] not in clean_stories:
                return None
        elif unit not in kept or any(linker.event_index.events[e].document in dirty for e in unit[1]):
            return None
        out = []
        for a in kept.get(unit, []):
            if not moved.intersection(a.origins):
                out.append(a)
                continue
            if not all(x in owner for x in a.subject):
                return None
            documents = list(dict.fromkeys(owner[x] for x in a.subject))
            start = identity_block(a, documents, evidence.copy_of, evidence.citations, before)
            if start is None:
                return None
            out.append(with_identities(a, start, before, after))
        return out

    reused: dict[Unit, list[Assessment]] = {}
    need: set[str] = set()
    units: list[tuple[Unit, list[str]]] = [
        (("events", tuple(c.events)), documents_of(c, linker.event_index.events))
        for c in linker.event_index.clusters()
    ]
    units.extend((("claims", s.id), s.documents) for s in stories)
    for unit, documents in units:
        found = reusable(unit)
        if found is None:
            need.update(documents)
        else:
            reused[unit] = found
    loaded += _load(linker, load, sorted(need - set(linker.documents)))

    recomputed = 0

    def reuse(unit: Unit) -> list[Assessment] | None:
        nonlocal recomputed
        found = reused.get(unit)
        recomputed += found is None
        return found

    assessments = linker.assess(stories, reuse)
    rewrite = set(new_ids) | {d for d in loaded if linker.notes.get(d) != old_notes.get(d)}
    return Relinked(
        linker,
        stories,
        assessments,
        new=new_ids,
        changed=[s.id for s in changed],
        owner=owner,
        loaded=loaded,
        recomputed=recomputed,
        states=export_states(linker, rewrite),
    )


def _load(linker: Linker, load: Loader, ids: list[str]) -> list[str]:
    """Put the full analyses of ``ids`` into ``linker.documents``; returns ``ids``."""
    if ids:
        for da in load(ids):
            linker.documents[da.document.id] = da
    return ids


def fingerprint(table: ReliabilityTable) -> str:
    """What stored states and assessments depend on beyond the documents: the linker and
    state versions, the claimgraph version (its lexicons and thresholds) and the outlet table."""
    from claimgraph import __version__
    from claimgraph.linking import NAME

    basis = {
        "linker": NAME,
        "state": STATE_VERSION,
        "version": __version__,
        "table": {"default": table.default, "grades": sorted([k, *v] for k, v in table.grades.items())},
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode("utf-8")).hexdigest()


def relink_store(
    store: Store, table: ReliabilityTable, lexicons: Lexicons, *, full: bool = False
) -> Relinked:
    """Link the documents of ``store`` not linked yet and store the results (see the module doc).

    Links everything from scratch when ``full`` is set, when the store keeps no states or
    states made with another linker, outlet table or claimgraph version, when results were
    stored by other means (``Store.save_cross``), when a linked document was replaced (a
    document saved after it is linked), or when a state cannot be read.
    """
    mark = fingerprint(table)
    kept = store.link_state()
    if not full and kept.linked and kept.fingerprint == mark and kept.in_order:
        try:
            stored = store.load_cross()
            new = store.load_documents(kept.unlinked) if kept.unlinked else []
            states = [state for _, state in kept.linked]
            result = relink(states, new, store.load_documents, stored, table, lexicons)
        except InputError:
            pass  # an unreadable state: from scratch below
        else:
            store.save_link(
                result.states,
                result.stories,
                result.assessments,
                mark,
                previous=stored,
                generation=kept.generation,
            )
            return result
    result = link_all(store.load().documents, table, lexicons)
    store.save_link(result.states, result.stories, result.assessments, mark)
    return result
