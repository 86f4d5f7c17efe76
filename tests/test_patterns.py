"""The case-file pattern language: rule matching and the needle index that skips rules."""

from __future__ import annotations

import re

import pytest

from accord.case import compile_rule, load_case
from accord.case.patterns import RuleIndex, needle_text


@pytest.mark.parametrize(
    ("source", "text", "cue"),
    [
        ("cap*|limit* + army|troops", "The draft would cap the army at a lower size.", "cap"),
        ("cap*|limit* + army|troops", "It limits troops.", "limits"),
        ("cap*|limit* + army|troops", "The escape of the army.", None),  # "cap" must start a word
        ("cap*|limit* + army|troops", "A capped armyman.", None),  # "army" must end one
        ("START + treaty", "The START treaty lapsed.", "START"),
        ("START + treaty", "Talks start on the treaty.", None),  # acronyms keep their case
        ("security ... guarantees", "security and other guarantees", "security and other guarantees"),
        ("sanction* + !lift*", "New sanctions were announced.", "sanctions"),
        ("sanction* + !lift*", "Sanctions would be lifted.", None),
        ("re:\\bpoint\\s+\\d+ + draft", "Point 7 of the draft", "Point 7"),
    ],
)
def test_rule_match(source: str, text: str, cue: str | None) -> None:
    span = compile_rule(source).match(text)
    assert (text[span[0] : span[1]] if span else None) == cue


def test_index_keeps_rules_whose_needles_occur_in_the_span() -> None:
    """The index's choice equals a search of every needle, at word starts, in every span."""
    rules = [rule for prov in load_case().provisions for rule in prov.rules]
    text = (
        "Kyiv said the plan would cap its army and limit troops. Moscow rejected any NATO "
        "membership for Ukraine! Sanctions relief and frozen assets were discussed. "
        "The US and the EU spoke of security guarantees."
    )
    spans = [m.span() for m in re.finditer(r"\S[^.!]*[.!]", text)]  # the sentences
    folded = needle_text(text)

    def occurs(words: tuple[str, ...] | None, start: int, end: int) -> bool:
        return words is None or any(
            start <= m.start() and m.end() <= end for w in words for m in re.finditer(rf"(?<!\w){re.escape(w)}", folded)
        )

    expected = [
        [r for r, rule in enumerate(rules) if all(occurs(words, s, e) for words in rule.needles)]
        for s, e in spans
    ]
    assert RuleIndex(rules).possible(text, spans) == expected
    assert len(spans) == 4 and all(expected)
