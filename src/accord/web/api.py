"""REST API, ``/api/v1``: read the record with filters and pages; review items with a token.

Lists answer ``{items, limit, offset, count, next_offset}``; ``next_offset`` is null on the last
page. Dates are ISO strings; ``since``/``until`` are inclusive and apply to publication dates.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field

from accord.analysis import change_digest, stance_matrix, timeline
from accord.case import Case
from accord.store import Store
from accord.store.review import MAX_ID, audit_log, get_item, review
from accord.web import views
from accord.web.auth import Auth

T = TypeVar("T")
MAX_LIMIT = 200
ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="The item's id in the store.")]
DocumentId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", description="16 hex digits")]
Code = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9-]{1,16}$", description="party code")]
Since = Annotated[date | None, Query(description="published on or after (YYYY-MM-DD)")]
Until = Annotated[date | None, Query(description="published on or before (YYYY-MM-DD)")]
Happened = Annotated[date | None, Query(description="the event's own date bound (YYYY-MM-DD)")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Text = Annotated[str | None, Query(max_length=200)]
ItemKind = Literal["quotes", "actors", "stances", "events", "provisions"]


class Page(BaseModel, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    count: int = Field(description="items on this page")
    next_offset: int | None = Field(description="offset of the next page; null on the last")


class DocumentOut(BaseModel):
    id: str
    title: str | None
    published: str | None
    site: str | None
    author: str | None
    url: str | None
    language: str | None
    format: str
    source: str
    story_id: int
    ingested_at: str


class DocumentDetail(DocumentOut):
    text: str
    sources: list[str]
    cases: list[str]


class ItemOut(BaseModel):
    id: int
    document_id: str
    case: str
    start: int
    end: int
    evidence: str
    document_title: str | None
    published: str | None
    url: str | None


class QuoteOut(ItemOut):
    text: str
    kind: str
    speaker: str | None
    party: str | None
    cue: str | None
    speaker_start: int | None
    speaker_end: int | None


class ActorOut(BaseModel):
    name: str
    role: str | None
    party: str | None
    mentions: int
    documents: int


class CitedFigure(BaseModel):
    value: float
    unit: str | None
    status: str
    documents: list[str]


class ProvisionOut(BaseModel):
    provision_id: str
    mentions: int
    documents: int
    first_published: str | None
    last_published: str | None
    figures: list[CitedFigure]


class SourceOut(BaseModel):
    """The article and the exact sentence an item was read from."""

    document_id: str
    title: str | None
    url: str | None
    published: str | None
    evidence: str


class HistoryFigure(BaseModel):
    """One figure one report gave, with the plan version it was attributed to and why
    (``basis``: the case catalogue, a version named in the sentence, or the report's date)."""

    date: str
    value: float
    unit: str | None
    status: str
    version: str | None
    version_name: str | None
    basis: str | None
    extracted_status: str
    document_id: str
    title: str | None
    url: str | None
    evidence: str


class PlanStepOut(BaseModel):
    """The plan's figure in one version (``date`` is the version's date in the case)."""

    version: str
    name: str
    date: str
    value: float
    unit: str | None
    reports: int
    first_reported: str
    source: SourceOut


class VersionRow(BaseModel):
    version: str
    name: str
    date: str
    in_plan: bool = Field(description="the case says this version contains the provision")
    catalogue: float | None = Field(description="the case file's figure for this version")
    reported: float | None = Field(description="the figure the coverage attributes to it")
    reports: int
    unit: str | None


class StatusOut(BaseModel):
    date: str
    status: str
    cue: str
    document_id: str
    title: str | None
    url: str | None
    evidence: str


class DocumentRef(BaseModel):
    id: str
    title: str | None
    published: str | None
    url: str | None
    mentions: int


class CountedPage(Page[T], Generic[T]):
    """A page of one of a record's long lists, newest first, with the list's length."""

    total: int = Field(description="items on every page")


class ProvisionHistoryOut(BaseModel):
    """``accord.analysis.provision_tracker`` for one provision, with its case metadata."""

    id: str
    summary: str
    category: str
    point: int | None
    parent: str | None
    parties: list[str]
    notes: str | None
    unit: str | None
    mentions: int
    first_reported: str | None
    last_reported: str | None
    current_status: str | None
    current_figure: HistoryFigure | None = Field(
        description="the plan's figure in the newest version that has a trusted one")
    plan: list[PlanStepOut] = Field(description="the plan's figure version by version")
    current_state: list[HistoryFigure] = Field(description="reports of the world as it is")
    versions: list[VersionRow]
    figures: CountedPage[HistoryFigure] = Field(
        description="one page of its reports, newest first (``limit``, ``offset``)")
    statuses: CountedPage[StatusOut] = Field(
        description="one page of the statuses its reports give, newest first (``limit``, "
                    "``status_offset``)")
    documents: CountedPage[DocumentRef] = Field(
        description="one page of the documents discussing it, newest first (``limit``, "
                    "``document_offset``)")


class StanceOut(ItemOut):
    holder: str
    target: str
    polarity: str
    cue: str | None


class EventOut(ItemOut):
    type: str
    actors: list[str]
    location: str | None
    trigger: str | None
    date: str | None


class LatestStance(BaseModel):
    date: str
    evidence: str
    document_id: str
    title: str | None
    url: str | None


class MatrixCell(BaseModel):
    party: str
    target: str
    polarity: str = Field(description="mixed when the week before the latest report had both")
    counts: dict[str, int]
    latest: LatestStance


class StanceMoveOut(BaseModel):
    party: str
    target: str
    date: str
    before: str
    after: str
    evidence: str
    document_id: str
    title: str | None
    url: str | None


class MatrixOut(BaseModel):
    """``accord.analysis.stance_matrix``: parties most reported first, the plan first."""

    as_of: str | None
    parties: list[str]
    targets: list[str]
    cells: list[MatrixCell]
    moves: list[StanceMoveOut]


class TimelineOut(BaseModel):
    """One interaction however many articles reported it (``accord.analysis.timeline``);
    ``date_resolved`` is false when only the first report's publication date is known."""

    date: str
    date_resolved: bool
    type: str
    actors: list[str]
    location: str | None
    trigger: str | None
    evidence: str
    document_id: str
    title: str | None
    url: str | None
    reports: int = Field(description="how many reports were merged into it")
    sources: list[SourceOut]


class ChangesOut(BaseModel):
    """``accord.analysis.change_digest``: each change carries its sources (document, sentence)."""

    case: str
    since: str
    until: str | None
    figure_changes: list[dict[str, Any]]
    provisions_appeared: list[dict[str, Any]]
    provisions_dropped: list[dict[str, Any]]
    stance_shifts: list[dict[str, Any]]
    new_actors: list[dict[str, Any]]


class ReviewIn(BaseModel):
    action: Literal["confirm", "reject", "correct"]
    reviewer: str = Field(min_length=1, max_length=100)
    changes: dict[str, Any] | None = Field(
        None, description="for correct: fields to change (quotes: speaker, party, kind, text; "
                          "actors: name, role, party; stances: holder, target, polarity; "
                          "events: type, actors, location; provisions: provision_id, figures)")
    note: str | None = Field(None, max_length=2000)


class CorrectionIn(BaseModel):
    reviewer: str = Field(min_length=1, max_length=100)
    changes: dict[str, Any]
    note: str | None = Field(None, max_length=2000)


class AuditOut(BaseModel):
    id: int
    document_id: str
    case: str
    kind: str
    item_id: int | None
    item_key: str
    action: str
    reviewer: str
    at: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None


# What a review write can answer besides success, for the OpenAPI description.
_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "missing or wrong token"},
    403: {"description": "writes disabled"},
    404: {"description": "unknown item"},
}


def _page(fetch: Callable[..., list[dict[str, Any]]], limit: int, offset: int,
          **filters: Any) -> dict[str, Any]:
    """One page, asking for one row more to know whether another page follows."""
    rows = fetch(limit=limit + 1, offset=offset, **filters)
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "limit": limit, "offset": offset, "count": len(rows),
            "next_offset": offset + limit if more else None}


def api_router(store: Store, case: Case, auth: Auth) -> APIRouter:
    """The API over one store and case (``create_app`` mounts it under ``/api/v1``)."""
    api = APIRouter()

    def token(request: Request) -> None:
        """Checked before the body, so a request without the token learns nothing more."""
        auth.check_header(request)

    write = [Depends(token)]
    mine = {"case": case.name}

    @api.get("/documents", response_model=Page[DocumentOut])
    def documents(q: Text = None, site: Text = None, since: Since = None, until: Until = None,
                  limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        """Documents, newest first; ``q`` is a full-text search of title and text."""
        return _page(store.documents, limit, offset, search=q, site=site, since=since,
                     until=until)

    @api.get("/documents/{document_id}", response_model=DocumentDetail,
             responses={404: {"description": "unknown document"}})
    def document(document_id: DocumentId) -> dict[str, Any]:
        found = store.document(document_id)
        if found is None:
            raise HTTPException(404, f"no document {document_id}")
        return found

    @api.get("/quotes", response_model=Page[QuoteOut])
    def quotes(q: Text = None, speaker: Text = None, party: Code = None,
               document_id: Annotated[str | None, Query(pattern=r"^[0-9a-f]{16}$")] = None,
               since: Since = None, until: Until = None, limit: Limit = 50,
               offset: Offset = 0) -> dict[str, Any]:
        """Quotes, newest first; ``q`` is a full-text search of quote text and speaker."""
        return _page(store.quotes, limit, offset, search=q, speaker=speaker, party=party,
                     document_id=document_id, since=since, until=until, **mine)

    @api.get("/actors", response_model=Page[ActorOut])
    def actors(name: Text = None, party: Code = None, limit: Limit = 50,
               offset: Offset = 0) -> dict[str, Any]:
        """People, most mentioned first, with their commonest role and party."""
        return _page(store.actors, limit, offset, name=name, party=party, **mine)

    @api.get("/provisions", response_model=Page[ProvisionOut])
    def provisions(provision: Text = None, since: Since = None, until: Until = None,
                   limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        """Provisions discussed, most mentioned first, with every figure and who gave it."""
        return _page(store.provision_summary, limit, offset, provision_id=provision,
                     since=since, until=until, **mine)

    @api.get("/provisions/{provision_id}", response_model=ProvisionHistoryOut,
             responses={404: {"description": "unknown provision"}})
    def provision(provision_id: Annotated[str, Path(max_length=128)],
                  until: Until = None, limit: Limit = views.PAGE, offset: Offset = 0,
                  status_offset: Offset = 0, document_offset: Offset = 0) -> dict[str, Any]:
        """One provision's tracker: the plan's figure per version and the current state, with
        three lists a page at a time, newest first, each with its ``total`` and
        ``next_offset``: its reports (with their version and evidence; ``offset``), the
        statuses they give it (``status_offset``) and the documents discussing it
        (``document_offset``); ``limit`` sizes all three."""
        if provision_id not in {p.id for p in case.provisions}:
            raise HTTPException(404, f"no provision {provision_id!r}")
        return views.provision_view(store, case, provision_id, until, limit=limit,
                                    offset=offset, status_offset=status_offset,
                                    document_offset=document_offset)

    @api.get("/stances", response_model=Page[StanceOut])
    def stances(party: Code = None, provision: Text = None, since: Since = None,
                until: Until = None, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        """Stances, newest first; ``party`` is the holder, ``provision`` the target (or plan)."""
        return _page(store.stances, limit, offset, party=party, target=provision,
                     since=since, until=until, **mine)

    @api.get("/stances/matrix", response_model=MatrixOut)
    def matrix(as_of: Until = None) -> dict[str, Any]:
        """Each party's latest stance on the plan and on each provision, as of a date."""
        return stance_matrix(store, case, as_of=as_of).to_dict()

    @api.get("/events", response_model=Page[EventOut])
    def events(party: Code = None,
               type: Annotated[str | None, Query(pattern=r"^[A-Za-z_]{1,32}$")] = None,
               since: Since = None, until: Until = None, limit: Limit = 50,
               offset: Offset = 0) -> dict[str, Any]:
        """Extracted events one by one (with ids, for review), newest first; ``party`` matches
        any actor. ``/timeline`` merges the reports of one interaction."""
        return _page(store.events, limit, offset, party=party,
                     type=type.upper() if type else None, since=since, until=until, **mine)

    @api.get("/timeline", response_model=Page[TimelineOut])
    def events_timeline(party: Code = None,
                        type: Annotated[str | None, Query(pattern=r"^[A-Za-z_]{1,32}$")] = None,
                        since: Happened = None, until: Happened = None, limit: Limit = 50,
                        offset: Offset = 0) -> dict[str, Any]:
        """What happened when, oldest first: reports of one interaction merged into one entry
        with all their sources; ``since``/``until`` apply to the day it happened."""
        entries = timeline(store, case, since=since, until=until,
                           party=party.upper() if party else None,
                           type=type.upper() if type else None)
        return _page(lambda limit, offset: [e.to_dict() for e in entries[offset:offset + limit]],
                     limit, offset)

    @api.get("/changes", response_model=ChangesOut)
    def changes(since: Annotated[date, Query(description="start of the window (YYYY-MM-DD)")],
                until: Until = None) -> dict[str, Any]:
        """What moved in a window: plan figures, provisions reported or dropped, stance
        shifts, new people."""
        if until is not None and until < since:
            raise HTTPException(422, "until is before since")
        return change_digest(store, case, since=since, until=until).to_dict()

    @api.get("/review/audit", response_model=Page[AuditOut])
    def audit(document_id: Annotated[str | None, Query(pattern=r"^[0-9a-f]{16}$")] = None,
              limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        """Review writes, newest first: who, when, what, before and after."""
        return _page(lambda **kw: audit_log(store, **kw), limit, offset,
                     document_id=document_id)

    @api.get("/review/{kind}/{item_id}", responses={404: {"description": "unknown item"}})
    def item(kind: ItemKind, item_id: ItemId) -> dict[str, Any]:
        """One extracted item as stored (with corrections applied)."""
        return get_item(store, kind, item_id)

    @api.post("/review/{kind}/{item_id}", response_model=AuditOut, dependencies=write,
              responses=_WRITE_RESPONSES)
    def decide(kind: ItemKind, item_id: ItemId,
               body: Annotated[ReviewIn, Body()]) -> dict[str, Any]:
        """Confirm, reject or correct an item (``Authorization: Bearer <token>``)."""
        return review(store, case, kind, item_id, body.action, reviewer=body.reviewer,
                      changes=body.changes, note=body.note)

    @api.patch("/review/{kind}/{item_id}", response_model=AuditOut, dependencies=write,
               responses=_WRITE_RESPONSES)
    def correct(kind: ItemKind, item_id: ItemId,
                body: Annotated[CorrectionIn, Body()]) -> dict[str, Any]:
        """Correct fields of an item (``Authorization: Bearer <token>``)."""
        return review(store, case, kind, item_id, "correct", reviewer=body.reviewer,
                      changes=body.changes, note=body.note)
    return api
