"""The small pattern language of case files, compiled to regular expressions.

Case authors are analysts, not programmers: a rule reads like "cap*|limit* + army|troops".
Components joined by " + " must all occur in the sentence; "|" separates alternatives;
"word*" is a prefix; "a ... b" allows a few words between; "!" negates; "re:" is raw regex.
Case is ignored except in acronyms written in capitals ("START", "NATO").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

UNITS = frozenset({"personnel", "USD", "EUR", "share", "days", "months", "years", "people"})
_GAP = r"(?:\W+\w+){0,6}?\W+"
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})
# The only characters that a case-insensitive regex matches to an ASCII letter but str.lower()
# does not turn into it (İ also lowercases to two characters).
_FOLD = str.maketrans({"İ": "i", "ı": "i", "ſ": "s"})


@dataclass(frozen=True)
class Rule:
    """One compiled rule: every positive component must match, no negative one may."""

    source: str
    positive: tuple[re.Pattern[str], ...]
    negative: tuple[re.Pattern[str], ...]
    # Per positive component, words one of which must occur in the text for it to match
    # (None: no such words known). Checking them is far cheaper than the regex search.
    needles: tuple[tuple[str, ...] | None, ...]

    def match(self, text: str) -> tuple[int, int] | None:
        """The span of the cue (first component) when the rule holds in ``text``."""
        text, folded = _normalized(text)
        first: re.Match[str] | None = None
        for pat, needles in zip(self.positive, self.needles):
            if needles is not None and not any(n in folded for n in needles):
                return None
            found = pat.search(text)
            if found is None:
                return None
            first = first or found
        if first is None or any(neg.search(text) for neg in self.negative):
            return None
        return first.start(), first.end()

    def possible(self, folded: str) -> bool:
        """Whether the rule can hold anywhere in a text whose ``needle_text`` is ``folded``, so that a
        caller can drop, once per document, the rules whose words the document never uses."""
        return all(words is None or any(w in folded for w in words) for words in self.needles)


@lru_cache(maxsize=16)
def _normalized(text: str) -> tuple[str, str]:
    """The text with plain apostrophes, and its lowercased fold for the needles; cached because
    every rule of a case is matched against the same sentence in turn."""
    text = text.translate(_APOSTROPHES)
    return text, text.translate(_FOLD).lower()


def needle_text(text: str) -> str:
    """What needles are looked for in; character by character, so a sentence's fold is a slice
    of its document's."""
    return _normalized(text)[1]


def _needles(alts: list[str]) -> tuple[str, ...] | None:
    """For each alternative, its longest word (without "*"), lowercased: every match contains one
    of them. Only ASCII words, so that lowercasing the text with ``_FOLD`` finds every
    case-insensitive match."""
    needles = []
    for alt in alts:
        words = [w[:-1] if w.endswith("*") else w for segment in alt.split("...") for w in segment.split()]
        usable = [w.lower() for w in words if w and w.isascii()]
        if not usable:
            return None
        needles.append(max(usable, key=len))
    return tuple(needles)


def _alternative(alt: str) -> str:
    """Regex for one alternative: escaped words, "*" as a word tail, "..." as a short gap."""
    parts = []
    for segment in alt.split("..."):
        words = segment.split()
        if not words:
            raise ValueError(f"empty phrase in {alt!r}")
        tokens = [re.escape(w[:-1]) + r"[\w-]*" if w.endswith("*") else re.escape(w) for w in words]
        parts.append(r"\s+".join(tokens))
    body = _GAP.join(parts)
    letters = [c for c in alt if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        body = f"(?-i:{body})"  # acronyms: "START" the treaty, not "start"
    return rf"(?<![\w-]){body}(?![\w])"


def compile_rule(source: str) -> Rule:
    """Compile one rule; raises ValueError with the reason when it is malformed."""
    positive: list[re.Pattern[str]] = []
    negative: list[re.Pattern[str]] = []
    needles: list[tuple[str, ...] | None] = []
    for component in source.split(" + "):
        component = component.strip()
        target = positive
        if component.startswith("!"):
            target, component = negative, component[1:].strip()
        if component.startswith("re:"):
            regex = component[3:]
            words = None
        else:
            alts = [a.strip() for a in component.split("|") if a.strip()]
            if not alts:
                raise ValueError(f"empty component in {source!r}")
            regex = "|".join(_alternative(a) for a in alts)
            words = _needles(alts)
        try:
            target.append(re.compile(regex, re.IGNORECASE))
            if target is positive:
                needles.append(words)
        except re.error as exc:
            raise ValueError(f"bad regular expression in {source!r}: {exc}") from exc
    if not positive:
        raise ValueError(f"rule {source!r} has no positive component")
    return Rule(source, tuple(positive), tuple(negative), tuple(needles))
