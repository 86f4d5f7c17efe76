"""Whole-document views that spaCy rebuilds on every access, computed once per Doc.

``Doc.text`` and ``Span.text`` join every token again, ``Doc.ents`` and ``Doc.sents`` build new
spans, each time they are read; the extractors read them hundreds of times per article. The
results live in ``Doc.user_data``, so they go with the Doc and never outlive it. Only valid once
the Doc's words, sentences and entities are final, which they are when the extractors run.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

_TEXT = "accord.text"
_ENTITIES = "accord.entities"
_SENTENCES = "accord.sentences"


def doc_text(doc: Doc) -> str:
    """``doc.text``, joined once."""
    text = doc.user_data.get(_TEXT)
    if text is None:
        text = doc.user_data[_TEXT] = doc.text
    return text


def entities(doc: Doc) -> tuple[Span, ...]:
    """``doc.ents``, built once."""
    ents = doc.user_data.get(_ENTITIES)
    if ents is None:
        ents = doc.user_data[_ENTITIES] = doc.ents
    return ents


def entity_at(tok: Token) -> Span | None:
    """The named entity that covers ``tok``, if any."""
    if not tok.ent_type:
        return None
    return next((e for e in entities(tok.doc) if e.start <= tok.i < e.end), None)


def sentences(doc: Doc) -> tuple[Span, ...]:
    """``doc.sents``, built once."""
    sents = doc.user_data.get(_SENTENCES)
    if sents is None:
        sents = doc.user_data[_SENTENCES] = tuple(doc.sents)
    return sents


def span_text(span: Span) -> str:
    """``span.text``, cut from the document's text instead of joined again from its tokens."""
    return doc_text(span.doc)[span.start_char : span.end_char]
