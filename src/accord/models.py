"""Plain data records that flow through the pipeline (ingest -> extract -> store).

They are dataclasses, not ORM rows, so that ``extract/`` stays free of storage concerns.
Every extracted item carries ``start``/``end``: character offsets into ``Document.text``.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

GOLD_FORMAT = "accord-gold/1"


def text_hash(text: str) -> str:
    """Stable id of a text: exact duplicates share it whatever file they came from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Document:
    """One article's main text and metadata, as produced by an ingest reader."""

    text: str
    source: str  # file path (with "#n" for the n-th entry of a feed/WARC) or URL
    title: str | None = None
    published: date | None = None
    site: str | None = None
    author: str | None = None
    url: str | None = None
    language: str | None = None
    format: str = "text"  # text | html | wordpress | feed | warc

    @property
    def id(self) -> str:
        """Content-addressed id: the first 16 hex digits of the text's SHA-256."""
        return text_hash(self.text)[:16]

    def metadata(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "site": self.site,
            "author": self.author,
            "url": self.url,
            "language": self.language,
            "format": self.format,
        }


@dataclass
class Actor:
    """A person named in the article, with the role and party the article gives them."""

    name: str
    role: str | None
    party: str | None
    start: int
    end: int
    mentions: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Quote:
    text: str
    kind: str  # direct | indirect
    speaker: str | None
    party: str | None
    start: int
    end: int
    cue: str | None = None  # the reporting verb or construction that introduced it
    speaker_start: int | None = None
    speaker_end: int | None = None


@dataclass
class Figure:
    value: float
    status: str  # proposed | current | other
    start: int
    end: int
    unit: str | None = None


@dataclass
class ProvisionMention:
    id: str
    start: int
    end: int
    figures: list[Figure] = field(default_factory=list)


@dataclass
class Stance:
    holder: str
    target: str  # "plan" or a provision id
    polarity: str  # support | oppose | mixed
    start: int
    end: int
    cue: str | None = None


@dataclass
class Event:
    type: str  # one of the 16 PLOVER categories
    actors: list[str]
    start: int
    end: int
    location: str | None = None
    trigger: str | None = None
    date: date | None = None


@dataclass
class Extraction:
    """Everything extracted from one document, convertible to the accord-gold/1 JSON."""

    document: Document
    case: str
    actors: list[Actor] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    provisions: list[ProvisionMention] = field(default_factory=list)
    stances: list[Stance] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def to_json(self, file: str | None = None) -> dict[str, Any]:
        """The accord-gold/1 record plus document metadata and offsets for every item."""
        doc = self.document
        meta = doc.metadata()
        meta["file"] = file or doc.source.rsplit("/", 1)[-1]
        return {
            "format": GOLD_FORMAT,
            "document": meta,
            "case": self.case,
            "actors": [asdict(a) | {"mentions": [list(m) for m in a.mentions]} for a in self.actors],
            "quotes": [asdict(q) for q in self.quotes],
            "provisions": [
                {"id": p.id, "start": p.start, "end": p.end, "figures": [asdict(f) for f in p.figures]}
                for p in self.provisions
            ],
            "stances": [asdict(s) for s in self.stances],
            "events": [
                asdict(e) | {"date": e.date.isoformat() if e.date else None} for e in self.events
            ],
        }
