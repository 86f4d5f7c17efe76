"""Batch ingest: sources → documents → extractions → store, streamed, with one writer.

Reading and extraction run where the extractor runs them (this process, worker processes or a
Dask cluster), a few batches ahead of what is stored, so a large corpus is never held in memory
and the workers go on while this process writes. Every store write happens here, in input order
(the same store whatever the timing), a batch of documents with their extractions per transaction
(one transaction per document only if the batch fails). Which documents are already extracted is
asked between reading and extraction, so a re-run reads but extracts nothing again. A bad source
or a failing extractor costs that source or document only, reported through ``on_error``; a
re-run stores nothing twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ExtractionError, StoreError
from .ingest import iter_sources
from .limits import Limits
from .models import Document, Extraction
from .parallel import chunked
from .pipeline import Extractor
from .store import Store

WRITE_BATCH = 32  # documents per store transaction (and per check of which are already extracted)


@dataclass
class IngestReport:
    """What a batch did: stored statuses (new / syndicated / duplicate) and failures."""

    sources: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.sources} source(s), {sum(self.counts.values())} document(s): {self.counts['new']} new, "
            f"{self.counts['syndicated']} syndicated copies grouped, {self.counts['duplicate']} already stored; "
            f"{len(self.failures)} failed"
        )


def ingest_paths(
    paths: Iterable[str | Path],
    store: Store,
    extractor: Extractor,
    *,
    limits: Limits | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    on_source: Callable[[Path], None] | None = None,
    on_error: Callable[[str], None] | None = None,
) -> IngestReport:
    """Ingest every source under ``paths``; documents already extracted for the case are only
    recorded as seen at this source (idempotence), the rest are extracted (in ``workers``
    processes, or on the Dask cluster at ``scheduler``) and stored here."""
    sources = list(iter_sources(paths))
    report = IngestReport(sources=len(sources))
    limits = limits or Limits.from_env()  # the caller's environment, wherever the reading runs

    def fail(message: str) -> None:
        report.failures.append(message)
        if on_error is not None:
            on_error(message)

    def write(batch: list[tuple[Document, Extraction | None]]) -> None:
        for (document, _), result in zip(batch, store.ingest_many(batch)):
            if isinstance(result, StoreError):
                fail(f"{document.source}: {result}")
            else:
                report.counts[result.status] += 1

    def todo() -> Iterator[Document]:
        reads = extractor.read_many(sources, limits, workers=workers, scheduler=scheduler)
        for chunk in chunked(reads, WRITE_BATCH):
            documents: list[Document] = []
            for source, read, error in chunk:
                if error is not None:
                    fail(error)
                if on_source is not None:
                    on_source(source)
                documents.extend(read)
            done = store.extracted({document.id for document in documents}, extractor.case.name)
            write([(document, None) for document in documents if document.id in done])
            yield from (document for document in documents if document.id not in done)

    results = extractor.extract_many(todo(), workers=workers, scheduler=scheduler)
    for chunk in chunked(results, WRITE_BATCH):
        batch: list[tuple[Document, Extraction | None]] = []
        for document, result in chunk:
            if isinstance(result, ExtractionError):
                fail(str(result))
                result = None  # the document is stored all the same: its text is kept
            batch.append((document, result))
        write(batch)
    return report
