"""Case knowledge as data: the negotiation's versions, parties, people and provisions.

Extractors code against this API and never hard-code a negotiation.
"""

from __future__ import annotations

from .gazetteer import Gazetteer, PartyResolver, load_gazetteer
from .loader import DEFAULT_CASE, bundled_cases, load_case
from .patterns import UNITS, Rule, compile_rule
from .schema import Case, Party, Person, PlanVersion, Provision, ProvisionFigure

__all__ = [
    "DEFAULT_CASE", "UNITS", "Case", "Gazetteer", "Party", "PartyResolver", "Person", "PlanVersion",
    "Provision", "ProvisionFigure", "Rule", "bundled_cases", "compile_rule", "load_case", "load_gazetteer",
]
