"""The model's attribute rules (tag -> POS and morphology, token exceptions), compiled to lookups.

spaCy's ``attribute_ruler`` runs its ~180 rules through the general token Matcher, which costs
about a tenth of the whole parse of en_core_web_sm. The rules are simple (one or two tokens, each
an exact value, an IN/NOT_IN list or a regular expression over LOWER, TAG, DEP or IS_SPACE), so
``accord_attributes`` indexes them by the value their first token needs and checks only the rules
a token can start. It applies the matches exactly as the ruler does (in rule order, later rules
winning), so tokens get the same POS, morphology and lemmas; a test compares both on real text.
Rules it cannot compile (another key or operator) make it refuse to build rather than differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc, Token
from spacy.tokens._retokenize import set_token_attrs

from ..errors import AccordError

# The token attributes rules may test, in the order of the rows they are read into.
_FIELDS = ("LOWER", "TAG", "DEP", "IS_SPACE")
_COLUMN = {name: i for i, name in enumerate(_FIELDS)}

Row = tuple[str, str, str, bool]
Test = Callable[[Row], bool]


def _row(token: Token) -> Row:
    return token.lower_, token.tag_, token.dep_, token.is_space


def _test(key: str, spec: Any) -> Test:
    """One token condition as a predicate over a token's row."""
    if key not in _COLUMN:
        raise AccordError(f"attribute rule key not supported: {key}")
    col = _COLUMN[key]
    if not isinstance(spec, dict):
        return lambda r: r[col] == spec
    if set(spec) == {"IN"}:
        allowed = frozenset(spec["IN"])
        return lambda r: r[col] in allowed
    if set(spec) == {"NOT_IN"}:
        banned = frozenset(spec["NOT_IN"])
        return lambda r: r[col] not in banned
    if set(spec) == {"REGEX"}:
        regex, seen = re.compile(spec["REGEX"]), {}  # a value's answer is kept: words repeat

        def matches(r: Row) -> bool:
            value = r[col]
            if value not in seen:
                seen[value] = regex.search(value) is not None
            return seen[value]

        return matches
    raise AccordError(f"attribute rule operator not supported: {key} {spec}")


def _values(spec: Any) -> list[Any] | None:
    """The values a token must have to satisfy ``spec``, if they can be listed."""
    if not isinstance(spec, dict):
        return [spec]
    if set(spec) == {"IN"}:
        return list(spec["IN"])
    return None


class CompiledAttributes:
    """The ruler's rules, indexed by what their first token must be; the same results, faster."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self.attrs = list(ruler.attrs)
        self.indices = list(ruler.indices)
        self.index: list[dict[Any, list[tuple[int, list[list[Test]]]]]] = [{} for _ in _FIELDS]
        self.always: list[tuple[int, list[list[Test]]]] = []
        for rule_id in range(len(self.attrs)):
            for pattern in ruler.matcher.get(str(rule_id))[1]:
                tests = [[_test(k, v) for k, v in token.items()] for token in pattern]
                anchors = [(k, values) for k in _FIELDS if k in pattern[0] and (values := _values(pattern[0][k]))]
                if not anchors:  # only a regex or NOT_IN on the first token: tried everywhere
                    self.always.append((rule_id, tests))
                    continue
                key, values = anchors[0]
                for value in values:
                    self.index[_COLUMN[key]].setdefault(value, []).append((rule_id, tests))

    def __call__(self, doc: Doc) -> Doc:
        rows = [_row(t) for t in doc]
        n = len(rows)
        matches: set[tuple[int, int, int]] = set()
        for i, row in enumerate(rows):
            candidates = [c for col, table in enumerate(self.index) for c in table.get(row[col], ())]
            for rule_id, tests in [*candidates, *self.always]:
                end = i + len(tests)
                if end <= n and all(test(rows[i + j]) for j, token_tests in enumerate(tests) for test in token_tests):
                    matches.add((rule_id, i, end))
        for rule_id, start, end in sorted(matches):
            index = self.indices[rule_id]
            set_token_attrs(doc[start + index if index >= 0 else end + index], self.attrs[rule_id])
        return doc


def use_compiled_attributes(nlp: Language) -> None:
    """Swap the model's attribute_ruler for its compiled form, under the name ``accord_attributes``."""
    ruler = nlp.get_pipe("attribute_ruler")
    nlp.replace_pipe("attribute_ruler", "accord_attributes")
    nlp.rename_pipe("attribute_ruler", "accord_attributes")
    nlp.get_pipe("accord_attributes").compile(ruler)


class _Attributes:
    """The registered component: empty until ``compile`` gives it a ruler's rules."""

    def __init__(self) -> None:
        self.compiled: CompiledAttributes | None = None

    def compile(self, ruler: AttributeRuler) -> None:
        self.compiled = CompiledAttributes(ruler)

    def __call__(self, doc: Doc) -> Doc:
        if self.compiled is None:
            raise AccordError("accord_attributes has no rules: build it with use_compiled_attributes")
        return self.compiled(doc)


if not Language.has_factory("accord_attributes"):
    Language.factory("accord_attributes", func=lambda nlp, name: _Attributes())
