"""Read-only queries the analysis layer needs beyond the Store's listing methods: what changed
since a point (so kept analyses re-read only those documents) and item rows by document."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, func, select
from sqlalchemy import case as when

from accord.store.queries import Row, _figures_of, _items, row_reader, version
from accord.store.schema import (
    actors,
    documents,
    events,
    extractions,
    provision_mentions,
    review_audit,
    stances,
)

_CONTEXT = 400  # characters either side of a name: enough to hold its sentence
_IDS = 500  # ids per IN list: well within both backends' parameter limits


@dataclass(frozen=True)
class Changes:
    """What a store holds for one case, and what moved since a look at it.

    ``marks`` are (document, extraction time) of the extractions saved at or after the time
    asked for (all of them when none was): a re-extracted document gets a new time.
    ``reviewed`` are documents with review writes after the audit id asked for.
    """

    version: tuple[Any, ...]
    extractions: int
    marks: list[tuple[str, datetime]]
    reviewed: set[str]
    audit: int


def changes(conn: Connection, *, case: str, since: datetime | None, audit: int) -> Changes:
    """Narrow reads through the indexes on ``extracted_at`` and the audit id: an ingest of a
    few documents costs a few rows here, not a scan of the record."""
    x, a = extractions.c, review_audit.c
    count = conn.scalar(select(func.count()).select_from(extractions).where(x.case == case))
    marks = select(x.document_id, x.extracted_at).where(x.case == case)
    if since is not None:
        marks = marks.where(x.extracted_at >= since)
    reviewed = conn.execute(select(a.id, a.document_id).where(a.case == case, a.id > audit)).all()
    return Changes(version(conn), count or 0, [(d, m) for d, m in conn.execute(marks)],
                   {d for _, d in reviewed}, max((i for i, _ in reviewed), default=audit))


def _by_documents(stmt: Select[Any], column: Any,
                  ids: Iterable[str] | None) -> Iterator[Select[Any]]:
    """The statement over every row (ids None), or once per slice of the document ids."""
    if ids is None:
        yield stmt
        return
    ordered = sorted(ids)
    for at in range(0, len(ordered), _IDS):
        yield stmt.where(column.in_(ordered[at:at + _IDS]))


def _item_parts(table: Any, columns: tuple[Any, ...], case: str, ids: Iterable[str] | None,
                ) -> tuple[Callable[[Sequence[Any]], Row], Iterator[Select[Any]]]:
    """The reader and statements of item rows with evidence, document reference and story,
    unordered (callers sort)."""
    stmt = _items(table, (*columns, documents.c.story_id), document_id=None, case=case,
                  since=None, until=None).order_by(None)
    return row_reader(stmt), _by_documents(stmt, table.c.document_id, ids)


def _each(conn: Connection, read: Callable[[Sequence[Any]], Row],
          parts: Iterator[Select[Any]]) -> Iterator[Row]:
    """The statements' rows as the results yield them: a whole-record read is converted row by
    row, never held as a list of dicts."""
    return (read(row) for part in parts for row in conn.execute(part))


def provision_rows(conn: Connection, *, case: str, ids: Iterable[str] | None) -> Iterator[Row]:
    """Provision mentions of the case (of the documents ``ids``, if given) with their figures."""
    read, parts = _item_parts(provision_mentions, (provision_mentions.c.provision_id,), case, ids)
    for part in parts:
        figs = _figures_of(conn, part.with_only_columns(provision_mentions.c.id))
        for row in map(read, conn.execute(part)):
            row["figures"] = figs.get(row["id"], [])
            yield row


def stance_rows(conn: Connection, *, case: str, ids: Iterable[str] | None) -> Iterator[Row]:
    c = stances.c
    return _each(conn, *_item_parts(stances, (c.holder, c.target, c.polarity), case, ids))


def event_rows(conn: Connection, *, case: str, ids: Iterable[str] | None) -> Iterator[Row]:
    c = events.c
    return _each(conn, *_item_parts(events, (c.type, c.actors, c.location, c.trigger, c.date),
                                    case, ids))


def actor_rows(conn: Connection, *, case: str, ids: Iterable[str] | None) -> Iterator[Row]:
    """Dated actor rows without text (the first mention's sentence is read apart, for the few
    that are first): name, role, party, where, and the document reference."""
    a = actors.c
    stmt = (select(a.id, a.document_id, a.name, a.role, a.party, a.start, a.end,
                   documents.c.published, documents.c.title.label("document_title"),
                   documents.c.url)
            .join(documents, documents.c.id == a.document_id)
            .where(a.case == case, documents.c.published.is_not(None)))
    return _each(conn, row_reader(stmt), _by_documents(stmt, a.document_id, ids))


def actor_sentences(conn: Connection, ids: Iterable[int]) -> dict[int, str]:
    """Actor id -> the sentence around its mention, from a window of the document's text."""
    a = actors.c
    window_start = when((a.start > _CONTEXT, a.start - _CONTEXT), else_=0)
    stmt = select(a.id, a.start, a.end, window_start,
                  func.substr(documents.c.text, window_start + 1, 2 * _CONTEXT)).join(
                      documents, documents.c.id == a.document_id)
    ordered = sorted(ids)
    found: dict[int, str] = {}
    for at in range(0, len(ordered), _IDS):
        for actor_id, start, end, window, context in conn.execute(
                stmt.where(a.id.in_(ordered[at:at + _IDS]))):
            found[actor_id] = _sentence(context, start - window, end - start)
    return found


def _sentence(context: str, start: int, length: int) -> str:
    """The sentence around ``context[start:start + length]``, cut at sentence ends or lines."""
    left = max(context.rfind(mark, 0, start) for mark in (". ", "? ", "! ", "\n"))
    right_marks = [i for i in (context.find(m, start + length) for m in (". ", "? ", "! ", "\n"))
                   if i >= 0]
    right = min(right_marks) + 1 if right_marks else len(context)
    return " ".join(context[left + 1:right].split())
