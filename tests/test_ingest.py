"""Readers: plain text, HTML, JSON lines, directories and stdin to Documents or Skipped."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from claimgraph.ingest import iter_inputs, read_path
from claimgraph.ingest.jsonl import looks_like_jsonl
from claimgraph.ingest.text import TITLE_MAX_CHARS, find_title, text_document
from claimgraph.model import Document, Skipped, Span, content_hash

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def only(items: list[Document | Skipped]) -> Document:
    assert len(items) == 1, items
    item = items[0]
    assert isinstance(item, Document), item
    return item


def skipped(items: list[Document | Skipped]) -> Skipped:
    assert len(items) == 1, items
    item = items[0]
    assert isinstance(item, Skipped), item
    return item


# --- plain text -------------------------------------------------------------------------


def test_text_file_is_kept_exactly_with_title_line() -> None:
    path = FIXTURES / "article.txt"
    document = only(list(read_path(str(path))))
    assert document.text == path.read_bytes().decode("utf-8")
    assert document.path == str(path)
    assert document.title == "Orchard growers report record pear harvest"
    assert document.title_span == Span(0, len(document.title))
    assert document.id == "doc-" + content_hash(document.text)[:16]


def test_crlf_and_trailing_spaces_are_not_normalised(tmp_path: Path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes(b"Canal reopens  \r\n\r\nBoats returned to the canal on Sunday.\r\n")
    document = only(list(read_path(str(path))))
    assert document.text == "Canal reopens  \r\n\r\nBoats returned to the canal on Sunday.\r\n"
    assert document.title == "Canal reopens"
    assert document.title_span == Span(0, 13)


def test_byte_order_mark_is_dropped_so_offsets_start_at_the_text(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffTitle here\n\nBody text follows.".encode())
    document = only(list(read_path(str(path))))
    assert document.text.startswith("Title here")
    assert document.title_span == Span(0, 10)


def test_undecodable_bytes_are_skipped_with_the_offset(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"Caf\xe9 opens on the square.")
    problem = skipped(list(read_path(str(path))))
    assert problem.path == str(path)
    assert "UTF-8" in problem.problem
    assert "byte 3" in problem.problem


@pytest.mark.parametrize(("content", "expected"), [(b"", "empty file"), (b"  \n\t\n", "whitespace")])
def test_empty_and_blank_files_are_skipped(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "blank.txt"
    path.write_bytes(content)
    assert expected in skipped(list(read_path(str(path)))).problem


@pytest.mark.parametrize(
    "text",
    [
        "The mayor resigned on Friday.\n\nShe gave no reason.",  # a sentence, not a headline
        "Contents:\n\nOne, two.",  # an introduction
        "Headline with no gap\nBody directly below it.",  # no blank line after it
        "Only a headline\n\n   \n",  # nothing after it
        "12 345\n\nNumbers only above.",  # no letter
        "x" * (TITLE_MAX_CHARS + 1) + "\n\nBody.",  # too long
    ],
)
def test_lines_that_are_not_titles(text: str) -> None:
    assert find_title(text) is None


def test_title_after_leading_blank_lines_and_markdown_heading() -> None:
    text = "\n\n## Dam passes inspection\n\nEngineers found no cracks, the board said."
    span = find_title(text)
    assert span is not None
    assert span.text(text) == "Dam passes inspection"
    document = text_document(text, "notes.md")
    assert isinstance(document, Document)
    assert document.title == "Dam passes inspection"


def test_question_headline_is_a_title() -> None:
    text = "Will the bridge open in time?\n\nEngineers are not sure."
    assert find_title(text) == Span(0, 29)


# --- HTML -------------------------------------------------------------------------------


def test_html_page_gives_main_text_and_metadata() -> None:
    document = only(list(read_path(str(FIXTURES / "page.html"))))
    assert document.title == "Tram line to reach the old harbour by 2027"
    assert document.outlet == "The Meriden Courier"
    assert document.published == "2023-05-09"
    assert document.url == "https://courier.example.org/news/tram-line-harbour"
    assert "Board chair Maren Olt said construction would start next spring" in document.text
    assert "All rights reserved" not in document.text
    assert "<p>" not in document.text
    assert document.meta.get("author") == "Lena Dorsk"
    if document.title_span is not None:
        assert document.title_span.text(document.text) == document.title


def test_html_page_without_article_is_skipped() -> None:
    problem = skipped(list(read_path(str(FIXTURES / "empty.html"))))
    assert "no main text" in problem.problem


def test_empty_html_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "blank.htm"
    path.write_bytes(b"")
    assert skipped(list(read_path(str(path)))).problem == "empty file"


# --- JSON lines and JSON ----------------------------------------------------------------


def test_jsonl_good_and_bad_lines() -> None:
    path = str(FIXTURES / "articles.jsonl")
    items = list(read_path(path))
    documents = [i for i in items if isinstance(i, Document)]
    problems = {i.line: i.problem for i in items if isinstance(i, Skipped)}
    assert all(i.path == path for i in items)

    first = documents[0]
    assert first.text == "The central library will open on Sundays from March, the culture office said."
    assert first.title == "Library opens on Sundays"
    assert first.title_span is None  # the title is not printed in the text
    assert first.outlet == "The Meriden Courier"
    assert first.published == "2023-02-01"
    assert first.url == "https://courier.example.org/library"
    assert first.meta == {"section": "local", "external_id": "courier-001"}
    assert first.id == "doc-" + content_hash(first.text)[:16]

    snow = documents[1]
    assert snow.meta["external_id"] == 4
    assert snow.published is None
    assert snow.meta["published_raw"] == "last Tuesday"

    bridge = documents[2]
    assert bridge.title == "Bridge repairs finished"
    assert bridge.title_span == Span(0, 23)

    assert len(documents) == 3
    assert set(problems) == {2, 3, 4, 7, 8, 9}
    assert problems[2].startswith("invalid JSON")
    assert problems[3] == "missing 'text'"
    assert problems[4] == "empty 'text'"
    assert "'text' must be a string" in problems[7]
    assert "'title' must be a string" in problems[8]
    assert "expected a JSON object" in problems[9]


def test_jsonl_undecodable_line_is_skipped_and_the_rest_read(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b'{"text": "caf\xe9"}\n{"text": "A fine line of text."}\n')
    items = list(read_path(str(path)))
    assert isinstance(items[0], Skipped)
    assert items[0].line == 1
    assert isinstance(items[1], Document)
    assert items[1].text == "A fine line of text."


def test_jsonl_with_bad_id_type_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "ids.jsonl"
    path.write_text('{"id": true, "text": "Some text."}\n{"id": [1], "text": "More text."}\n')
    items = list(read_path(str(path)))
    assert [type(i) for i in items] == [Skipped, Skipped]
    assert all("'id'" in i.problem for i in items if isinstance(i, Skipped))


def test_json_list_of_records() -> None:
    items = list(read_path(str(FIXTURES / "articles.json")))
    assert [type(i) for i in items] == [Document, Skipped, Document]
    assert isinstance(items[0], Document)
    assert items[0].title == "Ferry timetable changes"
    assert items[0].title_span == Span(0, 23)
    assert isinstance(items[1], Skipped)
    assert items[1].problem == "item 1: missing 'text'"


def test_invalid_json_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"text": "a"},\n')
    problem = skipped(list(read_path(str(path))))
    assert problem.problem.startswith("invalid JSON")


def test_looks_like_jsonl() -> None:
    assert looks_like_jsonl('{"text": "a"}\n\n{"text": "b", "title": "c"}\n')
    assert not looks_like_jsonl('{"text": "a"}\nplain line\n')
    assert not looks_like_jsonl('{"title": "no text key"}\n')
    assert not looks_like_jsonl("")


# --- paths, directories and stdin -------------------------------------------------------


def make_tree(root: Path) -> None:
    (root / "sub").mkdir()
    (root / ".hidden").mkdir()
    (root / "b.txt").write_text("Second file\n\nBody of the second file.")
    (root / "a.txt").write_text("First file\n\nBody of the first file.")
    (root / "sub" / "c.md").write_text("Third file\n\nBody of the third file.")
    (root / "sub" / "notes.csv").write_text("a,b\n1,2\n")
    (root / ".secret.txt").write_text("Hidden file.")
    (root / ".hidden" / "d.txt").write_text("In a hidden folder.")


def test_directory_is_read_recursively_in_order(tmp_path: Path) -> None:
    make_tree(tmp_path)
    items = list(read_path(str(tmp_path)))
    assert all(isinstance(i, Document) for i in items)
    assert [Path(i.path or "").relative_to(tmp_path).as_posix() for i in items] == [
        "a.txt",
        "b.txt",
        "sub/c.md",
    ]


def test_directory_without_supported_files(tmp_path: Path) -> None:
    (tmp_path / "table.csv").write_text("a,b\n")
    problem = skipped(list(read_path(str(tmp_path))))
    assert problem.problem == "no supported files in directory"


def test_explicit_unknown_suffix_and_missing_path(tmp_path: Path) -> None:
    table = tmp_path / "table.csv"
    table.write_text("a,b\n")
    assert skipped(list(read_path(str(table)))).problem == "unsupported file type '.csv'"
    missing = tmp_path / "missing.txt"
    problem = skipped(list(read_path(str(missing))))
    assert problem == Skipped(str(missing), "no such file or directory")


def test_suffixes_are_case_insensitive(tmp_path: Path) -> None:
    path = tmp_path / "SHOUT.TXT"
    path.write_text("Loud news\n\nSomething happened loudly.")
    assert only(list(read_path(str(path)))).title == "Loud news"


def test_stream_goes_on_after_bad_inputs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00")
    paths = [str(tmp_path / "missing.txt"), str(bad), str(FIXTURES / "article.txt")]
    items = list(iter_inputs(paths))
    assert [type(i) for i in items] == [Skipped, Skipped, Document]
    assert [getattr(i, "path", None) for i in items] == paths


def test_stdin_plain_text() -> None:
    stream = io.StringIO("Night train returns\n\nThe sleeper service resumes in May.")
    document = only(list(iter_inputs(["-"], stdin=stream)))
    assert document.path == "-"
    assert document.title == "Night train returns"
    assert document.text == "Night train returns\n\nThe sleeper service resumes in May."


def test_stdin_jsonl() -> None:
    stream = io.StringIO('{"text": "First record."}\n{"text": "Second record.", "outlet": "Wire"}\n')
    items = list(iter_inputs(["-"], stdin=stream))
    assert [i.text for i in items if isinstance(i, Document)] == ["First record.", "Second record."]
    assert isinstance(items[1], Document)
    assert items[1].outlet == "Wire"
    assert all(i.path == "-" for i in items)


def test_stdin_defaults_to_sys_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Plain words from a pipe."))
    assert only(list(iter_inputs(["-"]))).text == "Plain words from a pipe."


def test_empty_stdin_is_skipped() -> None:
    assert skipped(list(iter_inputs(["-"], stdin=io.StringIO("")))).path == "-"
