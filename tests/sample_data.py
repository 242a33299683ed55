"""A small, made-up dataset for tests: hand-countable incidents, events and troop figures.

Nothing here is real reporting: ids end in ``-test``, sources are "Test outlet". The incidents
cross the 2019/2020 year end and leave whole weeks and a whole month (February 2020) empty, so
weekly and monthly counts can be worked out by hand (see ``test_analysis.py``).

The data directory :func:`write_sample_data` writes adds, on the same incidents: three places
(one in Syria, one without coordinates), three actors (a militia, its umbrella, a front),
claims and attributions, casualty figures, a projectile count two sources disagree on, and
a second source. With ``hostile=True`` its text fields (place names, notes, source titles,
event titles, actor names...) also carry HTML and Markdown that must never run or format in a
report (:data:`HOSTILE_TEXTS`).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from sitrep_analysis.columns import FIELDS, TABLES

#: (incident_date, weapon_type): weekdays noted, weeks start on Monday.
INCIDENTS = [
    ("2019-12-03", "rocket"),             # Tue, week of Mon 2019-12-02
    ("2019-12-05", "rocket"),             # Thu, week of 2019-12-02
    ("2019-12-08", "mortar"),             # Sun, still week of 2019-12-02
    ("2019-12-09", "drone"),              # Mon, week of 2019-12-09
    #                                       weeks of 2019-12-16 and 2019-12-23: none
    ("2019-12-31", "rocket"),             # Tue, week of 2019-12-30 (December)
    ("2020-01-02", "ied"),                # Thu, week of 2019-12-30 (January)
    ("2020-01-05", "rocket"),             # Sun, week of 2019-12-30 (January)
    #                                       week of 2020-01-06: none
    ("2020-01-13", "rocket"),             # Mon, week of 2020-01-13
    #                                       2020-01-20 .. 2020-02-24: none (all of February)
    ("2020-03-02", "ballistic_missile"),  # Mon, week of 2020-03-02
]

#: (event_date, category, title); the last one lies outside the test range.
EVENTS = [
    ("2019-12-29", "us_strike", "Test strike on militia sites"),
    ("2020-01-03", "us_strike", "Test strike at the airport"),
    ("2020-01-05", "parliament_vote", "Test vote on foreign troops"),
    ("2020-01-08", "iranian_strike", "Test missile strike on bases"),
    ("2021-04-07", "strategic_dialogue", "Test dialogue round"),
]

#: (date, troops_count, kind, scope).
TROOP_LEVELS = [
    ("2019-11-01", 5200, "reported", "us_iraq"),
    ("2020-02-01", 5000, "reported", "us_iraq"),
    ("2020-02-01", 5500, "reported", "us_iraq"),   # sources disagree: the step takes 5500
    ("2020-01-10", 900, "reported", "us_syria"),   # another scope: never in a us_iraq step
    ("2020-03-15", 3000, "announced_target", "us_iraq"),
    ("2020-06-01", 2500, "announced_target", "us_iraq"),
]


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for name in frame:
        field = FIELDS[name]
        if field.kind == "category":
            frame[name] = frame[name].astype(pd.CategoricalDtype(list(field.allowed or ())))
        elif field.kind == "date":
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[ns]")
        elif field.kind == "integer":
            frame[name] = frame[name].astype("Int64")
        else:
            frame[name] = frame[name].astype("string")
    return frame


def incidents_frame() -> pd.DataFrame:
    """The test incidents as the loader types them (only the columns tests need)."""
    frame = pd.DataFrame(INCIDENTS, columns=["incident_date", "weapon_type"])
    frame["site_name"] = "Test base"
    frame["sources"] = "Test outlet, 2020-01-01"
    return _typed(frame)


def events_frame() -> pd.DataFrame:
    frame = pd.DataFrame(EVENTS, columns=["event_date", "category", "title"])
    frame["description"] = frame["title"] + "."
    return _typed(frame)


def troop_levels_frame() -> pd.DataFrame:
    frame = pd.DataFrame(TROOP_LEVELS, columns=["date", "troops_count", "kind", "scope"])
    return _typed(frame)


#: Places of the data directory (made up). ``test-outpost`` is in Syria and has no coordinates.
SITES = [
    {"site_id": "test-base", "site_name": "Test base", "aliases": "TB;Base of tests",
     "site_kind": "military_base", "country": "Iraq", "province": "Anbar",
     "latitude": "33.8", "longitude": "42.4", "coordinates_precision": "approximate",
     "coordinates_basis": "made up for tests", "notes": "A made-up base"},
    {"site_id": "test-airport", "site_name": "Test airport", "site_kind": "airport",
     "country": "Iraq", "province": "Baghdad", "latitude": "33.3", "longitude": "44.2",
     "coordinates_precision": "approximate", "coordinates_basis": "made up for tests"},
    {"site_id": "test-outpost", "site_name": "Test outpost", "site_kind": "military_base",
     "country": "Syria", "province": "Deir ez-Zor"},
]

#: Actors of the data directory (made up).
ACTORS = [
    {"actor_id": "test-militia", "actor_name": "Test militia", "aliases": "TM",
     "actor_kind": "militia", "source_ids": "test-source", "notes": "Made up"},
    {"actor_id": "test-umbrella", "actor_name": "Test umbrella", "actor_kind": "umbrella"},
    {"actor_id": "test-front", "actor_name": "Test front", "actor_kind": "militia_front"},
]

#: What the data directory says about some incidents, by date; the others are at
#: ``test-base``, unclaimed, unattributed, with no figures. Worked out by hand:
#: sites: test-base 6 (12-03, 12-05, 12-09, 01-05, 01-13, 03-02), test-airport 2 (12-08,
#: 12-31), test-outpost 1 (01-02, Syria); claimed 3 (12-09 front, 01-05 militia,
#: 03-02 umbrella), attributed 2 (12-08, 12-31 to the militia by "Test ministry"), neither 4;
#: US casualty figures in 3 incidents: 12-03 (0 killed, 2 wounded), 01-05 (1 killed,
#: 3 wounded) and 12-05 (every figure reported as 0: none hurt, which is a figure).
INCIDENT_DETAILS: dict[str, dict[str, object]] = {
    "2019-12-03": {"projectiles_low": 3, "projectiles_high": 5, "us_killed_count": 0,
                   "us_wounded_count": 2, "casualties_note": "two US soldiers lightly wounded",
                   "notes": "Sources differ on the rocket count",
                   "source_ids": "test-source;test-source-2"},
    "2019-12-05": {"projectiles_low": 4, "projectiles_high": 4, "casualties_note":
                   "no casualties", **{name: 0 for name in (
                       "us_killed_count", "us_wounded_count", "coalition_killed_count",
                       "coalition_wounded_count", "contractors_killed_count",
                       "contractors_wounded_count", "iraqi_killed_count",
                       "iraqi_wounded_count")}},
    "2019-12-08": {"site_id": "test-airport", "attributed_to": "test-militia",
                   "attributed_by": "Test ministry"},
    "2019-12-09": {"claimed_by": "test-front"},
    "2019-12-31": {"site_id": "test-airport", "attributed_to": "test-militia",
                   "attributed_by": "Test ministry", "projectiles_low": 10},
    "2020-01-02": {"site_id": "test-outpost"},
    "2020-01-05": {"claimed_by": "test-militia", "us_killed_count": 1, "us_wounded_count": 3,
                   "casualties_note": "one US soldier killed, three wounded"},
    "2020-03-02": {"claimed_by": "test-umbrella", "casualties_note": "minor injuries"},
}

#: Reported memberships (made up): the militia belongs to the umbrella.
MEMBERSHIPS = [
    {"membership_id": "test-militia--test-umbrella", "member_actor_id": "test-militia",
     "umbrella_actor_id": "test-umbrella", "source_ids": "test-source-2"},
]

def _tally(as_of_date: str, attacks_count: int, source_id: str) -> dict[str, object]:
    """One reading of the officials' running count since 2019-12-01: every attack in Iraq."""
    return {"tally_id": f"test-tally-{as_of_date[5:]}", "as_of_date": as_of_date,
            "date_precision": "day", "period_start": "2019-12-01",
            "attacks_count": attacks_count, "count_qualifier": "exact",
            "tally_scope": "iraq_syria_jordan", "iraq_attacks_count": attacks_count,
            "syria_attacks_count": 0, "jordan_attacks_count": 0,
            "counted_targets": "us_forces", "counted_by": "Test ministry",
            "counter_kind": "us_officials", "tally_role": "series", "source_ids": source_id,
            "curation_basis": "curator_knowledge"}


#: The officials' running count (made up): 4 attacks in Iraq, Syria and Jordan from 1 to 10
#: December 2019 and 5 by 31 December, all of them in Iraq (the split says so, so Iraq alone
#: has the same count). The data hold 4 (12-03, 12-05, 12-08, 12-09) and then 1 (12-31): every
#: December day is tallied and covered in full; January to March are not tallied.
TALLIES = [_tally("2019-12-10", 4, "test-source"), _tally("2019-12-31", 5, "test-source-2")]

#: Actors named by events, by event date.
EVENT_ACTORS = {"2019-12-29": "test-militia", "2020-01-08": "test-umbrella"}

#: Where sources disagree: the rocket count of 2019-12-03 (3 or 5) and the US wounded of
#: 2020-01-05 (2 at first, later 3).
CLAIMS = [
    {"claim_id": "test-claim-3", "record_table": "incidents", "record_id": "2019-12-03-test",
     "field_name": "projectiles", "claimed_value": "3", "value_qualifier": "exact",
     "source_ids": "test-source"},
    {"claim_id": "test-claim-5", "record_table": "incidents", "record_id": "2019-12-03-test",
     "field_name": "projectiles", "claimed_value": "5", "value_qualifier": "exact",
     "source_ids": "test-source-2"},
    {"claim_id": "test-claim-wounded-2", "record_table": "incidents",
     "record_id": "2020-01-05-test", "field_name": "us_wounded_count", "claimed_value": "2",
     "value_qualifier": "initial", "source_ids": "test-source"},
    {"claim_id": "test-claim-wounded-3", "record_table": "incidents",
     "record_id": "2020-01-05-test", "field_name": "us_wounded_count", "claimed_value": "3",
     "value_qualifier": "exact", "source_ids": "test-source-2"},
]

#: What ``hostile=True`` appends to text fields: HTML that would run if a report passed it
#: through, and Markdown that would become a link or emphasis.
HOSTILE_IMG = '<img src=x onerror="window.__pwned=1">'
HOSTILE_SCRIPT = "<script>window.__pwned=1</script>"
HOSTILE_MARKDOWN = "[click](javascript:window.__pwned=1) *loud* _x_"
#: Markup Plotly itself renders in labels and hover text: a live link and bold type.
HOSTILE_PLOTLY = '<a href="https://example.org/x">link</a> <b>bold</b>'
HOSTILE_TEXTS = (HOSTILE_IMG, HOSTILE_SCRIPT, HOSTILE_MARKDOWN, HOSTILE_PLOTLY)
#: The text fields ``hostile=True`` fills, per table.
HOSTILE_FIELDS = {
    "incidents": ("site_name", "notes", "casualties_note", "weapon_detail", "attributed_by"),
    "sites": ("site_name", "aliases", "notes", "coordinates_basis"),
    "sources": ("title", "outlet"),
    "political_events": ("title", "description", "notes"),
    "actors": ("actor_name", "aliases", "notes"),
}


#: Fields that go with others (row rules): filled only where the row has them already.
_ONLY_WHEN_FILLED = {"attributed_by", "coordinates_basis"}


def _hostile(table: str, rows: list[dict[str, object]]) -> list[dict[str, object]]:
    payload = " ".join(HOSTILE_TEXTS)
    out = []
    for row in rows:
        row = dict(row)
        for name in HOSTILE_FIELDS.get(table, ()):
            if name in _ONLY_WHEN_FILLED and not row.get(name) and not (
                    name == "attributed_by" and row.get("attributed_to")):
                continue
            row[name] = f"{row.get(name) or ''} {payload}".strip()
        out.append(row)
    return out


def _write(directory: Path, table: str, rows: list[dict[str, object]]) -> None:
    columns = TABLES[table].columns
    with (directory / TABLES[table].filename).open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({name: row.get(name, "") for name in columns})


def write_sample_data(directory: Path, *, hostile: bool = False) -> Path:
    """Write the test dataset as a valid data directory (every table); return it.

    ``hostile=True`` appends :data:`HOSTILE_TEXTS` to the text fields of
    :data:`HOSTILE_FIELDS` (the data stay valid)."""
    directory.mkdir(parents=True, exist_ok=True)
    basis = "curator_knowledge"
    sites = {site["site_id"]: site for site in SITES}
    incidents = []
    for date, weapon in INCIDENTS:
        details = dict(INCIDENT_DETAILS.get(date, {}))
        site = sites[str(details.pop("site_id", "test-base"))]
        status = ("claimed" if details.get("claimed_by") else
                  "attributed" if details.get("attributed_to") else "unattributed")
        incidents.append({
            "incident_id": f"{date}-test", "incident_date": date, "date_precision": "day",
            "country": site["country"], "site_id": site["site_id"],
            "site_name": site["site_name"], "weapon_type": weapon, "target_kind": "base",
            "attribution_status": status, "source_ids": "test-source",
            "curation_basis": basis, **details})
    tables = {
        "sources": [
            {"source_id": "test-source", "outlet": "Test outlet", "title": "Made-up report",
             "published_date": "2020-01-01", "source_kind": "news"},
            {"source_id": "test-source-2", "outlet": "Second test outlet",
             "title": "Another made-up report", "published_date": "2020-01",
             "url": "example.org/test", "source_kind": "news"},
        ],
        "sites": SITES,
        "actors": ACTORS,
        "actor_memberships": MEMBERSHIPS,
        "reported_tallies": TALLIES,
        "claims": CLAIMS,
        "incidents": incidents,
        "political_events": [
            {"event_id": f"{date}-test", "event_date": date, "category": category,
             "title": title, "description": f"{title}.", "actor_ids": EVENT_ACTORS.get(date, ""),
             "source_ids": "test-source", "curation_basis": basis}
            for date, category, title in EVENTS
        ],
        "troop_levels": [
            {"troop_level_id": f"{date}-{kind}-{scope}-{count}-test", "date": date,
             "date_precision": "day", "troops_count": count, "troops_qualifier": "about",
             "kind": kind, "scope": scope, "source_ids": "test-source",
             "curation_basis": basis}
            for date, count, kind, scope in TROOP_LEVELS
        ],
    }
    for table, rows in tables.items():
        _write(directory, table, _hostile(table, rows) if hostile else rows)
    return directory
