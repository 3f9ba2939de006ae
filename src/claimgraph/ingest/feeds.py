"""RSS and Atom feeds: parse them (feedparser) and keep what each poll must remember.

``parse_feed(body, url)`` reads a feed's bytes into a ``Feed`` (title, entries with
absolute links, titles and ISO dates). ``fetch_feed`` gets a feed with a conditional
GET (``If-None-Match`` / ``If-Modified-Since`` from the stored validators) and
returns None on 304 Not Modified.

Feed state lives outside the store, in a small JSON file (``FeedStates``): by
default ``feeds.json`` in ``platformdirs.user_state_dir("claimgraph")``
(``~/.local/state/claimgraph/feeds.json`` on Linux), or a path the caller gives.
It maps each feed URL to its ETag, Last-Modified, the time of the last check and
the entry links already handled, newest last::

    {"version": 1, "feeds": {"https://example.org/rss": {"etag": "\\"abc\\"",
      "last_modified": "Tue, 09 May 2023 08:30:00 GMT", "checked": "2023-05-09T08:31:02+00:00",
      "seen": ["https://example.org/a", "https://example.org/b"]}}}

Two watchers sharing one state file may each fetch an entry once: the store's
content hashes still keep every article stored once.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import platformdirs

from claimgraph.errors import InputError
from claimgraph.ingest.web import FetchLimits, fetch

STATE_FILE_NAME = "feeds.json"
STATE_VERSION = 1
# Entry links remembered per feed. Feeds list their latest 10-100 entries (news sites'
# RSS usually 20-50); 1,000 covers weeks of a busy feed while keeping the file small.
SEEN_MAX = 1000


def default_state_path() -> Path:
    """``feeds.json`` in the user state directory (not created here)."""
    return Path(platformdirs.user_state_dir("claimgraph")) / STATE_FILE_NAME


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed: the article's link and what the feed says about it."""

    link: str
    title: str | None = None
    published: str | None = None  # ISO 8601 datetime (UTC)


@dataclass(frozen=True, slots=True)
class Feed:
    """A parsed feed: its final URL, title, validators and entries in feed order."""

    url: str
    title: str | None
    entries: tuple[FeedEntry, ...]
    etag: str | None = None
    last_modified: str | None = None


@dataclass(slots=True)
class FeedState:
    """What was learnt about one feed on earlier polls."""

    etag: str | None = None
    last_modified: str | None = None
    checked: str | None = None
    seen: list[str] = field(default_factory=list)

    def conditional_headers(self) -> dict[str, str]:
        """``If-None-Match`` / ``If-Modified-Since`` for the validators known."""
        headers: dict[str, str] = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def remember(self, link: str) -> None:
        """Add an entry link as handled (the oldest drop out past SEEN_MAX)."""
        if link in self.seen:
            return
        self.seen.append(link)
        del self.seen[:-SEEN_MAX]


class FeedStates:
    """Every feed's state, read from and written to one JSON file."""

    def __init__(self, path: Path, feeds: dict[str, FeedState] | None = None) -> None:
        self.path = path
        self.feeds: dict[str, FeedState] = feeds if feeds is not None else {}

    @classmethod
    def load(cls, path: Path | None = None) -> FeedStates:
        """Read the state file (``default_state_path()`` when None); a missing file is empty state.

        Raises InputError when the file exists but is not a feed state file.
        """
        path = path if path is not None else default_state_path()
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(str(path), f"cannot read the feed state: {error}") from error
        try:
            data = json.loads(raw)
            feeds = {url: _state_from_json(item) for url, item in data["feeds"].items()}
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError) as error:
            raise InputError(str(path), f"not a claimgraph feed state file ({error})") from error
        return cls(path, feeds)

    def get(self, url: str) -> FeedState:
        """The state of one feed, created empty on first use."""
        return self.feeds.setdefault(url, FeedState())

    def save(self) -> None:
        """Write the file atomically (a temporary file renamed over it). Raises InputError."""
        data = {
            "version": STATE_VERSION,
            "feeds": {
                url: {
                    "etag": s.etag,
                    "last_modified": s.last_modified,
                    "checked": s.checked,
                    "seen": list(s.seen),
                }
                for url, s in self.feeds.items()
            },
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".feeds-", suffix=".json", dir=self.path.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=1)
            os.replace(temporary, self.path)
        except OSError as error:
            raise InputError(str(self.path), f"cannot write the feed state: {error}") from error


def fetch_feed(url: str, state: FeedState, limits: FetchLimits) -> Feed | None:
    """Get and parse one feed with a conditional GET; None when the server answers 304.

    Reads ``state``'s validators and does not change it. Raises InputError (FetchError
    for network problems).
    """
    response = fetch(url, limits, headers=state.conditional_headers())
    if response.not_modified:
        return None
    feed = parse_feed(response.body, response.url, response.headers.get("content-type"))
    return Feed(
        url=feed.url,
        title=feed.title,
        entries=feed.entries,
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> Feed:
    """Parse RSS or Atom bytes fetched from ``url``; relative links are resolved against it.

    Entries without an http(s) link are left out. Raises InputError when the bytes
    are not a feed.
    """
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # A file object, never bytes or str: feedparser would take a string for a URL or a path.
    parsed: Any = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=True)
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception") or "no RSS or Atom elements"
        raise InputError(url, f"not an RSS or Atom feed: {problem}")
    entries: list[FeedEntry] = []
    for entry in parsed.entries:
        link = _entry_link(entry, url)
        if link is None:
            continue
        entries.append(FeedEntry(link=link, title=_clean(entry.get("title")), published=_entry_date(entry)))
    return Feed(url=url, title=_clean(parsed.feed.get("title")), entries=tuple(entries))


def now_iso() -> str:
    """The current UTC time as ISO 8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _entry_link(entry: Any, base: str) -> str | None:
    candidates = [entry.get("link")]
    candidates += [
        link.get("href") for link in entry.get("links", []) if link.get("rel", "alternate") == "alternate"
    ]
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            absolute = urljoin(base, candidate.strip())
            if urlsplit(absolute).scheme in ("http", "https"):
                return absolute.split("#", 1)[0]
    return None


def _entry_date(entry: Any) -> str | None:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            try:
                return datetime(*value[:6], tzinfo=UTC).isoformat()
            except ValueError:
                continue
    return None


def _clean(value: Any) -> str | None:
    return " ".join(value.split()) or None if isinstance(value, str) else None


def _state_from_json(item: Any) -> FeedState:
    if not isinstance(item, dict):
        raise ValueError("a feed's state must be an object")
    seen = item.get("seen", [])
    if not isinstance(seen, list) or not all(isinstance(link, str) for link in seen):
        raise ValueError("'seen' must be a list of links")
    fields = {}
    for name in ("etag", "last_modified", "checked"):
        value = item.get(name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name!r} must be a string")
        fields[name] = value
    return FeedState(seen=list(seen), **fields)
