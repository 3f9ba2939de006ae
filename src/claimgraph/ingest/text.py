"""Plain text (``.txt``, ``.md``, stdin): the decoded content is ``Document.text``, unchanged.

Reads bytes, adds ``Document.text``, ``path`` and, when the first line looks like a
headline standing on its own, ``title`` and ``title_span``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from claimgraph.errors import DecodeError
from claimgraph.model import Document, Skipped, Span

# Longest first line still taken for a headline. Headlines in news run 40-120
# characters (both seed articles' titles, the BBC corpus titles: all under 100);
# 200 leaves room for long ones while a lead paragraph is usually longer.
TITLE_MAX_CHARS = 200
# A first line ending like this is a sentence or an introduction, not a headline.
# Question and exclamation marks are allowed: headlines do use them.
TITLE_BAD_ENDINGS = (".", ",", ";", ":")

BOM = "\ufeff"
# A Markdown heading mark before a title ("# Title"): left out of the title span.
_HEADING_MARK = re.compile(r"#{1,6}[ \t]+")


def decode_text(data: bytes, path: str) -> str:
    """Decode UTF-8, dropping a leading byte-order mark (offsets count from after it).

    Raises ``DecodeError`` naming the first undecodable byte.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DecodeError(path, f"not valid UTF-8 (byte {error.start}: {error.reason})") from error
    return text.removeprefix(BOM)


def find_title(text: str, start: int = 0) -> Span | None:
    """The headline line at or after ``start``, or None.

    Reads the first non-blank line from ``start``: it is a headline when it is at most
    ``TITLE_MAX_CHARS`` long, holds a letter, does not end like a sentence, and is
    followed by a blank line with more text after it. The span excludes surrounding
    whitespace and a Markdown heading mark.
    """
    lines = _lines_from(text, start)
    for line_start, line_end in lines:
        content = text[line_start:line_end]
        if not content.strip():
            continue
        stripped = content.strip()
        mark = _HEADING_MARK.match(stripped)
        heading = mark.end() if mark else 0
        stripped = stripped[heading:]
        if (
            len(stripped) > TITLE_MAX_CHARS
            or stripped.endswith(TITLE_BAD_ENDINGS)
            or not any(ch.isalpha() for ch in stripped)
        ):
            return None
        following = next(lines, None)
        if following is None or text[following[0] : following[1]].strip():
            return None
        if not text[following[1] :].strip():
            return None
        offset = line_start + (len(content) - len(content.lstrip())) + heading
        return Span(offset, offset + len(stripped))
    return None


def locate_title(text: str, title: str) -> Span | None:
    """The span of ``title`` when the text opens with it as a line of its own, else None."""
    wanted = title.strip()
    if not wanted:
        return None
    offset = len(text) - len(text.lstrip())
    if not text.startswith(wanted, offset):
        return None
    end = offset + len(wanted)
    newline = text.find("\n", end)
    if text[end : len(text) if newline < 0 else newline].strip():
        return None
    return Span(offset, end)


def text_document(text: str, path: str) -> Document | Skipped:
    """A Document for already decoded text, or Skipped when it holds no text."""
    if not text:
        return Skipped(path, "empty file")
    if not text.strip():
        return Skipped(path, "no text (whitespace only)")
    title_span = find_title(text)
    title = title_span.text(text) if title_span else None
    return Document(text=text, path=path, title=title, title_span=title_span)


def read_text(path: Path, shown: str) -> Iterator[Document | Skipped]:
    """Read one plain-text file; ``shown`` is the path as the user gave it."""
    try:
        text = decode_text(path.read_bytes(), shown)
    except DecodeError as error:
        yield Skipped(shown, error.problem)
        return
    except OSError as error:
        yield Skipped(shown, describe_os_error(error))
        return
    yield text_document(text, shown)


def describe_os_error(error: OSError) -> str:
    """A short lower-case reason for an OSError ("permission denied", ...)."""
    reason = error.strerror or str(error)
    return reason[:1].lower() + reason[1:]


def _lines_from(text: str, start: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each line from ``start``, newline excluded."""
    position = start
    length = len(text)
    while position <= length:
        newline = text.find("\n", position)
        end = length if newline < 0 else newline
        yield position, end
        if newline < 0:
            return
        position = newline + 1
