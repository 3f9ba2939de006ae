"""Read brat standoff attribution files (PolNeAR): ``T`` spans tied into attributions by ``E`` lines.

A record starts a line with its id and a tab (``T12\\t``, ``E3\\t``, ``#1\\t``, ...). The
text of a ``T`` span may itself contain newlines, so any line that does not start a
record continues the previous one. Offsets are Python ``str`` indices into the article
text; a discontinuous span is ``start end;start end`` and its text in the file is the
fragments joined by one space.

``E`` lines name a trigger then ``Role:Tn`` arguments. Roles ``Cue``, ``Source`` and
``Content`` (also numbered repeats such as ``Content2``) give the span lists of one
attribution; a repeated role adds its spans to the list. Anything unexpected is kept
as a problem message, never raised, so one bad line does not hide a whole corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from claimgraph.model import Span

RECORD = re.compile(r"^(?:[TERAMN]\d+|#\d*|\*)\t")
T_HEAD = re.compile(r"^(\S+) (\d+ \d+(?:;\d+ \d+)*)$")
ROLE_SUFFIX = re.compile(r"\d+$")

# brat role name -> span kind scored by the evaluators.
ROLE_KINDS = {"Cue": "cue", "Source": "source", "Content": "content"}
KINDS: tuple[str, ...] = ("cue", "source", "content")


@dataclass(frozen=True, slots=True)
class TextBound:
    """One ``T`` record: a labelled list of spans and the text the file gives for them."""

    id: str
    label: str
    spans: tuple[Span, ...]
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class GoldAttribution:
    """One ``E`` record: the cue, source and content span lists of one attribution."""

    id: str
    line: int
    spans: dict[str, tuple[Span, ...]]  # kind -> spans, for every kind in KINDS

    def of(self, kind: str) -> tuple[Span, ...]:
        return self.spans.get(kind, ())


@dataclass(slots=True)
class AnnFile:
    """A parsed ``.ann`` file."""

    path: str
    bounds: dict[str, TextBound] = field(default_factory=dict)
    attributions: list[GoldAttribution] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _records(content: str) -> list[tuple[int, str]]:
    """(line number, record text) for every record, continuation lines joined back with newlines."""
    lines = content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the file's final newline ends the last record; it is not span text
    records: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if RECORD.match(line) or not records:
            records.append((number, line))
        else:
            start, text = records[-1]
            records[-1] = (start, text + "\n" + line)
    return records


def _text_bound(number: int, record: str, where: str, problems: list[str]) -> TextBound | None:
    parts = record.split("\t", 2)
    head = T_HEAD.match(parts[1]) if len(parts) >= 2 else None
    if head is None:
        problems.append(f"{where}:{number}: unreadable T record")
        return None
    spans: list[Span] = []
    for fragment in head.group(2).split(";"):
        start, end = (int(x) for x in fragment.split())
        if end < start:
            problems.append(f"{where}:{number}: span {start}-{end} ends before it starts")
            return None
        spans.append(Span(start, end))
    return TextBound(parts[0], head.group(1), tuple(spans), parts[2] if len(parts) == 3 else "", number)


def _attribution(number: int, record: str, ann: AnnFile) -> GoldAttribution | None:
    parts = record.split("\t", 1)
    arguments = parts[1].split() if len(parts) == 2 else []
    if not arguments:
        ann.problems.append(f"{ann.path}:{number}: E record without arguments")
        return None
    spans: dict[str, list[Span]] = {kind: [] for kind in KINDS}
    for argument in arguments[1:]:  # the first argument is the trigger
        role, _, ref = argument.partition(":")
        kind = ROLE_KINDS.get(ROLE_SUFFIX.sub("", role))
        bound = ann.bounds.get(ref)
        if kind is None:
            ann.problems.append(f"{ann.path}:{number}: unknown role {role!r}")
        elif bound is None:
            ann.problems.append(f"{ann.path}:{number}: {role} names missing span {ref!r}")
        else:
            spans[kind].extend(bound.spans)
    return GoldAttribution(parts[0], number, {kind: tuple(s) for kind, s in spans.items()})


def parse_ann(content: str, path: str) -> AnnFile:
    """Parse the text of one ``.ann`` file; ``path`` only labels problem messages."""
    ann = AnnFile(path=path)
    records = _records(content)
    for number, record in records:
        if record.startswith("T"):
            bound = _text_bound(number, record, path, ann.problems)
            if bound is not None:
                ann.bounds[bound.id] = bound
        elif not RECORD.match(record) and record.strip():
            ann.problems.append(f"{path}:{number}: line is not a brat record")
    for number, record in records:
        if record.startswith("E"):
            attribution = _attribution(number, record, ann)
            if attribution is not None:
                ann.attributions.append(attribution)
    return ann


def span_text_mismatches(ann: AnnFile, text: str) -> list[str]:
    """One message per ``T`` record whose offsets do not give back its own text in ``text``."""
    out: list[str] = []
    for bound in ann.bounds.values():
        if any(span.end > len(text) for span in bound.spans):
            out.append(f"{ann.path}:{bound.line}: {bound.id} runs past the end of the text")
            continue
        got = " ".join(span.text(text) for span in bound.spans)
        if got != bound.text:
            out.append(f"{ann.path}:{bound.line}: {bound.id} text differs from its offsets")
    return out
