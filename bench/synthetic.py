"""Large stores without NLP: synthetic documents and extractions recombined from real ones.

The sample articles in ``examples/`` are extracted once; each paragraph keeps the items that lie
wholly inside it, with offsets made relative to the paragraph. A synthetic document is a random
run of paragraphs from all samples, and its extraction is the union of their items, shifted to
where each paragraph landed, so offsets stay true and the mix of actors, quotes, provisions,
stances and events per word is the real one. Building 100k of them takes seconds, not days.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from accord.ingest import iter_sources, read_source
from accord.models import Actor, Document, Event, Extraction, ProvisionMention, Quote, Stance
from accord.pipeline import Extractor

ROOT = Path(__file__).resolve().parents[1]
SITES = ["wire.example", "daily.example", "courier.example", "herald.example", "post.example", "times.example"]


def sample_documents() -> list[Document]:
    """The sample articles (the directory's README describes them, it is not one)."""
    return [d for s in iter_sources([ROOT / "examples"]) if s.suffix != ".md" for d in read_source(s)]


@dataclass
class Paragraph:
    """One paragraph of a real article with its items, offsets relative to the paragraph."""

    text: str
    actors: list[Actor]
    quotes: list[Quote]
    provisions: list[ProvisionMention]
    stances: list[Stance]
    events: list[Event]


def _shift(item, by: int):  # noqa: ANN001, ANN202 - every item type has start/end
    """A copy of an extracted item moved ``by`` characters (its nested spans too)."""
    changes = {"start": item.start + by, "end": item.end + by}
    if isinstance(item, Actor):
        changes["mentions"] = [(s + by, e + by) for s, e in item.mentions]
    if isinstance(item, Quote) and item.speaker_start is not None:
        changes["speaker_start"] = item.speaker_start + by
        changes["speaker_end"] = (item.speaker_end or 0) + by
    if isinstance(item, ProvisionMention):
        changes["figures"] = [_shift(f, by) for f in item.figures]
    return replace(item, **changes)


def paragraphs(extractions: list[Extraction]) -> list[Paragraph]:
    """Every non-empty paragraph of the extracted samples with the items wholly inside it."""
    found = []
    for ext in extractions:
        text, at = ext.document.text, 0
        for line in text.split("\n"):
            start, end, at = at, at + len(line), at + len(line) + 1
            if not line.strip():
                continue

            def inside(items: list) -> list:  # noqa: ANN001
                return [_shift(i, -start) for i in items if start <= i.start and i.end <= end]

            actors = [
                replace(a, mentions=[(s, e) for s, e in a.mentions if start <= s and e <= end])
                for a in ext.actors if start <= a.start and a.end <= end
            ]
            quotes = [q for q in ext.quotes if q.speaker_start is None or start <= q.speaker_start < end]
            found.append(Paragraph(line, [_shift(a, -start) for a in actors], inside(quotes),
                                   inside(ext.provisions), inside(ext.stances), inside(ext.events)))
    return found


def real_paragraphs(extractor: Extractor | None = None) -> list[Paragraph]:
    """Extract the samples once (a few seconds) and cut them into paragraphs."""
    extractor = extractor or Extractor()
    return paragraphs([r for _, r in extractor.extract_many(sample_documents()) if isinstance(r, Extraction)])


def synthetic(pool: list[Paragraph], count: int, case: str, seed: int = 7, start: int = 0) -> Iterator[tuple[Document, Extraction]]:
    """``count`` documents of 8 to 14 random paragraphs, published over four months, each with
    the recombined extraction of its paragraphs."""
    rng = random.Random(seed + start)
    for n in range(start, start + count):
        chosen = rng.sample(pool, rng.randint(8, 14))
        parts, at = [], 0
        items: dict[str, list] = {"actors": [], "quotes": [], "provisions": [], "stances": [], "events": []}
        for p in chosen:
            for kind in items:
                items[kind].extend(_shift(i, at) for i in getattr(p, kind))
            parts.append(p.text)
            at += len(p.text) + 2
        site = rng.choice(SITES)
        document = Document(
            text="\n\n".join(parts) + f"\n\nDispatch {n}.",  # unique text, so a unique id
            source=f"https://{site}/story/{n}",
            title=f"Dispatch {n}: {chosen[0].text[:60]}",
            published=date(2025, 9, 1) + timedelta(days=rng.randrange(122)),
            site=site,
            language="en",
        )
        yield document, Extraction(document=document, case=case, **items)
