"""Source identity across documents: ``Source.key``, and the grounds for each merge.

- Outlets: ``outlet:`` + the canonical name from the outlet lexicon ('RFA' and 'Radio Free
  Asia' are one key), else the name as written.
- Other named sources: ``<kind>:`` + the name, lower-cased, leading titles and 'the' dropped.
- Anonymous sources: ``anonymous:<relaying outlet key>|<descriptor>`` only when the text
  names the outlet relaying them (the chain element before them, or the voice of the
  document when the chain has none) and gives a descriptor; the descriptor is lower-cased
  with leading determiners dropped. Two anonymous sources share a key only when the same
  descriptor is relayed by the same outlet. Otherwise the key is ``anonymous:<source id>``:
  never merged.
- Unnamed non-anonymous sources ('the report'): ``unnamed:<source id>``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from claimgraph.attribution.lexicon import Lexicons
from claimgraph.model import DocumentAnalysis, Source

_LEADING = re.compile(
    r"^(?:(?:a|an|the|one|some|several|two|three|four|other|another|its|his|her|their)\s+)+"
)


def _clean(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("’", "'")).strip().strip(".,;:")


def outlet_key(name: str, lexicons: Lexicons) -> str:
    """``outlet:`` + the canonical name of an outlet (lexicon alias resolved), lower-cased."""
    cleaned = _clean(name)
    canonical = lexicons.outlets.canonical(cleaned) or re.sub(r"^(?:the|The)\s+", "", cleaned)
    return "outlet:" + canonical.lower()


def normalize_descriptor(descriptor: str) -> str:
    """'A senior ministry official' -> 'senior ministry official' (case, spaces, determiners)."""
    return _LEADING.sub("", _clean(descriptor).lower()).strip()


def named_key(source: Source, lexicons: Lexicons) -> str | None:
    """The key of a named source, or None when it is anonymous or has no name."""
    if source.anonymous or not source.name:
        return None
    if source.kind == "outlet" or lexicons.outlets.canonical(_clean(source.name)):
        return outlet_key(source.name, lexicons)
    words = _clean(source.name).lower().split()
    if source.kind in ("government", "organisation") and len(words) > 2 and words[0].endswith("'s"):
        words = words[1:]  # "Kestria's defence ministry" -> "defence ministry"
    while len(words) > 1 and (words[0] in lexicons.person_titles or words[0] == "the"):
        words = words[1:]
    return f"{source.kind}:{' '.join(words)}"


@dataclass(slots=True)
class Identities:
    """Keys given to sources, and why sources from different documents share one."""

    grounds: dict[str, str] = field(default_factory=dict)  # key -> reason
    documents: dict[str, set[str]] = field(default_factory=dict)  # key -> document ids
    # key -> its reason, built on first use: a key found in many documents is asked for
    # once per assessment, and sorting its documents each time grows with the corpus.
    reasons: dict[str, str] = field(default_factory=dict)

    def note(self, key: str, document: str, reason: str) -> None:
        self.grounds.setdefault(key, reason)
        self.documents.setdefault(key, set()).add(document)
        self.reasons.pop(key, None)

    def shared(self, key: str) -> bool:
        return len(self.documents.get(key, ())) > 1

    def reason(self, key: str) -> str:
        """Why ``key`` stands for one source, naming the documents it was found in."""
        found = self.reasons.get(key)
        if found is None:
            docs = ", ".join(sorted(self.documents.get(key, ())))
            found = self.reasons[key] = f"{key}: {self.grounds.get(key, 'one source')} (in {docs})"
        return found


def _relay_of(da: DocumentAnalysis, source_id: str) -> tuple[str | None, bool]:
    """The source id right before ``source_id`` in the first chain that holds it, and whether
    any chain holds it at all."""
    for claim in da.claims:
        if source_id in claim.chain:
            i = claim.chain.index(source_id)
            return (claim.chain[i - 1] if i > 0 else None), True
    return None, False


# Words after which a descriptor only qualifies its head: "traders in the town",
# "a source familiar with the matter", "officials who spoke on condition of anonymity".
QUALIFIERS = frozenset(
    {"in", "of", "from", "at", "on", "with", "within", "inside", "near", "close", "familiar", "who", "that"}
    | {"for", "to", "by"}
)


def descriptor_head(descriptor: str) -> str | None:
    """The head noun of a normalized descriptor: the last word before any qualifier
    ('traders in the town' and 'local traders' -> 'traders')."""
    words: list[str] = []
    for word in descriptor.split():
        if word in QUALIFIERS and words:
            break
        words.append(word)
    return words[-1] if words else None


def _antecedent(da: DocumentAnalysis, source: Source, relayed: bool) -> Source | None:
    """For a definite anonymous descriptor with no outlet of its own ('the official'), the
    earlier anonymous source of the same document with the same head noun and a merged key
    ('a senior defence official' relayed by an outlet); else None."""
    raw = _clean(source.descriptor or "").lower()
    if relayed or not raw.startswith("the "):
        return None
    head = descriptor_head(normalize_descriptor(raw))
    first = min((m.start for m in source.mentions), default=0)
    for other in da.sources:
        if other is source or not other.anonymous or not other.key or "|" not in other.key:
            continue
        if min((m.start for m in other.mentions), default=first) > first:
            continue
        if descriptor_head(normalize_descriptor(other.descriptor or "")) == head:
            return other
    return None


def assign_keys(
    documents: list[DocumentAnalysis], voices: Mapping[str, str | None], lexicons: Lexicons
) -> Identities:
    """Set ``Source.key`` on every source of ``documents`` (in place); return the grounds.

    ``voices`` maps a document id to the outlet key that speaks in it (its own outlet, the
    original of a copy, or the outlet it says it follows), or None when unknown; it is the
    relaying outlet of anonymous sources whose chain names none.
    """
    ids = Identities()
    for da in documents:
        doc_id = da.document.id
        for source in da.sources:
            key = named_key(source, lexicons)
            if key is not None:
                alias = _clean(source.name or "")
                how = "same canonical name"
                if source.kind == "outlet" and alias.lower() != key.split(":", 1)[1]:
                    how += f" ('{alias}' via the outlet lexicon)"
                source.key = key
                ids.note(key, doc_id, how)
                continue
            if not source.anonymous:
                source.key = f"unnamed:{source.id}"
                ids.note(source.key, doc_id, "an unnamed source, never merged")
                continue
            relay_id, chained = _relay_of(da, source.id)
            relay_key: str | None = None
            if relay_id is not None:
                relay = da.source(relay_id)
                if relay is not None and relay.kind == "outlet" and relay.name:
                    relay_key = outlet_key(relay.name, lexicons)
            elif chained:
                relay_key = voices.get(doc_id)
            descriptor = normalize_descriptor(source.descriptor or "")
            earlier = _antecedent(da, source, relay_id is not None)
            if earlier is not None and earlier.key:
                source.key = earlier.key
                ids.note(
                    earlier.key,
                    doc_id,
                    f"'{_clean(source.descriptor or '')}' refers back to '{_clean(earlier.descriptor or '')}' "
                    "in the same document",
                )
                continue
            if relay_key and descriptor:
                source.key = f"anonymous:{relay_key}|{descriptor}"
                ids.note(source.key, doc_id, f"the same descriptor '{descriptor}' relayed by {relay_key}")
            else:
                source.key = f"anonymous:{source.id}"
                ids.note(
                    source.key, doc_id, "an anonymous source with no relaying outlet named: never merged"
                )
    return ids
