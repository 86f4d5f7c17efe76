"""The analysis layer on real stores: provision histories, stance matrix, timeline, digests."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from support import EXAMPLES

from accord.analysis import (
    change_digest,
    classify_status,
    plan_versions,
    provision_tracker,
    stance_matrix,
    timeline,
)
from accord.analysis.changes import first_seen
from accord.analysis.sources import cached, refresh_in_background, refreshing
from accord.case import Case, load_case
from accord.ingest import iter_documents
from accord.models import Document, Extraction
from accord.pipeline import Extractor
from accord.store import Store
from accord.store.review import document_items, review


def _extract(paths: list[Path], case: str | Path | None = None) -> list[tuple[Document, Extraction]]:
    extractor = Extractor(case)
    docs = [d for d in iter_documents(paths) if isinstance(d, Document)]
    return [(d, extractor.extract(d)) for d in docs]


def _store(path: Path, pairs: list[tuple[Document, Extraction]]) -> Store:
    store = Store(f"sqlite:///{path}")
    for doc, ext in pairs:
        store.ingest(doc, ext)
    return store


@pytest.fixture(scope="module")
def example_pairs() -> list[tuple[Document, Extraction]]:
    return _extract([EXAMPLES])


@pytest.fixture(scope="module")
def store(tmp_path_factory, example_pairs) -> Store:
    return _store(tmp_path_factory.mktemp("analysis") / "examples.db", example_pairs)


@pytest.fixture(scope="module")
def ukraine() -> Case:
    return load_case()


def _army_cap(store: Store, case: Case, **kwargs):
    (history,) = provision_tracker(store, case, provision_id="army-cap", **kwargs)
    return history


def test_army_cap_history_follows_the_versions(store, ukraine):
    history = _army_cap(store, ukraine)
    plan = history.plan_figures
    by_value = {v: [f for f in plan if f.value == v] for v in (600_000, 800_000)}
    first_600 = min(f.date for f in by_value[600_000])
    assert date(2025, 11, 20) <= first_600 <= date(2025, 11, 21)
    assert {f.version for f in by_value[600_000]} == {"28pt"}
    versions_800 = {f.version: min(g.date for g in by_value[800_000] if g.version == f.version)
                    for f in by_value[800_000]}
    assert versions_800["e3"] == date(2025, 11, 24)
    assert date(2025, 12, 23) <= versions_800["20pt"] <= date(2025, 12, 26)
    assert all(f.source.evidence and f.source.document_id for f in plan)
    assert history.current_figure is not None
    assert (history.current_figure.value, history.current_figure.version) == (800_000, "20pt")
    # Today's strength is the current state, not a figure of the plan.
    assert 880_000 in {f.value for f in history.current_state}
    assert 880_000 not in {f.value for f in plan}
    record = json.loads(json.dumps(history.to_dict()))
    assert record["current_figure"]["value"] == 800_000 and record["versions"] == [
        "28pt", "e3", "19pt", "20pt"]


def test_history_until_a_date_knows_only_what_was_reported(store, ukraine):
    history = _army_cap(store, ukraine, until=date(2025, 11, 22))
    assert {f.value for f in history.plan_figures} == {600_000}
    assert history.current_figure is not None and history.current_figure.value == 600_000


def test_versions_come_from_the_case_file(ukraine):
    versions = {p.id: plan_versions(ukraine, p) for p in ukraine.provisions}
    assert versions["army-cap"] == ["28pt", "e3", "19pt", "20pt"]
    assert versions["amnesty"] == ["28pt", "e3", "20pt"]  # removed in the 19-point framework
    assert versions["no-invasion-no-nato-expansion"] == ["28pt", "19pt"]  # struck out, absent
    assert "20pt" not in versions["g8-return"] and "20pt" not in versions["nato-non-accession"]
    assert versions["territorial-referendum"] == ["20pt"]  # only the 20-point draft has it


@pytest.mark.parametrize(("sentence", "status"), [
    ("The second text drops the fishing levy altogether.", "dropped"),
    ("Both delegations said the prisoner swap was now fully agreed.", "agreed"),
    ("The northern delegation rejected the proposed cap outright.", "disputed"),
    ("Negotiators said the question of the dam was still open.", "unresolved"),
    ("The border clause has not yet been agreed, officials said.", "unresolved"),
    ("The mediators proposed a cap of 5,000 boats.", "proposed"),
    ("Talks would stall if the council refused.", None),
    ("The delegates met for lunch on the terrace.", None),
])
def test_status_cues(sentence, status):
    found = classify_status(sentence)
    assert (found[0] if found else None) == status


def test_statuses_are_sourced(store, ukraine):
    (recognition,) = provision_tracker(store, ukraine, provision_id="crimea-donbas-recognition")
    dropped = [s for s in recognition.statuses if s.status == "dropped"]
    assert dropped and recognition.current_status == "dropped"
    assert all(s.source.title and s.source.evidence for s in dropped)


def test_stance_matrix_cells_and_order(store, ukraine):
    matrix = stance_matrix(store, ukraine)
    assert matrix.parties[0] == "USA"
    assert matrix.targets[0] == "plan"
    order = [p.id for p in ukraine.provisions]
    assert matrix.targets[1:] == sorted(matrix.targets[1:], key=order.index)
    cell = matrix.cells[("EU", "army-cap")]
    assert cell.polarity == "support" and cell.counts["support"] == 2
    assert cell.latest.date == date(2025, 12, 24) and cell.latest.source.evidence
    record = json.loads(json.dumps(matrix.to_dict()))
    assert {"party": "EU", "target": "army-cap"}.items() <= next(
        c for c in record["cells"] if c["party"] == "EU" and c["target"] == "army-cap").items()


def test_stance_matrix_as_of_and_moves(store, ukraine):
    early = stance_matrix(store, ukraine, as_of=date(2025, 11, 30))
    assert all(c.latest.date <= date(2025, 11, 30) for c in early.cells.values())
    assert ("EU", "army-cap") not in early.cells
    assert early.cells[("UKR", "plan")].polarity == "support"
    late = stance_matrix(store, ukraine)
    assert late.cells[("UKR", "plan")].polarity == "oppose"
    move = next(m for m in late.moves if (m.party, m.target) == ("UKR", "plan"))
    assert (move.before, move.after, move.date) == ("support", "oppose", date(2025, 12, 24))
    assert move.source.url


def test_timeline_dates_and_filters(store, ukraine):
    events = timeline(store, ukraine)
    assert [e.date for e in events] == sorted(e.date for e in events)
    mar_a_lago = next(e for e in events if e.type == "CONSULT" and e.date == date(2025, 12, 28))
    assert mar_a_lago.date_resolved and mar_a_lago.actors == ["UKR", "USA"]
    assert mar_a_lago.sources[0].published == date(2025, 12, 29)
    unresolved = [e for e in events if not e.date_resolved]
    assert unresolved and all(e.date == e.sources[0].published for e in unresolved)
    florida = timeline(store, ukraine, since=date(2025, 11, 30), until=date(2025, 11, 30))
    assert [(e.type, e.date_resolved) for e in florida] == [("CONSULT", True)]
    russia = timeline(store, ukraine, party="RUS", type="ACCUSE")
    assert russia and all("RUS" in e.actors and e.type == "ACCUSE" for e in russia)
    json.dumps([e.to_dict() for e in events])


def test_change_digest_reports_the_army_cap_move(store, ukraine):
    digest = change_digest(store, ukraine, since=date(2025, 11, 1))
    (change,) = [c for c in digest.figure_changes if c.provision == "army-cap"]
    assert (change.old_value, change.new_value) == (600_000, 800_000)
    assert (change.old_version, change.new_version, change.kept_in) == ("28pt", "e3", ["20pt"])
    assert change.new_date == date(2025, 11, 24) and change.sources
    assert "crimea-donbas-recognition" in {c.provision for c in digest.provisions_dropped}
    assert ("UKR", "plan") in {(s.party, s.target) for s in digest.stance_shifts}
    markdown = digest.to_markdown()
    line = next(ln for ln in markdown.splitlines() if ln.startswith("- **army-cap**") and "→" in ln)
    assert "600,000" in line and "800,000" in line
    block = markdown.split(line, 1)[1].split("\n- ", 1)[0]
    assert "](<https://" in block  # the move comes with a source link
    assert "## Figures" in markdown and "## New people" in markdown
    json.dumps(digest.to_dict())


def test_change_digest_window(store, ukraine):
    digest = change_digest(store, ukraine, since=date(2025, 12, 1), until=date(2025, 12, 10))
    assert not digest.figure_changes  # the cap moved in November
    names = {a.name: a for a in digest.new_actors}
    assert "Jared Kushner" in names and "Donald Trump" not in names
    assert names["Jared Kushner"].party == "USA" and names["Jared Kushner"].sources[0].evidence
    assert all(date(2025, 12, 1) <= c.date <= date(2025, 12, 10)
               for c in digest.provisions_appeared)


LAKE_CASE = """
name: lake-accord
title: Two towns share a lake
versions:
  - {id: first, date: 2024-03-01, summary: The mediator's first text, names: [first draft]}
  - {id: revised, date: 2024-04-01, summary: The text after the spring round, names: [revised draft]}
parties:
  ELM: {name: Elmford, kind: country, aliases: [Elmford]}
  BRK: {name: Brookhaven, kind: country, aliases: [Brookhaven]}
people:
  - {name: Ada Quill, role: Mayor, party: ELM}
  - {name: Bram Holt, role: Mayor, party: BRK}
provisions:
  - id: fishing-season
    point: 1
    category: economy
    summary: How many days a year boats may fish the lake.
    parties: [ELM, BRK]
    patterns: ["fish* + season|days"]
    units: [days]
    figures: [{value: 90, unit: days, version: first}, {value: 120, unit: days, version: revised}]
  - id: boat-tax
    point: 2
    category: economy
    summary: A levy on boats.
    parties: [ELM, BRK]
    patterns: ["boat tax|boat levy"]
    changes: {revised: removed}
"""

LAKE_ARTICLES = [
    ("Lake talks open with a short season",
     "The first draft would limit fishing on the lake to 90 days a year. Mayor Ada Quill met "
     "Mayor Bram Holt in Elmford on Monday to discuss the text. Holt rejected the boat tax.",
     date(2024, 3, 5), "https://lakenews.example/season"),
    ("Mayors meet over the lake",
     "Ada Quill and Bram Holt met in Elmford on Monday. Quill said Elmford supports the first "
     "draft.", date(2024, 3, 6), "https://valleypost.example/mayors"),
    ("Revised lake draft lengthens the season",
     "The revised draft extends the fishing season to 120 days a year and drops the boat tax. "
     "Holt welcomed the revised draft. Quill rejected the revised draft.",
     date(2024, 4, 3), "https://lakenews.example/revised"),
]


def _record(store: Store, case: Case) -> dict:
    return {"tracker": [h.to_dict() for h in provision_tracker(store, case)],
            "matrix": stance_matrix(store, case).to_dict(),
            "timeline": [e.to_dict() for e in timeline(store, case)],
            "digest": change_digest(store, case, since=date(2025, 11, 1)).to_dict()}


def test_cached_analyses_follow_the_store(tmp_path, example_pairs, store, ukraine):
    """Analyses are cached per store version: a new extraction or a review shows at once."""
    growing = _store(tmp_path / "growing.db", example_pairs[:3])
    early = _record(growing, ukraine)
    assert _record(growing, ukraine) == early
    for doc, ext in example_pairs[3:]:
        growing.ingest(doc, ext)
    assert _record(growing, ukraine) == _record(store, ukraine) != early
    stance = growing.stances(case=ukraine.name, target="plan", limit=1)[0]
    before = stance_matrix(growing, ukraine).to_dict()
    review(growing, ukraine, "stances", stance["id"], "reject", reviewer="tester")
    assert stance_matrix(growing, ukraine).to_dict() != before


def _full_record(store: Store, case: Case) -> dict:
    """The record with past-date variants: everything the dashboard and the API ask for."""
    day = date(2025, 11, 25)
    return _record(store, case) | {
        "tracker_until": [h.to_dict() for h in provision_tracker(store, case, until=day)],
        "army_cap": [h.to_dict() for h in provision_tracker(store, case, provision_id="army-cap")],
        "matrix_as_of": stance_matrix(store, case, as_of=day).to_dict(),
        "timeline_usa": [e.to_dict() for e in timeline(store, case, party="USA")],
        "digest_until": change_digest(store, case, since=date(2025, 11, 1), until=day).to_dict()}


def _rebuilt(url: str, case: Case) -> dict:
    """The record from a new Store object: nothing kept, everything read again."""
    with Store(url) as fresh:
        return _full_record(fresh, case)


def _as_of_agrees(store: Store, case: Case) -> None:
    """Today's tracker and matrix are kept per provision and per cell; a past date is read in
    one ordered pass: a date after every report gives the same."""
    far = date(2100, 1, 1)
    assert [h.to_dict() for h in provision_tracker(store, case, until=far)] == [
        h.to_dict() for h in provision_tracker(store, case)]
    assert stance_matrix(store, case, as_of=far).to_dict() == (
        stance_matrix(store, case).to_dict() | {"as_of": far.isoformat()})


def test_kept_analyses_equal_a_full_rebuild(store_url, example_pairs, ukraine):
    """Analyses keep their rows between versions and re-read only the documents an ingest, a
    re-extraction or a review touched: the result is the one a full rebuild gives."""
    growing = Store(store_url)
    for doc, ext in example_pairs[:-2]:
        growing.ingest(doc, ext)
    first = _full_record(growing, ukraine)
    assert first == _rebuilt(store_url, ukraine)
    for doc, ext in example_pairs[-2:]:
        growing.ingest(doc, ext)
    before = _full_record(growing, ukraine)
    assert before == _rebuilt(store_url, ukraine) != first

    stance = growing.stances(case=ukraine.name, target="plan", limit=1)[0]
    review(growing, ukraine, "stances", stance["id"], "correct", reviewer="t",
           changes={"polarity": "oppose" if stance["polarity"] != "oppose" else "support"})
    event = growing.events(case=ukraine.name, limit=1)[0]
    review(growing, ukraine, "events", event["id"], "correct", reviewer="t",
           changes={"actors": ["USA", "UKR"]})
    mention = next(m for m in growing.provisions(case=ukraine.name, limit=None) if m["figures"])
    review(growing, ukraine, "provisions", mention["id"], "correct", reviewer="t",
           changes={"figures": [{"value": 1_000_000, "status": "proposed", "unit": "troops"}]})
    # The first mention of the first person seen goes: the next one becomes the first.
    person = first_seen(growing, ukraine)[0]
    items = document_items(growing, person.sources[0].document_id, ukraine.name)["actors"]
    review(growing, ukraine, "actors", next(a["id"] for a in items if a["name"] == person.name),
           "reject", reviewer="t")
    review(growing, ukraine, "actors", items[-1]["id"], "correct", reviewer="t",
           changes={"role": "Envoy"})
    review(growing, ukraine, "stances", growing.stances(case=ukraine.name, limit=1)[0]["id"],
           "reject", reviewer="t")
    reviewed = _full_record(growing, ukraine)
    assert reviewed == _rebuilt(store_url, ukraine) != before
    _as_of_agrees(growing, ukraine)

    # Re-extraction replaces a document's rows (on SQLite the newest ids are handed out again).
    doc, ext = example_pairs[-1]
    growing.save_extraction(replace(ext, stances=ext.stances[1:], events=[],
                                    provisions=ext.provisions[:1], actors=ext.actors[::-1]))
    assert _full_record(growing, ukraine) == _rebuilt(store_url, ukraine) != reviewed
    _as_of_agrees(growing, ukraine)
    growing.close()


def test_stale_results_while_one_thread_refreshes(store_url, example_pairs, ukraine):
    """With ``refresh_in_background`` a key computed before a write answers at once with its
    old result while one thread recomputes it; once done, the new result is served."""
    store = Store(store_url)
    refresh_in_background(store)
    doc, ext = example_pairs[0]
    store.ingest(doc, ext)
    gate = threading.Event()
    calls: list[int] = []

    def documents() -> int:
        calls.append(1)
        if len(calls) > 1:  # the refresh waits until the test has seen the stale answer
            assert gate.wait(30)
        return store.stats()["documents"]

    assert cached(store, ukraine, "documents", documents) == 1
    later, ext = example_pairs[1]
    store.ingest(later, ext)
    assert cached(store, ukraine, "documents", documents) == 1 and refreshing(store)
    gate.set()
    deadline = time.monotonic() + 30
    while refreshing(store) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert cached(store, ukraine, "documents", documents) == 2 and len(calls) == 2
    assert not refreshing(store)
    store.close()


def test_a_users_own_case(tmp_path):
    case_file = tmp_path / "lake.yaml"
    case_file.write_text(LAKE_CASE, encoding="utf-8")
    case = load_case(case_file)
    extractor = Extractor(case_file)
    store = Store(f"sqlite:///{tmp_path / 'lake.db'}")
    for i, (title, body, published, url) in enumerate(LAKE_ARTICLES):
        doc = Document(f"{title}\n\n{body}\n", f"lake-{i}.txt", title, published, url=url)
        store.ingest(doc, extractor.extract(doc))

    season, tax = provision_tracker(store, case)
    assert [(f.value, f.version) for f in season.plan_figures] == [(90, "first"), (120, "revised")]
    assert tax.versions == ["first"] and tax.current_status == "dropped"

    (meeting,) = [e for e in timeline(store, case) if e.type == "CONSULT"]
    assert meeting.date == date(2024, 3, 4) and meeting.date_resolved
    assert meeting.location == "Elmford" and len(meeting.sources) == 2  # two reports, one meeting

    matrix = stance_matrix(store, case)
    assert matrix.cells[("ELM", "plan")].polarity == "oppose"
    assert [(m.party, m.before, m.after) for m in matrix.moves] == [("ELM", "support", "oppose")]
    assert stance_matrix(store, case, as_of=date(2024, 3, 31)).cells[("ELM", "plan")].polarity == (
        "support")

    digest = change_digest(store, case, since=date(2024, 4, 1))
    (change,) = digest.figure_changes
    assert (change.old_value, change.new_value) == (90, 120)
    assert "90 days" in digest.to_markdown() and "https://lakenews.example/revised" in (
        digest.to_markdown())
    assert [c.provision for c in digest.provisions_dropped] == ["boat-tax"]
    store.close()


def test_the_same_holds_with_the_real_articles(shared, tmp_path, example_pairs):
    pairs = example_pairs + _extract([shared / "seeds", shared / "eval" / "dev" / "texts"])
    store = _store(tmp_path / "real.db", pairs)
    case = load_case()
    history = _army_cap(store, case)
    assert history.current_figure is not None and history.current_figure.value == 800_000
    assert {f.version for f in history.plan_figures if f.value == 600_000} == {"28pt"}
    digest = change_digest(store, case, since=date(2025, 11, 1))
    assert [(c.old_value, c.new_value) for c in digest.figure_changes
            if c.provision == "army-cap"] == [(600_000, 800_000)]
    assert timeline(store, case) and stance_matrix(store, case).cells
    store.close()
