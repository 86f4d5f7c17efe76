"""Stances: which party supports or opposes the plan, or one of its provisions.

Cues are data (``lexicons/stance.yaml``); the parse says who holds the position (the subject of
the cue, the experiencer of "the plan stunned Kyiv", the speaker of a quote) and what it is about
(a provision mentioned in the cue's clause, else the plan). ``PartyLookup`` is shared with
``events``: both need the party behind a phrase.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from itertools import accumulate
from typing import Any

from spacy.tokens import Doc, Span, Token

from accord.case import Case, PartyResolver
from accord.extract.docs import entities, entity_at, sentences, span_text
from accord.lexicons import load_lexicon
from accord.models import Actor, ProvisionMention, Quote, Stance

# Children that start another phrase or clause: a noun phrase's party must not come from them.
_CLAUSAL = {"conj", "cc", "relcl", "acl", "advcl", "punct", "ccomp", "xcomp", "parataxis"}
_NP_PREPS = {"of", "from"}
_SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
_RELATIVE = {"which", "who", "that", "whom"}
_FIRST_PERSON = {"i", "we", "me", "us", "our", "my"}


class PartyLookup:
    """The party behind phrases of one document: actor mentions first, then the case's names."""

    def __init__(self, doc: Doc, case: Case, actors: list[Actor]) -> None:
        self.doc = doc
        self.resolver = PartyResolver.for_case(case)
        self._mentions: list[tuple[int, int, str]] = sorted(
            [(s, e, a.party) for a in actors if a.party for s, e in [(a.start, a.end), *a.mentions]]
            + list(self._misspelt())
        )
        self._starts = [s for s, _, _ in self._mentions]
        self._reach = list(accumulate((e for _, e, _ in self._mentions), max))  # furthest end so far

    def _misspelt(self) -> Iterator[tuple[int, int, str]]:
        """Places and nationalities the gazetteer knows only spelt right ("Afganistan")."""
        for ent in entities(self.doc):
            if ent.label_ in {"GPE", "NORP"} and len(ent) == 1 and not self.resolver.find(ent.text):
                code = self.resolver.near(ent.text)
                if code:
                    yield ent.start_char, ent.end_char, code

    def of_char(self, start: int, end: int) -> str | None:
        """The party of the first actor mention overlapping these offsets, if any: the first
        mention to end after ``start``, if it starts before ``end``."""
        i = bisect_right(self._reach, start)
        return self._mentions[i][2] if i < bisect_left(self._starts, end) else None

    def _person_entity(self, tok: Token) -> str | None:
        """A named person the case knows, for documents whose actors were not extracted."""
        if tok.pos_ != "PROPN" or tok.ent_type_ not in {"PERSON", "ORG", ""}:
            return None
        ent = entity_at(tok)
        name = ent.text if ent is not None else tok.text
        person = self.resolver.person(name)
        return person.party if person else None

    def _named(self, head: Token) -> str | None:
        """The party a place or nationality head names by itself: "NATO-member Norway" is Norway,
        whatever its modifiers say."""
        if head.pos_ != "PROPN" or head.ent_type_ not in {"GPE", "NORP"}:
            return None
        ent = entity_at(head)
        found = self.resolver.find(ent.text) if ent is not None else []
        return found[0][2] if len(found) == 1 else None

    def of_token(self, tok: Token) -> list[str]:
        """Parties of the noun phrase headed by ``tok`` and of its conjuncts, in text order."""
        found: list[str] = []
        for head in [tok, *tok.conjuncts]:
            for party in self.of_head(head):
                if party not in found:
                    found.append(party)
        return found

    def of_head(self, head: Token) -> list[str]:
        """Parties of the phrase headed by ``head``, leaving out its conjuncts."""
        direct = self.of_char(head.idx, head.idx + len(head)) or self._person_entity(head) or self._named(head)
        if direct:
            return [direct]
        tokens = sorted(self._phrase_tokens(head), key=lambda t: t.i)
        found: list[str] = []
        for t in tokens:
            party = self.of_char(t.idx, t.idx + len(t)) or self._person_entity(t)
            if party and party not in found:
                found.append(party)
        for run in runs(tokens):
            span = head.doc[run[0].i : run[-1].i + 1]
            for _, _, code in self.resolver.find(span_text(span)):
                if code not in found:
                    found.append(code)
        return found

    def _phrase_tokens(self, head: Token, top: bool = True) -> Iterator[Token]:
        """The head and its modifiers, without clauses, locative phrases or (at the top) conjuncts."""
        yield head
        for child in head.children:
            if child.dep_ in _CLAUSAL and (top or child.dep_ not in {"conj", "cc"}):
                continue
            if child.dep_ == "prep" and child.lower_ not in _NP_PREPS:
                continue
            yield from self._phrase_tokens(child, top=False)

    def of_span(self, start: int, end: int) -> str | None:
        """The party of the phrase at these offsets: a person's party, else the phrase's."""
        direct = self.of_char(start, end)
        if direct:
            return direct
        span = self.doc.char_span(start, end, alignment_mode="expand")
        if span is None or not len(span):
            return None
        parties = self.of_token(span.root)
        return parties[0] if parties else self.resolver.party(span.text)


def party_at(doc: Doc, start: int, end: int, case: Case, actors: list[Actor]) -> str | None:
    """The party of the phrase at ``start:end`` (a person mention or a named party)."""
    return PartyLookup(doc, case, actors).of_span(start, end)


def runs(tokens: list[Token]) -> Iterator[list[Token]]:
    """Contiguous stretches of tokens, so that multi-word names are looked up whole."""
    run: list[Token] = []
    for t in tokens:
        if run and t.i != run[-1].i + 1:
            yield run
            run = []
        run.append(t)
    if run:
        yield run


def subjects(verb: Token) -> list[Token]:
    """Who does ``verb``: its subject or passive agent, inherited along conj/xcomp/relcl/acl."""
    for _ in range(4):
        found = [c for c in verb.children if c.dep_ in _SUBJECTS and c.dep_ != "nsubjpass"]
        found += [g for c in verb.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        if found:
            if verb.dep_ == "relcl" and found[0].lower_ in _RELATIVE:
                return [verb.head]
            return found
        if verb.dep_ == "acl" and verb.tag_ == "VBG":
            return [verb.head]
        if verb.dep_ == "pcomp" and verb.head.dep_ == "prep":
            verb = verb.head.head
            continue
        if verb.dep_ in {"conj", "xcomp", "advcl", "acomp"} and verb.head is not verb:
            verb = verb.head
            continue
        return []
    return []


def predicate(tok: Token) -> Token:
    """The verb that governs a nominal or adjectival cue ("expressed reservations")."""
    node = tok
    for _ in range(4):
        if node.pos_ in {"VERB", "AUX"} or node.head is node:
            return node
        node = node.head
    return node


def is_hypothetical(tok: Token, aux_words: Iterable[str], marks: Iterable[str]) -> bool:
    """True when ``tok`` sits under a modal or conditional and so reports no fact."""
    aux_set, mark_set = set(aux_words), set(marks)
    node = tok
    for _ in range(6):
        for child in node.children:
            if child.dep_ in {"aux", "auxpass"} and child.lower_ in aux_set:
                return True
            if child.dep_ == "mark" and child.lower_ in mark_set:
                return True
        if node.head is node or node.dep_ in {"ccomp", "parataxis"}:
            return False
        node = node.head
    return False


_CLOSERS = frozenset({"”", "’", '"', "'", ")", "»"})


def is_question(sent: Span) -> bool:
    """A sentence that asks rather than reports ("Will Kyiv accept the cap?"): it states no
    position and no event, whatever verbs it holds. Read from its last tokens, not its text,
    which spaCy would rebuild."""
    for tok in reversed(sent):
        if not (tok.is_space or tok.text in _CLOSERS):
            return tok.text.endswith("?")
    return False


def negated(tok: Token, negators: Iterable[str]) -> bool:
    """True when ``tok`` or its governing verb carries a negation."""
    words = set(negators)
    for node in {tok, predicate(tok)}:
        if any(c.dep_ in {"neg", "det"} and c.lower_ in words for c in node.children):
            return True
    return False


class _Cues:
    """The stance lexicon compiled for lookups."""

    def __init__(self, lex: dict[str, Any]) -> None:
        self.lex = lex
        self.lemmas: dict[str, str] = {}
        self.phrases: list[tuple[list[str], str]] = []
        for category in ("support", "propose", "oppose", "reservation"):
            for lemma in lex[category]["lemmas"]:
                self.lemmas.setdefault(lemma, category)
            for phrase in lex[category]["phrases"]:
                self.phrases.append((phrase.split(), category))
        self._opening: dict[str, list[int]] = {}  # first word -> the phrases it opens, by number
        for k, (phrase, _) in enumerate(self.phrases):
            self._opening.setdefault(phrase[0], []).append(k)
        self.object_holder = {
            lemma: polarity for polarity, words in lex["object_holder"].items() for lemma in words
        }

    def find(self, sent: Span) -> Iterator[tuple[Token, str]]:
        """Cue tokens of a sentence with their category; a phrase is anchored on its first word."""
        tokens = list(sent)  # one walk over the sentence: spaCy builds a Token on every access
        words = [t.lower_ for t in tokens]
        anchored: set[int] = set()
        starts: dict[str, list[int]] = {}  # where each word is: a phrase is only tried there
        for i, word in enumerate(words):
            starts.setdefault(word, []).append(i)
        for k in sorted(k for word in starts.keys() & self._opening.keys() for k in self._opening[word]):
            phrase, category = self.phrases[k]
            n = len(phrase)
            for i in starts[phrase[0]]:
                if words[i : i + n] == phrase and i not in anchored:
                    anchored.add(i)
                    yield tokens[i], category
        for i, tok in enumerate(tokens):
            if i in anchored:
                continue
            lemma = tok.lemma_.lower()
            category = self.lemmas.get(lemma) or self.lemmas.get(words[i])
            if category:
                yield tok, category
            elif lemma in self.object_holder:
                yield tok, "object_holder"


def extract_stances(
    doc: Doc,
    case: Case,
    actors: list[Actor],
    quotes: list[Quote],
    provisions: list[ProvisionMention],
) -> list[Stance]:
    """Every attributed stance of the document, one per (holder, target, polarity)."""
    lex = load_lexicon("stance")
    cues = _Cues(lex)
    parties = PartyLookup(doc, case, actors)
    plan_heads = _plan_heads(case, lex)
    found: list[Stance] = []
    plans = [t for t in doc if _is_plan(t, plan_heads)]  # one pass for the whole document
    at = [t.i for t in plans]
    first_plan = at[0] if at else len(doc)
    for sent in sentences(doc):
        named = plans[bisect_left(at, sent.start) : bisect_left(at, sent.end)]
        sentence_stances = list(_author_stances(named, parties, lex))
        for cue, category in [] if is_question(sent) else cues.find(sent):
            sentence_stances += _cue_stance(
                cue, category, cues, parties, plan_heads, first_plan < cue.i, quotes, provisions
            )
        found.extend(_mix(sentence_stances))
    return _dedupe(found)


def _plan_heads(case: Case, lex: dict[str, Any]) -> set[str]:
    """Head nouns that name the plan: the lexicon's and the case's own terms."""
    heads = set(lex["plan_nouns"])
    for term in [*case.plan_terms, *(n for v in case.versions for n in v.names)]:
        heads.add(term.lower().split()[-1])
    return heads


def _is_plan(tok: Token, plan_heads: set[str]) -> bool:
    """A noun naming the deal; by its lemma or its form, since some heads count only in one
    number ("the points" of the plan, not "a point")."""
    return tok.pos_ in {"NOUN", "PROPN"} and (tok.lemma_.lower() in plan_heads or tok.lower_ in plan_heads)


def _author_stances(plans: list[Token], parties: PartyLookup, lex: dict[str, Any]) -> Iterator[Stance]:
    """Authors support their plan: "the US plan", "Washington's plan", "US-backed plan"; ``plans``
    are a sentence's words naming the plan."""
    suffixes = tuple(lex["author_suffixes"])
    verbs = set(lex["author_verbs"])
    for tok in plans:
        for child in tok.children:
            holders: list[str] = []
            if child.dep_ in {"compound", "amod", "poss", "nmod", "npadvmod"} and (
                child.pos_ in {"PROPN", "ADJ"}
                or child.dep_ == "poss"
                or child.lemma_.lower() in verbs
            ):
                if child.lemma_.lower() in verbs or child.lower_.endswith(suffixes):
                    holders = [p for g in child.children for p in parties.of_token(g)]
                    prefix = parties.resolver.party(child.text.split("-")[0])
                    holders += [prefix] if prefix else []
                else:
                    holders = parties.of_head(child)
            elif child.dep_ == "acl" and child.lemma_.lower() in verbs:
                holders = [p for s in subjects(child) if s is not tok for p in parties.of_token(s)]
            for holder in holders:
                yield Stance(holder, "plan", "support", tok.idx, tok.idx + len(tok), child.text)


def _cue_stance(
    cue: Token,
    category: str,
    cues: _Cues,
    parties: PartyLookup,
    plan_heads: set[str],
    plan_seen: bool,
    quotes: list[Quote],
    provisions: list[ProvisionMention],
) -> list[Stance]:
    """The stances one cue expresses: none when holder or target cannot be established."""
    lex = cues.lex
    verb = predicate(cue)
    if is_hypothetical(cue, lex["hypothetical_aux"], lex["hypothetical_marks"]) and not _refusal(cue, lex):
        return []
    if category == "object_holder":
        polarity = cues.object_holder[cue.lemma_.lower()]
        holder_tokens = [c for c in cue.children if c.dep_ == "dobj"]
    else:
        polarity = {"support": "support", "propose": "support"}.get(category, "oppose")
        holder_tokens = _holder_tokens(cue, verb)
    if negated(cue, lex["negators"]) or (
        verb.dep_ == "xcomp" and verb.head.lemma_.lower() in lex["flip_heads"]
    ):
        polarity = "oppose" if polarity == "support" else "support"
    holders = _holders(
        [t for t in holder_tokens if not _is_plan(t, plan_heads)], cue, verb, parties, quotes, lex
    )
    scope = verb if category != "object_holder" else cue
    named = [t for t in holder_tokens if parties.of_token(t)]  # "the plan is unacceptable": the subject is the target
    target = _target(scope, cue, named, plan_heads, plan_seen, provisions, category)
    if target is None and cue.i != verb.i:  # a judgement on the subject, not an act of it
        target = _subject_target([t for t in holder_tokens if t not in named], plan_heads, provisions)
    if target is None:
        return []
    if category == "reservation":
        polarity = "reservation"
    return [Stance(h, target, polarity, cue.idx, cue.idx + len(cue), cue.text) for h in holders]


def _refusal(cue: Token, lex: dict[str, Any]) -> bool:
    """A negated intention ("would never accept") states a position; a condition never does."""
    return (
        negated(cue, lex["negators"])
        and is_hypothetical(cue, lex["refusal_aux"], ())
        and not is_hypothetical(cue, (), lex["hypothetical_marks"])
        and not is_hypothetical(cue, set(lex["hypothetical_aux"]) - set(lex["refusal_aux"]), ())
    )


def _holder_tokens(cue: Token, verb: Token) -> list[Token]:
    """The phrase whose party holds the stance: "unacceptable to X", "X's demand", else the subject."""
    if cue.pos_ == "ADJ":
        to_objects = [g for c in cue.children if c.lower_ == "to" for g in c.children if g.dep_ == "pobj"]
        if to_objects:
            return to_objects
    if cue.pos_ == "NOUN":
        owners = [c for c in cue.children if c.dep_ == "poss"]
        if owners:
            return owners
    return subjects(verb)


def _holders(
    tokens: list[Token],
    cue: Token,
    verb: Token,
    parties: PartyLookup,
    quotes: list[Quote],
    lex: dict[str, Any],
) -> list[str]:
    """The holders' parties; inside a quote "we" is the speaker; reported clauses climb to the reporter."""
    anonymous = set(lex["anonymous_holders"])
    if any(t.lemma_.lower() in anonymous or t.lower_ in anonymous for t in tokens):
        return []
    quote = next((q for q in quotes if q.start <= cue.idx < q.end), None)
    if quote and quote.party and (not tokens or tokens[0].lower_ in _FIRST_PERSON):
        return [quote.party]
    found = [p for tok in tokens for p in parties.of_token(tok)]
    node = verb
    while not found and node.dep_ in {"ccomp", "conj"} and node.head is not node:
        node = node.head
        if node.dep_ != "conj":
            found = [p for tok in subjects(node) for p in parties.of_token(tok)]
    if not found and quote and quote.party:
        found = [quote.party]  # "“The priority is X,” he said": the speaker's position
    return list(dict.fromkeys(found))


def _target(
    scope: Token,
    cue: Token,
    holder_tokens: list[Token],
    plan_heads: set[str],
    plan_seen: bool,
    provisions: list[ProvisionMention],
    category: str,
) -> str | None:
    """A provision mentioned in the cue's clause, else the plan when the clause names it."""
    excluded = {t.i for h in holder_tokens if not h.is_ancestor(scope) for t in h.subtree}
    tokens = [t for t in scope.subtree if t.i not in excluded]
    if not tokens:
        return None
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
    inside = [p for p in provisions if start <= p.start and p.end <= end]
    if inside:
        return min(inside, key=lambda p: abs(p.start - cue.idx)).id
    around = {p.id for p in provisions if p.start < end and start < p.end}
    if len(around) == 1:
        return around.pop()
    if category == "propose":
        return None
    if any(_is_plan(t, plan_heads) for t in tokens):
        return "plan"
    pronouns = set(load_lexicon("stance")["plan_pronouns"])
    objects = [t for t in tokens if t.dep_ in {"dobj", "nsubjpass", "pobj"} and t.lower_ in pronouns]
    if plan_seen and objects:
        return "plan"
    return None


def _subject_target(tokens: list[Token], plan_heads: set[str], provisions: list[ProvisionMention]) -> str | None:
    """What a clause is about when its subject is no party: "the plan ... needed changes"."""
    for tok in tokens:
        sub = list(tok.subtree)
        start, end = sub[0].idx, sub[-1].idx + len(sub[-1])
        inside = [p.id for p in provisions if start <= p.start < end]
        if inside:
            return inside[0]
        if _is_plan(tok, plan_heads):
            return "plan"
    return None


def _mix(stances: list[Stance]) -> Iterator[Stance]:
    """Reservations alone oppose; with support from the same holder in the sentence, mixed."""
    supported = {(s.holder, s.target) for s in stances if s.polarity == "support"}
    reserved = {(s.holder, s.target) for s in stances if s.polarity == "reservation"}
    for s in stances:
        key = (s.holder, s.target)
        if s.polarity == "reservation":
            s.polarity = "mixed" if key in supported else "oppose"
        elif s.polarity == "support" and key in reserved:
            s.polarity = "mixed"
        yield s


def _dedupe(stances: list[Stance]) -> list[Stance]:
    """One stance per (holder, target, polarity), keeping the first occurrence."""
    seen: set[tuple[str, str, str]] = set()
    out: list[Stance] = []
    for s in stances:
        key = (s.holder, s.target, s.polarity)
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out
