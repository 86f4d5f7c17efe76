"""RSS 2.0 and Atom feeds (feedparser): every entry is an article."""

from __future__ import annotations

import xml.sax
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import feedparser

from accord.errors import InputError
from accord.ingest.dates import as_date
from accord.ingest.html import fragment_paragraphs, with_headline
from accord.ingest.language import detect_language
from accord.models import Document


def read_feed(data: bytes, source: str) -> Iterator[Document | InputError]:
    """Each entry -> a Document; an entry without text is reported, the others go on."""
    # Raw bytes, so that feedparser honours the XML declaration's encoding.
    parsed = feedparser.parse(data)
    error = parsed.get("bozo_exception")
    # feedparser recovers from broken XML with a lax parser; a truncated or mangled feed would then
    # lose entries silently, so a well-formedness error rejects the file.
    if isinstance(error, xml.sax.SAXException) or (parsed.bozo and not parsed.entries):
        raise InputError(source, f"malformed feed: {error}")
    if not parsed.entries:
        raise InputError(source, "feed has no entries")
    feed = parsed.feed
    site = feed.get("title") or (urlparse(feed["link"]).hostname if feed.get("link") else None)
    for n, entry in enumerate(parsed.entries, 1):
        try:
            yield _entry(entry, f"{source}#{n}", site)
        except InputError as error:
            yield error


def _entry(entry: Any, source: str, site: str | None) -> Document:
    # content:encoded / atom:content is the full article; summary is the fallback teaser.
    bodies = [c.get("value", "") for c in entry.get("content", [])] + [entry.get("summary", "")]
    paragraphs = next((p for p in map(fragment_paragraphs, bodies) if p), [])
    if not paragraphs:
        raise InputError(source, "no article text")
    title = " ".join(fragment_paragraphs(entry.get("title", ""))) or None
    text = with_headline(title, paragraphs)
    published = entry.get("published_parsed") or entry.get("updated_parsed")
    return Document(
        text=text,
        source=source,
        title=title,
        published=as_date(published) or as_date(entry.get("published")),
        site=site,
        author=entry.get("author") or None,
        url=entry.get("link") or None,
        language=detect_language(text),
        format="feed",
    )
