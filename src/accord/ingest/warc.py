"""WARC and WARC.gz archives (warcio): every HTML response record is a page for the HTML reader."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from accord.errors import InputError
from accord.ingest.html import read_html
from accord.ingest.text import decode
from accord.models import Document

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20


def read_warc(path: Path, source: str, max_bytes: int) -> Iterator[Document | InputError]:
    """HTML responses -> Documents. Pages read whole before a cut are kept; then the cut is raised.

    The archive is streamed; a response body over ``max_bytes`` is reported and skipped unread.
    """
    with path.open("rb") as stream:
        truncated = stream.read(2) == GZIP_MAGIC and not _gzip_intact(path)
        stream.seek(0)
        n = 0
        cut = False
        try:
            for record in ArchiveIterator(stream):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                content_type = (record.http_headers.get_header("Content-Type") or "").lower()
                if "html" not in content_type:
                    continue
                n += 1
                body = _read_upto(record.content_stream(), max_bytes + 1)
                if len(body) > max_bytes:
                    limit = f"{max_bytes / 2**20:.1f} MB"
                    yield InputError(f"{source}#{n}", f"record larger than {limit} (ACCORD_MAX_BYTES)")
                    continue
                cut = bool(record.raw_stream.limit)  # fewer bytes than its Content-Length
                if cut:
                    break
                yield _page(record, body, content_type, f"{source}#{n}")
        except (ArchiveLoadFailed, EOFError, zlib.error, ValueError) as error:
            if not truncated:
                raise InputError(source, f"corrupt WARC: {error}") from None
    if truncated:
        raise InputError(source, "truncated gzip")
    if cut:
        raise InputError(source, "truncated WARC (last record cut short)")


def _page(record: ArcWarcRecord, body: bytes, content_type: str, source: str) -> Document | InputError:
    """One response record -> Document; its failure stays local to the record."""
    headers = record.rec_headers
    charset = content_type.partition("charset=")[2].split(";")[0].strip(" \"'")
    try:
        try:
            page = body.decode(charset) if charset else decode(body, source)
        except (LookupError, UnicodeDecodeError):
            page = decode(body, source)
        return read_html(
            page,
            source,
            url=headers.get_header("WARC-Target-URI"),
            fmt="warc",
            fallback_date=(headers.get_header("WARC-Date") or "")[:10],
        )
    except InputError as error:
        return error


def _read_upto(stream: IO[bytes], size: int) -> bytes:
    """At most ``size`` bytes: decompressing readers may return fewer per call than are left."""
    parts: list[bytes] = []
    while size > 0 and (part := stream.read(min(size, _CHUNK))):
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def _gzip_intact(path: Path) -> bool:
    """Whether every gzip member ends properly; warcio stops silently at a cut member."""
    try:
        with gzip.open(path, "rb") as stream:
            while stream.read(_CHUNK):
                pass
    except (EOFError, gzip.BadGzipFile, zlib.error):
        return False
    return True
