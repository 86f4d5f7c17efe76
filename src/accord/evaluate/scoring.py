"""Score one document's extraction against its accord-gold/1 gold, as GUIDELINES.md defines.

Every category is scored by one-to-one matching of predicted to gold items, best pairs first.
Gold items marked ``optional`` are borderline: a prediction that matches one is neither a true
nor a false positive, and missing one costs nothing. Accuracies (attribution, role, party,
polarity, location) are computed over matched *required* gold items only, for the same reason.

Choices where the guidelines leave room: roles and locations must be equal after folding case,
diacritics and punctuation ("Kremlin Spokesman" is not "spokesman"), and a null gold role is
matched only by a null one; a gold speaker is a person when it names a gold actor, otherwise a
group whose party is compared (or, without a party, its words minus a leading article).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import GoldError
from ..models import GOLD_FORMAT
from ..text import fold

QUOTE_MIN_F1 = 0.5
# Figures are compared with a relative tolerance so that a value rounded in the text
# ("about 880,000" vs 880,500) or carried as a float still matches.
FIGURE_REL_TOL = 0.01
# Honorifics say nothing about who a person is, and would otherwise pose as a given name.
_HONORIFICS = frozenset({"mr", "mrs", "ms", "dr", "sir"})
_CATEGORIES = ("actors", "quotes", "provisions", "stances", "events")

Item = dict[str, Any]


@dataclass
class Counts:
    """True/false positives and false negatives; addable so documents micro-average."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        # Nothing predicted and nothing to find is a perfect score, not a division by zero.
        if self.tp + self.fp:
            return self.tp / (self.tp + self.fp)
        return 1.0 if self.fn == 0 else 0.0

    @property
    def recall(self) -> float:
        if self.tp + self.fn:
            return self.tp / (self.tp + self.fn)
        return 1.0 if self.fp == 0 else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {"p": self.precision, "r": self.recall, "f1": self.f1,
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class Accuracy:
    """Correct over judged items; ``None`` when nothing was judged (no matched items)."""

    correct: int = 0
    total: int = 0

    def __add__(self, other: Accuracy) -> Accuracy:
        return Accuracy(self.correct + other.correct, self.total + other.total)

    def add(self, ok: bool) -> None:
        self.correct += ok
        self.total += 1

    @property
    def value(self) -> float | None:
        return self.correct / self.total if self.total else None


# Keys of DocScore.counts and DocScore.accuracies, in report order.
COUNT_KEYS = ("quotes.detection", "quotes.end_to_end", "actors", "provisions.exact",
              "provisions.top_level", "figures", "stances.triples", "stances.pairs", "events")
ACCURACY_KEYS = ("quotes.attribution", "actors.role", "actors.party", "stances.polarity",
                 "events.location")


@dataclass
class DocScore:
    """One document's counts, accuracies and errors (misses, false positives, wrong speakers)."""

    file: str
    counts: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in COUNT_KEYS})
    accuracies: dict[str, Accuracy] = field(
        default_factory=lambda: {k: Accuracy() for k in ACCURACY_KEYS})
    errors: dict[str, dict[str, list[Any]]] = field(default_factory=dict)

    def add_errors(self, category: str, kind: str, items: list[Any]) -> None:
        if items:
            self.errors.setdefault(category, {})[kind] = items


# --- normalisation -------------------------------------------------------------------------

def _words(text: str | None) -> list[str]:
    """Folded word tokens with punctuation dropped."""
    return re.findall(r"\w+", fold(text))


def _label(text: str | None) -> str:
    """Exact-after-normalisation form of a role, location or group speaker."""
    return " ".join(_words(text))


def _group_label(text: str | None) -> str:
    """A group speaker without a party, minus a leading article ("the source" = "source")."""
    return re.sub(r"^(the|a|an) ", "", _label(text))


def _code(text: Any) -> str:
    """Party codes, event types, polarities and targets compare case-insensitively."""
    return str(text).strip().casefold() if text is not None else ""


def name_tokens(name: str | None) -> list[str]:
    """A person's name as folded tokens without possessive, apostrophes or honorifics.

    "Mr O'Hara's" -> ["ohara"], so the name and its possessive share a surname.
    """
    text = re.sub(r"['’]", "", re.sub(r"['’]s\b", "", fold(name)))
    return [t for t in re.findall(r"\w+", text) if t not in _HONORIFICS]


def same_person(a: str | None, b: str | None) -> bool:
    """Surname match with compatible given names (missing, equal, or one a prefix/initial)."""
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb or ta[-1] != tb[-1]:
        return False
    if len(ta) == 1 or len(tb) == 1:
        return True
    ga, gb = ta[0], tb[0]
    return ga.startswith(gb) or gb.startswith(ga)


def token_f1(a: str | None, b: str | None) -> float:
    """Overlap of two texts as F1 over lower-cased word tokens (multiset)."""
    ta = Counter(re.findall(r"\w+", (a or "").lower()))
    tb = Counter(re.findall(r"\w+", (b or "").lower()))
    common = sum((ta & tb).values())
    if not common:
        return 0.0
    p, r = common / sum(tb.values()), common / sum(ta.values())
    return 2 * p * r / (p + r)


def top_level(provision_id: str, parents: Mapping[str, str]) -> str:
    """The top-level point a (sub-)point belongs to, following parent links."""
    seen = {provision_id}
    while provision_id in parents and parents[provision_id] not in seen:
        provision_id = parents[provision_id]
        seen.add(provision_id)
    return provision_id


# --- matching ------------------------------------------------------------------------------

def _items(doc: Mapping[str, Any], key: str) -> list[Item]:
    """The dict items of one category; predictions may omit a category or carry junk."""
    value = doc.get(key)
    return [i for i in value if isinstance(i, dict)] if isinstance(value, list) else []


def _optional(item: Item) -> bool:
    return bool(item.get("optional"))


@dataclass
class _Matching:
    pairs: list[tuple[Item, Item]]  # (gold, pred), required gold only
    misses: list[Item]  # unmatched required gold
    false_positives: list[Item]  # unmatched predictions

    def counts(self) -> Counts:
        return Counts(len(self.pairs), len(self.false_positives), len(self.misses))


def _match(gold: Sequence[Item], pred: Sequence[Item],
           score: Callable[[Item, Item], float | None]) -> _Matching:
    """Greedy one-to-one matching by descending score; ties go to required gold, then order.

    A prediction whose best partner is optional gold is absorbed by it (neither TP nor FP).
    """
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            s = score(g, p)
            if s is not None:
                candidates.append((-s, _optional(g), gi, pi))
    candidates.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for _, optional, gi, pi in candidates:
        if gi in used_gold or pi in used_pred:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
        if not optional:
            pairs.append((gold[gi], pred[pi]))
    misses = [g for gi, g in enumerate(gold) if gi not in used_gold and not _optional(g)]
    fps = [p for pi, p in enumerate(pred) if pi not in used_pred]
    return _Matching(pairs, misses, fps)


def _key_set(items: Sequence[Item], key: Callable[[Item], Any]) -> list[Item]:
    """Collapse duplicates by key; a key stays optional only if every occurrence is optional."""
    merged: dict[Any, Item] = {}
    for item in items:
        k = key(item)
        optional = _optional(item) and (k not in merged or merged[k]["optional"])
        merged[k] = {"key": k, "optional": optional, "item": merged.get(k, {}).get("item", item)}
    return list(merged.values())


def _match_sets(gold: Sequence[Item], pred: Sequence[Item], key: Callable[[Item], Any]) -> _Matching:
    """Set semantics: duplicates collapse, items match when their keys are equal."""
    return _match(_key_set(gold, key), _key_set(pred, key),
                  lambda g, p: 1.0 if g["key"] == p["key"] else None)


# --- categories ----------------------------------------------------------------------------

def _person_speaker(speaker: str | None, actors: Sequence[Item]) -> bool:
    """A gold speaker is a person when it names one of the gold actors; else a group or office."""
    return any(same_person(speaker, a.get("name")) for a in actors)


def attribution_ok(gold: Item, pred: Item, actors: Sequence[Item]) -> bool:
    """Same person by surname; for groups/offices the same party (or same words without one)."""
    g_speaker, p_speaker = gold.get("speaker"), pred.get("speaker")
    if not g_speaker or not p_speaker:
        return not g_speaker and not p_speaker
    if _person_speaker(g_speaker, actors):
        g_tokens, p_tokens = name_tokens(g_speaker), name_tokens(p_speaker)
        return bool(g_tokens and p_tokens) and g_tokens[-1] == p_tokens[-1]
    if gold.get("party"):
        return _code(gold.get("party")) == _code(pred.get("party"))
    return _group_label(g_speaker) == _group_label(p_speaker)


def _score_quotes(gold: Item, pred: Item, score: DocScore) -> None:
    def overlap(g: Item, p: Item) -> float | None:
        f1 = token_f1(g.get("text"), p.get("text"))
        return f1 if f1 >= QUOTE_MIN_F1 else None

    actors = _items(gold, "actors")
    m = _match(_items(gold, "quotes"), _items(pred, "quotes"), overlap)
    score.counts["quotes.detection"] = m.counts()
    wrong = [(g, p) for g, p in m.pairs if not attribution_ok(g, p, actors)]
    score.accuracies["quotes.attribution"] = Accuracy(len(m.pairs) - len(wrong), len(m.pairs))
    score.counts["quotes.end_to_end"] = Counts(
        len(m.pairs) - len(wrong), len(m.false_positives) + len(wrong), len(m.misses) + len(wrong))
    score.add_errors("quotes", "misses", m.misses)
    score.add_errors("quotes", "false_positives", m.false_positives)
    score.add_errors("quotes", "attribution", [{"gold": g, "pred": p} for g, p in wrong])


def _score_actors(gold: Item, pred: Item, score: DocScore) -> None:
    def person(g: Item, p: Item) -> float | None:
        g_tokens = name_tokens(g.get("name"))
        if g_tokens and g_tokens == name_tokens(p.get("name")):
            return 2.0
        return 1.0 if same_person(g.get("name"), p.get("name")) else None

    m = _match(_items(gold, "actors"), _items(pred, "actors"), person)
    score.counts["actors"] = m.counts()
    for g, p in m.pairs:
        score.accuracies["actors.role"].add(_label(g.get("role")) == _label(p.get("role")))
        score.accuracies["actors.party"].add(_code(g.get("party")) == _code(p.get("party")))
    score.add_errors("actors", "misses", m.misses)
    score.add_errors("actors", "false_positives", m.false_positives)


def _score_provisions(gold: Item, pred: Item, parents: Mapping[str, str], score: DocScore) -> None:
    g_items, p_items = _items(gold, "provisions"), _items(pred, "provisions")
    exact = _match_sets(g_items, p_items, lambda i: i.get("id"))
    score.counts["provisions.exact"] = exact.counts()
    score.counts["provisions.top_level"] = _match_sets(
        g_items, p_items, lambda i: top_level(str(i.get("id")), parents)).counts()
    score.add_errors("provisions", "misses", [g["key"] for g in exact.misses])
    score.add_errors("provisions", "false_positives", [p["key"] for p in exact.false_positives])


def _figures(doc: Item, parents: Mapping[str, str]) -> list[Item]:
    """(top-level provision, value) pairs; a figure's optional flag is its own, never inherited."""
    out = []
    for provision in _items(doc, "provisions"):
        for figure in _items(provision, "figures"):
            try:
                value = float(figure.get("value"))
            except (TypeError, ValueError):
                continue
            out.append({"provision": top_level(str(provision.get("id")), parents), "value": value,
                        "optional": _optional(figure)})
    return out


def _score_figures(gold: Item, pred: Item, parents: Mapping[str, str], score: DocScore) -> None:
    def close(g: Item, p: Item) -> float | None:
        g_key, p_key = g["key"], p["key"]
        if g_key[0] != p_key[0] or not math.isclose(g_key[1], p_key[1], rel_tol=FIGURE_REL_TOL):
            return None
        return 1.0 - abs(g_key[1] - p_key[1]) / max(abs(g_key[1]), abs(p_key[1]), 1e-12)

    def key(i: Item) -> tuple[str, float]:
        return (i["provision"], i["value"])

    m = _match(_key_set(_figures(gold, parents), key), _key_set(_figures(pred, parents), key), close)
    score.counts["figures"] = m.counts()
    score.add_errors("figures", "misses", [list(g["key"]) for g in m.misses])
    score.add_errors("figures", "false_positives", [list(p["key"]) for p in m.false_positives])


def _score_stances(gold: Item, pred: Item, score: DocScore) -> None:
    def triple(i: Item) -> tuple[str, str, str]:
        return (_code(i.get("holder")), _code(i.get("target")), _code(i.get("polarity")))

    g_items, p_items = _items(gold, "stances"), _items(pred, "stances")
    triples = _match_sets(g_items, p_items, triple)
    score.counts["stances.triples"] = triples.counts()

    def pair(g: Item, p: Item) -> float | None:
        if g["key"][:2] != p["key"][:2]:
            return None
        return 2.0 if g["key"][2] == p["key"][2] else 1.0

    pairs = _match(_key_set(g_items, triple), _key_set(p_items, triple), pair)
    score.counts["stances.pairs"] = pairs.counts()
    score.accuracies["stances.polarity"] = Accuracy(
        sum(g["key"][2] == p["key"][2] for g, p in pairs.pairs), len(pairs.pairs))
    score.add_errors("stances", "misses", [g["item"] for g in triples.misses])
    score.add_errors("stances", "false_positives", [p["item"] for p in triples.false_positives])


def _score_events(gold: Item, pred: Item, score: DocScore) -> None:
    def same(g: Item, p: Item) -> float | None:
        g_parties = frozenset(_code(a) for a in g.get("actors") or [])
        p_parties = frozenset(_code(a) for a in p.get("actors") or [])
        same_type = _code(g.get("type")) == _code(p.get("type"))
        return 1.0 if same_type and g_parties == p_parties else None

    m = _match(_items(gold, "events"), _items(pred, "events"), same)
    score.counts["events"] = m.counts()
    for g, p in m.pairs:
        if g.get("location"):
            ok = _label(g["location"]) == _label(p.get("location"))
            score.accuracies["events.location"].add(ok)
    score.add_errors("events", "misses", m.misses)
    score.add_errors("events", "false_positives", m.false_positives)


def document_file(gold: Mapping[str, Any]) -> str | None:
    """The text file a gold (or prediction) record is about, from ``document.file``."""
    document = gold.get("document")
    file = document.get("file") if isinstance(document, dict) else None
    return file if isinstance(file, str) and file else None


def score_document(gold: dict, pred: dict, parents: Mapping[str, str]) -> DocScore:
    """Score one document's prediction against its gold; ``parents`` maps sub-point -> point."""
    score = DocScore(file=document_file(gold) or "?")
    _score_quotes(gold, pred, score)
    _score_actors(gold, pred, score)
    _score_provisions(gold, pred, parents, score)
    _score_figures(gold, pred, parents, score)
    _score_stances(gold, pred, score)
    _score_events(gold, pred, score)
    return score


# --- gold files ----------------------------------------------------------------------------

def _check_gold(data: Any, name: str) -> dict:
    """Reject what scoring could not read, with a one-line reason naming the file."""
    if not isinstance(data, dict):
        raise GoldError(f"{name}: top level is not a JSON object")
    if data.get("format") != GOLD_FORMAT:
        raise GoldError(f"{name}: format is {data.get('format')!r}, expected {GOLD_FORMAT!r}")
    if document_file(data) is None:
        raise GoldError(f"{name}: document.file is missing")
    for category in _CATEGORIES:
        items = data.get(category, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise GoldError(f"{name}: {category!r} is not a list of objects")
    return data


def load_gold_dir(path: Path) -> dict[str, dict]:
    """Every ``*.json`` gold file in ``path`` by file stem, validated as accord-gold/1."""
    if not path.is_dir():
        raise GoldError(f"{path}: not a directory of gold files")
    return {file.stem: _check_gold(read_json(file), str(file)) for file in sorted(path.glob("*.json"))}


def read_json(file: Path) -> Any:
    """A gold file's JSON, or a one-line GoldError naming the file."""
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise GoldError(f"{file}: malformed JSON: {exc.msg} at line {exc.lineno}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{file}: cannot be read: {exc}") from exc


def find_text(gold: dict, texts_dirs: Path | Sequence[Path]) -> Path:
    """The article a gold file is about: ``document.file`` in the first of ``texts_dirs`` holding it."""
    file = document_file(gold)
    if file is None:
        raise GoldError("gold record has no document.file")
    dirs = [texts_dirs] if isinstance(texts_dirs, Path) else list(texts_dirs)
    for directory in dirs:
        if (directory / file).is_file():
            return directory / file
    raise GoldError(f"{dirs[0] / file if len(dirs) == 1 else file}: text named by gold document.file not found")
