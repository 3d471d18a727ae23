"""Reader-facing tables built from the datasets: reported values with their provenance, the
evidence table and the data-gap register, filtered to what a chapter discusses."""
from __future__ import annotations

import html

import pandas as pd

from reviewkit.evidence.data import load


LINK_COLUMNS = {"read at", "source", "study", "as printed", "as corrected", "what changed", "record", "download"}


def format_reported(row: pd.Series) -> str:
    """A value as the source printed it: qualifier, number, spread and its kind."""
    text = f"{row['qualifier'] or ''}{_number(row['value'])}"
    if pd.notna(row["spread"]):
        text += f" ± {_number(row['spread'])}"
    elif pd.notna(row["spread_low"]):
        text += f" ({row['spread_kind']} {_number(row['spread_low'])}–{_number(row['spread_high'])})"
    if row["spread_kind"] in ("SEM", "SD", "unstated") and pd.notna(row["spread"]):
        text += f" ({row['spread_kind']})"
    return text


def _number(value: float) -> str:
    return f"{value:g}"


def link(url: str, label: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(label)}</a>'


def reported_values(frame: pd.DataFrame, include_protocol: bool = False) -> pd.DataFrame:
    """Display table: one row per reported number with where it was read."""
    if not include_protocol:
        frame = frame[frame["statistic"] != "protocol setting"]
    return pd.DataFrame({
        "source": frame["source_key"],
        "quantity": frame["quantity"].str.replace("_", " "),
        "statistic": frame["statistic"],
        "condition": frame["condition"].fillna(""),
        "time point": frame["time_point"].fillna(""),
        "reported": frame.apply(format_reported, axis=1),
        "unit": frame["unit"],
        "n": frame["n"].astype("string").fillna(""),
        "read at": [link(url, locator) for url, locator in zip(frame["url"], frame["locator"])],
    }).reset_index(drop=True)


def evidence_for(source_keys: list[str]) -> pd.DataFrame:
    evidence = load("evidence")
    chosen = evidence[evidence["source_key"].isin(source_keys)]
    return pd.DataFrame({
        "source": chosen["source_key"],
        "species": chosen["species"],
        "design": chosen["design"],
        "n": chosen["n"].fillna(""),
        "outcome": chosen["outcome"],
        "direction": chosen["direction"],
        "finding": chosen["finding"],
        "read at": [link(u, l) for u, l in zip(chosen["url"], chosen["locator"])],
    }).reset_index(drop=True)


def gaps_for(source_keys: list[str]) -> pd.DataFrame:
    gaps = load("gaps")
    chosen = gaps[gaps["source_key"].isin(source_keys)]
    return chosen.rename(columns={"source_key": "source"}).reset_index(drop=True)


def _missing(value) -> bool:
    return not isinstance(value, (list, tuple)) and bool(pd.isna(value))


def show(frame: pd.DataFrame):
    """Render a display table as HTML without pandas' index, keeping the provenance links."""
    from IPython.display import HTML

    frame = frame.copy()
    for column in frame.columns:
        if column not in LINK_COLUMNS:
            frame[column] = ["" if _missing(value) else html.escape(str(value))
                             for value in frame[column]]
    return HTML(frame.to_html(index=False, escape=False, na_rep="", classes="reviewkit-table",
                              border=0))
