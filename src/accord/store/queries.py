"""Read queries: filters in SQL, results as JSON-ready dicts (dates as ISO strings).

Date filters (``since``/``until``, inclusive) apply to the document's published date, so
undated documents drop out of dated queries. Name filters are case-insensitive substrings;
party, site, type, target and provision filters are exact.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    DateTime,
    Join,
    Select,
    cast,
    desc,
    distinct,
    exists,
    false,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.ext.compiler import compiles

from accord.store.schema import (
    SEARCH_CONFIG,
    actors,
    documents,
    documents_fts,
    documents_search,
    event_parties,
    events,
    extractions,
    figures,
    metadata,
    provision_mentions,
    quotes,
    quotes_fts,
    quotes_search,
    record_version,
    sources,
    stances,
    stories,
)

Row = dict[str, Any]
_TERM = re.compile(r"(\w+)(\*?)")

# Newest first; undated documents last, then most recently ingested. Both backends walk an index
# in this order (migration 0004) and stop after a page, instead of sorting every document.
NEWEST = (
    documents.c.published.desc().nulls_last(),
    documents.c.ingested_at.desc(),
    documents.c.id,
)
DOC_REF = (
    documents.c.title.label("document_title"),
    documents.c.published,
    documents.c.site,
    documents.c.url,
)
DOC_COLUMNS = tuple(c for c in documents.c if c.name not in ("text", "signature"))


# Columns whose values repeat from row to row: those of the row's document, and names, labels
# and types that a record of a million rows holds a few thousand of.
_REPEATED = frozenset({"document_id", "case", "document_title", "published", "site", "url",
                       "story_id", "provision_id", "holder", "target", "polarity", "type",
                       "location", "trigger", "name", "role", "party"})


def row_reader(stmt: Select[Any]) -> Callable[[Sequence[Any]], Row]:
    """Result rows of ``stmt`` as plain dicts: dates as ISO strings (only the date columns are
    looked at), and one object for each value of the columns that repeat (``_REPEATED``), since
    an analysis reads the whole record, a million rows, and keeps them."""
    columns = list(stmt.selected_columns)
    keys = [c.key for c in columns]
    dated = [i for i, c in enumerate(columns) if isinstance(c.type, Date | DateTime)]
    shared = [i for i, key in enumerate(keys) if key in _REPEATED]
    seen: dict[Any, Any] = {}

    def read(row: Sequence[Any]) -> Row:
        values = list(row)
        for i in dated:
            if values[i] is not None:
                values[i] = values[i].isoformat()
        for i in shared:
            values[i] = seen.setdefault(values[i], values[i])
        return dict(zip(keys, values))

    return read


def _rows(conn: Connection, stmt: Select[Any]) -> list[Row]:
    return list(map(row_reader(stmt), conn.execute(stmt)))


def fts_query(search: str) -> str:
    """User text as a safe FTS5 query: every word must occur; a trailing ``*`` is a prefix."""
    return " ".join(f'"{word}"{star}' for word, star in _TERM.findall(search))


def tsquery(search: str) -> str:
    """The same query for PostgreSQL's ``to_tsquery``: quoted words (``\\w`` holds no tsquery
    syntax) joined by ``&``, ``:*`` for a prefix."""
    return " & ".join(f"'{word}'{':*' if star else ''}" for word, star in _TERM.findall(search))


def _matches(conn: Connection, search: str, key: ColumnElement[Any],
             fts: tuple[str, ColumnElement[Any]],
             tsv: tuple[ColumnElement[Any], ColumnElement[Any]]) -> ColumnElement[bool]:
    """Full-text condition on ``key``, through each backend's own index: the FTS5 table ``fts``
    (name, key column) on SQLite, the generated tsvector ``tsv`` (key column, vector) with its
    GIN index on PostgreSQL."""
    if not fts_query(search):
        return false()
    if conn.dialect.name == "sqlite":
        name, fts_key = fts
        match = text(f"{name} MATCH :{name}_query").bindparams(
            **{f"{name}_query": fts_query(search)})
        return key.in_(select(fts_key).where(match))
    tsv_key, vector = tsv
    query = func.to_tsquery(cast(SEARCH_CONFIG, REGCONFIG), tsquery(search))
    return key.in_(select(tsv_key).where(vector.bool_op("@@")(query)))


def _dated(stmt: Select[Any], since: date | None, until: date | None) -> Select[Any]:
    if since is not None:
        stmt = stmt.where(documents.c.published >= since)
    if until is not None:
        stmt = stmt.where(documents.c.published <= until)
    return stmt


def _page(stmt: Select[Any], limit: int | None, offset: int) -> Select[Any]:
    """One page; ``limit=None`` is every row in one streamed query (analyses need the whole
    record, and paging through it with OFFSET is quadratic)."""
    stmt = stmt.offset(max(offset, 0))
    return stmt if limit is None else stmt.limit(max(limit, 0))


class _Newest(Join):
    """documents joined to an item table, walked in that order on SQLite (``CROSS JOIN`` is how
    SQLite is told not to reorder): newest documents first through ``ix_documents_newest``, so
    a page stops early instead of sorting every match."""

    inherit_cache = True


@compiles(_Newest, "sqlite")
def _cross_join(join: _Newest, compiler: Any, **kw: Any) -> str:
    return compiler.visit_join(join, **kw).replace(" JOIN ", " CROSS JOIN ", 1)


def _items(table: Any, columns: tuple[Any, ...], *, document_id: str | None, case: str | None,
           since: date | None, until: date | None, newest_first: bool = False) -> Select[Any]:
    """Item rows with their document reference, filtered by document, case and date;
    ``newest_first`` walks the documents in listing order (see ``_Newest``)."""
    evidence = func.substr(documents.c.text, table.c.start + 1, table.c.end - table.c.start)
    stmt = select(table.c.id, table.c.document_id, table.c.case, *columns, table.c.start,
                  table.c.end, evidence.label("evidence"), *DOC_REF)
    if newest_first:
        stmt = stmt.select_from(_Newest(documents, table, documents.c.id == table.c.document_id))
    else:
        stmt = stmt.join(documents, documents.c.id == table.c.document_id)
    if document_id is not None:
        stmt = stmt.where(table.c.document_id == document_id)
    if case is not None:
        stmt = stmt.where(table.c.case == case)
    return _dated(stmt, since, until).order_by(*NEWEST, table.c.document_id, table.c.start)


def _contains(column: ColumnElement[Any], value: str) -> ColumnElement[bool]:
    return func.lower(column).contains(value.lower(), autoescape=True)


def extracted(conn: Connection, *, document_ids: list[str], case: str) -> set[str]:
    stmt = select(extractions.c.document_id).where(
        extractions.c.case == case, extractions.c.document_id.in_(document_ids)
    )
    return set(conn.scalars(stmt))


def get_document(conn: Connection, *, document_id: str) -> Row | None:
    stmt = select(*DOC_COLUMNS, documents.c.text).where(documents.c.id == document_id)
    found = _rows(conn, stmt)
    if not found:
        return None
    row = found[0]
    row["sources"] = list(conn.scalars(
        select(sources.c.source).where(sources.c.document_id == document_id)
        .order_by(sources.c.seen_at, sources.c.id)))
    row["cases"] = list(conn.scalars(
        select(extractions.c.case).where(extractions.c.document_id == document_id)
        .order_by(extractions.c.case)))
    return row


def find_documents(conn: Connection, *, search: str | None, site: str | None, since: date | None,
               until: date | None, limit: int, offset: int) -> list[Row]:
    stmt = _dated(select(*DOC_COLUMNS), since, until)
    if search is not None:
        stmt = stmt.where(_matches(conn, search, documents.c.id,
                                   ("documents_fts", documents_fts.c.document_id),
                                   (documents_search.c.id, documents_search.c.search)))
    if site is not None:
        stmt = stmt.where(documents.c.site == site)
    return _rows(conn, _page(stmt.order_by(*NEWEST), limit, offset))


def find_quotes(conn: Connection, *, speaker: str | None, party: str | None, search: str | None,
            document_id: str | None, since: date | None, until: date | None, case: str | None,
            limit: int, offset: int) -> list[Row]:
    c = quotes.c
    walk = (search is not None and speaker is None and party is None and document_id is None
            and _walk_newest(conn, search, limit + max(offset, 0)))
    stmt = _items(quotes, (c.text, c.kind, c.speaker, c.party, c.cue, c.speaker_start,
                           c.speaker_end),
                  document_id=document_id, case=case, since=since, until=until,
                  newest_first=walk)
    if speaker is not None:
        stmt = stmt.where(_contains(c.speaker, speaker))
    if party is not None:
        stmt = stmt.where(c.party == party)
    if search is not None:
        # Walking documents, the match is a filter: ``+ 0`` keeps SQLite from starting at it.
        stmt = stmt.where(_matches(conn, search, c.id + 0 if walk else c.id,
                                   ("quotes_fts", quotes_fts.c.rowid),
                                   (quotes_search.c.id, quotes_search.c.search)))
    return _rows(conn, _page(stmt, limit, offset))


def _walk_newest(conn: Connection, search: str, wanted: int) -> bool:
    """Whether SQLite should walk the newest documents and keep matching quotes, rather than
    read every match and sort them by date. Sorting costs about 6 µs a match (43k matches for
    "ceasefire" at 100k documents: 200 ms), walking about 0.7 µs a quote passed on the way to
    the page's last match (10 ms); the FTS index counts the matches in about 1 ms. PostgreSQL
    plans this itself."""
    if conn.dialect.name != "sqlite" or not fts_query(search):
        return False
    match = text("quotes_fts MATCH :q").bindparams(q=fts_query(search))
    found = conn.scalar(select(func.count()).select_from(quotes_fts).where(match)) or 0
    if found == 0:
        return False
    total = conn.scalar(select(func.max(quotes.c.id))) or 0  # ids are dense: a cheap count
    return wanted * total / found < 8 * found


def most_frequent(conn: Connection, column: Any, names: list[str] | None,
                  filters: list[ColumnElement[bool]], joined: Any = actors) -> dict[str, Any]:
    """Per actor name (those given, or all), the commonest non-null value of ``column`` among
    the rows of ``joined`` (actors, or actors joined to what ``filters`` need) that pass
    ``filters`` (ties: alphabetical). Counted in SQL: a few rows per name come back."""
    stmt = (select(actors.c.name, column, func.count()).select_from(joined)
            .where(column.is_not(None), *filters).group_by(actors.c.name, column))
    if names is not None:
        stmt = stmt.where(actors.c.name.in_(names))
    best: dict[str, Any] = {}
    for name, value, _ in sorted(conn.execute(stmt), key=lambda r: (-r[2], r[1])):
        best.setdefault(name, value)
    return best


def find_actors(conn: Connection, *, name: str | None, party: str | None, case: str | None,
            limit: int, offset: int) -> list[Row]:
    filters: list[ColumnElement[bool]] = []
    if name is not None:
        filters.append(_contains(actors.c.name, name))
    if party is not None:
        filters.append(actors.c.party == party)
    if case is not None:
        filters.append(actors.c.case == case)
    mentions = func.sum(actors.c.mention_count).label("mentions")
    stmt = (select(actors.c.name, mentions,
                   func.count(distinct(actors.c.document_id)).label("documents"))
            .where(*filters).group_by(actors.c.name).order_by(desc(mentions), actors.c.name))
    rows = _rows(conn, _page(stmt, limit, offset))
    names = [r["name"] for r in rows]
    roles = most_frequent(conn, actors.c.role, names, filters)
    parties = most_frequent(conn, actors.c.party, names, filters)
    return [{"name": r["name"], "role": roles.get(r["name"]), "party": parties.get(r["name"]),
             "mentions": r["mentions"], "documents": r["documents"]} for r in rows]


def _figures_of(conn: Connection, mentions: Select[Any] | list[int]) -> dict[int, list[Row]]:
    """Figures of the mentions: a page's ids, or the query selecting a whole-record read's
    (tens of thousands of ids would not fit in a parameter list)."""
    stmt = (select(figures.c.mention_id, figures.c.value, figures.c.unit, figures.c.status,
                   figures.c.start, figures.c.end)
            .where(figures.c.mention_id.in_(mentions)).order_by(figures.c.start))
    grouped: dict[int, list[Row]] = defaultdict(list)
    for row in _rows(conn, stmt):
        grouped[row.pop("mention_id")].append(row)
    return grouped


def find_provisions(conn: Connection, *, provision_id: str | None, document_id: str | None,
               since: date | None, until: date | None, case: str | None, limit: int | None,
               offset: int) -> list[Row]:
    """Provision mentions, newest first, each with its figures."""
    stmt = _items(provision_mentions, (provision_mentions.c.provision_id,),
                  document_id=document_id, case=case, since=since, until=until)
    if provision_id is not None:
        stmt = stmt.where(provision_mentions.c.provision_id == provision_id)
    stmt = _page(stmt, limit, offset)
    rows = _rows(conn, stmt)
    figs = _figures_of(conn, [r["id"] for r in rows] if limit is not None
                       else stmt.with_only_columns(provision_mentions.c.id))
    for row in rows:
        row["figures"] = figs.get(row["id"], [])
    return rows


def summarise_provisions(conn: Connection, *, provision_id: str | None, since: date | None,
                      until: date | None, case: str | None, limit: int,
                      offset: int) -> list[Row]:
    """One row per provision: how often and where it was discussed, and every figure given
    for it with the documents that gave it (most-cited figure first)."""
    pm = provision_mentions.c
    filters: list[ColumnElement[bool]] = []
    if provision_id is not None:
        filters.append(pm.provision_id == provision_id)
    if case is not None:
        filters.append(pm.case == case)
    joined = provision_mentions.join(documents, documents.c.id == pm.document_id)
    mentions = func.count(pm.id).label("mentions")
    stmt = _dated(select(pm.provision_id, mentions,
                         func.count(distinct(pm.document_id)).label("documents"),
                         func.min(documents.c.published).label("first_published"),
                         func.max(documents.c.published).label("last_published"))
                  .select_from(joined).where(*filters), since, until)
    stmt = stmt.group_by(pm.provision_id).order_by(desc(mentions), pm.provision_id)
    rows = _rows(conn, _page(stmt, limit, offset))
    ids = [r["provision_id"] for r in rows]
    filters.append(pm.provision_id.in_(ids))

    figs = _dated(select(pm.provision_id, figures.c.value, figures.c.unit, figures.c.status,
                         pm.document_id)
                  .select_from(joined.join(figures, figures.c.mention_id == pm.id))
                  .where(*filters), since, until)
    cited: dict[str, dict[tuple[Any, ...], set[str]]] = defaultdict(lambda: defaultdict(set))
    for pid, value, unit, status, doc_id in conn.execute(figs):
        cited[pid][(value, unit, status)].add(doc_id)

    docs = _dated(select(pm.provision_id, documents.c.id, documents.c.title,
                         documents.c.published, documents.c.url)
                  .select_from(joined).where(*filters), since, until)
    found: dict[str, dict[str, Row]] = defaultdict(dict)  # a document once per provision
    for row in _rows(conn, docs.order_by(*NEWEST)):
        found[row.pop("provision_id")].setdefault(row["id"], row)

    for row in rows:
        pid = row["provision_id"]
        row["figures"] = [
            {"value": v, "unit": u, "status": s, "documents": sorted(ds)}
            for (v, u, s), ds in sorted(cited[pid].items(),
                                        key=lambda kv: (-len(kv[1]), kv[0][0], str(kv[0][1:])))
        ]
        row["sources"] = list(found[pid].values())
    return rows


def find_stances(conn: Connection, *, party: str | None, target: str | None,
             document_id: str | None, since: date | None, until: date | None,
             case: str | None, limit: int | None, offset: int) -> list[Row]:
    """Stances; ``party`` is the stance holder."""
    c = stances.c
    stmt = _items(stances, (c.holder, c.target, c.polarity, c.cue), document_id=document_id,
                  case=case, since=since, until=until)
    if party is not None:
        stmt = stmt.where(c.holder == party)
    if target is not None:
        stmt = stmt.where(c.target == target)
    return _rows(conn, _page(stmt, limit, offset))


def find_events(conn: Connection, *, type: str | None, party: str | None, document_id: str | None,
            since: date | None, until: date | None, case: str | None, limit: int | None,
            offset: int) -> list[Row]:
    """Events; ``party`` matches any of the event's actors (via ``event_parties``)."""
    c = events.c
    stmt = _items(events, (c.type, c.actors, c.location, c.trigger, c.date),
                  document_id=document_id, case=case, since=since, until=until)
    if type is not None:
        stmt = stmt.where(c.type == type)
    if party is not None:
        stmt = stmt.where(exists().where(event_parties.c.event_id == c.id,
                                         event_parties.c.party == party))
    return _rows(conn, _page(stmt, limit, offset))


def find_stories(conn: Connection, *, limit: int, offset: int) -> list[Row]:
    """Story groups, newest first, each with its documents and every source they were seen at."""
    stmt = (select(stories.c.id, stories.c.title, stories.c.first_published)
            .order_by(stories.c.first_published.is_(None), stories.c.first_published.desc(),
                      stories.c.id.desc()))
    rows = _rows(conn, _page(stmt, limit, offset))
    docs = _rows(conn, select(*DOC_COLUMNS)
                 .where(documents.c.story_id.in_([r["id"] for r in rows])).order_by(*NEWEST))
    seen: dict[str, list[str]] = defaultdict(list)
    for doc_id, source in conn.execute(
            select(sources.c.document_id, sources.c.source)
            .where(sources.c.document_id.in_([d["id"] for d in docs]))
            .order_by(sources.c.seen_at, sources.c.id)):
        seen[doc_id].append(source)
    grouped: dict[int, list[Row]] = defaultdict(list)
    for doc in docs:
        grouped[doc["story_id"]].append(doc | {"sources": seen[doc["id"]]})
    for row in rows:
        row["documents"] = grouped[row["id"]]
    return rows


def version(conn: Connection) -> tuple[Any, ...]:
    """What changes whenever the extracted record does: a counter that triggers move on every
    write of an extraction and every review (migration 0005), so one row's read instead of a
    count over the record."""
    return (conn.execute(select(record_version.c.changes)).scalar_one(),)


def stats(conn: Connection) -> dict[str, int]:
    """Row count of every table, for status output and idempotence checks."""
    return {t.name: conn.scalar(select(func.count()).select_from(t)) or 0
            for t in metadata.sorted_tables}
