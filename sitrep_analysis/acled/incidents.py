"""Map the selected rows to the incidents layout of the curated data (:func:`to_incidents`):
one incident per ACLED event, with the site, weapon, counts and sources the table takes.

ACLED's quirks handled here, as real exports show them:

- ``location`` is often not the base (see :mod:`.select`): the site is the base the notes or
  ``location`` name, as the selection found it (``named_site_id``, when within
  ``NAMED_SITE_KM`` of ACLED's coordinates), else the nearest base within its radius, else for
  a convoy attack the nearest convoy route, else a new site at ACLED's place
  (``acled-<place>``).
- ACLED has no weapon column: the weapon comes from the notes' words (:data:`WEAPON_NOTES`),
  else from the sub-event type (:data:`WEAPON_SUB_EVENT`). Projectile counts come from the
  notes ("at least 11 ballistic missiles"); a calibre ("107 mm rockets") is not a count.
- ``fatalities`` counts every death, attackers included, not split by nationality: the killed
  counts are 0 only when ACLED records no death, else left empty with a note. ACLED has no
  injury counts: the wounded counts stay empty, never 0.
- ``source`` lists outlets separated by ``;``: each event becomes one source row citing them.
- ``actor1`` is ACLED's coding of the perpetrator: an attribution *by ACLED*, never a claim.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd

from sitrep_analysis.acled.select import (
    CONVOY,
    DEFAULT_RADIUS_KM,
    ROUTE_RADIUS_KM,
    YEAR_RANGE,
    base_sites,
    nearest_site,
    placed_by_name,
)
from sitrep_analysis.acled.text import contains, first_match
from sitrep_analysis.columns import TABLES
from sitrep_analysis.parse import split_list

#: Main weapon from the notes, most specific first; then from the sub-event type.
WEAPON_NOTES = (
    ("ballistic_missile", r"(?i)\bballistic\s+missiles?\b"),
    ("drone", r"(?i)\b(?:drones?|UAVs?|unmanned aerial vehicles?|quadcopters?)\b"),
    ("rocket", r"(?i)\b(?:rockets?|Katyushas?|Grad|107\s?mm|122\s?mm|240\s?mm)\b"),
    ("mortar", r"(?i)\bmortars?\b"),
    ("ied", r"(?i)\b(?:IEDs?|improvised explosive devices?|roadside bombs?|explosive devices?|"
            r"landmines?|sticky bombs?)\b"),
)
WEAPON_SUB_EVENT = {"Air/drone strike": "drone", "Remote explosive/landmine/IED": "ied"}

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a dozen": 12}
#: A count before a weapon word, with up to two words between (not "of" or "the"):
#: "at least 11 ballistic missiles", "two drones", "around 18 Katyusha rockets"; a calibre
#: ("107 mm rockets") is not a count.
_PROJECTILE_COUNT = re.compile(
    r"\b(?:(?P<q>at least|more than|over|up to|as many as|around|about|approximately|some|"
    r"nearly|almost)\s+)?(?P<n>\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")(?!\s*mm\b)\s+"
    r"(?:(?!of\b|the\b)[A-Za-z0-9\-]+\s+){0,2}?"
    r"(?P<w>rockets?|missiles?|drones?|mortar\s+(?:shells|rounds|bombs)|mortars|shells|"
    r"projectiles|IEDs|explosive devices)\b", re.IGNORECASE)
_FLOOR, _CEILING = ("at least", "more than", "over"), ("up to", "as many as")
#: The incidents table's target kind for a gazetteer site kind (other kinds: ``other``).
_TARGET_KINDS = {"air_base": "base", "military_base": "base", "airport": "airport",
                 "diplomatic": "diplomatic", "district": "diplomatic", "route": "convoy"}


def to_incidents(selected: pd.DataFrame, sites: pd.DataFrame, actors: pd.DataFrame, *,
                 radius_km: float = DEFAULT_RADIUS_KM,
                 known_sources: Iterable[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame,
                                                              pd.DataFrame]:
    """Map selected rows to the incidents layout; return (incidents, new sites, new sources).

    ``selected`` holds rows of :func:`~.select.select_attacks` (with its ``named_site_id`` and
    ``named_site_km``: the base the notes name is the selection's, never worked out again).

    What each column takes (columns not listed stay empty):

    - ``incident_id``: date, site and ACLED id, e.g. ``2020-01-08-ain-al-asad-irq22904``;
    - ``date_precision``: ACLED ``time_precision`` 1 -> ``day``, 2 or 3 -> ``approximate``;
    - ``site_id``: see :func:`_assign_sites`; ``site_name``: ACLED's ``location``;
      ``latitude``/``longitude``: ACLED's (``province`` comes from the site when loaded);
    - ``weapon_type``/``weapon_detail``: see :func:`_weapons`; projectile counts from the notes;
    - ``target_kind``: from the site's kind (route -> convoy); on a site the import adds, from
      the row's own notes (convoy when they say so, else other);
    - killed counts: 0 when ACLED records no fatality at all; otherwise empty, since ACLED's
      ``fatalities`` counts everyone (attackers too) without nationality, and
      ``casualties_note`` says so. Wounded counts stay empty (ACLED records no injuries);
    - ``attributed_to``: ACLED's actor1 when it names an actor of the gazetteer, with
      ``attributed_by`` ``ACLED``; never ``claimed_by`` (a coding is not a claim);
    - ``source_ids``: ``acled-<id>``, a source row citing "ACLED event <id>: <outlets>".
    """
    columns = list(TABLES["incidents"].columns)
    if selected.empty:
        return (pd.DataFrame(columns=columns), pd.DataFrame(columns=TABLES["sites"].columns),
                pd.DataFrame(columns=TABLES["sources"].columns))
    rows = selected.reset_index(drop=True)
    convoy = contains(rows["notes"], CONVOY).to_numpy()  # the notes say a convoy was hit
    site_id, new_sites = _assign_sites(rows, sites, radius_km, convoy)
    kinds = pd.concat([sites[["site_id", "site_kind"]].astype(str),
                       new_sites[["site_id", "site_kind"]].astype(str)]).set_index(
        "site_id")["site_kind"]
    site_kind = site_id.map(kinds)
    target = site_kind.map(_TARGET_KINDS).fillna("other")
    # a site the import adds is shared by every row at that place: each row's own notes
    # say whether it hit a convoy
    on_new_site = site_id.isin(new_sites["site_id"]).to_numpy()
    target = target.mask(on_new_site, "other").mask(on_new_site & convoy, "convoy")
    weapon, weapon_detail = _weapons(rows["sub_event_type"].astype(str), rows["notes"])
    low, high, phrase = _projectiles(rows["notes"])
    weapon_detail = phrase.fillna(weapon_detail)
    attributed = _attributions(rows["actor1"].astype("string"), actors)
    event_id = rows["event_id_cnty"].astype(str)
    none_killed = rows["fatalities"].eq(0)
    zero = pd.Series(0, index=rows.index, dtype="Int64").where(none_killed)  # else <NA>
    dates = rows["event_date"].dt.strftime("%Y-%m-%d")
    source_id = "acled-" + event_id.str.lower()
    # an ndarray, as np.where gave: the DataFrame infers the column's dtype from it
    attributed_by = np.full(len(rows), None, dtype=object)
    attributed_by[attributed.notna().to_numpy()] = "ACLED"
    incidents = pd.DataFrame({
        "incident_id": dates + "-" + site_id.astype(str) + "-" + event_id.str.lower(),
        "incident_date": dates,
        "date_precision": np.where(rows["time_precision"].fillna(1).eq(1), "day",
                                   "approximate"),
        "country": rows["country"].astype(str),
        "site_id": site_id.astype(str), "site_name": rows["location"].astype(str),
        "latitude": rows["latitude"], "longitude": rows["longitude"],
        "weapon_type": weapon, "weapon_detail": weapon_detail,
        "projectiles_low": low, "projectiles_high": high, "target_kind": target,
        "us_killed_count": zero, "coalition_killed_count": zero,
        "contractors_killed_count": zero, "iraqi_killed_count": zero,
        "casualties_note": "ACLED fatalities: " + rows["fatalities"].astype(str)
        + " (everyone killed, attackers included; not split by nationality)",
        "attributed_to": attributed,
        "attributed_by": attributed_by,
        "attribution_status": np.where(attributed.notna(), "attributed", "unattributed"),
        "acled_event_id": event_id, "source_ids": source_id,
        "curation_basis": "acled_import",
        "notes": rows["notes"].astype(str) + " [ACLED actor1: " + rows["actor1"].astype(str)
        + "; actor2: " + rows["actor2"].astype(str) + "; assoc_actor_2: "
        + rows["assoc_actor_2"].astype(str) + "; sub-event: "
        + rows["sub_event_type"].astype(str) + ". Selected: "
        + rows["selection_reason"].astype(str) + "]",
    }).reindex(columns=columns)
    outlets = rows["source"].astype(str).str.split(";").map(
        lambda items: ", ".join(item.strip() for item in items if item.strip()))
    known = set(known_sources)
    sources = pd.DataFrame({
        "source_id": source_id, "outlet": "ACLED",
        "title": "event " + event_id + ": " + outlets.where(outlets.ne(""), "no outlet named"),
        "source_kind": "dataset",
        "notes": "From the analyst's ACLED export; the outlets are those ACLED cites",
    }).reindex(columns=list(TABLES["sources"].columns))
    sources = sources[~sources["source_id"].isin(known)]
    return incidents, new_sites.reindex(columns=list(TABLES["sites"].columns)), sources


def _assign_sites(rows: pd.DataFrame, sites: pd.DataFrame, radius_km: float,
                  convoy: np.ndarray) -> tuple[pd.Series, pd.DataFrame]:
    """Gazetteer site of each selected row, adding sites for places the gazetteer lacks.

    In order: the base the notes or ``location`` name (``named_site_id``, as the selection
    chose it among several), unless it lies farther from ACLED's coordinates than
    ``NAMED_SITE_KM`` (:func:`~.select.placed_by_name`); the nearest base within its radius;
    for a convoy attack (``convoy``: the notes say so), the nearest convoy route within
    ``ROUTE_RADIUS_KM``; else a new site at ACLED's location (``acled-<place>``). Rows located
    only at a region's capital (geo_precision 3) skip the two distance steps.
    """
    site_id = rows["named_site_id"].astype("string").where(placed_by_name(rows))
    lat, lon = rows["latitude"].to_numpy(float), rows["longitude"].to_numpy(float)
    placed = ~rows["geo_precision"].eq(3).fillna(False).to_numpy()
    points = base_sites(sites, radius_km)
    if len(points) and radius_km > 0:
        near, _ = nearest_site(lat, lon, points)
        found = pd.Series(np.where((near >= 0) & placed, points["site_id"].to_numpy(
            dtype=object)[near], None), index=rows.index, dtype="string")
        site_id = site_id.fillna(found)
    routes = sites[sites["site_kind"].astype("string").eq("route")
                   & sites["latitude"].notna()].copy()
    if len(routes):
        routes["radius_km"] = ROUTE_RADIUS_KM
        near, _ = nearest_site(lat, lon, routes.reset_index(drop=True))
        found = pd.Series(np.where((near >= 0) & placed, routes["site_id"].astype(str)
                                   .to_numpy(dtype=object)[near], None), index=rows.index,
                          dtype="string")
        site_id = site_id.mask(site_id.isna() & convoy, found)
    unplaced = site_id.isna().to_numpy()
    new_sites = _new_sites(rows[unplaced], set(sites["site_id"].astype(str)), convoy[unplaced])
    site_id = site_id.fillna(new_sites["site_id_by_row"])
    return site_id, new_sites.drop(columns="site_id_by_row").drop_duplicates("site_id")


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _new_sites(rows: pd.DataFrame, taken: set[str], convoy: np.ndarray) -> pd.DataFrame:
    """Gazetteer rows for ACLED places the gazetteer lacks (one per place and coordinates);
    a place whose row hit a convoy (``convoy``) is a route, any other a town."""
    columns = list(TABLES["sites"].columns)
    if rows.empty:
        return pd.DataFrame(columns=[*columns, "site_id_by_row"])
    keys = (rows["location"].astype(str) + "|" + rows["latitude"].round(4).astype(str) + "|"
            + rows["longitude"].round(4).astype(str))
    ids: dict[str, str] = {}
    for key, location, event_id in zip(keys, rows["location"].astype(str),
                                       rows["event_id_cnty"].astype(str), strict=True):
        if key in ids:
            continue
        base = "acled-" + (_slug(location) or event_id.lower())
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            candidate = f"{base}-{number}"
        taken.add(candidate)
        ids[key] = candidate
    geo = rows["geo_precision"].astype("Int64").astype("string").fillna("not given")
    frame = pd.DataFrame({
        "site_id": keys.map(ids), "site_name": rows["location"].astype(str),
        "aliases": "", "site_kind": np.where(convoy, "route", "town"),
        "country": rows["country"].astype(str), "province": rows["admin1"].astype(str),
        "latitude": rows["latitude"], "longitude": rows["longitude"],
        "coordinates_precision": "town",
        "coordinates_basis": "ACLED event " + rows["event_id_cnty"].astype(str)
        + " coordinates (geo_precision " + geo + ")",
        "notes": "Place added by the ACLED import: ACLED's location, not in the curated "
                 "gazetteer",
    }, index=rows.index)
    frame["site_id_by_row"] = frame["site_id"]
    return frame


def _weapons(sub_event: pd.Series, notes: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Main weapon (the first of :data:`WEAPON_NOTES` the notes name, else from the sub-event
    type, else ``other_unknown``) and what it rests on."""
    weapon = pd.Series(pd.NA, index=notes.index, dtype="string")
    detail = pd.Series(pd.NA, index=notes.index, dtype="string")
    for code, pattern in WEAPON_NOTES:
        words = first_match(notes, pattern)
        new = weapon.isna() & words.notna()
        weapon = weapon.mask(new, code)
        detail = detail.mask(new, "notes: " + words.fillna(""))
    from_sub = sub_event.map(WEAPON_SUB_EVENT).astype("string")
    fallback = weapon.isna()
    weapon = weapon.fillna(from_sub).fillna("other_unknown")
    detail = detail.mask(fallback, "ACLED sub-event type: " + sub_event.astype(str))
    return weapon, detail


def _projectiles(notes: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Projectile counts from the first count phrase of the notes ("at least 11 ballistic
    missiles"): exact -> low and high, a floor -> low, a ceiling -> high, "about" -> neither.
    Returns low, high and the phrase. Runs on the selected rows only, so plain Python."""
    low: list[int | None] = []
    high: list[int | None] = []
    phrase: list[str | None] = []
    for text in notes.astype(str):
        found = _PROJECTILE_COUNT.search(text)
        if found is None:
            low.append(None)
            high.append(None)
            phrase.append(None)
            continue
        word = found["n"].lower()
        number = _NUMBER_WORDS[word] if word in _NUMBER_WORDS else int(word)
        qualifier = (found["q"] or "").lower()
        low.append(number if qualifier in ("", *_FLOOR) else None)
        high.append(number if qualifier in ("", *_CEILING) else None)
        phrase.append(found.group(0))
    return (pd.Series(low, index=notes.index, dtype="Int64"),
            pd.Series(high, index=notes.index, dtype="Int64"),
            pd.Series(phrase, index=notes.index, dtype="string"))


def _attributions(actor1: pd.Series, actors: pd.DataFrame) -> pd.Series:
    """Actor id for ACLED's actor1 when it names an actor of the gazetteer: the whole name
    (year range removed) equals an actor's name or alias, or contains one as whole words
    (``Military Forces of Iran (1989-) Islamic Revolutionary Guard Corps`` -> ``irgc``)."""
    names: dict[str, str] = {}
    for actor_id, actor_name, aliases in zip(actors["actor_id"].astype(str),
                                             actors["actor_name"].astype(str), actors["aliases"],
                                             strict=True):
        for name in [actor_name, *split_list(aliases)]:
            if len(name.strip()) >= 4:
                names.setdefault(name.strip().lower(), actor_id)
    longest_first = sorted(names, key=len, reverse=True)

    def lookup(value: object) -> object:
        if not isinstance(value, str) or not value:
            return pd.NA
        stem = re.sub(YEAR_RANGE, "", value).strip().lower()
        if stem in names:
            return names[stem]
        for name in longest_first:
            if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", stem):
                return names[name]
        return pd.NA

    unique = actor1.dropna().unique()
    return actor1.map({value: lookup(value) for value in unique}).astype("string")
