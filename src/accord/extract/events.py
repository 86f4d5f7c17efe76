"""PLOVER events: interactions between parties that the article reports as having happened.

A verb-pattern coder: triggers (verbs and event nouns) come from ``lexicons/plover.yaml``, the
parse gives the participants (subject, object, "with X", "between X and Y") and the place
("in Geneva"), and factuality rules drop what is only planned, hypothetical or negated.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import dateparser
from spacy.tokens import Doc, Token

from accord.case import Case
from accord.extract.stances import PartyLookup, is_hypothetical, negated, subjects
from accord.lexicons import load_lexicon
from accord.models import Actor, Event

_PLACE_LABELS = {"GPE", "LOC", "FAC", "ORG"}
_OBJECTS = {"dobj", "dative", "attr", "oprd"}
_INFINITIVE_MARKERS = {"to"}


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
        self.participant_preps = set(lex["participant_preps"])
        self.location_preps = set(lex["location_preps"])
        self.intent = set(lex["intent_heads"])
        self.aspect = set(lex["aspect_heads"])
        self.future = set(lex["future_modifiers"])
        self.single = set(lex["single_party_types"])
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


def extract_events(
    doc: Doc, case: Case, actors: list[Actor], published: date | None = None
) -> list[Event]:
    """Every reported interaction, merged so that each distinct one appears once."""
    lex = _Lexicon(load_lexicon("plover"))
    parties = PartyLookup(doc, case, actors)
    events: list[Event] = []
    for tok in doc:
        if tok.pos_ in {"VERB", "AUX"}:
            kind = lex.verb_type(tok)
            if kind and _verb_happened(tok, lex):
                events.extend(_verb_event(tok, kind, lex, parties, published))
        elif tok.pos_ in {"NOUN", "PROPN"}:
            kind = lex.noun_type(tok)
            if kind and _noun_happened(tok, lex):
                events.extend(_noun_event(tok, kind, lex, parties, published))
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


def _verb_event(
    verb: Token, kind: str, lex: _Lexicon, parties: PartyLookup, published: date | None
) -> Iterator[Event]:
    """An event from a verb: its subject against its objects and prepositional participants."""
    found = [p for s in subjects(verb) for p in parties.of_token(s)]
    heads = [verb] + [c for c in verb.children if c.dep_ in _OBJECTS and lex.noun_type(c)]
    heads += [
        g for c in verb.children if c.dep_ == "prep" and c.lower_ not in lex.attendance_preps
        for g in c.children if g.dep_ == "pobj" and lex.noun_type(g)
    ]
    for head in heads:
        for child in head.children:
            if child.dep_ in _OBJECTS:
                found += parties.of_token(child)
            found += _prep_participants(child, lex, parties)
    yield from _event(kind, found, verb, heads, lex, parties, published)


def _noun_event(
    noun: Token, kind: str, lex: _Lexicon, parties: PartyLookup, published: date | None
) -> Iterator[Event]:
    """An event from a noun: its modifiers, "with"/"between" phrases and the governing verb's subject."""
    found: list[str] = []
    for child in noun.children:
        if child.dep_ in {"compound", "amod", "poss", "nmod", "npadvmod"}:
            found += parties.of_token(child)
        found += _prep_participants(child, lex, parties)
    heads = [noun]
    governor = _governor(noun, lex)
    if governor is not None:
        found = [p for s in subjects(governor) for p in parties.of_token(s)] + found
        if noun.dep_ == "dobj":
            for child in governor.children:
                found += _prep_participants(child, lex, parties)
        heads.append(governor)
    yield from _event(kind, found, noun, heads, lex, parties, published)


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


def _prep_participants(child: Token, lex: _Lexicon, parties: PartyLookup) -> list[str]:
    """Parties of "with X", "between X and Y", "against X" attached to a trigger."""
    if child.dep_ not in {"prep", "agent"} or child.lower_ not in lex.participant_preps | {"by"}:
        return []
    return [p for g in child.children if g.dep_ == "pobj" for p in parties.of_token(g)]


def _event(
    kind: str,
    found: list[str],
    trigger: Token,
    heads: list[Token],
    lex: _Lexicon,
    parties: PartyLookup,
    published: date | None,
) -> Iterator[Event]:
    """The event if enough distinct parties take part; a lone party only for one-sided types."""
    actors = sorted(set(found))
    if len(actors) < (1 if kind in lex.single else 2):
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
