"""Indexes for the dashboard's listings: documents newest first, and the store version
(latest extraction) that keys the analysis cache.

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-03
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_documents_published_ingested_at", "documents", ["published", "ingested_at"])
    op.create_index("ix_extractions_extracted_at", "extractions", ["extracted_at"])


def downgrade() -> None:
    op.drop_index("ix_extractions_extracted_at", table_name="extractions")
    op.drop_index("ix_documents_published_ingested_at", table_name="documents")
