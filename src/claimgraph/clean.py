"""Noise: ranges of the text that are not article body (placeholder, being written)."""

from __future__ import annotations

from dataclasses import dataclass

from claimgraph.model import Document


@dataclass(frozen=True, slots=True)
class NoiseRules:
    pass


def load_noise_rules() -> NoiseRules:
    return NoiseRules()


def clean(document: Document, rules: NoiseRules) -> Document:
    return document
