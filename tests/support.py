"""Helpers shared by test modules: the project's paths, the CLI run in-process, and the sample
articles the pipeline and cluster tests extract (own sentences)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from accord.cli.main import app
from accord.models import Document

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
_runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    """``accord ARGS...`` in this process: (exit code, stdout, stderr)."""
    result = _runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


SAMPLE_TEXTS = [
    "Secretary of State Marco Rubio said on Sunday that the talks in Geneva had been productive.\n\n"
    "The draft would cap the Ukrainian army at 600,000 troops.",
    "Kremlin spokesman Dmitry Peskov said Moscow had not yet received the revised plan.",
    "Ukrainian and American delegations met in Geneva on Sunday to discuss the 28-point plan.\n\n"
    "\u201cWe are making real progress,\u201d Rubio told reporters after the meeting.",
    "President Volodymyr Zelensky rejected any withdrawal from Donbas and said Ukraine would not "
    "give up territory it controls.",
    "The weather in the valley stayed mild all week, and the harvest came in early.",
]
BATCH = 2  # five documents twice in batches of two: more chunks than a pool keeps in flight


def sample_documents(tag: str) -> list[Document]:
    """The sample texts twice, as documents with distinct sources."""
    return [
        Document(text=text, source=f"{tag}-{i}.txt", published=date(2025, 11, 23))
        for i, text in enumerate(SAMPLE_TEXTS * 2)
    ]


def write_articles(root: Path) -> list[Path]:
    """The sample texts as saved article files in ``root``, in order."""
    root.mkdir(parents=True, exist_ok=True)
    for i, text in enumerate(SAMPLE_TEXTS):
        (root / f"article-{i}.txt").write_text(f"Talks, day {i}\n\n{text}\n", encoding="utf-8")
    return sorted(root.glob("article-*"))
