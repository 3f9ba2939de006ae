"""Noise ranges: every rule on fictional scraped text, and what must be left alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimgraph.clean import NoiseRules, clean, load_noise_rules
from claimgraph.errors import InputError
from claimgraph.ingest.text import text_document
from claimgraph.model import Document, Removed, Span

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def rules() -> NoiseRules:
    return load_noise_rules()


def document_for(text: str) -> Document:
    document = text_document(text, "test.txt")
    assert isinstance(document, Document)
    return document


def removed(document: Document) -> list[tuple[str, str]]:
    return [(r.reason, document.text[r.start : r.end]) for r in document.removed]


def cleaned(text: str, rules: NoiseRules) -> list[tuple[str, str]]:
    return removed(clean(document_for(text), rules))


def test_scraped_fixture_loses_exactly_its_junk(rules: NoiseRules) -> None:
    text = (FIXTURES / "scraped.txt").read_text(encoding="utf-8")
    document = clean(document_for(text), rules)
    assert document.text == text
    assert removed(document) == [
        ("section-label", "Politics"),
        ("repeated-title", "Harbour council delays vote on new ferry terminal"),
        (
            "newsletter-notice",
            "We will use your email address only for sending you newsletters. "
            "Please see our Privacy Notice for details of your data protection rights.",
        ),
        ("teaser-link", f"READ MORE:{NBSP}Lighthouse keeper retires after forty years on the rock"),
        ("teaser-link", f"Bakery queue stretches round the block for the last loaf{NBSP}[PICTURES]"),
        ("teaser-link", f"Mayor's dog wins county show for the third year running{NBSP}[VIDEO]"),
        ("pull-quote", "Nobody has counted the lorries that would use it"),
        ("pull-quote-credit", "Harbour councillor"),
        ("scraper-footer", "Source: Read Full Article"),
    ]
    # The body copy of the pull quote and the footnoted sentence stay.
    body_copy = text.index("nobody has counted the lorries")
    assert not document.is_removed(Span(body_copy, body_copy + 30))
    footnoted = text.index("The vote is now expected")
    assert not document.is_removed(Span(footnoted, text.index("[1]") + 3))


def test_title_moves_past_a_section_label(rules: NoiseRules) -> None:
    text = (FIXTURES / "scraped.txt").read_text(encoding="utf-8")
    document = document_for(text)
    assert document.title == "Politics"  # what ingest alone can tell
    clean(document, rules)
    assert document.title == "Harbour council delays vote on new ferry terminal"
    assert document.title_span is not None
    assert document.title_span.text(text) == document.title
    assert not document.is_removed(document.title_span)


def test_title_from_metadata_is_kept_when_its_span_is_removed(rules: NoiseRules) -> None:
    text = "World News\n\nA short report.\n\nIt has two paragraphs of body text in it."
    document = Document(text=text, title="Given headline", title_span=None)
    clean(document, rules)
    assert document.title == "Given headline"


def test_normal_article_loses_nothing(rules: NoiseRules) -> None:
    text = (FIXTURES / "article.txt").read_text(encoding="utf-8")
    document = clean(document_for(text), rules)
    assert document.removed == []
    assert document.title == "Orchard growers report record pear harvest"


def test_ranges_exclude_surrounding_whitespace(rules: NoiseRules) -> None:
    text = "Body line one of the story is here.\n\n   Subscribe now  \r\nBody line two is here too."
    document = clean(document_for(text), rules)
    assert document.removed == [Removed(40, 53, "newsletter-notice")]
    assert text[40:53] == "Subscribe now"


@pytest.mark.parametrize(
    "line",
    [
        "Sign up to our free daily briefing",
        "By signing up you agree to our terms",
        "We use cookies to improve your experience.",
        "Click here to read the council's statement",
        "ADVERTISEMENT",
        "(Image: Getty)",
        "RELATED: Council elections set for May",
        "Read more: Ferry fares to rise in spring",
        "SEE ALSO: Five things to know about the terminal",
        f"Goat escapes from petting zoo{NBSP}[WATCH]",
    ],
)
def test_junk_lines_anywhere(rules: NoiseRules, line: str) -> None:
    text = f"The first paragraph of the story sits here.\n\n{line}\n\nThe story goes on after the junk."
    result = cleaned(text, rules)
    assert [t for _, t in result] == [line]


@pytest.mark.parametrize(
    "line",
    [
        "The figures were published in the annual report.[1]",
        "The ministry gave the figure as 40 [see table 2]",
        "He called it a failure [sic]",
        "Readers can subscribe to more than one view of the plan, the minister argued at length.",
        "More than forty people attended the meeting.",
        "Watch: the word a witness used for the tower before the fire.",
        "The council said: “The new terminal is a priority.” [CNN]",
        "Politics",  # a section name in the middle of the text is left alone
        "Read the rest here.",  # footer wording, but not at the end
    ],
)
def test_body_lines_are_kept(rules: NoiseRules, line: str) -> None:
    text = (
        "Reporters heard from the council on Monday.\n\n"
        f"{line}\n\n"
        "The story goes on for another paragraph.\n\n"
        "A fourth paragraph quotes the clerk at some length.\n\n"
        "A fifth one gives the date of the next meeting.\n\n"
        "And it ends with a closing line about the vote."
    )
    assert cleaned(text, rules) == []


def test_footer_only_at_the_end_and_provenance_footer_kept(rules: NoiseRules) -> None:
    text = "Lead paragraph of the story.\n\nSecond paragraph.\n\nContinue reading"
    assert cleaned(text, rules) == [("scraper-footer", "Continue reading")]
    text = (
        "Lead paragraph of the story.\n\nSecond paragraph.\n\nRead the rest of the story at The Example Post."
    )
    assert cleaned(text, rules) == []


def test_section_label_standing_alone_at_the_end(rules: NoiseRules) -> None:
    text = "Lead paragraph of the story.\n\nSecond paragraph of it.\n\nUK News\n"
    assert cleaned(text, rules) == [("section-label", "UK News")]


def test_section_label_glued_to_the_last_line(rules: NoiseRules) -> None:
    text = "Lead paragraph.\n\nThe officials said they would “continue the searches.”World News"
    document = clean(document_for(text), rules)
    assert removed(document) == [("section-label", "World News")]
    assert document.removed[0].end == len(text)


def test_glued_label_needs_closing_punctuation(rules: NoiseRules) -> None:
    text = "Lead paragraph.\n\nShe covered the story for the desk of Business"
    assert cleaned(text, rules) == []


def test_repeated_title_keeps_the_first_copy(rules: NoiseRules) -> None:
    text = "Dam passes inspection\n\nDam passes inspection\n\nEngineers found no cracks, the board said."
    document = clean(document_for(text), rules)
    assert document.removed == [Removed(23, 44, "repeated-title")]
    assert document.title_span is not None
    assert not document.is_removed(document.title_span)


def test_one_line_quote_paragraph_is_not_a_pull_quote(rules: NoiseRules) -> None:
    text = (
        "Dam passes inspection\n\n"
        "“We are relieved that the dam is safe for another year,” the mayor said.\n\n"
        "The inspection took three days and involved divers and drones.\n\n"
        "The board will inspect the dam again next spring."
    )
    assert cleaned(text, rules) == []


def test_identical_standalone_lines_are_not_pull_quotes(rules: NoiseRules) -> None:
    line = "The board will inspect the dam again next spring before the floods"
    text = f"Dam passes inspection\n\nLead paragraph.\n\n{line}\n\nMiddle paragraph.\n\n{line}"
    assert cleaned(text, rules) == []


def test_short_repeated_line_is_not_a_pull_quote(rules: NoiseRules) -> None:
    text = (
        "Dam passes inspection\n\n"
        "Not yet ready\n\n"
        "The engineer said the spillway was not yet ready for the spring floods.\n\n"
        "More work is planned."
    )
    assert cleaned(text, rules) == []


def test_pull_quote_without_credit(rules: NoiseRules) -> None:
    quote = "the spillway will not be ready before the spring floods arrive"
    text = (
        "Dam passes inspection\n\n"
        f"“{quote[0].upper() + quote[1:]}”\n\n"
        "The engineer, who asked not to be named, told the board that "
        f"{quote}, and asked for more money.\n\n"
        "The board will meet again next week to discuss the request."
    )
    result = cleaned(text, rules)
    assert result == [("pull-quote", f"“{quote[0].upper() + quote[1:]}”")]


def test_clean_is_idempotent_and_keeps_earlier_ranges(rules: NoiseRules) -> None:
    text = (FIXTURES / "scraped.txt").read_text(encoding="utf-8")
    document = document_for(text)
    document.removed.append(Removed(0, 3, "earlier-stage"))
    clean(document, rules)
    first = list(document.removed)
    clean(document, rules)
    assert document.removed == first
    assert Removed(0, 3, "earlier-stage") in first


def test_rules_come_from_the_data_file(tmp_path: Path) -> None:
    path = tmp_path / "noise.json"
    path.write_text(json.dumps({"line": {"house-ad": ["(?i:buy our calendar.*)"]}, "section_names": []}))
    rules = load_noise_rules(path)
    text = "Lead paragraph of the story.\n\nBuy our calendar today!\n\nSubscribe now\n\nLast paragraph."
    assert cleaned(text, rules) == [("house-ad", "Buy our calendar today!")]


@pytest.mark.parametrize(
    "content",
    ["{not json", '{"line": {"x": ["(unclosed"]}}', '{"line": {"x": "not a list"}}', "[]"],
)
def test_bad_rule_files_raise_input_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "noise.json"
    path.write_text(content)
    with pytest.raises(InputError):
        load_noise_rules(path)


def test_missing_rule_file_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        load_noise_rules(tmp_path / "absent.json")


def test_clean_long_text_of_distinct_lines_loses_nothing(rules: NoiseRules) -> None:
    """A long article of distinct short lines keeps them all (its speed is measured in make bench)."""
    paragraph = (
        "The council met again on {n} and heard from residents about the ferry terminal plans, "
        "which several speakers said would bring lorries through the old town.\n\n"
        "Short standalone line number {n} about the harbour and the ferry plans\n\n"
    )
    text = "Harbour meeting\n\n" + "".join(paragraph.format(n=n) for n in range(4000))
    assert len(text) > 800_000
    document = clean(document_for(text), rules)
    assert document.text == text
    assert document.removed == []
