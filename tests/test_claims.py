"""Every claim of the register is recomputed from the datasets; contradictions are kept."""
from __future__ import annotations

import pytest
import yaml

from reviewkit import claims

REGISTER = claims.load_claims()


@pytest.mark.parametrize("claim", REGISTER, ids=lambda c: c["id"])
def test_claim_recomputes_to_its_reviewed_status(claim):
    result = claims.check_claim(claim)
    assert result["status"] == claim["expected_status"], (
        f"{claim['id']}: {result['how']} gives {result['recomputed']}, now {result['status']}")


def test_every_claim_names_a_chapter_of_the_book():
    from conftest import toc_files

    chapters = {name.split("/")[-1] for name in toc_files()}
    assert {claim["chapter"] for claim in REGISTER} <= chapters


def test_contradicted_claim_is_reported_not_dropped(tmp_path):
    claim = dict(REGISTER[0], id="planted", stated={"relation": "<", "value": 0},
                 expected_status="contradicted")
    path = tmp_path / "claims.yml"
    path.write_text(yaml.safe_dump([claim]), encoding="utf-8")
    table = claims.check_all(path)
    assert list(table["status"]) == ["contradicted"]


def test_tolerance_is_relative():
    assert claims.status("~", 40, 44, tolerance=0.1) == "consistent"
    assert claims.status("~", 40, 45, tolerance=0.1) == "contradicted"
    assert claims.status(">", 100, 100) == "contradicted"


def test_expression_allows_only_arithmetic():
    assert claims.evaluate("(a - b) / b", {"a": 3.0, "b": 1.0}) == 2.0
    with pytest.raises(claims.ClaimError):
        claims.evaluate("__import__('os')", {})


def test_ambiguous_selection_is_an_error():
    spec = {"dataset": "muscle-release", "source_key": "steensberg2001interleukin6"}
    with pytest.raises(claims.ClaimError, match="rows of muscle-release match"):
        claims.select_value(spec, "ambiguous", {})


def test_unknown_source_is_an_error(tmp_path):
    claim = dict(REGISTER[0], source="nobody1900none")
    path = tmp_path / "claims.yml"
    path.write_text(yaml.safe_dump([claim]), encoding="utf-8")
    with pytest.raises(claims.ClaimError, match="not in references.bib"):
        claims.load_claims(path)


def test_claim_provenance_matches_the_datasets():
    """A claim about a primary study points at a page the datasets read that study from."""
    from reviewkit import data

    urls: dict[str, set[str]] = {}
    for resource in data.resources():
        frame = data.load(resource.name)
        if "url" in frame.columns:
            for key, url in zip(frame["source_key"], frame["url"]):
                urls.setdefault(key, set()).add(url)
    for claim in REGISTER:
        if claim["source"] != "pedersen2004metabolic":
            assert claim["url"] in urls[claim["source"]], claim["id"]
