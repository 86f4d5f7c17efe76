"""Ingest: files of any supported format -> ``accord.models.Document``.

The format is sniffed from the content (extensions lie): WARC, WordPress REST JSON, RSS/Atom,
HTML, else plain text saved from a page. A bad file becomes an ``InputError`` naming it and the
reason; ``iter_documents`` yields it and goes on, so one file never stops a batch. ``Limits``
bound what one file may cost: its size, its article length and its reading time.
"""

from __future__ import annotations

import json
import logging
import re
import signal
import stat
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import FrameType

from accord.errors import InputError
from accord.ingest.feeds import read_feed
from accord.ingest.html import read_html
from accord.ingest.language import detect_language
from accord.ingest.text import clean_text, decode
from accord.ingest.warc import GZIP_MAGIC, read_warc
from accord.ingest.wordpress import read_wordpress
from accord.limits import Limits
from accord.models import Document

__all__ = ["clean_text", "detect_language", "iter_documents", "iter_sources", "read_source"]

# How much of the start of a file the sniffers look at.
_HEAD = 4096
_PROLOG = r"\A(?:\s*<\?[^>]*\?>|\s*<!--.*?-->|\s*<!DOCTYPE[^>\[]*(?:\[.*?\]\s*)?>)*\s*"
_FEED = re.compile(_PROLOG + r"<(?:rss|feed|rdf:RDF)\b", re.IGNORECASE | re.DOTALL)
_XML = re.compile(r"\A\s*<\?xml\b", re.IGNORECASE)
_HTML = re.compile(r"<!doctype\s+html|<html\b|<head\b|<body\b", re.IGNORECASE)
_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".php", ".asp", ".aspx"}
# An internal DTD that declares entities: the door to entity-expansion bombs (billion laughs).
# No feed or page needs one, so such a file is refused before any parser sees it.
_ENTITY_DTD = re.compile(r"<!DOCTYPE[^>\[]*\[[^\]]*<!ENTITY", re.IGNORECASE)
_SPECIAL_FILES = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket"}
log = logging.getLogger(__name__)


_PAPERWORK = frozenset({"README", "LICENSE", "LICENCE", "COPYING", "CHANGELOG", "NOTICE", "SOURCES"})


def iter_sources(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named or found under named directories, recursively, in sorted order.

    Hidden entries and a corpus's own paperwork (README, LICENSE, ... files) are skipped; a file
    named on the command line is always read. A directory link back to one of its ancestors is
    yielded as itself instead of being entered, so that reading it reports the loop.
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
        if entry.name.startswith(".") or entry.name.split(".")[0].upper() in _PAPERWORK:
            continue
        if entry.is_dir():
            yield from _walk(entry, ancestors | {real})
        else:
            yield entry


def read_source(path: str | Path, limits: Limits | None = None) -> list[Document]:
    """One file -> its documents, or InputError.

    In a multi-entry file, entries without text are skipped when others have some; a cut or
    malformed file raises even if some entries were read (``iter_documents`` keeps those).
    ``limits`` default to ``Limits.from_env()``.
    """
    items, failure = _read_all(Path(path), limits or Limits.from_env())
    if failure is not None:
        raise failure
    documents = [item for item in items if isinstance(item, Document)]
    if not documents:
        raise next((item for item in items if isinstance(item, InputError)), InputError(str(path), "no article text"))
    return documents


def iter_documents(
    paths: Iterable[str | Path], limits: Limits | None = None
) -> Iterator[Document | InputError]:
    """Every document of every source; a bad file or entry is yielded as an InputError."""
    limits = limits or Limits.from_env()
    for path in iter_sources(paths):
        items, failure = _read_all(path, limits)
        yield from items
        if failure is not None:
            yield failure


class _Timeout(BaseException):
    """Raised by the alarm; not an Exception, so that parsers' catch-all handlers let it through."""


def _read_all(path: Path, limits: Limits) -> tuple[list[Document | InputError], InputError | None]:
    """One file read under the time limit: its entries (each article cut to the length limit)
    and the error that stopped the file, if one did."""
    source = str(path)
    items: list[Document | InputError] = []
    failure: InputError | None = None
    try:
        with _deadline(limits.timeout):
            for item in _read(path, source, limits):
                items.append(item if isinstance(item, InputError) else _capped(item, limits.max_chars))
    except InputError as error:
        failure = error
    except _Timeout:
        failure = InputError(source, f"reading took longer than {limits.timeout:g} s (ACCORD_TIMEOUT)")
    return items, failure


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise _Timeout in the block after ``seconds``; only the main thread can take signals."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)


def _capped(document: Document, max_chars: int) -> Document:
    """The article cut at the last paragraph (else line, else word) end before ``max_chars``.

    The parser's time and memory grow with the text, and nothing past a long article's first
    pages is worth an unbounded wait; the cut is logged so that it is never silent.
    """
    text = document.text
    if len(text) <= max_chars:
        return document
    cut = max(text.rfind("\n\n", 0, max_chars), 0) or max(text.rfind("\n", 0, max_chars), 0)
    cut = cut or max(text.rfind(" ", 0, max_chars), 0) or max_chars
    log.warning("%s: text cut to %d of %d characters (ACCORD_MAX_CHARS)", document.source, cut, len(text))
    return replace(document, text=text[:cut].rstrip())


def _read(path: Path, source: str, limits: Limits) -> Iterator[Document | InputError]:
    """Documents and per-entry errors of one file; raises InputError for a bad file."""
    try:
        yield from _sniff(path, source, limits)
    except InputError:
        raise
    except Exception as error:  # a parser bug on odd input must not stop the batch
        raise InputError(source, f"unreadable ({type(error).__name__}: {error})") from error


def _load(path: Path, source: str, max_bytes: int) -> bytes:
    """Up to ``max_bytes + 1`` bytes of the file; special files, which may block or never end,
    are refused unread."""
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError
        if not stat.S_ISREG(mode):
            kind = _SPECIAL_FILES.get(stat.S_IFMT(mode), "a special file")
            raise InputError(source, f"is {kind}, not a regular file")
        with path.open("rb") as stream:
            return stream.read(max_bytes + 1)
    except IsADirectoryError:
        raise InputError(source, "symlink loop" if path.is_symlink() else "is a directory") from None
    except FileNotFoundError:
        raise InputError(source, "broken symlink" if path.is_symlink() else "no such file") from None
    except OSError as error:
        raise InputError(source, f"cannot read: {error.strerror or error}") from None


def _sniff(path: Path, source: str, limits: Limits) -> Iterator[Document | InputError]:
    data = _load(path, source, limits.max_bytes)
    if data.startswith(GZIP_MAGIC) or data.startswith(b"WARC/"):
        # Archives are streamed, so they may be large; the size limit holds for each record.
        yield from read_warc(path, source, limits.max_bytes)
        return
    if len(data) > limits.max_bytes:
        size = max(len(data), path.stat().st_size) / 2**20
        raise InputError(
            source, f"too large ({size:.1f} MB; the limit is {limits.max_bytes / 2**20:.1f} MB, ACCORD_MAX_BYTES)"
        )
    text = decode(data, source)
    head = text.lstrip()[:_HEAD]
    if head[:1] in "{[":
        try:
            value = json.loads(text)
        except RecursionError:
            raise InputError(source, "JSON nested too deeply") from None
        except json.JSONDecodeError as error:
            if path.suffix.lower() == ".json":
                raise InputError(source, f"malformed JSON: {error}") from None
        else:
            yield from read_wordpress(value, source)
            return
    if _ENTITY_DTD.search(head):
        raise InputError(source, "declares XML entities (refused: entity expansion)")
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
