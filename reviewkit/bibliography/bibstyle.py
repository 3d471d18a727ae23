"""pybtex style for the book's reference lists: the unsrt layout, but titles keep the record's
capitalisation (IL-6 stays IL-6), PubMed and PMC identifiers are links, and fields that no public
record could confirm are flagged in the entry itself."""
from __future__ import annotations

from functools import lru_cache
from string import ascii_lowercase

from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.template import field, href, join, optional, sentence

STYLE_NAME = "reviewkit"
LABEL_STYLE_NAME = "reviewkit-author-year"


@lru_cache(maxsize=4)
def _global_labels(bib_path: str, mtime_ns: int) -> dict[str, str]:
    """Author-year labels made unique across the whole reference list (2001a, 2001b), so that
    every chapter's bibliography gives an entry the same label and no two entries share one."""
    from reviewkit.bibliography.bib import field_value, read_library

    bases: dict[str, list[str]] = {}
    for entry in sorted(read_library(bib_path, strict=False).entries, key=lambda e: e.key):
        names = [n.split(",")[0].strip().strip("{}") for n in field_value(entry, "author").split(" and ")]
        if len(names) == 1:
            who = names[0]
        elif len(names) == 2 and names[1] != "others":
            who = f"{names[0]} & {names[1]}"
        else:
            who = f"{names[0]} et al."
        bases.setdefault(f"{who} {field_value(entry, 'year')}", []).append(entry.key)
    labels = {}
    for base, keys in bases.items():
        for index, key in enumerate(keys):
            labels[key] = base + (ascii_lowercase[index] if len(keys) > 1 else "")
    return labels


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        from reviewkit import paths

        labels = _global_labels(str(paths.BIB_PATH), paths.BIB_PATH.stat().st_mtime_ns)
        for entry in sorted_entries:
            yield labels[entry.key]


class ReviewStyle(UnsrtStyle):
    default_label_style = LABEL_STYLE_NAME
    default_sorting_style = "author_year_title"

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
    register_plugin("pybtex.style.formatting", STYLE_NAME, ReviewStyle, force=True)


def citation_labels(bib_path=None) -> dict[str, str]:
    """Every key's author-year label as the reference lists print it (Steensberg et al. 2001a).

    A chapter that draws these labels depends on them alone, not on the rest of the entries."""
    from reviewkit.book import inputs
    from reviewkit import paths

    bib_path = bib_path or paths.BIB_PATH
    inputs.note_read(inputs.BIB_LABELS_INPUT)
    with inputs.reads_not_recorded():
        return dict(_global_labels(str(bib_path), bib_path.stat().st_mtime_ns))
