"""A second check of the event coder: the PETRARCH-2 validation records (CAMEO codes).

78 English newswire and test sentences with the CAMEO codings PETRARCH-2 gave them (upstream
calls the file a regression set, not independent gold), so it says how far Accord's coder and a
dictionary-based coder agree on sentences neither was written against. Each coding's CAMEO root
is mapped to its PLOVER type; a sentence counts as right when the coder's first event has the
type of one of its codings, and as right in parties when that event's parties include the coding's
source and target countries or organisations (actors with no country, "---REB", are skipped).
Records marked ``noevents`` or ``evaluate="false"``, and codings of public statements (CAMEO 01,
which PLOVER does not code), are not scored.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..case import PartyResolver
from ..errors import GoldError
from .plover import PloverItem, PloverReport, first_event, party_code

if TYPE_CHECKING:
    from ..extract.events import EventPolicy
    from ..pipeline import Extractor

# CAMEO root code -> PLOVER type (PLOVER's own crosswalk; 01, public statements, has none)
CAMEO_ROOTS: dict[str, str] = {
    "02": "REQUEST", "03": "AGREE", "04": "CONSULT", "05": "SUPPORT", "06": "COOPERATE", "07": "AID",
    "08": "CONCEDE", "09": "ACCUSE", "10": "REQUEST", "11": "ACCUSE", "12": "REJECT", "13": "THREATEN",
    "14": "PROTEST", "15": "MOBILIZE", "16": "SANCTION", "17": "COERCE", "18": "ASSAULT", "19": "ASSAULT",
    "20": "ASSAULT",
}
_RECORD = re.compile(r"<Sentence\b([^>]*)>(.*?)<Text>(.*?)</Text>", re.S)
_CODING = re.compile(r'<EventCoding\s+eventcode="(\d+)"\s+sourcecode="([^"]*)"\s+targetcode="([^"]*)"')
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
_NO_COUNTRY = "---"

Coding = tuple[str, frozenset[str]]  # PLOVER type, party codes


def score_petrarch(path: Path, extractor: Extractor, policy: EventPolicy | None = None) -> PloverReport:
    """Code every scored record and compare its first event with the record's codings."""
    from ..extract.events import CODER, extract_events

    resolver = PartyResolver.for_case(extractor.case)
    records = _records(path, resolver)
    report = PloverReport(title="PETRARCH-2 validation records")
    for (rid, text, codings), doc in zip(records, extractor.nlp.pipe(text for _, text, _ in records)):
        events = extract_events(doc, extractor.case, doc._.actors or [], None, policy or CODER)
        first = first_event(events)
        kind, parties = next(((k, p) for k, p in codings if first is not None and k == first.type), codings[0])
        report.items.append(PloverItem(
            id=rid, text=text, gold_type=kind, gold_parties=parties,
            predicted_type=first.type if first else None,
            predicted_parties=frozenset(first.actors) if first else frozenset(),
        ))
    return report


def _records(path: Path, resolver: PartyResolver) -> list[tuple[str, str, list[Coding]]]:
    """(id, text, codings) of the scored records; GoldError if the file has none."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: cannot read: {exc}") from None
    records = []
    for attributes, body, text in _RECORD.findall(raw):
        attrs = dict(_ATTRIBUTE.findall(attributes))
        if attrs.get("evaluate") != "true":
            continue
        codings = [
            (CAMEO_ROOTS[code[:2]], _parties(source, target, resolver))
            for code, source, target in _CODING.findall(body) if code[:2] in CAMEO_ROOTS
        ]
        if codings and text.strip():
            records.append((attrs.get("id", "?"), " ".join(text.split()), codings))
    if not records:
        raise GoldError(f"{path}: no PETRARCH validation records with event codings")
    return records


def _parties(source: str, target: str, resolver: PartyResolver) -> frozenset[str]:
    """Accord party codes of a coding's source and target; actors with no country are left out."""
    return frozenset(party_code(code, "", resolver) for code in (source, target) if code and not code.startswith(_NO_COUNTRY))
