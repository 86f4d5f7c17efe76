"""The small pattern language of case files, compiled to regular expressions.

Case authors are analysts, not programmers: a rule reads like "cap*|limit* + army|troops".
Components joined by " + " must all occur in the sentence; "|" separates alternatives;
"word*" is a prefix; "a ... b" allows a few words between; "!" negates; "re:" is raw regex.
Case is ignored except in acronyms written in capitals ("START", "NATO").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = frozenset({"personnel", "USD", "EUR", "share", "days", "months", "years", "people"})
_GAP = r"(?:\W+\w+){0,6}?\W+"
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})


@dataclass(frozen=True)
class Rule:
    """One compiled rule: every positive component must match, no negative one may."""

    source: str
    positive: tuple[re.Pattern[str], ...]
    negative: tuple[re.Pattern[str], ...]

    def match(self, text: str) -> tuple[int, int] | None:
        """The span of the cue (first component) when the rule holds in ``text``."""
        text = text.translate(_APOSTROPHES)
        if any(neg.search(text) for neg in self.negative):
            return None
        spans = [pat.search(text) for pat in self.positive]
        if not all(spans):
            return None
        first = spans[0]
        assert first is not None
        return first.start(), first.end()


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
    for component in source.split(" + "):
        component = component.strip()
        target = positive
        if component.startswith("!"):
            target, component = negative, component[1:].strip()
        if component.startswith("re:"):
            regex = component[3:]
        else:
            alts = [a.strip() for a in component.split("|") if a.strip()]
            if not alts:
                raise ValueError(f"empty component in {source!r}")
            regex = "|".join(_alternative(a) for a in alts)
        try:
            target.append(re.compile(regex, re.IGNORECASE))
        except re.error as exc:
            raise ValueError(f"bad regular expression in {source!r}: {exc}") from exc
    if not positive:
        raise ValueError(f"rule {source!r} has no positive component")
    return Rule(source, tuple(positive), tuple(negative))
