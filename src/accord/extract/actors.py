"""People named in an article, with the role and party the article gives them.

Mentions come from spaCy's PERSON entities plus the case's key people; mentions are grouped by
surname; roles and parties are read from the title words before a name ("Finnish President
Alexander Stubb") and from appositions ("Dan Driscoll, the US army secretary").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from ..case import Case, PartyResolver
from ..lexicons import load_lexicon
from ..models import Actor
from ..text import fold
from .docs import entities

POSSESSIVE = {"'s", "’s", "'", "’"}
_NATIONALITY_ENTS = {"GPE", "NORP"}


@dataclass
class _Roles:
    heads: frozenset[str]
    multi_heads: tuple[tuple[str, ...], ...]
    modifiers: frozenset[str]
    connectors: frozenset[str]


@cache
def _roles() -> _Roles:
    lex = load_lexicon("roles")
    heads = [h.lower() for h in lex["heads"]]
    return _Roles(
        heads=frozenset(h for h in heads if " " not in h),
        multi_heads=tuple(tuple(h.split()) for h in heads if " " in h),
        modifiers=frozenset(m.lower() for m in lex["modifiers"]),
        connectors=frozenset(c.lower() for c in lex["connectors"]),
    )


def is_role_head(token: Token) -> bool:
    """A noun that can head a title ("secretary", "spokesman", "president", "son-in-law")."""
    heads = _roles().heads
    return token.lower_ in heads or token.lemma_.lower() in heads or _hyphenated(token) in heads


def _hyphenated(token: Token) -> str:
    """The whole hyphenated word a token is part of ("son-in-law" from its "law")."""
    return token.doc[_word_start(token) : _word_end(token) + 1].text.lower()


def _word_start(token: Token) -> int:
    doc, start = token.doc, token.i
    while start > 0 and not doc[start - 1].whitespace_ and "-" in (doc[start - 1].text, doc[start].text):
        start -= 1
    return start


def _word_end(token: Token) -> int:
    doc, end = token.doc, token.i
    while end + 1 < len(doc) and not doc[end].whitespace_ and "-" in (doc[end + 1].text, doc[end].text):
        end += 1
    return end


def _head_word(role: str) -> str:
    """The title noun of a role string, to tell two titles apart ("top negotiator" -> negotiator)."""
    words = role.lower().split()
    heads = _roles().heads
    return next((w for w in words if w in heads), words[-1] if words else "")


@cache
def _people_matcher(case: Case, vocab: Vocab) -> PhraseMatcher:
    """Matches the case's key people by name and alias, for names NER misses (built once per
    case and vocabulary: cases compare by identity)."""
    matcher = PhraseMatcher(vocab)
    for i, person in enumerate(case.people):
        names = {person.name, *person.aliases, person.name.split()[-1]}
        matcher.add(str(i), [Doc(vocab, words=n.split()) for n in names if n.strip()])
    return matcher


def _strip_span(span: Span) -> Span | None:
    """Trim title words and possessives that NER sometimes includes in a PERSON span."""
    start, end = span.start, span.end
    doc = span.doc
    while end > start and doc[end - 1].text in POSSESSIVE:
        end -= 1
    while start < end and (is_role_head(doc[start]) or doc[start].lower_ in _roles().modifiers):
        start += 1
    if start >= end:
        return None
    return doc[start:end]


def _ends_in_initial(span: Span) -> bool:
    """"Vladimir P": a name cut short (or an initial) has no surname to group it by."""
    return len(span) > 1 and len(span[-1].text.rstrip(".")) == 1


def person_spans(doc: Doc, case: Case) -> list[Span]:
    """Every mention of a person in the document, in text order, without overlaps."""
    resolver = PartyResolver.for_case(case)
    spans: list[Span] = []
    for ent in entities(doc):
        if ent.label_ != "PERSON":
            continue
        span = _strip_span(ent)
        if span is None or not span[0].text[:1].isupper() or _ends_in_initial(span):
            continue
        if len(span) == 1 and resolver.party(span.text) and not resolver.person(span.text):
            continue  # a place or people mis-tagged as a person ("Kyiv")
        spans.append(span)
    matcher = _people_matcher(case, doc.vocab)
    taken = {i for s in spans for i in range(s.start, s.end)}
    for _, start, end in matcher(doc):
        if not any(i in taken for i in range(start, end)):
            spans.append(doc[start:end])
            taken.update(range(start, end))
    return sorted(spans, key=lambda s: s.start)


def _title_tokens(doc: Doc, end: int, floor: int) -> list[Token]:
    """The title words right before token ``end``: "US Secretary of State", "Ukraine's negotiator"."""
    roles = _roles()
    toks: list[Token] = []
    i = end - 1
    if i - 1 >= floor and doc[i].text == "," and is_role_head(doc[i - 1]):
        i -= 1  # "the US vice-president, JD Vance"
    while i >= floor:
        t = doc[i]
        low = t.lower_
        if t.is_punct and t.text not in POSSESSIVE and t.text != "-":
            break
        possessor = i + 1 < len(doc) and doc[i + 1].text in POSSESSIVE
        titleish = (
            is_role_head(t)
            or low in roles.modifiers
            or t.text in POSSESSIVE
            or t.text == "-"
            or (t.pos_ == "PROPN" and t.text[:1].isupper() and (t.ent_type_ != "PERSON" or possessor))
            or t.ent_type_ in _NATIONALITY_ENTS | {"ORG"}
            or (low in roles.connectors and bool(toks))
        )
        if not titleish or (low == "of" and toks and is_role_head(toks[0])):
            break  # "the head of President X's office": the title before "of" is someone else's
        if low == "and" and not (i > floor and is_role_head(doc[i - 1])):
            break  # "between Chile and Peruvian minister X": "and" joins two titles only
        toks.insert(0, t)
        i -= 1
    while toks and (toks[0].lower_ in roles.connectors or toks[0].text in POSSESSIVE):
        toks.pop(0)
    return toks


def _appositive_tokens(span: Span) -> list[Token]:
    """The title in apposition to a name, either side ("X, the US envoy" / "the envoy, X")."""
    if span.end < len(span.doc) and span.doc[span.end].text in POSSESSIVE:
        return []  # "X's son-in-law" is someone else's title
    root = span.root
    nouns = [root.head] if root.dep_ == "appos" and root.head.ent_type_ != "PERSON" else []
    for c in root.children:
        if c.dep_ == "appos" and c.ent_type_ != "PERSON":
            nouns.append(c)
        elif c.dep_ == "appos" and c.i + 1 < len(span.doc) and span.doc[c.i + 1].text in POSSESSIVE:
            nouns += [g for g in c.children if g.dep_ == "appos"]  # "X, Trump's son-in-law" misparsed
    for noun in nouns:
        if not is_role_head(noun):
            continue
        end = _word_end(noun)
        toks = _title_tokens(span.doc, end + 1, noun.sent.start)
        of = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" and c.i > end), None)
        if of is not None and not any(t.ent_type_ == "PERSON" and t.dep_ != "poss" and t.head.dep_ != "poss" for t in of.subtree):
            toks += list(of.subtree)
        return toks
    return []


def _role_and_party(
    tokens: list[Token], resolver: PartyResolver, people: dict[str, str | None]
) -> tuple[str | None, str | None]:
    """Split title words into the role (title words only) and the party they name.

    Nationality words and possessors ("US", "Finnish", "Ukraine's") give the party and leave the
    role; title modifiers that also name a party ("Kremlin spokesman") give it and stay.
    """
    if not tokens or not (any(is_role_head(t) for t in tokens) or _has_multi_head(tokens)):
        return None, None
    roles = _roles()
    party: str | None = None
    keep: list[Token] = []
    of_at: int | None = None  # index in keep of the "of" opening the title's complement
    for i, t in enumerate(tokens):
        if of_at is not None:  # "head of President X's office": the complement stays as written
            party = party or (resolver.party(t.text) if t.ent_type_ in _NATIONALITY_ENTS | {"ORG"} else None)
            keep.append(t)
            continue
        if t.text in POSSESSIVE:
            continue
        possessor = i + 1 < len(tokens) and tokens[i + 1].text in POSSESSIVE
        if t.ent_type_ == "PERSON":
            if possessor:
                party = party or people.get(fold(t.text))
            continue
        titleword = is_role_head(t) or t.lower_ in roles.modifiers
        code = resolver.party(t.text) if (t.ent_type_ in _NATIONALITY_ENTS | {"ORG"} or possessor) else None
        if code:
            party = party or code
            if not titleword or possessor or t.ent_type_ in _NATIONALITY_ENTS:
                continue
        if t.lower_ == "of" and keep and is_role_head(keep[-1]) and i + 1 < len(tokens):
            if not _names_a_party(tokens[i + 1 :], resolver):
                of_at = len(keep)
            elif not _has_multi_head(keep + [t, tokens[i + 1]]):
                break  # "High Representative of the European Union": the party, not the title
        keep.append(t)
    if of_at is None:
        while keep and (keep[-1].lower_ in roles.connectors or not (is_role_head(keep[-1]) or _ends_multi_head(keep))):
            keep.pop()  # words after the last title noun
    while keep and keep[0].lower_ in roles.connectors:
        keep.pop(0)
    return (_tokens_text(keep) or None), party


def _names_a_party(tokens: list[Token], resolver: PartyResolver) -> bool:
    """Whether the words are just the name of a party ("the European Union", "Ukraine")."""
    words = [t for t in tokens if t.dep_ != "det"]
    if not words or any(t.pos_ != "PROPN" for t in words):
        return False
    text = _tokens_text(words)
    found = resolver.find(text)
    return len(found) == 1 and found[0][0] == 0 and found[0][1] == len(text)


def _tokens_text(tokens: list[Token]) -> str:
    """Tokens as written: "vice-president" stays one word."""
    return "".join(t.text_with_ws for t in tokens).strip()


def _has_multi_head(tokens: list[Token]) -> bool:
    words = tuple(t.lower_ for t in tokens)
    return any(words[i : i + len(h)] == h for h in _roles().multi_heads for i in range(len(words)))


def _ends_multi_head(tokens: list[Token]) -> bool:
    words = tuple(t.lower_ for t in tokens)
    return any(words[-len(h) :] == h for h in _roles().multi_heads)


@dataclass
class _Person:
    names: Counter = field(default_factory=Counter)
    roles: list[str] = field(default_factory=list)
    parties: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)


def _joined(roles: list[str]) -> str | None:
    """The person's distinct titles in order ("top negotiator, head of the Russian delegation");
    two titles with the same title noun are one ("special envoy" / "presidential envoy")."""
    kept: list[str] = []
    for role in roles:
        if _head_word(role) not in {_head_word(k) for k in kept}:
            kept.append(role)
    return ", ".join(kept) or None


def extract_actors(doc: Doc, case: Case) -> list[Actor]:
    """People named in the document, one Actor per person, in order of first mention."""
    resolver = PartyResolver.for_case(case)
    spans = person_spans(doc, case)
    clusters: dict[str, _Person] = {}
    known_party: dict[str, str | None] = {}
    for span in spans:
        person = resolver.person(span.text)
        key = fold(person.name.split()[-1]) if person else fold(span[-1].text)
        cluster = clusters.setdefault(key, _Person())
        cluster.names[span.text] += 1
        cluster.spans.append(span)
        if person and person.party:
            known_party.setdefault(fold(span.text), person.party)
            known_party.setdefault(fold(span[-1].text), person.party)
    taken = {i for c in clusters.values() for s in c.spans for i in range(s.start, s.end)}
    for token in doc:
        cluster = clusters.get(fold(token.text)) if token.pos_ == "PROPN" and token.i not in taken else None
        if cluster is not None and any(len(s) > 1 for s in cluster.spans):
            cluster.spans.append(doc[token.i : token.i + 1])
    for key in [k for k, c in clusters.items() if all(len(s) == 1 for s in c.spans)]:
        if not any(resolver.person(s.text) for s in clusters[key].spans):
            del clusters[key]  # a lone capitalised word is more often a place than an unnamed person
    for cluster in clusters.values():
        cluster.spans.sort(key=lambda s: s.start)
        for span in cluster.spans:
            titles: list[str] = []  # a title before the name and one in apposition: "General X, commander of Y"
            for toks in (_title_tokens(doc, span.start, span.sent.start), _appositive_tokens(span)):
                role, party = _role_and_party(toks, resolver, known_party)
                if role:
                    titles.append(role)
                if party:
                    cluster.parties.append(party)
            if titles:
                cluster.roles.append(_joined(titles) or "")
    actors: list[Actor] = []
    for cluster in clusters.values():
        name = max(cluster.names, key=lambda n: (len(n.split()), cluster.names[n]))
        person = resolver.person(name)
        if len(name.split()) == 1 and person:
            name = person.name
        role = cluster.roles[0] if cluster.roles else (person.role if person else None)
        party = Counter(cluster.parties).most_common(1)[0][0] if cluster.parties else (person.party if person else None)
        first = cluster.spans[0]
        actors.append(
            Actor(
                name=name,
                role=role,
                party=party,
                start=first.start_char,
                end=first.end_char,
                mentions=[(s.start_char, s.end_char) for s in cluster.spans],
            )
        )
    return sorted(actors, key=lambda a: a.start)
