"""Bibliography manager for references.bib, built on bibtexparser 2.x.

``check`` reports every problem as ``file:line: message``; ``fmt`` rewrites the file in one
canonical layout (sorted by key, fixed field order) and refuses to write anything it could not
parse or would not reproduce exactly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
from bibtexparser import Library
from bibtexparser.model import Entry

from reviewkit import paths
from reviewkit.textfiles import InputError, read_text, write_text_atomic

KEY_PATTERN = re.compile(r"^[a-z]+[0-9]{4}[a-z0-9]+$")
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_PATTERN = re.compile(r"^[1-9]\d{0,8}$")
PMCID_PATTERN = re.compile(r"^PMC\d+$")
REQUIRED_FIELDS = {
    "article": ("author", "title", "journal", "year", "volume", "pages"),
    "book": ("title", "publisher", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "misc": ("title", "year"),
}
# Canonical field order; fields not listed follow in alphabetical order.
FIELD_ORDER = (
    "author", "editor", "title", "journal", "booktitle", "publisher", "year", "month",
    "volume", "number", "pages", "doi", "pmid", "pmcid", "url",
)
# MyST citation roles of sphinxcontrib-bibtex: {cite}, {cite:p}, {cite:t}, {cite:ps}, ...
CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]*)`")


class BibError(InputError):
    """Raised when references.bib cannot be parsed; ``problems`` holds file:line messages."""


@dataclass(frozen=True)
class Citation:
    path: Path
    line: int
    key: str


def field_value(entry: Entry, name: str, default: str = "") -> str:
    field = entry.fields_dict.get(name)
    return default if field is None else str(field.value)


def parse_problems(library: Library, path: Path) -> list[str]:
    """Blocks bibtexparser could not turn into entries, as file:line messages."""
    label = paths.display_path(path)
    problems = []
    for block in library.failed_blocks:
        line = block.start_line + 1
        if type(block).__name__ == "DuplicateBlockKeyBlock":
            problems.append(f"{label}:{line}: duplicate key {block.key!r}")
        elif type(block).__name__ == "DuplicateFieldKeyBlock":
            problems.append(f"{label}:{line}: an entry repeats a field ({block.error})")
        else:
            reason = getattr(block.error, "abort_reason", "") or str(block.error) or "parse error"
            reason = " ".join(reason.split())
            problems.append(f"{label}:{line}: cannot parse this block (unbalanced braces or a "
                            f"missing comma?): {reason}")
    return problems


def read_library(path: Path = paths.BIB_PATH, strict: bool = True) -> Library:
    """Parse a .bib file; with ``strict`` any block that failed to parse raises BibError."""
    path = Path(path)
    try:
        text = read_text(path)
    except InputError as error:
        raise BibError(error.problems) from None
    library = bibtexparser.parse_string(text)
    if strict:
        problems = parse_problems(library, path)
        if problems:
            raise BibError(problems)
    return library


def entries_by_key(path: Path = paths.BIB_PATH) -> dict[str, Entry]:
    return {entry.key: entry for entry in read_library(path).entries}


def citations_in(files: list[Path]) -> list[Citation]:
    """Every key named by a {cite}-family role, with file and line."""
    found = []
    for path in files:
        for number, line in enumerate(read_text(path).splitlines(), 1):
            for match in CITE_ROLE.finditer(line):
                for key in match.group(1).split(","):
                    if key.strip():
                        found.append(Citation(Path(path), number, key.strip()))
    return found


def book_sources(root: Path = paths.ROOT) -> list[Path]:
    root = Path(root)
    return [root / "intro.md", *sorted((root / "chapters").glob("*.md"))]


def entry_problems(entry: Entry, label: str) -> list[str]:
    where = f"{label}:{entry.start_line + 1}"
    problems = []
    if not KEY_PATTERN.match(entry.key):
        problems.append(f"{where}: key {entry.key!r} does not follow the scheme "
                        "surname + year + first title word (e.g. steensberg2000production)")
    for name in REQUIRED_FIELDS.get(entry.entry_type.lower(), ("title", "year")):
        if not field_value(entry, name).strip():
            problems.append(f"{where}: {entry.key}: required field {name!r} is missing")
    for url in field_value(entry, "verified_url").split():
        if not paths.URL_PATTERN.match(url):
            problems.append(f"{where}: {entry.key}: verified_url {url!r} is not an http(s) URL")
    if (field_value(entry, "printed_item") and not field_value(entry, "verified_url")
            and not field_value(entry, "unverified")):
        problems.append(f"{where}: {entry.key}: no verified_url names the record checked, and "
                        "no 'unverified' field says what could not be checked")
    checks = (("doi", DOI_PATTERN), ("pmid", PMID_PATTERN), ("pmcid", PMCID_PATTERN))
    for name, pattern in checks:
        value = field_value(entry, name)
        if value and not pattern.match(value):
            problems.append(f"{where}: {entry.key}: malformed {name} {value!r}")
    return problems


def check(bib_path: Path = paths.BIB_PATH, sources: list[Path] | None = None,
          required_keys: set[str] | None = None) -> tuple[list[str], list[str]]:
    """Problems (non-empty means failure) and notes (uncited entries) for a bibliography."""
    bib_path = Path(bib_path)
    label = paths.display_path(bib_path)
    try:
        library = read_library(bib_path, strict=False)
    except InputError as error:
        return error.problems, []
    problems = parse_problems(library, bib_path)
    seen_dois: dict[str, Entry] = {}
    for entry in library.entries:
        problems.extend(entry_problems(entry, label))
        doi = field_value(entry, "doi").lower()
        if doi and doi in seen_dois:
            problems.append(f"{label}:{entry.start_line + 1}: {entry.key}: DOI {doi} already "
                            f"used by {seen_dois[doi].key}")
        if doi:
            seen_dois.setdefault(doi, entry)

    keys = {entry.key for entry in library.entries}
    sources = book_sources() if sources is None else sources
    citations = citations_in([s for s in sources if Path(s).exists()])
    for citation in citations:
        if citation.key not in keys:
            problems.append(f"{paths.display_path(citation.path)}:{citation.line}: "
                            "unknown citation key "
                            f"{citation.key!r} (not in {label})")
    cited = {citation.key for citation in citations}
    if required_keys is None:
        required_keys = {e.key for e in library.entries if field_value(e, "printed_item")}
    for key in sorted(required_keys - cited):
        entry = next((e for e in library.entries if e.key == key), None)
        line = entry.start_line + 1 if entry else 1
        problems.append(f"{label}:{line}: {key}: reference of the original list is not cited "
                        "in any chapter")
    notes = [f"{label}:{e.start_line + 1}: {e.key}: not cited in any chapter"
             for e in library.entries if e.key not in cited and e.key not in required_keys]
    notes += [f"{label}:{e.start_line + 1}: {e.key}: fields taken from the printed list, not "
              f"verified on a record: {field_value(e, 'unverified')}"
              for e in library.entries if field_value(e, "unverified")]
    return problems, notes


def _ordered_fields(entry: Entry) -> list:
    rank = {name: index for index, name in enumerate(FIELD_ORDER)}
    return sorted(entry.fields, key=lambda f: (rank.get(f.key.lower(), len(rank)), f.key.lower()))


def _render_value(value: str) -> str:
    # Bare numbers stay bare; everything else is braced (bibtexparser hands us the inner text).
    return value if re.fullmatch(r"\d+", value) else "{" + value + "}"


def format_library(library: Library) -> str:
    """The canonical text: non-entry blocks first in their order, then entries sorted by key."""
    parts = []
    for block in library.blocks:
        if not isinstance(block, Entry):
            parts.append(block.raw.strip())
    for entry in sorted(library.entries, key=lambda e: e.key):
        fields = _ordered_fields(entry)
        width = max((len(f.key) for f in fields), default=0)
        lines = [f"@{entry.entry_type.lower()}{{{entry.key},"]
        lines += [f"  {f.key.lower():<{width}} = {_render_value(str(f.value))}," for f in fields]
        lines.append("}")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _content(library: Library) -> list[tuple]:
    return sorted(
        (e.entry_type.lower(), e.key, tuple(sorted((f.key.lower(), str(f.value)) for f in e.fields)))
        for e in library.entries
    )


def fmt(bib_path: Path = paths.BIB_PATH) -> bool:
    """Rewrite ``bib_path`` canonically and atomically; True if the file changed.

    Raises BibError, writing nothing, when the file does not parse cleanly or when the formatted
    text would not parse back to exactly the same entries and fields.
    """
    bib_path = Path(bib_path)
    library = read_library(bib_path, strict=True)
    formatted = format_library(library)
    reparsed = bibtexparser.parse_string(formatted)
    if reparsed.failed_blocks or _content(reparsed) != _content(library):
        raise BibError([f"{paths.display_path(bib_path)}:1: formatting would change the "
                        "content; not written"])
    if formatted == read_text(bib_path):
        return False
    write_text_atomic(bib_path, formatted)
    return True


def publication_years(path: Path = paths.BIB_PATH) -> dict[str, int]:
    """Each entry's year, for figures that place studies in time."""
    return {entry.key: int(field_value(entry, "year")) for entry in read_library(path).entries
            if field_value(entry, "year").isdigit()}
