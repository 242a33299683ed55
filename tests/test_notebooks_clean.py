"""Committed notebooks are thin and carry no outputs."""

from __future__ import annotations

import json

import pytest

from tests.helpers import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_clean_and_thin(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") for c in code), "outputs are committed"
    assert all(c.get("execution_count") is None for c in code), "execution counts committed"
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell is tagged `parameters`"
    sources = ["".join(c["source"]) for c in code]
    definitions = [line for text in sources for line in text.splitlines()
                   if line.lstrip().startswith(("def ", "class ", "lambda"))]
    assert not definitions, "logic belongs in the package"
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
