"""Shared fixtures: writable copies of the hand-made data directory; the made-up report data
on disk; and every report notebook rendered from it once per session.

Rendering a notebook costs several seconds (kernel start, imports), so the reports the tests
read are rendered once per session, two at a time in worker processes: the first test that
needs one starts them all, in the order the test modules use them, and waits only for its own.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers import REPO, VALID_DIR
from tests.sample_data import INCIDENTS, write_sample_data

NOTEBOOKS = REPO / "notebooks"
REPORT_NOTEBOOK = NOTEBOOKS / "01_attack_tempo.ipynb"
EVENT_STUDY_NOTEBOOK = NOTEBOOKS / "02_event_study.ipynb"
PROFILE_NOTEBOOK = NOTEBOOKS / "03_profile.ipynb"
BRIEF_NOTEBOOK = NOTEBOOKS / "04_situation_report.ipynb"

#: Small parameters: the report test data span December 2019 to March 2020.
SMALL_PARAMETERS = {"start_date": "2019-12-01", "end_date": "2020-03-31"}
#: The attack-tempo report counts every country of the test data (its default is Iraq).
TEMPO_PARAMETERS = {**SMALL_PARAMETERS, "countries": []}

#: The incident ids "seen at the last render" given to the attack-tempo report: every test
#: incident but the last two (2020-01-13 and 2020-03-02 are new), and one id since removed.
PREVIOUS_IDS = [f"{date}-test" for date, _ in INCIDENTS[:-2]] + ["2019-11-30-removed-test"]


@pytest.fixture(scope="session", autouse=True)
def private_table_cache(tmp_path_factory: pytest.TempPathFactory):
    """The validated-table cache of the whole session (kernels and commands started by the
    tests inherit it) lives in a temporary folder, never in the user's cache."""
    import os

    previous = os.environ.get("SITREP_CACHE_DIR")
    os.environ["SITREP_CACHE_DIR"] = str(tmp_path_factory.mktemp("sitrep-cache"))
    yield
    if previous is None:
        os.environ.pop("SITREP_CACHE_DIR", None)
    else:
        os.environ["SITREP_CACHE_DIR"] = previous


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


@dataclass(frozen=True)
class ReportJob:
    """One report the tests render: notebook, parameters, and which test data it reads.
    ``previous_ids``: the ids written to a JSON file passed as previous_incident_ids_path
    (``None``: a first render)."""

    notebook: Path
    parameters: dict[str, object] = field(default_factory=dict)
    previous_ids: list[str] | None = None
    hostile: bool = False


#: Every report the tests read, in the order the test modules first need them.
REPORT_JOBS: dict[str, ReportJob] = {
    "01_attack_tempo": ReportJob(REPORT_NOTEBOOK, TEMPO_PARAMETERS, PREVIOUS_IDS),
    "02_event_study": ReportJob(EVENT_STUDY_NOTEBOOK, {
        "start_date": "2019-12-01", "end_date": "2020-03-31", "window_days": 14}),
    "03_profile_site": ReportJob(PROFILE_NOTEBOOK, {"site_id": "test-base"},
                                 [f"{date}-test" for date, _ in INCIDENTS]),
    "03_profile_actor": ReportJob(PROFILE_NOTEBOOK, {"site_id": "", "actor_id": "test-militia",
                                                     "start_date": "2019-12-01",
                                                     "end_date": "2020-03-31"}),
    "01_attack_tempo_hostile": ReportJob(REPORT_NOTEBOOK, TEMPO_PARAMETERS, PREVIOUS_IDS,
                                         hostile=True),
    # the claimed attack with casualties, a dialogue round and a strike before it
    "04_situation_report": ReportJob(BRIEF_NOTEBOOK, {"incident_id": "2020-01-13-test"}),
}


def _render(notebook: Path, output: Path, parameters: dict[str, object],
            data_dir: Path) -> float:
    """Render one report (in a worker process); return the seconds it took."""
    from sitrep_analysis.render import render_notebook

    started = time.perf_counter()
    render_notebook(notebook, output, parameters, data_dir=data_dir)
    return time.perf_counter() - started


class ReportRenders:
    """The session's rendered reports: all started on first use, two at a time."""

    def __init__(self, folder: Path, data_dirs: dict[bool, Path]) -> None:
        self.folder = folder
        self.data_dirs = data_dirs
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[str, Future] = {}
        self._reports: dict[str, RenderedReport] = {}

    def _start(self) -> None:
        # spawn, not fork: the pytest process may hold threads (Playwright) by then
        self._pool = ProcessPoolExecutor(max_workers=2,
                                         mp_context=multiprocessing.get_context("spawn"))
        for name, job in REPORT_JOBS.items():
            parameters = dict(job.parameters)
            if job.previous_ids is not None:
                ids = self.folder / f"{name}.previous-ids.json"
                ids.write_text(json.dumps(job.previous_ids), encoding="utf-8")
                parameters["previous_incident_ids_path"] = str(ids)
            self._futures[name] = self._pool.submit(
                _render, job.notebook, self.folder / f"{name}.html", parameters,
                self.data_dirs[job.hostile])

    def get(self, name: str) -> RenderedReport:
        if name not in self._reports:
            if self._pool is None:
                self._start()
            seconds = self._futures[name].result()
            path = self.folder / f"{name}.html"
            self._reports[name] = RenderedReport(path, path.read_text(encoding="utf-8"),
                                                 seconds)
        return self._reports[name]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="session")
def hostile_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test data with HTML and Markdown in its text fields (sample_data.HOSTILE_TEXTS)."""
    return write_sample_data(tmp_path_factory.mktemp("hostile_data"), hostile=True)


@pytest.fixture(scope="session")
def report_renders(tmp_path_factory: pytest.TempPathFactory, sample_data_dir: Path,
                   hostile_data_dir: Path):
    """Every report of :data:`REPORT_JOBS`, rendered on the test data once per session."""
    renders = ReportRenders(tmp_path_factory.mktemp("reports"),
                            {False: sample_data_dir, True: hostile_data_dir})
    yield renders
    renders.close()


@pytest.fixture(scope="session")
def rendered_report(report_renders: ReportRenders) -> RenderedReport:
    """notebooks/01_attack_tempo.ipynb rendered on the test data (once per test session)."""
    return report_renders.get("01_attack_tempo")
