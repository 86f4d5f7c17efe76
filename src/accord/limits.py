"""Per-document limits: what keeps one hostile input from hanging a batch or exhausting memory.

Every reader cost is linear in the input, so bounding the input bounds the time and memory of a
file; the time limit is the backstop for whatever is still slow. Defaults suit news articles
(a long one is 30,000 characters; a heavy page 3 MB) with a wide margin. Each limit can be set
through an environment variable, or by passing a ``Limits`` to the ingest readers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from accord.errors import AccordError

MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """``max_bytes``: a file (or WARC record) larger than this is rejected unread.
    ``max_chars``: an article's text is cut at the last paragraph end before this many
    characters, so that the parser's time and memory stay bounded.
    ``timeout``: seconds one file may take to read; 0 disables the limit."""

    max_bytes: int = 10 * MB
    max_chars: int = 100_000
    timeout: float = 60.0

    def __post_init__(self) -> None:
        if self.max_bytes <= 0 or self.max_chars <= 0 or self.timeout < 0:
            raise AccordError(f"limits must be positive: {self}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Limits:
        """Defaults overridden by ACCORD_MAX_BYTES, ACCORD_MAX_CHARS and ACCORD_TIMEOUT."""
        values: dict[str, float] = {}
        for field in fields(cls):
            name = f"ACCORD_{field.name.upper()}"
            raw = environ.get(name)
            if raw is None or not raw.strip():
                continue
            kind = int if field.type == "int" else float
            try:
                values[field.name] = kind(raw)
            except ValueError:
                raise AccordError(f"{name} must be a number, not {raw!r}") from None
        return cls(**values)  # type: ignore[arg-type]
