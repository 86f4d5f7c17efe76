"""Reading and whole extractions in worker processes.

spaCy's own ``nlp.pipe(n_process=...)`` sends Docs back by serialising them, which drops the
Python objects Accord's components leave on ``doc._``. So each worker process builds its own
extractor once and returns finished ``Extraction`` dataclasses. The workers also read the source
files (parsing, cleaning, language detection), so that the caller's process is left with the
store writes. Work goes out in chunks with only a few chunks in flight (memory stays bounded on
any corpus), results come back in input order, and a worker that dies costs an error for the
item that killed it, not a hang.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Protocol, TypeVar

from .errors import AccordError, ExtractionError
from .ingest import read_source
from .limits import Limits
from .models import Document, Extraction

Result = Extraction | ExtractionError
# A source's documents, or the one line that says why it could not be read.
Read = tuple[Path, list[Document], str | None]
Item = TypeVar("Item")
Out = TypeVar("Out")

# What a worker sends back instead of the document it was given: the caller has that document,
# and sending the text back would double what is pickled per document.
_SENT_BACK = Document(text="", source="")


class Runner(Protocol):
    """What a worker needs from an extractor (``accord.pipeline.Extractor`` in practice)."""

    def extract_many(self, documents: Iterable[Document], batch_size: int = 8) -> Iterator[tuple[Document, Result]]: ...


def chunked(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """Consecutive lists of ``size`` items, read lazily so a corpus never sits in memory whole."""
    iterator = iter(items)
    while chunk := list(islice(iterator, max(1, size))):
        yield chunk


def read_sources(sources: list[Path], limits: Limits) -> list[Read]:
    """One task of reading, wherever it runs. A bad source gives its error line as a string:
    Accord's errors take several constructor arguments, which pickling between processes loses."""
    reads: list[Read] = []
    for source in sources:
        try:
            reads.append((source, read_source(source, limits), None))
        except AccordError as exc:
            reads.append((source, [], str(exc)))
    return reads


def compact(results: Iterable[Result]) -> list[Result]:
    """Extractions without their documents, for the trip back to the caller (see ``own``)."""
    return [replace(r, document=_SENT_BACK) if isinstance(r, Extraction) else r for r in results]


def own(document: Document, result: Result) -> Result:
    """The caller's document put back into an extraction that came back without it."""
    return replace(result, document=document) if isinstance(result, Extraction) else result


def read_failed(source: Path, reason: str) -> Read:
    return source, [], f"{source}: reading failed: {reason}"


def extraction_failed(document: Document, reason: str) -> Result:
    return ExtractionError(f"{document.source}: extraction failed: {reason}")


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
    """One task: a chunk's results in its order, without the documents (``compact``)."""
    if _runner is None:
        return [extraction_failed(d, _startup_error) for d in documents]
    return compact(result for _, result in _runner.extract_many(documents, batch_size))


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
        for document, result in self._stream(
            documents, batch_size, partial(_extract_chunk, batch_size=batch_size), extraction_failed
        ):
            yield document, own(document, result)

    def read(self, sources: Iterable[Path], limits: Limits, batch_size: int = 8) -> Iterator[Read]:
        """Each source's documents or error line, in input order, read in the workers."""
        for _, read in self._stream(sources, batch_size, partial(read_sources, limits=limits), read_failed):
            yield read

    def _stream(
        self, items: Iterable[Item], size: int, task: Callable[[list[Item]], list[Out]],
        fail: Callable[[Item, str], Out],
    ) -> Iterator[tuple[Item, Out]]:
        """``task`` over chunks of ``items``, results in input order, at most two chunks per
        worker in flight: while the caller handles one chunk's results the workers go on."""
        pending: deque[tuple[list[Item], ProcessPoolExecutor, Future[list[Out]]]] = deque()
        for chunk in chunked(items, size):
            pending.append((chunk, self._executor, self._submit(task, chunk)))
            if len(pending) >= 2 * self.workers:
                yield from self._collect(pending, task, fail)
        while pending:
            yield from self._collect(pending, task, fail)

    def _submit(self, task: Callable[[list[Item]], list[Out]], chunk: list[Item]) -> Future[list[Out]]:
        try:
            return self._executor.submit(task, chunk)
        except BrokenProcessPool as exc:  # a worker died since the last collection
            future: Future[list[Out]] = Future()
            future.set_exception(exc)
            return future

    def _collect(
        self, pending: deque[tuple[list[Item], ProcessPoolExecutor, Future[list[Out]]]],
        task: Callable[[list[Item]], list[Out]], fail: Callable[[Item, str], Out],
    ) -> Iterator[tuple[Item, Out]]:
        """Yield the oldest chunk's results. If the pool broke, every chunk in flight on it is
        suspect: restart the pool and run each of their items alone, so only the culprit fails.
        Any other failure of the task (an item that cannot be sent) concerns this chunk only."""
        chunk, executor, future = pending.popleft()
        try:
            results = future.result()
        except BrokenProcessPool:
            suspects = chunk + [item for other, on, _ in pending if on is executor for item in other]
            survivors = [entry for entry in pending if entry[1] is not executor]
            pending.clear()
            pending.extend(survivors)
            self._restart(executor)
        except Exception:  # noqa: BLE001 - narrowed to the failing item below
            suspects = chunk
        else:
            suspects = []
            yield from zip(chunk, results)
        for item in suspects:
            yield item, self._alone(item, task, fail)

    def _alone(self, item: Item, task: Callable[[list[Item]], list[Out]], fail: Callable[[Item, str], Out]) -> Out:
        """One item in a task of its own, so that a crash during it is blamed on it alone."""
        executor = self._executor
        try:
            return executor.submit(task, [item]).result()[0]
        except BrokenProcessPool:
            self._restart(executor)
            return fail(item, "the worker process died")
        except Exception as exc:  # noqa: BLE001 - reported per item
            return fail(item, f"{type(exc).__name__}: {exc}")

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        """A fresh pool in place of ``broken``, unless another stream (reading and extraction
        share the pool) has already replaced it."""
        if self._executor is broken:
            broken.shutdown(wait=False, cancel_futures=True)
            self._executor = self._new_executor()
