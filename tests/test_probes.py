"""Paraphrase probes: provisions, stances and events stated in words the development articles do not use.

The sentences were written for this project (tests/data/probes). Rules were extended after a
first run on them, so they guard against regressions rather than measure unseen text; the README
gives the first-run figures.
"""

from __future__ import annotations

import csv
from pathlib import Path

from spacy.language import Language

PROBES = Path(__file__).parent / "data" / "probes"


def rows(name: str) -> list[list[str]]:
    with (PROBES / name).open(encoding="utf-8") as handle:
        return [row for row in csv.reader(handle, delimiter="\t") if row]


def test_provision_paraphrases(accord_nlp: Language) -> None:
    probes = rows("provisions.tsv")
    found = [pid for pid, text in probes if pid in {m.id for m in accord_nlp(text)._.provisions}]
    assert len(probes) >= 40 and len(found) / len(probes) >= 0.9


def test_stance_phrasings(accord_nlp: Language) -> None:
    probes = rows("stances.tsv")
    found = [
        text for holder, target, polarity, text in probes
        if (holder, target, polarity) in {(s.holder, s.target, s.polarity) for s in accord_nlp(text)._.stances}
    ]
    assert len(probes) >= 15 and len(found) / len(probes) >= 0.85


def test_event_reports(accord_nlp: Language) -> None:
    probes = rows("events.tsv")
    found = [
        text for kind, parties, text in probes
        if (kind, tuple(sorted(parties.split()))) in {(e.type, tuple(sorted(e.actors))) for e in accord_nlp(text)._.events}
    ]
    assert len(probes) >= 15 and len(found) / len(probes) >= 0.85
