"""Whole-document views that spaCy rebuilds on every access, computed once per Doc.

``Doc.text`` and ``Span.text`` join every token again, ``Doc.ents`` and ``Doc.sents`` build new
spans, each time they are read; the extractors read them hundreds of times per article. The
results live in ``Doc.user_data``, so they go with the Doc and never outlive it. Only valid once
the Doc's words, sentences and entities are final, which they are when the extractors run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from spacy.tokens import Doc, Span, Token

T = TypeVar("T")


def once(doc: Doc, key: str, compute: Callable[[Doc], T]) -> T:
    """``compute(doc)``, computed on first need and kept in ``doc.user_data`` under ``key``."""
    if key not in doc.user_data:
        doc.user_data[key] = compute(doc)
    return doc.user_data[key]


def doc_text(doc: Doc) -> str:
    """``doc.text``, joined once."""
    return once(doc, "accord.text", lambda d: d.text)


def entities(doc: Doc) -> tuple[Span, ...]:
    """``doc.ents``, built once."""
    return once(doc, "accord.entities", lambda d: d.ents)


def entity_at(tok: Token) -> Span | None:
    """The named entity that covers ``tok``, if any."""
    if not tok.ent_type:
        return None
    return next((e for e in entities(tok.doc) if e.start <= tok.i < e.end), None)


def sentences(doc: Doc) -> tuple[Span, ...]:
    """``doc.sents``, built once."""
    return once(doc, "accord.sentences", lambda d: tuple(d.sents))


def span_text(span: Span) -> str:
    """``span.text``, cut from the document's text instead of joined again from its tokens."""
    return doc_text(span.doc)[span.start_char : span.end_char]
