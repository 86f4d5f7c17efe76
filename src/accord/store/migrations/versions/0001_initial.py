"""Initial schema: documents, sources, stories, extractions and their items, full-text search.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ITEM_TABLES = ("actors", "quotes", "provision_mentions", "stances", "events")


def _item_columns(table: str) -> list[sa.Column | sa.Constraint]:
    """Columns every extracted-item table shares: owner extraction and character offsets."""
    return [
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("document_id", sa.String(16), nullable=False),
        sa.Column("case", sa.String(64), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id", "case"],
            ["extractions.document_id", "extractions.case"],
            name=f"fk_{table}_document_id_case_extractions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def _index(table: str, *columns: str) -> None:
    op.create_index(f"ix_{table}_{'_'.join(columns)}", table, list(columns))


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("first_published", sa.Date),
        sa.PrimaryKeyConstraint("id", name="pk_stories"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("published", sa.Date),
        sa.Column("site", sa.String(255)),
        sa.Column("author", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("language", sa.String(16)),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name="fk_documents_story_id_stories"
        ),
    )
    _index("documents", "published")
    _index("documents", "site")
    _index("documents", "story_id")
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("document_id", sa.String(16), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name="fk_sources_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("document_id", "source", name="uq_sources_document_id_source"),
    )
    op.create_table(
        "extractions",
        sa.Column("document_id", sa.String(16), nullable=False),
        sa.Column("case", sa.String(64), nullable=False),
        sa.Column("extracted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("document_id", "case", name="pk_extractions"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name="fk_extractions_document_id_documents",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "actors",
        *_item_columns("actors"),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.Text),
        sa.Column("party", sa.String(64)),
        sa.Column("mentions", sa.JSON, nullable=False),
        sa.Column("mention_count", sa.Integer, nullable=False),
    )
    _index("actors", "name")
    _index("actors", "party")
    op.create_table(
        "quotes",
        *_item_columns("quotes"),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("speaker", sa.Text),
        sa.Column("party", sa.String(64)),
        sa.Column("cue", sa.Text),
        sa.Column("speaker_start", sa.Integer),
        sa.Column("speaker_end", sa.Integer),
    )
    _index("quotes", "party")
    op.create_table(
        "provision_mentions",
        *_item_columns("provision_mentions"),
        sa.Column("provision_id", sa.String(128), nullable=False),
    )
    _index("provision_mentions", "provision_id")
    op.create_table(
        "figures",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("mention_id", sa.Integer, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("unit", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_figures"),
        sa.ForeignKeyConstraint(
            ["mention_id"],
            ["provision_mentions.id"],
            name="fk_figures_mention_id_provision_mentions",
            ondelete="CASCADE",
        ),
    )
    _index("figures", "mention_id")
    op.create_table(
        "stances",
        *_item_columns("stances"),
        sa.Column("holder", sa.Text, nullable=False),
        sa.Column("target", sa.String(128), nullable=False),
        sa.Column("polarity", sa.String(16), nullable=False),
        sa.Column("cue", sa.Text),
    )
    _index("stances", "holder")
    _index("stances", "target")
    op.create_table(
        "events",
        *_item_columns("events"),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("actors", sa.JSON, nullable=False),
        sa.Column("location", sa.Text),
        sa.Column("trigger", sa.Text),
        sa.Column("date", sa.Date),
    )
    _index("events", "type")
    op.create_table(
        "event_parties",
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("party", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "party", name="pk_event_parties"),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name="fk_event_parties_event_id_events",
            ondelete="CASCADE",
        ),
    )
    _index("event_parties", "party")
    for table in ITEM_TABLES:
        _index(table, "document_id")

    # Full-text search is dialect-specific.
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _create_sqlite_fts()
    elif dialect == "postgresql":
        _create_postgresql_fts()


def _create_sqlite_fts() -> None:
    """FTS5 indexes kept in sync by triggers, so every write path (and rollback) covers them."""
    tokenize = "tokenize = 'porter unicode61 remove_diacritics 2'"
    for statement in (
        "CREATE VIRTUAL TABLE documents_fts USING fts5("
        f"document_id UNINDEXED, title, text, {tokenize})",
        """CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
             INSERT INTO documents_fts (document_id, title, text)
             VALUES (new.id, new.title, new.text);
           END""",
        """CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
             DELETE FROM documents_fts WHERE document_id = old.id;
           END""",
        """CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text ON documents BEGIN
             UPDATE documents_fts SET title = new.title, text = new.text
             WHERE document_id = old.id;
           END""",
        "CREATE VIRTUAL TABLE quotes_fts USING fts5("
        f"text, speaker, content = 'quotes', content_rowid = 'id', {tokenize})",
        """CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes BEGIN
             INSERT INTO quotes_fts (rowid, text, speaker) VALUES (new.id, new.text, new.speaker);
           END""",
        """CREATE TRIGGER quotes_fts_delete AFTER DELETE ON quotes BEGIN
             INSERT INTO quotes_fts (quotes_fts, rowid, text, speaker)
             VALUES ('delete', old.id, old.text, old.speaker);
           END""",
        """CREATE TRIGGER quotes_fts_update AFTER UPDATE OF text, speaker ON quotes BEGIN
             INSERT INTO quotes_fts (quotes_fts, rowid, text, speaker)
             VALUES ('delete', old.id, old.text, old.speaker);
             INSERT INTO quotes_fts (rowid, text, speaker) VALUES (new.id, new.text, new.speaker);
           END""",
    ):
        op.execute(statement)


def _create_postgresql_fts() -> None:
    """Generated tsvector columns with GIN indexes, so PostgreSQL keeps them in step with every
    write. The ``accord_text`` configuration mirrors SQLite's FTS5 tokenizer (English stemming,
    accents folded, no stop words), so a search finds the same rows on both backends."""
    for statement in (
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        "CREATE TEXT SEARCH DICTIONARY accord_stem (TEMPLATE = snowball, Language = english)",
        "CREATE TEXT SEARCH CONFIGURATION accord_text (COPY = english)",
        "ALTER TEXT SEARCH CONFIGURATION accord_text ALTER MAPPING FOR asciiword, word, "
        "hword, hword_part, hword_asciipart, asciihword WITH unaccent, accord_stem",
        "ALTER TABLE documents ADD COLUMN search tsvector GENERATED ALWAYS AS "
        "(to_tsvector('accord_text', coalesce(title, '') || ' ' || text)) STORED",
        "CREATE INDEX ix_documents_search ON documents USING gin (search)",
        "ALTER TABLE quotes ADD COLUMN search tsvector GENERATED ALWAYS AS "
        "(to_tsvector('accord_text', text || ' ' || coalesce(speaker, ''))) STORED",
        "CREATE INDEX ix_quotes_search ON quotes USING gin (search)",
    ):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE IF EXISTS quotes_fts")
        op.execute("DROP TABLE IF EXISTS documents_fts")
    for table in (
        "event_parties",
        "events",
        "stances",
        "figures",
        "provision_mentions",
        "quotes",
        "actors",
        "extractions",
        "sources",
        "documents",
        "stories",
    ):
        op.drop_table(table)
    if dialect == "postgresql":  # the extension stays: other schemas may use it
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS accord_text")
        op.execute("DROP TEXT SEARCH DICTIONARY IF EXISTS accord_stem")
