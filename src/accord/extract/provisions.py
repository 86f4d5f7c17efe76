"""Provisions: which points of the plan an article states or discusses, and their figures.

What counts as a mention lives in the case file (each provision's rules); this module only
applies them per sentence, keeps the most specific id (a sub-point beats its parent), and reads
the numbers of the provision's unit that sit in the same clause as the rule's cue.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Doc, Span, Token

from accord.case import Case
from accord.case.patterns import RuleIndex
from accord.extract.docs import doc_text, sentences, span_text
from accord.models import Figure, ProvisionMention

# Dependency labels that open a new clause: a figure must not be read across them.
_CLAUSE_DEPS = {"ROOT", "ccomp", "advcl", "relcl", "parataxis", "csubj"}
_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mln": 1e6,
          "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12}
_FRACTIONS = {"half": 0.5, "third": 1 / 3, "quarter": 0.25, "fifth": 0.2, "tenth": 0.1}
_NUMBER = re.compile(
    r"(?P<cur>[$€£])?\s?(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<scale>thousand|million|billion|trillion|bn|mln|tn|[kmb])\b)?"
    r"(?:\s?(?P<pct>%|percent\b|per cent\b))?"
    r"(?:[\s-]+(?P<noun>[A-Za-z]+(?:\s+of\s+war)?))?",
    re.IGNORECASE,
)
_FRACTION = re.compile(r"\b(?:(?:one|a)[\s-])?(?P<frac>half|third|quarter|fifth|tenth)\b", re.IGNORECASE)
_NOUN_UNITS = {
    "personnel": {"troops", "soldiers", "personnel", "servicemen", "service", "members", "strong", "men"},
    "people": {"prisoners", "prisoners of war", "pows", "captives", "people", "civilians", "children",
               "bodies", "detainees", "hostages", "soldiers", "servicemen"},
    "days": {"days", "day"},
    "months": {"months", "month"},
    "years": {"years", "year"},
    "USD": {"dollars", "usd"},
    "EUR": {"euros", "eur"},
}
_CURRENT = re.compile(
    r"\b(?:currently|current|now|today|at present|presently|present|existing|already|"
    r"occupied|occupies|occupy|controls?|controlled|holds?|held|stands? at|numbers?|numbering)\b",
    re.IGNORECASE,
)
_PROPOSED = re.compile(
    r"\b(?:would|could|should|propos\w*|plan\w*|draft\w*|envisag\w*|envision\w*|calls? for|called for|"
    r"cap\w*|limit\w*|ceiling|up to|offer\w*|requir\w*|demand\w*|suggest\w*|stipulat\w*|"
    r"under the (?:plan|proposal|draft|deal|agreement|framework)|set at|reduc\w*|cut|shrink\w*)\b",
    re.IGNORECASE,
)


# "point 7", "Points 21-23", "points 3, 7 and 26", "point No. 5"
_POINT = re.compile(
    r"\b[Pp]oints?\s+(?:No\.?\s*|#)?(?P<numbers>\d{1,2}(?:\s*(?:,|and|&|-|–|to|through)\s*\d{1,2})*)\b(?!\s*%|-point|\.\d)"
)
_MAX_POINT_RANGE = 10


@dataclass(frozen=True)
class _Hit:
    """A rule that fired: the provision and its cue, in document character offsets."""

    pid: str
    sent: Span
    cue_start: int
    cue_end: int


def extract_provisions(doc: Doc, case: Case) -> list[ProvisionMention]:
    """One mention per (provision, sentence), most specific ids only, with their figures."""
    text = doc_text(doc)
    sents = sentences(doc)
    index, owners = _rules(case)
    possible = index.possible(text, [(sent.start_char, sent.end_char) for sent in sents])
    by_sent = [
        (sent, _unique([*_sentence_hits(sent, index, owners, rules), *_point_hits(sent, case)]))
        for sent, rules in zip(sents, possible)
    ]
    mentioned = {h.pid for _, hits in by_sent for h in hits}
    parents = case.parents()
    covered = {parents[pid] for pid in mentioned if pid in parents}
    mentions: list[ProvisionMention] = []
    previous: list[_Hit] = []
    for sent, hits in by_sent:
        for hit in hits:
            if hit.pid not in covered:
                figures = list(_figures(doc, hit, case.provision(hit.pid).units))
                mentions.append(ProvisionMention(hit.pid, sent.start_char, sent.end_char, figures))
        if not hits and previous and "\n" not in text[previous[0].sent.end_char : sent.start_char]:
            mentions.extend(_continued(doc, sent, previous, case, covered))
        previous = hits
    return mentions


def _continued(doc: Doc, sent: Span, previous: list[_Hit], case: Case, covered: set[str]) -> Iterator[ProvisionMention]:
    """A sentence that names no provision but gives figures of the one just named continues it
    ("... the size of the army. The draft would cap it at 600,000.")."""
    for hit in previous:
        units = case.provision(hit.pid).units
        if hit.pid in covered or not units:
            continue
        figures = []
        for start, end, value, unit in _numbers(sent):
            tok = _token_at(doc, start, end)
            if unit in units and tok is not None:
                clause = _clause_head(tok)
                status = _status(doc, sent, start, end, clause)
                if status != "other":
                    figures.append(Figure(value, status, start, end, unit))
        if figures:
            yield ProvisionMention(hit.pid, sent.start_char, sent.end_char, figures)


@cache
def _rules(case: Case) -> tuple[RuleIndex, tuple[str, ...]]:
    """Every rule of the case in provision order, indexed, with the provision each belongs to."""
    pairs = [(prov.id, rule) for prov in case.provisions for rule in prov.rules]
    return RuleIndex([rule for _, rule in pairs]), tuple(pid for pid, _ in pairs)


def _sentence_hits(sent: Span, index: RuleIndex, owners: tuple[str, ...], possible: list[int]) -> Iterator[_Hit]:
    """The first firing rule of each provision in this sentence, of the rules its needles allow."""
    text = span_text(sent)
    fired: set[str] = set()
    for r in possible:
        pid = owners[r]
        if pid in fired:
            continue
        span = index.rules[r].match(text)
        if span is not None:
            fired.add(pid)
            yield _Hit(pid, sent, sent.start_char + span[0], sent.start_char + span[1])


def _point_hits(sent: Span, case: Case) -> Iterator[_Hit]:
    """Provisions cited by number ("point 7", "points 21-23 of the draft"). Points are numbered in
    the first version, so the sentence must be about the plan and name no later version."""
    text = span_text(sent)
    if not _POINT.search(text):
        return
    lowered = text.lower()
    first, *later = case.versions
    if any(name.lower() in lowered for version in later for name in version.names):
        return
    terms = [*case.plan_terms, *first.names]
    if not any(re.search(rf"\b{re.escape(term.lower())}\b", lowered) for term in terms) and not _POINT.match(text):
        return
    by_point = {prov.point: prov.id for prov in case.provisions if prov.point is not None}
    for match in _POINT.finditer(text):
        for number in _point_numbers(match.group("numbers")):
            if number in by_point:
                yield _Hit(by_point[number], sent, sent.start_char + match.start(), sent.start_char + match.end())


def _point_numbers(listed: str) -> list[int]:
    """"21, 22 and 26" -> [21, 22, 26]; "21-23" and "21 to 23" are ranges."""
    numbers: list[int] = []
    for part in re.split(r"\s*(?:,|\band\b|&)\s*", listed):
        bounds = [int(n) for n in re.findall(r"\d+", part)]
        if len(bounds) == 2 and 0 < bounds[1] - bounds[0] <= _MAX_POINT_RANGE:
            numbers.extend(range(bounds[0], bounds[1] + 1))
        else:
            numbers.extend(bounds)
    return numbers


def _unique(hits: list[_Hit]) -> list[_Hit]:
    """One hit per provision in a sentence, the rule's before the point number's."""
    seen: set[str] = set()
    return [h for h in hits if not (h.pid in seen or seen.add(h.pid))]


def _clause_head(tok: Token) -> Token:
    """The head of the clause a token belongs to."""
    while tok.head.i != tok.i:
        if tok.dep_ in _CLAUSE_DEPS and not _participial(tok):
            break
        if tok.dep_ == "conj" and tok.pos_ in ("VERB", "AUX"):
            break
        tok = tok.head
    return tok


def _participial(tok: Token) -> bool:
    """A subjectless -ing/-ed adverbial ("..., keeping 60%") elaborates its host clause."""
    return tok.dep_ == "advcl" and tok.tag_ in ("VBG", "VBN") and not any(
        c.dep_ in ("nsubj", "nsubjpass", "aux", "mark") for c in tok.children)


def _token_at(doc: Doc, start: int, end: int) -> Token | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    return span.root if span is not None and len(span) else None


def _figures(doc: Doc, hit: _Hit, units: tuple[str, ...]) -> Iterator[Figure]:
    """Numbers of the provision's units in the cue's clause, each with its status."""
    if not units:
        return
    cue = _token_at(doc, hit.cue_start, hit.cue_end)
    if cue is None:
        return
    clause = _clause_head(cue)
    seen: set[float] = set()
    for start, end, value, unit in _numbers(hit.sent):
        if unit not in units or value in seen:
            continue
        tok = _token_at(doc, start, end)
        if tok is None or _clause_head(tok).i != clause.i:
            continue
        seen.add(value)
        yield Figure(value, _status(doc, hit.sent, start, end, clause), start, end, unit)


def _numbers(sent: Span) -> Iterator[tuple[int, int, float, str]]:
    """(start, end, value, unit) for every number in the sentence whose unit can be told."""
    text, base = span_text(sent), sent.start_char
    for m in _NUMBER.finditer(text):
        raw = m.group("num").replace(",", "")
        value = float(raw)
        scale = (m.group("scale") or "").lower()
        if scale:
            value *= _SCALE[scale]
        noun = (m.group("noun") or "").lower()
        unit = _unit(m.group("cur"), bool(m.group("pct")), noun, value, "," in m.group("num") or bool(scale))
        if unit is None:
            continue
        if unit == "share":
            value /= 100
        end = m.end("pct") if m.group("pct") else m.end("scale") if scale else m.end("num")
        start = m.start("cur") if m.group("cur") else m.start("num")
        yield base + start, base + end, value, unit
    for m in _FRACTION.finditer(text):
        yield base + m.start(), base + m.end(), _FRACTIONS[m.group("frac").lower()], "share"


def _unit(currency: str | None, percent: bool, noun: str, value: float, grouped: bool) -> str | None:
    """The unit a number takes, from its currency sign, percent sign or following noun."""
    if percent:
        return "share"
    if currency:
        return "EUR" if currency == "€" else "USD" if currency == "$" else None
    for unit in ("USD", "EUR", "days", "months", "years"):
        if noun in _NOUN_UNITS[unit]:
            return unit
    if noun in _NOUN_UNITS["personnel"] and value >= 10_000:
        return "personnel"
    if noun in _NOUN_UNITS["people"]:
        return "people"
    if grouped and value >= 10_000:
        return "personnel"  # a bare large count ("880,000") in a clause about forces
    return None


def _status(doc: Doc, sent: Span, start: int, end: int, clause: Token) -> str:
    """proposed / current / other, from the words around the number and in its clause."""
    text = doc_text(doc)
    before = text[max(sent.start_char, start - 40):start]
    after = text[end:min(sent.end_char, end + 40)]
    if re.search(r"\bfrom\s+(?:about\s+|around\s+|roughly\s+|approximately\s+|some\s+|nearly\s+)?$", before) \
            and re.match(r"\s*(?:\w+\s+)?(?:troops\s+|personnel\s+|soldiers\s+)?to\b", after):
        return "current"
    if re.search(r"\bto\s+(?:about\s+|around\s+|roughly\s+|approximately\s+)?$", before) and re.search(r"\bfrom\b", before):
        return "proposed"
    local = text[max(sent.start_char, start - 60):min(sent.end_char, end + 30)]
    if _CURRENT.search(local):
        return "current"
    clause_text = text[clause.left_edge.idx:clause.right_edge.idx + len(clause.right_edge)]
    if _PROPOSED.search(clause_text):
        return "proposed"
    return "other"
