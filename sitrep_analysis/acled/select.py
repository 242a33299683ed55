"""Select the attacks on US and coalition forces from an export's rows, with the reason for
every candidate: which rule picked it, or why it was left out (:func:`select_attacks`).

Everything the rules look for (actor names, words of the notes, base names beyond the
gazetteer's, site kinds, radii) is in one table, :data:`SELECTION_TABLE`, one row per term:
the rule that uses it, its name, its value and what it means. Review the rules there;
``pandas.DataFrame(SELECTION_TABLE)`` shows it as a table.

Rules
-----
A row of the country is a *candidate* when any rule below finds US or coalition forces in it:

- ``actor``: an actor on the target side (``actor2``, ``assoc_actor_2``) is US or coalition
  (``COALITION_ACTOR_STEMS``): the US, coalition members' armed forces, ACLED's
  ``Global Coalition Against Daesh``, NATO, the US government, and US or British private
  security forces and civilians (in Iraq those are contractors and diplomatic staff, whom the
  incidents table counts). Turkey's forces are left out: in Iraq they fight the PKK on their
  own account, not as part of the coalition.
- ``notes``: the notes name US or coalition forces, their bases, convoys or embassy
  (``US_COALITION_NOTES``), or a base of the gazetteer by name (``Ain al-Asad air base``; its
  names and aliases, plus ``EXTRA_SITE_NAMES``). "Coalition" alone is not enough: Iraqi
  political blocs are coalitions too.
- ``distance``: a ``Shelling/artillery/missile attack`` or ``Air/drone strike``
  (``INDIRECT_FIRE``) located (not at a region's capital) within ``radius_km`` (default
  ``DEFAULT_RADIUS_KM``, 15 km) of a base of the gazetteer (``BASE_KINDS``), or within
  ``CITY_RADIUS_KM`` (3 km) of an airport, embassy or the Green Zone (``CITY_KINDS``). 15 km
  reaches the town where ACLED codes an attack on a base in open country (Al Baghdadi is
  11.8 km from Ain al-Asad) without reaching the next one (Hit is about 40 km away); inside
  Baghdad or Erbil a wider circle would take in the whole city (Erbil's centre is 7 km from its
  airport). It is the weakest rule: every row's reason says which rules picked it, and
  ``radius_km=0`` turns it off.

A candidate is *selected* unless one of these holds, each reported as its exclusion reason:

- the event is not an attack: only ``ATTACK_EVENT_TYPES`` (``Explosions/Remote violence``,
  ``Battles``), and ``DISRUPTED`` (``Disrupted weapons use``) whose notes say the weapons were
  ``INTERCEPTED`` or shot down are attacks (protests at the US embassy, or weapons found before
  use, are not);
- US or coalition forces are on the acting side (``actor1``, ``assoc_actor_1``): a US strike on
  a militia is a US action, not an attack on US forces;
- the acting side is the Islamic State (``ISLAMIC_STATE_ACTOR``): the workbook is about
  Iran-aligned groups;
- distance was the only rule and the acting side is a state force other than Iran's
  (``inter1`` in ``STATE_INTER`` or ``actor1`` matching ``STATE_ACTOR``, not
  ``IRANIAN_ACTOR``): Iraqi artillery shelling IS hide-outs or a Turkish drone striking the
  PKK near a base is not an attack on the base.

Selected attacks outside the coverage period of the incidents table are listed but not
written (:mod:`.importer`).

ACLED's quirks the rules allow for, as real exports show them
-------------------------------------------------------------
- Actor names carry year ranges that change between releases:
  ``Military Forces of the United States (2017-)``, later ``(2021-)``. Actors are matched on
  the name without its year range; a parenthesis that is not a year range is part of the name
  (``Private Security Forces (United States)``). Some exports drop the "the"
  (``Military Forces of United States (2021-)``): both spellings match. Associated-actor cells
  list several actors separated by ``;``.
- US or coalition forces as a target often appear only in ``assoc_actor_2``, or only in
  ``notes``.
- Attacks on bases are mostly ``Explosions/Remote violence`` with sub-event types
  ``Shelling/artillery/missile attack``, ``Air/drone strike`` or
  ``Remote explosive/landmine/IED``; an attack whose rockets or drones were all shot down is
  ``Strategic developments`` / ``Disrupted weapons use`` (as are found or defused weapons).
- ``location`` is often not the base: the Iranian missile strike on Ain al-Asad of 2020-01-08 is
  coded at Al Baghdadi (33.8514, 42.5487), 11.8 km from the base, and rockets "near Baghdad
  airport" at Baghdad's centre. Hence the names in the notes and the distance rule. A named
  base places the event only within ``NAMED_SITE_KM`` (50 km) of ACLED's coordinates
  (``NAMED_SITE_REGION_KM`` for a region's capital): an IED near Diwaniyah on "a convoy
  carrying supplies to the US embassy" is a convoy attack near Diwaniyah, not an attack on the
  embassy 150 km away; the reason says so. Of several bases named, the one that counts is the
  nearest to ACLED's coordinates within that limit (then one without coordinates, then the
  nearest beyond; a tie goes to the gazetteer's first): "Balad Air Base and Camp Taji" coded
  at Taji name Camp Taji, for the reason and for :mod:`.incidents`'s placing alike.
- ``geo_precision`` 3 means the coordinates are those of a larger area's capital: such rows are
  never placed by distance.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sitrep_analysis.acled.read import AcledExport
from sitrep_analysis.acled.text import contains, first_match, join_parts, matches
from sitrep_analysis.parse import split_list


@dataclass(frozen=True)
class Term:
    """One row of :data:`SELECTION_TABLE`."""

    rule: str  # the rule that uses it: actor, notes, distance, placing or exclusion
    name: str  # the name the code reads it by (a module constant)
    value: Any  # the names, RE2 pattern, kinds or kilometres
    meaning: str  # what it is for, in words


_COALITION_MEMBERS = (
    "the United Kingdom", "France", "Italy", "Germany", "Spain", "the Netherlands",
    "Netherlands", "Australia", "Canada", "Denmark", "Norway", "Poland", "Hungary",
    "Czech Republic", "New Zealand", "Sweden", "Finland", "Belgium", "Portugal", "Romania",
    "Lithuania", "Latvia", "Estonia", "Slovakia", "Slovenia", "Croatia", "Albania")

#: Everything the selection rules look for, one row per term, in the order of the rules.
#: Patterns are RE2 (pyarrow's regular expressions); ``(?i)`` makes one case-insensitive.
SELECTION_TABLE: tuple[Term, ...] = (
    Term("actor", "COALITION_ACTOR_STEMS", (
        "Military Forces of the United States", "Government of the United States",
        "Private Security Forces (United States)", "Private Security Forces (United Kingdom)",
        "Civilians (United States)", "Global Coalition Against Daesh",
        "NATO: North Atlantic Treaty Organization",
        *(f"Military Forces of {country}" for country in _COALITION_MEMBERS)),
        "Actor names (without year range) meaning US or coalition forces, or the people the "
        "incidents table counts with them. Coalition members: contributors of troops to "
        "Operation Inherent Resolve and NATO Mission Iraq. Turkey is deliberately absent."),
    Term("notes", "US_COALITION_NOTES", (
        r"(?i)\b(?:U\.?S\.?|United States|American)(?:[\s\-]+led)?[\s\-]+(?:forces|troops|"
        r"soldiers|service\s*members|servicemen|personnel|military|army|marines|advis[eo]rs|"
        r"contractors?|bases?|embassy|consulate|convoys?|coalition|diplomats?)\b"
        r"|\b(?:international|global|anti-(?:IS|ISIS|ISIL|Daesh)|U\.?S\.?[\s\-]*led)\s+"
        r"coalition\b"
        r"|\bcoalition\s+(?:forces|troops|soldiers|personnel|bases?|convoys?|logistics?|"
        r"supplies|advis[eo]rs|headquarters|aircraft)\b"
        r"|\bNATO\b"),
        "Notes that name US or coalition forces, their bases, convoys or embassy. A bare "
        "'coalition' does not count: Iraqi political blocs are coalitions too."),
    Term("notes", "EXTRA_SITE_NAMES", {
        "ain-al-asad": r"\b(?:Ain|Ayn)[\s\-]+(?:al[\s\-]*)?Ass?ad\b",
        "baghdad-airport": r"\bBaghdad[\s\-]+air[\s\-]*port\b|\bBIAP\b",
        "victory-base": r"\b(?:Camp[\s\-]+Victory|Victory[\s\-]+(?:air[\s\-]*)?base)\b",
        },
        "Names real exports' notes give bases beyond the gazetteer's names and aliases (site "
        "id -> pattern): 'Baghdad airport' and 'BIAP', a bare 'Ain al-Asad' or 'Ain al-Assad' "
        "(the gazetteer's spellings need 'air base' after them), 'Camp Victory'."),
    Term("notes", "FACILITY_WORDS",
         r"(?:air[\s\-]*base|air[\s\-]*field|airport|military\s+base|base|camp)",
         "Words that make a gazetteer name a facility: 'Ain al-Asad Air Base' also matches "
         "'Ain Al-Asad airbase'; a bare town name ('Balad') only with one of these after it."),
    Term("distance", "BASE_KINDS",
         ("air_base", "military_base", "airport", "diplomatic", "district"),
         "Gazetteer kinds that host US or coalition forces or diplomats: matched by name and "
         "by distance. Sites located only at a town centre are not matched by distance."),
    Term("distance", "INDIRECT_FIRE", ("Shelling/artillery/missile attack", "Air/drone strike"),
         "Sub-event types the distance rule takes: fire from afar, coded where it landed."),
    Term("distance", "DEFAULT_RADIUS_KM", 15.0,
         "Radius around a base (--radius-km): reaches Al Baghdadi (11.8 km from Ain al-Asad), "
         "not Hit (about 40 km)."),
    Term("distance", "CITY_KINDS", ("airport", "diplomatic", "district"),
         "Kinds inside cities, matched within CITY_RADIUS_KM only."),
    Term("distance", "CITY_RADIUS_KM", 3.0,
         "Radius around an airport, embassy or the Green Zone (at most --radius-km): a wider "
         "circle would take in the whole city (Erbil's centre is 7 km from its airport)."),
    Term("placing", "NAMED_SITE_KM", 50.0,
         "A base the notes name places the event only within this distance of ACLED's "
         "coordinates (an IED 150 km away on a convoy 'carrying supplies to the US embassy' "
         "is a convoy attack where it happened)."),
    Term("placing", "NAMED_SITE_REGION_KM", 100.0,
         "The same when the coordinates are a province capital's (geo_precision 3: Ramadi "
         "lies 90 km from Ain al-Asad)."),
    Term("placing", "ROUTE_RADIUS_KM", 15.0,
         "Convoy routes are located at a town; a convoy attack at that town or within this "
         "distance is placed on the route."),
    Term("placing", "CONVOY", r"(?i)\bconvoys?\b",
         "Notes of a convoy attack: placed on a convoy route, target kind 'convoy'."),
    Term("exclusion", "ATTACK_EVENT_TYPES", ("Explosions/Remote violence", "Battles"),
         "Event types that are attacks; any other is left out (protests, riots)."),
    Term("exclusion", "DISRUPTED", ("Strategic developments", "Disrupted weapons use"),
         "Event and sub-event type of weapons intercepted, found or defused: an attack only "
         "when the notes say INTERCEPTED."),
    Term("exclusion", "INTERCEPTED",
         r"(?i)\b(?:intercept(?:s|ed|ing|ion)?|shot down|shoot(?:s|ing)? down|downed)\b",
         "Notes saying the weapons were intercepted or shot down."),
    Term("exclusion", "ISLAMIC_STATE_ACTOR", r"^\s*Islamic State(?:\s|\(|$)",
         "An acting side (actor1) that is the Islamic State: outside the workbook's scope."),
    Term("exclusion", "STATE_INTER", ("State forces", "External/Other forces"),
         "inter1 labels of state forces: not an attack on a base when only near one."),
    Term("exclusion", "STATE_ACTOR", r"^\s*(?:Military|Police) Forces of ",
         "actor1 names of state forces (the same, whatever inter1 says)."),
    Term("exclusion", "IRANIAN_ACTOR",
         r"^\s*(?:Military Forces of Iran|Islamic Revolutionary Guard Corps|IRGC)\b",
         "Iran's forces: a state force whose strikes near a base are kept."),
)

_TERMS = {term.name: term.value for term in SELECTION_TABLE}
COALITION_ACTOR_STEMS: tuple[str, ...] = _TERMS["COALITION_ACTOR_STEMS"]
US_COALITION_NOTES: str = _TERMS["US_COALITION_NOTES"]
EXTRA_SITE_NAMES: dict[str, str] = _TERMS["EXTRA_SITE_NAMES"]
FACILITY_WORDS: str = _TERMS["FACILITY_WORDS"]
BASE_KINDS: tuple[str, ...] = _TERMS["BASE_KINDS"]
INDIRECT_FIRE: tuple[str, ...] = _TERMS["INDIRECT_FIRE"]
DEFAULT_RADIUS_KM: float = _TERMS["DEFAULT_RADIUS_KM"]
CITY_KINDS: tuple[str, ...] = _TERMS["CITY_KINDS"]
CITY_RADIUS_KM: float = _TERMS["CITY_RADIUS_KM"]
NAMED_SITE_KM: float = _TERMS["NAMED_SITE_KM"]
NAMED_SITE_REGION_KM: float = _TERMS["NAMED_SITE_REGION_KM"]
ROUTE_RADIUS_KM: float = _TERMS["ROUTE_RADIUS_KM"]
CONVOY: str = _TERMS["CONVOY"]
ATTACK_EVENT_TYPES: tuple[str, ...] = _TERMS["ATTACK_EVENT_TYPES"]
DISRUPTED: tuple[str, str] = _TERMS["DISRUPTED"]
INTERCEPTED: str = _TERMS["INTERCEPTED"]
ISLAMIC_STATE_ACTOR: str = _TERMS["ISLAMIC_STATE_ACTOR"]
STATE_INTER: tuple[str, ...] = _TERMS["STATE_INTER"]
STATE_ACTOR: str = _TERMS["STATE_ACTOR"]
IRANIAN_ACTOR: str = _TERMS["IRANIAN_ACTOR"]

#: A year range after an actor's name: ``(2017-)``, ``(2017-2021)``.
YEAR_RANGE = r"\s*\(\d{4}-(?:\d{4})?\)"


def actor_cell_pattern(stems: Iterable[str]) -> str:
    """RE2 pattern: some actor of a ``;``-separated actor cell is one of ``stems``, whatever
    year range and unit follow the name (``... (2017-2021) Air Force``). A "the" after "of" may
    be left out, as some exports do (``Military Forces of United States (2021-)``)."""
    names = "|".join(re.escape(stem).replace(r"of\ the\ ", r"of\s+(?:the\s+)?")
                     for stem in stems)
    return rf"(?:^|;)\s*(?:{names})(?:{YEAR_RANGE})?(?:\s[^;]*)?\s*(?:;|$)"


#: RE2 pattern: an actor cell naming US or coalition forces (:data:`COALITION_ACTOR_STEMS`).
COALITION_ACTOR = actor_cell_pattern(COALITION_ACTOR_STEMS)


# --- the rules --------------------------------------------------------------------------------

def select_attacks(export: AcledExport | pa.Table, sites: pd.DataFrame, *,
                   radius_km: float = DEFAULT_RADIUS_KM) -> pd.DataFrame:
    """The candidate rows of an export, each with why it was selected or left out.

    Returns one row per candidate (a row meeting at least one selection rule, see the module
    notes): ACLED's columns, then ``selected`` (bool), ``selection_reason`` (every rule it met,
    in words), ``exclusion_reason`` (empty when selected), ``rule_actor``, ``rule_notes``,
    ``rule_distance`` (bools), ``near_site_id``/``near_site_km`` (the base that the distance
    rule found) and ``named_site_id``/``named_site_km`` (the base the notes or ``location``
    name, see the module notes; :func:`placed_by_name` says whether it places the event).
    Rows meeting no rule are not listed. ``radius_km=0`` turns the distance rule off.

    The rules run vectorised over the whole table (pyarrow's RE2 regular expressions, NumPy
    distances); the reasons are worded only for the few candidate rows.
    """
    table = export.table if isinstance(export, AcledExport) else export
    names = site_name_patterns(sites)
    any_name = "(?i)(?:" + "|".join(p.replace("(?i)", "") for p in names.values()) + ")" \
        if names else r"\b\B"  # matches nothing
    scans = [(table["actor2"], COALITION_ACTOR), (table["assoc_actor_2"], COALITION_ACTOR),
             (table["notes"], US_COALITION_NOTES), (table["notes"], any_name),
             (table["location"], any_name)]
    # pyarrow runs each scan without the GIL: run them side by side, one per core
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        actor2, assoc2, by_words, named_notes, named_place = pool.map(
            lambda scan: matches(*scan), scans)
    by_actor = actor2 | assoc2                      # rule "actor"
    by_name = named_notes | named_place
    by_notes = by_words | by_name                   # rule "notes"
    points = base_sites(sites, radius_km)           # rule "distance"
    near = np.full(table.num_rows, -1)
    near_km = np.full(table.num_rows, np.nan)
    indirect = pc.is_in(table["sub_event_type"], value_set=pa.array(INDIRECT_FIRE))
    placed = pc.fill_null(pc.not_equal(table["geo_precision"], 3), True)
    check = np.flatnonzero(pc.and_(indirect, placed).to_numpy(zero_copy_only=False))
    if radius_km > 0 and len(points) and len(check):
        near[check], near_km[check] = nearest_site(
            table["latitude"].to_numpy()[check], table["longitude"].to_numpy()[check], points)
    by_distance = near >= 0
    picked = np.flatnonzero(by_actor | by_notes | by_distance)
    frame = table.take(pa.array(picked)).to_pandas()
    frame["event_date"] = pd.to_datetime(frame["event_date"]).astype("datetime64[ns]")
    frame["rule_actor"] = by_actor[picked]
    frame["rule_notes"] = by_notes[picked]
    named = by_name[picked]
    frame["rule_distance"] = by_distance[picked]
    site_ids = np.append(points["site_id"].to_numpy(dtype=object), [None])
    frame["near_site_id"] = pd.array(site_ids[near[picked]], dtype="string")
    frame["near_site_km"] = near_km[picked].round(1)
    frame["named_site_id"], frame["named_site_km"], named_words = _named_sites(
        frame, names, named, sites)
    if frame.empty:
        frame["selection_reason"] = frame["exclusion_reason"] = pd.Series(dtype=object)
    else:
        frame["selection_reason"] = _selection_reasons(frame, named_words)
        frame["exclusion_reason"] = _exclusion_reasons(frame)
    frame["selected"] = frame["exclusion_reason"].eq("")
    return frame


def _exclusion_reasons(frame: pd.DataFrame) -> pd.Series:
    """Why a candidate is not selected (the first reason that holds); empty when it is."""
    event_type = frame["event_type"].astype(str)
    sub_event = frame["sub_event_type"].astype(str)
    disrupted = event_type.eq(DISRUPTED[0]) & sub_event.eq(DISRUPTED[1])
    attack = event_type.isin(ATTACK_EVENT_TYPES) | (disrupted
                                                    & contains(frame["notes"], INTERCEPTED))
    actor1 = frame["actor1"].astype(str)
    acting_coalition = (contains(frame["actor1"], COALITION_ACTOR)
                        | contains(frame["assoc_actor_1"], COALITION_ACTOR))
    state = (frame["inter1"].astype("string").isin(STATE_INTER).fillna(False)
             | contains(frame["actor1"], STATE_ACTOR))
    distance_only = frame["rule_distance"] & ~frame["rule_actor"] & ~frame["rule_notes"]
    not_attack = np.where(disrupted, "Disrupted weapons use with no weapon intercepted or "
                          "shot down", "event type " + event_type) + " is not an attack"
    reasons = np.select(
        [~attack, acting_coalition, contains(frame["actor1"], ISLAMIC_STATE_ACTOR),
         distance_only & state & ~contains(frame["actor1"], IRANIAN_ACTOR)],
        [not_attack,
         "US or coalition forces are the acting side (" + actor1 + "): a US or coalition "
         "action, not an attack on them",
         "the acting side is the Islamic State, outside the workbook's scope (Iran-aligned "
         "groups)",
         "only near a base, and the acting side is a state force (" + actor1 + "): not an "
         "attack on the base"],
        "")
    return pd.Series(reasons, index=frame.index, dtype=object).astype(str)


def _selection_reasons(frame: pd.DataFrame, named_words: pd.Series) -> pd.Series:
    """Every rule a candidate met, in words, e.g. ``target actor in assoc_actor_2: Military
    Forces of the United States (2017-2021); notes mention "US forces"``. A base named far
    from ACLED's coordinates says so (it still makes the row a candidate: a convoy to a base
    is hit far from it)."""
    parts = []
    for column in ("actor2", "assoc_actor_2"):
        hit = contains(frame[column], COALITION_ACTOR)
        parts.append((f"target actor in {column}: " + frame[column].astype("string"))
                     .where(hit))
    parts.append('notes mention "' + first_match(frame["notes"], US_COALITION_NOTES) + '"')
    named_km = pd.Series(np.char.mod("%.0f", frame["named_site_km"].fillna(0).to_numpy()),
                         index=frame.index, dtype="string")
    far = (", " + named_km + " km from ACLED's coordinates: too far to place the event there"
           ).where(frame["named_site_id"].notna().to_numpy() & ~placed_by_name(frame), "")
    parts.append("names base " + frame["named_site_id"] + ' ("' + named_words + '")' + far)
    km = pd.Series(np.char.mod("%.1f", frame["near_site_km"].fillna(0).to_numpy()),
                   index=frame.index, dtype="string")
    distance = (frame["sub_event_type"].astype("string") + " " + km + " km from "
                + frame["near_site_id"].astype("string") + ", within its radius")
    parts.append(distance.where(frame["rule_distance"]))
    return join_parts(parts)


# --- the gazetteer's bases, as the rules see them ----------------------------------------------

def base_sites(sites: pd.DataFrame, radius_km: float = DEFAULT_RADIUS_KM) -> pd.DataFrame:
    """The gazetteer's bases that locate a facility, with the radius each is matched within.

    Sites located only at a town centre (``coordinates_precision`` ``town``: convoy routes,
    "Erbil, near the US consulate") are left out: their coordinates do not place a facility.
    """
    kinds = sites["site_kind"].astype("string")
    located = sites["latitude"].notna() & sites["longitude"].notna()
    point = sites["coordinates_precision"].astype("string").fillna("") != "town"
    chosen = sites[kinds.isin(BASE_KINDS) & located & point]
    radius = np.where(chosen["site_kind"].astype("string").isin(CITY_KINDS),
                      min(CITY_RADIUS_KM, radius_km), radius_km)
    return pd.DataFrame({"site_id": chosen["site_id"].astype("string"),
                         "site_kind": chosen["site_kind"].astype("string"),
                         "latitude": chosen["latitude"].astype(float),
                         "longitude": chosen["longitude"].astype(float),
                         "radius_km": radius.astype(float)}).reset_index(drop=True)


def _name_pattern(name: str) -> str | None:
    """RE2 pattern for one gazetteer name: ``Ain al-Asad Air Base`` matches
    ``Ain Al-Asad airbase``; a bare town (``Balad``) only with a facility word after it."""
    core = name.split(",")[0].strip()
    if not core:
        return None

    def flexible(text: str) -> str:
        """Spaces may be hyphens and hyphens spaces or nothing: ``Ain al-Asad`` matches
        ``Ain Al Asad`` and ``K-1`` matches ``K1``."""
        words = [r"[\s\-]*".join(re.escape(part) for part in word.split("-"))
                 for word in text.split()]
        return r"[\s\-]+".join(words)

    facility = re.search(rf"(?i)\s+{FACILITY_WORDS}$", core)
    camp = re.match(r"(?i)camp\s+(.+)$", core)
    options = [flexible(core)]
    if facility and core[:facility.start()].strip():
        options.append(flexible(core[:facility.start()]) + rf"[\s\-]*{FACILITY_WORDS}")
    if camp:
        options.append(flexible(camp.group(1)) + rf"[\s\-]+{FACILITY_WORDS}")
    return r"\b(?:" + "|".join(options) + r")\b"


def site_name_patterns(sites: pd.DataFrame) -> dict[str, str]:
    """site_id -> RE2 pattern of its names and aliases (and :data:`EXTRA_SITE_NAMES`), for the
    gazetteer's bases (with or without coordinates; town-located sites excluded, as in
    :func:`base_sites`)."""
    kinds = sites["site_kind"].astype("string")
    point = sites["coordinates_precision"].astype("string").fillna("") != "town"
    chosen = sites[kinds.isin(BASE_KINDS) & point]
    patterns = {}
    for site_id, site_name, aliases in zip(chosen["site_id"].astype(str),
                                           chosen["site_name"].astype(str), chosen["aliases"],
                                           strict=True):
        names = [site_name, *split_list(aliases)]
        options = [p for p in (_name_pattern(n) for n in names) if p]
        if site_id in EXTRA_SITE_NAMES:
            options.append(EXTRA_SITE_NAMES[site_id])
        if options:
            patterns[site_id] = "(?i)(?:" + "|".join(options) + ")"
    return patterns


def named_site_km(rows: pd.DataFrame, site: pd.Series | None) -> pd.Series:
    """Distance in km from each row's coordinates to a named site (NaN when the site has no
    coordinates)."""
    if site is None or pd.isna(site["latitude"]) or pd.isna(site["longitude"]):
        return pd.Series(np.nan, index=rows.index)
    return pd.Series(haversine_km(rows["latitude"].to_numpy(float),
                                  rows["longitude"].to_numpy(float), float(site["latitude"]),
                                  float(site["longitude"])), index=rows.index)


def named_site_limit(rows: pd.DataFrame) -> np.ndarray:
    """How far a named base may lie from each row's coordinates to place the row there:
    :data:`NAMED_SITE_KM`, or :data:`NAMED_SITE_REGION_KM` at a region's capital."""
    regional = rows["geo_precision"].eq(3).fillna(False).to_numpy(dtype=bool)
    return np.where(regional, NAMED_SITE_REGION_KM, NAMED_SITE_KM)


def _named_sites(frame: pd.DataFrame, names: dict[str, str], named_rows: np.ndarray,
                 sites: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The base the notes (else ``location``) name, by the module notes' rule when several
    are: site id, km from ACLED's coordinates (NaN: the base has none) and the words naming
    it; missing where none is named. Only ``named_rows`` (naming some base) are scanned."""
    rows = frame.loc[named_rows]
    gazetteer = sites.set_index(sites["site_id"].astype(str))
    limit = named_site_limit(rows)
    best_rank = pd.Series(np.inf, index=rows.index)
    site_id = pd.Series(pd.NA, index=rows.index, dtype="string")
    site_km = pd.Series(np.nan, index=rows.index, dtype=float)
    words = pd.Series(pd.NA, index=rows.index, dtype="string")
    for sid, pattern in names.items():
        found = first_match(rows["notes"], pattern).fillna(
            first_match(rows["location"], pattern))
        if found.isna().all():
            continue
        # site_id is the gazetteer's key: .loc of one label is one row, a Series
        km = named_site_km(rows, cast(pd.Series, gazetteer.loc[sid]))
        # nearest within the limit first, then one without coordinates, then beyond the limit
        rank = km.where(km <= limit, 2e9 + km).fillna(1e9)
        better = found.notna() & (rank < best_rank)  # strictly: a tie keeps the first site
        best_rank = best_rank.mask(better, rank)
        site_id = site_id.mask(better, sid)
        site_km = site_km.mask(better, km)
        words = words.mask(better, found)
    return (site_id.reindex(frame.index), site_km.reindex(frame.index),
            words.reindex(frame.index))


def placed_by_name(frame: pd.DataFrame) -> np.ndarray:
    """Whether the base each row names (``named_site_id``, from :func:`select_attacks`)
    places the event: it lies within ``NAMED_SITE_KM`` of ACLED's coordinates
    (``NAMED_SITE_REGION_KM`` at a region's capital), or has no coordinates to check."""
    km = frame["named_site_km"].to_numpy(dtype=float)
    within = np.isnan(km) | (km <= named_site_limit(frame))
    return frame["named_site_id"].notna().to_numpy(dtype=bool) & within


EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: float, lon2: float) -> np.ndarray:
    """Great-circle distance in km from each (lat1, lon1) to one point, vectorised.

    >>> round(float(haversine_km(np.array([33.8514]), np.array([42.5487]), 33.7928,
    ...                          42.4421)[0]), 1)
    11.8
    """
    lat1, lon1 = np.radians(lat1), np.radians(lon1)
    lat2, lon2 = np.radians(lat2), np.radians(lon2)
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def nearest_site(latitude: np.ndarray, longitude: np.ndarray,
                 points: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Index (into ``points``) of the nearest site within its radius, -1 where none, and its
    distance in km (NaN where none). Ties go to the site listed first in the gazetteer."""
    best = np.full(len(latitude), -1)
    best_km = np.full(len(latitude), np.inf)
    sites = zip(points["latitude"].astype(float), points["longitude"].astype(float),
                points["radius_km"].astype(float), strict=True)
    for index, (site_latitude, site_longitude, radius_km) in enumerate(sites):
        km = haversine_km(latitude, longitude, site_latitude, site_longitude)
        closer = (km <= radius_km) & (km < best_km)
        best = np.where(closer, index, best)
        best_km = np.where(closer, km, best_km)
    return best, np.where(best >= 0, best_km, np.nan)
