"""What every analysis shares: reading whole result sets, sources, plan versions, figures."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from accord.case import Case, PlanVersion
from accord.store import Store

Row = dict[str, Any]
T = TypeVar("T")
# Results kept per store and version: the overview's few, and a handful of as_of dates an analyst
# browses; each holds objects for the whole record, so not many more.
_CACHED = 256


def read_all(query: Callable[..., list[Row]], **filters: Any) -> list[Row]:
    """Every row of a Store query in one streamed read: the analyses need the whole record."""
    return query(**filters, limit=None)


class _Memo:
    """One store's cached analyses, valid for one store version."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version: tuple[Any, ...] | None = None
        self.results: dict[Hashable, tuple[Case, Any]] = {}


_MEMOS: WeakKeyDictionary[Store, _Memo] = WeakKeyDictionary()
_MEMOS_LOCK = threading.Lock()


def cached(store: Store, case: Case, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per store version: every page load recomputing the whole record's
    analyses is what made the dashboard slow. The result is shared, so callers must not
    mutate it. The case is held by identity: two case objects of one name may differ."""
    with _MEMOS_LOCK:
        memo = _MEMOS.setdefault(store, _Memo())
    version = store.version()
    full_key = (case.name, id(case), key)
    with memo.lock:
        if memo.version != version:
            memo.version, memo.results = version, {}
        hit = memo.results.get(full_key)
    if hit is not None and hit[0] is case:
        return hit[1]
    result = compute()
    with memo.lock:
        if memo.version == version:
            memo.results[full_key] = (case, result)
            while len(memo.results) > _CACHED:  # the oldest goes first
                del memo.results[next(iter(memo.results))]
    return result


@lru_cache(maxsize=8192)
def to_date(value: str | date | None) -> date | None:
    """Store rows carry ISO strings; analyses compare dates (few distinct days, many rows)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def clean(text: str | None) -> str:
    """Evidence spans keep the article's line breaks and trailing blanks; one line reads better."""
    return " ".join((text or "").split())


@dataclass(frozen=True)
class Source:
    """Where an item was reported: the article and the exact sentence."""

    document_id: str
    title: str | None
    url: str | None
    published: date | None
    evidence: str

    @classmethod
    def of(cls, row: Row) -> Source:
        """From an item row of the Store (stances, events, provision mentions)."""
        return cls(row["document_id"], row.get("document_title"), row.get("url"),
                   to_date(row.get("published")), clean(row.get("evidence")))

    def to_dict(self) -> Row:
        return {"document_id": self.document_id, "title": self.title, "url": self.url,
                "published": self.published.isoformat() if self.published else None,
                "evidence": self.evidence}


def version_names(case: Case) -> dict[str, str]:
    """Version id -> the name analysts use for the draft (the case file's first name for it)."""
    return {v.id: v.names[0] if v.names else v.id for v in case.versions}


class Versions:
    """The case's plan versions in date order, and how sentences name them."""

    def __init__(self, case: Case) -> None:
        self.ordered: tuple[PlanVersion, ...] = tuple(sorted(case.versions, key=lambda v: v.date))
        self.rank = {v.id: i for i, v in enumerate(self.ordered)}
        names = sorted(((n, v.id) for v in self.ordered for n in v.names), key=lambda nv: -len(nv[0]))
        self._names = [(re.compile(rf"(?<!\w){re.escape(n)}(?!\w)", re.IGNORECASE), vid)
                       for n, vid in names]
        # Most sentences name no version: a substring test says so before the regex passes.
        self._lowered = tuple({n.lower() for n, _ in names})

    def named(self, text: str) -> list[tuple[int, str]]:
        """(offset, version id) of every version name in the text, longest names first claimed."""
        lowered = text.lower()
        if not any(n in lowered for n in self._lowered):
            return []
        taken: list[tuple[int, int]] = []
        found: list[tuple[int, str]] = []
        for pattern, vid in self._names:
            for m in pattern.finditer(text):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                taken.append((m.start(), m.end()))
                found.append((m.start(), vid))
        return sorted(found)

    def latest_on(self, day: date | None) -> str | None:
        """The newest version published on or before the day: what an article of that day discusses."""
        if day is None:
            return None
        current = None
        for version in self.ordered:
            if version.date <= day:
                current = version.id
        return current


def format_figure(value: float, unit: str | None) -> str:
    """A figure as an analyst writes it: 600,000 troops, $100 billion, 50%, 60 days."""
    if unit == "share":
        return f"{value * 100:g}%"
    if unit in ("USD", "EUR"):
        sign = "$" if unit == "USD" else "€"
        for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
            if abs(value) >= size:
                return f"{sign}{value / size:g} {word}"
        return f"{sign}{value:,.0f}"
    number = f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"
    return f"{number} {unit}" if unit in ("days", "months", "years", "people") else number
