"""What the pages and the API show, assembled from store queries (one place for both)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from accord.case import Case
from accord.store import Store
from accord.store.review import KINDS, Item, decisions, document_items, item_key
from accord.web.highlight import Span, highlight

ALL = 100_000  # "no limit" for aggregations over one case; the sample store has hundreds of rows
Row = dict[str, Any]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def provision_history(store: Store, case: Case, provision_id: str,
                      until: date | None = None) -> Row:
    """Every figure given for a provision, oldest first, with the sentence and document that
    gave it; the plan versions whose text carries it; the documents that discuss it."""
    provision = case.provision(provision_id)
    mentions = store.provisions(provision_id=provision_id, case=case.name, until=until, limit=ALL)
    figures = [
        {"date": m["published"], "value": f["value"], "unit": f["unit"], "status": f["status"],
         "document_id": m["document_id"], "title": m["document_title"], "url": m["url"],
         "evidence": m["evidence"]}
        for m in mentions for f in m["figures"]
    ]
    figures.sort(key=lambda f: (f["date"] is None, f["date"] or "", f["value"]))
    dates = {v.id: v for v in case.versions}
    versions = [{"version": f.version, "date": dates[f.version].date.isoformat()
                 if f.version in dates else None,
                 "name": dates[f.version].summary if f.version in dates else f.version,
                 "value": f.value, "unit": f.unit} for f in provision.figures]
    documents: dict[str, Row] = {}
    for m in mentions:
        documents.setdefault(m["document_id"], {
            "id": m["document_id"], "title": m["document_title"], "published": m["published"],
            "url": m["url"], "mentions": 0})["mentions"] += 1
    return {"id": provision.id, "summary": provision.summary, "category": provision.category,
            "point": provision.point, "parent": provision.parent, "parties": list(provision.parties),
            "notes": provision.notes, "figures": figures, "versions": versions,
            "documents": list(documents.values())}


def stance_matrix(store: Store, case: Case, as_of: date | None = None) -> Row:
    """Parties x targets (the plan, then provisions in case order): the latest polarity of
    each pair as of a date, with counts and the sentence that set it."""
    rows = store.stances(case=case.name, until=as_of, limit=ALL)  # newest first
    cells: dict[tuple[str, str], Row] = {}
    for row in rows:
        cell = cells.setdefault((row["holder"], row["target"]), {
            "polarity": row["polarity"], "counts": Counter(),
            "latest": {k: row[k] for k in ("published", "evidence", "document_id",
                                           "document_title", "url")}})
        cell["counts"][row["polarity"]] += 1
    order = {code: n for n, code in enumerate(case.parties)}
    parties = sorted({h for h, _ in cells}, key=lambda p: (order.get(p, len(order)), p))
    places = {p.id: n for n, p in enumerate(case.provisions)}
    targets = sorted({t for _, t in cells}, key=lambda t: (t != "plan", places.get(t, 0), t))
    return {"as_of": as_of.isoformat() if as_of else None, "parties": parties,
            "targets": targets,
            "cells": [{"party": p, "target": t, "polarity": c["polarity"],
                       "counts": dict(c["counts"]), "latest": c["latest"]}
                      for (p, t), c in sorted(cells.items())]}


def latest_figures(store: Store, case: Case, as_of: date | None = None) -> list[Row]:
    """Per provision with figures, the newest dated figure of each status."""
    out = []
    for summary in store.provision_summary(case=case.name, until=as_of, limit=ALL):
        if not summary["figures"]:
            continue
        history = provision_history(store, case, summary["provision_id"], as_of)
        newest: dict[str, Row] = {}
        for fig in history["figures"]:
            if fig["date"]:
                newest[fig["status"]] = fig
        if newest:
            out.append({"provision_id": summary["provision_id"], "summary": history["summary"],
                        "latest": newest})
    places = {p.id: n for n, p in enumerate(case.provisions)}
    return sorted(out, key=lambda r: places.get(r["provision_id"], 0))


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
