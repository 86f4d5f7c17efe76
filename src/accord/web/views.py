"""What the pages and the API show: the analysis layer's records, arranged for a page.

The numbers (plan figures per version, stance cells, merged events) come from
``accord.analysis``; this module only adds case metadata and page-specific listings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Any, TypeVar

from accord.analysis import (
    ChangeDigest,
    FigurePoint,
    ProvisionHistory,
    StanceMatrix,
    StatusPoint,
    plan_steps,
    provision_tracker,
    stance_evidence,
    timeline,
    version_names,
)
from accord.analysis.sources import cached
from accord.case import Case, Provision
from accord.store import Store
from accord.store.review import KINDS, Item, decisions, document_items, item_key
from accord.web.charts import provision_chart_svg
from accord.web.highlight import Span, highlight

ALL = 100_000  # "no limit" for listings over one case; the sample store has hundreds of rows
PAGE = 50  # rows per page of a listing, and the API's default limit
SOURCES = 20  # sources listed per merged event on a page (the count says how many in all)
Row = dict[str, Any]
T = TypeVar("T")


def newest_page(rows: Sequence[T], convert: Callable[[T], Row], limit: int = PAGE,
                offset: int = 0) -> Row:
    """One page, newest first, of an oldest-first listing, shaped as the API's lists (plus
    ``total``); only the page's rows are converted, however long the listing."""
    end = max(len(rows) - offset, 0)
    items = [convert(r) for r in reversed(rows[max(end - limit, 0):end])]
    return {"items": items, "limit": limit, "offset": offset, "count": len(items),
            "next_offset": offset + limit if end > limit else None, "total": len(rows)}


def _figure(point: FigurePoint, names: dict[str, str]) -> Row:
    return point.to_dict() | {"version_name": names.get(point.version or "")}


def _unit(history: ProvisionHistory, provision: Provision) -> str | None:
    """The provision's unit: the first one reported, else the case file's."""
    return next((f.unit for f in chain(history.figures, provision.figures) if f.unit), None)


@dataclass(frozen=True)
class _Record:
    """A provision's record built once per store version: the long lists oldest first (a
    request converts one page of each), the rest ready to serve."""

    figures: list[FigurePoint]
    statuses: list[StatusPoint]
    documents: list[Row]
    summary: Row


def provision_view(store: Store, case: Case, provision_id: str, until: date | None = None, *,
                   limit: int = PAGE, offset: int = 0, status_offset: int = 0,
                   document_offset: int = 0) -> Row:
    """One provision's record: the plan's figure per version, the current state, and one page
    (newest first) of each long list: its reports with the version each was attributed to, the
    statuses the coverage gives it, the documents that discuss it. At 100k documents those lists
    run to megabytes, so they are paged alike (``limit`` for all, an offset each)."""
    record = cached(store, case, ("provision-record", provision_id, until),
                    lambda: _provision_record(store, case, provision_id, until))
    names = version_names(case)
    return record.summary | {
        "figures": newest_page(record.figures, lambda f: _figure(f, names), limit, offset),
        "statuses": newest_page(record.statuses, StatusPoint.to_dict, limit, status_offset),
        "documents": newest_page(record.documents, dict, limit, document_offset),
    }


def _provision_record(store: Store, case: Case, provision_id: str,
                      until: date | None) -> _Record:
    provision = case.provision(provision_id)
    (history,) = provision_tracker(store, case, provision_id=provision_id, until=until)
    names = version_names(case)
    dates = {v.id: v.date.isoformat() for v in case.versions}
    steps = {s.version: s for s in plan_steps(history, case)}
    catalogue = {f.version: f for f in provision.figures if f.version}
    unit = _unit(history, provision)
    versions = []
    for v in sorted(case.versions, key=lambda v: v.date):
        step, listed = steps.get(v.id), catalogue.get(v.id)
        versions.append({
            "version": v.id, "name": names[v.id], "date": dates[v.id],
            "in_plan": v.id in history.versions,
            "catalogue": listed.value if listed else None,
            "reported": step.figure.value if step else None,
            "reports": len(step.reports) if step else 0, "unit": unit})
    documents: dict[str, Row] = {}
    for source in history.reports:
        documents.setdefault(source.document_id, {
            "id": source.document_id, "title": source.title, "url": source.url,
            "published": source.published.isoformat() if source.published else None,
            "mentions": 0})["mentions"] += 1
    summary = {
        "id": provision.id, "summary": provision.summary, "category": provision.category,
        "point": provision.point, "parent": provision.parent,
        "parties": list(provision.parties), "notes": provision.notes, "unit": unit,
        "mentions": len(history.reports),
        "first_reported": history.first_reported.isoformat() if history.first_reported else None,
        "last_reported": history.last_reported.isoformat() if history.last_reported else None,
        "current_status": history.current_status,
        "current_figure": _figure(history.current_figure, names)
        if history.current_figure else None,
        "plan": [s.to_dict() | {"name": names[s.version], "date": dates[s.version]}
                 for s in steps.values()],
        "current_state": [_figure(f, names) for f in history.current_state],
        "versions": versions,
    }
    return _Record(history.figures, history.statuses,
                   sorted(documents.values(), key=lambda d: (d["published"] or "", d["id"])),
                   summary)


def provision_chart(store: Store, case: Case, provision_id: str) -> bytes:
    """The provision's chart over its whole history, in its unit only: one axis cannot mix
    troops and days."""
    (history,) = provision_tracker(store, case, provision_id=provision_id)
    unit = _unit(history, case.provision(provision_id))
    names, dates = version_names(case), {v.id: v.date for v in case.versions}

    def points(figures: Iterable[FigurePoint]) -> list[tuple[date, float]]:
        return [(f.date, f.value) for f in figures if f.unit in (unit, None)]

    plan = [(dates[s.version], s.figure.value, names[s.version])
            for s in plan_steps(history, case) if s.figure.unit in (unit, None)]
    return provision_chart_svg(plan, points(history.current_state),
                               points(f for f in history.figures if f.status != "current"), unit)


def figures_table(store: Store, case: Case, as_of: date | None = None) -> list[Row]:
    """Per provision with figures: the plan's figure now (its version), the latest reported
    current state, and the provision's status, in catalogue order."""
    names = version_names(case)
    out = []
    for history in provision_tracker(store, case, until=as_of):
        if history.current_figure is None and not history.current_state:
            continue
        out.append({
            "provision_id": history.id, "summary": history.summary,
            "status": history.current_status,
            "plan": _figure(history.current_figure, names) if history.current_figure else None,
            "current": _figure(history.current_state[-1], names)
            if history.current_state else None})
    return out


def party_stances(store: Store, case: Case, matrix: StanceMatrix, code: str) -> Row:
    """A party's row of the matrix (target by target), its shifts, and every stance report it
    holds, newest first, syndicated copies counted once."""
    row = [{"target": t} | matrix.cells[(code, t)].to_dict()
           for t in matrix.targets if (code, t) in matrix.cells]
    reports = [{"target": e.target, "polarity": e.polarity, "date": e.date.isoformat()}
               | e.source.to_dict() for e in stance_evidence(store, case) if e.party == code]
    return {"row": row, "moves": [m.to_dict() for m in matrix.moves if m.party == code],
            "reports": reports[::-1]}


def target_stances(matrix: StanceMatrix, target: str) -> list[Row]:
    """The matrix's column for one target: each party's latest stance on it."""
    return [{"party": p} | matrix.cells[(p, target)].to_dict()
            for p in matrix.parties if (p, target) in matrix.cells]


def recent_changes(digest: ChangeDigest) -> list[Row]:
    """The digest's changes of every kind in one list, newest first: an analyst scans a window
    by date, not by kind of change."""
    rows = [{"kind": "figure", "date": c.new_date} | c.to_dict() for c in digest.figure_changes]
    rows += [{"kind": "stance"} | c.to_dict() for c in digest.stance_shifts]
    rows += [{"kind": "dropped"} | c.to_dict() for c in digest.provisions_dropped]
    rows += [{"kind": "appeared"} | c.to_dict() for c in digest.provisions_appeared]
    for row in rows:
        row["date"] = str(row["date"])
    order = {"figure": 0, "dropped": 1, "stance": 2, "appeared": 3}
    rows.sort(key=lambda r: order[r["kind"]])
    rows.sort(key=lambda r: r["date"], reverse=True)
    return rows


def events_view(store: Store, case: Case, *, limit: int = PAGE, offset: int = 0,
                **filters: Any) -> Row:
    """One page of the timeline (one entry per interaction), newest first as the other
    listings are, each entry with its first few sources and the count of all."""
    return newest_page(timeline(store, case, **filters), lambda e: e.to_dict(SOURCES), limit,
                       offset)


def _label(kind: str, item: Item) -> str:
    if kind == "quotes":
        return f"quote ({item['kind']}) by {item['speaker'] or 'unknown'} {item['party'] or ''}"
    if kind == "actors":
        return f"actor {item['name']} {item['role'] or ''} {item['party'] or ''}"
    if kind == "stances":
        return f"stance {item['holder']} {item['polarity']} {item['target']}"
    if kind == "events":
        return f"event {item['type']} {' '.join(item['actors'])}"
    return f"provision {item['provision_id']}"


def document_view(store: Store, case: Case, document_id: str) -> Row | None:
    """A document with its items, their review status, the highlighted text and the audit."""
    doc = store.document(document_id)
    if doc is None:
        return None
    items = document_items(store, document_id, case.name)
    decided = {(d["kind"], d["item_key"]): d for d in decisions(store, document_id, case.name)}
    spans: list[Span] = []
    for kind in KINDS:
        for item in items[kind]:
            anchor = f"{kind}-{item['id']}"
            decision = decided.pop((kind, item_key(kind, item)), None)
            item["review"] = decision["action"] if decision else None
            spans.append(Span(item["start"], item["end"], kind, _label(kind, item), anchor))
            if kind == "actors":
                spans.extend(Span(s, e, kind, _label(kind, item), anchor)
                             for s, e in item["mentions"])
    rejected = [d for d in decided.values() if d["action"] == "reject"]
    return {"document": doc, "items": items, "rejected": rejected,
            "html": highlight(doc["text"], spans)}
