"""Binder on the first click, done as Binder does it: a fresh virtual environment from the files in
binder/ only, their postBuild, a cold JupyterLab (empty settings and workspace directories) and a
real browser opening the exact launch path that each built chapter page's Binder button carries.

Slow (it installs the Binder stack): `pytest -m "not binder"` leaves it out; plain `pytest` runs it.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from bs4 import BeautifulSoup

from conftest import CHROMIUM_ARGS, ROOT, notebook_pages

pytestmark = [pytest.mark.binder, pytest.mark.build]

SERVER_START_TIMEOUT_S = 120
NOTEBOOK_TIMEOUT_MS = 300_000
CHAPTERS = [str(path.relative_to(ROOT).with_suffix("")) for path in notebook_pages()]

# Reads the JupyterLab model (cells render lazily, so the DOM would not show them all): which
# widget opened the file, its kernel, and every code cell's execution count and errors after a
# run-all.
RUN_ALL_CELLS_JS = """
async () => {
  const app = window.jupyterapp;
  const widget = app.shell.currentWidget;
  await widget.context.ready;
  const result = {path: widget.context.path, classes: widget.node.className,
                  isNotebook: widget.node.classList.contains('jp-NotebookPanel')};
  if (!result.isNotebook) return result;
  await widget.sessionContext.ready;
  result.kernel = widget.sessionContext.session?.kernel?.name ?? null;
  result.runAllSucceeded = await app.commands.execute('notebook:run-all-cells');
  const model = widget.content.model;
  result.cells = [];
  for (let index = 0; index < model.cells.length; index++) {
    const cell = model.cells.get(index);
    if (cell.type !== 'code') continue;
    const outputs = cell.outputs.toJSON();
    result.cells.push({
      index, executionCount: cell.executionCount,
      errors: outputs.filter(o => o.output_type === 'error').map(o => `${o.ename}: ${o.evalue}`),
    });
  }
  return result;
}
"""


def run(command, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, text=True, capture_output=True, **kwargs)
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return result


@pytest.fixture(scope="module")
def binder_repo(tmp_path_factory) -> Path:
    """What Binder clones: the repository's files, without the venv, builds and caches."""
    listed = run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                 cwd=ROOT).stdout.split("\0")
    repo = tmp_path_factory.mktemp("binder") / "repo"
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    return repo


def clean_env(prefix: Path, **extra: str) -> dict[str, str]:
    """The environment of the Binder prefix only: none of the test venv's paths leak in."""
    env = {key: value for key, value in os.environ.items()
           if key not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}
           and not key.startswith(("JUPYTER", "PYTEST"))}
    env["PATH"] = f"{prefix / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["NB_PYTHON_PREFIX"] = str(prefix)
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def binder_prefix(binder_repo, tmp_path_factory) -> Path:
    """A fresh venv built as repo2docker builds it: binder/requirements.txt, then binder/postBuild."""
    prefix = tmp_path_factory.mktemp("binder-env") / "venv"
    run([sys.executable, "-m", "venv", str(prefix)], timeout=300)
    pip = [str(prefix / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    run(pip + ["--upgrade", "pip"], cwd=binder_repo, env=clean_env(prefix), timeout=600)
    run(pip + ["-r", "binder/requirements.txt"], cwd=binder_repo, env=clean_env(prefix),
        timeout=1800)
    run(["bash", "binder/postBuild"], cwd=binder_repo, env=clean_env(prefix), timeout=600)
    run([str(prefix / "bin" / "python"), "-m", "pip", "check"], env=clean_env(prefix))
    return prefix


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def lab_url(binder_repo, binder_prefix, tmp_path):
    """A cold JupyterLab: fresh, empty user settings, workspaces and Jupyter directories."""
    dirs = {name: tmp_path / name for name in
            ["settings", "workspaces", "config", "data", "runtime", "ipython", "mpl"]}
    for directory in dirs.values():
        directory.mkdir()
    env = clean_env(binder_prefix,
                    JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
                    JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
                    JUPYTER_CONFIG_DIR=str(dirs["config"]), JUPYTER_DATA_DIR=str(dirs["data"]),
                    JUPYTER_RUNTIME_DIR=str(dirs["runtime"]), IPYTHONDIR=str(dirs["ipython"]),
                    MPLCONFIGDIR=str(dirs["mpl"]))
    port, token = free_port(), secrets.token_hex(16)
    command = [str(binder_prefix / "bin" / "jupyter-lab"), "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={binder_repo}", "--LabApp.expose_app_in_browser=True"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(command, cwd=binder_repo, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            assert server.poll() is None, (tmp_path / "lab.log").read_text()
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, "JupyterLab did not start"
                time.sleep(1)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def launch_path(built_book: Path, chapter: str) -> str:
    """The urlpath of the Binder button on the chapter's built page (all buttons must agree)."""
    soup = BeautifulSoup((built_book / f"{chapter}.html").read_text(encoding="utf-8"),
                         "html.parser")
    paths = {parse_qs(urlparse(a["href"]).query)["urlpath"][0]
             for a in soup.find_all("a", href=True) if "/v2/gh/" in a["href"]}
    assert len(paths) == 1, f"{chapter}: expected one Binder launch path, found {paths}"
    return paths.pop()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_binder_launch_opens_a_notebook_that_runs(chapter, built_book, chromium, lab_url):
    from playwright.sync_api import sync_playwright

    base, token = lab_url
    urlpath = launch_path(built_book, chapter)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{base}/{urlpath}?token={token}")
            page.wait_for_function(
                "() => window.jupyterapp?.shell?.currentWidget?.context !== undefined",
                timeout=NOTEBOOK_TIMEOUT_MS)
            result = page.evaluate(RUN_ALL_CELLS_JS)
        finally:
            browser.close()
    assert result["path"] == urlpath.removeprefix("lab/tree/"), result
    assert result["isNotebook"], (
        f"{urlpath} opened in a {result['classes']!r} widget, not as a notebook")
    assert result["kernel"] == "python3", result
    errors = [cell for cell in result["cells"] if cell["errors"]]
    assert not errors, f"{chapter}: cells raised: {errors}"
    assert result["runAllSucceeded"], result
    assert all(cell["executionCount"] for cell in result["cells"]), result["cells"]
