"""One plotting theme for every figure: opaque white background, colour-blind-safe palette,
and error bars drawn only as the source reported them."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

PALETTE = sns.color_palette("colorblind")


def apply_theme() -> None:
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE)
    plt.rcParams.update({
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "savefig.facecolor": "white",
        "savefig.transparent": False,
        "figure.dpi": 110,
        "figure.figsize": (7.0, 4.2),
    })


def spread_label(kinds: pd.Series) -> str:
    """How the error bars of a figure must be described, from the spread kinds plotted."""
    kinds = sorted(set(kinds) - {"none"})
    if not kinds:
        return "no spread reported"
    if kinds == ["unstated"]:
        return "error bars: ± as printed, kind of spread not stated by the source"
    return "error bars: " + ", ".join(kinds)


def spread_bounds(frame: pd.DataFrame, y: str = "display_value") -> tuple[pd.Series, pd.Series]:
    """Lower and upper ends of each row's printed spread (± or an interval); NaN if none.

    With the default ``y`` the spread is taken in the display unit, like the value."""
    prefix = "display_" if y.startswith("display_") else ""
    interval = frame[f"{prefix}spread_low"].notna()
    lower = (frame[y] - frame[f"{prefix}spread"]).where(~interval, frame[f"{prefix}spread_low"])
    upper = (frame[y] + frame[f"{prefix}spread"]).where(~interval, frame[f"{prefix}spread_high"])
    return lower, upper


def dot_and_whisker(frame: pd.DataFrame, x: str, y: str = "display_value",
                    hue: str | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """Reported values as points (seaborn) with the spread the source printed as whiskers.

    Values are drawn in their quantity's display unit; a frame of one quantity gets its
    declared name and display unit as the y-axis label."""
    apply_theme()
    if ax is None:
        _, ax = plt.subplots()
    frame = frame.reset_index(drop=True)
    x_levels = list(pd.unique(frame[x]))
    hue_levels = list(pd.unique(frame[hue])) if hue else [None]
    width = 0.3 if hue else 0.0
    shift = {level: (i - (len(hue_levels) - 1) / 2) * width / max(len(hue_levels) - 1, 1)
             for i, level in enumerate(hue_levels)}
    positions = frame[x].map({level: i for i, level in enumerate(x_levels)}).astype(float)
    if hue:
        positions = positions + frame[hue].map(shift)
    lower, upper = spread_bounds(frame, y)
    sns.scatterplot(x=positions, y=frame[y], hue=frame[hue] if hue else None, ax=ax, s=70,
                    palette=PALETTE[: len(hue_levels)] if hue else None,
                    color=None if hue else PALETTE[0], zorder=3)
    has_spread = lower.notna()
    ax.vlines(positions[has_spread], lower[has_spread], upper[has_spread], color="0.25",
              linewidth=1.4, zorder=2)
    ax.set_xticks(range(len(x_levels)), x_levels)
    ax.set_xlim(-0.6, len(x_levels) - 0.4)
    ax.set_xlabel(x.replace("_", " "))
    if y == "display_value" and frame["quantity"].nunique() == 1:
        ax.set_ylabel(axis_label(frame))
    return ax


def axis_label(frame: pd.DataFrame) -> str:
    """The declared name of the frame's one quantity, with the statistic when it is relative,
    and the unit the values are drawn in: "plasma IL-6 (pg/ml)", "plasma IL-6, fold change"."""
    from reviewkit.data import quantities

    name = quantities().loc[frame["quantity"].iloc[0], "label"]
    statistics, shown = frame["statistic"].unique(), frame["display_unit"].unique()
    if len(statistics) == 1 and statistics[0] in ("fold change", "percent change"):
        return f"{name}, {statistics[0]}" + (" (%)" if statistics[0] == "percent change" else "")
    return f"{name} ({', '.join(shown)})"


def slant_labels(ax: plt.Axes, degrees: float = 20) -> None:
    """Long category names: slant them and anchor each at its tick so neighbours do not collide."""
    for label in ax.get_xticklabels():
        label.set_rotation(degrees)
        label.set_horizontalalignment("right")
        label.set_rotation_mode("anchor")
