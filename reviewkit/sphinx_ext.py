"""Sphinx extension of the book (listed in _config.yml under sphinx: extra_extensions).

- Never serve stale outputs: jupyter-cache keys only on code cells, so when data/, references.bib
  or this package change, the cache is cleared and every notebook page is marked outdated.
- Fail loudly: every problem of references.bib (and of the citations in the chapters) and of the
  datasets is a build warning, which -W turns into a failed build.
- Citation from CITATION.cff on every page: Highwire ``citation_*`` tags, which Zotero and Google
  Scholar read, and a "Cite this chapter" block (reviewkit.book.sphinx_hooks).
"""
from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from reviewkit import bibstyle, citestyle, inputs
from reviewkit.book import sphinx_hooks

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
    app.connect("config-inited", sphinx_hooks.apply_citation_config)
    app.connect("builder-inited", sphinx_hooks.check_citation_file)
    app.connect("builder-inited", sphinx_hooks.add_cite_assets)
    app.connect("builder-inited", invalidate_stale_cache)
    app.connect("env-get-outdated", outdated_notebooks)
    app.connect("html-page-context", sphinx_hooks.add_page_citation)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
