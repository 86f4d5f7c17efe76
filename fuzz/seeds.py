"""Write a few valid inputs of every format into a corpus directory, so that fuzzing starts from
inputs that reach the deep paths of the readers: ``python fuzz/seeds.py CORPUS_DIR``."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from fuzz_ingest import SUFFIXES

TEXT = (
    "Envoys resume the water-sharing talks\n\n24 November 2025 | River Post | Ana Costa\n\n"
    "Delegations met in Vienna on Tuesday. “We are close,” the mediator told reporters.\n\nShare\n"
)
PAGE = (
    "<!DOCTYPE html><html><head><title>Envoys resume talks</title></head><body><nav>Home</nav>"
    "<article><h1>Envoys resume talks</h1><p>Delegations met in Vienna on Tuesday.</p>"
    "<p>“We are close,” the mediator told reporters.</p></article></body></html>"
)
FEED = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>River Post</title><item>'
    "<title>Envoys resume talks</title><pubDate>Tue, 25 Nov 2025 08:00:00 GMT</pubDate>"
    "<description>&lt;p&gt;Delegations met in Vienna on Tuesday.&lt;/p&gt;</description></item></channel></rss>"
)
POST = (
    '{"title": {"rendered": "Envoys &#8211; talks"}, "content": {"rendered": "<p>Delegations met.</p>"},'
    ' "date": "2025-11-25T08:00:00"}'
)


def warc(gzip: bool) -> bytes:
    buffer = io.BytesIO()
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    writer = WARCWriter(buffer, gzip=gzip)
    payload = io.BytesIO(PAGE.encode())
    record = writer.create_warc_record("https://river.example/1", "response", payload=payload, http_headers=headers)
    writer.write_record(record)
    return buffer.getvalue()


def main(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    seeds = {".txt": TEXT.encode(), ".html": PAGE.encode(), ".rss": FEED.encode(), ".json": POST.encode(),
             ".warc": warc(False), ".warc.gz": warc(True)}  # fmt: skip
    for suffix, content in seeds.items():
        (directory / f"seed{suffix or '-none'}").write_bytes(bytes([SUFFIXES.index(suffix)]) + content)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
