"""Storage: SQLAlchemy over SQLite or PostgreSQL, schema owned by Alembic migrations."""

from accord.store.store import AddResult, Store

__all__ = ["AddResult", "Store"]
