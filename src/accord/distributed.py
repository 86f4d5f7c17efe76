"""Whole extractions on an existing Dask cluster (``accord ingest --scheduler tcp://HOST:PORT``).

The local pool (``accord.parallel``) stops at the cores of one machine; a Dask cluster spreads the
same work over many. Each Dask worker loads the spaCy pipeline once (a worker plugin does it at
registration, and workers that join later load it on their first batch), documents travel in
batches with a few batches per worker in flight, and results come back in input order to the
caller, whose process keeps the one store writer. Dask re-runs the batches of a worker it loses;
a batch that still fails is redone document by document, so only the culprit gets an error.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from distributed import Client, Future, WorkerPlugin

from .errors import AccordError, ExtractionError
from .models import Document
from .parallel import Result, chunked, own

if TYPE_CHECKING:
    from .pipeline import Extractor

# Per worker process: the extractor of each case spec (or why it could not be built), and a lock,
# since one worker may run tasks in several threads and a spaCy pipeline is not meant to be shared.
_extractors: dict[str, Extractor | str] = {}
_lock = threading.Lock()


def _extractor(spec: str) -> Extractor | str:
    """The worker's extractor for ``spec``, built on first need; a failure is remembered as a
    message and reported per document instead of failing every task over and over."""
    with _lock:
        if spec not in _extractors:
            from .pipeline import Extractor

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
    """One Dask task: a batch's results in its order."""
    extractor = _extractor(spec)
    if isinstance(extractor, str):
        return [ExtractionError(f"{d.source}: extraction failed: {extractor}") for d in documents]
    with _lock:
        return [result for _, result in extractor.extract_many(documents, batch_size)]


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
        return max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))

    def run(self, documents: Iterable[Document], batch_size: int = 8) -> Iterator[tuple[Document, Result]]:
        """``(document, Extraction | ExtractionError)`` in input order."""
        pending: deque[tuple[list[Document], Future]] = deque()
        for chunk in chunked(documents, batch_size):
            pending.append((chunk, self._submit(chunk, batch_size)))
            if len(pending) >= self.in_flight * self.workers():
                yield from self._collect(pending.popleft(), batch_size)
        while pending:
            yield from self._collect(pending.popleft(), batch_size)

    def _submit(self, chunk: list[Document], batch_size: int) -> Future:
        # pure=False: two identical batches (a re-run) are two tasks, not one cached result.
        return self.client.submit(_extract_batch, chunk, self.spec, batch_size, pure=False)

    def _collect(self, item: tuple[list[Document], Future], batch_size: int) -> Iterator[tuple[Document, Result]]:
        chunk, future = item
        try:
            results = self._wait(future)
        except AccordError:
            raise
        except Exception:  # noqa: BLE001 - a lost worker or a task error: narrowed below
            for document in chunk:
                yield document, self._alone(document, batch_size)
        else:
            for document, result in zip(chunk, results):
                yield document, own(document, result)

    def _alone(self, document: Document, batch_size: int) -> Result:
        """One document in a task of its own, so that a failure during it is blamed on it alone."""
        try:
            result = self._wait(self._submit([document], batch_size))[0]
        except AccordError:
            raise
        except Exception as exc:  # noqa: BLE001 - reported per document
            reason = "a Dask worker died running it" if type(exc).__name__ == "KilledWorker" else f"{type(exc).__name__}: {exc}"
            return ExtractionError(f"{document.source}: extraction failed: {reason}")
        return own(document, result)

    def _wait(self, future: Future) -> list[Result]:
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
