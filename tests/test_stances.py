"""Stances: who supports or opposes the plan or a provision, as attributed in the text."""

from __future__ import annotations

import pytest
from spacy.language import Language

from accord.case import Case, load_case
from accord.extract.stances import extract_stances, party_at
from accord.models import Actor, ProvisionMention, Quote, Stance


@pytest.fixture(scope="module")
def case() -> Case:
    return load_case()


def triples(stances: list[Stance]) -> set[tuple[str, str, str]]:
    return {(s.holder, s.target, s.polarity) for s in stances}


def stances_of(
    nlp: Language,
    case: Case,
    text: str,
    actors: list[Actor] | None = None,
    quotes: list[Quote] | None = None,
    provisions: list[ProvisionMention] | None = None,
) -> set[tuple[str, str, str]]:
    doc = nlp(text)
    return triples(extract_stances(doc, case, actors or [], quotes or [], provisions or []))


def test_support_and_oppose(nlp_base: Language, case: Case) -> None:
    text = "Moscow welcomed the proposal on Tuesday. Kyiv rejected the draft a day later."
    assert stances_of(nlp_base, case, text) == {
        ("RUS", "plan", "support"),
        ("UKR", "plan", "oppose"),
    }


def test_conjoined_holders_each_hold_the_stance(nlp_base: Language, case: Case) -> None:
    text = "Kyiv and European leaders voiced reservations about the framework."
    assert stances_of(nlp_base, case, text) == {("UKR", "plan", "oppose"), ("EU", "plan", "oppose")}


def test_reservations_with_acceptance_are_mixed(nlp_base: Language, case: Case) -> None:
    text = "Kyiv accepted the framework but expressed reservations about it."
    assert stances_of(nlp_base, case, text) == {("UKR", "plan", "mixed")}


def test_hedged_welcome_is_still_support(nlp_base: Language, case: Case) -> None:
    text = "The Kremlin gave a cautious welcome to the peace plan."
    assert stances_of(nlp_base, case, text) == {("RUS", "plan", "support")}


def test_negation_flips_support(nlp_base: Language, case: Case) -> None:
    text = "Ukraine does not accept the proposal in its current form."
    assert stances_of(nlp_base, case, text) == {("UKR", "plan", "oppose")}


def test_refusing_to_accept_is_opposition(nlp_base: Language, case: Case) -> None:
    text = "Kyiv refused to accept the draft."
    assert ("UKR", "plan", "support") not in stances_of(nlp_base, case, text)
    assert ("UKR", "plan", "oppose") in stances_of(nlp_base, case, text)


def test_plan_authors_support_their_plan(nlp_base: Language, case: Case) -> None:
    assert stances_of(nlp_base, case, "Talks on the US-backed plan resumed.") == {
        ("USA", "plan", "support")
    }
    assert ("USA", "plan", "support") in stances_of(
        nlp_base, case, "Diplomats studied Washington's plan for a ceasefire."
    )


def test_provision_in_the_clause_is_the_target(nlp_base: Language, case: Case) -> None:
    text = "Kyiv rejected any limit on the size of its army."
    start = text.index("any limit")
    provision = ProvisionMention("army-cap", start, text.index(" army") + len(" army"))
    assert stances_of(nlp_base, case, text, provisions=[provision]) == {
        ("UKR", "army-cap", "oppose")
    }


def test_person_mention_gives_the_party(nlp_base: Language, case: Case) -> None:
    text = "Olena Marchenko dismissed the proposal as a surrender."
    actor = Actor("Olena Marchenko", "Minister", "UKR", 0, 15, [(0, 15)])
    assert stances_of(nlp_base, case, text, actors=[actor]) == {("UKR", "plan", "oppose")}


def test_quote_speaker_holds_the_stance(nlp_base: Language, case: Case) -> None:
    text = 'The minister said: "We support this plan fully."'
    start = text.index("We")
    quote = Quote("We support this plan fully.", "direct", "A Minister", "FRA", start, len(text) - 1)
    assert stances_of(nlp_base, case, text, quotes=[quote]) == {("FRA", "plan", "support")}


def test_no_stance_for_the_journalist_or_critics(nlp_base: Language, case: Case) -> None:
    text = (
        "The plan is a poor basis for peace. "
        "Critics rejected the proposal as a gift to aggressors."
    )
    assert stances_of(nlp_base, case, text) == set()


def test_hypothetical_gives_no_stance(nlp_base: Language, case: Case) -> None:
    assert stances_of(nlp_base, case, "If Moscow accepted the plan, the war could end.") == set()


def test_one_stance_per_holder_target_polarity(nlp_base: Language, case: Case) -> None:
    text = "Moscow welcomed the proposal. Later Moscow again welcomed the plan."
    doc = nlp_base(text)
    found = extract_stances(doc, case, [], [], [])
    assert [(s.holder, s.target, s.polarity) for s in found] == [("RUS", "plan", "support")]
    assert text[found[0].start : found[0].end] == "welcomed"


def test_party_at_prefers_the_person(nlp_base: Language, case: Case) -> None:
    text = "Olena Marchenko met officials from Berlin."
    doc = nlp_base(text)
    actor = Actor("Olena Marchenko", None, "UKR", 0, 15, [(0, 15)])
    assert party_at(doc, 0, 15, case, [actor]) == "UKR"
    start = text.index("officials")
    assert party_at(doc, start, len(text) - 1, case, [actor]) == "DEU"


def test_stance_in_a_quote_without_a_party_subject_is_the_speakers(accord_nlp: Language) -> None:
    doc = accord_nlp(
        "Ukrainian negotiator Rustem Umerov spoke after the round. "
        "“The main priority is security guarantees for Ukraine,” he said."
    )
    assert ("UKR", "security-guarantees", "support") in triples(doc._.stances)


def test_questions_state_no_stance_and_report_no_event(accord_nlp):
    doc = accord_nlp("Will Kyiv accept the cap on its army? Did Moscow reject the amnesty?")
    assert [(s.holder, s.target) for s in doc._.stances] == []
    assert doc._.events == []
    doc = accord_nlp("Kyiv accepted the cap on its army. Moscow rejected the amnesty.")
    assert {(s.holder, s.polarity) for s in doc._.stances} == {("UKR", "support"), ("RUS", "oppose")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the judged thing is the subject: "the plan is unacceptable"
        ("The proposal is unacceptable, the Chilean foreign minister said.", ("CHL", "plan", "oppose")),
        ("Lima said the draft was a good basis for talks.", ("PER", "plan", "support")),
        ("Kyiv said the cap on its army was unacceptable.", ("UKR", "army-cap", "oppose")),
        # a negated intention is a refusal
        ("Zelensky said Ukraine would never accept a cap on its army.", ("UKR", "army-cap", "oppose")),
        ("Kyiv ruled out any amnesty for war crimes.", ("UKR", "amnesty", "oppose")),
        ("Kyiv is pressing for security guarantees from Washington.", ("UKR", "security-guarantees", "support")),
        # acceptance with reservations, in one clause or across two
        ("Ukraine accepted most of the plan while voicing reservations about several points.", ("UKR", "plan", "mixed")),
        ("Berlin said the plan was a starting point but needed significant changes.", ("DEU", "plan", "mixed")),
    ],
)
def test_stance_phrasings(accord_nlp, text, expected):
    assert expected in {(s.holder, s.target, s.polarity) for s in accord_nlp(text)._.stances}


@pytest.mark.parametrize(
    "text",
    [
        "The plan appears to favour Moscow, critics say.",  # the plan acts; critics hold no party's stance
        "If Kyiv would not accept the plan, talks would end.",  # a condition, not a refusal
        "Kyiv might not accept the cap, analysts said.",
    ],
)
def test_no_stance_from_acts_of_the_plan_conditions_or_guesses(accord_nlp, text):
    assert [(s.holder, s.target) for s in accord_nlp(text)._.stances if s.holder == "UKR"] == []
