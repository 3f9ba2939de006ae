"""The bundled demo articles (examples/) and the benchmark script (bench/bench.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import pytest

from claimgraph.ingest import iter_inputs
from claimgraph.model import Analysis, Document, Skipped

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
ARTICLES = EXAMPLES / "articles"
SHARED = REPO.parent / "shared"
BENCH = REPO / "bench" / "bench.py"
FICTION_LABEL = "This article is fiction, written for the claimgraph demo."
NBSP = "\u00a0"
# Runs of this many words shared with another text count as copied text.
SHINGLE_WORDS = 8


class _Paragraphs(HTMLParser):
    """Text of every <p> element of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.paragraphs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":
            self.inside = True
            self.paragraphs.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.paragraphs[-1] += data


def raw_articles() -> Iterator[tuple[str, str]]:
    """(name, article text) for every example, read without claimgraph's readers."""
    for path in sorted(ARTICLES.iterdir()):
        if path.suffix == ".txt":
            yield path.name, path.read_text(encoding="utf-8")
        elif path.suffix == ".html":
            parser = _Paragraphs()
            parser.feed(path.read_text(encoding="utf-8"))
            article = [p for p in parser.paragraphs if p.strip()]
            # Page furniture (footer) follows the article: keep paragraphs up to the label.
            end = next(i for i, p in enumerate(article) if p.strip() == FICTION_LABEL)
            yield path.name, "\n\n".join(article[: end + 1])
        elif path.suffix == ".jsonl":
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                yield f"{path.name}:{number}", json.loads(line)["text"]


def article(name: str) -> str:
    return dict(raw_articles())[name]


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_seven_to_nine_articles_in_three_formats() -> None:
    names = [name for name, _ in raw_articles()]
    assert 7 <= len(names) <= 9
    assert {Path(n.split(":")[0]).suffix for n in names} == {".txt", ".html", ".jsonl"}


def test_every_article_says_it_is_fiction() -> None:
    articles = list(raw_articles())
    assert articles
    for name, text in articles:
        assert lines(text)[-1] == FICTION_LABEL, name


def test_readme_describes_every_file() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    assert "fiction" in readme.lower()
    files = {p.name for p in ARTICLES.iterdir()}
    named = set(re.findall(r"`([\w.-]+\.(?:txt|html|jsonl))`", readme))
    assert named == files


def test_readers_take_every_example_with_its_metadata() -> None:
    items = list(iter_inputs([str(ARTICLES)]))
    assert [i for i in items if isinstance(i, Skipped)] == []
    documents = [i for i in items if isinstance(i, Document)]
    assert len(documents) == len(list(raw_articles()))
    assert all(d.title for d in documents)
    with_metadata = [d for d in documents if not d.path or not d.path.endswith(".txt")]
    assert len(with_metadata) == 3
    for d in with_metadata:
        assert d.outlet and d.published and d.url, d.path
        assert d.url.startswith("https://") and ".example/" in d.url


def test_jsonl_records_carry_title_outlet_date_and_url() -> None:
    records = [
        json.loads(line)
        for line in (ARTICLES / "kestrel_bay_port_dispute.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(records) == 2
    for record in records:
        assert {"title", "outlet", "published", "url", "text"} <= record.keys()
    assert len({r["outlet"] for r in records}) == 2


def test_scraper_noise_is_all_there() -> None:
    text = article("harbour_times_border_guns.txt")
    body = lines(text)
    assert body[0] == "World News"
    assert any(line.startswith("We will use your email address") for line in body)
    assert any(line.startswith("JUST IN:") for line in body)
    assert any(line.endswith(NBSP + "[PICTURES]") for line in body)
    assert any(line.endswith(NBSP + "[VIDEO]") for line in body)
    assert body[-2] == "Source: Read Full Article"
    # A pull quote: a standalone line repeated inside a longer one, then a short credit line.
    pulls = [
        i
        for i, line in enumerate(body)
        if len(line.split()) >= 5 and any(line in other and other != line for other in body)
    ]
    assert pulls
    assert len(body[pulls[0] + 1].split()) <= 3


def test_titles_printed_twice() -> None:
    twice = [
        name for name, text in raw_articles() if len(lines(text)) > 1 and lines(text)[0] == lines(text)[1]
    ]
    assert len(twice) >= 2


def test_attribution_patterns_are_exercised() -> None:
    everything = "\n".join(text for _, text in raw_articles()).lower()
    for phrase in (
        "told the northern courier: “",
        "cites one anonymous source as claiming that",
        "defence minister marta olenko said on tuesday",
        "according to",
        "it was reported that",
        "reportedly",
        "allegedly",
        " claims ",
        "could not be independently verified",
        "the insider said",
        "the second source added",
        "he added",
        "the official added",
    ):
        assert phrase in everything, phrase


def test_one_anonymous_origin_relayed_by_two_articles() -> None:
    relaying = [
        name
        for name, text in raw_articles()
        if "military official in harrow province" in text.lower() and "Northern Courier" in text
    ]
    assert len(relaying) == 2


def test_a_quote_runs_over_several_paragraphs() -> None:
    body = lines(article("harbour_times_border_guns.txt"))
    # A paragraph leaves its quotation open and the next one reopens it (the news convention).
    continued = [
        (line, after)
        for line, after in pairwise(body)
        if line.count("“") > line.count("”") and after.startswith("“")
    ]
    assert len(continued) >= 2


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


@pytest.mark.shared
def test_examples_share_no_text_with_the_seed_articles() -> None:
    seeds = SHARED / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"shared seed articles not found at {seeds}")
    seed_shingles: set[tuple[str, ...]] = set()
    for path in seeds.glob("*.txt"):
        seed_shingles |= _shingles(path.read_text(encoding="utf-8"))
    assert seed_shingles, f"no seed text read from {seeds}"
    for name, text in raw_articles():
        shared = _shingles(text) & seed_shingles
        assert not shared, (name, sorted(shared)[:3])


# --- end to end (loads spaCy) -------------------------------------------------


# ``examples_analysis`` (every example, analyzed once per session) is in conftest.py.


@pytest.mark.slow
def test_demo_runs_end_to_end_into_both_reports(examples_analysis: Analysis) -> None:
    from claimgraph.html_report import render_html
    from claimgraph.report import format_table

    table = format_table(examples_analysis, width=120)
    page = render_html(examples_analysis)
    assert len(examples_analysis.documents) == len(list(raw_articles()))
    for da in examples_analysis.documents:
        assert da.document.title
        assert da.document.title[:40] in table
        assert da.document.id in page
    assert sum(len(da.claims) for da in examples_analysis.documents) > 0
    assert table.rstrip().splitlines()[-1].startswith(f"{len(examples_analysis.documents)} documents")
    assert "<script" not in page.lower()


@pytest.mark.slow
def test_demo_noise_lines_are_removed(examples_analysis: Analysis) -> None:
    (da,) = [
        d
        for d in examples_analysis.documents
        if (d.document.path or "").endswith("harbour_times_border_guns.txt")
    ]
    text = da.document.text
    junk = [
        line
        for line in text.splitlines()
        if line.startswith(("World News", "We will use", "JUST IN:", "Source: Read"))
        or line.endswith(("[PICTURES]", "[VIDEO]"))
    ]
    assert len(junk) == 7
    for line in junk:
        start = text.index(line)
        covered = any(r.start <= start and start + len(line) <= r.end for r in da.document.removed)
        assert covered, line


# --- the benchmark script -------------------------------------------------------


def _fictional_corpus(path: Path) -> None:
    records = [
        {"title": f"Harbour notice {i}", "outlet": "Test Gazette", "text": text}
        for i, text in enumerate(
            (
                "The harbour master said on Monday that the north pier would close for repairs. "
                "Fishermen say the work is overdue.",
                "An official at the water board told the Test Gazette that reservoirs were half full.",
                "Ticket prices for the island ferry will rise in June, the operator said.",
                "This record is never read when --n is 3.",
            )
        )
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def test_bench_stops_with_a_message_when_the_corpus_is_missing(tmp_path: Path) -> None:
    missing = tmp_path / "absent.jsonl"
    result = subprocess.run(
        [sys.executable, str(BENCH), "--corpus", str(missing)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "corpus not found" in result.stderr
    assert str(missing) in result.stderr


@pytest.mark.slow
def test_bench_runs_on_a_tiny_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "tiny.jsonl"
    out = tmp_path / "bench.json"
    _fictional_corpus(corpus)
    result = subprocess.run(
        [sys.executable, str(BENCH), "--n", "3", "--corpus", str(corpus), "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "words/s" in result.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["docs"] == 3
    expected_words = sum(
        len(json.loads(line)["text"].split()) for line in corpus.read_text().splitlines()[:3]
    )
    assert data["words"] == expected_words
    names = [m["name"] for m in data["measurements"]]
    assert names[:2] == ["bare nlp.pipe", "analyze_many"]
    assert all(m["seconds"] > 0 and m["docs"] == 3 for m in data["measurements"])
    assert set(data["stages_seconds"]) == {"clean", "parse", "attribution", "places", "events"}
    assert data["rss_mib"]["peak"] >= data["rss_mib"]["after_load"] > 0
    assert data["analyze_over_parse"] > 0
