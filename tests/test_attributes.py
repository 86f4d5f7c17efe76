"""accord_attributes: the model's attribute rules compiled, with the same results as the ruler."""

from __future__ import annotations

import spacy
from spacy.language import Language

from accord.nlp import MODEL, load_nlp

TEXTS = [
    "Y'all gonna see: it ain't nothin' new, let's c'mon, we gotta go.",
    "There is a plan. Is it ready? It's not, and there's no date yet.",
    "I'd have said that if he did, he would've done it; do you know whether they had?",
    "The 28-point plan, which Kyiv rejected, was revised in Geneva on Sunday.  Double  spaced\n\nnew paragraph",
    "Whereas the talks stalled, the envoys met again because they had to, albeit briefly.",
]


def _attributes(nlp: Language, texts: list[str]) -> list[tuple[str, str, str, str]]:
    return [(t.pos_, t.tag_, str(t.morph), t.lemma_) for doc in nlp.pipe(texts) for t in doc]


def test_compiled_rules_give_the_rulers_attributes(shared) -> None:
    stock = spacy.load(MODEL)
    texts = TEXTS + [p.read_text(encoding="utf-8") for p in sorted((shared / "seeds").glob("*"))]
    compiled = load_nlp()
    assert "accord_attributes" in compiled.pipe_names and "attribute_ruler" not in compiled.pipe_names
    assert _attributes(compiled, texts) == _attributes(stock, texts)
