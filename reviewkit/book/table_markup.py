"""Tables rendered twice: as a MyST ``list-table`` for the book, so that a study is a real
citation (linked to the chapter's reference list) and its record a ``{record}`` role (DOI,
PubMed and PMC links from the bibliography), and as plain HTML for Jupyter, where MyST roles
mean nothing. The book prefers the MyST form (``nb_mime_priority_overrides`` in _config.yml).

Cells hold text (escaped, never read as markup) or the parts below, so no table can inject
markup by accident. Every table gets column widths, so that it fits the text column.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Iterable, Union

import pandas as pd


@dataclass(frozen=True)
class Cite:
    """A citation of a reference-list key: author and year, linked to the entry."""
    key: str


@dataclass(frozen=True)
class Record:
    """The publication's own record: DOI, PubMed and PMC links from references.bib."""
    key: str


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Strong:
    text: str


@dataclass(frozen=True)
class Break:
    """A new paragraph within a cell."""


BREAK = Break()
Part = Union[str, Cite, Record, Link, Strong, Break]
Cell = Union[Part, tuple]  # a tuple of parts is written one after the other


@dataclass
class Table:
    frame: pd.DataFrame
    caption: Cell = ""
    widths: list[int] | None = None
    notes: list[Cell] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Rendering

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def escape(text: str) -> str:
    """Text that MyST shows as written: every ASCII punctuation mark backslash-escaped, line
    breaks as spaces (a cell is one paragraph)."""
    return _PUNCTUATION.sub(r"\\\1", re.sub(r"\s+", " ", str(text)))


def _parts(cell: Cell) -> Iterable[Part]:
    if isinstance(cell, tuple):
        for part in cell:
            yield from _parts(part)
    elif cell is None or (not isinstance(cell, (str, Cite, Record, Link, Strong, Break))
                          and pd.isna(cell)):
        return
    else:
        yield cell


def to_myst(cell: Cell) -> str:
    out = []
    for part in _parts(cell):
        if isinstance(part, Cite):
            out.append(f"{{cite:t}}`{part.key}`")
        elif isinstance(part, Record):
            out.append(f"{{record}}`{part.key}`")
        elif isinstance(part, Link):
            out.append(f"[{escape(part.label)}](<{part.url}>)")
        elif isinstance(part, Strong):
            out.append(f"**{escape(part.text)}**")
        elif isinstance(part, Break):
            out.append("\n\n")
        else:
            out.append(escape(part))
    return "".join(out)


def to_html(cell: Cell, labels: dict[str, str]) -> str:
    out = []
    for part in _parts(cell):
        if isinstance(part, Cite):
            out.append(html.escape(labels.get(part.key, part.key)))
        elif isinstance(part, Record):
            continue  # the record's links come from the bibliography, at build time
        elif isinstance(part, Link):
            out.append(f'<a href="{html.escape(part.url, quote=True)}">'
                       f"{html.escape(part.label)}</a>")
        elif isinstance(part, Strong):
            out.append(f"<strong>{html.escape(part.text)}</strong>")
        elif isinstance(part, Break):
            out.append("<br>")
        else:
            out.append(html.escape(str(part)))
    return "".join(out)


def _widths(table: Table) -> list[int]:
    widths = table.widths or [1] * len(table.frame.columns)
    if len(widths) != len(table.frame.columns):
        raise ValueError(f"{len(widths)} widths for {len(table.frame.columns)} columns")
    return widths


def _myst_table(table: Table) -> str:
    def cell(value) -> str:
        # Never empty (docutils' list-table needs content in every item); a paragraph break
        # continues the same list item, so its lines are indented.
        return (to_myst(value) or "\u2014").replace("\n\n", "\n\n    ")
    lines = [f":::{{list-table}} {to_myst(table.caption)}".rstrip(),
             ":header-rows: 1",
             ":class: reviewkit-table",
             f":widths: {' '.join(str(w) for w in _widths(table))}",
             ""]
    for row in [list(table.frame.columns), *table.frame.itertuples(index=False)]:
        values = [cell(value) for value in row]
        lines.append(f"* - {values[0]}")
        lines.extend(f"  - {value}" for value in values[1:])
    lines.append(":::")
    lines.extend(f"\n{to_myst(note)}" for note in table.notes)
    return "\n".join(lines)


def _html_table(table: Table, labels: dict[str, str]) -> str:
    total = sum(_widths(table))
    columns = "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in _widths(table))
    head = "".join(f"<th>{html.escape(str(name))}</th>" for name in table.frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{to_html(value, labels)}</td>" for value in row)
                   + "</tr>" for row in table.frame.itertuples(index=False))
    caption = to_html(table.caption, labels)
    notes = "".join(f"<p>{to_html(note, labels)}</p>" for note in table.notes)
    return (f'<table class="reviewkit-table"><caption>{caption}</caption><colgroup>{columns}'
            f"</colgroup><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{notes}")


class Rendered:
    """Display object: MyST for the book, HTML for Jupyter."""

    def __init__(self, tables: list[Table]):
        from reviewkit.book.plotting import study_labels

        keys = [part.key for t in tables for column in [t.caption, *t.notes,
                                                        *t.frame.to_numpy().ravel()]
                for part in _parts(column) if isinstance(part, Cite)]
        labels = study_labels(keys) if keys else {}
        self.myst = "\n\n".join(_myst_table(t) for t in tables)
        self.html = "".join(_html_table(t, labels) for t in tables)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/markdown": self.myst, "text/html": self.html}


def show(*tables: Table | pd.DataFrame | list, widths: list[int] | None = None) -> Rendered:
    """Render tables, or lists of tables (a bare frame becomes an untitled table with the given
    widths)."""
    flat = [t for item in tables for t in (item if isinstance(item, list) else [item])]
    return Rendered([t if isinstance(t, Table) else Table(t, widths=widths) for t in flat])
