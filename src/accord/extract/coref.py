"""Who a mention refers to: person names, pronouns and role nouns resolved to the article's actors.

A light, rule-based resolver: a pronoun refers to the most recent person mentioned before it;
a role noun ("the president", "the Kremlin spokesman") to the most recent person with that role.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from ..case import PartyResolver
from ..lexicons import load_lexicon
from ..models import Actor
from ..text import fold
from .actors import is_role_head

_PERSON_PRONOUNS = {"he", "him", "his", "she", "her", "hers"}


@dataclass(frozen=True)
class Referent:
    """What a phrase refers to: a person (``actor`` set) or a group/office named by ``name``."""

    name: str | None
    party: str | None
    actor: Actor | None = None


class Mentions:
    """Index of the document's person mentions, for resolving speakers and subjects."""

    def __init__(self, doc: Doc, actors: list[Actor], resolver: PartyResolver) -> None:
        self.doc = doc
        self.resolver = resolver
        pairs = sorted((start, end, a) for a in actors for start, end in a.mentions)
        self._starts = [p[0] for p in pairs]
        self._mentions = pairs
        pronouns = load_lexicon("speech")["pronouns"]
        self._singular = set(pronouns["male"]) | set(pronouns["female"])

    def actor_at(self, start: int, end: int) -> Actor | None:
        """The actor whose mention overlaps these character offsets."""
        i = bisect_right(self._starts, end) - 1
        while i >= 0 and self._mentions[i][1] > start - 200:
            m_start, m_end, actor = self._mentions[i]
            if m_start < end and start < m_end:
                return actor
            i -= 1
        return None

    def last_actor_before(self, offset: int, role_word: str | None = None) -> Actor | None:
        """The most recently mentioned person before ``offset`` (with that role word, if given)."""
        i = bisect_right(self._starts, offset) - 1
        while i >= 0:
            _, m_end, actor = self._mentions[i]
            if m_end <= offset and (role_word is None or (actor.role and role_word in fold(actor.role))):
                return actor
            i -= 1
        return None

    def antecedent(self, pronoun: Token) -> Actor | None:
        """The person a pronoun refers to: the first subject of its sentence (before it) or of the
        nearest of the two sentences before, else the most recent person mentioned."""
        sent = pronoun.sent
        for _ in range(3):
            limit = min(pronoun.idx, sent.end_char)
            subjects = [
                actor
                for start, end, actor in self._between(sent.start_char, limit)
                if (span := self.doc.char_span(start, end, alignment_mode="expand")) is not None and _is_subject(span.root)
            ]
            if subjects:
                return subjects[0]
            if sent.start == 0:
                break
            sent = self.doc[sent.start - 1].sent
        return self.last_actor_before(pronoun.idx)

    def _between(self, start: int, end: int) -> list[tuple[int, int, Actor]]:
        lo = bisect_right(self._starts, start - 1)
        hi = bisect_right(self._starts, end)
        return [m for m in self._mentions[lo:hi] if m[1] <= end]

    def by_role(self, head: Token, party: str | None) -> Actor | None:
        """The person a definite role noun refers to ("the president", "the head of the Russian
        delegation"): the last one with that role word, else with that party, else the last one."""
        word = fold(head.lemma_)
        return (
            self.last_actor_before(head.idx, role_word=word)
            or (self._last_of_party(head.idx, party) if party else None)
            or self.last_actor_before(head.idx)
        )

    def _last_of_party(self, offset: int, party: str) -> Actor | None:
        for _, end, actor in reversed(self._mentions[: bisect_right(self._starts, offset)]):
            if end <= offset and actor.party == party:
                return actor
        return None

    def resolve(self, token: Token) -> Referent | None:
        """Resolve the phrase headed by ``token`` (a subject, an agent, "according to" object)."""
        actor = self.actor_at(token.idx, token.idx + len(token.text))
        if actor and not any(c.dep_ == "conj" for c in token.children):
            return Referent(actor.name, actor.party, actor)
        low = token.lower_
        if low in self._singular or low in _PERSON_PRONOUNS:
            actor = self.antecedent(token)
            return Referent(actor.name, actor.party, actor) if actor else None
        for appos in (c for c in token.children if c.dep_ == "appos"):
            actor = self.actor_at(appos.idx, appos.idx + len(appos.text))
            if actor is not None:
                return Referent(actor.name, actor.party, actor)
        phrase = noun_phrase(token)
        if is_role_head(token):
            named = self._named_in(phrase)
            if named:
                return Referent(named.name, named.party, named)
            definite = any(t.dep_ == "det" and t.lower_ in ("the", "this", "that") for t in token.children)
            party = self.resolver.party(phrase.text)
            if definite or (party and not any(t.dep_ == "det" for t in token.children)):
                actor = self.by_role(token, party)
                if actor and (party is None or actor.party == party):
                    return Referent(actor.name, actor.party, actor)
        conjuncts = [c for c in token.children if c.dep_ == "conj"]
        if conjuncts:  # "Rubio and Yermak said": the group speaks, for the first one's party
            first = self.resolve_single(token, phrase)
            whole = token.doc[phrase.start : max(c.right_edge.i for c in conjuncts) + 1]
            return Referent(phrase_text(whole), first.party)
        return self.resolve_single(token, phrase)

    def resolve_single(self, token: Token, phrase: Span) -> Referent:
        """A phrase that names no known person: a group or office, with the party it names."""
        actor = self.actor_at(token.idx, token.idx + len(token.text))
        if actor:
            return Referent(actor.name, actor.party, actor)
        owner = self._named_in(phrase)
        party = self.resolver.party(phrase.text) or (owner.party if owner else None)
        return Referent(phrase_text(phrase), party)

    def _named_in(self, phrase: Span) -> Actor | None:
        return self.actor_at(phrase.start_char, phrase.end_char)


def _is_subject(token: Token) -> bool:
    """A subject, or a name in apposition to / compounded into a subject."""
    while token.dep_ in ("appos", "compound", "poss") and token.head is not token:
        token = token.head
    return token.dep_ in ("nsubj", "nsubjpass")


def noun_phrase(token: Token) -> Span:
    """The phrase a head noun stands for, without relative clauses, appositions and conjuncts."""
    drop = {"relcl", "acl", "appos", "conj", "cc", "punct", "advcl", "prep"}
    keep = [token]
    stack = [c for c in token.children if c.dep_ not in drop]
    while stack:
        t = stack.pop()
        keep.append(t)
        stack.extend(c for c in t.children if c.dep_ not in {"relcl", "acl", "appos", "advcl"})
    if any(c.dep_ == "prep" and c.lower_ == "of" for c in token.children):
        of = next(c for c in token.children if c.dep_ == "prep" and c.lower_ == "of")
        keep.extend(of.subtree)
    idx = sorted(t.i for t in keep)
    lo, hi = idx[0], idx[-1] + 1
    breaks = [t.i + 1 for t in token.doc[lo : token.i] if _breaks_phrase(t)]
    return token.doc[max([lo, *breaks]) : hi]


def _breaks_phrase(token: Token) -> bool:
    """A dash between spaces, a colon or a closing bracket before the head ends what precedes
    it: "ISLAMABAD (Reuters) - Pakistan's foreign minister" is the minister; "pro-Russian" stays."""
    if token.text in {")", ":", "|"}:
        return True
    spaced = token.i > 0 and bool(token.doc[token.i - 1].whitespace_)
    return token.text in {"-", "–", "—"} and spaced


def phrase_text(span: Span) -> str:
    """A speaker phrase as it reads, without a trailing possessive."""
    text = span.text
    for suffix in ("'s", "’s"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return text.strip()
