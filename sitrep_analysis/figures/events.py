"""The event study's forest plot: one row per event, the rate ratio and its exact interval."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from sitrep_analysis.columns import COVERAGE_END, COVERAGE_START, FIELDS
from sitrep_analysis.figures.style import (
    EVENT_COLOURS,
    HOVER_CHARS,
    LABEL_CHARS,
    TEMPLATE_NAME,
    category_label,
    house_layout,
    legend_name,
    rows_px,
    source_line,
    wrap_text,
)


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
                name=legend_name("95% CI" + (muted_name if muted else "")),
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
            name=legend_name(category_label("category", code)), legendgroup="events",
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
            y=[labels[i] for i in undefined.index], mode="markers",
            name=legend_name("Ratio 0 or undefined"),
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
        xaxis={"type": "log", "range": [math.log10(low_edge), math.log10(high_edge)]},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": labels[::-1],
               "showgrid": True, "gridcolor": "#f0f0f0", "automargin": True},
    )
    house_layout(
        figure, plot_px=40 + rows_px(labels, 26),
        axis_title="Rate ratio, after / before (log scale; 1 = no change)",
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
