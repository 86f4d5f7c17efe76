"""Helpers shared by test modules: the project's paths and the CLI run in-process."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from accord.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
_runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    """``accord ARGS...`` in this process: (exit code, stdout, stderr)."""
    result = _runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr
