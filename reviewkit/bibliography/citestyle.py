"""Author-year citations whose year carries the reference list's a/b suffix.

sphinxcontrib-bibtex's ``author_year`` style prints the bare year, so two papers by the same
authors in the same year (Steensberg et al. 2001a and 2001b) would read identically in the text.
This style is ``author_year`` with the year taken from the entry's label instead
(see reviewkit.bibliography.bibstyle, whose labels are unique across the whole list), and with
the round brackets of author-year citations: (Steensberg et al., 2001a; Keller et al., 2001).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sphinxcontrib.bibtex.plugin import register_plugin
from pybtex.richtext import Text
from sphinxcontrib.bibtex.style.referencing import BracketStyle, GroupReferenceStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
    BasicAuthorYearParentheticalReferenceStyle,
    BasicAuthorYearTextualReferenceStyle,
)
from sphinxcontrib.bibtex.style.referencing.extra_author import ExtraAuthorReferenceStyle
from sphinxcontrib.bibtex.style.referencing.extra_empty import ExtraEmptyReferenceStyle
from sphinxcontrib.bibtex.style.referencing.extra_label import ExtraLabelReferenceStyle
from sphinxcontrib.bibtex.style.referencing.extra_year import ExtraYearReferenceStyle
from sphinxcontrib.bibtex.style.template import join, join2, node, post_text, pre_text, reference

STYLE_NAME = "author_year_suffixed"


@node
def labelled_year(children, data) -> Text:
    """The last word of the entry's label: the year with its a/b suffix (e.g. 2001a)."""
    assert not children
    return Text(data["formatted_entry"].label.split()[-1])


class _Parenthetical(BasicAuthorYearParentheticalReferenceStyle):
    def inner(self, role_name: str):
        return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
            pre_text,
            reference[join(sep=self.author_year_sep)[
                self.person.author_or_editor_or_title(full="s" in role_name), labelled_year]],
            post_text,
        ]


class _Textual(BasicAuthorYearTextualReferenceStyle):
    def inner(self, role_name: str):
        return join(sep=self.text_reference_sep)[
            self.person.author_or_editor_or_title(full="s" in role_name),
            join[self.bracket.left,
                 join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
                     pre_text, reference[labelled_year], post_text],
                 self.bracket.right],
        ]


class _Year(ExtraYearReferenceStyle):
    def inner(self, role_name: str):
        return reference[labelled_year]


def _round_brackets() -> BracketStyle:
    """Author-year citations in round brackets, several separated by semicolons."""
    return BracketStyle(left="(", right=")", sep="; ")


@dataclass
class SuffixedAuthorYearReferenceStyle(AuthorYearReferenceStyle):
    bracket_textual: BracketStyle = field(default_factory=_round_brackets)
    bracket_parenthetical: BracketStyle = field(default_factory=_round_brackets)

    def __post_init__(self):
        shared = dict(person=self.person, pre_text_sep=self.pre_text_sep,
                      post_text_sep=self.post_text_sep)
        self.styles.extend([
            _Parenthetical(bracket=self.bracket_parenthetical,
                           author_year_sep=self.author_year_sep, **shared),
            _Textual(bracket=self.bracket_textual, text_reference_sep=self.text_reference_sep,
                     **shared),
            ExtraAuthorReferenceStyle(bracket=self.bracket_author, person=self.person),
            ExtraLabelReferenceStyle(bracket=self.bracket_label),
            _Year(bracket=self.bracket_year),
            ExtraEmptyReferenceStyle(),
        ])
        GroupReferenceStyle.__post_init__(self)


def register() -> None:
    register_plugin("sphinxcontrib.bibtex.style.referencing", STYLE_NAME,
                    SuffixedAuthorYearReferenceStyle, force=True)
