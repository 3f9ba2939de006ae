"""Compose the stages over a stream of documents.

Stage order and what each reads and adds:

    ingest    paths -> Document (text, title, outlet, published)
    clean     Document -> Document.removed                      (no parse)
    parse     Document.text -> spaCy Doc                        (nlp)
    attribute Doc + Document -> Source, Claim                   (parse, removed)
    places    Doc + Document -> Place                           (gazetteer)
    times     Doc + Document.published -> TimeMention           (parse)
    quantities Doc -> Quantity                                  (parse)
    events    Doc + claims, places, times, quantities -> Event  (taxonomy)

The spaCy pipeline is loaded once by ``Pipeline.load`` and passed along.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from threadpoolctl import threadpool_limits

from claimgraph.attribution import NAME as ATTRIBUTION_NAME
from claimgraph.attribution import Lexicons, attribute, load_lexicons
from claimgraph.clean import NoiseRules, clean, load_noise_rules
from claimgraph.events import NAME as EVENTS_NAME
from claimgraph.events import AcledClassifier, Taxonomy, detect_events, load_labels, load_taxonomy
from claimgraph.model import Document, DocumentAnalysis
from claimgraph.nlp import DEFAULT_MODEL, load_nlp, paragraph_doc
from claimgraph.places import STAGE_NAME as PLACES_NAME
from claimgraph.places import Gazetteer, load_gazetteer, locate
from claimgraph.quantities import find_quantities
from claimgraph.times import resolve_times

if TYPE_CHECKING:
    from spacy.language import Language

# Documents handed to spaCy at once by nlp.pipe.
PIPE_BATCH_SIZE = 32
# Documents analyzed inside one spaCy memory zone (a few batches: results come out in
# chunks of this size, and the strings interned for them are then freed).
ZONE_DOCUMENTS = 256


@dataclass(slots=True)
class Pipeline:
    """The loaded resources every document needs: the parser and the lexicons."""

    nlp: Language
    lexicons: Lexicons
    noise: NoiseRules
    taxonomy: Taxonomy
    gazetteer: Gazetteer
    produced_by: dict[str, str] = field(default_factory=dict)
    acled: AcledClassifier | None = None

    @classmethod
    def load(cls, model: str = DEFAULT_MODEL) -> Pipeline:
        nlp = load_nlp(model)
        produced_by = {
            "parser": f"{nlp.meta.get('name', model)}-{nlp.meta.get('version', '?')}",
            "clean": "clean.rules.v1",
            "attribution": ATTRIBUTION_NAME,
            "places": PLACES_NAME,
            "events": EVENTS_NAME,
        }
        taxonomy = load_taxonomy()
        acled = AcledClassifier(taxonomy=taxonomy, labels=load_labels())
        produced_by["event_codes"] = acled.name
        return cls(
            nlp=nlp,
            lexicons=load_lexicons(),
            noise=load_noise_rules(),
            taxonomy=taxonomy,
            gazetteer=load_gazetteer(),
            produced_by=produced_by,
            acled=acled,
        )

    def analyze(self, document: Document) -> DocumentAnalysis:
        """Run every stage on one document."""
        return next(self.analyze_many([document]))

    def analyze_many(
        self,
        documents: Iterable[Document],
        on_error: Callable[[Document, Exception], None] | None = None,
    ) -> Iterator[DocumentAnalysis]:
        """Run every stage on a stream of documents, parsing in batches.

        When ``on_error`` is given, a document whose analysis raises is handed
        to it and the stream goes on; otherwise the error propagates.
        """
        stream = iter(documents)
        while chunk := list(itertools.islice(stream, ZONE_DOCUMENTS)):
            # Strings spaCy interns while parsing this chunk are freed when the zone closes,
            # so memory stays flat over long runs; results keep offsets, never spaCy objects.
            # One document is analyzed at a time on one core: BLAS and OpenMP worker
            # threads only contend with it (bench/ray_bench.py measured the single process
            # at 4.7k words/s with inherited threads, 5.2k with one).
            with self.nlp.memory_zone(), threadpool_limits(limits=1):
                results = list(self._analyze_chunk(chunk, on_error))
            yield from results

    def _analyze_chunk(
        self, documents: list[Document], on_error: Callable[[Document, Exception], None] | None
    ) -> Iterator[DocumentAnalysis]:
        cleaned = (clean(d, self.noise) for d in documents)
        pairs = self.nlp.pipe(
            ((paragraph_doc(self.nlp, d.text), d) for d in cleaned),
            as_tuples=True,
            batch_size=PIPE_BATCH_SIZE,
        )
        for parsed, document in pairs:
            try:
                sources, claims = attribute(document, parsed, self.lexicons)
                places = locate(document, parsed, self.gazetteer)
                times = resolve_times(parsed, document)
                events = detect_events(
                    document,
                    parsed,
                    claims,
                    places,
                    times,
                    find_quantities(parsed),
                    self.taxonomy,
                    self.acled,
                )
            except Exception as exc:
                if on_error is None:
                    raise
                on_error(document, exc)
                continue
            yield DocumentAnalysis(
                document=document,
                sources=sources,
                claims=claims,
                events=events,
                places=places,
                produced_by=dict(self.produced_by),
            )
