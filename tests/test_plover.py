"""The PLOVER benchmark: gold-file reading, label and code mapping, scoring of the first event."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.table import Table

from accord.case import PartyResolver, load_case
from accord.errors import GoldError
from accord.evaluate import PloverReport, score_petrarch, score_plover
from accord.evaluate.plover import LABELS, party_code
from accord.extract.events import NEWS
from accord.pipeline import Extractor

# Measured on the real file (coder policy); the test allows a small margin below.
TYPE_ACCURACY = 0.811
PARTY_ACCURACY = 0.758
MARGIN = 0.02


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def record(rid: str, event: str, text: str, source: Any, target: Any = "") -> dict[str, Any]:
    return {"id": rid, "event": event, "text": text, "source": source, "target": target}


def actor(code: str, text: str = "") -> dict[str, str]:
    return {"actorText": text, "code": code}


def write(tmp_path: Path, records: Any) -> Path:
    path = tmp_path / "plover.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write(tmp_path, [
        {"id": "HEADER", "event": "DOCUMENT", "comment": "not a coded sentence"},
        record("T-1", "DEMAND", "Norway demanded that Sweden release the fishermen.",
               [actor("NORGOV", "Norway")], [actor("SWE", "Sweden")]),
        record("T-2", "FIGHT", "Chilean troops attacked Peruvian border posts.",
               [actor("CHLMIL", "Chilean troops")], [actor("PER", "Peruvian")]),
        record("T-3", "CONSULT", "The weather in Lima was mild on Tuesday.",
               [actor("IGOUNO", "United Nations")], "diplomatic"),
    ])


def test_tiny_file_scores_first_event_type_and_parties(tiny: Path, extractor: Extractor) -> None:
    report = score_plover(tiny, extractor)
    assert isinstance(report, PloverReport)
    data = report.to_dict()
    assert set(data) == {"sentences", "type_accuracy", "party_accuracy", "per_type", "errors"}
    assert data["sentences"] == 3
    assert data["type_accuracy"] == pytest.approx(2 / 3)
    assert data["party_accuracy"] == pytest.approx(2 / 3)
    assert data["per_type"]["REQUEST"]["type_accuracy"] == 1.0
    assert data["per_type"]["CONSULT"]["confused_with"] == {"none": 1}
    [error] = data["errors"]
    assert error["id"] == "T-3" and error["gold"] == {"type": "CONSULT", "parties": ["UN"]}
    assert error["predicted"] == {"type": None, "parties": []}
    assert isinstance(report.table(), Table)


def test_labels_of_2016_map_to_current_plover(tiny: Path, extractor: Extractor) -> None:
    assert LABELS == {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE",
                      "FIGHT": "ASSAULT"}
    gold_types = {i.id: i.gold_type for i in score_plover(tiny, extractor).items}
    assert gold_types == {"T-1": "REQUEST", "T-2": "ASSAULT", "T-3": "CONSULT"}


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        ("USAGOV", "", "USA"),
        ("ISRPOLMIL", "", "ISR"),
        ("IGOUNO", "", "UN"),
        ("NAT", "", "NATO"),
        ("EEC", "", "EU"),
        ("IGO", "United Nations", "UN"),
        ("IGO", "a charity", "IGO"),
    ],
)
def test_cameo_codes_compare_at_country_or_organisation_level(code: str, text: str, expected: str) -> None:
    assert party_code(code, text, PartyResolver.for_case(load_case())) == expected


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "malformed JSON"),
        (json.dumps({"id": "x"}), "not a JSON array"),
        (json.dumps([{"event": "DOCUMENT"}]), "no coded sentences"),
        (json.dumps([record("B-1", "AGREE", "", [actor("USA")])]), "no text"),
        (json.dumps([record("B-2", "GOSSIP", "Chile met Peru.", [actor("CHL")])]), "unknown event type"),
        (json.dumps([record("B-3", "AGREE", "Chile met Peru.", [{"actorText": "Chile"}])]), "without a code"),
        (json.dumps([record("B-4", "AGREE", "Chile met Peru.", None)]), "neither source nor target"),
    ],
)
def test_malformed_file_is_one_gold_error_naming_it(
    tmp_path: Path, extractor: Extractor, content: str, reason: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GoldError) as info:
        score_plover(path, extractor)
    message = str(info.value)
    assert str(path) in message and reason in message and "\n" not in message


def test_real_gold_records_keep_their_level(plover_gold: Path, extractor: Extractor) -> None:
    report = score_plover(plover_gold, extractor)
    assert len(report.items) == 322
    assert report.type_accuracy >= TYPE_ACCURACY - MARGIN
    assert report.party_accuracy >= PARTY_ACCURACY - MARGIN


def test_benchmark_codes_statements_of_intent_news_policy_does_not(tmp_path: Path, extractor: Extractor) -> None:
    path = write(tmp_path, [
        record("I-1", "AGREE", "Norway will visit Sweden next month.",
               [actor("NORGOV", "Norway")], [actor("SWE", "Sweden")]),
        record("I-2", "CONCEDE", "The Peruvian government lifted the curfew in Bolivia.",
               [actor("PERGOV", "Peruvian government")], [actor("BOL", "Bolivia")]),
    ])
    coder = score_plover(path, extractor)
    assert (coder.type_accuracy, coder.party_accuracy) == (1.0, 1.0)
    news = score_plover(path, extractor, policy=NEWS)
    assert [i.predicted_type for i in news.items] == [None, None]


PETRARCH = """<?xml version='1.0' encoding='utf-8'?>
<Validation>
# comment lines like the upstream file's, which make it invalid XML
<Sentences>
<Sentence category="T" date="20100101" id="P-1" evaluate="true"/>
<EventCoding eventcode="190" sourcecode="CHLMIL" targetcode="PER" />
<EventCoding eventcode="111" sourcecode="PER" targetcode="CHL" />
<Text>
Chilean troops attacked
Peruvian border posts.
</Text>
<Parse>1 ignored</Parse>
</Sentence>
<Sentence category="T" date="20100101" id="P-2" evaluate="true"/>
<EventCoding eventcode="042" sourcecode="IGOUNOWFP" targetcode="---REB" />
<Text>The weather in Lima was mild on Tuesday.</Text>
</Sentence>
<Sentence category="T" date="20100101" id="P-3" evaluate="false"/>
<EventCoding eventcode="190" sourcecode="CHL" targetcode="PER" />
<Text>Not scored.</Text>
</Sentence>
<Sentence category="T" date="20100101" id="P-4" evaluate="true"/>
<EventCoding eventcode="010" sourcecode="CHL" targetcode="" />
<Text>Chile made a statement.</Text>
</Sentence>
</Sentences>
</Validation>
"""


def test_petrarch_records_score_against_any_of_their_codings(tmp_path: Path, extractor: Extractor) -> None:
    path = tmp_path / "validate.xml"
    path.write_text(PETRARCH, encoding="utf-8")
    report = score_petrarch(path, extractor)
    assert [i.id for i in report.items] == ["P-1", "P-2"]  # not evaluated, or only a statement (01)
    first, second = report.items
    assert (first.gold_type, first.gold_parties, first.type_ok, first.parties_ok) == (
        "ASSAULT", frozenset({"CHL", "PER"}), True, True
    )
    assert first.text == "Chilean troops attacked Peruvian border posts."
    assert (second.gold_type, second.gold_parties, second.predicted_type) == ("CONSULT", frozenset({"UN"}), None)
    assert "PETRARCH-2" in report.table().title


def test_petrarch_file_without_records_is_a_one_line_error(tmp_path: Path, extractor: Extractor) -> None:
    path = tmp_path / "empty.xml"
    path.write_text("<Validation></Validation>", encoding="utf-8")
    with pytest.raises(GoldError, match="no PETRARCH validation records"):
        score_petrarch(path, extractor)


def test_real_petrarch_records(petrarch_gold: Path, extractor: Extractor) -> None:
    report = score_petrarch(petrarch_gold, extractor)
    assert len(report.items) == 60
    assert report.type_accuracy >= 0.35  # measured 0.40: a floor against regressions
