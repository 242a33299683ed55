"""Many reports: a TOML config, change detection, parallel renders and an index page.

``sitrep schedule [CONFIG]`` (and ``make report``) renders every report a config lists into
its output folder, then writes ``index.html`` there. Made for cron: one line per report and a
total on stdout, each failure's full message on stderr, exit status 1 when any report failed.

The config (``reports.toml`` at the top of the repository is the standard set)::

    output_dir = "reports"        # default "reports"
    data_dir = "data"             # optional; default: the loaders' default (data/)
    timeout = 600                 # seconds per report (default 600; 0: none)

    [[reports]]
    name = "01_attack_tempo"      # the output file stem: reports/01_attack_tempo.html
    notebook = "notebooks/01_attack_tempo.ipynb"
    title = "Attack tempo against political events"     # default: the name
    timeout = 900                 # optional: this report's own limit

    [reports.parameters]          # optional; values as TOML types or as strings
    start_date = "2020-01-01"

    [briefs]                      # optional: a situation report per new incident
    first_run_days = 30           # default 30; see below
    folder = "briefs"             # default "briefs", inside output_dir

With ``[briefs]`` (``enabled = false`` turns it off), each run also renders the brief
(``notebooks/04_situation_report.ipynb``, as ``sitrep brief`` does) of every incident that is
new since the last run, and only those, into ``output_dir/briefs/brief_<id>.html``; a first
run, with no earlier state, renders only the incidents of the ``first_run_days`` days up to the
newest one (:mod:`sitrep_analysis.brief.schedule`). A brief that fails is tried again by the
next run. The index lists the briefs, newest incident first.

Relative paths (``output_dir``, ``data_dir``, ``notebook`` and parameters named ``*_dir`` or
``*_path``) are relative to the config file's folder, so the command works from anywhere.
``data_dir`` goes to every notebook that declares a ``data_dir`` parameter, unless the report
sets its own. Parameters are checked as for ``sitrep render`` (:mod:`sitrep_analysis.render`);
a report whose parameters do not fit fails without running, the others still render.

What is kept in the output folder
---------------------------------
- ``<name>.html``: replaced atomically, and only by a successful render;
- ``<name>.failed.ipynb``: the executed notebook of a failed render (Papermill's error banner
  at the top), removed by the next success;
- ``index.html``: every report with its title, parameters, render time and status;
- ``.sitrep-state.json``: per report, what its last successful render was made from (a
  SHA-256 of the notebook file, the parameters and data folder the config sets,
  ``$SITREP_DATA_DIR``, the package version, a SHA-256 of the package's code and templates,
  the title, and the data folder read with its :func:`~sitrep_analysis.render.data_checksum`).
  A report whose inputs all match and whose HTML still exists is skipped (``unchanged``)
  without starting anything; ``--force`` renders everything;
- ``.sitrep-incident-ids/<name>.json``: a JSON list of the ``incident_id`` values (sorted
  strings) in the data of the report's last successful render. A notebook that declares the
  parameter ``previous_incident_ids_path`` receives the absolute path of that file (``None``
  before the first successful render), so it can show the incidents new since then;
- ``.sitrep-state.json`` also holds, under ``briefs``, the incident ids earlier runs
  accounted for and the briefs written (file, incident date, title, render time);
- ``.sitrep-lock``: held while a run is going, so two runs never write the same folder.
  Workers close their inherited copy of it, and Linux sends them SIGTERM when the scheduler
  dies (``PR_SET_PDEATHSIG``), so a killed run leaves neither the lock nor a worker or kernel
  behind. SIGTERM to the scheduler stops the workers (each removes its render's temporary
  folder and kernel), writes the index saying which reports did not finish, and exits 1.

Renders run in a process pool, one per core (at most one per report); each worker process
keeps one nbconvert exporter. Workers are forked on Linux when the scheduler runs no other
thread (they inherit the imported Papermill), and spawned otherwise.

The state holds a fingerprint of the package's code besides its version because the version
string does not change between commits: a report made by older analysis code must not pass
for current.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import difflib
import hashlib
import html
import json
import multiprocessing
import multiprocessing.context
import os
import re
import signal
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from sitrep_analysis.render import (
    DEFAULT_TIMEOUT_SECONDS,
    ParameterError,
    RenderError,
    check_parameters,
    data_checksum,
    data_dir_used,
    failed_notebook_path,
    notebook_parameters,
    render_report,
    write_atomically,
)

__all__ = [
    "PREVIOUS_IDS_PARAMETER",
    "Config",
    "ConfigError",
    "Outcome",
    "ReportSpec",
    "ScheduleError",
    "ScheduleResult",
    "code_fingerprint",
    "index_html",
    "load_config",
    "run_schedule",
]

DEFAULT_CONFIG = "reports.toml"
STATE_FILE = ".sitrep-state.json"
IDS_FOLDER = ".sitrep-incident-ids"
LOCK_FILE = ".sitrep-lock"
INDEX_FILE = "index.html"
#: The notebook parameter through which a report gets the ids of its last successful render.
PREVIOUS_IDS_PARAMETER = "previous_incident_ids_path"
STATE_FORMAT = 1
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_TOP_KEYS = ("output_dir", "data_dir", "timeout", "reports", "briefs")
_BRIEF_KEYS = ("enabled", "first_run_days", "folder")
_REPORT_KEYS = ("name", "notebook", "title", "timeout", "parameters")
PACKAGE_DIR = Path(__file__).resolve().parent


class ConfigError(ValueError):
    """The config cannot be used; the message names the file and the problem."""


class ScheduleError(RuntimeError):
    """The run could not start (another run holds the output folder)."""


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


# --- the config -------------------------------------------------------------------------------

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


# --- change detection -------------------------------------------------------------------------

def code_fingerprint(package_dir: Path = PACKAGE_DIR) -> str:
    """SHA-256 over the package's source, templates and assets (names and bytes)."""
    total = hashlib.sha256()
    files = [p for p in package_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts
             and p.suffix not in (".pyc", ".pyo")]
    for path in sorted(files, key=lambda p: p.relative_to(package_dir).as_posix()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        total.update(f"{digest}  {path.relative_to(package_dir).as_posix()}\n".encode())
    return total.hexdigest()


def _canonical(values: Mapping[str, object]) -> str:
    return json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)


def _load_state(path: Path, warn: Callable[[str], None]) -> dict[str, dict]:
    if not path.exists():
        return {}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if state.get("format") != STATE_FORMAT or not isinstance(state.get("reports"), dict):
            raise ValueError("unknown format")
        return state["reports"]
    except (OSError, ValueError, AttributeError) as error:
        warn(f"warning: ignoring unreadable {path} ({error}); every report is rendered")
        return {}


def _load_brief_state(path: Path) -> dict | None:
    """The ``briefs`` part of the state: ``{"seen": [...], "written": {id: {...}}}``, or None
    when no run has written briefs into this folder (or the state is unreadable)."""
    try:
        briefs = json.loads(path.read_text(encoding="utf-8")).get("briefs")
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(briefs, dict) or not isinstance(briefs.get("seen"), list) \
            or not isinstance(briefs.get("written"), dict):
        return None
    return briefs


def _save_state(path: Path, reports: Mapping[str, dict], briefs: dict | None = None) -> None:
    if briefs is None:
        briefs = _load_brief_state(path)  # a run without [briefs] keeps what earlier ones wrote
    content: dict[str, object] = {"format": STATE_FORMAT, "reports": reports}
    if briefs is not None:
        content["briefs"] = briefs
    text = json.dumps(content, indent=2, sort_keys=True, ensure_ascii=False,
                      default=str)  # str: TOML dates
    write_atomically(path, text + "\n")


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[int | None]:
    """Hold ``folder/.sitrep-lock`` for the run (POSIX ``flock``; a no-op elsewhere); yields
    the lock's file descriptor, which forked workers close (:func:`_worker_start`) so that the
    lock is released the moment this process ends, whatever its workers do."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        yield None
        return
    with open(folder / LOCK_FILE, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ScheduleError(f"another `sitrep schedule` is writing to {folder} (it holds "
                                f"{folder / LOCK_FILE}); this run stopped") from None
        try:
            yield handle.fileno()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- one run ----------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What happened to one report in a run: ``rendered``, ``unchanged`` or ``failed``."""

    spec: ReportSpec
    status: str
    html: Path
    rendered_at: str | None = None  # of the HTML on disk, if any
    seconds: float = 0.0
    error: str | None = None
    failed_notebook: Path | None = None

    @property
    def summary(self) -> str:
        """The error's first line, or the status."""
        return self.error.splitlines()[0] if self.error else self.status


@dataclass
class ScheduleResult:
    outcomes: list[Outcome]
    index: Path
    seconds: float

    @property
    def ok(self) -> bool:
        return all(outcome.status != "failed" for outcome in self.outcomes)

    def count(self, status: str) -> int:
        return sum(outcome.status == status for outcome in self.outcomes)


@dataclass
class _Job:
    spec: ReportSpec
    html: Path
    values: dict[str, object]
    record: dict[str, object]  # what the state keeps after a success
    data_dir: Path


def _error_text(error: Exception) -> str:
    if isinstance(error, ParameterError):
        return "parameters: " + "; ".join(error.problems) + "\n" + str(error)
    return str(error) or type(error).__name__


def _inputs(spec: ReportSpec, config: Config, code: str) -> dict[str, str]:
    """Everything but the data that decides what a render makes: the notebook file, the
    parameters and data folder the config sets, ``$SITREP_DATA_DIR``, the package version,
    its code and the title. Equal inputs give the same checked parameters and data folder."""
    from sitrep_analysis import __version__

    return {
        "notebook": hashlib.sha256(spec.notebook.read_bytes()).hexdigest(),
        "parameters": _canonical(spec.parameters),
        "config_data_dir": str(config.data_dir or ""),
        "env_data_dir": os.environ.get("SITREP_DATA_DIR", ""),
        "version": __version__,
        "code": code,
        "title": spec.title,
    }


def _checksum(data_dir: Path | str, checksums: dict[Path, str | None]) -> str | None:
    folder = Path(data_dir)
    if folder not in checksums:
        try:
            checksums[folder] = data_checksum(folder)
        except OSError:
            checksums[folder] = None
    return checksums[folder]


def _plan(spec: ReportSpec, config: Config, state: Mapping[str, dict], force: bool,
          checksums: dict[Path, str | None], code: str) -> _Job | Outcome:
    """A job to run, or the outcome already known (unchanged, or failed before running).

    A report is unchanged when its inputs (:func:`_inputs`) equal those of its last successful
    render, the data folder that render read has the same checksum, and its HTML exists; this
    needs no Papermill (whose import alone takes about 1.5 s).
    """
    html_path = config.output_dir / f"{spec.name}.html"
    previous = state.get(spec.name, {})
    try:
        if not spec.notebook.is_file():
            raise RenderError(f"notebook not found: {spec.notebook}")
        inputs = _inputs(spec, config, code)
        if (not force and html_path.is_file() and previous.get("inputs") == inputs
                and previous.get("data_dir") and previous.get("data") is not None
                and _checksum(previous["data_dir"], checksums) == previous["data"]):
            return Outcome(spec, "unchanged", html_path, previous.get("rendered_at"))
        declared = notebook_parameters(spec.notebook)
        given = dict(spec.parameters)
        if config.data_dir is not None and "data_dir" in declared and "data_dir" not in given:
            given["data_dir"] = str(config.data_dir)
        values = check_parameters(spec.notebook, given, declared)
    except Exception as error:  # an unreadable notebook fails its report, not the run
        return Outcome(spec, "failed", html_path, previous.get("rendered_at")
                       if html_path.exists() else None, error=_error_text(error))
    data_dir = data_dir_used(spec.notebook, declared, values)
    record = {"inputs": inputs, "data_dir": str(data_dir), "data": _checksum(data_dir, checksums)}
    if PREVIOUS_IDS_PARAMETER in declared:
        ids_file = config.output_dir / IDS_FOLDER / f"{spec.name}.json"
        values[PREVIOUS_IDS_PARAMETER] = str(ids_file) if ids_file.is_file() else None
    return _Job(spec, html_path, values, record, data_dir)


class _Stopped(BaseException):
    """Raised in a worker by SIGTERM during a render, so the render's cleanup runs (its
    temporary folder, its kernel) before the worker exits."""


_IN_RENDER = False


class _SchedulerStopped(BaseException):
    """SIGTERM reached the scheduler: stop the workers, write the index, report."""


@contextlib.contextmanager
def _sigterm_stops() -> Iterator[None]:
    """While the run goes on, SIGTERM raises :class:`_SchedulerStopped` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise _SchedulerStopped

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop_workers_on_sigterm(kind, error, traceback) -> bool:
    """On the way out of a stopped run, SIGTERM every worker (each cleans up its render and
    its kernel, then exits), so the pool does not wait for renders nobody will read."""
    if kind is not None and issubclass(kind, _SchedulerStopped):
        for child in multiprocessing.active_children():
            child.terminate()
    return False


def _worker_start(parent_pid: int, inherited_lock_fd: int | None) -> None:
    """Pool initializer: close the forked copy of the lock (the lock must not outlive the
    scheduler), ask Linux to send SIGTERM when the scheduler dies (even by SIGKILL), and make
    SIGTERM stop a render cleanly."""
    if inherited_lock_fd is not None:
        with contextlib.suppress(OSError):
            os.close(inherited_lock_fd)
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != parent_pid:  # the scheduler died before the request took effect
        os._exit(1)
    signal.signal(signal.SIGTERM, _worker_sigterm)


def _worker_sigterm(signum: int, frame: object) -> None:
    if _IN_RENDER:
        raise _Stopped
    _kill_children()
    os._exit(128 + signum)


def _kill_children() -> None:
    """SIGKILL this process's children (a render's kernel), Linux only: a stopped worker leaves
    no kernel behind."""
    children = Path(f"/proc/{os.getpid()}/task")
    if not children.is_dir():
        return
    for task in children.iterdir():
        with contextlib.suppress(OSError, ValueError):
            for pid in (task / "children").read_text().split():
                with contextlib.suppress(OSError):
                    os.killpg(int(pid), signal.SIGKILL)  # kernels lead their own group
                with contextlib.suppress(OSError):
                    os.kill(int(pid), signal.SIGKILL)


def _render_job(notebook: Path, html_path: Path, values: dict[str, object],
                title: str, timeout: float | None = None) -> dict[str, object]:
    """Run in a worker process: render one report; a plain dict back (errors included)."""
    global _IN_RENDER
    started = time.perf_counter()
    _IN_RENDER = True
    try:
        rendered = render_report(notebook, html_path, values, title=title, timeout=timeout)
    except _Stopped:
        _kill_children()
        os._exit(128 + signal.SIGTERM)
    except RenderError as error:
        return {"ok": False, "error": _error_text(error), "seconds": time.perf_counter() - started,
                "failed_notebook": str(error.failed_notebook) if error.failed_notebook else None}
    except Exception as error:  # a bug must fail one report, not the batch
        return {"ok": False, "error": f"{type(error).__name__}: {error}",
                "seconds": time.perf_counter() - started, "failed_notebook": None}
    finally:
        _IN_RENDER = False
    return {"ok": True, "rendered_at": rendered.provenance["rendered_at"],
            "seconds": time.perf_counter() - started}


def _plan_briefs(config: Config, spec: BriefsSpec, brief_state: dict | None
                 ) -> tuple[list[_Job], dict]:
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
        values = {"incident_id": stub.incident_id}
        if "data_dir" in declared:
            values["data_dir"] = str(data_dir)
        name = brief_filename(stub.incident_id).removesuffix(".html")
        job_spec = ReportSpec(name, spec.notebook, stub.title(), values)
        record = {"file": brief_filename(stub.incident_id),
                  "incident_date": stub.incident_date.isoformat(), "title": stub.title()}
        jobs.append(_Job(job_spec, spec.folder / record["file"], values, record, data_dir))
    return jobs, state


def _collect_brief(job: _Job, future: Future, brief_state: dict) -> Outcome:
    """The outcome of a brief's render; on success it is recorded as seen and written."""
    try:
        answer = future.result()
    except Exception as error:  # the worker died
        answer = {"ok": False, "error": f"the render process failed: {type(error).__name__}: "
                  f"{error}", "seconds": 0.0, "failed_notebook": None}
    incident_id = str(job.values["incident_id"])
    if not answer["ok"]:
        kept = answer.get("failed_notebook")
        return Outcome(job.spec, "failed", job.html, None, answer["seconds"],
                       str(answer["error"]), Path(kept) if kept else None)
    brief_state["seen"] = sorted({*brief_state["seen"], incident_id})
    brief_state["written"][incident_id] = {**job.record,
                                           "rendered_at": answer["rendered_at"]}
    return Outcome(job.spec, "rendered", job.html, str(answer["rendered_at"]),
                   float(answer["seconds"]))


def _mp_context() -> multiprocessing.context.BaseContext:
    """How worker processes start: ``fork`` on Linux when this process runs no other thread
    (the workers then inherit Papermill and nbconvert, already imported: about 2 s saved per
    worker), else ``spawn`` (forking a process that holds threads, such as a test runner's
    or a browser driver's, can deadlock the child)."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _incident_ids(data_dir: Path) -> list[str]:
    """The ``incident_id`` column of ``incidents.csv``, read with the csv module: the notebook
    validates the data itself, and loading it with pandas here would cost the scheduler about
    0.6 s of the cores the renders are using."""
    with (Path(data_dir) / "incidents.csv").open(encoding="utf-8-sig", newline="") as handle:
        return sorted(row["incident_id"] for row in csv.DictReader(handle)
                      if row.get("incident_id"))


def _shown_path(path: Path) -> str:
    """Relative to the working folder when inside it, else absolute."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _line(outcome: Outcome, width: int) -> str:
    name = f"{outcome.spec.name:<{width}}"
    if outcome.status == "rendered":
        return f"rendered   {name}  {_shown_path(outcome.html)}  {outcome.seconds:.1f} s"
    if outcome.status == "unchanged":
        return f"unchanged  {name}  {_shown_path(outcome.html)}  (rendered {outcome.rendered_at})"
    return f"failed     {name}  {outcome.summary}"


def run_schedule(config: Config, *, force: bool = False, jobs: int | None = None,
                 progress: bool | None = None, timeout: float | None = None) -> ScheduleResult:
    """Render the config's reports (skipping unchanged ones unless ``force``), write the
    index, print a line per report and a total; see the module docstring.

    ``jobs``: renders at a time (default ``os.cpu_count()``, at most one per report to
    render). ``progress``: a tqdm bar on stderr (default: when stderr is a terminal).
    ``timeout``: seconds per report, over the config's (``timeout``, per report or for all).
    Raises :class:`ScheduleError` when another run holds the output folder.
    """
    from tqdm import tqdm

    started = time.perf_counter()
    output_dir = config.output_dir
    output_dir.mkdir(parents=True, exist_ok=True)
    width = max(len(spec.name) for spec in config.reports)

    def say(text: str, err: bool = False) -> None:
        tqdm.write(text, file=sys.stderr if err else sys.stdout)

    with _locked(output_dir) as lock_fd, _sigterm_stops():
        state_path = output_dir / STATE_FILE
        state = _load_state(state_path, lambda text: say(text, err=True))
        checksums: dict[Path, str | None] = {}
        code = code_fingerprint()
        planned = [_plan(spec, config, state, force, checksums, code)
                   for spec in config.reports]
        brief_jobs: list[_Job] = []
        brief_state: dict | None = None
        brief_outcomes: list[Outcome] = []
        if config.briefs is not None:
            try:
                brief_jobs, brief_state = _plan_briefs(config, config.briefs,
                                                       _load_brief_state(state_path))
            except Exception as error:  # unreadable data: the briefs fail, the reports run
                failed = Outcome(ReportSpec("briefs", config.briefs.notebook, "briefs"),
                                 "failed", config.briefs.folder,
                                 error=f"briefs not planned: {type(error).__name__}: {error}")
                brief_outcomes.append(failed)
            width = max([width, *(len(job.spec.name) for job in brief_jobs)])
        outcomes: dict[str, Outcome] = {}
        todo = [job for job in planned if isinstance(job, _Job)] + brief_jobs
        is_brief = {id(job) for job in brief_jobs}
        show = sys.stderr.isatty() if progress is None else progress
        stopped = False
        try:
            with contextlib.ExitStack() as stack:
                futures: dict[Future, _Job] = {}
                if todo:
                    # Workers start (fork) at the first submit: before the bar's monitor thread.
                    workers = min(jobs or os.cpu_count() or 1, len(todo))
                    context = _mp_context()
                    inherited = lock_fd if context.get_start_method() == "fork" else None
                    pool = stack.enter_context(ProcessPoolExecutor(
                        max_workers=workers, mp_context=context, initializer=_worker_start,
                        initargs=(os.getpid(), inherited)))
                    stack.push(_stop_workers_on_sigterm)  # before the pool waits for them
                    futures = {pool.submit(_render_job, job.spec.notebook, job.html, job.values,
                                           job.spec.title, _seconds(job.spec, config, timeout)):
                               job for job in todo}
                bar = stack.enter_context(tqdm(total=len(planned) + len(brief_jobs),
                                               desc="sitrep schedule", unit="report",
                                               file=sys.stderr, disable=not show, leave=False))

                def finish(outcome: Outcome) -> None:
                    say(_line(outcome, width))
                    if outcome.status == "failed" and outcome.error and "\n" in outcome.error:
                        say(f"--- {outcome.spec.name}\n{outcome.error}", err=True)
                    bar.update(1)

                for item in planned:
                    if isinstance(item, Outcome):
                        if item.status == "unchanged":
                            failed_notebook_path(item.html).unlink(missing_ok=True)  # stale
                        outcomes[item.spec.name] = item
                        finish(item)
                for outcome in brief_outcomes:
                    finish(outcome)
                # While the workers render, read the incident ids each report will record.
                ids: dict[Path, list[str] | Exception] = {}
                for job in todo:
                    if job.data_dir not in ids and id(job) not in is_brief:
                        try:
                            ids[job.data_dir] = _incident_ids(job.data_dir)
                        except Exception as error:  # the notebook will say more
                            ids[job.data_dir] = error
                for future in as_completed(futures):
                    job = futures[future]
                    if id(job) in is_brief and brief_state is not None:
                        outcome = _collect_brief(job, future, brief_state)
                        brief_outcomes.append(outcome)
                    else:
                        outcome = _collect(job, future, ids[job.data_dir], state, output_dir, say)
                        outcomes[job.spec.name] = outcome
                    _save_state(state_path, state, brief_state)
                    finish(outcome)
        except _SchedulerStopped:
            stopped = True
            for job in todo:
                name = job.spec.name
                if name not in outcomes and all(o.spec.name != name for o in brief_outcomes):
                    outcome = Outcome(job.spec, "failed", job.html, None,
                                      error="stopped by SIGTERM before it finished")
                    if id(job) in is_brief:
                        brief_outcomes.append(outcome)
                    else:
                        outcomes[name] = outcome
        if brief_state is not None:
            _save_state(state_path, state, brief_state)
        ordered = [outcomes[spec.name] for spec in config.reports]
        index = output_dir / INDEX_FILE
        write_atomically(index, index_html(ordered, output_dir, briefs=_brief_rows(
            brief_state, brief_outcomes, config.briefs)))
    if stopped:
        raise ScheduleError(f"stopped by SIGTERM: {sum(o.status == 'failed' for o in ordered)} "
                            f"of {len(ordered)} reports not rendered, their last good HTML "
                            f"kept; {_shown_path(index)} says which")
    result = ScheduleResult(ordered + brief_outcomes, index, time.perf_counter() - started)
    briefs_said = (f"; {sum(o.status == 'rendered' for o in brief_outcomes)} briefs written, "
                   f"{sum(o.status == 'failed' for o in brief_outcomes)} failed"
                   if config.briefs is not None else "")
    say(f"{len(ordered)} reports in {result.seconds:.1f} s: "
        f"{sum(o.status == 'rendered' for o in ordered)} rendered, "
        f"{sum(o.status == 'unchanged' for o in ordered)} unchanged, "
        f"{sum(o.status == 'failed' for o in ordered)} failed{briefs_said}; "
        f"index {_shown_path(index)}")
    return result


@dataclass(frozen=True)
class BriefRow:
    """One brief on the index page."""

    incident_id: str
    incident_date: str
    title: str
    html: Path
    rendered_at: str | None
    error: str | None = None
    failed_notebook: Path | None = None


def _brief_rows(brief_state: dict | None, outcomes: list[Outcome],
                spec: BriefsSpec | None) -> list[BriefRow] | None:
    """The index's brief list: every brief written by any run whose file is still there, and
    this run's failures, newest incident first; None when the config has no briefs."""
    if spec is None:
        return None
    rows: dict[str, BriefRow] = {}
    for incident_id, written in (brief_state or {}).get("written", {}).items():
        html_path = spec.folder / str(written.get("file", ""))
        if html_path.is_file():
            rows[incident_id] = BriefRow(incident_id, str(written.get("incident_date", "")),
                                         str(written.get("title", incident_id)), html_path,
                                         written.get("rendered_at"))
    for outcome in outcomes:
        if outcome.status == "failed":
            incident_id = str(outcome.spec.parameters.get("incident_id", outcome.spec.name))
            rows[incident_id] = BriefRow(incident_id, incident_id[:10], outcome.spec.title,
                                         outcome.html, None, outcome.summary,
                                         outcome.failed_notebook)
    return sorted(rows.values(), key=lambda row: (row.incident_date, row.incident_id),
                  reverse=True)


def _seconds(spec: ReportSpec, config: Config, override: float | None) -> float | None:
    """The time limit of one render: the command line's, else the report's, else the
    config's; 0 means none."""
    seconds = override if override is not None else (
        spec.timeout if spec.timeout is not None else config.timeout)
    return seconds or None


def _collect(job: _Job, future: Future, ids: list[str] | Exception, state: dict[str, dict],
             output_dir: Path, say: Callable[..., None]) -> Outcome:
    """The outcome of a finished render; on success, the state and the incident ids recorded."""
    previous = state.get(job.spec.name, {})
    try:
        answer = future.result()
    except Exception as error:  # the worker died (killed, out of memory)
        answer = {"ok": False, "error": f"the render process failed: {type(error).__name__}: "
                  f"{error}", "seconds": 0.0, "failed_notebook": None}
    if not answer["ok"]:
        kept = answer.get("failed_notebook")
        return Outcome(job.spec, "failed", job.html, previous.get("rendered_at")
                       if job.html.exists() else None, answer["seconds"], str(answer["error"]),
                       Path(kept) if kept else None)
    if isinstance(ids, Exception):
        say(f"warning: {job.spec.name}: incident ids not recorded ({type(ids).__name__}: "
            f"{ids}); its next render is not skipped", err=True)
        state.pop(job.spec.name, None)
    else:
        ids_file = output_dir / IDS_FOLDER / f"{job.spec.name}.json"
        ids_file.parent.mkdir(exist_ok=True)
        write_atomically(ids_file, json.dumps(ids, indent=0) + "\n")
        state[job.spec.name] = {
            **job.record,
            "rendered_at": answer["rendered_at"],
            "title": job.spec.title,
            "parameters": json.loads(_canonical(job.spec.parameters)),
        }
    return Outcome(job.spec, "rendered", job.html, str(answer["rendered_at"]),
                   float(answer["seconds"]))


# --- the index page ---------------------------------------------------------------------------

_INDEX_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em;
  color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.4em 0.6em;
  border-bottom: 1px solid #ddd; }
code { font-size: 0.9em; }
.status-rendered { color: #1a7f37; }
.status-unchanged { color: #555; }
.status-failed { color: #b42318; font-weight: bold; }
.error { font-weight: normal; font-family: monospace; white-space: pre-wrap; }
ul.briefs { padding-left: 1.2em; } ul.briefs li { margin: 0.3em 0; }
table { display: block; overflow-x: auto; }
footer { margin-top: 2em; color: #555; font-size: 0.85em; }
"""


def _href(path: Path, folder: Path) -> str:
    return quote(os.path.relpath(path, folder))


def _shown_value(value: object) -> str:
    """A parameter value as the config would write it.

    >>> _shown_value("ain-al-asad"), _shown_value(dt.date(2020, 1, 8)), _shown_value([1, "a"])
    ('"ain-al-asad"', '2020-01-08', '[1, "a"]')
    """
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


def _briefs_html(briefs: list[BriefRow], output_dir: Path) -> str:
    """The index's list of situation reports, newest incident first (escaped)."""
    esc = html.escape
    if not briefs:
        return ("<h2>Situation reports</h2>\n<p>No brief yet: a run writes one for each "
                "incident new since the run before.</p>")
    items = []
    for row in briefs:
        title = esc(row.title)
        if row.error is None:
            line = (f'<a href="{esc(_href(row.html, output_dir))}">{title}</a> '
                    f'<small>rendered {esc(str(row.rendered_at or ""))}</small>')
        else:
            line = (f'{title} <span class="status-failed">failed</span> '
                    f'<span class="error">{esc(row.error)}</span>')
            if row.failed_notebook is not None and row.failed_notebook.is_file():
                line += (f' <a href="{esc(_href(row.failed_notebook, output_dir))}">failed '
                         "notebook</a>")
        items.append(f"<li><code>{esc(row.incident_date)}</code> {line}</li>")
    return (f"<h2>Situation reports</h2>\n<p>{len(briefs)} brief"
            f"{'' if len(briefs) == 1 else 's'}, newest incident first.</p>\n"
            f"<ul class=\"briefs\">\n{chr(10).join(items)}\n</ul>")


def index_html(outcomes: list[Outcome], output_dir: Path,
               now: dt.datetime | None = None, briefs: list[BriefRow] | None = None) -> str:
    """The index page: one row per report (title linking its HTML when there is one, the
    parameters the config sets, the render time of the HTML on disk, the status with the first
    line of an error and a link to the kept failed notebook). Every text is escaped; no script,
    no address outside the folder.

    >>> page = index_html([], Path("reports"), dt.datetime(2024, 1, 2, 3, 4, tzinfo=dt.UTC))
    >>> "2024-01-02 03:04:00 UTC" in page and "<script" not in page
    True
    """
    now = now or dt.datetime.now(dt.UTC)
    esc = html.escape
    rows = []
    for outcome in outcomes:
        spec = outcome.spec
        exists = outcome.html.is_file()
        title = esc(spec.title)
        if exists:
            title = f'<a href="{esc(_href(outcome.html, output_dir))}">{title}</a>'
        if spec.parameters:
            parameters = "<br>".join(f"<code>{esc(name)} = {esc(_shown_value(value))}</code>"
                                     for name, value in spec.parameters.items())
        else:
            parameters = "defaults"
        status = f'<span class="status-{esc(outcome.status)}">{esc(outcome.status)}</span>'
        if outcome.status == "failed":
            status += f'<br><span class="error">{esc(outcome.summary)}</span>'
            kept = outcome.failed_notebook
            if kept is not None and kept.is_file():
                status += (f'<br><a href="{esc(_href(kept, output_dir))}">failed notebook, '
                           "with the traceback</a>")
            status += ("<br>the report shown is the last good one" if exists
                       else "<br>no report yet")
        rendered = esc(outcome.rendered_at) if outcome.rendered_at and exists else "&mdash;"
        rows.append(f"<tr><td>{title}<br><small><code>{esc(spec.name)}</code></small></td>"
                    f"<td>{parameters}</td><td>{rendered}</td><td>{status}</td></tr>")
    failed = sum(outcome.status == "failed" for outcome in outcomes)
    headline = (f"{failed} of {len(outcomes)} failed in the last run" if failed
                else f"{len(outcomes)} reports, all up to date")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>sitrep-analysis reports</title>
<style>{_INDEX_STYLE}</style>
</head>
<body>
<h1>sitrep-analysis reports</h1>
<p>{esc(headline)}. Each report is one self-contained HTML file that opens with no network.</p>
<table>
<thead><tr><th>Report</th><th>Parameters</th><th>Rendered</th><th>Status</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
{"" if briefs is None else _briefs_html(briefs, output_dir)}
<footer>Index written {esc(now.strftime("%Y-%m-%d %H:%M:%S UTC"))} by
<code>sitrep schedule</code>.</footer>
</body>
</html>
"""
