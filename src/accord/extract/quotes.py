"""Quotes: direct (inside quotation marks, partial ones included) and indirect (reported clauses).

Direct quotes are found from the quotation marks, then attributed through the parse: the
reporting verb nearest to the quote (preferring one that governs it), its subject resolved to a
person, group or office; a quote with no cue that opens a paragraph continues the last speaker.
Indirect quotes are the clausal complements of reporting verbs and "according to X" clauses.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Doc, Span, Token

from ..case import Case, PartyResolver
from ..lexicons import load_lexicon
from ..models import Actor, Quote
from ..text import fold
from .coref import Mentions, Referent
from .docs import doc_text, entities, sentences

# opening mark -> closing marks
_MARKS = {"“": "”“\"", "„": "“”\"", "«": "»", '"': '"”', "”": "”"}
_SINGLE_OPEN, _SINGLE_CLOSE = "‘", "’"
_MIN_BARE_WORDS = 3  # shorter quotes need a reporting or describing verb in their sentence
_MIN_CUT_WORDS = 5  # words an indirect quote must keep before a direct quote that follows it
_MAX_NAME_WORDS = 4
_MAX_GAP_TOKENS = 12  # tokens between a quotation and its verb that may name the speaker  # a quote of capitalised words up to this length is a name or a title
# "LABEL: words" at the start of a line: a name or title of up to four words, then the turn
_TURN = re.compile(r"[ \t]*(?P<label>[^\W\d_][\w.'’-]*(?: [\w.'’-]+){0,3})[ \t]*:[ \t]+(?=\S)")
_DOCUMENT_NOUNS = {"plan", "draft", "document", "proposal", "framework", "text", "report", "deal", "agreement", "version", "memo", "paper", "declaration", "statement"}


@dataclass(frozen=True)
class _Lex:
    verbs: frozenset[str]
    direct_only: frozenset[str]
    weak: frozenset[str]
    nouns: frozenset[str]
    interviewer: frozenset[str]
    answer: frozenset[str]


@cache
def _lex() -> _Lex:
    data = load_lexicon("speech")
    return _Lex(
        verbs=frozenset(data["verbs"]),
        direct_only=frozenset(data["direct_only"]),
        weak=frozenset(data["weak"]),
        nouns=frozenset(data["nouns"]),
        interviewer=frozenset(data["interviewer_labels"]),
        answer=frozenset(data["answer_labels"]),
    )


def quote_spans(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, opens_paragraph) of the words inside each pair of quotation marks.

    A quotation left open at the end of a paragraph ends there: a quotation over several
    paragraphs is one quote per paragraph. Single marks (‘…’) count when they open at a word
    boundary and close before a non-letter, so that apostrophes ("hasn’t") are not taken for them;
    single marks inside a double quotation are part of it.
    """
    spans: list[tuple[int, int, bool]] = []
    pos = 0
    for line in text.split("\n"):
        opener: str | None = None
        start = 0
        lead = len(line) - len(line.lstrip())
        for i, ch in enumerate(line):
            if opener is None:
                if ch in _MARKS and ch != "”":
                    opener, start = ch, i + 1
                elif ch == _SINGLE_OPEN and _opens_single(line, i):
                    opener, start = ch, i + 1
            elif opener == _SINGLE_OPEN:
                if ch == _SINGLE_CLOSE and _closes_single(line, i):
                    spans.append((pos + start, pos + i, start - 1 == lead))
                    opener = None
            elif ch in _MARKS[opener]:
                if i > start:
                    spans.append((pos + start, pos + i, start - 1 == lead))
                opener = None
        if opener not in (None, _SINGLE_OPEN) and len(line) > start and line[start:].strip():
            spans.append((pos + start, pos + len(line.rstrip()), start - 1 == lead))
        pos += len(line) + 1
    return [_trim(text, s, e, p) for s, e, p in spans if text[s:e].strip()]


def _opens_single(line: str, i: int) -> bool:
    return (i == 0 or not line[i - 1].isalnum()) and i + 1 < len(line) and not line[i + 1].isspace()


def _closes_single(line: str, i: int) -> bool:
    return not line[i - 1].isspace() and (i + 1 == len(line) or not line[i + 1].isalpha())


def _trim(text: str, start: int, end: int, opens: bool) -> tuple[int, int, bool]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return start, end, opens


def _is_cue(token: Token) -> bool:
    """A reporting verb, "according to", or a speech noun with its speaker ("Ushakov's answer")."""
    if _according(token) is not None:
        return True
    lemma = token.lemma_.lower()
    if token.pos_ in ("VERB", "AUX"):
        return lemma in _lex().verbs
    return token.pos_ == "NOUN" and lemma in _lex().nouns and _noun_speaker(token) is not None


def _noun_speaker(noun: Token) -> Token | None:
    for c in noun.children:
        if c.dep_ == "poss":
            return c
        if c.dep_ == "prep" and c.lower_ == "of":
            return next((g for g in c.children if g.dep_ == "pobj"), None)
    return None


def _negated(verb: Token) -> bool:
    """"did not say", "without saying": nothing was reported."""
    return any(c.dep_ == "neg" for c in verb.children) or (verb.head.lower_ == "without" and verb.dep_ == "pcomp")


def _according(token: Token) -> Token | None:
    """The object of "according to X" when ``token`` starts that phrase."""
    low = token.lower_
    if low == "according":
        for c in token.children:
            if c.lower_ == "to":
                return next((g for g in c.children if g.dep_ == "pobj"), None)
        nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
        if nxt is not None and nxt.lower_ == "to":
            return next((g for g in nxt.children if g.dep_ == "pobj"), None)
    return None


def subject_of(verb: Token, depth: int = 0) -> Token | None:
    """The speaker token of a reporting verb: its subject, passive agent or inherited subject."""
    if verb.pos_ == "NOUN":
        return _noun_speaker(verb)
    children = list(verb.children)
    subjects = [c for c in children if c.dep_ in ("nsubj", "csubj")]
    if subjects:  # two subjects is a misparse ("President, X has said"): the nearer one is right
        return min(subjects, key=lambda c: abs(verb.i - c.i))
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in children):
        for c in children:
            if c.dep_ == "agent":
                return next((g for g in c.children if g.dep_ == "pobj"), None)
        return None
    if verb.tag_ == "VBN" and verb.dep_ in ("acl", "advcl", "amod"):
        return None  # "talks, described as ..." : nobody is named
    if depth < 3 and verb.dep_ in ("advcl", "xcomp", "conj", "acl") and verb.head is not verb:
        return subject_of(verb.head, depth + 1)
    return None


def _speaker(cue: Token, quote: Span | None, mentions: Mentions) -> tuple[Referent | None, Token | None]:
    obj = _according(cue)
    head = obj if obj is not None else subject_of(cue)
    if quote is not None and cue.i >= quote.end and (head is None or head.i < quote.start):
        named = _named_between(quote.end, cue.i, mentions)
        if named is not None:
            return named
    if head is None:
        return None, None
    if quote is not None and quote.start <= head.i < quote.end:
        return None, None
    if head.pos_ == "NOUN" and head.lower_ in _DOCUMENT_NOUNS:
        return None, head
    ref = mentions.resolve(head)
    if ref is not None and ref.actor is None:
        org = next((e for e in entities(head.doc) if e.label_ == "ORG" and e.start <= head.i + 2 and e.end >= head.i - 3 and e.start >= head.left_edge.i and e.end <= head.i + 1), None)
        if org is not None and org.root.i != head.i and head.pos_ == "NOUN":
            ref = Referent(org.text, ref.party)
    return ref, head


def _named_between(start: int, end: int, mentions: Mentions) -> tuple[Referent, Token] | None:
    """A person named between a quotation and its verb ("“...,” Moscow's negotiator, X, said"):
    the speaker even when the parse hangs the verb elsewhere."""
    doc = mentions.doc
    if end - start > _MAX_GAP_TOKENS:
        return None
    for token in doc[start:end]:
        actor = mentions.actor_at(token.idx, token.idx + len(token.text))
        if actor is not None:
            return Referent(actor.name, actor.party, actor), token
    return None


def _sentences(doc: Doc, start: int, end: int) -> list[Span]:
    every = sentences(doc)
    picked = [k for k, s in enumerate(every) if s.start_char < end and s.end_char > start]
    if picked:
        last = every[picked[-1]]
        if last.end < len(doc) and last.end_char <= end + 3 and "\n" not in doc_text(doc)[end : last.end_char + 1]:
            picked.append(picked[-1] + 1)
    return [every[k] for k in picked]


def _direct_cue(doc: Doc, span: Span, start: int, end: int, inside: list[tuple[int, int]]) -> Token | None:
    """The reporting verb of a quotation: the nearest one governing it, else the nearest in its sentences."""
    for anc in span.root.ancestors:
        if not (start <= anc.idx < end) and not _inside(anc.idx, inside) and _is_cue(anc):
            return anc
    best: tuple[int, Token] | None = None
    for sent in _sentences(doc, start, end):
        for t in sent:
            if start <= t.idx < end or _inside(t.idx, inside) or not _is_cue(t):
                continue
            dist = start - t.idx if t.idx < start else t.idx - end
            if best is None or dist < best[0]:
                best = (dist, t)
    return best[1] if best else None


def _clause(span: Span) -> bool:
    """Whether the quoted words contain a verb: names and titles don't."""
    return any(t.pos_ in ("VERB", "AUX") for t in span)


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    """Whether a span covers ``offset``; the spans are sorted and apart, as quotations are, so
    only the last one starting at or before it can."""
    i = bisect_right(spans, (offset, math.inf)) - 1
    return i >= 0 and offset < spans[i][1]


def _overlap(start: int, end: int, spans: list[tuple[int, int]]) -> int:
    return sum(max(0, min(end, e) - max(start, s)) for s, e in spans)


def _quote(text: str, kind: str, ref: Referent | None, start: int, end: int, cue: Token | None, head: Token | None) -> Quote:
    return Quote(
        text=text,
        kind=kind,
        speaker=ref.name if ref else None,
        party=ref.party if ref else None,
        start=start,
        end=end,
        cue=cue.text if cue is not None else None,
        speaker_start=head.idx if head is not None and ref else None,
        speaker_end=head.idx + len(head.text) if head is not None and ref else None,
    )


def extract_quotes(doc: Doc, case: Case, actors: list[Actor]) -> list[Quote]:
    """Direct and indirect quotes of the document, attributed, in text order."""
    mentions = Mentions(doc, actors, PartyResolver.for_case(case))
    text = doc_text(doc)
    spans = quote_spans(text)
    inside = [(s, e) for s, e, _ in spans]
    quotes: list[Quote] = []
    last: Quote | None = None
    for start, end, opens in spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or not len(span):
            continue
        cue = _direct_cue(doc, span, start, end, inside)
        words = [t for t in span if not t.is_punct]
        if cue is None and len(words) < _MIN_BARE_WORDS:
            continue  # a scare-quoted term or name, no speech act
        if len(words) <= _MAX_NAME_WORDS and all(t.text[:1].isupper() for t in words) and not _clause(span):
            continue  # a quoted name or title ("Vienna II"), not something said
        ref, head = _speaker(cue, span, mentions) if cue is not None else (None, None)
        if cue is None and opens and last is not None and text.count("\n", last.end, start) <= 4:
            ref = Referent(last.speaker, last.party)
        quote = _quote(text[start:end], "direct", ref, start, end, cue, head)
        quotes.append(quote)
        if quote.speaker:
            last = quote
    quotes.extend(_indirect(doc, mentions, inside))
    turns = _turns(text, actors, PartyResolver.for_case(case))
    if turns:  # words inside a turn are the turn's speaker's, whatever marks they carry
        spans = [(t.start, t.end) for t in turns]
        quotes = [q for q in quotes if not _inside(q.start, spans)] + turns
    quotes.sort(key=lambda q: q.start)
    _inherit_parties(doc, quotes)
    return quotes


def _turns(text: str, actors: list[Actor], resolver: PartyResolver) -> list[Quote]:
    """Transcript turns: each line opening with a speaker's label is a direct quote of that
    speaker ("PESKOV: We have not received it."). A label must name a person of the article or
    the case, or answer for the interviewee ("A:"); the interviewer's turns are not quotes, and a
    line whose label names nobody ("Note:", "Photo:") is left alone."""
    lex = _lex()
    quotes: list[Quote] = []
    last: tuple[str, str | None] | None = None
    pos = 0
    for line in text.split("\n"):
        match = _TURN.match(line)
        if match:
            label = fold(match.group("label")).rstrip(".")
            speaker = None
            if label in lex.answer:
                speaker = last or _interviewee(actors)
            elif label not in lex.interviewer:
                speaker = _labelled(label, actors, resolver)
                last = speaker or last
            end = len(line.rstrip())
            if speaker is not None and end > match.end():
                quotes.append(Quote(
                    text=line[match.end():end], kind="direct", speaker=speaker[0], party=speaker[1],
                    start=pos + match.end(), end=pos + end, cue=match.group("label"),
                    speaker_start=pos + match.start("label"), speaker_end=pos + match.end("label"),
                ))
        pos += len(line) + 1
    return quotes


def _labelled(label: str, actors: list[Actor], resolver: PartyResolver) -> tuple[str, str | None] | None:
    """The person a speaker label names: by full name or, after any titles, by surname."""
    surname = label.split()[-1]
    for actor in actors:
        name = fold(actor.name)
        if label == name or surname == name.split()[-1]:
            return actor.name, actor.party
    person = resolver.person(label) or resolver.person(surname)
    return (person.name, person.party) if person else None


def _interviewee(actors: list[Actor]) -> tuple[str, str | None] | None:
    """The person the article mentions most: in an interview, the one answering."""
    if not actors:
        return None
    top = max(actors, key=lambda a: len(a.mentions))
    return top.name, top.party


_CONTEXT_CHARS = 600  # how far back an unnamed office's party is looked for


def _inherit_parties(doc: Doc, quotes: list[Quote]) -> None:
    """An unnamed office ("a spokesperson", "officials") speaks for the party of the speaker just before."""
    last: Quote | None = None
    for q in quotes:
        if q.party is None and q.speaker and q.speaker_start is not None and last is not None:
            head = doc.char_span(q.speaker_start, q.speaker_end)
            if head is not None and head.root.pos_ == "NOUN" and q.start - last.end <= _CONTEXT_CHARS:
                q.party = last.party
        if q.party:
            last = q


def _indirect(doc: Doc, mentions: Mentions, inside: list[tuple[int, int]]) -> list[Quote]:
    lex = _lex()
    text = doc_text(doc)
    found: list[tuple[Quote, int]] = []
    seen: set[tuple[int, int]] = set()
    for t in doc:
        if _inside(t.idx, inside):
            continue
        obj = _according(t)
        if obj is not None:
            clause = t.head if t.dep_ == "prep" else (t.head.head if t.head.dep_ == "prep" else None)
            if clause is None or clause.pos_ not in ("VERB", "AUX") or clause.lemma_.lower() in lex.verbs:
                continue  # "he said, according to X": the quote is already attributed
            skip = set(range(t.i, max(x.i for x in t.subtree) + 1))
            toks = [x for x in clause.subtree if x.i not in skip]
            cue = t
        else:
            lemma = t.lemma_.lower()
            if t.pos_ not in ("VERB", "AUX") or lemma not in lex.verbs or lemma in lex.direct_only or lemma in lex.weak:
                continue
            comps = [c for c in t.children if c.dep_ == "ccomp"]
            if not comps or _negated(t):
                continue
            toks = list(comps[0].subtree)
            cue = t
        toks = [x for x in toks if not (x.dep_ == "mark" and x.lower_ in ("that", "whether", "if") and x.i == toks[0].i)]
        while toks and (toks[0].is_punct or toks[0].is_space):
            toks.pop(0)
        while toks and (toks[-1].is_punct or toks[-1].is_space):
            toks.pop()
        if len(toks) < 3:
            continue
        start, end = toks[0].idx, toks[-1].idx + len(toks[-1].text)
        if _inside(start, inside) or _inside(start - 1, inside):
            continue  # the clause is itself a direct quote
        cut = next((s - 1 for s, e in inside if start < s <= end), None)
        if cut is not None and _boundary_before(text, cut):
            if len(text[start:cut].split()) < _MIN_CUT_WORDS:
                continue  # only a lead-in to a direct quote ("The talks were “...”")
            end = cut
            while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—-"):
                end -= 1
        if end - start < 10 or _overlap(start, end, inside) > (end - start) / 2 or (start, end) in seen:
            continue
        seen.add((start, end))
        ref, head = _speaker(cue, None, mentions)
        found.append((_quote(text[start:end], "indirect", ref, start, end, cue, head), cue.idx))
    return _outermost(found)


def _boundary_before(text: str, mark: int) -> bool:
    """Whether a quotation starting at ``mark`` follows a clause break (",", ":", a dash) rather
    than sitting inside a phrase ("drafted an “updated framework”")."""
    before = text[:mark].rstrip()
    return not before or before[-1] in ",;:—–-("


def _outermost(found: list[tuple[Quote, int]]) -> list[Quote]:
    """One quote where reports nest: "X said that he believes ..." keeps X's report; a report
    cited after the fact ("A said B, the newspaper reported") keeps A's."""
    drop: set[int] = set()
    for i, (outer, outer_cue) in enumerate(found):
        for j, (inner, _) in enumerate(found):
            if i != j and outer.start <= inner.start and inner.end <= outer.end:
                drop.add(i if outer_cue > outer.end else j)
    return [q for k, (q, _) in enumerate(found) if k not in drop]
