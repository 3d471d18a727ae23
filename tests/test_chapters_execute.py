"""Every chapter executes on its own, outside the book build (nbclient over the MyST notebook)."""
from __future__ import annotations

import jupytext
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from conftest import ROOT, notebook_pages

CELL_TIMEOUT_S = 120


def execute(path):
    notebook = jupytext.read(path, fmt="md:myst")
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as error:
        code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
        failing = next((number for number, cell in enumerate(code_cells, 1)
                        if any(o.get("output_type") == "error" for o in cell.get("outputs", []))),
                       None)
        source = code_cells[failing - 1].source.splitlines()[:3] if failing else []
        label = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
        pytest.fail(f"{label}: code cell {failing} failed:\n"
                    + "\n".join(source) + f"\n{error.ename}: {error.evalue}", pytrace=False)
    return notebook


def test_there_are_chapters_to_execute():
    assert len(notebook_pages()) >= 1


@pytest.mark.parametrize("path", notebook_pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_chapter_executes(path):
    notebook = execute(path)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    # A page without code (the reference list) is still a notebook, so that Binder can open it.
    assert all(cell.get("execution_count") for cell in code_cells)


def test_failure_names_chapter_and_cell(tmp_path):
    broken = tmp_path / "broken.md"
    broken.write_text(
        "---\njupytext:\n  text_representation:\n    format_name: myst\nkernelspec:\n"
        "  name: python3\n  display_name: Python 3\n---\n\n# Broken\n\n"
        "```{code-cell} ipython3\nx = 1\n```\n\n```{code-cell} ipython3\nraise ValueError('planted')\n```\n",
        encoding="utf-8")
    with pytest.raises(pytest.fail.Exception) as failure:
        execute(broken)
    message = str(failure.value)
    assert "broken.md" in message and "code cell 2" in message and "planted" in message

