"""Plotly figures, the house template, and the renderer that makes them draw offline.

Every figure function takes the loaders' DataFrames and returns a ``go.Figure`` drawn with the
``"sitrep"`` template: fixed colour-blind-safe colours per weapon type and event category,
titles and axis labels with units, and a source line (dataset, rows shown, coverage dates).

Offline display
---------------
Reports are rendered by Papermill and nbconvert and read from a single HTML file on machines
with no network. Plotly's default renderer emits only its own JSON mimetype, which nbconvert
drops, and the ``notebook`` renderer adds a MathJax CDN tag per figure. Call
:func:`use_offline_figures` once at the top of a notebook instead: it displays plotly.js inline
once, and makes every figure output carry both

- ``application/vnd.plotly.v1+json``: JupyterLab's plotly extension (rank 2) wins over its HTML
  renderer (rank 50), so figures stay interactive in the lab; and
- ``text/html``: a ``<div>`` and a ``<script>`` calling ``Plotly.newPlot`` on the global
  ``window.Plotly``. nbconvert's HTML exporter does not know the plotly mimetype and picks
  ``text/html`` from its display priority, so the exported report draws with the inline
  plotly.js and fetches nothing.

Phones and paper
----------------
Reports are read on phones (390 px wide) as well as desktops, and printed. Every figure is
laid out by :func:`house_layout`: title and subtitle wrapped above the plot; under it the x
axis, the legend in horizontal rows, and the source note. Text from the data or the column
dictionary is escaped once, where the figure takes it in (:func:`escape_text`; row labels and
legend names also wrapped, by :func:`wrap_text` and :func:`legend_name`). The plot keeps the
figure's width whatever the screen's. How many rows a legend takes depends on that width, so
in a report a small page script (:data:`FIT_SCRIPT`, displayed with plotly.js) measures each
figure once drawn and sets its height to fit, and redraws figures at the paper's width when the
page is printed. Without the script (JupyterLab, static images) the layout estimated for a
notebook column stands.

Modules, one job each: :mod:`.style` (template, colours, wrapping, the house layout),
:mod:`.timeline`, :mod:`.events` (the forest plot), :mod:`.breakdown`, :mod:`.offline` (plotly.js
embedded once and the page script).
"""

from __future__ import annotations

from sitrep_analysis.figures.breakdown import breakdown_figure, projectile_range_figure
from sitrep_analysis.figures.events import event_forest_figure
from sitrep_analysis.figures.offline import (
    OfflineFigureRenderer,
    plotly_js_html,
    use_offline_figures,
)
from sitrep_analysis.figures.style import (
    EVENT_COLOURS,
    LABEL_CHARS,
    NOTE_LINE_PX,
    TEMPLATE_NAME,
    TICKS_ONLY_PX,
    TITLE_CHARS,
    TROOP_COLOUR,
    WEAPON_COLOURS,
    category_label,
    escape_text,
    estimated_legend_px,
    house_layout,
    legend_name,
    line_count,
    shown_range,
    source_line,
    wrap_text,
)
from sitrep_analysis.figures.timeline import timeline_figure

__all__ = [
    "EVENT_COLOURS",
    "LABEL_CHARS",
    "NOTE_LINE_PX",
    "TEMPLATE_NAME",
    "TICKS_ONLY_PX",
    "TITLE_CHARS",
    "TROOP_COLOUR",
    "WEAPON_COLOURS",
    "OfflineFigureRenderer",
    "breakdown_figure",
    "category_label",
    "escape_text",
    "estimated_legend_px",
    "event_forest_figure",
    "house_layout",
    "legend_name",
    "line_count",
    "plotly_js_html",
    "projectile_range_figure",
    "shown_range",
    "source_line",
    "timeline_figure",
    "use_offline_figures",
    "wrap_text",
]
