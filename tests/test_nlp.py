"""The parse the pipeline starts from: sentence starts at line breaks, plain spaces."""

from __future__ import annotations

import pytest

from claimgraph.nlp import load_nlp, paragraph_doc


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return load_nlp()


def test_no_break_space_is_parsed_as_a_space_and_offsets_hold(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "As The Daily Lantern\u00a0notes, the convoy\u202fturned back."
    doc = nlp(paragraph_doc(nlp, text))
    words = [t for t in doc if not t.is_space]
    assert [t.text for t in words][:5] == ["As", "The", "Daily", "Lantern", "notes"]
    plain = nlp(paragraph_doc(nlp, text.replace("\u00a0", " ").replace("\u202f", " ")))
    assert [(t.idx, t.tag_, t.dep_) for t in doc] == [(t.idx, t.tag_, t.dep_) for t in plain]
    for tok in words:
        assert text[tok.idx : tok.idx + len(tok)].replace("\u00a0", " ") == tok.text


def test_every_line_starts_a_sentence(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Border closed\nOfficials said the crossing would reopen"
    doc = nlp(paragraph_doc(nlp, text))
    starts = [s.start_char for s in doc.sents]
    assert text.index("Officials") in starts
