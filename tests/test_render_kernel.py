"""The report kernel: started before the render's own imports, warmed up with the workbook's
libraries, given a mark instead of plotly.js, and stopped whatever happens."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest

from sitrep_analysis.plotly_js import PLOTLYJS_MARK, plotly_js_script
from sitrep_analysis.render import ParameterError, RenderError, export_html, render_report
from sitrep_analysis.render.warmup import REPORT_MODULES
from tests.helpers import write_notebook

pytestmark = pytest.mark.slow

#: plotly.js's banner comment: once per copy of the library.
PLOTLYJS_BANNER = "* plotly.js v"


def _kernels_of_this_process() -> list[str]:
    """Command lines of this process's children that run a Jupyter kernel (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rpartition(")")[2].split()[1])
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
        if parent == os.getpid() and "ipykernel" in command:
            found.append(command)
    return found


def test_the_first_cell_finds_the_workbooks_libraries_loaded(tmp_path):
    """The warm-up extension imported them while the render checked its inputs: the notebook
    itself imports nothing before asking."""
    notebook = write_notebook(
        tmp_path / "warm.ipynb",
        "import sys\n"
        "from IPython.display import Markdown\n"
        f"Markdown('loaded: ' + ' '.join(m for m in {list(REPORT_MODULES)!r} "
        "if m in sys.modules))")
    html = render_report(notebook, tmp_path / "warm.html").path.read_text(encoding="utf-8")
    assert f"loaded: {' '.join(REPORT_MODULES)}" in html


def test_a_report_kernels_notebook_holds_a_mark_where_plotly_js_goes(tmp_path):
    """Run under the renderer, use_offline_figures displays the figure fitter and a mark, not
    4.8 MB of plotly.js, and figures as HTML alone (the kept notebook of a failed run shows
    what the kernel sent)."""
    notebook = write_notebook(tmp_path / "marked.ipynb",
                              "import sitrep_analysis as sa\nsa.use_offline_figures()",
                              "import plotly.graph_objects as go\ngo.Figure(go.Bar(y=[1, 2]))",
                              "raise RuntimeError('stop here')")
    with pytest.raises(RenderError) as raised:
        render_report(notebook, tmp_path / "marked.html")
    kept = nbformat.read(raised.value.failed_notebook, as_version=4)
    [cell] = [cell for cell in kept.cells if "use_offline_figures" in cell.source]
    outputs = cell.outputs
    assert len(outputs) == 1 and outputs[0].metadata[PLOTLYJS_MARK] is True
    assert "window.sitrepFigures" in outputs[0].data["text/html"]
    assert PLOTLYJS_BANNER not in outputs[0].data["text/html"]
    assert raised.value.failed_notebook.stat().st_size < 100_000
    # a figure: its HTML only (the page draws from it), not the JSON twice
    [figure] = [cell for cell in kept.cells if "go.Figure" in cell.source]
    assert [set(output.data) for output in figure.outputs] == [{"text/html"}]
    assert "Plotly.newPlot" in figure.outputs[0].data["text/html"]


def test_the_page_puts_plotly_js_at_the_mark_once_and_leaves_the_notebook_alone():
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("sa.use_offline_figures()")
    cell.outputs = [nbformat.v4.new_output(
        "display_data", data={"text/html": "<script>/* the fitter */</script>"},
        metadata={PLOTLYJS_MARK: True})]
    later = nbformat.v4.new_code_cell("figure")
    later.outputs = [nbformat.v4.new_output(
        "display_data", data={"text/html": '<div class="plotly-graph-div"></div>'})]
    notebook.cells = [cell, later]
    page = export_html(notebook, title="marked")
    assert page.count(PLOTLYJS_BANNER) == 1
    assert (page.index(PLOTLYJS_BANNER) < page.index("/* the fitter */")
            < page.index("plotly-graph-div"))
    assert page.count(plotly_js_script()) == 1  # whole, with its </script> escaped
    assert cell.outputs[0].data["text/html"] == "<script>/* the fitter */</script>"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_parameter_that_does_not_fit_stops_the_early_kernel(tmp_path):
    """The kernel starts before the parameters are checked; a value that does not fit stops
    it, and no cell runs."""
    notebook = write_notebook(tmp_path / "typed.ipynb", "open('ran', 'w').close()",
                              parameters="window_days = 30")
    with pytest.raises(ParameterError, match="window_days"):
        render_report(notebook, tmp_path / "typed.html", {"window_days": "thirty"})
    assert _kernels_of_this_process() == []
    assert not (tmp_path / "ran").exists() and not (tmp_path / "typed.html").exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_finished_render_leaves_no_kernel(tmp_path):
    notebook = write_notebook(tmp_path / "done.ipynb", "1 + 1")
    render_report(notebook, tmp_path / "done.html")
    assert _kernels_of_this_process() == []


def test_a_kernel_that_cannot_start_is_one_line(tmp_path, monkeypatch):
    import sitrep_analysis.render.kernel as kernel

    monkeypatch.setattr(kernel, "KERNEL_NAME", "no-such-kernel")
    notebook = write_notebook(tmp_path / "nb.ipynb", "1 + 1")
    with pytest.raises(RenderError) as raised:
        render_report(notebook, tmp_path / "nb.html")
    assert str(raised.value).startswith("cannot start the kernel 'no-such-kernel': ")
    assert "\n" not in str(raised.value) and not (tmp_path / "nb.html").exists()


def test_a_report_leaves_the_users_ipython_history_alone(tmp_path, monkeypatch):
    """Report cells are no commands the user typed: the kernel keeps its history in memory."""
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    notebook = write_notebook(tmp_path / "nb.ipynb", "1 + 1")
    render_report(notebook, tmp_path / "nb.html")
    assert not list((tmp_path / "ipython").rglob("history.sqlite"))
