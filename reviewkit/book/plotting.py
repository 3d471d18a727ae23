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
    from reviewkit.evidence.data import quantities

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


# Findings and how direct the evidence is, as the verdict figures draw them: colour says what
# was found, a filled marker a direct measure, an open one a proxy or upstream step.
FINDING_COLOURS = {"supports": PALETTE[2], "no effect": PALETTE[7], "opposite": PALETTE[3],
                   "not recomputable": PALETTE[5]}


def evidence_matrix(matrix: pd.DataFrame, row: str = "criterion_label",
                    ax: plt.Axes | None = None) -> plt.Axes:
    """Criterion (or statement) by study: one marker per check, coloured by finding, filled for a
    direct measure and open for a proxy or upstream step. Several checks of one study in one
    row sit side by side, so none hides another."""
    apply_theme()
    rows = list(pd.unique(matrix[row]))
    studies = sorted(pd.unique(matrix["study_label"]))
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.55 * len(rows) + 2.6))
    seen = set()
    for (label, study), cell in matrix.groupby([row, "study_label"], sort=False):
        x, y = studies.index(study), rows.index(label)
        cell = cell.sort_values(["match", "finding"])
        for k, (_, check) in enumerate(cell.iterrows()):
            offset = (k - (len(cell) - 1) / 2) * 0.28
            colour = FINDING_COLOURS.get(check["finding"], "0.5")
            direct = check["match"] == "direct"
            key = (check["finding"], direct)
            ax.scatter(x + offset, y, s=110, marker="s", zorder=3, linewidths=2,
                       facecolors=colour if direct else "white", edgecolors=colour,
                       label=(f"{check['finding']}, {'direct' if direct else 'indirect'}"
                              if key not in seen else None))
            seen.add(key)
    ax.set_xticks(range(len(studies)), studies)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlim(-0.6, len(studies) - 0.4)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.grid(True, color="0.9")
    slant_labels(ax, 40)
    handles, names = ax.get_legend_handles_labels()
    order = sorted(range(len(names)), key=lambda i: names[i])
    ax.legend([handles[i] for i in order], [names[i] for i in order], loc="upper left",
              bbox_to_anchor=(1.01, 1), frameon=False, fontsize="small")
    return ax


def criteria_bars(table: pd.DataFrame, ax: plt.Axes | None = None) -> plt.Axes:
    """Per criterion, how many studies support it directly or indirectly, or found no effect."""
    apply_theme()
    kinds = ["direct support", "indirect support", "direct no effect", "indirect no effect",
             "opposite"]
    colours = [PALETTE[2], PALETTE[9], PALETTE[7], "0.8", PALETTE[3]]
    long = table[["label", *kinds]].melt(id_vars="label", var_name="evidence",
                                         value_name="count")
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.2))
    sns.barplot(data=long, y="label", x="count", hue="evidence", hue_order=kinds,
                palette=colours, ax=ax, orient="h")
    ax.set_ylabel("")
    ax.set_xlabel("studies")
    ax.legend(title="", loc="lower right", fontsize="small")
    return ax


def study_labels(keys) -> dict[str, str]:
    """Author-year labels (as the reference lists print them) for the given source keys."""
    from reviewkit.bibliography.bibstyle import citation_labels

    labels = citation_labels()
    return {key: labels.get(key, key) for key in pd.unique(pd.Series(list(keys)))}


def fold_panels(frame: pd.DataFrame, by: str = "source_key",
                labels: dict[str, str] | None = None) -> plt.Figure:
    """Reported fold changes, one panel (own log axis) per group, e.g. per study. A value the
    source gives as approximate or as a bound is drawn as an open marker."""
    apply_theme()
    groups = list(pd.unique(frame[by]))
    widths = [max(2, len(frame[frame[by] == group])) for group in groups]
    fig, axes = plt.subplots(1, len(groups), figsize=(2.0 * sum(widths), 5.0), squeeze=False,
                             gridspec_kw={"width_ratios": widths})
    for ax, group in zip(axes[0], groups):
        rows = frame[frame[by] == group].reset_index(drop=True)
        short = {"muscle_il6_mrna": "mRNA", "muscle_il6_transcription": "transcription"}
        names = ["\n".join([short.get(q, q), textwrap_label(c, 18)] + ([t] if t else []))
                 for q, c, t in zip(rows["quantity"], rows["condition"],
                                    rows["time_point"].fillna(""))]
        exact = rows["qualifier"].isna() | (rows["qualifier"] == "")
        for i, value in enumerate(rows["display_value"]):
            ax.scatter(i, value, s=70, marker="o", zorder=3, linewidths=1.8,
                       facecolors=PALETTE[0] if exact[i] else "white", edgecolors=PALETTE[0])
        ax.set_yscale("log")
        ax.set_xticks(range(len(rows)), names, fontsize="x-small")
        ax.set_xlim(-0.6, len(rows) - 0.4)
        ax.axhline(1, color="0.5", linewidth=0.8)
        ax.set_title((labels or {}).get(group, group), fontsize="medium")
    axes[0][0].set_ylabel("fold change over rest (log scale)")
    fig.tight_layout()
    return fig


def textwrap_label(text: str, width: int = 24) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def studies_by_year(matrix: pd.DataFrame, years: dict[str, int],
                    ax: plt.Axes | None = None) -> plt.Axes:
    """How many of the studies weighed for each criterion appeared in each year."""
    apply_theme()
    studies = matrix[["study", "criterion_label"]].drop_duplicates().copy()
    studies["year"] = studies["study"].map(years)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.2))
    order = list(pd.unique(matrix["criterion_label"]))
    sns.histplot(data=studies, x="year", hue="criterion_label", hue_order=order,
                 multiple="stack", discrete=True, palette=PALETTE[: len(order)], ax=ax,
                 shrink=0.8)
    ax.set_xlabel("year of publication")
    ax.set_ylabel("studies (a study counts once per criterion)")
    sns.move_legend(ax, "upper left", bbox_to_anchor=(1.01, 1), title="", frameon=False,
                    fontsize="small")
    ax.xaxis.get_major_locator().set_params(integer=True)
    return ax
