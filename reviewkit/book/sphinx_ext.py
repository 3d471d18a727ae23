"""Sphinx extension of the book (listed in _config.yml under sphinx: extra_extensions).

- Never serve stale outputs, and re-execute no more than needed: jupyter-cache keys only on code
  cells, so the build records what each notebook's execution read (reviewkit.book.inputs) and drops
  the cached outputs of exactly those notebooks whose inputs, or the package code, changed.
- Fail loudly: every problem of references.bib (and of the citations in the chapters) and of the
  datasets is a build warning, which -W turns into a failed build.
- Citation from CITATION.cff on every page: Highwire ``citation_*`` tags, which Zotero and Google
  Scholar read, and a "Cite this chapter" block (reviewkit.book.sphinx_hooks).
- Reader-facing pages: the ``{record}`` role of the tables, the note on the letters of each
  reference list, reference-list entries as list items, the book's stylesheet and scripts kept
  current, and the theme's own faults removed (see README, "Reading the book").
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from docutils import nodes as docutils_nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from reviewkit.bibliography import bibstyle, citestyle
from reviewkit.book import inputs, record_role, sphinx_hooks

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


class BibliographyLetterNote(SphinxPostTransform):
    """Before each reference list, say that its a/b letters are this edition's, and where the
    review's own list letters a work differently (runs before sphinxcontrib-bibtex turns the
    list into citations, while the list's keys are known)."""
    default_priority = 4

    def run(self, **kwargs) -> None:
        from sphinxcontrib.bibtex.directives import BibliographyKey
        from sphinxcontrib.bibtex.nodes import bibliography as bibliography_node

        domain = self.env.get_domain("cite")
        for node in list(self.document.findall(bibliography_node)):
            key = BibliographyKey(docname=node["docname"], id_=node["ids"][0])
            keys = [c.entry.key for c in domain.citations if c.bibliography_key == key]
            if not keys:
                continue
            note = docutils_nodes.paragraph(
                text=bibstyle.letter_note(keys, Path(self.env.srcdir) / "references.bib"),
                classes=["reviewkit-bibliography-note"])
            node.parent.insert(node.parent.index(node), note)


STATIC = Path(__file__).parent / "static"


def add_static_files(app: Sphinx) -> None:
    """The book's stylesheet and scripts. Sphinx 7.4 neither overwrites a static file already in
    the output nor copies static files when no page is out of date, so an edited stylesheet
    would be served stale: the current files are written into the output here."""
    app.config.html_static_path.append(str(STATIC))
    target = Path(app.outdir) / "_static"
    for source in STATIC.iterdir():
        built = target / source.name
        if not built.is_file() or built.read_bytes() != source.read_bytes():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, built)
    app.add_css_file("reviewkit.css")
    app.add_js_file("reviewkit-tables.js")


def accessible_reference_lists(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """docutils marks each reference-list entry with the deprecated DPUB role doc-biblioentry,
    which assistive technologies (and axe-core) do not count as an item of the list around it:
    the list then reads as holding stray links. Plain list items keep the list's meaning."""
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


def set_favicon(app: Sphinx, config) -> None:
    """The book's icon, so that browsers do not ask the site for a missing /favicon.ico."""
    if not config.html_favicon:
        config.html_favicon = str(Path(__file__).parent / "static" / "favicon.svg")


def disable_thebe(app: Sphinx) -> None:
    """Jupyter Book always loads sphinx-thebe, which this book does not use (its launch button is
    Binder's); on every page it declared its configuration twice, a script error in every
    browser, and fetched nothing useful. Drop its handlers and its stylesheet."""
    for listeners in app.events.listeners.values():
        listeners[:] = [listener for listener in listeners
                        if getattr(listener.handler, "__module__", "") != "sphinx_thebe"]
    app.registry.css_files[:] = [(name, attributes) for name, attributes
                                 in app.registry.css_files if "thebe" not in str(name)]


def setup(app: Sphinx) -> dict:
    bibstyle.register()
    citestyle.register()
    app.add_role("record", record_role.record_role)
    app.add_post_transform(BibliographyLetterNote)
    disable_thebe(app)
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
    app.connect("html-page-context", accessible_reference_lists)
    app.connect("config-inited", set_favicon)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
