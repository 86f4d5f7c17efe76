"""Extractor.extract_many and read_many: worker processes give the same extractions and read the
same documents as one process, in input order, with bounded read-ahead; a bad file or document, a
dead worker or a broken case file costs errors, never the batch. The worker pool is started once
for the module (own sample sentences)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from accord.errors import CaseError, ExtractionError
from accord.limits import Limits
from accord.models import Document
from accord.pipeline import Extractor
from support import BATCH, SAMPLE_TEXTS, sample_documents, write_articles


def _worker_pids() -> list[int]:
    """This process's spawned children: the pool's workers (Linux /proc)."""
    pids = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            parent = (proc / "stat").read_text().rsplit(")", 1)[1].split()[1]
            command = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if parent == str(os.getpid()) and b"spawn_main" in command:
            pids.append(int(proc.name))
    return pids


def test_two_workers_give_the_single_process_extractions_in_order(extractor: Extractor, expected: list[dict]) -> None:
    documents = sample_documents("doc")
    pairs = list(extractor.extract_many(documents, batch_size=BATCH, workers=2))
    assert [d for d, _ in pairs] == documents
    assert all(mine is theirs for (mine, _), theirs in zip(pairs, documents))
    assert all(result.document is document for document, result in pairs)
    assert [result.to_json() for _, result in pairs] == expected
    assert any(r.quotes for _, r in pairs) and any(r.provisions for _, r in pairs)  # not a vacuous comparison


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_document_fails_alone(extractor: Extractor, expected: list[dict], workers: int) -> None:
    documents = sample_documents("doc")
    documents[3] = Document(text=None, source="unreadable.txt")  # type: ignore[arg-type]  # a broken reader's output
    pairs = list(extractor.extract_many(documents, batch_size=BATCH, workers=workers))
    assert [d for d, _ in pairs] == documents
    error = pairs[3][1]
    assert isinstance(error, ExtractionError)
    assert str(error).startswith("unreadable.txt: extraction failed: ")
    kept = [result.to_json() for i, (_, result) in enumerate(pairs) if i != 3]
    assert kept == expected[:3] + expected[4:]


@pytest.mark.parametrize("workers", [1, 2])
def test_input_is_read_ahead_by_a_few_batches_only(extractor: Extractor, workers: int) -> None:
    pulled = 0

    def endless() -> Iterator[Document]:
        nonlocal pulled
        while True:
            pulled += 1
            yield Document(text=SAMPLE_TEXTS[pulled % len(SAMPLE_TEXTS)], source=f"stream-{pulled}.txt")

    stream = extractor.extract_many(endless(), batch_size=BATCH, workers=workers)
    first = [next(stream) for _ in range(3)]
    stream.close()
    assert [d.source for d, _ in first] == ["stream-1.txt", "stream-2.txt", "stream-3.txt"]
    assert pulled <= 2 * workers * BATCH + BATCH


def test_a_killed_worker_costs_no_document(extractor: Extractor, expected: list[dict]) -> None:
    list(extractor.extract_many(sample_documents("warm"), batch_size=BATCH, workers=2))  # the pool is up
    pids = _worker_pids()
    assert pids
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while set(pids) & set(_worker_pids()) and time.monotonic() < deadline:
        time.sleep(0.05)
    pairs = list(extractor.extract_many(sample_documents("doc"), batch_size=BATCH, workers=2))
    assert [result.to_json() for _, result in pairs] == expected
    assert _worker_pids() and not set(pids) & set(_worker_pids())  # a fresh pool did the work


def _sources(root: Path) -> list[Path]:
    """Articles, a file with no text and a missing one, in the order given."""
    articles = write_articles(root)
    (root / "empty.txt").write_text("", encoding="utf-8")
    return [*articles, root / "empty.txt", root / "missing.txt"] * 2


def test_workers_read_what_this_process_reads(extractor: Extractor, tmp_path: Path) -> None:
    sources = _sources(tmp_path / "in")
    here = list(extractor.read_many(sources, Limits(), batch_size=BATCH))
    there = list(extractor.read_many(sources, Limits(), batch_size=BATCH, workers=2))
    assert there == here
    assert [source for source, _, _ in there] == sources
    assert [len(documents) for _, documents, _ in there] == ([1] * len(SAMPLE_TEXTS) + [0, 0]) * 2
    assert [documents[0].language for _, documents, _ in there[: len(SAMPLE_TEXTS)]] == ["en"] * len(SAMPLE_TEXTS)
    errors = [error for _, _, error in there if error is not None]
    assert errors == [f"{tmp_path / 'in' / 'empty.txt'}: empty file", f"{tmp_path / 'in' / 'missing.txt'}: no such file"] * 2


def test_reading_goes_on_after_the_workers_were_killed(extractor: Extractor, tmp_path: Path) -> None:
    sources = _sources(tmp_path / "in")
    expected = list(extractor.read_many(sources, Limits(), batch_size=BATCH))
    list(extractor.extract_many(sample_documents("warm"), batch_size=BATCH, workers=2))  # the pool is up
    pids = _worker_pids()
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    assert list(extractor.read_many(sources, Limits(), batch_size=BATCH, workers=2)) == expected
    assert _worker_pids() and not set(pids) & set(_worker_pids())


def test_invalid_case_file_is_named_before_any_work(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: broken\nparties: [\n", encoding="utf-8")
    with pytest.raises(CaseError, match="broken.yaml"):
        Extractor(path)


def test_case_file_broken_after_start_gives_one_error_per_document(tmp_path: Path) -> None:
    """The workers read the case file themselves: if it went bad meanwhile, every document
    says so clearly instead of the pool failing or hanging."""
    bundled = Path(__file__).resolve().parents[1] / "src" / "accord" / "data" / "cases" / "ukraine-2025" / "case.yaml"
    path = tmp_path / "case.yaml"
    path.write_text(bundled.read_text(encoding="utf-8"), encoding="utf-8")
    with Extractor(path) as extractor:
        path.write_text("name: broken\nparties: [\n", encoding="utf-8")
        pairs = list(extractor.extract_many(sample_documents("doc")[:3], batch_size=BATCH, workers=2))
    assert len(pairs) == 3
    for document, result in pairs:
        assert isinstance(result, ExtractionError)
        assert str(result).startswith(f"{document.source}: extraction failed: ")
        assert "case.yaml" in str(result) and "YAML syntax error" in str(result)
