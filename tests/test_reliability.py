"""What users must be able to trust when a render goes wrong: an output never replaces an
input, every render has a time limit, a kernel that dies or a run past its limit keeps the
executed notebook, and an unwritable folder is one line, not a traceback.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from sitrep_analysis.cli import app
from sitrep_analysis.render import OutputRefused, RenderError, render_notebook
from tests.helpers import write_notebook


@pytest.fixture
def notebook(tmp_path: Path) -> Path:
    return write_notebook(tmp_path / "nb.ipynb", "print('fine')",
                     parameters="fail = 'no'\ndata_dir = None")


@pytest.mark.parametrize("target", [
    pytest.param(lambda nb, data: nb, id="the notebook itself"),
    pytest.param(lambda nb, data: data / "incidents.csv", id="a data file"),
    pytest.param(lambda nb, data: data / "report.html", id="inside the data folder"),
    pytest.param(lambda nb, data: nb.parent / "report.txt", id="not html"),
])
def test_render_refuses_an_output_that_is_an_input(notebook, data_copy, target):
    output = target(notebook, data_copy)
    existed = output.read_bytes() if output.exists() else None
    result = CliRunner().invoke(app, ["render", str(notebook), "-o", str(output),
                                      "-p", "data_dir", str(data_copy)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: output ") and "Traceback" not in result.output
    assert (output.read_bytes() if output.exists() else None) == existed
    with pytest.raises(OutputRefused):
        render_notebook(notebook, output, {"data_dir": str(data_copy)})


@pytest.mark.slow
def test_a_run_past_its_time_limit_fails_and_keeps_the_last_good_report(tmp_path):
    notebook = write_notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(120)")
    output = tmp_path / "slow.html"
    output.write_text("last good", encoding="utf-8")
    started = time.monotonic()
    result = CliRunner().invoke(app, ["render", str(notebook), "-o", str(output),
                                      "--timeout", "8"])
    elapsed = time.monotonic() - started
    assert result.exit_code == 1
    assert "ran past its time limit of 8 s" in result.output
    assert elapsed < 60  # stopped near the limit, not after the cell's two minutes
    assert output.read_text(encoding="utf-8") == "last good"
    assert (tmp_path / "slow.failed.ipynb").is_file()


@pytest.mark.slow
def test_a_kernel_that_dies_keeps_the_failed_notebook(tmp_path):
    notebook = write_notebook(tmp_path / "dies.ipynb", "import os\nos._exit(3)")
    with pytest.raises(RenderError, match="the kernel died") as raised:
        render_notebook(notebook, tmp_path / "dies.html")
    assert raised.value.failed_notebook == tmp_path / "dies.failed.ipynb"
    assert raised.value.failed_notebook.is_file()
    assert not (tmp_path / "dies.html").exists()


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder_is_one_line(notebook, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = CliRunner().invoke(app, ["render", str(notebook), "-o",
                                          str(folder / "r.html")])
    finally:
        folder.chmod(stat.S_IRWXU)
    assert result.exit_code == 1
    assert "cannot write" in result.output and "Traceback" not in result.output


@pytest.mark.slow
def test_a_full_disk_is_one_line_and_keeps_the_last_report(notebook, tmp_path, monkeypatch):
    import sitrep_analysis.render.run as render

    output = tmp_path / "r.html"
    output.write_text("last good", encoding="utf-8")

    def full(path, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(render, "write_atomically", full)
    with pytest.raises(RenderError) as raised:
        render_notebook(notebook, output)
    assert str(raised.value) == (f"cannot write {output}: No space left on device; the last "
                                 "good report is left unchanged")
    assert output.read_text(encoding="utf-8") == "last good"
    assert not list(tmp_path.glob(".r.html.*"))


def test_an_output_folder_that_cannot_be_made_is_one_line(notebook, tmp_path, monkeypatch):
    """As root a read-only folder is still writable, so the refusal is simulated too."""
    real_mkdir = Path.mkdir

    def refuse(self, *args, **kwargs):
        if self.name == "locked":
            raise PermissionError(13, "Permission denied")
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse)
    result = CliRunner().invoke(app, ["render", str(notebook), "-o",
                                      str(tmp_path / "locked" / "r.html")])
    assert result.exit_code == 1
    assert result.output == (f"error: cannot create the folder {tmp_path / 'locked'}: "
                             "Permission denied; nothing was run\n")


def _schedule_project(folder: Path) -> Path:
    (folder / "nb").mkdir()
    write_notebook(folder / "nb" / "r.ipynb", "print('fine')", parameters="fail = 'no'")
    config = folder / "reports.toml"
    config.write_text('output_dir = "out"\n\n[[reports]]\nname = "r"\nnotebook = "nb/r.ipynb"\n',
                      encoding="utf-8")
    return config


def test_schedule_into_a_folder_that_cannot_be_made_is_one_line(tmp_path, monkeypatch):
    config = _schedule_project(tmp_path)
    real_mkdir = Path.mkdir

    def refuse(self, *args, **kwargs):
        if self.name == "out":
            raise PermissionError(13, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse)
    result = CliRunner().invoke(app, ["schedule", str(config), "--no-progress"])
    assert result.exit_code == 1
    assert result.output == (f"error: cannot write {tmp_path / 'out'}: Permission denied; "
                             "every report's last good HTML is left as it was\n")


@pytest.mark.slow
def test_schedule_on_a_full_disk_fails_the_report_and_still_writes_the_index(tmp_path,
                                                                          monkeypatch):
    """The report's HTML cannot be written (no space); the index, written after, says so."""
    import sitrep_analysis.render.run as render
    import sitrep_analysis.schedule.run as run

    config = _schedule_project(tmp_path)
    real_write = render.write_atomically

    def full_for_reports(path, text):
        if path.suffix == ".html" and path.name != "index.html":
            raise OSError(28, "No space left on device")
        return real_write(path, text)

    monkeypatch.setattr(render, "write_atomically", full_for_reports)
    # forked workers inherit the full disk (a spawned one would import the real writer)
    monkeypatch.setattr(run, "mp_context",
                        lambda: __import__("multiprocessing").get_context("fork"))
    result = CliRunner().invoke(app, ["schedule", str(config), "--no-progress"])
    assert result.exit_code == 1
    assert "No space left on device" in result.output and "Traceback" not in result.output
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "No space left on device" in index and "no report yet" in index
