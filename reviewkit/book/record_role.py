"""The ``{record}`` role: a publication's own record (DOI, PubMed, PubMed Central) as links,
read from references.bib when the page is built, e.g. ``{record}`steensberg2000production```.

Tables name a study's record through this role rather than typing identifiers, so that a
corrected identifier in the bibliography reaches every table without re-executing a chapter.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from docutils import nodes

from reviewkit.bibliography import bib

SEPARATOR = " · "


@lru_cache(maxsize=4)
def _identifiers(bib_path: str, mtime_ns: int) -> dict[str, list[tuple[str, str]]]:
    records = {}
    # Not strict: a broken bibliography is reported by the build's own check, as file:line.
    for entry in bib.read_library(Path(bib_path), strict=False).entries:
        key = entry.key
        links = []
        doi, pmid, pmcid = (bib.field_value(entry, name) for name in ("doi", "pmid", "pmcid"))
        if doi:
            links.append(("doi", f"https://doi.org/{doi}"))
        if pmid:
            links.append(("PubMed", f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"))
        if pmcid:
            links.append(("PMC", f"https://pmc.ncbi.nlm.nih.gov/articles/{pmcid}/"))
        records[key] = links
    return records


def identifiers(bib_path: Path) -> dict[str, list[tuple[str, str]]]:
    return _identifiers(str(bib_path), bib_path.stat().st_mtime_ns)


def record_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    env = inliner.document.settings.env
    records = identifiers(Path(env.srcdir) / "references.bib")
    key = text.strip()
    if key not in records:
        message = inliner.reporter.warning(
            f"{{record}}: {key!r} is not a key of references.bib", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    links = records[key]
    if not links:
        return [nodes.emphasis(text="no DOI or PubMed identifier known")], []
    result: list[nodes.Node] = []
    for index, (label, url) in enumerate(links):
        if index:
            result.append(nodes.Text(SEPARATOR))
        result.append(nodes.reference(rawtext, label, refuri=url,
                                      classes=["reviewkit-record"]))
    return result, []
