"""Fixtures shared by every test module: one loaded pipeline for the whole session.

Loading the spaCy model costs about a second; tests that need a parse take the
``pipeline`` (or ``nlp``) fixture so it is loaded once, on first use, and never
for a run that selects only tests without a parser.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from spacy.language import Language

    from claimgraph.model import Analysis
    from claimgraph.pipeline import Pipeline

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_ARTICLES = REPO / "examples" / "articles"


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    """The default pipeline (parser, lexicons, noise rules), loaded once per session."""
    from claimgraph.pipeline import Pipeline

    return Pipeline.load()


@pytest.fixture(scope="session")
def nlp(pipeline: Pipeline) -> Language:
    """The spaCy pipeline inside ``pipeline``."""
    return pipeline.nlp


@pytest.fixture(scope="session")
def examples_analysis(pipeline: Pipeline) -> Analysis:
    """Every demo article in examples/articles, analyzed once per session."""
    from claimgraph.ingest import iter_inputs
    from claimgraph.model import Analysis, Document

    documents = [i for i in iter_inputs([str(EXAMPLE_ARTICLES)]) if isinstance(i, Document)]
    return Analysis(documents=list(pipeline.analyze_many(documents)))
