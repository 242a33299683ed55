"""The rendered reports opened from file:// in headless Chromium with every network request
refused: every figure must draw from the inline plotly.js and the map from its shipped country
shapes, with no errors and no request but the page itself; and text from the data that holds
HTML or Markdown must show as text and run nothing.

They must also read on a phone (390 x 844 px: plots keep most of the width, legends sit under
the plot, nothing but a wide table's own box scrolls sideways) and print on A4 (figures whole
and drawn at the paper's width, no contents, no figure controls).

The reports are rendered once per session on the made-up test data (``report_renders`` in
conftest.py); one browser serves every test of this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from sitrep_analysis.figures.offline import PRINT_WIDTH_PX
from tests.sample_data import HOSTILE_IMG, HOSTILE_MARKDOWN, HOSTILE_PLOTLY, HOSTILE_SCRIPT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

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
    "04_situation_report": 1,  # attacks per week up to the attack
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


DESKTOP = {"width": 1280, "height": 1000}


@dataclass
class PageVisit:
    """What one page did in the browser: every request it made (any but file:// refused), its
    console errors and uncaught errors; and ``drawn``, what the test read from the page."""

    drawn: dict = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (which must not fetch a browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@contextmanager
def open_page(browser: Browser, path: Path, viewport: dict[str, int] | None = None,
              **options: Any) -> Iterator[tuple[Page, PageVisit]]:
    """``path`` opened from file:// in a new page of ``browser`` (``viewport`` default
    :data:`DESKTOP`; ``options`` for ``new_page``), every other request refused: yields the
    page, loaded, and the :class:`PageVisit` recording its requests and errors. The page is
    closed on leaving."""
    page = browser.new_page(viewport=viewport or DESKTOP, **options)
    seen = PageVisit()

    def refuse_the_network(route: Route) -> None:
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
    page.route("**/*", refuse_the_network)
    try:
        page.goto(path.as_uri(), wait_until="load")
        yield page, seen
    finally:
        page.close()


def assert_offline_and_error_free(seen: PageVisit, path: Path) -> None:
    """No console or uncaught error, and no request but the page itself."""
    assert seen.console_errors == []
    assert seen.page_errors == []
    assert seen.outside_requests == []
    assert seen.requests == [path.as_uri()]  # the page, nothing else


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def visits(browser, report_renders):
    """Each report opened once: name -> :class:`PageVisit` (opened on first use)."""
    cache: dict[str, PageVisit] = {}

    def visit(name: str) -> PageVisit:
        if name not in cache:
            with open_page(browser, report_renders.get(name).path) as (page, seen):
                page.wait_for_function(
                    "n => { const plots = [...document.querySelectorAll('.js-plotly-plot')];"
                    " return plots.length >= n"
                    " && plots.every(p => p.querySelector('.main-svg')); }",
                    arg=FIGURES[name], timeout=20_000)
                seen.drawn = page.evaluate(DRAWN)
            cache[name] = seen
        return cache[name]

    return visit


@pytest.mark.parametrize("name", list(FIGURES))
def test_report_draws_every_figure_offline(visits, report_renders, name):
    seen = visits(name)
    drawn = seen.drawn
    assert drawn["plotly"]
    assert drawn["plots"] == drawn["divs"] == FIGURES[name], drawn["plots"]
    assert drawn["drawn"] == drawn["plots"]  # every figure has a drawn SVG
    assert_offline_and_error_free(seen, report_renders.get(name).path)


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
    for payload in (HOSTILE_IMG, HOSTILE_SCRIPT, HOSTILE_MARKDOWN, HOSTILE_PLOTLY):
        assert payload in text, f"not shown as written: {payload}"
    # each field, where it shows: the sources table (place, source title), the new incidents
    # (their notes), the events table (event title)
    assert f"Test base {' '.join((HOSTILE_IMG, HOSTILE_SCRIPT))}" in text
    assert f'"Made-up report {HOSTILE_IMG}' in text
    assert f"rocket. {HOSTILE_IMG}" in text  # 2020-01-13: its notes are only the payload
    assert f"Test strike on militia sites {HOSTILE_IMG}" in text


# --- a phone's screen --------------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}
#: The least share of the screen's width a figure's plot area may take on a phone.
PLOT_SHARE = 0.6

#: True once every figure is drawn and handed to the page's fitter, and no figure's height
#: changed since the last poll (the fitter redraws a figure until its legend and note fit).
SETTLED = """n => {
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  const heights = plots.map(plot => plot._fullLayout ? plot._fullLayout.height : 0).join();
  const settled = plots.length >= n && plots.every(plot => plot.sitrepWatched)
    && window.__heights === heights;
  window.__heights = heights;
  return settled;
}"""


def wait_until_settled(page: Page, figures: int) -> None:
    """Wait until the page's ``figures`` figures are drawn and fitted (:data:`SETTLED`)."""
    page.wait_for_function(SETTLED, arg=figures, polling=200, timeout=20_000)

#: Per figure, the plot area and what lies under it; and what runs past the screen's edge.
#: The plot area is the union of the figure's `.draglayer .nsewdrag` rectangles: Plotly lays
#: one over each cartesian subplot to catch drags, exactly the area inside the axes (no
#: margins, tick labels, legend or title). `.main-svg` would be the whole figure. The map is
#: cartesian too (country shapes on longitude and latitude axes, no geo subplot): its
#: rectangle is the map's frame.
ON_A_PHONE = """() => {
  const bottomOf = (nodes, fallback) => nodes.length
    ? Math.max(...nodes.map(node => node.getBoundingClientRect().bottom)) : fallback;
  const figures = [...document.querySelectorAll('.js-plotly-plot')].map(plot => {
    const areas = [...plot.querySelectorAll('.draglayer .nsewdrag')]
      .map(node => node.getBoundingClientRect());
    const left = Math.min(...areas.map(box => box.left));
    const right = Math.max(...areas.map(box => box.right));
    const bottom = Math.max(...areas.map(box => box.bottom));
    const legend = plot.querySelector('.legend');
    const legendBox = legend ? legend.getBoundingClientRect() : null;
    const axis = [...plot.querySelectorAll('.xaxislayer-above text, .g-xtitle text')];
    const notes = (plot._fullLayout.annotations || [])
      .map((note, index) => note.name === 'source'
        ? plot.querySelector(`.annotation[data-index="${index}"]`) : null)
      .filter(node => node);
    return {
      title: [...plot.querySelectorAll('.gtitle .line')].map(line => line.textContent)
        .join(' ') || (plot.querySelector('.gtitle') || {}).textContent,
      plotWidth: right - left,
      plotBottom: bottom,
      axisBottom: bottomOf(axis, bottom),
      legendTop: legendBox ? legendBox.top : null,
      legendBottom: legendBox ? legendBox.bottom : null,
      legendRight: legendBox ? legendBox.right : null,
      noteTop: notes.length ? notes[0].getBoundingClientRect().top : null,
      figureRight: plot.querySelector('.main-svg').getBoundingClientRect().right,
    };
  });
  // outside figures and tables (which scroll in their own box): nothing past the right edge,
  // and nothing that scrolls or clips sideways
  const outside = node => !node.closest('table, .js-plotly-plot');
  const name = node => `${node.tagName.toLowerCase()}.${String(node.className).split(' ')[0]}`;
  const nodes = [...document.querySelectorAll('body, body *')].filter(outside);
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    pastTheEdge: nodes.filter(node => node.getBoundingClientRect().right > innerWidth + 1)
      .map(name),
    sideways: nodes.filter(node => node.scrollWidth > node.clientWidth + 1
      && getComputedStyle(node).overflowX !== 'visible').map(name),
    tables: [...document.querySelectorAll('.jp-OutputArea-output table')].map(table => ({
      scrolls: table.scrollWidth > table.clientWidth,
      overflowX: getComputedStyle(table).overflowX,
      right: table.getBoundingClientRect().right,
    })),
    figures: figures,
  };
}"""


@pytest.fixture(scope="module")
def phone_visits(browser, report_renders):
    """Each report opened once on a phone's screen: name -> :class:`PageVisit`, ``drawn``
    holding what ON_A_PHONE found."""
    cache: dict[str, PageVisit] = {}

    def visit(name: str) -> PageVisit:
        if name not in cache:
            with open_page(browser, report_renders.get(name).path, PHONE, is_mobile=True,
                           has_touch=True) as (page, seen):
                wait_until_settled(page, FIGURES[name])
                seen.drawn = page.evaluate(ON_A_PHONE)
            cache[name] = seen
        return cache[name]

    return visit


@pytest.mark.parametrize("name", list(FIGURES))
def test_figures_keep_most_of_a_phones_width(phone_visits, report_renders, name):
    visit = phone_visits(name)
    assert_offline_and_error_free(visit, report_renders.get(name).path)
    figures = visit.drawn["figures"]
    assert len(figures) == FIGURES[name]
    widths = {figure["title"]: round(figure["plotWidth"]) for figure in figures}
    print(f"{name}: plot widths at {PHONE['width']} px: {widths}")
    least = PLOT_SHARE * PHONE["width"]
    assert all(width >= least for width in widths.values()), (least, widths)


@pytest.mark.parametrize("name", list(FIGURES))
def test_nothing_but_a_tables_own_box_scrolls_sideways_on_a_phone(phone_visits, name):
    seen = phone_visits(name).drawn
    assert seen["scrollWidth"] <= seen["innerWidth"] == PHONE["width"]
    assert seen["pastTheEdge"] == []
    assert seen["sideways"] == []
    for figure in seen["figures"]:
        assert figure["figureRight"] <= PHONE["width"]
    # a wide table stays within the screen and scrolls inside its own box
    for table in seen["tables"]:
        assert table["right"] <= PHONE["width"] and table["overflowX"] == "auto", table


@pytest.mark.parametrize("name", list(FIGURES))
def test_legends_sit_under_the_plot_and_its_axis_on_a_phone(phone_visits, name):
    """Top to bottom: plot, x axis, legend, source note; the legend no wider than the figure."""
    with_legend = [figure for figure in phone_visits(name).drawn["figures"]
                   if figure["legendTop"] is not None]
    assert with_legend
    for figure in with_legend:
        assert figure["legendTop"] > figure["plotBottom"], figure
        assert figure["legendTop"] >= figure["axisBottom"], figure
        assert figure["noteTop"] >= figure["legendBottom"], figure
        assert figure["legendRight"] <= figure["figureRight"] + 1, figure


def test_figures_follow_the_window_from_a_desktop_to_a_phones_width(browser, report_renders):
    """A report opened wide and then narrowed (a window made narrow, a tablet turned upright)
    redraws its figures at the new width, legends still under the plots."""
    name = "01_attack_tempo"
    path = report_renders.get(name).path
    with open_page(browser, path) as (page, visit):
        wait_until_settled(page, FIGURES[name])
        page.set_viewport_size(PHONE)
        page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')]"
                               ".every(plot => plot._fullLayout.width <= window.innerWidth)",
                               timeout=20_000)
        wait_until_settled(page, FIGURES[name])
        seen = page.evaluate(ON_A_PHONE)
    assert_offline_and_error_free(visit, path)
    assert seen["scrollWidth"] <= PHONE["width"] and seen["pastTheEdge"] == []
    for figure in seen["figures"]:
        assert figure["plotWidth"] >= PLOT_SHARE * PHONE["width"], figure
        if figure["legendTop"] is not None:
            assert figure["plotBottom"] < figure["legendTop"], figure
            assert figure["legendBottom"] <= figure["noteTop"], figure


# --- print --------------------------------------------------------------------------------------


PRINTED = """() => {
  const shown = node => getComputedStyle(node).display !== 'none'
    && getComputedStyle(node).visibility !== 'hidden';
  return {
    contents: [...document.querySelectorAll('.sitrep-contents')].map(shown),
    modebars: [...document.querySelectorAll('.modebar-container, .modebar')].map(shown),
    figures: [...document.querySelectorAll('.js-plotly-plot')].map(plot => {
      const box = plot.querySelector('.main-svg').getBoundingClientRect();
      return shown(plot) && box.width > 0 && box.height > 0;
    }),
    widths: [...document.querySelectorAll('.js-plotly-plot')]
      .map(plot => plot._fullLayout.width),
  };
}"""
PDF_PAGE = re.compile(rb"/Type\s*/Page[^s]")


def test_report_prints_whole_figures_without_contents_or_controls(browser, report_renders):
    name = "01_attack_tempo"
    path = report_renders.get(name).path
    with open_page(browser, path) as (page, visit):
        wait_until_settled(page, FIGURES[name])
        on_screen = page.evaluate(PRINTED)
        page.emulate_media(media="print")
        in_print = page.evaluate(PRINTED)
        # what the browser does when it prints: figures drawn at the paper's width, and after
        # printing at the page's again
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        for_paper = page.evaluate(PRINTED)["widths"]
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        wait_until_settled(page, FIGURES[name])
        after_printing = page.evaluate(PRINTED)["widths"]
        pdf = page.pdf(format="A4")

    assert_offline_and_error_free(visit, path)
    assert on_screen["contents"] == [True] and in_print["contents"] == [False]
    assert on_screen["modebars"] and not any(in_print["modebars"])
    assert len(in_print["figures"]) == FIGURES[name] and all(in_print["figures"])
    assert all(width > PRINT_WIDTH_PX for width in on_screen["widths"])
    assert for_paper == [PRINT_WIDTH_PX] * FIGURES[name]
    assert all(width > PRINT_WIDTH_PX for width in after_printing)

    assert pdf.startswith(b"%PDF-")
    pages = len(PDF_PAGE.findall(pdf))
    print(f"{name} printed on {pages} A4 pages")
    # seven figures, a page or so of text and two tables; each figure kept whole
    assert 4 <= pages <= 16, pages


def test_the_may_2021_brief_prints_on_two_pages(browser, tmp_path):
    """The brief on the shipped data, printed as a reader would (the page told it prints):
    about two A4 pages, the figure whole, sources and footer included."""
    from sitrep_analysis import load_all
    from sitrep_analysis.brief.report import render_brief
    from tests.helpers import SHIPPED_DATA

    rendered = render_brief(load_all(SHIPPED_DATA), "2021-05-24-ain-al-asad",
                            tmp_path / "brief.html")
    with open_page(browser, rendered.path) as (page, visit):
        wait_until_settled(page, 1)
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        wait_until_settled(page, 1)
        in_print = page.evaluate(PRINTED)
        pdf = page.pdf(format="A4")
    assert_offline_and_error_free(visit, rendered.path)
    assert in_print["contents"] == [False] and all(in_print["figures"])
    pages = len(PDF_PAGE.findall(pdf))
    print(f"the 2021-05-24 brief printed on {pages} A4 pages")
    assert pages == 2, pages


#: In the figures: links Plotly drew, bold type it set, and whether the markup shows as text.
FIGURE_MARKUP = """() => {
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  return {
    links: plots.reduce((n, plot) => n + plot.querySelectorAll('svg a').length, 0),
    bold: plots.reduce((n, plot) => n + [...plot.querySelectorAll('svg tspan')]
      .filter(t => (t.getAttribute('style') || '').includes('font-weight:bold')).length, 0),
    text: plots.map(plot => [...plot.querySelectorAll('svg text')].map(t => t.textContent)
      .join(' ')).join(' '),
  };
}"""


def test_markup_plotly_would_render_shows_as_text_in_every_figure(browser, report_renders):
    """Site, actor and event names holding <a href> and <b> (sample_data.HOSTILE_PLOTLY) reach
    the breakdown bars, the projectile ranges and the timeline: no live link, no bold type."""
    name = "01_attack_tempo_hostile"
    path = report_renders.get(name).path
    with open_page(browser, path) as (page, visit):
        wait_until_settled(page, FIGURES[name])
        markup = page.evaluate(FIGURE_MARKUP)
    assert_offline_and_error_free(visit, path)
    assert markup["links"] == 0 and markup["bold"] == 0
    assert "<b>bold</b>" in markup["text"] and '<a href="https://example.org/x">' in \
        markup["text"].replace("\u00a0", " ")
