"""Deciding what a run renders: changed reports (inputs fingerprinted, data checksummed) and
the briefs of new incidents."""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sitrep_analysis.render import (
    RenderError,
    check_parameters,
    data_checksum,
    data_dir_used,
    notebook_parameters,
)
from sitrep_analysis.schedule.config import (
    PREVIOUS_IDS_PARAMETER,
    BriefsSpec,
    Config,
    ReportSpec,
)
from sitrep_analysis.schedule.outcomes import Outcome, error_text
from sitrep_analysis.schedule.state import IDS_FOLDER, canonical


@dataclass
class Job:
    spec: ReportSpec
    html: Path
    values: dict[str, object]
    record: dict[str, object]  # what the state keeps after a success
    data_dir: Path


def report_inputs(spec: ReportSpec, config: Config, code: str) -> dict[str, str]:
    """Everything but the data that decides what a render makes: the notebook file, the
    parameters and data folder the config sets, ``$SITREP_DATA_DIR``, the package version,
    its code and the title. Equal inputs give the same checked parameters and data folder."""
    from sitrep_analysis import __version__

    return {
        "notebook": hashlib.sha256(spec.notebook.read_bytes()).hexdigest(),
        "parameters": canonical(spec.parameters),
        "config_data_dir": str(config.data_dir or ""),
        "env_data_dir": os.environ.get("SITREP_DATA_DIR", ""),
        "version": __version__,
        "code": code,
        "title": spec.title,
    }


def checksum(data_dir: Path | str, checksums: dict[Path, str | None]) -> str | None:
    folder = Path(data_dir)
    if folder not in checksums:
        try:
            checksums[folder] = data_checksum(folder)
        except OSError:
            checksums[folder] = None
    return checksums[folder]


def plan_report(spec: ReportSpec, config: Config, state: Mapping[str, dict], force: bool,
          checksums: dict[Path, str | None], code: str) -> Job | Outcome:
    """A job to run, or the outcome already known (unchanged, or failed before running).

    A report is unchanged when its inputs (:func:`report_inputs`) equal those of its last successful
    render, the data folder that render read has the same checksum, and its HTML exists; this
    needs no Papermill (whose import alone takes about 1.5 s).
    """
    html_path = config.output_dir / f"{spec.name}.html"
    previous = state.get(spec.name, {})
    try:
        if not spec.notebook.is_file():
            raise RenderError(f"notebook not found: {spec.notebook}")
        inputs = report_inputs(spec, config, code)
        if (not force and html_path.is_file() and previous.get("inputs") == inputs
                and previous.get("data_dir") and previous.get("data") is not None
                and checksum(previous["data_dir"], checksums) == previous["data"]):
            return Outcome(spec, "unchanged", html_path, previous.get("rendered_at"))
        declared = notebook_parameters(spec.notebook)
        given = dict(spec.parameters)
        if config.data_dir is not None and "data_dir" in declared and "data_dir" not in given:
            given["data_dir"] = str(config.data_dir)
        values = check_parameters(spec.notebook, given, declared)
    except Exception as error:  # an unreadable notebook fails its report, not the run
        return Outcome(spec, "failed", html_path, previous.get("rendered_at")
                       if html_path.exists() else None, error=error_text(error))
    data_dir = data_dir_used(spec.notebook, declared, values)
    record: dict[str, object] = {"inputs": inputs, "data_dir": str(data_dir),
                                 "data": checksum(data_dir, checksums)}
    if PREVIOUS_IDS_PARAMETER in declared:
        ids_file = config.output_dir / IDS_FOLDER / f"{spec.name}.json"
        values[PREVIOUS_IDS_PARAMETER] = str(ids_file) if ids_file.is_file() else None
    return Job(spec, html_path, values, record, data_dir)


def plan_briefs(config: Config, spec: BriefsSpec, brief_state: dict | None
                 ) -> tuple[list[Job], dict]:
    """The brief renders of this run (see :mod:`sitrep_analysis.brief.schedule`), and the
    brief state to keep: on a first run, every incident not chosen counts as seen, so it never
    gets a brief later. Raises what reading the data folder raises."""
    from sitrep_analysis.brief.report import brief_filename
    from sitrep_analysis.brief.schedule import incidents_to_brief, read_incident_stubs

    declared = notebook_parameters(spec.notebook)
    given = {"incident_id": ""}
    if config.data_dir is not None:
        given["data_dir"] = str(config.data_dir)
    data_dir = data_dir_used(spec.notebook, declared, check_parameters(spec.notebook, given,
                                                                       declared))
    stubs = read_incident_stubs(data_dir)
    chosen = incidents_to_brief(stubs, None if brief_state is None else brief_state["seen"],
                                spec.first_run_days)
    state = brief_state or {"seen": [], "written": {}}
    if brief_state is None:
        picked = {stub.incident_id for stub in chosen}
        state["seen"] = sorted(stub.incident_id for stub in stubs
                               if stub.incident_id not in picked)
    jobs = []
    for stub in chosen:
        values: dict[str, object] = {"incident_id": stub.incident_id}
        if "data_dir" in declared:
            values["data_dir"] = str(data_dir)
        filename, title = brief_filename(stub.incident_id), stub.title()
        job_spec = ReportSpec(filename.removesuffix(".html"), spec.notebook, title, values)
        record: dict[str, object] = {"file": filename,
                                     "incident_date": stub.incident_date.isoformat(),
                                     "title": title}
        jobs.append(Job(job_spec, spec.folder / filename, values, record, data_dir))
    return jobs, state


def time_limit(spec: ReportSpec, config: Config, override: float | None) -> float | None:
    """The time limit of one render: the command line's, else the report's, else the
    config's; 0 means none."""
    seconds = override if override is not None else (
        spec.timeout if spec.timeout is not None else config.timeout)
    return seconds or None


def incident_ids(data_dir: Path) -> list[str]:
    """The ``incident_id`` column of ``incidents.csv``, read with the csv module: the notebook
    validates the data itself, and loading it with pandas here would cost the scheduler about
    0.6 s of the cores the renders are using."""
    with (Path(data_dir) / "incidents.csv").open(encoding="utf-8-sig", newline="") as handle:
        return sorted(row["incident_id"] for row in csv.DictReader(handle)
                      if row.get("incident_id"))
