"""Paths, CSV and notebook helpers shared by the tests."""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat

FIXTURES = Path(__file__).parent / "fixtures"
VALID_DIR = FIXTURES / "valid"
REPO = Path(__file__).resolve().parent.parent
SHIPPED_DATA = REPO / "data"


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_notebook(path: Path, *sources: str, parameters: str = "fail = 'no'") -> Path:
    """Write a small report notebook to ``path`` and return it: a heading (the file's stem),
    the ``parameters`` cell tagged for Papermill, then one code cell per source."""
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem}"), cell,
                      *(nbformat.v4.new_code_cell(source) for source in sources)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, path)
    return path
