"""Properties of the readers and extractors on generated input: only InputError escapes, and
every extracted item points at characters of its document that say what the item says."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.errors import InputError
from accord.ingest import clean_text, read_source
from accord.ingest.text import decode
from accord.limits import Limits
from accord.models import Document, Extraction
from accord.pipeline import Extractor

FAST = settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
SUFFIXES = [".txt", ".html", ".json", ".xml", ".rss", ".warc", ".warc.gz", ""]
LIMITS = Limits(max_bytes=1 << 20, max_chars=5000, timeout=30)

# Pieces of news prose (our own) that exercise the extractors: names, roles, speech verbs,
# quotation marks of every kind, figures, provisions and places, mixed with arbitrary text.
PIECES = [
    "Marco Rubio", "Volodymyr Zelensky", "Vladimir Putin", "Dmitry Peskov", "the Kremlin", "Kyiv",
    "Secretary of State", "President", "spokesman", "said", "told reporters", "according to",
    "said on Monday that", "“", "”", "«", "»", "„", "‘", "’", '"', "'", ",", ".", ":", "—", "\n", "\n\n",
    "the army would be capped at 600,000 troops", "from 880,000 to 800,000", "a ceasefire",
    "security guarantees", "the 28-point plan", "Russia rejected the plan", "Ukraine supports it",
    "talks in Geneva", "NATO membership", "Donbas", "$100 billion", "sanctions relief", "we will not",
]  # fmt: skip
prose = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=60).map(" ".join)


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor().load()  # load once, not inside the first example


@FAST
@given(st.binary(max_size=4000))
def test_decode_gives_text_or_input_error(data: bytes) -> None:
    try:
        text = decode(data, "x")
    except InputError as error:
        assert error.source == "x" and "\n" not in error.reason
    else:
        assert text.strip()


@FAST
@given(st.text(max_size=3000) | prose)
def test_clean_text_keeps_lines_byte_identical(raw: str) -> None:
    cleaned, meta = clean_text(raw)
    lines = {line.strip() for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")}
    for line in cleaned.split("\n"):
        assert not cleaned or line in lines or any(line in other for other in lines)
    assert set(meta) == {"title", "published", "author"}
    assert meta["title"] is None or cleaned.startswith(meta["title"])


def _read(data: bytes, suffix: str) -> list[Document] | InputError:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"input{suffix}"
        path.write_bytes(data)
        try:
            return read_source(path, LIMITS)
        except InputError as error:
            assert error.source.startswith(str(path)) and "\n" not in str(error)
            return error


def _check_documents(result: list[Document] | InputError) -> None:
    if isinstance(result, InputError):
        return
    assert result
    for document in result:
        assert document.text.strip() and len(document.text) <= LIMITS.max_chars


@FAST
@given(st.binary(max_size=3000), st.sampled_from(SUFFIXES))
def test_read_source_on_random_bytes(data: bytes, suffix: str) -> None:
    _check_documents(_read(data, suffix))


@FAST
@given(st.text(max_size=3000) | prose, st.sampled_from(SUFFIXES))
def test_read_source_on_random_text(text: str, suffix: str) -> None:
    _check_documents(_read(text.encode("utf-8", "surrogatepass"), suffix))


TAGS = ["div", "p", "span", "article", "section", "h1", "li", "ul", "blockquote", "b", "a", "br", "nav",
        "script", "table", "td", "title", "head", "body", "html", "!--", "![CDATA[", "?xml", "rss", "item"]  # fmt: skip


@st.composite
def html(draw: st.DrawFn) -> str:
    """Random tag soup: balanced or not, with prose, entities and attributes."""
    parts = []
    for _ in range(draw(st.integers(0, 40))):
        tag = draw(st.sampled_from(TAGS))
        kind = draw(st.sampled_from(["open", "close", "text", "entity", "attr"]))
        if kind == "open":
            parts.append(f"<{tag}>")
        elif kind == "close":
            parts.append(f"</{tag}>")
        elif kind == "entity":
            parts.append(draw(st.sampled_from(["&amp;", "&#8220;", "&lt;", "&nbsp;", "&bogus;", "&#x0;", "&"])))
        elif kind == "attr":
            parts.append(f'<{tag} class="{draw(st.text(max_size=5))}" href=\'{draw(st.text(max_size=5))}\'>')
        else:
            parts.append(draw(prose))
    prefix = draw(st.sampled_from(["", "<!DOCTYPE html>", "<html><body>", '<?xml version="1.0"?>']))
    return prefix + "".join(parts)


@FAST
@given(html(), st.sampled_from([".html", ".txt", ".xml"]))
def test_read_source_on_tag_soup(page: str, suffix: str) -> None:
    _check_documents(_read(page.encode("utf-8", "surrogatepass"), suffix))


def _check_offsets(text: str, extraction: Extraction) -> None:
    def inside(start: int, end: int) -> None:
        assert 0 <= start <= end <= len(text), (start, end, len(text))

    for quote in extraction.quotes:
        inside(quote.start, quote.end)
        assert text[quote.start : quote.end] == quote.text
        if quote.speaker_start is not None:
            inside(quote.speaker_start, quote.speaker_end)
    for actor in extraction.actors:
        inside(actor.start, actor.end)
        surface = text[actor.start : actor.end]
        words = {w.casefold() for w in actor.name.split()}
        assert surface and any(w.casefold().strip(".,’'s") in words or w in actor.name for w in surface.split()), (
            surface,
            actor.name,
        )
        for start, end in actor.mentions:
            inside(start, end)
    for mention in extraction.provisions:
        inside(mention.start, mention.end)
        for figure in mention.figures:
            assert mention.start <= figure.start <= figure.end <= mention.end
    for item in (*extraction.stances, *extraction.events):
        inside(item.start, item.end)


@FAST
@given(prose)
def test_extraction_offsets_point_at_what_items_claim(extractor: Extractor, text: str) -> None:
    if not text.strip():
        return
    _check_offsets(text, extractor.extract(Document(text=text, source="x")))


@FAST
@given(st.text(max_size=2000))
def test_extraction_survives_arbitrary_unicode(extractor: Extractor, text: str) -> None:
    _check_offsets(text, extractor.extract(Document(text=text, source="x")))
