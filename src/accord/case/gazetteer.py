"""The general dictionary of parties (countries, organisations) and the resolver over it.

Regions, cities, armed and political groups and national institutions add phrases that resolve
to the country they belong to ("Kharkiv", "Hezbollah", "the Knesset"), never new parties.

Matching is on whole tokens and case-sensitive, so "US" never fires inside "USB" nor on the
pronoun "us"; the longest phrase wins, and known non-party phrases ("Washington Post") shadow.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.process import extract

from ..errors import CaseError
from ..text import fold
from .schema import Case, Party, Person

_TOKEN = re.compile(r"\w+|[^\w\s]")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
_ARTICLE = re.compile(r"^(?:the|The)\s+(?=\S)")
_SHADOW = ""  # code of phrases that name no party
_NEAR_MIN = 6  # shorter names are one typo away from too many other words


@dataclass(frozen=True)
class Gazetteer:
    """Every known party with the phrases naming it, plus phrases that look like parties but are not."""

    parties: dict[str, Party]
    phrases: dict[str, str]  # phrase -> party code ("" for non-party phrases)
    european_qualified: frozenset[str]
    spellings: dict[str, str]  # one-word country names and demonyms -> code, for typo matching


def _read(name: str) -> Any:
    path = resources.files("accord") / "data" / "gazetteer" / name
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CaseError(f"gazetteer {name}: cannot load: {exc}") from None


GROUP_KINDS = frozenset({"armed", "political", "institution", "company"})


@cache
def load_gazetteer() -> Gazetteer:
    """Countries and organisations, then places and groups that stand for them, loaded once."""
    countries = _read("countries.yaml")
    orgs = _read("organisations.yaml")
    regions = _read("regions.yaml")
    groups = _read("groups.yaml")
    parties: dict[str, Party] = {}
    phrases: dict[str, str] = {}
    spellings: dict[str, str] = {}
    for row in countries["countries"]:
        names = [*row["names"], *row["demonyms"], *row["capitals"], *row["seats"]]
        for word in [*row["names"], *row["demonyms"]]:
            if word.isalpha() and word.istitle() and len(word) >= _NEAR_MIN - 1:
                spellings[word] = row["code"]
        parties[row["code"]] = Party(row["code"], row["name"], "country", tuple(names))
    for row in orgs["organisations"]:
        parties[row["code"]] = Party(row["code"], row["name"], "organisation", tuple(row["aliases"]))
    for party in parties.values():  # organisations come last and win: "Brussels" is the EU
        for phrase in (party.name, *party.aliases):
            if party.kind == "organisation":
                phrases[phrase] = party.code
            else:
                phrases.setdefault(phrase, party.code)
    # places and groups only add phrases: a country or organisation name never changes meaning
    for code, names in [*_places(regions), *_groups(groups)]:
        if code not in parties:
            raise CaseError(f"gazetteer: unknown party code {code!r} for {names[0]!r}")
        for phrase in names:
            phrases.setdefault(phrase, code)
    for phrase in [*(countries.get("non_party") or []), *(regions.get("non_party") or [])]:
        phrases[phrase] = _SHADOW
    return Gazetteer(parties, phrases, frozenset(orgs.get("european_qualified") or ()), spellings)


def _places(data: Any) -> list[tuple[str, list[str]]]:
    """(country, phrases) of regions.yaml: regions, cities and peoples all name the country."""
    return [(row["code"], [*row.get("regions", []), *row.get("cities", []), *row.get("peoples", [])])
            for row in data["regions"]]


def _groups(data: Any) -> list[tuple[str, list[str]]]:
    """(country, phrases) of groups.yaml; the kind is checked so the file stays one vocabulary."""
    found: list[tuple[str, list[str]]] = []
    for row in data["groups"]:
        if row["kind"] not in GROUP_KINDS:
            raise CaseError(f"gazetteer groups.yaml: {row['name']!r} has unknown kind {row['kind']!r}")
        found.append((row["code"], [row["name"], *row["aliases"]]))
    return found


def _key(phrase: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(_ARTICLE.sub("", phrase.translate(_APOSTROPHES))))


def _fold(text: str) -> str:
    """Lower-case without accents or curly apostrophes, for forgiving person-name lookups."""
    return fold(text.translate(_APOSTROPHES))


class PartyResolver:
    """Finds party mentions in text and resolves phrases and people for one case."""

    def __init__(
        self,
        phrases: dict[str, str],
        people: tuple[Person, ...],
        european_qualified: frozenset[str],
        spellings: dict[str, str] | None = None,
    ) -> None:
        self._table: dict[tuple[str, ...], str] = {}
        for phrase, code in phrases.items():
            key = _key(phrase)
            if key:
                self._table[key] = code
        self._longest: dict[str, int] = {}  # first word -> words in its longest phrase
        for key in self._table:
            self._longest[key[0]] = max(self._longest.get(key[0], 0), len(key))
        self._spellings = spellings or {}
        self._eu_qualified = european_qualified
        self._people = people
        self._person_index: dict[str, Person] = {}
        surnames: dict[str, list[Person]] = {}
        for person in people:
            for full in (person.name, *person.aliases):
                self._person_index.setdefault(_fold(full), person)
                surnames.setdefault(_fold(full.split()[-1]), []).append(person)
        for surname, owners in surnames.items():
            if len({p.name for p in owners}) == 1:
                self._person_index.setdefault(surname, owners[0])

    @classmethod
    def for_case(cls, case: Case) -> PartyResolver:
        """The resolver for ``case``: general gazetteer plus the case's own aliases; cached."""
        return _resolver_for(case)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Every party mention as (start, end, code), left to right, longest match first."""
        matches = list(_TOKEN.finditer(text.translate(_APOSTROPHES)))  # one character for another
        words = [m.group() for m in matches]
        found: list[tuple[int, int, str]] = []
        i = 0
        while i < len(words):
            longest = self._longest.get(words[i])
            if longest is None:  # most words start no phrase
                i += 1
                continue
            for n in range(min(longest, len(words) - i), 0, -1):
                code = self._table.get(tuple(words[i : i + n]))
                if code is None:
                    continue
                if code == "EU" and n == 1 and self._qualifies_country(words, i):
                    code = _SHADOW
                if code:
                    found.append((matches[i].start(), matches[i + n - 1].end(), code))
                i += n
                break
            else:
                i += 1
        return found

    def _qualifies_country(self, words: list[str], i: int) -> bool:
        """"European country Finland": the adjective introduces a country, not the EU."""
        if words[i] not in ("European", "Europe's") or i + 2 >= len(words):
            return False
        return words[i + 1] in self._eu_qualified and words[i + 2][:1].isupper()

    def party(self, text: str) -> str | None:
        """The party named by a phrase: the first party word in it."""
        found = self.find(text)
        return found[0][2] if found else None

    @functools.lru_cache(maxsize=4096)
    def near(self, word: str) -> str | None:
        """The country of a one-word name one typo away from its name or demonym ("Afganistan",
        "Ethopia"), if only one country is that close. Cities are left out (Geneva is one letter
        from Genova), and callers pass only words tagged as places or nationalities: on any
        capitalised word ("Roland") it would guess."""
        if len(word) < _NEAR_MIN or not word.isalpha() or not word.istitle() or word in self._spellings:
            return None
        names = list(self._spellings)
        close = extract(word, names, scorer=DamerauLevenshtein.distance, score_cutoff=1, limit=None)
        codes = {self._spellings[name] for name, _, _ in close}
        return codes.pop() if len(codes) == 1 else None

    def person(self, name: str) -> Person | None:
        """A case's key person by full name, alias or unambiguous surname."""
        folded = _fold(re.sub(r"['’]s$", "", name.strip()))
        if folded in self._person_index:
            return self._person_index[folded]
        words = folded.split()
        return self._person_index.get(words[-1]) if words else None


@cache
def _resolver_for(case: Case) -> PartyResolver:
    gaz = load_gazetteer()
    phrases = dict(gaz.phrases)
    for party in case.parties.values():
        phrases.setdefault(party.name, party.code)
        for alias in party.aliases:
            phrases[alias] = party.code
    return PartyResolver(phrases, case.people, gaz.european_qualified, gaz.spellings)
