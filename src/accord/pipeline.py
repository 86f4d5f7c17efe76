"""The library entry point: documents in, extractions out (no storage involved)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from .case import Case, load_case
from .errors import ExtractionError
from .models import Document, Extraction
from .nlp import load_nlp


class Extractor:
    """Runs the spaCy pipeline with Accord's components for one case."""

    def __init__(self, case: str | Path | None = None) -> None:
        self.case: Case = load_case(case)
        self.nlp = load_nlp(str(case) if case is not None else self.case.name)

    def extract(self, document: Document) -> Extraction:
        """Extract everything from one document; raises ExtractionError if an extractor failed."""
        result = next(self._run([document]))[1]
        if isinstance(result, ExtractionError):
            raise result
        return result

    def extract_many(
        self, documents: Iterable[Document], batch_size: int = 8
    ) -> Iterator[tuple[Document, Extraction | ExtractionError]]:
        """Extract from many documents; a failing extractor yields an error for that document only."""
        yield from self._run(documents, batch_size)

    def _run(
        self, documents: Iterable[Document], batch_size: int = 8
    ) -> Iterator[tuple[Document, Extraction | ExtractionError]]:
        def docs() -> Iterator[tuple]:
            for document in documents:
                doc = self.nlp.make_doc(document.text)
                doc._.published = document.published
                yield doc, document

        for doc, document in self.nlp.pipe(docs(), as_tuples=True, batch_size=batch_size):
            if doc._.errors:
                yield document, ExtractionError(f"{document.source}: extraction failed: {'; '.join(doc._.errors)}")
                continue
            yield document, Extraction(
                document=document,
                case=self.case.name,
                actors=doc._.actors,
                quotes=doc._.quotes,
                provisions=doc._.provisions,
                stances=doc._.stances,
                events=doc._.events,
            )
