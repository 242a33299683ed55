"""Rendering notebooks to offline HTML: the report itself, failures, and the `render` command.

The report is rendered once per session on the made-up test data (``rendered_report`` in
conftest.py); each run of a notebook costs a few seconds (kernel start and imports).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from sitrep_analysis.cli import app
from sitrep_analysis.render import RenderError, render_notebook
from tests.conftest import REPORT_NOTEBOOK
from tests.helpers import SHIPPED_DATA

PLOTLY_BANNER = re.compile(r"\* plotly\.js v\d+\.\d+\.\d+")


def _without_plotly_js(html: str) -> str:
    """The page with the inline plotly.js library cut out (its source names CDN hosts for
    map tiles and fonts that only map traces would fetch)."""
    banner = PLOTLY_BANNER.search(html)
    assert banner, "plotly.js is not in the page"
    start = html.rfind("<script", 0, banner.start())
    end = html.index("</script>", banner.end())
    return html[:start] + html[end:]


def _code_lines(notebook: Path) -> list[str]:
    """Lines of code long enough not to occur in prose by chance (not ``)`` or ``import``)."""
    cells = nbformat.read(notebook, as_version=4).cells
    return [line.strip() for cell in cells if cell.cell_type == "code"
            for line in cell.source.splitlines() if len(line.strip()) >= 12]


# --- the report ---------------------------------------------------------------------------

@pytest.mark.slow
def test_report_hides_code_and_keeps_markdown_tables_and_figures(rendered_report):
    html = _without_plotly_js(rendered_report.html)
    body = html[html.index("<body"):]
    for line in _code_lines(REPORT_NOTEBOOK):
        assert line not in body, f"code is shown: {line}"
    code_cells = re.findall(r'<div class="(jp-Cell jp-CodeCell[^"]*)"', body)
    assert code_cells and all("jp-mod-noInput" in classes for classes in code_cells)
    assert '<h1 id="Attack-tempo-against-political-events">' in body  # markdown
    assert "<strong>9 attacks</strong>" in body  # the summary
    assert body.count('class="plotly-graph-div"') == 1  # the figure
    assert "Made-up report" in body  # the sources table
    assert "not a complete count" in body  # caveats
    assert "<title>Attack tempo against political events</title>" in html
    assert "start_date = '2019-12-01'" in body  # parameters in the footer


@pytest.mark.slow
def test_report_embeds_plotly_js_exactly_once(rendered_report):
    assert len(PLOTLY_BANNER.findall(rendered_report.html)) == 1
    assert rendered_report.html.count("window.Plotly = Plotly") == 1


@pytest.mark.slow
def test_report_references_nothing_online(rendered_report):
    html = rendered_report.html
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
        assert "src=" not in tag.lower(), f"script loads a file: {tag}"
    for tag in re.findall(r"<link\b[^>]*>", html, flags=re.IGNORECASE):
        assert not re.search(r"href\s*=\s*[\"']?\s*(https?:)?//", tag, re.IGNORECASE), tag
    rest = _without_plotly_js(html)
    assert "cdn." not in rest.lower()
    assert "mathjax" not in rest.lower() and "require.js" not in rest.lower()
    assert "Content-Security-Policy" in rest


@pytest.mark.slow
@pytest.mark.skipif(not (SHIPPED_DATA / "incidents.csv").is_file(),
                    reason="no shipped data in data/ yet")
def test_report_renders_on_the_shipped_data(tmp_path):
    output = render_notebook(REPORT_NOTEBOOK, tmp_path / "report.html",
                             {"start_date": "2020-01-01", "end_date": "2020-03-31"})
    html = output.read_text(encoding="utf-8")
    assert 'class="plotly-graph-div"' in html
    assert "Traceback" not in _without_plotly_js(html)


def test_report_notebook_is_thin():
    """Code cells only assign, import and call: no definitions, loops or branches."""
    notebook = nbformat.read(REPORT_NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    parameters = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1
    assert "start_date" in parameters[0].source and "end_date" in parameters[0].source
    assert "data_dir = None" in parameters[0].source
    allowed = (ast.Import, ast.ImportFrom, ast.Assign, ast.Expr)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            for statement in ast.parse(cell.source).body:
                assert isinstance(statement, allowed), f"logic in the notebook: {cell.source}"


# --- failures -------------------------------------------------------------------------------

def _notebook(path: Path, *sources: str, parameters: str = "fail = 'no'") -> Path:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [nbformat.v4.new_markdown_cell("# A test notebook"), cell,
                      *(nbformat.v4.new_code_cell(source) for source in sources)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, path)
    return path


FAILS_ON_REQUEST = "if fail == 'yes':\n    raise ValueError('asked to fail')\nprint('fine')"


@pytest.mark.slow
def test_failed_run_keeps_the_last_report_and_the_failed_notebook(tmp_path):
    notebook = _notebook(tmp_path / "broken.ipynb", "raise ValueError('no data for you')")
    output = tmp_path / "out" / "broken.html"
    output.parent.mkdir()
    output.write_text("<html>the last good report</html>", encoding="utf-8")
    before = output.stat().st_mtime_ns

    with pytest.raises(RenderError, match="ValueError: no data for you") as raised:
        render_notebook(notebook, output)

    assert output.read_text(encoding="utf-8") == "<html>the last good report</html>"
    assert output.stat().st_mtime_ns == before
    failed = tmp_path / "out" / "broken.failed.ipynb"
    assert raised.value.failed_notebook == failed
    assert str(failed) in str(raised.value) and "left unchanged" in str(raised.value)
    kept = json.loads(failed.read_text(encoding="utf-8"))
    assert any("papermill-error-cell" in "".join(c["source"]) for c in kept["cells"])
    errors = [o for c in kept["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors and errors[0]["ename"] == "ValueError"
    assert sorted(p.name for p in output.parent.iterdir()) == ["broken.failed.ipynb",
                                                               "broken.html"]


def test_missing_notebook_is_a_clear_error(tmp_path):
    with pytest.raises(RenderError, match="notebook not found"):
        render_notebook(tmp_path / "nope.ipynb", tmp_path / "nope.html")


@pytest.mark.slow
def test_render_command_fails_with_exit_1_then_recovers(tmp_path, monkeypatch):
    notebook = _notebook(tmp_path / "flaky.ipynb", FAILS_ON_REQUEST)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    failed = runner.invoke(app, ["render", str(notebook), "-p", "fail", "yes"])
    assert failed.exit_code == 1
    assert "asked to fail" in failed.output
    assert (tmp_path / "reports" / "flaky.failed.ipynb").is_file()
    assert not (tmp_path / "reports" / "flaky.html").exists()

    fixed = runner.invoke(app, ["render", str(notebook), "-o", "out/flaky.html"])
    assert fixed.exit_code == 0, fixed.output
    html = (tmp_path / "out" / "flaky.html").read_text(encoding="utf-8")
    assert "fine" in html and "print(" not in html

    again = runner.invoke(app, ["render", str(notebook), "-p", "fail", "no"])
    assert again.exit_code == 0, again.output
    assert (tmp_path / "reports" / "flaky.html").is_file()  # the default output
    assert not (tmp_path / "reports" / "flaky.failed.ipynb").exists()  # stale: removed


def test_render_command_needs_pairs():
    result = CliRunner().invoke(app, ["render", "x.ipynb", "-p", "only_a_name"])
    assert result.exit_code == 2
