"""Reading the JSON data files the stages are driven by (packaged or given by path)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any


def read_json_object(
    path: Path | None, packaged: str, what: str, error: type[Exception] = ValueError
) -> dict[str, Any]:
    """The JSON object in ``path``, or in the packaged ``data/<packaged>`` when ``path`` is None.

    Raises ``error`` (the caller's error class) naming ``what`` and the problem when the file
    cannot be read, is not JSON, or is not an object.
    """
    try:
        if path is not None:
            text = path.read_text(encoding="utf-8")
        else:
            text = resources.files("claimgraph").joinpath("data", packaged).read_text(encoding="utf-8")
        raw = json.loads(text)
    except (OSError, json.JSONDecodeError) as exc:
        raise error(f"cannot read {what}: {exc}") from exc
    if not isinstance(raw, dict):
        raise error(f"{what} must be a JSON object")
    return raw
