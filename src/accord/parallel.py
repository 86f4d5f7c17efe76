"""Whole extractions in worker processes.

spaCy's own ``nlp.pipe(n_process=...)`` sends Docs back by serialising them, which drops the
Python objects Accord's components leave on ``doc._``. So each worker process builds its own
extractor once and returns finished ``Extraction`` dataclasses. Documents go out in chunks with
only a few chunks in flight (memory stays bounded on any corpus), results come back in input
order, and a worker that dies costs an error for the document that killed it, not a hang.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from itertools import islice
from typing import Protocol

from .errors import AccordError, ExtractionError
from .models import Document, Extraction

Result = Extraction | ExtractionError


class Runner(Protocol):
    """What a worker needs from an extractor (``accord.pipeline.Extractor`` in practice)."""

    def extract_many(self, documents: Iterable[Document], batch_size: int = 8) -> Iterator[tuple[Document, Result]]: ...


def chunked(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    """Consecutive lists of ``size`` items, read lazily so a corpus never sits in memory whole."""
    iterator = iter(items)
    while chunk := list(islice(iterator, max(1, size))):
        yield chunk


# One extractor per worker process, built by the pool initializer.
_runner: Runner | None = None
_startup_error = ""


def _start(make: Callable[[], Runner]) -> None:
    """Build the worker's extractor; a failure is kept and reported per document, so that a bad
    case file gives one clear error per document instead of a pool that breaks over and over."""
    global _runner, _startup_error
    try:
        _runner = make()
    except Exception as exc:  # noqa: BLE001 - surfaced in every result of this worker
        _startup_error = str(exc) or type(exc).__name__


def _ready() -> bool:
    """An empty task: proves that a fresh pool can start at all."""
    return True


def _extract_chunk(documents: list[Document], batch_size: int) -> list[Result]:
    """One task: a chunk's results in its order (documents go back to the caller's own copies)."""
    if _runner is None:
        return [ExtractionError(f"{d.source}: extraction failed: {_startup_error}") for d in documents]
    return [result for _, result in _runner.extract_many(documents, batch_size)]


class ExtractionPool:
    """Worker processes that each hold one extractor, kept alive across calls to ``run``.

    Workers are spawned, not forked: a fresh interpreter does not inherit the parent's loaded
    model or its threads, and each worker's memory is its own model plus one chunk.
    """

    def __init__(self, make: Callable[[], Runner], workers: int) -> None:
        self.make = make
        self.workers = workers
        self._executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        """A started pool; one that cannot even run an empty task (the interpreter or the caller's
        main module fails to import) is an error for the whole run, not for each document."""
        executor = ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start, initargs=(self.make,)
        )
        try:
            executor.submit(_ready).result()
        except BrokenProcessPool as exc:
            executor.shutdown(wait=False, cancel_futures=True)
            raise AccordError(
                "extraction worker processes cannot start (is the calling script missing an "
                "'if __name__ == \"__main__\":' guard?)"
            ) from exc
        return executor

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def run(self, documents: Iterable[Document], batch_size: int = 8) -> Iterator[tuple[Document, Result]]:
        """``(document, Extraction | ExtractionError)`` in input order, ``batch_size`` documents
        per task and at most two tasks per worker in flight."""
        pending: deque[tuple[list[Document], Future[list[Result]]]] = deque()
        for chunk in chunked(documents, batch_size):
            pending.append((chunk, self._submit(chunk, batch_size)))
            if len(pending) >= 2 * self.workers:
                yield from self._collect(pending, batch_size)
        while pending:
            yield from self._collect(pending, batch_size)

    def _submit(self, chunk: list[Document], batch_size: int) -> Future[list[Result]]:
        try:
            return self._executor.submit(_extract_chunk, chunk, batch_size)
        except BrokenProcessPool as exc:  # a worker died since the last collection
            future: Future[list[Result]] = Future()
            future.set_exception(exc)
            return future

    def _collect(
        self, pending: deque[tuple[list[Document], Future[list[Result]]]], batch_size: int
    ) -> Iterator[tuple[Document, Result]]:
        """Yield the oldest chunk's results. If the pool broke, every chunk in flight is suspect:
        restart the pool and run each of their documents alone, so only the culprit fails. Any
        other failure of the task (a document that cannot be sent) concerns this chunk only."""
        chunk, future = pending.popleft()
        try:
            results = future.result()
        except BrokenProcessPool:
            suspects = chunk + [d for other, _ in pending for d in other]
            pending.clear()
            self._restart()
        except Exception:  # noqa: BLE001 - narrowed to the failing document below
            suspects = chunk
        else:
            suspects = []
            for document, result in zip(chunk, results):
                yield document, own(document, result)
        for document in suspects:
            yield document, self._alone(document, batch_size)

    def _alone(self, document: Document, batch_size: int) -> Result:
        """One document in a task of its own, so that a crash during it is blamed on it alone."""
        try:
            result = self._executor.submit(_extract_chunk, [document], batch_size).result()[0]
        except BrokenProcessPool:
            self._restart()
            return ExtractionError(f"{document.source}: extraction failed: the worker process died")
        except Exception as exc:  # noqa: BLE001 - reported per document
            return ExtractionError(f"{document.source}: extraction failed: {type(exc).__name__}: {exc}")
        return own(document, result)

    def _restart(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = self._new_executor()


def own(document: Document, result: Result) -> Result:
    """The worker sent back a copy of the document; callers get their own object."""
    return replace(result, document=document) if isinstance(result, Extraction) else result
