"""A sentence-level benchmark of the event coder on the PLOVER gold-standard records.

The records (CAMEO-manual example sentences coded with PLOVER 0.5b1 in 2016) say who did what
to whom. Accord is scored on the first event it extracts from each sentence: its type, and
whether its parties include the gold source and target countries or organisations. Labels are
mapped to today's PLOVER, and CAMEO actor codes to Accord's party codes, before comparison.

The benchmark follows the coding convention of its gold, not the news record's: PLOVER/CAMEO
code every sentence's event, statements of intent ("X will visit Y" is an agreement to meet) and
one-party events (a government against its own rebels, police or courts) included, while the
news record (GUIDELINES) keeps only interactions that happened between two parties. The scorer
therefore runs the extractor's parse and actors through the same event lexicon and rules under
the coder policy (``extract.events.CODER``: ``factual_only=False, min_parties=1,
place_targets=True``); the news pipeline itself is untouched and its metrics (``accord eval
GOLD_DIR``) are reported separately.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table

from ..case import PartyResolver
from ..errors import GoldError
from ..models import Event
from .scoring import read_json

if TYPE_CHECKING:  # the pipeline loads spaCy; importing the scorer should not
    from ..extract.events import EventPolicy
    from ..pipeline import Extractor

# PLOVER 0.5b1 labels renamed or merged in later PLOVER/POLECAT versions.
LABELS: dict[str, str] = {
    "DEMAND": "REQUEST",
    "DISAPPROVE": "ACCUSE",
    "INVESTIGATE": "ACCUSE",
    "FIGHT": "ASSAULT",
}
PLOVER_TYPES = frozenset({
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE",
    "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
})
# CAMEO actor codes whose Accord party code differs: organisations and variant country codes.
CAMEO_CODES: dict[str, str] = {
    "IGOUNO": "UN", "UNO": "UN", "NAT": "NATO", "IGONAT": "NATO", "EEC": "EU", "EUR": "EU",
    "IGOEEC": "EU", "IGOEUR": "EU", "IGOARL": "LAS", "IGOAFR": "AU", "IGOASN": "ASEAN",
    "IGOOPC": "OPEC", "IGOWTO": "WTO", "IGOIMF": "IMF", "IGOWBK": "WB", "IGOIAE": "IAEA",
    "IGOOSC": "OSCE", "JAP": "JPN", "ITL": "ITA", "VTN": "VNM",
}
# Codes of actor kinds with no country (international, non-governmental, militant, religious
# groups): the party is read from the actor's own text with the general dictionary.
STATELESS = frozenset({"IGO", "NGO", "IMG", "ISM", "MNC", "UIS"})
_DOCUMENT = "DOCUMENT"
_NONE = "none"


@dataclass(frozen=True)
class PloverItem:
    """One gold sentence with the mapped gold and the first extracted event."""

    id: str
    text: str
    gold_type: str
    gold_parties: frozenset[str]
    predicted_type: str | None
    predicted_parties: frozenset[str]

    @property
    def type_ok(self) -> bool:
        return self.predicted_type == self.gold_type

    @property
    def parties_ok(self) -> bool:
        return self.predicted_type is not None and self.gold_parties <= self.predicted_parties

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "gold": {"type": self.gold_type, "parties": sorted(self.gold_parties)},
            "predicted": {"type": self.predicted_type, "parties": sorted(self.predicted_parties)},
        }


@dataclass
class PloverReport:
    """Scores of every sentence; accuracies are shares of sentences."""

    items: list[PloverItem] = field(default_factory=list)
    title: str = "PLOVER gold-standard records"

    @property
    def type_accuracy(self) -> float:
        return _share(self.items, lambda i: i.type_ok)

    @property
    def party_accuracy(self) -> float:
        return _share(self.items, lambda i: i.parties_ok)

    def per_type(self) -> dict[str, dict[str, Any]]:
        """Accuracies per gold type, with what the coder gave instead (the confusion list)."""
        result: dict[str, dict[str, Any]] = {}
        for kind in sorted({i.gold_type for i in self.items}):
            items = [i for i in self.items if i.gold_type == kind]
            confused = Counter(i.predicted_type or _NONE for i in items if not i.type_ok)
            result[kind] = {
                "sentences": len(items),
                "type_accuracy": _share(items, lambda i: i.type_ok),
                "party_accuracy": _share(items, lambda i: i.parties_ok),
                "confused_with": dict(confused.most_common()),
            }
        return result

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentences": len(self.items),
            "type_accuracy": self.type_accuracy,
            "party_accuracy": self.party_accuracy,
            "per_type": self.per_type(),
            "errors": [i.to_dict() for i in self.items if not (i.type_ok and i.parties_ok)],
        }

    def table(self) -> Table:
        table = Table(title=f"{self.title} ({len(self.items)} sentences, first event)")
        for column, justify in (("type", "left"), ("n", "right"), ("type accuracy", "right"),
                                ("party accuracy", "right"), ("confused with", "left")):
            table.add_column(column, justify=justify)  # type: ignore[arg-type]
        for kind, row in self.per_type().items():
            confused = ", ".join(f"{k} {n}" for k, n in row["confused_with"].items())
            table.add_row(kind, str(row["sentences"]), f"{row['type_accuracy']:.3f}",
                          f"{row['party_accuracy']:.3f}", confused)
        table.add_row("all", str(len(self.items)), f"{self.type_accuracy:.3f}",
                      f"{self.party_accuracy:.3f}", "", style="bold")
        return table


def score_plover(path: Path, extractor: Extractor, policy: EventPolicy | None = None) -> PloverReport:
    """Code every sentence of a PLOVER gold file and score its first event.

    The extractor gives the parse and the actors (its model and case); the events are coded
    under ``policy``, by default the benchmark's convention (``CODER``), not the news record's.
    """
    from ..extract.events import CODER, extract_events

    resolver = PartyResolver.for_case(extractor.case)
    records = [_gold(record, path, resolver) for record in _load(path)]
    report = PloverReport()
    docs = extractor.nlp.pipe(text for _, text, _, _ in records)
    for (rid, text, kind, parties), doc in zip(records, docs):
        try:
            events = extract_events(doc, extractor.case, doc._.actors or [], None, policy or CODER)
        except Exception:  # noqa: BLE001 - a sentence the coder fails on scores as no event
            events = []
        first = first_event(events)
        report.items.append(PloverItem(
            id=rid, text=text, gold_type=kind, gold_parties=parties,
            predicted_type=first.type if first else None,
            predicted_parties=frozenset(first.actors) if first else frozenset(),
        ))
    return report


def _load(path: Path) -> list[Mapping[str, Any]]:
    """The coded records of the file, without documentation records."""
    data = read_json(path)
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise GoldError(f"{path}: not a JSON array of PLOVER records")
    records = [r for r in data if r.get("event") != _DOCUMENT]
    if not records:
        raise GoldError(f"{path}: no coded sentences")
    return records


def _gold(record: Mapping[str, Any], path: Path, resolver: PartyResolver) -> tuple[str, str, str, frozenset[str]]:
    """(id, text, mapped type, party codes) of one record; GoldError if it cannot be scored."""
    rid = str(record.get("id") or "?")
    text, event = record.get("text"), record.get("event")
    if not isinstance(text, str) or not text.strip():
        raise GoldError(f"{path}: record {rid}: no text")
    kind = LABELS.get(str(event), str(event))
    if kind not in PLOVER_TYPES:
        raise GoldError(f"{path}: record {rid}: unknown event type {event!r}")
    parties: set[str] = set()
    for role in ("source", "target"):
        actors = record.get(role)
        if not isinstance(actors, list):  # absent, or a free-text note ("", "diplomatic")
            continue
        for actor in actors:
            if not isinstance(actor, dict) or not isinstance(actor.get("code"), str):
                raise GoldError(f"{path}: record {rid}: {role} actor without a code")
            parties.add(party_code(actor["code"], str(actor.get("actorText") or ""), resolver))
    if not parties:
        raise GoldError(f"{path}: record {rid}: neither source nor target actors")
    return rid, text, kind, frozenset(parties)


def party_code(code: str, actor_text: str, resolver: PartyResolver) -> str:
    """Accord's party for a CAMEO actor code: the country (first three letters) or organisation."""
    code = code.strip().upper()
    for key in (code, code[:6], code[:3]):
        if key in CAMEO_CODES:
            return CAMEO_CODES[key]
    if code[:3] in STATELESS:
        return resolver.party(actor_text) or code[:3]
    return code[:3]


def first_event(events: list[Event]) -> Event | None:
    """The first event in text order (extraction keeps triggers in order; sort is stable).
    On the gold file this is the main clause's event: ranking by parse depth chose the same."""
    return min(events, key=lambda e: e.start) if events else None


def _share(items: list[PloverItem], ok: Callable[[PloverItem], bool]) -> float:
    return sum(1 for i in items if ok(i)) / len(items) if items else 0.0
