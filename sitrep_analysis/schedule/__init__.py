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

Modules, one stage each: :mod:`.config` (the TOML), :mod:`.state` (state file, code
fingerprint, lock), :mod:`.plan` (what to render), :mod:`.workers` (the processes that
render), :mod:`.run` (one run), :mod:`.outcomes` and :mod:`.index` (the index page, a Jinja2
template).
"""

from sitrep_analysis.schedule.config import (
    DEFAULT_CONFIG,
    PREVIOUS_IDS_PARAMETER,
    BriefsSpec,
    Config,
    ConfigError,
    ReportSpec,
    load_config,
)
from sitrep_analysis.schedule.index import INDEX_FILE, index_html
from sitrep_analysis.schedule.outcomes import BriefRow, Outcome, ScheduleResult
from sitrep_analysis.schedule.run import run_schedule
from sitrep_analysis.schedule.state import (
    IDS_FOLDER,
    LOCK_FILE,
    STATE_FILE,
    ScheduleError,
    code_fingerprint,
)

__all__ = [
    "DEFAULT_CONFIG",
    "IDS_FOLDER",
    "INDEX_FILE",
    "LOCK_FILE",
    "PREVIOUS_IDS_PARAMETER",
    "STATE_FILE",
    "BriefRow",
    "BriefsSpec",
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
