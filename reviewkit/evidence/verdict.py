"""The verdict: each criterion of an exercise factor scored from the checks of the claims register.

A criterion's score is derived from the verdicts of the checks of the statements that bear on it
(``criterion`` in data/claims.yml), never typed:

- "contradicted": some direct measure found a significant opposite effect;
- "met": direct measures support it and none found no effect;
- "met, with null results": direct measures support it, and other direct measures found none;
- "not met": direct measures found no effect and none supports it;
- "indirect evidence only": only proxies or upstream steps support it;
- "untested": no check could be recomputed.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from reviewkit.evidence import claims

SCORES = ("met", "met, with null results", "indirect evidence only", "not met", "contradicted",
          "untested")


def score(verdicts: list[str], matches: list[str]) -> str:
    """The score of one criterion from its checks' verdicts and matches."""
    direct = [v for v, m in zip(verdicts, matches) if m == "direct"]
    if "contradicted" in verdicts:
        return "contradicted"
    direct_support = "supported" in direct
    direct_null = "no effect found (direct)" in direct
    if direct_support:
        return "met, with null results" if direct_null else "met"
    if direct_null:
        return "not met"
    if "consistent (indirect)" in verdicts:
        return "indirect evidence only"
    return "untested"


def criteria_table(path: Path = claims.CLAIMS_PATH) -> pd.DataFrame:
    """One row per criterion: its label, the studies behind it by kind of evidence, the score,
    and what would change it."""
    register = claims.load_register(path)
    matrix = evidence_matrix(path)
    rows = []
    for ident, criterion in register.criteria.items():
        mine = matrix[matrix["criterion"] == ident]
        direct = mine[mine["match"] == "direct"]
        indirect = mine[mine["match"].isin(claims.INDIRECT_MATCHES)]
        rows.append({
            "criterion": ident,
            "label": criterion["label"],
            "requires": criterion["requires"],
            "statements": mine["statement"].nunique(),
            "studies": mine["study"].nunique(),
            "direct support": direct.loc[direct["finding"] == "supports", "study"].nunique(),
            "direct no effect": direct.loc[direct["finding"] == "no effect", "study"].nunique(),
            "indirect support": indirect.loc[indirect["finding"] == "supports",
                                             "study"].nunique(),
            "indirect no effect": indirect.loc[indirect["finding"] == "no effect",
                                               "study"].nunique(),
            "opposite": mine.loc[mine["finding"] == "opposite", "study"].nunique(),
            "score": score(list(mine["verdict"]), list(mine["match"])),
            "would change it": criterion["would_change"],
        })
    return pd.DataFrame(rows)


def evidence_matrix(path: Path = claims.CLAIMS_PATH) -> pd.DataFrame:
    """The checks that bear on a criterion, with the criterion's label (for the figure)."""
    register = claims.load_register(path)
    matrix = claims.evidence_matrix(path)
    matrix = matrix[matrix["criterion"].isin(list(register.criteria))].copy()
    matrix["criterion_label"] = matrix["criterion"].map(
        {ident: c["label"] for ident, c in register.criteria.items()})
    matrix["evidence"] = matrix["match"].map(
        lambda m: "direct" if m == "direct" else "indirect" if m in claims.INDIRECT_MATCHES
        else "other")
    order = {ident: rank for rank, ident in enumerate(register.criteria)}
    matrix = matrix.sort_values("criterion", key=lambda c: c.map(order), kind="stable")
    return matrix.reset_index(drop=True)


def summary_counts(table: pd.DataFrame) -> dict[str, int]:
    """How many criteria have each score (for the prose, through glue)."""
    return {name: int((table["score"] == name).sum()) for name in SCORES}
