"""Citation metadata of the edition, read from CITATION.cff (its one source), and the forms a reader
or a reference manager needs: an author-year text, BibTeX, RIS and Highwire/Dublin Core meta tags.

Nothing here reads the clock: every date is the release date of CITATION.cff.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import yaml

from reviewkit import paths

CFF_PATH = paths.ROOT / "CITATION.cff"
LANGUAGE = "en"


@dataclass(frozen=True)
class Author:
    """A person (family and given names) or an entity (one name that must never be split)."""

    family: str = ""
    given: str = ""
    entity: str = ""

    @classmethod
    def from_cff(cls, record: dict) -> Author:
        if "name" in record:
            return cls(entity=str(record["name"]))
        return cls(family=str(record["family-names"]), given=str(record.get("given-names", "")))

    @property
    def inverted(self) -> str:
        """'Family, Given' for a person, the plain name for an entity."""
        if self.entity:
            return self.entity
        return f"{self.family}, {self.given}" if self.given else self.family

    @property
    def highwire(self) -> str:
        # Zotero and Google Scholar split a comma-free name at its last space; a name with a
        # comma is read as 'Family, Given', and one ending in a comma keeps the whole as family.
        return f"{self.entity}," if self.entity else self.inverted

    @property
    def bibtex(self) -> str:
        # Braces make BibTeX take an entity's name as one last name.
        return "{" + _bibtex_escape(self.entity) + "}" if self.entity else _bibtex_escape(self.inverted)


@dataclass(frozen=True)
class Edition:
    """What CITATION.cff says about the edition."""

    title: str
    authors: tuple[Author, ...]
    version: str
    released: date
    license: str
    repository: str
    url: str
    doi: str = ""

    @property
    def year(self) -> int:
        return self.released.year

    @property
    def repository_name(self) -> str:
        return urlparse(self.repository).path.rstrip("/").rsplit("/", 1)[-1]


def read_edition(path: Path = CFF_PATH) -> Edition:
    cff = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    released = cff["date-released"]
    if not isinstance(released, date):
        released = date.fromisoformat(str(released))
    doi = cff.get("doi") or next((identifier["value"] for identifier in cff.get("identifiers", [])
                                  if identifier.get("type") == "doi"), "")
    return Edition(title=cff["title"], authors=tuple(Author.from_cff(a) for a in cff["authors"]),
                   version=str(cff["version"]), released=released, license=cff["license"],
                   repository=cff["repository-code"], url=cff["url"], doi=str(doi))


@dataclass(frozen=True)
class Work:
    """One citable page: the whole book (its root page) or one chapter of it."""

    edition: Edition
    url: str
    chapter: str = ""  # the chapter's title; empty for the book itself
    slug: str = ""  # the page's name, for the citation key and file names

    @property
    def title(self) -> str:
        return self.chapter or self.edition.title

    @property
    def key(self) -> str:
        name = f"{self.edition.repository_name}-{self.edition.year}"
        return f"{name}-{self.slug}" if self.chapter else name

    @property
    def link(self) -> str:
        return f"https://doi.org/{self.edition.doi}" if self.edition.doi else self.url


def _join_names(names: list[str]) -> str:
    if len(names) <= 2:
        return " & ".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


def citation_text(work: Work) -> str:
    """Author-year reference: Authors (year). Chapter. In Book, version x. URL"""
    edition = work.edition
    authors = _join_names([author.inverted for author in edition.authors])
    within = f"In {edition.title}, version" if work.chapter else "Version"
    title = work.chapter or edition.title
    return f"{authors} ({edition.year}). {title}. {within} {edition.version}. {work.link}"


_BIBTEX_SPECIAL = re.compile(r"([&%$#_{}])")


def _bibtex_escape(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(r"\\\1", text)


def _bibtex_title(text: str) -> str:
    # Styles lower-case titles; braced words (names, IL-6) keep their capitals.
    return " ".join("{" + word + "}" if any(c.isupper() for c in word) else word
                    for word in _bibtex_escape(text).split())


def bibtex(work: Work) -> str:
    edition = work.edition
    fields = [("author", " and ".join(author.bibtex for author in edition.authors))]
    if work.chapter:
        entry_type = "incollection"
        fields += [("title", _bibtex_title(work.chapter)),
                   ("booktitle", _bibtex_title(edition.title))]
    else:
        entry_type = "book"
        fields.append(("title", _bibtex_title(edition.title)))
    fields += [("year", str(edition.year)), ("date", edition.released.isoformat()),
               ("version", edition.version), ("url", work.url)]
    if edition.doi:
        fields.append(("doi", edition.doi))
    fields.append(("language", "english"))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{{work.key},\n{body}\n}}\n"


def ris(work: Work) -> str:
    edition = work.edition
    tags = [("TY", "CHAP" if work.chapter else "BOOK")]
    # RIS reads 'Family, Given'; a name without a comma is kept whole (an entity).
    tags += [("AU", author.inverted) for author in edition.authors]
    tags.append(("TI", work.title))
    if work.chapter:
        tags.append(("T2", edition.title))
    tags += [("PY", str(edition.year)), ("DA", edition.released.strftime("%Y/%m/%d/")),
             ("ET", edition.version), ("UR", work.url)]
    if edition.doi:
        tags.append(("DO", edition.doi))
    tags += [("LA", LANGUAGE), ("ER", "")]
    return "".join(f"{tag}  - {value}".rstrip() + "\n" for tag, value in tags)


def meta_tags(work: Work) -> list[tuple[str, str]]:
    """Highwire Press tags (Zotero, Google Scholar) and Dublin Core, in page order."""
    edition = work.edition
    tags = [("citation_title", work.title)]
    tags += [("citation_author", author.highwire) for author in edition.authors]
    tags += [("citation_publication_date", edition.released.isoformat()),
             ("citation_language", LANGUAGE)]
    if work.chapter:
        # Zotero's embedded-metadata translator reads either name for the containing book.
        tags += [("citation_inbook_title", edition.title), ("citation_book_title", edition.title)]
    tags.append(("citation_public_url", work.url))
    if edition.doi:
        tags.append(("citation_doi", edition.doi))
    tags += [("DC.title", work.title), ("DC.type", "Text"), ("DC.language", LANGUAGE),
             ("DC.date", edition.released.isoformat()), ("DC.identifier", work.link)]
    tags += [("DC.creator", author.inverted) for author in edition.authors]
    tags.append(("DC.rights", edition.license))
    return tags


def site_url(repository: str) -> str:
    """The GitHub Pages address of a github.com repository: https://OWNER.github.io/NAME/."""
    parsed = urlparse(repository)
    owner, name = parsed.path.strip("/").split("/")[:2]
    if parsed.netloc != "github.com":
        raise ValueError(f"cannot derive a GitHub Pages URL from {repository}; set html.baseurl")
    return f"https://{owner.lower()}.github.io/{name}/"


def page_url(base: str, pagename: str) -> str:
    return base.rstrip("/") + "/" + pagename + ".html"
