"""Timeline: what happened when, one entry per interaction however many articles reported it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter

from accord.case import Case
from accord.store import Store
from accord.store.analysis_queries import event_rows

from .ledger import Groups, Ledger, ledger
from .sources import Row, Source, cached, to_date

MERGE_DAYS = 2  # reports of one interaction disagree by a day or two on when it happened


@dataclass
class TimelineEvent:
    """One interaction. ``date`` is the day it happened when an article said so ("on Sunday"),
    else the day the first report was published (``date_resolved`` tells which)."""

    date: date
    date_resolved: bool
    type: str
    actors: list[str]
    location: str | None
    trigger: str | None
    source: Source
    sources: list[Source] = field(default_factory=list)
    # (document, sentence) of every source: a widely reported meeting gathers thousands of
    # reports, and rebuilding this per report made merging quadratic.
    _known: set[tuple[str, str]] = field(default_factory=set, init=False, repr=False,
                                         compare=False)

    @property
    def evidence(self) -> str:
        return self.source.evidence

    @property
    def document_id(self) -> str:
        return self.source.document_id

    @property
    def title(self) -> str | None:
        return self.source.title

    @property
    def url(self) -> str | None:
        return self.source.url

    def to_dict(self, sources: int | None = None) -> Row:
        """``sources`` caps the sources listed: a meeting reported thousands of times would make
        a page of megabytes; ``reports`` still counts them all."""
        return {"date": self.date.isoformat(), "date_resolved": self.date_resolved,
                "type": self.type, "actors": self.actors, "location": self.location,
                "trigger": self.trigger, "evidence": self.evidence,
                "document_id": self.document_id, "title": self.title, "url": self.url,
                "reports": len(self.sources),
                "sources": [s.to_dict() for s in self.sources[:sources]]}

    def _takes(self, report: _Report) -> bool:
        """Whether a report of the same type and actors is this interaction: no other place
        named, and a date a day or two apart."""
        return ((report.location is None or self.location is None
                 or report.location.casefold() == self.location.casefold())
                and abs((report.date - self.date).days) <= MERGE_DAYS)

    def _absorb(self, report: _Report) -> None:
        """Keep every source; take the better date and a location from whichever report has it."""
        if report.resolved and not self.date_resolved:
            self.date, self.date_resolved = report.date, True
            self.source, self.trigger = report.source, report.trigger
        self.location = self.location or report.location
        spot = (report.source.document_id, report.source.evidence)
        if spot not in self._known:
            self._known.add(spot)
            self.sources.append(report.source)


def timeline(store: Store, case: Case, *, since: date | None = None, until: date | None = None,
             party: str | None = None, type: str | None = None) -> list[TimelineEvent]:
    """Events oldest first; ``since``/``until`` apply to the event's own date. The merged
    timeline is cached per store version: do not mutate its entries."""
    merged = cached(store, case, ("timeline", party, type),
                    lambda: _merged(store, case, party, type))
    return [e for e in merged
            if (since is None or e.date >= since) and (until is None or e.date <= until)]


Kin = tuple[str, tuple[str, ...]]  # type and actors: only reports sharing both can merge


@dataclass(frozen=True, slots=True)
class _Report:
    """One report of an event as kept between versions (``ledger``)."""

    key: tuple[object, ...]  # the merging order: resolved dates first within a day
    document_id: str
    kin: Kin
    date: date
    resolved: bool
    location: str | None
    trigger: str | None
    source: Source

    def entry(self) -> TimelineEvent:
        """A new entry that this report opens."""
        entry = TimelineEvent(self.date, self.resolved, self.kin[0], list(self.kin[1]),
                              self.location, self.trigger, self.source, [self.source])
        entry._known.add((self.source.document_id, self.source.evidence))
        return entry


def _report(row: Row) -> _Report | None:
    resolved = to_date(row.get("date"))
    published = to_date(row.get("published"))
    day = resolved or published
    if day is None:  # neither the article nor the event is dated: nowhere to put it
        return None
    return _Report((day, resolved is None, published or day, row["document_id"], row["start"],
                    row["id"]), row["document_id"],
                   (row["type"], tuple(sorted(set(row["actors"])))), day, resolved is not None,
                   row.get("location"), row.get("trigger"), Source.of(row))


def _merged(store: Store, case: Case, party: str | None, type: str | None) -> list[TimelineEvent]:
    """Every report of the events, one entry per interaction, in date order. Reports merge
    only within their kin, so each kin is merged apart (and again only when a change touches
    it); a filter keeps whole kins (their type and actors), so it applies to the entries."""
    kept = ledger(store, case, "events", lambda: Ledger(
        event_rows, _report, lambda: Groups(attrgetter("kin"), _merge)))
    with kept.lock:
        kept.refresh(store, case.name)
        assert isinstance(kept.index, Groups)
        kins = kept.index.derived()
    merged = sorted((e for entries in kins.values() for e in entries),
                    key=lambda e: (e.date, e.type, e.actors))
    return [e for e in merged
            if (type is None or e.type == type) and (party is None or party in e.actors)]


def _merge(reports: list[_Report]) -> list[TimelineEvent]:
    """One kin's reports (in merging order) as entries: each joins the latest entry it fits."""
    merged: list[TimelineEvent] = []
    for report in reports:
        home = next((m for m in reversed(merged) if m._takes(report)), None)
        if home is None:
            merged.append(report.entry())
        else:
            home._absorb(report)
    for entry in merged:
        entry.sources.sort(key=lambda s: (s.published or entry.date, s.document_id))
    return merged
