"""Watch feeds: the library function behind ``claimgraph watch``.

One poll (``watch_once``) reads, for each feed URL in turn:

    feed      conditional GET (state's ETag / Last-Modified); 304 -> nothing to do
    entries   links not handled on an earlier poll (FeedState.seen)
    pages     fetched (ingest.web), main text by the HTML reader (trafilatura),
              title / date / site name filled from the feed when the page lacks them
    store     texts already stored are passed over; the rest analyzed by the
              pipeline and saved, one transaction each, under one run per poll

Every failure (feed or page unreachable, HTTP error, timeout, no article text,
analysis error) becomes a ``Skipped`` recorded with ``store.record_failure`` and
the poll goes on. A page that failed for good (4xx, no article) is remembered as
handled; one that may work later (timeout, 5xx) is not, and the feed's validators
are then dropped so that the next poll fetches the feed again and retries it.

``watch`` repeats polls every ``every`` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from claimgraph.errors import InputError
from claimgraph.ingest.feeds import Feed, FeedEntry, FeedState, FeedStates, fetch_feed, now_iso
from claimgraph.ingest.html import html_document
from claimgraph.ingest.text import locate_title
from claimgraph.ingest.web import FetchError, FetchLimits, fetch
from claimgraph.model import Document, Skipped
from claimgraph.pipeline import Pipeline
from claimgraph.store.base import Store

# Content types read as article pages; a missing Content-Type is tried as HTML too.
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/xml", "application/xml", "text/plain")
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"


@dataclass(slots=True)
class FeedReport:
    """What one poll did with one feed."""

    url: str
    status: str = "fetched"  # fetched | not modified | failed
    entries: int = 0  # entries the feed lists
    analyzed: int = 0  # articles analyzed and stored now
    already_stored: int = 0  # articles whose text the store held already
    failed: int = 0  # pages that could not be fetched, read or analyzed


@dataclass(slots=True)
class PollResult:
    """One poll over every feed: per-feed reports, failures, ids of documents stored."""

    run_id: str
    feeds: list[FeedReport] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    stored: list[str] = field(default_factory=list)


def watch_once(
    feed_urls: Sequence[str],
    pipeline: Pipeline,
    store: Store,
    states: FeedStates,
    limits: FetchLimits | None = None,
) -> PollResult:
    """Poll every feed once, store the new articles; updates and saves ``states``."""
    limits = limits if limits is not None else FetchLimits()
    run_id = store.start_run("watch", {"feeds": list(feed_urls), "allow_private": limits.allow_private})
    poll = _Poll(PollResult(run_id=run_id), pipeline, store, limits)
    status = "failed"
    try:
        for url in feed_urls:
            poll.result.feeds.append(poll.feed(url, states.get(url)))
            states.save()
        status = "done"
    finally:
        store.finish_run(run_id, status)
    return poll.result


def watch(
    feed_urls: Sequence[str],
    pipeline: Pipeline,
    store: Store,
    states: FeedStates,
    *,
    every: float,
    limits: FetchLimits | None = None,
    polls: int | None = None,
    on_poll: Callable[[PollResult], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Poll, then again every ``every`` seconds (from the start of the last poll), ``polls``
    times or until interrupted. Hands each result to ``on_poll``; returns the polls done."""
    done = 0
    while polls is None or done < polls:
        started = time.monotonic()
        result = watch_once(feed_urls, pipeline, store, states, limits)
        done += 1
        if on_poll is not None:
            on_poll(result)
        if polls is not None and done >= polls:
            break
        sleep(max(0.0, every - (time.monotonic() - started)))
    return done


def fetch_article(entry: FeedEntry, feed: Feed, limits: FetchLimits) -> tuple[Document | Skipped, bool]:
    """The article an entry links to, or Skipped; the flag is True when a retry may succeed.

    The Document's ``path`` is the entry link; ``url`` the page's canonical URL (or the
    final URL fetched); ``title``, ``published`` and ``outlet`` come from the page,
    else from the feed entry and the feed title; ``meta["feed"]`` names the feed.
    """
    try:
        response = fetch(entry.link, limits, headers={"Accept": PAGE_ACCEPT})
    except FetchError as error:
        return Skipped(entry.link, error.problem), error.transient
    content_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type and content_type not in PAGE_TYPES:
        return Skipped(entry.link, f"not an HTML page ({content_type})"), False
    document = html_document(response.body, entry.link)
    if isinstance(document, Skipped):
        return document, False
    document.url = document.url or response.url
    if document.title is None and entry.title:
        document.title = entry.title
        document.title_span = locate_title(document.text, entry.title)
    document.published = document.published or entry.published
    document.outlet = document.outlet or feed.title
    document.meta["feed"] = feed.url
    return document, False


class _Poll:
    """State shared by the feeds of one poll: links and texts already handled in it."""

    def __init__(self, result: PollResult, pipeline: Pipeline, store: Store, limits: FetchLimits) -> None:
        self.result = result
        self.pipeline = pipeline
        self.store = store
        self.limits = limits
        self.links: set[str] = set()
        self.ids: set[str] = set()

    def fail(self, skipped: Skipped) -> None:
        self.result.skipped.append(skipped)
        self.store.record_failure(self.result.run_id, skipped)

    def feed(self, url: str, state: FeedState) -> FeedReport:
        report = FeedReport(url)
        try:
            feed = fetch_feed(url, state, self.limits)
        except InputError as error:
            self.fail(Skipped(url, error.problem))
            report.status = "failed"
            return report
        state.checked = now_iso()
        if feed is None:
            report.status = "not modified"
            return report
        report.entries = len(feed.entries)
        retry: list[str] = []
        fresh = [e for e in feed.entries if e.link not in state.seen and e.link not in self.links]

        def failed(document: Document, error: Exception) -> None:
            self.fail(
                Skipped(document.path or document.id, f"analysis failed: {type(error).__name__}: {error}")
            )
            report.failed += 1
            state.remember(document.path or document.id)

        documents = self._documents(fresh, feed, state, report, retry)
        for analysis in self.pipeline.analyze_many(documents, on_error=failed):
            self.store.save(analysis, run_id=self.result.run_id)
            self.result.stored.append(analysis.document.id)
            report.analyzed += 1
            state.remember(analysis.document.path or analysis.document.id)
        # Validators are kept only when nothing is left to retry; otherwise the next poll
        # must get the whole feed again to see the entries that failed for now.
        state.etag = None if retry else feed.etag
        state.last_modified = None if retry else feed.last_modified
        return report

    def _documents(
        self, entries: list[FeedEntry], feed: Feed, state: FeedState, report: FeedReport, retry: list[str]
    ) -> Iterator[Document]:
        for entry in entries:
            self.links.add(entry.link)
            item, transient = fetch_article(entry, feed, self.limits)
            if isinstance(item, Skipped):
                self.fail(item)
                report.failed += 1
                if transient:
                    retry.append(entry.link)
                else:
                    state.remember(entry.link)
                continue
            if item.id in self.ids or self.store.has_document(item.hash):
                report.already_stored += 1
                state.remember(entry.link)
                continue
            self.ids.add(item.id)
            yield item
