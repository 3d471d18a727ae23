"""Where the book's content lives, found from the package itself so that every working
directory (the book build runs chapters in chapters/) sees the same files."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
CHAPTERS_DIR = ROOT / "chapters"
BIB_PATH = ROOT / "references.bib"
DATAPACKAGE_PATH = DATA_DIR / "datapackage.json"
