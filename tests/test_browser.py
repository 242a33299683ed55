"""The rendered report opened from file:// in headless Chromium with every network request
refused: the figure must draw from the inline plotly.js, with no errors and no request."""

from __future__ import annotations

from pathlib import Path

import pytest

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

# What the figure holds for the test data from 2019-12-01 to 2020-03-31 (see sample_data.py).
NONZERO_BAR_SEGMENTS = 7  # 2019-12-02: rocket+mortar, 12-09: drone, 12-30: rocket+IED,
#                           2020-01-13: rocket, 03-02: ballistic missile
EVENTS_IN_RANGE = 4
TROOP_LINES = 2  # reported (solid) and announced target (dashed)

DRAWN = """() => {
  const plot = document.querySelector('.js-plotly-plot');
  const svg = plot && plot.querySelector('.main-svg');
  const bars = [...plot.querySelectorAll('.barlayer .point path')].filter(path => {
    const box = path.getBBox();
    return box.width > 0 && box.height > 0;
  });
  return {
    svg: Boolean(svg),
    plotly: typeof window.Plotly === 'object' && typeof window.Plotly.newPlot === 'function',
    bars: bars.length,
    markers: plot.querySelectorAll('.scatterlayer .points path').length,
    lines: plot.querySelectorAll('.scatterlayer .js-line').length,
    legend: [...plot.querySelectorAll('.legendtext')].map(node => node.textContent),
  };
}"""


def test_report_draws_offline_in_chromium(rendered_report, tmp_path):
    from playwright.sync_api import sync_playwright

    console_errors: list[str] = []
    page_errors: list[str] = []
    outside_requests: list[str] = []

    def refuse_network(route):
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            outside_requests.append(url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.on("console", lambda message: message.type == "error"
                    and console_errors.append(message.text))
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.route("**/*", refuse_network)
            page.goto(rendered_report.path.as_uri(), wait_until="load")
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
            drawn = page.evaluate(DRAWN)
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()

    assert drawn["plotly"] and drawn["svg"]
    assert drawn["bars"] == NONZERO_BAR_SEGMENTS, drawn
    assert drawn["markers"] == EVENTS_IN_RANGE, drawn
    assert drawn["lines"] == TROOP_LINES, drawn
    assert "Rocket" in drawn["legend"] and "US strike" in drawn["legend"]
    assert console_errors == []
    assert page_errors == []
    assert outside_requests == []
