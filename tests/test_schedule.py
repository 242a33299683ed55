"""Scheduled reports: the config, change detection, parallel renders, failures, the index page
and the ids of incidents seen at the last successful render.

The reports are small notebooks written in tmp_path, run on a writable copy of the made-up
report data (tests/sample_data.py); they do not depend on the repository's notebooks.
"""

from __future__ import annotations

import fcntl
import html as html_lib
import json
import re
import shutil
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import sitrep_analysis.schedule.run
import sitrep_analysis.schedule.workers
from sitrep_analysis import load_incidents
from sitrep_analysis.cli import app
from sitrep_analysis.schedule import (
    IDS_FOLDER,
    LOCK_FILE,
    STATE_FILE,
    ConfigError,
    Outcome,
    ReportSpec,
    ScheduleError,
    code_fingerprint,
    index_html,
    load_config,
    run_schedule,
)
from tests.helpers import REPO, write_notebook

#: Prints the run's time window, so two reports' windows show whether they overlapped.
REPORT_A = [
    "import time\nstarted = time.time()",
    "print('label:', label, start_date)\nprint('previous:', previous_incident_ids_path)",
    "import sitrep_analysis as sa\nprint('incidents:', len(sa.load_incidents(data_dir)))",
    "time.sleep(0.3)\nprint('window', started, time.time())",
]
REPORT_B = [
    "import time\nstarted = time.time()",
    "if fail == 'yes':\n    raise ValueError('asked to fail')\nprint('fine')",
    "time.sleep(0.3)\nprint('window', started, time.time())",
]


@pytest.fixture
def project(tmp_path: Path, sample_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with two report notebooks, a copy of the test data and a config:
    ``a`` declares previous_incident_ids_path, ``b`` does not and fails on request.

    The package's code fingerprint is pinned: an edit to the package while the tests run
    (other work in the same checkout) must not make an unchanged report look changed.
    """
    monkeypatch.setattr(sitrep_analysis.schedule.run, "code_fingerprint", lambda: "pinned")
    shutil.copytree(sample_data_dir, tmp_path / "data")
    (tmp_path / "nb").mkdir()
    write_notebook(tmp_path / "nb" / "a.ipynb", *REPORT_A,
                   parameters="label = 'x'\nstart_date = '2019-10-01'\ndata_dir = None\n"
                   "previous_incident_ids_path = None  # ids at the last render")
    write_notebook(tmp_path / "nb" / "b.ipynb", *REPORT_B,
                   parameters="fail = 'no'\ndata_dir = None")
    _write_config(tmp_path, fail="no")
    return tmp_path


def _write_config(folder: Path, fail: str, extra: str = "") -> Path:
    config = folder / "reports.toml"
    config.write_text(f"""
output_dir = "out"
data_dir = "data"

[[reports]]
name = "a"
notebook = "nb/a.ipynb"
title = "Report <A> & co"
[reports.parameters]
label = "first"
start_date = 2019-12-01  # a TOML date

[[reports]]
name = "b"
notebook = "nb/b.ipynb"
title = "Report B"
parameters = {{ fail = "{fail}" }}
{extra}""", encoding="utf-8")
    return config


def _window(html: str) -> tuple[float, float]:
    match = re.search(r"window ([\d.]+) ([\d.]+)", html)
    assert match, "the report shows no time window"
    return float(match.group(1)), float(match.group(2))


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --- the config ---------------------------------------------------------------------------------

def test_default_config_lists_the_standard_set():
    config = load_config(REPO / "reports.toml")
    assert config.output_dir == REPO / "reports"
    assert config.data_dir is None
    reports = {spec.name: spec for spec in config.reports}
    assert list(reports) == ["01_attack_tempo", "02_event_study", "02_event_study_2023-24",
                             "03_profile_ain-al-asad"]
    assert reports["02_event_study_2023-24"].parameters == {
        "start_date": "2023-10-01", "end_date": "2024-09-30", "countries": ["Iraq", "Syria"],
        "window_days": 30}
    assert reports["01_attack_tempo"].notebook == REPO / "notebooks" / "01_attack_tempo.ipynb"
    assert config.briefs is not None and config.briefs.first_run_days == 30
    assert config.briefs.folder == REPO / "reports" / "briefs"
    assert reports["01_attack_tempo"].parameters == {}
    assert reports["02_event_study"].notebook == REPO / "notebooks" / "02_event_study.ipynb"
    assert reports["03_profile_ain-al-asad"].notebook == REPO / "notebooks" / "03_profile.ipynb"
    assert reports["03_profile_ain-al-asad"].parameters == {"site_id": "ain-al-asad"}
    assert all(spec.title for spec in config.reports)


def test_config_paths_are_relative_to_the_config_file(project):
    config = load_config(project / "reports.toml")
    assert config.output_dir == project / "out"
    assert config.data_dir == project / "data"
    assert [spec.notebook for spec in config.reports] == [project / "nb" / "a.ipynb",
                                                         project / "nb" / "b.ipynb"]
    assert config.reports[0].title == "Report <A> & co"


@pytest.mark.parametrize(("text", "message"), [
    pytest.param('output_dri = "x"\n[[reports]]\nname = "a"\nnotebook = "a.ipynb"',
                 "unknown key 'output_dri'; did you mean 'output_dir'?", id="unknown key"),
    pytest.param('[[reports]]\nname = "a"\nnotebook = "a.ipynb"\ntitel = "A"',
                 "report 'a': unknown key 'titel'; did you mean 'title'?",
                 id="unknown report key"),
    pytest.param('[[reports]]\nname = "a"\nnotebook = "a.ipynb"\n'
                 '[[reports]]\nname = "a"\nnotebook = "b.ipynb"', "the name is used twice",
                 id="duplicate name"),
    pytest.param('[[reports]]\nname = "../up"\nnotebook = "a.ipynb"', "name must be a file stem",
                 id="name with a path"),
    pytest.param('[[reports]]\nname = "index"\nnotebook = "a.ipynb"', "(not 'index')",
                 id="name of the index page"),
    pytest.param('[[reports]]\nname = "a"', "notebook (a path) is missing", id="no notebook"),
    pytest.param('data_dir = "nowhere"\n[[reports]]\nname = "a"\nnotebook = "a.ipynb"',
                 "data_dir 'nowhere' is not a folder", id="missing data folder"),
    pytest.param('[[reports]]\nname = "a"\nnotebook = "a.ipynb"\n[reports.parameters]\n'
                 'previous_incident_ids_path = "x.json"', "is set by the scheduler",
                 id="scheduler's parameter"),
    pytest.param('output_dir = "x"', "no reports", id="no reports"),
    pytest.param("[[reports]\n", "not a readable TOML file", id="broken TOML"),
])
def test_bad_config_is_refused(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert message in str(raised.value)
    assert str(path) in str(raised.value)


def test_schedule_command_exits_2_on_a_bad_config(tmp_path):
    result = CliRunner().invoke(app, ["schedule", str(tmp_path / "missing.toml")])
    assert result.exit_code == 2
    assert "no such config file" in result.output


# --- index page and lock --------------------------------------------------------------------

def test_index_escapes_and_links_the_failed_notebook(tmp_path):
    (tmp_path / "bad.html").write_text("old", encoding="utf-8")
    (tmp_path / "bad.failed.ipynb").write_text("{}", encoding="utf-8")
    outcomes = [
        Outcome(ReportSpec("good", tmp_path / "g.ipynb", "<script>alert(1)</script>",
                           {"site_id": "a&b"}), "rendered", tmp_path / "good.html",
                "2024-01-02 03:04:05 UTC"),
        Outcome(ReportSpec("bad", tmp_path / "b.ipynb", "Bad one"), "failed",
                tmp_path / "bad.html", "2024-01-01 00:00:00 UTC",
                error="rendering b.ipynb failed: ValueError: <no> data\nmore lines",
                failed_notebook=tmp_path / "bad.failed.ipynb"),
    ]
    page = index_html(outcomes, tmp_path)
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "site_id = &#34;a&amp;b&#34;" in page  # Jinja2 writes " as &#34;
    assert "ValueError: &lt;no&gt; data" in page and "more lines" not in page
    assert '<a href="bad.failed.ipynb">' in page and '<a href="bad.html">Bad one</a>' in page
    assert "the last good one" in page and "1 of 2 failed" in page
    assert "good.html" not in page  # no HTML on disk: no link
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert "Content-Security-Policy" in page


def test_a_second_run_on_a_locked_folder_stops(project):
    config = load_config(project / "reports.toml")
    config.output_dir.mkdir()
    with open(config.output_dir / LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(ScheduleError, match="another `sitrep schedule` is writing"):
            run_schedule(config)
    assert not (config.output_dir / "index.html").exists()


def test_code_fingerprint_follows_source_and_templates_only(tmp_path):
    package = tmp_path / "package"
    (package / "templates").mkdir(parents=True)
    (package / "__pycache__").mkdir()
    (package / "a.py").write_text("x = 1\n", encoding="utf-8")
    (package / "templates" / "t.j2").write_text("{{ x }}", encoding="utf-8")
    before = code_fingerprint(package)
    (package / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"compiled")
    assert code_fingerprint(package) == before
    (package / "templates" / "t.j2").write_text("{{ y }}", encoding="utf-8")
    assert code_fingerprint(package) != before


def test_workers_are_spawned_when_threads_are_running():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert sitrep_analysis.schedule.workers.mp_context().get_start_method() == "spawn"
    finally:
        stop.set()
        thread.join()


# --- runs -----------------------------------------------------------------------------------

@pytest.mark.slow
def test_renders_in_parallel_skips_unchanged_and_follows_the_data(project):
    config = load_config(project / "reports.toml")
    out = config.output_dir

    first = run_schedule(config, jobs=2)
    assert first.ok and [o.status for o in first.outcomes] == ["rendered", "rendered"]
    a_html, b_html = _read(out / "a.html"), _read(out / "b.html")
    (a_start, a_end), (b_start, b_end) = _window(a_html), _window(b_html)
    assert a_start < b_end and b_start < a_end, "the two renders did not overlap"
    assert "label: first 2019-12-01" in a_html and "fine" in b_html
    assert "previous: None" in a_html  # a first render: no previous ids
    count = len(load_incidents(project / "data"))
    assert f"incidents: {count}" in a_html  # the config's data_dir reached the notebook
    assert "<title>Report &lt;A&gt; &amp; co</title>" in a_html

    index = _read(out / "index.html")
    assert '<a href="a.html">Report &lt;A&gt; &amp; co</a>' in index
    assert '<a href="b.html">Report B</a>' in index
    assert index.count('class="status-rendered"') == 2 and "label = &#34;first&#34;" in index
    assert "<code>start_date = 2019-12-01</code>" in index
    ids = json.loads(_read(out / IDS_FOLDER / "a.json"))
    assert ids == sorted(load_incidents(project / "data")["incident_id"])
    state = json.loads(_read(out / STATE_FILE))
    assert set(state["reports"]) == {"a", "b"}

    # nothing changed: both skipped, quickly, files untouched
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.html") if p.name != "index.html"}
    started = time.perf_counter()
    second = run_schedule(config)
    assert time.perf_counter() - started < 1.0
    assert [o.status for o in second.outcomes] == ["unchanged", "unchanged"]
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.html")
            if p.name != "index.html"} == stamps
    assert _read(out / "index.html").count('class="status-unchanged"') == 2

    # a changed data file: both render again, and `a` gets the ids of its last render
    with (project / "data" / "sources.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    third = run_schedule(config)
    assert [o.status for o in third.outcomes] == ["rendered", "rendered"]
    a_html = _read(out / "a.html")
    assert f"previous: {out / IDS_FOLDER / 'a.json'}" in a_html
    assert (f"previous_incident_ids_path = {str(out / IDS_FOLDER / 'a.json')!r}"
            in html_lib.unescape(a_html))
    assert "previous_incident_ids_path" not in _read(out / "b.html")  # not declared by b

    # --force renders what is unchanged
    forced = run_schedule(config, force=True)
    assert [o.status for o in forced.outcomes] == ["rendered", "rendered"]


@pytest.mark.slow
def test_a_failing_report_exits_1_and_keeps_its_last_good_html(project, monkeypatch):
    monkeypatch.chdir(project)
    runner = CliRunner()
    good = runner.invoke(app, ["schedule", "--no-progress"])
    assert good.exit_code == 0, good.output
    assert re.search(r"^rendered +a +out/a\.html", good.output, re.MULTILINE)
    assert "2 reports in" in good.output and "2 rendered, 0 unchanged, 0 failed" in good.output
    before = (project / "out" / "b.html").read_bytes()

    _write_config(project, fail="yes", extra='[[reports]]\nname = "c"\nnotebook = "nb/a.ipynb"\n'
                  'parameters = { lable = "typo" }\n')
    failed = runner.invoke(app, ["schedule"])
    assert failed.exit_code == 1, failed.output
    assert re.search(r"^unchanged +a ", failed.output, re.MULTILINE)
    assert re.search(r"^failed +b +rendering .*b\.ipynb failed: the cell run as In \[\d+\] "
                     r"raised ValueError: asked to fail", failed.output, re.MULTILINE)
    assert re.search(r"^failed +c +parameters: unknown parameter 'lable'; did you mean "
                     r"'label'\?", failed.output, re.MULTILINE)
    assert "1 unchanged, 2 failed" in failed.output

    assert (project / "out" / "b.html").read_bytes() == before
    kept = json.loads(_read(project / "out" / "b.failed.ipynb"))
    assert any("papermill-error-cell" in "".join(c["source"]) for c in kept["cells"])
    assert not (project / "out" / "c.html").exists()

    index = _read(project / "out" / "index.html")
    row_b = next(row for row in index.split("<tr>") if "<code>b</code>" in row)
    assert 'class="status-failed"' in row_b and "ValueError: asked to fail" in row_b
    assert '<a href="b.failed.ipynb">' in row_b and '<a href="b.html">' in row_b
    row_c = next(row for row in index.split("<tr>") if "<code>c</code>" in row)
    assert 'class="status-failed"' in row_c and "no report yet" in row_c

    # fixed: b renders again and its failed notebook goes
    _write_config(project, fail="no")
    fixed = runner.invoke(app, ["schedule"])
    assert fixed.exit_code == 0, fixed.output
    assert not (project / "out" / "b.failed.ipynb").exists()


# --- scheduled briefs ---------------------------------------------------------------------------

def _add_incident(data_dir: Path, incident_id: str, day: str) -> None:
    """A copy of the last test incident under a new id and date."""
    from tests.helpers import read_rows, write_rows

    header, rows = read_rows(data_dir / "incidents.csv")
    rows.append({**rows[-1], "incident_id": incident_id, "incident_date": day})
    write_rows(data_dir / "incidents.csv", header, rows)


def test_scheduled_briefs_cover_only_new_incidents(project, capsys):
    """A first run writes briefs for the last 30 days of incidents only (the test data end on
    2020-03-02, the one incident within 30 days of it); the next run writes none; after one
    incident is added, exactly its brief. The index lists the briefs newest first."""
    config = _write_config(project, fail="no", extra="[briefs]\nfirst_run_days = 30\n")
    briefs = project / "out" / "briefs"
    first = run_schedule(load_config(config))
    assert first.ok
    assert sorted(p.name for p in briefs.glob("*.html")) == ["brief_2020-03-02-test.html"]
    said = capsys.readouterr().out
    assert "1 briefs written, 0 failed" in said
    state = json.loads(_read(project / "out" / STATE_FILE))["briefs"]
    assert len(state["seen"]) == len(load_incidents(project / "data"))
    assert list(state["written"]) == ["2020-03-02-test"]

    second = run_schedule(load_config(config))
    assert second.ok and "0 briefs written" in capsys.readouterr().out
    assert len(list(briefs.glob("*.html"))) == 1

    _add_incident(project / "data", "2020-03-05-added-test", "2020-03-05")
    third = run_schedule(load_config(config))
    assert third.ok
    rendered = [o.spec.name for o in third.outcomes if o.status == "rendered"]
    assert [name for name in rendered if name.startswith("brief_")] == [
        "brief_2020-03-05-added-test"]
    index = _read(project / "out" / "index.html")
    newer, older = (index.index("briefs/brief_2020-03-05-added-test.html"),
                    index.index("briefs/brief_2020-03-02-test.html"))
    assert newer < older
    assert "2 briefs, newest incident first." in index
    brief = _read(briefs / "brief_2020-03-05-added-test.html")
    assert "Situation report: " in brief and "<title>" in brief


def test_a_first_run_looks_back_as_far_as_configured(project):
    config = _write_config(project, fail="no", extra="[briefs]\nfirst_run_days = 60\n")
    loaded = load_config(config)
    from sitrep_analysis.brief.schedule import incidents_to_brief, read_incident_stubs

    chosen = incidents_to_brief(read_incident_stubs(project / "data"), None,
                                loaded.briefs.first_run_days)
    # 2020-03-02 less 60 days is 2020-01-02: the incidents after it
    assert [stub.incident_id for stub in chosen] == ["2020-03-02-test", "2020-01-13-test",
                                                     "2020-01-05-test"]


@pytest.mark.parametrize(("table", "message"), [
    ('[briefs]\nfirst_run_days = -1\n', "first_run_days must be a whole number"),
    ('[briefs]\nfolder = "../x"\n', "folder must be a plain folder name"),
    ('[briefs]\nfirst_run_dayz = 3\n', "did you mean 'first_run_days'?"),
])
def test_briefs_table_mistakes_are_named(project, table, message):
    config = _write_config(project, fail="no", extra=table)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(config)


def test_briefs_can_be_turned_off(project):
    config = _write_config(project, fail="no", extra="[briefs]\nenabled = false\n")
    assert load_config(config).briefs is None
