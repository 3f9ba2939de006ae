"""One exception tree for claimgraph.

    ClaimgraphError
    ├── InputError          an input could not be read (names the file and the problem)
    │   └── DecodeError     undecodable bytes in a text file
    ├── StoreError          the database refused or is out of date
    ├── ModelError          an NLP model package is missing or broken
    └── EvalError           an evaluation file is missing or malformed

Library code raises these; only the CLI turns them into messages.
"""

from __future__ import annotations


class ClaimgraphError(Exception):
    """Base of every error claimgraph raises on purpose."""


class InputError(ClaimgraphError):
    """An input could not be read. ``path`` names it; ``line`` locates it when known."""

    def __init__(self, path: str, problem: str, line: int | None = None) -> None:
        self.path = path
        self.problem = problem
        self.line = line
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {problem}")


class DecodeError(InputError):
    """A text file whose bytes are not valid in its encoding."""


class StoreError(ClaimgraphError):
    """The store could not be opened, migrated or written."""


class ModelError(ClaimgraphError):
    """An NLP model could not be loaded."""


class EvalError(ClaimgraphError):
    """An evaluation input is missing or malformed."""


def first_line(error: BaseException) -> str:
    """The first line of an exception's message, or its type's name when it has none."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
