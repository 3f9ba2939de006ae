"""The terminal and HTML reports, on analyses built by hand (no spaCy)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from rich.console import Console

from claimgraph.html_report import render_html
from claimgraph.model import Analysis, Claim, Document, DocumentAnalysis, Removed, Skipped, Source, Span
from claimgraph.report import (
    UNATTRIBUTED,
    chain_label,
    format_skipped,
    format_table,
    group_by_origin,
    render_table,
    shorten,
    summarize,
)

# Fictional text, written for these tests.
TEXT = (
    "Ferry service to Gull Island suspended\n"
    "\n"
    "An official at the harbour office told the Evening Lantern: “The ferry will not sail "
    "until the new engine arrives.”\n"
    "\n"
    "Sign up for our newsletter [VIDEO]\n"
    "\n"
    "The official added that the engine had reportedly been ordered in May.\n"
    "\n"
    "Mayor Rosa Kettle said the island would be supplied by fishing boats.\n"
    "\n"
    "The ferry has run since 1952.\n"
)


def at(text: str, needle: str, start: int = 0) -> Span:
    """The span of the first ``needle`` in ``text`` after ``start`` (fails loudly when absent)."""
    i = text.find(needle, start)
    assert i >= 0, needle
    return Span(i, i + len(needle))


def ferry_analysis(
    text: str = TEXT, title: str | None = "Ferry service to Gull Island suspended"
) -> Analysis:
    """One document: an anonymous official via an outlet (two claims), a named mayor, the author."""
    doc = Document(text=text, path="ferry.txt", title=title, outlet="Island Post", published="2024-05-02")
    noise = at(text, "Sign up for our newsletter [VIDEO]")
    doc.removed = [Removed(noise.start, noise.end, "teaser")]
    d = doc.id
    lantern = Source("s1", d, "outlet", False, [at(text, "the Evening Lantern")], name="Evening Lantern")
    official = Source(
        "s2",
        d,
        "anonymous",
        True,
        [at(text, "An official at the harbour office"), at(text, "The official")],
        descriptor="an official at the harbour office",
    )
    mayor = Source("s3", d, "person", False, [at(text, "Mayor Rosa Kettle")], name="Rosa Kettle")
    claims = [
        Claim(
            "c1",
            d,
            content=[at(text, "“The ferry will not sail until the new engine arrives.”")],
            cue=[at(text, "told")],
            source_mentions=[at(text, "An official at the harbour office")],
            chain=["s1", "s2"],
            mode="quote",
            hedged=False,
            source="s2",
        ),
        Claim(
            "c2",
            d,
            content=[at(text, "the engine had reportedly been ordered in May")],
            cue=[at(text, "added")],
            source_mentions=[at(text, "The official")],
            chain=["s1", "s2"],
            mode="paraphrase",
            hedged=True,
            source="s2",
            hedges=[at(text, "reportedly")],
        ),
        Claim(
            "c3",
            d,
            content=[at(text, "the island would be supplied by fishing boats")],
            cue=[at(text, "said", text.find("Mayor"))],
            source_mentions=[at(text, "Mayor Rosa Kettle")],
            chain=["s3"],
            mode="paraphrase",
            hedged=False,
            source="s3",
        ),
        Claim(
            "c4",
            d,
            content=[at(text, text.rstrip().rsplit("\n", 1)[-1])],  # the last paragraph
            cue=[],
            source_mentions=[],
            chain=[],
            mode="unattributed",
            hedged=False,
        ),
    ]
    da = DocumentAnalysis(document=doc, sources=[lantern, official, mayor], claims=claims)
    return Analysis(documents=[da])


def test_groups_follow_origin_and_text_order() -> None:
    da = ferry_analysis().documents[0]
    groups = group_by_origin(da)
    assert [g.origin for g in groups] == ["s2", "s3", None]
    assert [c.id for c in groups[0].claims] == ["c1", "c2"]
    assert groups[0].chains == [("s1", "s2")]
    assert groups[0].hedged == 1
    assert chain_label(da, ("s1", "s2")) == "Evening Lantern → an official at the harbour office"


def test_table_shows_chain_flags_claims_and_noise() -> None:
    out = format_table(ferry_analysis(), width=120)
    assert "Ferry service to Gull Island suspended" in out
    assert "Island Post" in out and "2024-05-02" in out
    assert "1 removed (teaser)" in out
    assert "Evening Lantern → an official at the harbour office" in out
    assert "[anonymous]" in out
    assert "[hedged 1/2]" in out
    assert "Rosa Kettle" in out
    assert UNATTRIBUTED in out
    assert "The ferry has run since 1952." in out
    assert "reportedly" in out
    assert "quote" in out and "paraphrase" in out
    # The anonymous group is listed before the named mayor, the author's own text last.
    assert out.index("an official at the harbour office") < out.index("Rosa Kettle") < out.index(UNATTRIBUTED)


def test_summary_line_counts() -> None:
    summary = summarize(ferry_analysis())
    assert (summary.documents, summary.sources, summary.claims) == (1, 3, 4)
    assert summary.anonymous_origin == 2
    assert summary.hedged == 1
    out = format_table(ferry_analysis())
    assert out.rstrip().splitlines()[-1] == str(summary)


def test_markup_and_control_codes_in_article_print_literally() -> None:
    text = TEXT.replace("since 1952.", "since [bold]1952[/bold] :smile: \x1b[31mred")
    title = "[red]Ferry[/red] \\"
    out = format_table(ferry_analysis(text, title=title), width=140)
    assert "[bold]1952[/bold]" in out
    assert ":smile:" in out
    assert "[red]Ferry[/red] \\" in out
    assert "\x1b" not in out
    assert "\\x1b[31mred" in out


def test_render_table_on_console_matches_format_table() -> None:
    console = Console(width=100, color_system=None, emoji=False, highlight=False)
    with console.capture() as capture:
        render_table(ferry_analysis(), console)
    assert capture.get() == format_table(ferry_analysis(), width=100)


def test_document_without_claims_or_title() -> None:
    analysis = Analysis(
        documents=[DocumentAnalysis(document=Document(text="Nothing here.", path="empty.txt"))]
    )
    out = format_table(analysis)
    assert "empty.txt" in out
    assert "no claims found" in out
    assert "nothing removed" in out
    assert out.rstrip().endswith("0 hedged")


def test_long_content_is_shortened_at_a_word() -> None:
    words = "alpha beta gamma delta " * 20
    short = shorten(words, 30)
    assert len(short) <= 30
    assert short.endswith("…")
    assert short[:-1].split()[-1] in {"alpha", "beta", "gamma", "delta"}
    assert shorten("  a \n b  ", 10) == "a b"


def test_unknown_source_id_falls_back_to_id() -> None:
    da = ferry_analysis().documents[0]
    assert chain_label(da, ("s1", "s404")) == "Evening Lantern → s404"


def test_format_skipped_lists_each_problem() -> None:
    assert format_skipped([]) == ""
    out = format_skipped(
        [Skipped("a.txt", "not valid UTF-8"), Skipped("feed.jsonl", "missing 'text'", line=3)]
    )
    assert out.splitlines()[0] == "Skipped 2 inputs:"
    assert "a.txt: not valid UTF-8" in out
    assert "feed.jsonl:3: missing 'text'" in out


def test_format_skipped_truncates_long_lists_and_control_codes() -> None:
    many = [Skipped(f"f{i}.txt\x1b[2J", "empty") for i in range(25)]
    out = format_skipped(many)
    assert "and 5 more" in out
    assert "25 × empty" in out
    assert "\x1b" not in out


# --- HTML ------------------------------------------------------------------


class _Tags(HTMLParser):
    """Collects every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def parse_tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


HOSTILE = (
    "Harbour <script>alert(1)</script> notice\n\n"
    "The clerk said: “See <img src=x onerror=alert(1)> and "
    '<a href="javascript:alert(2)">this</a> now.”\n'
)


def hostile_analysis() -> Analysis:
    doc = Document(
        text=HOSTILE,
        title="<script>alert('t')</script>",
        outlet='"><img src=x onerror=alert(3)>',
        url="javascript:alert(4)",
        path="<b>x</b>.html",
    )
    doc.removed = [Removed(0, 8, "<script>reason</script>")]
    d = doc.id
    clerk = Source("<s1>", d, "person", False, [at(HOSTILE, "The clerk")], name="<script>clerk</script>")
    claim = Claim(
        '"c1" onmouseover="alert(5)',
        d,
        content=[at(HOSTILE, "“See <img src=x onerror=alert(1)> and")],
        cue=[at(HOSTILE, "said")],
        source_mentions=[at(HOSTILE, "The clerk")],
        chain=["<s1>"],
        mode="<i>quote</i>",
        hedged=False,
        source="<s1>",
    )
    return Analysis(documents=[DocumentAnalysis(document=doc, sources=[clerk], claims=[claim])])


def test_html_escapes_every_article_string() -> None:
    html = render_html(hostile_analysis())
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert not re.search(r"<[^<>]*onerror=", lowered)
    assert 'href="javascript:' not in lowered
    tags = parse_tags(html)
    names = {t for t, _ in tags}
    assert not names & {"script", "img", "iframe", "object", "embed", "link", "base", "form"}
    for tag, attrs in tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name in {"href", "src", "action"}:
                assert value is not None and value.startswith("#"), (tag, name, value)
    # The hostile text is still shown, as text.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "javascript:alert(4)" in html


def test_html_is_self_contained_with_strict_csp() -> None:
    html = render_html(ferry_analysis())
    assert "default-src 'none'; style-src 'unsafe-inline'" in html
    tags = parse_tags(html)
    metas = [dict(a) for t, a in tags if t == "meta"]
    assert any(m.get("http-equiv") == "Content-Security-Policy" for m in metas)
    assert not any(t == "script" for t, _ in tags)
    assert not any(dict(a).get("src") for _, a in tags)
    assert not any(t == "link" for t, _ in tags)


def test_html_links_each_claim_to_its_highlighted_span() -> None:
    html = render_html(ferry_analysis())
    tags = parse_tags(html)
    ids = {dict(a).get("id") for _, a in tags} - {None}
    hrefs = [dict(a).get("href") or "" for t, a in tags if t == "a"]
    claim_links = [h for h in hrefs if h.startswith("#") and "-c" in h]
    assert len(claim_links) == 4
    for href in claim_links:
        assert href[1:] in ids
    inside = _text_block(html).tags
    marks = " ".join(a.get("class") or "" for t, a in inside if t == "mark").split()
    assert {"content", "cue", "source", "hedge"} <= set(marks)
    assert any(t == "span" and a.get("class") == "removed" for t, a in inside)
    # Every claim anchor sits inside the highlighted text.
    assert {a.get("id") for t, a in inside if a.get("class") == "anchor"} == {h[1:] for h in claim_links}
    assert "Evening Lantern → an official at the harbour office" in html


def test_html_overlapping_spans_stay_well_formed() -> None:
    analysis = ferry_analysis()
    da = analysis.documents[0]
    text = da.document.text
    # A content span that overlaps the source mention, the cue and a removed range at once.
    wide = Span(text.find("An official"), text.find("[VIDEO]") + 3)
    da.claims[0].content = [wide, Span(wide.start + 5, wide.end + 10)]
    html = render_html(analysis)

    class Balance(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []
            self.errors: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag not in {"meta", "br", "hr"}:
                self.stack.append(tag)

        def handle_endtag(self, tag: str) -> None:
            if not self.stack or self.stack[-1] != tag:
                self.errors.append(tag)
            else:
                self.stack.pop()

    checker = Balance()
    checker.feed(html)
    assert checker.errors == []
    assert checker.stack == []
    # The document text survives intact once tags are stripped.
    visible = _text_of_document(html)
    assert visible == text


class _TextBlock(HTMLParser):
    """The character data and tags inside the first ``<div class="text">`` (a document's text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.done = False
        self.parts: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if self.depth:
            self.tags.append((tag, dict(attrs)))
            self.depth += 1
        elif tag == "div" and dict(attrs).get("class") == "text":
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1
            self.done = not self.depth

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def _text_block(html: str) -> _TextBlock:
    block = _TextBlock()
    block.feed(html)
    return block


def _text_of_document(html: str) -> str:
    return "".join(_text_block(html).parts)


@pytest.mark.parametrize("bad", [Span(5, 5), Span(0, 10_000)])
def test_html_survives_empty_and_out_of_range_spans(bad: Span) -> None:
    analysis = ferry_analysis()
    analysis.documents[0].claims[0].content.append(bad)
    html = render_html(analysis)
    assert _text_of_document(html) == TEXT


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://news.example/a?b=1&c=2", True),
        ("http://news.example/", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("java\nscript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
    ],
)
def test_html_links_only_web_urls(url: str, linked: bool) -> None:
    analysis = ferry_analysis()
    analysis.documents[0].document.url = url
    hrefs = [dict(a).get("href") or "" for t, a in parse_tags(render_html(analysis)) if t == "a"]
    external = [h for h in hrefs if not h.startswith("#")]
    assert external == ([url] if linked else [])
