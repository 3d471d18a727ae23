"""Reading and writing the book's text inputs with one kind of error.

Every input (CSV, JSON, YAML, BibTeX) is read through here, so that a problem a person can fix
is reported as ``file:line: message`` with the physical line an editor shows, never as a
traceback; and every command that rewrites a file does it atomically, keeping its permissions.
"""
from __future__ import annotations

import csv
import io
import json
import os
import stat
import tempfile
from pathlib import Path

from reviewkit import paths

BOM = "\ufeff"


class InputError(ValueError):
    """One or more problems in the book's inputs; ``problems`` holds ``file:line: message``."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def label(path: Path | str) -> str:
    return paths.display_path(Path(path))


def read_text(path: Path | str) -> str:
    """UTF-8 text, with or without a byte-order mark (as Excel saves CSV); CRLF is kept."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError([f"{label(path)}:1: file does not exist"]) from None
    except IsADirectoryError:
        raise InputError([f"{label(path)}:1: is a folder, not a file"]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError([
            f"{label(path)}:{line}: not UTF-8 text (byte 0x{raw[error.start]:02x}); "
            "save the file as UTF-8"]) from None
    return text[1:] if text.startswith(BOM) else text


def line_of(text: str, needle: str, default: int = 1) -> int:
    """The physical line on which ``needle`` first stands in ``text`` (for structural problems)."""
    index = text.find(needle)
    return default if index < 0 else text.count("\n", 0, index) + 1


def read_json(path: Path | str) -> tuple[object, str]:
    """The parsed JSON and its text (for locating structural problems by line)."""
    text = read_text(path)
    try:
        return json.loads(text), text
    except json.JSONDecodeError as error:
        raise InputError([f"{label(path)}:{error.lineno}: invalid JSON: {error.msg}"]) from None


def read_yaml(path: Path | str) -> tuple[object, str]:
    import yaml

    text = read_text(path)
    try:
        return yaml.safe_load(text), text
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark else 1
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise InputError([f"{label(path)}:{line}: invalid YAML: {reason}"]) from None


def read_csv(path: Path | str) -> tuple[list[str], list[tuple[int, dict[str, str | None]]]]:
    """Header and records of a CSV; each record with the physical line it starts on.

    A record whose cell count differs from the header is kept with ``None`` for missing cells
    and the key ``None`` for surplus ones, so the validator can say which line is short.
    """
    path = Path(path)
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    records = []
    previous_end = 0
    try:
        for cells in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not cells:
                continue
            if header is None:
                header = cells
                continue
            record: dict[str, str | None] = dict(zip(header, cells))
            for name in header[len(cells):]:
                record[name] = None
            if len(cells) > len(header):
                record[None] = cells[len(header):]  # type: ignore[index]
            records.append((start, record))
    except csv.Error as error:
        raise InputError([f"{label(path)}:{reader.line_num}: not valid CSV: {error}"]) from None
    return header or [], records


def write_text_atomic(path: Path | str, text: str) -> None:
    """Replace ``path`` by ``text`` in one step, keeping the file's permission bits."""
    path = Path(path)
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
