"""The Data page, generated from the data package: datasets with their sources, locators, gaps
and download links; the value schema; the full data-gap register and claims register."""
from __future__ import annotations

import json

import pandas as pd

from reviewkit.evidence import data
from reviewkit import paths
from reviewkit.book.tables import link


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


def provenance_table() -> pd.DataFrame:
    """Per dataset and source: how many values, where on the page they stand, and the page."""
    rows = []
    for resource in data.resources():
        frame = data.read_checked(resource.path, resource.schema)
        if "value" not in frame.columns:
            continue
        for (key, url), group in frame.groupby(["source_key", "url"], sort=True):
            rows.append({
                "dataset": resource.name,
                "source": key,
                "values": len(group),
                "of which protocol settings": int((group["statistic"] == "protocol setting").sum()),
                "locators": "; ".join(sorted(group["locator"].unique())),
                "read at": link(url, url.split("//", 1)[-1][:60]),
            })
    return pd.DataFrame(rows)


def schema_table(schema_name: str = "values") -> pd.DataFrame:
    """The columns of one Table Schema of data/schemas/, for readers."""
    schema = json.loads((paths.DATA_DIR / "schemas" / f"{schema_name}.json").read_text(encoding="utf-8"))
    return pd.DataFrame([{
        "column": field["name"],
        "type": field.get("type", "string"),
        "required": "yes" if field.get("constraints", {}).get("required") else "",
        "allowed values": ", ".join(field.get("constraints", {}).get("enum", [])),
        "description": field.get("description", ""),
    } for field in schema["fields"]])
