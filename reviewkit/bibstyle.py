"""pybtex style for the book's reference lists: the unsrt layout, but titles keep the record's
capitalisation (IL-6 stays IL-6), PubMed and PMC identifiers are links, and fields that no public
record could confirm are flagged in the entry itself."""
from __future__ import annotations

from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.template import field, href, join, optional, sentence

STYLE_NAME = "reviewkit"


class ReviewStyle(UnsrtStyle):
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
    register_plugin("pybtex.style.formatting", STYLE_NAME, ReviewStyle, force=True)
