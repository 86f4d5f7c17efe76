"""The Store: one database of documents, story groups and extractions, migrated on open."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from accord.errors import StoreError
from accord.ingest.dedup import NearDuplicateIndex, signature
from accord.models import Document, Extraction
from accord.store import queries
from accord.store.schema import (
    actors,
    documents,
    event_parties,
    events,
    extractions,
    figures,
    provision_mentions,
    quotes,
    sources,
    stances,
    stories,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_WRITE = "accord_write"
DIALECTS = ("sqlite", "postgresql")
# Key ("accord" in ASCII) of the PostgreSQL advisory lock that serialises write transactions.
_WRITE_LOCK = 0x616363_6F7264
_BATCH = 500  # document ids per query when topping up the near-duplicate index

Status = Literal["new", "duplicate", "syndicated"]
T = TypeVar("T")


@dataclass(frozen=True)
class AddResult:
    """What adding a document did, so callers can report new vs. duplicate vs. syndicated."""

    document_id: str
    status: Status
    story_id: int


def _reason(error: BaseException) -> str:
    """The driver's message on one line, without SQLAlchemy's SQL dump and links."""
    message = str(error.orig) if isinstance(error, DBAPIError) else str(error)
    return " ".join(message.split("\n", 1)[0].split())


def _now() -> datetime:
    return datetime.now(UTC)


def _sqlite_setup(engine: Engine) -> None:
    """WAL and foreign keys per connection; explicit BEGIN so a transaction's reads and writes
    are atomic (pysqlite would otherwise defer BEGIN to the first write). In WAL mode
    synchronous=NORMAL syncs at checkpoints, not at every commit: a killed process loses nothing
    committed and the file never corrupts; only a power cut may undo the last commits."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # Writers take the lock up front: a deferred read-then-write could fail mid-way under WAL.
        immediate = conn.get_execution_options().get(_WRITE)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@dataclass
class _NewStory:
    """A story that a batch creates: its row is inserted, and its id known, after the batch's
    documents are placed, so that later copies in the batch can join it."""

    title: str | None
    first_published: datetime | None
    id: int | None = None


def _story_id(story: int | _NewStory) -> int:
    if isinstance(story, _NewStory):
        assert story.id is not None, "a new story's row is inserted before its documents"
        return story.id
    return story


def _document_row(doc: Document, sig: bytes, now: datetime) -> dict[str, Any]:
    return {
        "id": doc.id, "text": doc.text, "title": doc.title, "published": doc.published, "site": doc.site,
        "author": doc.author, "url": doc.url, "language": doc.language, "format": doc.format,
        "source": doc.source, "signature": sig, "ingested_at": now,
    }


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert the rows in one statement (none for no rows)."""
    if rows:
        conn.execute(insert(table), rows)


def _insert_returning(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the rows in one statement and return their new ids in the rows' order."""
    if not rows:
        return []
    return list(conn.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).all())


class Store:
    """Documents, their sources and story groups, and per-case extractions, with queries."""

    def __init__(self, url: str = "sqlite:///accord.db") -> None:
        try:
            parsed = make_url(url)
            if parsed.drivername == "postgresql":  # psycopg 3 is the driver Accord installs
                parsed = parsed.set(drivername="postgresql+psycopg")
            # A long-running server outlives PostgreSQL restarts: test pooled connections first.
            server = parsed.get_backend_name() != "sqlite"
            self._engine = create_engine(parsed, pool_pre_ping=server)
        except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as error:
            raise StoreError(f"invalid store URL {url!r}: {_reason(error)}") from error
        shown = parsed.render_as_string(hide_password=True)
        self._postgres = self._engine.dialect.name == "postgresql"
        if self._engine.dialect.name not in DIALECTS:
            self._engine.dispose()
            raise StoreError(f"unsupported database in {shown}: use SQLite or PostgreSQL")
        if self._engine.dialect.name == "sqlite":
            _sqlite_setup(self._engine)
        try:
            self._migrate()
        except (SQLAlchemyError, CommandError) as error:
            self._engine.dispose()
            raise StoreError(f"cannot open store {shown}: {_reason(error)}") from error
        self._near: NearDuplicateIndex | None = None
        self._indexed = 0  # documents stored when the index was last brought up to date
        # Held from BEGIN until the index knows the committed document, so a concurrent add in
        # this process never misses a copy that has just been stored.
        self._add_lock = threading.Lock()

    def _migrate(self) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("path_separator", "os")
        with self._transaction() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """One write transaction: everything inside commits together or not at all.

        Writers queue for one lock, as under SQLite's BEGIN IMMEDIATE: on PostgreSQL an advisory
        lock held to commit, so concurrent processes never store a document twice, group
        stories from a complete picture and never race to migrate a fresh database."""
        with self._engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                if self._postgres:
                    conn.execute(select(func.pg_advisory_xact_lock(_WRITE_LOCK)))
                yield conn

    @contextmanager
    def _write(self, what: str) -> Iterator[Connection]:
        try:
            with self._transaction() as conn:
                yield conn
        except SQLAlchemyError as error:
            raise StoreError(f"cannot save {what}: {_reason(error)}") from error

    def _read(self, query: Callable[..., T], /, **filters: Any) -> T:
        try:
            with self._engine.connect() as conn:
                if self._postgres:  # one snapshot for a query's several statements, as on SQLite
                    conn.execution_options(isolation_level="REPEATABLE READ")
                return query(conn, **filters)
        except SQLAlchemyError as error:
            raise StoreError(f"query failed: {_reason(error)}") from error

    # -- writes ---------------------------------------------------------------------------

    def add_document(self, doc: Document) -> AddResult:
        """Store a document once; a re-seen copy only records where it was seen."""
        return self.ingest(doc, None)

    def save_extraction(self, ext: Extraction) -> None:
        """Replace the document's extraction for this case (a re-run never accumulates items)."""
        with self._write(f"extraction of {ext.document.id}") as conn:
            if conn.scalar(select(documents.c.id).where(documents.c.id == ext.document.id)) is None:
                raise StoreError(f"document {ext.document.id} is not stored; add it before its extraction")
            self._save(conn, [ext])

    def ingest(self, doc: Document, ext: Extraction | None) -> AddResult:
        """Add the document and its extraction in one transaction: both land or neither does."""
        return self._commit([(doc, ext)], f"document {doc.id} ({doc.source})")[0]

    def ingest_many(self, items: Iterable[tuple[Document, Extraction | None]]) -> list[AddResult | StoreError]:
        """``ingest`` for many documents in one transaction, with a few statements for the whole
        batch instead of several per document. If the batch fails, each document is written in
        a transaction of its own, so that only the bad one fails (its error in its place)."""
        batch = list(items)
        if not batch:
            return []
        try:
            return list(self._commit(batch, f"{len(batch)} documents"))
        except StoreError as error:
            if len(batch) == 1:
                return [error]
        results: list[AddResult | StoreError] = []
        for doc, ext in batch:
            try:
                results.append(self.ingest(doc, ext))
            except StoreError as error:
                results.append(error)
        return results

    def has_extraction(self, document_id: str, case: str) -> bool:
        return bool(self.extracted([document_id], case))

    def extracted(self, document_ids: Collection[str], case: str) -> set[str]:
        """Which of these documents already have an extraction for the case (one query)."""
        return self._read(queries.extracted, document_ids=list(document_ids), case=case)

    def _commit(self, batch: list[tuple[Document, Extraction | None]], what: str) -> list[AddResult]:
        """One transaction for documents and their extractions. New documents join the
        near-duplicate index as they are added, so that copies within the batch are grouped too,
        and leave it again if the transaction fails."""
        for doc, ext in batch:
            if ext is not None and ext.document.id != doc.id:
                raise StoreError(f"extraction belongs to {ext.document.id}, not to {doc.id}")
        indexed: list[str] = []
        with self._add_lock:
            try:
                with self._write(what) as conn:
                    results = self._add(conn, [doc for doc, _ in batch], indexed)
                    self._save(conn, [ext for _, ext in batch if ext is not None])
            except BaseException:
                if self._near is not None:
                    for document_id in indexed:
                        self._near.remove(document_id)
                raise
            self._indexed += len(indexed)
        return results

    def _index(self, conn: Connection) -> NearDuplicateIndex:
        """The near-duplicate index, loaded from stored signatures on first need and topped up
        with documents other processes have stored since (called under the write lock)."""
        stored = conn.scalar(select(func.count()).select_from(documents)) or 0
        if self._near is None:
            self._near = NearDuplicateIndex()
            for doc_id, sig in conn.execute(select(documents.c.id, documents.c.signature)):
                self._near.insert(doc_id, sig)
        elif stored != self._indexed:
            near = self._near
            missing = [i for i in conn.scalars(select(documents.c.id)) if i not in near]
            for at in range(0, len(missing), _BATCH):
                batch = missing[at:at + _BATCH]
                for doc_id, sig in conn.execute(select(documents.c.id, documents.c.signature)
                                                .where(documents.c.id.in_(batch))):
                    near.insert(doc_id, sig)
        self._indexed = stored
        return self._near

    def _add(self, conn: Connection, docs: list[Document], indexed: list[str]) -> list[AddResult]:
        """Store the documents not stored yet, each in the story of its closest copy (stored or
        earlier in the batch) or in a new one; a re-seen document only records its source.
        ``indexed`` receives the ids added to the near-duplicate index."""
        now = _now()
        near = self._index(conn)
        ids = list(dict.fromkeys(doc.id for doc in docs))
        story_of: dict[str, int | _NewStory] = {
            doc_id: story_id
            for doc_id, story_id in conn.execute(select(documents.c.id, documents.c.story_id).where(documents.c.id.in_(ids)))
        }
        seen: set[tuple[str, str]] = {
            (doc_id, source)
            for doc_id, source in conn.execute(
                select(sources.c.document_id, sources.c.source).where(sources.c.document_id.in_(list(story_of)))
            )
        } if story_of else set()
        placed: list[tuple[Document, Status, int | _NewStory]] = []
        new_stories: list[_NewStory] = []
        copies: list[tuple[int | _NewStory, Document]] = []  # syndicated copies, to widen their stories
        rows: list[tuple[dict[str, Any], int | _NewStory]] = []  # new documents and their stories
        source_rows: list[dict[str, Any]] = []
        for doc in docs:
            status: Status
            if doc.id in story_of:
                status, story = "duplicate", story_of[doc.id]
            else:
                sig = signature(doc.text)
                matches = near.query(sig)
                if matches:  # join the story of the closest stored copy
                    status, story = "syndicated", self._story(conn, matches[0], story_of)
                    copies.append((story, doc))
                else:
                    status, story = "new", _NewStory(doc.title, doc.published)
                    new_stories.append(story)
                near.insert(doc.id, sig)
                indexed.append(doc.id)
                story_of[doc.id] = story
                rows.append((_document_row(doc, sig, now), story))
            if (doc.id, doc.source) not in seen:
                seen.add((doc.id, doc.source))
                source_rows.append({"document_id": doc.id, "source": doc.source, "seen_at": now})
            placed.append((doc, status, story))
        story_ids = _insert_returning(
            conn, stories, [{"title": s.title, "first_published": s.first_published} for s in new_stories]
        )
        for story, story_id in zip(new_stories, story_ids):
            story.id = story_id
        for story, doc in copies:
            self._widen_story(conn, _story_id(story), doc)
        _insert(conn, documents, [row | {"story_id": _story_id(story)} for row, story in rows])
        _insert(conn, sources, source_rows)
        return [AddResult(doc.id, status, _story_id(story)) for doc, status, story in placed]

    @staticmethod
    def _story(conn: Connection, document_id: str, story_of: dict[str, int | _NewStory]) -> int | _NewStory:
        """The story of a document stored or placed earlier in this batch."""
        if document_id not in story_of:
            story_of[document_id] = conn.scalar(select(documents.c.story_id).where(documents.c.id == document_id))
        return story_of[document_id]

    @staticmethod
    def _widen_story(conn: Connection, story_id: int, doc: Document) -> None:
        """A syndicated copy may be the earliest one seen, or the first with a title."""
        if doc.published is not None:
            conn.execute(
                update(stories)
                .where(
                    stories.c.id == story_id,
                    or_(
                        stories.c.first_published.is_(None),
                        stories.c.first_published > doc.published,
                    ),
                )
                .values(first_published=doc.published)
            )
        if doc.title:
            conn.execute(
                update(stories)
                .where(stories.c.id == story_id, stories.c.title.is_(None))
                .values(title=doc.title)
            )

    @staticmethod
    def _save(conn: Connection, exts: list[Extraction]) -> None:
        """Replace the extractions of stored documents: one statement per table for the whole
        list. Items, figures, event parties and FTS rows go with their extraction (ON DELETE
        CASCADE). Of two extractions of one document and case, the later one wins."""
        latest = list({(ext.document.id, ext.case): ext for ext in exts}.values())
        if not latest:
            return
        for case in {ext.case for ext in latest}:
            conn.execute(
                delete(extractions).where(
                    extractions.c.case == case,
                    extractions.c.document_id.in_([ext.document.id for ext in latest if ext.case == case]),
                )
            )
        now = _now()
        conn.execute(
            insert(extractions),
            [{"document_id": ext.document.id, "case": ext.case, "extracted_at": now} for ext in latest],
        )
        owned = [({"document_id": ext.document.id, "case": ext.case}, ext) for ext in latest]
        actor_rows = [
            owner | {
                "name": a.name, "role": a.role, "party": a.party, "start": a.start, "end": a.end,
                "mentions": [list(m) for m in a.mentions],
                "mention_count": len({(a.start, a.end), *map(tuple, a.mentions)}),
            }
            for owner, ext in owned for a in ext.actors
        ]
        quote_rows = [
            owner | {
                "text": q.text, "kind": q.kind, "speaker": q.speaker, "party": q.party, "cue": q.cue,
                "start": q.start, "end": q.end, "speaker_start": q.speaker_start, "speaker_end": q.speaker_end,
            }
            for owner, ext in owned for q in ext.quotes
        ]
        stance_rows = [
            owner | {"holder": s.holder, "target": s.target, "polarity": s.polarity, "cue": s.cue,
                     "start": s.start, "end": s.end}
            for owner, ext in owned for s in ext.stances
        ]
        for table, table_rows in ((actors, actor_rows), (quotes, quote_rows), (stances, stance_rows)):
            _insert(conn, table, table_rows)
        mentions = [(owner, p) for owner, ext in owned for p in ext.provisions]
        mention_ids = _insert_returning(
            conn, provision_mentions,
            [owner | {"provision_id": p.id, "start": p.start, "end": p.end} for owner, p in mentions],
        )
        figure_rows = [
            {"mention_id": mention_id, "value": f.value, "unit": f.unit, "status": f.status,
             "start": f.start, "end": f.end}
            for mention_id, (_, p) in zip(mention_ids, mentions) for f in p.figures
        ]
        _insert(conn, figures, figure_rows)
        found = [(owner, e) for owner, ext in owned for e in ext.events]
        event_ids = _insert_returning(
            conn, events,
            [owner | {"type": e.type, "actors": list(e.actors), "location": e.location, "trigger": e.trigger,
                      "date": e.date, "start": e.start, "end": e.end} for owner, e in found],
        )
        party_rows = [
            {"event_id": event_id, "party": party}
            for event_id, (_, e) in zip(event_ids, found) for party in sorted(set(e.actors))
        ]
        _insert(conn, event_parties, party_rows)

    # -- queries --------------------------------------------------------------------------

    def document(self, document_id: str) -> dict[str, Any] | None:
        """One document with its full text, sources and extracted cases (for a detail view)."""
        return self._read(queries.get_document, document_id=document_id)

    def documents(
        self,
        *,
        search: str | None = None,
        site: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        return self._read(
            queries.find_documents,
            search=search, site=site, since=since, until=until, limit=limit, offset=offset,
        )

    def quotes(
        self,
        *,
        speaker: str | None = None,
        party: str | None = None,
        search: str | None = None,
        document_id: str | None = None,
        since: date | None = None,
        until: date | None = None,
        case: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        return self._read(
            queries.find_quotes,
            speaker=speaker, party=party, search=search, document_id=document_id,
            since=since, until=until, case=case, limit=limit, offset=offset,
        )

    def actors(
        self,
        *,
        name: str | None = None,
        party: str | None = None,
        case: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        return self._read(
            queries.find_actors, name=name, party=party, case=case, limit=limit, offset=offset
        )

    def provisions(
        self,
        *,
        provision_id: str | None = None,
        document_id: str | None = None,
        since: date | None = None,
        until: date | None = None,
        case: str | None = None,
        limit: int | None = 50,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        return self._read(
            queries.find_provisions,
            provision_id=provision_id, document_id=document_id, since=since, until=until,
            case=case, limit=limit, offset=offset,
        )

    def provision_summary(
        self,
        *,
        provision_id: str | None = None,
        since: date | None = None,
        until: date | None = None,
        case: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        return self._read(
            queries.summarise_provisions,
            provision_id=provision_id, since=since, until=until, case=case,
            limit=limit, offset=offset,
        )

    def stances(
        self,
        *,
        party: str | None = None,
        target: str | None = None,
        document_id: str | None = None,
        since: date | None = None,
        until: date | None = None,
        case: str | None = None,
        limit: int | None = 50,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        return self._read(
            queries.find_stances,
            party=party, target=target, document_id=document_id, since=since, until=until,
            case=case, limit=limit, offset=offset,
        )

    def events(
        self,
        *,
        type: str | None = None,
        party: str | None = None,
        document_id: str | None = None,
        since: date | None = None,
        until: date | None = None,
        case: str | None = None,
        limit: int | None = 50,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        return self._read(
            queries.find_events,
            type=type, party=party, document_id=document_id, since=since, until=until,
            case=case, limit=limit, offset=offset,
        )

    def stories(self, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        return self._read(queries.find_stories, limit=limit, offset=offset)

    def version(self) -> tuple[Any, ...]:
        """A cheap token that changes whenever extractions are saved or items reviewed: analyses
        computed from the record are cached under it (one query)."""
        return self._read(queries.version)

    def stats(self) -> dict[str, int]:
        return self._read(queries.stats)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
