"""Where the book's content lives, found from the package itself so that every working
directory (the book build runs chapters in chapters/) sees the same files."""
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
CHAPTERS_DIR = ROOT / "chapters"
BIB_PATH = ROOT / "references.bib"
DATAPACKAGE_PATH = DATA_DIR / "datapackage.json"
URL_PATTERN = re.compile(r"^https?://\S+$")


def display_path(path: Path) -> str:
    """A path as problem messages show it: relative to the book when inside it."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# What a copy of the book needs to build; everything else (venv, builds, caches, VCS) stays
# behind. The guard tests and the benchmark build such copies.
BOOK_PARTS = ["_config.yml", "_toc.yml", "CITATION.cff", "intro.md", "chapters", "data",
              "references.bib", "reviewkit"]


def copy_book(destination: Path, root: Path = ROOT) -> Path:
    destination.mkdir(parents=True, exist_ok=True)
    for part in BOOK_PARTS:
        source = root / part
        if source.is_dir():
            shutil.copytree(source, destination / part,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, destination / part)
    return destination
