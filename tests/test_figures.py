"""The timeline figure's traces, the house template, and the offline renderer's output."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from sitrep_analysis.columns import FIELDS
from sitrep_analysis.figures import (
    EVENT_COLOURS,
    TEMPLATE_NAME,
    WEAPON_COLOURS,
    OfflineFigureRenderer,
    breakdown_figure,
    category_label,
    event_forest_figure,
    plotly_js_html,
    projectile_range_figure,
    timeline_figure,
)
from tests.sample_data import events_frame, incidents_frame, troop_levels_frame

START, END = "2019-12-01", "2020-03-31"


@pytest.fixture(scope="module")
def figure() -> go.Figure:
    return timeline_figure(incidents_frame(), events_frame(), troop_levels_frame(),
                           freq="W", start=START, end=END)


def _traces(figure: go.Figure, kind: str) -> list:
    return [trace for trace in figure.data if trace.type == kind]


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
    notes = [a.text for a in figure.layout.annotations if a.text.startswith("Source:")]
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
    assert all("there w" in text or "No attacks" in text
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
        hover.replace("<br>", " "))
