"""Load the digitised datasets in data/ and validate every row against its Table Schema.

The contract is the Frictionless Data Package in data/datapackage.json. Loading never coerces
or drops anything silently: every problem is reported as ``file:line: column 'name': message``
(line numbers count the CSV header as line 1) and all problems of a file are raised together.
"""
from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from reviewkit import paths

# Spread kinds that are one +/- number, and kinds that are an interval (low, high).
SINGLE_SPREAD_KINDS = {"SEM", "SD", "unstated"}
INTERVAL_SPREAD_KINDS = {"range", "95% CI", "IQR"}


class DataValidationError(ValueError):
    """Raised when a data file breaks its schema; ``problems`` lists every message."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Resource:
    name: str
    path: Path
    schema: dict
    title: str
    description: str


def read_datapackage(datapackage_path: Path = paths.DATAPACKAGE_PATH) -> dict:
    return json.loads(Path(datapackage_path).read_text(encoding="utf-8"))


def resources(datapackage_path: Path = paths.DATAPACKAGE_PATH) -> list[Resource]:
    """Every resource of the data package, with its schema resolved."""
    datapackage_path = Path(datapackage_path)
    base = datapackage_path.parent
    found = []
    for entry in read_datapackage(datapackage_path)["resources"]:
        schema = entry["schema"]
        if isinstance(schema, str):
            schema = json.loads((base / schema).read_text(encoding="utf-8"))
        found.append(
            Resource(
                name=entry["name"],
                path=base / entry["path"],
                schema=schema,
                title=entry.get("title", entry["name"]),
                description=entry.get("description", ""),
            )
        )
    return found


def resource(name: str, datapackage_path: Path = paths.DATAPACKAGE_PATH) -> Resource:
    known = resources(datapackage_path)
    for candidate in known:
        if candidate.name == name:
            return candidate
    names = ", ".join(sorted(r.name for r in known))
    raise KeyError(f"no dataset named {name!r} in {datapackage_path}; known: {names}")


@lru_cache(maxsize=4)
def _bib_keys_cached(bib_path: str, mtime_ns: int) -> frozenset[str]:
    from reviewkit.bib import read_library

    return frozenset(entry.key for entry in read_library(Path(bib_path)).entries)


def bib_keys(bib_path: Path = paths.BIB_PATH) -> frozenset[str]:
    bib_path = Path(bib_path)
    return _bib_keys_cached(str(bib_path), bib_path.stat().st_mtime_ns)


def _parse_number(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def validate_rows(
    rows: list[dict[str, str]],
    header: list[str],
    schema: dict,
    file_label: str,
    known_keys: frozenset[str],
) -> list[str]:
    """All problems of one table as ``file:line: column: message`` strings."""
    problems = []
    fields = schema["fields"]
    expected = [field["name"] for field in fields]
    missing = [name for name in expected if name not in header]
    unexpected = [name for name in header if name not in expected]
    for name in missing:
        problems.append(f"{file_label}:1: column {name!r} is missing from the header")
    for name in unexpected:
        problems.append(f"{file_label}:1: column {name!r} is not in the schema")
    if missing or unexpected:
        return problems

    for line_number, row in enumerate(rows, start=2):
        where = f"{file_label}:{line_number}"
        if None in row or any(value is None for value in row.values()):
            problems.append(f"{where}: row has {len([v for v in row.values() if v is not None])} "
                            f"cells, the header has {len(header)}")
            continue
        for field in fields:
            name = field["name"]
            text = row[name]
            constraints = field.get("constraints", {})
            if text == "":
                if constraints.get("required"):
                    problems.append(f"{where}: column {name!r}: required value is empty")
                continue
            if text != text.strip():
                problems.append(f"{where}: column {name!r}: value {text!r} has surrounding spaces")
                continue
            kind = field.get("type", "string")
            if kind == "number":
                try:
                    _parse_number(text)
                except ValueError:
                    problems.append(f"{where}: column {name!r}: {text!r} is not a number")
                    continue
            elif kind == "integer":
                if not re.fullmatch(r"-?\d+", text):
                    problems.append(f"{where}: column {name!r}: {text!r} is not a whole number")
                    continue
            if "minimum" in constraints and float(text) < constraints["minimum"]:
                problems.append(f"{where}: column {name!r}: {text} is below the minimum "
                                f"{constraints['minimum']}")
            if "enum" in constraints and text not in constraints["enum"]:
                allowed = ", ".join(repr(v) for v in constraints["enum"])
                what = "unknown unit" if name == "unit" else "value not allowed"
                problems.append(f"{where}: column {name!r}: {what} {text!r} (allowed: {allowed})")
            if "pattern" in constraints and not re.fullmatch(constraints["pattern"], text):
                problems.append(
                    f"{where}: column {name!r}: {text!r} does not match {constraints['pattern']}"
                )
            if field.get("format") == "uri" and not paths.URL_PATTERN.match(text):
                problems.append(f"{where}: column {name!r}: {text!r} is not an http(s) URL")
            if name == "source_key" and text not in known_keys:
                problems.append(
                    f"{where}: column 'source_key': {text!r} is not a key of references.bib"
                )
        if "spread_kind" in row:
            problems.extend(_spread_problems(row, where))
    return problems


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
    frame = pd.DataFrame(rows, columns=[field["name"] for field in schema["fields"]], dtype=object)
    for field in schema["fields"]:
        name, kind = field["name"], field.get("type", "string")
        if kind == "number":
            frame[name] = [(_parse_number(v) if v != "" else float("nan")) for v in frame[name]]
            frame[name] = frame[name].astype("float64")
        elif kind == "integer":
            frame[name] = pd.array([int(v) if v != "" else pd.NA for v in frame[name]], dtype="Int64")
        else:
            frame[name] = frame[name].astype("string")
    return frame


def read_checked(
    csv_path: Path,
    schema: dict,
    bib_path: Path = paths.BIB_PATH,
    file_label: str | None = None,
) -> pd.DataFrame:
    """Read one CSV as text, validate every cell, and only then convert types."""
    csv_path = Path(csv_path)
    label = file_label or paths.display_path(csv_path)
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    needs_keys = any(field["name"] == "source_key" for field in schema["fields"])
    known = bib_keys(bib_path) if needs_keys else frozenset()
    problems = validate_rows(rows, header, schema, label, known)
    if problems:
        raise DataValidationError(problems)
    return _typed_frame(rows, schema)


def load(name: str, datapackage_path: Path = paths.DATAPACKAGE_PATH,
         bib_path: Path = paths.BIB_PATH) -> pd.DataFrame:
    """The dataset ``name`` of the data package, validated, with typed columns."""
    found = resource(name, datapackage_path)
    return read_checked(found.path, found.schema, bib_path)


def load_table(csv_path: Path, schema_name: str, bib_path: Path = paths.BIB_PATH) -> pd.DataFrame:
    """A CSV outside the package (e.g. a contributor's new file) checked against a named schema."""
    schema_path = paths.DATA_DIR / "schemas" / f"{schema_name}.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    return read_checked(Path(csv_path), schema, bib_path)


def load_all(datapackage_path: Path = paths.DATAPACKAGE_PATH,
             bib_path: Path = paths.BIB_PATH) -> dict[str, pd.DataFrame]:
    return {r.name: read_checked(r.path, r.schema, bib_path) for r in resources(datapackage_path)}
