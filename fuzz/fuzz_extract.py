"""Fuzz the extraction: text -> Extractor().extract. Every item's offsets must lie inside the
text and a quote's offsets must spell its text; any exception is a crash (an extractor that
fails on a document is reported as ExtractionError, which the pipeline must never raise here)."""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["accord"]):
    from accord.models import Document
    from accord.pipeline import Extractor

EXTRACTOR = Extractor().load()  # before fuzzing starts


def test_one_input(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
    extraction = EXTRACTOR.extract(Document(text=text, source="fuzz"))
    spans = [(q.start, q.end) for q in extraction.quotes] + [(a.start, a.end) for a in extraction.actors]
    spans += [(p.start, p.end) for p in extraction.provisions] + [(s.start, s.end) for s in extraction.stances]
    spans += [(e.start, e.end) for e in extraction.events]
    assert all(0 <= start <= end <= len(text) for start, end in spans), spans
    assert all(text[q.start : q.end] == q.text for q in extraction.quotes)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
