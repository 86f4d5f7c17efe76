"""Web surfaces end to end: a real SQLite store from examples/ plus a hostile article, served
through FastAPI's TestClient (the API, the pages, review with its token, gold export)."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from accord.analysis.sources import cached, one_version, refreshing
from accord.case import load_case
from accord.evaluate import score_document
from accord.models import Document, Extraction, Figure, ProvisionMention
from accord.store import Store
from accord.store.review import _file_names, export_gold, review
from accord.web import create_app
from accord.web.app import SECURITY_HEADERS, _loopback

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "s3cret-token"
HOSTILE_TITLE = "Talks <script>alert('title')</script> end <b>early</b>"
# My own sample: markup and script in the title, in a quote and in a name-like position.
HOSTILE_TEXT = (
    "Kyiv talks end early\n\n"
    "\"We will never accept a cap <script>alert('quote')</script> on our army,\" Volodymyr "
    "Zelensky said on Monday, rejecting the 600,000 ceiling in the US plan.\n\n"
    "Kremlin spokesman Dmitry Peskov said Russia <img src=x onerror=alert('img')> would study "
    "the proposals before any meeting in Geneva."
)


def hostile_document() -> Document:
    return Document(text=HOSTILE_TEXT, source="hostile/hostile-article.txt", title=HOSTILE_TITLE,
                    published=date(2025, 12, 2), site="hostile.example", format="text")


def build_store(path: Path) -> str:
    """examples/ and the hostile article, extracted with the real pipeline, in a SQLite file."""
    from accord.ingest import iter_sources, read_source
    from accord.pipeline import Extractor

    url = f"sqlite:///{path}"
    extractor = Extractor()
    with Store(url) as store:
        for source in iter_sources([ROOT / "examples"]):
            for document in read_source(source):
                store.ingest(document, extractor.extract(document))
        hostile = hostile_document()
        store.ingest(hostile, extractor.extract(hostile))
    return url


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_store(tmp_path_factory.mktemp("web") / "web.db")


@pytest.fixture(scope="module")
def client(db_url: str) -> Iterator[TestClient]:
    app = create_app(db_url, token=TOKEN)
    with TestClient(app) as c:
        yield c
    app.state.store.close()


@pytest.fixture(scope="module")
def hostile_id() -> str:
    return hostile_document().id


AUTH = {"Authorization": f"Bearer {TOKEN}"}


# -- API: lists, filters, pages ---------------------------------------------------------------

@pytest.mark.parametrize("endpoint", ["documents", "quotes", "actors", "provisions", "stances",
                                      "events"])
def test_lists_page_with_limit_and_offset(client: TestClient, endpoint: str) -> None:
    first = client.get(f"/api/v1/{endpoint}", params={"limit": 2}).json()
    assert (first["limit"], first["offset"], first["count"], first["next_offset"]) == (2, 0, 2, 2)
    second = client.get(f"/api/v1/{endpoint}", params={"limit": 2, "offset": 2}).json()
    assert second["offset"] == 2 and second["items"] and second["items"] != first["items"]
    last = client.get(f"/api/v1/{endpoint}", params={"limit": 200, "offset": 0}).json()
    assert last["next_offset"] is None


# Pages and API reads that show cached analyses (several of them on some).
ANALYSIS_READS = ["/", "/provisions/army-cap", "/parties/UKR", "/events",
                  "/api/v1/provisions/army-cap", "/api/v1/stances/matrix",
                  "/api/v1/changes?since=2025-11-01"]


def test_a_request_reads_the_store_version_once(store_url: str) -> None:
    """A page showing several analyses asked the store's version once per analysis, and `/`
    read the newest documents twice: a warm request now sends no query twice."""
    _cap_reports(store_url, 3)
    app = create_app(store_url)
    sent: list[str] = []
    event.listen(app.state.store._engine, "before_cursor_execute",
                 lambda _conn, _cursor, statement, *_: sent.append(statement))
    with TestClient(app) as client:
        for path in ANALYSIS_READS:
            assert client.get(path).status_code == 200  # builds what the page shows
            sent.clear()
            assert client.get(path).status_code == 200
            assert sum("record_version" in s for s in sent) == 1, path
            twice = [s for s, n in Counter(sent).items() if n > 1 and s.lstrip().startswith("SELECT")]
            assert twice == [], path
    app.state.store.close()


def test_a_request_keeps_its_version_until_the_store_moves_on(store_url: str) -> None:
    """Within one request (``one_version``) analyses keep the version first read, even after a
    write; but once another request has cached results for a newer version, the older request
    reads the version again instead of setting the cache back and dropping those results."""
    case = load_case()
    _cap_reports(store_url, 2)
    made: Counter[str] = Counter()

    def compute(key: str) -> Callable[[], str]:
        def run() -> str:
            made[key] += 1
            return key
        return run

    with Store(store_url) as store, one_version():
        cached(store, case, "a", compute("a"))
        _cap_reports(store_url, 3)  # another writer: the store's version moves on
        cached(store, case, "a", compute("a"))
        assert made == {"a": 1}  # still the request's version
        other = threading.Thread(target=cached, args=(store, case, "b", compute("b")))
        other.start()  # another request, at the new version
        other.join()
        cached(store, case, "a", compute("a"))
        cached(store, case, "b", compute("b"))
        assert made == {"a": 2, "b": 1}


def test_date_filters_bound_publication(client: TestClient) -> None:
    for endpoint in ("documents", "quotes", "stances", "events"):
        body = client.get(f"/api/v1/{endpoint}", params={
            "since": "2025-11-24", "until": "2025-12-16", "limit": 200}).json()
        assert body["items"], endpoint
        assert all("2025-11-24" <= i["published"] <= "2025-12-16" for i in body["items"])


def test_party_and_provision_filters(client: TestClient) -> None:
    quotes = client.get("/api/v1/quotes", params={"party": "RUS", "limit": 200}).json()["items"]
    assert quotes and {q["party"] for q in quotes} == {"RUS"}
    events = client.get("/api/v1/events", params={"party": "RUS", "limit": 200}).json()["items"]
    assert events and all("RUS" in e["actors"] for e in events)
    stances = client.get("/api/v1/stances", params={"party": "RUS", "provision": "plan"}).json()
    assert stances["items"] and all(s["holder"] == "RUS" and s["target"] == "plan"
                                    for s in stances["items"])
    provisions = client.get("/api/v1/provisions", params={"provision": "army-cap"}).json()
    assert [p["provision_id"] for p in provisions["items"]] == ["army-cap"]
    actors = client.get("/api/v1/actors", params={"party": "USA", "limit": 200}).json()["items"]
    assert "Marco Rubio" in {a["name"] for a in actors} and {a["party"] for a in actors} == {"USA"}
    search = client.get("/api/v1/quotes", params={"q": "guarantees"}).json()["items"]
    assert search and all("guarantee" in (q["text"] + (q["speaker"] or "")).lower()
                          for q in search)


def test_provision_tracker_has_the_army_cap_history(client: TestClient) -> None:
    body = client.get("/api/v1/provisions/army-cap", params={"limit": 200}).json()
    figures = body["figures"]["items"]
    proposed = {f["value"] for f in figures if f["status"] == "proposed"}
    assert {600000.0, 800000.0} <= proposed
    assert all(f["document_id"] and f["evidence"] for f in figures)
    assert {v["version"] for v in body["versions"] if v["catalogue"]} == {"28pt", "e3", "20pt"}
    early = client.get("/api/v1/provisions/army-cap",
                       params={"until": "2025-11-21", "limit": 200}).json()
    assert {f["value"] for f in early["figures"]["items"] if f["status"] == "proposed"} == {
        600000.0}


def test_provision_reports_come_a_page_at_a_time(client: TestClient) -> None:
    url = "/api/v1/provisions/army-cap"
    whole = client.get(url, params={"limit": 200}).json()["figures"]
    total = whole["total"]
    assert total > 3 and whole["count"] == total and whole["next_offset"] is None
    dates = [f["date"] for f in whole["items"]]
    assert dates == sorted(dates, reverse=True)  # newest first
    first = client.get(url, params={"limit": 2}).json()
    assert first["plan"] and first["versions"] and first["current_figure"]
    page = first["figures"]
    assert (page["limit"], page["offset"], page["count"], page["next_offset"]) == (2, 0, 2, 2)
    assert page["items"] == whole["items"][:2] and page["total"] == total
    rest = client.get(url, params={"limit": 2, "offset": total - 1}).json()["figures"]
    assert rest["items"] == whole["items"][-1:] and rest["next_offset"] is None
    assert client.get(url, params={"limit": 201}).status_code == 422
    html = client.get("/provisions/army-cap", params={"offset": 2}).text
    shown = re.search(r'<table class="figures">.*?</table>', html, re.S)
    assert shown and shown.group().count('<td class="date">') == min(total - 2, 50)
    assert f"3–{min(total, 52)} of {total}" in html and "/provisions/army-cap?offset=0" in html


def _cap_reports(url: str, count: int) -> None:
    """``count`` one-line articles a day apart, each giving the army cap a status ("agreed" or
    "rejected") and a figure: my own sentences, with no NLP needed to store their items."""
    with Store(url) as store:
        for i in range(count):
            verb = "agreed" if i % 2 else "rejected"  # "rejected": disputed
            text = f"On day {i} of round {i * 7919 % 104729} the delegates {verb} the cap of " \
                   f"{600 + i},000 troops on the army of Ukraine."
            d = Document(text=text, source=f"cap-{i}.txt", title=f"Cap report {i}",
                         published=date(2025, 11, 1) + timedelta(days=i))
            at = text.index(f"{600 + i},000")
            figure = Figure(float((600 + i) * 1000), "proposed", at, at + 7, unit="troops")
            store.ingest(d, Extraction(d, load_case().name, provisions=[
                ProvisionMention("army-cap", 0, len(text), figures=[figure])]))


def test_provision_statuses_and_documents_come_a_page_at_a_time(store_url: str) -> None:
    _cap_reports(store_url, 7)
    app = create_app(store_url)
    url = "/api/v1/provisions/army-cap"
    with TestClient(app) as client:
        whole = client.get(url, params={"limit": 200}).json()
        statuses, documents = whole["statuses"], whole["documents"]
        assert (statuses["total"], statuses["count"], statuses["next_offset"]) == (7, 7, None)
        assert [s["date"] for s in statuses["items"]] == [
            (date(2025, 11, 7) - timedelta(days=i)).isoformat() for i in range(7)]  # newest first
        assert [s["status"] for s in statuses["items"][:2]] == ["disputed", "agreed"]
        assert [d["title"] for d in documents["items"]] == [f"Cap report {i}" for i in range(6, -1, -1)]
        assert documents["total"] == 7 and all(d["mentions"] == 1 for d in documents["items"])

        first = client.get(url, params={"limit": 3, "status_offset": 3, "document_offset": 6}).json()
        assert first["figures"]["items"] == whole["figures"]["items"][:3]  # its own offset
        assert first["statuses"]["items"] == statuses["items"][3:6]
        assert (first["statuses"]["offset"], first["statuses"]["next_offset"]) == (3, 6)
        assert first["documents"]["items"] == documents["items"][6:]
        assert (first["documents"]["count"], first["documents"]["next_offset"]) == (1, None)
        assert client.get(url, params={"status_offset": -1}).status_code == 422

        html = client.get("/provisions/army-cap", params={"status_offset": 5}).text
        shown = re.search(r'<table class="statuses">.*?</table>', html, re.S)
        assert shown and shown.group().count('<td class="date">') == 2
        assert "6–7 of 7" in html and "/provisions/army-cap?status_offset=0#statuses" in html
        listed = re.search(r'<ul class="documents">.*?</ul>', html, re.S)
        assert listed and listed.group().count("<li>") == 7
    app.state.store.close()


def test_army_cap_plan_steps_per_version_not_per_report(client: TestClient) -> None:
    # Later articles recall the 28-point draft's 600,000; that is a report, not a plan change.
    body = client.get("/api/v1/provisions/army-cap", params={"limit": 200}).json()
    assert [(s["version"], s["value"]) for s in body["plan"]] == [
        ("28pt", 600000.0), ("e3", 800000.0), ("20pt", 800000.0)]
    assert [s["date"] for s in body["plan"]] == ["2025-11-20", "2025-11-23", "2025-12-23"]
    assert all(s["source"]["evidence"] and s["reports"] >= 1 for s in body["plan"])
    assert (body["current_figure"]["value"], body["current_figure"]["version"]) == (
        800000.0, "20pt")
    recalled = [f for f in body["figures"]["items"] if f["value"] == 600000.0 and f["date"] > "2025-12-01"]
    assert recalled and {f["version"] for f in recalled} == {"28pt"}
    assert 880000.0 in {f["value"] for f in body["current_state"]}
    assert 880000.0 not in {s["value"] for s in body["plan"]}
    page = client.get("/provisions/army-cap").text
    assert page.index("28-point plan") < page.index("European counter-proposal")
    chart = client.get("/charts/provisions/army-cap.svg").text
    assert all(f'id="{series}"' in chart for series in ("plan", "current-state", "reports"))


def test_matrix_and_changes(client: TestClient) -> None:
    matrix = client.get("/api/v1/stances/matrix").json()
    assert "plan" in matrix["targets"] and {"RUS", "UKR", "USA"} <= set(matrix["parties"])
    assert all(c["polarity"] in ("support", "oppose", "mixed") for c in matrix["cells"])
    early = client.get("/api/v1/stances/matrix", params={"as_of": "2025-11-21"}).json()
    assert len(early["cells"]) < len(matrix["cells"])
    changes = client.get("/api/v1/changes", params={"since": "2025-11-01"}).json()
    army = [c for c in changes["figure_changes"] if c["provision"] == "army-cap"]
    assert [(c["old_value"], c["new_value"]) for c in army] == [(600000.0, 800000.0)]
    assert army[0]["sources"] and army[0]["sources"][0]["evidence"]
    later = client.get("/api/v1/changes", params={"since": "2026-01-01"}).json()
    assert all(c["date"] >= "2026-01-01" for c in later["stance_shifts"])


def test_timeline_merges_reports_of_one_interaction(client: TestClient) -> None:
    entries = client.get("/api/v1/timeline", params={"limit": 200}).json()["items"]
    raw = client.get("/api/v1/events", params={"limit": 200}).json()["items"]
    assert entries and len(entries) < len(raw)
    assert any(len(e["sources"]) > 1 for e in entries)
    assert [e["date"] for e in entries] == sorted(e["date"] for e in entries)
    usa = client.get("/api/v1/timeline", params={"party": "usa", "limit": 200}).json()["items"]
    assert usa and all("USA" in e["actors"] for e in usa)
    assert "first report" in client.get("/events").text


def test_document_detail_and_unknown_ids(client: TestClient, hostile_id: str) -> None:
    body = client.get(f"/api/v1/documents/{hostile_id}").json()
    assert body["text"] == HOSTILE_TEXT and body["sources"] == ["hostile/hostile-article.txt"]
    assert client.get("/api/v1/documents/0123456789abcdef").status_code == 404
    assert client.get("/api/v1/provisions/no-such-point").status_code == 404
    assert client.get("/api/v1/review/quotes/999999").status_code == 404
    assert client.get("/documents/0123456789abcdef").status_code == 404


@pytest.mark.parametrize("url", [
    "/api/v1/documents/..%2F..%2Fetc%2Fpasswd", "/api/v1/documents/ZZZZ",
    "/api/v1/quotes?limit=1000", "/api/v1/quotes?limit=0", "/api/v1/quotes?offset=-1",
    "/api/v1/documents?since=yesterday", "/api/v1/events?until=2025-13-45",
    "/api/v1/changes", "/api/v1/changes?since=2025-12-01&until=2025-11-01",
    "/api/v1/quotes?party=%3Cscript%3E", "/api/v1/review/things/1", "/api/v1/review/quotes/x",
    "/?as_of=not-a-date", "/events?since=2025-99-99",
])
def test_bad_parameters_are_422_or_404_never_500(client: TestClient, url: str) -> None:
    assert client.get(url).status_code in (404, 422)


def test_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/v1/documents", "/api/v1/documents/{document_id}", "/api/v1/quotes",
                 "/api/v1/actors", "/api/v1/provisions", "/api/v1/provisions/{provision_id}",
                 "/api/v1/stances", "/api/v1/stances/matrix", "/api/v1/events",
                 "/api/v1/timeline", "/api/v1/changes", "/api/v1/review/{kind}/{item_id}",
                 "/api/v1/review/audit"):
        assert path in paths, path
    ok = paths["/api/v1/quotes"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"]["$ref"].endswith("Page_QuoteOut_")
    assert "patch" in paths["/api/v1/review/{kind}/{item_id}"]
    assert not any(p.startswith("/documents") for p in paths)  # pages stay out of the API


# -- review: token, audit, export ---------------------------------------------------------------

def _quote(client: TestClient, document_id: str) -> dict:
    return client.get("/api/v1/quotes", params={"document_id": document_id}).json()["items"][0]


def test_writes_are_refused_without_a_configured_token(db_url: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCORD_TOKEN", raising=False)
    app = create_app(db_url)
    with TestClient(app) as anonymous:
        quote = anonymous.get("/api/v1/quotes", params={"limit": 1}).json()["items"][0]
        response = anonymous.post(f"/api/v1/review/quotes/{quote['id']}",
                                  json={"action": "confirm", "reviewer": "x"}, headers=AUTH)
        assert response.status_code == 403 and "ACCORD_TOKEN" in response.json()["detail"]
        page = anonymous.get(f"/documents/{quote['document_id']}").text
        assert "ACCORD_TOKEN" in page
    app.state.store.close()


def test_writes_need_the_right_token(client: TestClient) -> None:
    quote = client.get("/api/v1/quotes", params={"limit": 1}).json()["items"][0]
    url = f"/api/v1/review/quotes/{quote['id']}"
    body = {"action": "correct", "reviewer": "eve", "changes": {"speaker": "Nobody"}}
    assert client.post(url, json=body).status_code == 401
    assert client.post(url, json=body,
                       headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.patch(url, json={"reviewer": "eve", "changes": {"speaker": "Nobody"}},
                        headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.post(url, json={"junk": 1}).status_code == 401  # token checked before body
    assert client.get(url).json()["speaker"] == quote["speaker"]


def test_review_changes_the_item_and_logs_it(client: TestClient, hostile_id: str) -> None:
    stance = client.get("/api/v1/stances", params={"limit": 1}).json()["items"][0]
    url = f"/api/v1/review/stances/{stance['id']}"
    flipped = "support" if stance["polarity"] != "support" else "oppose"
    bad = client.patch(url, json={"reviewer": "ann", "changes": {"polarity": "maybe"}},
                       headers=AUTH)
    assert bad.status_code == 422 and "polarity" in bad.json()["detail"]
    assert client.patch(url, json={"reviewer": "ann", "changes": {"colour": "red"}},
                        headers=AUTH).status_code == 422
    entry = client.patch(url, json={"reviewer": "ann", "changes": {"polarity": flipped},
                                    "note": "misread the negation"}, headers=AUTH).json()
    assert entry["before"]["polarity"] == stance["polarity"]
    assert entry["after"]["polarity"] == flipped and entry["reviewer"] == "ann"
    assert client.get(url).json()["polarity"] == flipped
    log = client.get("/api/v1/review/audit",
                     params={"document_id": stance["document_id"]}).json()["items"]
    assert log[0]["id"] == entry["id"] and log[0]["note"] == "misread the negation"
    page = client.get(f"/documents/{stance['document_id']}").text
    assert "misread the negation" in page and "ann" in page

    event = client.get("/api/v1/events", params={"limit": 1}).json()["items"][0]
    rejected = client.post(f"/api/v1/review/events/{event['id']}",
                           json={"action": "reject", "reviewer": "bob"}, headers=AUTH).json()
    assert rejected["after"] is None
    assert client.get(f"/api/v1/review/events/{event['id']}").status_code == 404
    assert client.post(f"/api/v1/review/events/{event['id']}",
                       json={"action": "confirm", "reviewer": "bob"},
                       headers=AUTH).status_code == 404


def test_provision_and_event_corrections(client: TestClient) -> None:
    mention = client.get("/api/v1/review/provisions/1").json()
    entry = client.patch(f"/api/v1/review/provisions/{mention['id']}", headers=AUTH, json={
        "reviewer": "cy", "changes": {"provision_id": "army-cap",
                                      "figures": [{"value": 700000, "status": "proposed",
                                                   "unit": "personnel"}]}}).json()
    assert entry["after"]["provision_id"] == "army-cap"
    assert [f["value"] for f in entry["after"]["figures"]] == [700000.0]
    event = client.get("/api/v1/events", params={"limit": 1}).json()["items"][0]
    fixed = client.patch(f"/api/v1/review/events/{event['id']}", headers=AUTH, json={
        "reviewer": "cy", "changes": {"type": "CONSULT", "actors": ["usa", "UKR"],
                                      "location": "Geneva"}}).json()
    assert fixed["after"]["actors"] == ["UKR", "USA"] and fixed["after"]["type"] == "CONSULT"
    usa = client.get("/api/v1/events", params={"party": "USA", "limit": 200}).json()["items"]
    assert event["id"] in {e["id"] for e in usa}  # event_parties follow the correction


def test_review_form_needs_its_token_field(client: TestClient, hostile_id: str) -> None:
    quote = _quote(client, hostile_id)
    form = {"action": "correct", "reviewer": "dora", "speaker": "Dmitry Peskov", "party": "RUS",
            "kind": quote["kind"], "text": quote["text"]}
    assert client.post(f"/review/quotes/{quote['id']}", data=form,
                       follow_redirects=False).status_code == 401
    done = client.post(f"/review/quotes/{quote['id']}", data=form | {"token": TOKEN},
                       follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"].startswith(f"/documents/{hostile_id}?reviewed=")
    after = client.get(f"/api/v1/review/quotes/{quote['id']}").json()
    assert (after["speaker"], after["party"]) == ("Dmitry Peskov", "RUS")
    page = client.get(f"/documents/{hostile_id}").text
    assert "dora" in page and "correcte" in page


def test_export_gold_round_trip(client: TestClient, db_url: str, tmp_path: Path) -> None:
    document_id = "b67619096e001a8f"  # the wire copy of the 28-point draft, in examples/
    store, case = client.app.state.store, load_case()
    written = export_gold(store, case.name, tmp_path / "all", reviewed_only=False)
    prediction = json.loads(next(p for p in written if p.stem == "wire-28-point-draft")
                            .read_text())
    quote = _quote(client, document_id)
    response = client.patch(f"/api/v1/review/quotes/{quote['id']}", headers=AUTH,
                            json={"reviewer": "gold", "changes": {"speaker": "Sergei Lavrov"}})
    assert response.status_code == 200
    files = export_gold(store, case.name, tmp_path / "gold")
    gold_file = tmp_path / "gold" / "wire-28-point-draft.json"
    assert gold_file in files
    assert all(json.loads(f.read_text())["document"]["id"] in _reviewed(db_url) for f in files)
    gold = json.loads(gold_file.read_text())
    assert gold["format"] == "accord-gold/1"
    assert gold["document"]["file"] == "wire-28-point-draft.html"
    corrected = [q for q in gold["quotes"] if q["start"] == quote["start"]]
    assert [q["speaker"] for q in corrected] == ["Sergei Lavrov"]

    score = score_document(gold, prediction, case.parents())
    assert score.counts["quotes.detection"].f1 == 1.0  # same quotes, one speaker differs
    attribution = score.accuracies["quotes.attribution"]
    assert attribution.total == len(gold["quotes"])
    assert attribution.correct == attribution.total - 1
    assert score_document(gold, gold, case.parents()).accuracies["quotes.attribution"].value == 1.0
    assert (ROOT / "examples" / "html" / gold["document"]["file"]).is_file()  # eval finds it


def _reviewed(db_url: str) -> set[str]:
    con = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    try:
        return {r[0] for r in con.execute("SELECT DISTINCT document_id FROM review_decisions")}
    finally:
        con.close()


@pytest.mark.parametrize(("source", "expected"), [
    ("examples/html/wire.html", ("wire.html", "wire")),
    ("examples/feeds/atom.xml#2", ("atom.xml", "atom-2")),
    ("../../etc/passwd", ("passwd", "passwd")),
    ("https://site.example/a/..", ("0123456789abcdef", "0123456789abcdef")),
    ("dir/<script>.html", ("0123456789abcdef", "0123456789abcdef")),
])
def test_export_names_never_leave_the_directory(source: str, expected: tuple[str, str]) -> None:
    assert _file_names(source, "0123456789abcdef") == expected


# -- security -----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", "/api/v1/quotes", "/static/style.css", "/nope",
                                 "/api/v1/documents/0123456789abcdef", "/openapi.json",
                                 "/charts/provisions/army-cap.svg"])
def test_security_headers_on_every_response(client: TestClient, url: str) -> None:
    response = client.get(url)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_article_content_is_escaped_everywhere(client: TestClient, hostile_id: str) -> None:
    pages = [f"/documents/{hostile_id}", "/documents", "/quotes?q=accept",
             "/quotes?q=%3Cscript%3E", "/people/Volodymyr%20Zelensky"]
    for url in pages:
        html = client.get(url).text
        assert "<script" not in html.lower(), url
        assert "<img src=x" not in html, url
    page = client.get(f"/documents/{hostile_id}").text
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(&#39;quote&#39;)&lt;/script&gt;" in page
    text = re.sub(r'</?mark[^>]*>|<span id="[^"]*"></span>', "", page)  # highlights cut it
    assert "&lt;img src=x onerror=alert(&#39;img&#39;)&gt;" in text
    assert '<mark class="hl-quotes' in page


def test_pages_render(client: TestClient) -> None:
    for url in ("/", "/?as_of=2025-11-25", "/provisions", "/provisions/army-cap", "/parties",
                "/parties/RUS", "/people", "/people/Marco%20Rubio", "/quotes", "/events",
                "/events?since=2025-12-01&party=USA&type=CONSULT", "/documents",
                "/documents?q=Geneva"):
        assert client.get(url).status_code == 200, url
    provision = client.get("/provisions/army-cap").text
    assert "600,000" in provision and "800,000" in provision
    chart = client.get("/charts/provisions/army-cap.svg")
    assert chart.headers["content-type"] == "image/svg+xml" and b"<svg" in chart.content
    assert client.get("/people/Nobody%20Atall").status_code == 404
    assert client.get("/parties/ZZZ").status_code == 404


def test_loopback_detection() -> None:
    assert _loopback("127.0.0.1") and _loopback("::1") and _loopback("localhost")
    assert not _loopback("0.0.0.0") and not _loopback("192.168.1.5")


def test_review_of_an_id_beyond_any_integer_column_is_refused(client, db_url: str) -> None:
    from accord.store.review import UnknownItem, get_item

    assert client.get(f"/api/v1/review/quotes/{2**63}").status_code == 422
    with Store(db_url) as store, pytest.raises(UnknownItem):
        get_item(store, "quotes", 2**63)


def test_a_background_app_answers_while_it_refreshes(db_url: str, tmp_path: Path) -> None:
    """A server (``background=True``) answers from the previous analyses after a write while
    one thread refreshes them, and says so: a notice on pages, a header on API responses."""
    copy = tmp_path / "copy.db"
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as source, sqlite3.connect(copy) as to:
        source.backup(to)
    url = f"sqlite:///{copy}"
    app = create_app(url, background=True)
    store, case = app.state.store, app.state.case
    gate = threading.Event()
    calls: list[int] = []

    def count() -> int:  # the refresh of this key waits at the gate
        calls.append(1)
        if len(calls) > 1:
            assert gate.wait(30)
        return len(calls)

    with TestClient(app) as client, Store(url) as writer:
        before = client.get("/api/v1/stances/matrix").json()
        assert cached(store, case, "gate", count) == 1
        stance = writer.stances(case=case.name, limit=1)[0]
        review(writer, case, "stances", stance["id"], "reject", reviewer="tester")
        assert cached(store, case, "gate", count) == 1  # the old answer, while it refreshes
        stale = client.get("/api/v1/stances/matrix")
        assert stale.json() == before and stale.headers["X-Accord-Updating"] == "1"
        assert "Updating:" in client.get("/").text
        gate.set()
        deadline = time.monotonic() + 60
        while refreshing(store) and time.monotonic() < deadline:
            time.sleep(0.05)
        fresh = client.get("/api/v1/stances/matrix")
        assert fresh.json() != before and "X-Accord-Updating" not in fresh.headers
        assert "Updating:" not in client.get("/").text
        assert cached(store, case, "gate", count) == 2
    store.close()
