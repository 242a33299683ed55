"""Shared fixtures: writable copies of the hand-made data directory; the made-up report data
on disk and the report rendered from it once per session."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import REPO, VALID_DIR
from tests.sample_data import write_sample_data

REPORT_NOTEBOOK = REPO / "notebooks" / "01_attack_tempo.ipynb"

#: Small parameters: the report test data span December 2019 to March 2020.
SMALL_PARAMETERS = {"start_date": "2019-12-01", "end_date": "2020-03-31"}


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the valid fixture directory."""
    target = tmp_path / "data"
    shutil.copytree(VALID_DIR, target)
    return target


@dataclass(frozen=True)
class RenderedReport:
    path: Path
    html: str
    seconds: float


@pytest.fixture(scope="session")
def sample_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-countable report test data (tests/sample_data.py) as a data directory."""
    return write_sample_data(tmp_path_factory.mktemp("sample_data"))


@pytest.fixture(scope="session")
def rendered_report(tmp_path_factory: pytest.TempPathFactory,
                    sample_data_dir: Path) -> RenderedReport:
    """notebooks/01_attack_tempo.ipynb rendered on the test data (once per test session)."""
    from sitrep_analysis.render import render_notebook

    output = tmp_path_factory.mktemp("report") / "01_attack_tempo.html"
    started = time.perf_counter()
    render_notebook(REPORT_NOTEBOOK, output, SMALL_PARAMETERS, data_dir=sample_data_dir)
    seconds = time.perf_counter() - started
    return RenderedReport(output, output.read_text(encoding="utf-8"), seconds)
