"""What each chapter's execution read, so that a chapter re-executes when, and only when, one
of its inputs changed.

jupyter-cache keys a notebook on its code cells only. The build therefore asks every kernel to
record the book files it opens (a Python audit hook, installed when ``reviewkit`` is imported
with READS_LOG_ENV set), and keeps a manifest beside the cache: for each executed notebook, the
digest of every file it read and of the reviewkit package. A notebook whose manifest entry no
longer matches the files on disk (or that has none) loses its cache record and is re-executed.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from reviewkit import paths

READS_LOG_ENV = "REVIEWKIT_READS_LOG"
MANIFEST_NAME = "reviewkit-reads.json"
# Files under these folders of the book are not chapter inputs: the package is hashed as a
# whole, and the rest are builds, caches and environments.
NOT_INPUTS = ("reviewkit", ".venv", "_build", ".jupyter_cache", ".git", ".pytest_cache")


def package_digest(root: Path = paths.ROOT) -> str:
    """One digest of the package code every chapter imports."""
    digest = hashlib.sha256()
    package = Path(root) / "reviewkit"
    for path in sorted(package.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _book_relative(opened: object, root: Path) -> str | None:
    """The path of an opened book input relative to the book, or None for anything else."""
    if not isinstance(opened, (str, bytes, os.PathLike)) or isinstance(opened, int):
        return None
    try:
        path = Path(os.fsdecode(opened)).resolve()
        relative = path.relative_to(root)
    except (ValueError, OSError):
        return None
    if not relative.parts or relative.parts[0] in NOT_INPUTS or not path.is_file():
        return None
    return relative.as_posix()


# Only the set of keys of references.bib, not the whole file: what the data loader checks
# source keys against. An edit of a reference's fields does not re-execute data chapters.
BIB_KEYS_INPUT = "references.bib#keys"
# Likewise the author-year labels that figures print: authors and years, not titles or pages.
BIB_LABELS_INPUT = "references.bib#labels"


class _Recorder:
    """The audit hook's state; one per kernel process."""
    log_path: str | None = None
    root: Path = paths.ROOT
    seen: set[str] = set()
    paused = 0


def note_read(name: str) -> None:
    """Record an input by name (a book-relative path, or a BIB_*_INPUT pseudo-file)."""
    if _Recorder.log_path is None or name in _Recorder.seen:
        return
    _Recorder.seen.add(name)
    _Recorder.paused += 1  # writing the log opens a file: the hook must not see that
    try:
        with open(_Recorder.log_path, "a", encoding="utf-8") as log:
            log.write(name + "\n")
    finally:
        _Recorder.paused -= 1


class reads_not_recorded:
    """A block whose file reads are not chapter inputs (e.g. reading the bib for its keys)."""

    def __enter__(self):
        _Recorder.paused += 1

    def __exit__(self, *exc):
        _Recorder.paused -= 1


def _hook(event: str, args: tuple) -> None:
    if event != "open" or _Recorder.paused:
        return
    _Recorder.paused += 1
    try:
        relative = _book_relative(args[0], _Recorder.root)
    finally:
        _Recorder.paused -= 1
    if relative:
        note_read(relative)


def record_reads(log_path: str | None = None, root: Path = paths.ROOT) -> None:
    """In a kernel run by the build: append each book file opened to the log, once."""
    log_path = log_path or os.environ.get(READS_LOG_ENV)
    if not log_path or _Recorder.log_path is not None:
        return
    _Recorder.log_path, _Recorder.root = log_path, Path(root).resolve()
    sys.addaudithook(_hook)


def input_digest(root: Path, name: str) -> str | None:
    """The digest of one recorded input, as the manifest stores it."""
    if name == BIB_KEYS_INPUT:
        from reviewkit.evidence.data import bib_keys
        from reviewkit.textfiles import InputError

        try:
            keys = sorted(bib_keys(Path(root) / "references.bib"))
        except InputError:
            return None
        return hashlib.sha256("\n".join(keys).encode()).hexdigest()
    if name == BIB_LABELS_INPUT:
        from reviewkit.bibliography.bibstyle import citation_labels

        try:
            labels = citation_labels(Path(root) / "references.bib")
        except (OSError, ValueError):
            return None
        return hashlib.sha256(repr(sorted(labels.items())).encode()).hexdigest()
    return file_digest(Path(root) / name)


def read_log(log_path: Path) -> list[str]:
    try:
        return sorted(set(Path(log_path).read_text(encoding="utf-8").split()))
    except OSError:
        return []


class Manifest:
    """Per notebook (keyed by its source path): what its last execution read, with digests."""

    def __init__(self, cache_path: Path, root: Path):
        self.path = Path(cache_path) / MANIFEST_NAME
        self.root = Path(root)
        try:
            self.entries: dict[str, dict] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}

    def record(self, source: str, files: list[str]) -> None:
        self.entries[source] = {
            "package": package_digest(self.root),
            "files": {name: input_digest(self.root, name) for name in files},
        }

    def changed_inputs(self, source: str, package: str) -> list[str] | None:
        """What changed since the notebook last executed ([] if nothing); None if unknown."""
        entry = self.entries.get(source)
        if entry is None:
            return None
        changed = [name for name, digest in entry["files"].items()
                   if input_digest(self.root, name) != digest]
        return changed + (["reviewkit/"] if entry["package"] != package else [])

    def forget(self, source: str) -> None:
        self.entries.pop(source, None)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.entries, indent=1, sort_keys=True) + "\n",
                             encoding="utf-8")
