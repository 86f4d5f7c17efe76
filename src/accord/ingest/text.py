"""Plain text saved from a web page: decoding, and boilerplate removal driven by data rules.

The article's sentences are kept byte-identical (no re-wrapping, typographic quotes untouched)
so that character offsets match what a reader sees; only whole lines of site chrome go, and
paragraphs are re-joined with blank lines. Stray markup (tags, entities, shortcodes) is not
text: it is removed first, block elements becoming paragraph breaks.
"""

from __future__ import annotations

import codecs
import html
import logging
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml
from charset_normalizer import from_bytes

from accord.errors import InputError
from accord.ingest.dates import parse_date

log = logging.getLogger(__name__)

# How many non-empty lines at the top count as the page header (headline, byline, date, photo).
HEADER_LINES = 6
# A mostly printable text has few control characters; more than this share means binary.
_MAX_CONTROL_SHARE = 0.01
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0 control bytes other than whitespace: text in any 8-bit encoding or UTF-8 has almost none.
_CONTROL_BYTES = bytes(b for b in range(32) if chr(b) not in "\n\r\t\f\v")
_CONTROL_CHARS = dict.fromkeys(_CONTROL_BYTES)
# UTF-16 sniffing: the bytes looked at, the share of pairs with a zero byte needed (ASCII is
# rare in some scripts, so this is low), and how many zeros may fall on the other side.
_SAMPLE_BYTES = 1 << 16
_MIN_ZEROS = 0.05
_STRAY_ZEROS = 0.02
# A UTF-8 file with damage has many more valid non-ASCII characters than invalid sequences.
_UTF8_MAJORITY = 4
# Magic numbers of formats that are certainly not articles.
_BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"PK\x03\x04", b"\x7fELF", b"RIFF")


def decode(data: bytes, source: str) -> str:
    """Bytes of a text-like file -> str; InputError when empty, binary or undecodable."""
    if not data:
        raise InputError(source, "empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding).lstrip("\ufeff")
            except UnicodeDecodeError:
                raise InputError(source, f"not valid {encoding} despite its byte-order mark") from None
            return _checked(text, source)
    if data.startswith(_BINARY_MAGIC):
        raise InputError(source, "binary content")
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return _checked(utf16, source)
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if b"\x00" in data or controls > _MAX_CONTROL_SHARE * len(data):
        raise InputError(source, "binary content")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _mostly_utf8(data, source) or _guessed(data, source)
    return _checked(text, source)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without a byte-order mark, told by where its zero bytes fall.

    The ASCII characters of UTF-16 text (spaces, digits, punctuation, Latin letters) leave a zero
    byte on one side of every pair; binary data puts its zeros anywhere.
    """
    sample = data[:_SAMPLE_BYTES]
    if len(data) % 2 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if min(even, odd) > _STRAY_ZEROS * max(even, odd) or max(even, odd) < _MIN_ZEROS * len(sample) / 2:
        return None
    try:
        return data.decode("utf-16-le" if odd > even else "utf-16-be")
    except UnicodeDecodeError:
        return None


def _mostly_utf8(data: bytes, source: str) -> str | None:
    """UTF-8 with a few invalid bytes (a bad copy, a truncated character), each replaced by U+FFFD.

    A single-byte encoding read as UTF-8 gives almost no valid multi-byte characters, so those
    must outnumber the invalid ones: otherwise the text is guessed as a whole instead.
    """
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - data.count("\ufffd".encode())
    valid = len(text) - len(text.encode("ascii", "ignore")) - invalid
    if valid < _UTF8_MAJORITY * invalid:
        return None
    log.warning("%s: %d invalid UTF-8 sequence(s) replaced by U+FFFD", source, invalid)
    return text


def _guessed(data: bytes, source: str) -> str:
    best = from_bytes(data).best()
    if best is None:
        raise InputError(source, "not valid UTF-8 or any known encoding")
    return str(best)


def _checked(text: str, source: str) -> str:
    """Reject decoded text that is really binary, or holds nothing but whitespace."""
    controls = len(text) - len(text.translate(_CONTROL_CHARS))
    if controls > _MAX_CONTROL_SHARE * len(text):
        raise InputError(source, "binary content")
    if not text.strip():
        raise InputError(source, "empty file (whitespace only)")
    return text


@dataclass(frozen=True)
class _Rules:
    """The compiled contents of data/boilerplate.yaml."""

    drop: tuple[re.Pattern[str], ...]
    header_drop: tuple[re.Pattern[str], ...]
    bylines: tuple[re.Pattern[str], ...]
    date_prefixes: tuple[re.Pattern[str], ...]
    date_max_length: int
    date_label: re.Pattern[str]
    date_author: re.Pattern[str]
    date_lead: re.Pattern[str]
    date_trailing: re.Pattern[str]
    date_segments: re.Pattern[str]
    max_segment_words: int
    markup: _Markup


@dataclass(frozen=True)
class _Markup:
    """Patterns for stray markup, compiled from the ``markup`` section of boilerplate.yaml."""

    any: re.Pattern[str]  # cheap test: is there markup at all?
    dropped: re.Pattern[str]
    block: re.Pattern[str]
    inline: re.Pattern[str]
    shortcodes: re.Pattern[str]

    @classmethod
    def compile(cls, raw: dict[str, Any]) -> _Markup:
        def names(key: str) -> str:
            return "|".join(re.escape(n) for n in raw[key])

        tags = f"{names('dropped_elements')}|{names('block_elements')}|{names('inline_elements')}"
        enclosing = names("enclosing_shortcodes")
        return cls(
            any=re.compile(rf"</?(?:{tags})\b|&(?:#\d+|#x[0-9a-f]+|[a-z]+\d*);|\[/?(?:{enclosing})\b", re.I),
            dropped=re.compile(rf"<({names('dropped_elements')})\b[^>]*>.*?</\1\s*>", re.I | re.S),
            block=re.compile(rf"</?(?:{names('block_elements')})\b[^>]*>", re.I),
            inline=re.compile(rf"</?(?:{names('inline_elements')})\b[^>]*>", re.I),
            shortcodes=re.compile(rf"\[({enclosing})\b[^\]]*\].*?\[/\1\]|\[/?(?:{enclosing})\b[^\]]*\]", re.I | re.S),
        )

    def strip(self, text: str) -> str:
        """The text without its markup; unchanged when it has none."""
        if not self.any.search(text):
            return text
        text = self.shortcodes.sub("", self.dropped.sub("", text))
        text = self.inline.sub("", self.block.sub("\n\n", text))
        return html.unescape(text).replace("\xa0", " ")


@cache
def _rules() -> _Rules:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("accord").joinpath("data/boilerplate.yaml").read_text(encoding="utf-8")
    )

    def compile_all(key: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in raw.get(key) or ())

    dates = raw["date_lines"]
    return _Rules(
        drop=compile_all("drop_lines"),
        header_drop=compile_all("header_drop_lines"),
        bylines=compile_all("bylines"),
        date_prefixes=compile_all("date_prefixes"),
        date_max_length=int(dates["max_length"]),
        date_label=re.compile(dates["label"], re.IGNORECASE),
        date_author=re.compile(dates["author"], re.IGNORECASE),
        date_lead=re.compile(dates["lead"], re.IGNORECASE),
        date_trailing=re.compile(dates["trailing"], re.IGNORECASE),
        date_segments=re.compile(dates["segments"]),
        max_segment_words=int(dates["max_segment_words"]),
        markup=_Markup.compile(raw["markup"]),
    )


def _is_name(words: list[str]) -> bool:
    """A byline name: one to four words, each capitalised (rules out "By the numbers")."""
    return 1 <= len(words) <= 4 and all(w[:1].isupper() for w in words)


def _date_line(line: str, rules: _Rules) -> tuple[date, str | None] | None:
    """(date, author) when the whole line is a publication-date line, else None."""
    if len(line) > rules.date_max_length or not re.search(r"\d", line):
        return None
    rest = line
    label = rules.date_label.match(rest)
    if label:
        rest = rest[label.end() :]
    trailing = rules.date_trailing.search(rest, 1)
    if trailing:
        rest = rest[: trailing.start()]
    by = rules.date_author.match(rest) if label else None
    if not by:
        published = parse_date(rest)
        return (published, None) if published else _segmented_date_line(rest, rules)
    words = rest[by.end() :].split()
    for k in range(1, min(4, len(words) - 1) + 1):
        tail = " ".join(words[k:])
        lead = rules.date_lead.match(tail)
        published = parse_date(tail[lead.end() :] if lead else tail)
        if published and _is_name(words[:k]):
            return published, " ".join(words[:k])
    return None


def _segmented_date_line(line: str, rules: _Rules) -> tuple[date, str | None] | None:
    """A header line of short segments, one of them a date: "24 November 2025 | Site | Author"."""
    segments = rules.date_segments.split(line)
    if len(segments) < 2 or any(len(s.split()) > rules.max_segment_words for s in segments):
        return None
    for k, segment in enumerate(segments):
        published = parse_date(segment)
        if published:
            names = [s for s in segments[k + 1 :] if 2 <= len(s.split()) <= 3 and _is_name(s.split())]
            return published, (names[-1] if len(names) > 1 or len(segments) == 2 else None)
    return None


def _byline(line: str, rules: _Rules) -> str | None:
    for pattern in rules.bylines:
        match = pattern.fullmatch(line)
        if match and _is_name(match["author"].split()):
            return match["author"]
    return None


def clean_text(raw: str) -> tuple[str, dict[str, Any]]:
    """Plain text saved from a page -> (headline + article paragraphs, {title, published, author}).

    The headline stays as the first paragraph because quotes sometimes sit in it.
    """
    rules = _rules()
    raw = rules.markup.strip(raw)
    lines = [line.strip() for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    filled = [i for i, line in enumerate(lines) if line]
    # Texts without blank lines put one paragraph per line; otherwise blank lines separate them.
    line_paragraphs = not any(not lines[i] for i in range(filled[0], filled[-1])) if filled else True
    meta: dict[str, Any] = {"title": None, "published": None, "author": None}

    kept: list[int] = []  # indices of non-empty lines that survive
    for i in filled:
        if not any(p.fullmatch(lines[i]) for p in rules.drop):
            kept.append(i)

    header = kept[:HEADER_LINES]
    for i in header:
        line = lines[i]
        for prefix in rules.date_prefixes:
            match = prefix.match(line)
            if match and (published := parse_date(match["date"])):
                meta["published"] = meta["published"] or published
                line = lines[i] = line[match.end() :]
        found = _date_line(line, rules) if line else None
        author = _byline(line, rules) if line and not found else None
        if found:
            meta["published"] = meta["published"] or found[0]
            meta["author"] = meta["author"] or found[1]
        if author:
            meta["author"] = meta["author"] or author
        if not line or found or author or any(p.fullmatch(line) for p in rules.header_drop):
            kept.remove(i)

    # The headline is often printed twice (page title, then article heading): keep it once and
    # drop what precedes its first copy (site name, section).
    top = kept[:HEADER_LINES]
    for a, i in enumerate(top):
        twin = next((j for j in top[a + 1 :] if lines[j] == lines[i]), None)
        if twin is not None:
            kept = kept[a:]
            kept.remove(twin)
            break
    if not kept:
        return "", meta
    meta["title"] = lines[kept[0]]

    paragraphs: list[str] = [lines[kept[0]]]
    previous = kept[0]
    for i in kept[1:]:
        joined = not line_paragraphs and previous != kept[0] and all(lines[k] for k in range(previous, i + 1))
        if joined:
            paragraphs[-1] += "\n" + lines[i]
        else:
            paragraphs.append(lines[i])
        previous = i
    return "\n\n".join(paragraphs), meta
