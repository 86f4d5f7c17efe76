"""Whole extractions on an existing Dask cluster (``accord ingest --scheduler tcp://HOST:PORT``).

The local pool (``accord.parallel``) stops at the cores of one machine; a Dask cluster spreads the
same work over many. Each Dask worker loads the spaCy pipeline once (a worker plugin does it at
registration, and workers that join later load it on their first batch). The workers read the
source files too, so they must see them at the paths given (a shared volume; absolute paths);
the per-file time limit (``ACCORD_TIMEOUT``) needs a signal, which only a worker's main thread
gets, so on Dask it does not apply (the size limits do). Sources and documents travel in batches
with a few batches per worker in flight, and results come back in input order to the caller,
whose process keeps the one store writer. Dask re-runs the batches of a worker it loses; a batch
that still fails is redone item by item, so only the culprit gets an error.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from distributed import Client, Future, WorkerPlugin

from .errors import AccordError
from .limits import Limits
from .models import Document
from .parallel import Item, Out, Read, Result, chunked, compact, extraction_failed, own, read_failed, read_sources

if TYPE_CHECKING:
    from .pipeline import Extractor

# Per worker process: the extractor of each case spec (or why it could not be built), and a lock,
# since one worker may run tasks in several threads and a spaCy pipeline is not meant to be shared.
_extractors: dict[str, Extractor | str] = {}
_lock = threading.Lock()

# glibc's own ceilings for the thresholds it adapts by itself: allocations up to 32 MiB come from
# the heap, and up to twice that may stay free at its top before it is handed back.
_MMAP_THRESHOLD, _TRIM_THRESHOLD = 32 << 20, 64 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameters, from glibc's malloc.h


def _heap_for_parsing() -> None:
    """Give the worker's malloc back the thresholds glibc would have reached by itself.

    A Dask nanny starts its worker with ``MALLOC_TRIM_THRESHOLD_`` set (64 KiB by default), which
    also pins glibc's mmap threshold at 128 KiB: every larger array the parser frees goes back to
    the kernel and the next one is faulted in afresh. On the spaCy pipeline that is over ten
    times the page faults and about a fifth more CPU than the same work in a plain process
    (bench/README.md). Only where that variable is set, and only on glibc (``mallopt``).
    """
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    if hasattr(libc, "mallopt"):
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
        libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)


def _extractor(spec: str) -> Extractor | str:
    """The worker's extractor for ``spec``, built on first need; a failure is remembered as a
    message and reported per document instead of failing every task over and over."""
    with _lock:
        if spec not in _extractors:
            from .pipeline import Extractor

            _heap_for_parsing()
            try:
                _extractors[spec] = Extractor(spec).load()
            except Exception as exc:  # noqa: BLE001 - surfaced in every result of this worker
                _extractors[spec] = str(exc) or type(exc).__name__
        return _extractors[spec]


class ModelPlugin(WorkerPlugin):
    """Loads the case's pipeline on every worker as it registers, so that the first batch sent
    to a worker does not pay the model's start-up."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.name = f"accord-model-{spec}"

    def setup(self, worker: object) -> None:
        _extractor(self.spec)

    def teardown(self, worker: object) -> None:
        _extractors.pop(self.spec, None)


def _extract_batch(documents: list[Document], spec: str, batch_size: int) -> list[Result]:
    """One Dask task: a batch's results in its order, without the documents (``compact``)."""
    extractor = _extractor(spec)
    if isinstance(extractor, str):
        return [extraction_failed(d, extractor) for d in documents]
    with _lock:
        return compact(result for _, result in extractor.extract_many(documents, batch_size))


class DaskPool:
    """A connection to a Dask scheduler whose workers extract for one case spec.

    ``in_flight`` batches per worker are submitted ahead (memory stays bounded on any corpus);
    waiting for a batch polls the cluster, so a cluster left with no worker for ``patience``
    seconds ends the run with an error instead of a hang.
    """

    def __init__(self, address: str, spec: str, *, in_flight: int = 2, patience: float = 120.0) -> None:
        self.address = address
        self.spec = spec
        self.in_flight = in_flight
        self.patience = patience
        self._workers, self._asked = 1, float("-inf")
        try:
            self.client = Client(address, set_as_default=False)
        except OSError as exc:
            raise AccordError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        try:
            self.client.wait_for_workers(1, timeout=patience)
        except TimeoutError:
            self.client.close()
            raise AccordError(f"the Dask cluster at {address} has no worker") from None
        self.client.register_plugin(ModelPlugin(spec))

    def close(self) -> None:
        self.client.close()

    def workers(self) -> int:
        """The cluster's workers, asked of the scheduler at most once a second: the answer only
        sizes how many batches go ahead, and a full ``scheduler_info`` per batch cost the
        scheduler and this process more than the batch's transfer."""
        now = time.monotonic()
        if now - self._asked > 1.0:
            self._workers, self._asked = max(1, len(self.client.nthreads())), now
        return self._workers

    def run(self, documents: Iterable[Document], batch_size: int = 8) -> Iterator[tuple[Document, Result]]:
        """``(document, Extraction | ExtractionError)`` in input order."""
        for document, result in self._stream(documents, batch_size, _extract_batch, extraction_failed,
                                             self.spec, batch_size):
            yield document, own(document, result)

    def read(self, sources: Iterable[Path], limits: Limits, batch_size: int = 8) -> Iterator[Read]:
        """Each source's documents or error line, in input order, read on the workers."""
        for _, read in self._stream(sources, batch_size, read_sources, read_failed, limits):
            yield read

    def _stream(
        self, items: Iterable[Item], size: int, task: Callable[..., list[Out]], fail: Callable[[Item, str], Out],
        *args: Any,
    ) -> Iterator[tuple[Item, Out]]:
        """``task(chunk, *args)`` over chunks of ``items``, results in input order."""
        pending: deque[tuple[list[Item], Future]] = deque()
        for chunk in chunked(items, size):
            pending.append((chunk, self._submit(task, chunk, *args)))
            if len(pending) >= self.in_flight * self.workers():
                yield from self._collect(pending.popleft(), task, fail, *args)
        while pending:
            yield from self._collect(pending.popleft(), task, fail, *args)

    def _submit(self, task: Callable[..., list[Out]], chunk: list[Item], *args: Any) -> Future:
        # pure=False: two identical batches (a re-run) are two tasks, not one cached result.
        return self.client.submit(task, chunk, *args, pure=False)

    def _collect(
        self, entry: tuple[list[Item], Future], task: Callable[..., list[Out]], fail: Callable[[Item, str], Out],
        *args: Any,
    ) -> Iterator[tuple[Item, Out]]:
        chunk, future = entry
        try:
            results = self._wait(future)
        except AccordError:
            raise
        except Exception:  # noqa: BLE001 - a lost worker or a task error: narrowed below
            for item in chunk:
                yield item, self._alone(item, task, fail, *args)
        else:
            yield from zip(chunk, results)

    def _alone(self, item: Item, task: Callable[..., list[Out]], fail: Callable[[Item, str], Out], *args: Any) -> Out:
        """One item in a task of its own, so that a failure during it is blamed on it alone."""
        try:
            return self._wait(self._submit(task, [item], *args))[0]
        except AccordError:
            raise
        except Exception as exc:  # noqa: BLE001 - reported per item
            killed = type(exc).__name__ == "KilledWorker"
            return fail(item, "a Dask worker died running it" if killed else f"{type(exc).__name__}: {exc}")

    def _wait(self, future: Future) -> list[Any]:
        """The batch's results; raises what the task raised, or AccordError once the cluster has
        had no worker for ``patience`` seconds."""
        from distributed import TimeoutError as DaskTimeout

        alone_since: float | None = None
        while True:
            try:
                return future.result(timeout=2)
            except (DaskTimeout, TimeoutError):
                if self.client.scheduler_info(n_workers=-1)["workers"]:
                    alone_since = None
                    continue
                alone_since = alone_since or time.monotonic()
                if time.monotonic() - alone_since > self.patience:
                    future.cancel()
                    raise AccordError(
                        f"the Dask cluster at {self.address} has had no worker for {self.patience:.0f} s"
                    ) from None
