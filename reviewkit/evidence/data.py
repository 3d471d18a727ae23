"""Load the datasets in data/ and validate every row before a chapter may read it.

The contract is the Frictionless Data Package in data/datapackage.json, plus three tables it
describes: quantities.csv (each quantity's dimension and display unit), designs.csv (each
source's conditions, group sizes and time points) and pages.csv (every page read, and what kind
of page it is), which the tables' foreign keys point at. Loading never coerces or drops anything
silently: every problem is reported as ``file:line: column 'name': message`` with the physical
line an editor shows, and all problems of a file are raised together.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from reviewkit.book import inputs
from reviewkit import paths
from reviewkit.evidence import units
from reviewkit.textfiles import InputError, label, line_of, read_csv, read_json

# Spread kinds that are one +/- number, and kinds that are an interval (low, high).
SINGLE_SPREAD_KINDS = {"SEM", "SD", "unstated"}
INTERVAL_SPREAD_KINDS = {"range", "95% CI", "IQR"}
# Plain decimal notation in ASCII digits: no exponent, digit separator or other script's digits.
DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
INTEGER = re.compile(r"-?[0-9]+")
CONTRACT_RESOURCES = ("quantities", "designs", "pages")


class DataValidationError(InputError):
    """Raised when a data file breaks its contract; ``problems`` lists every message."""


@dataclass(frozen=True)
class Resource:
    name: str
    path: Path
    schema: dict
    title: str
    description: str
    declared_at: str = ""  # "data/datapackage.json:LINE", for problems about the resource itself


@dataclass
class Contract:
    """What the rows must name: declared quantities, each source's design, and the values a
    foreign key of a schema may take (resource name -> field -> allowed values)."""
    quantities: dict[str, dict] = field(default_factory=dict)
    conditions: dict[tuple[str, str], int | None] = field(default_factory=dict)
    time_points: dict[str, list[str]] = field(default_factory=dict)
    keys: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    designs_label: str = "data/designs.csv"
    quantities_label: str = "data/quantities.csv"


def resources(datapackage_path: Path = paths.DATAPACKAGE_PATH) -> list[Resource]:
    """Every resource of the data package, with its schema resolved and its file present."""
    datapackage_path = Path(datapackage_path)
    base, where = datapackage_path.parent, label(datapackage_path)
    package, text = read_json(datapackage_path)
    entries = package.get("resources") if isinstance(package, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InputError([f"{where}:1: needs a non-empty list 'resources'"])
    found, problems = [], []
    for number, entry in enumerate(entries, 1):
        name = entry.get("name") if isinstance(entry, dict) else None
        line = line_of(text, f'"{name}"') if isinstance(name, str) else 1
        missing = [key for key in ("name", "path", "schema")
                   if not isinstance(entry, dict) or not entry.get(key)]
        if missing:
            problems.append(f"{where}:{line}: resource {number} lacks {', '.join(missing)}")
            continue
        path = base / entry["path"]
        if not path.is_file():
            problems.append(f"{where}:{line_of(text, entry['path'], line)}: resource {name!r}: "
                            f"{label(path)} does not exist")
        schema = entry["schema"]
        try:
            if isinstance(schema, str):
                schema, _ = read_json(base / schema)
            problems_of_schema = schema_problems(schema, label(base / entry["schema"])
                                                 if isinstance(entry["schema"], str) else where)
        except InputError as error:
            problems.extend(error.problems)
            continue
        if problems_of_schema:
            problems.extend(problems_of_schema)
            continue
        found.append(Resource(name=name, path=path, schema=schema,
                              title=entry.get("title", name),
                              description=entry.get("description", ""),
                              declared_at=f"{where}:{line}"))
    if problems:
        raise InputError(problems)
    return found


def schema_problems(schema: object, where: str) -> list[str]:
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        return [f"{where}:1: a Table Schema needs a list 'fields'"]
    bad = [i for i, item in enumerate(schema["fields"], 1)
           if not isinstance(item, dict) or not isinstance(item.get("name"), str)]
    return [f"{where}:1: field {i} has no name" for i in bad]


def resource(name: str, datapackage_path: Path = paths.DATAPACKAGE_PATH) -> Resource:
    known = resources(datapackage_path)
    for candidate in known:
        if candidate.name == name:
            return candidate
    names = ", ".join(sorted(r.name for r in known))
    raise InputError([f"{label(datapackage_path)}:1: no dataset named {name!r}; known: {names}"])


@lru_cache(maxsize=4)
def _bib_keys_cached(bib_path: str, mtime_ns: int) -> frozenset[str]:
    from reviewkit.bibliography.bib import read_library

    return frozenset(entry.key for entry in read_library(Path(bib_path)).entries)


def bib_keys(bib_path: Path = paths.BIB_PATH) -> frozenset[str]:
    """The keys of references.bib; a chapter that validates data depends on these alone."""
    bib_path = Path(bib_path)
    if not bib_path.is_file():
        raise InputError([f"{label(bib_path)}:1: file does not exist"])
    inputs.note_read(inputs.BIB_KEYS_INPUT)
    with inputs.reads_not_recorded():
        return _bib_keys_cached(str(bib_path), bib_path.stat().st_mtime_ns)


def _parse_number(text: str) -> float:
    if not DECIMAL.fullmatch(text):
        raise ValueError(text)
    return float(text)


def _is_values_schema(schema: dict) -> bool:
    names = {item["name"] for item in schema["fields"]}
    return {"quantity", "unit", "condition", "time_point", "value"} <= names


def _needs_contract(schema: dict) -> bool:
    return _is_values_schema(schema) or bool(schema.get("foreignKeys"))


def _foreign_key_problems(row: dict[str, str], where: str, schema: dict,
                          contract: Contract) -> list[str]:
    """Each foreign key of the schema must name a row of the resource it refers to."""
    problems = []
    for foreign in schema.get("foreignKeys") or []:
        reference = foreign["reference"]
        allowed = contract.keys.get(reference["resource"], {})
        for name, target in zip(foreign["fields"], reference["fields"]):
            if row[name] and row[name] not in allowed.get(target, set()):
                problems.append(
                    f"{where}: column {name!r}: {row[name]!r} is not a {target} of "
                    f"{contract.labels.get(reference['resource'], reference['resource'])}; "
                    "add it there first")
    return problems


def validate_rows(
    rows: list[tuple[int, dict]] | list[dict],
    header: list[str],
    schema: dict,
    file_label: str,
    known_keys: frozenset[str],
    contract: Contract | None = None,
) -> list[str]:
    """All problems of one table as ``file:line: column: message`` strings.

    ``rows`` are (physical line, record) pairs as ``textfiles.read_csv`` gives them; plain
    records are numbered as if each took one line after the header.
    """
    rows = [row if isinstance(row, tuple) else (number, row)
            for number, row in enumerate(rows, start=2)]
    problems = []
    fields = schema["fields"]
    expected = [item["name"] for item in fields]
    for name in expected:
        if name not in header:
            problems.append(f"{file_label}:1: column {name!r} is missing from the header")
    for name in header:
        if name not in expected:
            problems.append(f"{file_label}:1: column {name!r} is not in the schema")
    if problems:
        return problems
    if not rows:
        return [f"{file_label}:1: the file has a header but no data rows"]

    primary_key = schema.get("primaryKey") or []
    seen: dict[tuple, int] = {}
    for line_number, row in rows:
        where = f"{file_label}:{line_number}"
        if None in row or any(value is None for value in row.values()):
            given = len([v for k, v in row.items() if k is not None and v is not None])
            given += len(row.get(None) or [])
            problems.append(f"{where}: row has {given} cells, the header has {len(header)}")
            continue
        row_problems = []
        for item in fields:
            row_problems.extend(_cell_problems(item, row[item["name"]], where, known_keys))
        if not row_problems and contract is not None and _is_values_schema(schema):
            row_problems.extend(_contract_problems(row, where, contract))
        if not row_problems and contract is not None:
            row_problems.extend(_foreign_key_problems(row, where, schema, contract))
        if not row_problems and "spread_kind" in row:
            row_problems.extend(_spread_problems(row, where))
        problems.extend(row_problems)
        if primary_key:
            key = tuple(row[name] for name in primary_key)
            if key in seen:
                problems.append(f"{where}: duplicate of line {seen[key]} (same "
                                f"{', '.join(primary_key)})")
            else:
                seen[key] = line_number
    return problems


def _cell_problems(item: dict, text: str, where: str, known_keys: frozenset[str]) -> list[str]:
    name = item["name"]
    constraints = item.get("constraints", {})
    if text == "":
        return [f"{where}: column {name!r}: required value is empty"] \
            if constraints.get("required") else []
    if text != text.strip():
        return [f"{where}: column {name!r}: value {text!r} has surrounding spaces"]
    kind = item.get("type", "string")
    if kind == "number" and not DECIMAL.fullmatch(text):
        return [f"{where}: column {name!r}: {text!r} is not a number in plain decimal "
                "notation (digits 0-9, optional '-' and '.', nothing else)"]
    if kind == "integer" and not INTEGER.fullmatch(text):
        return [f"{where}: column {name!r}: {text!r} is not a whole number"]
    problems = []
    if "minimum" in constraints and float(text) < constraints["minimum"]:
        problems.append(f"{where}: column {name!r}: {text} is below the minimum "
                        f"{constraints['minimum']}")
    if "enum" in constraints and text not in constraints["enum"]:
        allowed = ", ".join(repr(v) for v in constraints["enum"])
        problems.append(f"{where}: column {name!r}: value not allowed {text!r} "
                        f"(allowed: {allowed})")
    if "pattern" in constraints and not re.fullmatch(constraints["pattern"], text):
        problems.append(f"{where}: column {name!r}: {text!r} does not match "
                        f"{constraints['pattern']}")
    if item.get("format") == "uri" and not paths.URL_PATTERN.match(text):
        problems.append(f"{where}: column {name!r}: {text!r} is not an http(s) URL")
    if name == "source_key" and text not in known_keys:
        problems.append(f"{where}: column 'source_key': {text!r} is not a key of references.bib")
    return problems


def _did_you_mean(text: str, choices) -> str:
    close = difflib.get_close_matches(text, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _contract_problems(row: dict[str, str], where: str, contract: Contract) -> list[str]:
    """A value row must name a declared quantity, a unit of its dimension, and its design."""
    problems = []
    key, quantity = row["source_key"], row["quantity"]
    declared = contract.quantities.get(quantity)
    if declared is None:
        problems.append(f"{where}: column 'quantity': {quantity!r} is not declared in "
                        f"{contract.quantities_label}{_did_you_mean(quantity, contract.quantities)}")
    problems.extend(_unit_problems(row, where, declared))
    conditions = {name for (source, name) in contract.conditions if source == key}
    if (key, row["condition"]) not in contract.conditions:
        problems.append(f"{where}: column 'condition': {row['condition']!r} is not a condition of "
                        f"{key} in {contract.designs_label}"
                        f"{_did_you_mean(row['condition'], conditions)}")
    else:
        design_n = contract.conditions[(key, row["condition"])]
        if row["n"] and design_n is not None and int(row["n"]) != design_n and not row["n_note"]:
            problems.append(f"{where}: column 'n': {row['n']} differs from the group size "
                            f"{design_n} that {contract.designs_label} gives for "
                            f"{row['condition']!r}; say why in 'n_note'")
    time_points = contract.time_points.get(key, [])
    if row["time_point"] and row["time_point"] not in time_points:
        problems.append(f"{where}: column 'time_point': {row['time_point']!r} is not a time point "
                        f"of {key} in {contract.designs_label}"
                        f"{_did_you_mean(row['time_point'], time_points)}")
    return problems


def _unit_problems(row: dict[str, str], where: str, declared: dict | None) -> list[str]:
    unit, statistic = row["unit"], row["statistic"]
    try:
        units.parse(unit)
    except units.UnitError as error:
        return [f"{where}: column 'unit': {error}"]
    if statistic in units.STATISTIC_UNITS:
        wanted = units.STATISTIC_UNITS[statistic]
        if unit != wanted:
            return [f"{where}: column 'unit': a {statistic!r} is given in {wanted!r}, not {unit!r}"]
        return []
    if declared is not None and not units.fits(unit, declared["dimension"]):
        return [f"{where}: column 'unit': {unit!r} measures {units.dimension_of(unit)}, but "
                f"{row['quantity']!r} is a {declared['dimension']} "
                f"(display unit {declared['display_unit']})"]
    return []


def _spread_problems(row: dict[str, str], where: str) -> list[str]:
    """The spread columns must say exactly what the source reported, no more and no less."""
    kind, single = row["spread_kind"], row["spread"]
    low, high = row["spread_low"], row["spread_high"]
    if kind in SINGLE_SPREAD_KINDS:
        if single == "" or low or high:
            return [f"{where}: column 'spread': spread_kind {kind!r} needs 'spread' and no "
                    "'spread_low'/'spread_high'"]
    elif kind in INTERVAL_SPREAD_KINDS:
        if single or low == "" or high == "":
            return [f"{where}: column 'spread_low': spread_kind {kind!r} needs 'spread_low' and "
                    "'spread_high' and no 'spread'"]
    elif kind == "none" and (single or low or high):
        return [f"{where}: column 'spread_kind': 'none' but a spread is given"]
    return []


def _typed_frame(rows: list[dict[str, str]], schema: dict) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[item["name"] for item in schema["fields"]], dtype=object)
    for item in schema["fields"]:
        name, kind = item["name"], item.get("type", "string")
        if kind == "number":
            # The text as printed keeps the source's precision (2.70, not 2.7) for tables.
            frame[f"{name}_text"] = frame[name].replace("", pd.NA).astype("string")
            frame[name] = [(_parse_number(v) if v != "" else float("nan")) for v in frame[name]]
            frame[name] = frame[name].astype("float64")
        elif kind == "integer":
            frame[name] = pd.array([int(v) if v != "" else pd.NA for v in frame[name]],
                                   dtype="Int64")
        else:
            frame[name] = frame[name].astype("string")
    return frame


def _with_display_units(frame: pd.DataFrame, contract: Contract) -> pd.DataFrame:
    """Add display_* columns: each value in its quantity's display unit (converted in code)."""
    factors, display = [], []
    for quantity, statistic, unit in zip(frame["quantity"], frame["statistic"], frame["unit"]):
        if statistic in units.STATISTIC_UNITS:
            factors.append(1.0)
            display.append(unit)
        else:
            target = contract.quantities[quantity]["display_unit"]
            factors.append(units.factor(unit, target))
            display.append(target)
    factors = pd.Series(factors, index=frame.index, dtype="float64")
    for column in ("value", "spread", "spread_low", "spread_high"):
        frame[f"display_{column}"] = frame[column] * factors
    frame["display_unit"] = pd.Series(display, index=frame.index, dtype="string")
    return frame


def _read_records(csv_path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    return read_csv(csv_path)


def read_checked(
    csv_path: Path,
    schema: dict,
    bib_path: Path = paths.BIB_PATH,
    file_label: str | None = None,
    contract: Contract | None = None,
) -> pd.DataFrame:
    """Read one CSV as text, validate every cell and row, and only then convert types.

    A values table, or one with foreign keys, is checked against the contract (quantities,
    designs, pages) of the data package it sits in, unless one is given; a values frame gains
    the display_* columns.
    """
    csv_path = Path(csv_path)
    where = file_label or label(csv_path)
    header, rows = _read_records(csv_path)
    needs_keys = any(item["name"] == "source_key" for item in schema["fields"])
    known = bib_keys(bib_path) if needs_keys else frozenset()
    if contract is None and _needs_contract(schema):
        contract = load_contract(csv_path.parent / "datapackage.json", bib_path)
    problems = validate_rows(rows, header, schema, where, known, contract)
    if problems:
        raise DataValidationError(problems)
    frame = _typed_frame([record for _, record in rows], schema)
    if contract is not None and _is_values_schema(schema):
        frame = _with_display_units(frame, contract)
    return frame


def load_contract(datapackage_path: Path = paths.DATAPACKAGE_PATH,
                  bib_path: Path = paths.BIB_PATH) -> Contract:
    """The declared quantities, designs and pages, themselves validated."""
    found = {r.name: r for r in resources(datapackage_path) if r.name in CONTRACT_RESOURCES}
    missing = [name for name in CONTRACT_RESOURCES if name not in found]
    if missing:
        raise InputError([f"{label(datapackage_path)}:1: no resource named {name!r} (the "
                          "contract every values table is checked against)" for name in missing])
    contract = Contract(quantities_label=label(found["quantities"].path),
                        designs_label=label(found["designs"].path))
    problems = []
    header, rows = _read_records(found["quantities"].path)
    problems += validate_rows(rows, header, found["quantities"].schema,
                              contract.quantities_label, frozenset())
    if not problems:
        for line, row in rows:
            problems += _quantity_problems(row, f"{contract.quantities_label}:{line}")
            contract.quantities[row["quantity"]] = row
    header, rows = _read_records(found["designs"].path)
    problems += validate_rows(rows, header, found["designs"].schema, contract.designs_label,
                              bib_keys(bib_path))
    if not problems:
        for _, row in rows:
            if row["element"] == "condition":
                contract.conditions[(row["source_key"], row["name"])] = \
                    int(row["n"]) if row["n"] else None
            else:
                contract.time_points.setdefault(row["source_key"], []).append(row["name"])
    pages = found["pages"]
    contract.labels["pages"] = label(pages.path)
    header, rows = _read_records(pages.path)
    page_problems = validate_rows(rows, header, pages.schema, label(pages.path), frozenset())
    problems += page_problems
    if not page_problems:
        contract.keys["pages"] = {"url": {row["url"] for _, row in rows}}
    if problems:
        raise DataValidationError(problems)
    return contract


def _quantity_problems(row: dict[str, str], where: str) -> list[str]:
    try:
        units.check_dimension_name(row["dimension"])
        units.parse(row["display_unit"])
    except units.UnitError as error:
        return [f"{where}: {error}"]
    if not units.fits(row["display_unit"], row["dimension"]):
        return [f"{where}: column 'display_unit': {row['display_unit']!r} does not measure "
                f"{row['dimension']}"]
    return []


def load(name: str, datapackage_path: Path = paths.DATAPACKAGE_PATH,
         bib_path: Path = paths.BIB_PATH) -> pd.DataFrame:
    """The dataset ``name`` of the data package, validated, with typed columns."""
    found = resource(name, datapackage_path)
    return read_checked(found.path, found.schema, bib_path)


def load_table(csv_path: Path, schema_name: str, bib_path: Path = paths.BIB_PATH) -> pd.DataFrame:
    """A CSV outside the package (e.g. a contributor's new file) checked against a named schema."""
    schema, _ = read_json(paths.DATA_DIR / "schemas" / f"{schema_name}.json")
    beside = Path(csv_path).parent / "datapackage.json"
    package = beside if beside.is_file() else paths.DATAPACKAGE_PATH
    contract = load_contract(package, bib_path) if schema_name == "values" else None
    return read_checked(Path(csv_path), schema, bib_path, contract=contract)


def load_all(datapackage_path: Path = paths.DATAPACKAGE_PATH,
             bib_path: Path = paths.BIB_PATH) -> dict[str, pd.DataFrame]:
    contract = load_contract(datapackage_path, bib_path)
    return {r.name: read_checked(r.path, r.schema, bib_path, contract=contract)
            for r in resources(datapackage_path)}


def check_all(datapackage_path: Path = paths.DATAPACKAGE_PATH,
              bib_path: Path = paths.BIB_PATH) -> tuple[list[str], dict[str, int]]:
    """Every problem of every input the chapters read, and the row count of each dataset.

    Used alike by ``python -m reviewkit data check`` and the book build.
    """
    problems: list[str] = []
    counts: dict[str, int] = {}
    try:
        found = resources(datapackage_path)
        contract = load_contract(datapackage_path, bib_path)
    except InputError as error:
        return error.problems, counts
    frames = {}
    for item in found:
        try:
            frames[item.name] = read_checked(item.path, item.schema, bib_path, contract=contract)
            counts[item.name] = len(frames[item.name])
        except InputError as error:
            problems.extend(error.problems)
    if len(frames) == len(found):
        problems.extend(_unreferenced_problems(found, frames))
    from reviewkit.evidence import claims

    problems.extend(claims.problems(Path(datapackage_path).parent / "claims.yml", bib_path,
                                    Path(datapackage_path), recompute=not problems))
    return problems, counts


def _unreferenced_problems(found: list[Resource], frames: dict[str, pd.DataFrame]) -> list[str]:
    """A registered page that no row points at is left over from an edit: say so."""
    used: dict[tuple[str, str], set[str]] = {}
    for item in found:
        for foreign in item.schema.get("foreignKeys") or []:
            reference = foreign["reference"]
            for name, target in zip(foreign["fields"], reference["fields"]):
                used.setdefault((reference["resource"], target), set()).update(
                    frames[item.name][name].dropna())
    problems = []
    by_name = {item.name: item for item in found}
    for (resource_name, target), values in sorted(used.items()):
        header, rows = _read_records(by_name[resource_name].path)
        for line, row in rows:
            if row[target] not in values:
                problems.append(f"{label(by_name[resource_name].path)}:{line}: {target} "
                                f"{row[target]!r} is used by no row of any dataset; remove it")
    return problems


def quantities(datapackage_path: Path = paths.DATAPACKAGE_PATH) -> pd.DataFrame:
    """The declared quantities, indexed by identifier."""
    return load("quantities", datapackage_path).set_index("quantity")


def axis_label(quantity: str, datapackage_path: Path = paths.DATAPACKAGE_PATH) -> str:
    """'plasma IL-6 (pg/ml)': the reader's name of a quantity and its display unit."""
    row = quantities(datapackage_path).loc[quantity]
    return f"{row['label']} ({row['display_unit']})"


def time_point_order(source_key: str,
                     datapackage_path: Path = paths.DATAPACKAGE_PATH) -> list[str]:
    """A source's time points in the order its design declares them."""
    designs = load("designs", datapackage_path)
    chosen = designs[(designs["source_key"] == source_key) & (designs["element"] == "time_point")]
    return list(chosen["name"])
