"""The compilation of exercise studies: one effect per study x duration, and the fits on it.

Effects
-------
:func:`effects` turns the value rows of ``data/compilation.csv`` into one row per study,
condition and time point with a fold change over baseline:

* a fold change the study reports is taken as printed (``derived`` is False);
* a percent change whose reference the record names as the pre-exercise value becomes
  ``1 + percent / 100`` (``derived``);
* two reported means, the study's baseline (``baseline_time_point`` in
  ``data/compilation-studies.csv``) and a later time point, give ``later / baseline``
  (``derived``).

Mean changes (post minus pre) without the baseline, post-exercise values without a baseline, and
percent changes with an unnamed reference give no fold; they stay in the dataset and are listed
as not used, with the reason.

Sampling variance of a log fold
-------------------------------
For a fold from two means, the delta method gives
``var(log(post / pre)) ~ (se_post / post)^2 + (se_pre / pre)^2``, taking the covariance of the
two means as zero because no study reports it. Pre and post values of the same people are
positively correlated, so this overstates the variance (a conservative weight). The standard error
of a mean is its spread when the source says SEM and ``SD / sqrt(n)`` when it says SD. A ``±``
whose kind the source does not state is taken as a SEM in the main analysis (the larger, more
conservative variance) and as an SD in a sensitivity analysis.

A reported fold or percent change comes without a spread. Its variance is imputed from the
study's n as ``v = c / n``, where ``c`` is the median of ``v * n`` over the effects whose variance
could be computed from spreads, so an imputed effect weighs like a computed one of the same n.
The sensitivity analyses refit on the computed variances only and with equal variances.

Fits
----
:func:`fit` is a random-effects meta-regression (PyMARE, REML estimate of tau^2, with PyMARE's
default Knapp-Hartung adjustment: standard errors scaled by the weighted residual variance and
t-based intervals) of the log fold on the log duration, optionally with mode as a moderator;
:func:`wls_check` refits the same model as a weighted least-squares regression in statsmodels
with weights ``1 / (v + tau^2)``, which must give the same estimates, standard errors and
intervals. R² is the share of the between-study
variance of the intercept-only model that the moderators explain, ``(tau0^2 - tau^2) / tau0^2``,
floored at zero.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reviewkit.evidence.data import load

CONCENTRATIONS = ("plasma_il6", "serum_il6", "arterial_plasma_il6",
                  "il6_concentration_sample_unstated")
# Qualifiers that make a number a bound rather than a value: such effects are not fitted.
BOUND_QUALIFIERS = (">", "<", ">=", "<=")
SE_FACTOR_UNSTATED = {"SEM": "se", "SD": "sd"}


@dataclass
class Fit:
    """What the chapter and tests quote from one meta-regression."""
    k: int                 # effects (rows) fitted
    studies: int           # distinct studies among them
    terms: list[str]
    estimates: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    p: np.ndarray
    tau2: float
    tau2_null: float
    r2: float

    def term(self, name: str) -> dict:
        i = self.terms.index(name)
        return {"estimate": float(self.estimates[i]), "se": float(self.se[i]),
                "ci_low": float(self.ci_low[i]), "ci_high": float(self.ci_high[i]),
                "p": float(self.p[i])}

    @property
    def slope(self) -> dict:
        return self.term("log duration")


# ---------------------------------------------------------------------------------------------
# From value rows to effects.

def _se(row: pd.Series, unstated_as: str) -> float:
    """Standard error of a reported mean, in the mean's display unit; NaN if not computable."""
    kind = row["spread_kind"]
    if kind == "unstated":
        kind = unstated_as
    if pd.isna(row["display_spread"]) or kind not in ("SEM", "SD"):
        return float("nan")
    if kind == "SEM":
        return float(row["display_spread"])
    n = row["n"]
    return float(row["display_spread"]) / np.sqrt(float(n)) if pd.notna(n) else float("nan")


def _duration_table(values: pd.DataFrame) -> pd.DataFrame:
    durations = values[values["quantity"] == "exercise_duration"]
    return durations[["source_key", "condition", "time_point", "display_value", "qualifier"]]


def _duration_of(durations: pd.DataFrame, key: str, condition: str, time_point) -> tuple:
    """(minutes, qualifier) for an effect: the row of its time point, else of its condition,
    else the study's only duration row; (NaN, '') if the record gives none in time."""
    mine = durations[durations["source_key"] == key]
    general = mine["time_point"].fillna("") == ""
    for chosen in (mine[(mine["condition"] == condition) & (mine["time_point"] == time_point)],
                   mine[(mine["condition"] == condition) & general],
                   mine[general] if general.sum() == 1 else mine.iloc[0:0]):
        if len(chosen) == 1:
            return float(chosen["display_value"].iloc[0]), chosen["qualifier"].fillna("").iloc[0]
    return float("nan"), ""


def effects(values: pd.DataFrame | None = None, studies: pd.DataFrame | None = None,
            unstated_as: str = "SEM") -> pd.DataFrame:
    """One row per study x condition x time point with a fold over baseline (see module doc),
    its log, a sampling variance, and whether it enters the main fit (``use``, with ``why_not``)."""
    values = load("compilation") if values is None else values
    studies = load("compilation-studies") if studies is None else studies
    info = studies.set_index("source_key")
    durations = _duration_table(values)
    rows = []
    for _, row in values[values["statistic"].isin(["fold change", "percent change"])].iterrows():
        reference = info.loc[row["source_key"], "percent_reference"]
        if row["statistic"] == "percent change" and reference != "pre-exercise":
            rows.append(_effect(row, float("nan"), False, "percent change of an unnamed reference"))
            continue
        fold = row["value"] if row["statistic"] == "fold change" else 1 + row["value"] / 100
        rows.append(_effect(row, fold, row["statistic"] == "percent change", ""))
    means = values[(values["statistic"] == "mean") & values["quantity"].isin(CONCENTRATIONS)]
    for key, group in means.groupby("source_key", sort=False):
        baseline_name = info.loc[key, "baseline_time_point"]
        for condition, arm in group.groupby("condition", sort=False):
            base = arm[arm["time_point"] == baseline_name]
            if pd.isna(baseline_name) or len(base) != 1:
                rows.append(_effect(arm.iloc[-1], float("nan"), True,
                                    "no baseline mean reported"))
                continue
            base = base.iloc[0]
            for _, later in arm[arm["time_point"] != baseline_name].iterrows():
                fold = later["display_value"] / base["display_value"]
                se_b, se_l = _se(base, unstated_as), _se(later, unstated_as)
                variance = (se_l / later["display_value"]) ** 2 + (se_b / base["display_value"]) ** 2
                effect = _effect(later, fold, True, "", variance)
                effect["qualifier"] = _text(base["qualifier"]) or _text(later["qualifier"])
                rows.append(effect)
    frame = pd.DataFrame(rows)
    frame["duration_min"], frame["duration_qualifier"] = zip(*[
        _duration_of(durations, k, c, t) for k, c, t in
        zip(frame["source_key"], frame["condition"], frame["time_point"])])
    frame = frame.join(info[["mode", "in_review_list", "primary_condition"]], on="source_key")
    frame["log_fold"] = np.log(frame["fold"])
    frame["log_duration"] = np.log(frame["duration_min"])
    return _mark_use(_impute_variance(frame))


def _effect(row: pd.Series, fold: float, derived: bool, why_not: str,
            variance: float = float("nan")) -> dict:
    return {"source_key": row["source_key"], "condition": row["condition"],
            "time_point": row["time_point"], "statistic": row["statistic"],
            "quantity": row["quantity"], "fold": fold, "derived": derived,
            "qualifier": _text(row["qualifier"]),
            "n": row["n"], "variance": variance, "why_not": why_not,
            "locator": row["locator"], "url": row["url"]}


def _text(value) -> str:
    return "" if pd.isna(value) else str(value)


def _impute_variance(frame: pd.DataFrame) -> pd.DataFrame:
    computed = frame["variance"].notna() & frame["n"].notna()
    frame["variance_from"] = np.where(frame["variance"].notna(), "spreads", "")
    constant = float(np.median(frame.loc[computed, "variance"] * frame.loc[computed, "n"].astype(float))) \
        if computed.any() else float("nan")
    missing = frame["variance"].isna() & frame["n"].notna() & frame["fold"].notna()
    frame.loc[missing, "variance"] = constant / frame.loc[missing, "n"].astype(float)
    frame.loc[missing, "variance_from"] = "imputed from n"
    frame.attrs["variance_constant"] = constant
    return frame


def _mark_use(frame: pd.DataFrame) -> pd.DataFrame:
    """Which effects enter the main fit: a fold, a duration in time, not a bound, the study's
    primary arm, and of those one per study x duration (the largest fold: the peak)."""
    why = frame["why_not"].copy()
    why[(why == "") & frame["duration_min"].isna()] = "no exercise duration in time"
    why[(why == "") & frame["duration_qualifier"].isin(BOUND_QUALIFIERS)] = "duration is a bound"
    why[(why == "") & frame["qualifier"].isin(BOUND_QUALIFIERS)] = "fold is a bound"
    why[(why == "") & frame["variance"].isna()] = "no variance (n not stated)"
    why[(why == "") & (frame["condition"] != frame["primary_condition"])] = "not the primary arm"
    candidates = frame[why == ""]
    peak = candidates.groupby(["source_key", "duration_min"])["fold"].idxmax()
    why[(why == "") & ~frame.index.isin(peak)] = "not the peak at this duration"
    frame["why_not"] = why
    frame["use"] = why == ""
    return frame


# ---------------------------------------------------------------------------------------------
# Fits.

def design(data: pd.DataFrame, moderators: tuple[str, ...] = ()) -> tuple[np.ndarray, list[str]]:
    """Columns of the regression: log duration, and for "running" an indicator of running."""
    columns, names = [data["log_duration"].to_numpy(float)], ["log duration"]
    if "running" in moderators:
        columns.append((data["mode"] == "running").to_numpy(float))
        names.append("running (vs other modes)")
    return np.column_stack(columns), names


def _reml(y: np.ndarray, v: np.ndarray, x: np.ndarray | None):
    from pymare import Dataset
    from pymare.estimators import VarianceBasedLikelihoodEstimator

    dataset = Dataset(y=y, v=v, X=x, add_intercept=True)
    with warnings.catch_warnings():
        # PyMARE warns when a small sensitivity subset leaves too few degrees of freedom; the
        # subsets with fewer than four effects are not fitted (see sensitivity()).
        warnings.simplefilter("ignore")
        return VarianceBasedLikelihoodEstimator(method="REML").fit_dataset(dataset).summary()


def fit(data: pd.DataFrame, moderators: tuple[str, ...] = ()) -> Fit:
    """Random-effects meta-regression of log fold on log duration (REML, PyMARE)."""
    y, v = data["log_fold"].to_numpy(float), data["variance"].to_numpy(float)
    x, names = design(data, moderators)
    result = _reml(y, v, x)
    table = result.to_df()
    tau2 = float(np.ravel(result.tau2)[0])
    tau2_null = float(np.ravel(_reml(y, v, None).tau2)[0])
    r2 = max(0.0, (tau2_null - tau2) / tau2_null) if tau2_null > 0 else 0.0
    return Fit(k=len(data), studies=data["source_key"].nunique(), terms=["intercept", *names],
               estimates=table["estimate"].to_numpy(), se=table["se"].to_numpy(),
               ci_low=table["ci_0.025"].to_numpy(), ci_high=table["ci_0.975"].to_numpy(),
               p=table["p-value"].to_numpy(), tau2=tau2, tau2_null=tau2_null, r2=r2)


def wls_check(data: pd.DataFrame, result: Fit, moderators: tuple[str, ...] = ()):
    """The same model as weighted least squares (statsmodels) with weights 1 / (v + tau^2). With
    the residual scale estimated, as statsmodels does by default, its standard errors are the
    Knapp-Hartung ones PyMARE reports, and its t-based intervals the same, so estimates, standard
    errors and intervals must all agree with the random-effects fit's."""
    import statsmodels.api as sm

    x, _ = design(data, moderators)
    weights = 1.0 / (data["variance"].to_numpy(float) + result.tau2)
    return sm.WLS(data["log_fold"].to_numpy(float), sm.add_constant(x, has_constant="add"),
                  weights=weights).fit()


def main_effects(table: pd.DataFrame | None = None) -> pd.DataFrame:
    table = effects() if table is None else table
    return table[table["use"]].reset_index(drop=True)


def sensitivity(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The duration slope under each sensitivity analysis: all effects, leave one study out,
    derived folds excluded, reported folds excluded, one mode at a time, one effect per study
    (longest duration), computed variances only, equal variances, unstated spreads as SD."""
    table = effects() if table is None else table
    used = main_effects(table)
    analyses: list[tuple[str, pd.DataFrame]] = [("main analysis", used)]
    for key in used["source_key"].unique():
        analyses.append((f"without {key}", used[used["source_key"] != key]))
    analyses.append(("derived folds excluded", used[~used["derived"]]))
    analyses.append(("reported folds excluded (derived only)", used[used["derived"]]))
    for mode in used["mode"].unique():
        analyses.append((f"{mode} only", used[used["mode"] == mode]))
    longest = used.loc[used.groupby("source_key")["duration_min"].idxmax()]
    analyses.append(("one effect per study (longest duration)", longest))
    analyses.append(("variances from spreads only", used[used["variance_from"] == "spreads"]))
    analyses.append(("equal variances", used.assign(variance=float(used["variance"].median()))))
    as_sd = main_effects(effects(unstated_as="SD"))
    analyses.append(("unstated ± taken as SD", as_sd))
    rows = []
    for name, data in analyses:
        row = {"analysis": name, "k": len(data), "studies": data["source_key"].nunique()}
        if len(data) >= 4 and data["log_duration"].nunique() > 1:
            result = fit(data)
            row.update({"slope": result.slope["estimate"], "ci_low": result.slope["ci_low"],
                        "ci_high": result.slope["ci_high"], "tau2": result.tau2})
        rows.append(row)
    return pd.DataFrame(rows)


def residuals(data: pd.DataFrame, result: Fit) -> pd.DataFrame:
    """Each fitted effect's residual from the meta-regression and its standard error, for a
    funnel-style plot; the Egger-type slope of residual / se on 1 / se tests for asymmetry."""
    x, _ = design(data, tuple(t for t in ("running",) if "running (vs other modes)" in result.terms))
    fitted = result.estimates[0] + x @ result.estimates[1:]
    return data.assign(residual=data["log_fold"].to_numpy(float) - fitted,
                       se=np.sqrt(data["variance"].to_numpy(float)))


def egger(data: pd.DataFrame) -> dict:
    """Egger-type regression of the standardised residual on precision (statsmodels OLS); the
    intercept measures funnel asymmetry."""
    import statsmodels.api as sm

    model = sm.OLS((data["residual"] / data["se"]).to_numpy(float),
                   sm.add_constant((1 / data["se"]).to_numpy(float))).fit()
    return {"intercept": float(model.params[0]), "p": float(model.pvalues[0]), "k": len(data)}


def study_counts(table: pd.DataFrame | None = None,
                 studies: pd.DataFrame | None = None) -> dict[str, int]:
    """How many studies the compilation holds, has numbers for, and fits."""
    table = effects() if table is None else table
    studies = load("compilation-studies") if studies is None else studies
    return {"studies": len(studies),
            "with numbers": int((studies["numeric_response"] == "yes").sum()),
            "direction only": int((studies["numeric_response"] == "no").sum()),
            "with a fold": int(table.loc[table["fold"].notna(), "source_key"].nunique()),
            "fitted": int(table.loc[table["use"], "source_key"].nunique()),
            "in review list": int((studies["in_review_list"] == "yes").sum())}


# ---------------------------------------------------------------------------------------------
# Figures and tables for the chapter.

def plot_duration(table: pd.DataFrame, result: Fit, ax=None):
    """Fold increase against duration, log-log: colour by mode, size by n, the review's own
    studies ringed; the main fit's line over the fitted range."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from reviewkit.book.plotting import PALETTE, apply_theme

    apply_theme()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 5))
    shown = table[table["fold"].notna() & table["duration_min"].notna()].copy()
    shown["fitted"] = np.where(shown["use"], "in main fit", "not in main fit")
    modes = sorted(shown["mode"].unique())
    sns.scatterplot(data=shown, x="duration_min", y="fold", hue="mode", hue_order=modes,
                    size="n", sizes=(30, 250), style="fitted",
                    markers={"in main fit": "o", "not in main fit": "X"},
                    palette=PALETTE[: len(modes)], ax=ax, alpha=0.85, zorder=3)
    review = shown[shown["in_review_list"] == "yes"]
    ax.scatter(review["duration_min"], review["fold"], s=420, facecolors="none",
               edgecolors="0.1", linewidths=1.2, zorder=4, label="in the review's list")
    used = table[table["use"]]
    grid = np.linspace(used["log_duration"].min(), used["log_duration"].max(), 50)
    ax.plot(np.exp(grid), np.exp(result.estimates[0] + result.estimates[1] * grid), color="0.2",
            linewidth=1.5, label="meta-regression (main fit)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.axhline(1, color="0.5", linewidth=0.8, linestyle=":")
    ax.set_xlabel("exercise duration (min, log scale)")
    ax.set_ylabel("IL-6 fold increase over baseline (log scale)")
    ax.legend(bbox_to_anchor=(1.02, 1), loc="upper left", fontsize="small", frameon=False)
    return ax


def plot_funnel(data: pd.DataFrame, result: Fit, ax=None):
    """Funnel-style plot: residual log fold (after the duration fit) against its standard error,
    with the ±1.96 standard error lines a symmetric funnel would fill."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from reviewkit.book.plotting import PALETTE, apply_theme

    apply_theme()
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.5))
    points = residuals(data, result)
    modes = sorted(points["mode"].unique())
    sns.scatterplot(data=points, x="residual", y="se", hue="mode", hue_order=modes,
                    style="derived", palette=PALETTE[: len(modes)], s=80, ax=ax, zorder=3)
    top = float(points["se"].max()) * 1.1
    se = np.linspace(0, top, 20)
    for sign in (-1, 1):
        ax.plot(sign * 1.96 * se, se, color="0.5", linestyle="--", linewidth=1)
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_ylim(top, 0)
    ax.set_xlabel("residual log fold change (after the duration fit)")
    ax.set_ylabel("standard error of the log fold")
    ax.legend(bbox_to_anchor=(1.02, 1), loc="upper left", fontsize="small", frameon=False)
    return ax
