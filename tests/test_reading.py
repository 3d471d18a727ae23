"""What a reader meets on the built pages, checked on the HTML (the browser checks are in
test_browser.py): tables in the reader's language, values with their record and the page they
were read from, reference lists in order with a note on their letters, results in prose, code
that fits the column, and pages light enough to load on a phone."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, toc_files
from reviewkit.bibliography import bibstyle
from reviewkit.book import tables
from reviewkit.evidence.data import bib_keys

MAX_PAGE_BYTES = 500 * 1024
MAX_CODE_LINE = 79


def page(built_book: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((built_book / f"{name}.html").read_text(encoding="utf-8"),
                         "html.parser")


def code_lines(path: Path) -> list[tuple[int, str]]:
    """The source lines of a MyST notebook's code cells (not their metadata), numbered."""
    lines, numbered, inside, metadata = path.read_text(encoding="utf-8").split("\n"), [], False, False
    for number, line in enumerate(lines, 1):
        if line.startswith("```{code-cell}"):
            inside, metadata = True, False
            continue
        if inside and line == "```":
            inside = False
        elif inside:
            if line == "---":
                metadata = not metadata
            elif not metadata and not line.startswith(":"):
                numbered.append((number, line))
    return numbered


def test_code_lines_fit_the_column():
    long = [f"{path.relative_to(ROOT)}:{number}: {len(line)} characters"
            for path in sorted((ROOT / "chapters").glob("*.md"))
            for number, line in code_lines(path) if len(line) > MAX_CODE_LINE]
    assert long == []


def test_code_line_check_reads_code_not_metadata(tmp_path):
    chapter = tmp_path / "c.md"
    chapter.write_text("```{code-cell} ipython3\n---\ncaption: " + "x" * 100 + "\n---\n"
                       "short = 1\n" + "y" * 80 + "\n```\n", encoding="utf-8")
    assert [len(line) for _, line in code_lines(chapter)] == [9, 80]


@pytest.mark.build
@pytest.mark.parametrize("name", toc_files())
def test_each_page_and_its_images_weigh_under_500_kb(built_book, name):
    html = built_book / f"{name}.html"
    images = {(html.parent / img["src"]).resolve() for img in page(built_book, name).find_all("img")
              if "_images/" in img.get("src", "")}
    weight = html.stat().st_size + sum(image.stat().st_size for image in images)
    assert weight < MAX_PAGE_BYTES, f"{name}: {weight / 1024:.0f} KB"


@pytest.mark.build
@pytest.mark.parametrize("name", toc_files())
def test_results_are_prose_not_output_boxes(built_book, name):
    """Derived numbers reach the text through glue: no printed text, no raw DataFrame."""
    article = page(built_book, name).find("article")
    assert not article.select(".cell_output .output.stream, .cell_output .output.text_plain")
    assert not article.select("table.dataframe")


@pytest.mark.build
@pytest.mark.parametrize("name", toc_files())
def test_tables_speak_the_readers_language(built_book, name):
    """No reference-list key, no '(unstated)' after a spread, in any reader table."""
    keys = bib_keys()
    for table in page(built_book, name).select("table.reviewkit-table"):
        text = table.get_text(" ")
        assert not [key for key in keys if key in text], (name, text[:300])
        assert "(unstated)" not in text, name


@pytest.mark.build
def test_values_show_their_record_and_the_page_read(built_book):
    article = page(built_book, "chapters/muscle-releases-il6").find("article")
    marathon = next(t for t in article.select("table.reviewkit-table")
                    if "Ostrowski" in t.caption.get_text())
    record = [a["href"] for a in marathon.caption.select("a.reviewkit-record")]
    assert "https://doi.org/10.1111/j.1469-7793.1998.949bp.x" in record
    assert "https://pubmed.ncbi.nlm.nih.gov/9518745/" in record
    note = marathon.find_parent("div", class_="cell_output").get_text(" ")
    # The page read is a mirror: it is named as a copy of the PubMed record.
    assert "copy of the PubMed record, on a PubMed mirror at a bare IP address" in " ".join(
        note.split())
    cells = marathon.select("tbody td:last-child a")
    assert cells and all(a["href"] == "http://47.251.13.51:8081/9518745" for a in cells)


@pytest.mark.build
def test_locators_are_in_natural_order(built_book):
    article = page(built_book, "chapters/data").find("article")
    checked = 0
    for table in article.select("table.reviewkit-table"):
        headers = [th.get_text(strip=True) for th in table.select("thead th")]
        if "Where on the page" not in headers:
            continue
        column = headers.index("Where on the page")
        for row in table.select("tbody tr"):
            locators = row.find_all("td")[column].get_text(strip=True).split("; ")
            assert locators == tables.natural_sorted(locators), locators
            checked += 1
    assert checked > 50


def test_natural_order_puts_sentence_3_before_sentence_10():
    assert tables.natural_sorted(["abstract, sentence 10", "abstract, sentence 3",
                                  "abstract, sentence 11"]) == [
        "abstract, sentence 3", "abstract, sentence 10", "abstract, sentence 11"]


def _label_order(label: str) -> tuple:
    surname, year = label.split()[0].lower(), label.split()[-1]
    return surname, year[:4], year[4:]


@pytest.mark.build
@pytest.mark.parametrize("name", toc_files())
def test_reference_lists_are_in_author_year_letter_order_with_a_note(built_book, name):
    article = page(built_book, name).find("article")
    for listing in article.select("div.citation-list"):
        labels = [span.get_text(strip=True).strip("[]") for span in
                  listing.select("div.citation > span.label")]
        assert labels == sorted(labels, key=_label_order), (name, labels)
        note = listing.find_previous("p")
        assert note is not None and "reviewkit-bibliography-note" in note.get("class", []), name


@pytest.mark.build
def test_the_note_gives_the_reviews_own_letters_where_they_differ(built_book):
    notes = page(built_book, "chapters/references").select("p.reviewkit-bibliography-note")
    text = " ".join(notes[0].get_text(" ").split())
    assert "Febbraio et al. 2003c is the review's Febbraio et al. 2002" in text.replace("’", "'")
    # Where the review's letters could be kept they are: its Steensberg 2001a stays 2001a.
    assert "Steensberg et al. 2001a is" not in text


def test_letters_follow_the_reviews_own_where_it_gave_them():
    labels = bibstyle.labels_now()
    assert labels["febbraio2003hepatosplanchnic"] == "Febbraio et al. 2003a"  # review: 2003a
    assert labels["febbraio2003glucose"] == "Febbraio et al. 2003b"  # review: 2003b
    assert labels["steensberg2003il6"] == "Steensberg et al. 2003a"  # review: 2003a
    assert labels["febbraio2003skeletal"] == "Febbraio et al. 2003c"  # review: 2002


def test_labels_typed_in_chapters_are_labels_of_the_reference_list():
    """Alt texts name studies as the figures print them; a label that is not (or no longer)
    one of the reference list's is a stale or ambiguous name."""
    labels = set(bibstyle.labels_now().values())
    typed = re.compile(r"[A-Z][\w-]+ (?:et al\.|& [A-Z][\w-]+) \d{4}[a-z]?(?![\w])")
    stale = [(path.name, found) for path in sorted((ROOT / "chapters").glob("*.md"))
             for found in typed.findall(path.read_text(encoding="utf-8"))
             if found not in labels]
    assert stale == []
