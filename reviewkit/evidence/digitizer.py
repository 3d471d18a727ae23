"""Turn a WebPlotDigitizer 4 project (the saved project JSON, often ``wpd.json``) into value rows.

A contributor who digitises a published figure keeps the WebPlotDigitizer (WPD) project in data/.
Only the clicked pixels and the axis calibration are trusted: every value is recomputed here the
way WPD's XY axes compute it, so a stale or hand-edited ``value`` field cannot slip into the data.
Each row's note records the calibration, so a reader can check the reading against the figure.
"""
from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from reviewkit.textfiles import (InputError, label, line_of, read_csv, read_json, read_yaml,
                                 write_text_atomic)

PixelToData = Callable[[float, float], tuple[float, float]]

SUPPORTED_VERSION = 4
# WPD's XY calibration order: two points on the x axis, then two on the y axis. Only the data
# coordinate of its own axis is read from each point (WPD leaves the other one unset).
CALIBRATION_POINTS = (("X1", "dx"), ("X2", "dx"), ("Y1", "dy"), ("Y2", "dy"))
X_COLUMNS = ("time_point", "condition")
METHOD = "figure digitisation"
# A linear-axis reading closer to zero than this fraction of the calibrated span is floating-point
# residue of the affine solve: printing it as 3.5e-15 instead of 0 would misstate a baseline.
ZERO_RESIDUE = 1e-9
# Two calibration lines this close to parallel (sine of the angle between them) define no plane.
PARALLEL_TOLERANCE = 1e-9


class DigitizerError(InputError):
    """A WebPlotDigitizer project that cannot be converted faithfully."""

    def __init__(self, message: str | list[str]):
        super().__init__([message] if isinstance(message, str) else message)


def read_project(path: Path | str) -> dict:
    """The parsed project, after checking it is WPD 4 JSON with XY axes for its datasets."""
    path = Path(path)
    try:
        project, _ = read_json(path)
    except InputError as error:
        raise DigitizerError(error.problems) from None
    if not (isinstance(project, dict) and isinstance(project.get("axesColl"), list)
            and isinstance(project.get("datasetColl"), list)):
        raise DigitizerError(
            f"{label(path)}:1: not a WebPlotDigitizer project (no 'axesColl' and 'datasetColl' lists)")
    version = project.get("version")
    if not (isinstance(version, list) and version and version[0] == SUPPORTED_VERSION):
        raise DigitizerError(f"{label(path)}:1: project version {version!r} is not supported; "
                             f"save the project with WebPlotDigitizer {SUPPORTED_VERSION}")
    if not any(axes.get("type") == "XYAxes" for axes in project["axesColl"]):
        raise DigitizerError(f"{label(path)}:1: the project has no XY axes; calibrate the figure as a "
                             "'2D (X-Y) Plot' before digitising it")
    axes_names = [axes.get("name") for axes in project["axesColl"]]
    for dataset in project["datasetColl"]:
        if dataset.get("axesName") not in axes_names:
            raise DigitizerError(
                f"{label(path)}:1: dataset {dataset.get('name')!r} refers to axes "
                f"{dataset.get('axesName')!r}, which the project does not define "
                f"(axes: {', '.join(map(repr, axes_names))})")
    return project


def calibrate(axes: dict) -> PixelToData:
    """The pixel -> data map of WPD XY axes, solved as WPD 4 solves it.

    The affine map sends the pixel step X1 -> X2 to a change of x alone and the step Y1 -> Y2 to a
    change of y alone, so rotated axes are read correctly; x is pinned at X1 and y at Y1. A log
    axis is interpolated on log10 of its values. With ``noRotation`` WPD discards the rotation
    and reads each axis along the pixel direction it mostly runs in; that is reproduced too, so
    the numbers match what the contributor saw in WPD.
    """
    name = axes.get("name")
    points = axes.get("calibrationPoints") or []
    if len(points) != len(CALIBRATION_POINTS):
        raise DigitizerError(f"axes {name!r} has {len(points)} calibration points; XY axes need "
                             f"{len(CALIBRATION_POINTS)} (X1, X2, Y1, Y2)")
    is_log = {"dx": bool(axes.get("isLogX")), "dy": bool(axes.get("isLogY"))}
    pixels = []
    values = []
    for point, (label, key) in zip(points, CALIBRATION_POINTS):
        pixels.append(np.array(_pixel(point, "px", "py", f"axes {name!r} calibration point {label}")))
        values.append(_calibration_value(point, key, is_log[key], f"axes {name!r} point {label}"))
    x1, x2, y1, y2 = pixels
    x1_value, x2_value, y1_value, y2_value = values

    x_pixel_step, y_pixel_step = x2 - x1, y2 - y1
    for axis, pixel_step, value_step in (("X", x_pixel_step, x2_value - x1_value),
                                         ("Y", y_pixel_step, y2_value - y1_value)):
        if not pixel_step.any():
            raise DigitizerError(f"axes {name!r}: {axis}1 and {axis}2 are the same pixel")
        if value_step == 0:
            raise DigitizerError(f"axes {name!r}: {axis}1 and {axis}2 have the same value")
    cross = x_pixel_step[0] * y_pixel_step[1] - x_pixel_step[1] * y_pixel_step[0]
    if abs(cross) <= PARALLEL_TOLERANCE * np.linalg.norm(x_pixel_step) * np.linalg.norm(y_pixel_step):
        raise DigitizerError(f"axes {name!r}: the line X1-X2 is parallel to the line Y1-Y2")

    value_steps = np.diag([x2_value - x1_value, y2_value - y1_value])
    matrix = value_steps @ np.linalg.inv(np.column_stack([x_pixel_step, y_pixel_step]))
    if axes.get("noRotation"):
        matrix = _without_rotation(matrix, x_pixel_step, y_pixel_step, value_steps)
    offset = np.array([x1_value - matrix[0] @ x1, y1_value - matrix[1] @ y1])
    x_residue = ZERO_RESIDUE * abs(x2_value - x1_value)
    y_residue = ZERO_RESIDUE * abs(y2_value - y1_value)

    def pixel_to_data(pixel_x: float, pixel_y: float) -> tuple[float, float]:
        x, y = matrix @ np.array([pixel_x, pixel_y]) + offset
        return (_from_axis(float(x), is_log["dx"], x_residue),
                _from_axis(float(y), is_log["dy"], y_residue))

    return pixel_to_data


def to_rows(
    path: Path | str,
    *,
    source_key: str,
    dataset: str,
    quantity: str,
    statistic: str,
    unit: str,
    locator: str,
    url: str,
    condition_by_dataset: Mapping[str, str] | None = None,
    x_as: str = "time_point",
    n: int | None = None,
) -> list[dict[str, str]]:
    """One values-schema row (all cells strings) per point of ``dataset``, sorted by x.

    The y value becomes ``value``; the x value becomes ``time_point`` or, with
    ``x_as="condition"``, ``condition``. ``condition_by_dataset`` names the condition of each WPD
    dataset (one mapping can serve every dataset of a figure).
    """
    if x_as not in X_COLUMNS:
        raise ValueError(f"x_as must be one of {X_COLUMNS}, not {x_as!r}")
    if x_as == "condition" and condition_by_dataset is not None:
        raise ValueError("x_as='condition' fills 'condition' with the x values; "
                         "condition_by_dataset would overwrite them")
    path = Path(path)
    project = read_project(path)
    digitised = _dataset(project, dataset, path)
    axes = next(a for a in project["axesColl"] if a.get("name") == digitised["axesName"])
    if axes.get("type") != "XYAxes":
        raise DigitizerError(f"{label(path)}:1: dataset {dataset!r} lies on {axes.get('type')} axes "
                             f"{axes.get('name')!r}; only XY axes are supported")
    try:
        pixel_to_data = calibrate(axes)
    except DigitizerError as error:
        raise DigitizerError(f"{label(path)}:1: {error}") from error
    if not digitised.get("data"):
        raise DigitizerError(f"{label(path)}:1: dataset {dataset!r} has no digitised points")
    points = sorted(
        pixel_to_data(*_pixel(point, "x", "y", f"{label(path)}:1: dataset {dataset!r} point {number}"))
        for number, point in enumerate(digitised["data"], start=1)
    )

    condition = ""
    if condition_by_dataset is not None:
        if dataset not in condition_by_dataset:
            raise ValueError(f"condition_by_dataset names no condition for dataset {dataset!r}")
        condition = condition_by_dataset[dataset]
    note = _provenance_note(path.name, dataset, axes)
    return [
        {
            "source_key": source_key,
            "quantity": quantity,
            "statistic": statistic,
            "condition": _number(x) if x_as == "condition" else condition,
            "time_point": _number(x) if x_as == "time_point" else "",
            "value": _number(y),
            "qualifier": "",
            "spread": "",
            "spread_low": "",
            "spread_high": "",
            "spread_kind": "none",
            "n": "" if n is None else str(n),
            "n_note": "",
            "unit": unit,
            "locator": locator,
            "url": url,
            "method": METHOD,
            "note": note,
        }
        for x, y in points
    ]


def _dataset(project: dict, name: str, path: Path) -> dict:
    for dataset in project["datasetColl"]:
        if dataset.get("name") == name:
            return dataset
    known = ", ".join(repr(d.get("name")) for d in project["datasetColl"]) or "none"
    raise DigitizerError(f"{label(path)}:1: no dataset named {name!r} (datasets: {known})")


def _pixel(point: dict, x_key: str, y_key: str, where: str) -> tuple[float, float]:
    try:
        return float(point[x_key]), float(point[y_key])
    except (KeyError, TypeError, ValueError) as error:
        raise DigitizerError(f"{where} has no numeric pixel position "
                             f"({x_key!r}, {y_key!r})") from error


def _calibration_value(point: dict, key: str, is_log: bool, where: str) -> float:
    """The calibration value on the axis's own scale: log10 of it on a log axis."""
    text = point.get(key)
    try:
        value = float(text)
    except (TypeError, ValueError) as error:
        # WPD also accepts dates here; no dataset of the book has a date axis.
        raise DigitizerError(f"{where}: {key} {text!r} is not a number") from error
    if not math.isfinite(value):
        raise DigitizerError(f"{where}: {key} {text!r} is not a finite number")
    if is_log:
        if value <= 0:
            raise DigitizerError(f"{where}: {key} {text!r} on a log axis; "
                                 "log axes need positive values")
        return math.log10(value)
    return value


def _without_rotation(matrix: np.ndarray, x_pixel_step: np.ndarray, y_pixel_step: np.ndarray,
                      value_steps: np.ndarray) -> np.ndarray:
    """WPD's 'no rotation' reading: each axis along the pixel direction it mostly runs in."""
    x_value_step, y_value_step = value_steps[0, 0], value_steps[1, 1]
    if abs(matrix[0, 0] * matrix[1, 1]) > abs(matrix[0, 1] * matrix[1, 0]):
        # x runs across the image and y up it (the usual figure).
        return np.array([[x_value_step / x_pixel_step[0], 0.0],
                         [0.0, y_value_step / y_pixel_step[1]]])
    # x runs up the image and y across it (a figure printed turned by 90 degrees).
    return np.array([[0.0, x_value_step / x_pixel_step[1]],
                     [y_value_step / y_pixel_step[0], 0.0]])


def _from_axis(value: float, is_log: bool, zero_residue: float) -> float:
    if is_log:
        return 10.0 ** value
    return 0.0 if abs(value) < zero_residue else value


def _number(value: float) -> str:
    # Six significant digits are far finer than a reading from pixels can be; written in plain
    # decimal notation, as the data contract requires (no exponent).
    return np.format_float_positional(value, precision=6, unique=False, fractional=False,
                                      trim="-")


def _provenance_note(file_name: str, dataset: str, axes: dict) -> str:
    scales = (f"{'log' if axes.get('isLogX') else 'linear'} x, "
              f"{'log' if axes.get('isLogY') else 'linear'} y")
    if axes.get("noRotation"):
        scales += ", no rotation"
    calibration = ", ".join(
        f"{label} ({float(point['px']):.1f},{float(point['py']):.1f})->{point[key]}"
        for point, (label, key) in zip(axes["calibrationPoints"], CALIBRATION_POINTS)
    )
    return (f"WebPlotDigitizer project {file_name}, dataset {dataset!r}, axes {axes.get('name')} "
            f"({scales}); calibration {calibration}")


META_REQUIRED = ("source_key", "dataset", "quantity", "statistic", "unit", "locator", "url")
META_OPTIONAL = ("condition_by_dataset", "x_as", "n")


def _read_meta(meta_path: Path) -> dict:
    """The YAML beside a project; an unknown or missing key is reported at its line."""
    meta, text = read_yaml(meta_path)
    where = label(meta_path)
    if not isinstance(meta, dict):
        raise DigitizerError(f"{where}:1: needs 'key: value' lines ({', '.join(META_REQUIRED)})")
    problems = []
    for key in meta:
        if key not in META_REQUIRED + META_OPTIONAL:
            known = META_REQUIRED + META_OPTIONAL
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(known)})"
            problems.append(f"{where}:{line_of(text, f'{key}:')}: unknown key {key!r}{hint}")
    for key in META_REQUIRED:
        if key not in meta:
            problems.append(f"{where}:1: missing key {key!r}")
    if problems:
        raise DigitizerError(problems)
    return meta


def import_into_csv(project_path: Path | str, meta_path: Path | str, csv_path: Path | str,
                    bib_path: Path | None = None) -> int:
    """Append the rows of a digitised figure to a dataset CSV; returns how many were added.

    ``meta_path`` is a small YAML file beside the project naming what the figure shows
    (source_key, dataset, quantity, statistic, unit, locator, url; optional x_as, n,
    condition_by_dataset). The rows are validated against the values schema and references.bib
    before anything is written; the file is replaced atomically, and a figure already imported
    (same provenance note) is refused rather than duplicated.
    """
    import csv
    import io

    from reviewkit.evidence import data
    from reviewkit import paths

    project_path, csv_path = Path(project_path), Path(csv_path)
    meta = _read_meta(Path(meta_path))
    try:
        rows = to_rows(project_path, **meta)
    except InputError:
        raise
    except ValueError as error:
        raise DigitizerError(f"{label(meta_path)}:1: {error}") from None
    header, existing = read_csv(csv_path)
    if any(row.get("note") == rows[0]["note"] for _, row in existing):
        raise DigitizerError(f"{label(csv_path)}:1: {project_path.name} dataset "
                             f"{meta['dataset']!r} is already imported")
    schema, _ = read_json(paths.DATA_DIR / "schemas" / "values.json")
    contract = data.load_contract(csv_path.parent / "datapackage.json",
                                  bib_path or paths.BIB_PATH)
    last_line = existing[-1][0] if existing else 1
    numbered = existing + [(last_line + i, {name: row.get(name, "") for name in header})
                           for i, row in enumerate(rows, 1)]
    problems = data.validate_rows(numbered, header, schema, label(csv_path),
                                  data.bib_keys(bib_path or paths.BIB_PATH), contract)
    if problems:
        raise data.DataValidationError(problems)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(row for _, row in numbered)
    write_text_atomic(csv_path, buffer.getvalue())
    return len(rows)
