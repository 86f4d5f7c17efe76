"""Scoring of extractions against accord-gold/1 gold files, behind ``accord eval``."""

from __future__ import annotations

from .petrarch import score_petrarch
from .plover import PloverReport, score_plover
from .report import CorpusReport, score_corpus
from .scoring import (
    FIGURE_REL_TOL,
    QUOTE_MIN_F1,
    Accuracy,
    Counts,
    DocScore,
    find_text,
    load_gold_dir,
    score_document,
)

__all__ = [
    "FIGURE_REL_TOL",
    "QUOTE_MIN_F1",
    "Accuracy",
    "CorpusReport",
    "Counts",
    "DocScore",
    "PloverReport",
    "find_text",
    "load_gold_dir",
    "score_corpus",
    "score_document",
    "score_petrarch",
    "score_plover",
]
