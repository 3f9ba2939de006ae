"""Feeds and URL ingestion against a real HTTP server on 127.0.0.1 (no other network).

The server serves the fictional feeds and pages in tests/fixtures/feeds/ and records
every request, so the tests can assert what claimgraph sent (conditional headers,
User-Agent) and what it did not fetch.
"""

from __future__ import annotations

import gzip
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import click
import pytest
from click.testing import CliRunner

from claimgraph.errors import InputError
from claimgraph.ingest.feeds import SEEN_MAX, FeedState, FeedStates, default_state_path, parse_feed
from claimgraph.ingest.web import USER_AGENT, FetchError, FetchLimits, check_url, fetch, non_public_kind
from claimgraph.store import Store, open_store
from claimgraph.watch import PollResult, watch, watch_once

if TYPE_CHECKING:
    from claimgraph.pipeline import Pipeline

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
LOCAL = FetchLimits(allow_private=True, timeout=5.0, deadline=10.0)
ETAG = '"harbour-v1"'
LAST_MODIFIED = "Thu, 11 May 2023 17:00:00 GMT"

Answer = tuple[int, dict[str, str], bytes]
Route = Answer | Callable[["Handler"], Answer]


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that gave up is expected
            super().handle_error(request, client_address)  # type: ignore[arg-type]

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    def headers_for(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.requests if p == path]

    def fixture(self, name: str) -> bytes:
        return (FIXTURES / name).read_bytes().replace(b"{base}", self.base.encode())

    def page(self, path: str, name: str) -> None:
        self.routes[path] = (200, {"Content-Type": "text/html; charset=utf-8"}, self.fixture(name))

    def feed(self, path: str, name: str, *, validators: bool = True) -> None:
        """Serve a feed; with validators, answer 304 to a matching conditional GET."""
        body = self.fixture(name)
        kind = "application/atom+xml" if name.endswith(".atom") else "application/rss+xml"

        def answer(request: Handler) -> Answer:
            if not validators:
                return 200, {"Content-Type": kind}, body
            fresh = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
            if request.headers.get("If-None-Match") == ETAG:
                return 304, fresh, b""
            return 200, {"Content-Type": kind, **fresh}, body

        self.routes[path] = answer


class Handler(BaseHTTPRequestHandler):
    server: Server

    def do_GET(self) -> None:
        self.server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        route = self.server.routes.get(self.path)
        status, headers, body = (
            (404, {}, b"not here") if route is None else (route(self) if callable(route) else route)
        )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers and status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def server() -> Iterator[Server]:
    httpd = Server()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def site(server: Server) -> Server:
    """Both fixture feeds and their pages; /council/missing.html is left to 404."""
    server.feed("/harbour.rss", "harbour.rss")
    server.feed("/council.atom", "council.atom")
    for name in ("tram", "ferry", "market"):
        server.page(f"/news/{name}.html", f"{name}.html")
    server.page("/council/library.html", "library.html")
    server.page("/council/agenda.html", "agenda.html")
    return server


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(str(tmp_path / "store.db")) as s:
        yield s


@pytest.fixture
def states(tmp_path: Path) -> FeedStates:
    return FeedStates.load(tmp_path / "state" / "feeds.json")


# --- watch: polls against the local server -------------------------------------------------


def test_first_poll_stores_articles_and_second_is_not_modified(
    site: Server, pipeline: Pipeline, store: Store, states: FeedStates
) -> None:
    feed = site.base + "/harbour.rss"
    first = watch_once([feed], pipeline, store, states, LOCAL)
    assert [(r.status, r.entries, r.analyzed, r.failed) for r in first.feeds] == [("fetched", 3, 3, 0)]
    assert store.count_documents() == 3
    documents = {d.document.path: d.document for d in store.load().documents}
    tram = documents[site.base + "/news/tram.html"]
    assert tram.title == "Tram line to reach the old harbour by 2027"
    assert tram.outlet == "The Meriden Courier"
    assert tram.published is not None and tram.published.startswith("2023-05-09")
    assert tram.url == site.base + "/news/tram.html"
    assert tram.meta["feed"] == feed
    # the relative RSS link was resolved against the feed's URL
    assert site.base + "/news/market.html" in documents
    assert all(h["user-agent"] == USER_AGENT for _, h in site.requests)

    fetched = len(site.requests)
    second = watch_once([feed], pipeline, store, states, LOCAL)
    assert [r.status for r in second.feeds] == ["not modified"]
    assert site.paths()[fetched:] == ["/harbour.rss"]  # no page fetched again
    conditional = site.headers_for("/harbour.rss")[-1]
    assert conditional["if-none-match"] == ETAG
    assert conditional["if-modified-since"] == LAST_MODIFIED
    assert second.stored == [] and store.count_documents() == 3
    assert [run.status for run in store.runs()] == ["done", "done"]


def test_state_file_survives_a_restart(
    site: Server, pipeline: Pipeline, store: Store, states: FeedStates
) -> None:
    feed = site.base + "/harbour.rss"
    watch_once([feed], pipeline, store, states, LOCAL)
    reloaded = FeedStates.load(states.path)
    assert reloaded.get(feed).etag == ETAG
    assert reloaded.get(feed).last_modified == LAST_MODIFIED
    assert len(reloaded.get(feed).seen) == 3
    result = watch_once([feed], pipeline, store, reloaded, LOCAL)
    assert result.feeds[0].status == "not modified"


def test_broken_link_and_page_without_article_are_recorded_and_the_rest_stored(
    site: Server, pipeline: Pipeline, store: Store, states: FeedStates
) -> None:
    result = watch_once([site.base + "/council.atom"], pipeline, store, states, LOCAL)
    report = result.feeds[0]
    assert (report.entries, report.analyzed, report.failed) == (3, 1, 2)
    assert store.count_documents() == 1
    failures = {s.path: s.problem for s in store.failures(result.run_id)}
    assert failures[site.base + "/council/missing.html"].startswith("HTTP 404")
    assert "no main text" in failures[site.base + "/council/agenda.html"]
    assert result.skipped == store.failures(result.run_id)
    # permanent failures are handled: the feed's validators are kept
    assert states.get(site.base + "/council.atom").etag == ETAG


def test_transient_failure_is_retried_on_the_next_poll(
    site: Server, pipeline: Pipeline, store: Store, states: FeedStates
) -> None:
    attempts: list[int] = []
    ferry = site.fixture("ferry.html")

    def flaky(_request: Handler) -> Answer:
        attempts.append(1)
        if len(attempts) == 1:
            return 503, {}, b"busy"
        return 200, {"Content-Type": "text/html"}, ferry

    site.routes["/news/ferry.html"] = flaky
    feed = site.base + "/harbour.rss"
    first = watch_once([feed], pipeline, store, states, LOCAL)
    assert (first.feeds[0].analyzed, first.feeds[0].failed) == (2, 1)
    assert "HTTP 503" in first.skipped[0].problem
    assert states.get(feed).etag is None  # the feed must be read again next time

    fetched = len(site.requests)
    second = watch_once([feed], pipeline, store, states, LOCAL)
    assert second.feeds[0].status == "fetched"
    assert "if-none-match" not in site.headers_for("/harbour.rss")[-1]
    assert site.paths()[fetched:] == ["/harbour.rss", "/news/ferry.html"]  # seen entries not refetched
    assert second.feeds[0].analyzed == 1 and store.count_documents() == 3
    assert states.get(feed).etag == ETAG


def test_text_already_stored_is_not_analyzed_again(
    site: Server, pipeline: Pipeline, store: Store, states: FeedStates
) -> None:
    site.page("/mirror/tram.html", "tram.html")
    site.routes["/mirror.rss"] = (
        200,
        {"Content-Type": "application/rss+xml"},
        b'<rss version="2.0"><channel><title>Mirror</title><item><title>Copy</title>'
        + f"<link>{site.base}/mirror/tram.html</link></item></channel></rss>".encode(),
    )
    result = watch_once(
        [site.base + "/harbour.rss", site.base + "/mirror.rss"], pipeline, store, states, LOCAL
    )
    assert [(r.analyzed, r.already_stored) for r in result.feeds] == [(3, 0), (0, 1)]
    assert store.count_documents() == 3


def test_unreachable_feed_is_a_failure_and_the_poll_goes_on(
    site: Server, pipeline: Pipeline, store: Store, states: FeedStates
) -> None:
    site.routes["/not-a-feed"] = (200, {"Content-Type": "text/html"}, b"<html><body>hello</body></html>")
    feeds = [site.base + "/gone.rss", site.base + "/not-a-feed", site.base + "/harbour.rss"]
    result = watch_once(feeds, pipeline, store, states, LOCAL)
    assert [r.status for r in result.feeds] == ["failed", "failed", "fetched"]
    problems = [s.problem for s in store.failures(result.run_id)]
    assert problems[0].startswith("HTTP 404")
    assert problems[1].startswith("not an RSS or Atom feed")
    assert store.count_documents() == 3


def test_private_address_refused_without_allow_private(
    site: Server, pipeline: Pipeline, store: Store, states: FeedStates
) -> None:
    with pytest.raises(FetchError, match="loopback"):
        fetch(site.base + "/harbour.rss", FetchLimits())
    result = watch_once([site.base + "/harbour.rss"], pipeline, store, states)
    assert result.feeds[0].status == "failed"
    assert "refused" in store.failures(result.run_id)[0].problem
    assert site.requests == []  # nothing was sent
    assert store.count_documents() == 0


def test_watch_loop_polls_the_requested_number_of_times(
    site: Server, pipeline: Pipeline, store: Store, states: FeedStates
) -> None:
    sleeps: list[float] = []
    seen: list[PollResult] = []
    done = watch(
        [site.base + "/harbour.rss"],
        pipeline,
        store,
        states,
        every=900,
        limits=LOCAL,
        polls=3,
        on_poll=seen.append,
        sleep=sleeps.append,
    )
    assert done == 3 and len(seen) == 3
    assert len(sleeps) == 2 and all(850 < s <= 900 for s in sleeps)
    assert [r.feeds[0].status for r in seen] == ["fetched", "not modified", "not modified"]


def test_cli_watch_once(
    site: Server, pipeline: Pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimgraph.cli_feeds import register
    from claimgraph.pipeline import Pipeline

    monkeypatch.setattr(Pipeline, "load", classmethod(lambda cls, model="": pipeline))
    group = click.Group()
    register(group)
    db = str(tmp_path / "cli.db")
    args = ["watch", site.base + "/harbour.rss", "--db", db, "--state", str(tmp_path / "s.json"), "--once"]
    refused = CliRunner().invoke(group, args)
    assert refused.exit_code == 1  # the only feed could not be read
    assert "failed" in refused.output and "refused" in refused.output
    result = CliRunner().invoke(group, [*args, "--allow-private"])
    assert result.exit_code == 0, result.output
    assert "3 entries, 3 analyzed, 0 already stored, 0 failed" in result.output
    with open_store(db) as stored:
        assert stored.count_documents() == 3
    too_often = CliRunner().invoke(group, [*args, "--every", "10s"])
    assert too_often.exit_code == 2 and "minimum" in too_often.output


# --- web: fetching one URL -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.7", "private"),
        ("169.254.169.254", "link-local"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("fe80::1%eth0", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "non-public"),
        ("93.184.215.14", None),
        ("2a00:1450:4001:80b::200e", None),
    ],
)
def test_non_public_addresses(address: str, kind: str | None) -> None:
    assert non_public_kind(address) == kind


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.org/feed", "javascript:alert(1)", "/relative", "http:///nohost"],
)
def test_only_http_and_https_urls_with_a_host(url: str) -> None:
    with pytest.raises(FetchError):
        check_url(url, allow_private=True)


def test_private_literal_refused_before_connecting() -> None:
    with pytest.raises(FetchError, match=r"private address \(10\.9\.8\.7\)"):
        fetch("http://10.9.8.7:9/feed", FetchLimits(timeout=0.5))


def test_redirects_are_followed_checked_and_limited(server: Server) -> None:
    server.page("/news/tram.html", "tram.html")
    server.routes["/old"] = (301, {"Location": "/news/tram.html"}, b"")
    server.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    server.routes["/escape"] = (302, {"Location": "file:///etc/passwd"}, b"")
    response = fetch(server.base + "/old", LOCAL)
    assert response.status == 200 and response.url == server.base + "/news/tram.html"
    with pytest.raises(FetchError, match="more than 2 redirects"):
        fetch(server.base + "/loop", FetchLimits(allow_private=True, max_redirects=2))
    assert server.paths().count("/loop") == 3
    with pytest.raises(FetchError, match="only http and https"):
        fetch(server.base + "/escape", LOCAL)


def test_body_size_is_limited_declared_or_not_and_after_decompression(server: Server) -> None:
    small = FetchLimits(allow_private=True, max_bytes=10_000)
    big = b"x" * 20_000
    server.routes["/declared"] = (200, {"Content-Type": "text/html"}, big)
    server.routes["/undeclared"] = (200, {"Content-Type": "text/html", "Content-Length": ""}, big)
    server.routes["/bomb"] = (200, {"Content-Encoding": "gzip"}, gzip.compress(b"\0" * 1_000_000))
    server.routes["/fine"] = (200, {"Content-Encoding": "gzip"}, gzip.compress(b"y" * 5_000))
    for path in ("/declared", "/undeclared", "/bomb"):
        with pytest.raises(FetchError, match="too large"):
            fetch(server.base + path, small)
    assert fetch(server.base + "/fine", small).body == b"y" * 5_000


def test_slow_server_times_out_as_a_transient_failure(server: Server) -> None:
    def slow(_request: Handler) -> Answer:
        time.sleep(1.0)
        return 200, {}, b"late"

    server.routes["/slow"] = slow
    with pytest.raises(FetchError, match="timed out") as caught:
        fetch(server.base + "/slow", FetchLimits(allow_private=True, timeout=0.2))
    assert caught.value.transient


def test_non_ascii_paths_are_escaped(server: Server) -> None:
    server.routes["/news/caf%C3%A9%20du%20port.html"] = (200, {"Content-Type": "text/html"}, b"ok")
    assert fetch(server.base + "/news/café du port.html", LOCAL).body == b"ok"
    assert fetch(server.base + "/news/caf%C3%A9%20du%20port.html", LOCAL).body == b"ok"


def test_http_errors_say_whether_to_retry(server: Server) -> None:
    server.routes["/busy"] = (503, {}, b"")
    with pytest.raises(FetchError, match="HTTP 503") as busy:
        fetch(server.base + "/busy", LOCAL)
    with pytest.raises(FetchError, match="HTTP 404") as missing:
        fetch(server.base + "/missing", LOCAL)
    assert busy.value.transient and not missing.value.transient


# --- feeds: parsing and state --------------------------------------------------------------


def test_parse_rss_and_atom() -> None:
    base = "http://news.example.org"
    rss = parse_feed((FIXTURES / "harbour.rss").read_bytes().replace(b"{base}", base.encode()), base + "/rss")
    assert rss.title == "The Meriden Courier"
    assert [e.link for e in rss.entries] == [
        base + "/news/tram.html",
        base + "/news/ferry.html",
        base + "/news/market.html",
    ]
    assert rss.entries[0].published == "2023-05-09T08:30:00+00:00"
    atom = parse_feed((FIXTURES / "council.atom").read_bytes().replace(b"{base}", base.encode()), base + "/a")
    assert atom.title == "Meriden Council Watch"
    assert atom.entries[0].title == "Library opening hours to be extended"
    assert atom.entries[0].published == "2023-05-12T09:00:00+00:00"


@pytest.mark.parametrize(
    "body", [b"", b"<html><body>not a feed</body></html>", b"/etc/passwd", b"\xff\xfe\x00"]
)
def test_parse_feed_rejects_what_is_not_a_feed(body: bytes) -> None:
    with pytest.raises(InputError, match="not an RSS or Atom feed"):
        parse_feed(body, "http://news.example.org/rss")


def test_feed_state_round_trip_and_limits(tmp_path: Path) -> None:
    states = FeedStates.load(tmp_path / "deep" / "feeds.json")
    state = states.get("http://news.example.org/rss")
    state.etag, state.last_modified = '"1"', LAST_MODIFIED
    for number in range(SEEN_MAX + 5):
        state.remember(f"http://news.example.org/{number}")
    state.remember("http://news.example.org/7")  # already there: not added twice
    states.save()
    again = FeedStates.load(tmp_path / "deep" / "feeds.json").get("http://news.example.org/rss")
    assert again.conditional_headers() == {"If-None-Match": '"1"', "If-Modified-Since": LAST_MODIFIED}
    assert len(again.seen) == SEEN_MAX
    assert again.seen[0] == "http://news.example.org/5" and again.seen[-1].endswith(f"/{SEEN_MAX + 4}")
    assert FeedState().conditional_headers() == {}


@pytest.mark.parametrize(
    "content", ["{", "[]", '{"feeds": {"u": {"seen": "x"}}}', '{"feeds": {"u": {"etag": 1}}}']
)
def test_bad_state_file_is_an_input_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "feeds.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match="feed state"):
        FeedStates.load(path)


def test_default_state_path_is_in_the_user_state_dir() -> None:
    import platformdirs

    assert default_state_path() == Path(platformdirs.user_state_dir("claimgraph")) / "feeds.json"
