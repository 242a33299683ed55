"""The timeline figure's traces, the house template, and the offline renderer's output."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from sitrep_analysis.columns import FIELDS
from sitrep_analysis.figures import (
    EVENT_COLOURS,
    LABEL_CHARS,
    TEMPLATE_NAME,
    TITLE_CHARS,
    WEAPON_COLOURS,
    OfflineFigureRenderer,
    breakdown_figure,
    category_label,
    estimated_legend_px,
    event_forest_figure,
    house_layout,
    legend_name,
    line_count,
    plotly_js_html,
    projectile_range_figure,
    timeline_figure,
    wrap_text,
)
from tests.sample_data import events_frame, incidents_frame, troop_levels_frame

START, END = "2019-12-01", "2020-03-31"


@pytest.fixture(scope="module")
def figure() -> go.Figure:
    return timeline_figure(incidents_frame(), events_frame(), troop_levels_frame(),
                           freq="W", start=START, end=END)


def _traces(figure: go.Figure, kind: str) -> list:
    return [trace for trace in figure.data if trace.type == kind]


def _unwrapped(text: str) -> str:
    """Plotly text as one line: the figures wrap titles, notes and hover text with <br>."""
    return text.replace("<br>", " ")


def test_one_stacked_bar_trace_per_weapon_type(figure):
    bars = _traces(figure, "bar")
    weapons = list(FIELDS["weapon_type"].allowed or ())
    assert [bar.name for bar in bars] == [category_label("weapon_type", w) for w in weapons]
    assert [bar.marker.color for bar in bars] == [WEAPON_COLOURS[w] for w in weapons]
    assert figure.layout.barmode == "stack"
    assert all(bar.yaxis == "y" for bar in bars)
    assert sum(sum(bar.y) for bar in bars) == 9  # every test incident lies in the range
    # only weeks with attacks of the weapon carry a segment (an empty week stacks nothing)
    by_name = {bar.name: bar for bar in bars}
    rockets = by_name[category_label("weapon_type", "rocket")]
    assert [f"{x:%m-%d}" for x in pd.to_datetime(rockets.x)] == ["12-02", "12-30", "01-13"]
    assert list(rockets.y) == [2, 2, 1]  # 12-03 and 12-05; 12-31 and 01-05; 01-13
    assert list(by_name[category_label("weapon_type", "other_unknown")].x) == []


def test_one_marker_per_event_in_range(figure):
    markers = [trace for trace in _traces(figure, "scatter") if trace.mode == "markers"]
    dates = sorted(pd.Timestamp(x) for trace in markers for x in trace.x)
    # 2021-04-07 (strategic dialogue) lies outside the range
    assert dates == [pd.Timestamp(d) for d in
                     ("2019-12-29", "2020-01-03", "2020-01-05", "2020-01-08")]
    by_name = {trace.name: trace for trace in markers}
    strikes = by_name[category_label("category", "us_strike")]
    assert strikes.marker.color == EVENT_COLOURS["us_strike"]
    assert list(strikes.customdata) == ["Test strike on militia sites",
                                        "Test strike at the airport"]
    assert "%{customdata}" in strikes.hovertemplate and "US strike" in strikes.hovertemplate
    assert all(trace.yaxis == "y3" for trace in markers)


def test_troop_levels_are_steps_on_the_second_axis(figure):
    lines = [trace for trace in _traces(figure, "scatter")
             if trace.mode == "lines" and trace.legendgroup == "troops"]
    assert [(trace.name, trace.yaxis, trace.line.shape, trace.line.dash) for trace in lines] == [
        ("Reported level", "y2", "hv", "solid"),
        ("Announced target", "y2", "hv", "dash"),
    ]
    assert list(lines[0].y) == [5200, 5500, 5500]
    assert figure.layout.yaxis2.overlaying == "y"
    assert figure.layout.yaxis2.side == "right"


def test_titles_units_and_source_line(figure):
    assert "troops" in figure.layout.yaxis2.title.text
    assert "(count)" in figure.layout.yaxis.title.text
    assert figure.layout.title.text
    notes = [_unwrapped(a.text) for a in figure.layout.annotations
             if a.text.startswith("Source:")]
    assert len(notes) == 1
    assert "9 rows" in notes[0] and "2019-12-01 to 2020-03-31" in notes[0]
    assert "2019-10-01 to 2024-09-30" in notes[0]  # the dataset's coverage


def test_monthly_figure_and_empty_inputs():
    monthly = timeline_figure(incidents_frame(), events_frame(), troop_levels_frame(), freq="M")
    rockets = _traces(monthly, "bar")[0]
    assert list(rockets.y) == [3, 2]  # December (12-03, 12-05, 12-31), January (01-05, 01-13)
    empty = timeline_figure(incidents_frame().iloc[:0], events_frame().iloc[:0],
                            troop_levels_frame().iloc[:0], start=START, end=END)
    assert len(_traces(empty, "bar")) == len(WEAPON_COLOURS)


def test_template_is_registered():
    assert TEMPLATE_NAME in pio.templates
    figure = timeline_figure(incidents_frame(), events_frame(), troop_levels_frame())
    assert figure.layout.template.layout.font.family == \
        pio.templates[TEMPLATE_NAME].layout.font.family


def test_renderer_bundle_has_json_for_lab_and_html_without_plotly_js(figure):
    bundle = OfflineFigureRenderer().to_mimebundle(figure.to_dict())
    assert set(bundle) == {"application/vnd.plotly.v1+json", "text/html"}
    assert bundle["application/vnd.plotly.v1+json"]["data"][0]["type"] == "bar"
    html = bundle["text/html"]
    assert "Plotly.newPlot(" in html
    assert "plotly.js v" not in html  # the library itself is displayed once, elsewhere
    assert "cdn" not in html.lower() and "mathjax" not in html.lower()
    assert "<script src" not in html


def test_plotly_js_html_embeds_the_library_once():
    html = plotly_js_html()
    assert html.count("* plotly.js v") == 1
    assert "window.Plotly = Plotly" in html
    assert "src=" not in html.split(">", 1)[0]


# --- rolling mean, event study, breakdowns, projectile ranges ----------------------------------

def test_timeline_rolling_mean_line(figure):
    lines = [t for t in _traces(figure, "scatter") if t.name == "4-week mean"]
    assert len(lines) == 1 and lines[0].yaxis == "y"
    # weekly totals from 2019-11-25: 0, 3, 1, 0, 0, 3, 0, 1, 0 ...: the first mean over four
    # weeks (to 2019-12-16) is (0 + 3 + 1 + 0) / 4
    assert list(lines[0].y[:3]) == [None, None, None] or pd.isna(lines[0].y[:3]).all()
    assert lines[0].y[3] == pytest.approx(1.0)
    assert lines[0].y[5] == pytest.approx((1 + 0 + 0 + 3) / 4)
    assert not any(t.name == "4-week mean" for t in timeline_figure(
        incidents_frame(), events_frame(), troop_levels_frame(), start=START, end=END,
        rolling=None).data)


def _windows() -> pd.DataFrame:
    from sitrep_analysis.analysis import event_windows

    events = events_frame().assign(event_id=lambda f: [f"e{i}" for i in range(len(f))])
    return event_windows(incidents_frame(), events, days=14, coverage=None)


def test_forest_plot_has_one_row_per_event_on_a_log_axis():
    windows = _windows()
    figure = event_forest_figure(windows)
    assert figure.layout.xaxis.type == "log"
    assert len(figure.layout.yaxis.categoryarray) == len(windows) == 5
    assert any(shape.x0 == 1 and shape.x1 == 1 for shape in figure.layout.shapes)
    # every event is hoverable exactly once: a ratio marker, or an "undefined" cross
    hoverable = [t for t in figure.data if t.mode == "markers" and t.hovertemplate]
    assert sorted(y for t in hoverable for y in t.y) == sorted(figure.layout.yaxis.categoryarray)
    points = [t for t in hoverable if t.name in {category_label("category", c)
                                                 for c in FIELDS["category"].allowed}]
    finite = windows[(windows["rate_ratio"] > 0) & (windows["rate_ratio"] < float("inf"))]
    assert sorted(x for t in points for x in t.x) == sorted(finite["rate_ratio"])
    assert all("there w" in _unwrapped(text) or "No attacks" in _unwrapped(text)
               for t in hoverable for text in t.customdata)


def test_forest_plot_clips_zero_and_infinite_bounds_to_the_axis_with_arrows():
    windows = _windows()
    figure = event_forest_figure(windows)
    low, high = (10 ** v * (1 + sign * 1e-9) for v, sign in zip(figure.layout.xaxis.range,
                                                                 (-1, 1), strict=True))
    intervals = [t for t in figure.data if t.mode == "lines"]
    xs = [x for t in intervals for x in t.x if x is not None]
    assert min(xs) >= low and max(xs) <= high
    assert (windows["ci_high"] == float("inf")).any()
    arrows = [t for t in figure.data if t.mode == "markers"
              and t.marker.symbol in ("triangle-left", "triangle-right")]
    assert sum(len(t.x) for t in arrows) == int((windows["ci_high"] >= high).sum()
                                                + (windows["ci_low"] <= low).sum())


def test_breakdown_bars_sum_to_the_incidents_and_use_names():
    incidents = incidents_frame().assign(site_id=["a", "a", "b", "a", "b", "b", "b", "c", "a"])
    figure = breakdown_figure(incidents, "site_id", names={"a": "Alpha", "b": "Bravo"})
    bars = _traces(figure, "bar")
    assert sum(sum(bar.x) for bar in bars) == 9
    assert list(figure.layout.yaxis.categoryarray) == ["c", "Bravo", "Alpha"]  # largest on top
    totals: dict[str, int] = {}
    for bar in bars:
        for y, x in zip(bar.y, bar.x, strict=True):
            totals[y] = totals.get(y, 0) + x
    assert totals == {"Alpha": 4, "Bravo": 4, "c": 1}
    weapons = breakdown_figure(incidents, "weapon_type")
    assert not weapons.layout.showlegend


def test_breakdown_keeps_empty_claims_as_their_own_bar():
    incidents = incidents_frame().assign(claimed_by=[None] * 7 + ["group-y", "group-y"])
    figure = breakdown_figure(incidents, "claimed_by")
    assert set(figure.layout.yaxis.categoryarray) == {"(not claimed)", "group-y"}


def test_projectile_ranges_show_disagreement():
    incidents = incidents_frame().head(3).assign(
        incident_id=["x", "y", "z"], projectiles_low=pd.array([10, 3, None], dtype="Int64"),
        projectiles_high=pd.array([18, None, 12], dtype="Int64"))
    claims = pd.DataFrame({"record_table": "incidents", "record_id": ["x", "x", "x"],
                           "field_name": "projectiles", "claimed_value": ["10", "15", "18"],
                           "value_qualifier": ["exact", "initial", "about"],
                           "sources": ["ACLED", "Newsweek", "OIR"]})
    figure = projectile_range_figure(incidents, claims)
    lines = [t for t in figure.data if t.mode == "lines"]
    segments = [(t.x[i], t.x[i + 1]) for t in lines for i in range(0, len(t.x), 3)]
    edge = 18 * 1.15
    assert sorted(segments) == sorted([(10, 18), (3, edge), (0.0, 12)])
    hover = " ".join(text for t in figure.data if t.customdata is not None
                     for text in t.customdata)
    assert "10 to 18 rockets" in hover and "at least 3 rockets" in hover
    assert "up to 12 mortars" in hover
    assert "Sources disagree: 10 (exact): ACLED; 15 (initial): Newsweek; 18 (about): OIR" in (
        _unwrapped(hover))


# --- the house layout: legends under the plot, wrapped text, figures as wide as the page ------

def test_the_template_styles_exactly_the_trace_types_the_figures_draw():
    """Plotly copies the template into every figure: it holds the types drawn, no more."""
    from sitrep_analysis.figures.style import TEMPLATE_TRACE_TYPES

    # the map draws go.Scatter too (polygons and markers on cartesian axes, see maps.py)
    drawn = {trace.type for figure in _every_figure().values() for trace in figure.data}
    assert drawn == set(TEMPLATE_TRACE_TYPES) == {"bar", "scatter"}
    assert set(pio.templates[TEMPLATE_NAME].to_plotly_json()["data"]) == drawn


def _every_figure() -> dict[str, go.Figure]:
    incidents = incidents_frame()
    return {
        "timeline": timeline_figure(incidents, events_frame(), troop_levels_frame(),
                                    start=START, end=END),
        "forest": event_forest_figure(_windows()),
        "breakdown": breakdown_figure(incidents.assign(site_id=["a"] * 5 + ["b"] * 4),
                                      "site_id"),
        "projectiles": projectile_range_figure(incidents.head(3).assign(
            incident_id=["x", "y", "z"], projectiles_low=pd.array([10, 3, None], dtype="Int64"),
            projectiles_high=pd.array([18, None, 12], dtype="Int64"))),
    }


@dataclass(frozen=True)
class HouseLayout:
    """Where house_layout puts things, in pixels: the top margin (title and subtitle), the
    legend's and the source note's tops under the plot's bottom edge, the bottom margin, and
    the figure's height."""

    top: int
    legend_below: float
    note_below: float
    bottom: int
    height: int


#: Worked out by hand from figures.style's sizes: top = 12 (pad) + 22 per title line + 17 per
#: subtitle line + 14 (gap); the legend 14 under the x axis (date axis 62, number axis 46 plus
#: 17 per extra line of its title); the note 14 under the legend (19 per row of entries + 6);
#: bottom = note + 15 per note line + 14; height = top + plot + bottom.
HOUSE_LAYOUTS = {
    # title 2 lines, subtitle 2: 12 + 44 + 34 + 14. Legend under the date axis, 62 + 14; 8
    # rows (the attacks group: its title, 6 weapons, the mean), 158. Note 6 lines. Plot: bars
    # 320 + gap 36 + a lane of 3 two-line rows (3 * 40 + 10).
    "timeline": HouseLayout(top=104, legend_below=76, note_below=76 + 158 + 14,
                            bottom=248 + 90 + 14, height=104 + 486 + 352),
    # title 2, subtitle 3: 12 + 44 + 51 + 14. Axis title on 2 lines: 46 + 17, + 14. Legend: the
    # interval, the events group (title, 3 categories) and the crosses side by side, 4 rows,
    # 82. Note 7 lines. Plot: 40 + 5 rows of 4-line labels (5 * 72).
    "forest": HouseLayout(top=121, legend_below=77, note_below=77 + 82 + 14,
                          bottom=173 + 105 + 14, height=121 + 400 + 292),
    # title 1, subtitle 2: 12 + 22 + 34 + 14. Number axis 46 + 14. Legend: 6 weapons in one row,
    # 25. Note 5 lines. Plot: 40 + 2 one-line rows of 28.
    "breakdown": HouseLayout(top=82, legend_below=60, note_below=60 + 25 + 14,
                             bottom=99 + 75 + 14, height=82 + 96 + 188),
    # title 2, subtitle 3: 121 as the forest plot's. Legend: 2 weapons in one row, 25. Note 5
    # lines. Plot: 40 + 3 two-line rows of 40.
    "projectiles": HouseLayout(top=121, legend_below=60, note_below=60 + 25 + 14,
                               bottom=99 + 75 + 14, height=121 + 160 + 188),
}


def assert_house_layout(name: str, figure: go.Figure, expected: HouseLayout) -> None:
    """The figure's margins, legend, source note (its last annotation) and height are as
    ``expected``: under the plot the x axis, the legend, the note, each with room. test_maps
    checks the map with it."""
    layout = figure.layout
    plot_px = layout.height - layout.margin.t - layout.margin.b
    note = layout.annotations[-1]
    assert note.name == "source" and note.text.startswith("Source:"), name
    assert (layout.margin.t, layout.margin.b, layout.height) == (
        expected.top, expected.bottom, expected.height), name
    assert -layout.legend.y * plot_px == pytest.approx(expected.legend_below), name
    assert -note.yshift == expected.note_below, name


def test_every_figure_has_its_legend_in_rows_under_the_plot_then_the_note():
    template = pio.templates[TEMPLATE_NAME].layout.legend
    assert (template.orientation, template.yanchor, template.xref, template.yref) == (
        "h", "top", "paper", "paper")
    for name, figure in _every_figure().items():
        assert_house_layout(name, figure, HOUSE_LAYOUTS[name])


def test_house_layout_wraps_an_axis_title_and_moves_the_legend_under_it():
    """A bare figure, worked out by hand: a one-line title and subtitle (12 + 22 + 17 + 14 =
    65 on top); the axis title on 2 lines (46 + 17 deep), the legend 14 under it; two entries
    in one row (25 px); a one-line note 14 under the legend."""
    figure = go.Figure([go.Bar(name=legend_name("Rocket")), go.Bar(name=legend_name("Drone"))])
    house_layout(figure, title="Title", subtitle="Subtitle", note="Source: test", plot_px=200,
                 axis_title="An axis title long enough to take two lines")
    assert figure.layout.xaxis.title.text == (
        "An axis title long enough to take<br>two lines")
    assert_house_layout("bare", figure, HouseLayout(
        top=65, legend_below=77, note_below=77 + 25 + 14, bottom=116 + 15 + 14,
        height=65 + 200 + 145))
    assert figure.layout.title.pad.t == 12  # one title line: no shift


def test_legend_estimate_counts_group_columns_and_rows():
    figure = _every_figure()["timeline"]
    # three groups side by side at a notebook column's width; the tallest (attacks) has its
    # title and seven entries: six weapons and the 4-week mean
    assert estimated_legend_px(figure) == 8 * 19 + 6
    # on a phone the groups go one under the other: attacks, troops (title and two lines)
    # and events (title and three categories)
    assert estimated_legend_px(figure, width=300) == (8 + 3 + 4) * 19 + 6
    assert estimated_legend_px(breakdown_figure(incidents_frame(), "weapon_type")) == 0


def test_wrap_text_breaks_at_spaces_and_escapes_each_line():
    assert wrap_text("Attacks by group claiming the attack", 16) == (
        "Attacks by group<br>claiming the<br>attack")
    wrapped = wrap_text("Base <img src=x onerror=alert(1)> & co", 12)
    assert "<img" not in wrapped and "&lt;img" in wrapped and "&amp; co" in wrapped
    lines = wrapped.split("<br>")
    assert all(len(line.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
               <= 12 for line in lines)
    assert wrap_text("2020-01-03\nA title", 40) == "2020-01-03<br>A title"


def test_long_titles_and_row_labels_wrap_and_stay_inert():
    incidents = incidents_frame().assign(site_id=["a"] * 5 + ["b"] * 4)
    names = {"a": "Ain al-Asad Air Base, western Anbar province",
             "b": "Test base <script>alert(1)</script>"}
    figure = breakdown_figure(incidents, "site_id", names=names)
    labels = list(figure.layout.yaxis.categoryarray)
    assert all(line_count(label) > 1 for label in labels)
    assert all(len(line) <= LABEL_CHARS for line in labels[-1].split("<br>"))
    # no markup but the line breaks: the name's < and > are escaped, wrapped or not
    assert not re.search("[<>]", " ".join(labels).replace("<br>", ""))
    assert "Test base &lt;scr" in labels[0] or "Test base &lt;scr" in labels[1]
    assert {y for bar in _traces(figure, "bar") for y in bar.y} == set(labels)
    title = _every_figure()["timeline"].layout.title.text
    assert line_count(title) == 2 and all(len(line) <= TITLE_CHARS for line in
                                          title.split("<br>"))


def test_renderer_lets_the_figure_take_its_containers_width(figure):
    fixed = go.Figure(figure).update_layout(width=1400)
    html = OfflineFigureRenderer().to_mimebundle(fixed.to_dict())["text/html"]
    assert '"width":1400' not in html.replace(" ", "")
    assert "width:100%" in html.replace(" ", "")
    assert '"responsive":true' in html.replace(" ", "")
    assert "window.sitrepFigures.watch(document.getElementById(" in html
    assert "window.sitrepFigures = window.sitrepFigures ||" in plotly_js_html()


PLOTLY_MARKUP = '<a href="https://example.org/x">link</a> <b>bold</b>'


def _strings(value: object) -> list[str]:
    """Every string anywhere in a figure's JSON (names, labels, hover text, custom data)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    if hasattr(value, "tolist"):
        return _strings(value.tolist())
    return []


def test_names_from_the_data_reach_plotly_escaped_everywhere():
    """Plotly renders <a href> as a live link and <b> as bold in labels, legends and hover
    text: a site, actor or detail holding them must reach every part of a figure escaped."""
    incidents = incidents_frame().head(3).assign(
        incident_id=["x", "y", "z"], site_id=["a", "b", "a"],
        site_name=[f"Base {PLOTLY_MARKUP}"] * 3, weapon_detail=[PLOTLY_MARKUP] * 3,
        projectiles_low=pd.array([10, 3, None], dtype="Int64"),
        projectiles_high=pd.array([18, None, 12], dtype="Int64"))
    claims = pd.DataFrame({"record_table": "incidents", "record_id": ["x"],
                           "field_name": "projectiles", "claimed_value": ["10"],
                           "value_qualifier": ["exact"], "sources": [PLOTLY_MARKUP]})
    events = events_frame().assign(title=f"Strike {PLOTLY_MARKUP}")
    figures = {
        "breakdown": breakdown_figure(incidents, "site_id",
                                      names={"a": f"Alpha {PLOTLY_MARKUP}", "b": PLOTLY_MARKUP}),
        "projectiles": projectile_range_figure(incidents, claims),
        "timeline": timeline_figure(incidents, events, troop_levels_frame(), start=START,
                                    end=END),
    }
    for name, figure in figures.items():
        strings = _strings(figure.to_plotly_json())
        assert any("&lt;b&gt;bold&lt;/b&gt;" in s for s in strings), name
        raw = [s for s in strings if "<a href" in s or "<b>bold" in s]
        assert not raw, (name, raw[:3])


#: A name from the data holding markup Plotly would render, short and too long for one line of
#: a legend (32 characters), and how Plotly must get it: escaped once, quotes as they are.
MARKED_UP = '<b>x</b> & "y"'
MARKED_UP_LONG = f"{MARKED_UP} at a base whose name runs past one line"
ESCAPED = '&lt;b&gt;x&lt;/b&gt; &amp; "y"'


def assert_escaped_once(name: str, figure: go.Figure) -> None:
    """The figure shows :data:`ESCAPED` somewhere (lines joined), never the raw markup, and
    never an entity escaped twice. test_maps checks the map with it."""
    strings = _strings(figure.to_plotly_json())
    assert any(ESCAPED in text.replace("<br>", " ") for text in strings), name
    assert not [text for text in strings if "<b>x" in text], name
    assert not [text for text in strings if re.search("&amp;(amp|lt|gt);", text)], name


@pytest.mark.parametrize("text", [MARKED_UP, MARKED_UP_LONG])
def test_site_actor_and_event_names_reach_every_figure_escaped_once(text):
    from sitrep_analysis.analysis import event_windows

    incidents = incidents_frame().head(3).assign(
        incident_id=["x", "y", "z"], site_id=["a", "b", "a"], site_name=text,
        claimed_by=["m", "m", None], projectiles_low=pd.array([10, 3, None], dtype="Int64"),
        projectiles_high=pd.array([18, None, 12], dtype="Int64"))
    events = events_frame().assign(title=text, event_id=[f"e{i}" for i in range(5)])
    windows = event_windows(incidents_frame(), events, days=14, coverage=None)
    figures = {
        "sites": breakdown_figure(incidents, "site_id", names={"a": text}),
        "actors": breakdown_figure(incidents, "claimed_by", names={"m": text}),
        "projectiles": projectile_range_figure(incidents),
        "timeline": timeline_figure(incidents, events, troop_levels_frame(), start=START,
                                    end=END),
        "forest": event_forest_figure(windows),
        "forest title": event_forest_figure(windows.assign(title="plain"), title=text),
    }
    for name, figure in figures.items():
        assert_escaped_once(name, figure)


def test_legend_names_are_escaped_once_short_or_long():
    """Trace names are escaped (and wrapped) where the traces are built, by legend_name; the
    house layout leaves them as they are."""
    figure = go.Figure([go.Bar(name=legend_name(MARKED_UP)),
                        go.Bar(name=legend_name(MARKED_UP_LONG))])
    house_layout(figure, title=MARKED_UP, subtitle="Subtitle", note="Source: test",
                 plot_px=200)
    assert [trace.name for trace in figure.data] == [
        ESCAPED, f"{ESCAPED} at a base whose<br>name runs past one line"]
    assert figure.layout.title.text == ESCAPED


def test_legend_estimate_counts_escaped_names_as_read():
    """Two entries named "R&D & M&A & Q&A": 15 characters as read, 35 escaped. As read, both
    fit one row of 300 px (2 * (50 + 15 * 6.6) = 298): 19 + 6."""
    figure = go.Figure([go.Bar(name=legend_name("R&D & M&A & Q&A")) for _ in range(2)])
    assert estimated_legend_px(figure, width=300) == 25
