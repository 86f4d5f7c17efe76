"""PLOVER events: reported interactions between parties, with place, merged per interaction."""

from __future__ import annotations

from datetime import date

import pytest
from spacy.language import Language

from accord.case import Case, load_case
from accord.extract.events import extract_events
from accord.models import Event


@pytest.fixture(scope="module")
def case() -> Case:
    return load_case()


def events_of(nlp: Language, case: Case, text: str, published: date | None = None) -> list[Event]:
    return extract_events(nlp(text), case, [], published)


def keys(events: list[Event]) -> set[tuple[str, tuple[str, ...]]]:
    return {(e.type, tuple(sorted(e.actors))) for e in events}


def test_consult_with_location(nlp_base: Language, case: Case) -> None:
    found = events_of(nlp_base, case, "Russian and American envoys met in Riyadh on Tuesday.")
    assert keys(found) == {("CONSULT", ("RUS", "USA"))}
    assert found[0].location == "Riyadh"


def test_talks_with_a_party_held_by_the_subject(nlp_base: Language, case: Case) -> None:
    found = events_of(nlp_base, case, "Kyiv held talks with Washington in Istanbul last week.")
    assert keys(found) == {("CONSULT", ("UKR", "USA"))}
    assert found[0].location == "Istanbul"


def test_accuse(nlp_base: Language, case: Case) -> None:
    found = events_of(nlp_base, case, "Moscow accused Kyiv of stalling the process.")
    assert keys(found) == {("ACCUSE", ("RUS", "UKR"))}


def test_request(nlp_base: Language, case: Case) -> None:
    found = events_of(nlp_base, case, "Ukraine urged Germany to send more air defence systems.")
    assert ("REQUEST", ("DEU", "UKR")) in keys(found)


def test_call_for_is_a_request(nlp_base: Language, case: Case) -> None:
    found = events_of(nlp_base, case, "Kyiv has called for a summit with Washington.")
    assert keys(found) == {("REQUEST", ("UKR", "USA"))}


@pytest.mark.parametrize(
    "text",
    [
        "Ukrainian and Russian negotiators will meet in Ankara next week.",
        "Kyiv plans to hold talks with Washington.",
        "If Moscow attacked Poland, NATO would respond.",
        "Russia and Ukraine could sign a ceasefire soon.",
        "France did not meet with Russia.",
    ],
)
def test_planned_hypothetical_or_negated_gives_no_event(
    nlp_base: Language, case: Case, text: str
) -> None:
    assert events_of(nlp_base, case, text) == []


def test_repeated_mentions_merge_and_fill_location(nlp_base: Language, case: Case) -> None:
    text = (
        "Ukraine and the United States held talks on Sunday. "
        "The American and Ukrainian delegations met in Geneva for hours."
    )
    found = events_of(nlp_base, case, text)
    assert keys(found) == {("CONSULT", ("UKR", "USA"))}
    assert found[0].location == "Geneva"
    assert text[found[0].start : found[0].end] == "held"


def test_different_places_are_different_meetings(nlp_base: Language, case: Case) -> None:
    text = "Russia and Ukraine met in Istanbul in May. Russia and Ukraine met in Doha in June."
    assert sorted(e.location or "" for e in events_of(nlp_base, case, text)) == ["Doha", "Istanbul"]


def test_party_less_sentence_gives_nothing(nlp_base: Language, case: Case) -> None:
    assert events_of(nlp_base, case, "The negotiators met for six hours and agreed on a text.") == []


def test_event_date_from_weekday(nlp_base: Language, case: Case) -> None:
    found = events_of(nlp_base, case, "Ukraine and Turkey met on Monday.", date(2025, 11, 26))
    assert found[0].date == date(2025, 11, 24)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Norway said Sweden must release the prisoners.", ("REQUEST", ("NOR", "SWE"))),
        ("Switzerland said it had expelled two Russian diplomats.", ("SANCTION", ("CHE", "RUS"))),
        ("Poland demanded an admission of guilt by Moscow.", ("REQUEST", ("POL", "RUS"))),
        ("Norway is willing to send engineers to Latvia.", ("AGREE", ("LVA", "NOR"))),
        ("Norway offered to mediate between Chile and Peru.", ("AGREE", ("CHL", "NOR", "PER"))),
        ("Peru threatened to cut off gas supplies to Bolivia.", ("THREATEN", ("BOL", "PER"))),
        ("Chilean police arrested dozens of opposition activists.", ("COERCE", ("CHL",))),
        ("Rebels in Chad attacked government soldiers.", ("ASSAULT", ("TCD",))),
    ],
)
def test_acts_parties_and_domestic_actors(
    nlp_base: Language, case: Case, text: str, expected: tuple[str, tuple[str, ...]]
) -> None:
    assert expected in keys(events_of(nlp_base, case, text))


@pytest.mark.parametrize(
    "text",
    [
        "Chile welcomed the decision.",  # one party and no named counterpart
        "Norway offered several ideas to Peru.",  # an offer of things is no commitment
        "Peace must be backed by Chile and Peru, the minister said.",  # passive obligation
        "The delegations met for talks in Lima.",  # a place is no participant
    ],
)
def test_no_event_without_counterpart(nlp_base: Language, case: Case, text: str) -> None:
    assert events_of(nlp_base, case, text) == []


def test_first_event_follows_text_order(nlp_base: Language, case: Case) -> None:
    found = events_of(nlp_base, case, "Peru accused Chile of spying and expelled two Chilean diplomats.")
    assert [e.type for e in found][:2] == ["ACCUSE", "SANCTION"]
