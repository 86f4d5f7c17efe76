"""Extraction and reading on a Dask cluster: the same extractions and documents as one local
process, in input order, the same store after ``accord ingest --scheduler``, a bad document
failing alone, a killed worker costing nothing, and workers that reuse the memory they free.
One LocalCluster (two worker processes, one thread each) serves the module."""

from __future__ import annotations

import inspect
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dask
import pytest
from distributed import Client, LocalCluster
from typer.testing import CliRunner

from accord.cli.main import app
from accord.errors import AccordError, ExtractionError
from accord.limits import Limits
from accord.models import Document
from accord.pipeline import Extractor
from accord.store import Store
from support import BATCH, SAMPLE_TEXTS, sample_documents, write_articles


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        local_directory=str(tmp_path_factory.mktemp("dask")),
    ) as cluster:
        yield cluster


def _faults_per_reallocated_mib() -> float:
    """Minor page faults per MiB block allocated, filled and freed, over and over, in this process:
    none once the block is reused from the heap, 256 when each one is a fresh mapping."""
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(50):
        block = bytearray(1 << 20)
        del block
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 50


def test_cluster_workers_reuse_freed_memory(extractor: Extractor, cluster: LocalCluster) -> None:
    """A Dask nanny's MALLOC_TRIM_THRESHOLD_ makes glibc hand every freed array back to the kernel
    (the premise, checked in a plain process with the same variable); Accord's workers keep it."""
    pinned = subprocess.run(
        [sys.executable, "-c", f"{inspect.getsource(_faults_per_reallocated_mib)}\nprint(_faults_per_reallocated_mib())"],
        env=os.environ | {"MALLOC_TRIM_THRESHOLD_": "65536"}, capture_output=True, text=True, check=True,
    )
    assert float(pinned.stdout) > 200
    list(extractor.extract_many(sample_documents("doc")[:1], scheduler=cluster.scheduler_address))
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        assert all(client.run(lambda: "MALLOC_TRIM_THRESHOLD_" in os.environ).values())
        faults = client.run(_faults_per_reallocated_mib)
    assert len(faults) == 2 and max(faults.values()) < 16, faults


def test_cluster_gives_the_local_extractions_in_order(
    extractor: Extractor, expected: list[dict], cluster: LocalCluster
) -> None:
    documents = sample_documents("doc")
    pairs = list(extractor.extract_many(documents, batch_size=BATCH, scheduler=cluster.scheduler_address))
    assert [d for d, _ in pairs] == documents
    assert all(result.document is document for document, result in pairs)
    assert [result.to_json() for _, result in pairs] == expected
    assert any(r.quotes for _, r in pairs) and any(r.provisions for _, r in pairs)  # not a vacuous comparison


def test_a_failing_document_fails_alone_on_the_cluster(
    extractor: Extractor, expected: list[dict], cluster: LocalCluster
) -> None:
    documents = sample_documents("doc")
    documents[2] = Document(text=None, source="unreadable.txt")  # type: ignore[arg-type]  # a broken reader's output
    pairs = list(extractor.extract_many(documents, batch_size=BATCH, scheduler=cluster.scheduler_address))
    assert [d for d, _ in pairs] == documents
    assert isinstance(pairs[2][1], ExtractionError)
    assert str(pairs[2][1]).startswith("unreadable.txt: extraction failed: ")
    assert [r.to_json() for i, (_, r) in enumerate(pairs) if i != 2] == expected[:2] + expected[3:]


def test_a_killed_worker_costs_no_document(extractor: Extractor, expected: list[dict], cluster: LocalCluster) -> None:
    """Dask re-runs the lost worker's batches elsewhere; the run neither hangs nor loses one."""
    address = cluster.scheduler_address
    stream = extractor.extract_many(sample_documents("doc") * 2, batch_size=BATCH, scheduler=address)
    first = next(stream)
    with Client(address, set_as_default=False) as client:
        victim = next(iter(client.run(os.getpid).values()))
    os.kill(victim, signal.SIGKILL)
    pairs = [first, *stream]
    assert [result.to_json() for _, result in pairs] == expected * 2


def test_the_cluster_reads_what_this_process_reads(extractor: Extractor, cluster: LocalCluster, tmp_path: Path) -> None:
    sources = [*write_articles(tmp_path), tmp_path / "missing.txt"]
    here = list(extractor.read_many(sources, Limits(), batch_size=BATCH))
    there = list(extractor.read_many(sources, Limits(), batch_size=BATCH, scheduler=cluster.scheduler_address))
    assert there == here and len(there) == len(SAMPLE_TEXTS) + 1
    assert there[-1] == (tmp_path / "missing.txt", [], f"{tmp_path / 'missing.txt'}: no such file")


def test_ingest_on_the_cluster_stores_what_a_local_ingest_stores(tmp_path: Path, cluster: LocalCluster) -> None:
    articles = tmp_path / "articles"
    write_articles(articles)
    (articles / "empty.txt").write_text("", encoding="utf-8")  # a bad source costs its own line
    runner = CliRunner()
    stored = {}
    for name, extra in (("local", []), ("dask", ["--scheduler", cluster.scheduler_address])):
        url = f"sqlite:///{tmp_path / name}.db"
        result = runner.invoke(app, ["ingest", str(articles), "--db", url, *extra])
        assert result.exit_code == 1, result.output
        assert "empty.txt" in result.output and f"{len(SAMPLE_TEXTS)} new" in result.output
        with Store(url) as store:
            stored[name] = (
                sorted((d["id"], d["title"]) for d in store.documents()),
                sorted((q["speaker"], q["text"]) for q in store.quotes()),
                store.stats(),
            )
    assert stored["dask"] == stored["local"]
    assert stored["local"][1]  # quotes were extracted, not just documents stored
    again = runner.invoke(app, ["ingest", str(articles), "--db", f"sqlite:///{tmp_path / 'dask'}.db",
                                "--scheduler", cluster.scheduler_address])
    assert "0 new" in again.output and f"{len(SAMPLE_TEXTS)} already stored" in again.output


def test_an_unreachable_scheduler_is_one_error(extractor: Extractor) -> None:
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}), pytest.raises(
        AccordError, match="cannot reach the Dask scheduler"
    ):
        list(extractor.extract_many(sample_documents("doc"), scheduler="tcp://127.0.0.1:9"))
