"""HTML pages (``.html``, ``.htm``): main text and metadata by trafilatura.

Reads the page's bytes, adds ``Document.text`` (the extracted main text, one paragraph
a line), ``title`` (and ``title_span`` when the text opens with it), ``published``
(ISO date), ``outlet`` (site name), ``url``, and in ``meta`` the author, description,
hostname, categories and tags the page declares.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import trafilatura

from claimgraph.ingest.text import describe_os_error, locate_title
from claimgraph.model import Document, Skipped

# trafilatura's metadata fields kept in Document.meta when the page has them.
META_FIELDS = ("author", "description", "hostname", "categories", "tags")
# Extracted text shorter than this is not an article: on pages without one, trafilatura
# falls back to leftovers such as a menu word ("Home"). The shortest news briefs are a
# sentence of 60 characters or more.
HTML_MIN_TEXT_CHARS = 40


def html_document(page: bytes | str, path: str) -> Document | Skipped:
    """A Document for one HTML page, or Skipped when no main text can be extracted."""
    if not page.strip():
        return Skipped(path, "empty file")
    try:
        extracted = trafilatura.bare_extraction(page, with_metadata=True, include_comments=False)
    except Exception as error:  # trafilatura and lxml raise many kinds on broken pages
        return Skipped(path, f"HTML extraction failed: {type(error).__name__}: {error}")
    if extracted is None:
        return Skipped(path, "no main text found in the HTML page")
    text = _field(extracted, "text")
    if not isinstance(text, str) or len(text.strip()) < HTML_MIN_TEXT_CHARS:
        return Skipped(path, "no main text found in the HTML page")
    title = _string(_field(extracted, "title"))
    meta: dict[str, Any] = {}
    for name in META_FIELDS:
        value = _field(extracted, name)
        if value:
            meta[name] = value
    return Document(
        text=text,
        path=path,
        title=title,
        title_span=locate_title(text, title) if title else None,
        outlet=_string(_field(extracted, "sitename")),
        published=_string(_field(extracted, "date")),
        url=_string(_field(extracted, "url")),
        meta=meta,
    )


def read_html(path: Path, shown: str) -> Iterator[Document | Skipped]:
    """Read one HTML file; ``shown`` is the path as the user gave it."""
    try:
        page = path.read_bytes()
    except OSError as error:
        yield Skipped(shown, describe_os_error(error))
        return
    yield html_document(page, shown)


def _field(extracted: object, name: str) -> Any:
    """One field of trafilatura's result, whether it came as an object or a dict."""
    if isinstance(extracted, dict):
        return extracted.get(name)
    return getattr(extracted, name, None)


def _string(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
