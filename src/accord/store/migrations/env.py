"""Alembic environment: the store runs migrations on its own open connection (never from a CLI)."""

from __future__ import annotations

from alembic import context

from accord.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
