"""Corpus-level report: micro-averaged metrics over documents, as JSON, a table, or error lists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Any

from rich.table import Table

from .scoring import ACCURACY_KEYS, COUNT_KEYS, Accuracy, Counts, DocScore, score_document

# Report lines in display order: (label, counts key or None, accuracy key or None).
_LINES: tuple[tuple[str, str | None, str | None], ...] = (
    ("quotes: detection", "quotes.detection", None),
    ("quotes: attribution accuracy", None, "quotes.attribution"),
    ("quotes: end-to-end", "quotes.end_to_end", None),
    ("actors", "actors", None),
    ("actors: role accuracy", None, "actors.role"),
    ("actors: party accuracy", None, "actors.party"),
    ("provisions: exact ids", "provisions.exact", None),
    ("provisions: top-level ids", "provisions.top_level", None),
    ("figures", "figures", None),
    ("stances: triples", "stances.triples", None),
    ("stances: holder-target pairs", "stances.pairs", None),
    ("stances: polarity accuracy", None, "stances.polarity"),
    ("events", "events", None),
    ("events: location accuracy", None, "events.location"),
)
_MISSING = "—"


@dataclass
class CorpusReport:
    """Scores of every document; totals are sums of counts (micro-averaging)."""

    documents: list[DocScore]

    def counts(self, key: str) -> Counts:
        return reduce(lambda a, b: a + b, (d.counts[key] for d in self.documents), Counts())

    def accuracy(self, key: str) -> Accuracy:
        return reduce(lambda a, b: a + b, (d.accuracies[key] for d in self.documents), Accuracy())

    def to_dict(self) -> dict[str, Any]:
        c = {k: self.counts(k).to_dict() for k in COUNT_KEYS}
        a = {k: self.accuracy(k).value for k in ACCURACY_KEYS}
        metrics = {
            "quotes": {"detection": c["quotes.detection"],
                       "attribution_accuracy": a["quotes.attribution"],
                       "end_to_end": c["quotes.end_to_end"]},
            "actors": c["actors"] | {"role_accuracy": a["actors.role"],
                                     "party_accuracy": a["actors.party"]},
            "provisions": {"exact": c["provisions.exact"], "top_level": c["provisions.top_level"]},
            "figures": c["figures"],
            "stances": {"triples": c["stances.triples"], "pairs": c["stances.pairs"],
                        "polarity_accuracy": a["stances.polarity"]},
            "events": c["events"] | {"location_accuracy": a["events.location"]},
        }
        return {"documents": len(self.documents), "metrics": metrics,
                "errors": {d.file: d.errors for d in self.documents}}

    def table(self) -> Table:
        table = Table(title=f"Accord evaluation ({len(self.documents)} documents, micro-averaged)")
        table.add_column("metric", no_wrap=True)
        for column in ("P", "R", "F1", "TP", "FP", "FN", "accuracy"):
            table.add_column(column, justify="right")
        for label, count_key, accuracy_key in _LINES:
            if count_key:
                c = self.counts(count_key)
                table.add_row(label, f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}",
                              str(c.tp), str(c.fp), str(c.fn), "")
            elif accuracy_key:
                acc = self.accuracy(accuracy_key)
                shown = (_MISSING if acc.value is None
                         else f"{acc.value:.3f} ({acc.correct}/{acc.total})")
                table.add_row(label, "", "", "", "", "", "", shown)
        return table

    def errors_text(self) -> str:
        lines: list[str] = []
        for doc in self.documents:
            if not doc.errors:
                continue
            lines.append(doc.file)
            for category, kinds in doc.errors.items():
                lines.append(f"  {category}")
                for item in kinds.get("misses", []):
                    lines.append(f"    - missed: {_describe(category, item)}")
                for item in kinds.get("false_positives", []):
                    lines.append(f"    + false positive: {_describe(category, item)}")
                for pair in kinds.get("attribution", []):
                    lines.append(f"    ~ wrong speaker: {_quote_text(pair['gold'])}: gold "
                                 f"{_speaker(pair['gold'])}, predicted {_speaker(pair['pred'])}")
        return "\n".join(lines) if lines else "no errors"


def score_corpus(pairs: Iterable[tuple[dict, dict]], parents: Mapping[str, str]) -> CorpusReport:
    """Score (gold, prediction) pairs document by document, for micro-averaged totals."""
    documents: list[DocScore] = []
    seen: set[str] = set()
    for gold, pred in pairs:
        score = score_document(gold, pred, parents)
        if score.file in seen:  # keep errors of same-named documents apart
            score.file = f"{score.file}#{len(documents) + 1}"
        seen.add(score.file)
        documents.append(score)
    return CorpusReport(documents)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _quote_text(item: Mapping[str, Any], limit: int = 90) -> str:
    text = str(item.get("text") or "")
    return f'"{text if len(text) <= limit else text[:limit - 1] + "…"}"'


def _speaker(item: Mapping[str, Any]) -> str:
    speaker = item.get("speaker") or "null"
    return f"{speaker} [{item['party']}]" if item.get("party") else speaker


def _describe(category: str, item: Any) -> str:
    """One readable line for an error item of the given category."""
    if category == "quotes":
        return f"{_quote_text(item)} ({_speaker(item)})"
    if category == "actors":
        role, party = item.get("role") or "no role", item.get("party") or "no party"
        return f"{item.get('name')} ({role}, {party})"
    if category == "figures":
        provision, value = item
        return f"{provision} = {_number(value)}"
    if category == "stances":
        return f"{item.get('holder')} {item.get('polarity')} {item.get('target')}"
    if category == "events":
        where = f" @ {item['location']}" if item.get("location") else ""
        return f"{item.get('type')} {'+'.join(map(str, item.get('actors') or []))}{where}"
    return str(item)
