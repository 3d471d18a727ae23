"""Sphinx extension of the book (listed in _config.yml under sphinx: extra_extensions).

- Never serve stale outputs: jupyter-cache keys only on code cells, so when data/, references.bib
  or this package change, the cache is cleared and every notebook page is marked outdated.
- Fail loudly: every problem of references.bib (and of the citations in the chapters) and of the
  datasets is a build warning, which -W turns into a failed build.
- Citation metadata (Highwire ``citation_*`` tags) on every page, which Zotero and Google Scholar
  read to cite a chapter.
"""
from __future__ import annotations

import html
from datetime import date
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from reviewkit import bibstyle, citestyle, inputs

logger = logging.getLogger(__name__)


def _cache_path(app: Sphinx) -> Path | None:
    configured = getattr(app.config, "nb_execution_cache_path", "")
    if app.config.nb_execution_mode != "cache":
        return None
    return Path(configured or Path(app.outdir).parent / ".jupyter_cache")


def invalidate_stale_cache(app: Sphinx) -> None:
    """Clear the execution cache when the chapters' non-code inputs changed since it was filled."""
    cache_path = _cache_path(app)
    root = Path(app.srcdir)
    digest = inputs.inputs_digest(root)
    app.env.reviewkit_inputs_digest = digest
    if cache_path is None:
        return
    stamp = cache_path / inputs.CACHE_STAMP_NAME
    if stamp.exists() and stamp.read_text().strip() == digest:
        return
    if cache_path.exists():
        from jupyter_cache import get_cache

        cache = get_cache(str(cache_path))
        cache.clear_cache()
        logger.info("[reviewkit] data/, references.bib or reviewkit changed: cleared %s", cache_path)
    cache_path.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest + "\n")


def outdated_notebooks(app, env, added, changed, removed):
    """Re-read every notebook page when the inputs digest differs from the one they were read with."""
    previous = getattr(env, "reviewkit_read_digest", None)
    current = getattr(env, "reviewkit_inputs_digest", None)
    env.reviewkit_read_digest = current
    if previous is None or previous == current:
        return []
    notebooks = [doc for doc in env.found_docs if _is_notebook(env, doc)]
    return [doc for doc in notebooks if doc not in added and doc not in changed]


def _is_notebook(env, docname: str) -> bool:
    source = Path(env.doc2path(docname))
    if source.suffix == ".ipynb":
        return True
    if source.suffix != ".md" or not source.exists():
        return False
    head = source.read_text(encoding="utf-8")[:2000]
    return "jupytext:" in head or "file_format: mystnb" in head


def add_citation_metadata(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Highwire Press tags, read by Zotero's embedded-metadata translator."""
    if doctree is None:
        return
    config = app.config
    book_title = config.html_title or config.project
    page_title = html.unescape(context.get("title", "")) or book_title
    tags = [("citation_title", page_title)]
    tags += [("citation_author", author) for author in config.reviewkit_citation_authors]
    tags += [
        ("citation_publication_date", config.reviewkit_citation_date or date.today().isoformat()),
        ("citation_publisher", config.reviewkit_citation_publisher),
    ]
    tags.append(("citation_language", "en"))
    if pagename != config.root_doc:
        # Zotero's embedded-metadata translator reads either name for the containing book.
        tags += [("citation_inbook_title", book_title), ("citation_book_title", book_title)]
    # Dublin Core as well, for tools that read DC rather than Highwire tags.
    tags += [("DC.title", page_title), ("DC.type", "Text"), ("DC.language", "en")]
    tags += [("DC.creator", author) for author in config.reviewkit_citation_authors]
    base = config.html_baseurl
    if base:
        tags.append(("citation_public_url", base.rstrip("/") + "/" + pagename + ".html"))
    rendered = "".join(
        f'<meta name="{name}" content="{html.escape(value, quote=True)}" />\n'
        for name, value in tags if value
    )
    context["metatags"] = context.get("metatags", "") + rendered


def check_sources(app: Sphinx) -> None:
    """Bibliography and data problems are build warnings, so -W turns them into a failed build."""
    from reviewkit import bib, data

    root = Path(app.srcdir)
    problems, _ = bib.check(root / "references.bib", sources=bib.book_sources(root))
    for resource in data.resources(root / "data" / "datapackage.json"):
        try:
            data.read_checked(resource.path, resource.schema, root / "references.bib")
        except data.DataValidationError as error:
            problems.extend(error.problems)
    for problem in problems:
        logger.warning("[reviewkit] %s", problem)


def add_static_files(app: Sphinx) -> None:
    app.config.html_static_path.append(str(Path(__file__).parent / "static"))
    app.add_css_file("reviewkit.css")


def setup(app: Sphinx) -> dict:
    bibstyle.register()
    citestyle.register()
    app.connect("builder-inited", add_static_files)
    app.connect("builder-inited", check_sources)
    app.add_config_value("reviewkit_citation_authors", [], "html")
    app.add_config_value("reviewkit_citation_date", "", "html")
    app.add_config_value("reviewkit_citation_publisher", "", "html")
    app.connect("builder-inited", invalidate_stale_cache)
    app.connect("env-get-outdated", outdated_notebooks)
    app.connect("html-page-context", add_citation_metadata)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
