"""Whole-document views that spaCy rebuilds on every access, computed once per Doc.

``Doc.text`` joins every token again and ``Doc.ents`` walks every token to build its spans, each
time they are read; the extractors read them hundreds of times per article. The results live in
``Doc.user_data``, so they go with the Doc and never outlive it. Only valid once the Doc's words
and entities are final, which they are when the extractors run.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

_TEXT = "accord.text"
_ENTITIES = "accord.entities"


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
