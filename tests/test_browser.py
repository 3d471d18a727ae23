"""The book as readers see it, in a real browser: Debian's Chromium driven by Playwright, on the
built HTML served over http. Every page, at a laptop's width (1280 px) and a phone's (390 px):
no console error, nothing wider than the text column, every image shown with alt text, every
in-text citation linked to an entry of the same page's reference list, and no critical or serious
axe-core violation. Screenshots of every page are kept in _build/screenshots/ as test artefacts.

`pytest -m "not browser"` leaves these out; plain `pytest` (make test) runs them.
"""
from __future__ import annotations

import functools
import http.server
import re
import threading
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import CHROMIUM_ARGS, ROOT, toc_files

pytestmark = [pytest.mark.browser, pytest.mark.build]

WIDTHS = {"laptop": 1280, "phone": 390}
PAGES = [*toc_files(), "search"]
SCREENSHOTS = ROOT / "_build" / "screenshots"

# Elements of the article that stick out of its column, or hide content behind a scroll bar.
# A visually hidden element (a table header the phone layout moves off screen) is skipped.
TOO_WIDE_JS = """
() => {
  const article = document.querySelector('article.bd-article')
                  || document.querySelector('.bd-article-container');
  const column = article.getBoundingClientRect();
  const wide = [];
  for (const el of article.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
    if (style.position === 'absolute' && style.overflow === 'hidden' && box.width <= 1) continue;
    const name = el.tagName.toLowerCase() + (el.className ? '.' + String(el.className)
                                              .trim().split(/\\s+/).join('.') : '');
    if (box.right > column.right + 1 || box.left < column.left - 1) {
      wide.push(`${name}: ${Math.round(box.left)}-${Math.round(box.right)} outside `
                + `${Math.round(column.left)}-${Math.round(column.right)}`);
    } else if (['auto', 'scroll'].includes(style.overflowX)
               && el.scrollWidth > el.clientWidth + 1) {
      wide.push(`${name}: scrolls sideways (${el.scrollWidth} in ${el.clientWidth})`);
    }
  }
  return wide;
}
"""

IMAGES_JS = """
() => [...document.querySelectorAll('article.bd-article img')].map(img => ({
  src: img.getAttribute('src'), alt: (img.getAttribute('alt') || '').trim(),
  shown: img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().width > 0,
}))
"""

# Each in-text citation's link, and whether it lands on an entry of a reference list of the
# same page.
CITATIONS_JS = """
() => [...document.querySelectorAll('article.bd-article .bibtex-citation a')].map(a => {
  const href = a.getAttribute('href') || '';
  const target = href.startsWith('#') ? document.getElementById(href.slice(1)) : null;
  return {text: a.textContent.trim(), href,
          onPage: !!(target && target.closest('.citation-list'))};
})
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(built_book: Path):
    """The built book over http on a free port of 127.0.0.1."""
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, url: str, width: int, dark: bool = False):
    """A page loaded in a fresh context, with every console error, script error and failed
    request it caused."""
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  color_scheme="dark" if dark else "light")
    if dark:
        context.add_init_script("localStorage.setItem('mode', 'dark');"
                                "localStorage.setItem('theme', 'dark');")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
    page.on("response", lambda response: problems.append(
        f"HTTP {response.status}: {response.url}") if response.status >= 400 else None)
    page.goto(url, wait_until="networkidle")
    return page, problems


def screenshot_path(name: str, width_name: str) -> Path:
    path = SCREENSHOTS / width_name / (name.replace("/", "__") + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def reading_problems(page) -> list[str]:
    """What a reader would stumble on: content wider than the column, images not shown or
    without alt text, citations that do not land on this page's reference list."""
    problems = [f"wider than the column: {item}" for item in page.evaluate(TOO_WIDE_JS)]
    for image in page.evaluate(IMAGES_JS):
        if not image["shown"]:
            problems.append(f"image not displayed: {image['src']}")
        if not image["alt"]:
            problems.append(f"image without alt text: {image['src']}")
    problems += [f"citation not linked to this page's references: {c['text']} -> {c['href']}"
                 for c in page.evaluate(CITATIONS_JS) if not c["onPage"]]
    return problems


def severe_axe_violations(page) -> list[tuple]:
    """axe-core's critical and serious violations. axe fetches stylesheets itself (and resolves
    @import against the page, not the sheet): its requests are not the page's, so it runs after
    the page's own requests were checked."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results["violations"] if v["impact"] in ("critical", "serious")]


@pytest.mark.parametrize("width_name", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_reads_well(browser, site, name, width_name):
    page, problems = open_page(browser, f"{site}/{name}.html", WIDTHS[width_name])
    try:
        page.screenshot(path=screenshot_path(name, width_name), full_page=True)
        assert problems == [], f"{name} at {width_name} width: {problems}"
        found = reading_problems(page)
        assert found == [], f"{name} at {width_name} width: {found[:10]}"
        severe = severe_axe_violations(page)
        assert severe == [], f"{name} at {width_name} width: axe-core finds {severe}"
    finally:
        page.context.close()


BAD_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Bad page</title></head><body><main>
<article class="bd-article" style="width: 600px">
<h1>Bad page</h1>
<table><tr><td style="white-space: nowrap">{wide}</td></tr></table>
<img src="figure.png">
<p><span class="bibtex-citation"><a href="#id-elsewhere">Somebody 2001</a></span></p>
<button></button>
</article></main>
<script>console.error("planted error")</script></body></html>"""


def test_the_checks_catch_a_bad_page(browser, tmp_path):
    """Each check above, seen failing on the input it guards against."""
    import base64

    (tmp_path / "figure.png").write_bytes(base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJ"
        "RU5ErkJggg=="))
    (tmp_path / "bad.html").write_text(BAD_PAGE.format(wide="x" * 300), encoding="utf-8")
    page, problems = open_page(browser, (tmp_path / "bad.html").as_uri(), 1280)
    try:
        assert any("planted error" in p for p in problems), problems
        found = " | ".join(reading_problems(page))
        assert "wider than the column" in found
        assert "image without alt text" in found
        assert "citation not linked to this page's references: Somebody 2001" in found
        assert "button-name" in [v[0] for v in severe_axe_violations(page)]
    finally:
        page.context.close()


def test_chapters_cite_and_show_figures_in_the_browser(browser, site):
    """The checks above are not vacuous: the argument chapters carry citations and figures."""
    page, _ = open_page(browser, f"{site}/chapters/muscle-releases-il6.html", 1280)
    try:
        assert len(page.evaluate(CITATIONS_JS)) >= 10
        assert len(page.evaluate(IMAGES_JS)) >= 3
    finally:
        page.context.close()


def _words(html_path: Path) -> set[str]:
    article = BeautifulSoup(html_path.read_text(encoding="utf-8"), "html.parser").find(
        "article")
    text = article.get_text(" ") if article else ""
    return {w.lower() for w in re.findall(r"\b[A-Za-z]{9,}\b", text)}


def test_search_finds_a_chapter_by_a_word_only_it_contains(browser, site, built_book):
    words = {name: _words(built_book / f"{name}.html") for name in toc_files()}
    counts = Counter(word for found in words.values() for word in found)
    name, word = next((name, word) for name in toc_files()[1:] if name.startswith("chapters/")
                      for word in sorted(words[name]) if counts[word] == 1)
    page, problems = open_page(browser, f"{site}/search.html?q={word}", 1280)
    try:
        page.wait_for_selector("#search-results ul.search li a", timeout=30_000)
        found = page.eval_on_selector_all("#search-results ul.search li a",
                                          "links => links.map(a => a.getAttribute('href'))")
        assert any(href.split("#")[0].split("?")[0].endswith(f"{name}.html") for href in found), \
            (word, name, found)
        assert problems == []
    finally:
        page.context.close()


# A figure's pixels, sampled in the browser: the corners must be opaque white in dark mode too.
FIGURE_PIXELS_JS = """
() => [...document.querySelectorAll('article.bd-article figure img')].map(img => {
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const context = canvas.getContext('2d');
  context.drawImage(img, 0, 0);
  const corner = [...context.getImageData(1, 1, 1, 1).data];
  const style = getComputedStyle(img);
  return {src: img.getAttribute('src'), corner, filter: style.filter,
          background: style.backgroundColor,
          theme: document.documentElement.dataset.theme};
})
"""


@pytest.mark.parametrize("name", [n for n in toc_files() if n.startswith("chapters/")
                                  and n.split("/")[1] not in ("data", "corrections",
                                                              "references")])
def test_figures_stay_readable_in_dark_mode(browser, site, name):
    page, problems = open_page(browser, f"{site}/{name}.html", 1280, dark=True)
    try:
        figures = page.evaluate(FIGURE_PIXELS_JS)
        for figure in figures:
            assert figure["theme"] == "dark"
            assert figure["corner"] == [255, 255, 255, 255], figure
            assert figure["filter"] in ("none", ""), figure
            assert figure["background"] == "rgb(255, 255, 255)", figure
        page.screenshot(path=screenshot_path(name, "dark"), full_page=False)
        assert problems == []
    finally:
        page.context.close()
