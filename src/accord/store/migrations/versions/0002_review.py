"""Analyst review: the latest decision per extracted item, and an append-only audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("document_id", sa.String(16), nullable=False),
        sa.Column("case", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("item_key", sa.String(255), nullable=False),
        sa.Column("item_id", sa.Integer),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("item", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_decisions"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name="fk_review_decisions_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "document_id", "case", "kind", "item_key",
            name="uq_review_decisions_document_id_case_kind_item_key",
        ),
    )
    op.create_index("ix_review_decisions_document_id", "review_decisions", ["document_id"])
    # No foreign key: the audit trail outlives the items (and documents) it describes.
    op.create_table(
        "review_audit",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("document_id", sa.String(16), nullable=False),
        sa.Column("case", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("item_id", sa.Integer),
        sa.Column("item_key", sa.String(255), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("before", sa.JSON),
        sa.Column("after", sa.JSON),
        sa.Column("note", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_review_audit"),
    )
    op.create_index("ix_review_audit_document_id", "review_audit", ["document_id"])


def downgrade() -> None:
    op.drop_table("review_audit")
    op.drop_table("review_decisions")
