"""Rendering notebooks to offline HTML: the report itself, parameter checks, provenance,
failures, and the `render` command.

The report is rendered once per session on the made-up test data (``rendered_report`` in
conftest.py); each run of a notebook costs a few seconds (kernel start and imports). The
parameter checks run no cell (a render's kernel, started early, is stopped unused): they are
fast and need no ``slow`` mark.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import html as html_lib
import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import nbformat
import papermill
import pytest
from click.testing import CliRunner

from sitrep_analysis import __version__
from sitrep_analysis.cli import app
from sitrep_analysis.render import (
    ParameterError,
    RenderError,
    check_parameters,
    data_checksum,
    export_html,
    git_commit,
    notebook_parameters,
    render_notebook,
    render_report,
)
from tests.conftest import REPORT_NOTEBOOK
from tests.helpers import REPO, SHIPPED_DATA, write_notebook

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


def _section_headings(notebook: Path) -> list[str]:
    """The ``##`` headings of the notebook's markdown cells (plain text ones)."""
    cells = nbformat.read(notebook, as_version=4).cells
    return [line[3:].strip() for cell in cells if cell.cell_type == "markdown"
            for line in cell.source.splitlines()
            if line.startswith("## ") and not re.search(r"[`*_<>&\[]", line)]


# --- the report ---------------------------------------------------------------------------

@pytest.mark.slow
def test_report_hides_code_and_keeps_markdown_tables_and_figures(rendered_report):
    html = _without_plotly_js(rendered_report.html)
    body = html[html.index("<body"):]
    for line in _code_lines(REPORT_NOTEBOOK):
        assert line not in body, f"code is shown: {line}"
    code_cells = re.findall(r'<div\b[^>]*\bclass="(jp-Cell jp-CodeCell[^"]*)"', body)
    assert code_cells and all("jp-mod-noInput" in classes for classes in code_cells)
    assert '<h1 id="Attack-tempo-against-political-events">' in body  # markdown
    assert "<strong>9 attacks</strong>" in body  # the summary
    assert body.count('class="plotly-graph-div"') >= 1  # the figures
    assert "Made-up report" in body  # the sources table
    assert "Coverage is measured, not assumed" in body  # caveats
    assert "<title>Attack tempo against political events</title>" in html
    assert "start_date = '2019-12-01'" in html_lib.unescape(body)  # parameters in the footer
    nav = body[body.index('<nav class="sitrep-contents"'):body.index("</nav>")]  # contents
    for heading in _section_headings(REPORT_NOTEBOOK):
        assert f">{heading}</a>" in nav, f"not in the contents: {heading}"


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

FAILS_ON_REQUEST = "if fail == 'yes':\n    raise ValueError('asked to fail')\nprint('fine')"


@pytest.mark.slow
def test_failed_run_keeps_the_last_report_and_the_failed_notebook(tmp_path):
    notebook = write_notebook(tmp_path / "broken.ipynb", "raise ValueError('no data for you')")
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
    notebook = write_notebook(tmp_path / "flaky.ipynb", FAILS_ON_REQUEST)
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


# --- parameters: checked before any kernel starts ----------------------------------------------

PARAMETERS_CELL = """\
start_date = "2019-10-01"  # first day shown (YYYY-MM-DD)
end_date = "2024-09-30"  # last day shown (YYYY-MM-DD)
window_days = 30  # days either side of an event
weapon_types = []  # weapons to show; empty: all
event_ids = ["a", "b"]
ratio = 0.5
show_map = True
data_dir = None  # folder of curated CSVs; None: the shipped data
limit: int = None
labels = {}
"""


@pytest.fixture
def declaring(tmp_path: Path) -> Path:
    """A notebook declaring one parameter of each kind."""
    return write_notebook(tmp_path / "declaring.ipynb", "print(window_days)",
                     parameters=PARAMETERS_CELL)


@pytest.fixture
def no_kernel(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Papermill's execute replaced by a recorder: a test can assert no cell was run."""
    calls: list[object] = []
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: calls.append(a))
    return calls


def test_declared_parameters_as_papermill_reports_them(declaring):
    """What inspect_notebook gives (source text, "None" for no annotation) and what is made
    of it."""
    raw = papermill.inspect_notebook(str(declaring))
    assert dict(raw["start_date"]) == {"name": "start_date", "inferred_type_name": "None",
                                       "default": '"2019-10-01"',
                                       "help": "first day shown (YYYY-MM-DD)"}
    assert raw["data_dir"]["default"] == "None" and raw["weapon_types"]["default"] == "[]"
    assert raw["window_days"]["default"] == "30" and raw["limit"]["inferred_type_name"] == "int"

    declared = notebook_parameters(declaring)
    kinds = {name: (p.kind, p.optional) for name, p in declared.items()}
    assert kinds == {"start_date": ("str", False), "end_date": ("str", False),
                     "window_days": ("int", False), "weapon_types": ("list", False),
                     "event_ids": ("list", False), "ratio": ("float", False),
                     "show_map": ("bool", False), "data_dir": ("str", True),
                     "limit": ("int", True), "labels": ("dict", False)}
    assert declared["window_days"].expected() == "an integer (default 30)"


def test_good_values_are_converted(declaring, tmp_path):
    values = check_parameters(declaring, {
        "window_days": "30", "weapon_types": "rocket, drone", "event_ids": '["x", "y"]',
        "ratio": "2", "show_map": "false", "data_dir": str(tmp_path), "limit": "None",
        "labels": '{"a": 1}', "start_date": dt.date(2020, 1, 8), "end_date": "2020-02-29",
    })
    assert values == {"window_days": 30, "weapon_types": ["rocket", "drone"],
                      "event_ids": ["x", "y"], "ratio": 2.0, "show_map": False,
                      "data_dir": str(tmp_path.resolve()), "limit": None, "labels": {"a": 1},
                      "start_date": "2020-01-08", "end_date": "2020-02-29"}
    # Python values are checked the same way; empty text is an empty list or None
    assert check_parameters(declaring, {"window_days": 7, "weapon_types": ("ied",),
                                        "data_dir": "", "event_ids": ""}) == {
        "window_days": 7, "weapon_types": ["ied"], "data_dir": None, "event_ids": []}


@pytest.mark.parametrize(("given", "message"), [
    pytest.param({"windw_days": "30"}, "unknown parameter 'windw_days'; did you mean "
                 "'window_days'?", id="unknown name with suggestion"),
    pytest.param({"colour": "red"}, "unknown parameter 'colour' (declared: start_date, "
                 "end_date, window_days", id="unknown name without suggestion"),
    pytest.param({"window_days": "abc"}, "window_days = 'abc': expected an integer "
                 "(default 30)", id="text for an int"),
    pytest.param({"window_days": 2.5}, "window_days = 2.5: expected an integer",
                 id="float for an int"),
    pytest.param({"window_days": True}, "window_days = True: expected an integer",
                 id="bool for an int"),
    pytest.param({"window_days": None}, "window_days = None: expected an integer",
                 id="None where None is not declared"),
    pytest.param({"show_map": "maybe"}, "show_map = 'maybe': expected true or false",
                 id="text for a bool"),
    pytest.param({"weapon_types": '["rocket"'}, "weapon_types = '[\"rocket\"': expected a list",
                 id="broken JSON list"),
    pytest.param({"labels": "[1]"}, "labels = '[1]': expected a JSON object", id="not a dict"),
    pytest.param({"start_date": "2020-02-30"}, "start_date = '2020-02-30': not a real date; "
                 "expected a date written YYYY-MM-DD", id="impossible date"),
    pytest.param({"end_date": "08/01/2020"}, "end_date = '08/01/2020': not a real date",
                 id="date not ISO"),
    pytest.param({"end_date": 20200108}, "end_date = 20200108: expected a real date written "
                 "YYYY-MM-DD", id="number for a date"),
    pytest.param({"start_date": "2021-01-01", "end_date": "2020-01-01"},
                 "start_date 2021-01-01 is after end_date 2020-01-01", id="start after end"),
    pytest.param({"start_date": "2025-01-01"}, "start_date 2025-01-01 is after end_date "
                 "2024-09-30", id="start after the default end"),
    pytest.param({"data_dir": "/no/such/folder"}, "data_dir = '/no/such/folder': no such "
                 "folder", id="missing data folder"),
    pytest.param({"data_dir": 3}, "data_dir = 3: expected a string or None",
                 id="number for a folder"),
])
def test_bad_parameters_are_refused_before_any_kernel(declaring, no_kernel, given, message):
    started = time.perf_counter()
    with pytest.raises(ParameterError) as raised:
        render_notebook(declaring, declaring.with_suffix(".html"), given)
    assert time.perf_counter() - started < 1.0
    assert message in str(raised.value)
    assert str(declaring) in str(raised.value).splitlines()[0]
    assert no_kernel == []
    assert not declaring.with_suffix(".html").exists()


def test_every_problem_is_listed(declaring):
    with pytest.raises(ParameterError) as raised:
        check_parameters(declaring, {"window_days": "x", "start_dat": "2020-01-01"})
    assert "2 parameter problems; the notebook was not run" in str(raised.value)
    assert len(raised.value.problems) == 2


def test_a_notebook_without_parameters_refuses_any(tmp_path, no_kernel):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(notebook, tmp_path / "plain.ipynb")
    with pytest.raises(ParameterError, match="the notebook declares no parameters"):
        render_notebook(tmp_path / "plain.ipynb", tmp_path / "plain.html", {"x": "2"})
    assert no_kernel == []


def test_render_command_refuses_bad_parameters_with_exit_2(declaring, tmp_path, monkeypatch,
                                                          no_kernel):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["render", str(declaring), "-p", "window_days", "abc",
                                      "-p", "start_date", "2020-02-30"])
    assert result.exit_code == 2
    assert "declaring.ipynb: 2 parameter problems" in result.output
    assert "window_days = 'abc': expected an integer" in result.output
    assert "start_date = '2020-02-30': not a real date" in result.output
    assert no_kernel == [] and not (tmp_path / "reports").exists()


# --- provenance ---------------------------------------------------------------------------

def test_data_checksum_is_stable_and_follows_every_csv(data_copy):
    before = data_checksum(data_copy)
    assert before == data_checksum(data_copy)
    assert re.fullmatch(r"[0-9a-f]{64}", before)
    lines = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n"
                    for p in sorted(data_copy.glob("*.csv")))
    assert before == hashlib.sha256(lines.encode()).hexdigest()  # as `sha256sum *.csv | sha256sum`
    (data_copy / "notes.txt").write_text("not data", encoding="utf-8")
    assert data_checksum(data_copy) == before  # only CSV files count
    with (data_copy / "sites.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert data_checksum(data_copy) != before
    with pytest.raises(FileNotFoundError):
        data_checksum(data_copy / "missing")


def _git_available() -> bool:
    return shutil.which("git") is not None


@pytest.mark.skipif(not _git_available(), reason="git is not installed")
def test_git_commit_short_hash_dirty_flag_and_no_checkout(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    (repo / "a.txt").write_text("one", encoding="utf-8")
    subprocess.run([*git, "add", "a.txt"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "one"], check=True)
    short = subprocess.run([*git, "rev-parse", "--short", "HEAD"], check=True,
                           capture_output=True, text=True).stdout.strip()
    assert git_commit(repo) == short
    (repo / "a.txt").write_text("two", encoding="utf-8")
    assert git_commit(repo) == f"{short}+changes"
    (repo / "sub").mkdir()
    assert git_commit(repo / "sub") is None  # inside a checkout, but not its top
    assert git_commit(tmp_path / "elsewhere") is None  # no such folder
    plain = tmp_path / "plain"
    plain.mkdir()
    assert git_commit(plain) is None


@pytest.mark.slow
def test_footer_records_commit_data_checksum_parameters_and_versions(tmp_path, data_copy):
    notebook = write_notebook(tmp_path / "signed.ipynb", "print(window_days)",
                         "from IPython.display import Markdown\n"
                         "Markdown('## Made by a cell\\n\\ntext')",
                         "print('<b>not bold</b>')",
                         parameters="window_days = 30\ndata_dir = None")
    notebook_json = nbformat.read(notebook, as_version=4)
    notebook_json.cells.insert(2, nbformat.v4.new_markdown_cell("## First section\n\n"
                                                                "### A detail"))
    nbformat.write(notebook_json, notebook)

    report = render_report(notebook, tmp_path / "out" / "signed.html",
                           {"window_days": "14"}, data_dir=data_copy, title="A <signed> report")
    html = report.path.read_text(encoding="utf-8")
    footer = html[html.index('<footer class="sitrep-provenance">'):]
    checksum = data_checksum(data_copy)
    assert report.provenance["data_checksum"] == checksum
    assert f'<code class="sitrep-data-checksum">{checksum}</code>' in footer
    assert str(data_copy.resolve()) in footer
    assert "<code>window_days = 14</code>" in footer
    assert f"<code>data_dir = {str(data_copy.resolve())!r}</code>" in html_lib.unescape(footer)
    assert f"sitrep-analysis {__version__}" in footer
    for name in ("papermill", "nbconvert", "plotly"):
        assert f"{name} {__import__('importlib.metadata').metadata.version(name)}" in footer
    expected_commit = git_commit(REPO)
    if expected_commit is None:
        assert "not from a git checkout" in footer
    else:
        assert re.fullmatch(r"[0-9a-f]{7,40}(\+changes)?", expected_commit)
        assert f'<code class="sitrep-commit">{expected_commit}</code>' in footer
    stamp = dt.datetime.strptime(report.provenance["rendered_at"], "%Y-%m-%d %H:%M:%S UTC")
    assert abs(dt.datetime.now(dt.UTC).replace(tzinfo=None) - stamp) < dt.timedelta(minutes=5)
    assert f"<dd>{report.provenance['rendered_at']}</dd>" in footer
    assert "<title>A &lt;signed&gt; report</title>" in html

    # the contents: both markdown headings and the one a cell displayed, in order, as links
    nav = html[html.index('<nav class="sitrep-contents"'):html.index("</nav>")]
    assert re.findall(r'href="#([^"]+)"', nav) == ["First-section", "A-detail",
                                                  "Made-by-a-cell"]
    assert 'class="sitrep-contents-h3"><a href="#A-detail">A detail</a>' in nav
    # the ### item nests under its ## item, so the ## items number 1, 2 with no gap
    assert re.sub(r"<a [^>]*>[^<]*</a>", "", nav.split("<ol>", 1)[1]) == (
        '<li class="sitrep-contents-h2"><ul><li class="sitrep-contents-h3"></li></ul></li>'
        '<li class="sitrep-contents-h2"></li></ol>')
    assert html.index("</nav>") < html.index('id="First-section"')
    # JupyterLab's stylesheet goes in pruned (tools/build_report_css.py): cell and output
    # rules stay, the application's (menus, file browser, ...) do not
    styles = "".join(re.findall(r"<style[^>]*>(.*?)</style>", html, re.DOTALL))
    assert ".jp-RenderedHTMLCommon" in styles and ".jp-OutputArea" in styles
    assert ".jp-FileBrowser" not in styles and ".lm-Menu" not in styles
    assert len(styles.encode()) < 50_000
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html

    # a changed CSV gives another checksum in the next report
    with (data_copy / "sources.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    again = render_report(notebook, tmp_path / "out" / "signed.html", data_dir=data_copy)
    assert again.provenance["data_checksum"] == data_checksum(data_copy) != checksum


def test_export_marks_outputs_focusable_and_images_described_as_nbconvert_does():
    """The report's exporter skips nbconvert's parse of the whole page; the attributes that
    parse adds (tabindex on cell wrappers and outputs, alt text on images) are the same."""
    from nbconvert import HTMLExporter

    from sitrep_analysis.render import TEMPLATE_DIR, TEMPLATE_NAME

    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("shown")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": "<table><tr><td>1</td></tr>"
                                                                  "</table>"}),
        nbformat.v4.new_output("execute_result", data={"text/markdown": "**bold**"},
                               execution_count=1),
        nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=",
                                                     "text/plain": "<Figure>"}),
        nbformat.v4.new_output("stream", name="stdout", text="printed\n")]
    notebook.cells = [nbformat.v4.new_markdown_cell("## Heading\n\nText."), cell]
    ours = export_html(notebook, title="t")
    nbconverts, _ = HTMLExporter(
        template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
    ).from_notebook_node(notebook, resources={"metadata": {"name": "t"}})

    def marked(page: str) -> list[dict[str, object]]:
        tags = re.findall(r"<(?:div|img)\b[^>]*>", page)
        return [{name: set(value.split()) if name == "class" else value
                 for name, value in re.findall(r'([\w-]+)="([^"]*)"', tag)}
                for tag in tags if "tabindex" in tag or tag.startswith("<img")]

    expected = marked(nbconverts)
    assert len(expected) == 6  # the markdown cell's wrapper, four outputs, the image
    assert marked(ours) == expected
