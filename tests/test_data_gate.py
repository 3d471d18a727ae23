"""The data gate: every bad input a contributor can make fails `data check` and the build with a
`file:line: message` and no traceback; inputs that are merely saved differently load."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import build, copy_book
from reviewkit.evidence import data
from reviewkit import paths
from reviewkit.textfiles import read_csv

# ---- bad inputs, each a change to a copy of the book and the message it must produce


def edit(book: Path, name: str, old: str, new: str, count: int = 1) -> None:
    path = book / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_starting(book: Path, name: str, prefix: str) -> int:
    lines = (book / name).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(prefix))


OSTROWSKI_PRE = "ostrowski1998evidence,plasma_il6,mean,marathon runners,pre-exercise,1.5,"


def plasma_il6_in_a_mass_flow_unit(book):
    row = line_starting(book, "data/plasma-response.csv", OSTROWSKI_PRE)
    edit(book, "data/plasma-response.csv", "unstated,,,pg/ml,\"abstract, sentence 3\"",
         "unstated,,,ng/min,\"abstract, sentence 3\"")
    return (f"data/plasma-response.csv:{row}: column 'unit': 'ng/min' measures mass flow, "
            "but 'plasma_il6' is a mass concentration")


def duplicated_row(book):
    path = book / "data" / "plasma-response.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines + [lines[1]]), encoding="utf-8")
    return f"data/plasma-response.csv:{len(lines) + 1}: duplicate of line 2"


def dataset_emptied_to_its_header(book):
    path = book / "data" / "il6-infusion.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    return "data/il6-infusion.csv:1: the file has a header but no data rows"


def misspelt_time_point(book):
    row = line_starting(book, "data/plasma-response.csv", OSTROWSKI_PRE)
    edit(book, "data/plasma-response.csv", OSTROWSKI_PRE,
         OSTROWSKI_PRE.replace("pre-exercise", "pre-excercise"))
    return (f"data/plasma-response.csv:{row}: column 'time_point': 'pre-excercise' is not a "
            "time point of ostrowski1998evidence in data/designs.csv; did you mean 'pre-exercise'?")


def value_with_a_digit_separator(book):
    row = line_starting(book, "data/plasma-response.csv", OSTROWSKI_PRE)
    edit(book, "data/plasma-response.csv", OSTROWSKI_PRE, OSTROWSKI_PRE.replace(",1.5,", ",1_5,"))
    return f"data/plasma-response.csv:{row}: column 'value': '1_5' is not a number in plain decimal"


def value_in_other_digits(book):
    row = line_starting(book, "data/plasma-response.csv", OSTROWSKI_PRE)
    edit(book, "data/plasma-response.csv", OSTROWSKI_PRE, OSTROWSKI_PRE.replace(",1.5,", ",１.５,"))
    return f"data/plasma-response.csv:{row}: column 'value': '１.５' is not a number"


def latin1_csv(book):
    path = book / "data" / "gaps.csv"
    text = path.read_text(encoding="utf-8") + "steensberg2000production,item,missing,naïve\n"
    saved = text.encode("latin-1", errors="replace")
    path.write_bytes(saved)
    # The first line that is not UTF-8 (an earlier "±" may come before the planted "ï").
    for number, line in enumerate(saved.split(b"\n"), 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as error:
            byte = line[error.start]
            return (f"data/gaps.csv:{number}: not UTF-8 text (byte 0x{byte:02x}); "
                    "save the file as UTF-8")


def malformed_datapackage(book):
    edit(book, "data/datapackage.json", '"resources": [', '"resources": [,')
    row = line_starting(book, "data/datapackage.json", '  "resources"')
    return f"data/datapackage.json:{row}: invalid JSON"


def missing_csv(book):
    (book / "data" / "cardiovascular-risk.csv").unlink()
    row = line_starting(book, "data/datapackage.json", '      "path": "cardiovascular-risk.csv"')
    return (f"data/datapackage.json:{row}: resource 'cardiovascular-risk': "
            "data/cardiovascular-risk.csv does not exist")


def malformed_schema(book):
    edit(book, "data/schemas/gaps.json", '"fields": [', '"fields": [[')
    try:
        json.loads((book / "data" / "schemas" / "gaps.json").read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        return f"data/schemas/gaps.json:{error.lineno}: invalid JSON"


def claim_names_an_unknown_dataset(book):
    edit(book, "data/claims.yml", "median: {dataset: muscle-release,",
         "median: {dataset: muscle-releases,")
    row = line_starting(book, "data/claims.yml", "        median: {dataset: muscle-releases,")
    return f"data/claims.yml:{row}: unknown dataset 'muscle-releases'"


def undeclared_quantity(book):
    row = line_starting(book, "data/plasma-response.csv", OSTROWSKI_PRE)
    edit(book, "data/plasma-response.csv", OSTROWSKI_PRE,
         OSTROWSKI_PRE.replace("plasma_il6", "plasma_il_6"))
    return (f"data/plasma-response.csv:{row}: column 'quantity': 'plasma_il_6' is not declared in "
            "data/quantities.csv; did you mean 'plasma_il6'?")


def group_size_against_the_design(book):
    prefix = "steensberg2000production,subjects,count,healthy males,,6,,,,,none,6,"
    row = line_starting(book, "data/muscle-release.csv", prefix)
    edit(book, "data/muscle-release.csv", prefix, prefix.replace(",none,6,", ",none,5,"))
    return (f"data/muscle-release.csv:{row}: column 'n': 5 differs from the group size 6 that "
            "data/designs.csv gives for 'healthy males'; say why in 'n_note'")


def display_unit_of_another_dimension(book):
    row = line_starting(book, "data/quantities.csv", "plasma_il6,")
    edit(book, "data/quantities.csv", "mass concentration,pg/ml\nplasma_il6_vs",
         "mass concentration,ng/min\nplasma_il6_vs")
    return f"data/quantities.csv:{row}: column 'display_unit': 'ng/min' does not measure"


def page_not_in_the_register(book):
    row = line_starting(book, "data/plasma-response.csv", OSTROWSKI_PRE)
    lines = (book / "data" / "plasma-response.csv").read_text(encoding="utf-8").splitlines()
    edit(book, "data/plasma-response.csv", lines[row - 1],
         lines[row - 1].replace("http://47.251.13.51:8081/9518745", "https://example.org/copy"))
    return (f"data/plasma-response.csv:{row}: column 'url': 'https://example.org/copy' is not a "
            "url of data/pages.csv; add it there first")


def registered_page_no_row_uses(book):
    path = book / "data" / "pages.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines + ["https://example.org/unused,publisher,Example,\n"]),
                    encoding="utf-8")
    return (f"data/pages.csv:{len(lines) + 1}: url 'https://example.org/unused' is used by no "
            "row of any dataset; remove it")


def page_of_an_unknown_kind(book):
    row = line_starting(book, "data/pages.csv", "http://47.251.13.51:8081/9518745,")
    edit(book, "data/pages.csv", "http://47.251.13.51:8081/9518745,copy of the PubMed record,",
         "http://47.251.13.51:8081/9518745,mirror,")
    return f"data/pages.csv:{row}: column 'kind': value not allowed 'mirror'"


def broken_bibliography(book):
    edit(book, "references.bib", "@article{", "@article{{", 1)
    return "references.bib:"


BAD_INPUTS = [plasma_il6_in_a_mass_flow_unit, duplicated_row, dataset_emptied_to_its_header,
              misspelt_time_point, value_with_a_digit_separator, value_in_other_digits,
              latin1_csv, malformed_datapackage, missing_csv, malformed_schema,
              claim_names_an_unknown_dataset, undeclared_quantity, group_size_against_the_design,
              display_unit_of_another_dimension, page_not_in_the_register,
              registered_page_no_row_uses, page_of_an_unknown_kind, broken_bibliography]


def data_check(book: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(book))
    return subprocess.run([sys.executable, "-m", "reviewkit", "data", "check"], cwd=book,
                          env=env, text=True, capture_output=True, timeout=120)


@pytest.fixture
def book(tmp_path) -> Path:
    return copy_book(tmp_path / "book")


@pytest.mark.parametrize("bad_input", BAD_INPUTS, ids=lambda f: f.__name__)
def test_data_check_rejects(book, bad_input):
    expected = bad_input(book)
    result = data_check(book)
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stdout, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.build
@pytest.mark.parametrize("bad_input", BAD_INPUTS, ids=lambda f: f.__name__)
def test_build_rejects(book, bad_input):
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\n", encoding="utf-8")
    expected = bad_input(book)
    result = build(book)
    printed = result.stdout + result.stderr
    assert result.returncode != 0
    assert expected in printed, printed[-3000:]
    # jupyter-book's own closing RuntimeError is not ours; no reviewkit or cell traceback is.
    assert "reviewkit/" not in "".join(re.findall(r'File "[^"]+"', printed))
    assert "CellExecutionError" not in printed


def test_data_check_passes_on_the_real_book():
    result = data_check(paths.ROOT)
    assert result.returncode == 0, result.stdout
    assert "0 problem(s)" in result.stderr


# ---- inputs that are only saved differently load unchanged


def test_excel_csv_with_bom_and_crlf_loads(book):
    path = book / "data" / "plasma-response.csv"
    original = data.read_checked(path, data.resource("plasma-response").schema)
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert data_check(book).returncode == 0
    contract = data.load_contract(book / "data" / "datapackage.json")
    reloaded = data.read_checked(path, data.resource("plasma-response").schema,
                                 contract=contract)
    assert reloaded.equals(original)


def test_line_numbers_are_the_lines_an_editor_shows(book):
    path = book / "data" / "gaps.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    multi_line = 'steensberg2000production,item,"two\nlines",reason\n'
    bad = "nobody1999none,item,missing,reason\n"
    path.write_text("".join(lines[:2] + [multi_line, bad] + lines[2:]), encoding="utf-8")
    result = data_check(book)
    assert "data/gaps.csv:5: column 'source_key': 'nobody1999none'" in result.stdout


# ---- units: converted in code for figures, kept as read in the data


def test_values_in_another_unit_of_the_same_dimension_are_converted():
    frame = data.load("muscle-release")
    arterial = frame[(frame["quantity"] == "arterial_plasma_il6") & (frame["unit"] == "ng/l")]
    assert len(arterial) > 0
    assert (arterial["display_unit"] == "pg/ml").all()
    assert (arterial["display_value"] == arterial["value"]).all()  # 1 ng/l is 1 pg/ml
    hours = frame[(frame["quantity"] == "exercise_duration") & (frame["unit"] == "h")]
    assert (hours["display_value"] == hours["value"] * 60).all()
    assert (hours["display_unit"] == "min").all()


def test_axis_label_shows_the_display_unit():
    assert data.axis_label("plasma_il6") == "plasma IL-6 (pg/ml)"


# ---- writes keep the file's permissions


def test_bib_fmt_keeps_permissions(tmp_path):
    from reviewkit.bibliography import bib

    target = tmp_path / "references.bib"
    target.write_text(paths.BIB_PATH.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    target.chmod(0o664)
    assert bib.fmt(target)
    assert target.stat().st_mode & 0o777 == 0o664


# ---- property: one corrupted cell anywhere is always caught, at its line

STRICT_COLUMNS = ["source_key", "quantity", "statistic", "condition", "time_point", "value",
                  "qualifier", "spread_kind", "n", "unit", "method"]
VALUE_RESOURCES = [r for r in data.resources() if data._is_values_schema(r.schema)]
CONTRACT = data.load_contract()
KEYS = data.bib_keys()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(resource_index=st.integers(0, len(VALUE_RESOURCES) - 1), row_seed=st.integers(0, 10**6),
       column=st.sampled_from(STRICT_COLUMNS),
       garbage=st.text(alphabet="x_#é１; ", min_size=1, max_size=4))
def test_one_corrupted_cell_is_reported_at_its_line(resource_index, row_seed, column, garbage):
    found = VALUE_RESOURCES[resource_index]
    header, rows = read_csv(found.path)
    line, row = rows[row_seed % len(rows)]
    corrupted = dict(row, **{column: row[column] + garbage})
    rows = [(n, corrupted if n == line else r) for n, r in rows]
    where = paths.display_path(found.path)
    problems = data.validate_rows(rows, header, found.schema, where, KEYS, CONTRACT)
    assert any(p.startswith(f"{where}:{line}: ") for p in problems), (column, garbage, problems)
