"""Store on real SQLite files and PostgreSQL databases: migrations, grouping, idempotence,
transactions, concurrency, queries."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, insert, inspect, text
from sqlalchemy.exc import IntegrityError

from accord.analysis.changes import first_seen
from accord.case import Case
from accord.errors import StoreError
from accord.models import (
    Actor,
    Document,
    Event,
    Extraction,
    Figure,
    ProvisionMention,
    Quote,
    Stance,
)
from accord.store import AddResult, Store
from accord.store.queries import _walk_newest
from accord.store.review import review
from accord.store.schema import metadata, sources

CASE = "test-case"

# Invented report: a fictional ceasefire between Northland and Southmark.
STORY = (
    "Negotiators from Northland and Southmark met in Lakeside on Tuesday to discuss a "
    "ceasefire along the river border. Foreign Minister Anna Berg said the draft would cap "
    "each army at 80,000 troops. Southmark had proposed a limit of 50,000 troops last month. "
    "Envoy Piet Kramer told reporters that the talks were difficult but useful. "
    "The mediators plan a second round of meetings in the capital before the end of the year. "
    "Observers noted that prisoner exchanges had already started along the northern crossing. "
    "Both delegations agreed to keep the details of the maps confidential for now. "
    "A joint statement is expected once the legal teams finish reviewing the text."
)
EXTRA = " Late in the evening a spokesman added that humanitarian corridors would reopen soon."
OTHER = (
    "Farmers in the eastern valley reported an unusually large harvest of apples this autumn. "
    "Local markets struggled to sell the surplus, and prices fell sharply across the region. "
    "A cooperative announced plans to build a cider press near the old railway station."
)


def doc(text: str = STORY, source: str = "feeds/north.xml#1", **meta: object) -> Document:
    fields: dict[str, object] = {"title": "Ceasefire talks in Lakeside",
                                 "published": date(2025, 3, 4), "site": "north.example"}
    return Document(text=text, source=source, **(fields | meta))  # type: ignore[arg-type]


def span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def extraction(document: Document, case: str = CASE) -> Extraction:
    t = document.text
    berg, kramer = span(t, "Anna Berg"), span(t, "Piet Kramer")
    cap = span(t, "the draft would cap each army at 80,000 troops")
    fig_now, fig_old = span(t, "80,000"), span(t, "50,000")
    useful = span(t, "the talks were difficult but useful")
    meet = span(t, "met in Lakeside")
    return Extraction(
        document=document,
        case=case,
        actors=[
            Actor("Anna Berg", "Foreign Minister", "NOR", *berg, mentions=[berg]),
            Actor("Piet Kramer", "Envoy", "SOU", *kramer),
        ],
        quotes=[
            Quote(t[cap[0]:cap[1]], "indirect", "Anna Berg", "NOR", *cap, cue="said",
                  speaker_start=berg[0], speaker_end=berg[1]),
            Quote(t[useful[0]:useful[1]], "indirect", "Piet Kramer", "SOU", *useful,
                  cue="told"),
        ],
        provisions=[
            ProvisionMention("army-cap", *cap, figures=[
                Figure(80000.0, "proposed", *fig_now, unit="troops"),
                Figure(50000.0, "other", *fig_old, unit="troops"),
            ]),
            ProvisionMention("maps", *span(t, "details of the maps")),
        ],
        stances=[Stance("SOU", "army-cap", "oppose", *span(t, "Southmark had proposed"),
                        cue="proposed"),
                 Stance("NOR", "plan", "support", *cap)],
        events=[Event("CONSULT", ["NOR", "SOU"], *meet, location="Lakeside", trigger="met",
                      date=date(2025, 3, 4))],
    )


def _dialect_objects(name: str | None, kind: str, parent: dict[str, str | None]) -> bool:
    """Leave out of the schema comparison what full-text search adds per dialect (SQLite FTS5
    tables, PostgreSQL's generated tsvector columns and their GIN indexes), the "newest first"
    index that migration 0004 words per dialect, and migration 0005's counter that triggers
    write."""
    name = name or ""
    if kind == "index" and name == "ix_documents_newest":
        return False
    if kind == "table":
        return not (name.endswith("_fts") or "_fts_" in name or name == "record_version")
    if kind == "column":
        return not (name == "search" and parent.get("table_name") in ("documents", "quotes"))
    return not (kind == "index" and name.endswith("_search"))


# -- opening and migrations ------------------------------------------------------------------

def test_migrations_create_the_schema(store_url: str, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the migrations dir is found from the package, not the cwd
    Store(store_url).close()
    Store(store_url).close()  # reopening an up-to-date store is a no-op

    engine = create_engine(store_url)
    with engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
        assert {t.name for t in metadata.sorted_tables} | {"alembic_version"} <= names
        assert conn.execute(text("SELECT version_num FROM alembic_version")).all() == [("0005",)]
        ctx = MigrationContext.configure(conn, opts={"include_name": _dialect_objects})
        assert compare_metadata(ctx, metadata) == []  # schema.py matches the migrations
    engine.dispose()


def test_sqlite_runs_wal_with_fts5(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    Store(f"sqlite:///{path}").close()
    con = sqlite3.connect(path)
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"documents_fts", "quotes_fts"} <= names
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_foreign_keys_are_enforced(store: Store) -> None:
    orphan = {"document_id": "0" * 16, "source": "x.txt", "seen_at": datetime.now(UTC)}
    with pytest.raises(IntegrityError), store._engine.begin() as conn:
        conn.execute(insert(sources).values(orphan))


@pytest.mark.parametrize("url", ["not a url", "nosuchdialect://x/y"])
def test_bad_url_is_a_store_error(url: str) -> None:
    with pytest.raises(StoreError) as err:
        Store(url)
    assert "\n" not in str(err.value)


def test_unwritable_location_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as err:
        Store(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'accord.db'}")
    assert "cannot open store" in str(err.value) and "\n" not in str(err.value)


# -- documents, duplicates, stories ----------------------------------------------------------

def test_new_duplicate_and_syndicated(store: Store) -> None:
    first = store.add_document(doc())
    assert first == AddResult(doc().id, "new", first.story_id)

    again = store.add_document(doc(source="mirror/north.html"))
    assert (again.status, again.story_id) == ("duplicate", first.story_id)

    copy = doc(STORY + EXTRA, source="south.html", site="south.example",
               published=date(2025, 3, 3), title=None)
    synd = store.add_document(copy)
    assert (synd.status, synd.story_id) == ("syndicated", first.story_id)
    assert synd.document_id == copy.id != first.document_id

    other = store.add_document(doc(OTHER, source="apples.txt", title="Harvest"))
    assert other.status == "new" and other.story_id != first.story_id

    stats = store.stats()
    assert (stats["documents"], stats["sources"], stats["stories"]) == (3, 4, 2)

    stories = store.stories()
    assert [s["title"] for s in stories] == ["Harvest", "Ceasefire talks in Lakeside"]
    ceasefire = stories[1]
    assert ceasefire["first_published"] == "2025-03-03"  # widened by the earlier copy
    by_id = {d["id"]: d for d in ceasefire["documents"]}
    assert set(by_id) == {first.document_id, copy.id}
    assert by_id[first.document_id]["sources"] == ["feeds/north.xml#1", "mirror/north.html"]
    assert by_id[copy.id]["sources"] == ["south.html"]
    assert [s["title"] for s in store.stories(limit=1, offset=1)] == ["Ceasefire talks in Lakeside"]


def test_readding_changes_nothing(store: Store) -> None:
    d = doc()
    store.ingest(d, extraction(d))
    before = store.stats()
    assert store.ingest(d, extraction(d)).status == "duplicate"
    assert store.add_document(d).status == "duplicate"
    assert store.stats() == before


def test_grouping_survives_reopening(store_url: str) -> None:
    with Store(store_url) as s:
        story = s.add_document(doc()).story_id
    with Store(store_url) as s:  # near-duplicate index rebuilt from stored signatures
        result = s.add_document(doc(STORY + EXTRA, source="copy.txt"))
    assert (result.status, result.story_id) == ("syndicated", story)


# -- several writers at once -----------------------------------------------------------------

def _at_once(*calls: Callable[[], AddResult]) -> list[AddResult]:
    """Run the calls in threads released together; re-raise the first failure."""
    start = threading.Barrier(len(calls))
    results: list[AddResult | BaseException] = [RuntimeError("not run")] * len(calls)

    def run(n: int) -> None:
        start.wait()
        try:
            results[n] = calls[n]()
        except BaseException as error:  # noqa: BLE001 - handed to the main thread
            results[n] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return results  # type: ignore[return-value]


def _first_words_quoted(document: Document) -> Extraction:
    return Extraction(document=document, case=CASE, quotes=[
        Quote(document.text[:20], "direct", "A witness", None, 0, 20)])


def test_two_writers_adding_one_document_store_it_once(store_url: str) -> None:
    """Two stores (as two processes would have) add the same new documents at the same moment:
    each lands once with its extraction, the other writer sees a duplicate, never an error."""
    texts = [STORY, OTHER, "The ferry to the islands will run twice a day from May onwards.",
             "A new school opened in the harbour district with room for 300 pupils."]
    with Store(store_url) as one, Store(store_url) as two:
        for n, body in enumerate(texts):
            d = doc(body, source=f"{n}.txt")
            results = _at_once(lambda s=one, d=d: s.ingest(d, _first_words_quoted(d)),
                               lambda s=two, d=d: s.ingest(d, _first_words_quoted(d)))
            assert sorted(r.status for r in results) == ["duplicate", "new"]
            assert results[0].story_id == results[1].story_id
        stats = one.stats()
    assert (stats["documents"], stats["stories"], stats["extractions"]) == (4, 4, 4)
    assert (stats["sources"], stats["quotes"]) == (4, 4)


def test_a_copy_stored_by_another_writer_joins_its_story(store_url: str) -> None:
    """Each writer's near-duplicate index was loaded before the other stored the original."""
    with Store(store_url) as one, Store(store_url) as two:
        one.add_document(doc(OTHER, source="apples.txt"))
        two.add_document(doc(OTHER + " Harvest festival next week.", source="apples2.txt"))
        first = one.add_document(doc())
        copy = two.add_document(doc(STORY + EXTRA, source="copy.txt"))
        assert (copy.status, copy.story_id) == ("syndicated", first.story_id)
        copies = _at_once(lambda: one.add_document(doc(STORY + " Talks resume.", source="a")),
                          lambda: two.add_document(doc(STORY + " Talks paused.", source="b")))
        assert {c.story_id for c in copies} == {first.story_id}


def test_document_detail(store: Store) -> None:
    d = doc()
    store.ingest(d, extraction(d))
    store.add_document(doc(source="second.txt"))
    detail = store.document(d.id)
    assert detail is not None
    assert detail["text"] == STORY and detail["published"] == "2025-03-04"
    assert detail["sources"] == ["feeds/north.xml#1", "second.txt"]
    assert detail["cases"] == [CASE]
    assert store.document("0" * 16) is None


# -- extractions -----------------------------------------------------------------------------

def test_save_extraction_replaces_previous(store: Store) -> None:
    d = doc()
    store.add_document(d)
    assert not store.has_extraction(d.id, CASE)
    store.save_extraction(extraction(d))
    assert store.has_extraction(d.id, CASE)
    assert not store.has_extraction(d.id, "another-case")

    t = d.text
    start, end = span(t, "prisoner exchanges")
    store.save_extraction(Extraction(document=d, case=CASE, quotes=[
        Quote(t[start:end], "direct", "Observers", None, start, end)]))
    stats = store.stats()
    kept = (stats["quotes"], stats["actors"], stats["figures"], stats["event_parties"])
    assert kept == (1, 0, 0, 0)
    assert store.quotes(search="useful") == []  # the replaced quote left the FTS index too
    assert [q["text"] for q in store.quotes(search="prisoner")] == ["prisoner exchanges"]

    store.save_extraction(Extraction(document=d, case=CASE))  # empty extraction still counts
    assert store.has_extraction(d.id, CASE) and store.stats()["quotes"] == 0


def test_version_moves_on_every_saved_extraction_and_review(
        store: Store, case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cached analyses are keyed on ``version()``: a saved extraction (a re-extraction too, on a
    clock that stands still; a batch) and a review must move it; reads and bare documents
    leave it."""
    monkeypatch.setattr("accord.store.store._now", lambda: datetime(2025, 3, 5, tzinfo=UTC))
    seen = [store.version()]

    def moved() -> bool:
        seen.append(store.version())
        return seen[-1] not in seen[:-1]

    d = doc()
    store.add_document(d)
    assert not moved()
    store.save_extraction(extraction(d, case.name))
    assert moved()
    store.save_extraction(extraction(d, case.name))  # same document, same time, same row id
    assert moved()
    batch = [doc(STORY + EXTRA, source="second.txt"), doc(OTHER, source="farm.txt")]
    store.ingest_many([(b, Extraction(document=b, case=case.name)) for b in batch])
    assert moved()
    store.quotes(case=case.name)
    store.stats()
    assert not moved()
    quote = store.quotes(case=case.name, limit=1)[0]
    review(store, case, "quotes", quote["id"], "confirm", reviewer="tester")
    assert moved()
    review(store, case, "quotes", quote["id"], "reject", reviewer="tester")
    assert moved()


def test_cases_are_kept_apart(store: Store) -> None:
    d = doc()
    store.ingest(d, extraction(d))
    store.save_extraction(extraction(d, case="other"))
    assert len(store.quotes()) == 4
    assert len(store.quotes(case=CASE)) == 2
    store.save_extraction(Extraction(document=d, case="other"))
    assert len(store.quotes()) == 2


def test_extraction_needs_its_document(store: Store) -> None:
    d = doc()
    with pytest.raises(StoreError, match="not stored"):
        store.save_extraction(extraction(d))
    with pytest.raises(StoreError, match="belongs to"):
        store.ingest(doc(OTHER), extraction(d))


def test_failed_ingest_leaves_nothing(store: Store) -> None:
    d = doc()
    bad = extraction(d)
    bad.quotes.append(Quote(None, "direct", "Nobody", None, 0, 5))  # type: ignore[arg-type]
    with pytest.raises(StoreError) as err:
        store.ingest(d, bad)
    assert re.search("not.null", str(err.value), re.I) and "\n" not in str(err.value)
    assert all(n == 0 for n in store.stats().values())
    assert store.documents() == [] and store.documents(search="Lakeside") == []

    # The rolled-back document did not linger in the near-duplicate index either.
    assert store.add_document(doc(STORY + EXTRA)).status == "new"


def test_failed_replacement_keeps_previous_extraction(store: Store) -> None:
    d = doc()
    store.ingest(d, extraction(d))
    before = store.stats()
    bad = extraction(d)
    bad.events[0] = replace(bad.events[0], type=None)  # type: ignore[arg-type]
    with pytest.raises(StoreError):
        store.save_extraction(bad)
    assert store.stats() == before
    assert len(store.quotes(search="useful")) == 1


def test_offsets_round_trip(store: Store) -> None:
    d = doc()
    ext = extraction(d)
    store.ingest(d, ext)
    text = store.document(d.id)["text"]  # type: ignore[index]

    quotes = store.quotes(document_id=d.id)
    assert [(q["start"], q["end"], q["speaker_start"], q["speaker_end"]) for q in quotes] == [
        (q.start, q.end, q.speaker_start, q.speaker_end) for q in ext.quotes]
    assert all(text[q["start"]:q["end"]] == q["text"] for q in quotes)

    mentions = store.provisions(document_id=d.id)
    assert [(m["start"], m["end"]) for m in mentions] == [(p.start, p.end) for p in ext.provisions]
    assert [[text[f["start"]:f["end"]] for f in m["figures"]] for m in mentions] == [
        ["80,000", "50,000"], []]
    assert [(s["start"], s["end"]) for s in store.stances(document_id=d.id)] == sorted(
        (s.start, s.end) for s in ext.stances)  # items come in text order
    event = store.events(document_id=d.id)[0]
    assert text[event["start"]:event["end"]] == "met in Lakeside"


# -- queries ---------------------------------------------------------------------------------

@pytest.fixture
def filled(store: Store) -> Store:
    """Three documents on two sites and dates: one story with a copy, one unrelated."""
    march = doc()
    store.ingest(march, extraction(march))
    april = doc(STORY + EXTRA, source="south.html", site="south.example",
                published=date(2025, 4, 10), title="Second round planned")
    store.ingest(april, extraction(april))
    store.add_document(doc(OTHER, source="apples.txt", title="Harvest", published=None,
                           site="farm.example"))
    return store


def test_documents_query(filled: Store) -> None:
    titles = [d["title"] for d in filled.documents()]
    assert titles == ["Second round planned", "Ceasefire talks in Lakeside", "Harvest"]
    assert "text" not in filled.documents()[0]
    assert [d["title"] for d in filled.documents(site="farm.example")] == ["Harvest"]
    assert [d["title"] for d in filled.documents(since=date(2025, 4, 1))] == [
        "Second round planned"]
    assert [d["title"] for d in filled.documents(until=date(2025, 3, 4))] == [
        "Ceasefire talks in Lakeside"]
    assert [d["title"] for d in filled.documents(limit=1, offset=1)] == [
        "Ceasefire talks in Lakeside"]


def test_documents_full_text_search(filled: Store) -> None:
    assert {d["title"] for d in filled.documents(search="humanitarian corridors")} == {
        "Second round planned"}
    assert {d["title"] for d in filled.documents(search="ceasefire")} == {
        "Second round planned", "Ceasefire talks in Lakeside"}
    assert [d["title"] for d in filled.documents(search="harvest")] == ["Harvest"]  # title
    assert [d["title"] for d in filled.documents(search="cide*")] == ["Harvest"]  # prefix
    assert filled.documents(search="apples ceasefire") == []  # every word must occur
    # FTS syntax in user input is neutralised, never a query error
    assert filled.documents(search='"(*") AND') == filled.documents(search="and")
    assert filled.documents(search="  !? ") == []


def test_quotes_query(filled: Store) -> None:
    all_quotes = filled.quotes()
    assert len(all_quotes) == 4
    assert all_quotes[0]["published"] == "2025-04-10"
    assert all_quotes[0]["document_title"] == "Second round planned"
    assert {"document_id", "start", "end", "speaker", "party", "kind", "text"} <= set(all_quotes[0])
    assert {q["speaker"] for q in filled.quotes(speaker="berg")} == {"Anna Berg"}
    assert {q["party"] for q in filled.quotes(party="SOU")} == {"SOU"}
    assert len(filled.quotes(since=date(2025, 4, 1))) == 2
    assert len(filled.quotes(until=date(2025, 3, 31))) == 2
    assert len(filled.quotes(limit=3)) == 3 and len(filled.quotes(offset=3)) == 1
    assert filled.quotes(party="NOR", search="useful") == []


def test_quotes_full_text_search(filled: Store) -> None:
    assert {q["text"] for q in filled.quotes(search="difficult")} == {
        "the talks were difficult but useful"}
    assert {q["speaker"] for q in filled.quotes(search="kramer")} == {"Piet Kramer"}  # speaker
    assert len(filled.quotes(search="armies")) == 2  # stemmed: "army" in the quote


def test_actors_query(filled: Store) -> None:
    people = filled.actors()
    assert people[0] == {"name": "Anna Berg", "role": "Foreign Minister", "party": "NOR",
                         "mentions": 2, "documents": 2}
    assert people[1]["name"] == "Piet Kramer" and people[1]["mentions"] == 2
    assert [a["name"] for a in filled.actors(name="kram")] == ["Piet Kramer"]
    assert [a["name"] for a in filled.actors(party="NOR")] == ["Anna Berg"]
    assert [a["name"] for a in filled.actors(limit=1, offset=1)] == ["Piet Kramer"]


def test_actor_role_is_the_most_frequent(store: Store) -> None:
    for i, role in enumerate(["Envoy", "Minister", "Minister"]):
        d = doc(f"Piet Kramer spoke at meeting number {i} about unrelated matters today.",
                source=f"{i}.txt")
        store.ingest(d, Extraction(document=d, case=CASE,
                                   actors=[Actor("Piet Kramer", role, "SOU", 0, 11)]))
    assert store.actors()[0]["role"] == "Minister"


def _first_seen_by_hand(url: str, until: date | None) -> list[dict]:
    """Each name's first dated mention and commonest role and party, from every actor row read
    into Python in one ordered pass, straight from SQL."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            'SELECT a.name, a.role, a.party, a.document_id, d.published, d.title, d.url '
            'FROM actors a JOIN documents d ON d.id = a.document_id '
            'WHERE a."case" = :case AND d.published IS NOT NULL '
            'ORDER BY d.published, a.document_id, a.start'), {"case": CASE}).all()
    engine.dispose()
    first: dict[str, dict] = {}
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for name, role, party, doc_id, published, title, url in rows:
        if until is not None and str(published)[:10] > until.isoformat():
            continue
        for field, value in (("role", role), ("party", party)):
            if value:
                counts[(name, field)][value] += 1
        first.setdefault(name, {"name": name, "document_id": doc_id,
                                "published": str(published)[:10], "document_title": title,
                                "url": url})
    for name, r in first.items():
        for field in ("role", "party"):
            c = counts[(name, field)]
            r[field] = min(c, key=lambda k: (-c[k], k)) if c else None
    return sorted(first.values(), key=lambda r: (r["published"], r["name"]))


def test_first_seen_people_match_a_full_read(store: Store, store_url: str, case) -> None:
    """The change digest's new people, kept between versions, against one ordered read."""
    case = replace(case, name=CASE)
    people = [("Piet Kramer", "Envoy", "SOU"), ("Anna Berg", "Minister", "NOR"),
              ("Piet Kramer", "Minister", "SOU"), ("Piet Kramer", "Minister", None),
              ("Anna Berg", None, "NOR"), ("Lena Holm", "", "NOR")]
    for i, (name, role, party) in enumerate(people):
        text_ = f"{name} spoke at meeting number {i} today. Nothing else happened there."
        d = doc(text_, source=f"{i}.txt", published=date(2025, 3, 10 - i % 3),
                title=f"Meeting {i}", url=f"https://example.org/{i}")
        store.ingest(d, Extraction(document=d, case=CASE, actors=[
            Actor(name, role, party, 0, len(name)),
            Actor("Anna Berg", "Foreign Minister", "NOR", len(text_) - 5, len(text_) - 1)]))
    undated = doc("Anna Berg said nothing at all on an undated day.", source="u.txt",
                  published=None)
    store.ingest(undated, Extraction(document=undated, case=CASE, actors=[
        Actor("Anna Berg", "Envoy", "SOU", 0, 9)]))
    for until in (None, date(2025, 3, 8), date(2025, 3, 9)):
        found = first_seen(store, case, until=until)
        assert [{"name": a.name, "document_id": a.sources[0].document_id,
                 "published": a.date.isoformat(), "document_title": a.sources[0].title,
                 "url": a.sources[0].url, "role": a.role, "party": a.party}
                for a in found] == _first_seen_by_hand(store_url, until)
    kramer = next(a for a in first_seen(store, case) if a.name == "Piet Kramer")
    assert (kramer.role, kramer.party, kramer.date) == ("Minister", "SOU", date(2025, 3, 8))
    assert kramer.sources[0].evidence == "Piet Kramer spoke at meeting number 2 today."


def test_provisions_queries(filled: Store) -> None:
    mentions = filled.provisions(provision_id="army-cap")
    assert len(mentions) == 2 and mentions[0]["published"] == "2025-04-10"
    assert [(f["value"], f["unit"], f["status"]) for f in mentions[0]["figures"]] == [
        (80000.0, "troops", "proposed"), (50000.0, "troops", "other")]
    assert len(filled.provisions()) == 4
    assert len(filled.provisions(since=date(2025, 4, 1))) == 2
    assert len(filled.provisions(until=date(2025, 3, 4), provision_id="maps")) == 1

    summary = filled.provision_summary()
    assert [p["provision_id"] for p in summary] == ["army-cap", "maps"]
    army = summary[0]
    assert (army["mentions"], army["documents"]) == (2, 2)
    assert (army["first_published"], army["last_published"]) == ("2025-03-04", "2025-04-10")
    assert [f["value"] for f in army["figures"]] == [50000.0, 80000.0]
    assert all(len(f["documents"]) == 2 for f in army["figures"])
    assert [s["title"] for s in army["sources"]] == ["Second round planned",
                                                    "Ceasefire talks in Lakeside"]
    assert summary[1]["figures"] == []
    dated = filled.provision_summary(provision_id="army-cap", since=date(2025, 4, 1))
    assert dated[0]["mentions"] == 1 and len(dated[0]["sources"]) == 1


def test_stances_query(filled: Store) -> None:
    assert len(filled.stances()) == 4
    assert {s["polarity"] for s in filled.stances(party="SOU")} == {"oppose"}
    assert {s["holder"] for s in filled.stances(target="plan")} == {"NOR"}
    assert len(filled.stances(since=date(2025, 4, 1), target="plan")) == 1
    assert filled.stances(until=date(2025, 1, 1)) == []


def test_events_query(filled: Store) -> None:
    found = filled.events(type="CONSULT", party="SOU")
    assert len(found) == 2
    assert found[0]["actors"] == ["NOR", "SOU"] and found[0]["date"] == "2025-03-04"
    assert filled.events(party="XXX") == [] and filled.events(type="FIGHT") == []
    assert len(filled.events(since=date(2025, 4, 1))) == 1
    assert len(filled.events(until=date(2025, 4, 1), limit=5)) == 1


def test_stats_counts_every_table(filled: Store) -> None:
    assert filled.stats() == {
        "stories": 2, "documents": 3, "sources": 3, "extractions": 2, "actors": 4,
        "quotes": 4, "provision_mentions": 4, "figures": 4, "stances": 4, "events": 2,
        "event_parties": 4, "review_decisions": 0, "review_audit": 0,
    }


def test_newer_database_is_refused(store_url: str) -> None:
    Store(store_url).close()
    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError, match="cannot open store"):
        Store(store_url)


def test_quote_search_pages_are_the_same_whichever_way_it_is_read(store: Store) -> None:
    """A common word is read by walking the newest documents (SQLite), a rare one by sorting
    its matches; both give the newest-first pages of a full read."""
    for i in range(40):
        words = "the ceasefire holds" if i else "the ceasefire holds near the harbour"
        text_ = f"Talks went on. “{words.capitalize()} today,” said envoy number {i}. More later."
        d = doc(text_, source=f"q{i}.txt", published=date(2025, 3, 1) + timedelta(days=i % 9))
        start, end = span(text_, words.capitalize() + " today")
        store.ingest(d, Extraction(document=d, case=CASE, quotes=[
            Quote(f"{words.capitalize()} today", "direct", f"Envoy {i}", "SOU", start, end,
                  "said")]))
    every = store.quotes(limit=1000)
    for word, walked in (("ceasefire", True), ("harbour", False)):
        if store._engine.dialect.name == "sqlite":
            assert store._read(lambda conn: _walk_newest(conn, word, 5)) is walked
        expected = [q for q in every if word in q["text"]]
        pages = [q for at in range(0, 45, 5) for q in store.quotes(search=word, limit=5, offset=at)]
        assert pages == expected and len(expected) == (40 if walked else 1)
        assert store.quotes(search=word, since=date(2025, 3, 5), limit=100) == [
            q for q in expected if q["published"] >= "2025-03-05"]
