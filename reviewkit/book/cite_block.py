"""The "Cite this chapter" block at the end of every page: the author-year text, BibTeX and RIS,
each with a copy button (reviewkit/book/static/reviewkit-cite.js) and a download of the same text."""
from __future__ import annotations

import html
from pathlib import Path

from reviewkit.book import citation

DOWNLOAD_DIR = "cite"
# (label, file suffix, media type, formatter): the order in which the block shows them.
FORMATS = [
    ("Text", "txt", "text/plain", citation.citation_text),
    ("BibTeX", "bib", "application/x-bibtex", citation.bibtex),
    ("RIS", "ris", "application/x-research-info-systems", citation.ris),
]


def download_path(pagename: str, suffix: str) -> str:
    """Where a page's citation file lies, relative to the HTML root."""
    return f"{DOWNLOAD_DIR}/{pagename}.{suffix}"


def write_downloads(outdir: Path, pagename: str, work: citation.Work) -> None:
    for _, suffix, _, formatter in FORMATS:
        target = Path(outdir) / download_path(pagename, suffix)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_with_final_newline(formatter(work)), encoding="utf-8")


def _with_final_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def render(work: citation.Work, pagename: str, pathto) -> str:
    """HTML of the block; `pathto` is Sphinx's page-relative link maker."""
    what = "chapter" if work.chapter else "book"
    parts = [f'<section class="reviewkit-cite" id="cite-this-{what}">',
             f"<h2>Cite this {what}</h2>",
             f'<p>Version {html.escape(work.edition.version)}, released '
             f'{work.edition.released.isoformat()}. The same citation in each format:</p>']
    basename = pagename.rsplit("/", 1)[-1]
    for label, suffix, media_type, formatter in FORMATS:
        block_id = f"reviewkit-cite-{suffix}"
        href = pathto(download_path(pagename, suffix), 1)
        parts.append(
            f'<div class="reviewkit-cite-format" data-format="{suffix}">'
            f'<div class="reviewkit-cite-bar"><span class="reviewkit-cite-label">{label}</span>'
            f'<button type="button" class="reviewkit-cite-copy" data-copy-target="{block_id}">'
            f"Copy</button>"
            f'<a class="reviewkit-cite-download" href="{html.escape(href)}" '
            f'download="{html.escape(basename)}.{suffix}" type="{media_type}">Download .{suffix}</a>'
            f"</div>"
            f'<pre id="{block_id}" class="reviewkit-cite-{suffix}">'
            f"{html.escape(formatter(work).rstrip(chr(10)))}</pre></div>")
    parts.append("</section>")
    return "\n".join(parts) + "\n"
