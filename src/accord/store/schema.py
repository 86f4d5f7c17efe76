"""Table definitions the store queries against.

Migrations own the database (``migrations/versions``); these definitions must match them, which
``tests/test_store.py`` checks with Alembic's autogenerate comparison. Types are portable
(SQLite and PostgreSQL); full-text search objects are dialect-specific and live apart.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    column,
    table,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text),
    Column("first_published", Date),
)

documents = Table(
    "documents",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("text", Text, nullable=False),
    Column("title", Text),
    Column("published", Date, index=True),
    Column("site", String(255), index=True),
    Column("author", Text),
    Column("url", Text),
    Column("language", String(16)),
    Column("format", String(16), nullable=False),
    Column("source", Text, nullable=False),
    Column("story_id", Integer, ForeignKey("stories.id"), nullable=False, index=True),
    Column("signature", LargeBinary, nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Index(None, "published", "ingested_at"),  # date ranges (migration 0003)
    # Migration 0004 adds ix_documents_newest for "newest first" listings, in each dialect's
    # own words (NULLS LAST on PostgreSQL), which a Table cannot hold for both.
)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "document_id",
        String(16),
        ForeignKey("documents.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("source", Text, nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("document_id", "source"),
)

extractions = Table(
    "extractions",
    metadata,
    Column(
        "document_id",
        String(16),
        ForeignKey("documents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("case", String(64), primary_key=True),
    Column("extracted_at", DateTime(timezone=True), nullable=False, index=True),
)


def _item_table(name: str, *columns: Column) -> Table:
    """An extracted-item table: owned by one (document, case) extraction, deleted with it."""
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("document_id", String(16), nullable=False, index=True),
        Column("case", String(64), nullable=False),
        *columns,
        Column("start", Integer, nullable=False),
        Column("end", Integer, nullable=False),
        ForeignKeyConstraint(
            ["document_id", "case"],
            ["extractions.document_id", "extractions.case"],
            ondelete="CASCADE",
        ),
    )


actors = _item_table(
    "actors",
    Column("name", Text, nullable=False, index=True),
    Column("role", Text),
    Column("party", String(64), index=True),
    Column("mentions", JSON, nullable=False),
    Column("mention_count", Integer, nullable=False),
)

quotes = _item_table(
    "quotes",
    Column("text", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("speaker", Text),
    Column("party", String(64), index=True),
    Column("cue", Text),
    Column("speaker_start", Integer),
    Column("speaker_end", Integer),
)

provision_mentions = _item_table(
    "provision_mentions",
    Column("provision_id", String(128), nullable=False, index=True),
)

figures = Table(
    "figures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "mention_id",
        Integer,
        ForeignKey("provision_mentions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("value", Float, nullable=False),
    Column("unit", String(64)),
    Column("status", String(16), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
)

stances = _item_table(
    "stances",
    Column("holder", Text, nullable=False, index=True),
    Column("target", String(128), nullable=False, index=True),
    Column("polarity", String(16), nullable=False),
    Column("cue", Text),
)

events = _item_table(
    "events",
    Column("type", String(64), nullable=False, index=True),
    Column("actors", JSON, nullable=False),
    Column("location", Text),
    Column("trigger", Text),
    Column("date", Date),
)

event_parties = Table(
    "event_parties",
    metadata,
    Column(
        "event_id",
        Integer,
        ForeignKey("events.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("party", String(128), primary_key=True, index=True),
)

# SQLite FTS5 tables, created by the migration on SQLite only; kept out of ``metadata`` so the
# schema comparison ignores them. ``documents_fts`` stores its own copy keyed by document id
# (document ids are text, FTS5 needs integer rowids); ``quotes_fts`` indexes quotes by rowid.
fts_metadata = MetaData()
documents_fts = Table(
    "documents_fts", fts_metadata, Column("document_id"), Column("title"), Column("text")
)
quotes_fts = Table(
    "quotes_fts", fts_metadata, Column("rowid", Integer), Column("text"), Column("speaker")
)

# PostgreSQL full-text search, created by the migration on PostgreSQL only: a generated
# ``search`` tsvector column (with a GIN index) on documents (title and text) and quotes (text and
# speaker), in the ``accord_text`` configuration. Also kept out of ``metadata``.
SEARCH_CONFIG = "accord_text"
documents_search = table("documents", column("id"), column("search", TSVECTOR))
quotes_search = table("quotes", column("id"), column("search", TSVECTOR))

# Migration 0005's one-row counter of changes to the extracted record, written only by triggers on
# extractions and reviews (whatever code writes them); ``Store.version()`` reads it. Also kept out
# of ``metadata``.
record_version = table("record_version", column("changes", BigInteger))

# Analyst review (migration 0002): the latest decision per item, and every change made.
review_decisions = Table(
    "review_decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", String(16), ForeignKey("documents.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("case", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("item_key", String(255), nullable=False),
    Column("item_id", Integer),
    Column("action", String(16), nullable=False),
    Column("reviewer", String(100), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("item", JSON, nullable=False),
    UniqueConstraint("document_id", "case", "kind", "item_key"),
)
review_audit = Table(
    "review_audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", String(16), nullable=False, index=True),
    Column("case", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("item_id", Integer),
    Column("item_key", String(255), nullable=False),
    Column("action", String(16), nullable=False),
    Column("reviewer", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Column("note", Text),
)
