"""``Store.ingest_many``: a batch in one transaction stores exactly what the same documents
ingested one by one store, groups copies within the batch, and isolates a bad document."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from accord.errors import StoreError
from accord.models import Document, Extraction, Quote
from accord.store import AddResult, Store
from test_store import EXTRA, OTHER, STORY, doc, extraction


@pytest.fixture
def two_stores(store_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Store, Store]]:
    """Two empty stores on the same backend."""
    if store_url.startswith("sqlite"):
        other = f"sqlite:///{tmp_path / 'other.db'}"
    else:
        other = request.getfixturevalue("postgres_server").create_database()
    with Store(store_url) as one, Store(other) as two:
        yield one, two


def batch() -> list[tuple[Document, Extraction | None]]:
    """A new story, its syndicated copy (earlier, untitled), the first again from elsewhere and
    from the same place, an unrelated story, and the copy seen a second time."""
    first = doc()
    copy = doc(STORY + EXTRA, source="south.html", site="south.example", published=date(2025, 3, 3), title=None)
    other = doc(OTHER, source="apples.txt", title="Harvest")
    return [
        (first, extraction(first)),
        (copy, extraction(copy)),
        (doc(source="mirror/north.html"), None),
        (first, None),
        (other, None),
        (replace(copy, source="south-mirror.html"), extraction(copy)),
    ]


def contents(store: Store) -> dict[str, Any]:
    """Everything a reader sees, without the times of writing and the ids of replaced items (a
    re-saved extraction's rows get new ones)."""
    stories = store.stories()
    for story in stories:
        for document in story["documents"]:
            document.pop("ingested_at", None)
    items = {"quotes": store.quotes(), "actors": store.actors(), "provisions": store.provisions(),
             "stances": store.stances(), "events": store.events()}
    return {"stats": store.stats(), "stories": stories} | {
        kind: [{k: v for k, v in row.items() if k != "id"} for row in rows] for kind, rows in items.items()
    }


def test_a_batch_stores_what_one_by_one_stores(two_stores: tuple[Store, Store]) -> None:
    batched, single = two_stores
    results = batched.ingest_many(batch())
    assert results == [single.ingest(d, e) for d, e in batch()]
    assert [r.status for r in results if isinstance(r, AddResult)] == [
        "new", "syndicated", "duplicate", "duplicate", "new", "duplicate"
    ]
    assert contents(batched) == contents(single)
    story = next(s for s in batched.stories() if s["title"] == "Ceasefire talks in Lakeside")
    assert story["first_published"] == "2025-03-03"  # widened by the copy placed in the same batch
    # The batch's documents are in the near-duplicate index once committed.
    assert batched.add_document(doc(STORY + " One more line.", source="late.html")).status == "syndicated"


def test_a_batch_joins_stories_stored_before(store: Store) -> None:
    first = store.add_document(doc())
    copy = doc(STORY + EXTRA, source="south.html", published=date(2025, 3, 1), title=None)
    [result] = store.ingest_many([(copy, extraction(copy))])
    assert result == AddResult(copy.id, "syndicated", first.story_id)
    assert store.stories()[0]["first_published"] == "2025-03-01"


def test_a_bad_document_fails_alone(store: Store) -> None:
    items = batch()
    bad = extraction(items[1][0])
    bad.quotes.append(Quote(None, "direct", "Nobody", None, 0, 5))  # type: ignore[arg-type]
    items[1] = (items[1][0], bad)
    items[5] = (items[5][0], bad)
    stray = (doc(OTHER + " Apples.", source="x.txt"), extraction(doc()))  # someone else's extraction
    results = store.ingest_many([*items, stray])
    errors = [r for r in results if isinstance(r, StoreError)]
    assert [results.index(e) for e in errors] == [1, 5, 6]
    assert re.search("not.null", str(errors[0]), re.I) and "belongs to" in str(errors[2])
    assert [r.status for r in results if isinstance(r, AddResult)] == ["new", "duplicate", "duplicate", "new"]
    stats = store.stats()
    assert (stats["documents"], stats["sources"], stats["stories"]) == (2, 3, 2)
    # The failed copy did not stay in the near-duplicate index: seen again, it is placed afresh.
    assert store.add_document(items[1][0]).status == "syndicated"
    assert store.stats()["stories"] == 2


def test_an_empty_batch_writes_nothing(store: Store) -> None:
    assert store.ingest_many([]) == []
    assert all(n == 0 for n in store.stats().values())
