"""Does ingest scale: against raw spaCy, over workers, over corpus size?

In one run, on the same texts (``speed.py``'s corpus of recombined sample paragraphs, written to
files so ingest reads them as it reads any article):

1. end-to-end ``ingest_paths`` (read, extract, store into a fresh SQLite file) against the raw
   ``nlp.pipe`` parse: with 1 process, 2 local worker processes, and a Dask LocalCluster of 1
   and 2 workers (1 thread each); documents/s, words/s, wall and CPU seconds;
2. full-extraction ingest (2 local workers) of one corpus into one store, timed as it passes each
   size, with the per-document cost of each stretch and a linear fit of time against size;
3. the parent's store part alone (``Store.ingest_many`` of synthetic extractions recombined from real
   ones, ``bench/synthetic.py``) up to a large size, with the per-document cost of each stretch;
4. peak resident memory of the parent, the largest local worker and the largest Dask worker.

Prints Markdown tables and writes ``bench/results/scale.json``. Run:
``.venv/bin/python bench/scale.py [--docs N] [--grow 1000,2000,5000] [--store 1000,10000,100000]``.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import resource
import tempfile
import pstats
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import spacy
from distributed import Client, LocalCluster

from accord.batch import WRITE_BATCH, ingest_paths
from accord.errors import StoreError
from accord.models import Document, Extraction
from accord.nlp import MODEL
from accord.parallel import chunked
from accord.pipeline import Extractor
from accord.store import AddResult, Store
from speed import best_of, child_peak_rss_mb, corpus
from synthetic import ROOT, real_paragraphs, synthetic

RESULTS = ROOT / "bench" / "results" / "scale.json"
SECTIONS = ("throughput", "growth", "store_writes")  # a run that skips a section leaves it as it was


def write_corpus(count: int, where: Path, seed: int = 2025) -> tuple[Path, int]:
    """``count`` article files under ``where``; the directory and its word count."""
    where.mkdir(parents=True, exist_ok=True)
    words = 0
    for i, document in enumerate(corpus(count, seed)):
        (where / f"article-{i:06d}.txt").write_text(document.text + "\n", encoding="utf-8")
        words += len(document.text.split())
    return where, words


def ingest_run(directory: Path, tmp: Path, extractor: Extractor, **how: Any) -> Callable[[], int]:
    """One timed ingest of ``directory`` into a fresh store; returns the documents stored."""
    def run() -> int:
        with Store(f"sqlite:///{tempfile.mkdtemp(dir=tmp)}/accord.db") as store:
            report = ingest_paths([directory], store, extractor, **how)
        assert not report.failures, report.failures[:3]
        return report.counts["new"] + report.counts["syndicated"]

    return run


def dask_worker_peak_mb(client: Client) -> float:
    """The largest peak resident memory among the cluster's workers."""
    peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return max(peaks.values())


def throughput(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    directory, words = write_corpus(args.docs, tmp / "corpus")
    texts = [p.read_text(encoding="utf-8") for p in sorted(directory.iterdir())]
    raw = spacy.load(MODEL)
    warm, _ = write_corpus(32, tmp / "warm", seed=1)
    list(raw.pipe(texts[:32], batch_size=8))
    memory: dict[str, float] = {}

    def raw_run(processes: int) -> Callable[[], int]:
        return lambda: sum(1 for _ in raw.pipe(texts, batch_size=8, n_process=processes))

    # The local runs first, with no Dask cluster up: an idle cluster's scheduler, nannies and
    # workers take CPU of their own (heartbeats, event loops), and took it from the local runs.
    local = {"ingest_1": {}, "ingest_2": {"workers": 2}}
    with Extractor() as one_process, Extractor() as pool:
        extractors = {"ingest_1": one_process, "ingest_2": pool}
        for name, how in local.items():
            ingest_run(warm, tmp, extractors[name], **how)()  # pool up, model and readers loaded: not timed
        runs = {"raw_1": raw_run(1), "ingest_1": ingest_run(directory, tmp, one_process),
                "raw_2": raw_run(2), "ingest_2": ingest_run(directory, tmp, pool, workers=2)}
        seconds = best_of(args.repeat, runs)
        memory["largest_child_process"] = child_peak_rss_mb()
    # The Dask runs against the raw parse measured with the same clusters up.
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, local_directory=str(tmp / "dask2")) as two, \
         LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None, local_directory=str(tmp / "dask1")) as one:
        modes = {"dask_1": one.scheduler_address, "dask_2": two.scheduler_address}
        extractors = {name: Extractor() for name in modes}
        for name, address in modes.items():
            ingest_run(warm, tmp, extractors[name], scheduler=address)()  # clients up, models loaded
        runs = {"raw_2_dask_up": raw_run(2)}
        runs |= {name: ingest_run(directory, tmp, extractors[name], scheduler=modes[name]) for name in modes}
        seconds |= best_of(args.repeat, runs)
        with Client(two.scheduler_address, set_as_default=False) as client:
            memory["dask_worker"] = dask_worker_peak_mb(client)
        for extractor in extractors.values():
            extractor.close()  # Dask clients close while their clusters are still up
    memory["parent"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = {
        name: {"seconds": round(wall, 2), "cpu_seconds": round(cpu, 2), "docs_per_s": round(args.docs / wall, 2),
               "words_per_s": round(words / wall)}
        for name, (wall, cpu) in seconds.items()
    }
    wall = {name: w for name, (w, _) in seconds.items()}
    return {
        "documents": args.docs, "words": words, "repeat": args.repeat, "runs": rows,
        "ratio_raw_over_ingest": {"one_process": round(wall["raw_1"] / wall["ingest_1"], 3),
                                  "two_processes": round(wall["raw_2"] / wall["ingest_2"], 3),
                                  "dask_two_workers": round(wall["raw_2_dask_up"] / wall["dask_2"], 3)},
        # What two processes give the parse alone on this machine: the ceiling for ingest.
        "speedup_two_over_one": {"raw_parse": round(wall["raw_1"] / wall["raw_2"], 3),
                                 "local": round(wall["ingest_1"] / wall["ingest_2"], 3),
                                 "dask": round(wall["dask_1"] / wall["dask_2"], 3)},
        "peak_rss_mb": {k: round(v) for k, v in memory.items()},
    }


def parent_profile(docs: int, tmp: Path) -> dict[str, Any]:
    """Where the parent's time goes in a 2-worker ingest: its CPU per document (all its threads:
    the pool's pickling threads too) and, from cProfile of its main thread, the functions with the
    most time of their own (waiting for the workers shows up as ``acquire``)."""
    directory, _ = write_corpus(docs, tmp / "profile")
    with Extractor() as extractor:
        ingest_run(write_corpus(16, tmp / "profile-warm", seed=1)[0], tmp, extractor, workers=2)()
        profile, cpu = cProfile.Profile(), time.process_time()
        stored = profile.runcall(ingest_run(directory, tmp, extractor, workers=2))
        cpu = time.process_time() - cpu
    stats = pstats.Stats(profile)
    top = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:12]  # type: ignore[attr-defined]
    return {"documents": stored, "parent_cpu_ms_per_doc": round(1000 * cpu / stored, 1),
            "top_own_time_ms_per_doc": {f"{Path(file).name}:{line}({name})": round(1000 * own / stored, 2)
                                        for (file, line, name), (_, _, own, _, _) in top}}


def growth(sizes: list[int], tmp: Path) -> dict[str, Any]:
    """Full-extraction ingest (2 local workers) of the largest size into one fresh store, with the
    elapsed time as each smaller size is stored (to the write batch), the per-document cost of
    each stretch, and a linear fit."""
    targets, rows = sorted(sizes), []
    directory, _ = write_corpus(targets[-1], tmp / "grow")
    with Extractor() as extractor:
        ingest_run(write_corpus(16, tmp / "grow-warm", seed=1)[0], tmp, extractor, workers=2)()
        started, last = time.perf_counter(), (0, 0.0)

        class Timed(Store):
            """The store, noting the time as each size is reached."""
            stored = 0

            def ingest_many(self, pairs: Sequence[tuple[Document, Extraction | None]]) -> list[AddResult | StoreError]:
                nonlocal last
                results = super().ingest_many(pairs)
                self.stored += len(pairs)
                if len(rows) < len(targets) - 1 and self.stored >= targets[len(rows)]:
                    seconds = time.perf_counter() - started
                    rows.append({"documents": self.stored, "seconds": round(seconds, 1),
                                 "ms_per_doc_stretch": round(1000 * (seconds - last[1]) / (self.stored - last[0]), 1)})
                    last = (self.stored, seconds)
                    print(f"  grow {self.stored}: {seconds:.0f} s", flush=True)
                return results

        with Timed(f"sqlite:///{tmp}/grow.db") as store:
            report = ingest_paths([directory], store, extractor, workers=2)
        seconds = time.perf_counter() - started
        peaks = {"parent": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                 "largest_child_process": child_peak_rss_mb()}
    assert not report.failures, report.failures[:3]
    stored = report.counts["new"] + report.counts["syndicated"]
    rows.append({"documents": stored, "seconds": round(seconds, 1),
                 "ms_per_doc_stretch": round(1000 * (seconds - last[1]) / (stored - last[0]), 1)})
    print(f"  grow {stored}: {seconds:.0f} s", flush=True)
    xs, ys = [r["documents"] for r in rows], [r["seconds"] for r in rows]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / (sum((x - mean_x) ** 2 for x in xs) or 1)
    fit = {"ms_per_doc": round(1000 * slope, 1), "fixed_seconds": round(mean_y - slope * mean_x, 1)}
    return {"workers": 2, "sizes": rows, "linear_fit": fit, "peak_rss_mb": {k: round(v) for k, v in peaks.items()}}


def store_writes(checkpoints: list[int], tmp: Path) -> dict[str, Any]:
    """The parent's part of ingest on synthetic documents into one growing store, as
    ``ingest_paths`` does it: per batch of ``WRITE_BATCH``, which are extracted already, then
    ``Store.ingest_many``. The per-document cost of each stretch between checkpoints (and of the
    last 1,000 documents before each)."""
    pool = real_paragraphs()
    rows: list[dict[str, Any]] = []
    done, started, stretch_start, last = 0, time.perf_counter(), time.perf_counter(), []
    targets = sorted(checkpoints)
    with Store(f"sqlite:///{tmp}/writes.db") as store:
        for batch in chunked(synthetic(pool, max(targets), "ukraine-2025"), WRITE_BATCH):
            t = time.perf_counter()
            store.extracted({document.id for document, _ in batch}, "ukraine-2025")
            store.ingest_many(batch)
            last = (last + [(time.perf_counter() - t) / len(batch)] * len(batch))[-1000:]
            done += len(batch)
            if done >= targets[len(rows)]:
                now = time.perf_counter()
                previous = rows[-1]["documents"] if rows else 0
                rows.append({"documents": done, "seconds": round(now - started, 1),
                             "ms_per_doc_stretch": round(1000 * (now - stretch_start) / (done - previous), 2),
                             "ms_per_doc_last_1000": round(1000 * sum(last) / len(last), 2)})
                stretch_start = now
                print(f"  store {done}: {now - started:.0f} s", flush=True)
    return {"backend": "sqlite", "batch": WRITE_BATCH, "checkpoints": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200, help="corpus for the throughput runs (0: skip them)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--grow", default="1000,2000,5000",
                        help="sizes at which one ingest of a corpus of the largest is timed (comma-separated)")
    parser.add_argument("--store", default="1000,10000,100000", help="store-write checkpoints (comma-separated)")
    parser.add_argument("--profile", action="store_true", help="also profile the parent of a 2-worker ingest")
    args = parser.parse_args()
    load = round(os.getloadavg()[0], 2)
    result: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "load_average_before": load}}

    def when() -> dict[str, Any]:
        return {"measured": time.strftime("%Y-%m-%d %H:%M"), "load_average_before": round(os.getloadavg()[0], 2)}

    with tempfile.TemporaryDirectory(prefix="accord-scale-") as name:
        tmp = Path(name)
        if args.docs:
            print("throughput ...", flush=True)
            result["throughput"] = when() | throughput(args, tmp)
        if args.profile:
            print("profile ...", flush=True)
            result["parent_profile"] = when() | parent_profile(args.docs, tmp)
        if sizes := [int(s) for s in args.grow.split(",") if s]:
            print("growth ...", flush=True)
            result["growth"] = when() | growth(sizes, tmp)
        if checkpoints := [int(s) for s in args.store.split(",") if s]:
            print("store writes ...", flush=True)
            result["store_writes"] = when() | store_writes(checkpoints, tmp)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    earlier = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    # Sections not run this time (``--docs 0``, ``--grow ""``, ``--store ""``) keep their last measurement.
    result = {key: value for key, value in earlier.items() if key in SECTIONS} | result
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")

    if args.docs:
        t = result["throughput"]
        print(f"\n{t['documents']} documents, {t['words']} words, best of {t['repeat']}, load before {load}\n")
        print("| run | seconds | CPU s | docs/s | words/s |\n|---|---:|---:|---:|---:|")
        labels = {"raw_1": "spaCy nlp.pipe, 1 process", "ingest_1": "accord ingest, 1 process",
                  "raw_2": "spaCy nlp.pipe, n_process=2", "ingest_2": "accord ingest, 2 local workers",
                  "raw_2_dask_up": "spaCy nlp.pipe, n_process=2, Dask clusters up",
                  "dask_1": "accord ingest, Dask 1 worker", "dask_2": "accord ingest, Dask 2 workers"}
        for name, row in t["runs"].items():
            print(f"| {labels[name]} | {row['seconds']} | {row['cpu_seconds']} | {row['docs_per_s']} | {row['words_per_s']} |")
        r, s = t["ratio_raw_over_ingest"], t["speedup_two_over_one"]
        print(f"\nraw/ingest: {r['one_process']} (1 process), {r['two_processes']} (2 workers), "
              f"{r['dask_two_workers']} (Dask 2 workers); goal >= 0.85")
        print(f"2 workers over 1: {s['local']}x local, {s['dask']}x Dask; goal >= 1.8 "
              f"(the raw parse itself: {s['raw_parse']}x)")
        print(f"peak memory MB: {t['peak_rss_mb']}; goal < 1024 per worker\n")
    if "parent_profile" in result:
        print(f"parent of a 2-worker ingest: {json.dumps(result['parent_profile'], indent=1)}\n")
    if sizes:
        print("| documents ingested | seconds (2 workers) | ms/document since the last row |\n|---:|---:|---:|")
        for row in result["growth"]["sizes"]:
            print(f"| {row['documents']} | {row['seconds']} | {row['ms_per_doc_stretch']} |")
        print(f"linear fit: {result['growth']['linear_fit']}; peak memory MB: {result['growth']['peak_rss_mb']}\n")
    if checkpoints:
        print("| stored documents | seconds | ms/doc since last checkpoint | ms/doc, last 1,000 |\n|---:|---:|---:|---:|")
        for row in result["store_writes"]["checkpoints"]:
            print(f"| {row['documents']} | {row['seconds']} | {row['ms_per_doc_stretch']} | {row['ms_per_doc_last_1000']} |")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
