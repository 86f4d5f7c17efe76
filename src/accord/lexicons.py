"""Lexicons shipped as data (``accord/data/lexicons/*.yaml``), loaded once and cached."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from .errors import AccordError


@cache
def load_lexicon(name: str) -> Any:
    """The parsed content of ``data/lexicons/<name>.yaml``."""
    path = resources.files("accord") / "data" / "lexicons" / f"{name}.yaml"
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise AccordError(f"lexicon {name!r} is missing from the package data") from exc
