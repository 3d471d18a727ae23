"""Where the book's content lives, found from the package itself so that every working
directory (the book build runs chapters in chapters/) sees the same files."""
import re
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
