"""A contributor's WebPlotDigitizer project becomes validated rows of a dataset CSV."""
from __future__ import annotations

import json
import shutil

import pytest

from reviewkit.evidence import data, digitizer
from reviewkit import paths
from reviewkit.__main__ import main


def write_project(path, points):
    """A WPD 4 project: x pixels 100->0 and 500->10 (linear), y pixels 400->0 and 100->30."""
    project = {
        "version": [4, 2],
        "axesColl": [{"name": "XY", "type": "XYAxes", "isLogX": False, "isLogY": False,
                      "noRotation": True, "calibrationPoints": [
                          {"px": 100, "py": 400, "dx": "0", "dy": "0", "dz": None},
                          {"px": 500, "py": 400, "dx": "10", "dy": "0", "dz": None},
                          {"px": 100, "py": 400, "dx": "0", "dy": "0", "dz": None},
                          {"px": 100, "py": 100, "dx": "0", "dy": "30", "dz": None}]}],
        "datasetColl": [{"name": "leg", "axesName": "XY", "colorRGB": [0, 0, 0],
                         "metadataKeys": [], "autoDetectionData": None,
                         "data": [{"x": x, "y": y, "value": [0, 0]} for x, y in points]}],
    }
    path.write_text(json.dumps(project), encoding="utf-8")


META = """source_key: steensberg2000production
dataset: leg
quantity: leg_il6_net_release
statistic: mean
unit: ng/min
locator: figure 2, exercising leg
url: https://pmc.ncbi.nlm.nih.gov/articles/PMC2270169
condition_by_dataset: {leg: exercising leg}
"""


def declare_time_points(data_dir, source_key, names):
    with (data_dir / "designs.csv").open("a", encoding="utf-8") as handle:
        handle.writelines(f"{source_key},time_point,{name},,\n" for name in names)


@pytest.fixture
def contributor_files(tmp_path):
    """A copy of data/ with the figure's time points declared, and the contributor's files."""
    data_dir = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, data_dir)
    declare_time_points(data_dir, "steensberg2000production", ["2", "5"])
    project, meta = data_dir / "fig2.json", data_dir / "fig2.yml"
    write_project(project, [(300, 300), (180, 340)])  # x = 5, y = 10 ; x = 2, y = 6
    meta.write_text(META, encoding="utf-8")
    return project, meta, data_dir / "muscle-release.csv"


def test_import_appends_validated_rows_in_x_order(contributor_files):
    project, meta, target = contributor_files
    before = data.load_table(target, "values")
    assert digitizer.import_into_csv(project, meta, target) == 2
    after = data.load_table(target, "values")
    added = after.iloc[len(before):]
    assert list(added["time_point"]) == ["2", "5"]
    assert list(added["value"]) == [6.0, 10.0]
    assert set(added["method"]) == {"figure digitisation"}
    assert added["note"].str.contains("calibration X1").all()
    assert len(after) == len(before) + 2


def test_second_import_of_the_same_figure_is_refused(contributor_files):
    project, meta, target = contributor_files
    digitizer.import_into_csv(project, meta, target)
    content = target.read_bytes()
    with pytest.raises(digitizer.DigitizerError, match="already imported"):
        digitizer.import_into_csv(project, meta, target)
    assert target.read_bytes() == content


def test_invalid_rows_write_nothing(contributor_files):
    project, meta, target = contributor_files
    meta.write_text(META.replace("steensberg2000production", "nobody1999none"), encoding="utf-8")
    content = target.read_bytes()
    with pytest.raises(data.DataValidationError, match="nobody1999none"):
        digitizer.import_into_csv(project, meta, target)
    assert target.read_bytes() == content


def test_command_line_import(contributor_files, monkeypatch, capsys):
    project, meta, target = contributor_files
    monkeypatch.setattr(data, "resource", lambda name: type("R", (), {"path": target})())
    assert main(["data", "import-wpd", str(project), "--meta", str(meta),
                 "--into", "muscle-release"]) == 0
    assert "2 digitised row(s) added" in capsys.readouterr().err


def test_undeclared_time_points_are_refused_naming_the_design(contributor_files):
    project, meta, target = contributor_files
    write_project(project, [(260, 300)])  # x = 4, not declared
    content = target.read_bytes()
    with pytest.raises(data.DataValidationError, match=r"'4' is not a time point of "
                       r"steensberg2000production in .*designs\.csv"):
        digitizer.import_into_csv(project, meta, target)
    assert target.read_bytes() == content


def test_mistyped_meta_key_is_reported_at_its_line(contributor_files, capsys):
    project, meta, target = contributor_files
    meta.write_text(META.replace("statistic:", "statistc:"), encoding="utf-8")
    assert main(["data", "import-wpd", str(project), "--meta", str(meta),
                 "--into", "muscle-release"]) == 1
    printed = capsys.readouterr().out
    assert "fig2.yml:4: unknown key 'statistc'; did you mean 'statistic'?" in printed
    assert "Traceback" not in printed


def test_import_keeps_the_file_permissions(contributor_files):
    project, meta, target = contributor_files
    target.chmod(0o664)
    digitizer.import_into_csv(project, meta, target)
    assert target.stat().st_mode & 0o777 == 0o664
