"""Shared fixtures: the repository root, the venv's tools, and one whole-book build per session."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from reviewkit.paths import copy_book  # noqa: F401  (re-exported for the guard tests)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
JUPYTER_BOOK = str(BIN / "jupyter-book")
BUILD_ARGS = ["build", ".", "-W", "-n", "--keep-going"]


def toc_files(root: Path = ROOT) -> list[str]:
    """Every page of _toc.yml (root and chapters, recursively), without suffix."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(items):
        for item in items or []:
            if "file" in item:
                files.append(item["file"])
            walk(item.get("sections"))
            walk(item.get("chapters"))
            for part in item.get("parts", []):
                walk(part.get("chapters"))

    walk(toc.get("chapters"))
    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    return files


def notebook_pages(root: Path = ROOT) -> list[Path]:
    """The MyST notebooks among the toc pages (those with jupytext front matter)."""
    pages = []
    for name in toc_files(root):
        path = root / f"{name}.md"
        if path.exists() and "jupytext:" in path.read_text(encoding="utf-8")[:1000]:
            pages.append(path)
    return pages


DOC_LINK = re.compile(r"\{doc\}`([^`<]*?)\s*(?:<[^>]*>)?`")


def strip_doc_links(book: Path) -> None:
    """In a copy restricted to a few pages, links to the pages left out would break the build;
    the guard tests are about other failures, so such a copy keeps only the links' text."""
    for path in [book / "intro.md", *sorted((book / "chapters").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        path.write_text(DOC_LINK.sub(lambda m: m.group(1).strip() or "this page", text),
                        encoding="utf-8")


def build(book: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    """Build a book directory with the project's flags, importing that copy's reviewkit."""
    env = dict(os.environ, PYTHONPATH=str(book))
    return subprocess.run([JUPYTER_BOOK, *BUILD_ARGS], cwd=book, env=env, text=True,
                          capture_output=True, timeout=timeout)


CHROMIUM = Path("/usr/bin/chromium")
# As root Chromium needs --no-sandbox; the rest keeps a headless run quiet and offline.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium (Playwright's own browser download cannot be used here), installed
    with apt-get on a machine that lacks it."""
    if not CHROMIUM.exists():
        apt = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command, timeout in ((["apt-get", "update"], 600),
                                 (["apt-get", "install", "-y", "chromium"], 1200)):
            result = subprocess.run(command, env=apt, text=True, capture_output=True,
                                    timeout=timeout)
            assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return CHROMIUM


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """Build the real book once (in place, as `make book` does) and return _build/html."""
    result = build(ROOT)
    assert result.returncode == 0, (
        "the book does not build with -W:\n" + result.stdout[-4000:] + result.stderr[-4000:])
    return ROOT / "_build" / "html"
