"""A small, made-up dataset for tests: hand-countable incidents, events and troop figures.

Nothing here is real reporting: ids end in ``-test``, sources are "Test outlet". The incidents
cross the 2019/2020 year end and leave whole weeks and a whole month (February 2020) empty, so
weekly and monthly counts can be worked out by hand (see ``test_analysis.py``).
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


def _write(directory: Path, table: str, rows: list[dict[str, object]]) -> None:
    columns = TABLES[table].columns
    with (directory / TABLES[table].filename).open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({name: row.get(name, "") for name in columns})


def write_sample_data(directory: Path) -> Path:
    """Write the test dataset as a valid data directory (all seven CSVs); return it."""
    directory.mkdir(parents=True, exist_ok=True)
    basis = "curator_knowledge"
    _write(directory, "sources", [
        {"source_id": "test-source", "outlet": "Test outlet", "title": "Made-up report",
         "published_date": "2020-01-01", "source_kind": "news"},
    ])
    _write(directory, "sites", [
        {"site_id": "test-base", "site_name": "Test base", "site_kind": "military_base",
         "country": "Iraq", "province": "Anbar"},
    ])
    _write(directory, "actors", [])
    _write(directory, "claims", [])
    _write(directory, "incidents", [
        {"incident_id": f"{date}-test", "incident_date": date, "date_precision": "day",
         "country": "Iraq", "site_id": "test-base", "site_name": "Test base",
         "weapon_type": weapon, "target_kind": "base", "attribution_status": "unattributed",
         "source_ids": "test-source", "curation_basis": basis}
        for date, weapon in INCIDENTS
    ])
    _write(directory, "political_events", [
        {"event_id": f"{date}-test", "event_date": date, "category": category, "title": title,
         "description": f"{title}.", "source_ids": "test-source", "curation_basis": basis}
        for date, category, title in EVENTS
    ])
    _write(directory, "troop_levels", [
        {"troop_level_id": f"{date}-{kind}-{scope}-{count}-test", "date": date,
         "date_precision": "day", "troops_count": count, "troops_qualifier": "about",
         "kind": kind, "scope": scope, "source_ids": "test-source", "curation_basis": basis}
        for date, count, kind, scope in TROOP_LEVELS
    ])
    return directory
