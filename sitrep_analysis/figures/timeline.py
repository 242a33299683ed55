"""The timeline: attacks per period by weapon, political events in a lane above, US troop
levels, and the officials' count with the coverage shading."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from sitrep_analysis.analysis import (
    FREQUENCIES,
    PERIOD_GRID_FREQ,
    PERIOD_WORDS,
    DateLike,
    attack_counts,
    troop_level_steps,
)
from sitrep_analysis.columns import FIELDS, code_label
from sitrep_analysis.figures.style import (
    DATE_AXIS_PX,
    EVENT_COLOURS,
    TEMPLATE_NAME,
    TROOP_COLOUR,
    TROOP_DASH,
    WEAPON_COLOURS,
    category_label,
    escape_text,
    house_layout,
    legend_name,
    rows_px,
    shown_range,
    source_line,
    wrap_text,
)

#: The timeline's event rows are labelled left of a narrow plot on a phone: at most this many
#: characters a line ("Troop / announcement").
LANE_LABEL_CHARS = 12


def _period_alignment(freq: str) -> dict[str, object]:
    """Trace settings that place each point at the middle of the period holding its x, so bars
    span their period and lines meet the bars' middles. Plotly counts periods from
    ``xperiod0``: a Monday for weeks, a first of the month for months."""
    return {"xperiod": {"D": 86_400_000, "W": 7 * 86_400_000, "M": "M1"}[freq],
            "xperiod0": "2000-01-03" if freq == "W" else "2000-01-01",
            "xperiodalignment": "middle"}


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
    alignment = _period_alignment(freq)
    for code in FIELDS["weapon_type"].allowed or ():
        # empty periods draw nothing in a stack: leaving them out keeps long reports small
        own = counts[(counts["weapon_type"] == code) & (counts["attacks_count"] > 0)]
        weapon = category_label("weapon_type", code)
        figure.add_trace(go.Bar(
            x=own["period_start"], y=own["attacks_count"], name=legend_name(weapon),
            legendgroup="attacks", legendgrouptitle_text=f"Attacks per {period}",
            marker={"color": WEAPON_COLOURS[code], "line": {"width": 0}}, **alignment,
            customdata=own["period_start"].dt.strftime("%Y-%m-%d"),
            hovertemplate=(f"{escape_text(weapon)}: "
                           f"%{{y}} attack(s)<br>{period} from %{{customdata}}<extra></extra>"),
            yaxis="y",
        ))

    if rolling is not None:
        totals = attack_counts(incidents, freq=freq, start=first, end=last, rolling=rolling)
        figure.add_trace(go.Scatter(
            x=totals["period_start"], y=totals["attacks_rolling_mean"], mode="lines",
            name=legend_name(f"{rolling}-{period} mean"), legendgroup="attacks",
            line={"color": "#444444", "width": 1.5, "shape": "spline", "smoothing": 0.3},
            **alignment,
            hovertemplate=(f"Mean of the {rolling} {period}s to %{{x|%Y-%m-%d}}: "
                           "%{y:.2f} attacks<extra></extra>"),
            yaxis="y",
        ))

    shading = []
    if tally_intervals is not None:
        shading = _add_officials_rate(figure, tally_intervals, first, last, freq, period,
                                      alignment)

    scope_label = category_label("scope", "us_iraq")
    for kind in ("reported", "announced_target"):
        own = steps[steps["kind"] == kind]
        if own.empty:
            continue
        figure.add_trace(go.Scatter(
            x=own["date"], y=own["troops_count"].astype("float64"), mode="lines",
            line={"shape": "hv", "color": TROOP_COLOUR, "dash": TROOP_DASH[kind], "width": 2},
            name=legend_name(category_label("kind", kind)), legendgroup="troops",
            legendgrouptitle_text=escape_text(scope_label),
            hovertemplate=(escape_text(f"{scope_label}, {code_label('kind', kind)}: ")
                           + "%{y:,} troops from %{x|%Y-%m-%d}<extra></extra>"),
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
            x=own["event_date"], y=[lane_labels[code]] * len(own), mode="markers",
            name=legend_name(label), legendgroup="events",
            legendgrouptitle_text="Political events",
            marker={"color": EVENT_COLOURS[code], "size": 11, "symbol": "diamond",
                    "line": {"color": "#333333", "width": 0.5}},
            customdata=[escape_text(title) for title in own["title"]],
            hovertemplate=(f"<b>%{{customdata}}</b><br>{escape_text(label)}, "
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
        xaxis={"type": "date",
               "range": [first - pd.Timedelta(days=3), last + pd.Timedelta(days=3)]},
        yaxis={"title": {"text": f"Attacks per {period} (count)"}, "domain": [0, bars_to],
               "rangemode": "tozero", "tickformat": ",d", "dtick": 1 if busiest <= 8 else None},
        yaxis2={"title": {"text": escape_text(f"{scope_label} (troops)")}, "overlaying": "y",
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
        figure, plot_px=plot_px, axis_px=DATE_AXIS_PX, axis_title="Date",
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
        x=grid, y=line["officials_count"], mode="lines",
        name=legend_name(f"Officials' count per {period}"),
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
            "name": legend_name(f"data hold at least {WELL_COVERED:.0%}" if kind == "well"
                                else f"data hold less than {WELL_COVERED:.0%}"),
        })
        legend_done[kind] = True
    return shapes


def _figures_shown(troop_levels: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp) -> int:
    """Troop figures (US, Iraq) dated on or before ``last``: the ones a step line can use."""
    scoped = troop_levels["scope"].eq("us_iraq").fillna(False)
    return int((scoped & (troop_levels["date"] <= last)).sum())


# --- event study ----------------------------------------------------------------------------------
