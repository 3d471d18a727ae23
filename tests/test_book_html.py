"""Build the whole book once with -W, then check the HTML a reader gets."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT, notebook_pages, toc_files

pytestmark = pytest.mark.build


def page(html_root: Path, name: str) -> BeautifulSoup:
    target = html_root / ("index.html" if name == "index" else f"{name}.html")
    return BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")


def content_pages(html_root: Path):
    for name in toc_files():
        yield name, html_root / f"{name}.html"


def test_every_toc_page_is_built(built_book):
    missing = [name for name, path in content_pages(built_book) if not path.exists()]
    assert not missing, f"pages of _toc.yml missing from the HTML: {missing}"


def test_every_figure_image_exists_and_has_alt_text(built_book):
    checked = 0
    for name, path in content_pages(built_book):
        article = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find("article")
        for image in article.find_all("img"):
            source = (path.parent / image["src"]).resolve()
            assert source.exists(), f"{name}: image {image['src']} does not exist"
            assert (image.get("alt") or "").strip(), f"{name}: image {image['src']} has no alt text"
            checked += 1
    assert checked >= 2, "expected the figures of the first chapter"


def test_figures_have_captions_and_names(built_book):
    for name, path in content_pages(built_book):
        article = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find("article")
        for figure in article.find_all("figure"):
            caption = figure.find("figcaption")
            assert caption and caption.get_text(strip=True), f"{name}: figure without caption"
            assert "Data level" in caption.get_text(), f"{name}: caption must name the data level"


def test_no_citation_is_unresolved(built_book):
    for name, path in content_pages(built_book):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        article = soup.find("article")
        text = article.get_text(" ")
        assert "{cite" not in text, f"{name}: a citation role was rendered literally"
        assert not article.select(".problematic"), f"{name}: unresolved reference in the page"
        assert not re.search(r"\[\s*\]", text), f"{name}: an empty citation [] is rendered"
        for link in article.select("a.reference.internal[href^='#']"):
            anchor = link["href"][1:]
            assert soup.find(id=anchor), f"{name}: citation link #{anchor} points nowhere"


def test_each_citing_chapter_has_its_own_bibliography(built_book):
    for path in notebook_pages():
        if "{cite" not in path.read_text(encoding="utf-8"):
            continue
        name = str(path.relative_to(ROOT).with_suffix(""))
        article = page(built_book, name).find("article")
        entries = article.select("div.citation, .citation")
        assert entries, f"{name}: no bibliography at the end of the chapter"


def test_binder_button_points_at_the_chapter_source(built_book):
    for path in notebook_pages():
        name = str(path.relative_to(ROOT).with_suffix(""))
        links = [a["href"] for a in page(built_book, name).find_all("a", href=True)
                 if "mybinder.org" in a["href"]]
        assert links, f"{name}: no Binder launch button"
        for href in links:
            urlpath = parse_qs(urlparse(href).query)["urlpath"][0]
            assert urlpath == f"lab/tree/{name}.md", f"{name}: Binder opens {urlpath}"
            assert (ROOT / urlpath.removeprefix("lab/tree/")).exists()


def test_pages_carry_citation_metadata_for_reference_managers(built_book):
    for name, path in content_pages(built_book):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        meta = {tag["name"]: tag["content"] for tag in soup.find_all("meta", attrs={"name": True})}
        title = soup.find("h1").get_text(strip=True).rstrip("#")
        if name == toc_files()[0]:  # the root page cites the whole book, by its full title
            title = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))["title"]
        assert meta.get("citation_title") == title, f"{name}: citation_title is not the page title"
        assert meta.get("citation_author"), f"{name}: no citation_author"
        assert re.fullmatch(r"\d{4}(-\d{2}-\d{2})?", meta.get("citation_publication_date", ""))
        assert meta.get("citation_public_url", "").endswith(f"{name}.html")


def test_references_page_links_dois_and_pubmed_ids(built_book):
    article = page(built_book, "chapters/references").find("article")
    hrefs = [a["href"] for a in article.find_all("a", href=True)]
    assert sum(h.startswith("https://doi.org/10.") for h in hrefs) >= 25
    assert sum(h.startswith("https://pubmed.ncbi.nlm.nih.gov/") for h in hrefs) >= 10
    from reviewkit.bibliography import bib

    assert len(article.select(".citation, div.citation > *")) >= len(bib.read_library().entries)


def test_data_page_offers_every_dataset_for_download(built_book):
    from reviewkit.evidence import data

    data_page = built_book / "chapters" / "data.html"
    article = BeautifulSoup(data_page.read_text(encoding="utf-8"), "html.parser").find("article")
    downloads = {Path(a["href"]).name: (data_page.parent / a["href"]).resolve()
                 for a in article.find_all("a", href=True) if a["href"].endswith(".csv")}
    for resource in data.resources():
        assert resource.path.name in downloads, f"no download link for {resource.name}"
        assert downloads[resource.path.name].read_bytes() == resource.path.read_bytes()


def test_argument_chapters_show_a_claims_check(built_book):
    from reviewkit.evidence import claims

    matrix = claims.evidence_matrix()
    for chapter, expected in matrix.groupby("chapter", sort=False):
        article = page(built_book, f"chapters/{chapter}").find("article")
        section = article.find(id="claims-check")
        assert section, f"{chapter}: no claims check section"
        verdicts = [row.find_all("td")[-1].get_text(strip=True)
                    for row in section.select("table.reviewkit-table tbody tr")]
        assert verdicts == list(expected["verdict"]), chapter
        assert article.find(id="weight-of-evidence"), f"{chapter}: no weight-of-evidence section"


def test_null_and_indirect_results_are_shown_for_what_they_are(built_book):
    text = page(built_book, "chapters/glycogen-and-carbohydrate").find("article").get_text(" ")
    assert "no effect found (proxy)" in text and "no effect found (upstream)" in text


def test_chapter_metadata_names_the_book(built_book):
    title = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))["title"]
    for path in notebook_pages():
        name = str(path.relative_to(ROOT).with_suffix(""))
        meta = {tag["name"]: tag["content"]
                for tag in page(built_book, name).find_all("meta", attrs={"name": True})}
        assert meta["citation_inbook_title"] == title


def test_same_author_same_year_citations_differ_in_the_text(built_book):
    """Steensberg et al. 2001a and 2001b must not both read 'Steensberg et al., 2001'."""
    texts = set()
    for path in notebook_pages():
        name = str(path.relative_to(ROOT).with_suffix(""))
        article = page(built_book, name).find("article")
        texts |= {a.get_text() for a in article.select("p a.reference.internal")}
    assert {"2001a", "2001b"} & texts or {"Steensberg et al., 2001a", "Steensberg et al., 2001b"} & texts
    assert "Febbraio et al., 2003" not in texts
