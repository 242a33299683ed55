"""Figures in reports with no network: plotly.js embedded once, each figure handed to the page
script that fits it to a phone's or the paper's width."""

from __future__ import annotations

import json
import os
import string
from collections.abc import Mapping

import plotly.io as pio
from plotly.io.base_renderers import MimetypeRenderer

from sitrep_analysis.figures.style import GAP_PX, RENDERER_NAME
from sitrep_analysis.plotly_js import (
    PAGE_ADDS_PLOTLYJS,
    PLOTLYJS_MARK,
    inline_script,
    plotly_js_script,
)

#: Width figures are drawn at for printing, in CSS pixels: A4 less the report's page margins
#: (11 mm and 10 mm, templates/sitrep/static/reading.css) holds about 718.
PRINT_WIDTH_PX = 680

#: The page script that fits figures to the width they get; displayed once, with plotly.js.
#:
#: ``sitrepFigures.watch(div)`` (each figure's HTML calls it) fits a figure after every draw,
#: at first and whenever a resize or a click redraws it. How many rows the legend takes
#: depends on the width (a phone's holds a few entries a row), and so, on a narrow screen, does
#: the depth of the x axis and the height of a map held to its aspect ratio. The fitter
#: measures them, puts the legend under the axis and the source note (the annotation named
#: ``"source"``) under the legend, at the figure's left edge, and sets the bottom margin and
#: height so the plot area keeps its designed height (the height ``house_layout`` gave it, or
#: less where a map ends above it). Each fit that changes something draws again and fits
#: again, at most a few times a width. Figures without a drawn plot area are left alone.
#:
#: Printing (``beforeprint``) draws every figure wider than :data:`PRINT_WIDTH_PX` at that
#: width, fitted, so it is not cut at the paper's edge; ``afterprint`` lets it follow the page
#: again. Plotly draws SVG figures synchronously, so the printout holds the new drawing.
FIT_SCRIPT = string.Template("""
window.sitrepFigures = window.sitrepFigures || (function () {
  "use strict";
  var GAP = $gap, EDGE = $edge, PRINT_WIDTH = $print_width, TRIES = 4;

  // the lowest bottom edge among the nodes matching selector, in px under the figure's top
  function lowest(gd, selector, top) {
    var low = null;
    gd.querySelectorAll(selector).forEach(function (node) {
      var box = node.getBoundingClientRect();
      if (box.height > 0 && (low === null || box.bottom - top > low)) low = box.bottom - top;
    });
    return low;
  }

  function fit(gd) {
    var full = gd._fullLayout, svg = gd.querySelector(".main-svg");
    if (!full || !full._size || !svg || !window.Plotly) return;
    var size = full._size, top = svg.getBoundingClientRect().top;
    if (gd.sitrepPlotHeight === undefined) {
      gd.sitrepPlotHeight = full.height - full.margin.t - full.margin.b;
    }
    var plotBottom = lowest(gd, ".draglayer .nsewdrag", top);
    if (plotBottom === null) return;
    // a plot area held to an aspect ratio (the map) may end above the paper's bottom: trim
    // the paper to it, for as long as the figure keeps this width
    if (size.t + size.h - plotBottom > 1) {
      gd.sitrepTrim = {width: full.width, height: plotBottom - size.t};
    }
    var trim = gd.sitrepTrim;
    var plotHeight = trim && trim.width === full.width ? trim.height : gd.sitrepPlotHeight;
    var axisBottom = lowest(gd, ".xaxislayer-above text, .g-xtitle text", top);
    var below = Math.max(0, (axisBottom === null ? plotBottom : axisBottom) - plotBottom) + GAP;
    var update = {}, off = [];
    var legend = gd.querySelector(".legend");
    if (legend && full.legend) {
      update["legend.y"] = -below / plotHeight;
      off.push(Math.abs(update["legend.y"] - full.legend.y) * plotHeight);
      below += legend.getBoundingClientRect().height + GAP;
    }
    (full.annotations || []).forEach(function (note, index) {
      if (note.name !== "source") return;
      var drawn = gd.querySelector('.annotation[data-index="' + index + '"]');
      var key = "annotations[" + index + "].";
      update[key + "yshift"] = -below;
      update[key + "x"] = (EDGE - size.l) / size.w;
      off.push(Math.abs(note.yshift + below), Math.abs(update[key + "x"] - note.x) * size.w);
      below += (drawn ? drawn.getBoundingClientRect().height : 0) + GAP;
    });
    update["margin.b"] = Math.round(below);
    update.height = Math.round(size.t + plotHeight) + update["margin.b"];
    off.push(Math.abs(update["margin.b"] - full.margin.b), Math.abs(update.height - full.height));
    if (gd.sitrepWidth !== full.width) {
      gd.sitrepWidth = full.width;
      gd.sitrepTries = 0;
    }
    if (Math.max.apply(null, off) > 1 && gd.sitrepTries++ < TRIES) {
      window.Plotly.relayout(gd, update);
      // a new height fixes the width at the present one: let it follow the page again
      if (!gd.sitrepPrinted) delete gd.layout.width;
    }
    // plotly.io.to_html wraps the figure in a box of its first height: keep it in step
    var box = gd.parentElement, height = gd._fullLayout.height + "px";
    if (box && box.style.height.endsWith("px") && box.style.height !== height) {
      box.style.height = height;
    }
  }

  function watch(gd) {
    if (!gd || gd.sitrepWatched || !gd.on) return;
    gd.sitrepWatched = true;
    gd.on("plotly_afterplot", function () { setTimeout(function () { fit(gd); }, 0); });
    fit(gd);
  }

  function printWidth(printing) {
    document.querySelectorAll(".js-plotly-plot").forEach(function (gd) {
      if (!gd._fullLayout || !window.Plotly) return;
      if (printing && gd._fullLayout.width > PRINT_WIDTH) {
        gd.sitrepPrinted = true;
        window.Plotly.relayout(gd, {width: PRINT_WIDTH});
        if (gd.sitrepWatched) { fit(gd); fit(gd); }
      } else if (!printing && gd.sitrepPrinted) {
        delete gd.sitrepPrinted;
        window.Plotly.relayout(gd, {width: null, autosize: true});
      }
    });
  }
  window.addEventListener("beforeprint", function () { printWidth(true); });
  window.addEventListener("afterprint", function () { printWidth(false); });
  return {fit: fit, watch: watch};
})();
""").substitute(gap=GAP_PX, edge=8, print_width=PRINT_WIDTH_PX)

#: Run after each figure is drawn: hand it to the fitter, where the page has one.
_WATCH_FIGURE = ("window.sitrepFigures && "
                 "window.sitrepFigures.watch(document.getElementById('{plot_id}'));")


class OfflineFigureRenderer(MimetypeRenderer):
    """Plotly renderer emitting the plotly JSON mimetype and a self-contained HTML snippet;
    in a report kernel (:data:`~sitrep_analysis.plotly_js.PAGE_ADDS_PLOTLYJS` set) the HTML
    alone, since the page draws from it and no one opens that notebook in JupyterLab (a failed
    run's kept notebook shows figures once trusted).

    The HTML calls the global ``Plotly`` and the fitter (:data:`FIT_SCRIPT`), both loaded once
    by :func:`use_offline_figures`: it carries no plotly.js, no MathJax and no reference to a
    CDN. It takes the width of its container (``responsive``, and any ``layout.width`` left
    out), so a figure never runs past a phone's screen.
    """

    def __init__(self, config: Mapping[str, object] | None = None,
                 default_height: int | str = 525) -> None:
        self.config = {"displaylogo": False, "responsive": True, **(config or {})}
        self.default_height = default_height

    def to_mimebundle(self, fig_dict: dict) -> dict[str, object]:
        layout = {key: value for key, value in fig_dict.get("layout", {}).items()
                  if key != "width"}
        html = pio.to_html({**fig_dict, "layout": layout}, config=self.config,
                           full_html=False, include_plotlyjs=False, include_mathjax=False,
                           validate=False, default_width="100%",
                           default_height=self.default_height, post_script=_WATCH_FIGURE)
        if os.environ.get(PAGE_ADDS_PLOTLYJS):
            return {"text/html": html}
        figure_json = json.loads(pio.to_json(fig_dict, validate=False, remove_uids=False))
        return {"application/vnd.plotly.v1+json": {**figure_json, "config": self.config},
                "text/html": html}


_OFFLINE_RENDERER = OfflineFigureRenderer()


def plotly_js_html() -> str:
    """plotly.js (the copy shipped with the plotly package) as one inline ``<script>``, and
    the figure fitter (:data:`FIT_SCRIPT`) as a second."""
    return f"{plotly_js_script()}\n{inline_script(FIT_SCRIPT)}"


def use_offline_figures() -> None:
    """Make figures draw offline in exported reports: call once, in the first code cell.

    Makes the ``"sitrep"`` renderer draw every figure and displays plotly.js inline once (a
    ``text/html`` output of about 4.8 MB), with the figure fitter (:data:`FIT_SCRIPT`), before
    any figure. Every later figure output refers to that copy, so the exported HTML holds
    plotly.js exactly once. Calling it again displays plotly.js again. In a kernel started by
    ``sitrep render`` (:data:`~sitrep_analysis.plotly_js.PAGE_ADDS_PLOTLYJS` set) the output
    holds only the fitter and a mark, and the exporter puts plotly.js there.

    In IPython (a notebook under Papermill or JupyterLab) the renderer is registered as
    IPython's display hook for Plotly figures rather than through ``plotly.io.renderers``: that
    registry imports nbformat and with it jsonschema's format checkers, a second of start-up
    in every report kernel. Elsewhere it becomes Plotly's default renderer.
    """
    from IPython import get_ipython
    from IPython.display import display
    from plotly.basedatatypes import BaseFigure

    shell = get_ipython()
    if shell is None:
        pio.renderers[RENDERER_NAME] = _OFFLINE_RENDERER
        pio.renderers.default = RENDERER_NAME
    else:
        # a type printer outranks the figure's own _ipython_display_, which would ask
        # plotly.io.renderers
        shell.display_formatter.ipython_display_formatter.for_type(
            BaseFigure, lambda figure: display(_OFFLINE_RENDERER.to_mimebundle(
                figure.to_dict()), raw=True))
    if os.environ.get(PAGE_ADDS_PLOTLYJS):  # a report kernel: the exporter adds plotly.js
        display({"text/html": inline_script(FIT_SCRIPT)}, metadata={PLOTLYJS_MARK: True},
                raw=True)
    else:
        display({"text/html": plotly_js_html()}, raw=True)
