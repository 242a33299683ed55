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
axis, the legend in horizontal rows, and the source note; row labels and long names wrapped
(:func:`wrap_text`, which also escapes them). The plot keeps the figure's width whatever the
screen's. How many rows a legend takes depends on that width, so in a report a small page
script (:data:`FIT_SCRIPT`, displayed with plotly.js) measures each figure once drawn and sets
its height to fit, and redraws figures at the paper's width when the page is printed. Without
the script (JupyterLab, static images) the layout estimated for a notebook column stands.
"""

from __future__ import annotations

import json
import math
import string
import textwrap
from collections.abc import Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.io.base_renderers import MimetypeRenderer

from sitrep_analysis.analysis import (
    FREQUENCIES,
    PERIOD_GRID_FREQ,
    PERIOD_WORDS,
    DateLike,
    attack_counts,
    projectile_range_words,
    troop_level_steps,
)
from sitrep_analysis.columns import COVERAGE_END, COVERAGE_START, FIELDS, TABLES, code_label

__all__ = [
    "EVENT_COLOURS",
    "TEMPLATE_NAME",
    "TROOP_COLOUR",
    "WEAPON_COLOURS",
    "OfflineFigureRenderer",
    "breakdown_figure",
    "category_label",
    "event_forest_figure",
    "plotly_js_html",
    "projectile_range_figure",
    "source_line",
    "timeline_figure",
    "use_offline_figures",
]

TEMPLATE_NAME = "sitrep"
RENDERER_NAME = "sitrep"

# --- colours ------------------------------------------------------------------------------------

#: Weapon types in the Okabe-Ito palette (Okabe & Ito 2008), distinguishable with the common
#: forms of colour blindness; grey for "other or unknown".
WEAPON_COLOURS: dict[str, str] = {
    "rocket": "#D55E00",             # vermillion
    "mortar": "#E69F00",             # orange
    "drone": "#0072B2",              # blue
    "ied": "#CC79A7",                # reddish purple
    "ballistic_missile": "#009E73",  # bluish green
    "other_unknown": "#999999",      # grey
}

#: Event categories in Paul Tol's "muted" palette, also colour-blind-safe and distinct from the
#: weapon colours, so a marker is never mistaken for a bar.
EVENT_COLOURS: dict[str, str] = {
    "us_strike": "#882255",           # wine
    "militia_statement": "#CC6677",   # rose
    "ceasefire": "#117733",           # green
    "strategic_dialogue": "#332288",  # indigo
    "parliament_vote": "#88CCEE",     # cyan
    "troop_announcement": "#44AA99",  # teal
    "iranian_strike": "#999933",      # olive
    "coalition_talks": "#AA4499",     # purple
    "other": "#DDCC77",               # sand
}

#: Troop levels: black; reported levels solid, announced targets dashed.
TROOP_COLOUR = "#000000"
TROOP_DASH = {"reported": "solid", "announced_target": "dash"}

_missing = (set(FIELDS["weapon_type"].allowed or ()) ^ set(WEAPON_COLOURS)) | (
    set(FIELDS["category"].allowed or ()) ^ set(EVENT_COLOURS))
if _missing:  # the dictionary and the colours must name the same codes
    raise RuntimeError(f"colours out of step with the column dictionary: {sorted(_missing)}")


def category_label(column: str, code: str) -> str:
    """The dictionary's label of a category code, capitalised for legends.

    >>> category_label("weapon_type", "ied")
    'IED (roadside bomb)'
    >>> category_label("category", "us_strike")
    'US strike'
    """
    label = code_label(column, code)
    return label[:1].upper() + label[1:]


# --- the house template and layout ----------------------------------------------------------

#: Characters per line where text is wrapped: what fits a figure about 360 px wide (a phone)
#: in the template's font sizes. Plotly never wraps text itself.
TITLE_CHARS, SUBTITLE_CHARS, NOTE_CHARS, LABEL_CHARS, HOVER_CHARS = 40, 48, 62, 14, 50
#: Characters per line of the x axis's title and of a legend entry's name.
AXIS_TITLE_CHARS, LEGEND_CHARS = 36, 32
#: Line heights in pixels of the title (17 px font), subtitle (13 px), source note (11 px),
#: row labels (12 px) and axis titles (13 px).
TITLE_LINE_PX, SUBTITLE_LINE_PX, NOTE_LINE_PX, LABEL_LINE_PX, AXIS_TITLE_LINE_PX = (
    22, 17, 15, 16, 17)
#: Room above the title, and between the blocks around the plot (title, plot, axis, legend,
#: note), in pixels.
TOP_PAD_PX, GAP_PX = 12, 14
#: Depth of the x axis under the plot (tick labels and axis title), in pixels: dates on two
#: lines and a title; numbers and a title; ticks alone.
DATE_AXIS_PX, NUMBER_AXIS_PX, TICKS_ONLY_PX = 62, 46, 26
#: The horizontal legend, for the estimate of its height: pixels per row of entries, per
#: character of an entry's name, for its symbol and gap; the width it is estimated at (a
#: notebook column; a report's page script measures the real one).
LEGEND_ROW_PX, LEGEND_CHAR_PX, LEGEND_SYMBOL_PX, LEGEND_WIDTH_PX = 19, 6.6, 50, 900

#: Top and bottom margins of a figure drawn with the template but not laid out by
#: :func:`house_layout`.
MARGIN_TOP_PX, MARGIN_BOTTOM_PX = 90, 125


def _register_template() -> None:
    base = pio.templates["simple_white"]
    template = go.layout.Template(base)
    template.layout.update(
        font={"family": "Helvetica, Arial, sans-serif", "size": 13, "color": "#222222"},
        # at the top left of the figure (container), lines wrapped by house_layout
        title={"x": 0, "xanchor": "left", "xref": "container", "y": 1, "yanchor": "top",
               "yref": "container", "pad": {"l": 8, "t": TOP_PAD_PX}, "font": {"size": 17},
               "subtitle": {"font": {"size": 13, "color": "#444444"}}},
        colorway=list(WEAPON_COLOURS.values()),
        # In rows under the x axis, from the plot's left edge: the plot keeps the whole
        # width, however narrow the screen; house_layout sets how far below the plot. (A
        # legend placed on the container's x but the paper's y would take its width from the
        # left margin.)
        legend={"orientation": "h", "xref": "paper", "x": 0, "xanchor": "left",
                "yref": "paper", "y": -0.2, "yanchor": "top", "font": {"size": 12},
                "grouptitlefont": {"size": 12}},
        hoverlabel={"font": {"size": 12}},
        # left and right grow with the tick labels (automargin), top and bottom are set by
        # house_layout
        margin={"l": 56, "r": 16, "t": MARGIN_TOP_PX, "b": MARGIN_BOTTOM_PX},
        # An axis titled even "" keeps room for a title: leave the title out instead.
        xaxis={"showgrid": False, "ticks": "outside", "tickfont": {"size": 12},
               "title": {"font": {"size": 13}, "standoff": 10}},
        yaxis={"showgrid": True, "gridcolor": "#e5e5e5", "ticks": "outside",
               "tickfont": {"size": 12}, "title": {"font": {"size": 13}, "standoff": 10}},
        bargap=0.1,
    )
    pio.templates[TEMPLATE_NAME] = template


_register_template()


def hover_text(value: object) -> str:
    """Plain text made safe for Plotly's pseudo-HTML hover labels."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def wrap_text(text: object, width: int) -> str:
    """Plain text as Plotly text: broken at spaces into lines of at most ``width`` characters
    joined by ``<br>`` (a newline in ``text`` always breaks), each line escaped by
    :func:`hover_text`, so text from the data shows as written and stays inert.

    Lines are wrapped before they are escaped: an entity like ``&lt;`` is never split, and
    the width counts the characters a reader sees.

    >>> wrap_text("Attacks by group claiming the attack", 16)
    'Attacks by group<br>claiming the<br>attack'
    >>> wrap_text("2020-01-03\\nA <b>bold</b> & odd title", 14)
    '2020-01-03<br>A &lt;b&gt;bold&lt;/b&gt;<br>&amp; odd title'
    """
    lines = [line for paragraph in str(text).split("\n")
             for line in textwrap.wrap(paragraph, width, break_on_hyphens=False) or [""]]
    return "<br>".join(hover_text(line) for line in lines)


def line_count(text: str) -> int:
    """Lines of a Plotly text: one more than its ``<br>`` tags."""
    return text.count("<br>") + 1


def rows_px(labels: Iterable[str], least_px: int) -> int:
    """Height of a category axis: one row per label, each ``least_px`` or the height of the
    label with most lines, whichever is more."""
    labels = list(labels)
    lines = max((line_count(label) for label in labels), default=1)
    return max(len(labels), 1) * max(least_px, lines * LABEL_LINE_PX + 8)


def _legend_entries(figure: go.Figure) -> list[tuple[object, str]]:
    """(group, text) of each legend entry, in order; a group title is an entry of its own."""
    if figure.layout.showlegend is False:
        return []
    # traces are in the legend unless told otherwise, shapes only when told
    items = [*(trace for trace in figure.data
               if trace.showlegend is not False and trace.visible is not False),
             *(shape for shape in figure.layout.shapes or () if shape.showlegend)]
    if figure.layout.showlegend is None and len(items) == 1 and not items[0].showlegend:
        return []  # Plotly shows no legend for a lone trace
    entries, titled = [], set()
    for index, item in enumerate(items):
        group = item.legendgroup or f"entry {index}"
        title = item.legendgrouptitle.text if item.legendgrouptitle else None
        if title and group not in titled:
            titled.add(group)
            entries.append((group, title))
        entries.append((group, str(item.name or "")))
    return entries


def estimated_legend_px(figure: go.Figure, width: float = LEGEND_WIDTH_PX) -> int:
    """Height of the figure's horizontal legend at ``width`` pixels, estimated: 0 without one.

    Plotly draws a legend group as a column (its title, then its entries), side by side and
    into a new row when the next column does not fit; entries outside a group flow in rows.
    """
    columns: dict[object, list[str]] = {}
    for group, text in _legend_entries(figure):
        columns.setdefault(group, []).extend(text.split("<br>"))
    rows_of_entries, used, tallest = 0, 0.0, 0
    for lines in columns.values():
        column_px = LEGEND_SYMBOL_PX + LEGEND_CHAR_PX * max(len(line) for line in lines)
        if used and used + column_px > width:
            rows_of_entries += tallest
            used, tallest = 0.0, 0
        used += column_px
        tallest = max(tallest, len(lines))
    rows_of_entries += tallest
    if rows_of_entries and figure.layout.legend.title.text:
        rows_of_entries += 1  # the legend's own title, over the entries
    return round(rows_of_entries * LEGEND_ROW_PX + 6) if rows_of_entries else 0


def add_source_line(figure: go.Figure, text: str, below_px: float = 72) -> None:
    """The source note ``below_px`` under the plot, at its left edge; named ``"source"`` so
    the page script (:data:`FIT_SCRIPT`) can move it under the legend."""
    figure.add_annotation(text=text, name="source", xref="paper", yref="paper", x=0, y=0,
                          yshift=-below_px, xanchor="left", yanchor="top", align="left",
                          showarrow=False, font={"size": 11, "color": "#555555"})


def house_layout(figure: go.Figure, *, title: str, subtitle: str, note: str, plot_px: float,
                 axis_px: float = NUMBER_AXIS_PX) -> None:
    """Lay out the text around a plot area ``plot_px`` pixels high, in the house order.

    Above the plot the title and subtitle; under it the x axis (``axis_px`` deep with a
    one-line title), the legend in rows, and the source note (``note``: :func:`source_line`
    text, ``<br>`` between lines); the margins and height leave room for each, so nothing
    overlaps and the plot keeps its height. Title, subtitle and note are plain text, and so
    are the x axis's title and the traces' names already set: each is wrapped to fit a phone
    and escaped by :func:`wrap_text` (a name only when it is too long for one line).

    The legend's height is estimated for a notebook column (:func:`estimated_legend_px`); in
    a report the page script measures it, with the axis and note, at the width the figure
    gets, and moves the legend and note and sets the height again.
    """
    title_text = wrap_text(title, TITLE_CHARS)
    subtitle_text = wrap_text(subtitle, SUBTITLE_CHARS)
    note_text = "<br>".join(wrap_text(line, NOTE_CHARS) for line in note.split("<br>"))
    if figure.layout.xaxis.title.text:
        axis_title = wrap_text(figure.layout.xaxis.title.text, AXIS_TITLE_CHARS)
        figure.update_layout(xaxis_title_text=axis_title)
        axis_px += (line_count(axis_title) - 1) * AXIS_TITLE_LINE_PX
    for trace in figure.data:
        if trace.name and len(trace.name) > LEGEND_CHARS:
            trace.name = wrap_text(trace.name, LEGEND_CHARS)
    top = (TOP_PAD_PX + line_count(title_text) * TITLE_LINE_PX
           + line_count(subtitle_text) * SUBTITLE_LINE_PX + GAP_PX)
    legend_px = estimated_legend_px(figure)
    note_top = axis_px + GAP_PX + (legend_px + GAP_PX if legend_px else 0)
    bottom = note_top + line_count(note_text) * NOTE_LINE_PX + GAP_PX
    # Plotly centres a title's extra lines on its anchor: move it down by half of them
    title_pad = TOP_PAD_PX + (line_count(title_text) - 1) * TITLE_LINE_PX / 2
    figure.update_layout(
        title={"text": title_text, "subtitle": {"text": subtitle_text},
               "pad": {"t": title_pad}},
        legend={"y": -(axis_px + GAP_PX) / plot_px},
        margin={"t": top, "b": bottom},
        height=round(top + plot_px + bottom),
    )
    add_source_line(figure, note_text, below_px=note_top)


# --- source line --------------------------------------------------------------------------------

def source_line(tables: Mapping[str, int], start: pd.Timestamp, end: pd.Timestamp) -> str:
    """The source note under a figure: dataset, dates shown and covered, rows shown per table.

    Three lines (``<br>``); :func:`house_layout` wraps each to the width of a phone.

    >>> print(source_line({"incidents": 9, "troop_levels": 1},
    ...                   pd.Timestamp("2020-01-01"), pd.Timestamp("2020-03-31")))
    ... # doctest: +NORMALIZE_WHITESPACE
    Source: sitrep-analysis curated data, shown 2020-01-01 to 2020-03-31 (incidents cover
    2019-10-01 to 2024-09-30).<br>Attacks on US and coalition forces: 9 rows; US troop levels in
    Iraq: 1 row.<br>Coverage is measured against officials' running counts of attacks (see the
    coverage table).
    """
    shown = "; ".join(f"{TABLES[name].title}: {count:,} row{'s' if count != 1 else ''}"
                      for name, count in tables.items())
    return (f"Source: sitrep-analysis curated data, shown {start:%Y-%m-%d} to {end:%Y-%m-%d} "
            f"(incidents cover {COVERAGE_START} to {COVERAGE_END}).<br>{shown}.<br>"
            "Coverage is measured against officials' running counts of attacks (see the "
            "coverage table).")


# --- figures ------------------------------------------------------------------------------------

def shown_range(incidents: pd.DataFrame, start: DateLike,
                end: DateLike) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day shown: as given, else the first and last incident, else coverage."""
    dates = incidents["incident_date"]
    first = pd.Timestamp(start) if start is not None else dates.min()
    last = pd.Timestamp(end) if end is not None else dates.max()
    if pd.isna(first) or pd.isna(last):
        first = pd.Timestamp(COVERAGE_START) if pd.isna(first) else first
        last = pd.Timestamp(COVERAGE_END) if pd.isna(last) else last
    return first.normalize(), last.normalize()


#: The timeline's event rows are labelled left of a narrow plot on a phone: at most this many
#: characters a line ("Troop / announcement").
LANE_LABEL_CHARS = 12


def timeline_figure(
    incidents: pd.DataFrame,
    events: pd.DataFrame,
    troop_levels: pd.DataFrame,
    freq: str = "W",
    start: DateLike = None,
    end: DateLike = None,
    rolling: int | None = 4,
    tally_intervals: pd.DataFrame | None = None,
    bars_px: int = 320,
) -> go.Figure:
    """Attack tempo against political events and US troop levels, on one time axis.

    - bottom panel: attacks per period (``freq``: ``"D"``, ``"W"`` or ``"M"``) as bars stacked by
      weapon type, one bar trace per weapon type, zero-filled; left axis ``y``;
    - same panel: US troops in Iraq as step lines on the right axis ``y2``, reported levels solid
      and announced targets dashed;
    - top panel (axis ``y3``): one marker per political event dated from ``start`` to ``end``,
      one row and colour per category, title and category on hover.

    - a line: the trailing mean of attacks over ``rolling`` periods (all weapons), on ``y``;
      ``None`` leaves it out.
    - with ``tally_intervals`` (from :func:`sitrep_analysis.coverage.tally_intervals`, for the
      same countries as ``incidents``): the officials' count per period as a dotted step line
      over the bars (the difference between successive cumulative tallies, spread evenly over
      the days between them), and the bars' background shaded by how much of that count the
      data hold: green where at least 80%, orange below. Unshaded periods were not tallied:
      their coverage is unknown.

    ``start`` and ``end`` default to the first and last incident.
    """
    first, last = shown_range(incidents, start, end)
    counts = attack_counts(incidents, freq=freq, by="weapon_type", start=first, end=last)
    period = PERIOD_WORDS[freq]  # freq is valid: attack_counts checked it
    shown_incidents = int(counts["attacks_count"].sum())
    per_period = counts.groupby("period_start")["attacks_count"].sum()
    busiest = int(per_period.max()) if len(per_period) else 0
    in_range = events["event_date"].dt.normalize().between(first, last)
    shown_events = events[in_range].sort_values("event_date")
    steps = troop_level_steps(troop_levels, first, last, scope="us_iraq")

    figure = go.Figure()
    # Bars span their period: Plotly places each at the middle of the period holding x,
    # counting periods from xperiod0 (a Monday for weeks, a first of the month for months).
    period_length = {"D": 86_400_000, "W": 7 * 86_400_000, "M": "M1"}[freq]
    period_origin = "2000-01-03" if freq == "W" else "2000-01-01"
    for code in FIELDS["weapon_type"].allowed or ():
        # empty periods draw nothing in a stack: leaving them out keeps long reports small
        own = counts[(counts["weapon_type"] == code) & (counts["attacks_count"] > 0)]
        figure.add_trace(go.Bar(
            x=own["period_start"], y=own["attacks_count"], name=category_label("weapon_type", code),
            legendgroup="attacks", legendgrouptitle_text=f"Attacks per {period}",
            marker={"color": WEAPON_COLOURS[code], "line": {"width": 0}},
            xperiod=period_length, xperiod0=period_origin, xperiodalignment="middle",
            customdata=own["period_start"].dt.strftime("%Y-%m-%d"),
            hovertemplate=(f"{hover_text(category_label('weapon_type', code))}: "
                           f"%{{y}} attack(s)<br>{period} from %{{customdata}}<extra></extra>"),
            yaxis="y",
        ))

    if rolling is not None:
        totals = attack_counts(incidents, freq=freq, start=first, end=last, rolling=rolling)
        figure.add_trace(go.Scatter(
            x=totals["period_start"], y=totals["attacks_rolling_mean"], mode="lines",
            name=f"{rolling}-{period} mean", legendgroup="attacks",
            line={"color": "#444444", "width": 1.5, "shape": "spline", "smoothing": 0.3},
            xperiod=period_length, xperiod0=period_origin, xperiodalignment="middle",
            hovertemplate=(f"Mean of the {rolling} {period}s to %{{x|%Y-%m-%d}}: "
                           "%{y:.2f} attacks<extra></extra>"),
            yaxis="y",
        ))

    shading = []
    if tally_intervals is not None:
        shading = _add_officials_rate(figure, tally_intervals, first, last, freq, period,
                                      {"xperiod": period_length, "xperiod0": period_origin,
                                       "xperiodalignment": "middle"})

    scope_label = category_label("scope", "us_iraq")
    for kind in ("reported", "announced_target"):
        own = steps[steps["kind"] == kind]
        if own.empty:
            continue
        figure.add_trace(go.Scatter(
            x=own["date"], y=own["troops_count"].astype("float64"), mode="lines",
            line={"shape": "hv", "color": TROOP_COLOUR, "dash": TROOP_DASH[kind], "width": 2},
            name=category_label("kind", kind), legendgroup="troops",
            legendgrouptitle_text=scope_label,
            hovertemplate=(f"{scope_label}, {code_label('kind', kind)}: "
                           "%{y:,} troops from %{x|%Y-%m-%d}<extra></extra>"),
            yaxis="y2",
        ))

    present = [code for code in FIELDS["category"].allowed or ()
               if (shown_events["category"] == code).any()]
    lane_labels = {code: wrap_text(category_label("category", code), LANE_LABEL_CHARS)
                   for code in present}
    for code in present:
        own = shown_events[shown_events["category"] == code]
        label = category_label("category", code)
        figure.add_trace(go.Scatter(
            x=own["event_date"], y=[lane_labels[code]] * len(own), mode="markers", name=label,
            legendgroup="events", legendgrouptitle_text="Political events",
            marker={"color": EVENT_COLOURS[code], "size": 11, "symbol": "diamond",
                    "line": {"color": "#333333", "width": 0.5}},
            customdata=[hover_text(title) for title in own["title"]],
            hovertemplate=(f"<b>%{{customdata}}</b><br>{hover_text(label)}, "
                           "%{x|%Y-%m-%d}<extra></extra>"),
            yaxis="y3",
        ))

    # Layout in pixels: a lane of event rows above a panel of bars (``bars_px`` high) that
    # keeps its height.
    gap_px = 36 if present else 0
    lane_px = rows_px(lane_labels.values(), 24) + 10 if present else 0
    plot_px = bars_px + gap_px + lane_px
    lane_from = 1 - lane_px / plot_px
    bars_to = bars_px / plot_px
    figure.update_layout(
        template=TEMPLATE_NAME,
        barmode="stack",
        xaxis={"title": {"text": "Date"}, "type": "date",
               "range": [first - pd.Timedelta(days=3), last + pd.Timedelta(days=3)]},
        yaxis={"title": {"text": f"Attacks per {period} (count)"}, "domain": [0, bars_to],
               "rangemode": "tozero", "tickformat": ",d", "dtick": 1 if busiest <= 8 else None},
        yaxis2={"title": {"text": f"{scope_label} (troops)"}, "overlaying": "y",
                "side": "right", "rangemode": "tozero", "showgrid": False, "tickmode": "auto",
                # "5k", not "5,000": the axis keeps to a narrow margin on a phone
                "tickformat": "~s"},
        # no events shown (a brief's figure): no lane, and no room kept for one
        yaxis3={"domain": [lane_from, 1], "type": "category", "showgrid": True,
                "gridcolor": "#eeeeee", "categoryorder": "array",
                "categoryarray": [lane_labels[code] for code in present][::-1],
                "ticks": "", "showline": False, "anchor": "x"} if present
        else {"visible": False, "domain": [0.99, 1]},
    )
    if shading:  # at once: add_shape one by one copies the layout each time
        figure.update_layout(shapes=shading)
    house_layout(
        figure, plot_px=plot_px, axis_px=DATE_AXIS_PX,
        title=("Attacks on US and coalition forces, political events and US troop levels"
               if present else "Attacks on US and coalition forces and US troop levels"),
        subtitle=(f"{first:%d %b %Y} to {last:%d %b %Y}. Bars: attacks per "
                  f"{FREQUENCIES[freq]}, by main weapon."),
        note=source_line({"incidents": shown_incidents, "political_events": len(shown_events),
                          "troop_levels": _figures_shown(troop_levels, first, last)},
                         first, last))
    return figure


#: Shading of the bars' background by coverage of the officials' count, and the step line.
COVERAGE_COLOURS = {"well": "rgba(0, 158, 115, 0.20)", "low": "rgba(230, 159, 0, 0.32)"}
OFFICIALS_COLOUR = "#333333"


def _add_officials_rate(figure: go.Figure, intervals: pd.DataFrame, first: pd.Timestamp,
                        last: pd.Timestamp, freq: str, period: str,
                        alignment: dict[str, object]) -> list[dict]:
    """Draw the officials' count per period as a step line placed like the bars
    (``alignment``: their x period settings); return the coverage shading."""
    from sitrep_analysis.coverage import WELL_COVERED, officials_per_period

    shown = intervals[(intervals["segment_end"] >= first) & (intervals["segment_start"] <= last)]
    if shown.empty:
        return []
    per_period = officials_per_period(shown, first, last, freq)
    grid = pd.date_range(per_period["period_start"].min(), per_period["period_start"].max(),
                         freq=PERIOD_GRID_FREQ[freq])
    line = per_period.set_index("period_start").reindex(grid)
    words = [
        "" if pd.isna(count) else
        (f"{count:.1f} attacks counted by officials"
         + ("" if tallied_days == period_days else
            f" (estimated from {int(tallied_days)} of {int(period_days)} days)"))
        for count, tallied_days, period_days in zip(
            line["officials_count"], line["tallied_days"], line["period_days"], strict=True)]
    figure.add_trace(go.Scatter(
        x=grid, y=line["officials_count"], mode="lines", name=f"Officials' count per {period}",
        legendgroup="attacks", connectgaps=False,
        line={"color": OFFICIALS_COLOUR, "width": 2.5, "dash": "dot", "shape": "hvh"},
        customdata=words, **alignment,
        hovertemplate=f"{period.capitalize()} from %{{x|%Y-%m-%d}}: %{{customdata}}"
                      "<extra></extra>",
        yaxis="y",
    ))
    # one span per run of adjacent segments of the same kind
    spans: list[list] = []
    for _, row in shown.iterrows():
        ratio = row["coverage_ratio"]
        kind = "well" if pd.notna(ratio) and ratio >= WELL_COVERED else "low"
        start = max(row["segment_start"], first)
        end = min(row["segment_end"], last) + pd.Timedelta(days=1)
        if spans and spans[-1][0] == kind and spans[-1][2] == start:
            spans[-1][2] = end
        else:
            spans.append([kind, start, end])
    shapes = []
    legend_done = {"well": False, "low": False}
    for kind, start, end in spans:
        shapes.append({
            "type": "rect", "xref": "x", "yref": "y domain", "x0": start, "x1": end,
            "y0": 0, "y1": 1, "fillcolor": COVERAGE_COLOURS[kind], "line": {"width": 0},
            "layer": "below", "showlegend": not legend_done[kind], "legendgroup": "coverage",
            "legendgrouptitle": {"text": "Coverage of the officials' count"},
            "name": (f"data hold at least {WELL_COVERED:.0%}" if kind == "well"
                     else f"data hold less than {WELL_COVERED:.0%}"),
        })
        legend_done[kind] = True
    return shapes


def _figures_shown(troop_levels: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp) -> int:
    """Troop figures (US, Iraq) dated on or before ``last``: the ones a step line can use."""
    scoped = troop_levels["scope"].eq("us_iraq").fillna(False)
    return int((scoped & (troop_levels["date"] <= last)).sum())


# --- event study ----------------------------------------------------------------------------------

def _event_label(row: pd.Series, width: int = 48) -> str:
    """An event's row label: its date, then its title (cut to ``width`` characters) wrapped."""
    title = str(row["title"])
    if len(title) > width:
        title = title[: width - 1].rstrip() + "…"
    return wrap_text(f"{row['event_date']:%Y-%m-%d}\n{title}", LABEL_CHARS)


def event_forest_figure(windows: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Forest plot of an :func:`~sitrep_analysis.analysis.event_windows` table.

    One row per event (oldest at the top): the rate ratio (attacks after / before) as a marker
    coloured by event category, its exact confidence interval as a line, on a log axis with a
    line at 1 (no change). Bounds of 0 or infinity run to the axis edge and end in an arrow;
    events whose counts are too few to tell a halving from a doubling have hollow markers and a
    grey interval, and so do windows outside well-covered periods when the table carries
    coverage (:func:`sitrep_analysis.coverage.window_coverage`): the findings set both aside.
    Hover shows the event's plain-language sentence.
    """
    from sitrep_analysis.narrative import event_window_sentence

    rows = windows.sort_values("event_date", kind="stable").reset_index(drop=True)
    labels = [_event_label(row) for _, row in rows.iterrows()]
    finite = pd.concat([rows["rate_ratio"], rows["ci_low"], rows["ci_high"]])
    finite = finite[(finite > 0) & (finite < float("inf"))]
    low_edge = min([0.5, *finite]) / 2
    high_edge = max([2.0, *finite]) * 2
    low_edge, high_edge = max(low_edge, 1e-3), min(high_edge, 1e3)

    def clip(value: float) -> float:
        return min(max(value, low_edge), high_edge)

    covered = "well_covered" in rows
    rows["set_aside"] = rows["too_few"] | (~rows["well_covered"] if covered else False)
    muted_name = (" (set aside: too few attacks, or not a well-covered period)" if covered
                  else " (too few attacks to say)")
    figure = go.Figure()
    for muted, colour in ((True, "#aaaaaa"), (False, "#333333")):
        own = rows[rows["set_aside"] == muted]
        xs: list[float | None] = []
        ys: list[str | None] = []
        for index, ci_low, ci_high in zip(own.index, own["ci_low"], own["ci_high"],
                                          strict=True):
            xs += [clip(ci_low), clip(ci_high), None]
            ys += [labels[index], labels[index], None]
        if xs:
            figure.add_trace(go.Scatter(
                x=xs, y=ys, mode="lines", line={"color": colour, "width": 2},
                name="95% CI" + (muted_name if muted else ""),
                legendgroup="ci", hoverinfo="skip"))
    for side, symbol, column in (("low", "triangle-left", "ci_low"),
                                 ("high", "triangle-right", "ci_high")):
        edge = rows[rows[column] <= low_edge] if side == "low" else rows[
            rows[column] >= high_edge]
        if len(edge):
            figure.add_trace(go.Scatter(
                x=[clip(v) for v in edge[column]], y=[labels[i] for i in edge.index],
                mode="markers", marker={"symbol": symbol, "size": 9, "color": "#555555"},
                showlegend=False, hoverinfo="skip"))
    sentences = [wrap_text(event_window_sentence(row), HOVER_CHARS)
                 for _, row in rows.iterrows()]
    for code in FIELDS["category"].allowed or ():
        own = rows[(rows["category"] == code) & (rows["rate_ratio"] > 0)
                   & (rows["rate_ratio"] < float("inf"))]
        if own.empty:
            continue
        figure.add_trace(go.Scatter(
            x=own["rate_ratio"], y=[labels[i] for i in own.index], mode="markers",
            name=category_label("category", code), legendgroup="events",
            legendgrouptitle_text="Event category",
            marker={"color": EVENT_COLOURS[code], "size": 11,
                    "symbol": ["circle-open" if muted else "circle"
                               for muted in own["set_aside"]],
                    "line": {"width": 2, "color": EVENT_COLOURS[code]}},
            customdata=[sentences[i] for i in own.index],
            hovertemplate="%{customdata}<extra></extra>"))
    # Events with no finite ratio (none before, none after, or no attacks): hover on the line.
    undefined = rows[~((rows["rate_ratio"] > 0) & (rows["rate_ratio"] < float("inf")))]
    if len(undefined):
        figure.add_trace(go.Scatter(
            x=[clip(0 if r == 0 else float("inf") if r == float("inf") else 1)
               for r in undefined["rate_ratio"]],
            y=[labels[i] for i in undefined.index], mode="markers", name="Ratio 0 or undefined",
            marker={"symbol": "x-thin", "size": 10, "line": {"width": 2, "color": "#555555"}},
            customdata=[sentences[i] for i in undefined.index],
            hovertemplate="%{customdata}<extra></extra>"))
    figure.add_vline(x=1, line={"color": "#000000", "width": 1, "dash": "dot"})
    days_before, days_after = (int(rows["days_before"].iloc[0]), int(rows["days_after"].iloc[0])
                               ) if len(rows) else (0, 0)
    first = rows["before_start"].min() if len(rows) else pd.Timestamp(COVERAGE_START)
    last = rows["after_end"].max() if len(rows) else pd.Timestamp(COVERAGE_END)
    figure.update_layout(
        template=TEMPLATE_NAME,
        xaxis={"type": "log", "range": [math.log10(low_edge), math.log10(high_edge)],
               "title": {"text": "Rate ratio, after / before (log scale; 1 = no change)"}},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": labels[::-1],
               "showgrid": True, "gridcolor": "#f0f0f0", "automargin": True},
    )
    house_layout(
        figure, plot_px=40 + rows_px(labels, 26),
        title=title or "Attacks after each event against attacks before it",
        subtitle=(f"Rate ratio (attacks per day in the {days_after} days from the event / in "
                  f"the {days_before} days before), exact 95% confidence interval, log scale."),
        note=source_line(
            {"political_events": len(rows), "incidents": int(rows["n_before"].sum()
                                                             + rows["n_after"].sum())},
            first, last).replace(" rows.", " rows (attacks counted in windows; an attack in "
                                 "two windows counts twice)."))
    return figure


# --- breakdowns -----------------------------------------------------------------------------------

_BREAKDOWN_TITLES = {
    "weapon_type": "main weapon", "site_id": "site", "claimed_by": "group claiming the attack",
    "attributed_to": "group the attack was attributed to",
    "attribution_status": "attribution status", "country": "country",
    "target_kind": "target",
}


def breakdown_figure(incidents: pd.DataFrame, by: str = "weapon_type", *,
                     names: Mapping[str, str] | None = None, start: DateLike = None,
                     end: DateLike = None, top: int | None = 15) -> go.Figure:
    """Attacks by one column as horizontal bars, stacked by weapon type.

    ``by`` is any incidents column (``site_id``, ``weapon_type``, ``claimed_by``,
    ``attributed_to``, ``attribution_status``...). ``names`` maps codes or ids to readable
    names (e.g. site ids to site names, actor ids to actor names); category codes get the
    dictionary's labels. ``top`` keeps the largest values (the rest are summed into "others").
    """
    from sitrep_analysis.analysis import attack_breakdown

    first, last = shown_range(incidents, start, end)
    split = None if by == "weapon_type" else "weapon_type"
    counts = attack_breakdown(incidents, by, split=split, start=first, end=last)
    order = list(dict.fromkeys(counts[by]))
    if top is not None and len(order) > top:
        kept = set(order[:top])
        counts[by] = counts[by].where(counts[by].isin(kept), "(others)")
        group = [by] if split is None else [by, split]
        counts = counts.groupby(group, observed=True, sort=False)["attacks_count"].sum(
        ).reset_index()
        order = [*order[:top], "(others)"]

    def label(code: str) -> str:
        """The row label: the name given, the dictionary's label, else the value; wrapped."""
        if names is not None and code in names:
            return wrap_text(names[code], LABEL_CHARS)
        field = FIELDS.get(by)
        if field is not None and field.allowed and code in field.allowed:
            return wrap_text(category_label(by, code), LABEL_CHARS)
        return wrap_text(code, LABEL_CHARS)

    figure = go.Figure()
    weapons = [code for code in FIELDS["weapon_type"].allowed or ()
               if (counts[split or by] == code).any()]
    for code in weapons:
        own = counts[counts[split or by] == code]
        weapon = category_label("weapon_type", code)
        figure.add_trace(go.Bar(
            y=[label(v) for v in own[by]], x=own["attacks_count"], orientation="h",
            name=weapon, marker={"color": WEAPON_COLOURS[code]},
            hovertemplate=f"%{{y}}: %{{x}} attack(s), {hover_text(weapon)}<extra></extra>"))
    what = _BREAKDOWN_TITLES.get(by, by.replace("_", " "))
    largest = int(counts.groupby(by, sort=False)["attacks_count"].sum().max()) if len(
        counts) else 0
    row_labels = [label(v) for v in order]
    figure.update_layout(
        template=TEMPLATE_NAME, barmode="stack", showlegend=split is not None,
        # whole-number ticks: with small counts Plotly would step by 0.5 and ",d" would
        # print 0, 1, 1, 2, 2
        xaxis={"title": {"text": "Attacks (count)"}, "tickformat": ",d", "rangemode": "tozero",
               "dtick": 1 if largest <= 8 else None},
        yaxis={"type": "category", "categoryorder": "array",
               "categoryarray": row_labels[::-1], "automargin": True, "showgrid": False},
    )
    house_layout(
        figure, plot_px=40 + rows_px(row_labels, 28), title=f"Attacks by {what}",
        subtitle=(f"{first:%d %b %Y} to {last:%d %b %Y}"
                  + (", bars stacked by main weapon." if split else ".")),
        note=source_line({"incidents": int(counts["attacks_count"].sum())}, first, last))
    return figure


#: What one projectile of each weapon type is called, for hover text.
PROJECTILE_WORDS = {"rocket": "rockets", "mortar": "mortars", "drone": "drones",
                    "ied": "bombs", "ballistic_missile": "missiles",
                    "other_unknown": "projectiles"}


def projectile_range_figure(incidents: pd.DataFrame, claims: pd.DataFrame | None = None, *,
                            start: DateLike = None, end: DateLike = None) -> go.Figure:
    """Projectiles per attack as low-high ranges, so disagreeing sources stay visible.

    One row per incident with any projectile count: a marker at the low count, a line to the
    high count where sources give a range, an arrow where the count is open-ended ("at least
    30") or has no floor ("up to 12"). With ``claims`` (from ``load_claims()``), hover lists
    each source's figure for incidents whose sources disagree.
    """
    first, last = shown_range(incidents, start, end)
    days = incidents["incident_date"].dt.normalize()
    shown = incidents[days.between(first, last) & (incidents["projectiles_low"].notna()
                                                   | incidents["projectiles_high"].notna())]
    shown = shown.sort_values("incident_date", kind="stable")
    disputes: dict[str, str] = {}
    if claims is not None:
        counted = claims[(claims["record_table"] == "incidents")
                         & (claims["field_name"] == "projectiles")]
        for record_id, group in counted.groupby("record_id"):
            disputes[str(record_id)] = "; ".join(
                f"{row.claimed_value} ({row.value_qualifier}): {row.sources}"
                for row in group.itertuples())
    labels = [wrap_text(f"{row.incident_date:%Y-%m-%d}\n{str(row.site_name)[:40]}", LABEL_CHARS)
              for row in shown.itertuples()]
    highest = pd.concat([shown["projectiles_low"], shown["projectiles_high"]]).max()
    top = 1.0 if pd.isna(highest) or highest == 0 else float(highest)  # NA: nothing shown
    edge = top * 1.15
    figure = go.Figure()
    for code in FIELDS["weapon_type"].allowed or ():
        own = shown[shown["weapon_type"] == code]
        if own.empty:
            continue
        own_labels = [labels[shown.index.get_loc(i)] for i in own.index]
        low = own["projectiles_low"].astype("Float64")
        high = own["projectiles_high"].astype("Float64")
        xs, ys = [], []
        for label_, lo, hi in zip(own_labels, low, high, strict=True):
            start_x = 0.0 if pd.isna(lo) else float(lo)
            end_x = edge if pd.isna(hi) else float(hi)
            if end_x > start_x:
                xs += [start_x, end_x, None]
                ys += [label_, label_, None]
        colour = WEAPON_COLOURS[code]
        if xs:
            figure.add_trace(go.Scatter(x=xs, y=ys, mode="lines", showlegend=False,
                                        line={"color": colour, "width": 3}, hoverinfo="skip"))
        hover = []
        unit = PROJECTILE_WORDS[code]
        for row in own.itertuples():
            text = (f"{row.incident_date:%Y-%m-%d} {row.site_name}: "
                    f"{projectile_range_words(row.projectiles_low, row.projectiles_high)} {unit}")
            if row.incident_id in disputes:
                text += "\nSources disagree: " + disputes[row.incident_id]
            hover.append(wrap_text(text, HOVER_CHARS))
        figure.add_trace(go.Scatter(
            x=[0.0 if pd.isna(v) else float(v) for v in low], y=own_labels, mode="markers",
            name=category_label("weapon_type", code),
            marker={"color": colour, "size": 9,
                    "symbol": ["diamond" if i in disputes else "circle" for i in
                               own["incident_id"]]},
            customdata=hover, hovertemplate="%{customdata}<extra></extra>"))
        open_ended = own[own["projectiles_high"].isna()]
        if len(open_ended):
            figure.add_trace(go.Scatter(
                x=[edge] * len(open_ended),
                y=[labels[shown.index.get_loc(i)] for i in open_ended.index], mode="markers",
                marker={"symbol": "triangle-right", "size": 9, "color": colour},
                showlegend=False, hoverinfo="skip"))
    figure.update_layout(
        template=TEMPLATE_NAME,
        xaxis={"title": {"text": "Projectiles (count)"}, "range": [-0.5, edge * 1.03],
               "rangemode": "tozero"},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": labels[::-1],
               "automargin": True, "showgrid": True, "gridcolor": "#f3f3f3"},
    )
    house_layout(
        figure, plot_px=40 + rows_px(labels, 20),
        title="Projectiles per attack, as the sources give them",
        subtitle=("Marker: lowest count; line: up to the highest count; arrow: open-ended "
                  "(\"at least\"); diamond: sources disagree (hover for each source)."),
        note=source_line({"incidents": len(shown)}, first, last))
    return figure


# --- offline rendering --------------------------------------------------------------------------

#: Width figures are drawn at for printing, in CSS pixels: A4 and US Letter less 0.5-inch
#: margins hold 698 and 720.
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
    """Plotly renderer emitting the plotly JSON mimetype and a self-contained HTML snippet.

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
        figure_json = json.loads(pio.to_json(fig_dict, validate=False, remove_uids=False))
        layout = {key: value for key, value in fig_dict.get("layout", {}).items()
                  if key != "width"}
        html = pio.to_html({**fig_dict, "layout": layout}, config=self.config,
                           full_html=False, include_plotlyjs=False, include_mathjax=False,
                           validate=False, default_width="100%",
                           default_height=self.default_height, post_script=_WATCH_FIGURE)
        return {"application/vnd.plotly.v1+json": {**figure_json, "config": self.config},
                "text/html": html}


_OFFLINE_RENDERER = OfflineFigureRenderer()


def plotly_js_html() -> str:
    """plotly.js (the copy shipped with the plotly package) as one inline ``<script>``, and
    the figure fitter (:data:`FIT_SCRIPT`) as a second."""
    from plotly.offline import get_plotlyjs

    script = get_plotlyjs().replace("</script", "<\\/script")
    return (f'<script type="text/javascript">{script}</script>\n'
            f'<script type="text/javascript">{FIT_SCRIPT}</script>')


def use_offline_figures() -> None:
    """Make figures draw offline in exported reports: call once, in the first code cell.

    Makes the ``"sitrep"`` renderer draw every figure and displays plotly.js inline once (a
    ``text/html`` output of about 4.8 MB), with the figure fitter (:data:`FIT_SCRIPT`), before
    any figure. Every later figure output refers to that copy, so the exported HTML holds
    plotly.js exactly once. Calling it again displays plotly.js again.

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
    display({"text/html": plotly_js_html()}, raw=True)
