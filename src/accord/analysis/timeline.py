"""Timeline: what happened when, one entry per interaction however many articles reported it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from accord.case import Case
from accord.store import Store

from .sources import Row, Source, cached, read_all, to_date

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
    # (document, sentence) of every source, once merging starts: a widely reported meeting
    # gathers thousands of reports, and rebuilding this per report made merging quadratic.
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

    def _joins(self, other: TimelineEvent) -> bool:
        return (other.type == self.type and other.actors == self.actors
                and (other.location is None or self.location is None
                     or other.location.casefold() == self.location.casefold())
                and abs((other.date - self.date).days) <= MERGE_DAYS)

    def _absorb(self, other: TimelineEvent) -> None:
        """Keep every source; take the better date and a location from whichever report has it."""
        if other.date_resolved and not self.date_resolved:
            self.date, self.date_resolved = other.date, True
            self.source, self.trigger = other.source, other.trigger
        self.location = self.location or other.location
        if not self._known:
            self._known = {(s.document_id, s.evidence) for s in self.sources}
        fresh = [s for s in other.sources if (s.document_id, s.evidence) not in self._known]
        self._known.update((s.document_id, s.evidence) for s in fresh)
        self.sources.extend(fresh)


def timeline(store: Store, case: Case, *, since: date | None = None, until: date | None = None,
             party: str | None = None, type: str | None = None) -> list[TimelineEvent]:
    """Events oldest first; ``since``/``until`` apply to the event's own date. The merged
    timeline is cached per store version: do not mutate its entries."""
    merged = cached(store, case, ("timeline", party, type),
                    lambda: _merged(store, case, party, type))
    return [e for e in merged
            if (since is None or e.date >= since) and (until is None or e.date <= until)]


def _merged(store: Store, case: Case, party: str | None, type: str | None) -> list[TimelineEvent]:
    """Every report of the events, one entry per interaction, in date order."""
    rows = read_all(store.events, type=type, party=party, case=case.name)
    reports: list[TimelineEvent] = []
    for row in rows:
        resolved = to_date(row.get("date"))
        day = resolved or to_date(row.get("published"))
        if day is None:  # neither the article nor the event is dated: nowhere to put it
            continue
        source = Source.of(row)
        reports.append(TimelineEvent(day, resolved is not None, row["type"],
                                     sorted(set(row["actors"])), row.get("location"),
                                     row.get("trigger"), source, [source]))
    # Resolved dates first within a day, so a merged entry anchors on a reported date.
    reports.sort(key=lambda e: (e.date, not e.date_resolved, e.source.published or e.date,
                                e.document_id))
    merged: list[TimelineEvent] = []
    # Only entries of the same type and actors can take a report: look among those alone.
    kin: dict[tuple[str, tuple[str, ...]], list[TimelineEvent]] = defaultdict(list)
    for report in reports:
        same = kin[(report.type, tuple(report.actors))]
        home = next((m for m in reversed(same) if m._joins(report)), None)
        if home is None:
            merged.append(report)
            same.append(report)
        else:
            home._absorb(report)
    for entry in merged:
        entry.sources.sort(key=lambda s: (s.published or entry.date, s.document_id))
    return sorted(merged, key=lambda e: (e.date, e.type, e.actors))
