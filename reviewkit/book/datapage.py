"""The Data page, generated from the data package: the datasets with their sources and
downloads, where each value was read, the value schema, the quantities, designs and pages
registers, the data-gap register and the claims register."""
from __future__ import annotations

import json

import pandas as pd

from reviewkit import paths
from reviewkit.book.table_markup import Cite, Link, Table
from reviewkit.book import tables
from reviewkit.book.tables import natural_sorted, page_label, pages
from reviewkit.evidence import data


def dataset_list_markdown() -> str:
    """A MyST list, one item per dataset, with a {download} link to its CSV (relative to chapters/)."""
    items = []
    for resource in data.resources():
        frame = data.read_checked(resource.path, resource.schema)
        relative = resource.path.relative_to(paths.ROOT)
        sources = ""
        if "source_key" in frame.columns:
            sources = " Sources: " + ", ".join(
                f"{{cite:t}}`{key}`" for key in sorted(frame["source_key"].unique())) + "."
        items.append(f"- **{resource.title}** (`{resource.name}`, {len(frame)} rows): "
                     f"{resource.description}{sources} "
                     f"{{download}}`Download {relative.name} <../{relative}>`")
    return "\n".join(items)


def provenance_tables() -> list[Table]:
    """Per dataset, per study and page: how many values, where on the page they stand (in the
    page's order), and what the page is."""
    register = pages()
    tables = []
    for resource in data.resources():
        frame = data.read_checked(resource.path, resource.schema)
        if "value" not in frame.columns:
            continue
        rows = []
        for (key, url), group in frame.groupby(["source_key", "url"], sort=True):
            settings = int((group["statistic"] == "protocol setting").sum())
            rows.append({
                "Study": Cite(key),
                "Values": f"{len(group)}" + (f" ({settings} protocol settings)" if settings
                                            else ""),
                "Where on the page": "; ".join(natural_sorted(group["locator"])),
                "Page read": Link(page_label(url, register), url),
            })
        tables.append(Table(pd.DataFrame(rows), caption=f"{resource.title} ({resource.name})",
                            widths=[22, 14, 34, 30]))
    return tables


def schema_table(schema_name: str = "values") -> Table:
    """The columns of one Table Schema of data/schemas/, for readers."""
    schema = json.loads((paths.DATA_DIR / "schemas" / f"{schema_name}.json")
                        .read_text(encoding="utf-8"))
    rows = []
    for field in schema["fields"]:
        constraints = field.get("constraints", {})
        details = [field.get("description", "")]
        if constraints.get("required"):
            details.append("Required.")
        if constraints.get("enum"):
            details.append("Allowed: " + ", ".join(constraints["enum"]) + ".")
        rows.append({"Column": field["name"], "Type": field.get("type", "string"),
                     "Description": " ".join(d for d in details if d)})
    return Table(pd.DataFrame(rows), widths=[20, 12, 68])


def pages_table() -> Table:
    """The register of pages read: what each page is, who serves it, which studies used it."""
    register = pages()
    used: dict[str, set[str]] = {}
    for resource in data.resources():
        # The columns that point at the register are the schema's foreign keys to it.
        columns = [name for foreign in resource.schema.get("foreignKeys") or []
                   if foreign["reference"]["resource"] == "pages" for name in foreign["fields"]]
        if columns:
            frame = data.read_checked(resource.path, resource.schema)
            for column in columns:
                for key, url in zip(frame["source_key"], frame[column]):
                    used.setdefault(url, set()).add(key)
    own_records = list(tables.OWN_RECORD_KINDS)
    rows = []
    for url, page in sorted(register.iterrows(), key=lambda item: (
            own_records.index(item[1]["kind"]) if item[1]["kind"] in own_records
            else len(own_records), item[1]["kind"])):
        studies: list = []
        for index, key in enumerate(sorted(used.get(url, ()))):
            studies += ([", "] if index else []) + [Cite(key)]
        rows.append({
            "Page": Link(page["site"], url),
            "What it is": page["kind"],
            "Note": page["note"] if isinstance(page["note"], str) else "",
            "Values of": tuple(studies),
        })
    return Table(pd.DataFrame(rows), widths=[28, 22, 24, 26])


def quantities_table() -> Table:
    q = data.load("quantities")
    return Table(pd.DataFrame({
        "Quantity": q["label"], "Identifier in the data": q["quantity"],
        "Description": q["description"], "Dimension": q["dimension"],
        "Display unit": q["display_unit"],
    }), widths=[20, 22, 32, 14, 12])


def designs_table() -> Table:
    """One row per study: its conditions with group sizes, and its time points in order."""
    designs = data.load("designs")
    rows = []
    for key, group in designs.groupby("source_key", sort=True):
        conditions = group[group["element"] == "condition"]
        times = group[group["element"] == "time_point"]
        rows.append({
            "Study": Cite(key),
            "Conditions (n)": "; ".join(
                name + (f" ({n})" if pd.notna(n) else "")
                for name, n in zip(conditions["name"], conditions["n"])) or "—",
            "Time points, in order": "; ".join(times["name"]) or "—",
        })
    return Table(pd.DataFrame(rows), widths=[22, 48, 30])
