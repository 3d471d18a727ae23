"""Citing the edition: CITATION.cff validates and is the one source; every built page carries a
"Cite this chapter" block whose text, BibTeX and RIS parse and agree with its meta tags; dates are
the release date, never the build date (two builds on different days give the same pages)."""
from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import bibtexparser
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import BIN, ROOT, build, copy_book, toc_files
from reviewkit.book import citation, publish

EDITION = citation.read_edition(ROOT / "CITATION.cff")
CFFCONVERT = ROOT / ".venv" / "cffconvert" / "bin" / "cffconvert"
PERSONS_AND_ENTITY = citation.Edition(
    title="A Book", version="2.0", released=date(2030, 1, 2), license="CC-BY-4.0",
    repository="https://github.com/someone/book", url="https://someone.github.io/book/",
    doi="10.5281/zenodo.1", authors=(citation.Author(family="Doe", given="Jane Q."),
                                     citation.Author(entity="Example Research Group")))


def cffconvert_validate(path: Path) -> subprocess.CompletedProcess:
    assert CFFCONVERT.exists(), f"{CFFCONVERT} missing: run make test (it installs cffconvert)"
    return subprocess.run([str(CFFCONVERT), "--validate", "-i", str(path)], capture_output=True,
                          text=True, timeout=120)


def test_citation_file_validates_with_cffconvert():
    result = cffconvert_validate(ROOT / "CITATION.cff")
    assert result.returncode == 0, result.stdout + result.stderr


def test_cffconvert_rejects_a_broken_citation_file(tmp_path):
    broken = tmp_path / "CITATION.cff"
    broken.write_text((ROOT / "CITATION.cff").read_text(encoding="utf-8").replace(
        'date-released: "2026', 'date-released: "released in 2026'), encoding="utf-8")
    assert cffconvert_validate(broken).returncode != 0


def test_citation_file_has_what_a_citation_needs():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    for field in ["title", "authors", "version", "date-released", "license", "repository-code",
                  "url"]:
        assert cff.get(field), f"CITATION.cff has no {field}"
    review = cff["references"][0]
    assert review["doi"] == "10.1079/PNS2004338" and review["year"] == 2004


def test_citation_file_names_the_configured_repository_and_site():
    settings = publish.read_settings(ROOT)
    assert EDITION.repository == settings.repository, "run: python -m reviewkit cite sync"
    assert EDITION.url == settings.site_url, "run: python -m reviewkit cite sync"


def test_licences_exist_and_are_stated():
    assert "Attribution 4.0 International" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert (ROOT / "LICENSE-CODE").read_text(encoding="utf-8").startswith("MIT License")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and "LICENSE-CODE" in readme and "MIT" in readme


# Formatters on an edition with a person, an entity and a DOI (the real one has neither).

def test_person_and_entity_names_for_reference_managers():
    work = citation.Work(PERSONS_AND_ENTITY, url="https://someone.github.io/book/ch.html",
                         chapter="A Chapter", slug="ch")
    authors = [value for name, value in citation.meta_tags(work) if name == "citation_author"]
    assert authors == ["Doe, Jane Q.", "Example Research Group,"]
    entry = bibtexparser.parse_string(citation.bibtex(work)).entries[0]
    assert entry["author"] == "Doe, Jane Q. and {Example Research Group}"
    assert ris_fields(citation.ris(work))["AU"] == ["Doe, Jane Q.", "Example Research Group"]
    assert citation.citation_text(work).startswith("Doe, Jane Q. & Example Research Group (2030).")


def test_doi_is_cited_when_configured():
    work = citation.Work(PERSONS_AND_ENTITY, url="https://someone.github.io/book/ch.html",
                         chapter="A Chapter", slug="ch")
    assert ("citation_doi", "10.5281/zenodo.1") in citation.meta_tags(work)
    assert bibtexparser.parse_string(citation.bibtex(work)).entries[0]["doi"] == "10.5281/zenodo.1"
    assert ris_fields(citation.ris(work))["DO"] == ["10.5281/zenodo.1"]
    assert citation.citation_text(work).endswith("https://doi.org/10.5281/zenodo.1")


def test_site_url_is_derived_from_a_github_repository():
    assert citation.site_url("https://github.com/Someone/fork") == "https://someone.github.io/fork/"
    with pytest.raises(ValueError):
        citation.site_url("https://gitlab.com/someone/fork")


# The built book.

def ris_fields(text: str) -> dict[str, list[str]]:
    lines = text.strip("\n").split("\n")
    fields: dict[str, list[str]] = {}
    for line in lines:
        match = re.fullmatch(r"([A-Z][A-Z0-9])  - ?(.*)", line)
        assert match, f"not a RIS line: {line!r}"
        fields.setdefault(match[1], []).append(match[2])
    assert lines[0].startswith("TY  - ") and lines[-1].startswith("ER  -"), text
    return fields


def unbraced(value: str) -> str:
    return value.replace("{", "").replace("}", "")


def parse_page(html_root: Path, name: str) -> tuple[BeautifulSoup, dict[str, list[str]]]:
    soup = BeautifulSoup((html_root / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
    meta: dict[str, list[str]] = {}
    for tag in soup.head.find_all("meta", attrs={"name": True}):
        meta.setdefault(tag["name"], []).append(tag["content"])
    return soup, meta


@pytest.mark.build
@pytest.mark.parametrize("name", toc_files())
def test_page_cites_itself_in_text_bibtex_and_ris(name, built_book):
    soup, meta = parse_page(built_book, name)
    is_book = name == toc_files()[0]
    title = EDITION.title if is_book else soup.find("h1").get_text(strip=True).rstrip("#")
    url = citation.page_url(EDITION.url, name)
    block = soup.find("section", id="cite-this-book" if is_book else "cite-this-chapter")
    assert block, f"{name}: no cite block"
    assert block.h2.get_text() == ("Cite this book" if is_book else "Cite this chapter")
    shown = {pre["id"].rsplit("-", 1)[-1]: pre.get_text() for pre in block.find_all("pre")}

    text = shown["txt"]
    assert f"({EDITION.year})" in text and title in text and url in text and EDITION.version in text

    library = bibtexparser.parse_string(shown["bib"])
    assert not library.failed_blocks and len(library.entries) == 1, shown["bib"]
    entry = library.entries[0]
    assert entry.entry_type == ("book" if is_book else "incollection")
    assert unbraced(entry["title"]) == title
    if not is_book:
        assert unbraced(entry["booktitle"]) == EDITION.title
    assert entry["year"] == str(EDITION.year) and entry["date"] == EDITION.released.isoformat()
    assert entry["version"] == EDITION.version and entry["url"] == url

    ris = ris_fields(shown["ris"])
    assert ris["TY"] == ["BOOK" if is_book else "CHAP"] and ris["TI"] == [title]
    assert ris["PY"] == [str(EDITION.year)] and ris["UR"] == [url]
    assert ris["DA"] == [EDITION.released.strftime("%Y/%m/%d/")]
    if not is_book:
        assert ris["T2"] == [EDITION.title]

    for link in block.select("a.reviewkit-cite-download"):
        suffix = link["href"].rsplit(".", 1)[-1]
        downloaded = (built_book / name).parent / link["href"]
        assert link.has_attr("download")
        assert downloaded.read_text(encoding="utf-8").rstrip("\n") == shown[suffix].rstrip("\n")
    copy_targets = {button["data-copy-target"] for button in block.select("button.reviewkit-cite-copy")}
    assert copy_targets == {pre["id"] for pre in block.find_all("pre")}

    assert meta["citation_title"] == [title]
    assert meta["citation_author"] == [author.highwire for author in EDITION.authors]
    assert meta["citation_publication_date"] == [EDITION.released.isoformat()]
    assert meta["citation_public_url"] == [url]
    assert "citation_doi" not in meta  # CITATION.cff has no DOI yet
    if not is_book:
        assert meta["citation_inbook_title"] == [EDITION.title]


@pytest.mark.build
def test_cite_script_and_licences_are_on_every_page(built_book):
    for name in toc_files():
        soup, _ = parse_page(built_book, name)
        scripts = [script.get("src", "") for script in soup.find_all("script")]
        assert any("reviewkit-cite.js" in src for src in scripts), name
        footer = soup.select_one(".reviewkit-licences")
        assert footer and "CC BY 4.0" in footer.get_text() and "MIT" in footer.get_text(), name
        hrefs = [a["href"] for a in footer.find_all("a")]
        assert hrefs == [f"{EDITION.repository}/blob/main/LICENSE",
                         f"{EDITION.repository}/blob/main/LICENSE-CODE"]
    assert (built_book / "_static" / "reviewkit-cite.js").exists()


# Two builds on different days.

FAKETIME = Path("/usr/bin/faketime")
COMMIT_DATE = "2026-03-04T05:06:07+00:00"


@pytest.fixture(scope="module")
def faketime() -> Path:
    """libfaketime from Debian: the build and its kernels see a clock 400 days ahead."""
    if not FAKETIME.exists():
        apt = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update"], env=apt, check=True, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "faketime"], env=apt, check=True,
                       capture_output=True)
    return FAKETIME


def committed_copy(destination: Path) -> Path:
    """A copy of the book in a git repository whose one commit has a known date."""
    book = copy_book(destination)
    env = {**os.environ, "GIT_AUTHOR_DATE": COMMIT_DATE, "GIT_COMMITTER_DATE": COMMIT_DATE,
           "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
           "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.invalid"}
    for command in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-q", "-m", "x"]):
        subprocess.run(command, cwd=book, env=env, check=True, capture_output=True)
    return book


def built_files(html_root: Path) -> list[str]:
    return sorted(str(path.relative_to(html_root)) for path in html_root.rglob("*")
                  if path.is_file() and path.suffix in {".html", ".txt", ".bib", ".ris", ".js"})


@pytest.mark.build
def test_two_builds_on_different_days_give_the_same_pages(tmp_path, faketime):
    book = committed_copy(tmp_path / "book")
    today = build(book)
    assert today.returncode == 0, today.stdout[-3000:] + today.stderr[-3000:]
    first = tmp_path / "first"
    shutil.move(book / "_build" / "html", first)
    shutil.rmtree(book / "_build")
    shutil.rmtree(book / ".jupyter_cache")  # the later day executes the chapters again too

    clock = subprocess.run([str(faketime), "-f", "+400d", str(BIN / "python"), "-c",
                            "import datetime; print(datetime.date.today())"],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert clock != date.today().isoformat(), "faketime did not move the clock"
    env = {**os.environ, "PYTHONPATH": str(book)}
    later = subprocess.run([str(faketime), "-f", "+400d", str(BIN / "jupyter-book"), "build", ".",
                            "-W", "-n", "--keep-going"], cwd=book, env=env, text=True,
                           capture_output=True, timeout=900)
    assert later.returncode == 0, later.stdout[-3000:] + later.stderr[-3000:]
    second = book / "_build" / "html"

    assert built_files(first) == built_files(second)
    differing = [name for name in built_files(first)
                 if not filecmp.cmp(first / name, second / name, shallow=False)]
    assert not differing, f"pages differ between the two days: {differing[:10]}"
    soup, meta = parse_page(second, "chapters/muscle-releases-il6")
    assert meta["citation_publication_date"] == [EDITION.released.isoformat()]
    assert "Last updated on 2026-03-04" in soup.select_one(".last-updated").get_text(" ", strip=True)


@pytest.mark.build
def test_a_fork_changes_one_setting_and_everything_follows(tmp_path):
    """Set repository.url, sync CITATION.cff: launch buttons, citations and footer follow."""
    book = copy_book(tmp_path / "fork")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n"
                                   "  - file: chapters/references\n", encoding="utf-8")
    config = book / "_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "https://github.com/executable-reviews/pedersen2004-il6",
        "https://github.com/someone/il6-fork"), encoding="utf-8")
    stale = build(book)
    assert stale.returncode != 0 and "reviewkit cite sync" in stale.stdout + stale.stderr

    assert publish.sync_citation_file(book)
    assert cffconvert_validate(book / "CITATION.cff").returncode == 0
    result = build(book)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    soup, meta = parse_page(book / "_build" / "html", "chapters/references")
    assert meta["citation_public_url"] == ["https://someone.github.io/il6-fork/chapters/references.html"]
    binder = [a["href"] for a in soup.find_all("a", href=True) if "/v2/gh/" in a["href"]]
    assert binder and all(href.startswith("https://mybinder.org/v2/gh/someone/il6-fork/main?")
                          for href in binder)
    assert "someone/il6-fork/blob/main/LICENSE" in str(soup.select_one(".reviewkit-licences"))
