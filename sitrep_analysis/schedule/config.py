"""The schedule's config: ``reports.toml`` read and checked, every problem named at once."""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sitrep_analysis.render import (
    DEFAULT_TIMEOUT_SECONDS,
)

DEFAULT_CONFIG = "reports.toml"


PREVIOUS_IDS_PARAMETER = "previous_incident_ids_path"


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


_TOP_KEYS = ("output_dir", "data_dir", "timeout", "reports", "briefs")


_BRIEF_KEYS = ("enabled", "first_run_days", "folder")


_REPORT_KEYS = ("name", "notebook", "title", "timeout", "parameters")


class ConfigError(ValueError):
    """The config cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class ReportSpec:
    """One report of the config."""

    name: str
    notebook: Path
    title: str
    parameters: dict[str, object] = field(default_factory=dict)
    #: Seconds this report may take (None: the config's ``timeout``).
    timeout: float | None = None


@dataclass(frozen=True)
class BriefsSpec:
    """The ``[briefs]`` table: where scheduled briefs go and how far a first run looks back."""

    folder: Path
    first_run_days: int
    notebook: Path


@dataclass(frozen=True)
class Config:
    path: Path
    output_dir: Path
    data_dir: Path | None
    reports: tuple[ReportSpec, ...]
    briefs: BriefsSpec | None = None
    #: Seconds each report (and brief) may take, unless it sets its own; 0: no limit.
    timeout: float = DEFAULT_TIMEOUT_SECONDS


def _unknown_keys(where: str, table: Mapping[str, object], known: tuple[str, ...]) -> list[str]:
    problems = []
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(f"{where}: unknown key {key!r}{hint} (known: {', '.join(known)})")
    return problems


def _path(base: Path, value: object) -> Path:
    return (base / Path(str(value)).expanduser()).resolve()


def load_config(path: str | os.PathLike = DEFAULT_CONFIG) -> Config:
    """Read and check a schedule config (see the module docstring for the format).

    Raises :class:`ConfigError` listing every problem: unreadable TOML, unknown keys (with the
    close match), a report without ``name`` or ``notebook``, a name that is not a plain file
    stem or is used twice, a ``data_dir`` that is not a folder, a parameter the scheduler sets
    itself. Notebooks and parameter values are checked per report when the schedule runs.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: not a readable TOML file: {error}") from None
    base = path.resolve().parent
    problems = _unknown_keys(str(path), raw, _TOP_KEYS)
    output_dir = _path(base, raw.get("output_dir", "reports"))
    data_dir = _path(base, raw["data_dir"]) if raw.get("data_dir") else None
    if data_dir is not None and not data_dir.is_dir():
        problems.append(f"{path}: data_dir {raw['data_dir']!r} is not a folder ({data_dir})")
    entries = raw.get("reports", [])
    if not isinstance(entries, list) or not entries:
        problems.append(f"{path}: no reports; list them as [[reports]] tables")
        entries = []
    reports, seen = [], set()
    for number, entry in enumerate(entries, start=1):
        where = f"{path}, report {number}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: not a table")
            continue
        name = entry.get("name")
        where = f"{path}, report {name!r}" if isinstance(name, str) else where
        problems += _unknown_keys(where, entry, _REPORT_KEYS)
        if not isinstance(name, str) or not _NAME.fullmatch(name) or name == "index":
            problems.append(f"{where}: name must be a file stem of letters, digits, '.', '_' "
                            "and '-' (not 'index')")
        elif name in seen:
            problems.append(f"{where}: the name is used twice")
        seen.add(name)
        notebook = entry.get("notebook")
        if not isinstance(notebook, str) or not notebook:
            problems.append(f"{where}: notebook (a path) is missing")
            continue
        title = entry.get("title", name)
        if not isinstance(title, str):
            problems.append(f"{where}: title must be a string")
        parameters = entry.get("parameters", {})
        if not isinstance(parameters, dict):
            problems.append(f"{where}: parameters must be a table")
            parameters = {}
        if PREVIOUS_IDS_PARAMETER in parameters:
            problems.append(f"{where}: {PREVIOUS_IDS_PARAMETER} is set by the scheduler")
        parameters = {key: str(_path(base, value)) if key.endswith(("_dir", "_path"))
                      and isinstance(value, str) and value else value
                      for key, value in parameters.items()}
        timeout = entry.get("timeout")
        if timeout is not None and not _is_seconds(timeout):
            problems.append(f"{where}: timeout must be a number of seconds, 0 or more")
            timeout = None
        reports.append(ReportSpec(str(name), _path(base, notebook), str(title), parameters,
                                  timeout))
    briefs, brief_problems = _briefs_spec(path, raw.get("briefs"), output_dir)
    problems += brief_problems
    timeout = raw.get("timeout", DEFAULT_TIMEOUT_SECONDS)
    if not _is_seconds(timeout):
        problems.append(f"{path}: timeout must be a number of seconds, 0 or more (0: no limit)")
    if problems:
        raise ConfigError("\n".join(problems))
    return Config(path.resolve(), output_dir, data_dir, tuple(reports), briefs, float(timeout))


def _is_seconds(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _briefs_spec(path: Path, table: object, output_dir: Path) -> tuple[BriefsSpec | None,
                                                                        list[str]]:
    """The ``[briefs]`` table checked: None when absent or ``enabled = false``."""
    from sitrep_analysis.brief.report import BRIEF_NOTEBOOK
    from sitrep_analysis.brief.schedule import FIRST_RUN_DAYS

    if table is None:
        return None, []
    where = f"{path}, [briefs]"
    if not isinstance(table, dict):
        return None, [f"{where}: must be a table"]
    problems = _unknown_keys(where, table, _BRIEF_KEYS)
    enabled = table.get("enabled", True)
    days = table.get("first_run_days", FIRST_RUN_DAYS)
    folder = table.get("folder", "briefs")
    if not isinstance(enabled, bool):
        problems.append(f"{where}: enabled must be true or false")
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        problems.append(f"{where}: first_run_days must be a whole number of days, 0 or more")
    if not isinstance(folder, str) or not _NAME.fullmatch(folder):
        problems.append(f"{where}: folder must be a plain folder name inside output_dir")
    if problems or not enabled:
        return None, problems
    return BriefsSpec(output_dir / folder, days, BRIEF_NOTEBOOK), []
