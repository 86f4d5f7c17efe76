"""Fuzz the ingest readers: bytes -> a file -> read_source. InputError is the expected answer to
bad input; any other exception, a hang (libFuzzer's -timeout) or a blow-up (-rss_limit_mb) is a
crash. The first bytes choose the file's suffix, so every sniffing path is reached."""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["accord"]):
    from accord.errors import InputError
    from accord.ingest import read_source
    from accord.limits import Limits

SUFFIXES = (".txt", ".html", ".json", ".xml", ".rss", ".warc", ".warc.gz", "")
LIMITS = Limits(max_bytes=1 << 20, max_chars=20_000, timeout=0)  # libFuzzer owns the time limit
DIRECTORY = Path(tempfile.mkdtemp(prefix="accord-fuzz-"))
logging.disable(logging.WARNING)  # the readers' notes (cut texts, replaced bytes) are expected


def test_one_input(data: bytes) -> None:
    if not data:
        return
    path = DIRECTORY / f"input{SUFFIXES[data[0] % len(SUFFIXES)]}"
    path.write_bytes(data[1:])
    try:
        documents = read_source(path, LIMITS)
    except InputError:
        return
    finally:
        path.unlink()
    assert documents and all(d.text.strip() and len(d.text) <= LIMITS.max_chars for d in documents)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
