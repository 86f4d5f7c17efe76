"""PLOVER events: interactions between parties that the article reports as having happened.

A verb-pattern coder: triggers (verbs, event nouns, "willing"-type adjectives) come from
``lexicons/plover.yaml``, the parse gives the participants (subject, object, "with X", "between X
and Y", the subject of "demanded that X ...") and the place ("in Geneva"), and factuality rules
drop what is only planned, hypothetical or negated. Acts about the future that happened as acts
(a threat, a demand, a promise) are events of their own type; "X said Y must ..." is a request.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from functools import cache
from typing import Any

import dateparser
from spacy.tokens import Doc, Token

from accord.case import Case
from accord.extract.stances import PartyLookup, is_hypothetical, negated, runs, subjects
from accord.lexicons import load_lexicon
from accord.models import Actor, Event

_PLACE_LABELS = {"GPE", "LOC", "FAC", "ORG"}
_OBJECTS = {"dobj", "dative", "attr", "oprd"}
_INFINITIVE_MARKERS = {"to"}
_SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj", "agent", "expl"}
_NOT_NEARBY = {"punct", "cc", "advcl", "mark", "relcl", "acl", "appos", "parataxis", "ccomp"}


class _Lexicon:
    """plover.yaml compiled: single-word triggers, multi-word triggers and factuality words."""

    def __init__(self, lex: dict[str, Any]) -> None:
        self.lex = lex
        self.verbs: dict[str, str] = {}
        self.verb_phrases: dict[str, list[tuple[list[str], str]]] = {}
        for kind, entries in lex["verbs"].items():
            for entry in entries:
                words = entry.split()
                if len(words) == 1:
                    self.verbs.setdefault(words[0], kind)
                else:
                    self.verb_phrases.setdefault(words[0], []).append((words[1:], kind))
        self.nouns = {n: kind for kind, entries in lex["nouns"].items() for n in entries}
        self.adjectives = {a: kind for kind, entries in lex["adjectives"].items() for a in entries}
        self.type_preps = {kind: set(preps) for kind, preps in lex["type_preps"].items()}
        self.obligation = set(lex["obligation_modals"])
        self.reporting = set(lex["reporting_heads"])
        self.reported_pronouns = set(lex["reported_pronouns"])
        self.participant_preps = set(lex["participant_preps"])
        self.location_preps = set(lex["location_preps"])
        self.intent = set(lex["intent_heads"])
        self.aspect = set(lex["aspect_heads"])
        self.future = set(lex["future_modifiers"])
        self.single = set(lex["single_party_types"])
        self.actor_nouns = set(lex["actor_nouns"])
        self.complement_only = set(lex["complement_only"])
        self.attendance_preps = set(lex["attendance_preps"])

    def verb_type(self, tok: Token) -> str | None:
        """The PLOVER type of a verb trigger; a phrase ("call for") beats its first word."""
        lemma = tok.lemma_.lower()
        words = {c.lower_ for c in tok.children} | {c.lemma_.lower() for c in tok.children}
        for rest, kind in self.verb_phrases.get(lemma, []):
            if all(w in words for w in rest):
                return kind
        return self.verbs.get(lemma)

    def noun_type(self, tok: Token) -> str | None:
        return self.nouns.get(tok.lemma_.lower()) or self.nouns.get(tok.lower_)


@cache
def _lexicon() -> _Lexicon:
    """The compiled lexicon, built once per process."""
    return _Lexicon(load_lexicon("plover"))


def extract_events(
    doc: Doc, case: Case, actors: list[Actor], published: date | None = None
) -> list[Event]:
    """Every reported interaction in text order, merged so that each distinct one appears once."""
    lex = _lexicon()
    parties = PartyLookup(doc, case, actors)
    events: list[Event] = []
    for tok in doc:
        if tok.pos_ in {"VERB", "AUX"}:
            reporter = _obligation_reporter(tok, lex)
            if reporter is not None:
                events.extend(_obligation_event(tok, reporter, lex, parties, published))
                continue
            kind = lex.verb_type(tok)
            if kind and tok.lemma_.lower() in lex.complement_only and not any(
                c.dep_ == "xcomp" for c in tok.children
            ):
                kind = None
            if kind and _verb_happened(tok, lex):
                events.extend(_verb_event(tok, kind, lex, parties, published))
        elif tok.pos_ in {"NOUN", "PROPN"}:
            kind = lex.noun_type(tok)
            if kind and _noun_happened(tok, lex):
                events.extend(_noun_event(tok, kind, lex, parties, published))
        elif tok.pos_ == "ADJ" and tok.dep_ == "acomp" and tok.lemma_.lower() in lex.adjectives:
            if not negated(tok, ["not", "never", "n't"]) and _verb_happened(tok.head, lex):
                kind = lex.adjectives[tok.lemma_.lower()]
                events.extend(_verb_event(tok, kind, lex, parties, published))
    return _merge(events)


def _verb_happened(verb: Token, lex: _Lexicon) -> bool:
    """A verb reports a fact unless negated, modal, conditional, an intention or a bare infinitive."""
    if negated(verb, ["not", "never", "n't"]):
        return False
    if is_hypothetical(verb, lex.lex["hypothetical_aux"], lex.lex["hypothetical_marks"]):
        return False
    node = verb
    for _ in range(4):
        infinitive = any(c.dep_ == "aux" and c.lower_ in _INFINITIVE_MARKERS for c in node.children)
        head = node.head
        if head is node:
            return not infinitive and node.tag_ != "VB"
        if head.lemma_.lower() in lex.intent and node.dep_ in {"xcomp", "pcomp", "ccomp", "acl", "advcl", "pobj", "dobj"}:
            return False
        if infinitive and head.lemma_.lower() not in lex.aspect:
            return False
        if not infinitive and node.dep_ not in {"xcomp", "pcomp", "conj"}:
            return node.tag_ != "VB" or any(c.dep_ == "aux" for c in node.children)
        if node.dep_ == "pcomp" and head.dep_ == "prep":
            node = head.head
            continue
        node = head
    return True


def _noun_happened(noun: Token, lex: _Lexicon) -> bool:
    """An event noun reports a fact unless marked as future or governed by a non-factual verb."""
    if any(c.lemma_.lower() in lex.future for c in noun.children if c.dep_ in {"amod", "compound"}):
        return False
    node = noun
    for _ in range(4):
        head = node.head
        if head is node:
            return True
        if head.pos_ in {"VERB", "AUX"}:
            return _verb_happened(head, lex)
        node = head
    return True


def _obligation_reporter(verb: Token, lex: _Lexicon) -> Token | None:
    """The reporting verb of "X said Y must do Z", when it reports a fact."""
    if not any(c.dep_ == "aux" and c.lower_ in lex.obligation for c in verb.children):
        return None
    head = verb.head
    if verb.dep_ != "ccomp" or head.lemma_.lower() not in lex.reporting:
        return None
    if not any(c.dep_ == "nsubj" and c.pos_ != "PRON" for c in verb.children):
        return None
    if negated(head, ["not", "never", "n't"]) or is_hypothetical(
        head, lex.lex["hypothetical_aux"], lex.lex["hypothetical_marks"]
    ):
        return None
    return head


def _obligation_event(
    verb: Token, reporter: Token, lex: _Lexicon, parties: PartyLookup, published: date | None
) -> Iterator[Event]:
    """A reported obligation: the reporter requests it of the obliged party."""
    people = subjects(reporter) + subjects(verb)
    found = _sources(reporter, lex, parties) + [p for s in subjects(verb) for p in _phrase_parties(s, parties)]
    yield from _event("REQUEST", found, people, reporter, [reporter, verb], lex, parties, published)


def _verb_event(
    verb: Token, kind: str, lex: _Lexicon, parties: PartyLookup, published: date | None
) -> Iterator[Event]:
    """An event from a verb: its subject against its objects and prepositional participants.

    A verb with neither subject nor passive subject (a misparsed headline) reports no event.
    """
    people = list(subjects(verb))
    if not people and not any(c.dep_ == "nsubjpass" for c in verb.children):
        return
    found = _sources(verb, lex, parties)
    heads = [verb] + [c for c in verb.children if c.dep_ in _OBJECTS and lex.noun_type(c)]
    heads += [
        g for c in verb.children if c.dep_ == "prep" and c.lower_ not in lex.attendance_preps
        for g in c.children if g.dep_ == "pobj" and lex.noun_type(g)
    ]
    for head in heads:
        for child in head.children:
            if child.dep_ in _OBJECTS or (head is verb and child.dep_ == "nsubjpass"):
                people.append(child)
            people += _prep_objects(child, kind, lex)
    people += [
        s for c in verb.children if c.dep_ in {"ccomp", "xcomp"}
        for s in c.children if s.dep_ in {"nsubj", "nsubjpass"}
    ]
    found += [p for t in people[len(subjects(verb)):] for p in _phrase_parties(t, parties)]
    if len(set(found)) < 2:
        found += _nearby_parties(verb, lex, parties)
    yield from _event(kind, found, people, verb, heads, lex, parties, published)


def _sources(verb: Token, lex: _Lexicon, parties: PartyLookup) -> list[str]:
    """The parties of the subject; a pronoun in a reported clause stands for the reporter."""
    found = [p for s in subjects(verb) for p in _phrase_parties(s, parties)]
    if found or not any(s.lower_ in lex.reported_pronouns for s in subjects(verb)):
        return found
    node = verb
    while node.dep_ in {"conj", "xcomp"} and node.head is not node:
        node = node.head
    if node.dep_ == "ccomp" and node.head.lemma_.lower() in lex.reporting:
        return [p for s in subjects(node.head) for p in _phrase_parties(s, parties)]
    return found


def _phrase_parties(tok: Token, parties: PartyLookup) -> list[str]:
    """Parties of a phrase; "rebels in Chad" without a party word of its own is Chad's."""
    found = parties.of_token(tok)
    if found or not _actor_noun(tok, _lexicon()):
        return found
    return [
        p for c in tok.children if c.dep_ == "prep" and c.lower_ == "in"
        for g in c.children if g.dep_ == "pobj" for p in parties.of_token(g)
    ]


def _nearby_parties(verb: Token, lex: _Lexicon, parties: PartyLookup) -> list[str]:
    """Parties deeper in the trigger's objects, complements and non-locative phrases.

    Used only when subject and direct participants give fewer than two parties: the target of
    "demanded an admission by Moscow" or "welcomed the statement as proof of Washington's wish"
    sits deeper than the object's own modifiers. Places ("in Geneva") and clauses that modify a
    noun ("talks aimed at ...") name no participant.
    """
    tokens: list[Token] = []
    stack = [c for c in verb.children if c.dep_ not in _SUBJECT_DEPS]
    while stack:
        tok = stack.pop()
        if tok.dep_ in _NOT_NEARBY or (tok.dep_ == "conj" and tok.pos_ in {"VERB", "AUX"}):
            continue  # another clause
        if tok.dep_ == "prep" and tok.lower_ in lex.location_preps:
            continue
        tokens.append(tok)
        stack += list(tok.children)
    found: list[str] = []
    for run in runs(sorted(tokens, key=lambda t: t.i)):
        found += [p for t in run if (p := parties.of_char(t.idx, t.idx + len(t)))]
        span = verb.doc[run[0].i : run[-1].i + 1]
        found += [code for _, _, code in parties.resolver.find(span.text)]
    return found


def _noun_event(
    noun: Token, kind: str, lex: _Lexicon, parties: PartyLookup, published: date | None
) -> Iterator[Event]:
    """An event from a noun: its modifiers, "with"/"between" phrases and the governing verb's subject."""
    people = [c for c in noun.children if c.dep_ in {"compound", "amod", "poss", "nmod", "npadvmod"}]
    found = [p for c in people for p in parties.of_token(c)]
    for child in noun.children:
        objects = _prep_objects(child, kind, lex)
        people += objects
        found += [p for g in objects for p in _phrase_parties(g, parties)]
    heads = [noun]
    governor = _governor(noun, lex)
    if governor is not None:
        people += subjects(governor)
        found = _sources(governor, lex, parties) + found
        if noun.dep_ == "dobj":
            for child in governor.children:
                objects = _prep_objects(child, kind, lex)
                people += objects
                found += [p for g in objects for p in _phrase_parties(g, parties)]
        heads.append(governor)
    yield from _event(kind, found, people, noun, heads, lex, parties, published)


def _governor(noun: Token, lex: _Lexicon) -> Token | None:
    """The verb whose subject took part in a nominal event: "held talks", "met at talks in X"."""
    node = noun
    for _ in range(3):
        if node.dep_ == "dobj":
            return node.head
        if node.dep_ != "pobj" or node.head.lower_ not in lex.attendance_preps:
            return None
        node = node.head.head
        if node.pos_ in {"VERB", "AUX"}:
            return node
    return None


def _prep_objects(child: Token, kind: str, lex: _Lexicon) -> list[Token]:
    """Objects of "with X", "between X and Y", "against X" (and "sanctions on X") on a trigger."""
    preps = lex.participant_preps | {"by"} | lex.type_preps.get(kind, set())
    if child.dep_ not in {"prep", "agent"} or child.lower_ not in preps:
        return []
    return [g for g in child.children if g.dep_ == "pobj"]


def _unnamed_actor(tok: Token, lex: _Lexicon, parties: PartyLookup) -> bool:
    """A participant that is a person or group of no known party: "rebels", "the opposition"."""
    if _phrase_parties(tok, parties):
        return False
    heads = [tok] + [g for c in tok.children if c.lower_ == "of" for g in c.children]  # "dozens of"
    return any(_actor_noun(h, lex) or h.ent_type_ in {"PERSON", "ORG", "NORP"} for h in heads)


def _actor_noun(tok: Token, lex: _Lexicon) -> bool:
    """A noun for people or groups; capitalised plurals ("Rebels") keep their -s in the lemma."""
    lemma = tok.lemma_.lower()
    return lemma in lex.actor_nouns or (lemma.endswith("s") and lemma[:-1] in lex.actor_nouns)


def _event(
    kind: str,
    found: list[str],
    people: list[Token],
    trigger: Token,
    heads: list[Token],
    lex: _Lexicon,
    parties: PartyLookup,
    published: date | None,
) -> Iterator[Event]:
    """The event if two parties take part, or one with a named group or person of no party
    ("police arrested protesters"), or one alone for one-sided types (a withdrawal)."""
    actors = sorted(set(found))
    if not actors:
        return
    if len(actors) == 1 and kind not in lex.single and not any(
        _unnamed_actor(t, lex, parties) for t in people
    ):
        return
    yield Event(
        type=kind,
        actors=actors,
        start=trigger.idx,
        end=trigger.idx + len(trigger),
        location=_location(heads, lex, parties),
        trigger=trigger.text,
        date=_date(heads, published),
    )


def _location(heads: list[Token], lex: _Lexicon, parties: PartyLookup) -> str | None:
    """The place of "in/at X" on the trigger (one level down: "at a meeting in Kyiv")."""
    for head in heads:
        for child in head.children:
            if child.dep_ == "compound" and child.ent_type_ in {"GPE", "LOC", "FAC"}:
                if not parties.resolver.party(child.text):
                    return _entity_text(child)
            if child.dep_ == "advmod" and child.lower_ == "where" and head.dep_ == "relcl":
                return _entity_text(head.head)
        for place in _located(head, lex, depth=2):
            return place
    return None


def _located(tok: Token, lex: _Lexicon, depth: int) -> Iterator[str]:
    for child in tok.children:
        if child.dep_ != "prep" or child.lower_ not in lex.location_preps:
            continue
        for obj in child.children:
            if obj.dep_ != "pobj":
                continue
            place = _entity_text(obj)
            if place:
                yield place
            elif depth > 1:
                yield from _located(obj, lex, depth - 1)


def _entity_text(tok: Token) -> str | None:
    """The named place covering ``tok``, without a leading article."""
    if tok.ent_type_ not in _PLACE_LABELS:
        return None
    for ent in tok.doc.ents:
        if ent.start <= tok.i < ent.end:
            words = ent.text.split()
            return " ".join(words[1:] if words[0].lower() == "the" else words)
    return None


def _date(heads: list[Token], published: date | None) -> date | None:
    """The day of the event from a DATE attached to the trigger, relative to publication."""
    if published is None:
        return None
    for head in heads:
        for tok in head.subtree:
            if tok.ent_type_ == "DATE" and tok.head in heads or (
                tok.ent_type_ == "DATE" and tok.head.dep_ == "prep" and tok.head.head in heads
            ):
                ent = next(e for e in tok.doc.ents if e.start <= tok.i < e.end)
                settings = {"RELATIVE_BASE": _midnight(published), "PREFER_DATES_FROM": "past"}
                parsed = dateparser.parse(ent.text, languages=["en"], settings=settings)
                if parsed:
                    return parsed.date()
    return None


def _midnight(day: date) -> datetime:
    """dateparser's relative base must be a datetime."""
    return datetime(day.year, day.month, day.day)


def _merge(events: list[Event]) -> list[Event]:
    """One event per type and party set; different places mean different interactions."""
    merged: list[Event] = []
    for event in events:
        same = [
            m for m in merged
            if m.type == event.type and m.actors == event.actors
            and (m.location is None or event.location is None or m.location == event.location)
        ]
        if not same:
            merged.append(event)
            continue
        first = same[0]
        first.location = first.location or event.location
        first.date = first.date or event.date
    return merged
