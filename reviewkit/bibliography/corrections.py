"""Compare the review's printed reference list with the verified entries of references.bib.

Each entry of the original list carries ``printed_item`` (its number) and ``printed`` (the item
verbatim, as it appears in this copy of the review, where page ranges lost their dashes). The printed
text is parsed here, field by field, and every difference with the verified fields is reported.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bibtexparser.model import Entry

from reviewkit.bibliography.bib import field_value

# The journals as the review prints them; longest first so that the split is unambiguous.
PRINTED_JOURNALS = sorted([
    "American Journal of Physiology", "FASEB Journal", "Journal of Physiology (London)",
    "Metabolism", "International Journal of Obesity and Related Metabolic Disorders",
    "Journal of Applied Physiology", "Physiological Reviews",
    "Journal of Muscle Research and Cell Motility",
    "Journal of Clinical Endocrinology and Metabolism", "Nature Medicine",
    "Diabetes Research and Clinical Practice",
], key=len, reverse=True)
_ITEM = re.compile(r"^(?P<authors>.+?),? \((?P<year>\d{4}) ?(?P<suffix>[ab])?\) (?P<rest>.+)$")


@dataclass(frozen=True)
class PrintedItem:
    authors: list[str]  # surnames as printed
    year: str
    title: str
    journal: str
    volume: str
    pages: str  # with an en dash restored between first and last page


def split_pages(printed: str) -> str:
    """'E397E402' -> 'E397–E402'; '237242' -> '237–242' (the copy lost its dashes)."""
    half = len(printed) // 2
    if len(printed) % 2 or not printed:
        raise ValueError(f"cannot split page range {printed!r}")
    return f"{printed[:half]}–{printed[half:]}"


def printed_year_label(text: str) -> str:
    """The year as the review's list prints it for an item, with its letter: '2003a', '2002'."""
    match = _ITEM.match(text.strip())
    return f"{match['year']}{match['suffix'] or ''}" if match else ""


def parse_printed(text: str) -> PrintedItem:
    match = _ITEM.match(text.strip())
    if not match:
        raise ValueError(f"not a printed reference: {text!r}")
    rest = match["rest"]
    for journal in PRINTED_JOURNALS:
        position = rest.find(f". {journal} ")
        if position >= 0:
            title = rest[:position]
            tail = rest[position + len(journal) + 3:]
            break
    else:
        raise ValueError(f"no known journal in {text!r}")
    tail_match = re.match(r"^(?P<volume>\d+)(?:, Suppl\. \d+)?, (?P<pages>[A-Z]?\d+[A-Z]?\d+)\.$", tail)
    if not tail_match:
        raise ValueError(f"cannot read volume and pages in {tail!r}")
    authors = re.split(r", | & ", match["authors"])
    # Printed authors alternate surname, initials ("Steensberg, A, Van Hall, G ..."); a missing
    # comma ("Starkie, RL McConell, GK") merges two pieces, so split those as well.
    surnames = []
    for piece in authors:
        words = piece.split()
        if len(words) >= 2 and words[0].isupper() and len(words[0]) <= 3:
            surnames.append(" ".join(words[1:]))  # "RL McConell" -> "McConell"
        elif not (piece.isupper() and len(piece) <= 3):
            surnames.append(piece)
    return PrintedItem(surnames, match["year"], title, journal, tail_match["volume"],
                       split_pages(tail_match["pages"]))


def verified_surnames(entry: Entry) -> list[str]:
    authors = field_value(entry, "author")
    return [name.split(",")[0].strip() for name in authors.split(" and ") if name.strip()]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def differences(entry: Entry) -> list[tuple[str, str, str]]:
    """(what, as printed, as verified) for every field where the printed item differs."""
    printed = parse_printed(field_value(entry, "printed"))
    found = []
    year = field_value(entry, "year")
    if year and printed.year != year:
        found.append(("year", printed.year, year))
    volume = field_value(entry, "volume")
    if volume and printed.volume != volume:
        found.append(("volume", printed.volume, volume))
    pages = field_value(entry, "pages").replace("--", "–")
    if pages and printed.pages != pages:
        found.append(("pages", printed.pages, pages))
    title = field_value(entry, "title").replace("{", "").replace("}", "")
    if title and printed.title.rstrip(".") != title.rstrip("."):
        found.append(("title", printed.title, title))
    journal = field_value(entry, "journal")
    if journal.startswith("American Journal of Physiology") and "." in journal:
        if printed.journal == "American Journal of Physiology":
            found.append(("journal section", printed.journal, journal))
    verified = verified_surnames(entry)
    if verified and verified[-1] != "others":
        if len(verified) != len(printed.authors):
            found.append(("author list", f"{len(printed.authors)} authors",
                          f"{len(verified)} authors"))
        for printed_name, verified_name in zip(printed.authors, verified):
            if printed_name != verified_name:
                if printed_name.lower() == verified_name.lower():
                    kind = "author capitalisation"
                elif _fold(printed_name) == _fold(verified_name):
                    kind = "author diacritics"
                else:
                    kind = "author spelling"
                found.append((kind, printed_name, verified_name))
    return found


def corrections(bib_path=None) -> list[dict]:
    """One record per item of the original list, in the review's order: the key, the item as
    printed, each difference from the verified record, the fields no public record confirmed,
    and the pages the record was verified on."""
    from reviewkit import paths
    from reviewkit.bibliography import bib

    entries = bib.read_library(bib_path or paths.BIB_PATH).entries
    items = []
    for entry in sorted((e for e in entries if field_value(e, "printed_item")),
                        key=lambda e: int(field_value(e, "printed_item"))):
        items.append({
            "item": int(field_value(entry, "printed_item")),
            "key": entry.key,
            "printed": field_value(entry, "printed"),
            "changes": [f"{what}: “{printed}” → “{verified}”"
                        for what, printed, verified in differences(entry)],
            "unverified": field_value(entry, "unverified"),
            "verified_urls": field_value(entry, "verified_url").split(),
        })
    return items
