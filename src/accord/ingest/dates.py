"""Publication dates from the many shapes sources give them (ISO strings, feed tuples, prose)."""

from __future__ import annotations

import re
import time
from datetime import date, datetime

import dateparser

from .language import LANGUAGES

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# A full date is required: a bare "March 2025" or "35 minutes ago" is not a publication date.
_SETTINGS = {"REQUIRE_PARTS": ["day", "month", "year"], "RETURN_AS_TIMEZONE_AWARE": False}
# No date is written in more characters; longer metadata is not worth dateparser's time.
_MAX_LENGTH = 100
# Trying only the languages Accord detects, instead of every locale dateparser knows, makes a
# date line about twenty times cheaper to read.
_LANGUAGES = list(LANGUAGES)
# English dates in the common shapes ("21 November 2025", "Nov. 21, 2025, 10:14 GMT") are read
# directly: dateparser spends tens of milliseconds on each, most of it compiling its patterns.
_MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for name in names
}
_ENGLISH = re.compile(
    r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday)?\.?,?\s+)?"
    r"(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m1>[a-z]+)\.?,?\s+(?P<y1>\d{4})"
    r"|(?P<m2>[a-z]+)\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{4}))"
    r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s+(?:gmt|utc|[a-z]{3,4}))?)?",
    re.IGNORECASE,
)


def parse_date(text: str) -> date | None:
    """The calendar date written in ``text`` (any language dateparser knows), or None."""
    text = text.strip()
    if not text or len(text) > _MAX_LENGTH or not re.search(r"\d", text):
        return None
    iso = _ISO.fullmatch(text[:10])
    if iso and (len(text) == 10 or text[10] in "T "):
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            return None
    english = _english(text)
    if english is not None:
        return english
    parsed = dateparser.parse(text, languages=_LANGUAGES, settings=_SETTINGS)
    return parsed.date() if parsed else None


def _english(text: str) -> date | None:
    """The date of a whole string in a common English shape, else None (dateparser decides)."""
    match = _ENGLISH.fullmatch(text)
    if match is None:
        return None
    month = _MONTHS.get((match["m1"] or match["m2"]).lower())
    if month is None:
        return None
    try:
        return date(int(match["y1"] or match["y2"]), month, int(match["d1"] or match["d2"]))
    except ValueError:
        return None


def as_date(value: object) -> date | None:
    """Normalise a metadata value (date, datetime, struct_time, string) to a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time.struct_time):
        return date(value.tm_year, value.tm_mon, value.tm_mday)
    if isinstance(value, str):
        return parse_date(value)
    return None
