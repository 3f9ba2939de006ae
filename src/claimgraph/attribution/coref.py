"""Resolve source mentions inside one article to Sources, and give each claim its chain.

Resolution, in text order (each step names itself in the claim's explanation):

- ``name``        same outlet, same name, a surname or an acronym of a known name
- ``pronoun``     he/she/they/it to the nearest compatible source or named person before it
                  (never "he" for a group such as "aides"; "they" for a group, a body or
                  one anonymous source, not for one named person)
- ``definite``    "the insider", "the second source", "the newspaper", "this report";
                  "the minister" to the person source named with that office, else the
                  last named person
- ``possessive``  "RFA's source" to the anonymous source RFA relays
- ``descriptor``  the same anonymous description repeated
- ``new``         anything else starts a new Source

Mentions are resolved in the order of their claims' cues, which is not always the
order of the mentions: an antecedent counts by its last mention before the mention
being resolved.

Relay chains: a source relayed once ("told Radio Free Asia", "X cites Y")
is relayed that way in every claim it makes; "a second source" inherits the
relay of the first one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from claimgraph.attribution.lexicon import Lexicons
from claimgraph.attribution.mentions import Mention, person_surnames
from claimgraph.model import Source, Span

if TYPE_CHECKING:
    from spacy.tokens import Doc

# How far back (in characters) a pronoun or a definite description may reach
# for its antecedent. Calibrated on the seed articles and PolNeAR dev: most
# antecedents lie within two or three paragraphs.
ANTECEDENT_WINDOW = 1500


@dataclass(slots=True)
class Entity:
    id: str
    kind: str
    anonymous: bool
    name: str | None
    descriptor: str | None
    mentions: list[Span] = field(default_factory=list)
    heads: set[str] = field(default_factory=set)
    relays: list[str] = field(default_factory=list)  # entity ids, outermost first
    plural: bool = False  # a group ("aides", "Republicans"): never the antecedent of "he"

    def to_source(self, document_id: str) -> Source:
        return Source(
            id=self.id,
            document=document_id,
            kind=self.kind,
            anonymous=self.anonymous,
            mentions=sorted(set(self.mentions)),
            name=self.name,
            descriptor=self.descriptor,
            key=source_key(self),
        )


def source_key(entity: Entity) -> str | None:
    """Cross-document identity: named sources by kind and name; anonymous ones have none yet."""
    if entity.anonymous or not entity.name:
        return None
    name = re.sub(r"\s+", " ", entity.name.replace("’", "'")).strip().lower()
    return f"{entity.kind}:{name}"


def _surname(name: str) -> str:
    parts = [p for p in re.split(r"\s+", name.replace("’", "'")) if p]
    return parts[-1].strip(".,").lower() if parts else ""


def _acronym(name: str) -> str:
    return "".join(w[0] for w in re.findall(r"[A-Za-z][\w-]*", name) if w[0].isupper())


class Resolver:
    """Holds the entities of one document while its mentions are resolved in order."""

    def __init__(self, doc: Doc, document_id: str, lex: Lexicons) -> None:
        self.doc = doc
        self.document_id = document_id
        self.lex = lex
        self.entities: list[Entity] = []
        surnames = person_surnames(doc)
        # a bare surname the parser took for an organisation is still a person ("Trump railed")
        self._persons = [
            (e.start_char, e.text)
            for e in doc.ents
            if e.label_ == "PERSON" or (e.label_ == "ORG" and len(e) == 1 and e.text in surnames)
        ]
        self._seen: dict[Span, tuple[Entity, str]] = {}

    # -- entity bookkeeping --------------------------------------------------

    def _new(self, m: Mention) -> Entity:
        e = Entity(
            id=f"{self.document_id}/s{len(self.entities) + 1}",
            kind=m.kind,
            anonymous=m.anonymous,
            name=m.name,
            descriptor=m.descriptor,
            plural=m.plural,
        )
        self.entities.append(e)
        return e

    def _attach(self, e: Entity, m: Mention) -> Entity:
        e.mentions.append(m.span)
        if m.head_lemma:
            e.heads.add(m.head_lemma)
        if m.name and not e.name:
            e.name = m.name
            if e.kind in ("document", "unknown") or m.kind == "outlet":
                e.kind = m.kind
                e.anonymous = m.anonymous
        if e.kind == "unknown" and m.kind != "unknown":
            e.kind, e.anonymous = m.kind, m.anonymous
        if m.descriptor and not e.descriptor:
            e.descriptor = m.descriptor
        return e

    def recent(self, pos: int, kinds: tuple[str, ...] | None = None) -> list[Entity]:
        """Entities mentioned within ``ANTECEDENT_WINDOW`` before ``pos``, latest first.

        Mentions are resolved in the order of their claims' cues, not of the mentions, so
        an entity counts by its last mention *before* ``pos``, wherever else it appears."""
        found: list[tuple[int, Entity]] = []
        for e in self.entities:
            if kinds is not None and e.kind not in kinds:
                continue
            last = self.last_before(e, pos)
            if last >= 0 and pos - last <= ANTECEDENT_WINDOW:
                found.append((last, e))
        return [e for _, e in sorted(found, key=lambda x: x[0], reverse=True)]

    def _words(self, span: Span) -> set[str]:
        """Lower-case lemmas of the words of ``span``."""
        chosen = self.doc.char_span(span.start, span.end, alignment_mode="expand")
        return {t.lemma_.lower() for t in chosen} if chosen is not None else set()

    def last_before(self, e: Entity, pos: int) -> int:
        """Start of ``e``'s last mention before ``pos`` (-1 when there is none)."""
        return max((m.start for m in e.mentions if m.start < pos), default=-1)

    def entity(self, entity_id: str) -> Entity:
        return next(e for e in self.entities if e.id == entity_id)

    def outlet_entity(self, canonical: str, pos: int) -> Entity:
        """The outlet entity named ``canonical`` (or by its last words: 'the Courier' after
        'the Northern Courier'), created when the article has none yet."""
        for e in self.entities:
            if e.kind != "outlet" or not e.name:
                continue
            same = e.name == canonical or self.lex.outlets.canonical(e.name) == canonical
            if same or e.name.lower().endswith(" " + canonical.lower()):
                return e
        e = Entity(
            id=f"{self.document_id}/s{len(self.entities) + 1}",
            kind="outlet",
            anonymous=False,
            name=canonical,
            descriptor=None,
        )
        self.entities.append(e)
        return e

    # -- resolution ------------------------------------------------------------

    def resolve(self, m: Mention) -> tuple[Entity, str]:
        """The entity ``m`` refers to, and the step that decided it (the same words: the same entity)."""
        if m.span in self._seen:
            return self._seen[m.span]
        found = self._resolve(m)
        self._seen[m.span] = found
        return found

    def _resolve(self, m: Mention) -> tuple[Entity, str]:
        pos = m.span.start
        if m.pronoun:
            e = self._pronoun(m)
            if e is not None:
                return self._attach(e, m), "pronoun"
            return self._attach(self._new(m), m), "new"
        if m.name:
            e = self._by_name(m)
            if e is not None:
                return self._attach(e, m), "name"
            if m.host_outlet and m.definite:
                docs = [x for x in self.recent(pos, ("document",)) if not x.name]
                if docs:
                    return self._attach(docs[0], m), "definite"
            return self._attach(self._new(m), m), "new"
        if m.possessor_outlet:
            outlet = self.outlet_entity(m.possessor_outlet, pos)
            for e in self.recent(pos, ("anonymous",)):
                if outlet.id in e.relays:
                    return self._attach(e, m), "possessive"
            e = self._attach(self._new(m), m)
            e.relays = [outlet.id]
            return e, "new"
        if m.definite:
            e = self._definite(m)
            if e is not None:
                return self._attach(e, m), "definite"
        if m.kind == "anonymous" and not m.ordinal and m.descriptor:
            for e in self.entities:
                if e.anonymous and e.descriptor and e.descriptor.lower() == m.descriptor.lower():
                    return self._attach(e, m), "descriptor"
        return self._attach(self._new(m), m), "new"

    def _pronoun(self, m: Mention) -> Entity | None:
        word = self.doc[m.head].lower_
        pos = m.span.start
        if word in ("he", "she", "him", "her", "his", "hers", "himself", "herself"):
            candidates = [e for e in self.recent(pos, ("person", "anonymous", "unknown")) if not e.plural]
            return self._person_before(m, candidates[0] if candidates else None)
        if word in ("they", "them", "their", "themselves"):
            c = self.recent(pos, ("anonymous", "person", "government", "organisation", "outlet", "unknown"))
            # not one named person ("he" or "she"); a singular anonymous source may be "they"
            c = [e for e in c if e.plural or e.kind != "person"]
            return c[0] if c else None
        if word in ("it", "this", "which", "that"):
            c = self.recent(pos, ("document", "outlet", "organisation", "government"))
            return c[0] if c else None
        return None

    def _person_before(self, m: Mention, best: Entity | None = None) -> Entity | None:
        """The named person the text mentions last before ``m`` (a source, or a PERSON the
        parser tagged), unless ``best`` comes later."""
        pos = m.span.start
        if best is None:
            named = [e for e in self.recent(pos, ("person",)) if e.name and not e.plural]
            best = named[0] if named else None
        person = next(
            ((s, t) for s, t in reversed(self._persons) if s < pos and pos - s <= ANTECEDENT_WINDOW), None
        )
        if person is None or (best is not None and person[0] <= self.last_before(best, pos)):
            return best
        named_m = Mention(
            span=m.span, head=m.head, text=person[1], kind="person", anonymous=False, name=person[1]
        )
        found = self._by_name(named_m)
        if found is not None:
            return found
        e = self._new(named_m)
        e.kind, e.name = "person", person[1]
        return e

    def _by_name(self, m: Mention) -> Entity | None:
        assert m.name is not None
        canon = self.lex.outlets.canonical(m.name) if m.kind == "outlet" else None
        target = (canon or m.name).lower()
        for e in reversed(self.entities):
            if not e.name:
                continue
            en = e.name.lower()
            e_canon = self.lex.outlets.canonical(e.name)
            if en == target or (canon and e_canon == canon):
                return e
            if m.kind == "outlet" and e.kind == "outlet" and en.endswith(" " + target):
                return e  # 'the Post' after 'The Washington Post'

            if m.kind == "person" and e.kind == "person" and _surname(e.name) == _surname(m.name):
                return e
            if (m.kind in ("outlet", "organisation", "government", "unknown") and e.kind == m.kind) or (
                {m.kind, e.kind} <= {"outlet", "organisation"}
            ):
                if _acronym(e.name) == m.name.strip() and len(m.name) >= 2:
                    return e
                if _acronym(m.name) == e.name.strip() and len(e.name) >= 2:
                    return e
        return None

    def _definite(self, m: Mention) -> Entity | None:
        pos = m.span.start
        head = m.head_lemma
        if m.ordinal:
            text = m.text.lower()
            for e in self.recent(pos, ("anonymous",)):
                if e.descriptor and any(
                    w in e.descriptor.lower() for w in text.split() if w in ("second", "third", "fourth")
                ):
                    return e
            return None
        if head in self.lex.resolving_heads or head in self.lex.anonymous_heads:
            for e in self.recent(pos, ("anonymous",)):
                if (head in e.heads or head in ("insider", "source")) and e.plural == m.plural:
                    return e
            if head in self.lex.anonymous_always or m.plural:
                return None
        if head in self.lex.role_heads and not m.plural:
            # "the minister" after "Defence Minister Marta Olenko": a person source named with
            # that role first, then the last person source, then a person the parser tagged
            named = [e for e in self.recent(pos, ("person",)) if e.name and not e.plural]
            titled = [e for e in named if any(head in self._words(x) for x in e.mentions)]
            found = titled or named
            return found[0] if found else self._person_before(m)
        if head in self.lex.outlet_heads:
            c = self.recent(pos, ("outlet",))
            return c[0] if c else None
        if head in self.lex.document_heads:
            c = self.recent(pos, ("document", "outlet"))
            return c[0] if c else None
        if head in self.lex.government_heads:
            c = [e for e in self.recent(pos, ("government",)) if head in e.heads]
            return c[0] if c else None
        return None

    def inherited_relays(self, e: Entity, pos: int) -> list[str]:
        """Relays of the nearest earlier anonymous source, for 'a second source'."""
        for other in self.recent(pos, ("anonymous",)):
            if other.id != e.id and other.relays:
                return list(other.relays)
        return []
