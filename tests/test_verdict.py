"""The argument in seven chapters, and the verdict computed from the claims register."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT
from reviewkit.evidence import claims
from reviewkit.evidence import verdict

ARGUMENT = ["exercise-factor-search", "muscle-makes-il6", "muscle-releases-il6",
            "glycogen-and-carbohydrate", "metabolic-actions", "anti-inflammatory-actions",
            "verdict"]
# The scores the editors reviewed; the prose of the verdict chapter and of the introduction
# describes these, so a change must fail here and send the editor back to the prose.
REVIEWED_SCORES = {
    "made_by_muscle": "met",
    "released_in_amounts": "met, with null results",
    "acts_on_distant_organs": "indirect evidence only",
    "regulated_by_metabolic_state": "met",
    "reproduced_by_infusion": "met, with null results",
    "specific_to_exercise": "met",
}


def test_the_argument_is_seven_chapters_ending_in_the_verdict():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    argument = next(part for part in toc["parts"] if part["caption"] == "The argument")
    assert [c["file"] for c in argument["chapters"]] == [f"chapters/{n}" for n in ARGUMENT]


@pytest.mark.parametrize("criterion", list(REVIEWED_SCORES))
def test_each_criterion_keeps_its_reviewed_score(criterion):
    table = verdict.criteria_table().set_index("criterion")
    assert table.loc[criterion, "score"] == REVIEWED_SCORES[criterion]


def test_every_criterion_is_described_and_weighed():
    table = verdict.criteria_table()
    assert list(table["criterion"]) == list(claims.CRITERIA)
    assert (table["studies"] > 0).all()
    assert table["would change it"].str.len().gt(20).all()


@pytest.mark.parametrize("verdicts, matches, expected", [
    (["supported", "supported"], ["direct", "direct"], "met"),
    (["supported", "no effect found (direct)"], ["direct", "direct"], "met, with null results"),
    (["no effect found (direct)"], ["direct"], "not met"),
    (["consistent (indirect)", "no effect found (proxy)"], ["proxy", "proxy"],
     "indirect evidence only"),
    (["supported", "contradicted"], ["direct", "direct"], "contradicted"),
    (["at odds (indirect)", "consistent (indirect)"], ["proxy", "upstream"],
     "indirect evidence only"),
    (["not recomputable"], ["direct"], "untested"),
])
def test_score_rules(verdicts, matches, expected):
    assert verdict.score(verdicts, matches) == expected


def test_a_direct_significant_opposite_result_contradicts_its_criterion(tmp_path):
    """Plant one: the score is computed from the register, not typed."""
    text = (ROOT / "data" / "claims.yml").read_text(encoding="utf-8")
    planted = text.replace(
        "    significance: not significant\n    recompute:\n      evidence: {source_key: "
        "steensberg2002il6, outcome: arterial plasma TNF-alpha and leg TNF-alpha net release}\n"
        "      supports_when: [no change, no difference, not detected]\n"
        "      opposite_when: [increase]\n    expected_verdict: supported",
        "    significance: P < 0.05\n    recompute:\n      evidence: {source_key: "
        "steensberg2002il6, outcome: arterial plasma TNF-alpha and leg TNF-alpha net release}\n"
        "      supports_when: [increase]\n"
        "      opposite_when: [no change, no difference, not detected]\n"
        "    expected_verdict: contradicted", 1)
    assert planted != text
    path = tmp_path / "claims.yml"
    path.write_text(planted, encoding="utf-8")
    table = verdict.criteria_table(path).set_index("criterion")
    assert table.loc["specific_to_exercise", "score"] == "contradicted"
    assert table.loc["made_by_muscle", "score"] == REVIEWED_SCORES["made_by_muscle"]


def test_argument_chapters_print_nothing():
    """Derived numbers reach the prose through glue, not through print in an output box."""
    for name in ARGUMENT:
        source = (ROOT / "chapters" / f"{name}.md").read_text(encoding="utf-8")
        assert "print(" not in source, f"{name} prints a result"


# ---- the built book


def article(html: Path, name: str):
    return BeautifulSoup((html / f"{name}.html").read_text(encoding="utf-8"),
                         "html.parser").find("article")


@pytest.mark.build
def test_verdict_page_shows_the_computed_scores_and_figures(built_book):
    page = article(built_book, "chapters/verdict")
    # Tables are MyST, so their text gets typographic apostrophes.
    shown = {cells[0].get_text(strip=True).replace("’", "'"): cells[-1].get_text(strip=True)
             for row in page.select("table.reviewkit-table tbody tr")
             if len(cells := row.find_all("td")) == 6}
    table = verdict.criteria_table()
    assert shown == dict(zip(table["label"], table["score"]))
    for name in ("fig-evidence-matrix", "fig-criteria-bars"):
        assert page.find(id=name), name
    counts = verdict.summary_counts(table)
    text = " ".join(page.get_text(" ").split())
    assert f"{counts['met']} are met by direct evidence" in text


@pytest.mark.build
def test_introduction_states_the_verdict_and_links_it(built_book):
    intro = article(built_book, "intro")
    assert "The verdict, in short." in intro.get_text(" ")
    assert intro.find("a", href=re.compile(r"chapters/verdict\.html"))


@pytest.mark.build
def test_at_least_ten_figures_with_caption_and_alt(built_book):
    figures = []
    for name in ARGUMENT:
        for figure in article(built_book, f"chapters/{name}").find_all("figure"):
            image = figure.find("img")
            if image and (image.get("alt") or "").strip() and figure.find("figcaption"):
                figures.append((name, figure.get("id")))
    assert len(figures) >= 10, figures


@pytest.mark.build
def test_verdict_gains_the_later_statements_checked_against_the_compilation(built_book):
    page = article(built_book, "chapters/verdict")
    later = claims.evidence_matrix(chapter="what-drives-il6")
    section = page.find(id="beyond-the-review-three-later-statements")
    assert section is not None
    shown = {cells[0].get_text(" ", strip=True): cells[-1].get_text(strip=True)
             for row in section.select("table.reviewkit-table tbody tr")
             if len(cells := row.find_all("td")) == 4}
    assert shown == dict(zip(later["statement_text"], later["verdict"]))
    assert len(shown) == 3
    assert section.find("a", href=re.compile(r"what-drives-il6\.html"))
