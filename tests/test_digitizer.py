"""WebPlotDigitizer projects: round trips through figures whose data are known exactly.

Each figure is drawn with matplotlib and saved as a PNG; the pixels of its data points and of the
four calibration points come from the figure's own transform, so the importer must give back the
data that were plotted. Every project carries deliberately wrong ``value`` fields, so a reader
that trusted them instead of recomputing from the pixels fails.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from reviewkit.evidence import data
from reviewkit import paths
from reviewkit.evidence.digitizer import DigitizerError, calibrate, read_project, to_rows

DPI = 100
SOURCE_KEY = "steensberg2000production"
ROW_FIELDS = dict(source_key=SOURCE_KEY, dataset="IL-6", quantity="arterial_plasma_il6",
                  statistic="mean", unit="pg/ml", locator="Fig. 2",
                  url="https://example.org/steensberg2000")

# Points given out of x order, so that sorting by x is tested too. Every number has at most six
# significant digits, so the importer's formatting cannot be the cause of a mismatch.
LINEAR_X = [60.0, 0.0, 120.0, 15.0, 30.0]
LINEAR_Y = [8.75, 1.5, 2.0, 4.25, 12.5]
LOG_X = [40.0, 1.0, 100.0, 2.5, 10.0]
LOG_Y = [250.0, 1.0, 1000.0, 3.5, 42.0]


def draw_figure(tmp_path: Path, x: list[float], y: list[float], *, log_x=False, log_y=False):
    """Plot the points, save the PNG, and return the axes to read pixel positions from."""
    # An Agg canvas of its own, so the test touches no global pyplot state.
    figure = Figure(figsize=(6, 4), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot(x, y, "o")
    axes.set_xscale("log" if log_x else "linear")
    axes.set_yscale("log" if log_y else "linear")
    axes.set_xlim((0.5, 200) if log_x else (-10, 130))
    axes.set_ylim((0.5, 2000) if log_y else (0, 14))
    png = tmp_path / "figure.png"
    figure.savefig(png, dpi=DPI)
    height, width = mpimg.imread(png).shape[:2]
    assert (width, height) == (round(figure.bbox.width), round(figure.bbox.height))
    return axes


def image_pixels(axes, x: list[float], y: list[float]) -> np.ndarray:
    """Image pixel coordinates (y growing downward) of data coordinates."""
    display = axes.transData.transform(np.column_stack([x, y]))
    return np.column_stack([display[:, 0], axes.figure.bbox.height - display[:, 1]])


def calibration_for(log_x: bool, log_y: bool) -> tuple[list[float], list[float]]:
    """Data positions of X1, X2 (on the x axis) and Y1, Y2 (on the y axis) and their values."""
    x_low, x_high = (1.0, 100.0) if log_x else (0.0, 120.0)
    y_low, y_high = (1.0, 1000.0) if log_y else (0.0, 12.0)
    x_axis_y = 0.5 if log_y else 0.0
    y_axis_x = 0.5 if log_x else -10.0
    return ([x_low, x_high, y_axis_x, y_axis_x], [x_axis_y, x_axis_y, y_low, y_high])


def rotated(pixels: np.ndarray, degrees: float, centre: tuple[float, float]) -> np.ndarray:
    angle = math.radians(degrees)
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    return (pixels - centre) @ rotation.T + centre


def wpd_project(calibration_pixels, calibration_values, point_pixels, *, log_x=False,
                log_y=False, no_rotation=False) -> dict:
    """A WebPlotDigitizer 4 project as File > Save Project writes it."""
    x1, x2, y1, y2 = calibration_values
    calibration_points = [
        {"px": px, "py": py, "dx": dx, "dy": dy, "dz": None}
        for (px, py), (dx, dy) in zip(calibration_pixels.tolist(),
                                      [(x1, "0"), (x2, "0"), ("0", y1), ("0", y2)])
    ]
    return {
        "version": [4, 2],
        "axesColl": [{"name": "XY", "type": "XYAxes", "isLogX": log_x, "isLogY": log_y,
                      "noRotation": no_rotation, "calibrationPoints": calibration_points}],
        "datasetColl": [{
            "name": "IL-6", "axesName": "XY", "colorRGB": [200, 0, 0, 255], "metadataKeys": [],
            # Deliberately wrong stored values: the importer must recompute from the pixels.
            "data": [{"x": px, "y": py, "value": [-999.0, -999.0]}
                     for px, py in point_pixels.tolist()],
            "autoDetectionData": None,
        }],
        "measurementColl": [],
    }


def write_project(tmp_path: Path, project: dict, name: str = "fig2.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(project), encoding="utf-8")
    return path


def figure_project(tmp_path, x, y, *, log_x=False, log_y=False, degrees=0.0,
                   calibration_values=None, no_rotation=False):
    """Draw the figure, read its pixels (rotated by ``degrees`` if asked) and save the project."""
    axes = draw_figure(tmp_path, x, y, log_x=log_x, log_y=log_y)
    calibration_x, calibration_y = calibration_for(log_x, log_y)
    calibration_pixels = image_pixels(axes, calibration_x, calibration_y)
    point_pixels = image_pixels(axes, x, y)
    centre = (axes.figure.bbox.width / 2, axes.figure.bbox.height / 2)
    calibration_pixels = rotated(calibration_pixels, degrees, centre)
    point_pixels = rotated(point_pixels, degrees, centre)
    if calibration_values is None:
        calibration_values = [f"{calibration_x[0]:g}", f"{calibration_x[1]:g}",
                              f"{calibration_y[2]:g}", f"{calibration_y[3]:g}"]
    project = wpd_project(calibration_pixels, calibration_values, point_pixels, log_x=log_x,
                          log_y=log_y, no_rotation=no_rotation)
    return write_project(tmp_path, project)


def recovered(rows):
    return ([float(row["time_point"]) for row in rows], [float(row["value"]) for row in rows])


def in_x_order(x, y):
    return [list(values) for values in zip(*sorted(zip(x, y)))]


@pytest.mark.parametrize("log_x, log_y, x, y", [
    (False, False, LINEAR_X, LINEAR_Y),
    (False, True, LINEAR_X, LOG_Y),
    (True, False, LOG_X, LINEAR_Y),
    (True, True, LOG_X, LOG_Y),
], ids=["linear", "log-y", "log-x", "log-log"])
def test_round_trip_recovers_the_plotted_data(tmp_path, log_x, log_y, x, y):
    path = figure_project(tmp_path, x, y, log_x=log_x, log_y=log_y)
    got_x, got_y = recovered(to_rows(path, **ROW_FIELDS))
    want_x, want_y = in_x_order(x, y)
    assert got_x == pytest.approx(want_x, rel=1e-6)
    assert got_y == pytest.approx(want_y, rel=1e-6)


@pytest.mark.parametrize("log_x, log_y, x, y", [
    (False, False, LINEAR_X, LINEAR_Y),
    (True, True, LOG_X, LOG_Y),
], ids=["linear", "log-log"])
def test_rotated_scan_is_read_along_its_axes(tmp_path, log_x, log_y, x, y):
    path = figure_project(tmp_path, x, y, log_x=log_x, log_y=log_y, degrees=3.0)
    got_x, got_y = recovered(to_rows(path, **ROW_FIELDS))
    want_x, want_y = in_x_order(x, y)
    assert got_x == pytest.approx(want_x, rel=1e-6)
    assert got_y == pytest.approx(want_y, rel=1e-6)


def test_baseline_at_zero_is_written_as_zero(tmp_path):
    path = figure_project(tmp_path, LINEAR_X, LINEAR_Y, degrees=3.0)
    assert to_rows(path, **ROW_FIELDS)[0]["time_point"] == "0"


def test_no_rotation_ignores_off_axis_clicks_as_wpd_does(tmp_path):
    """With 'no rotation' WPD reads x from the horizontal pixel only, y from the vertical."""
    path = figure_project(tmp_path, LINEAR_X, LINEAR_Y)
    project = json.loads(path.read_text(encoding="utf-8"))
    x2, y2 = project["axesColl"][0]["calibrationPoints"][1::2]
    x2["py"] -= 4.0  # X2 clicked above the x axis
    y2["px"] += 4.0  # Y2 clicked right of the y axis
    want_x, want_y = in_x_order(LINEAR_X, LINEAR_Y)

    project["axesColl"][0]["noRotation"] = True
    got_x, got_y = recovered(to_rows(write_project(tmp_path, project), **ROW_FIELDS))
    assert got_x == pytest.approx(want_x, rel=1e-6)
    assert got_y == pytest.approx(want_y, rel=1e-6)

    project["axesColl"][0]["noRotation"] = False
    got_x, got_y = recovered(to_rows(write_project(tmp_path, project), **ROW_FIELDS))
    assert got_y != pytest.approx(want_y, rel=1e-3)


def test_swapped_calibration_values_change_the_reading(tmp_path):
    path = figure_project(tmp_path, LINEAR_X, LOG_Y, log_y=True,
                          calibration_values=["0", "120", "1000", "1"])
    got_x, got_y = recovered(to_rows(path, **ROW_FIELDS))
    want_x, want_y = in_x_order(LINEAR_X, LOG_Y)
    assert got_x == pytest.approx(want_x, rel=1e-6)
    assert all(got != pytest.approx(want, rel=1e-3) for got, want in zip(got_y, want_y))


def test_rows_pass_the_values_schema(tmp_path):
    schema = json.loads((paths.DATA_DIR / "schemas" / "values.json").read_text(encoding="utf-8"))
    header = [field["name"] for field in schema["fields"]]
    rows = to_rows(figure_project(tmp_path, LINEAR_X, LINEAR_Y), n=6,
                   condition_by_dataset={"IL-6": "exercising leg"}, **ROW_FIELDS)
    assert [list(row) for row in rows] == [header] * len(LINEAR_X)
    assert {row["method"] for row in rows} == {"figure digitisation"}
    assert {row["spread_kind"] for row in rows} == {"none"}
    assert data.validate_rows(rows, header, schema, "x.csv", frozenset({SOURCE_KEY})) == []


def test_note_records_the_calibration(tmp_path):
    path = figure_project(tmp_path, LINEAR_X, LOG_Y, log_y=True)
    calibration = json.loads(path.read_text(encoding="utf-8"))["axesColl"][0]["calibrationPoints"]
    note = to_rows(path, **ROW_FIELDS)[0]["note"]
    assert note.startswith("WebPlotDigitizer project fig2.json, dataset 'IL-6', "
                           "axes XY (linear x, log y); calibration X1 (")
    x1, y2 = calibration[0], calibration[3]
    assert f"X1 ({x1['px']:.1f},{x1['py']:.1f})->0," in note
    assert note.endswith(f"Y2 ({y2['px']:.1f},{y2['py']:.1f})->1000")


def test_x_values_can_name_the_condition(tmp_path):
    path = figure_project(tmp_path, LINEAR_X, LINEAR_Y)
    rows = to_rows(path, x_as="condition", **ROW_FIELDS)
    assert [row["condition"] for row in rows] == ["0", "15", "30", "60", "120"]
    assert {row["time_point"] for row in rows} == {""}


def test_condition_comes_from_the_dataset_name_mapping(tmp_path):
    path = figure_project(tmp_path, LINEAR_X, LINEAR_Y)
    rows = to_rows(path, condition_by_dataset={"IL-6": "exercise", "Rest": "rest"}, **ROW_FIELDS)
    assert {row["condition"] for row in rows} == {"exercise"}
    with pytest.raises(ValueError, match="'IL-6'"):
        to_rows(path, condition_by_dataset={"Rest": "rest"}, **ROW_FIELDS)


def axes_with(**changes) -> dict:
    """Plain unrotated XY axes: x 0..10 over pixels 100..500, y 0..100 over pixels 400..100."""
    points = [{"px": 100.0, "py": 400.0, "dx": "0", "dy": None, "dz": None},
              {"px": 500.0, "py": 400.0, "dx": "10", "dy": None, "dz": None},
              {"px": 100.0, "py": 400.0, "dx": None, "dy": "0", "dz": None},
              {"px": 100.0, "py": 100.0, "dx": None, "dy": "100", "dz": None}]
    for index, point in changes.pop("points", {}).items():
        points[index] = dict(points[index], **point)
    return {"name": "XY", "type": "XYAxes", "isLogX": False, "isLogY": False,
            "noRotation": False, "calibrationPoints": points, **changes}


def test_calibrate_maps_pixels_linearly():
    assert calibrate(axes_with())(300.0, 250.0) == pytest.approx((5.0, 50.0))


@pytest.mark.parametrize("changes, message", [
    ({"points": {1: {"px": 100.0}}}, "X1 and X2 are the same pixel"),
    ({"points": {3: {"py": 400.0}}}, "Y1 and Y2 are the same pixel"),
    ({"points": {1: {"dx": "0"}}}, "X1 and X2 have the same value"),
    ({"points": {2: {"px": 300.0}, 3: {"px": 700.0, "py": 400.0}}}, "parallel"),
    ({"isLogY": True}, "log axes need positive values"),
    ({"isLogX": True, "points": {0: {"dx": "-1"}}}, "log axes need positive values"),
    ({"points": {0: {"dx": "2020/01/01"}}}, "is not a number"),
    ({"calibrationPoints": []}, "0 calibration points"),
], ids=["x-same-pixel", "y-same-pixel", "x-same-value", "parallel", "log-zero", "log-negative",
        "date", "no-points"])
def test_degenerate_calibration_is_refused(changes, message):
    with pytest.raises(DigitizerError, match=message):
        calibrate(axes_with(**changes))


def test_degenerate_calibration_in_a_project_names_the_file(tmp_path):
    path = figure_project(tmp_path, LINEAR_X, LINEAR_Y, calibration_values=["0", "0", "0", "12"])
    with pytest.raises(DigitizerError, match=r"fig2\.json:1: axes 'XY': X1 and X2 have the same"):
        to_rows(path, **ROW_FIELDS)


def test_invalid_json_names_the_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"version": [4, 2], "axesColl": [', encoding="utf-8")
    with pytest.raises(DigitizerError, match=r"broken\.json:1: invalid JSON"):
        read_project(path)


def test_project_without_xy_axes_names_the_file(tmp_path):
    project = wpd_project(np.zeros((4, 2)), ["0", "1", "0", "1"], np.zeros((1, 2)))
    project["axesColl"] = []
    project["datasetColl"] = []
    with pytest.raises(DigitizerError, match=r"noaxes\.json:1: the project has no XY axes"):
        read_project(write_project(tmp_path, project, "noaxes.json"))


def test_dataset_on_unknown_axes_names_the_file(tmp_path):
    project = wpd_project(np.zeros((4, 2)), ["0", "1", "0", "1"], np.zeros((1, 2)))
    project["datasetColl"][0]["axesName"] = "XY 2"
    with pytest.raises(DigitizerError, match=r"fig2\.json:1: dataset 'IL-6' refers to axes 'XY 2'"):
        read_project(write_project(tmp_path, project))


def test_other_project_versions_are_refused(tmp_path):
    project = wpd_project(np.zeros((4, 2)), ["0", "1", "0", "1"], np.zeros((1, 2)))
    project["version"] = [3, 8]
    with pytest.raises(DigitizerError, match=r"fig2\.json:1: project version \[3, 8\]"):
        read_project(write_project(tmp_path, project))


def test_unknown_dataset_lists_the_known_ones(tmp_path):
    path = figure_project(tmp_path, LINEAR_X, LINEAR_Y)
    with pytest.raises(DigitizerError, match=r"no dataset named 'IL6' \(datasets: 'IL-6'\)"):
        to_rows(path, **dict(ROW_FIELDS, dataset="IL6"))
