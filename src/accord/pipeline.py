"""The library entry point: documents in, extractions out (no storage involved); sources read
where the extraction runs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cached_property, partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from spacy.language import Language

from .case import Case, load_case
from .errors import ExtractionError
from .limits import Limits
from .models import Document, Extraction
from .nlp import load_nlp
from .parallel import ExtractionPool, Read, chunked, read_sources

if TYPE_CHECKING:
    from .distributed import DaskPool


class Extractor:
    """Runs the spaCy pipeline with Accord's components for one case.

    With ``workers > 1`` the extraction runs in a pool of processes, and with ``scheduler`` on the
    workers of that Dask cluster; either lives until ``close()`` (or the end of a ``with`` block),
    so repeated calls don't reload the model.
    """

    def __init__(self, case: str | Path | None = None) -> None:
        self.case: Case = load_case(case)
        self._spec = str(case) if case is not None else self.case.name
        self._pool: ExtractionPool | DaskPool | None = None

    @cached_property
    def nlp(self) -> Language:
        """Loaded on first use: a parent that only feeds worker processes never needs it."""
        return load_nlp(self._spec)

    def load(self) -> Extractor:
        """Load the model now (a worker at start-up, a test before timing), not on first use."""
        _ = self.nlp
        return self

    def extract(self, document: Document) -> Extraction:
        """Extract everything from one document; raises ExtractionError if an extractor failed."""
        result = self._one(document)
        if isinstance(result, ExtractionError):
            raise result
        return result

    def extract_many(
        self, documents: Iterable[Document], batch_size: int = 8, workers: int = 1, scheduler: str | None = None
    ) -> Iterator[tuple[Document, Extraction | ExtractionError]]:
        """Extract from many documents, in input order; a failing document yields an error for
        that document only. ``workers > 1`` spreads batches over that many processes;
        ``scheduler`` (a Dask scheduler address) over that cluster's workers instead."""
        pool = self._pool_for(workers, scheduler)
        if pool is None:
            yield from self._run(documents, batch_size)
        else:
            yield from pool.run(documents, batch_size)

    def read_many(
        self, sources: Iterable[Path], limits: Limits, batch_size: int = 8, workers: int = 1,
        scheduler: str | None = None,
    ) -> Iterator[Read]:
        """``(source, documents, error line or None)`` per source, in input order, read by the
        processes or cluster workers that ``extract_many`` would use with the same arguments, so
        that the caller's process is not the one that parses every file."""
        pool = self._pool_for(workers, scheduler)
        if pool is None:
            for source in sources:
                yield from read_sources([source], limits)
        else:
            yield from pool.read(sources, limits, batch_size)

    def _pool_for(self, workers: int, scheduler: str | None) -> ExtractionPool | DaskPool | None:
        """The pool for these arguments (started on first need, kept for the next calls), or None
        to work in this process."""
        if scheduler is not None:
            from .distributed import DaskPool  # imports dask: only for those who use it

            if not isinstance(self._pool, DaskPool) or self._pool.address != scheduler:
                self.close()
                self._pool = DaskPool(scheduler, self._spec)
        elif workers <= 1:
            return None
        elif not isinstance(self._pool, ExtractionPool) or self._pool.workers != workers:
            self.close()
            self._pool = ExtractionPool(partial(_loaded, self._spec), workers)
        return self._pool

    def close(self) -> None:
        """Stop the worker processes, if any."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _run(
        self, documents: Iterable[Document], batch_size: int
    ) -> Iterator[tuple[Document, Extraction | ExtractionError]]:
        """Batches through ``nlp.pipe``; if spaCy itself fails on a batch, its documents are
        redone one by one so that only the bad one is lost."""
        for chunk in chunked(documents, batch_size):
            try:
                results = list(self._pipe(chunk, batch_size))
            except Exception:  # noqa: BLE001 - narrowed to the failing document below
                results = [self._one(document) for document in chunk]
            yield from zip(chunk, results)

    def _one(self, document: Document) -> Extraction | ExtractionError:
        try:
            return next(self._pipe([document], 1))
        except Exception as exc:  # noqa: BLE001 - reported per document
            return ExtractionError(f"{document.source}: extraction failed: {type(exc).__name__}: {exc}")

    def _pipe(self, documents: list[Document], batch_size: int) -> Iterator[Extraction | ExtractionError]:
        def docs() -> Iterator[tuple]:
            for document in documents:
                doc = self.nlp.make_doc(document.text)
                doc._.published = document.published
                yield doc, document

        for doc, document in self.nlp.pipe(docs(), as_tuples=True, batch_size=batch_size):
            if doc._.errors:
                yield ExtractionError(f"{document.source}: extraction failed: {'; '.join(doc._.errors)}")
                continue
            yield Extraction(
                document=document,
                case=self.case.name,
                actors=doc._.actors,
                quotes=doc._.quotes,
                provisions=doc._.provisions,
                stances=doc._.stances,
                events=doc._.events,
            )


def _loaded(spec: str) -> Extractor:
    """A worker's extractor with its model loaded at start-up, not during its first batch."""
    return Extractor(spec).load()
