"""World knowledge of the party resolver: regions, cities, groups and institutions stand for their
country, and adding them changes no resolution of a country or organisation name."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pycountry
import pytest
import yaml

from accord.case import PartyResolver, load_case, load_gazetteer
from accord.case.gazetteer import GROUP_KINDS


def _data(name: str) -> Any:
    return yaml.safe_load((resources.files("accord") / "data" / "gazetteer" / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def resolver() -> PartyResolver:
    return PartyResolver.for_case(load_case())


@pytest.mark.parametrize(("text", "expected"), [
    # regions and disputed territories
    ("Russian forces pressed on in the Donbas overnight.", ["RUS", "UKR"]),
    ("Crimea was annexed in 2014.", ["UKR"]),
    ("Separatists in Transnistria held a vote.", ["MDA"]),
    ("Troops entered Abkhazia and South Ossetia.", ["GEO", "GEO"]),
    ("Fighting flared in Nagorno-Karabakh.", ["AZE"]),
    ("Chechnya's leader spoke on television.", ["RUS"]),
    ("Settlers clashed with villagers in the West Bank.", ["PSE"]),
    ("Aid trucks reached the Gaza Strip.", ["PSE"]),
    ("Police patrolled East Jerusalem.", ["PSE"]),
    ("Militants attacked a convoy in Kashmir.", ["IND"]),
    ("Protests spread across Azad Jammu and Kashmir.", ["PAK"]),
    ("Refugees fled Darfur into Chad.", ["SDN", "TCD"]),
    ("Officials in Iraqi Kurdistan and the Kurdistan Region met.", ["IRQ", "IRQ"]),
    ("Crackdowns in Xinjiang and Tibet drew criticism.", ["CHN", "CHN"]),
    ("Herders in Inner Mongolia protested.", ["CHN"]),
    ("The army fought rebels on Mindanao and in Aceh.", ["PHL", "IDN"]),
    ("Catalonia and Flanders both have separatist parties.", ["ESP", "BEL"]),
    ("Violence returned to Ulster.", ["GBR"]),
    ("Oil spilled in the Niger Delta.", ["NGA"]),
    # cities that are not capitals
    ("Missiles struck Kharkiv, Odesa and Lviv.", ["UKR", "UKR", "UKR"]),
    ("The battle for Mosul and Aleppo ended.", ["IRQ", "SYR"]),
    ("Ships docked at Basra and Karachi.", ["IRQ", "PAK"]),
    ("Markets in Mumbai and Istanbul fell.", ["IND", "TUR"]),
    ("Delegates met in St Petersburg.", ["RUS"]),
    ("Flights from Benin City resumed.", ["NGA"]),
    # armed and political groups
    ("Hamas and Hezbollah issued statements.", ["PSE", "LBN"]),
    ("Kataib Hezbollah claimed the attack.", ["IRQ"]),
    ("The Taliban took Kabul.", ["AFG", "AFG"]),
    ("Al-Shabaab and Boko Haram are listed.", ["SOM", "NGA"]),
    ("FARC and the ELN signed.", ["COL", "COL"]),
    ("The PKK declared a ceasefire.", ["TUR"]),
    ("UNITA fighters surrendered.", ["AGO"]),
    ("The Irish Republican Army disarmed; the IRA apologised.", ["GBR", "GBR"]),
    ("ETA announced its dissolution.", ["ESP"]),
    ("The LTTE and the Tamil Tigers are one group.", ["LKA", "LKA"]),
    ("The Houthis fired at ships.", ["YEM"]),
    ("Islamic State and ISIS and ISIL and Daesh.", ["IRQ", "IRQ", "IRQ", "IRQ"]),
    ("Wagner Group mercenaries left.", ["RUS"]),
    ("Azov fighters surrendered at Azovstal.", ["UKR", "UKR"]),
    ("Fatah and the PLO met.", ["PSE", "PSE"]),
    ("The Polisario Front rejected it.", ["ESH"]),
    ("The SPLA and the Janjaweed.", ["SSD", "SDN"]),
    ("The RUF attacked Kenema.", ["SLE", "SLE"]),
    ("The Sudan People's Liberation Army marched.", ["SSD"]),
    # institutions named without their country
    ("The Knesset passed the bill.", ["ISR"]),
    ("Congress approved aid, the Pentagon said.", ["USA", "USA"]),
    ("The Indian National Congress lost.", ["IND"]),
    ("The Duma and the Bundestag and the Rada voted.", ["RUS", "DEU", "UKR"]),
    ("Sources at Matignon and in the Sejm agreed.", ["FRA", "POL"]),
    ("The IRGC seized a tanker.", ["IRN"]),
])
def test_world_phrases_resolve(resolver: PartyResolver, text: str, expected: list[str]) -> None:
    assert [code for _, _, code in resolver.find(text)] == expected


@pytest.mark.parametrize("text", [
    "Ships crossed the Sea of Azov.",
    "Leaders met in the Normandy format.",
    "The New York Times reported it.",
    "Talks in Geneva went on.",  # a venue, not a party
    "He said nice things about Victoria.",
    "Is it true? IS IT?",
    "the congress of the party",  # case-sensitive: the common noun is no party
])
def test_non_parties_stay_unresolved(resolver: PartyResolver, text: str) -> None:
    assert resolver.find(text) == []


def test_matches_are_whole_words_and_give_offsets(resolver: PartyResolver) -> None:
    text = "Hamasville is no place; Hamas is a party."
    assert resolver.find(text) == [(24, 29, "PSE")]


def _base_phrases() -> dict[str, str]:
    """The phrase table of countries and organisations alone, built as the loader builds it."""
    countries, orgs = _data("countries.yaml"), _data("organisations.yaml")
    phrases: dict[str, str] = {}
    for row in countries["countries"]:
        for phrase in (row["name"], *row["names"], *row["demonyms"], *row["capitals"], *row["seats"]):
            phrases.setdefault(phrase, row["code"])
    for row in orgs["organisations"]:
        for phrase in (row["name"], *row["aliases"]):
            phrases[phrase] = row["code"]
    for phrase in countries["non_party"]:
        phrases[phrase] = ""
    return phrases


def test_country_and_organisation_names_keep_their_meaning() -> None:
    base = _base_phrases()
    before = PartyResolver(base, (), frozenset())
    after = PartyResolver(load_gazetteer().phrases, (), frozenset())
    changed = [p for p in base if before.find(p) != after.find(p)]
    assert changed == []
    assert all(load_gazetteer().phrases[p] == code for p, code in base.items())


def test_new_files_use_valid_codes_and_kinds() -> None:
    orgs = {row["code"] for row in _data("organisations.yaml")["organisations"]}
    regions, groups = _data("regions.yaml"), _data("groups.yaml")
    codes = [row["code"] for row in regions["regions"]] + [row["code"] for row in groups["groups"]]
    invalid = [c for c in codes if c not in orgs and pycountry.countries.get(alpha_3=c) is None]
    assert invalid == []
    assert {row["kind"] for row in groups["groups"]} <= GROUP_KINDS
    assert len(codes) > 250


def test_each_phrase_is_listed_once() -> None:
    regions, groups = _data("regions.yaml"), _data("groups.yaml")
    names = [n for row in regions["regions"] for k in ("regions", "cities", "peoples") for n in row.get(k, [])]
    names += [n for row in groups["groups"] for n in (row["name"], *row["aliases"])]
    assert len(names) == len(set(names))
    assert not set(names) & set(_base_phrases())  # no duplicate of a country or organisation phrase


@pytest.mark.parametrize(("word", "expected"), [
    ("Afganistan", "AFG"), ("Phillippines", "PHL"), ("Isreal", "ISR"), ("Ukrainain", "UKR"),
    ("Geneva", None),  # one letter from a city (Genova), and cities are not guessed
    ("Poland", None),  # spelt right: exact matching's job
    ("Iraqq", None),  # too short to guess
    ("Austrian", None),  # right, and a demonym
])
def test_near_guesses_one_typo_in_country_names(resolver: PartyResolver, word: str, expected: str | None) -> None:
    assert resolver.near(word) == expected


def test_stateless_organisations_are_parties(resolver: PartyResolver) -> None:
    text = "Amnesty International, Human Rights Watch, the Red Crescent and al-Qaeda."
    assert [code for _, _, code in resolver.find(text)] == ["AMNESTY", "HRW", "ICRC", "AQ"]
