"""The analyst's web app and HTTP API over a store (``claimgraph serve``).

    app.py        create_app(store_url, token): the ASGI app, security headers
    api.py        JSON API under /api (OpenAPI at /openapi.json)
    pages.py      HTML pages: stories, search, documents, document, source, story
    queries.py    filtered, cursor-paginated reads over the store's tables
    search.py     full-text search (SQLite FTS5, PostgreSQL tsvector) with offsets and snippets
    cache.py      what a reader keeps: rebuilt documents, store-versioned results, read-only connections
    highlight.py  a document's text cut into highlighted segments
    story.py      provenance graph, map and timeline as plain data
    basemap.py    the bundled world basemap (built once from world-atlas)
    templates/ static/

Importing this package loads nothing: FastAPI is imported by ``app``.
"""
