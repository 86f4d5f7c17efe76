"""What every analysis shares: the cache per store version, sources, plan versions, figures."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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


class _Memo:
    """One store's cached analyses, valid for one store version, and (when the store answers
    from them while refreshing) the newest result of every key from earlier versions."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version: tuple[Any, ...] | None = None
        self.results: dict[Hashable, tuple[Case, Any]] = {}
        self.background = False
        self.previous: dict[Hashable, tuple[Case, Any]] = {}
        self.pending: dict[Hashable, tuple[Case, Callable[[], Any]]] = {}
        self.worker: threading.Thread | None = None


_MEMOS: WeakKeyDictionary[Store, _Memo] = WeakKeyDictionary()
_MEMOS_LOCK = threading.Lock()
_LOG = logging.getLogger(__name__)
_REFRESHING = threading.local()  # set in the refreshing thread: it computes, never serves stale
# Versions read in the current ``one_version`` block, per store (None outside any block).
_PINNED: ContextVar[dict[Store, tuple[Any, ...]] | None] = ContextVar("accord_pinned_version",
                                                                      default=None)


def _memo(store: Store) -> _Memo:
    with _MEMOS_LOCK:
        return _MEMOS.setdefault(store, _Memo())


@contextmanager
def one_version() -> Iterator[None]:
    """Within the block (one web request), cached analyses answer for the store version read on
    first need: a page showing several analyses paid for the version query once per analysis.
    Not for a block that writes and then reads: it would keep the version from before its write.
    Threads that copy the block's context (FastAPI's threadpool) share its version."""
    token = _PINNED.set({})
    try:
        yield
    finally:
        _PINNED.reset(token)


def _version(store: Store, memo: _Memo) -> tuple[Any, ...]:
    """The store's version, read once per ``one_version`` block while the memo stays at it: a
    memo that moved on meanwhile has seen a newer version, which is read again rather than the
    memo set back (and its newer results dropped)."""
    pinned = _PINNED.get()
    if pinned is not None and store in pinned and pinned[store] == memo.version:
        return pinned[store]
    version = store.version()
    if pinned is not None:
        pinned[store] = version
    return version


def cached(store: Store, case: Case, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per store version: every page load recomputing the whole record's
    analyses is what made the dashboard slow. The result is shared, so callers must not
    mutate it. The case is held by identity: two case objects of one name may differ.

    For a store that refreshes in the background (``refresh_in_background``), a key computed
    for an earlier version answers at once with that result while one thread recomputes it."""
    memo = _memo(store)
    version = _version(store, memo)
    full_key = (case.name, id(case), key)
    with memo.lock:
        if memo.version != version:
            if memo.background:
                memo.previous.update(memo.results)
                _trim(memo.previous)
            memo.version, memo.results = version, {}
        hit = memo.results.get(full_key)
        if hit is None and memo.background and not getattr(_REFRESHING, "on", False):
            hit = memo.previous.get(full_key)
            if hit is not None and hit[0] is case:
                memo.pending[full_key] = (case, compute)
                if memo.worker is None:
                    memo.worker = threading.Thread(target=_refresh, args=(memo,), daemon=True,
                                                   name="accord-refresh")
                    memo.worker.start()
    if hit is not None and hit[0] is case:
        return hit[1]
    result = compute()
    _keep(memo, version, full_key, case, result)
    return result


def _keep(memo: _Memo, version: tuple[Any, ...] | None, key: Hashable, case: Case,
          result: Any) -> None:
    with memo.lock:
        if memo.version == version:
            memo.results[key] = (case, result)
            _trim(memo.results)
        if memo.background:
            memo.previous[key] = (case, result)
            _trim(memo.previous)


def _trim(results: dict[Hashable, Any]) -> None:
    while len(results) > _CACHED:  # the oldest goes first
        del results[next(iter(results))]


def _refresh(memo: _Memo) -> None:
    """The refreshing thread: recomputes the keys served stale, one at a time, until none is
    left (each at the store's version when it starts)."""
    _REFRESHING.on = True
    while True:
        with memo.lock:
            if not memo.pending:
                memo.worker = None
                return
            key, (case, compute) = memo.pending.popitem()
            version = memo.version
        try:
            _keep(memo, version, key, case, compute())
        except Exception:  # a failed refresh leaves the stale result; the next request retries
            _LOG.exception("refreshing %s failed", key)


def refresh_in_background(store: Store) -> None:
    """Answer from the previous results while one thread refreshes them (stale while
    revalidate): after a write, a request no longer waits for the analyses it needs. A server
    wants this; a command that reports once wants fresh results and leaves it off."""
    _memo(store).background = True


def refreshing(store: Store) -> bool:
    """Whether results served now may be from before the latest write (a refresh is running)."""
    memo = _memo(store)
    with memo.lock:
        return memo.worker is not None


@lru_cache(maxsize=8192)
def to_date(value: str | date | None) -> date | None:
    """Store rows carry ISO strings; analyses compare dates (few distinct days, many rows)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def clean(text: str | None) -> str:
    """Evidence spans keep the article's line breaks and trailing blanks; one line reads better."""
    return " ".join((text or "").split())


@dataclass(frozen=True, slots=True)
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
