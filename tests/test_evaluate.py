"""The scorer behind ``accord eval``: each metric of GUIDELINES.md "Scoring", on hand-made gold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console

from accord.errors import GoldError
from accord.evaluate import (
    CorpusReport,
    DocScore,
    find_text,
    load_gold_dir,
    score_corpus,
    score_document,
)
from accord.evaluate.scoring import same_person, token_f1

PARENTS = {"dmz-line": "territory", "land-swap": "territory", "tariff-relief": "trade"}


def doc(file: str = "sample.txt", **categories: list[dict[str, Any]]) -> dict[str, Any]:
    """A minimal accord-gold/1 record holding only the given categories."""
    return {"format": "accord-gold/1", "document": {"file": file}, "case": "test"} | categories


def score(gold: dict[str, Any], pred: dict[str, Any]) -> DocScore:
    return score_document(gold, pred, PARENTS)


def counts(s: DocScore, key: str) -> tuple[int, int, int]:
    c = s.counts[key]
    return c.tp, c.fp, c.fn


def quote(text: str, speaker: str | None = None, party: str | None = None, **extra: Any) -> dict:
    return {"text": text, "speaker": speaker, "party": party, "kind": "direct"} | extra


# --- quotes -------------------------------------------------------------------------------

def test_token_f1_is_case_insensitive_and_bag_of_words() -> None:
    assert token_f1("The harbour deal is close", "the HARBOUR deal is close") == 1.0
    assert token_f1("one two three four", "one two") == pytest.approx(2 / 3)
    assert token_f1("", "anything") == 0.0


def test_quote_matches_at_half_overlap_and_not_below() -> None:
    gold = doc(quotes=[quote("we will sign the treaty next week")])
    half = doc(quotes=[quote("we will sign")])  # p=1, r=3/7 -> f1=0.6
    low = doc(quotes=[quote("sign")])  # f1=0.25
    assert counts(score(gold, half), "quotes.detection") == (1, 0, 0)
    assert counts(score(gold, low), "quotes.detection") == (0, 1, 1)


def test_quote_matching_is_one_to_one_best_pairs_first() -> None:
    gold = doc(quotes=[quote("the ceasefire must hold along the river"),
                       quote("the ceasefire must hold")])
    pred = doc(quotes=[quote("the ceasefire must hold"),
                       quote("the ceasefire must hold along the river")])
    s = score(gold, pred)
    assert counts(s, "quotes.detection") == (2, 0, 0)
    # A duplicate prediction cannot take a gold quote already taken.
    dup = doc(quotes=[quote("the ceasefire must hold")] * 3)
    assert counts(score(gold, dup), "quotes.detection") == (2, 1, 0)


ACTORS = [{"name": "Ana Petrovna Ilić", "role": "Minister", "party": "SRB"},
          {"name": "Tom O'Hara", "role": "Envoy", "party": "IRL"}]


@pytest.mark.parametrize(("gold_q", "pred_q", "ok"), [
    (quote("x y z", "Ana Petrovna Ilić", "SRB"), quote("x y z", "Ilic", None), True),
    (quote("x y z", "Ana Petrovna Ilić", "SRB"), quote("x y z", "Minister ILIĆ's", "SRB"), True),
    (quote("x y z", "Ana Petrovna Ilić", "SRB"), quote("x y z", "Tom O'Hara", "SRB"), False),
    (quote("x y z", "Ana Petrovna Ilić", "SRB"), quote("x y z", "the ministry", "SRB"), False),
    (quote("x y z", "O'Hara", "IRL"), quote("x y z", "Tom O’Hara", "IRL"), True),
    (quote("x y z", "a spokesperson", "IRL"), quote("x y z", "Dublin", "IRL"), True),
    (quote("x y z", "a spokesperson", "IRL"), quote("x y z", "Tom O'Hara", "IRL"), True),
    (quote("x y z", "a spokesperson", "IRL"), quote("x y z", "a spokesperson", "GBR"), False),
    (quote("x y z", "Ilić's office", "SRB"), quote("x y z", "Belgrade", "srb"), True),
    (quote("x y z", "the source", None), quote("x y z", "Source", None), True),
    (quote("x y z", "the source", None), quote("x y z", "a diplomat", None), False),
    (quote("x y z", None, None), quote("x y z", None, None), True),
    (quote("x y z", None, None), quote("x y z", "Tom O'Hara", "IRL"), False),
    (quote("x y z", "Tom O'Hara", "IRL"), quote("x y z", None, "IRL"), False),
    (quote("x y z", "a spokesperson", "IRL"), quote("x y z", None, "IRL"), False),
])
def test_attribution_person_by_surname_group_by_party_null_by_null(
        gold_q: dict, pred_q: dict, ok: bool) -> None:
    s = score(doc(actors=ACTORS, quotes=[gold_q]), doc(quotes=[pred_q]))
    assert s.accuracies["quotes.attribution"].value == (1.0 if ok else 0.0)
    assert counts(s, "quotes.end_to_end") == ((1, 0, 0) if ok else (0, 1, 1))
    assert bool(s.errors.get("quotes", {}).get("attribution")) is not ok


def test_end_to_end_counts_wrong_speaker_as_both_miss_and_false_positive() -> None:
    gold = doc(actors=ACTORS, quotes=[quote("the bridge reopens in spring", "Tom O'Hara", "IRL"),
                                      quote("tolls will stay", "Tom O'Hara", "IRL"),
                                      quote("no comment at this stage", None)])
    pred = doc(quotes=[quote("the bridge reopens in spring", "O'Hara", "IRL"),
                       quote("tolls will stay", "Ana Ilić", "SRB"),
                       quote("an unrelated remark about weather", None)])
    s = score(gold, pred)
    assert counts(s, "quotes.detection") == (2, 1, 1)
    assert counts(s, "quotes.end_to_end") == (1, 2, 2)
    assert s.accuracies["quotes.attribution"].value == 0.5
    errors = s.errors["quotes"]
    assert [q["text"] for q in errors["misses"]] == ["no comment at this stage"]
    assert [q["text"] for q in errors["false_positives"]] == ["an unrelated remark about weather"]
    assert errors["attribution"][0]["pred"]["speaker"] == "Ana Ilić"


def test_optional_gold_neither_rewards_nor_punishes() -> None:
    gold = doc(quotes=[quote("the talks were useful", "a spokesperson", "IRL"),
                       quote("we remain hopeful about the outcome", "a spokesperson", "IRL",
                             optional=True),
                       quote("a borderline phrase nobody predicts", None, optional=True)])
    pred = doc(quotes=[quote("the talks were useful", "a spokesperson", "IRL"),
                       quote("we remain hopeful about the outcome", "someone", "FRA")])
    s = score(gold, pred)
    assert counts(s, "quotes.detection") == (1, 0, 0)
    assert counts(s, "quotes.end_to_end") == (1, 0, 0)
    assert s.accuracies["quotes.attribution"].total == 1  # the optional match is not judged
    assert "quotes" not in s.errors


def test_prediction_closer_to_optional_gold_is_absorbed_by_it() -> None:
    gold = doc(quotes=[quote("prices will fall next year", optional=True),
                       quote("prices will fall next year say officials")])
    pred = doc(quotes=[quote("prices will fall next year")])
    assert counts(score(gold, pred), "quotes.detection") == (0, 0, 1)


# --- actors -------------------------------------------------------------------------------

def test_same_person_needs_surname_and_compatible_given_name() -> None:
    assert same_person("Ana Petrovna Ilić", "Ilic")
    assert same_person("Ana Ilić", "A. Ilić")
    assert same_person("Mr Tom O'Hara", "Thomas O'Hara") is False
    assert same_person("Tom O'Hara", "Tommy O'Hara")
    assert not same_person("Ana Ilić", "Boris Ilić")
    assert not same_person("Ana Ilić", None)


def test_actors_match_one_to_one_with_role_and_party_accuracy() -> None:
    gold = doc(actors=[{"name": "Ana Ilić", "role": "Prime Minister", "party": "SRB"},
                       {"name": "Boris Ilić", "role": "Kremlin Spokesman", "party": "RUS"},
                       {"name": "Tom O'Hara", "role": None, "party": "IRL"},
                       {"name": "Lea Roux", "role": "Mayor", "party": "FRA", "optional": True}])
    pred = doc(actors=[{"name": "A. Ilic", "role": "prime minister.", "party": "srb", "start": 3},
                       {"name": "Ilić", "role": "spokesman", "party": "RUS"},
                       {"name": "Boris Ilić", "role": "spokesman", "party": "RUS"},
                       {"name": "Lea Roux", "role": None, "party": None},
                       {"name": "Kim Berg", "role": "General", "party": "SWE"}])
    s = score(gold, pred)
    # Exact full names pair first, so the bare "Ilić" is left over as a false positive.
    assert counts(s, "actors") == (2, 2, 1)
    role, party = s.accuracies["actors.role"], s.accuracies["actors.party"]
    assert (role.correct, role.total) == (1, 2)  # "Kremlin Spokesman" != "spokesman"
    assert (party.correct, party.total) == (2, 2)
    assert [a["name"] for a in s.errors["actors"]["misses"]] == ["Tom O'Hara"]


def test_gold_role_null_is_matched_only_by_null() -> None:
    gold = doc(actors=[{"name": "Tom O'Hara", "role": None, "party": "IRL"}])
    assert score(gold, doc(actors=[{"name": "O'Hara", "role": "", "party": "IRL"}])) \
        .accuracies["actors.role"].value == 1.0
    assert score(gold, doc(actors=[{"name": "O'Hara", "role": "Envoy", "party": "IRL"}])) \
        .accuracies["actors.role"].value == 0.0


# --- provisions and figures -----------------------------------------------------------------

def test_provisions_exact_and_top_level_with_duplicates_collapsed() -> None:
    gold = doc(provisions=[{"id": "dmz-line"}, {"id": "trade"}, {"id": "amnesty", "optional": True}])
    pred = doc(provisions=[{"id": "land-swap"}, {"id": "dmz-line"}, {"id": "dmz-line"},
                           {"id": "tariff-relief"}, {"id": "amnesty"}])
    s = score(gold, pred)
    assert counts(s, "provisions.exact") == (1, 2, 1)
    assert counts(s, "provisions.top_level") == (2, 0, 0)
    assert s.errors["provisions"] == {"misses": ["trade"],
                                      "false_positives": ["land-swap", "tariff-relief"]}


def test_top_level_optional_only_when_every_gold_sub_point_is() -> None:
    gold = doc(provisions=[{"id": "dmz-line", "optional": True}, {"id": "land-swap"}])
    s = score(gold, doc())
    assert counts(s, "provisions.exact") == (0, 0, 1)
    assert counts(s, "provisions.top_level") == (0, 0, 1)


def test_figures_by_top_level_provision_with_tolerance() -> None:
    gold = doc(provisions=[{"id": "dmz-line", "figures": [{"value": 40, "status": "proposed"}]},
                           {"id": "trade", "figures": [{"value": 2.5e9, "status": "current"},
                                                       {"value": 0.25, "status": "other"}]}])
    pred = doc(provisions=[
        {"id": "territory", "figures": [{"value": 40.0, "status": "other", "unit": "km"}]},
        {"id": "tariff-relief", "figures": [{"value": 2.51e9, "status": "current"},
                                            {"value": 25, "status": "other"},
                                            {"value": "n/a", "status": "other"}]}])
    s = score(gold, pred)
    assert counts(s, "figures") == (2, 1, 1)
    assert s.errors["figures"] == {"misses": [["trade", 0.25]], "false_positives": [["trade", 25.0]]}


def test_figures_do_not_inherit_optional_from_their_provision() -> None:
    gold = doc(provisions=[{"id": "trade", "optional": True,
                            "figures": [{"value": 10, "status": "proposed"},
                                        {"value": 12, "status": "proposed", "optional": True}]}])
    s = score(gold, doc())
    assert counts(s, "provisions.exact") == (0, 0, 0)
    assert counts(s, "figures") == (0, 0, 1)


# --- stances and events ---------------------------------------------------------------------

def test_stances_triples_pairs_and_polarity_accuracy() -> None:
    gold = doc(stances=[{"holder": "SRB", "target": "plan", "polarity": "support"},
                        {"holder": "IRL", "target": "trade", "polarity": "oppose"},
                        {"holder": "FRA", "target": "plan", "polarity": "mixed", "optional": True}])
    pred = doc(stances=[{"holder": "srb", "target": "plan", "polarity": "Support"},
                        {"holder": "SRB", "target": "plan", "polarity": "support"},
                        {"holder": "IRL", "target": "trade", "polarity": "mixed"},
                        {"holder": "FRA", "target": "plan", "polarity": "oppose"}])
    s = score(gold, pred)
    # Duplicates collapse; a wrong triple near optional gold is still a false triple.
    assert counts(s, "stances.triples") == (1, 2, 1)
    assert counts(s, "stances.pairs") == (2, 0, 0)
    assert s.accuracies["stances.polarity"].value == 0.5


def test_events_type_and_unordered_parties_multiset_with_location_accuracy() -> None:
    gold = doc(events=[{"type": "CONSULT", "actors": ["IRL", "SRB"], "location": "Vienna"},
                       {"type": "CONSULT", "actors": ["IRL", "SRB"], "location": "Oslo"},
                       {"type": "ACCUSE", "actors": ["FRA", "IRL"]},
                       {"type": "AGREE", "actors": ["FRA", "SRB"], "optional": True}])
    pred = doc(events=[{"type": "consult", "actors": ["SRB", "IRL"], "location": "VIENNA"},
                       {"type": "ACCUSE", "actors": ["IRL", "FRA"], "location": "Paris"},
                       {"type": "ACCUSE", "actors": ["IRL"]},
                       {"type": "AGREE", "actors": ["SRB", "FRA"]}])
    s = score(gold, pred)
    assert counts(s, "events") == (2, 1, 1)
    location = s.accuracies["events.location"]
    assert (location.correct, location.total) == (1, 1)  # gold without a location is not judged


# --- documents and corpus -------------------------------------------------------------------

def test_empty_documents_score_perfect_with_undefined_accuracies() -> None:
    s = score(doc(), {})
    assert all(c.f1 == 1.0 for c in s.counts.values())
    assert all(a.value is None for a in s.accuracies.values())
    assert s.errors == {}
    missed = score(doc(events=[{"type": "AID", "actors": ["IRL"]}]), doc())
    assert missed.counts["events"].f1 == 0.0


def test_corpus_micro_averages_and_reports() -> None:
    g1 = doc("one.txt", quotes=[quote("the port stays open", "a spokesperson", "IRL")])
    p1 = doc(quotes=[quote("the port stays open", "a spokesperson", "IRL")])
    g2 = doc("two.txt", quotes=[quote("talks resume monday", None), quote("no deal yet", None)])
    p2 = doc(quotes=[quote("something else entirely", None)])
    report = score_corpus([(g1, p1), (g2, p2)], PARENTS)
    assert isinstance(report, CorpusReport)
    data = report.to_dict()
    assert data["documents"] == 2
    detection = data["metrics"]["quotes"]["detection"]
    assert (detection["tp"], detection["fp"], detection["fn"]) == (1, 1, 2)
    assert detection["p"] == 0.5 and detection["r"] == pytest.approx(1 / 3)
    assert data["metrics"]["quotes"]["attribution_accuracy"] == 1.0
    assert data["metrics"]["actors"]["role_accuracy"] is None
    assert set(data["metrics"]) == {"quotes", "actors", "provisions", "figures", "stances", "events"}
    assert set(data["metrics"]["stances"]) == {"triples", "pairs", "polarity_accuracy"}
    assert data["errors"]["one.txt"] == {}
    assert len(data["errors"]["two.txt"]["quotes"]["misses"]) == 2
    json.dumps(data)  # serialisable as-is

    console = Console(width=140, record=True)
    console.print(report.table())
    rendered = console.export_text()
    assert "quotes: detection" in rendered and "—" in rendered
    text = report.errors_text()
    assert "two.txt" in text and "one.txt" not in text
    assert '- missed: "no deal yet" (null)' in text
    assert '+ false positive: "something else entirely"' in text


def test_errors_text_describes_every_category() -> None:
    gold = doc(actors=ACTORS, quotes=[quote("the deal is fair", "Tom O'Hara", "IRL")],
               provisions=[{"id": "trade", "figures": [{"value": 3, "status": "proposed"}]}],
               stances=[{"holder": "IRL", "target": "plan", "polarity": "support"}],
               events=[{"type": "CONSULT", "actors": ["IRL", "SRB"], "location": "Vienna"}])
    pred = doc(quotes=[quote("the deal is fair", "Ilić", "SRB")])
    text = score_corpus([(gold, pred)], PARENTS).errors_text()
    for line in ("~ wrong speaker: \"the deal is fair\": gold Tom O'Hara [IRL], predicted Ilić [SRB]",
                 "- missed: Tom O'Hara (Envoy, IRL)", "- missed: trade", "- missed: trade = 3",
                 "- missed: IRL support plan", "- missed: CONSULT IRL+SRB @ Vienna"):
        assert line in text
    assert score_corpus([], PARENTS).errors_text() == "no errors"


# --- real gold ------------------------------------------------------------------------------

def _catalogue_parents(shared: Path) -> dict[str, str]:
    catalogue = yaml.safe_load((shared / "cases/ukraine-2025/provisions.yaml").read_text("utf-8"))
    return {p["id"]: p["parent"] for p in catalogue["provisions"] if p.get("parent")}


def test_real_gold_scored_against_itself_is_perfect(shared: Path) -> None:
    parents = _catalogue_parents(shared)
    golds = [g for folder in ("gold", "eval/dev/gold")
             for g in load_gold_dir(shared / folder).values()]
    assert golds
    for gold in golds:
        s = score_document(gold, gold, parents)
        for key, c in s.counts.items():
            assert (c.f1, c.fp, c.fn) == (1.0, 0, 0), (s.file, key)
        for key, a in s.accuracies.items():
            assert a.value in (1.0, None), (s.file, key)
        assert s.errors == {}
    report = score_corpus([(g, g) for g in golds], parents).to_dict()
    assert report["metrics"]["quotes"]["end_to_end"]["f1"] == 1.0


def test_catalogue_maps_sub_points_to_their_point(shared: Path) -> None:
    parents = _catalogue_parents(shared)
    gold = doc(provisions=[{"id": "donetsk-withdrawal-dmz"}, {"id": "army-cap"}])
    pred = doc(provisions=[{"id": "crimea-donbas-recognition"}, {"id": "army-cap"}])
    s = score_document(gold, pred, parents)
    assert counts(s, "provisions.exact") == (1, 1, 1)
    assert counts(s, "provisions.top_level") == (2, 0, 0)


def test_find_text_locates_real_article(shared: Path) -> None:
    golds = load_gold_dir(shared / "eval/dev/gold")
    gold = next(iter(golds.values()))
    assert find_text(gold, shared / "eval/dev/texts").is_file()


# --- gold files -----------------------------------------------------------------------------

def test_load_gold_dir_keys_by_stem(tmp_path: Path) -> None:
    (tmp_path / "a1.json").write_text(json.dumps(doc("a1.txt")), "utf-8")
    (tmp_path / "notes.md").write_text("not gold", "utf-8")
    assert list(load_gold_dir(tmp_path)) == ["a1"]


@pytest.mark.parametrize(("content", "reason"), [
    ("{not json", "malformed JSON"),
    (json.dumps(["a list"]), "not a JSON object"),
    (json.dumps(doc() | {"format": "accord-gold/0"}), "format"),
    (json.dumps(doc() | {"document": {}}), "document.file"),
    (json.dumps(doc(quotes="a string")), "'quotes'"),
])
def test_malformed_gold_raises_one_line_gold_error(tmp_path: Path, content: str, reason: str) -> None:
    (tmp_path / "bad.json").write_text(content, "utf-8")
    with pytest.raises(GoldError) as info:
        load_gold_dir(tmp_path)
    message = str(info.value)
    assert "bad.json" in message and reason in message and "\n" not in message


def test_missing_gold_dir_and_text_raise_gold_error(tmp_path: Path) -> None:
    with pytest.raises(GoldError, match="not a directory"):
        load_gold_dir(tmp_path / "absent")
    (tmp_path / "here.txt").write_text("text", "utf-8")
    assert find_text(doc("here.txt"), tmp_path) == tmp_path / "here.txt"
    with pytest.raises(GoldError, match="gone.txt"):
        find_text(doc("gone.txt"), tmp_path)
    with pytest.raises(GoldError):
        find_text({"format": "accord-gold/1"}, tmp_path)
