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
    category_label,
    plotly_js_html,
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
    weeks = pd.date_range("2019-11-25", "2020-03-30", freq="W-MON")
    assert all(list(pd.to_datetime(bar.x)) == list(weeks) for bar in bars)  # zero-filled


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
    lines = [trace for trace in _traces(figure, "scatter") if trace.mode == "lines"]
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
    assert len(_traces(monthly, "bar")[0].x) == 4
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
