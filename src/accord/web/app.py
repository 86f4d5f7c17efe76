"""The web surfaces: a server-rendered dashboard, the REST API, and analyst review.

Everything works with JavaScript off. Article text is untrusted: templates autoescape and the
highlighted text is built over escaped pieces. Writes need the server's token.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import sys
import threading
from contextlib import nullcontext
from datetime import date, timedelta
from importlib import resources
from typing import Any
from urllib.parse import quote as urlquote

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException as StarletteHTTPException

from accord.analysis import change_digest, format_figure, stance_matrix, version_names
from accord.analysis.changes import warm
from accord.analysis.sources import cached, one_version, refresh_in_background, refreshing
from accord.case import Case, load_case
from accord.errors import AccordError, StoreError
from accord.store import Store
from accord.store.review import (
    FIELDS,
    POLARITIES,
    QUOTE_KINDS,
    ReviewError,
    UnknownItem,
    audit_log,
    event_types,
    get_item,
    review,
)
from accord.web import views
from accord.web.api import api_router
from accord.web.auth import Auth

HERE = resources.files("accord.web")
DOC_ID = r"^[0-9a-f]{16}$"
CODE = r"^[A-Za-z0-9-]{1,16}$"
PAGE = views.PAGE
RECENT = timedelta(days=30)  # the overview's "recent changes" window
READS = frozenset({"GET", "HEAD"})  # requests that read the store's version once (no writes)
SECURITY_HEADERS = {
    # No script at all: the dashboard is plain HTML and CSS.
    "Content-Security-Policy": "default-src 'self'; script-src 'none'; object-src 'none'; "
                               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
                               "img-src 'self'; style-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def parse_day(value: str | None, name: str) -> date | None:
    """An optional ISO date from a form or query (empty means none); bad input is a 422."""
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise HTTPException(422, f"{name} is not a date (YYYY-MM-DD): {value!r}") from None


def _templates() -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=True)
    env.filters["urlpart"] = lambda v: urlquote(str(v), safe="")
    env.filters["figure"] = format_figure
    return Jinja2Templates(env=env)


def create_app(db_url: str, *, case: str | None = None, token: str | None = None,
               background: bool = False) -> FastAPI:
    """The app over one store and one case; ``token`` (or ACCORD_TOKEN) enables writes.
    ``background``: build the analyses at start and, after a write, answer from the previous
    ones while a thread refreshes them (pages say so; API responses carry
    ``X-Accord-Updating: 1``)."""
    store = Store(db_url)
    the_case = load_case(case)
    if background:
        refresh_in_background(store)
        threading.Thread(target=_warm, args=(store, the_case), daemon=True,
                         name="accord-warm").start()
    auth = Auth(token if token is not None else os.environ.get("ACCORD_TOKEN"))
    app = FastAPI(title="Accord", version="1", docs_url=None, redoc_url=None,
                  description="Sourced record of a negotiation: documents, quotes, actors, "
                              "provisions, stances, events, changes; analyst review.")
    app.state.store, app.state.case, app.state.auth = store, the_case, auth
    templates = _templates()
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def every_request(request: Request, call_next: Any) -> Response:
        with one_version() if request.method in READS else nullcontext():
            response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        if refreshing(store):
            response.headers["X-Accord-Updating"] = "1"
        return response

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    def error_page(request: Request, status: int, detail: Any) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": detail}, status_code=status)
        message = detail if isinstance(detail, str) else "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg')}" for e in detail)
        return templates.TemplateResponse(request, "error.html",
                                          {"status": status, "message": message, **base()},
                                          status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        response = error_page(request, exc.status_code, exc.detail)
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [{k: e[k] for k in ("loc", "msg", "type") if k in e} for e in exc.errors()]
        return error_page(request, 422, errors)

    @app.exception_handler(UnknownItem)
    async def unknown_item(request: Request, exc: UnknownItem) -> Response:
        return error_page(request, 404, str(exc))

    @app.exception_handler(ReviewError)
    async def bad_review(request: Request, exc: ReviewError) -> Response:
        return error_page(request, 422, str(exc))

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        return error_page(request, 503, str(exc))

    def base() -> dict[str, Any]:
        return {"case": the_case, "writes": auth.enabled, "versions": version_names(the_case),
                "updating": refreshing(store)}

    def page(request: Request, name: str, **context: Any) -> Response:
        return templates.TemplateResponse(request, name, base() | context)

    def provision_or_404(provision_id: str) -> None:
        if provision_id not in {p.id for p in the_case.provisions}:
            raise HTTPException(404, f"no provision {provision_id!r} in case {the_case.name}")

    # -- pages --------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def overview(request: Request, as_of: str | None = None) -> Response:
        day = parse_day(as_of, "as_of")
        documents = store.documents(until=day, limit=8)  # newest first
        end = day or (date.fromisoformat(documents[0]["published"])
                      if documents and documents[0]["published"] else date.today())
        digest = change_digest(store, the_case, since=end - RECENT, until=day)
        return page(request, "overview.html", as_of=day, digest=digest.to_dict(),
                    changes=views.recent_changes(digest),
                    matrix=stance_matrix(store, the_case, as_of=day).to_dict(),
                    figures=views.figures_table(store, the_case, day), documents=documents)

    @app.get("/provisions", response_class=HTMLResponse, include_in_schema=False)
    def provisions_page(request: Request) -> Response:
        found = {r["provision_id"]: r for r in
                 store.provision_summary(case=the_case.name, limit=views.ALL)}
        return page(request, "provisions.html", provisions=the_case.provisions, found=found)

    @app.get("/provisions/{provision_id}", response_class=HTMLResponse, include_in_schema=False)
    def provision_page(request: Request, provision_id: str, offset: int = 0,
                       status_offset: int = 0, document_offset: int = 0) -> Response:
        provision_or_404(provision_id)
        matrix = stance_matrix(store, the_case)
        view = views.provision_view(store, the_case, provision_id, offset=max(offset, 0),
                                    status_offset=max(status_offset, 0),
                                    document_offset=max(document_offset, 0))
        return page(request, "provision.html", p=view,
                    stances=views.target_stances(matrix, provision_id))

    @app.get("/charts/provisions/{provision_id}.svg", include_in_schema=False)
    def provision_chart(provision_id: str) -> Response:
        provision_or_404(provision_id)
        svg = cached(store, the_case, ("provision-chart", provision_id),
                     lambda: views.provision_chart(store, the_case, provision_id))
        return Response(svg, media_type="image/svg+xml")

    @app.get("/parties/{code}", response_class=HTMLResponse, include_in_schema=False)
    def party_page(request: Request, code: str) -> Response:
        if not re.match(CODE, code):
            raise HTTPException(404, f"no party {code!r}")
        code = code.upper()
        party = the_case.parties.get(code)
        people = store.actors(party=code, case=the_case.name, limit=views.ALL)
        stances = views.party_stances(store, the_case, stance_matrix(store, the_case), code)
        if party is None and not people and not stances["reports"]:
            raise HTTPException(404, f"no party {code!r}")
        return page(request, "party.html", code=code, party=party, people=people,
                    stances=stances,
                    quotes=store.quotes(party=code, case=the_case.name, limit=PAGE),
                    events=views.events_view(store, the_case, party=code)["items"])

    @app.get("/parties", response_class=HTMLResponse, include_in_schema=False)
    def parties_page(request: Request) -> Response:
        return page(request, "parties.html", parties=the_case.parties.values())

    @app.get("/people", response_class=HTMLResponse, include_in_schema=False)
    def people_page(request: Request, offset: int = 0) -> Response:
        people = store.actors(case=the_case.name, limit=PAGE, offset=max(offset, 0))
        return page(request, "people.html", people=people, offset=max(offset, 0), limit=PAGE)

    @app.get("/people/{name}", response_class=HTMLResponse, include_in_schema=False)
    def person_page(request: Request, name: str) -> Response:
        found = [a for a in store.actors(name=name, case=the_case.name, limit=views.ALL)
                 if a["name"] == name]
        if not found:
            raise HTTPException(404, f"no person named {name!r}")
        quotes = [q for q in store.quotes(speaker=name, case=the_case.name, limit=views.ALL)
                  if q["speaker"] == name]
        return page(request, "person.html", person=found[0], quotes=quotes)

    @app.get("/quotes", response_class=HTMLResponse, include_in_schema=False)
    def quotes_page(request: Request, q: str | None = None, speaker: str | None = None,
                    party: str | None = None, offset: int = 0) -> Response:
        q, speaker, party = (v.strip() or None if v else None for v in (q, speaker, party))
        rows = store.quotes(search=q, speaker=speaker, party=party, case=the_case.name,
                            limit=PAGE, offset=max(offset, 0))
        return page(request, "quotes.html", quotes=rows, q=q, speaker=speaker, party=party,
                    offset=max(offset, 0), limit=PAGE)

    @app.get("/events", response_class=HTMLResponse, include_in_schema=False)
    def events_page(request: Request, since: str | None = None, until: str | None = None,
                    party: str | None = None, type: str | None = None,
                    offset: int = 0) -> Response:
        start, end = parse_day(since, "since"), parse_day(until, "until")
        party, type = (v.strip() or None if v else None for v in (party, type))
        listing = views.events_view(store, the_case, offset=max(offset, 0), since=start,
                                    until=end, party=party.upper() if party else None, type=type)
        return page(request, "events.html", events=listing["items"], listing=listing,
                    since=start, until=end, party=party, type=type, types=event_types())

    @app.get("/documents", response_class=HTMLResponse, include_in_schema=False)
    def documents_page(request: Request, q: str | None = None, offset: int = 0) -> Response:
        q = q.strip() or None if q else None
        rows = store.documents(search=q, limit=PAGE, offset=max(offset, 0))
        return page(request, "documents.html", documents=rows, q=q, offset=max(offset, 0),
                    limit=PAGE)

    @app.get("/documents/{document_id}", response_class=HTMLResponse, include_in_schema=False)
    def document_page(request: Request, document_id: str, reviewed: str | None = None) -> Response:
        if not re.match(DOC_ID, document_id):
            raise HTTPException(404, "no such document")
        view = views.document_view(store, the_case, document_id)
        if view is None:
            raise HTTPException(404, "no such document")
        return page(request, "document.html", **view, reviewed=reviewed,
                    audit=audit_log(store, document_id=document_id, limit=views.ALL),
                    fields=FIELDS, polarities=POLARITIES, quote_kinds=QUOTE_KINDS,
                    types=event_types(), provision_ids=[p.id for p in the_case.provisions])

    @app.post("/review/{kind}/{item_id}", include_in_schema=False)
    async def review_form(request: Request, kind: str, item_id: int) -> Response:
        form = await request.form()
        value = {k: v for k, v in form.items() if isinstance(v, str)}
        auth.check(value.get("token"))
        current = get_item(store, kind, item_id)
        action = value.get("action", "")
        changes = form_changes(kind, current, value) if action == "correct" else None
        review(store, the_case, kind, item_id, action, reviewer=value.get("reviewer", ""),
               changes=changes, note=value.get("note"))
        target = f"/documents/{current['document_id']}?reviewed={kind}-{item_id}"
        anchor = f"#item-{kind}-{item_id}" if action != "reject" else "#review"
        return RedirectResponse(target + anchor, status_code=303)

    app.include_router(api_router(store, the_case, auth), prefix="/api/v1")
    return app


def _warm(store: Store, case: Case) -> None:
    try:
        warm(store, case)
    except AccordError:  # the store is unreachable now: the first request will say so
        logging.getLogger(__name__).exception("building the analyses at start failed")


def form_changes(kind: str, current: dict[str, Any], form: dict[str, str]) -> dict[str, Any]:
    """The fields a review form actually changed, typed as the review API takes them."""
    changes: dict[str, Any] = {}
    for field in FIELDS[kind]:
        if field not in form:
            continue
        raw = form[field].strip()
        if field == "actors":
            value: Any = sorted({p.strip().upper() for p in raw.split(",") if p.strip()})
            if value != sorted(current["actors"]):
                changes[field] = value
        elif field == "figures":
            value = [dict(zip(("value", "status", "unit"), line.split(None, 2)))
                     for line in raw.splitlines() if line.strip()]
            old = [{k: f[k] for k in ("value", "status", "unit") if f[k] is not None}
                   for f in current["figures"]]
            typed = [{k: float(v) if k == "value" and _number(v) else v for k, v in f.items()}
                     for f in value]
            if typed != old:
                changes[field] = typed
        elif raw != (current[field] or ""):
            changes[field] = raw
    return changes


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(db_url: str, host: str = "127.0.0.1", port: int = 8000, case: str | None = None,
          token: str | None = None) -> None:
    """Run the dashboard and API with uvicorn (loopback by default: the data is private)."""
    import uvicorn

    try:
        app = create_app(db_url, case=case, token=token, background=True)
    except AccordError as exc:
        raise SystemExit(f"error: {exc}") from None
    if not _loopback(host):
        print(f"WARNING: serving on {host}, reachable from other machines; anyone who can "
              "reach it can read the store", file=sys.stderr)
    if not app.state.auth.enabled:
        print("review is read-only: set ACCORD_TOKEN to enable writes", file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level="info")
