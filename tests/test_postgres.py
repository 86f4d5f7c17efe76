"""Accord on a real PostgreSQL 15 server: the command line end to end, full-text search through
tsvector/GIN, two ingest processes on one database at once, and the web API."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from support import EXAMPLES, run

from accord.errors import StoreError
from accord.models import Document, Extraction, Quote
from accord.store import Store
from accord.store.queries import tsquery
from accord.web import create_app

ACCORD = Path(sys.executable).with_name("accord")
TOKEN = "pg-token"
WIRE = "b67619096e001a8f"  # examples/html/wire-28-point-draft.html



@pytest.fixture(scope="module")
def pg_demo(postgres_server) -> str:
    """examples/ ingested into a fresh PostgreSQL database through the CLI."""
    url = postgres_server.create_database()
    code, _, err = run("ingest", str(EXAMPLES), "--db", url)
    assert code == 0, err
    assert " 0 failed" in err
    return url


def _count(url: str, sql: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text(sql)).scalar_one()
    engine.dispose()
    return value


# -- the command line ------------------------------------------------------------------------

def test_cli_ingest_show_and_changes(pg_demo: str) -> None:
    code, _, err = run("ingest", str(EXAMPLES), "--db", pg_demo)
    assert code == 0 and " 0 new" in err  # idempotent on PostgreSQL too

    _, out, _ = run("show", "documents", "--db", pg_demo, "--json", "--limit", "100")
    docs = json.loads(out)
    assert len({d["id"] for d in docs}) == len(docs) >= 10
    _, out, _ = run("show", "stories", "--db", pg_demo, "--json", "--limit", "100")
    assert any(len(s["documents"]) > 1 for s in json.loads(out))  # syndicated copies grouped

    code, out, _ = run("show", "quotes", "-q", "ceasefire", "--db", pg_demo, "--json")
    found = json.loads(out)
    assert code == 0 and found
    assert all("ceasefire" in (q["text"] + (q["speaker"] or "")).lower() for q in found)
    _, out, _ = run("show", "quotes", "--speaker", "Zelensky", "--db", pg_demo, "--json")
    assert out and all("zelensk" in q["speaker"].lower() for q in json.loads(out))
    _, out, _ = run("show", "provisions", "--provision", "army-cap", "--db", pg_demo, "--json",
                    "--limit", "500")
    assert {600000, 800000} <= {f["value"] for r in json.loads(out) for f in r["figures"]}

    code, out, _ = run("summary", "--db", pg_demo)
    assert code == 0 and "army-cap" in out
    code, out, err = run("changes", "--since", "2025-11-01", "--until", "2025-12-31",
                         "--db", pg_demo, "--json")
    assert code == 0, err
    assert json.loads(out)


def test_stored_corrections_export_and_evaluate(pg_demo: str, tmp_path: Path) -> None:
    web = create_app(pg_demo, token=TOKEN)
    with TestClient(web) as client:
        quote = client.get("/api/v1/quotes", params={"document_id": WIRE}).json()["items"][0]
        response = client.patch(f"/api/v1/review/quotes/{quote['id']}",
                                headers={"Authorization": f"Bearer {TOKEN}"},
                                json={"reviewer": "pg", "changes": {"speaker": "Sergei Lavrov"}})
        assert response.status_code == 200, response.text
    web.state.store.close()

    gold_dir = tmp_path / "gold"
    code, _, err = run("export-gold", str(gold_dir), "--db", pg_demo)
    assert code == 0 and "1 file(s)" in err, err
    gold = json.loads((gold_dir / "wire-28-point-draft.json").read_text())
    assert [q["speaker"] for q in gold["quotes"] if q["start"] == quote["start"]] == [
        "Sergei Lavrov"]

    code, out, err = run("eval", str(gold_dir), "--texts", str(EXAMPLES / "html"), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["documents"] == 1
    quotes = report["metrics"]["quotes"]
    assert quotes["detection"]["f1"] == 1.0  # the analyst changed one speaker, nothing else
    assert 0 < quotes["attribution_accuracy"] < 1


# -- full-text search ------------------------------------------------------------------------

def test_search_finds_words_by_stem_prefix_and_without_accents(postgres_url: str) -> None:
    text_ = ("Commissioner Maroš Šefčovič said the negotiations over grain corridors "
             "were going well. Officials expect the negotiators to meet again.")
    d = Document(text=text_, source="grain.txt", title="Grain corridor talks")
    start, end = text_.index("the negotiations"), text_.index(" were going")
    with Store(postgres_url) as store:
        store.ingest(d, Extraction(document=d, case="c", quotes=[
            Quote(text_[start:end], "indirect", "Maroš Šefčovič", None, start, end)]))
        for query in ("negotiation", "corridor", "corrid*", "Sefcovic", "šefčovič grain",
                      "the negotiations"):
            assert [q["document_id"] for q in store.quotes(search=query)] == [d.id], query
        assert store.quotes(search="officials") == []  # only in the text, not the quote
        assert [x["id"] for x in store.documents(search="officials talks")] == [d.id]
        assert store.documents(search="grain wheat") == []  # every word must occur
        for hostile in ("a & b | !c", "'); DROP TABLE documents; --", "x:* <-> (y"):
            store.documents(search=hostile)  # never a query error


def test_tsquery_is_built_from_words_only() -> None:
    assert tsquery("ceasefire talks*") == "'ceasefire' & 'talks':*"
    assert tsquery("a' | b") == "'a' & 'b'"
    assert tsquery(" !? ") == ""


def test_search_goes_through_the_gin_indexes(pg_demo: str) -> None:
    engine = create_engine(pg_demo)
    with engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        for table, query in (("documents", "ceasefire"), ("quotes", "peace")):
            plan = "\n".join(conn.execute(text(
                f"EXPLAIN SELECT id FROM {table} "
                "WHERE search @@ to_tsquery('accord_text', :q)"), {"q": query}).scalars())
            assert f"ix_{table}_search" in plan, plan
    engine.dispose()


# -- concurrency -----------------------------------------------------------------------------

def test_two_ingest_processes_store_each_document_once(postgres_server, pg_demo: str) -> None:
    """Both start on an empty database (so they also race to migrate it) and read the same
    directory; the result is what one process alone stores."""
    url = postgres_server.create_database()
    plain = url.replace("+psycopg", "")  # a bare postgresql:// URL picks psycopg 3 too
    command = [str(ACCORD), "ingest", str(EXAMPLES), "--db", plain]
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outcomes = [p.communicate(timeout=300) for p in procs]
    stored = 0
    for p, (_, err) in zip(procs, outcomes):
        assert p.returncode == 0, err
        assert "error" not in err.lower(), err
        found = re.search(r"(\d+) new, (\d+) syndicated", err)
        assert found, err
        stored += int(found[1]) + int(found[2])
    assert stored == _count(url, "SELECT count(*) FROM documents")  # each stored by one of them
    for table in ("documents", "stories", "sources", "extractions", "quotes"):
        assert _count(url, f"SELECT count(*) FROM {table}") == _count(
            pg_demo, f"SELECT count(*) FROM {table}"), table
    assert _count(url, "SELECT count(*) FROM stories s WHERE NOT EXISTS "
                  "(SELECT 1 FROM documents d WHERE d.story_id = s.id)") == 0


# -- serving ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(pg_demo: str) -> Iterator[TestClient]:
    web = create_app(pg_demo)
    with TestClient(web) as c:
        yield c
    web.state.store.close()


def test_api_lists_quotes_with_a_search(client: TestClient) -> None:
    everything = client.get("/api/v1/quotes", params={"limit": 200}).json()["items"]
    page = client.get("/api/v1/quotes", params={"q": "peace", "limit": 200})
    assert page.status_code == 200
    found = page.json()["items"]
    assert found and len(found) < len(everything)
    assert all("peace" in (q["text"] + (q["speaker"] or "")).lower() for q in found)
    assert client.get("/api/v1/documents", params={"q": "ceasefire"}).json()["items"]
    assert client.get("/quotes", params={"q": "peace"}).status_code == 200  # the page too


def test_unreachable_server_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot open store") as err:
        Store("postgresql://nobody@127.0.0.1:1/accord")
    assert "\n" not in str(err.value)
