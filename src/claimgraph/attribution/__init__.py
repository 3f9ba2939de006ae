"""Attribution (placeholder, being written)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from claimgraph.model import Claim, Document, Source


@dataclass(frozen=True, slots=True)
class Lexicons:
    pass


def load_lexicons() -> Lexicons:
    return Lexicons()


def attribute(document: Document, parsed: Any, lexicons: Lexicons) -> tuple[list[Source], list[Claim]]:
    return [], []
