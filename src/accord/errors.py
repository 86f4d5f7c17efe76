"""One exception hierarchy for Accord: the CLI prints ``str(error)`` as one line."""

from __future__ import annotations


class AccordError(Exception):
    """Base of every error Accord raises on purpose."""


class InputError(AccordError):
    """A source file or URL cannot be read or holds no usable article."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class CaseError(AccordError):
    """A case file is missing or invalid."""


class ExtractionError(AccordError):
    """An extractor failed on one document; the document itself is kept."""


class StoreError(AccordError):
    """The store cannot be opened, migrated or written."""


class GoldError(AccordError):
    """A gold file does not follow accord-gold/1."""
