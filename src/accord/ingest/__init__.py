"""Ingest: files of any supported format -> ``accord.models.Document``.

The format is sniffed from the content (extensions lie): WARC, WordPress REST JSON, RSS/Atom,
HTML, else plain text saved from a page. A bad file becomes an ``InputError`` naming it and the
reason; ``iter_documents`` yields it and goes on, so one file never stops a batch.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from accord.errors import InputError
from accord.ingest.feeds import read_feed
from accord.ingest.html import read_html
from accord.ingest.language import detect_language
from accord.ingest.text import clean_text, decode
from accord.ingest.warc import GZIP_MAGIC, read_warc
from accord.ingest.wordpress import read_wordpress
from accord.models import Document

__all__ = ["clean_text", "detect_language", "iter_documents", "iter_sources", "read_source"]

# How much of the start of a file the sniffers look at.
_HEAD = 4096
_PROLOG = r"\A(?:\s*<\?[^>]*\?>|\s*<!--.*?-->|\s*<!DOCTYPE[^>]*>)*\s*"
_FEED = re.compile(_PROLOG + r"<(?:rss|feed|rdf:RDF)\b", re.IGNORECASE | re.DOTALL)
_XML = re.compile(r"\A\s*<\?xml\b", re.IGNORECASE)
_HTML = re.compile(r"<!doctype\s+html|<html\b|<head\b|<body\b", re.IGNORECASE)
_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".php", ".asp", ".aspx"}


def iter_sources(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named or found under named directories, recursively, in sorted order.

    Hidden entries are skipped. A directory link back to one of its ancestors is yielded as
    itself instead of being entered, so that reading it reports the loop.
    """
    for path in map(Path, paths):
        if path.is_dir():
            yield from _walk(path, frozenset())
        else:
            yield path


def _walk(directory: Path, ancestors: frozenset[Path]) -> Iterator[Path]:
    real = directory.resolve()
    if real in ancestors:
        yield directory
        return
    try:
        entries = sorted(directory.iterdir(), key=lambda entry: entry.name)
    except OSError:
        yield directory  # unreadable: reading it reports why
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _walk(entry, ancestors | {real})
        else:
            yield entry


def read_source(path: str | Path) -> list[Document]:
    """One file -> its documents, or InputError.

    In a multi-entry file, entries without text are skipped when others have some; a cut or
    malformed file raises even if some entries were read (``iter_documents`` keeps those).
    """
    documents: list[Document] = []
    errors: list[InputError] = []
    for item in _read(Path(path)):
        if isinstance(item, InputError):
            errors.append(item)
        else:
            documents.append(item)
    if not documents:
        raise errors[0] if errors else InputError(str(path), "no article text")
    return documents


def iter_documents(paths: Iterable[str | Path]) -> Iterator[Document | InputError]:
    """Every document of every source; a bad file or entry is yielded as an InputError."""
    for path in iter_sources(paths):
        try:
            yield from _read(path)
        except InputError as error:
            yield error


def _read(path: Path) -> Iterator[Document | InputError]:
    """Documents and per-entry errors of one file; raises InputError for a bad file."""
    source = str(path)
    try:
        yield from _sniff(path, source)
    except InputError:
        raise
    except Exception as error:  # a parser bug on odd input must not stop the batch
        raise InputError(source, f"unreadable ({type(error).__name__}: {error})") from error


def _sniff(path: Path, source: str) -> Iterator[Document | InputError]:
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise InputError(source, "symlink loop" if path.is_symlink() else "is a directory") from None
    except FileNotFoundError:
        raise InputError(source, "broken symlink" if path.is_symlink() else "no such file") from None
    except OSError as error:
        raise InputError(source, f"cannot read: {error.strerror or error}") from None
    if data.startswith(GZIP_MAGIC) or data.startswith(b"WARC/"):
        yield from read_warc(path, source)
        return
    text = decode(data, source)
    head = text.lstrip()[:_HEAD]
    if head[:1] in "{[":
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            if path.suffix.lower() == ".json":
                raise InputError(source, f"malformed JSON: {error}") from None
        else:
            yield from read_wordpress(value, source)
            return
    if _FEED.match(head):
        yield from read_feed(data, source)
    elif _XML.match(head):
        raise InputError(source, "XML is neither an RSS nor an Atom feed")
    elif _HTML.search(head) or (path.suffix.lower() in _HTML_SUFFIXES and head.startswith("<")):
        yield read_html(text, source)
    else:
        yield _plain_text(text, source)


def _plain_text(text: str, source: str) -> Document:
    cleaned, meta = clean_text(text)
    if not cleaned:
        raise InputError(source, "no article text")
    return Document(
        text=cleaned,
        source=source,
        title=meta["title"],
        published=meta["published"],
        author=meta["author"],
        language=detect_language(cleaned),
        format="text",
    )
