"""The places stage: offline geoparsing of a document into ``Place`` records.

    gazetteer.py  the index (countries, continents, admin units, towns), built once and cached
    recognize.py  toponym mentions: spaCy place entities plus gazetteer matches NER missed
    resolve.py    one gazetteer entry per mention, from containment, focus, proximity, prior

``locate`` reads the document text, its removed ranges and the parse; it adds
nothing to the document and returns the places. The gazetteer is loaded by the
caller (``load_gazetteer()``) and passed in, like the spaCy pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from claimgraph.model import Document, Place
from claimgraph.places.gazetteer import Entry, Gazetteer, build_gazetteer, load_gazetteer
from claimgraph.places.recognize import Mention, recognize
from claimgraph.places.resolve import resolve

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from claimgraph.pipeline import Pipeline

STAGE_NAME = "places.gazetteer.v1"

__all__ = [
    "STAGE_NAME",
    "Entry",
    "Gazetteer",
    "Mention",
    "build_gazetteer",
    "load_gazetteer",
    "locate",
    "make_locator",
]


def locate(document: Document, parsed: Doc, gazetteer: Gazetteer) -> list[Place]:
    """The places named in ``document`` (outside its removed ranges), resolved; ids ``{doc}/p{n}``."""
    mentions = recognize(document, parsed, gazetteer)
    entries = resolve(mentions, document.text, gazetteer)
    return [
        Place(
            id=f"{document.id}/p{n}",
            document=document.id,
            mention=mention.span,
            name=entry.name,
            country=entry.country or None,
            admin1=entry.admin1,
            feature=entry.feature,
            gazetteer_id=entry.gazetteer_id,
            lat=entry.lat,
            lon=entry.lon,
        )
        for n, (mention, entry) in enumerate(zip(mentions, entries, strict=True), start=1)
    ]


def make_locator(pipeline: Pipeline, gazetteer: Gazetteer | None = None) -> Callable[[Document], list[Place]]:
    """A function ``Document -> places`` that parses with ``pipeline.nlp`` (for ``evaluate_geo``)."""
    from claimgraph.nlp import paragraph_doc

    gaz = gazetteer if gazetteer is not None else load_gazetteer()

    def locate_document(document: Document) -> list[Place]:
        parsed = pipeline.nlp(paragraph_doc(pipeline.nlp, document.text))
        return locate(document, parsed, gaz)

    return locate_document
