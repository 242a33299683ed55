"""The house style every figure shares: the Plotly template and colours, text wrapped and
escaped once, and the layout that stacks title, plot, axis, legend and source note.

Plotly draws trace names, hover text, annotations, titles and tick labels as a small subset of
HTML (``<b>``, ``<a href>``, ``<br>``, entities). So every text from outside the code (the data
files, the column dictionary, a caller's argument) goes through :func:`escape_text` once
(directly, or by :func:`wrap_text` or :func:`legend_name`), where the trace or layout item
holding it is built; every trace name goes through :func:`legend_name`. Nothing escapes a text
already in a figure.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from sitrep_analysis.analysis import (
    DateLike,
)
from sitrep_analysis.columns import COVERAGE_END, COVERAGE_START, FIELDS, TABLES, code_label

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


#: The trace types the house template styles: the ones the figures draw. Plotly copies a
#: figure's template into it, so each type more costs time and bytes in every figure (the
#: whole of simple_white, 24 types, doubles both). For other types, combine templates:
#: ``template="simple_white+sitrep"``.
TEMPLATE_TRACE_TYPES = ("bar", "scatter")


def _register_template() -> None:
    base = pio.templates["simple_white"]
    template = go.layout.Template(layout=base.layout, data={
        kind: base.data[kind] for kind in TEMPLATE_TRACE_TYPES})
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
        margin={"l": 56, "r": 16, "t": 90, "b": 125},
        # An axis titled even "" keeps room for a title: leave the title out instead.
        xaxis={"showgrid": False, "ticks": "outside", "tickfont": {"size": 12},
               "title": {"font": {"size": 13}, "standoff": 10}},
        yaxis={"showgrid": True, "gridcolor": "#e5e5e5", "ticks": "outside",
               "tickfont": {"size": 12}, "title": {"font": {"size": 13}, "standoff": 10}},
        bargap=0.1,
    )
    pio.templates[TEMPLATE_NAME] = template


_register_template()


def escape_text(value: object) -> str:
    """Plain text as Plotly text: ``&``, ``<`` and ``>`` escaped, so text from the data shows
    as written and opens no tag. Call it once per text, where the figure takes it in.

    Quotes stay as they are: with ``<`` escaped no tag can open, and Plotly decodes only a
    few named entities (``&quot;`` would show as typed).

    >>> escape_text('<b>x</b> & "y"')
    '&lt;b&gt;x&lt;/b&gt; &amp; "y"'
    """
    return html.escape(str(value), quote=False)


def wrap_text(text: object, width: int) -> str:
    """Plain text as Plotly text: broken at spaces into lines of at most ``width`` characters
    joined by ``<br>`` (a newline in ``text`` always breaks), each line escaped by
    :func:`escape_text`, so text from the data shows as written and stays inert.

    Lines are wrapped before they are escaped: an entity like ``&lt;`` is never split, and
    the width counts the characters a reader sees.

    >>> wrap_text("Attacks by group claiming the attack", 16)
    'Attacks by group<br>claiming the<br>attack'
    >>> wrap_text("2020-01-03\\nA <b>bold</b> & odd title", 14)
    '2020-01-03<br>A &lt;b&gt;bold&lt;/b&gt;<br>&amp; odd title'
    """
    lines = [line for paragraph in str(text).split("\n")
             for line in textwrap.wrap(paragraph, width, break_on_hyphens=False) or [""]]
    return "<br>".join(escape_text(line) for line in lines)


def legend_name(text: object) -> str:
    """A trace's (or shape's) name as its legend entry: plain ``text`` wrapped to the width of a
    phone's legend and escaped, by :func:`wrap_text`.

    >>> legend_name("Officials' count per week")
    "Officials' count per week"
    >>> legend_name("Rocket <b>&</b> a name too long for one line of a legend")
    'Rocket &lt;b&gt;&amp;&lt;/b&gt; a name too long<br>for one line of a legend'
    """
    return wrap_text(text, LEGEND_CHARS)


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
    A column is as wide as its longest line as read (``&amp;`` is one character).
    """
    columns: dict[object, list[str]] = {}
    for group, text in _legend_entries(figure):
        columns.setdefault(group, []).extend(html.unescape(text).split("<br>"))
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


def add_source_line(figure: go.Figure, text: str, below_px: float) -> None:
    """The source note ``below_px`` under the plot, at its left edge; named ``"source"`` so
    the page script (:data:`FIT_SCRIPT`) can move it under the legend."""
    figure.add_annotation(text=text, name="source", xref="paper", yref="paper", x=0, y=0,
                          yshift=-below_px, xanchor="left", yanchor="top", align="left",
                          showarrow=False, font={"size": 11, "color": "#555555"})


def house_layout(figure: go.Figure, *, title: str, subtitle: str, note: str, plot_px: float,
                 axis_px: float = NUMBER_AXIS_PX, axis_title: str | None = None) -> None:
    """Lay out the text around a plot area ``plot_px`` pixels high, in the house order.

    Above the plot the title and subtitle; under it the x axis (``axis_px`` deep with a
    one-line ``axis_title``, or none), the legend in rows, and the source note (``note``:
    :func:`source_line` text, ``<br>`` between lines); the margins and height leave room for
    each, so nothing overlaps and the plot keeps its height. Title, subtitle, note and axis
    title are plain text: each is wrapped to fit a phone and escaped by :func:`wrap_text`.
    The traces' names are left as they are (set by :func:`legend_name`).

    The legend's height is estimated for a notebook column (:func:`estimated_legend_px`); in
    a report the page script measures it, with the axis and note, at the width the figure
    gets, and moves the legend and note and sets the height again.
    """
    title_text = wrap_text(title, TITLE_CHARS)
    subtitle_text = wrap_text(subtitle, SUBTITLE_CHARS)
    note_text = "<br>".join(wrap_text(line, NOTE_CHARS) for line in note.split("<br>"))
    if axis_title:
        axis_title_text = wrap_text(axis_title, AXIS_TITLE_CHARS)
        figure.update_layout(xaxis_title_text=axis_title_text)
        axis_px += (line_count(axis_title_text) - 1) * AXIS_TITLE_LINE_PX
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
