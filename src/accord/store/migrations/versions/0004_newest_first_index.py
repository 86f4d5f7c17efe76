"""Index for "newest first" listings in the listing's own order (published descending with
undated documents last, then ingested_at descending, then id), so a page of documents is read
from the index instead of sorting the whole table: 200 ms at 100k documents.

SQLite already puts NULLs last when descending (and has no NULLS LAST in CREATE INDEX);
PostgreSQL puts them first unless told, and then cannot use the index for the listing.

Revision ID: 0004
Revises: 0003
Create Date: 2025-01-04
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NULLS_LAST = {"postgresql": " NULLS LAST", "sqlite": ""}


def upgrade() -> None:
    nulls = NULLS_LAST[op.get_bind().dialect.name]
    op.execute(f"CREATE INDEX ix_documents_newest ON documents "
               f"(published DESC{nulls}, ingested_at DESC, id)")


def downgrade() -> None:
    op.drop_index("ix_documents_newest", table_name="documents")
