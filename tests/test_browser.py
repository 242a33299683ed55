"""The rendered reports opened from file:// in headless Chromium with every network request
refused: every figure must draw from the inline plotly.js and the map from its shipped country
shapes, with no errors and no request but the page itself; and text from the data that holds
HTML or Markdown must show as text and run nothing.

The reports are rendered once per session on the made-up test data (``report_renders`` in
conftest.py); one browser serves every test of this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.sample_data import HOSTILE_IMG, HOSTILE_MARKDOWN, HOSTILE_SCRIPT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"{CHROMIUM} is missing (Debian package `chromium`; "
                              ".ci/run installs it); Playwright must not download a browser"),
]

#: Figures in each report, and whether one of them is the map.
FIGURES = {
    "01_attack_tempo": 7,  # timeline, 4 breakdowns, projectile ranges, map
    "02_event_study": 2,  # forest plot, timeline
    "03_profile_site": 3,  # timeline, weapons, map
    "03_profile_actor": 3,
    "01_attack_tempo_hostile": 7,
}
WITH_MAP = {"01_attack_tempo", "03_profile_site", "03_profile_actor", "01_attack_tempo_hostile"}

# What the timeline of 01 holds for the test data from 2019-12-01 to 2020-03-31.
NONZERO_BAR_SEGMENTS = 7  # 2019-12-02: rocket+mortar, 12-09: drone, 12-30: rocket+IED,
#                           2020-01-13: rocket, 03-02: ballistic missile
EVENTS_IN_RANGE = 4
TIMELINE_LINES = 4  # the 4-week mean, the officials' count, reported troop level (solid),
#                    announced target (dashed)
#: The officials' test count covers December 2019 in two intervals (1-10, 11-31), both held in
#: full by the data: one shaded span behind the bars (adjacent spans of a kind are joined).
COVERAGE_SHAPES = 1

#: Per figure: is it drawn (a main SVG with a size), and for the timeline (the first figure)
#: its bars, markers, lines and legend; for the map, the country shapes' fill path.
DRAWN = """() => {
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  const drawn = plots.filter(plot => {
    const svg = plot.querySelector(':scope .main-svg');
    if (!svg) return false;
    const box = svg.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && plot.querySelector('.cartesianlayer, .layer-above');
  });
  const first = plots[0];
  const bars = first ? [...first.querySelectorAll('.barlayer .point path')].filter(path => {
    const box = path.getBBox();
    return box.width > 0 && box.height > 0;
  }) : [];
  const maps = plots.filter(plot => (plot.data || []).some(t => t.meta && t.meta.basemap));
  const shapes = maps.map(plot => {
    const index = plot.data.findIndex(t => t.meta && t.meta.basemap);
    const trace = plot.querySelectorAll('.scatterlayer .trace')[index];
    const fills = trace ? [...trace.querySelectorAll('path.js-fill')] : [];
    const rings = plot.data[index].meta.countries.reduce((n, c) => n + c.rings.length, 0);
    return {
      fills: fills.length,
      subpaths: fills.reduce((n, p) => n + ((p.getAttribute('d') || '').match(/M/g) || []).length,
                             0),
      rings: rings,
      countries: plot.data[index].meta.countries.length,
      area: fills.reduce((n, p) => { const b = p.getBBox(); return n + b.width * b.height; }, 0),
    };
  });
  return {
    plotly: typeof window.Plotly === 'object' && typeof window.Plotly.newPlot === 'function',
    divs: document.querySelectorAll('.plotly-graph-div').length,
    plots: plots.length,
    drawn: drawn.length,
    bars: bars.length,
    markers: first ? first.querySelectorAll('.scatterlayer .points path').length : 0,
    lines: first ? first.querySelectorAll('.scatterlayer .js-line').length : 0,
    coverageShapes: first ? [...first.querySelectorAll('.shapelayer path')].filter(path => {
      const box = path.getBBox();
      return box.width > 0 && box.height > 0;
    }).length : 0,
    legend: first ? [...first.querySelectorAll('.legendtext')].map(node => node.textContent) : [],
    maps: shapes,
    pwned: typeof window.__pwned !== 'undefined',
    onerror: document.querySelectorAll('[onerror]').length,
    javascriptLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
    text: document.body.innerText,
  };
}"""


@dataclass
class PageVisit:
    """What one report did in the browser."""

    drawn: dict
    requests: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def visits(browser, report_renders):
    """Each report opened once: name -> :class:`PageVisit` (opened on first use)."""
    cache: dict[str, PageVisit] = {}

    def visit(name: str) -> PageVisit:
        if name in cache:
            return cache[name]
        path = report_renders.get(name).path
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        seen = PageVisit(drawn={})

        def route(route):
            url = route.request.url
            seen.requests.append(url)
            if url.startswith("file://"):
                route.continue_()
            else:
                seen.outside_requests.append(url)
                route.abort()

        page.on("console", lambda message: message.type == "error"
                and seen.console_errors.append(message.text))
        page.on("pageerror", lambda error: seen.page_errors.append(str(error)))
        page.route("**/*", route)
        try:
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_function(
                "n => { const plots = [...document.querySelectorAll('.js-plotly-plot')];"
                " return plots.length >= n && plots.every(p => p.querySelector('.main-svg')); }",
                arg=FIGURES[name], timeout=20_000)
            seen.drawn = page.evaluate(DRAWN)
        finally:
            page.close()
        cache[name] = seen
        return seen

    return visit


@pytest.mark.parametrize("name", list(FIGURES))
def test_report_draws_every_figure_offline(visits, report_renders, name):
    seen = visits(name)
    drawn = seen.drawn
    assert drawn["plotly"]
    assert drawn["plots"] == drawn["divs"] == FIGURES[name], drawn["plots"]
    assert drawn["drawn"] == drawn["plots"]  # every figure has a drawn SVG
    assert seen.console_errors == []
    assert seen.page_errors == []
    assert seen.outside_requests == []
    assert seen.requests == [report_renders.get(name).path.as_uri()]  # the page, nothing else


@pytest.mark.parametrize("name", sorted(WITH_MAP))
def test_map_draws_its_country_shapes(visits, name):
    maps = visits(name).drawn["maps"]
    assert len(maps) == 1
    shapes = maps[0]
    assert shapes["countries"] >= 7  # Iraq and its neighbours at least
    assert shapes["fills"] >= 1 and shapes["area"] > 0
    assert shapes["subpaths"] >= shapes["rings"]  # one filled outline per ring


def test_timeline_of_the_attack_tempo_report(visits):
    drawn = visits("01_attack_tempo").drawn
    assert drawn["bars"] == NONZERO_BAR_SEGMENTS, drawn["bars"]
    assert drawn["markers"] == EVENTS_IN_RANGE, drawn["markers"]
    assert drawn["lines"] == TIMELINE_LINES, drawn["lines"]
    assert drawn["coverageShapes"] == COVERAGE_SHAPES, drawn["coverageShapes"]
    assert "Rocket" in drawn["legend"] and "US strike" in drawn["legend"]
    assert "Officials' count per week" in drawn["legend"]
    assert "data hold at least 80%" in drawn["legend"]


def test_html_in_the_data_shows_as_text_and_runs_nothing(visits):
    """Place names, notes, source titles and event titles hold an <img onerror>, a <script>
    and a Markdown link to javascript: (see sample_data.HOSTILE_TEXTS). The other narrative
    functions are checked the same way, without a browser, in test_narrative.py."""
    seen = visits("01_attack_tempo_hostile")
    drawn = seen.drawn
    assert drawn["pwned"] is False
    assert drawn["onerror"] == 0 and drawn["javascriptLinks"] == 0
    assert seen.page_errors == [] and seen.console_errors == []
    assert seen.outside_requests == [] and len(seen.requests) == 1  # no <img src=x> fetched
    text = drawn["text"]
    for payload in (HOSTILE_IMG, HOSTILE_SCRIPT, HOSTILE_MARKDOWN):
        assert payload in text, f"not shown as written: {payload}"
    # each field, where it shows: the sources table (place, source title), the new incidents
    # (their notes), the events table (event title)
    assert f"Test base {' '.join((HOSTILE_IMG, HOSTILE_SCRIPT))}" in text
    assert f'"Made-up report {HOSTILE_IMG}' in text
    assert f"rocket. {HOSTILE_IMG}" in text  # 2020-01-13: its notes are only the payload
    assert f"Test strike on militia sites {HOSTILE_IMG}" in text
