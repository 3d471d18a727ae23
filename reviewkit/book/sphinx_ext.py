"""Sphinx extension of the book (listed in _config.yml under sphinx: extra_extensions).

- Never serve stale outputs, and re-execute no more than needed: jupyter-cache keys only on code
  cells, so the build records what each notebook's execution read (reviewkit.book.inputs) and drops
  the cached outputs of exactly those notebooks whose inputs, or the package code, changed.
- Fail loudly: every problem of references.bib (and of the citations in the chapters) and of the
  datasets is a build warning, which -W turns into a failed build.
- Citation from CITATION.cff on every page: Highwire ``citation_*`` tags, which Zotero and Google
  Scholar read, and a "Cite this chapter" block (reviewkit.book.sphinx_hooks).
"""
from __future__ import annotations

import os
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from reviewkit.bibliography import bibstyle, citestyle
from reviewkit.book import inputs
from reviewkit.book import sphinx_hooks

logger = logging.getLogger(__name__)


def _cache_path(app: Sphinx) -> Path | None:
    configured = getattr(app.config, "nb_execution_cache_path", "")
    if app.config.nb_execution_mode != "cache":
        return None
    return Path(app.srcdir, configured or ".jupyter_cache")


def invalidate_changed_chapters(app: Sphinx) -> None:
    """Drop the cached outputs of every notebook whose recorded inputs changed, or are unknown.

    Those notebooks are re-read (see ``outdated_chapters``) and so re-executed; every other
    notebook keeps its cached outputs, whatever else changed in data/ or references.bib.
    """
    app.reviewkit_stale_docs = set()
    cache_path = _cache_path(app)
    if cache_path is None:
        return
    root = Path(app.srcdir)
    manifest = inputs.Manifest(cache_path, root)
    app.reviewkit_manifest = manifest
    package = inputs.package_digest(root)
    records = {}
    if cache_path.exists():
        from jupyter_cache import get_cache

        cache = get_cache(str(cache_path))
        for record in cache.list_cache_records():
            records.setdefault(record.uri, []).append(record.pk)
    for source in sorted(set(records) | set(manifest.entries)):
        changed = manifest.changed_inputs(source, package)
        if changed == []:
            continue
        why = "no record of its inputs" if changed is None else "changed: " + ", ".join(changed)
        for pk in records.get(source, []):
            cache.remove_cache(pk)
        manifest.forget(source)
        docname = _docname(app, source)
        if docname:
            app.reviewkit_stale_docs.add(docname)
            logger.info("[reviewkit] %s re-executes (%s)", docname, why)
    manifest.save()


def _docname(app: Sphinx, source: str) -> str | None:
    try:
        relative = Path(source).resolve().relative_to(Path(app.srcdir).resolve())
    except ValueError:
        return None
    return relative.with_suffix("").as_posix()


def outdated_chapters(app, env, added, changed, removed):
    stale = getattr(app, "reviewkit_stale_docs", set())
    return [doc for doc in stale if doc in env.found_docs and doc not in added | changed]


def start_recording_reads(app: Sphinx, docname: str, source: list[str]) -> None:
    """Before a page is parsed (and, if not cached, executed): a fresh log for its kernel."""
    cache_path = _cache_path(app)
    if cache_path is None:
        return
    log = cache_path / "reads" / (docname.replace("/", "__") + ".log")
    log.parent.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    os.environ[inputs.READS_LOG_ENV] = str(log)
    source = str(Path(app.env.doc2path(docname)))
    app.reviewkit_reading = (docname, source, log, _cache_record_id(cache_path, source))


def _cache_record_id(cache_path: Path, source: str) -> int | None:
    """The jupyter-cache record of a notebook; a new one after parsing means it was executed."""
    if not cache_path.exists():
        return None
    from jupyter_cache import get_cache

    found = [r.pk for r in get_cache(str(cache_path)).list_cache_records() if r.uri == source]
    return max(found) if found else None


def finish_recording_reads(app: Sphinx, doctree) -> None:
    """After a page is parsed: if its notebook was executed now, keep what the kernel read."""
    reading = getattr(app, "reviewkit_reading", None)
    os.environ.pop(inputs.READS_LOG_ENV, None)
    if reading is None or not hasattr(app, "reviewkit_manifest"):
        return
    docname, source, log, record_before = reading
    app.reviewkit_reading = None
    record_after = _cache_record_id(_cache_path(app), source)
    if record_after is not None and record_after != record_before:
        app.reviewkit_manifest.record(source, inputs.read_log(log))
        app.reviewkit_manifest.save()
    log.unlink(missing_ok=True)


def check_sources(app: Sphinx) -> None:
    """Bibliography and data problems are build warnings, so -W turns them into a failed build."""
    from reviewkit.bibliography import bib
    from reviewkit.evidence import data

    root = Path(app.srcdir)
    problems, _ = bib.check(root / "references.bib", sources=bib.book_sources(root))
    problems += data.check_all(root / "data" / "datapackage.json", root / "references.bib")[0]
    for problem in problems:
        logger.warning("[reviewkit] %s", problem)
    if problems:
        # Executing chapters on bad inputs would only bury these messages under tracebacks.
        app.config.nb_execution_mode = "off"
        logger.warning("[reviewkit] %d problem(s) in the book's inputs: no chapter is executed "
                       "until they are fixed", len(problems))


def add_static_files(app: Sphinx) -> None:
    app.config.html_static_path.append(str(Path(__file__).parent / "static"))
    app.add_css_file("reviewkit.css")


def setup(app: Sphinx) -> dict:
    bibstyle.register()
    citestyle.register()
    app.connect("builder-inited", add_static_files)
    # Before myst-nb reads its configuration (priority 500), so a failed check can stop execution.
    app.connect("builder-inited", check_sources, priority=100)
    app.connect("config-inited", sphinx_hooks.apply_citation_config)
    app.connect("builder-inited", sphinx_hooks.check_citation_file)
    app.connect("builder-inited", sphinx_hooks.add_cite_assets)
    app.connect("builder-inited", invalidate_changed_chapters)
    app.connect("env-get-outdated", outdated_chapters)
    app.connect("source-read", start_recording_reads)
    app.connect("doctree-read", finish_recording_reads)
    app.connect("html-page-context", sphinx_hooks.add_page_citation)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
