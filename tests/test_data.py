"""The datasets, their Data Package, and the loader's validation errors."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import frictionless
import pytest

from reviewkit.evidence import data
from reviewkit import paths
from reviewkit.textfiles import InputError

VALUE_DATASETS = [r.name for r in data.resources() if r.schema["fields"][1]["name"] == "quantity"]


def test_datapackage_is_valid_frictionless():
    report = frictionless.validate(str(paths.DATAPACKAGE_PATH))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]


def test_every_csv_in_data_is_described_by_the_package():
    described = {r.path.name for r in data.resources()}
    on_disk = {p.name for p in paths.DATA_DIR.glob("*.csv")}
    assert on_disk == described


@pytest.mark.parametrize("name", [r.name for r in data.resources()])
def test_dataset_loads_without_losing_rows(name):
    frame = data.load(name)
    with data.resource(name).path.open(encoding="utf-8", newline="") as handle:
        assert len(frame) == sum(1 for _ in csv.DictReader(handle)) > 0


@pytest.mark.parametrize("name", VALUE_DATASETS)
def test_every_value_has_provenance(name):
    frame = data.load(name)
    assert frame["url"].str.match(r"^https?://").all()
    assert (frame["locator"].str.len() > 0).all()
    assert frame["source_key"].isin(data.bib_keys()).all()


def test_value_columns_are_typed():
    frame = data.load("muscle-release")
    assert frame["value"].dtype == "float64"
    assert str(frame["n"].dtype) == "Int64"


def test_qualifiers_are_kept():
    frame = data.load("muscle-expression")
    qualifiers = set(frame["qualifier"].dropna())
    assert {"~", ">"} <= qualifiers


# ---- validation errors: bad input gives a clear file:line: column message and loads nothing


@pytest.fixture
def values_csv(tmp_path) -> Path:
    target = tmp_path / "values.csv"
    shutil.copy(data.resource("muscle-release").path, target)
    return target


def rewrite(path: Path, change) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = list(reader.fieldnames), list(reader)
    fields, rows = change(fields, rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fields, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def problems_for(path: Path) -> str:
    with pytest.raises(data.DataValidationError) as error:
        data.load_table(path, "values")
    return str(error.value)


def set_cell(row_index: int, column: str, value: str):
    def change(fields, rows):
        rows[row_index][column] = value
        return fields, rows
    return change


def test_missing_column(values_csv):
    rewrite(values_csv, lambda fields, rows: ([f for f in fields if f != "unit"], rows))
    assert f"{values_csv}:1: column 'unit' is missing from the header" in problems_for(values_csv)


def test_non_numeric_value(values_csv):
    rewrite(values_csv, set_cell(2, "value", "19-fold"))
    assert f"{values_csv}:4: column 'value': '19-fold' is not a number" in problems_for(values_csv)


def test_unknown_unit(values_csv):
    rewrite(values_csv, set_cell(0, "unit", "pg/mll"))
    assert f"{values_csv}:2: column 'unit': unknown unit 'pg/mll'" in problems_for(values_csv)


def test_source_key_absent_from_bibliography(values_csv):
    rewrite(values_csv, set_cell(1, "source_key", "nobody2001nothing"))
    message = problems_for(values_csv)
    assert f"{values_csv}:3: column 'source_key': 'nobody2001nothing' is not a key of references.bib" in message


def test_missing_locator(values_csv):
    rewrite(values_csv, set_cell(0, "locator", ""))
    assert f"{values_csv}:2: column 'locator': required value is empty" in problems_for(values_csv)


def test_missing_url(values_csv):
    rewrite(values_csv, set_cell(3, "url", ""))
    assert f"{values_csv}:5: column 'url': required value is empty" in problems_for(values_csv)


def test_url_must_be_http(values_csv):
    rewrite(values_csv, set_cell(3, "url", "see the paper"))
    assert "is not an http(s) URL" in problems_for(values_csv)


def test_spread_kind_must_match_spread(values_csv):
    rewrite(values_csv, set_cell(0, "spread_kind", "SEM"))
    assert "spread_kind 'SEM' needs 'spread'" in problems_for(values_csv)


def test_all_problems_are_reported_together(values_csv):
    def change(fields, rows):
        rows[0]["unit"] = "pg/mll"
        rows[5]["value"] = "n/a"
        return fields, rows
    rewrite(values_csv, change)
    message = problems_for(values_csv)
    assert ":2: column 'unit'" in message and ":7: column 'value'" in message


def test_short_row_is_an_error_not_a_silent_gap(values_csv):
    with values_csv.open("a", encoding="utf-8") as handle:
        handle.write("steensberg2000production,subjects\n")
    assert "row has" in problems_for(values_csv)


def test_unknown_dataset_name():
    with pytest.raises(InputError, match="datapackage.json:1: no dataset named .nope."):
        data.load("nope")


def test_group_size_must_be_positive(values_csv):
    rewrite(values_csv, set_cell(0, "n", "0"))
    assert f"{values_csv}:2: column 'n': 0 is below the minimum 1" in problems_for(values_csv)
