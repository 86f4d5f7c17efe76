"""Change digest: what moved in the negotiation between two dates, each item with its sources."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cache, partial

from accord.case import Case
from accord.store import Store
from accord.store.analysis_queries import actor_rows, actor_sentences

from .ledger import Ledger, ledger
from .matrix import stance_matrix
from .sources import (
    Row,
    Source,
    Versions,
    cached,
    format_figure,
    to_date,
    version_names,
)
from .timeline import timeline
from .tracker import FigurePoint, ProvisionHistory, plan_steps, provision_tracker

_SOURCES = 3  # sources shown per item: enough to check it, few enough to read
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|])")


@dataclass(frozen=True)
class FigureChange:
    """A provision's plan figure moving from one plan version's value to the next one's."""

    provision: str
    summary: str
    unit: str | None
    old_value: float
    new_value: float
    old_version: str | None
    new_version: str | None
    old_date: date
    new_date: date
    sources: list[Source]
    kept_in: list[str] = field(default_factory=list)  # later versions with the same value

    def to_dict(self) -> Row:
        return {"provision": self.provision, "summary": self.summary, "unit": self.unit,
                "old_value": self.old_value, "new_value": self.new_value,
                "old_version": self.old_version, "new_version": self.new_version,
                "old_date": self.old_date.isoformat(), "new_date": self.new_date.isoformat(),
                "kept_in": self.kept_in, "sources": [s.to_dict() for s in self.sources]}


@dataclass(frozen=True)
class ProvisionChange:
    """A provision first reported, or reported dropped, in the window."""

    provision: str
    summary: str
    date: date
    sources: list[Source]
    cue: str | None = None

    def to_dict(self) -> Row:
        return {"provision": self.provision, "summary": self.summary,
                "date": self.date.isoformat(), "cue": self.cue,
                "sources": [s.to_dict() for s in self.sources]}


@dataclass(frozen=True)
class StanceShift:
    party: str
    target: str
    date: date
    before: str
    after: str
    sources: list[Source]

    def to_dict(self) -> Row:
        return {"party": self.party, "target": self.target, "date": self.date.isoformat(),
                "before": self.before, "after": self.after,
                "sources": [s.to_dict() for s in self.sources]}


@dataclass(frozen=True)
class NewActor:
    name: str
    role: str | None
    party: str | None
    date: date
    sources: list[Source]

    def to_dict(self) -> Row:
        return {"name": self.name, "role": self.role, "party": self.party,
                "date": self.date.isoformat(), "sources": [s.to_dict() for s in self.sources]}


@dataclass
class ChangeDigest:
    case: str
    since: date
    until: date | None
    version_names: dict[str, str] = field(default_factory=dict)
    figure_changes: list[FigureChange] = field(default_factory=list)
    provisions_appeared: list[ProvisionChange] = field(default_factory=list)
    provisions_dropped: list[ProvisionChange] = field(default_factory=list)
    stance_shifts: list[StanceShift] = field(default_factory=list)
    new_actors: list[NewActor] = field(default_factory=list)

    def to_dict(self) -> Row:
        return {
            "case": self.case, "since": self.since.isoformat(),
            "until": self.until.isoformat() if self.until else None,
            "figure_changes": [c.to_dict() for c in self.figure_changes],
            "provisions_appeared": [c.to_dict() for c in self.provisions_appeared],
            "provisions_dropped": [c.to_dict() for c in self.provisions_dropped],
            "stance_shifts": [c.to_dict() for c in self.stance_shifts],
            "new_actors": [c.to_dict() for c in self.new_actors],
        }

    def to_markdown(self) -> str:
        """A readable brief: one section per kind of change, every item with a source link."""
        end = self.until.isoformat() if self.until else "now"
        lines = [f"# What changed, {self.since.isoformat()} to {end}", "", f"Case: {_md(self.case)}"]

        def section(title: str, items: list[str]) -> None:
            lines.extend(["", f"## {title}", ""])
            lines.extend(items or ["Nothing reported in this window."])

        section("Figures", [
            f"- **{c.provision}**: {_md(format_figure(c.old_value, c.unit))} "
            f"({self._version(c.old_version)}, reported {c.old_date.isoformat()}) → "
            f"**{_md(format_figure(c.new_value, c.unit))}** ({self._version(c.new_version)}, "
            f"reported {c.new_date.isoformat()}{self._kept(c.kept_in)}). "
            f"{_md(c.summary)}{_cite(c.sources)}"
            for c in self.figure_changes])
        section("Provisions first reported", [
            f"- **{c.provision}** ({c.date.isoformat()}): {_md(c.summary)}{_cite(c.sources)}"
            for c in self.provisions_appeared])
        section("Provisions reported dropped", [
            f"- **{c.provision}** ({c.date.isoformat()}, “{_md(c.cue or '')}”): "
            f"{_md(c.summary)}{_cite(c.sources)}" for c in self.provisions_dropped])
        section("Stance shifts", [
            f"- **{_md(s.party)}** on {_md(s.target)} ({s.date.isoformat()}): "
            f"{s.before} → **{s.after}**{_cite(s.sources)}" for s in self.stance_shifts])
        section("New people", [
            f"- **{_md(a.name)}**" + (f", {_md(a.role)}" if a.role else "")
            + (f" ({_md(a.party)})" if a.party else "")
            + f", first reported {a.date.isoformat()}{_cite(a.sources)}" for a in self.new_actors])
        return "\n".join(lines) + "\n"

    def _kept(self, vids: list[str]) -> str:
        return f"; kept in the {', '.join(map(self._version, vids))}" if vids else ""

    def _version(self, vid: str | None) -> str:
        return _md(self.version_names.get(vid, vid)) if vid else "no version"


def _md(text: str) -> str:
    """Article text as literal Markdown: no accidental emphasis, links or raw HTML."""
    return _MARKDOWN.sub(r"\\\1", text)


def _cite(sources: list[Source]) -> str:
    return "".join(f"\n  - {_link(s)}: “{_md(s.evidence)}”" for s in sources)


def _link(s: Source) -> str:
    title = _md(s.title or s.document_id)
    when = f" ({s.published.isoformat()})" if s.published else ""
    if s.url and s.url.startswith(("http://", "https://")):
        return f"[{title}](<{s.url.replace('>', '%3E')}>){when}"
    return f"{title}{when} (document {s.document_id})"


def _in(day: date | None, since: date, until: date | None) -> bool:
    return day is not None and day >= since and (until is None or day <= until)


def change_digest(store: Store, case: Case, *, since: date,
                  until: date | None = None) -> ChangeDigest:
    """Everything that changed in [since, until] (inclusive), judged on what was known by then.
    Cached per store version: do not mutate the digest."""
    return cached(store, case, ("digest", since, until), lambda: _digest(store, case, since, until))


def _digest(store: Store, case: Case, since: date, until: date | None) -> ChangeDigest:
    histories = provision_tracker(store, case, until=until)
    versions = Versions(case)
    digest = ChangeDigest(case.name, since, until, version_names(case))
    for h in histories:
        digest.figure_changes.extend(c for c in _figure_changes(h, case, versions)
                                     if _in(c.new_date, since, until))
        if _in(h.first_reported, since, until):
            assert h.first_reported is not None
            digest.provisions_appeared.append(
                ProvisionChange(h.id, h.summary, h.first_reported, h.reports[:1]))
        dropped = [s for s in h.statuses if s.status == "dropped" and _in(s.date, since, until)]
        if dropped:
            digest.provisions_dropped.append(ProvisionChange(
                h.id, h.summary, dropped[0].date, _distinct([s.source for s in dropped]),
                dropped[0].cue))
    digest.figure_changes.sort(key=lambda c: (c.new_date, c.provision))
    order = {p.id: i for i, p in enumerate(case.provisions)}
    digest.provisions_appeared.sort(key=lambda c: (c.date, order[c.provision]))
    digest.provisions_dropped.sort(key=lambda c: (c.date, order[c.provision]))
    for move in stance_matrix(store, case, as_of=until).moves:
        if _in(move.date, since, until):
            digest.stance_shifts.append(StanceShift(move.party, move.target, move.date,
                                                    move.before, move.after, [move.source]))
    digest.new_actors.extend(a for a in first_seen(store, case, until=until)
                             if _in(a.date, since, until))
    return digest


@dataclass(frozen=True, slots=True)
class _Named:
    """One dated mention of a person, kept between versions (``ledger``)."""

    key: tuple[str, str, int, int]  # published, document, offset, id: which came first
    document_id: str
    id: int
    name: str
    role: str | None
    party: str | None
    end: int
    title: str | None
    url: str | None


def _named(row: Row) -> _Named:
    return _Named((row["published"], row["document_id"], row["start"], row["id"]),
                  row["document_id"], row["id"], row["name"], row["role"] or None,
                  row["party"] or None, row["end"], row["document_title"], row["url"])


class _People:
    """Per name: its mentions, how often each role and party is given, and the first mention,
    updated mention by mention (a removed first mention makes the name look again)."""

    def __init__(self) -> None:
        self.mentions: dict[str, dict[int, _Named]] = defaultdict(dict)
        self.roles: dict[str, Counter[str]] = defaultdict(Counter)
        self.parties: dict[str, Counter[str]] = defaultdict(Counter)
        self.first: dict[str, _Named] = {}
        self.sentences: dict[tuple[int, str, int], str] = {}  # a mention's sentence, once read

    def update(self, removed: list[_Named], added: list[_Named]) -> None:
        again = set()
        for m in removed:
            self.mentions[m.name].pop(m.id, None)
            _count(self.roles[m.name], m.role, -1)
            _count(self.parties[m.name], m.party, -1)
            if self.first.get(m.name) is m:
                again.add(m.name)
        for m in added:
            self.mentions[m.name][m.id] = m
            _count(self.roles[m.name], m.role, 1)
            _count(self.parties[m.name], m.party, 1)
            first = self.first.get(m.name)
            if first is None or m.key < first.key:
                self.first[m.name] = m
        for name in again:
            found = self.mentions[name]
            if found:
                self.first[name] = min(found.values(), key=lambda m: m.key)
            else:
                del self.first[name], self.mentions[name], self.roles[name], self.parties[name]


def _count(counts: Counter[str], value: str | None, by: int) -> None:
    if value is not None:
        counts[value] += by
        if counts[value] <= 0:
            del counts[value]


def _commonest(counts: Counter[str]) -> str | None:
    """The value given most often (ties: alphabetical)."""
    return min(counts, key=lambda k: (-counts[k], k)) if counts else None


def first_seen(store: Store, case: Case, *, until: date | None = None) -> list[NewActor]:
    """Each person's first dated report up to ``until``, with the role and party given most
    often by then, by date and name. Cached per store version: do not mutate the list."""
    return cached(store, case, ("first-seen", until), lambda: _first_seen(store, case, until))


def _first_seen(store: Store, case: Case, until: date | None) -> list[NewActor]:
    kept = ledger(store, case, "actors", lambda: Ledger(actor_rows, _named, _People))
    with kept.lock:
        kept.refresh(store, case.name)
        people = kept.index
        assert isinstance(people, _People)
        if until is None:
            found = [(m, _commonest(people.roles[n]), _commonest(people.parties[n]))
                     for n, m in people.first.items()]
        else:  # a past date: one pass over the mentions in order
            last = until.isoformat()
            first: dict[str, _Named] = {}
            roles: dict[str, Counter[str]] = defaultdict(Counter)
            parties: dict[str, Counter[str]] = defaultdict(Counter)
            for m in kept.ordered():
                if m.key[0] > last:
                    break
                first.setdefault(m.name, m)
                _count(roles[m.name], m.role, 1)
                _count(parties[m.name], m.party, 1)
            found = [(m, _commonest(roles[n]), _commonest(parties[n])) for n, m in first.items()]
        where = {m: (m.id, m.document_id, m.key[2]) for m, _, _ in found}
        missing = [m.id for m, spot in where.items() if spot not in people.sentences]
        if missing:
            read = store._read(lambda conn: actor_sentences(conn, missing))
            people.sentences.update((where[m], read[m.id]) for m in where if m.id in read)
        sentences = people.sentences
    out = []
    for m, role, party in found:
        day = to_date(m.key[0])
        assert day is not None
        source = Source(m.document_id, m.title, m.url, day, sentences.get(where[m], ""))
        out.append(NewActor(m.name, role, party, day, [source]))
    return sorted(out, key=lambda a: (a.date, a.name))


def warm(store: Store, case: Case) -> None:
    """Build every kept analysis once, as a server does at start in a thread: the first build
    reads the whole record (one to two minutes at 100k documents), later ones only what
    changed."""
    provision_tracker(store, case)
    stance_matrix(store, case)
    timeline(store, case)
    first_seen(store, case)


def _figure_changes(history: ProvisionHistory, case: Case,
                    versions: Versions) -> list[FigureChange]:
    """Consecutive plan versions whose trusted figures differ (same unit)."""
    steps = plan_steps(history, case)
    changes: list[FigureChange] = []
    for i, (old, new) in enumerate(zip(steps, steps[1:]), start=1):
        if _same_figure(old.figure, new.figure):
            continue
        kept = []
        for later in steps[i + 1:]:
            if not _same_figure(later.figure, new.figure):
                break
            kept.append(later.version)
        telling = cache(partial(_telling, versions=versions))  # copies repeat a sentence
        cited = [p.source for p in sorted(new.reports,
                                          key=lambda p: (p.date, -telling(p.source.evidence)))]
        changes.append(FigureChange(
            history.id, history.summary, new.figure.unit or old.figure.unit, old.figure.value,
            new.figure.value, old.version, new.version, old.reports[0].date,
            new.reports[0].date, _distinct(cited[:2] + [old.reports[0].source] + cited[2:]),
            kept))
    return changes


def _same_figure(a: FigurePoint, b: FigurePoint) -> bool:
    return a.value == b.value or bool(a.unit and b.unit and a.unit != b.unit)


def _telling(evidence: str, versions: Versions) -> int:
    """How well a sentence shows the move: naming a plan version beats a bare headline."""
    return 2 * bool(versions.named(evidence)) + (len(evidence) > 80)


def _distinct(sources: list[Source]) -> list[Source]:
    """Up to a few sources, one per article, in the order given."""
    out: list[Source] = []
    for s in sources:
        if all(s.document_id != o.document_id for o in out):
            out.append(s)
        if len(out) == _SOURCES:
            break
    return out
