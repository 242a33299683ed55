"""Breakdowns: attacks by weapon, place, claimant or attribution, and projectile counts as
the ranges the sources support."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from sitrep_analysis.analysis import (
    DateLike,
    projectile_range_words,
)
from sitrep_analysis.columns import FIELDS
from sitrep_analysis.figures.style import (
    HOVER_CHARS,
    LABEL_CHARS,
    TEMPLATE_NAME,
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
            name=legend_name(weapon), marker={"color": WEAPON_COLOURS[code]},
            hovertemplate=f"%{{y}}: %{{x}} attack(s), {escape_text(weapon)}<extra></extra>"))
    what = _BREAKDOWN_TITLES.get(by, by.replace("_", " "))
    largest = int(counts.groupby(by, sort=False)["attacks_count"].sum().max()) if len(
        counts) else 0
    row_labels = [label(v) for v in order]
    figure.update_layout(
        template=TEMPLATE_NAME, barmode="stack", showlegend=split is not None,
        # whole-number ticks: with small counts Plotly would step by 0.5 and ",d" would
        # print 0, 1, 1, 2, 2
        xaxis={"tickformat": ",d", "rangemode": "tozero",
               "dtick": 1 if largest <= 8 else None},
        yaxis={"type": "category", "categoryorder": "array",
               "categoryarray": row_labels[::-1], "automargin": True, "showgrid": False},
    )
    house_layout(
        figure, plot_px=40 + rows_px(row_labels, 28), axis_title="Attacks (count)",
        title=f"Attacks by {what}",
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
            name=legend_name(category_label("weapon_type", code)),
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
        xaxis={"range": [-0.5, edge * 1.03], "rangemode": "tozero"},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": labels[::-1],
               "automargin": True, "showgrid": True, "gridcolor": "#f3f3f3"},
    )
    house_layout(
        figure, plot_px=40 + rows_px(labels, 20), axis_title="Projectiles (count)",
        title="Projectiles per attack, as the sources give them",
        subtitle=("Marker: lowest count; line: up to the highest count; arrow: open-ended "
                  "(\"at least\"); diamond: sources disagree (hover for each source)."),
        note=source_line({"incidents": len(shown)}, first, last))
    return figure


# --- offline rendering --------------------------------------------------------------------------
