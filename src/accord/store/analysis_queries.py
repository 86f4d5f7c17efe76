"""Read-only queries the analysis layer needs beyond the Store's listing methods."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, case as when, func, select

from accord.store.queries import Row, _plain, most_frequent
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
    """Aggregated in SQL: the commonest role and party per name, and each name's first mention
    (by date, document, offset) picked by a window function, so only one row per person comes
    back with its text around it, not every mention of the record (885k at 100k documents)."""
    joined = actors.join(documents, documents.c.id == actors.c.document_id)
    dated = [actors.c.case == case, documents.c.published.is_not(None)]
    if until is not None:
        dated.append(documents.c.published <= until)
    roles = most_frequent(conn, actors.c.role, None, [*dated, actors.c.role != ""], joined)
    parties = most_frequent(conn, actors.c.party, None, [*dated, actors.c.party != ""], joined)
    order = func.row_number().over(
        partition_by=actors.c.name,
        order_by=(documents.c.published, actors.c.document_id, actors.c.start))
    ranked = select(actors.c.id, order.label("rank")).select_from(joined).where(*dated).subquery()
    window_start = when((actors.c.start > _CONTEXT, actors.c.start - _CONTEXT), else_=0)
    stmt = (select(actors.c.name, actors.c.document_id, actors.c.start, actors.c.end,
                   window_start.label("window_start"),
                   func.substr(documents.c.text, window_start + 1, 2 * _CONTEXT).label("context"),
                   documents.c.published, documents.c.title.label("document_title"),
                   documents.c.url)
            .select_from(joined)
            .where(actors.c.id.in_(select(ranked.c.id).where(ranked.c.rank == 1))))
    first = []
    for row in conn.execute(stmt):
        r: dict[str, Any] = {k: _plain(v) for k, v in row._mapping.items()}
        start, end, window = r.pop("start"), r.pop("end"), r.pop("window_start")
        r["evidence"] = _sentence(r.pop("context"), start - window, end - start)
        r["role"], r["party"] = roles.get(r["name"]), parties.get(r["name"])
        first.append(r)
    return sorted(first, key=lambda r: (r["published"], r["name"]))


def _sentence(context: str, start: int, length: int) -> str:
    """The sentence around ``context[start:start + length]``, cut at sentence ends or lines."""
    left = max(context.rfind(mark, 0, start) for mark in (". ", "? ", "! ", "\n"))
    right_marks = [i for i in (context.find(m, start + length) for m in (". ", "? ", "! ", "\n"))
                   if i >= 0]
    right = min(right_marks) + 1 if right_marks else len(context)
    return " ".join(context[left + 1:right].split())
