"""Every report notebook executed on the made-up test data with small parameters, and the
HTML checked: key findings with the numbers worked out by hand from tests/sample_data.py,
the "new since the last report" section, sources, and no code.

The renders are shared with test_browser.py and test_render.py (``report_renders`` in
conftest.py): each notebook runs once per session. The notebooks' own defaults are run on
the shipped data in-process, without a kernel (fast), so a default that no longer fits the
data shows up here too.
"""

from __future__ import annotations

import ast
import html as html_lib
import re
from pathlib import Path

import nbformat
import pytest

from tests.conftest import NOTEBOOKS
from tests.helpers import SHIPPED_DATA

PLOTLY_BANNER = re.compile(r"\* plotly\.js v\d+\.\d+\.\d+")
ALL_NOTEBOOKS = sorted(NOTEBOOKS.glob("*.ipynb"))


def _body(html: str) -> str:
    """The page body with the inline plotly.js cut out, and entities of apostrophes and
    quotes decoded (Markdown output writes ``&quot;``; tables write ``&#34;``)."""
    banner = PLOTLY_BANNER.search(html)
    if banner:
        start = html.rfind("<script", 0, banner.start())
        end = html.index("</script>", banner.end())
        html = html[:start] + html[end:]
    body = html[html.index("<body"):]
    return body.replace("&quot;", '"').replace("&#34;", '"').replace("&#39;", "'")


def _text(html: str) -> str:
    """The visible text of a page body, tags removed, whitespace collapsed."""
    without_scripts = re.sub(r"<script\b.*?</script>", " ", _body(html), flags=re.DOTALL)
    inline = re.sub(r"</?(strong|em|a|code|span)\b[^>]*>", "", without_scripts)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def _code_lines(notebook: Path) -> list[str]:
    cells = nbformat.read(notebook, as_version=4).cells
    return [line.strip() for cell in cells if cell.cell_type == "code"
            for line in cell.source.splitlines() if len(line.strip()) >= 12]


@pytest.fixture(scope="module")
def reports(report_renders):
    return report_renders


# --- what every report holds ----------------------------------------------------------------

REPORTS = {
    # name: (notebook, number of figures)
    "01_attack_tempo": ("01_attack_tempo.ipynb", 7),
    "02_event_study": ("02_event_study.ipynb", 2),
    "03_profile_site": ("03_profile.ipynb", 3),
    "03_profile_actor": ("03_profile.ipynb", 3),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(REPORTS))
def test_report_has_findings_new_section_sources_and_no_code(reports, name):
    notebook, figures = REPORTS[name]
    report = reports.get(name)
    body = _body(report.html)
    for line in _code_lines(NOTEBOOKS / notebook):
        assert line not in body, f"code is shown: {line}"
    code_cells = re.findall(r'<div\b[^>]*\bclass="(jp-Cell jp-CodeCell[^"]*)"', body)
    assert code_cells and all("jp-mod-noInput" in classes for classes in code_cells)
    headings = re.findall(r'<h2 id="([^"]+)"', body)
    assert headings[:2] == ["Key-findings", "New-since-the-last-report"]
    assert headings[-1] == "Sources"
    assert "Coverage-and-caveats" in headings
    assert body.count('class="plotly-graph-div"') == figures
    assert "Made-up report" in body  # a source's title, in the sources tables
    assert "Coverage is measured, not assumed" in body
    assert "Traceback" not in body and "jp-RenderedText" not in body  # no error, no print
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in body


# --- 01: attack tempo -----------------------------------------------------------------------

@pytest.mark.slow
def test_attack_tempo_findings_and_new_incidents(reports):
    text = _text(reports.get("01_attack_tempo").html)
    for expected in [
        "9 attacks on US and coalition forces are recorded from 1 December 2019 to 31 March "
        "2020. At least one attack falls in 5 of the 19 weeks (weeks run Monday to Sunday).",
        "The busiest weeks, with 3 attacks each, were the week of 2 December 2019 and the week "
        "of 30 December 2019.",
        "Main weapon: rocket in 5 of the 9 attacks",
        "Most attacked place: Test base, with 6 attacks; then Test airport 2 and Test outpost "
        "1.",
        "By country: Iraq 8 and Syria 1.",
        "3 attacks claimed by a group; 2 not claimed but attributed by a third party; 4 "
        "neither claimed nor attributed.",
        "US service members: 1 killed and 5 wounded, in the 3 attacks whose sources give a "
        "figure",
        "4 political events in the period, marked on the timeline: US strike 2, Iranian strike "
        "1 and parliament vote 1.",
        # the test tallies: 4 then 1 more attack in December, both held by the data
        "Coverage, measured against the officials' own running counts: over the 2 periods "
        "between their totals that these dates touch, officials counted 5 attacks and the data "
        "hold 5 (100%); 2 of the 2 reach 80%. 91 of the 122 days shown lie in no tallied "
        "period, so coverage there is unknown",
        # new since the last render: the two last incidents; one id seen then is gone
        "2 incidents shown here are new since the last render of this report (the last render "
        "saw 8 incident ids in the data):",
        "2020-01-13, Test base: rocket.",
        "2020-03-02, Test base: ballistic missile.",
        "1 incident id seen last time is no longer in the data (removed or renamed): "
        "2019-11-30-removed-test.",
        # the events table
        "Test missile strike on bases",
    ]:
        assert expected in text, expected
    assert "Test dialogue round" not in text  # 2021-04-07: outside the range


# --- 02: event study ------------------------------------------------------------------------

@pytest.mark.slow
def test_event_study_findings_table_and_sentences(reports):
    report = reports.get("02_event_study")
    text = _text(report.html)
    for expected in [
        "4 events from 29 December 2019 to 8 January 2020 (US strike 2, Iranian strike 1 and "
        "parliament vote 1), each compared over the 14 days before and the 14 days from the "
        "event (the event day counted in the after-window); attacks counted in Iraq.",
        # the test officials tallied December 2019 only: every window reaches into January
        "0 of the 4 window pairs lie in well-covered periods, where officials tallied every "
        "day and the data hold at least 80% of the attacks they counted; conclusions are drawn "
        "from those alone. Set aside: 4 reaching into days no official tallied.",
        "No window lies in a well-covered period, so the data support no conclusion about "
        "these events",
        "4 events have other studied events inside their windows",
        "First render: there is no earlier render of this report to compare with",
        # the window table: before/after windows and counts of the Iranian strike (8 Jan):
        # before 2019-12-25..2020-01-07 holds 12-31 and 01-05 (01-02 is in Syria), after 01-13
        "2019-12-25 to 2020-01-07 2020-01-08 to 2020-01-21 2 1 0.50 0.0085 to 9.6 1.00 partly "
        "in untallied days; too few attacks to say",
        # one sentence per event
        'In the 14 days from "Test missile strike on bases" (2020-01-08, counted in the '
        "after-window) there was 1 attack, against 2 in the 14 days before",
        "Exact",  # the method notes name the test
    ]:
        assert expected.lower() in text.lower(), expected
    assert text.count("Too few attacks to say anything") == 4


# --- 03: profiles ---------------------------------------------------------------------------

@pytest.mark.slow
def test_site_profile_facts_claims_and_casualties(reports):
    text = _text(reports.get("03_profile_site").html)
    for expected in [
        "Test base (military base or camp, Anbar, Iraq): 6 attacks recorded from 1 October "
        "2019 to 30 September 2024, the first on 3 December 2019 and the last on 2 March 2020.",
        "By year: 2019 3, 2020 3.",
        "Nothing new: every one of the 6 incidents shown was already in the data",
        "Also called: TB, Base of tests",
        "Coordinates: 33.8°N, 42.4°E, within about 10 km (basis: made up for tests)",
        "claimed: 3 (by Test front 1, Test militia 1 and Test umbrella 1)",
        "neither claimed nor attributed: 3",
        "Casualty figures are reported for 3 of the 6 attacks; the other 3 give none",
        "US service members: 1 killed (figure given for 3 attacks) and 5 wounded (figure given "
        "for 3 attacks)",
        "2020-01-05 Test base, US wounded: 2 (initial report, later revised,",
        "Sources differ on the rocket count",  # incident notes, in the incident table
    ]:
        assert expected in text, expected


@pytest.mark.slow
def test_actor_profile_keeps_claims_and_attributions_apart(reports):
    text = _text(reports.get("03_profile_actor").html)
    for expected in [
        "Test militia (armed group) claimed 1 attack from 1 December 2019 to 31 March 2020; a "
        "third party attributed 2 attacks to it.",
        "Reported to belong to: Test umbrella (as reported, not verified)",
        "Claimed by Test militia: 1 attack. 2020-01-05 Test base (rocket)",
        "Attributed to Test militia by a third party: 2 attacks. 2019-12-08 Test airport "
        "(mortar), attributed by Test ministry 2019-12-31 Test airport (rocket), attributed by "
        "Test ministry",
        "1 political event of the period names Test militia among its actors: 2019-12-29, US "
        "strike: Test strike on militia sites",
        "First render:",
    ]:
        assert expected in text, expected


# --- the notebooks themselves -------------------------------------------------------------

@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=[p.name for p in ALL_NOTEBOOKS])
def test_notebook_is_thin_and_declares_the_shared_parameters(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.cells[0].cell_type == "markdown"
    assert "What this report answers" in notebook.cells[0].source
    parameters = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1 and notebook.cells[1] is parameters[0]
    lines = parameters[0].source.splitlines()
    assert "data_dir = None" in parameters[0].source
    if path.name != "04_situation_report.ipynb":  # a brief is about one incident, not a period
        assert "previous_incident_ids_path = None" in parameters[0].source
    for line in lines:  # every parameter says its type and meaning
        assert re.fullmatch(r"\w+ = .+  # (str|int|bool|list of str|str or None): .+",
                            line), line
        assert line.count("=") == 1, f"papermill skips a line with two '=': {line}"
    allowed = (ast.Import, ast.ImportFrom, ast.Assign, ast.Expr)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            for statement in ast.parse(cell.source).body:
                assert isinstance(statement, allowed), f"logic in the notebook: {cell.source}"
            assert "lambda" not in cell.source and " for " not in cell.source


def _run_in_process(path: Path, parameters: dict[str, object], monkeypatch) -> dict:
    """Run a notebook's code cells in this process (no kernel), with ``parameters`` set after
    the parameters cell, and turn every cell's last value into what a report would show.

    Returns the notebook's namespace; under ``"__shown__"`` the text of every Markdown or HTML
    value a cell ended with (figures are serialised, not kept)."""
    import IPython.display
    import plotly.io

    monkeypatch.setattr(IPython.display, "display", lambda *args, **kwargs: None)
    monkeypatch.setattr(plotly.io.renderers, "default", plotly.io.renderers.default)
    namespace: dict[str, object] = {}
    shown: list[str] = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, str(path), "exec"), namespace)
        if "parameters" in cell.metadata.get("tags", []):
            namespace.update(parameters)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), str(path), "eval"), namespace)
            for method in ("to_json", "to_html", "_repr_markdown_"):
                if hasattr(value, method):
                    text = getattr(value, method)()
                    if method != "to_json":
                        shown.append(text)
                    break
    namespace["__shown__"] = shown
    return namespace


@pytest.mark.skipif(not (SHIPPED_DATA / "incidents.csv").is_file(), reason="no shipped data")
@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=[p.name for p in ALL_NOTEBOOKS])
def test_notebook_runs_with_its_defaults_on_the_shipped_data(path, monkeypatch):
    shown = _run_in_process(path, {}, monkeypatch)["__shown__"]
    if path.name == "04_situation_report.ipynb":  # the headline opens it, the sources close it
        assert shown[0] == "## Rocket attack on Ain al-Asad Air Base, Iraq, 24 May 2021"
        assert shown[-1].startswith('<ol class="sitrep-brief-sources">\n<li id="source-1">')
        return
    # the key findings open the report and the sources close it
    assert shown[0].startswith("- ") and "Coverage is measured, not assumed" in "".join(shown)
    assert "Sources" in shown[-1] or "<table" in shown[-1]


@pytest.mark.parametrize(("parameters", "message"), [
    pytest.param({"site_id": "", "actor_id": ""}, "give exactly one of site_id and actor_id",
                 id="neither site nor actor"),
    pytest.param({"site_id": "ain-al-asad", "actor_id": "kataib-hezbollah"}, "not both",
                 id="site and actor"),
    pytest.param({"site_id": "ain-al-assad"}, "unknown site_id value 'ain-al-assad': "
                 "allowed values are 'test-base', 'test-airport', 'test-outpost'",
                 id="unknown site"),
])
def test_profile_refuses_a_subject_it_cannot_profile(parameters, message, sample_data_dir,
                                                     monkeypatch):
    with pytest.raises(ValueError, match=re.escape(message)):
        _run_in_process(NOTEBOOKS / "03_profile.ipynb",
                        {"data_dir": str(sample_data_dir), **parameters}, monkeypatch)


def test_attack_tempo_refuses_an_unknown_weapon(sample_data_dir, monkeypatch):
    with pytest.raises(ValueError, match="unknown weapon_types value 'rockets': allowed values "
                                         "are 'rocket', 'mortar'"):
        _run_in_process(NOTEBOOKS / "01_attack_tempo.ipynb",
                        {"data_dir": str(sample_data_dir), "weapon_types": ["rockets"]},
                        monkeypatch)


@pytest.mark.parametrize(("path", "parameters", "expected"), [
    pytest.param("01_attack_tempo.ipynb", {"weapon_types": ["mortar"], "freq": "M"},
                 "At least one attack falls in 1 of the 60 months.",
                 id="01 one weapon, by month"),
    pytest.param("01_attack_tempo.ipynb", {"weapon_types": ["other_unknown"], "freq": "D"},
                 "No recorded incident matches this selection: there is nothing to count.",
                 id="01 nothing selected"),
    pytest.param("01_attack_tempo.ipynb", {"site_ids": ["test-outpost"], "countries": [],
                                           "event_categories": ["ceasefire"]},
                 "No political event of the selected categories falls in the period.",
                 id="01 a site without coordinates"),
    pytest.param("02_event_study.ipynb", {"event_categories": ["ceasefire"]},
                 "No event matches the selection (categories, event ids and dates)",
                 id="02 no event"),
    pytest.param("02_event_study.ipynb", {"event_ids": ["2021-04-07-test"], "countries": [],
                                          "start_date": "2019-10-01"},
                 "1 window pair holds no recorded attack at all, before or after.",
                 id="02 one event"),
    pytest.param("03_profile.ipynb", {"site_id": "test-outpost"},
                 "**Coordinates:** not recorded in the gazetteer", id="03 site in Syria"),
    pytest.param("03_profile.ipynb", {"site_id": "", "actor_id": "test-front",
                                      "start_date": "2021-01-01"},
                 "No attack is recorded here, so there are no casualties to report.",
                 id="03 actor, no attacks"),
])
def test_notebook_runs_on_edge_selections(path, parameters, expected, sample_data_dir,
                                          monkeypatch):
    namespace = _run_in_process(NOTEBOOKS / path,
                                {"data_dir": str(sample_data_dir), **parameters}, monkeypatch)
    assert any(expected in text for text in namespace["__shown__"]), expected


# --- figure behaviour the notebooks rely on -------------------------------------------------

def test_breakdown_of_few_attacks_has_whole_number_ticks(sample_data_dir):
    from sitrep_analysis import load_incidents
    from sitrep_analysis.figures import breakdown_figure

    incidents = load_incidents(sample_data_dir)
    assert breakdown_figure(incidents, "weapon_type").layout.xaxis.dtick == 1  # at most 5
    many = incidents.loc[incidents.index.repeat(3)]  # rockets: 15
    assert breakdown_figure(many, "weapon_type").layout.xaxis.dtick is None


def test_projectile_figure_of_attacks_without_counts_draws_empty(sample_data_dir):
    from sitrep_analysis import load_incidents
    from sitrep_analysis.figures import projectile_range_figure

    uncounted = load_incidents(sample_data_dir).iloc[[2]]  # 2019-12-08: no projectile count
    figure = projectile_range_figure(uncounted)
    assert len(figure.data) == 0
    assert list(figure.layout.xaxis.range) == pytest.approx([-0.5, 1.15 * 1.03])
