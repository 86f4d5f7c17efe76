"""Analyst review of extracted items: confirm, reject or correct, with an audit trail.

Corrections are applied to the item rows themselves, so every query, page and analysis sees the
reviewed record; rejected items are deleted. Each decision is also kept in ``review_decisions``
(keyed by the item's offsets, which survive a re-numbering of ids) and every write appends to
``review_audit`` (who, when, what, before, after). ``export_gold`` turns reviewed documents into
accord-gold/1 files that ``accord eval`` reads.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    Connection,
    delete,
    exists,
    insert,
    select,
    update,
)

from accord.case import Case
from accord.errors import AccordError
from accord.lexicons import load_lexicon
from accord.models import (
    Actor,
    Document,
    Event,
    Extraction,
    Figure,
    ProvisionMention,
    Quote,
    Stance,
)
from accord.store.schema import (
    actors,
    event_parties,
    events,
    extractions,
    figures,
    provision_mentions,
    quotes,
    review_audit,
    review_decisions,
    stances,
)
from accord.store.store import Store

Kind = Literal["quotes", "actors", "stances", "events", "provisions"]
Action = Literal["confirm", "reject", "correct"]
KINDS: tuple[Kind, ...] = ("quotes", "actors", "stances", "events", "provisions")
ACTIONS: tuple[Action, ...] = ("confirm", "reject", "correct")
# What an analyst may correct, per kind (offsets and cues stay the extractor's).
FIELDS: dict[str, tuple[str, ...]] = {
    "quotes": ("speaker", "party", "kind", "text"),
    "actors": ("name", "role", "party"),
    "stances": ("holder", "target", "polarity"),
    "events": ("type", "actors", "location"),
    "provisions": ("provision_id", "figures"),
}
POLARITIES = ("support", "oppose", "mixed")
QUOTE_KINDS = ("direct", "indirect")
FIGURE_STATUSES = ("proposed", "current", "other")
_PARTY = re.compile(r"^[A-Z][A-Z0-9-]{1,15}$")
_SAFE_NAME = re.compile(r"^[\w][\w.\- ]{0,150}$")
MAX_TEXT = 5000
MAX_ID = 2**63 - 1  # the largest row id SQLite and PostgreSQL (bigint) can hold

_TABLES = {"quotes": quotes, "actors": actors, "stances": stances, "events": events,
           "provisions": provision_mentions}
Item = dict[str, Any]


class ReviewError(AccordError):
    """A review request names an impossible change (bad field, value or action)."""


class UnknownItem(ReviewError):
    """The item to review does not exist (any more)."""


def event_types() -> tuple[str, ...]:
    """The PLOVER categories events may be corrected to."""
    return tuple(load_lexicon("plover")["verbs"])


# -- reading items --------------------------------------------------------------------------

def _row_item(conn: Connection, kind: str, row: dict[str, Any]) -> Item:
    """A stored row as a JSON-ready item in accord-gold/1 shape plus ``id`` and ownership."""
    item = {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()}
    if kind == "provisions":
        figs = conn.execute(select(figures.c.value, figures.c.unit, figures.c.status,
                                   figures.c.start, figures.c.end)
                            .where(figures.c.mention_id == row["id"]).order_by(figures.c.start))
        item["figures"] = [dict(f._mapping) for f in figs]
    if kind == "actors":
        item["mentions"] = [list(m) for m in item["mentions"]]
    return item


def _items(conn: Connection, kind: str, *conditions: Any) -> list[Item]:
    table = _TABLES[kind]
    rows = conn.execute(select(table).where(*conditions).order_by(table.c.start, table.c.id))
    return [_row_item(conn, kind, dict(r._mapping)) for r in rows]


def _one(conn: Connection, kind: str, item_id: int) -> Item:
    if not 1 <= item_id <= MAX_ID:  # no such row, and beyond what the databases' integers hold
        raise UnknownItem(f"no {kind} item {item_id}")
    found = _items(conn, kind, _TABLES[kind].c.id == item_id)
    if not found:
        raise UnknownItem(f"no {kind} item {item_id}")
    return found[0]


def item_key(kind: str, item: Item) -> str:
    """Offsets plus what tells apart items that share a sentence (events, stances)."""
    extra = {"stances": ("holder", "target"), "events": ("type",),
             "provisions": ("provision_id",)}.get(kind, ())
    return ":".join(str(item[k]) for k in ("start", "end", *extra))[:255]


def get_item(store: Store, kind: str, item_id: int) -> Item:
    """One extracted item by kind and id; ``UnknownItem`` if there is none."""
    if kind not in KINDS:
        raise UnknownItem(f"unknown item kind {kind!r}")
    return store._read(lambda conn: _one(conn, kind, item_id))


def document_items(store: Store, document_id: str, case: str) -> dict[str, list[Item]]:
    """Every extracted item of one document for one case, by kind, in text order."""
    def read(conn: Connection) -> dict[str, list[Item]]:
        return {kind: _items(conn, kind, _TABLES[kind].c.document_id == document_id,
                             _TABLES[kind].c.case == case) for kind in KINDS}
    return store._read(read)


def decisions(store: Store, document_id: str, case: str) -> list[dict[str, Any]]:
    """The latest decision on each reviewed item of a document (rejected ones included)."""
    d = review_decisions.c
    stmt = (select(d.kind, d.item_key, d.item_id, d.action, d.reviewer, d.decided_at, d.item)
            .where(d.document_id == document_id, d.case == case).order_by(d.decided_at, d.id))
    return store._read(lambda conn: [_plain(dict(r._mapping)) for r in conn.execute(stmt)])


def audit_log(store: Store, *, document_id: str | None = None, limit: int = 50,
              offset: int = 0) -> list[dict[str, Any]]:
    """Review writes, newest first (optionally of one document)."""
    a = review_audit.c
    stmt = select(review_audit).order_by(a.at.desc(), a.id.desc())
    if document_id is not None:
        stmt = stmt.where(a.document_id == document_id)
    stmt = stmt.limit(max(limit, 0)).offset(max(offset, 0))
    return store._read(lambda conn: [_plain(dict(r._mapping)) for r in conn.execute(stmt)])


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in row.items()}


# -- validating changes ---------------------------------------------------------------------

def _text(value: Any, field: str, *, required: bool, limit: int = 300) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ReviewError(f"{field} must not be empty")
        return None
    if not isinstance(value, str):
        raise ReviewError(f"{field} must be text")
    value = " ".join(value.split())
    if len(value) > limit:
        raise ReviewError(f"{field} is longer than {limit} characters")
    return value


def _party(value: Any, field: str, *, required: bool = False) -> str | None:
    code = _text(value, field, required=required, limit=16)
    if code is not None and not _PARTY.match(code.upper()):
        raise ReviewError(f"{field} must be a party code such as USA or EU, not {code!r}")
    return code.upper() if code is not None else None


def _choice(value: Any, field: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ReviewError(f"{field} must be one of {', '.join(allowed)}")
    return value


def _figures(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ReviewError("figures must be a list")
    out = []
    for n, fig in enumerate(value, 1):
        if not isinstance(fig, dict):
            raise ReviewError(f"figure {n} must be an object")
        try:
            number = float(fig.get("value"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ReviewError(f"figure {n}: value must be a number") from None
        if not math.isfinite(number):
            raise ReviewError(f"figure {n}: value must be finite")
        out.append({"value": number,
                    "status": _choice(fig.get("status", "proposed"), f"figure {n} status",
                                      FIGURE_STATUSES),
                    "unit": _text(fig.get("unit"), f"figure {n} unit", required=False, limit=64)})
    return out


def validate_changes(kind: str, changes: dict[str, Any], case: Case) -> dict[str, Any]:
    """Checked, normalised field values; a ReviewError names the first bad one."""
    unknown = set(changes) - set(FIELDS[kind])
    if unknown:
        raise ReviewError(f"{kind} cannot correct {', '.join(sorted(unknown))}; "
                          f"correctable: {', '.join(FIELDS[kind])}")
    if not changes:
        raise ReviewError("a correction needs at least one changed field")
    provisions = {p.id for p in case.provisions}
    out: dict[str, Any] = {}
    for field, value in changes.items():
        if field == "party":
            out[field] = _party(value, field)
        elif field == "holder":
            out[field] = _party(value, field, required=True)
        elif field in ("speaker", "role", "location"):
            out[field] = _text(value, field, required=False)
        elif field == "name":
            out[field] = _text(value, field, required=True)
        elif field == "text":
            out[field] = _text(value, field, required=True, limit=MAX_TEXT)
        elif field == "kind":
            out[field] = _choice(value, field, QUOTE_KINDS)
        elif field == "polarity":
            out[field] = _choice(value, field, POLARITIES)
        elif field == "target":
            out[field] = _choice(value, field, ("plan", *sorted(provisions)))
        elif field == "provision_id":
            out[field] = _choice(value, field, tuple(sorted(provisions)))
        elif field == "type":
            out[field] = _choice(value, field, event_types())
        elif field == "actors":
            if not isinstance(value, list):
                raise ReviewError("actors must be a list of party codes")
            out[field] = sorted({_party(v, "actors", required=True) for v in value})
        elif field == "figures":
            out[field] = _figures(value)
    return out


# -- writing --------------------------------------------------------------------------------

def _apply(conn: Connection, kind: str, item: Item, changes: dict[str, Any]) -> None:
    table, item_id = _TABLES[kind], item["id"]
    columns = {k: v for k, v in changes.items() if k != "figures"}
    if columns:
        conn.execute(update(table).where(table.c.id == item_id).values(**columns))
    if kind == "events" and "actors" in changes:
        conn.execute(delete(event_parties).where(event_parties.c.event_id == item_id))
        if changes["actors"]:
            conn.execute(insert(event_parties),
                         [{"event_id": item_id, "party": p} for p in changes["actors"]])
    if kind == "provisions" and "figures" in changes:
        old = item["figures"]
        conn.execute(delete(figures).where(figures.c.mention_id == item_id))
        rows = []
        for n, fig in enumerate(changes["figures"]):
            # A corrected figure keeps the offsets of the one it replaces; a new one the mention's.
            span = old[n] if n < len(old) else item
            rows.append(fig | {"mention_id": item_id, "start": span["start"], "end": span["end"]})
        if rows:
            conn.execute(insert(figures), rows)


def review(store: Store, case: Case, kind: str, item_id: int, action: str, *, reviewer: str,
           changes: dict[str, Any] | None = None, note: str | None = None) -> dict[str, Any]:
    """Record one decision on one item in one transaction; returns the audit entry."""
    if kind not in KINDS:
        raise UnknownItem(f"unknown item kind {kind!r}")
    action = _choice(action, "action", ACTIONS)
    who = _text(reviewer, "reviewer", required=True, limit=100)
    note = _text(note, "note", required=False, limit=2000)
    checked = validate_changes(kind, changes or {}, case) if action == "correct" else {}
    if action != "correct" and changes:
        raise ReviewError(f"{action} takes no changes; use correct")
    now = datetime.now(UTC)
    with store._write(f"review of {kind} {item_id}") as conn:
        before = _one(conn, kind, item_id)
        if before["case"] != case.name:
            raise UnknownItem(f"{kind} item {item_id} belongs to case {before['case']}")
        if action == "reject":
            conn.execute(delete(_TABLES[kind]).where(_TABLES[kind].c.id == item_id))
            after = None
        else:
            _apply(conn, kind, before, checked)
            after = _one(conn, kind, item_id)
        old_key = item_key(kind, before)
        new_key = item_key(kind, after or before)
        owner = {"document_id": before["document_id"], "case": before["case"], "kind": kind}
        d = review_decisions.c
        conn.execute(delete(review_decisions).where(
            d.document_id == owner["document_id"], d.case == owner["case"], d.kind == kind,
            d.item_key.in_({old_key, new_key})))
        conn.execute(insert(review_decisions).values(
            owner | {"item_key": new_key, "item_id": item_id, "action": action,
                     "reviewer": who, "decided_at": now, "item": after or before}))
        entry = owner | {"item_id": item_id, "item_key": new_key, "action": action,
                         "reviewer": who, "at": now, "before": before, "after": after,
                         "note": note}
        entry["id"] = conn.execute(insert(review_audit).values(entry)).inserted_primary_key[0]
    return _plain(entry)


# -- accord-gold/1 export -------------------------------------------------------------------

def _file_names(source: str, document_id: str) -> tuple[str, str]:
    """(``document.file``, output stem): the source's file name, ``-n`` for the n-th entry of
    a feed or archive as ``accord extract --out`` names it; the id if the name is unsafe."""
    path, _, entry = source.partition("#")
    file = path.rstrip("/").rsplit("/", 1)[-1]
    if not _SAFE_NAME.match(file) or file in (".", ".."):
        return document_id, document_id
    stem = Path(file).stem or document_id
    return file, f"{stem}-{entry}" if entry.isdigit() else stem


def _extraction(doc: dict[str, Any], case: str, items: dict[str, list[Item]]) -> Extraction:
    published = date.fromisoformat(doc["published"]) if doc["published"] else None
    document = Document(text=doc["text"], source=doc["source"], title=doc["title"],
                        published=published, site=doc["site"], author=doc["author"],
                        url=doc["url"], language=doc["language"], format=doc["format"])
    return Extraction(
        document=document, case=case,
        actors=[Actor(a["name"], a["role"], a["party"], a["start"], a["end"],
                      [tuple(m) for m in a["mentions"]]) for a in items["actors"]],
        quotes=[Quote(q["text"], q["kind"], q["speaker"], q["party"], q["start"], q["end"],
                      q["cue"], q["speaker_start"], q["speaker_end"]) for q in items["quotes"]],
        provisions=[ProvisionMention(p["provision_id"], p["start"], p["end"],
                                     [Figure(f["value"], f["status"], f["start"], f["end"],
                                             f["unit"]) for f in p["figures"]])
                    for p in items["provisions"]],
        stances=[Stance(s["holder"], s["target"], s["polarity"], s["start"], s["end"], s["cue"])
                 for s in items["stances"]],
        events=[Event(e["type"], list(e["actors"]), e["start"], e["end"], e["location"],
                      e["trigger"], date.fromisoformat(e["date"]) if e["date"] else None)
                for e in items["events"]],
    )


def export_gold(store: Store, case: str, out_dir: Path, *, reviewed_only: bool = True) -> list[Path]:
    """One accord-gold/1 ``<file stem>.json`` per (reviewed) document of ``case``, with
    corrections applied and rejected items left out; returns the files written."""
    x, d = extractions.c, review_decisions.c
    stmt = select(x.document_id).where(x.case == case).order_by(x.document_id)
    if reviewed_only:
        stmt = stmt.where(exists().where(d.document_id == x.document_id, d.case == case))
    ids = store._read(lambda conn: list(conn.scalars(stmt)))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    root = out_dir.resolve()
    written: list[Path] = []
    used: set[str] = set()
    for document_id in ids:
        doc = store.document(document_id)
        if doc is None:  # deleted since listed
            continue
        file, stem = _file_names(doc["source"], document_id)
        if stem in used:  # two sources with one file name (in different directories)
            stem = f"{stem}-{document_id[:8]}"
        used.add(stem)
        target = (root / f"{stem}.json").resolve()
        if target.parent != root:
            raise ReviewError(f"refusing to write outside {root}: {stem!r}")
        record = _extraction(doc, case, document_items(store, document_id, case)).to_json(file)
        target.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")
        written.append(target)
    return written
