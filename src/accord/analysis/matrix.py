"""Stance matrix: where each party stands on the plan and on each provision, and how that moved."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import takewhile
from typing import Any

from accord.case import Case
from accord.store import Store
from accord.store.analysis_queries import stance_rows

from .ledger import Groups, Ledger, ledger
from .sources import Row, Source, cached, to_date

POLARITIES = ("support", "oppose", "mixed")
_WEEK = timedelta(days=6)  # the latest day and the six before it


@dataclass(frozen=True)
class Evidence:
    """One stance report: who, on what, which way, where it was read."""

    party: str
    target: str
    polarity: str
    date: date
    source: Source


@dataclass(frozen=True)
class Cell:
    """One party on one target: the latest stance, how often each stance was reported."""

    polarity: str
    counts: dict[str, int]
    latest: Evidence

    def to_dict(self) -> Row:
        return {"polarity": self.polarity, "counts": dict(self.counts),
                "latest": _latest(self.latest)}


@dataclass(frozen=True)
class StanceMove:
    """A change in a party's stance on a target from one reporting day to a later one."""

    party: str
    target: str
    date: date
    before: str
    after: str
    source: Source

    def to_dict(self) -> Row:
        return {"party": self.party, "target": self.target, "date": self.date.isoformat(),
                "before": self.before, "after": self.after, "evidence": self.source.evidence,
                "document_id": self.source.document_id, "title": self.source.title,
                "url": self.source.url}


def _latest(e: Evidence) -> Row:
    return {"date": e.date.isoformat(), "evidence": e.source.evidence,
            "document_id": e.source.document_id, "title": e.source.title, "url": e.source.url}


@dataclass
class StanceMatrix:
    parties: list[str]
    targets: list[str]
    cells: dict[tuple[str, str], Cell]
    moves: list[StanceMove]
    as_of: date | None = None

    def to_dict(self) -> Row:
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "parties": self.parties,
            "targets": self.targets,
            "cells": [{"party": p, "target": t} | cell.to_dict()
                      for (p, t), cell in self.cells.items()],
            "moves": [m.to_dict() for m in self.moves],
        }


def stance_evidence(store: Store, case: Case, *, as_of: date | None = None) -> list[Evidence]:
    """Dated stance reports up to ``as_of``, oldest first; a syndicated copy of a sentence
    already counted from the same story is not counted again. Cached per store version: do not
    mutate the list."""
    return cached(store, case, ("stances", as_of), lambda: _stance_evidence(store, case, as_of))


@dataclass(frozen=True, slots=True)
class _Report:
    """One dated stance row as kept between versions (``ledger``)."""

    key: tuple[str, str, int, int]  # published, document, offset, id: the reading order
    document_id: str
    copy: tuple[object, ...]  # what a syndicated copy of the same report shares
    evidence: Evidence


def _report(row: Row) -> _Report | None:
    day = to_date(row["published"])
    if day is None:
        return None
    source = Source.of(row)
    copy = (row["story_id"], row["holder"], row["target"], row["polarity"], source.evidence)
    return _Report((row["published"], row["document_id"], row["start"], row["id"]),
                   row["document_id"], copy,
                   Evidence(row["holder"], row["target"], row["polarity"], day, source))


def _stances(store: Store, case: Case) -> Ledger[_Report]:
    return ledger(store, case, "stances", lambda: Ledger(
        stance_rows, _report, lambda: Groups(_pair_of, lambda reports: _pair(_first_copies(
            reports)))))


def _pair_of(report: _Report) -> tuple[str, str]:
    return report.evidence.party, report.evidence.target


def _first_copies(reports: Iterable[_Report]) -> list[Evidence]:
    """The reports in order, a syndicated copy of one already counted left out."""
    seen: set[tuple[object, ...]] = set()
    out: list[Evidence] = []
    for report in reports:
        if report.copy not in seen:
            seen.add(report.copy)
            out.append(report.evidence)
    return out


def _stance_evidence(store: Store, case: Case, as_of: date | None) -> list[Evidence]:
    kept = _stances(store, case)
    last = as_of.isoformat() if as_of else None
    with kept.lock:
        kept.refresh(store, case.name)
        return _first_copies(takewhile(lambda r: last is None or r.key[0] <= last,
                                       kept.ordered()))


def stance_matrix(store: Store, case: Case, *, as_of: date | None = None) -> StanceMatrix:
    """Parties by how much they are reported, targets "plan" first then in catalogue order.
    Cached per store version: do not mutate the matrix."""
    return cached(store, case, ("matrix", as_of), lambda: _matrix(store, case, as_of))


@dataclass(frozen=True)
class _Pair:
    """One party on one target: its reports (copies counted once), the cell, the moves."""

    evidence: list[Evidence]
    cell: Cell
    moves: list[StanceMove]


def _pair(found: list[Evidence]) -> _Pair:
    return _Pair(found, _cell(found), _moves(found))


def _matrix(store: Store, case: Case, as_of: date | None) -> StanceMatrix:
    pairs: dict[Any, _Pair]
    if as_of is None:  # kept per pair, recomputed only for the pairs a change touched
        kept = _stances(store, case)
        with kept.lock:
            kept.refresh(store, case.name)
            assert isinstance(kept.index, Groups)
            pairs = kept.index.derived()
    else:
        grouped: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
        for e in stance_evidence(store, case, as_of=as_of):
            grouped[(e.party, e.target)].append(e)
        pairs = {key: _pair(found) for key, found in grouped.items()}
    weight: dict[str, int] = defaultdict(int)
    for (party, _), pair in pairs.items():
        weight[party] += len(pair.evidence)
    order = {p.id: i for i, p in enumerate(case.provisions)}
    reported = {t for _, t in pairs} - {"plan"}
    targets = ["plan", *sorted(reported, key=lambda t: (order.get(t, len(order)), t))]
    parties = sorted(weight, key=lambda p: (-weight[p], p))
    cells: dict[tuple[str, str], Cell] = {}
    moves: list[StanceMove] = []
    for party in parties:
        for target in targets:
            pair = pairs.get((party, target))
            if pair is not None:
                cells[(party, target)] = pair.cell
                moves.extend(pair.moves)
    moves.sort(key=lambda m: (m.date, m.party, m.target))
    return StanceMatrix(parties, targets, cells, moves, as_of)


def _polarity(found: list[Evidence]) -> str:
    kinds = {e.polarity for e in found}
    return "mixed" if "mixed" in kinds or {"support", "oppose"} <= kinds else found[-1].polarity


def _cell(found: list[Evidence]) -> Cell:
    latest = found[-1]
    week = [e for e in found if e.date >= latest.date - _WEEK]
    given = Counter(e.polarity for e in found)
    counts = {p: given[p] for p in POLARITIES}
    polarity = "mixed" if {"support", "oppose"} <= {e.polarity for e in week} else latest.polarity
    return Cell(polarity, counts, latest)


def _moves(found: list[Evidence]) -> list[StanceMove]:
    """Day by day, each time the reported stance differs from the day before it was reported."""
    days: dict[date, list[Evidence]] = defaultdict(list)
    for e in found:
        days[e.date].append(e)
    moves: list[StanceMove] = []
    before: str | None = None
    for day in sorted(days):
        after = _polarity(days[day])
        if before is not None and after != before:
            first = next((e for e in days[day] if e.polarity == after), days[day][0])
            moves.append(StanceMove(first.party, first.target, day, before, after, first.source))
        before = after
    return moves
