"""Sphinx hooks that put the citation of CITATION.cff on every page (connected in
reviewkit.book.sphinx_ext): book title, authors and year from CITATION.cff; the site URL derived from the
repository URL of _config.yml unless html.baseurl is set; licences in the footer; meta tags and the
"Cite this chapter" block on each page; the footer date from git, never from the clock."""
from __future__ import annotations

import html
import subprocess
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from reviewkit.book import citation, cite_block

logger = logging.getLogger(__name__)

# The code's licence; the text's licence is the one CITATION.cff declares (file LICENSE).
CODE_LICENSE = ("MIT", "LICENSE-CODE")
TEXT_LICENSE_FILE = "LICENSE"
LICENSE_NAMES = {"CC-BY-4.0": "CC BY 4.0"}


def _edition(app: Sphinx) -> citation.Edition:
    return citation.read_edition(Path(app.srcdir) / "CITATION.cff")


def _repository(config) -> tuple[str, str]:
    options = config.html_theme_options
    return options.get("repository_url", ""), options.get("repository_branch", "main")


def apply_citation_config(app: Sphinx, config) -> None:
    """Title, authors, year, site URL and footer, all derived; called on config-inited."""
    edition = _edition(app)
    names = ", ".join(author.inverted for author in edition.authors)
    config.html_title = config.project = edition.title
    config.author = names
    config.copyright = f"{edition.year}, {names}"
    repository, branch = _repository(config)
    if not config.html_baseurl and repository:
        config.html_baseurl = citation.site_url(repository)
    blob = f"{repository.rstrip('/')}/blob/{branch}"
    text_license = LICENSE_NAMES.get(edition.license, edition.license)
    # Without a default the theme's script reads an empty mode and logs an error on every page.
    config.html_context.setdefault("default_mode", "auto")
    config.html_theme_options["extra_footer"] = (
        f'<p class="reviewkit-licences">Text and figures: <a href="{blob}/{TEXT_LICENSE_FILE}">'
        f"{html.escape(text_license)}</a>. Code: "
        f'<a href="{blob}/{CODE_LICENSE[1]}">{CODE_LICENSE[0]}</a>.</p>')


def check_citation_file(app: Sphinx) -> None:
    """CITATION.cff must name the repository and site the book is published from."""
    edition = _edition(app)
    repository, _ = _repository(app.config)
    expected = {"repository-code": repository, "url": app.config.html_baseurl}
    actual = {"repository-code": edition.repository, "url": edition.url}
    for field, value in expected.items():
        if value and actual[field].rstrip("/") != value.rstrip("/"):
            logger.warning("[reviewkit] CITATION.cff: %s is %s but _config.yml gives %s; run: "
                           "python -m reviewkit cite sync", field, actual[field], value)


def last_commit_date(source: Path) -> str:
    """The date (YYYY-MM-DD) of the last commit that changed a file; empty outside git."""
    try:
        result = subprocess.run(["git", "log", "-1", "--format=%cs", "--", source.name],
                                cwd=source.parent, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def add_page_citation(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Meta tags in the head, the cite block at the end of the page, its downloads, and the
    footer's "last updated" date (the source's last commit, else the release date)."""
    edition = _edition(app)
    if context.get("last_updated"):
        # Generated pages (search, index) have no source: they show the release date.
        source = Path(app.env.doc2path(pagename)) if doctree is not None else None
        context["last_updated"] = ((source and last_commit_date(source))
                                   or edition.released.isoformat())
    if doctree is None:
        return
    title = html.unescape(context.get("title", "")) or edition.title
    is_book = pagename == app.config.root_doc
    work = citation.Work(edition=edition, url=citation.page_url(app.config.html_baseurl, pagename),
                         chapter="" if is_book else title, slug=pagename.rsplit("/", 1)[-1])
    context["metatags"] = context.get("metatags", "") + "".join(
        f'<meta name="{name}" content="{html.escape(value, quote=True)}" />\n'
        for name, value in citation.meta_tags(work) if value)
    context["body"] = context.get("body", "") + cite_block.render(work, pagename, context["pathto"])
    cite_block.write_downloads(Path(app.outdir), pagename, work)


def add_cite_assets(app: Sphinx) -> None:
    app.add_js_file("reviewkit-cite.js")
