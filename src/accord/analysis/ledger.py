"""Per-row analysis results kept between store versions, refreshed by the documents that changed.

Rebuilding an analysis from whole-store reads took seconds to a minute and a half at 100k
documents: every item read with its sentence (cut from the article text) and classified in
Python. After an ingest or a review only a few documents differ, so a ledger keeps each
document's rows already turned into what the analyses use, and on a new store version re-reads
only the documents extracted (or re-extracted) or reviewed since; the analyses then aggregate the
kept rows in memory. A re-read document's rows replace all of its old ones, so re-extraction,
corrections and rejections leave nothing stale.
"""

from __future__ import annotations

import gc
import threading
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any, Generic, Protocol, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Connection

from accord.case import Case
from accord.store import Store
from accord.store.analysis_queries import changes

from .sources import Row

# Extractions saved up to this long before the newest one seen are checked again: writers on
# other hosts stamp them with their own clocks, which may lag.
MARGIN = timedelta(minutes=2)
# Past this share of documents changed (and this many), one streamed read of everything beats
# slices of ids.
FULL_SHARE, FULL_LEAST = 0.2, 1000


class Keyed(Protocol):
    """A kept row: ``key`` orders rows as the analyses read them, ``document_id`` owns it."""

    @property
    def key(self) -> tuple[Any, ...]: ...

    @property
    def document_id(self) -> str: ...


R = TypeVar("R", bound=Keyed)


class Index(Protocol[R]):
    """Something an analysis keeps over a ledger's rows and updates with each change."""

    def update(self, removed: list[R], added: list[R]) -> None: ...


Reader = Callable[..., Iterable[Row]]  # (conn, *, case, ids) -> item rows, read while iterated


class Ledger(Generic[R]):
    """One kind of item's kept rows for one store and case. Use under ``lock``: ``refresh``,
    then read ``rows()``, ``ordered()`` or ``index`` before another thread refreshes."""

    def __init__(self, read: Reader, convert: Callable[[Row], R | None],
                 index: Callable[[], Index[R]] | None = None) -> None:
        self.lock = threading.RLock()
        self._read, self._convert, self._index_factory = read, convert, index
        self.index: Index[R] | None = None
        self._rows: dict[str, list[R]] = {}
        self._marks: dict[str, datetime] = {}  # document -> extraction time of its kept rows
        self._newest: datetime | None = None
        self._audit = 0
        self._version: tuple[Any, ...] | None = None
        self._ordered: list[R] | None = None  # sorted by key once asked for, then kept so

    def refresh(self, store: Store, case: str) -> None:
        """Bring the kept rows to the store's state, in one read snapshot."""
        store._read(lambda conn: self._refresh(conn, case))

    def rows(self) -> Iterator[R]:
        """Every kept row, in no particular order."""
        return (r for found in self._rows.values() for r in found)

    def ordered(self) -> list[R]:
        """Every kept row by key; sorted once when first asked for, then kept sorted across
        changes (``merge_sorted``)."""
        if self._ordered is None:
            self._ordered = sorted(self.rows(), key=_KEY)
        return self._ordered

    def _refresh(self, conn: Connection, case: str) -> None:
        since = self._newest - MARGIN if self._newest is not None else None
        look = changes(conn, case=case, since=since, audit=self._audit)
        if look.version == self._version:
            return
        fresh = {d: m for d, m in look.marks if self._marks.get(d) != m}
        changed = set(fresh) | look.reviewed
        known = len(self._marks) + sum(d not in self._marks for d in fresh)
        if since is None or known != look.extractions or (
                len(changed) > max(FULL_SHARE * look.extractions, FULL_LEAST)):
            if since is not None:  # the look saw recent marks only
                look = changes(conn, case=case, since=None, audit=self._audit)
            with _bulk():
                self._rebuild(conn, case, dict(look.marks))
        else:
            self._apply(conn, case, changed, fresh)
        self._audit, self._version = look.audit, look.version
        self._newest = max(self._marks.values(), default=None)

    def _rebuild(self, conn: Connection, case: str, marks: dict[str, datetime]) -> None:
        self._rows, self._marks = self._grouped(self._read(conn, case=case, ids=None)), marks
        self._ordered = None
        self.index = self._index_factory() if self._index_factory else None
        if self.index is not None:
            self.index.update([], list(self.rows()))

    def _apply(self, conn: Connection, case: str, changed: set[str],
               fresh: dict[str, datetime]) -> None:
        found = self._grouped(self._read(conn, case=case, ids=changed) if changed else [])
        removed = [r for d in changed for r in self._rows.pop(d, ())]
        self._rows.update(found)
        self._marks.update(fresh)
        added = [r for d in changed for r in found.get(d, ())]
        if self.index is not None:
            self.index.update(removed, added)
        if self._ordered is not None:
            self._ordered = merge_sorted(self._ordered, removed, added)

    def _grouped(self, rows: Iterable[Row]) -> dict[str, list[R]]:
        grouped: dict[str, list[R]] = defaultdict(list)
        for row in rows:
            kept = self._convert(row)
            if kept is not None:
                grouped[kept.document_id].append(kept)
        return dict(grouped)


_KEY = attrgetter("key")
D = TypeVar("D")


class Groups(Generic[R, D]):
    """A ledger index: rows by group, each group in key order, and a value derived from each
    group that is recomputed only for the groups a change touched (a small ingest touches a
    few merged events, stance cells or provisions, not the whole record)."""

    def __init__(self, group: Callable[[R], Hashable], derive: Callable[[list[R]], D]) -> None:
        self._group, self._derive = group, derive
        self.rows: dict[Hashable, list[R]] = {}
        self._derived: dict[Hashable, D] = {}

    def update(self, removed: list[R], added: list[R]) -> None:
        gone: dict[Hashable, list[R]] = defaultdict(list)
        new: dict[Hashable, list[R]] = defaultdict(list)
        for r in removed:
            gone[self._group(r)].append(r)
        for r in added:
            new[self._group(r)].append(r)
        for group in gone.keys() | new.keys():
            kept = merge_sorted(self.rows.get(group, []), gone[group], new[group])
            if kept:
                self.rows[group] = kept
            else:
                self.rows.pop(group, None)
            self._derived.pop(group, None)

    def derived(self) -> dict[Hashable, D]:
        """Every group's value, in the order groups first appeared."""
        for group, rows in self.rows.items():
            if group not in self._derived:
                self._derived[group] = self._derive(rows)
        return {group: self._derived[group] for group in self.rows}


def merge_sorted(ordered: list[R], removed: list[R], added: list[R]) -> list[R]:
    """``ordered`` (sorted by key) without ``removed`` and with ``added``: a long sorted run
    and a short one merge in about linear time, where sorting anew would not."""
    added = sorted(added, key=_KEY)
    if not removed and (not added or not ordered or ordered[-1].key <= added[0].key):
        return ordered + added
    gone = set(map(id, removed))
    kept = [r for r in ordered if id(r) not in gone] if gone else list(ordered)
    kept.extend(added)
    kept.sort(key=_KEY)
    return kept


@contextmanager
def _bulk() -> Iterator[None]:
    """No cyclic garbage collection while a whole record is converted: the rows are acyclic,
    and collections triggered by their allocations, each walking every live object, cost more
    than the conversion itself (a 330k-event timeline: 19 s with collections, 4 s without)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_LEDGERS: WeakKeyDictionary[Store, dict[Hashable, tuple[Case, Ledger[Any]]]] = (
    WeakKeyDictionary())
_LEDGERS_LOCK = threading.Lock()


def ledger(store: Store, case: Case, kind: str, make: Callable[[], Ledger[R]]) -> Ledger[R]:
    """The store's ledger of ``kind`` for the case, made on first need (the case is held by
    identity: conversions depend on its catalogue)."""
    key = (case.name, id(case), kind)
    with _LEDGERS_LOCK:
        kept = _LEDGERS.setdefault(store, {})
        hit = kept.get(key)
        if hit is None or hit[0] is not case:
            hit = kept[key] = (case, make())
    return hit[1]
