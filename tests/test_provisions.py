"""Provisions extractor: paraphrases, specificity, figures, and user cases (own sample sentences)."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from accord.case import Case, load_case
from accord.extract.provisions import extract_provisions
from accord.models import ProvisionMention


@pytest.fixture(scope="module")
def case() -> Case:
    return load_case()


def _run(nlp: Language, text: str, case: Case) -> list[ProvisionMention]:
    return extract_provisions(nlp(text), case)


def _ids(nlp: Language, text: str, case: Case) -> set[str]:
    return {m.id for m in _run(nlp, text, case)}


@pytest.mark.parametrize(
    ("text", "pid"),
    [
        ("Kyiv was told to shrink its armed forces sharply.", "army-cap"),
        ("The document limits the Ukrainian military to a fixed size.", "army-cap"),
        ("Ukraine would have to give up its hopes of joining NATO.", "nato-non-accession"),
        ("The draft says Kyiv must renounce any NATO ambitions.", "nato-non-accession"),
        ("Moscow would see most sanctions eased over time.", "sanctions-relief"),
        ("Both sides would swap all prisoners of war.", "prisoner-exchange"),
        ("The text calls for elections in Ukraine within 100 days.", "elections"),
        ("Russia would be invited back into the G8.", "g8-return"),
        ("The nuclear plant at Zaporizhzhia would restart under IAEA supervision.", "zaporizhzhia-npp"),
        ("Any deal on land would be put to a referendum, Kyiv says.", "territorial-referendum"),
        ("Kyiv would declare permanent neutrality in its constitution.", "nato-non-accession"),
        ("Washington would commit to defend Ukraine against any new attack.", "security-guarantees"),
        ("Nobody would face prosecution for wartime abuses under the text.", "amnesty"),
        ("Both armies would trade all captured soldiers and prisoners.", "prisoner-exchange"),
        ("The shooting would stop once both leaders sign.", "ceasefire"),
        ("Moscow and Washington would extend limits on strategic arms.", "arms-control"),
        ("European capitals refuse to unfreeze the Russian reserves they hold.", "frozen-assets"),
    ],
)
def test_paraphrases_are_detected(nlp_base: Language, case: Case, text: str, pid: str) -> None:
    assert pid in _ids(nlp_base, text, case)


@pytest.mark.parametrize(
    "text",
    [
        "Russian forces captured territory near the river and now control three villages.",
        "Ukrainian troops defended the town against attacks for a week.",
        "Voters in Moldova will go to the polls next spring.",
        "The shooting went on all night near the front.",
    ],
)
def test_battle_news_and_other_countries_are_no_provision(nlp_base: Language, case: Case, text: str) -> None:
    assert _ids(nlp_base, text, case) == set()


def test_sub_point_wins_over_its_parent(nlp_base: Language, case: Case) -> None:
    text = ("Territory remains the hardest question. Under the draft, Ukrainian troops would pull out of "
            "the Donetsk region and the area would become a demilitarised buffer zone.")
    ids = _ids(nlp_base, text, case)
    assert "donetsk-withdrawal-dmz" in ids
    assert "territory" not in ids


def test_naming_the_plan_is_not_a_mention(nlp_base: Language, case: Case) -> None:
    text = ("Envoys met again to discuss the 28-point plan. Officials said the peace framework was "
            "still being revised and the proposal would be shown to both presidents.")
    assert _run(nlp_base, text, case) == []


def test_figures_current_and_proposed(nlp_base: Language, case: Case) -> None:
    text = "The proposal would cut Ukraine's army from about 900,000 to 650,000 troops."
    mentions = _run(nlp_base, text, case)
    figures = {(f.value, f.status, f.unit) for m in mentions if m.id == "army-cap" for f in m.figures}
    assert figures == {(900000, "current", "personnel"), (650000, "proposed", "personnel")}
    fig = next(f for m in mentions for f in m.figures if f.value == 650000)
    assert text[fig.start:fig.end] == "650,000"


def test_figures_of_other_units(nlp_base: Language, case: Case) -> None:
    text = ("The drafts say $100 billion of frozen Russian assets would pay for rebuilding. "
            "Under the plan, the US would take 50% of the profit from frozen assets. "
            "Elections would follow within 100 days of signing.")
    found = {(m.id, f.value, f.status) for m in _run(nlp_base, text, case) for f in m.figures}
    assert ("frozen-assets", 1e11, "proposed") in found
    assert ("frozen-assets", 0.5, "proposed") in found
    assert ("elections", 100, "proposed") in found


def test_figure_outside_the_cue_clause_is_ignored(nlp_base: Language, case: Case) -> None:
    text = "Ukraine's army would be capped, officials said, while 40,000 people attended a rally in Kyiv."
    mentions = [m for m in _run(nlp_base, text, case) if m.id == "army-cap"]
    assert mentions and all(not m.figures for m in mentions)


def test_offsets_point_at_the_sentence(nlp_base: Language, case: Case) -> None:
    text = "Talks resumed. The sides agreed to an all-for-all prisoner swap."
    (mention,) = [m for m in _run(nlp_base, text, case) if m.id == "prisoner-exchange"]
    assert text[mention.start:mention.end] == "The sides agreed to an all-for-all prisoner swap."


def test_acronym_rules_are_case_sensitive(nlp_base: Language, case: Case) -> None:
    assert "arms-control" not in _ids(nlp_base, "They want to start the talks soon.", case)
    assert "arms-control" in _ids(nlp_base, "Washington and Moscow would extend New START.", case)


def test_user_case_provision(nlp_base: Language, tmp_path: Path) -> None:
    path = tmp_path / "orchard.yaml"
    path.write_text(
        "name: orchard\ntitle: Orchard talks\n"
        "versions: [{id: v1, date: 2024-05-01, summary: first draft}]\n"
        "parties: {NVL: {name: Northvale, kind: country}, SVL: {name: Southvale, kind: country}}\n"
        "provisions:\n"
        "  - {id: harvest-split, point: 1, category: economy, summary: Harvest is shared, parties: [NVL, SVL],\n"
        "     patterns: ['split*|divid*|share* + harvest*|apples'], units: [share]}\n",
        encoding="utf-8",
    )
    own = load_case(path)
    mentions = extract_provisions(nlp_base(
        "Northvale offered to split the apple harvest, keeping 60% for itself."), own)
    assert [m.id for m in mentions] == ["harvest-split"]
    assert [(f.value, f.unit) for f in mentions[0].figures] == [(0.6, "share")]


def test_figures_in_the_next_sentence_continue_the_provision(nlp_base: Language, case: Case) -> None:
    text = ("The biggest change concerns the size of Ukraine's armed forces. Where the first draft "
            "would limit them to 550,000, the new text raises the ceiling to 750,000.\n\n"
            "Elsewhere, 40,000 people attended a rally.")
    mentions = [m for m in _run(nlp_base, text, case) if m.id == "army-cap"]
    figures = {(f.value, f.status) for m in mentions for f in m.figures}
    assert figures == {(550000, "proposed"), (750000, "proposed")}
    second = mentions[-1]
    assert text[second.start:second.end].startswith("Where the first draft")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Point 6 of the 28-point plan was rewritten.", {"army-cap"}),
        ("Kyiv objected to points 7 and 26 of the draft.", {"nato-non-accession", "amnesty"}),
        ("Points 21-23 of the proposal were left to the presidents.", {"territory", "no-forcible-change", "dnipro-black-sea"}),
        ("Point 14 of the 20-point plan was not published.", set()),  # numbered differently
        ("At one point the lead shrank to 10 points.", set()),  # not the plan
        ("The plan has 28 points.", set()),
    ],
)
def test_points_cited_by_number(nlp_base: Language, case: Case, text: str, expected: set[str]) -> None:
    assert _ids(nlp_base, text, case) == expected
