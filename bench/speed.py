"""How much slower is Accord than the parse it is built on?

Builds a corpus by recombining paragraphs of the sample articles in ``examples/`` (fixed seed),
then times, in one run and on the same texts: the plain spaCy model alone (``nlp.pipe``) and
Accord's whole extraction (parse + extractors), each single-process and with two processes.
Models are loaded and warmed up before any timing. Prints a table and writes
``bench/results/speed.json``. Run: ``.venv/bin/python bench/speed.py [--docs N] [--repeat K]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import spacy

from accord.ingest import iter_sources, read_source
from accord.models import Document
from accord.nlp import MODEL
from accord.pipeline import Extractor

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "speed.json"


def corpus(count: int, seed: int = 2025) -> list[Document]:
    """``count`` article-sized texts made of paragraphs drawn from the sample articles."""
    paragraphs: list[str] = []
    for source in iter_sources([ROOT / "examples"]):
        if source.suffix == ".md":
            continue  # the directory's README describes the samples, it is not an article
        for document in read_source(source):
            paragraphs.extend(p.strip() for p in document.text.split("\n") if p.strip())
    rng = random.Random(seed)
    return [
        Document(
            text="\n\n".join(rng.sample(paragraphs, rng.randint(8, 14))),
            source=f"bench#{i}",
            published=date(2025, 11, rng.randint(1, 30)),
        )
        for i in range(count)
    ]


def cpu_seconds() -> float:
    """CPU time of this process and all its children so far (finished ones from rusage, live ones,
    like the worker pool, from /proc): unlike wall time, barely changed by a busy machine."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + done.ru_utime + done.ru_stime
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == str(os.getpid()):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def best_of(repeat: int, runs: dict[str, Callable[[], int]]) -> dict[str, tuple[float, float]]:
    """The least wall and CPU seconds over ``repeat`` runs of each, taken in turns so that a busy
    moment on the machine does not fall on one side of a comparison only."""
    best = {name: (float("inf"), float("inf")) for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            start, cpu = time.perf_counter(), cpu_seconds()
            done = run()
            measured = (time.perf_counter() - start, cpu_seconds() - cpu)
            assert done, f"{name}: nothing was processed"
            best[name] = (min(best[name][0], measured[0]), min(best[name][1], measured[1]))
    return best


def child_peak_rss_mb() -> float:
    """Peak resident memory of the largest live child process (the extraction workers), Linux only."""
    peaks = [0.0]
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(os.getpid()) and "VmHWM" in fields:
            peaks.append(int(fields["VmHWM"].split()[0]) / 1024)
    return max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200, help="texts in the corpus (default 200)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement; the best counts")
    parser.add_argument("--batch-size", type=int, default=8, help="documents per nlp.pipe batch / worker task")
    args = parser.parse_args()

    load = round(os.getloadavg()[0], 2)
    documents = corpus(args.docs)
    texts = [d.text for d in documents]
    words = sum(len(t.split()) for t in texts)
    batch = args.batch_size

    raw = spacy.load(MODEL)
    extractor = Extractor()
    warm = documents[: 4 * batch]
    list(raw.pipe(texts[: len(warm)], batch_size=batch))
    list(extractor.extract_many(warm, batch_size=batch))
    list(extractor.extract_many(warm, batch_size=batch, workers=2))  # starts the pool: loading is not timed

    def raw_run(processes: int) -> Callable[[], int]:
        return lambda: sum(1 for _ in raw.pipe(texts, batch_size=batch, n_process=processes))

    def accord_run(workers: int) -> Callable[[], int]:
        return lambda: sum(
            1 for _ in extractor.extract_many(documents, batch_size=batch, workers=workers)
        )

    seconds = best_of(
        args.repeat, {"raw_1": raw_run(1), "accord_1": accord_run(1), "raw_2": raw_run(2), "accord_2": accord_run(2)}
    )
    worker_mb = child_peak_rss_mb()
    extractor.close()

    rows = {
        name: {
            "seconds": round(wall, 3),
            "cpu_seconds": round(cpu, 3),
            "docs_per_s": round(len(texts) / wall, 2),
            "words_per_s": round(words / wall),
        }
        for name, (wall, cpu) in seconds.items()
    }
    ratios = {p: round(seconds[f"raw_{p}"][0] / seconds[f"accord_{p}"][0], 3) for p in ("1", "2")}
    cpu_ratios = {p: round(seconds[f"raw_{p}"][1] / seconds[f"accord_{p}"][1], 3) for p in ("1", "2")}
    result = {
        "documents": len(texts),
        "words": words,
        "batch_size": batch,
        "repeat": args.repeat,
        "model": MODEL,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "spacy": spacy.__version__},
        "runs": rows,
        "ratio_raw_over_accord": {"single_process": ratios["1"], "two_processes": ratios["2"]},
        "cpu_ratio_raw_over_accord": {"single_process": cpu_ratios["1"], "two_processes": cpu_ratios["2"]},
        "load_average_before": load,
        "peak_rss_mb": {
            "parent": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "largest_worker": round(worker_mb),
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")

    print(f"{len(texts)} documents, {words} words, batch size {batch}, best of {args.repeat}, load {load}")
    print(f"{'run':<28}{'seconds':>9}{'CPU s':>9}{'docs/s':>9}{'words/s':>9}")
    labels = {
        "raw_1": "spaCy parse, 1 process",
        "accord_1": "Accord extract, 1 process",
        "raw_2": "spaCy parse, 2 processes",
        "accord_2": "Accord extract, 2 workers",
    }
    for name, row in rows.items():
        print(
            f"{labels[name]:<28}{row['seconds']:>9.2f}{row['cpu_seconds']:>9.2f}"
            f"{row['docs_per_s']:>9.1f}{row['words_per_s']:>9}"
        )
    print(f"ratio raw/accord: {ratios['1']:.2f} single process, {ratios['2']:.2f} two processes (goal >= 0.85)")
    print(f"CPU-time ratio raw/accord: {cpu_ratios['1']:.2f} single process, {cpu_ratios['2']:.2f} two processes")
    print(f"peak memory: parent {result['peak_rss_mb']['parent']} MB, largest worker {round(worker_mb)} MB")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
