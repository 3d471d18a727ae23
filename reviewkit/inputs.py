"""The inputs a chapter's outputs depend on besides its own code: data/, references.bib and the
reviewkit package. jupyter-cache hashes only code cells, so the build invalidates on these."""
from __future__ import annotations

import hashlib
from pathlib import Path

from reviewkit import paths

CACHE_STAMP_NAME = "reviewkit-inputs.sha256"


def input_files(root: Path = paths.ROOT) -> list[Path]:
    root = Path(root)
    files = [p for p in (root / "data").rglob("*") if p.is_file()]
    files += list((root / "reviewkit").rglob("*.py"))
    bib = root / "references.bib"
    if bib.exists():
        files.append(bib)
    return sorted(p for p in files if "__pycache__" not in p.parts)


def inputs_digest(root: Path = paths.ROOT) -> str:
    digest = hashlib.sha256()
    for path in input_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
