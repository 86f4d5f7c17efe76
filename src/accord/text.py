"""Text normalisation shared by every stage."""

from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """Case- and accent-insensitive form for comparing names ("Zelenskyy" = "ZELENSKYY", "Orbán" = "Orban")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()
