"""The JSON API under /api: thin routes over ``queries.StoreReader`` and ``export``.

Routes return their JSON already rendered (``FastJSONResponse``): the
``response_model`` declarations document the shapes in OpenAPI, without a
second validation pass over every item.

Listings return ``{"items": [...], "next": cursor | null}``; pass ``next`` as
``cursor`` for the following page. Items are the contract's objects
(documents are listed as summaries; ``/api/documents/{id}`` returns one in full
with its sources, claims, events and places).
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from claimgraph.export import EXPORT_FORMATS, EXPORT_MEDIA_TYPES, export_chunks
from claimgraph.model import Document
from claimgraph.web.app import FastJSONResponse, WebState, state_of
from claimgraph.web.queries import DEFAULT_LIMIT, MAX_LIMIT, Filters

router = APIRouter(prefix="/api", tags=["api"])

# Hits per search page when the client does not say: each carries a snippet.
SEARCH_LIMIT = 20
# Largest article text accepted by POST /api/documents (characters): a long
# report is ~100,000; ten times that still parses in seconds.
MAX_POST_CHARS = 1_000_000


class PageOut(BaseModel):
    items: list[dict[str, Any]]
    next: str | None = Field(None, description="Cursor of the next page; null on the last page.")


class DocumentIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_POST_CHARS)
    title: str | None = Field(None, max_length=10_000)
    url: str | None = Field(None, max_length=10_000, description="Kept as metadata; never fetched.")
    outlet: str | None = Field(None, max_length=10_000)
    published: str | None = Field(None, max_length=64, description="ISO 8601 date or datetime.")


class StoredOut(BaseModel):
    id: str
    stored: bool = Field(description="False when the same text was already stored.")
    claims: int


async def filters(
    since: Annotated[
        str | None, Query(description="Published on or after (ISO 8601).", max_length=64)
    ] = None,
    until: Annotated[
        str | None, Query(description="Published on or before, at the precision given.", max_length=64)
    ] = None,
    source: Annotated[str | None, Query(description="Source key or id.", max_length=1000)] = None,
    grade: Annotated[
        str | None, Query(description='Admiralty grade ("B2", "B" or "2").', max_length=8)
    ] = None,
    place: Annotated[str | None, Query(description="Place name or gazetteer id.", max_length=1000)] = None,
    document: Annotated[str | None, Query(description="One document id.", max_length=200)] = None,
) -> Filters:
    return Filters(since=since, until=until, source=source, grade=grade, place=place, document=document)


Cursor = Annotated[str | None, Query(description="The `next` value of the previous page.", max_length=400)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]
State = Annotated[WebState, Depends(state_of)]
FilterArgs = Annotated[Filters, Depends(filters)]


@router.get("/documents", response_model=PageOut, summary="Documents (summaries)")
def list_documents(
    state: State,
    f: FilterArgs,
    q: Annotated[
        str | None, Query(description="Words that must all appear in the title or text.", max_length=500)
    ] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> FastJSONResponse:
    chosen = Filters(f.since, f.until, f.source, f.grade, f.place, f.document, q)
    return FastJSONResponse(state.reader.documents(chosen, cursor, limit).to_json())


@router.get("/search", response_model=PageOut, summary="Full-text search over text, claims and sources")
def search_documents(
    state: State,
    f: FilterArgs,
    q: Annotated[
        str | None,
        Query(description="Words that must all appear (plain words; no operators).", max_length=500),
    ] = None,
    cursor: Cursor = None,
    limit: Limit = SEARCH_LIMIT,
) -> FastJSONResponse:
    """Hits are documents, newest stored first, each with ``span`` (offsets of the first match in the
    text), ``snippet`` (pieces marked ``match``), the matching ``claims`` and ``sources``, and ``href``
    (the document page with the span highlighted). ``since``, ``until`` and ``document`` filter."""
    return FastJSONResponse(state.reader.search(q, f, cursor, limit).to_json())


@router.get("/documents/{document_id}", summary="One document with its analysis")
def get_document(state: State, document_id: str) -> FastJSONResponse:
    found = state.reader.document_json(document_id)
    if found is None:
        raise HTTPException(404, "no such document")
    return FastJSONResponse(found)


def _items(kind: str) -> Any:
    def route(
        state: State, f: FilterArgs, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
    ) -> FastJSONResponse:
        return FastJSONResponse(state.reader.items(kind, f, cursor, limit).to_json())

    route.__name__ = f"list_{kind}"
    return route


for _kind in ("sources", "claims", "events", "places"):
    router.add_api_route(
        f"/{_kind}", _items(_kind), methods=["GET"], response_model=PageOut, summary=_kind.title()
    )


@router.get("/stories", response_model=PageOut, summary="Stories")
def list_stories(
    state: State, f: FilterArgs, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> FastJSONResponse:
    return FastJSONResponse(state.reader.stories(f, cursor, limit).to_json())


@router.get("/assessments", response_model=PageOut, summary="Assessments (grades)")
def list_assessments(
    state: State, f: FilterArgs, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> FastJSONResponse:
    return FastJSONResponse(state.reader.assessments(f, cursor, limit).to_json())


@router.get("/export", summary="The whole store as one file", response_class=StreamingResponse)
def export(
    state: State,
    format: Annotated[str, Query(pattern="^(" + "|".join(EXPORT_FORMATS) + ")$")] = "jsonl",
) -> StreamingResponse:
    return StreamingResponse(
        export_chunks(state.store, format),
        media_type=EXPORT_MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="claimgraph.{format}"'},
    )


@router.post("/documents", status_code=201, response_model=StoredOut, summary="Analyze and store an article")
def post_document(
    state: State,
    body: DocumentIn,
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Off (403) unless the server was started with a token; then needs ``Authorization: Bearer TOKEN``."""
    if state.token is None:
        raise HTTPException(403, "analysis through the API is off (start the server with --token)")
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), state.token.encode()):
        raise HTTPException(401, "a valid bearer token is needed", headers={"WWW-Authenticate": "Bearer"})
    document = Document(
        text=body.text,
        title=body.title,
        url=body.url,
        outlet=body.outlet,
        published=body.published,
        path=None,
    )
    analysis = state.pipeline().analyze(document)
    stored = state.store.save(analysis)
    return {"id": analysis.document.id, "stored": stored, "claims": len(analysis.claims)}
