"""End to end through the command line: examples -> store -> queries, extract, eval, bad input."""

from __future__ import annotations

import gzip
import json
import shutil

import pytest
from support import EXAMPLES, run

from accord.models import GOLD_FORMAT


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> str:
    db = tmp_path_factory.mktemp("demo") / "accord.db"
    url = f"sqlite:///{db}"
    code, _, err = run("ingest", str(EXAMPLES), "--db", url)
    assert code == 0, err
    return url


def test_ingest_examples_summary_and_idempotence(demo_db):
    code, _, err = run("ingest", str(EXAMPLES), "--db", demo_db)
    assert code == 0
    assert " 0 new" in err and "0 failed" in err  # second run changes nothing
    code, out, _ = run("show", "documents", "--db", demo_db, "--json", "--limit", "100")
    docs = json.loads(out)
    assert len({d["id"] for d in docs}) == len(docs) >= 10
    assert all(d["language"] == "en" for d in docs)


def test_syndicated_copies_are_grouped(demo_db):
    code, out, _ = run("show", "stories", "--db", demo_db, "--json", "--limit", "100")
    stories = json.loads(out)
    assert any(len(s["documents"]) > 1 for s in stories)


def test_queries_answer_the_everyday_questions(demo_db):
    _, out, _ = run("show", "provisions", "--provision", "army-cap", "--db", demo_db, "--json", "--limit", "500")
    values = {f["value"] for row in json.loads(out) for f in row["figures"]}
    assert {600000, 800000} <= values
    _, out, _ = run("show", "quotes", "--speaker", "Zelensky", "--db", demo_db, "--json")
    quotes = json.loads(out)
    assert quotes and all("zelensk" in q["speaker"].lower() for q in quotes)
    _, out, _ = run("show", "stances", "--party", "RUS", "--db", demo_db, "--json")
    assert all(s["holder"] == "RUS" for s in json.loads(out))
    code, out, _ = run("show", "quotes", "-q", "ceasefire", "--db", demo_db)
    assert code == 0 and "ceasefire" in out.lower()
    code, out, _ = run("summary", "--db", demo_db)
    assert code == 0 and "army-cap" in out


def test_every_stored_item_points_into_its_document(demo_db):
    from accord.store import Store

    store = Store(demo_db)
    for quote in store.quotes(limit=1000):
        text = store.document(quote["document_id"])["text"]
        assert text[quote["start"] : quote["end"]] == quote["text"]
    store.close()


def test_extract_prints_the_gold_format(tmp_path):
    page = EXAMPLES / "blog" / "geneva-talks.html"
    code, out, _ = run("extract", str(page))
    assert code == 0
    record = json.loads(out)
    assert record["format"] == GOLD_FORMAT and record["case"] == "ukraine-2025"
    assert record["document"]["file"] == page.name and record["document"]["published"]
    for key in ("actors", "quotes", "provisions", "stances", "events"):
        assert isinstance(record[key], list)
    text_quotes = [q for q in record["quotes"] if q["kind"] == "direct"]
    assert text_quotes and all({"start", "end", "speaker", "party", "text"} <= set(q) for q in text_quotes)


def test_extract_out_writes_one_file_per_input(tmp_path):
    out_dir = tmp_path / "out"
    code, _, err = run("extract", str(EXAMPLES / "saved"), "--out", str(out_dir))
    assert code == 0, err
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == sorted(p.stem + ".json" for p in (EXAMPLES / "saved").iterdir() if p.suffix == ".txt")


def test_bad_inputs_are_reported_and_the_batch_goes_on(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(EXAMPLES / "saved" / "witkoff-kushner-moscow.txt", batch / "good.txt")
    (batch / "empty.txt").write_text("")
    (batch / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    (batch / "broken.warc.gz").write_bytes(gzip.compress(b"WARC/1.0\r\n" + b"x" * 500)[:40])
    (batch / "feed.xml").write_text("<rss><channel><item><title>unclosed")
    (batch / "post.json").write_text('{"not": "an article"}')
    db = f"sqlite:///{tmp_path / 'a.db'}"
    code, _, err = run("ingest", str(batch), "--db", db)
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 5
    for name in ("empty.txt", "binary.txt", "broken.warc.gz", "feed.xml", "post.json"):
        assert sum(name in line for line in lines) == 1
    assert "1 new" in err and "5 failed" in err
    _, out, _ = run("show", "documents", "--db", db, "--json")
    assert len(json.loads(out)) == 1


def test_eval_scores_the_shared_gold(shared):
    code, out, _ = run(
        "eval", str(shared / "gold"), str(shared / "eval" / "dev" / "gold"),
        "--texts", str(shared / "seeds"), "--texts", str(shared / "eval" / "dev" / "texts"), "--json",
    )
    assert code == 0
    metrics = json.loads(out)["metrics"]
    assert metrics["quotes"]["detection"]["f1"] > 0.8
    assert metrics["actors"]["f1"] > 0.8
    assert metrics["provisions"]["top_level"]["f1"] > 0.8


def test_eval_dev_set_with_errors(shared):
    code, out, _ = run("eval", str(shared / "eval" / "dev" / "gold"), "--texts", str(shared / "eval" / "dev" / "texts"), "--errors")
    assert code == 0
    assert "quotes" in out and "events" in out


def test_user_errors_are_one_line(tmp_path):
    code, _, err = run("show", "quotes", "--since", "last week", "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert code == 1 and err.count("\n") == 1 and "not a date" in err
    code, _, err = run("extract", str(tmp_path), "--case", str(tmp_path / "missing.yaml"))
    assert code == 1 and err.count("\n") == 1


def test_extract_with_a_users_own_case(tmp_path):
    from test_case import TINY_CASE

    case_file = tmp_path / "orchard.yaml"
    case_file.write_text(TINY_CASE, encoding="utf-8")
    article = tmp_path / "orchard.txt"
    article.write_text(
        "Villages near agreement on the orchard\n\n"
        "Mayor Ada Quill said on Tuesday that Northvale would split the harvest with Southvale, "
        "keeping 60% of the apples for itself.\n",
        encoding="utf-8",
    )
    code, out, err = run("extract", str(article), "--case", str(case_file))
    assert code == 0, err
    record = json.loads(out)
    assert record["case"] == "orchard-dispute"
    assert [p["id"] for p in record["provisions"]] == ["harvest-split"]
    assert record["actors"][0]["name"] == "Ada Quill" and record["actors"][0]["party"] == "NVL"
    (quote,) = record["quotes"]
    assert quote["speaker"] == "Ada Quill" and quote["kind"] == "indirect"


def test_pipeline_components_are_registered_by_name(accord_nlp):
    from accord.nlp import COMPONENTS

    parse = {"accord_paragraphs", "accord_attributes"}  # parts of the parse, not extractors
    assert list(COMPONENTS) == [n for n in accord_nlp.pipe_names if n.startswith("accord_") and n not in parse]
    assert accord_nlp.get_pipe_config("accord_quotes")["case"] == "ukraine-2025"


def test_changes_reports_the_army_cap_move(demo_db):
    code, out, _ = run("changes", "--since", "2025-11-01", "--db", demo_db)
    assert code == 0
    figures = out.split("## Figures", 1)[1].split("\n## ", 1)[0]
    assert "army-cap" in figures and "600,000" in figures and "800,000" in figures
    code, out, _ = run("changes", "--since", "2025-11-01", "--db", demo_db, "--json")
    assert code == 0 and json.loads(out)["figure_changes"]


def test_eval_plover_benchmark(plover_gold):
    code, out, _ = run("eval", "--plover", str(plover_gold), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["sentences"] == 322 and 0 <= report["type_accuracy"] <= 1


def test_eval_petrarch_records(petrarch_gold):
    code, out, _ = run("eval", "--petrarch", str(petrarch_gold), "--json")
    assert code == 0
    assert json.loads(out)["sentences"] == 60


def test_eval_needs_gold_or_plover():
    code, _, err = run("eval")
    assert code == 1 and "--plover" in err and "--petrarch" in err


def test_export_gold_round_trips_through_eval(tmp_path):
    db = f"sqlite:///{tmp_path / 'rt.db'}"
    sources = [str(EXAMPLES / "saved"), str(EXAMPLES / "blog")]
    assert run("ingest", *sources, "--db", db)[0] == 0
    out_dir = tmp_path / "gold"
    code, _, err = run("export-gold", str(out_dir), "--all", "--db", db)
    assert code == 0 and "written" in err
    code, out, _ = run("eval", str(out_dir), *[a for s in sources for a in ("--texts", s)], "--json")
    assert code == 0
    metrics = json.loads(out)["metrics"]
    assert metrics["quotes"]["end_to_end"]["f1"] == 1.0
    assert metrics["provisions"]["exact"]["f1"] == 1.0 and metrics["events"]["f1"] == 1.0


def test_ingest_and_extract_with_two_workers_match_one(tmp_path):
    one, two = f"sqlite:///{tmp_path / 'one.db'}", f"sqlite:///{tmp_path / 'two.db'}"
    sources = [str(EXAMPLES / "saved"), str(EXAMPLES / "feeds")]
    assert run("ingest", *sources, "--db", one)[0] == 0
    code, _, err = run("ingest", *sources, "--db", two, "--workers", "2")
    assert code == 0, err
    rows = [json.loads(run("show", "quotes", "--db", db, "--json", "--limit", "500")[1]) for db in (one, two)]
    assert [(q["document_id"], q["start"], q["speaker"]) for q in rows[0]] == [
        (q["document_id"], q["start"], q["speaker"]) for q in rows[1]
    ]
    out_dir = tmp_path / "out"
    code, _, err = run("extract", str(EXAMPLES / "feeds"), "--out", str(out_dir), "--workers", "2")
    assert code == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == ["atom-1.json", "atom-2.json"] + [
        f"negotiations-{n}.json" for n in (1, 2, 3)
    ]


def test_error_lines_print_file_names_literally(tmp_path):
    bad = tmp_path / "[bold]draft.txt"
    bad.write_text("")
    code, _, err = run("extract", str(bad))
    assert code == 1 and "[bold]draft.txt" in err and err.count("\n") == 1
