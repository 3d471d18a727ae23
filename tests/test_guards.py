"""Guard tests: the gates really fail on bad input. Each works on a temporary copy of the book
restricted to the introduction and the first chapter, so the real book is never touched."""
from __future__ import annotations

import csv
import re
import sqlite3
from pathlib import Path

import pytest

from conftest import build, copy_book, strip_doc_links

pytestmark = pytest.mark.build

CHAPTER = "chapters/muscle-releases-il6"


@pytest.fixture
def book(tmp_path) -> Path:
    copy = copy_book(tmp_path / "book")
    strip_doc_links(copy)
    (copy / "_toc.yml").write_text(
        f"format: jb-book\nroot: intro\nchapters:\n  - file: {CHAPTER}\n", encoding="utf-8")
    return copy


def append_to_chapter(book: Path, text: str) -> None:
    path = book / f"{CHAPTER}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def output(result) -> str:
    return result.stdout + result.stderr


def test_clean_copy_builds(book):
    result = build(book)
    assert result.returncode == 0, output(result)[-3000:]


def test_raising_cell_fails_the_build(book):
    append_to_chapter(book, "```{code-cell} ipython3\nraise RuntimeError('planted failure')\n```")
    result = build(book)
    assert result.returncode != 0
    assert "muscle-releases-il6" in output(result)
    assert "planted failure" in output(result)


def test_unknown_citation_key_fails_the_build(book):
    append_to_chapter(book, "A planted citation {cite:p}`nosuchauthor1999planted`.")
    result = build(book)
    assert result.returncode != 0
    assert "nosuchauthor1999planted" in output(result)


def test_broken_cross_reference_fails_the_build(book):
    append_to_chapter(book, "See {numref}`fig-that-does-not-exist`.")
    result = build(book)
    assert result.returncode != 0
    assert "fig-that-does-not-exist" in output(result)


def test_unknown_record_key_fails_the_build(book):
    append_to_chapter(book, "The record of {record}`nosuchauthor1999planted`.")
    result = build(book)
    assert result.returncode != 0
    assert "{record}: 'nosuchauthor1999planted' is not a key of references.bib" in output(result)


def test_an_edited_stylesheet_reaches_an_incremental_build(book):
    """Sphinx 7.4 keeps a static file already in the output: the extension must replace it."""
    assert build(book).returncode == 0
    stylesheet = book / "reviewkit" / "book" / "static" / "reviewkit.css"
    stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "\n/* planted edit */\n",
                          encoding="utf-8")
    result = build(book)
    assert result.returncode == 0, output(result)[-3000:]
    built = book / "_build" / "html" / "_static" / "reviewkit.css"
    assert "planted edit" in built.read_text(encoding="utf-8")


def cache_records(book: Path) -> list[tuple]:
    with sqlite3.connect(book / ".jupyter_cache" / "global.db") as db:
        return db.execute("SELECT pk, hashkey, created FROM nbcache ORDER BY pk").fetchall()


def chapter_html(book: Path) -> str:
    """The chapter's text as a reader sees it (glued numbers sit in their own elements)."""
    from bs4 import BeautifulSoup

    html = (book / "_build" / "html" / f"{CHAPTER}.html").read_text(encoding="utf-8")
    return " ".join(BeautifulSoup(html, "html.parser").find("article").get_text(" ").split())


def set_value(csv_path: Path, source_key: str, quantity: str, time_point: str, value: str):
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    hits = [row for row in rows if (row["source_key"], row["quantity"], row["time_point"])
            == (source_key, quantity, time_point) and row["statistic"] == "mean"]
    assert len(hits) == 1
    hits[0]["value"] = value
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_data_edit_reexecutes_the_chapter_that_reads_it(book):
    first = build(book)
    assert first.returncode == 0, output(first)[-3000:]
    executed = cache_records(book)
    assert len(executed) == 1

    second = build(book)  # nothing changed: served from the cache
    assert second.returncode == 0
    assert cache_records(book) == executed

    # Halve the pre-exercise arterial IL-6: the derived ratio printed by the chapter must change.
    before = chapter_html(book)
    assert "was 36 times the pre-exercise mean" in before
    set_value(book / "data" / "muscle-release.csv", "steensberg2001interleukin6",
              "arterial_plasma_il6", "pre-exercise", "0.3")
    third = build(book)
    assert third.returncode == 0, output(third)[-3000:]
    assert cache_records(book) != executed, "the chapter was served from a stale cache"
    assert "was 72 times the pre-exercise mean" in chapter_html(book)


def executed_chapters(result) -> set[str]:
    return set(re.findall(r"chapters/([\w-]+)\.md: Executing notebook", output(result)))


def test_only_the_chapters_that_read_an_edited_file_reexecute(tmp_path):
    """Two chapters: one reads muscle-expression.csv, the other does not."""
    book = copy_book(tmp_path / "book")
    strip_doc_links(book)
    (book / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n  - file: chapters/muscle-releases-il6\n"
        "  - file: chapters/muscle-makes-il6\n", encoding="utf-8")
    first = build(book)
    assert first.returncode == 0, output(first)[-3000:]
    assert executed_chapters(first) == {"muscle-releases-il6", "muscle-makes-il6"}

    # A file no chapter reads: nothing re-executes.
    readme = book / "data" / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")
    second = build(book)
    assert second.returncode == 0, output(second)[-3000:]
    assert executed_chapters(second) == set()

    # A dataset one chapter reads: that chapter re-executes, the other comes from the cache.
    expression = book / "data" / "muscle-expression.csv"
    expression.write_text(expression.read_text(encoding="utf-8").replace(
        'written as ""six""', 'written as the word ""six""', 1), encoding="utf-8")
    third = build(book)
    assert third.returncode == 0, output(third)[-3000:]
    assert executed_chapters(third) == {"muscle-makes-il6"}
    assert "re-executes (changed: data/muscle-expression.csv)" in output(third)

    # A reference's fields (not its key): chapters that only validate keys keep their cache.
    bib = book / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace(
        "Hepatosplanchnic clearance of interleukin-6", "Hepatosplanchnic clearance of IL-6", 1),
                   encoding="utf-8")
    fourth = build(book)
    assert fourth.returncode == 0, output(fourth)[-3000:]
    assert executed_chapters(fourth) == set()
