"""The small pattern language of case files, compiled to regular expressions.

Case authors are analysts, not programmers: a rule reads like "cap*|limit* + army|troops".
Components joined by " + " must all occur in the sentence; "|" separates alternatives;
"word*" is a prefix; "a ... b" allows a few words between; "!" negates; "re:" is raw regex.
Case is ignored except in acronyms written in capitals ("START", "NATO").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

UNITS = frozenset({"personnel", "USD", "EUR", "share", "days", "months", "years", "people"})
_GAP = r"(?:\W+\w+){0,6}?\W+"
_APOSTROPHES = "’‘"  # read as "'"
# The only characters that a case-insensitive regex matches to an ASCII letter but str.lower()
# does not turn into it (İ also lowercases to two characters).
_FOLD = {"İ": "i", "ı": "i", "ſ": "s"}


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
        """The span of the cue (first component) when the rule holds in ``text``. The needles are
        not looked at: a ``RuleIndex`` finds once per document the rules they leave possible."""
        text = _normalized(text)[0]
        first: re.Match[str] | None = None
        for pat in self.positive:
            found = pat.search(text)
            if found is None:
                return None
            first = first or found
        if first is None or any(neg.search(text) for neg in self.negative):
            return None
        return first.start(), first.end()


class RuleIndex:
    """Rules indexed by their needles. Which rules can hold in each sentence of a document follows
    from where the needles occur in it, found in one pass over the document, rather than from a
    substring search per rule, needle and sentence.

    A needle is a whole word of its rule, so in any match it starts after a non-word character
    (or at the start): only such places are looked at.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        # needle -> (rule, component) pairs it stands for; per rule, how many components have needles
        self._holders: dict[str, list[tuple[int, int]]] = {}
        self._needed: list[int] = []
        for r, rule in enumerate(self.rules):
            components = [c for c, words in enumerate(rule.needles) if words is not None]
            self._needed.append(len(components))
            for c in components:
                for word in rule.needles[c] or ():
                    self._holders.setdefault(word, []).append((r, c))
        self._unconditional = [r for r, needed in enumerate(self._needed) if not needed]
        # the longest needle at a place gives all of them there: those it starts with
        self._prefixes = {w: [p for p in self._holders if w.startswith(p)] for w in self._holders}
        self._finder = re.compile(rf"(?<!\w)(?=({_trie(self._holders)}))")

    def possible(self, text: str, spans: Sequence[tuple[int, int]]) -> list[list[int]]:
        """For each (start, end) span of ``text`` (sorted, not overlapping), the indices of the
        rules whose every component has a needle starting a word inside the span, in rule order."""
        folded = needle_text(text)
        starts = [start for start, _ in spans]
        words: list[set[str]] = [set() for _ in spans]
        for found in self._finder.finditer(folded):
            at = found.start()
            k = bisect_right(starts, at) - 1
            if k >= 0:
                words[k].update(w for w in self._prefixes[found.group(1)] if at + len(w) <= spans[k][1])
        possible: list[list[int]] = []
        for present in words:
            covered: dict[int, set[int]] = {}
            for word in present:
                for r, c in self._holders[word]:
                    covered.setdefault(r, set()).add(c)
            ready = [r for r, components in covered.items() if len(components) == self._needed[r]]
            possible.append(sorted(ready + self._unconditional))
        return possible


def _trie(words: Iterable[str]) -> str:
    """A regex matching the longest of ``words`` at a place, shaped as a tree of their letters so
    that the search tries one branch per character instead of every word in turn."""
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def pattern(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    return pattern(tree)


@lru_cache(maxsize=16)
def _normalized(text: str) -> tuple[str, str]:
    """The text with plain apostrophes, and its lowercased fold for the needles; cached because
    every rule of a case is matched against the same sentence in turn."""
    for curly in _APOSTROPHES:  # replace() is far quicker than translate() on a document
        text = text.replace(curly, "'")
    folded = text
    for odd, plain in _FOLD.items():
        folded = folded.replace(odd, plain)
    return text, folded.lower()


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
    """Regex for one alternative: escaped words, "*" as a word tail, "..." as a short gap. It
    must start a word, which ``_component`` checks once for all the alternatives."""
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
    return rf"{body}(?![\w])"


def _component(alts: list[str]) -> str:
    """Regex for one component: its alternatives behind one word-start check, so that the search
    fails at once inside words instead of trying every alternative there."""
    return rf"(?<![\w-])(?:{'|'.join(_alternative(a) for a in alts)})"


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
            regex = _component(alts)
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
