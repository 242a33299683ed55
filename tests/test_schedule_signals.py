"""`sitrep schedule` killed or stopped mid-render, and reports past their time limit: workers and
kernels die with the scheduler, the lock is never left held, SIGTERM stops cleanly (index
written, no temporary folder), and a report past `timeout` fails alone.

The scheduler runs as a real process (`python -m sitrep_analysis.cli` through the installed
`sitrep` script), as cron runs it. Linux only: the checks read /proc.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import write_notebook

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")]

SITREP = Path(sys.executable).parent / "sitrep"


def _descendants(pid: int) -> set[int]:
    """Every living process below ``pid``."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.fixture
def slow_project(tmp_path: Path) -> Path:
    """A config with one report that writes a marker, then sleeps two minutes, and a fast
    one; a private temporary folder to see what a run leaves there."""
    (tmp_path / "nb").mkdir()
    marker = tmp_path / "started"
    write_notebook(tmp_path / "nb" / "slow.ipynb", f"open({str(marker)!r}, 'w').close()",
                   "import time\ntime.sleep(120)", parameters="label = 'x'")
    write_notebook(tmp_path / "nb" / "fast.ipynb", "print('fast')", parameters="label = 'x'")
    (tmp_path / "reports.toml").write_text(
        'output_dir = "out"\n\n[[reports]]\nname = "slow"\nnotebook = "nb/slow.ipynb"\n\n'
        '[[reports]]\nname = "fast"\nnotebook = "nb/fast.ipynb"\n', encoding="utf-8")
    (tmp_path / "tmp").mkdir()
    return tmp_path


def _start(project: Path, *arguments: str) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(project / "tmp")}
    return subprocess.Popen([str(SITREP), "schedule", "reports.toml", "--no-progress",
                             *arguments], cwd=project, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _started(project: Path, process: subprocess.Popen) -> set[int]:
    assert _wait_for(lambda: (project / "started").exists(), 60), "the slow cell never ran"
    below = _descendants(process.pid)
    assert below, "no worker or kernel under the scheduler"
    return below


def test_workers_and_kernels_die_with_a_killed_scheduler_and_the_lock_is_free(slow_project):
    process = _start(slow_project)
    below = _started(slow_project, process)
    process.kill()
    process.wait(10)
    assert _wait_for(lambda: not _alive(below), 20), f"left running: {_alive(below)}"
    again = subprocess.run([str(SITREP), "schedule", "reports.toml", "--no-progress",
                            "--timeout", "30"], cwd=slow_project, capture_output=True,
                           text=True, timeout=120,
                           env={**os.environ, "TMPDIR": str(slow_project / "tmp")})
    assert "another `sitrep schedule`" not in again.stderr
    # the fast report may have been written before the kill; either way this run went ahead
    assert re.search(r"^(rendered|unchanged) +fast ", again.stdout, re.MULTILINE), again.stdout
    assert re.search(r"^failed +slow .*time limit of 30 s", again.stdout, re.MULTILINE)


def test_sigterm_stops_cleanly_writes_the_index_and_leaves_no_temporary_folder(slow_project):
    process = _start(slow_project)
    below = _started(slow_project, process)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 1
    said = [line for line in err.splitlines() if line.startswith("error: ")]
    assert said and said[-1].startswith("error: stopped by SIGTERM"), err
    assert "Traceback" not in err, err
    assert _wait_for(lambda: not _alive(below), 20), f"left running: {_alive(below)}"
    index = (slow_project / "out" / "index.html").read_text(encoding="utf-8")
    assert "stopped by SIGTERM before it finished" in index
    assert not list((slow_project / "tmp").iterdir())


def test_a_report_past_its_time_limit_fails_alone(slow_project):
    config = slow_project / "reports.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'output_dir = "out"\n', 'output_dir = "out"\ntimeout = 8\n'), encoding="utf-8")
    started = time.monotonic()
    result = subprocess.run([str(SITREP), "schedule", "reports.toml", "--no-progress"],
                            cwd=slow_project, capture_output=True, text=True, timeout=120)
    assert time.monotonic() - started < 90
    assert result.returncode == 1
    assert "rendered   fast" in result.stdout
    assert "ran past its time limit of 8 s" in result.stdout
    assert (slow_project / "out" / "slow.failed.ipynb").is_file()
