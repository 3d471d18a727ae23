"""The reader-facing tables chapters show, built from the datasets, the claims register, the
bibliography and the compilation: values as the source printed them, with the publication's
record and the page each was read from; evidence, gaps, claims checks, the verdict's criteria,
the corrections of the printed list and the compilation's studies, effects and sensitivity
analyses. They are rendered by reviewkit.book.table_markup (``show``).
"""
from __future__ import annotations

import re
from typing import Iterable

import pandas as pd

from reviewkit.book import table_markup
from reviewkit.book.table_markup import BREAK, Cell, Cite, Link, Part, Record, Strong, Table

# Chapters render every table with tables.show(...).
show = table_markup.show
from reviewkit.evidence.data import load, quantities


# ---------------------------------------------------------------------------------------------
# Reading values as the source printed them

def number(text) -> str:
    """A number exactly as the dataset holds it (the source's precision), else as read."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    return str(text)


STATISTIC_WORDS = {
    "mean": "mean", "median": "median", "mean change": "mean change",
    "median change": "median change", "individual value": "individual value",
    "group value (unspecified)": "group value", "protocol setting": "", "count": "",
}
SPREAD_NOTES = {
    "unstated": "± as printed: the source does not say whether it is the standard deviation "
                "or the standard error.",
    "SEM": "± is the standard error of the mean, as the source states.",
    "SD": "± is the standard deviation, as the source states.",
    "range": "In brackets: the range the source prints.",
    "95% CI": "In brackets: the 95% confidence interval the source prints.",
    "IQR": "In brackets: the interquartile range the source prints.",
}
QUALIFIER_NOTES = {"~": "~ about", ">": "> more than", "<": "< less than",
                   ">=": "≥ at least", "<=": "≤ at most"}
QUALIFIER_SIGNS = {">=": "≥", "<=": "≤"}


def reported(row: pd.Series) -> str:
    """'mean 94.4 ± 12.6 pg/ml', 'median 6.8 (range 3.96–9.69) ng/min/kg', '~16-fold',
    'P < 0.05': the statistic, the value with its qualifier and spread, and the unit, as
    printed."""
    qualifier = QUALIFIER_SIGNS.get(row["qualifier"], row["qualifier"]) \
        if isinstance(row["qualifier"], str) else ""
    value = f"{qualifier}{number(row['value_text'])}"
    statistic, unit = row["statistic"], row["unit"]
    if statistic == "fold change":
        return f"{value}-fold"
    if statistic in ("P", "r", "F"):
        return f"{statistic} {qualifier or '='} {number(row['value_text'])}"
    if isinstance(row["spread_text"], str) and row["spread_text"]:
        value += f" ± {row['spread_text']}"
    elif isinstance(row["spread_low_text"], str) and row["spread_low_text"]:
        value += (f" ({row['spread_kind']} {row['spread_low_text']}–"
                  f"{row['spread_high_text']})")
    word = STATISTIC_WORDS.get(statistic, statistic)
    shown_unit = "" if unit in ("count", "fold") else unit
    return " ".join(part for part in (word, value, shown_unit) if part)


def spread_notes(frame: pd.DataFrame) -> list[str]:
    kinds = [k for k in SPREAD_NOTES if k in set(frame["spread_kind"])]
    notes = [SPREAD_NOTES[k] for k in kinds]
    if "group value (unspecified)" in set(frame["statistic"]):
        notes.append("A group value is the group's number as the source gives it, without "
                     "saying whether it is a mean or a median.")
    qualifiers = [QUALIFIER_NOTES[q] for q in QUALIFIER_NOTES
                  if q in set(frame["qualifier"].dropna())]
    if qualifiers:
        notes.append("As printed: " + ", ".join(qualifiers) + ".")
    return notes


def natural_key(text: str) -> list:
    """'sentence 3' before 'sentence 10'."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(text))]


def natural_sorted(texts: Iterable[str]) -> list[str]:
    return sorted(set(texts), key=natural_key)


# ---------------------------------------------------------------------------------------------
# Where a value was read

def pages() -> pd.DataFrame:
    return load("pages").set_index("url")


OWN_RECORD_KINDS = ("PubMed", "PubMed Central", "publisher", "institutional repository")


def page_label(url: str, register: pd.DataFrame | None = None) -> str:
    """What the page is, for a reader: 'PubMed Central', 'the publisher (Wiley Online
    Library)', 'a copy of the PubMed record (a PubMed mirror at a bare IP address)'."""
    register = pages() if register is None else register
    page = register.loc[url]
    if page["kind"] in ("PubMed", "PubMed Central"):
        return page["kind"]
    if page["kind"] in OWN_RECORD_KINDS:
        return f"{page['kind']}: {page['site']}"
    return f"a {page['kind']}, on {page['site']}"


def read_at(locator: str, url: str, register: pd.DataFrame | None = None,
            with_page: bool = True) -> tuple:
    """The locator linked to the page read, and (optionally) what that page is."""
    cell = (Link(locator, url),)
    return cell + ((f" ({page_label(url, register)})",) if with_page else ())


def page_note(urls: Iterable[str], register: pd.DataFrame | None = None) -> tuple:
    """One sentence naming the page(s) a table's values were read from."""
    register = pages() if register is None else register
    urls = list(dict.fromkeys(urls))
    parts: list[Part] = ["Read on "]
    for index, url in enumerate(urls):
        if index:
            parts.append(" and " if index == len(urls) - 1 else ", ")
        parts.append(Link(page_label(url, register), url))
        note = register.loc[url, "note"]
        if isinstance(note, str) and note:
            parts.append(f" ({note})")
    parts.append(".")
    return tuple(parts)


# ---------------------------------------------------------------------------------------------
# The chapters' tables

def reported_values(frame: pd.DataFrame, include_protocol: bool = False) -> list[Table]:
    """One table per study: quantity, condition, time point, the value as reported, n, and
    where on the page it stands. The caption cites the study and gives its record; a note names
    the page read and explains spreads and qualifiers once."""
    if not include_protocol:
        frame = frame[frame["statistic"] != "protocol setting"]
    names = quantities()["label"]
    register = pages()
    tables = []
    for key, rows in frame.groupby("source_key", sort=False):
        several_pages = rows["url"].nunique() > 1
        table = pd.DataFrame({
            "Quantity": [names.get(q, q) for q in rows["quantity"]],
            "Condition": rows["condition"].fillna(""),
            "Time point": rows["time_point"].fillna(""),
            "Reported": [reported(row) for _, row in rows.iterrows()],
            "n": rows["n"].astype("string").fillna(""),
            "Where on the page": [read_at(loc, url, register, with_page=several_pages)
                                  for loc, url in zip(rows["locator"], rows["url"])],
        })
        tables.append(Table(
            table, caption=(Cite(key), ": values as reported. Record: ", Record(key)),
            widths=[15, 15, 16, 21, 5, 18],
            notes=[page_note(rows["url"], register), *spread_notes(rows)]))
    return tables


def evidence_for(source_keys: list[str], outcome: str = "") -> list[Table]:
    """One table per study: what was measured, what was found, where it stands; the caption
    gives the study, its design, n and record. ``outcome`` keeps the outcomes containing it."""
    evidence = load("evidence")
    evidence = evidence[evidence["outcome"].str.contains(outcome, regex=False)]
    register = pages()
    tables = []
    for key in source_keys:
        rows = evidence[evidence["source_key"] == key]
        if rows.empty:
            continue
        designs = [f"{design} (n = {n})" if isinstance(n, str) and n else design
                   for design, n in zip(rows["design"], rows["n"])]
        shared = designs[0] if len(set(designs)) == 1 else ""
        species = ", ".join(dict.fromkeys(rows["species"]))
        table = pd.DataFrame({
            "Outcome measured": [outcome if shared else (outcome, BREAK, design)
                                 for outcome, design in zip(rows["outcome"], designs)],
            "Finding": [(Strong(f"{direction}."), " ", finding)
                        for direction, finding in zip(rows["direction"], rows["finding"])],
            "Where on the page": [read_at(loc, url, register, with_page=False)
                                  for loc, url in zip(rows["locator"], rows["url"])],
        })
        caption = (Cite(key), f" ({species})" + (f": {shared}" if shared else "")
                   + ". Record: ", Record(key))
        tables.append(Table(
            table, caption=caption,
            widths=[26, 54, 20] if shared else [32, 48, 20],
            notes=[page_note(rows["url"], register)]))
    return tables


def gaps_for(source_keys: list[str]) -> Table:
    """The data-gap register for the given studies: what is missing and why."""
    gaps = load("gaps")
    chosen = gaps[gaps["source_key"].isin(source_keys)]
    return gaps_table(chosen)


def gaps_table(gaps: pd.DataFrame, caption: Cell = "") -> Table:
    table = pd.DataFrame({
        "Study": [Cite(key) for key in gaps["source_key"]],
        "Result": gaps["item"],
        "What is missing": gaps["missing"],
        "Why": gaps["reason"],
    })
    return Table(table, caption=caption, widths=[18, 24, 22, 36])


# ---------------------------------------------------------------------------------------------
# The claims register: weight of evidence and the checks of each statement

def _counts(row: pd.Series, kind: str) -> str:
    from reviewkit.evidence.claims import FINDINGS

    words = {"supports": "support", "no effect": "no effect", "opposite": "opposite"}
    parts = [f"{row[f'{kind} {finding}']} {words[finding]}" for finding in FINDINGS
             if row[f"{kind} {finding}"]]
    return ", ".join(parts) or "none"


def synthesis_for(statements: str | list[str] | None = None) -> Table:
    """Per statement (of a chapter, of the named ids, or all): how many studies' direct and
    indirect measures support it, find no effect or oppose it."""
    from reviewkit.evidence import claims

    table = claims.synthesis(chapter=statements if isinstance(statements, str) else None)
    if isinstance(statements, list):
        table = table[table["statement"].isin(statements)]
    other = [", ".join(f"{row[name]} {name}" for name in ("not a test", "not recomputable")
                       if row[name]) or "none" for _, row in table.iterrows()]
    return Table(pd.DataFrame({
        "Statement": table["text"],
        "Studies": table["studies"],
        "Direct measures": [_counts(row, "direct") for _, row in table.iterrows()],
        "Indirect measures (proxy, upstream)": [_counts(row, "indirect")
                                                for _, row in table.iterrows()],
        "Other": other,
    }), widths=[37, 11, 18, 20, 14])


def _study(key: str, locator: str, url: str, keys: frozenset[str]) -> tuple:
    if key not in keys:
        return (key,)
    return (Cite(key),) + ((", ", Link(locator, url)) if url else ())


def _finding(finding: str, significance: str) -> str:
    from reviewkit.evidence.claims import FINDINGS

    return f"{finding}; {significance}" if finding in FINDINGS else finding


def checks_for(chapter: str | None = None, with_recompute: bool = False) -> list[Table]:
    """One table per statement (of the chapter, or all): each study that bears on it, what it
    measured and how closely that matches the statement, what it found, and the verdict; with
    ``with_recompute``, also the number recomputed from the datasets and how."""
    from reviewkit.evidence import claims
    from reviewkit.evidence.data import bib_keys

    matrix = claims.evidence_matrix(chapter=chapter)
    keys = bib_keys()
    tables = []
    for statement, rows in matrix.groupby("statement_text", sort=False):
        columns = {
            "Study": [_study(k, loc, url, keys)
                      for k, loc, url in zip(rows["study"], rows["locator"], rows["url"])],
            "What it measured": [f"{measured} ({match})"
                                 for measured, match in zip(rows["measured"], rows["match"])],
            "Finding": [_finding(f, s) for f, s in zip(rows["finding"], rows["significance"])],
        }
        widths = [24, 32, 26, 18]
        if with_recompute:
            columns["Recomputed from the data"] = [
                (_plain_number(value), BREAK) + with_citations(how, keys)
                for value, how in zip(rows["recomputed"], rows["how"])]
            widths = [18, 22, 20, 26, 14]
        columns["Verdict"] = rows["verdict"]
        tables.append(Table(pd.DataFrame(columns), caption=statement, widths=widths))
    return tables


def _plain_number(text: str) -> str:
    """'8e+03' as '8000'; anything else as it is."""
    try:
        value = float(text)
    except ValueError:
        return text
    return f"{value:.0f}" if abs(value) >= 1000 else text


def statements_checked(chapter: str) -> Table:
    """All checks of a chapter in one table, the statement in the first column."""
    from reviewkit.evidence import claims
    from reviewkit.evidence.data import bib_keys

    matrix = claims.evidence_matrix(chapter=chapter)
    keys = bib_keys()
    return Table(pd.DataFrame({
        "Statement": matrix["statement_text"],
        "Evidence": [_study(k, loc, url, keys)
                     for k, loc, url in zip(matrix["study"], matrix["locator"], matrix["url"])],
        "Finding": [_finding(f, s) for f, s in zip(matrix["finding"], matrix["significance"])],
        "Verdict": matrix["verdict"],
    }), widths=[34, 20, 28, 18])


# ---------------------------------------------------------------------------------------------
# The verdict

def criteria_requirements(criteria: pd.DataFrame) -> Table:
    return Table(pd.DataFrame({"Criterion": criteria["label"],
                               "What it requires": criteria["requires"]}), widths=[30, 70])


def criteria_scores(criteria: pd.DataFrame) -> Table:
    return Table(pd.DataFrame({
        "Criterion": criteria["label"],
        "Studies": criteria["studies"],
        "Direct: support, no effect": [f"{a}, {b}" for a, b in
                                       zip(criteria["direct support"],
                                           criteria["direct no effect"])],
        "Indirect: support, no effect": [f"{a}, {b}" for a, b in
                                         zip(criteria["indirect support"],
                                             criteria["indirect no effect"])],
        "Opposite": criteria["opposite"],
        "Score": [Strong(score) for score in criteria["score"]],
    }), widths=[24, 12, 16, 16, 12, 20])


def criteria_changes(criteria: pd.DataFrame) -> Table:
    return Table(pd.DataFrame({
        "Criterion": criteria["label"],
        "Score": criteria["score"],
        "What would change it": criteria["would change it"],
    }), widths=[26, 18, 56])


# ---------------------------------------------------------------------------------------------
# The corrections of the printed reference list

def corrections_table() -> Table:
    from reviewkit.bibliography.corrections import corrections

    rows = []
    for item in corrections():
        changes: list[Part] = []
        for change in item["changes"]:
            changes += [change, BREAK]
        if item["unverified"]:
            changes += ["Not verified on any public record (kept as printed): "
                        f"{item['unverified']}.", BREAK]
        if not changes:
            changes = ["No difference found.", BREAK]
        checked: list[Part] = ["Checked on: "]
        for index, url in enumerate(item["verified_urls"]):
            checked += ([", "] if index else []) + [Link(_host(url), url)]
        rows.append({
            "No.": item["item"],
            "Reference (as corrected)": (Cite(item["key"]), BREAK, Record(item["key"])),
            "As printed in the review": item["printed"],
            "What changed": tuple(changes + (checked if item["verified_urls"] else
                                             ["No public record found."])),
        })
    return Table(pd.DataFrame(rows), widths=[6, 22, 38, 34])


def _host(url: str) -> str:
    return url.split("//", 1)[-1].split("/", 1)[0]


# ---------------------------------------------------------------------------------------------
# The compilation beyond the review

def compilation_studies(table: pd.DataFrame, studies: pd.DataFrame) -> Table:
    """One row per study: the exercise as reported, the sample, whether the main fit uses it
    (and why not), and whether it is in the review's list."""
    fitted = table.groupby("source_key")["use"].any()
    reasons = table[~table["use"]].groupby("source_key")["why_not"].agg(
        lambda r: "; ".join(sorted(set(r))))
    rows = []
    for _, study in studies.iterrows():
        key = study["source_key"]
        exercise = study["mode_as_reported"]
        if isinstance(study["intensity_as_reported"], str) and study["intensity_as_reported"]:
            exercise += f"; {study['intensity_as_reported']}"
        if study["numeric_response"] != "yes":
            use = f"no: no number ({study['direction_as_reported'] or 'direction only'})"
        elif fitted.get(key, False):
            use = "yes"
        else:
            use = f"no: {reasons.get(key, '')}"
        rows.append({
            "Study": (Cite(key),) + ((" (in the review's list)",)
                                     if study["in_review_list"] == "yes" else ()),
            "Exercise as reported": exercise,
            "Sample": study["sample"] or "not stated",
            "In the main fit": use,
        })
    return Table(pd.DataFrame(rows), widths=[24, 40, 12, 24])


def compilation_effects(table: pd.DataFrame) -> Table:
    """Each fold with how it was obtained, its variance, the duration and whether it is fitted."""
    rows = []
    for _, effect in table.iterrows():
        where = (Cite(effect["source_key"]), ", ", Link(effect["locator"], effect["url"]))
        fold = "" if pd.isna(effect["fold"]) else f"{effect['qualifier'] or ''}{effect['fold']:.3g}"
        rows.append({
            "Study": where,
            "Arm and time point": " · ".join(str(v) for v in (effect["condition"],
                                                               effect["time_point"])
                                             if isinstance(v, str) and v),
            "Fold": f"{fold} ({'derived' if effect['derived'] else 'reported'})",
            "Variance of the log fold": ("" if pd.isna(effect["variance"]) else
                                         f"{effect['variance']:.2g} "
                                         f"({effect['variance_from']})"),
            "Duration (min)": "" if pd.isna(effect["duration_min"]) else
            f"{effect['duration_min']:g}",
            "n": "" if pd.isna(effect["n"]) else str(effect["n"]),
            "In the main fit": "yes" if effect["use"] else f"no: {effect['why_not']}",
        })
    return Table(pd.DataFrame(rows), widths=[22, 18, 12, 14, 9, 6, 19])


def sensitivity_table(sensitivity: pd.DataFrame) -> Table:
    from reviewkit.evidence.data import bib_keys

    keys = bib_keys()
    rows = []
    for _, row in sensitivity.iterrows():
        fitted = pd.notna(row.get("slope"))
        rows.append({
            "Analysis": with_citations(row["analysis"], keys),
            "Effects (studies)": f"{row['k']} ({row['studies']})",
            "Slope (95% CI)": (f"{row['slope']:.2f} ({row['ci_low']:.2f} to "
                               f"{row['ci_high']:.2f})") if fitted else "not fitted",
            "τ²": f"{row['tau2']:.2f}" if fitted else "",
        })
    return Table(pd.DataFrame(rows), widths=[40, 18, 28, 14])


def with_citations(text: str, keys: frozenset[str]) -> tuple:
    """Text in which every reference-list key is replaced by its citation."""
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, keys), key=len,
                                                   reverse=True)) + r")\b")
    parts: list[Part] = []
    for index, piece in enumerate(pattern.split(text)):
        if piece:
            parts.append(Cite(piece) if index % 2 else piece)
    return tuple(parts)
