"""Provision tracker: each provision of the case with the plan versions that hold it, the figures
reported for it over time (attributed to a plan version) and the status the coverage gives it.

Only dated articles enter a history: a record over time cannot place an undated report.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from itertools import takewhile
from operator import attrgetter
from typing import Any, Literal

from accord.case import Case, Provision
from accord.errors import AccordError
from accord.lexicons import load_lexicon
from accord.store import Store
from accord.store.analysis_queries import provision_rows

from .ledger import Groups, Ledger, ledger
from .sources import Row, Source, Versions, cached, clean, to_date

Basis = Literal["catalogue", "named", "date"]
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*|n't")
_CLAUSE = re.compile(r"[;:]\s|,\s|\s(?:and|but|while|whereas)\s")


@dataclass(frozen=True)
class FigurePoint:
    """One figure one article gave for a provision.

    ``status`` is normalised: a value the case catalogue lists for the provision is a plan
    ("proposed") figure whatever the extractor guessed; ``extracted_status`` keeps the guess.
    ``basis`` says how ``version`` was found: the catalogue value, a version named in the
    sentence, or the newest version published by the article's date.
    """

    date: date
    value: float
    unit: str | None
    status: str
    version: str | None
    basis: Basis | None
    extracted_status: str
    story: int
    source: Source

    def to_dict(self) -> Row:
        return {"date": self.date.isoformat(), "value": self.value, "unit": self.unit,
                "status": self.status, "version": self.version, "basis": self.basis,
                "extracted_status": self.extracted_status} | _flat(self.source)


@dataclass(frozen=True)
class StatusPoint:
    """The status one sentence gives a provision, with the cue that says so."""

    date: date
    status: str
    cue: str
    source: Source

    def to_dict(self) -> Row:
        return {"date": self.date.isoformat(), "status": self.status, "cue": self.cue} | _flat(
            self.source)


def _flat(source: Source) -> Row:
    """Source fields inline (document_id, title, url, evidence), as the dashboard lists them."""
    return {"document_id": source.document_id, "title": source.title, "url": source.url,
            "evidence": source.evidence}


@dataclass
class ProvisionHistory:
    id: str
    summary: str
    parent: str | None
    point: int | None
    versions: list[str]
    figures: list[FigurePoint] = field(default_factory=list)
    statuses: list[StatusPoint] = field(default_factory=list)
    reports: list[Source] = field(default_factory=list)
    current_figure: FigurePoint | None = None
    current_status: str | None = None

    @property
    def plan_figures(self) -> list[FigurePoint]:
        """Figures the drafts put on the provision (what is on the table)."""
        return [f for f in self.figures if f.status == "proposed"]

    @property
    def current_state(self) -> list[FigurePoint]:
        """Figures describing the world as it is (e.g. today's army size), not a draft's terms."""
        return [f for f in self.figures if f.status == "current"]

    @property
    def first_reported(self) -> date | None:
        return self.reports[0].published if self.reports else None

    @property
    def last_reported(self) -> date | None:
        return self.reports[-1].published if self.reports else None

    def to_dict(self) -> Row:
        return {
            "id": self.id, "summary": self.summary, "parent": self.parent, "point": self.point,
            "versions": self.versions,
            "mentions": len(self.reports),
            "first_reported": _iso(self.first_reported),
            "last_reported": _iso(self.last_reported),
            "figures": [f.to_dict() for f in self.figures],
            "plan_figures": [f.to_dict() for f in self.plan_figures],
            "current_state": [f.to_dict() for f in self.current_state],
            "statuses": [s.to_dict() for s in self.statuses],
            "current_figure": self.current_figure.to_dict() if self.current_figure else None,
            "current_status": self.current_status,
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def provision_tracker(store: Store, case: Case, *, provision_id: str | None = None,
                      until: date | None = None) -> list[ProvisionHistory]:
    """Every provision of the case (or one), in catalogue order, as reported up to ``until``.
    Cached per store version (see ``sources.cached``): do not mutate the histories."""
    if provision_id is not None and provision_id not in {p.id for p in case.provisions}:
        raise AccordError(f"unknown provision {provision_id!r} in case {case.name}")
    return cached(store, case, ("tracker", provision_id, until),
                  lambda: _tracker(store, case, provision_id, until))


@dataclass(frozen=True, slots=True)
class _Mention:
    """One dated mention as the tracker uses it, classified once and kept (``ledger``)."""

    key: tuple[str, str, int, int]  # published, document, offset, id: the tracker's order
    document_id: str
    provision: str
    source: Source
    figures: tuple[FigurePoint, ...]
    status: StatusPoint | None


def _mentions(store: Store, case: Case) -> Ledger[_Mention]:
    def make() -> Ledger[_Mention]:
        versions = Versions(case)
        provisions = {p.id: p for p in case.provisions}
        return Ledger(provision_rows, lambda row: _mention(row, provisions, versions),
                      lambda: Groups(attrgetter("provision"), lambda found: _history(
                          provisions[found[0].provision], found, case, versions)))
    return ledger(store, case, "provisions", make)


def _mention(row: Row, provisions: dict[str, Provision], versions: Versions) -> _Mention | None:
    """A mention's source, figures (attributed to a plan version) and status cue; None for an
    undated article or a provision the case no longer has."""
    provision = provisions.get(row["provision_id"])
    day = to_date(row["published"])
    if provision is None or day is None:
        return None
    source = Source.of(row)
    raw = row.get("evidence") or ""
    offsets = [_offset_in(raw, fig["start"] - row["start"]) for fig in row["figures"]]
    figures = tuple(_figure(fig, offset, day, row["story_id"], source, provision, versions)
                    for fig, offset in zip(row["figures"], offsets))
    cued = classify_status(_clauses_at(source.evidence, offsets) if offsets else source.evidence)
    return _Mention((row["published"], row["document_id"], row["start"], row["id"]),
                    row["document_id"], provision.id, source, figures,
                    StatusPoint(day, cued[0], cued[1], source) if cued else None)


def _tracker(store: Store, case: Case, provision_id: str | None,
             until: date | None) -> list[ProvisionHistory]:
    kept = _mentions(store, case)
    versions = Versions(case)
    chosen = [p for p in case.provisions if provision_id is None or p.id == provision_id]
    with kept.lock:
        kept.refresh(store, case.name)
        if until is None:  # kept per provision, recomputed only for those a change touched
            assert isinstance(kept.index, Groups)
            histories = kept.index.derived()
            return [histories.get(p.id) or _history(p, [], case, versions) for p in chosen]
        last = until.isoformat()
        by_id: dict[str, list[_Mention]] = defaultdict(list)
        for mention in takewhile(lambda m: m.key[0] <= last, kept.ordered()):
            by_id[mention.provision].append(mention)
    return [_history(p, by_id[p.id], case, versions) for p in chosen]


def _history(provision: Provision, mentions: list[_Mention], case: Case,
             versions: Versions) -> ProvisionHistory:
    history = ProvisionHistory(provision.id, provision.summary, provision.parent, provision.point,
                               plan_versions(case, provision))
    history.reports = [m.source for m in mentions]
    history.figures = [f for m in mentions for f in m.figures]
    history.statuses = [m.status for m in mentions if m.status is not None]
    history.current_figure = current_figure(history.plan_figures, versions)
    history.current_status = _current_status(history)
    return history


def _clauses_at(sentence: str, offsets: list[int]) -> str:
    """The clauses holding the provision's figures: a sentence often joins two provisions
    ("extends the season to 120 days and drops the levy"), and a cue belongs to its clause."""
    bounds = [0, *(m.end() for m in _CLAUSE.finditer(sentence)), len(sentence) + 1]
    spans = list(zip(bounds, bounds[1:]))
    return " ".join(sentence[a:b] for a, b in spans if any(a <= o < b for o in offsets))


def _offset_in(raw: str, offset: int) -> int:
    """A figure's offset in the cleaned evidence (whitespace runs collapse, leading ones go)."""
    return len(clean(raw[:offset])) + (1 if offset and raw[:offset][-1:].isspace() else 0)


def _figure(fig: Row, offset: int, day: date, story: int, source: Source, provision: Provision,
            versions: Versions) -> FigurePoint:
    value, unit, extracted = float(fig["value"]), fig.get("unit"), fig["status"]
    catalogued = [f.version for f in provision.figures
                  if f.version and _same(f.value, value) and (not unit or not f.unit or f.unit == unit)]
    named = versions.named(source.evidence)
    nearest = [vid for _, vid in sorted(named, key=lambda nv: abs(nv[0] - offset))]
    version: str | None
    basis: Basis | None
    if catalogued:
        status, basis = "proposed", "catalogue"
        version = next((v for v in nearest if v in catalogued), None) or _by_date(
            catalogued, day, versions)
    elif extracted == "current":
        status, version, basis = "current", None, None
    elif nearest:
        status, version, basis = "proposed", nearest[0], "named"
    else:
        status = extracted
        version = versions.latest_on(day) if extracted == "proposed" else None
        basis = "date" if version else None
    return FigurePoint(day, value, unit, status, version, basis, extracted, story, source)


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)


def _by_date(candidates: list[str], day: date, versions: Versions) -> str:
    """Of the versions that share a value, the newest one out by the article's date."""
    ranked = sorted(set(candidates), key=versions.rank.__getitem__)
    out = [v for v in ranked if versions.ordered[versions.rank[v]].date <= day]
    return out[-1] if out else ranked[0]


def current_figure(plan: list[FigurePoint], versions: Versions) -> FigurePoint | None:
    """The trusted figure of the newest plan version that has one, else the most-cited one."""
    by_version: dict[str | None, list[FigurePoint]] = defaultdict(list)
    for point in plan:
        by_version[point.version].append(point)
    ranked = sorted(by_version, key=lambda v: versions.rank.get(v, -1) if v else -1, reverse=True)
    for vid in ranked:
        best = trusted_figure(by_version[vid])
        if best is not None:
            return best
    return _most_cited(plan) if plan else None


def trusted_figure(points: list[FigurePoint]) -> FigurePoint | None:
    """The figure one plan version's reports agree on, if they can be trusted.

    A value counts when the catalogue or a named version pins it, or when at least two stories
    report it: one passing, date-attributed mention does not move the plan. The value most
    stories report wins (ties: the latest report).
    """
    if not points:
        return None
    best = _most_cited(points)
    same = [p for p in points if _same(p.value, best.value)]
    if any(p.basis in ("catalogue", "named") for p in same) or len({p.story for p in same}) > 1:
        return best
    return None


@dataclass(frozen=True)
class PlanStep:
    """One plan version's figure for a provision, with the reports that give that value."""

    version: str
    figure: FigurePoint
    reports: list[FigurePoint]

    def to_dict(self) -> Row:
        return {"version": self.version, "value": self.figure.value, "unit": self.figure.unit,
                "reports": len(self.reports), "first_reported": self.reports[0].date.isoformat(),
                "source": self.figure.source.to_dict()}


def plan_steps(history: ProvisionHistory, case: Case) -> list[PlanStep]:
    """The plan's figure version by version (oldest first): reports are grouped by the version
    they were attributed to and a version counts only when its reports can be trusted, so a
    later article recalling an older draft's figure does not move the line."""
    versions = Versions(case)
    by_version: dict[str, list[FigurePoint]] = defaultdict(list)
    for point in history.plan_figures:
        if point.version is not None:
            by_version[point.version].append(point)
    steps = []
    for vid in sorted(by_version, key=lambda v: versions.rank.get(v, -1)):
        best = trusted_figure(by_version[vid])
        if best is not None:
            same = [p for p in by_version[vid] if _same(p.value, best.value)]
            steps.append(PlanStep(vid, best, same))
    return steps


def _most_cited(points: list[FigurePoint]) -> FigurePoint:
    stories: dict[float, set[int]] = defaultdict(set)
    for p in points:
        stories[p.value].add(p.story)
    return max(points, key=lambda p: (len(stories[p.value]), p.date))


def _current_status(history: ProvisionHistory) -> str | None:
    if not history.statuses:
        return _status_lexicon()["default"] if history.reports else None
    last = history.statuses[-1].date
    precedence = _status_lexicon()["precedence"]
    return min((s.status for s in history.statuses if s.date == last), key=precedence.index)


# -- status cues ----------------------------------------------------------------------------

@cache
def _status_lexicon() -> dict[str, Any]:
    return load_lexicon("status")


@dataclass(frozen=True)
class _Cues:
    """The status lexicon prepared once: classify_status runs on every mention of the record."""

    precedence: list[str]
    phrases: list[tuple[str, str, list[str]]]  # status, phrase, its words; precedence order
    openers: dict[str, list[int]]  # first word -> indexes of the phrases it opens
    lemmas: list[tuple[str, frozenset[str]]]  # status, its cue lemmas; precedence order
    conditions: frozenset[str]
    negators: frozenset[str]
    modals: frozenset[str]
    negated: dict[str, str]
    modal: dict[str, str]


@cache
def _cues() -> _Cues:
    lex = _status_lexicon()
    order = lex["precedence"]
    phrases = [(status, phrase, _WORD.findall(phrase.lower()))
               for status in order for phrase in lex[status].get("phrases", [])]
    openers: dict[str, list[int]] = defaultdict(list)
    for k, (_, _, parts) in enumerate(phrases):
        openers[parts[0] if parts else ""].append(k)
    return _Cues(order, phrases, dict(openers),
                 [(status, frozenset(lex[status].get("lemmas", []))) for status in order],
                 frozenset(lex["conditions"]), frozenset(lex["negators"]),
                 frozenset(lex["modals"]), lex["negated"], lex["modal"])


def _lemmas(word: str) -> set[str]:
    """Candidate base forms of an English word: enough to match cue verbs without a parser."""
    forms = {word}
    for suffix in ("s", "es", "ed", "d", "ing"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            forms |= {stem, stem + "e"}
            if len(stem) > 2 and stem[-1] == stem[-2]:
                forms.add(stem[:-1])  # dropped -> drop
    if word.endswith(("ied", "ies")):
        forms.add(word[:-3] + "y")
    return forms


@lru_cache(maxsize=65536)
def _lemma_status(word: str) -> str | None:
    """The first status in precedence whose cue lemmas the word may be a form of: that status
    claims the word before any later one could."""
    forms = _lemmas(word)
    return next((status for status, lemmas in _cues().lemmas if forms & lemmas), None)


def classify_status(sentence: str) -> tuple[str, str] | None:
    """(status, cue) of a sentence about a provision, or None when nothing in it says."""
    cues = _cues()
    words = _WORD.findall(sentence.lower().replace("’", "'"))
    used = [False] * len(words)
    starts: dict[str, list[int]] = defaultdict(list)  # word -> where it occurs
    for i, word in enumerate(words):
        starts[word].append(i)
    found: list[tuple[str, str, int]] = []  # status, cue, word index
    # Only phrases whose first word occurs can match; they still claim words in lexicon order.
    candidates = sorted(k for word in ("", *starts) for k in cues.openers.get(word, ()))
    for status, phrase, parts in (cues.phrases[k] for k in candidates):
        size = len(parts)
        for i in starts.get(parts[0], ()) if parts else range(len(words) + 1):
            if words[i:i + size] == parts and not any(used[i:i + size]):
                used[i:i + size] = [True] * size
                found.append((status, phrase, i))
    for i, word in enumerate(words):
        status = None if used[i] else _lemma_status(word)
        if status is not None and not cues.conditions.intersection(words[max(0, i - 4):i]):
            found.append((_qualified(status, words, i, cues), word, i))
    if not found:
        return None
    status, cue, _ = min(found, key=lambda f: (cues.precedence.index(f[0]), f[2]))
    return status, cue


def _qualified(status: str, words: list[str], i: int, cues: _Cues) -> str:
    """The status a cue gives once a negator or a modal just before it is taken into account."""
    before = words[max(0, i - 3):i]
    if status in cues.negated and cues.negators.intersection(before):
        return cues.negated[status]
    if status in cues.modal and cues.modals.intersection(before):
        return cues.modal[status]
    return status


def plan_versions(case: Case, provision: Provision) -> list[str]:
    """Ids of the plan versions that contain the provision, from the case file.

    A version is left out when the provision's ``changes`` say it removed the point; versions
    before the one that introduced it are left out too. A numbered point is in from the first
    draft; an unnumbered one from its changes' "added" entry, else its earliest catalogue
    figure, else its parent's start.
    """
    lex = _status_lexicon()
    ordered = Versions(case).ordered
    rank = {v.id: i for i, v in enumerate(ordered)}
    start = _introduced(case, provision, rank, lex)
    return [v.id for i, v in enumerate(ordered)
            if i >= start and not _says(provision.changes.get(v.id, ""), lex["version_removed"])]


def _introduced(case: Case, provision: Provision, rank: dict[str, int], lex: dict[str, Any]) -> int:
    added = [rank[v] for v, text in provision.changes.items() if _says(text, lex["version_added"])]
    if added:
        return min(added)
    if provision.point is not None:
        return 0
    figured = [rank[f.version] for f in provision.figures if f.version in rank]
    if figured:
        return min(figured)
    if provision.parent is not None:
        return _introduced(case, case.provision(provision.parent), rank, lex)
    return 0


def _says(text: str, words: list[str]) -> bool:
    """Whether a change entry opens with one of the words: its verdict, not a detail in it."""
    lowered = text.lower().strip()
    return any(re.match(rf"{re.escape(w)}(?!\w)", lowered) for w in words)
