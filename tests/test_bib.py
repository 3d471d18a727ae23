"""The bibliography manager on the real references.bib and on deliberately broken inputs."""
from __future__ import annotations

import shutil
from pathlib import Path

import bibtexparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewkit.bibliography import bib, corrections
from reviewkit import paths
from reviewkit.__main__ import main

ORIGINAL_LIST = Path(__file__).parent / "fixtures" / "original_reference_list.txt"

GOOD_ENTRY = """@article{møller2001test,
  author = {Møller, K. and Halkjær-Kristensen, J. and Palmø, J.},
  title = {A test entry},
  journal = {Journal of Tests},
  year = 2001,
  volume = 1,
  pages = {1--2},
  doi = {10.1000/xyz123},
}
"""

# The same entry under a key that follows the scheme, for tests about other problems.
ASCII_ENTRY = GOOD_ENTRY.replace("møller2001test", "moller2001test")


def test_real_bibliography_has_no_problems():
    problems, _ = bib.check()
    assert problems == []


def test_all_thirty_items_of_the_original_list_map_to_one_entry_each():
    printed = ORIGINAL_LIST.read_text(encoding="utf-8").splitlines()
    assert len(printed) == 30
    entries = bib.read_library().entries
    by_item = {}
    for entry in entries:
        item = bib.field_value(entry, "printed_item")
        if item:
            assert int(item) not in by_item, f"item {item} mapped twice"
            by_item[int(item)] = entry
    assert sorted(by_item) == list(range(1, 31))
    for number, text in enumerate(printed, 1):
        assert bib.field_value(by_item[number], "printed") == text, f"item {number} differs"


def test_every_original_item_is_cited_in_a_chapter():
    cited = {c.key for c in bib.citations_in(bib.book_sources())}
    originals = {e.key for e in bib.read_library().entries if bib.field_value(e, "printed_item")}
    assert originals <= cited, sorted(originals - cited)


def test_the_review_itself_is_in_the_bibliography():
    entry = bib.entries_by_key()["pedersen2004metabolic"]
    assert bib.field_value(entry, "doi") == "10.1079/PNS2004338"


@pytest.mark.parametrize("entry", bib.read_library().entries, ids=lambda e: e.key)
def test_printed_items_parse(entry):
    if bib.field_value(entry, "printed"):
        corrections.parse_printed(bib.field_value(entry, "printed"))


def test_known_errors_of_the_printed_list_are_found():
    entries = bib.entries_by_key()
    found = {key: corrections.differences(entries[key]) for key in
             ["steensberg2003il6", "febbraio2003skeletal", "nehlsencannarella1997carbohydrate",
              "starkie2001circulating"]}
    assert ("pages", "E443–E437", "E433–E437") in found["steensberg2003il6"]
    assert ("year", "2002", "2003") in found["febbraio2003skeletal"]
    assert ("author spelling", "Nehlsen-Canarella", "Nehlsen-Cannarella") in \
        found["nehlsencannarella1997carbohydrate"]
    assert any(what == "journal section" for what, *_ in found["starkie2001circulating"])


# ---- check on broken inputs: each names file and line, exits non-zero and writes nothing


def run_check(tmp_path, text, chapter_text="") -> tuple[int, list[str], str]:
    bib_path = tmp_path / "references.bib"
    bib_path.write_text(text, encoding="utf-8")
    chapter = tmp_path / "chapter.md"
    chapter.write_text(chapter_text, encoding="utf-8")
    before = bib_path.read_bytes()
    problems, _ = bib.check(bib_path, sources=[chapter], required_keys=set())
    assert bib_path.read_bytes() == before
    return len(problems), problems, str(bib_path)


def test_good_input_passes(tmp_path):
    count, problems, _ = run_check(tmp_path, GOOD_ENTRY, "See {cite:p}`møller2001test`.")
    # the non-ASCII key breaks the key scheme, nothing else
    assert count == 1 and "does not follow the scheme" in problems[0]


def test_unbalanced_brace(tmp_path):
    text = ASCII_ENTRY.replace(
        "title = {A test entry}", "title = {A test entry") + GOOD_ENTRY.replace(
        "møller2001test", "other2001entry")
    count, problems, path = run_check(tmp_path, text)
    assert any(p.startswith(f"{path}:1: cannot parse") for p in problems), problems


def test_duplicate_key(tmp_path):
    entry = ASCII_ENTRY
    count, problems, path = run_check(tmp_path, entry + "\n" + entry.replace("10.1000/xyz123", "10.1000/other"))
    assert f"{path}:11: duplicate key 'moller2001test'" in problems


def test_duplicate_doi(tmp_path):
    entry = ASCII_ENTRY
    count, problems, path = run_check(tmp_path, entry + "\n" + entry.replace("moller2001test", "moller2001again"))
    assert any("DOI 10.1000/xyz123 already used by moller2001test" in p for p in problems)


def test_malformed_doi(tmp_path):
    text = ASCII_ENTRY.replace("10.1000/xyz123", "doi:10.1000")
    count, problems, path = run_check(tmp_path, text)
    assert problems == [f"{path}:1: moller2001test: malformed doi 'doi:10.1000'"]


def test_malformed_pmid_and_pmcid(tmp_path):
    text = ASCII_ENTRY.replace(
        "  doi", "  pmid = {PM123},\n  pmcid = {12345},\n  doi")
    count, problems, _ = run_check(tmp_path, text)
    assert any("malformed pmid 'PM123'" in p for p in problems)
    assert any("malformed pmcid '12345'" in p for p in problems)


def test_missing_required_field(tmp_path):
    text = ASCII_ENTRY.replace("  volume = 1,\n", "")
    count, problems, path = run_check(tmp_path, text)
    assert problems == [f"{path}:1: moller2001test: required field 'volume' is missing"]


def test_unknown_cite_key_in_a_chapter(tmp_path):
    text = ASCII_ENTRY
    count, problems, path = run_check(tmp_path, text, "Intro.\n\nAs shown {cite:t}`moller2001test,ghost2000key`.")
    chapter = tmp_path / "chapter.md"
    assert problems == [f"{chapter}:3: unknown citation key 'ghost2000key' (not in {path})"]


def test_original_item_not_cited_is_a_problem(tmp_path):
    bib_path = tmp_path / "references.bib"
    bib_path.write_text(ASCII_ENTRY.replace(
        "  doi", "  printed_item = {1},\n  doi"), encoding="utf-8")
    problems, _ = bib.check(bib_path, sources=[])
    assert any("not cited in any chapter" in p for p in problems)


def test_cli_check_exit_status(tmp_path, capsys):
    bad = tmp_path / "references.bib"
    bad.write_text(GOOD_ENTRY.replace("  volume = 1,\n", ""), encoding="utf-8")
    assert main(["bib", "check", "--bib", str(bad)]) == 1
    assert f"{bad}:1:" in capsys.readouterr().out


# ---- fmt: canonical, lossless, atomic, refuses what it cannot parse


def entry_content(path: Path):
    library = bibtexparser.parse_file(str(path))
    return sorted((e.key, e.entry_type, sorted((f.key, str(f.value)) for f in e.fields))
                  for e in library.entries)


def test_fmt_round_trips_the_real_file(tmp_path):
    copy = tmp_path / "references.bib"
    shutil.copy(paths.BIB_PATH, copy)
    bib.fmt(copy)
    assert entry_content(copy) == entry_content(paths.BIB_PATH)
    assert bib.fmt(copy) is False, "fmt is not idempotent"


def test_real_file_is_already_canonical():
    assert bib.format_library(bib.read_library()) == paths.BIB_PATH.read_text(encoding="utf-8")


def test_fmt_keeps_non_ascii_names(tmp_path):
    path = tmp_path / "references.bib"
    path.write_text(GOOD_ENTRY, encoding="utf-8")
    bib.fmt(path)
    text = path.read_text(encoding="utf-8")
    assert "Møller" in text and "Halkjær-Kristensen" in text and "Palmø" in text


def test_fmt_refuses_unparsable_file_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "references.bib"
    broken = GOOD_ENTRY.replace("title = {A test entry}", "title = {A test entry") + GOOD_ENTRY
    path.write_text(broken, encoding="utf-8")
    assert main(["bib", "fmt", "--bib", str(path)]) == 1
    assert path.read_text(encoding="utf-8") == broken
    assert "cannot parse" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["references.bib"], "temporary file left behind"


_text = st.text(alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ABCXYZ-.,:;()'øæåéü0123456789")),
                min_size=1, max_size=40).map(str.strip).filter(bool)


@settings(max_examples=60, deadline=None)
@given(entries=st.lists(st.tuples(st.from_regex(r"[a-z]{3,8}[0-9]{4}[a-z]{2,6}", fullmatch=True),
                                  st.dictionaries(st.sampled_from(["author", "title", "journal", "note",
                                                                   "printed", "pages", "doi"]),
                                                  _text, min_size=1)),
                        min_size=1, max_size=5, unique_by=lambda e: e[0]))
def test_fmt_round_trips_generated_entries(tmp_path_factory, entries):
    path = tmp_path_factory.mktemp("prop") / "generated.bib"
    path.write_text("\n".join(
        "@article{%s,\n%s\n}\n" % (key, ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items()))
        for key, fields in entries), encoding="utf-8")
    before = entry_content(path)
    bib.fmt(path)
    assert entry_content(path) == before


def test_verified_url_must_be_a_url(tmp_path):
    text = ASCII_ENTRY.replace(
        "  doi", "  verified_url = {https://example.org/record some/repo:path.md},\n  doi")
    count, problems, path = run_check(tmp_path, text)
    assert problems == [f"{path}:1: moller2001test: verified_url 'some/repo:path.md' is not an http(s) URL"]
