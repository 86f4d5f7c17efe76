"""PLOVER events: interactions between parties that the article reports as having happened.

A verb-pattern coder: triggers (verbs, event nouns, "willing"-type adjectives) come from
``lexicons/plover.yaml``, the parse gives the participants (subject, object, "with X", "between X
and Y", the subject of "demanded that X ...") and the place ("in Geneva"), and factuality rules
drop what is only planned, hypothetical or negated. Acts about the future that happened as acts
(a threat, a demand, a promise) are events of their own type; "X said Y must ..." is a request.
A commitment is coded as what it commits to ("swore to fight" threatens), a light verb as its
object noun ("ordered patrols"), and ending a cooperative act as a sanction ("ended the talks").
Participants named only by reference ("both sides", "the talks in Geneva") come from the
discourse before them. An ``EventPolicy`` says which coded events are kept: the news record's
(facts between two parties) by default, a sentence coder's (statements too) for benchmarks.
"""

from __future__ import annotations

from bisect import bisect_right

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

import dateparser
from spacy.tokens import Doc, Token

from accord.case import Case
from accord.case.gazetteer import load_gazetteer
from accord.extract.docs import doc_text, entity_at, once, sentences, span_text
from accord.extract.stances import PartyLookup, is_hypothetical, is_question, negated, runs, subjects
from accord.lexicons import load_lexicon
from accord.models import Actor, Event

_PLACE_LABELS = {"GPE", "LOC", "FAC", "ORG"}
_OBJECTS = {"dobj", "dative", "attr", "oprd"}
_INFINITIVE_MARKERS = {"to"}
_NEGATIONS = ["not", "never", "n't"]
_SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj", "agent", "expl"}
_ACTIVE_SUBJECTS = _SUBJECT_DEPS - {"nsubjpass"}  # a passive subject is the one acted on
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
        # what can follow a modifier in a multi-word noun ("strike" of "hunger strike")
        self.modified = {n[i + 1 :] for n in self.nouns for i, ch in enumerate(n) if ch == " "}
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
        self.collectives = set(lex["collectives"])
        self.referring_determiners = set(lex["referring_determiners"])
        self.plural_pronouns = set(lex["plural_pronouns"])
        self.context_types = set(lex["context_types"])
        self.intents: dict[str, str] = lex["intent_types"]
        self.refusals: dict[str, str] = lex["refusal_types"]
        self.threat_marks = set(lex["threat_marks"])
        self.condition_marks = set(lex["condition_marks"])
        self.origin_preps = set(lex["origin_preps"])
        self.quantities = set(lex["quantities"])
        self.sectors = set(lex["sectors"])
        self.venue_verbs = set(lex["venue_verbs"])
        self.refusal_heads = set(lex["refusal_heads"])
        self.act_heads = set(lex["act_heads"])
        self.announcements = set(lex["announcement_heads"])
        self.commissives = set(lex["commissives"])
        self.light_verbs = set(lex["light_verbs"])
        self.stop_heads = set(lex["stop_heads"])
        self.stopped: dict[str, str] = lex["stopped_types"]
        self.preparation_heads = set(lex["preparation_heads"])
        self.preparations: dict[str, str] = lex["preparation_types"]

    def verb_type(self, tok: Token) -> str | None:
        """The PLOVER type of a verb trigger; a phrase ("call for") beats its first word."""
        lemma = tok.lemma_.lower()
        phrases = self.verb_phrases.get(lemma)
        if phrases:
            words = {c.lower_ for c in tok.children} | {c.lemma_.lower() for c in tok.children}
            for rest, kind in phrases:
                if all(w in words for w in rest):
                    return kind
        return self.verbs.get(lemma)

    def noun_type(self, tok: Token) -> str | None:
        """The type of an event noun; a modified phrase ("hunger strike") beats its head alone."""
        lemma = tok.lemma_.lower()
        if lemma in self.modified:
            for child in tok.children:
                if child.dep_ in {"compound", "amod", "nmod"} and f"{child.lemma_.lower()} {lemma}" in self.nouns:
                    return self.nouns[f"{child.lemma_.lower()} {lemma}"]
        return self.nouns.get(lemma) or self.nouns.get(tok.lower_)


@dataclass(frozen=True)
class EventPolicy:
    """Which coded events are kept: the news record's convention by default.

    The news record (the gold guidelines) keeps interactions that happened between two parties.
    Sentence-coding benchmarks (PLOVER/CAMEO) code every sentence's event, statements of intent
    ("X will visit Y" is an agreement to meet) and one-party events (a government against its
    own rebels) included, and they take the country where a one-sided act happens as its target
    ("lifted the curfew in Montenegro"): ``factual_only=False, min_parties=1,
    place_targets=True`` runs the same lexicon and rules that way. The news record never counts a
    place as a participant.
    """

    factual_only: bool = True
    min_parties: int = 2
    place_targets: bool = False


@dataclass
class _Candidate:
    """A coded trigger before filtering: ``paired`` if it has its parties, ``anaphor`` if its
    participants are only referred to ("both sides", "they", "the talks in Geneva")."""

    event: Event
    paired: bool
    trigger: Token
    anaphor: bool


NEWS = EventPolicy()
CODER = EventPolicy(factual_only=False, min_parties=1, place_targets=True)


@cache
def _lexicon() -> _Lexicon:
    """The compiled lexicon, built once per process."""
    return _Lexicon(load_lexicon("plover"))


def extract_events(
    doc: Doc,
    case: Case,
    actors: list[Actor],
    published: date | None = None,
    policy: EventPolicy = NEWS,
) -> list[Event]:
    """Every reported interaction in text order, merged so that each distinct one appears once.
    Questions report nothing and are skipped."""
    lex = _lexicon()
    parties = PartyLookup(doc, case, actors)
    factual = policy.factual_only
    found: list[_Candidate] = []
    for tok in (t for sent in sentences(doc) if not is_question(sent) for t in sent):
        if tok.pos_ in {"VERB", "AUX"}:
            reporter = _obligation_reporter(tok, lex)
            if reporter is not None:
                found.extend(_obligation_event(tok, reporter, lex, parties, published))
                continue
            kind = lex.verb_type(tok)
            if kind and tok.lemma_.lower() in lex.complement_only and not any(
                c.dep_ == "xcomp" for c in tok.children
            ):
                kind = None
            if kind and tok.lemma_.lower() in lex.light_verbs and any(
                c.dep_ == "dobj" and lex.noun_type(c) for c in tok.children
            ):  # "ordered patrols": the noun names the act
                kind = None
            kind = _coded_type(tok, kind, lex, factual) if kind else None
            if kind:
                found.extend(_verb_event(tok, kind, lex, parties, published))
        elif tok.pos_ in {"NOUN", "PROPN"}:
            kind = lex.noun_type(tok)
            kind = _noun_coded_type(tok, kind, lex, factual) if kind else None
            if kind:
                found.extend(_noun_event(tok, kind, lex, parties, published))
        elif tok.pos_ == "ADJ" and tok.dep_ == "acomp" and tok.lemma_.lower() in lex.adjectives:
            if not negated(tok, _NEGATIONS) and _verb_happened(tok.head, lex, factual):
                kind = lex.adjectives[tok.lemma_.lower()]
                found.extend(_verb_event(tok, kind, lex, parties, published))
    found.sort(key=lambda c: c.trigger.i)
    _defer_to_complements(found, lex)
    _from_context(found, parties)
    if policy.place_targets:
        for cand in found:
            if len(cand.event.actors) < 2:
                places = _place_parties(cand.trigger, lex, parties)
                cand.event.actors = sorted(set(cand.event.actors) | set(places))
    found = _fold_subject_nouns(found)
    kept = [c for c in found if c.event.actors and (c.paired or policy.min_parties <= 1)]
    _share_places(kept)
    return _merge([c.event for c in kept])


def _fold_subject_nouns(found: list[_Candidate]) -> list[_Candidate]:
    """"A bombing killed a soldier": an event noun that is the subject of a verb of its own type
    names the same act, so its parties join the verb's event and it is not coded again."""
    by_trigger = {c.trigger.i: c for c in found}
    folded: list[_Candidate] = []
    for cand in found:
        verb = by_trigger.get(cand.trigger.head.i)
        if (
            cand.trigger.pos_ in {"NOUN", "PROPN"} and cand.trigger.dep_ in {"nsubj", "nsubjpass"}
            and verb is not None and verb is not cand and verb.event.type == cand.event.type
        ):
            verb.event.actors = sorted(set(verb.event.actors) | set(cand.event.actors))
            verb.paired = verb.paired or cand.paired or len(verb.event.actors) > 1
            verb.event.location = verb.event.location or cand.event.location
            continue
        folded.append(cand)
    return folded


def _defer_to_complements(found: list[_Candidate], lex: _Lexicon) -> None:
    """A commitment is coded as what it commits to: "swore to fight" is a threat, not a promise,
    and "willing to send troops to Chile" is towards Chile.

    Only complements coded as events count, so this changes nothing under the news policy,
    which never codes the unrealised complement.
    """
    for cand in found:
        if cand.trigger.lemma_.lower() not in lex.commissives:
            continue
        for other in found:
            if other is not cand and _complement_of(other.trigger, cand.trigger):
                cand.event.type = other.event.type
                cand.event.actors = sorted(set(cand.event.actors) | set(other.event.actors))
                break


def _complement_of(tok: Token, head: Token) -> bool:
    """``tok`` is the infinitive under ``head`` or its object ("ready to impose martial law");
    "swore to fight" may be parsed as a purpose clause."""
    verb = tok.head if tok.dep_ == "dobj" else tok
    if verb.i == head.i or verb.head.i != head.i:
        return False
    return verb.dep_ == "xcomp" or (verb.dep_ == "advcl" and verb.tag_ == "VB")


def _verb_happened(verb: Token, lex: _Lexicon, factual: bool = True) -> bool:
    """A verb reports a fact unless negated, modal, conditional, an intention or a bare infinitive.

    With ``factual`` off only negation counts: a coder of statements keeps intentions.
    """
    if negated(verb, _NEGATIONS):
        return False
    if not factual:
        return True
    if is_hypothetical(verb, lex.lex["hypothetical_aux"], lex.lex["hypothetical_marks"]):
        return False
    node = verb
    for _ in range(4):
        infinitive = any(c.dep_ == "aux" and c.lower_ in _INFINITIVE_MARKERS for c in node.children)
        head = node.head
        if head is node:
            return not infinitive and node.tag_ != "VB"
        if (
            head.lemma_.lower() in lex.intent and head.pos_ != "NOUN"  # "the plan proposed by X" is a fact
            and node.dep_ in {"xcomp", "pcomp", "ccomp", "acl", "advcl", "pobj", "dobj"}
        ):
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


def _coded_type(verb: Token, kind: str, lex: _Lexicon, factual: bool) -> str | None:
    """The type of a verb trigger, or None if it is no event under the policy.

    A fact keeps its lexicon type. A coder of statements also codes what is only stated (the
    PLOVER/CAMEO convention): an act made conditional ("will withdraw unless ...") is a threat,
    an intention to cooperate ("will visit", "would allow") an agreement, to harm a threat, a
    negated or refused cooperation ("will not accept", "failed to agree") a rejection, and an
    attempt or decision ("tried to hack") the act itself.
    """
    if _verb_happened(verb, lex):
        return kind
    if factual:
        return None
    node = verb  # "prepared to resume shelling": the head that counts is above the aspect verb
    while node.dep_ == "xcomp" and node.head.dep_ == "xcomp" and node.head.lemma_.lower() in lex.aspect:
        node = node.head
    head = node.head.lemma_.lower() if node.dep_ == "xcomp" else ""
    if negated(verb, _NEGATIONS) or head in lex.refusal_heads:  # "refused to allow"
        return lex.refusals.get(kind)
    if head in lex.act_heads:  # "tried to hack", "decided to allow": the act is coded as such
        return kind
    if node.dep_ == "ccomp" and node.head.lemma_.lower() in lex.announcements and not _conditions(verb, lex):
        return kind  # "announced it would bar entry": a decision made public
    if head in lex.preparation_heads:  # "prepared to resume shelling" is a show of force
        return lex.preparations.get(kind, lex.intents.get(kind, kind))
    if _conditions(verb, lex):
        return "THREATEN"
    return lex.intents.get(kind, kind)


def _conditions(verb: Token, lex: _Lexicon, marks: set[str] | None = None) -> list[Token]:
    """Clauses that make the act conditional ("unless Baghdad accepts"), on it or its xcomp head."""
    marks = marks or lex.threat_marks
    nodes = [verb] + ([verb.head] if verb.dep_ == "xcomp" else [])
    return [
        c for n in nodes for c in n.children
        if c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in marks for m in c.children)
    ]


def _noun_happened(noun: Token, lex: _Lexicon, factual: bool = True) -> bool:
    """An event noun reports a fact unless marked as future or governed by a non-factual verb."""
    modifiers = [c for c in noun.children if c.dep_ in {"amod", "compound"}]
    if factual and any(c.lemma_.lower() in lex.future for c in modifiers):
        return False
    node, head = _noun_verb(noun)
    if head is None:
        return True
    wanted = factual and node.dep_ == "dobj" and head.lemma_.lower() in lex.intent
    return _verb_happened(head, lex, factual) and not wanted  # "demanded a withdrawal" is only wanted


def _noun_verb(noun: Token) -> tuple[Token, Token | None]:
    """The verb a nominal trigger hangs from (within four heads), with the node right under it."""
    node = noun
    for _ in range(4):
        head = node.head
        if head.i == node.i:
            return node, None
        if head.pos_ in {"VERB", "AUX"}:
            return node, head
        node = head
    return node, None


def _noun_coded_type(noun: Token, kind: str, lex: _Lexicon, factual: bool) -> str | None:
    """The type of a nominal trigger, or None if it is no event under the policy.

    Ending a cooperative act is a sanction ("ended the mediation effort"). A coder of statements
    reads an act named by a noun under a verb that did not happen as it reads that verb: "will
    extend the curfew" is a threat, "refused to hold talks" a rejection.
    """
    phrase = noun.head if noun.dep_ == "compound" else noun
    if phrase.dep_ == "dobj" and phrase.head.lemma_.lower() in lex.stop_heads:
        kind = lex.stopped.get(kind, kind)
    if _noun_happened(noun, lex):
        return kind
    if factual:
        return None
    _, verb = _noun_verb(noun)
    return _coded_type(verb, kind, lex, False) if verb is not None else kind


def _obligation_reporter(verb: Token, lex: _Lexicon) -> Token | None:
    """The reporting verb of "X said Y must do Z", when it reports a fact."""
    head = verb.head
    if verb.dep_ != "ccomp" or head.lemma_.lower() not in lex.reporting:
        return None
    if not any(c.dep_ == "aux" and c.lower_ in lex.obligation for c in verb.children):
        return None
    if not any(c.dep_ == "nsubj" and c.pos_ != "PRON" for c in verb.children):
        return None
    if negated(head, _NEGATIONS) or is_hypothetical(
        head, lex.lex["hypothetical_aux"], lex.lex["hypothetical_marks"]
    ):
        return None
    return head


def _obligation_event(
    verb: Token, reporter: Token, lex: _Lexicon, parties: PartyLookup, published: date | None
) -> Iterator[_Candidate]:
    """A reported obligation: the reporter requests it of the obliged party."""
    people = subjects(reporter) + subjects(verb)
    found = _sources(reporter, lex, parties) + [p for s in subjects(verb) for p in _phrase_parties(s, parties)]
    yield from _event("REQUEST", found, people, reporter, [reporter, verb], lex, parties, published)


def _verb_event(
    verb: Token, kind: str, lex: _Lexicon, parties: PartyLookup, published: date | None
) -> Iterator[_Candidate]:
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
    if kind == "THREATEN":  # the one threatened: "... unless Baghdad accepts"
        marks = lex.condition_marks
        targets = _conditions(verb, lex, marks) + [
            g for c in verb.children if c.dep_ == "xcomp" for g in _conditions(c, lex, marks)
        ]
        people += [s for c in targets for s in c.children if s.dep_ in {"nsubj", "nsubjpass"}]
    found += [p for t in people[len(subjects(verb)):] for p in _phrase_parties(t, parties)]
    if len(set(found)) < 2:
        found += _nearby_parties(verb, lex, parties)
    if len(set(found)) < 2 and (found or kind in lex.single):
        found += _purpose_parties(verb, lex, parties)
    yield from _event(kind, found, people, verb, heads, lex, parties, published)


def _sources(verb: Token, lex: _Lexicon, parties: PartyLookup) -> list[str]:
    """The parties of the subject; a pronoun in a reported clause stands for the reporter, and so
    does a possessive one ("Peru said its troops had withdrawn")."""
    found = [p for s in subjects(verb) for p in _phrase_parties(s, parties)]
    pronouns = [t for s in subjects(verb) for t in [s, *s.children] if t is s or t.dep_ == "poss"]
    if found or not any(t.lower_ in lex.reported_pronouns for t in pronouns):
        return found
    node = verb
    while node.dep_ in {"conj", "xcomp", "acomp"} and node.head is not node:  # "it is willing to"
        node = node.head
    if node.dep_ == "ccomp" and node.head.lemma_.lower() in lex.reporting:
        return [p for s in subjects(node.head) for p in _phrase_parties(s, parties)]
    return found


def _phrase_parties(tok: Token, parties: PartyLookup) -> list[str]:
    """Parties of a phrase; "rebels in Chad", "security forces in Peru", "thousands of students
    throughout Peru" are Chad's and Peru's."""
    found = parties.of_token(tok)
    if found:
        return found
    if tok.lemma_.lower() in _lexicon().quantities or tok.pos_ == "NUM":  # "thousands of students"
        groups = [g for c in tok.children if c.lower_ == "of" for g in c.children]
        found = [p for g in groups for p in _phrase_parties(g, parties)]
        if found:
            return found
    if not _actor_noun(tok, _lexicon()) and tok.lemma_.lower() not in _lexicon().sectors:
        return found
    return [
        p for c in tok.children if c.dep_ == "prep" and c.lower_ in _lexicon().origin_preps
        for g in c.children if g.dep_ == "pobj" for p in parties.of_token(g)
    ]


def _nearby_parties(verb: Token, lex: _Lexicon, parties: PartyLookup) -> list[str]:
    """Parties deeper in the trigger's objects, complements and non-locative phrases.

    Used only when subject and direct participants give fewer than two parties: the target of
    "demanded an admission by Moscow" or "welcomed the statement as proof of Washington's wish"
    sits deeper than the object's own modifiers, and so does the one acted on in "a school for
    Chadian children was shelled". Places ("in Geneva") and clauses that modify a noun ("talks
    aimed at ...") name no participant.
    """
    tokens: list[Token] = []
    stack = [c for c in verb.children if c.dep_ not in _ACTIVE_SUBJECTS]
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
        found += [code for _, _, code in parties.resolver.find(span_text(span))]
    return found


def _purpose_parties(tok: Token, lex: _Lexicon, parties: PartyLookup) -> list[str]:
    """Parties named in the purpose of an act with fewer than two of its own: "went on strike to
    demand the minister's resignation", "cut the highway to press Lima over fishing quotas"."""
    return [
        p for c in tok.children
        if c.dep_ == "advcl" and any(a.dep_ == "aux" and a.lower_ in _INFINITIVE_MARKERS for a in c.children)
        for p in _nearby_parties(c, lex, parties)
    ]


def _place_parties(trigger: Token, lex: _Lexicon, parties: PartyLookup) -> list[str]:
    """Countries of the places in the trigger's own phrase ("evacuated settlements in Gaza")."""
    found: list[str] = []
    stack = [c for c in trigger.children if c.dep_ not in _SUBJECT_DEPS]
    while stack:
        tok = stack.pop()
        if tok.dep_ in _NOT_NEARBY or (tok.dep_ == "conj" and tok.pos_ in {"VERB", "AUX"}):
            continue
        if tok.dep_ == "prep" and tok.lower_ in lex.location_preps:
            found += [p for g in tok.children if g.dep_ == "pobj" for p in parties.of_token(g)]
        stack += list(tok.children)
    return found


def _noun_event(
    noun: Token, kind: str, lex: _Lexicon, parties: PartyLookup, published: date | None
) -> Iterator[_Candidate]:
    """An event from a noun: its modifiers, "with"/"between" phrases and the governing verb's
    subject; the subject of a venue verb ("Istanbul hosted talks") is the place, not a party."""
    people = [c for c in noun.children if c.dep_ in {"compound", "amod", "poss", "nmod", "npadvmod"}]
    found = [p for c in people for p in parties.of_token(c)]
    phrase = list(noun.children) + (list(noun.head.children) if noun.dep_ == "compound" else [])
    for child in phrase:  # "a mediation effort between X and Y"
        objects = _prep_objects(child, kind, lex)
        people += objects
        found += [p for g in objects for p in _phrase_parties(g, parties)]
    heads = [noun]
    governor = _governor(noun.head if noun.dep_ == "compound" else noun, lex)
    venue = None
    if governor is not None and governor.lemma_.lower() in lex.venue_verbs:  # "Oslo hosted talks"
        hosts = subjects(governor)
        hosts += [g for s in hosts for c in s.children if c.lower_ == "of" for g in c.children]  # "the city of X"
        venue = next((place for h in hosts if (place := _entity_text(h))), None)
        governor = None
    if governor is not None:
        people += subjects(governor)
        found = _sources(governor, lex, parties) + found
        if noun.dep_ == "dobj":
            for child in governor.children:
                objects = _prep_objects(child, kind, lex)
                people += objects
                found += [p for g in objects for p in _phrase_parties(g, parties)]
        heads.append(governor)
    holder = noun.head.head if noun.dep_ == "pobj" else noun
    if holder.pos_ in {"NOUN", "PROPN"} and holder is not noun:  # "officials in Berlin for the talks"
        heads.append(holder)
    clauses = list(noun.children) + (list(governor.children) if governor is not None and noun.dep_ == "dobj" else [])
    for subject in _content_subjects(clauses):  # "its demand that Israel ease ...": Israel is asked
        people.append(subject)
        found += _phrase_parties(subject, parties)
    if len(set(found)) < 2:  # "suspended air links with Serbia"
        found += _nearby_parties(noun, lex, parties)
    if not found and kind in lex.single:
        found += _purpose_parties(governor if governor is not None else noun, lex, parties)
    for cand in _event(kind, found, people, noun, heads, lex, parties, published):
        cand.event.location = cand.event.location or venue
        yield cand


def _content_subjects(children: list[Token]) -> list[Token]:
    """Subjects of "that" clauses among these children: what a demand, threat or promise is about."""
    return [
        s for c in children if c.dep_ in {"acl", "ccomp"} and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
        for s in c.children if s.dep_ in {"nsubj", "nsubjpass"}
    ]


def _governor(noun: Token, lex: _Lexicon) -> Token | None:
    """The verb whose subject took part in a nominal event: "held talks", "met at talks in X",
    "launched artillery and rocket fire" (a conjunct shares its first conjunct's verb)."""
    node = noun
    while node.dep_ == "conj" and node.head.pos_ in {"NOUN", "PROPN"}:
        node = node.head
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
    """Objects of "with X", "between X and Y", "against X" (and "sanctions on X") on a trigger,
    and the recipient of "issued a warning to X" or "gave X a warning"."""
    if child.dep_ == "dative":
        return [g for g in child.children if g.dep_ == "pobj"] or ([child] if child.pos_ in {"NOUN", "PROPN"} else [])
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
) -> Iterator[_Candidate]:
    """The event of one trigger, and whether it is paired: two parties take part, or one with a
    named group or person of no party ("police arrested protesters"), or one alone for one-sided
    types (a withdrawal). The news record keeps only paired events."""
    actors = sorted(set(found))
    anaphor = _anaphoric(trigger, people, lex)
    paired = len(actors) > 1 or (
        bool(actors) and (kind in lex.single or any(_unnamed_actor(t, lex, parties) for t in people))
    )
    event = Event(
        type=kind,
        actors=actors,
        start=trigger.idx,
        end=trigger.idx + len(trigger),
        location=_location(heads, lex, parties),
        trigger=trigger.text,
        date=_date(heads, published),
    )
    yield _Candidate(event, paired, trigger, anaphor)


def _anaphoric(trigger: Token, people: list[Token], lex: _Lexicon) -> bool:
    """Participants named only by reference: a collective ("both sides", "the delegations",
    "the countries"), a plural pronoun, or an interaction noun that is definite ("the talks in
    Geneva"), the venue of another act ("agreed at a meeting in Geneva") or hosted by a place."""
    for tok in people:
        if tok.lower_ in lex.plural_pronouns:
            return True
        determiners = [c for c in tok.children if c.dep_ in {"det", "nummod", "predet"}]
        if tok.lemma_.lower() in lex.collectives and tok.tag_ == "NNS" and any(
            c.lower_ in lex.referring_determiners for c in determiners
        ):
            return True
    if trigger.pos_ != "NOUN" or lex.noun_type(trigger) not in lex.context_types:
        return False
    governor = _governor(trigger, lex)
    venue = (trigger.dep_ == "pobj" and trigger.head.lower_ in lex.attendance_preps) or (
        governor is not None and governor.lemma_.lower() in lex.venue_verbs
    )
    return venue or any(
        c.lower_ in lex.referring_determiners or c.ent_type_ in {"GPE", "LOC", "FAC"}
        for c in trigger.children if c.dep_ in {"det", "compound", "poss"}
    )


def _from_context(found: list[_Candidate], parties: PartyLookup) -> None:
    """Give referring triggers the parties of the discourse they refer to.

    A trigger whose participants are only referred to takes the parties of an earlier two-party
    event of its sentence ("reached consensus at a meeting"), else of the last event of its type
    and place ("the talks in Geneva" are the last talks in Geneva), else of the last event in the
    same or the previous paragraph, else of the last subject naming two or more parties in its
    sentence or the two before, else the two parties most mentioned in the two previous
    sentences, else the article's main pair. A placeless trigger takes the place of the event it refers to ("the delegations
    agreed" at the meeting). Its own parties must be among them: "Germany described the talks"
    is a comment on the talks, not a part in them. Factuality was checked when the trigger was
    coded, so planned talks never get here.
    """
    article = cache(lambda: _main_pair(doc_text(parties.doc), parties))  # counted once, if ever needed
    for i, cand in enumerate(found):
        if cand.paired or not cand.anaphor:
            continue
        context, referent = _context_parties(cand, found[:i], parties, article)
        if len(context) >= 2 and set(cand.event.actors) <= set(context):
            cand.event.actors = sorted(context)
            cand.event.location = cand.event.location or (referent.location if referent else None)
            cand.paired = True


def _context_parties(
    cand: _Candidate, earlier: list[_Candidate], parties: PartyLookup, article: Callable[[], list[str]]
) -> tuple[list[str], Event | None]:
    """The parties a referring trigger stands for, and the event they come from if any;
    ``article`` gives the article's main pair."""
    trigger, kind, place = cand.trigger, cand.event.type, cand.event.location
    doc = trigger.doc
    paragraph = _paragraph(doc, trigger.idx)
    paired = [o for o in earlier if o.paired and len(o.event.actors) > 1]
    for other in reversed(paired):
        if other.trigger.sent == trigger.sent:
            return other.event.actors, other.event
    for other in reversed(paired):
        if other.event.type == kind and (place is None or other.event.location == place):
            return other.event.actors, other.event
    for other in reversed(paired):
        if paragraph - _paragraph(doc, other.trigger.idx) <= 1:
            return other.event.actors, other.event
    sents = sentences(doc)
    here = next(k for k, s in enumerate(sents) if s.start <= trigger.i < s.end)
    window = [t for s in sents[max(0, here - 2) : here] for t in s] + list(doc[sents[here].start : trigger.i])
    for tok in reversed(window):
        if tok.dep_ in {"nsubj", "nsubjpass"}:
            named = parties.of_token(tok)
            if len(named) > 1:
                return named, None
    recent = _main_pair(" ".join(span_text(s) for s in sents[max(0, here - 2) : here]), parties)
    return recent or article(), None


def _main_pair(text: str, parties: PartyLookup) -> list[str]:
    """The two parties named most often in ``text``, if two stand out from the rest."""
    counts: dict[str, int] = {}
    for _, _, code in parties.resolver.find(text):
        counts[code] = counts.get(code, 0) + 1
    ranked = sorted(counts, key=lambda c: -counts[c])
    if len(ranked) < 2 or (len(ranked) > 2 and counts[ranked[1]] == counts[ranked[2]]):
        return []
    return ranked[:2]


def _paragraph(doc: Doc, idx: int) -> int:
    """The number of non-blank lines before this character: paragraphs of a news text."""
    return bisect_right(once(doc, "accord.paragraph_starts", _paragraph_starts), idx) - 1


def _paragraph_starts(doc: Doc) -> list[int]:
    """Start offsets of the document's non-blank lines."""
    starts, pos = [], 0
    for line in doc_text(doc).split("\n"):
        if line.strip():
            starts.append(pos)
        pos += len(line) + 1
    return starts


def _share_places(found: list[_Candidate]) -> None:
    """Events of one sentence with the same parties happened at one place ("reached consensus at
    a meeting in Geneva"): a placeless one takes the other's."""
    for cand in found:
        if cand.event.location is None:
            cand.event.location = next(
                (o.event.location for o in found if o.event.location and o.event.actors == cand.event.actors
                 and o.trigger.sent == cand.trigger.sent),
                None,
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
    ent = entity_at(tok)
    if ent is None:
        return None
    words = ent.text.split()
    return " ".join(words[1:] if words[0].lower() == "the" else words)


def _date(heads: list[Token], published: date | None) -> date | None:
    """The day of the event from a DATE attached to the trigger, relative to publication."""
    if published is None:
        return None
    for head in heads:
        for tok in head.subtree:
            if tok.ent_type_ == "DATE" and tok.head in heads or (
                tok.ent_type_ == "DATE" and tok.head.dep_ == "prep" and tok.head.head in heads
            ):
                settings = {"RELATIVE_BASE": _midnight(published), "PREFER_DATES_FROM": "past"}
                parsed = dateparser.parse((entity_at(tok) or tok).text, languages=["en"], settings=settings)
                if parsed:
                    return parsed.date()
    return None


def _midnight(day: date) -> datetime:
    """dateparser's relative base must be a datetime."""
    return datetime(day.year, day.month, day.day)


def _merge(events: list[Event]) -> list[Event]:
    """One event per type and party set; different places mean different interactions, but a
    country and a place in it do not ("talks in Switzerland", "talks in Geneva"): the more
    specific place is kept."""
    merged: list[Event] = []
    for event in events:
        same = [
            m for m in merged
            if m.type == event.type and m.actors == event.actors and _same_place(m.location, event.location)
        ]
        if not same:
            merged.append(event)
            continue
        first = same[0]
        if first.location is None or _country(first.location):
            first.location = event.location or first.location
        first.date = first.date or event.date
    return merged


def _same_place(one: str | None, other: str | None) -> bool:
    """Places that may be one: unknown, equal, or a country and a place not known to lie in
    another country (Geneva may be in Switzerland, Abu Dhabi is not)."""
    if one is None or other is None or one == other:
        return True
    country, place = (one, other) if _country(one) else (other, one)
    if not _country(country) or _country(place):
        return False
    elsewhere = load_gazetteer().phrases.get(place)
    return elsewhere is None or elsewhere == load_gazetteer().phrases.get(country)


def _country(place: str) -> bool:
    """A country named by its name ("Switzerland"), not a city or region."""
    return any(p.kind == "country" and p.name == place for p in load_gazetteer().parties.values())
