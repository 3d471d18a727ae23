"""pybtex style for the book's reference lists: the unsrt layout, but titles keep the record's
capitalisation (IL-6 stays IL-6), PubMed and PMC identifiers are links, and fields that no public
record could confirm are flagged in the entry itself."""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from string import ascii_lowercase

from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.template import field, href, join, optional, sentence

STYLE_NAME = "reviewkit"
LABEL_STYLE_NAME = "reviewkit-author-year"
SORTING_STYLE_NAME = "reviewkit-author-year-letter"


def _label_base(entry) -> str:
    from reviewkit.bibliography.bib import field_value

    names = [n.split(",")[0].strip().strip("{}") for n in field_value(entry, "author").split(" and ")]
    if len(names) == 1:
        who = names[0]
    elif len(names) == 2 and names[1] != "others":
        who = f"{names[0]} & {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who} {field_value(entry, 'year')}"


def review_year_label(entry) -> str:
    """The year and letter the review's own list gives an entry ('2003a'), or ''."""
    from reviewkit.bibliography.bib import field_value
    from reviewkit.bibliography.corrections import printed_year_label

    printed = field_value(entry, "printed")
    return printed_year_label(printed) if printed else ""


@lru_cache(maxsize=4)
def _review_labels(bib_path: str, mtime_ns: int) -> dict[str, str]:
    """Every key's year and letter in the review's own list ('' for works it does not cite),
    read once per version of the file: each reference list's note needs them."""
    from reviewkit.bibliography.bib import read_library

    # Not strict: a broken bibliography is reported by the build's own check, as file:line.
    return {entry.key: review_year_label(entry)
            for entry in read_library(bib_path, strict=False).entries}


@lru_cache(maxsize=4)
def _global_labels(bib_path: str, mtime_ns: int) -> dict[str, str]:
    """Author-year labels made unique across the whole reference list (2001a, 2001b), so that
    every chapter's bibliography gives an entry the same label and no two entries share one.

    Within one author-year, letters follow the review's own where it gave them (its 2003a stays
    2003a), then the review's other items, then works the review does not cite, by title."""
    from reviewkit.bibliography.bib import field_value, read_library

    bases: dict[str, list] = {}
    for entry in read_library(bib_path, strict=False).entries:
        bases.setdefault(_label_base(entry), []).append(entry)
    labels = {}
    for base, entries in bases.items():
        entries.sort(key=lambda e: (
            0 if review_year_label(e)[-1:].isalpha() else 1 if field_value(e, "printed") else 2,
            review_year_label(e), field_value(e, "title").lower(), e.key))
        for index, entry in enumerate(entries):
            labels[entry.key] = base + (ascii_lowercase[index] if len(entries) > 1 else "")
    return labels


def labels_now(bib_path: Path | None = None) -> dict[str, str]:
    from reviewkit import paths

    bib_path = Path(bib_path or paths.BIB_PATH)
    return _global_labels(str(bib_path), bib_path.stat().st_mtime_ns)


def sort_key(entry, labels: dict[str, str]) -> tuple:
    """Reference lists in the order of author, year and letter: the first author's surname,
    then the label (the same surname and year sort by their letter), then the title."""
    label = labels[entry.key]
    surname = unicodedata.normalize("NFKD", label.split()[0]).encode("ascii", "ignore")
    year = label.split()[-1]
    return (surname.decode().lower(), year[:4], year[4:], label.lower(),
            str(entry.fields.get("title", "")).lower())


class AuthorYearSuffixSortingStyle(BaseSortingStyle):
    def sorting_key(self, entry):
        return sort_key(entry, labels_now())


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        labels = labels_now()
        for entry in sorted_entries:
            yield labels[entry.key]


class ReviewStyle(UnsrtStyle):
    default_label_style = LABEL_STYLE_NAME
    default_sorting_style = SORTING_STYLE_NAME

    def format_title(self, e, which_field, as_sentence=True):
        title = field(which_field)
        return sentence[title] if as_sentence else title

    def format_pubmed(self, e):
        url = join["https://pubmed.ncbi.nlm.nih.gov/", field("pmid", raw=True), "/"]
        return href(url)[join["PMID:", field("pmid", raw=True)]]

    def format_pmcid(self, e):
        url = join["https://pmc.ncbi.nlm.nih.gov/articles/", field("pmcid", raw=True), "/"]
        return href(url)[join["PMCID:", field("pmcid", raw=True)]]

    def format_web_refs(self, e):
        return sentence[
            optional[self.format_url(e)],
            optional[self.format_pubmed(e)],
            optional[self.format_pmcid(e)],
            optional[self.format_doi(e)],
        ]

    def get_article_template(self, e):
        template = super().get_article_template(e)
        return join(sep=" ")[
            template,
            optional[sentence[join["Not verified on a public record: ", field("unverified"),
                                   " (as printed in the review)"]]],
        ]


def register() -> None:
    register_plugin("pybtex.style.labels", LABEL_STYLE_NAME, AuthorYearLabelStyle, force=True)
    register_plugin("pybtex.style.sorting", SORTING_STYLE_NAME, AuthorYearSuffixSortingStyle,
                    force=True)
    register_plugin("pybtex.style.formatting", STYLE_NAME, ReviewStyle, force=True)


def citation_labels(bib_path=None) -> dict[str, str]:
    """Every key's author-year label as the reference lists print it (Steensberg et al. 2001a).

    A chapter that draws these labels depends on them alone, not on the rest of the entries."""
    from reviewkit.book import inputs

    inputs.note_read(inputs.BIB_LABELS_INPUT)
    with inputs.reads_not_recorded():
        return dict(labels_now(bib_path))


def letter_note(keys, bib_path: Path | None = None) -> str:
    """The note a reference list carries about its a/b letters: they are this edition's, and
    where the review's own list gives one of these works another year or letter, which."""
    from reviewkit import paths

    labels = labels_now(bib_path)
    bib_path = Path(bib_path or paths.BIB_PATH)
    reviews = _review_labels(str(bib_path), bib_path.stat().st_mtime_ns)
    differ = []
    for key in sorted(set(keys), key=lambda k: labels[k].lower()):
        review = reviews[key]
        ours = labels[key].rsplit(" ", 1)
        if review and review != ours[1]:
            differ.append(f"{labels[key]} is the review's {ours[0]} {review}")
    note = ("The letters after a year (2001a, 2001b) are this edition's: they tell apart the "
            "works of the same authors and year among all the references the book cites.")
    if differ:
        note += (" The review's own list labels some of these works differently: "
                 + "; ".join(differ) + ".")
    return note
