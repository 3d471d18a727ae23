"""The compilation: enough distinct studies, folds flagged as derived or reported, the variance of
a log fold as documented, the meta-regression recomputed from the dataset and pinned, the
statsmodels cross-check, the 'compilation' recompute kind of the claims register, and the
chapter's prose quoting the fit through glue."""
from __future__ import annotations

import re

import numpy as np
import pytest

from reviewkit.evidence import claims
from reviewkit import load
from reviewkit.evidence import compilation

from conftest import ROOT

# The main fit as the editors reviewed it (data/compilation.csv at this commit).
PINNED = {"k": 15, "studies": 13, "slope": 0.376, "ci_low": -0.140, "ci_high": 0.892,
          "tau2": 0.529, "r2": 0.175}
REVIEW_LIST = {"ostrowski1998evidence", "nehlsencannarella1997carbohydrate",
               "steensberg2000production", "keller2001transcriptional",
               "steensberg2001interleukin6", "febbraio2003hepatosplanchnic",
               "steensberg2001plasma"}


@pytest.fixture(scope="module")
def table():
    return compilation.effects()


@pytest.fixture(scope="module")
def main(table):
    return compilation.fit(compilation.main_effects(table))


def pinned_figures(result: compilation.Fit) -> dict:
    return {"k": result.k, "studies": result.studies, "slope": result.slope["estimate"],
            "ci_low": result.slope["ci_low"], "ci_high": result.slope["ci_high"],
            "tau2": result.tau2, "r2": result.r2}


def assert_matches_pin(figures: dict) -> None:
    assert figures["k"] == PINNED["k"] and figures["studies"] == PINNED["studies"]
    for name in ("slope", "ci_low", "ci_high", "tau2", "r2"):
        assert figures[name] == pytest.approx(PINNED[name], abs=0.002), name


def test_at_least_30_distinct_studies_with_numbers():
    studies = load("compilation-studies")
    values = load("compilation")
    assert studies["source_key"].is_unique
    with_numbers = set(values["source_key"])
    assert len(with_numbers) >= 30
    assert with_numbers == set(studies.loc[studies["numeric_response"] == "yes", "source_key"])
    # studies that state only a direction (null results) are kept, not dropped
    assert (studies["numeric_response"] == "no").sum() >= 1


def test_review_list_studies_included_and_marked():
    studies = load("compilation-studies").set_index("source_key")
    assert set(studies.index[studies["in_review_list"] == "yes"]) == REVIEW_LIST


def test_folds_flagged_derived_or_reported(table):
    folds = table[table["fold"].notna()]
    reported = folds[folds["statistic"] == "fold change"]
    assert not reported["derived"].any()
    assert folds[folds["statistic"].isin(["mean", "percent change"])]["derived"].all()
    # a derived fold is the ratio of the two reported means, computed here, never typed
    row = folds[(folds["source_key"] == "steensberg2001interleukin6")].iloc[0]
    assert row["fold"] == pytest.approx(21.7 / 0.6)
    gill = folds[folds["source_key"] == "gill2015impact"].iloc[0]
    assert gill["fold"] == pytest.approx(1 + 3436 / 100) and gill["derived"]


def test_variance_of_a_log_fold_from_two_means(table):
    row = table[table["source_key"] == "steensberg2001interleukin6"].iloc[0]
    # unstated ± taken as SEM; covariance of pre and post taken as zero
    assert row["variance"] == pytest.approx((5.6 / 21.7) ** 2 + (0.1 / 0.6) ** 2)
    assert row["variance_from"] == "spreads"
    as_sd = compilation.effects(unstated_as="SD")
    sd_row = as_sd[as_sd["source_key"] == "steensberg2001interleukin6"].iloc[0]
    assert sd_row["variance"] == pytest.approx(row["variance"] / 7)


def test_reported_fold_variance_imputed_from_n(table):
    constant = table.attrs["variance_constant"]
    row = table[table["source_key"] == "steensberg2000production"].iloc[0]
    assert row["variance_from"] == "imputed from n"
    assert row["variance"] == pytest.approx(constant / 6)


def test_bounds_and_unnamed_references_are_not_fitted(table):
    reasons = table.set_index("source_key")["why_not"]
    assert reasons["margeli2005dramatic"] == "duration is a bound"
    assert (table.loc[table["source_key"] == "nehlsencannarella1997carbohydrate", "why_not"]
            == "percent change of an unnamed reference").all()
    assert not table.loc[table["qualifier"] == ">", "use"].any()


def test_main_fit_pinned(main):
    assert_matches_pin(pinned_figures(main))


def test_pin_catches_a_changed_value():
    """The guard above fails when one number of the dataset changes."""
    values = load("compilation").copy()
    changed = (values["source_key"] == "ostrowski1999pro") & (values["statistic"] == "fold change")
    values.loc[changed, "value"] = 12.8
    result = compilation.fit(compilation.main_effects(compilation.effects(values=values)))
    with pytest.raises(AssertionError):
        assert_matches_pin(pinned_figures(result))


def test_statsmodels_wls_reproduces_the_random_effects_fit(table, main):
    used = compilation.main_effects(table)
    wls = compilation.wls_check(used, main)
    np.testing.assert_allclose(wls.params, main.estimates, atol=1e-6)
    np.testing.assert_allclose(wls.bse, main.se, rtol=1e-4)
    np.testing.assert_allclose(wls.conf_int()[1], [main.slope["ci_low"], main.slope["ci_high"]],
                               rtol=1e-4)


def test_r2_is_share_of_between_study_variance(main):
    assert main.r2 == pytest.approx(max(0.0, (main.tau2_null - main.tau2) / main.tau2_null))


def test_sensitivity_has_every_analysis(table):
    sensitivity = compilation.sensitivity(table)
    names = set(sensitivity["analysis"])
    used = compilation.main_effects(table)
    assert {f"without {key}" for key in used["source_key"].unique()} <= names
    assert {"derived folds excluded", "one effect per study (longest duration)",
            "running only", "unstated ± taken as SD", "equal variances"} <= names
    main_row = sensitivity[sensitivity["analysis"] == "main analysis"].iloc[0]
    assert main_row["slope"] == pytest.approx(PINNED["slope"], abs=0.002)


def test_claims_compilation_checks():
    matrix = claims.evidence_matrix(chapter="what-drives-il6").set_index("check")
    slope = matrix.loc["compilation-duration-slope"]
    assert float(slope["recomputed"]) == pytest.approx(PINNED["slope"], abs=0.001)
    assert slope["verdict"] == "no effect found (direct)"
    assert matrix.loc["compilation-largest-fold", "verdict"] == "supported"
    assert matrix.loc["compilation-running-vs-other-modes", "finding"] == "no effect"


@pytest.mark.parametrize("old, new, message", [
    ("compilation: duration slope", "compilation: duration slop",
     "compilation estimate 'duration slop' is not one of"),
    ("    significance: from the compilation\n    recompute:\n      compilation: largest fold",
     "    significance: not reported\n    recompute:\n      compilation: largest fold",
     "significance is 'from the compilation'"),
    ("  - id: compilation-duration-slope\n",
     "  - id: compilation-duration-slope\n    source_key: gill2015impact\n",
     "names no source_key"),
])
def test_claims_compilation_kind_is_validated(tmp_path, old, new, message):
    text = (ROOT / "data" / "claims.yml").read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "claims.yml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    problems = claims.problems(broken)
    assert any(message in problem and re.match(r".*claims\.yml:\d+: ", problem)
               for problem in problems), problems


def test_prose_quotes_the_fit_through_glue(built_book, main):
    source = (ROOT / "chapters" / "what-drives-il6.md").read_text(encoding="utf-8")
    html = (built_book / "chapters" / "what-drives-il6.html").read_text(encoding="utf-8")
    html = re.sub(r"<[^>]+>", "", html)
    for name, value in (("slope", main.slope["estimate"]), ("slope_low", main.slope["ci_low"]),
                        ("slope_high", main.slope["ci_high"]), ("tau2", main.tau2)):
        shown = f"{value:.2f}"
        assert shown in html, name
        assert f"{{glue:text}}`{name}:.2f`" in source
    assert f"{100 * main.r2:.0f}%" in html
    body = source.split("\n---\n", 1)[1]  # after the jupytext front matter
    typed = re.findall(r"(?<![\w.`:])0\.\d\d(?![\w`])", body)
    assert not typed, f"numbers typed in the prose: {typed}"
