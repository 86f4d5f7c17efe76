"""Loading case files: bundled by name or a user's YAML, validated with one-line CaseErrors."""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..errors import CaseError
from .gazetteer import Gazetteer, load_gazetteer
from .patterns import UNITS, compile_rule
from .schema import Case, Party, Person, PlanVersion, Provision, ProvisionFigure

DEFAULT_CASE = "ukraine-2025"
_KINDS = ("country", "organisation")


def bundled_cases() -> list[str]:
    root = resources.files("accord") / "data" / "cases"
    return sorted(p.name for p in root.iterdir() if (p / "case.yaml").is_file())


def load_case(spec: str | Path | None = None) -> Case:
    """A bundled case by name (default ukraine-2025) or a case.yaml path; cached."""
    spec = DEFAULT_CASE if spec is None else spec
    if isinstance(spec, str) and spec in bundled_cases():
        path = Path(str(resources.files("accord") / "data" / "cases" / spec / "case.yaml"))
    else:
        path = Path(spec)
        if path.is_dir():
            path = path / "case.yaml"
    return _load_path(str(path.resolve()))


@cache
def _load_path(path: str) -> Case:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseError(f"{path}: no such case file (bundled cases: {', '.join(bundled_cases())})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(f"{path}: cannot read case file: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CaseError(f"{path}: YAML syntax error{where}: {problem}") from None
    return _Builder(path, data, load_gazetteer()).build()


class _Builder:
    """Turns parsed YAML into a Case, failing on the first problem with a one-line message."""

    def __init__(self, path: str, data: Any, gazetteer: Gazetteer) -> None:
        self.path = path
        self.data = data
        self.gaz = gazetteer

    def fail(self, where: str, problem: str) -> CaseError:
        return CaseError(f"{self.path}: {where}: {problem}" if where else f"{self.path}: {problem}")

    def need(self, obj: Any, key: str, where: str, kind: type | tuple[type, ...] = str) -> Any:
        if not isinstance(obj, dict):
            raise self.fail(where, "expected a mapping")
        if key not in obj or obj[key] is None:
            raise self.fail(where, f"missing key {key!r}")
        value = obj[key]
        if not isinstance(value, kind):
            raise self.fail(where, f"{key!r} has the wrong type ({type(value).__name__})")
        return value

    def strings(self, obj: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = obj.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
            raise self.fail(where, f"{key!r} must be a list of strings")
        return tuple(str(v) for v in value)

    def build(self) -> Case:
        data = self.data
        if not isinstance(data, dict):
            raise self.fail("", "a case file must be a YAML mapping")
        name = str(self.need(data, "name", "", (str, int)))
        title = self.need(data, "title", "")
        versions = self.versions(self.need(data, "versions", "", list))
        parties = self.parties(self.need(data, "parties", "", dict))
        people = self.people(data.get("people") or [], parties)
        provisions = self.provisions(self.need(data, "provisions", "", list), parties, versions)
        terms = self.strings(data, "plan_terms", "plan_terms")
        return Case(name, title, versions, parties, people, provisions, terms, self.path)

    def versions(self, items: list[Any]) -> tuple[PlanVersion, ...]:
        out: list[PlanVersion] = []
        for i, item in enumerate(items):
            where = f"versions[{i}]"
            vid = str(self.need(item, "id", where, (str, int)))
            raw = self.need(item, "date", f"{where} ({vid})", (date, str))
            if isinstance(raw, str):
                try:
                    raw = date.fromisoformat(raw)
                except ValueError:
                    raise self.fail(f"{where} ({vid})", f"bad date {raw!r}, expected YYYY-MM-DD") from None
            if any(v.id == vid for v in out):
                raise self.fail(where, f"duplicate version id {vid!r}")
            out.append(PlanVersion(vid, raw, str(item.get("summary") or ""), self.strings(item, "names", where)))
        return tuple(out)

    def parties(self, items: dict[Any, Any]) -> dict[str, Party]:
        out: dict[str, Party] = {}
        for code, spec in items.items():
            code = str(code)
            where = f"parties.{code}"
            spec = spec or {}
            if not isinstance(spec, dict):
                raise self.fail(where, "expected a mapping")
            aliases = self.strings(spec, "aliases", where)
            known = self.gaz.parties.get(code)
            name = spec.get("name") or (known.name if known else None)
            kind = spec.get("kind") or (known.kind if known else None)
            if known is None and (not name or kind not in _KINDS):
                raise self.fail(where, f"unknown party code {code!r}: not an ISO alpha-3 country nor a "
                                       "known organisation; give it a name and a kind (country|organisation)")
            if kind not in _KINDS:
                raise self.fail(where, f"kind must be country or organisation, not {kind!r}")
            out[code] = Party(code, str(name), str(kind), aliases)
        return out

    def check_party(self, code: Any, parties: dict[str, Party], where: str) -> str:
        code = str(code)
        if code not in parties and code not in self.gaz.parties:
            raise self.fail(where, f"unknown party code {code!r}")
        return code

    def people(self, items: Any, parties: dict[str, Party]) -> tuple[Person, ...]:
        if not isinstance(items, list):
            raise self.fail("people", "expected a list")
        out: list[Person] = []
        for i, item in enumerate(items):
            where = f"people[{i}]"
            name = self.need(item, "name", where)
            party = item.get("party")
            if party is not None:
                party = self.check_party(party, parties, f"{where} ({name})")
            role = item.get("role")
            out.append(Person(name, str(role) if role else None, party, self.strings(item, "aliases", where)))
        return tuple(out)

    def provisions(self, items: list[Any], parties: dict[str, Party],
                   versions: tuple[PlanVersion, ...]) -> tuple[Provision, ...]:
        version_ids = {v.id for v in versions}
        out: list[Provision] = []
        for i, item in enumerate(items):
            pid = str(self.need(item, "id", f"provisions[{i}]", (str, int)))
            where = f"provisions[{i}] ({pid})"
            if any(p.id == pid for p in out):
                raise self.fail(where, f"duplicate provision id {pid!r}")
            point = item.get("point")
            if point is not None and not isinstance(point, int):
                raise self.fail(where, f"point must be a whole number or null, not {point!r}")
            parent = item.get("parent")
            codes = tuple(self.check_party(c, parties, where) for c in self.strings(item, "parties", where))
            patterns = self.strings(item, "patterns", where)
            if not patterns:
                raise self.fail(where, "missing key 'patterns' (at least one rule)")
            rules = []
            for source in patterns:
                try:
                    rules.append(compile_rule(source))
                except ValueError as exc:
                    raise self.fail(where, str(exc)) from None
            units = self.strings(item, "units", where)
            for unit in units:
                if unit not in UNITS:
                    raise self.fail(where, f"unknown unit {unit!r} (known: {', '.join(sorted(UNITS))})")
            figures = tuple(self.figure(f, where, version_ids) for f in item.get("figures") or [])
            changes = item.get("changes") or {}
            if not isinstance(changes, dict):
                raise self.fail(where, "changes must map version ids to text")
            for vid in changes:
                if str(vid) not in version_ids:
                    raise self.fail(where, f"changes name unknown version {vid!r}")
            out.append(Provision(
                id=pid, point=point, parent=str(parent) if parent is not None else None,
                category=str(self.need(item, "category", where, (str,))),
                summary=str(self.need(item, "summary", where, (str,))),
                parties=codes, patterns=patterns, units=units, figures=figures,
                changes={str(k): str(v) for k, v in changes.items()},
                notes=str(item["notes"]) if item.get("notes") else None, rules=tuple(rules),
            ))
        ids = {p.id for p in out}
        for prov in out:
            if prov.parent is not None and (prov.parent not in ids or prov.parent == prov.id):
                raise self.fail(f"provision {prov.id}", f"unknown parent {prov.parent!r}")
        return tuple(out)

    def figure(self, spec: Any, where: str, version_ids: set[str]) -> ProvisionFigure:
        value = self.need(spec, "value", f"{where} figure", (int, float))
        version = spec.get("version")
        if version is not None and str(version) not in version_ids:
            raise self.fail(where, f"figure names unknown version {version!r}")
        unit = spec.get("unit")
        if unit is not None and unit not in UNITS:
            raise self.fail(where, f"unknown unit {unit!r} (known: {', '.join(sorted(UNITS))})")
        return ProvisionFigure(float(value), unit, str(version) if version is not None else None)

