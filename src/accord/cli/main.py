"""The ``accord`` command: a thin layer over the library (ingest, extract, show, eval)."""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
from datetime import date
from enum import Enum
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import AccordError, ExtractionError
from ..limits import Limits
from ..models import Document

app = typer.Typer(
    help="Accord: a sourced, structured record of a negotiation, from the news.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True, soft_wrap=True)
_state = {"debug": False}

DbOption = Annotated[str, typer.Option("--db", help="Store URL.", envvar="ACCORD_DB")]
CaseOption = Annotated[Optional[str], typer.Option("--case", help="Bundled case name or case YAML file.")]
DEFAULT_DB = "sqlite:///accord.db"
MaxBytesOption = Annotated[Optional[int], typer.Option("--max-bytes", help="Largest file (or WARC record) read, in bytes [ACCORD_MAX_BYTES, default 10 MiB].")]
MaxCharsOption = Annotated[Optional[int], typer.Option("--max-chars", help="Cut articles at the last paragraph end before this many characters [ACCORD_MAX_CHARS, default 100000].")]
TimeoutOption = Annotated[Optional[float], typer.Option("--timeout", help="Seconds one file may take to read, 0 for none [ACCORD_TIMEOUT, default 60].")]


def _fail(error: BaseException) -> None:
    """Print one line (a traceback only with --debug) and exit non-zero."""
    if _state["debug"]:
        raise error
    _error(str(error))
    raise typer.Exit(1)


def _error(message: str) -> None:
    """One error line; file names and article text are printed as they are, never as markup."""
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False)


@app.callback()
def main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False) -> None:
    _state["debug"] = debug
    logging.basicConfig(format="warning: %(message)s", level=logging.WARNING)


def _limits(max_bytes: int | None, max_chars: int | None, timeout: float | None) -> Limits:
    """Environment limits, overridden by the flags given."""
    given = {"max_bytes": max_bytes, "max_chars": max_chars, "timeout": timeout}
    return dataclasses.replace(Limits.from_env(), **{k: v for k, v in given.items() if v is not None})


WorkersOption = Annotated[int, typer.Option("--workers", min=1, help="Extract in this many processes (each loads the model once).")]
SchedulerOption = Annotated[Optional[str], typer.Option("--scheduler", help="Extract on the workers of this Dask cluster (tcp://HOST:PORT) instead of local processes.", envvar="ACCORD_SCHEDULER")]


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories: HTML, text, RSS/Atom, WordPress JSON, WARC.")],
    db: DbOption = DEFAULT_DB,
    case: CaseOption = None,
    workers: WorkersOption = 1,
    scheduler: SchedulerOption = None,
    max_bytes: MaxBytesOption = None,
    max_chars: MaxCharsOption = None,
    timeout: TimeoutOption = None,
) -> None:
    """Read articles, extract their record and store it. Safe to re-run: nothing changes twice."""
    from ..batch import ingest_paths
    from ..ingest import iter_sources
    from ..pipeline import Extractor
    from ..store import Store

    try:
        limits = _limits(max_bytes, max_chars, timeout)
        total = sum(1 for _ in iter_sources(paths))
        with Store(db) as store, Extractor(case) as extractor, Progress(
            TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal,
        ) as progress:
            task = progress.add_task("ingesting", total=total)
            report = ingest_paths(
                paths, store, extractor, limits=limits, workers=workers, scheduler=scheduler,
                on_source=lambda source: progress.update(task, advance=1, description=f"read {source.name[:40]}"),
                on_error=_error,
            )
    except AccordError as exc:
        _fail(exc)
    err.print(report.summary(), highlight=False)
    if report.failures:
        raise typer.Exit(1)


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories to extract from.")],
    case: CaseOption = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Write DIR/<file stem>.json per input file.")] = None,
    workers: WorkersOption = 1,
    scheduler: SchedulerOption = None,
    max_bytes: MaxBytesOption = None,
    max_chars: MaxCharsOption = None,
    timeout: TimeoutOption = None,
) -> None:
    """Extract the accord-gold/1 record of articles, without a database.

    One file prints its JSON (a list for a feed or archive); with --out, each input file gives
    DIR/<file stem>.json, or DIR/<file stem>-<n>.json per entry of a feed or archive."""
    from ..ingest import iter_sources, read_source
    from ..pipeline import Extractor

    try:
        limits = _limits(max_bytes, max_chars, timeout)
        sources = list(iter_sources(paths))
    except AccordError as exc:
        _fail(exc)
    if out_dir is None and len(sources) != 1:
        _fail(AccordError("several input files: give --out DIR to write one JSON file each"))
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    failed: set[Path] = set()
    origin: dict[int, tuple[Path, int, int]] = {}  # id(document) -> (source, entry number, entries)
    printed: list[dict] = []

    def documents() -> Iterator[Document]:
        for source in sources:
            try:
                entries = read_source(source, limits)
            except AccordError as exc:
                failed.add(source)
                _error(str(exc))
                continue
            for n, document in enumerate(entries, 1):
                origin[id(document)] = (source, n, len(entries))
                yield document

    try:
        with Extractor(case) as extractor:
            for document, result in extractor.extract_many(documents(), workers=workers, scheduler=scheduler):
                source, n, entries = origin.pop(id(document))
                if isinstance(result, ExtractionError):
                    failed.add(source)
                    _error(str(result))
                    continue
                record = result.to_json(file=source.name)
                if out_dir is None:
                    printed.append(record)
                else:
                    name = source.stem if entries == 1 else f"{source.stem}-{n}"
                    (out_dir / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    except AccordError as exc:
        _fail(exc)
    if out_dir is None and printed:
        payload: Any = printed[0] if len(printed) == 1 else printed
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    if out_dir is not None:
        err.print(f"{len(sources) - len(failed)} file(s) written to {out_dir}; {len(failed)} failed", highlight=False)
    if failed:
        raise typer.Exit(1)


class What(str, Enum):
    documents = "documents"
    quotes = "quotes"
    actors = "actors"
    provisions = "provisions"
    stances = "stances"
    events = "events"
    stories = "stories"


_COLUMNS: dict[str, list[str]] = {
    "documents": ["published", "site", "title", "language", "id"],
    "quotes": ["published", "speaker", "party", "kind", "text"],
    "actors": ["name", "role", "party", "mentions", "documents"],
    "provisions": ["published", "provision_id", "figures", "evidence", "document_title"],
    "stances": ["published", "holder", "target", "polarity", "evidence"],
    "events": ["published", "type", "actors", "location", "evidence"],
    "stories": ["id", "title", "published", "documents"],
}


@app.command()
def show(
    what: Annotated[What, typer.Argument(help="What to list.")],
    db: DbOption = DEFAULT_DB,
    speaker: Annotated[Optional[str], typer.Option(help="Quotes by this speaker (surname is enough).")] = None,
    party: Annotated[Optional[str], typer.Option(help="Party code, e.g. UKR.")] = None,
    search: Annotated[Optional[str], typer.Option("--search", "-q", help="Full-text search.")] = None,
    provision: Annotated[Optional[str], typer.Option(help="Provision id, e.g. army-cap.")] = None,
    target: Annotated[Optional[str], typer.Option(help="Stance target: plan or a provision id.")] = None,
    event_type: Annotated[Optional[str], typer.Option("--type", help="PLOVER event type.")] = None,
    name: Annotated[Optional[str], typer.Option(help="Actor name.")] = None,
    since: Annotated[Optional[str], typer.Option(help="From this publication date (YYYY-MM-DD).")] = None,
    until: Annotated[Optional[str], typer.Option(help="Up to this publication date (YYYY-MM-DD).")] = None,
    limit: Annotated[int, typer.Option(help="Rows to show.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """Answer the everyday questions from the store, as a table or JSON."""
    from ..store import Store

    try:
        window = {"since": _date(since), "until": _date(until)}
        store = Store(db)
        kind = what.value
        if kind == "documents":
            rows = store.documents(search=search, limit=limit, **window)
        elif kind == "quotes":
            rows = store.quotes(speaker=speaker, party=party, search=search, limit=limit, **window)
        elif kind == "actors":
            rows = store.actors(name=name, party=party, limit=limit)
        elif kind == "provisions":
            rows = store.provisions(provision_id=provision, limit=limit, **window)
        elif kind == "stances":
            rows = store.stances(party=party, target=target, limit=limit)
        elif kind == "events":
            rows = store.events(type=event_type, party=party, limit=limit, **window)
        else:
            rows = store.stories()[:limit]
        store.close()
    except AccordError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1, default=str) + "\n")
        return
    table = Table(title=f"{kind} ({len(rows)})", show_lines=False)
    columns = _COLUMNS[kind]
    for column in columns:
        table.add_column(column.replace("_", " "), overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    out.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return " ".join(f"{v}" for v in value.values() if v is not None)
    return str(value)


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise AccordError(f"not a date (YYYY-MM-DD): {value!r}") from None


@app.command("eval")
def evaluate(
    gold_dirs: Annotated[Optional[list[Path]], typer.Argument(help="Directories of accord-gold/1 JSON files.")] = None,
    texts: Annotated[Optional[list[Path]], typer.Option("--texts", help="Directory of the articles the gold files name (repeatable).")] = None,
    plover: Annotated[Optional[Path], typer.Option("--plover", help="Score the event coder on a PLOVER gold-standard file instead.")] = None,
    petrarch: Annotated[Optional[Path], typer.Option("--petrarch", help="Score the event coder on PETRARCH-2 validation records instead.")] = None,
    case: CaseOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
    errors: Annotated[bool, typer.Option("--errors", help="List misses and false positives per document.")] = False,
) -> None:
    """Score extraction against gold files, as GUIDELINES.md defines it, micro-averaged over all files."""
    from ..evaluate import find_text, load_gold_dir, score_corpus, score_petrarch, score_plover
    from ..ingest import read_source
    from ..pipeline import Extractor

    try:
        if plover is None and petrarch is None and not (gold_dirs and texts):
            raise AccordError("give GOLD_DIR... with --texts DIR, or --plover FILE, or --petrarch FILE")
        extractor = Extractor(case)
        if plover is not None:
            report: Any = score_plover(plover, extractor)
        elif petrarch is not None:
            report = score_petrarch(petrarch, extractor)
        else:
            pairs = []
            for directory in gold_dirs or []:
                for gold in load_gold_dir(directory).values():
                    path = find_text(gold, texts or [])
                    pairs.append((gold, extractor.extract(read_source(path)[0]).to_json(file=path.name)))
            report = score_corpus(pairs, extractor.case.parents())
    except AccordError as exc:
        _fail(exc)
    if as_json:
        payload = report.to_dict()
        if not errors:
            payload.pop("errors", None)
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    out.print(report.table())
    if errors and plover is None and petrarch is None:
        out.print(report.errors_text(), highlight=False, markup=False)


@app.command()
def changes(
    since: Annotated[str, typer.Option(help="Start of the window (YYYY-MM-DD).")],
    until: Annotated[Optional[str], typer.Option(help="End of the window (YYYY-MM-DD), default today.")] = None,
    db: DbOption = DEFAULT_DB,
    case: CaseOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the digest as JSON.")] = False,
) -> None:
    """What changed in a window: figures that moved, provisions that appeared or were dropped,
    stance shifts and new people, each with its sources (Markdown by default)."""
    from ..analysis import change_digest
    from ..case import load_case
    from ..store import Store

    try:
        window = {"since": _date(since), "until": _date(until)}
        with Store(db) as store:
            digest = change_digest(store, load_case(case), **window)
    except AccordError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(digest.to_dict(), ensure_ascii=False, indent=1, default=str) + "\n")
    else:
        sys.stdout.write(digest.to_markdown() + "\n")


@app.command()
def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Address to bind; keep 127.0.0.1 unless you mean to expose it.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    case: CaseOption = None,
    token: Annotated[Optional[str], typer.Option(help="Token that enables review writes (or ACCORD_TOKEN).", envvar="ACCORD_TOKEN")] = None,
) -> None:
    """The dashboard and the REST API (/api/v1, OpenAPI at /openapi.json)."""
    from ..web import serve as run

    run(db, host=host, port=port, case=case, token=token)


@app.command("export-gold")
def export_gold(
    out_dir: Annotated[Path, typer.Argument(help="Directory for the accord-gold/1 files.")],
    db: DbOption = DEFAULT_DB,
    case: CaseOption = None,
    everything: Annotated[bool, typer.Option("--all", help="Export every document, not only reviewed ones.")] = False,
) -> None:
    """Analysts' reviewed extractions as accord-gold/1 files that `accord eval` reads."""
    from ..case import load_case
    from ..store import Store
    from ..store.review import export_gold as export

    try:
        with Store(db) as store:
            written = export(store, load_case(case).name, out_dir, reviewed_only=not everything)
    except AccordError as exc:
        _fail(exc)
    err.print(f"{len(written)} file(s) written to {out_dir}", highlight=False)


@app.command()
def cases() -> None:
    """List the bundled cases."""
    from ..case import bundled_cases, load_case

    for name in bundled_cases():
        case = load_case(name)
        out.print(f"{name}\t{case.title}\t{len(case.provisions)} provisions", highlight=False)


@app.command()
def summary(db: DbOption = DEFAULT_DB, case: CaseOption = None) -> None:
    """What the store holds: counts, and each provision on the table with the plan's figure per
    version, the current state and the latest status."""
    from ..analysis import format_figure, plan_steps, provision_tracker, version_names
    from ..case import load_case
    from ..store import Store

    try:
        the_case = load_case(case)
        with Store(db) as store:
            stats = store.stats()
            histories = [h for h in provision_tracker(store, the_case) if h.reports]
    except AccordError as exc:
        _fail(exc)
    names = version_names(the_case)
    out.print(f"[bold]{escape(the_case.title)}[/bold]")
    out.print(", ".join(f"{k}: {v}" for k, v in stats.items()), highlight=False)
    table = Table(title="Provisions reported", show_lines=False)
    for column in ("provision", "reports", "plan figure by version", "current state", "status", "last reported"):
        table.add_column(column, overflow="fold")
    for history in histories:
        steps = " → ".join(
            f"{format_figure(step.figure.value, step.figure.unit)} ({names.get(step.version, step.version)})"
            for step in plan_steps(history, the_case)
        )
        current = history.current_state[-1] if history.current_state else None
        table.add_row(
            history.id,
            str(len(history.reports)),
            steps,
            format_figure(current.value, current.unit) if current else "",
            history.current_status or "",
            str(history.last_reported or ""),
        )
    out.print(table)
