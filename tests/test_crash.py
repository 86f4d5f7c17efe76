"""Crash safety of the store: an ingest killed with SIGKILL mid-batch, then re-run, leaves every
document exactly once with its extraction and no orphan rows; readers work during an ingest."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from accord.batch import WRITE_BATCH

ACCORD = Path(sys.executable).with_name("accord")
CASE = "ukraine-2025"
N_DOCS = 4 * WRITE_BATCH + 6  # several commits, so that a kill or a read falls between two of them

# Our own vocabulary: every generated article is different, with quotes, people and figures.
PEOPLE = ["Marco Rubio", "Dmitry Peskov", "Volodymyr Zelensky", "Steve Witkoff", "Andriy Yermak", "Kaja Kallas"]
PLACES = ["Geneva", "Abu Dhabi", "Miami", "Moscow", "Kyiv", "Brussels", "Istanbul", "Riyadh"]
TOPICS = ["the ceasefire line", "security guarantees", "the size of the army", "sanctions relief",
          "the exchange of prisoners", "frozen assets", "the nuclear plant", "elections"]  # fmt: skip


def article(n: int) -> str:
    rng = random.Random(n)
    paragraphs = [f"Talks on {rng.choice(TOPICS)} continue, day {n}"]
    for k in range(5):
        person, place, topic = rng.choice(PEOPLE), rng.choice(PLACES), rng.choice(TOPICS)
        figure = rng.randrange(100, 999) * 1000
        paragraphs.append(
            f"{person} met delegates in {place} on day {n}.{k} to discuss {topic}. "
            f"“We are close on {topic}, but not there yet,” {person} told reporters. "
            f"The draft caps the army at {figure:,} troops, and a vote is planned for week {n * 7 + k}."
        )
    return "\n\n".join(paragraphs)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("crash-corpus")
    for n in range(N_DOCS):
        (root / f"article-{n:02d}.txt").write_text(article(n), encoding="utf-8")
    return root


def start_ingest(corpus: Path, db: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(ACCORD), "ingest", str(corpus), "--db", f"sqlite:///{db}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
    )  # fmt: skip


def stored(db: Path) -> int:
    """Documents committed so far, read through a second connection (0 before the schema exists)."""
    if not db.exists():
        return 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        try:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                return 0
            raise


def wait_for(process: subprocess.Popen[str], db: Path, at_least: int, timeout: float = 180) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        count = stored(db)
        if count >= at_least or process.poll() is not None:
            return count
        time.sleep(0.05)
    raise AssertionError(f"ingest stored fewer than {at_least} documents in {timeout} s")


def test_ingest_killed_mid_batch_then_rerun_is_consistent(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    process = start_ingest(corpus, db)
    reached = wait_for(process, db, at_least=1)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the ingest ended before it could be killed"
    assert WRITE_BATCH <= reached < N_DOCS, "documents are committed a batch at a time"

    rerun = subprocess.run(
        [str(ACCORD), "ingest", str(corpus), "--db", f"sqlite:///{db}"],
        capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr
    assert "0 failed" in rerun.stderr.splitlines()[-1]

    with sqlite3.connect(db) as conn:
        texts = {row[0] for row in conn.execute("SELECT text FROM documents")}
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == N_DOCS == len(texts)
        assert texts == {article(n) for n in range(N_DOCS)}
        sources = [row[0] for row in conn.execute("SELECT source FROM sources")]
        assert sorted(sources) == sorted(str(path) for path in corpus.iterdir())
        missing = conn.execute(
            "SELECT count(*) FROM documents d WHERE NOT EXISTS "
            "(SELECT 1 FROM extractions e WHERE e.document_id = d.id AND e.\"case\" = ?)",
            (CASE,),
        ).fetchone()[0]
        assert missing == 0
        assert conn.execute("SELECT count(DISTINCT document_id) FROM quotes").fetchone()[0] == N_DOCS
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_readers_work_while_an_ingest_writes(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    process = start_ingest(corpus, db)
    try:
        wait_for(process, db, at_least=1)
        counts = []
        while process.poll() is None and len(counts) < 3:
            show = subprocess.run(
                [str(ACCORD), "show", "documents", "--db", f"sqlite:///{db}", "--json", "--limit", "100"],
                capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
            )  # fmt: skip
            assert show.returncode == 0, show.stderr
            counts.append(len(json.loads(show.stdout)))
            assert stored(db) >= counts[-1]
        assert counts and counts == sorted(counts) and counts[0] >= 1
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert stored(db) == N_DOCS
