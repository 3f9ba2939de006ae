"""WARC reader: HTML responses become Documents; other records are passed over; damage is Skipped."""

from __future__ import annotations

import gzip
import re
from io import BytesIO
from pathlib import Path

import pytest

from claimgraph.ingest import iter_inputs, read_path
from claimgraph.ingest.readers import suffix_of
from claimgraph.model import Document, Skipped

warcio = pytest.importorskip("warcio", reason="warcio is not installed (pip install warcio)")

from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

# Fictional pages: a lighthouse keepers' union in an invented port.
PAGE = """<html><head><title>Keepers vote to strike at Tormund Point</title></head><body>
<nav>Home | Weather | Ferries</nav>
<article><h1>Keepers vote to strike at Tormund Point</h1>
<p>Lighthouse keepers at Tormund Point voted on Tuesday to stop work for {n} days, union
secretary Maren Holt said. "The lamps will stay lit, but nobody will climb the stairs for
the night inspection," she told the Saltbridge Courier.</p>
<p>The port authority said it would meet the union on Friday and that talks on pay for the
night shift had been going on since the spring storms damaged the northern tower.</p>
</article></body></html>"""


def _response(writer: WARCWriter, uri: str, body: bytes, content_type: str, status: str = "200 OK") -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(uri, "response", payload=BytesIO(body), http_headers=headers)
    writer.write_record(record)


def _archive(gz: bool) -> bytes:
    """warcinfo, two HTML pages, a PNG response, a request record and a 404 page."""
    out = BytesIO()
    writer = WARCWriter(out, gzip=gz)
    writer.write_record(writer.create_warcinfo_record("fixture.warc", {"software": "test"}))
    _response(
        writer, "https://courier.example/keepers-1", PAGE.format(n=3).encode(), "text/html; charset=utf-8"
    )
    _response(writer, "https://courier.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")
    request = writer.create_warc_record(
        "https://courier.example/keepers-2", "request", payload=BytesIO(b"GET /keepers-2 HTTP/1.1\r\n\r\n")
    )
    writer.write_record(request)
    _response(writer, "https://courier.example/keepers-2", PAGE.format(n=5).encode(), "text/html")
    _response(
        writer,
        "https://courier.example/gone",
        b"<html><body>gone</body></html>",
        "text/html",
        "404 Not Found",
    )
    return out.getvalue()


@pytest.mark.parametrize("gz", [True, False])
def test_html_responses_become_documents(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    path.write_bytes(_archive(gz))
    items = list(read_path(path))
    documents = [i for i in items if isinstance(i, Document)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert [d.url for d in documents] == [
        "https://courier.example/keepers-1",
        "https://courier.example/keepers-2",
    ]
    assert "3 days" in documents[0].text and "5 days" in documents[1].text
    assert "Weather | Ferries" not in documents[0].text  # trafilatura took the article, not the menu
    assert documents[0].title == "Keepers vote to strike at Tormund Point"
    assert documents[0].meta["warc_record_id"].startswith("<urn:uuid:")
    assert documents[0].published is None  # the crawl date is not the publication date
    assert "warc_date" in documents[0].meta
    # the PNG, the request and the warcinfo record are not articles and are not reported
    assert len(skipped) == 1 and "404" in skipped[0].problem
    assert skipped[0].path.startswith(str(path) + "@")


@pytest.mark.parametrize("damage", ["garbage member", "cut short"])
def test_damaged_record_is_skipped_and_earlier_records_kept(tmp_path: Path, damage: str) -> None:
    good = _archive(gz=True)
    if damage == "garbage member":  # a gzip member whose WARC header is not one
        tail = gzip.compress(b"WARC/1.0\r\nthis is not a header line\r\n\r\n")
    else:  # a download cut off half way through a record
        tail = gzip.compress(_archive(gz=False))[:300]
    path = tmp_path / "damaged.warc.gz"
    path.write_bytes(good + tail)
    items = list(read_path(path))
    documents = [i for i in items if isinstance(i, Document)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert len(documents) == 2
    assert skipped[-1].path == str(path)
    match = re.match(r"damaged WARC after byte (\d+)", skipped[-1].problem)
    assert match is not None and int(match.group(1)) >= len(good), skipped[-1].problem


def test_not_a_warc_is_skipped_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "notes.warc"
    path.write_text("these are my notes, not an archive\n", encoding="utf-8")
    items = list(read_path(path))
    assert len(items) == 1 and isinstance(items[0], Skipped)
    assert "damaged WARC" in items[0].problem


def test_directories_pick_up_warc_gz(tmp_path: Path) -> None:
    folder = tmp_path / "crawl"
    folder.mkdir()
    (folder / "a.warc.gz").write_bytes(_archive(gz=True))
    (folder / "b.gz").write_bytes(gzip.compress(b"not an archive"))  # no reader: left out
    documents = [i for i in iter_inputs([str(folder)]) if isinstance(i, Document)]
    assert len(documents) == 2
    assert suffix_of("X.WARC.GZ") == ".warc.gz" and suffix_of("a.tar.gz") == ".gz"
