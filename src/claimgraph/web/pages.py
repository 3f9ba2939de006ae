"""The HTML pages: stories (or documents) list, document, source and story pages.

Each route reads through ``StoreReader``, builds plain view data
(``highlight``, ``story``) and renders a Jinja2 template with autoescape on.
No template marks article-derived text safe; links into the app are built
from URL-quoted ids, and a document's own URL is linked only when it is
``http(s)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import jinja2
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from claimgraph.export import grade, grade_order, grades_by_subject
from claimgraph.model import Analysis, Claim, DocumentAnalysis
from claimgraph.report import chain_label, origin_of, removed_summary, shorten, source_label, spans_text
from claimgraph.web.app import WebState, state_of
from claimgraph.web.highlight import anchor, parse_hit, segments
from claimgraph.web.queries import Filters
from claimgraph.web.search import CLAIM_TEXT_CHARS, source_href
from claimgraph.web.story import graph_layout, map_view, timeline

router = APIRouter(include_in_schema=False)

TEMPLATE_DIR = Path(__file__).parent / "templates"
LINKABLE_SCHEMES = frozenset({"http", "https"})
# Documents per page of the documents list.
LIST_PAGE_SIZE = 50
# Documents a source page reads: a prolific source's most recent appearances are
# enough to see through whom it speaks; the API lists all of them.
SOURCE_PAGE_DOCUMENTS = 100
# Stories per page of the home page (a screenful to scan; "Next page" and the API go further).
HOME_STORIES = 100
# Hits per page of the search page.
SEARCH_PAGE_SIZE = 20


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # packaged templates do not change while serving: no stat() per render
    )
    env.filters["urlpart"] = lambda value: quote(str(value), safe="")
    return Jinja2Templates(env=env)


async def templates_of(request: Request) -> Jinja2Templates:
    """One template environment per app, made on first use."""
    found: Jinja2Templates | None = getattr(request.app.state, "templates", None)
    if found is None:
        found = _templates()
        request.app.state.templates = found
    return found


State = Annotated[WebState, Depends(state_of)]
Templates = Annotated[Jinja2Templates, Depends(templates_of)]


def safe_href(url: str | None) -> str | None:
    """``url`` when it is an http(s) URL that can be a link, else None."""
    if not url or not url.isprintable():
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in LINKABLE_SCHEMES else None


@dataclass(slots=True)
class ClaimRow:
    anchor: str
    number: int
    content: str
    speaker: str
    speaker_href: str
    via: str
    mode: str
    hedged: bool
    anonymous: bool
    grades: list[str]


def _source_href(da: DocumentAnalysis, source_id: str | None) -> str:
    source = da.source(source_id) if source_id else None
    if source is None:
        return ""
    return source_href(source.key or source.id)


def claim_rows(da: DocumentAnalysis, grades: dict[str, list[Any]]) -> list[ClaimRow]:
    text = da.document.text
    rows = []
    for i, claim in enumerate(da.claims):
        origin = origin_of(claim)
        source = da.source(origin) if origin else None
        rows.append(
            ClaimRow(
                anchor=anchor("claim", i),
                number=i + 1,
                content=spans_text(text, claim.content, CLAIM_TEXT_CHARS) or "(no content span)",
                speaker=source_label(da, origin) if origin else "unattributed / author",
                speaker_href=_source_href(da, origin),
                via=chain_label(da, claim.chain[:-1]),
                mode=claim.mode,
                hedged=claim.hedged,
                anonymous=bool(source and source.anonymous),
                grades=sorted((grade(a) for a in grades.get(claim.id, ())), key=grade_order),
            )
        )
    return rows


def _render(templates: Jinja2Templates, request: Request, name: str, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context)


@dataclass(frozen=True, slots=True)
class StoryRow:
    """A row of the stories page (attributes, not dict keys: templates read them many times)."""

    id: str
    label: str
    documents: int
    events: int
    origins: int
    best: str
    worst: str


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    state: State,
    templates: Templates,
    after: Annotated[int | None, Query(ge=-1, description="Show stories after this position")] = None,
) -> HTMLResponse:
    """Stories with their counts and grades, a page at a time; the documents list while there are no stories."""
    summaries, more = state.reader.story_summaries(HOME_STORIES, after)
    if not summaries and after is None:
        return documents_page(request, state, templates)
    stories = []
    for summary in summaries:
        ordered = sorted(summary.grades, key=grade_order)
        stories.append(
            StoryRow(
                id=summary.id,
                label=summary.label or summary.id,
                documents=summary.documents,
                events=summary.events,
                origins=summary.origins,
                best=ordered[0] if ordered else "",
                worst=ordered[-1] if ordered else "",
            )
        )
    following = summaries[-1].ord if more and summaries else None
    return _render(templates, request, "stories.html", stories=stories, next=following, first=after is None)


@router.get("/documents", response_class=HTMLResponse)
def documents_page(
    request: Request,
    state: State,
    templates: Templates,
    q: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> HTMLResponse:
    page = state.reader.documents(Filters(q=q or None), cursor, LIST_PAGE_SIZE)
    return _render(templates, request, "documents.html", documents=page.items, next=page.next, q=q or "")


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    state: State,
    templates: Templates,
    q: Annotated[str | None, Query(max_length=500)] = None,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> HTMLResponse:
    """Full-text hits over article text, claims and sources, each linking to its highlighted span."""
    page = state.reader.search(q, Filters(), cursor, SEARCH_PAGE_SIZE)
    return _render(templates, request, "search.html", hits=page.items, next=page.next, q=q or "")


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(
    request: Request,
    state: State,
    templates: Templates,
    document_id: str,
    hl: Annotated[str | None, Query(max_length=40, description="START-END: a span to highlight")] = None,
) -> HTMLResponse:
    analysis = state.reader.document(document_id)
    if analysis is None:
        raise HTTPException(404, "no such document")
    da = analysis.documents[0]
    grades = grades_by_subject(analysis.assessments)
    doc = da.document
    return _render(
        templates,
        request,
        "document.html",
        doc=doc,
        heading=shorten(doc.title or doc.path or doc.id, 200),
        href=safe_href(doc.url),
        noise=removed_summary(doc),
        segments=segments(da, parse_hit(hl, len(doc.text))),
        claims=claim_rows(da, grades),
        sources=[
            {
                "anchor": anchor("source", i),
                "label": source_label(da, s.id),
                "kind": s.kind,
                "anonymous": s.anonymous,
                "href": _source_href(da, s.id),
            }
            for i, s in enumerate(da.sources)
        ],
        events=[
            {"anchor": anchor("event", i), "type": e.type, "time": e.time} for i, e in enumerate(da.events)
        ],
        places=[
            {"anchor": anchor("place", i), "name": p.name, "country": p.country}
            for i, p in enumerate(da.places)
        ],
        stories=analysis.stories,
        graph=graph_layout(analysis),
        map=map_view(analysis),
    )


@router.get("/sources/{key:path}", response_class=HTMLResponse)
def source_page(request: Request, state: State, templates: Templates, key: str) -> HTMLResponse:
    """What a source (by key, or by id for a source without one) said, in which documents, through whom."""
    ids = state.reader.source_documents(key, SOURCE_PAGE_DOCUMENTS)
    if not ids:
        raise HTTPException(404, "no such source")
    analysis = state.store.load(ids)
    grades = grades_by_subject(analysis.assessments)
    label, kind, anonymous = key, "", False
    appearances = []
    for da in analysis.documents:
        mine = {s.id for s in da.sources if s.key == key or s.id == key}
        if mine:
            first = da.source(next(iter(sorted(mine))))
            if first is not None:
                label, kind, anonymous = source_label(da, first.id), first.kind, first.anonymous
        said = [r for r, c in zip(claim_rows(da, grades), da.claims, strict=True) if _role(c, mine)]
        relayed = [
            r for r, c in zip(claim_rows(da, grades), da.claims, strict=True) if _role(c, mine) == "relay"
        ]
        appearances.append({"doc": da.document, "said": said, "relayed": {r.anchor for r in relayed}})
    return _render(
        templates,
        request,
        "source.html",
        label=label,
        key=key,
        kind=kind,
        anonymous=anonymous,
        appearances=appearances,
    )


def _role(claim: Claim, mine: set[str]) -> str:
    """How a source took part in a claim: "origin", "relay", or "" when not at all."""
    origin = origin_of(claim)
    if origin in mine:
        return "origin"
    if any(s in mine for s in claim.chain):
        return "relay"
    return ""


@router.get("/stories/{story_id:path}", response_class=HTMLResponse)
def story_page(request: Request, state: State, templates: Templates, story_id: str) -> HTMLResponse:
    found = state.reader.load_stories([story_id])
    if not found:
        raise HTTPException(404, "no such story")
    story = found[0]
    known = state.reader.known_documents(story.documents)
    analysis = state.store.load(known) if known else Analysis()
    extra = state.reader.assessments_about([story.id, *story.events])
    have = {a.id for a in analysis.assessments}
    analysis.assessments.extend(a for a in extra if a.id not in have)
    return _render(
        templates,
        request,
        "story.html",
        story=story,
        documents=[da.document for da in analysis.documents],
        assessments=analysis.assessments,
        graph=graph_layout(analysis),
        map=map_view(analysis),
        timeline=timeline(analysis),
    )
