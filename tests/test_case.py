"""Case knowledge: the bundled case, the party resolver and user case files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pycountry
import pytest
import yaml

from accord.case import PartyResolver, bundled_cases, load_case, load_gazetteer
from accord.errors import CaseError


@pytest.fixture(scope="module")
def resolver() -> PartyResolver:
    return PartyResolver.for_case(load_case())


def test_bundled_case_loads() -> None:
    case = load_case()
    assert "ukraine-2025" in bundled_cases()
    assert case is load_case("ukraine-2025")
    assert [v.id for v in case.versions] == ["28pt", "e3", "19pt", "20pt"]
    assert case.provision("army-cap").units == ("personnel",)
    assert case.top_level("donetsk-withdrawal-dmz") == "territory"
    assert case.top_level("army-cap") == "army-cap"
    assert case.parents()["g8-return"] == "russia-reintegration"
    assert {"USA", "UKR", "RUS", "EU"} <= set(case.parties)
    with pytest.raises(KeyError):
        case.provision("no-such-point")


def test_provision_ids_match_shared_catalogue(shared: Path) -> None:
    ref = yaml.safe_load((shared / "cases" / "ukraine-2025" / "provisions.yaml").read_text())
    expected = {p["id"]: p.get("parent") for p in ref["provisions"]}
    case = load_case()
    assert {p.id: p.parent for p in case.provisions} == expected
    assert [v.id for v in case.versions] == [v["id"] for v in ref["versions"]]


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("Kyiv", "UKR"), ("Kiev", "UKR"), ("the Kremlin", "RUS"), ("Ukrainian", "UKR"),
        ("Finnish", "FIN"), ("European leaders", "EU"), ("Washington", "USA"), ("U.S.", "USA"),
        ("US", "USA"), ("America", "USA"), ("the EU", "EU"), ("NATO", "NATO"), ("Russia's", "RUS"),
        ("Russia’s", "RUS"), ("Moscow's top negotiator", "RUS"), ("Brussels", "EU"),
        ("Downing Street", "GBR"), ("the White House", "USA"), ("Abu Dhabi", "ARE"), ("Georgia", "GEO"),
        ("the Élysée", "FRA"), ("Bankova", "UKR"), ("G7", "G7"), ("the IAEA", "IAEA"),
        ("the European country Finland", "FIN"), ("Turkish", "TUR"), ("Emirati officials", "ARE"),
    ],
)
def test_party_resolves_phrases(resolver: PartyResolver, phrase: str, code: str) -> None:
    assert resolver.party(phrase) == code


@pytest.mark.parametrize("phrase", ["us", "a USB stick", "the Washington Post", "the negotiators", ""])
def test_party_none_without_party_word(resolver: PartyResolver, phrase: str) -> None:
    assert resolver.party(phrase) is None


def test_find_respects_boundaries_and_longest_match(resolver: PartyResolver) -> None:
    text = "The US-backed plan was sent to us by the United States, not the USB team, then to Kyiv."
    found = [(text[s:e], code) for s, e, code in resolver.find(text)]
    assert found == [("US", "USA"), ("United States", "USA"), ("Kyiv", "UKR")]


def test_person_lookup(resolver: PartyResolver) -> None:
    zelensky = resolver.person("Zelenskyy")
    assert zelensky is not None and zelensky.name == "Volodymyr Zelensky" and zelensky.party == "UKR"
    rubio = resolver.person("Rubio's")
    assert rubio is not None and rubio.role == "Secretary of State"
    assert resolver.person("Jane Nobody") is None


def test_gazetteer_codes_are_iso_or_organisations() -> None:
    gaz = load_gazetteer()
    countries = [p for p in gaz.parties.values() if p.kind == "country"]
    assert len(countries) == len(pycountry.countries)
    for party in countries:
        assert pycountry.countries.get(alpha_3=party.code) is not None, party.code
    assert {"EU", "NATO", "UN", "IAEA", "G7", "G20", "OSCE"} <= set(gaz.parties)


TINY_CASE = """
name: orchard-dispute
title: Two villages share an orchard
versions:
  - {id: v1, date: 2024-03-01, summary: First mediator draft, names: [orchard accord]}
parties:
  NVL: {name: Northvale, kind: country, aliases: [Northvale, Northvalers]}
  SVL: {name: Southvale, kind: country, aliases: [Southvale]}
people:
  - {name: Ada Quill, role: Mayor, party: NVL}
provisions:
  - id: harvest-split
    point: 1
    category: economy
    summary: The harvest is split between the villages.
    parties: [NVL, SVL]
    patterns: ["split*|divid*|share* + harvest*|apples"]
    units: [share]
  - id: harvest-split-dates
    parent: harvest-split
    category: economy
    summary: Picking days alternate.
    parties: [NVL, SVL]
    patterns: ["picking days|alternate days"]
"""


def test_user_case_loads_and_resolves(tmp_path: Path) -> None:
    path = tmp_path / "orchard.yaml"
    path.write_text(TINY_CASE, encoding="utf-8")
    case = load_case(path)
    assert case.name == "orchard-dispute"
    assert case.top_level("harvest-split-dates") == "harvest-split"
    resolver = PartyResolver.for_case(case)
    assert resolver.party("the Northvalers said") == "NVL"
    assert resolver.party("Russia") == "RUS"  # the general dictionary still applies
    person = resolver.person("Quill")
    assert person is not None and person.party == "NVL"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t.replace("title: Two villages share an orchard\n", ""), "missing key 'title'"),
        (lambda t: t.replace("id: harvest-split-dates", "id: harvest-split"), "duplicate provision id"),
        (lambda t: t.replace("parent: harvest-split", "parent: orchard-gate"), "unknown parent"),
        (lambda t: t.replace("parties: [NVL, SVL]\n    patterns: [\"split", "parties: [NVL, XXQ]\n    patterns: [\"split"),
         "unknown party code 'XXQ'"),
        (lambda t: t.replace("  SVL: {name: Southvale, kind: country, aliases: [Southvale]}", "  SVL: {aliases: [S]}"),
         "unknown party code 'SVL'"),
        (lambda t: t.replace("units: [share]", "units: [apples]"), "unknown unit"),
        (lambda t: t.replace("names: [orchard accord]}", "names: [orchard accord]"), "YAML syntax error at line"),
        (lambda t: t.replace("date: 2024-03-01", "date: soon"), "bad date"),
    ],
)
def test_bad_user_case_gives_one_line_error(tmp_path: Path, mutate: Callable[[str], str], message: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(mutate(TINY_CASE), encoding="utf-8")
    with pytest.raises(CaseError) as err:
        load_case(path)
    text = str(err.value)
    assert "broken.yaml" in text and message in text and "\n" not in text


def test_missing_case_file(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="no such case file"):
        load_case(tmp_path / "absent.yaml")
