"""How long the book takes to build, measured on a copy: ``python -m reviewkit book benchmark``.

Not a test (timings depend on the machine): it prints a cold build, a build with execution off,
a rebuild with nothing changed, rebuilds after a prose edit and after a data edit (with the
chapters each re-executed), and each chapter's execution time from the cache. The README
records the figures measured.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reviewkit.paths import copy_book

BUILD = ["build", ".", "-W", "-n", "--keep-going"]
PROSE_EDIT = ("chapters/muscle-releases-il6.md", "\nA sentence added by the benchmark.\n")
# A note, not a value: the data stay valid, but the file the chapters read has changed.
DATA_EDIT = ("data/cardiovascular-risk.csv", "adult subjects with type 1 diabetes",
             "adult subjects with type 1 diabetes (benchmark edit)")


def timed_build(book: Path, strict: bool = True) -> tuple[float, list[str]]:
    """Seconds for one build, and the chapters it re-executed. Without ``strict`` warnings do not
    fail the build (with execution off, the glued numbers are missing and say so)."""
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    arguments = BUILD if strict else [a for a in BUILD if a not in ("-W", "--keep-going")]
    start = time.perf_counter()
    result = subprocess.run([str(jupyter_book), *arguments], cwd=book, text=True,
                            capture_output=True, env=dict(os.environ, PYTHONPATH=str(book)))
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"build failed in {book}:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    executed = re.findall(r"(\S+\.md): Executing notebook", result.stdout + result.stderr)
    return seconds, sorted({Path(path).stem for path in executed})


def execution_times(book: Path) -> dict[str, float]:
    from jupyter_cache import get_cache

    cache = get_cache(str(book / ".jupyter_cache"))
    return {Path(record.uri).stem: record.data.get("execution_seconds", float("nan"))
            for record in cache.list_cache_records()}


def edit(book: Path, name: str, old: str | None, new: str) -> None:
    path = book / name
    text = path.read_text(encoding="utf-8")
    path.write_text(text + new if old is None else text.replace(old, new, 1), encoding="utf-8")


def run() -> list[tuple[str, float, list[str]]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="reviewkit-benchmark-") as scratch:
        book = copy_book(Path(scratch) / "book")
        rows.append(("cold build (every chapter executed)", *timed_build(book)))
        chapters = execution_times(book)
        rows.append(("rebuild, nothing changed", *timed_build(book)))
        edit(book, PROSE_EDIT[0], None, PROSE_EDIT[1])
        rows.append(("rebuild after a prose edit", *timed_build(book)))
        edit(book, *DATA_EDIT)
        rows.append((f"rebuild after a data edit ({DATA_EDIT[0]})", *timed_build(book)))
        off = copy_book(Path(scratch) / "off")
        config = off / "_config.yml"
        config.write_text(config.read_text(encoding="utf-8").replace(
            "execute_notebooks: cache", "execute_notebooks: \"off\""), encoding="utf-8")
        rows.append(("cold build, execution off", *timed_build(off, strict=False)))
    print(f"{'build':<62} {'seconds':>8}  re-executed")
    for name, seconds, executed in rows:
        print(f"{name:<62} {seconds:8.1f}  {', '.join(executed) or '-'}")
    print(f"\n{'chapter':<40} {'execution seconds':>18}")
    for name, seconds in sorted(chapters.items(), key=lambda item: -item[1]):
        print(f"{name:<40} {seconds:18.1f}")
    return rows
