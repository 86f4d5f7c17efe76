"""Read-only queries the analysis layer needs beyond the Store's listing methods."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from sqlalchemy import Connection, case as when, func, select

from accord.store.queries import Row, _plain
from accord.store.schema import actors, documents
from accord.store.store import Store

_CONTEXT = 400  # characters either side of a name: enough to hold its sentence


def story_ids(store: Store) -> dict[str, int]:
    """Document id -> story id, two narrow columns (no text): syndicated copies count once."""
    return store._read(_story_ids)


def _story_ids(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(documents.c.id, documents.c.story_id))
    return {doc_id: story for doc_id, story in rows}


def first_seen_actors(store: Store, *, case: str, until: date | None = None) -> list[Row]:
    """Each person's first dated report: name, role and party (the commonest given), the date,
    the article and the sentence of the first mention. ``Store.actors`` aggregates away dates."""
    return store._read(_first_seen, case=case, until=until)


def _first_seen(conn: Connection, *, case: str, until: date | None) -> list[Row]:
    window_start = when((actors.c.start > _CONTEXT, actors.c.start - _CONTEXT), else_=0)
    stmt = (select(actors.c.name, actors.c.role, actors.c.party, actors.c.document_id,
                   actors.c.start, actors.c.end, window_start.label("window_start"),
                   func.substr(documents.c.text, window_start + 1, 2 * _CONTEXT).label("context"),
                   documents.c.published, documents.c.title.label("document_title"),
                   documents.c.url)
            .join(documents, documents.c.id == actors.c.document_id)
            .where(actors.c.case == case, documents.c.published.is_not(None))
            .order_by(documents.c.published, actors.c.document_id, actors.c.start))
    if until is not None:
        stmt = stmt.where(documents.c.published <= until)
    first: dict[str, Row] = {}
    roles: dict[str, Counter[str]] = defaultdict(Counter)
    parties: dict[str, Counter[str]] = defaultdict(Counter)
    for row in conn.execute(stmt):
        r: dict[str, Any] = {k: _plain(v) for k, v in row._mapping.items()}
        if r["role"]:
            roles[r["name"]][r["role"]] += 1
        if r["party"]:
            parties[r["name"]][r["party"]] += 1
        if r["name"] not in first:
            start, end, window = r.pop("start"), r.pop("end"), r.pop("window_start")
            r["evidence"] = _sentence(r.pop("context"), start - window, end - start)
            first[r["name"]] = r
    for name, r in first.items():
        r["role"] = _commonest(roles[name])
        r["party"] = _commonest(parties[name])
    return sorted(first.values(), key=lambda r: (r["published"], r["name"]))


def _commonest(counts: Counter[str]) -> str | None:
    return min(counts, key=lambda k: (-counts[k], k)) if counts else None


def _sentence(context: str, start: int, length: int) -> str:
    """The sentence around ``context[start:start + length]``, cut at sentence ends or lines."""
    left = max(context.rfind(mark, 0, start) for mark in (". ", "? ", "! ", "\n"))
    right_marks = [i for i in (context.find(m, start + length) for m in (". ", "? ", "! ", "\n"))
                   if i >= 0]
    right = min(right_marks) + 1 if right_marks else len(context)
    return " ".join(context[left + 1:right].split())
