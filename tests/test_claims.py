"""The evidence model of the claims register: every check's verdict and every statement's
synthesis are pinned; the model's rules and the register's error messages are guarded."""
from __future__ import annotations

import pytest

from reviewkit.evidence import claims
from reviewkit import paths



@pytest.fixture(scope="module")
def matrix():
    # Built in a fixture, not at import, so that a register that fails to recompute fails the
    # tests with its message instead of stopping collection.
    return claims.evidence_matrix()


# The verdicts the editors reviewed. A change of data, register or model that moves one fails here.
PINNED_VERDICTS = {
    "kjaer1996-liver-glucose-output": "supported",
    "glucose-production-steensberg2003a": "no effect found (direct)",
    "obesity-wallenius2002": "consistent (indirect)",
    "tnf-steensberg2002-leg": "supported",
    "tnf-febbraio2003-leg": "supported",
    "tnf-ostrowski1998-mrna": "consistent (indirect)",
    "il1ra-steensberg2003b": "supported",
    "il10-steensberg2003b": "supported",
    "makes-penkowa2003-protein": "supported",
    "makes-ostrowski1998-mrna": "consistent (indirect)",
    "release-steensberg2000-exercising-leg": "supported",
    "release-steensberg2001a-depleted-leg-1h": "supported",
    "release-steensberg2001a-control-leg-1h": "no effect found (direct)",
    "release-steensberg2001a-control-leg-later": "supported",
    "release-steensberg2002-leg": "supported",
    "release-febbraio2003skeletal-leg": "supported",
    "release-ostrowski1998-plasma": "consistent (indirect)",
    "lipolysis-vanhall2003": "not recomputable",
    "tnf-starkie2003-infusion": "consistent (indirect)",
    "cortisol-steensberg2003-infusion": "consistent (indirect)",
    "gene-keller2001-transcription": "supported",
    "gene-steensberg2002-mrna": "consistent (indirect)",
    "gene-starkie2001a-mrna": "consistent (indirect)",
    "glycogen-keller2001-transcription": "supported",
    "glycogen-keller2001-mrna": "consistent (indirect)",
    "glycogen-keller2001-plasma": "consistent (indirect)",
    "glycogen-steensberg2001a-release": "consistent (indirect)",
    "carbohydrate-febbraio2003-release": "supported",
    "carbohydrate-febbraio2003-plasma": "consistent (indirect)",
    "carbohydrate-febbraio2003-mrna": "no effect found (upstream)",
    "carbohydrate-starkie2001a-plasma": "consistent (indirect)",
    "carbohydrate-starkie2001a-mrna": "no effect found (upstream)",
    "carbohydrate-starkie2000-plasma": "no effect found (proxy)",
    "carbohydrate-nehlsen1997-plasma": "consistent (indirect)",
    "blood-cells-moldoveanu2000-mrna": "supported",
    "blood-cells-ullum1994-premrna": "supported",
    "blood-cells-starkie2001b-monocytes": "supported",
    "adrenaline-steensberg2001b": "supported",
    "o2-helge2003": "supported",
    "liver-febbraio2003a-uptake": "supported",
    "doses-steensberg2003b": "supported",
    "compilation-duration-slope": "no effect found (direct)",
    "compilation-largest-fold": "supported",
    "compilation-running-vs-other-modes": "no effect found (direct)",
}

# Studies per statement: direct (supports, no effect, opposite), indirect (the same three),
# not a test, not recomputable.
PINNED_SYNTHESIS = {
    "blood-borne-signal-to-liver": (1, 0, 0, 0, 0, 0, 0, 0),
    "infusion-raises-glucose-production": (0, 1, 0, 0, 0, 0, 0, 0),
    "il6-deficiency-obesity": (0, 0, 0, 1, 0, 0, 0, 0),
    "exercise-il6-without-tnf": (2, 0, 0, 1, 0, 0, 0, 0),
    "il6-raises-anti-inflammatory-cytokines": (1, 0, 0, 0, 0, 0, 0, 0),
    "muscle-makes-il6": (1, 0, 0, 1, 0, 0, 0, 0),
    "muscle-releases-il6": (4, 1, 0, 1, 0, 0, 0, 0),
    "il6-induces-lipolysis": (0, 0, 0, 0, 0, 0, 0, 1),
    "il6-suppresses-tnf": (0, 0, 0, 1, 0, 0, 0, 0),
    "il6-stimulates-cortisol": (0, 0, 0, 1, 0, 0, 0, 0),
    "exercise-activates-il6-gene": (1, 0, 0, 2, 0, 0, 0, 0),
    "low-glycogen-enhances-gene-activation": (1, 0, 0, 2, 0, 0, 0, 0),
    "carbohydrate-inhibits-release": (1, 0, 0, 3, 3, 0, 0, 0),
    "blood-cells-do-not-raise-il6": (3, 0, 0, 0, 0, 0, 0, 0),
    "adrenaline-explains-little": (1, 0, 0, 0, 0, 0, 0, 0),
    "thigh-o2-rises-with-intensity": (1, 0, 0, 0, 0, 0, 0, 0),
    "liver-takes-up-il6": (1, 0, 0, 0, 0, 0, 0, 0),
    "infusion-doses-differ": (1, 0, 0, 0, 0, 0, 0, 0),
    "later-duration-dependence": (0, 1, 0, 0, 0, 0, 0, 0),
    "later-up-to-100-fold": (1, 0, 0, 0, 0, 0, 0, 0),
    "later-little-mode-effect": (0, 1, 0, 0, 0, 0, 0, 0),
}
SYNTHESIS_COLUMNS = ["direct supports", "direct no effect", "direct opposite",
                     "indirect supports", "indirect no effect", "indirect opposite",
                     "not a test", "not recomputable"]


@pytest.mark.parametrize("check_id", sorted(PINNED_VERDICTS))
def test_check_verdict_is_pinned(check_id, matrix):
    row = matrix.set_index("check").loc[check_id]
    assert row["verdict"] == PINNED_VERDICTS[check_id], (
        f"{check_id}: {row['how']} gives {row['finding']} ({row['significance']}), "
        f"now {row['verdict']}")
    assert row["expected_verdict"] == PINNED_VERDICTS[check_id]


def test_every_check_is_pinned(matrix):
    assert set(matrix["check"]) == set(PINNED_VERDICTS)


@pytest.mark.parametrize("statement", sorted(PINNED_SYNTHESIS))
def test_synthesis_counts_are_pinned(statement):
    table = claims.synthesis().set_index("statement")
    assert tuple(table.loc[statement, SYNTHESIS_COLUMNS]) == PINNED_SYNTHESIS[statement]


def test_every_statement_is_pinned():
    assert set(claims.synthesis()["statement"]) == set(PINNED_SYNTHESIS)


def test_register_has_no_problems():
    assert claims.problems() == []


def test_the_carbohydrate_statement_is_not_contradicted_by_plasma_or_mrna(matrix):
    """The issue's case: neither plasma IL-6 nor muscle mRNA measures release from muscle."""
    mine = matrix[matrix["statement"] == "carbohydrate-inhibits-release"].set_index("study")
    assert "contradicted" not in set(mine["verdict"])
    assert mine.loc["starkie2000effect", "match"] == "proxy"
    assert set(mine.loc["starkie2001carbohydrate", "match"]) == {"proxy", "upstream"}


def test_gene_activation_with_low_glycogen_is_checked_on_transcription(matrix):
    mine = matrix[(matrix["statement"] == "low-glycogen-enhances-gene-activation")
                  & (matrix["match"] == "direct")]
    assert list(mine["measured"].str.contains("transcription")) == [True]


def test_release_is_checked_on_both_legs_and_both_leg_studies(matrix):
    mine = matrix[(matrix["statement"] == "muscle-releases-il6") & (matrix["match"] == "direct")]
    measured = " ".join(mine["measured"])
    assert "glycogen-depleted leg" in measured and "control" in measured
    assert {"steensberg2000production", "steensberg2001interleukin6"} <= set(mine["study"])


# --- the model's rules -------------------------------------------------------------------------

@pytest.mark.parametrize("match", ["proxy", "upstream", "different outcome"])
@pytest.mark.parametrize("significant", [True, False, None])
def test_indirect_opposite_is_never_contradicted(match, significant):
    assert claims.derive_verdict(match, "opposite", significant) != "contradicted"


def test_direct_significant_opposite_is_contradicted():
    assert claims.derive_verdict("direct", "opposite", True) == "contradicted"
    assert claims.derive_verdict("direct", "opposite", None) == "at odds (significance not reported)"
    assert claims.derive_verdict("direct", "opposite", False) == "no effect found (direct)"


def test_null_results_are_shown_for_what_they_are():
    for match in ("direct", "proxy", "upstream"):
        assert claims.derive_verdict(match, "no effect", None) == f"no effect found ({match})"


def test_finding_is_computed_from_the_number():
    assert claims.finding_from_number(1.6, "> 1", True) == "supports"
    assert claims.finding_from_number(0.6, "> 1", True) == "opposite"
    assert claims.finding_from_number(0.36, "> 0", False) == "no effect"
    assert claims.finding_from_number(0.5, "< 1", None) == "supports"
    # A statement that asserts an absence is never supported by a number, and a significant
    # difference of either sign goes against it.
    assert claims.finding_from_number(0.4, "no difference", False) == "no effect"
    assert claims.finding_from_number(0.4, "no difference", True) == "opposite"
    assert claims.finding_from_number(-0.4, "no difference", True) == "opposite"


def test_unclassified_direction_is_an_error():
    with pytest.raises(ValueError, match="neither supports_when"):
        claims.finding_from_direction("earlier in depleted leg", ["increase"], ["decrease"])


def test_significance_forms():
    assert claims.significance_level("P < 0.05") is True
    assert claims.significance_level("P = 0.1") is False
    assert claims.significance_level("not significant") is False
    assert claims.significance_level("not reported (between legs)") is None


def test_expression_allows_only_arithmetic():
    assert claims.evaluate("(a - b) / b", {"a": 3.0, "b": 1.0}) == 2.0
    with pytest.raises(ValueError):
        claims.evaluate("__import__('os')", {})


# --- end to end on planted registers -------------------------------------------------------

PLANTED = """\
statements:
  - id: planted
    chapter: muscle-releases-il6
    text: "Carbohydrate lowers arterial IL-6."
    outcome: arterial plasma IL-6
    source: pedersen2004metabolic
    locator: abstract, sentence 6
    url: https://pubmed.ncbi.nlm.nih.gov/15294041/?dopt=Abstract
checks:
  - id: planted-check
    statement: planted
    source_key: febbraio2003glucose
    measured_outcome: arterial plasma IL-6, glucose against placebo
    match: {match}
    significance: P < 0.05
    recompute:
      evidence: {{source_key: febbraio2003glucose, outcome: arterial plasma IL-6}}
      supports_when: [increase]
      opposite_when: [decrease]
    expected_verdict: {verdict}
"""


def _planted(tmp_path, text):
    path = tmp_path / "claims.yml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("match, verdict", [("proxy", "at odds (indirect)"),
                                            ("upstream", "at odds (indirect)"),
                                            ("direct", "contradicted")])
def test_a_significant_opposite_finding_end_to_end(tmp_path, match, verdict):
    """The data row says 'decrease' where the planted statement expects 'increase'."""
    path = _planted(tmp_path, PLANTED.format(match=match, verdict=verdict))
    assert list(claims.evidence_matrix(path)["verdict"]) == [verdict]
    assert claims.problems(path) == []


def _line_of(text: str, fragment: str) -> int:
    [index] = [i for i, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return index


REAL = claims.CLAIMS_PATH.read_text(encoding="utf-8")


def _broken(tmp_path, old: str, new: str) -> tuple:
    assert REAL.count(old) == 1, old
    text = REAL.replace(old, new)
    path = _planted(tmp_path, text)
    return path, text, paths.display_path(path)


def test_the_register_is_reported_as_data_claims_yml():
    assert paths.display_path(claims.CLAIMS_PATH) == "data/claims.yml"


def test_unknown_dataset_names_its_line(tmp_path):
    path, text, label = _broken(tmp_path, "{dataset: plasma-response, source_key: ostrowski1998evidence, "
                                "quantity: muscle_il6_mrna_detected}",
                                "{dataset: plasma-responses, source_key: ostrowski1998evidence, "
                                "quantity: muscle_il6_mrna_detected}")
    line = _line_of(text, "plasma-responses")
    assert claims.problems(path) == [f"{label}:{line}: unknown dataset 'plasma-responses'"]


def test_bad_enum_names_its_line(tmp_path):
    path, text, label = _broken(tmp_path, "    match: upstream\n    significance: not reported\n",
                                "    match: upstream step\n    significance: not reported\n")
    line = _line_of(text, "match: upstream step")
    [message] = claims.problems(path)
    assert message.startswith(f"{label}:{line}: check makes-ostrowski1998-mrna: match 'upstream step'")


def test_missing_field_names_the_line_of_its_entry(tmp_path):
    path, text, label = _broken(
        tmp_path, "    measured_outcome: IL-6 protein in muscle fibres by immunohistochemistry after exercise\n", "")
    line = _line_of(text, "- id: makes-penkowa2003-protein")
    assert claims.problems(path) == [
        f"{label}:{line}: check makes-penkowa2003-protein: missing field 'measured_outcome'"]


def test_unknown_source_key_and_criterion(tmp_path):
    path, text, label = _broken(tmp_path, "    source_key: penkowa2003immunohistochemical\n",
                                "    source_key: penkowa2099\n")
    text = text.replace("criterion: made_by_muscle\n    source: pedersen2004metabolic\n    locator: abstract, sentence 3",
                        "criterion: made_in_muscle\n    source: pedersen2004metabolic\n    locator: abstract, sentence 3")
    path.write_text(text, encoding="utf-8")
    found = claims.problems(path)
    assert found[0].startswith(f"{label}:{_line_of(text, 'made_in_muscle')}: statement muscle-makes-il6: "
                               "criterion 'made_in_muscle'")
    assert found[1] == (f"{label}:{_line_of(text, 'penkowa2099')}: check makes-penkowa2003-protein: "
                        "source_key 'penkowa2099' is not a key of references.bib")


def test_significance_must_agree_with_the_data(tmp_path):
    old = "    significance: P < 0.05\n    recompute:\n      inputs:\n        release: {dataset: muscle-release, source_key: steensberg2001interleukin6"
    path, text, label = _broken(tmp_path, old, old.replace("P < 0.05", "P < 0.01"))
    line = _line_of(text, "- id: release-steensberg2001a-depleted-leg-1h") + 6
    assert text.splitlines()[line - 1].strip() == "recompute:"
    [message] = claims.problems(path)
    assert message.startswith(f"{label}:{line}: check release-steensberg2001a-depleted-leg-1h: "
                              "significance 'P < 0.01' differs from the data (P < 0.05)")


def test_a_changed_verdict_names_the_expected_verdict_line(tmp_path):
    old = "      opposite_when: [increase]\n    expected_verdict: no effect found (proxy)\n"
    path, text, label = _broken(tmp_path, old, old.replace("no effect found (proxy)", "supported"))
    line = _line_of(text, "- id: carbohydrate-starkie2000-plasma") + 10
    assert text.splitlines()[line - 1] == "    expected_verdict: supported"
    [message] = claims.problems(path)
    assert message.startswith(f"{label}:{line}: check carbohydrate-starkie2000-plasma: verdict is "
                              "now 'no effect found (proxy)', expected 'supported'")


def test_yaml_syntax_error_is_a_message_not_a_traceback(tmp_path):
    path, text, label = _broken(tmp_path, "    match: direct\n    significance: P < 0.01\n",
                                "    match: [direct\n    significance: P < 0.01\n")
    found = claims.problems(path)
    assert len(found) == 1 and found[0].startswith(f"{label}:") and "YAML error" in found[0]
    with pytest.raises(claims.ClaimError):
        claims.load_register(path)


# --- tables ------------------------------------------------------------------------------------

def test_evidence_matrix_is_tidy(matrix):
    assert {"statement", "criterion", "study", "match", "finding", "verdict"} <= set(matrix.columns)
    assert not matrix["check"].duplicated().any()
    assert set(matrix["match"]) <= set(claims.MATCHES)
    assert set(matrix["verdict"]) <= set(claims.VERDICTS)


def test_checks_for_a_chapter_give_one_table_per_statement(matrix):
    from reviewkit.book import tables

    chapter = matrix[matrix["chapter"] == "glycogen-and-carbohydrate"]
    shown = tables.checks_for("glycogen-and-carbohydrate")
    assert [t.caption for t in shown] == list(dict.fromkeys(chapter["statement_text"]))
    assert sum(len(t.frame) for t in shown) == len(chapter)
    for table in shown:
        assert list(table.frame.columns) == ["Study", "What it measured", "Finding", "Verdict"]
        # A study is a citation, never a bare key of the reference list.
        assert all(isinstance(cell[0], tables.Cite) for cell in table.frame["Study"])


def test_synthesis_by_chapter_or_ids():
    from reviewkit.book import tables

    by_chapter = tables.synthesis_for("glycogen-and-carbohydrate").frame
    by_ids = tables.synthesis_for(["low-glycogen-enhances-gene-activation",
                                   "carbohydrate-inhibits-release",
                                   "thigh-o2-rises-with-intensity"]).frame
    assert by_chapter.reset_index(drop=True).equals(by_ids.reset_index(drop=True))
    assert len(by_chapter) == 3
    assert by_chapter["Statement"].iloc[1].startswith("Carbohydrate taken during exercise")


def test_review_statements_name_a_criterion():
    register = claims.load_register()
    for statement in register.statements.values():
        if statement["source"] == "pedersen2004metabolic":
            assert statement.get("criterion") in claims.CRITERIA, statement["id"]


def test_every_statement_names_a_chapter_of_the_book():
    from conftest import toc_files

    chapters = {name.split("/")[-1] for name in toc_files()}
    assert set(claims.synthesis()["chapter"]) <= chapters


def test_statement_provenance_matches_the_datasets():
    """A chapter statement about a primary study points at a page the datasets read it from; a
    statement of a later review (tested against the compilation) at a record its bibliography
    entry was verified on."""
    from reviewkit.bibliography import bib
    from reviewkit.evidence import data

    urls: dict[str, set[str]] = {}
    for resource in data.resources():
        frame = data.load(resource.name)
        if {"url", "source_key"} <= set(frame.columns):
            for key, url in zip(frame["source_key"], frame["url"]):
                urls.setdefault(key, set()).add(url)
    entries = bib.entries_by_key()
    for statement in claims.load_register().statements.values():
        if statement["source"] != "pedersen2004metabolic":
            verified = bib.field_value(entries[statement["source"]], "verified_url").split()
            assert statement["url"] in urls.get(statement["source"], set()) | set(verified), \
                statement["id"]
