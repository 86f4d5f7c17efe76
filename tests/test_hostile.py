"""Hostile inputs: each one gives a one-line InputError or a correct document, quickly and in
bounded memory, and `accord ingest` on all of them stores the good ones and reports the rest.

The corpus is generated in a temporary directory (nothing big is committed).
"""

from __future__ import annotations

import io
import logging
import os
import random
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from accord.errors import AccordError, InputError
from accord.ingest import iter_documents, read_source
from accord.limits import Limits
from accord.models import Document

ACCORD = Path(sys.executable).with_name("accord")

# Our own sentences.
HEADLINE = "Envoys resume the water-sharing talks"
ENGLISH = [
    "Delegations from the two river states met in Vienna on Tuesday to revise the draft accord.",
    "The mediator said both sides had agreed to exchange hydrological data every month.",
]
RUSSIAN = [
    "Делегации двух стран встретились во вторник в Вене, чтобы обсудить проект соглашения.",
    "Посредник сообщил, что стороны договорились ежемесячно обмениваться данными.",
]


def article(title: str, paragraphs: list[str]) -> str:
    return "\n\n".join([title, *paragraphs])


def html_page(body: str, title: str = HEADLINE) -> str:
    return f"<!DOCTYPE html><html><head><title>{title}</title></head><body>{body}</body></html>"


def billion_laughs(root: str) -> bytes:
    levels = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    return (
        f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY l0 "lol">{levels}]>'
        f'<rss version="2.0"><channel><title>Feed</title><item><title>&l9;</title>'
        f"<description>&l9;</description></item></channel></rss>"
    ).encode()


def warc_gz(pages: list[str]) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for n, page in enumerate(pages):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            f"https://river.example/{n}", "response", payload=io.BytesIO(page.encode()), http_headers=headers
        )
        writer.write_record(record)
    return buffer.getvalue()


PARAGRAPH = f"<p>{ENGLISH[0]}</p>\n"
QUOTES = article(
    "Quotation marks everywhere",
    [f"The spokesman said “{ENGLISH[1]} and then « the talks » went on '" + ' "' * 200, "„ ‘ ’ “ ” « »" * 100],
)

# name -> (content, expected): an error reason fragment, or None for a correct document.
CORPUS: dict[str, tuple[bytes, str | None]] = {
    "empty.txt": (b"", "empty file"),
    "blank.txt": (b" \n\t\r\n   \n", "empty file"),
    "noise.html": (random.Random(6).randbytes(200_000), "binary content"),
    "image.txt": (b"\x89PNG\r\n\x1a\n" + random.Random(7).randbytes(5000), "binary content"),
    "huge.html": (html_page("<article>" + PARAGRAPH * (50 * 2**20 // len(PARAGRAPH)) + "</article>").encode(),
                  "too large"),
    "nested.html": (html_page("<div>" * 100_000 + PARAGRAPH * 5 + "</div>" * 100_000).encode(), "nested too deeply"),
    "cp1251.txt": (article("Переговоры продолжаются", RUSSIAN).encode("cp1251"), None),
    "utf16le.txt": (article(HEADLINE, ENGLISH + RUSSIAN).encode("utf-16-le"), None),
    "utf16be.txt": (article("Переговоры в Вене", RUSSIAN).encode("utf-16-be"), None),
    "damaged.txt": (article(HEADLINE, RUSSIAN).encode().replace(b"\n\n", b"\n\n\xff\xfe\xc3(", 1), None),
    "quotes.txt": (QUOTES.encode(), None),
    "cut.warc.gz": (b"", "truncated gzip"),  # built in the fixture
    "laughs.xml": (billion_laughs("rss"), "entity expansion"),
    "xxe.rss": (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<rss version="2.0"><channel><item><description>&x;</description></item></channel></rss>',
                "entity expansion"),
    "other.json": (b'{"name": "not an article", "items": [1, 2, 3]}', "not a WordPress post"),
    "deep.json": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    "deep-post.json": (('{"title": {"rendered": "T"}, "content": {"rendered": "' + "<div>" * 100_000 + "x"
                        + "</div>" * 100_000 + '"}}').encode(), "no article text"),
}  # fmt: skip
GOOD = {
    "good.txt": article(HEADLINE, ENGLISH),
    "good.html": html_page(f"<article><h1>{HEADLINE}</h1>{PARAGRAPH}</article>"),
}
SPECIAL = {"loop": "symlink loop", "self-link.txt": "Too many levels of symbolic links", "zero.txt": "is a device"}
if hasattr(os, "mkfifo"):
    SPECIAL["pipe.txt"] = "is a FIFO"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    for name, (content, _) in CORPUS.items():
        (root / name).write_bytes(content)
    whole = warc_gz([html_page(f"<article>{PARAGRAPH * 3}</article>", f"Page {n}") for n in range(3)])
    (root / "cut.warc.gz").write_bytes(whole[:-30])
    for name, text in GOOD.items():
        (root / name).write_text(text, encoding="utf-8")
    os.symlink(root, root / "loop")
    os.symlink(root / "self-link.txt", root / "self-link.txt")
    os.symlink("/dev/zero", root / "zero.txt")
    if "pipe.txt" in SPECIAL:
        os.mkfifo(root / "pipe.txt")
    return root


def by_file(items: list[Document | InputError]) -> dict[str, list[Document | InputError]]:
    found: dict[str, list[Document | InputError]] = {}
    for item in items:
        found.setdefault(Path(item.source.split("#")[0]).name, []).append(item)
    return found


def test_each_hostile_file_gives_one_clear_error_or_a_correct_document(corpus: Path) -> None:
    started = time.monotonic()
    found = by_file(list(iter_documents([corpus])))
    assert time.monotonic() - started < 60
    expected = {name: reason for name, (_, reason) in CORPUS.items()} | dict.fromkeys(GOOD) | SPECIAL
    assert set(found) == set(expected)
    for name, reason in expected.items():
        errors = [item for item in found[name] if isinstance(item, InputError)]
        if reason is None:
            assert not errors and len(found[name]) == 1, (name, errors)
            continue
        assert errors, name
        assert reason in errors[-1].reason, (name, errors[-1].reason)
        assert "\n" not in str(errors[-1]) and len(str(errors[-1])) < 300


def test_recoverable_encodings_decode_to_the_right_text(corpus: Path) -> None:
    (cp1251,) = read_source(corpus / "cp1251.txt")
    assert cp1251.text == article("Переговоры продолжаются", RUSSIAN) and cp1251.language == "ru"
    (le,) = read_source(corpus / "utf16le.txt")
    assert le.text == article(HEADLINE, ENGLISH + RUSSIAN)
    (be,) = read_source(corpus / "utf16be.txt")
    assert be.text.split("\n\n")[1:] == RUSSIAN
    (damaged,) = read_source(corpus / "damaged.txt")
    assert RUSSIAN[0] in damaged.text and RUSSIAN[1] in damaged.text and "\ufffd" in damaged.text
    (quotes,) = read_source(corpus / "quotes.txt")
    assert quotes.text == QUOTES


def test_the_cut_archive_keeps_its_whole_pages(corpus: Path) -> None:
    items = list(iter_documents([corpus / "cut.warc.gz"]))
    *pages, cut = items
    assert isinstance(cut, InputError) and cut.reason == "truncated gzip"
    assert pages and [page.title for page in pages] == [f"Page {n}" for n in range(len(pages))]


def test_size_limit_is_a_clear_error_and_configurable(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(html_page(f"<article>{PARAGRAPH * 40}</article>"), encoding="utf-8")
    with pytest.raises(InputError, match=r"too large \(0\.0 MB; the limit is 0\.0 MB, ACCORD_MAX_BYTES\)"):
        read_source(path, Limits(max_bytes=1000))
    assert read_source(path, Limits(max_bytes=10_000))[0].text.count(ENGLISH[0]) == 40


def test_an_oversized_archive_record_is_reported_and_the_others_kept(tmp_path: Path) -> None:
    pages = [html_page(f"<article>{PARAGRAPH * n}</article>", f"Page {n}") for n in (3, 300, 4)]
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(warc_gz(pages))
    items = list(iter_documents([path], Limits(max_bytes=10_000)))
    assert [getattr(item, "title", None) for item in items] == ["Page 3", None, "Page 4"]
    assert isinstance(items[1], InputError) and "record larger than" in items[1].reason


def test_long_articles_are_cut_at_a_paragraph_end_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "long.txt"
    path.write_text(article(HEADLINE, ENGLISH * 100), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="accord.ingest"):
        (doc,) = read_source(path, Limits(max_chars=1000))
    assert len(doc.text) <= 1000 and doc.text.split("\n\n")[-1] in ENGLISH
    assert f"{path}: text cut to {len(doc.text)} of" in caplog.text


def test_a_slow_file_times_out_and_the_alarm_is_restored(tmp_path: Path) -> None:
    path = tmp_path / "slow.html"
    path.write_text(html_page("<article>" + PARAGRAPH * 40_000 + "</article>"), encoding="utf-8")
    handler = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    with pytest.raises(InputError, match=r"reading took longer than 0\.3 s"):
        read_source(path, Limits(timeout=0.3))
    assert time.monotonic() - started < 5
    assert signal.getsignal(signal.SIGALRM) is handler and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_limits_from_environment() -> None:
    limits = Limits.from_env({"ACCORD_MAX_BYTES": "2048", "ACCORD_MAX_CHARS": "500", "ACCORD_TIMEOUT": "0"})
    assert limits == Limits(max_bytes=2048, max_chars=500, timeout=0)
    assert Limits.from_env({}) == Limits()
    with pytest.raises(AccordError, match="ACCORD_MAX_BYTES must be a number"):
        Limits.from_env({"ACCORD_MAX_BYTES": "ten"})
    with pytest.raises(AccordError, match="must be positive"):
        Limits(max_chars=0)


@pytest.mark.parametrize("workers", [1, 2])
def test_cli_ingest_stores_the_good_files_and_reports_each_bad_one(corpus: Path, tmp_path: Path, workers: int) -> None:
    """The whole corpus in one real run: exit 1, one line per bad file, a summary, bounded memory;
    the same when the files are read in worker processes."""
    db = tmp_path / "hostile.db"
    run = subprocess.run(
        [str(ACCORD), "ingest", str(corpus), "--db", f"sqlite:///{db}", "--workers", str(workers)],
        capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert run.returncode == 1, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    bad = {name for name, (_, reason) in CORPUS.items() if reason} | set(SPECIAL)
    assert sorted(Path(line.split()[1].rstrip(":").split("#")[0]).name for line in errors) == sorted(bad)
    assert "Traceback" not in run.stderr
    good = len(GOOD) + sum(reason is None for _, reason in CORPUS.values())
    summary = run.stderr.splitlines()[-1]
    assert f"{good} document(s)" in summary and summary.endswith(f"0 already stored; {len(bad)} failed")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == good
    assert peak_mb < 1536, f"peak RSS {peak_mb:.0f} MB"
    print(f"peak RSS of the hostile ingest: {peak_mb:.0f} MB")
