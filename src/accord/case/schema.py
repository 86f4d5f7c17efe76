"""The records a case is made of; frozen so that cases can be shared and cached safely."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .patterns import Rule


@dataclass(frozen=True)
class Party:
    code: str
    name: str
    kind: str  # "country" | "organisation"
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Person:
    name: str
    role: str | None
    party: str | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProvisionFigure:
    """A number a draft put on a provision (reference data, not an extraction)."""

    value: float
    unit: str | None
    version: str | None


@dataclass(frozen=True)
class Provision:
    id: str
    point: int | None
    parent: str | None
    category: str
    summary: str
    parties: tuple[str, ...]
    patterns: tuple[str, ...]
    units: tuple[str, ...] = ()
    figures: tuple[ProvisionFigure, ...] = ()
    changes: dict[str, str] = field(default_factory=dict, compare=False)
    notes: str | None = None
    rules: tuple[Rule, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class PlanVersion:
    id: str
    date: date
    summary: str
    names: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Case:
    """One negotiation's knowledge; identity-hashed so per-case caches can key on it."""

    name: str
    title: str
    versions: tuple[PlanVersion, ...]
    parties: dict[str, Party]
    people: tuple[Person, ...]
    provisions: tuple[Provision, ...]
    plan_terms: tuple[str, ...]
    source: str = ""

    def provision(self, pid: str) -> Provision:
        for prov in self.provisions:
            if prov.id == pid:
                return prov
        raise KeyError(pid)

    def top_level(self, pid: str) -> str:
        """Sub-point -> its top-level point's id; scoring compares at both levels."""
        parents = self.parents()
        while pid in parents:
            pid = parents[pid]
        return pid

    def parents(self) -> dict[str, str]:
        return {p.id: p.parent for p in self.provisions if p.parent}
