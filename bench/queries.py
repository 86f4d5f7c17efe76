"""How fast do the dashboard and the API answer on a large store?

Builds a store of N documents (default 100,000) from synthetic extractions recombined from the
sample articles' real ones (``bench/synthetic.py``; no NLP at build time), on SQLite and on a
throwaway PostgreSQL 15 started here like the test suite's, written with bulk inserts into the
store's own tables (after ``Store`` has run its migrations, so triggers and generated search
columns fill themselves). Then times each main page and API endpoint through FastAPI's
TestClient over ``accord.web.create_app``: the first request on an app that has built nothing,
the cold time (the first request after a write of I new documents and a review, when the cached
analyses are stale), then p50/p95/p99 over R warm runs; prints a table and writes
``bench/results/queries-N[-background].json``. Slow endpoints are profiled (top functions and the
slowest SQL statements). Run: ``.venv/bin/python bench/queries.py [--docs N] [--runs R]
[--backend sqlite|postgresql ...] [--only PATH ...] [--budget S] [--profile] [--store URL]
[--ingest I] [--background]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, event, func, insert, select
from sqlalchemy.engine import make_url

from accord.analysis.sources import refreshing
from accord.case import load_case
from accord.store import Store
from accord.store.review import review
from accord.store.schema import (
    actors, documents, event_parties, events, extractions, figures, provision_mentions, quotes,
    sources, stances, stories,
)
from accord.web import create_app
from synthetic import ROOT, Paragraph, real_paragraphs, synthetic

sys.path.insert(0, str(ROOT / "tests"))
from conftest import PG_BIN, PostgresServer  # noqa: E402 - the test suite's throwaway server

RESULTS = ROOT / "bench" / "results"
CASE = "ukraine-2025"
ENDPOINTS = [
    "/",
    "/provisions/army-cap",
    "/quotes?q=ceasefire",
    "/events",
    "/documents",
    "/api/v1/quotes?q=ceasefire",
    "/api/v1/provisions/army-cap",
    "/api/v1/stances/matrix",
    "/api/v1/changes?since=2025-12-15",
]
GOAL_MS = 100.0


def build(url: str, count: int, chunk: int = 2000) -> float:
    """Fill an empty store with ``count`` synthetic documents; seconds taken."""
    Store(url).close()  # migrations: tables, indexes, FTS triggers / generated search columns
    pool = real_paragraphs()
    engine = create_engine(url)
    started = time.perf_counter()
    for at in range(0, count, chunk):
        add(engine, pool, at, min(chunk, count - at))
    if url.startswith("postgresql"):
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return time.perf_counter() - started


def add(engine: Engine, pool: list[Paragraph], at: int, count: int) -> None:
    """Documents ``at`` to ``at + count`` of the synthetic run, each with its extraction, in one
    transaction of bulk inserts (story, mention and event ids continue from the largest)."""
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        ids = {"mention": conn.scalar(select(func.max(provision_mentions.c.id))) or 0,
               "event": conn.scalar(select(func.max(events.c.id))) or 0}
        story = conn.scalar(select(func.max(stories.c.id))) or 0
        rows: dict[Any, list[dict]] = {t: [] for t in (
            stories, documents, sources, extractions, actors, quotes, provision_mentions, figures,
            stances, events, event_parties)}
        for doc, ext in synthetic(pool, count, CASE, start=at):
            story += 1
            rows[stories].append({"id": story, "title": doc.title, "first_published": doc.published})
            rows[documents].append({
                "id": doc.id, "text": doc.text, "title": doc.title, "published": doc.published,
                "site": doc.site, "author": None, "url": doc.source, "language": doc.language,
                "format": doc.format, "source": doc.source, "story_id": story,
                "signature": b"", "ingested_at": now,  # no near-duplicate index needed to read
            })
            rows[sources].append({"document_id": doc.id, "source": doc.source, "seen_at": now})
            rows[extractions].append({"document_id": doc.id, "case": CASE, "extracted_at": now})
            owner = {"document_id": doc.id, "case": CASE}
            rows[actors].extend(owner | {
                "name": a.name, "role": a.role, "party": a.party, "start": a.start, "end": a.end,
                "mentions": [list(m) for m in a.mentions], "mention_count": 1 + len(a.mentions),
            } for a in ext.actors)
            rows[quotes].extend(owner | {
                "text": q.text, "kind": q.kind, "speaker": q.speaker, "party": q.party, "cue": q.cue,
                "start": q.start, "end": q.end, "speaker_start": q.speaker_start, "speaker_end": q.speaker_end,
            } for q in ext.quotes)
            rows[stances].extend(owner | {
                "holder": s.holder, "target": s.target, "polarity": s.polarity, "cue": s.cue,
                "start": s.start, "end": s.end,
            } for s in ext.stances)
            for p in ext.provisions:
                ids["mention"] += 1
                rows[provision_mentions].append(owner | {"id": ids["mention"], "provision_id": p.id,
                                                         "start": p.start, "end": p.end})
                rows[figures].extend({"mention_id": ids["mention"], "value": f.value, "unit": f.unit,
                                      "status": f.status, "start": f.start, "end": f.end} for f in p.figures)
            for e in ext.events:
                ids["event"] += 1
                rows[events].append(owner | {
                    "id": ids["event"], "type": e.type, "actors": list(e.actors), "location": e.location,
                    "trigger": e.trigger, "date": e.date, "start": e.start, "end": e.end,
                })
                rows[event_parties].extend({"event_id": ids["event"], "party": p} for p in sorted(set(e.actors)))
        for table, values in rows.items():
            if values:
                conn.execute(insert(table), values)


def percentiles(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": round(cuts[49], 1), "p95": round(cuts[94], 1), "p99": round(cuts[98], 1),
            "max": round(max(samples), 1)}


def sql_timings(app_store: Store) -> list[tuple[float, str]]:
    """Collects (milliseconds, statement) of every SQL statement the store's engine runs."""
    seen: list[tuple[float, str]] = []
    engine = app_store._engine  # noqa: SLF001 - a benchmark may look inside

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ANN202
        conn.info.setdefault("started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ANN202
        seen.append(((time.perf_counter() - conn.info["started"].pop()) * 1000, " ".join(statement.split())))

    return seen


def measure(url: str, paths: list[str], runs: int, budget_s: float, profile: bool,
            ingest: int, background: bool) -> dict[str, Any]:
    """Latency of each endpoint: the first request on a server that has built nothing, the
    first after a write (``ingest`` new documents and a review), then ``runs`` warm requests
    (fewer, but at least 3, once an endpoint has used ``budget_s`` seconds); for those over the
    goal, where the time goes. ``background``: the app answers from its previous analyses
    while a thread refreshes them, and ``fresh`` is how long until the refresh is done."""
    app = create_app(url, case=CASE, background=background)
    results: dict[str, Any] = {}
    engine = create_engine(url)
    pool = real_paragraphs() if ingest else []
    with TestClient(app) as client, Store(url) as writer:
        case = load_case(CASE)
        quote = writer.quotes(case=CASE, limit=1)[0]["id"]
        for path in paths:
            started = time.perf_counter()
            assert client.get(path).status_code == 200, path
            results[path] = {"first": round((time.perf_counter() - started) * 1000, 1)}
            print(f"  {path:<36} first {results[path]['first']:>9.1f} ms", flush=True)
        for path in paths:
            # Writes move the store version: every cached analysis is stale, and this request
            # pays for bringing what the endpoint needs up to date (or, in the background, for
            # the previous answer).
            if ingest:
                add(engine, pool, writer.stats()["documents"], ingest)
            review(writer, case, "quotes", quote, "confirm", reviewer="bench")
            started = time.perf_counter()
            response = client.get(path)  # also a check that the page works
            cold = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, f"{path}: {response.status_code}"
            while refreshing(app.state.store):
                time.sleep(0.01)
            fresh = (time.perf_counter() - started) * 1000
            samples: list[float] = []
            budget = time.perf_counter() + budget_s
            while len(samples) < runs and (len(samples) < 3 or time.perf_counter() < budget):
                started = time.perf_counter()
                client.get(path)
                samples.append((time.perf_counter() - started) * 1000)
            results[path] |= {"cold": round(cold, 1)} | (
                {"fresh": round(fresh, 1)} if background else {}) | percentiles(samples) | {
                "runs": len(samples), "bytes": len(response.content)}
            print(f"  {path:<36} cold {cold:>9.1f}  p50 {results[path]['p50']:>8.1f}  "
                  f"p95 {results[path]['p95']:>8.1f} ms", flush=True)
        if profile:
            store = _app_store(app)
            statements = sql_timings(store) if store is not None else []
            for path, row in results.items():
                if row["p95"] < GOAL_MS:
                    continue
                statements.clear()
                with Sampler() as sampler:
                    client.get(path)
                row["profile"] = sampler.top(12)
                row["sql_statements"] = len(statements)
                row["sql_ms_total"] = round(sum(ms for ms, _ in statements), 1)
                row["slowest_sql"] = [
                    {"ms": round(ms, 1), "sql": sql[:400]} for ms, sql in sorted(statements, reverse=True)[:3]
                ]
    engine.dispose()
    return results


class Sampler:
    """Where a request's time goes: samples the stacks of all threads (the app runs in the
    TestClient's worker threads, out of cProfile's reach) and counts, for each Accord function,
    the share of samples it was on the stack (inclusive time)."""

    def __init__(self, interval: float = 0.002) -> None:
        self.interval = interval
        self.samples = 0
        self.counts: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = threading.get_ident()
        while not self._stop.wait(self.interval):
            for ident, frame in sys._current_frames().items():  # noqa: SLF001
                if ident == me:
                    continue
                seen = set()
                while frame is not None:
                    code = frame.f_code
                    if "/accord/" in code.co_filename:
                        seen.add(f"{code.co_filename.split('/accord/', 1)[1]}:{code.co_name}")
                    frame = frame.f_back
                if seen:
                    self.samples += 1
                    self.counts.update(seen)

    def top(self, n: int) -> list[str]:
        return [f"{100 * c / max(1, self.samples):5.1f}%  {name}" for name, c in self.counts.most_common(n)]


def _app_store(app: Any) -> Store | None:
    """The Store the app's routes close over (found through the route endpoints' closures)."""
    for route in app.routes:
        for cell in getattr(getattr(route, "endpoint", None), "__closure__", None) or ():
            if isinstance(cell.cell_contents, Store):
                return cell.cell_contents
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per endpoint before fewer runs are taken")
    parser.add_argument("--only", action="append", help="time only this endpoint (repeatable)")
    parser.add_argument("--profile", action="store_true", help="profile endpoints over the goal")
    parser.add_argument("--store", help="time this existing store (of --docs documents) instead of building one; "
                        "the timing adds --ingest documents before each endpoint, so pass a copy")
    parser.add_argument("--ingest", type=int, default=100, help="documents added before each cold request")
    parser.add_argument("--background", action="store_true",
                        help="the app answers from its previous analyses while a thread refreshes them (as `accord serve`)")
    args = parser.parse_args()
    backends = args.backend or ["sqlite", "postgresql"]
    paths = args.only or ENDPOINTS
    if args.store:
        backends = [make_url(args.store).get_backend_name()]

    report: dict[str, Any] = {"documents": args.docs, "runs": args.runs, "goal_p95_ms": GOAL_MS,
                              "ingest": args.ingest, "background": args.background, "backends": {}}
    with tempfile.TemporaryDirectory(prefix="accord-bench-") as tmp:
        for backend in backends:
            server = None
            if args.store:
                url = args.store
            elif backend == "sqlite":
                url = f"sqlite:///{tmp}/accord.db"
            else:
                if not (PG_BIN / "initdb").exists():
                    print("PostgreSQL 15 is not installed: skipped")
                    continue
                server = PostgresServer()
                url = server.create_database()
            try:
                print(f"{backend}: building {args.docs} documents ...", flush=True)
                seconds = 0.0 if args.store else build(url, args.docs)
                with Store(url) as store:
                    counts = store.stats()
                print(f"{backend}: built in {seconds:.0f} s: {counts}", flush=True)
                report["backends"][backend] = {"measured": time.strftime("%Y-%m-%d %H:%M"),
                                               "build_seconds": round(seconds, 1), "rows": counts,
                                               "endpoints": measure(url, paths, args.runs, args.budget, args.profile,
                                                                   args.ingest, args.background)}
            finally:
                if server is not None:
                    server.stop()

    written = RESULTS / f"queries-{args.docs}{'-background' if args.background else ''}.json"
    RESULTS.mkdir(parents=True, exist_ok=True)
    names = list(report["backends"])
    # A backend not run this time (``--backend``) keeps its last measurement in the file.
    earlier = json.loads(written.read_text()).get("backends", {}) if written.exists() else {}
    report["backends"] = {k: v for k, v in earlier.items() if k not in names} | report["backends"]
    written.write_text(json.dumps(report, indent=1) + "\n")
    print(f"\n{args.docs} documents, {args.runs} runs per endpoint, milliseconds (goal: p95 < {GOAL_MS:.0f})\n")
    print("| endpoint | " + " | ".join(f"{n} first | {n} cold | {n} p50 | {n} p95 | {n} p99" for n in names) + " |")
    print("|---|" + "---:|" * 5 * len(names))
    for path in paths:
        cells = []
        for n in names:
            row = report["backends"][n]["endpoints"][path]
            cells += [f"{row['first']:.0f}", f"{row['cold']:.0f}", f"{row['p50']:.1f}",
                      f"{row['p95']:.1f}" + (" ✗" if row["p95"] >= GOAL_MS else ""), f"{row['p99']:.1f}"]
        print(f"| `{path}` | " + " | ".join(cells) + " |")
    print(f"\nwritten to {written.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
