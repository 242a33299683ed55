"""The ACLED importer on hand-written synthetic fixtures in ACLED's layout (tests/fixtures/acled,
see its README): both column sets, every date form, a row per selection rule, rows that must
not be selected, unreadable rows, the mapping to incidents, the merge with curated incidents,
the cache, the command line, and one report rendered on an imported directory.

Rows are named by their ``event_id_cnty``; the ``row`` numbers are what a spreadsheet shows
(the header is row 1).
"""

from __future__ import annotations

import csv
import errno
import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner

from sitrep_analysis import acled
from sitrep_analysis.acled import (
    AcledFormatError,
    import_acled,
    match_incidents,
    parse_event_dates,
    read_acled,
    select_attacks,
)
from sitrep_analysis.cli import app
from sitrep_analysis.columns import TABLES
from sitrep_analysis.data import load_all, load_sites
from tests.helpers import FIXTURES, SHIPPED_DATA, read_rows, write_rows

ACLED_FIXTURES = FIXTURES / "acled"
NEW = ACLED_FIXTURES / "acled_2023_columns.csv"
OLD = ACLED_FIXTURES / "acled_pre2023_columns.csv"


@pytest.fixture(scope="module")
def sites() -> pd.DataFrame:
    return load_sites(SHIPPED_DATA)


@pytest.fixture(scope="module")
def new_export() -> acled.AcledExport:
    return read_acled(NEW, use_cache=False)


@pytest.fixture(scope="module")
def old_export() -> acled.AcledExport:
    return read_acled(OLD, use_cache=False)


@pytest.fixture(scope="module")
def reports(new_export, old_export, sites) -> pd.DataFrame:
    """The candidates of both fixtures, indexed by event id."""
    frames = [select_attacks(export, sites) for export in (new_export, old_export)]
    return pd.concat(frames).set_index("event_id_cnty")


# --- a small curated dataset to merge with ------------------------------------------------------

#: (incident_id, date, site_id, weapon_type, killed counts (us, coalition), claimed_by,
#:  attributed_to): hand-made curated incidents near the fixtures' events.
CURATED = [
    ("2020-01-08-ain-al-asad", "2020-01-08", "ain-al-asad", "ballistic_missile", (0, 0),
     "irgc", ""),                                   # IRQ990001: agrees
    ("2020-03-11-camp-taji", "2020-03-11", "camp-taji", "rocket", (2, 1), "",
     "kataib-hezbollah"),                           # IRQ990002: agrees (3 killed)
    ("2020-05-06-baghdad-airport", "2020-05-06", "baghdad-airport", "rocket", (0, 0), "", ""),
    #                                                 IRQ990003: a drone in ACLED: conflict
    ("2020-12-30-safwan-convoy", "2020-12-30", "safwan-convoy-route", "ied", (0, 0), "", ""),
    #                                                 IRQ990004, a day later: agrees
    ("2021-03-05-ain-al-asad", "2021-03-05", "ain-al-asad", "rocket", ("", ""), "", ""),
    #                                                 IRQ990005 is two days earlier: no match
]


@pytest.fixture(scope="module")
def curated_dir(tmp_path_factory) -> Path:
    """The shipped data with the incidents replaced by :data:`CURATED` (claims emptied)."""
    folder = tmp_path_factory.mktemp("curated") / "data"
    shutil.copytree(SHIPPED_DATA, folder)
    header, _ = read_rows(folder / "incidents.csv")
    rows = []
    for incident_id, date, site, weapon, (us, coalition), claimed, attributed in CURATED:
        status = "claimed" if claimed else "attributed" if attributed else "unattributed"
        rows.append({**dict.fromkeys(header, ""), "incident_id": incident_id,
                     "incident_date": date, "date_precision": "day", "country": "Iraq",
                     "site_id": site, "site_name": site, "weapon_type": weapon,
                     "target_kind": "base", "us_killed_count": str(us),
                     "coalition_killed_count": str(coalition), "claimed_by": claimed,
                     "attributed_to": attributed,
                     "attributed_by": "Test ministry" if attributed else "",
                     "attribution_status": status, "source_ids": "test-curated",
                     "curation_basis": "curator_knowledge"})
    write_rows(folder / "incidents.csv", header, rows)
    source_header, sources = read_rows(folder / "sources.csv")
    sources.append({**dict.fromkeys(source_header, ""), "source_id": "test-curated",
                    "outlet": "Test outlet", "source_kind": "news"})
    write_rows(folder / "sources.csv", source_header, sources)
    claims_header, _ = read_rows(folder / "claims.csv")
    write_rows(folder / "claims.csv", claims_header, [])
    (folder / "datapackage.json").unlink()
    return folder


@pytest.fixture(scope="module")
def imported(tmp_path_factory, curated_dir) -> acled.ImportResult:
    """The 2023-columns fixture imported against the small curated set."""
    out = tmp_path_factory.mktemp("imported") / "acled-iraq"
    return import_acled(NEW, out_dir=out, base_dir=curated_dir, use_cache=False)


# --- reading --------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "layout", "in_file", "in_iraq", "readable"), [
    pytest.param(NEW, "2023", 25, 24, 18, id="2023 columns"),
    pytest.param(OLD, "pre-2023", 9, 9, 6, id="pre-2023 columns with countycode"),
])
def test_reads_both_column_sets(path, layout, in_file, in_iraq, readable):
    export = read_acled(path, use_cache=False)
    assert (export.layout, export.rows_in_file, export.country_rows) == (layout, in_file,
                                                                         in_iraq)
    rows = export.rows
    assert len(rows) == readable
    assert rows["event_date"].dtype == "datetime64[ns]"
    assert rows["latitude"].dtype == "float64"
    assert set(rows["country"]) == {"Iraq"}


@pytest.mark.parametrize(("event_id", "written_as", "expected"), [
    ("IRQ990001", "2020-01-08", "2020-01-08"),
    ("IRQ990016", "01 November 2024", "2024-11-01"),
    ("IRQ990017", "20 January 2024", "2024-01-20"),
    ("IRQ980001", "9-May-20", "2020-05-09"),
    ("IRQ980002", "31-Dec-20", "2020-12-31"),
    ("IRQ980003", "31-12-19", "2019-12-31"),
    ("IRQ980004", "21 March 2020", "2020-03-21"),
    ("IRQ980006", "12-3-20", "2020-03-12"),
])
def test_every_date_form(new_export, old_export, event_id, written_as, expected):
    raw = {}
    for path in (NEW, OLD):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):  # the first row of an id is the one read
                raw.setdefault(row["event_id_cnty"], row["event_date"])
    assert raw[event_id] == written_as  # the fixture holds the form this case is about
    rows = pd.concat([new_export.rows, old_export.rows]).set_index("event_id_cnty")
    assert rows.at[event_id, "event_date"] == pd.Timestamp(expected)


def test_date_parser_uses_the_year_column_and_refuses_impossible_dates():
    text = pa.array(["31-12-19", "31-12-19", "2020-05-09", "31-02-20", "5-Foo-20", "",
                     " 9-Sept-20 ", "29 February 2020"])
    year = np.array([2019, 2020, 2019, 2020, 2020, 2020, 2020, 2020])
    dates, problems = parse_event_dates(text, year)
    assert [str(d) for d in dates] == ["2019-12-31", "NaT", "NaT", "NaT", "NaT", "NaT",
                                       "2020-09-09", "2020-02-29"]
    # 0 fine, 1 no ACLED form, 2 disagrees with year, 3 not a real date
    assert problems.tolist() == [0, 2, 2, 3, 1, 1, 0, 0]


def test_interaction_codes_become_labels_whether_integer_or_text(new_export, old_export):
    new = new_export.rows.set_index("event_id_cnty")
    old = old_export.rows.set_index("event_id_cnty")
    assert new.at["IRQ990009", "inter1"] == old.at["IRQ980006", "inter1"] == \
        "External/Other forces"
    assert new.at["IRQ990004", "inter2"] == old.at["IRQ980002", "inter2"] == "Civilians"


@pytest.mark.parametrize(("path", "expected"), [
    pytest.param(NEW, [
        (21, "IRQ990101", "event_date", "event_date is not a real date"),
        (22, "IRQ990102", "latitude", "latitude is missing or not a latitude"),
        (23, "", "event_id_cnty", "event_id_cnty is missing"),
        (24, "IRQ990001", "event_id_cnty", "event_id_cnty repeats an earlier row's"),
        (25, "IRQ990103", "event_date", "event_date disagrees with the year column"),
        (26, "IRQ990104", "fatalities", "fatalities is not a whole number"),
    ], id="2023 columns"),
    pytest.param(OLD, [
        (8, "IRQ980101", "event_date", "event_date disagrees with the year column"),
        (9, "IRQ980102", "event_date", "event_date is in none of ACLED's date forms"),
        (10, "IRQ980103", "latitude", "latitude is missing or not a latitude"),
    ], id="pre-2023 columns"),
])
def test_unreadable_rows_are_rejected_with_row_and_reason(path, expected):
    export = read_acled(path, use_cache=False)
    rejected = export.rejected
    assert list(rejected[["row", "event_id_cnty", "column", "reason"]].itertuples(
        index=False, name=None)) == expected
    refused = {event_id for _, event_id, _, _ in expected if event_id != "IRQ990001"}
    assert not set(export.rows["event_id_cnty"]) & refused


def test_a_repeated_id_rejects_only_the_later_of_two_readable_rows(tmp_path):
    """A row rejected for another reason does not take its id with it: a later readable row
    with the same id is kept, and a second readable repeat is the one rejected."""
    with OLD.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, first = rows[0], rows[1]
    unreadable, readable, repeat = list(first), list(first), list(first)
    unreadable[header.index("event_date")] = "not a date"
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, unreadable, readable, repeat])
    export = read_acled(path, use_cache=False)
    assert export.rows["row"].tolist() == [3]
    assert list(export.rejected[["row", "reason"]].itertuples(index=False, name=None)) == [
        (2, "event_date is in none of ACLED's date forms"),
        (4, "event_id_cnty repeats an earlier row's")]


@pytest.mark.parametrize("path", [NEW, OLD], ids=["2023 columns", "pre-2023 columns"])
def test_a_file_read_in_parallel_parts_gives_the_same_rows(path, monkeypatch):
    """Large files are read as one byte range per core: the fixtures, forced through that
    path on 2 and on 5 "cores", give the rows and rejections of the one-part read."""
    whole = read_acled(path, use_cache=False)
    monkeypatch.setattr(acled.read, "_SPLIT_BYTES", 0)
    for cores in (2, 5):
        monkeypatch.setattr(acled.read.os, "cpu_count", lambda cores=cores: cores)
        parts = read_acled(path, use_cache=False)
        pd.testing.assert_frame_equal(parts.rows, whole.rows)
        pd.testing.assert_frame_equal(parts.rejected, whole.rejected)


def test_malformed_lines_and_line_breaks_in_values_keep_row_numbers(tmp_path):
    lines = OLD.read_text(encoding="utf-8").splitlines()
    riot = lines[3].replace("stormed the outer", "stormed\nthe outer")
    path = tmp_path / "export.csv"
    path.write_text("\n".join([*lines[:3], "1,2,3", riot, *lines[4:]]) + "\n",
                    encoding="utf-8")
    export = read_acled(path, use_cache=False)
    rejected = export.rejected.set_index("row")
    assert rejected.at[4, "reason"] == "the line has 3 fields where the header has 32"
    rows = export.rows.set_index("event_id_cnty")
    assert rows.at["IRQ980003", "row"] == 5
    assert "stormed\nthe outer" in rows.at["IRQ980003", "notes"]
    assert rows.at["IRQ980004", "row"] == 6
    assert rejected.index.tolist() == [4, 9, 10, 11]


def test_reads_a_spreadsheet_resave_with_semicolons_capitals_and_windows_encoding(tmp_path):
    with OLD.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[0] = [name.upper() for name in rows[0]]
    rows[2][rows[0].index("LOCATION")] = "Yûsufiyah"
    path = tmp_path / "resaved.csv"
    with path.open("w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    export = read_acled(path, use_cache=False)
    assert export.encoding == "cp1252"
    assert export.rows.set_index("event_id_cnty").at["IRQ980002", "location"] == "Yûsufiyah"
    assert len(export.rows) == 6


def _xlsx(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    return path


@pytest.mark.parametrize(("make", "message"), [
    pytest.param(lambda tmp: SHIPPED_DATA / "incidents.csv",
                 "is not an ACLED export: its header lacks event_id_cnty", id="curated CSV"),
    pytest.param(lambda tmp: (tmp / "empty.csv", (tmp / "empty.csv").write_text(""))[0],
                 "is empty", id="empty file"),
    pytest.param(lambda tmp: _xlsx(tmp / "export.xlsx"), "spreadsheet workbook, not CSV",
                 id="workbook"),
    pytest.param(lambda tmp: (tmp / "trimmed.csv", (tmp / "trimmed.csv").write_text(
        "event_id_cnty,event_date,year,country\nIRQ1,2020-01-01,2020,Iraq\n"))[0],
                 "lacks event_type, sub_event_type", id="too few columns"),
])
def test_a_file_that_is_not_an_acled_export_is_refused_and_nothing_written(tmp_path, make,
                                                                            message):
    path = make(tmp_path)
    with pytest.raises(AcledFormatError, match=message):
        read_acled(path, use_cache=False)
    out = tmp_path / "out"
    with pytest.raises(AcledFormatError):
        import_acled(path, out_dir=out, use_cache=False)
    assert not out.exists()
    assert not list(tmp_path.glob(".out*"))


# --- selection ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("event_id", "reasons"), [
    pytest.param("IRQ990001", ["target actor in assoc_actor_2: Military Forces of the United "
                               "States (2017-2021)", 'notes mention "US forces"',
                               'names base ain-al-asad ("Ain al-Asad air base")',
                               "Shelling/artillery/missile attack 11.8 km from ain-al-asad"],
                 id="every rule: Iranian strike coded at Al Baghdadi"),
    pytest.param("IRQ990002", ["target actor in assoc_actor_2: Military Forces of the United "
                               "States (2017-2021); Military Forces of the United Kingdom"],
                 id="actor among several associated actors"),
    pytest.param("IRQ990006", ["target actor in actor2: Private Security Forces (United "
                               "States)"], id="actor only: US contractors"),
    pytest.param("IRQ990004", ['notes mention "international coalition"'],
                 id="notes only: coalition convoy"),
    pytest.param("IRQ980002", ['notes mention "US-led coalition"'], id="notes only, pre-2023"),
    pytest.param("IRQ990003", ['names base baghdad-airport ("Baghdad International Airport")',
                               "Air/drone strike 0.5 km from baghdad-airport"],
                 id="base named in the notes"),
    pytest.param("IRQ990005", ["Shelling/artillery/missile attack 11.8 km from ain-al-asad, "
                               "within its radius"], id="distance only"),
    pytest.param("IRQ990014", ['notes mention "coalition forces"',
                               'names base erbil-airport ("Erbil airport")'],
                 id="drones shot down: Disrupted weapons use"),
])
def test_selected_rows_say_which_rules_picked_them(reports, event_id, reasons):
    row = reports.loc[event_id]
    assert row["selected"] and row["exclusion_reason"] == ""
    for reason in reasons:
        assert reason in row["selection_reason"]


def test_the_rule_flags_match_the_reasons(reports):
    assert reports.loc["IRQ990005", ["rule_actor", "rule_notes", "rule_distance"]].tolist() \
        == [False, False, True]
    assert reports.loc["IRQ990004", ["rule_actor", "rule_notes", "rule_distance"]].tolist() \
        == [False, True, False]
    assert reports.loc["IRQ990006", ["rule_actor", "rule_notes", "rule_distance"]].tolist() \
        == [True, False, False]


@pytest.mark.parametrize(("event_id", "exclusion"), [
    pytest.param("IRQ990008", "event type Protests is not an attack", id="protest at embassy"),
    pytest.param("IRQ980003", "event type Riots is not an attack", id="riot at embassy"),
    pytest.param("IRQ990015", "Disrupted weapons use with no weapon intercepted or shot down "
                              "is not an attack", id="launchers found before use"),
    pytest.param("IRQ990009", "US or coalition forces are the acting side (Military Forces of "
                              "the United States (2021-))", id="US strike, text inter code"),
    pytest.param("IRQ980006", "US or coalition forces are the acting side",
                 id="US strike, integer inter code"),
    pytest.param("IRQ990012", "the acting side is the Islamic State", id="IS attack"),
    pytest.param("IRQ990010", "only near a base, and the acting side is a state force "
                              "(Military Forces of Turkey (2016-))", id="Turkish drone strike"),
    pytest.param("IRQ990011", "only near a base, and the acting side is a state force",
                 id="Iraqi artillery near a base"),
    pytest.param("IRQ980005", "only near a base, and the acting side is a state force "
                              "(Unidentified Military Forces)",
                 id="unattributed air strike, inter code 8"),
])
def test_candidates_left_out_say_why(reports, event_id, exclusion):
    row = reports.loc[event_id]
    assert not row["selected"]
    assert exclusion in row["exclusion_reason"]


@pytest.mark.parametrize("event_id", [
    pytest.param("IRQ990007", id="Iraqi forces against IS"),
    pytest.param("IRQ990013", id="a political bloc's 'coalition'"),
    pytest.param("IRQ990018", id="located only at a province capital"),
    pytest.param("SYR990001", id="another country"),
])
def test_rows_about_others_are_not_even_candidates(reports, event_id):
    assert event_id not in reports.index


def test_another_country_is_imported_on_request(sites):
    report = select_attacks(read_acled(NEW, "Syria", use_cache=False), sites)
    assert report["event_id_cnty"].tolist() == ["SYR990001"]
    assert report["selected"].all()


def test_the_distance_rule_can_be_narrowed_or_turned_off(new_export, sites):
    narrow = select_attacks(new_export, sites, radius_km=10).set_index("event_id_cnty")
    assert "IRQ990005" not in narrow.index  # Al Baghdadi lies 11.8 km from Ain al-Asad
    assert narrow.at["IRQ990001", "selected"]  # still picked by actor and notes
    off = select_attacks(new_export, sites, radius_km=0)
    assert not off["rule_distance"].any()


def test_al_baghdadi_is_placed_at_ain_al_asad_by_distance(sites):
    points = acled.base_sites(sites)
    km = acled.haversine_km(np.array([33.8514]), np.array([42.5487]), 33.7928, 42.4421)
    assert km[0] == pytest.approx(11.8, abs=0.05)
    index, distance = acled.nearest_site(np.array([33.8514]), np.array([42.5487]), points)
    assert points.at[index[0], "site_id"] == "ain-al-asad"
    assert distance[0] == pytest.approx(11.8, abs=0.05)
    # the town site al-baghdadi is not a base, so it never wins
    assert "al-baghdadi" not in set(points["site_id"])
    # city sites match within 3 km only: Erbil's centre is 7 km from the airport
    index, _ = acled.nearest_site(np.array([36.19]), np.array([44.01]), points)
    assert index[0] == -1


# --- mapping to incidents and the written directory -------------------------------------------

def _incidents(result: acled.ImportResult) -> pd.DataFrame:
    return result.incidents.set_index("acled_event_id")


@pytest.mark.parametrize(("event_id", "site_id", "site_name", "target", "weapon", "low",
                          "high"), [
    ("IRQ990001", "ain-al-asad", "Al Baghdadi", "base", "ballistic_missile", 11, None),
    ("IRQ990002", "camp-taji", "Taji", "base", "rocket", None, None),   # "around 18"
    ("IRQ990003", "baghdad-airport", "Baghdad International Airport", "airport", "drone",
     None, None),
    ("IRQ990004", "safwan-convoy-route", "Safwan", "convoy", "ied", None, None),
    ("IRQ990005", "ain-al-asad", "Al Baghdadi", "base", "rocket", None, None),  # "about 10"
    ("IRQ990006", "acled-nasiriyah", "Nasiriyah", "other", "ied", None, None),
    ("IRQ990014", "erbil-airport", "Erbil", "airport", "drone", 2, 2),
    ("IRQ990017", "ain-al-asad", "Ain Assad Air Base", "base", "ballistic_missile", None,
     None),
])
def test_selected_rows_map_to_incidents(imported, event_id, site_id, site_name, target, weapon,
                                        low, high):
    row = _incidents(imported).loc[event_id]
    assert (row["site_id"], row["site_name"], row["target_kind"], row["weapon_type"]) == (
        site_id, site_name, target, weapon)
    assert (None if pd.isna(row["projectiles_low"]) else row["projectiles_low"]) == low
    assert (None if pd.isna(row["projectiles_high"]) else row["projectiles_high"]) == high


def test_rows_sharing_a_new_place_keep_their_own_target_kind(tmp_path, curated_dir):
    """Two attacks at a place the gazetteer lacks: the convoy one is a convoy attack, the
    other not, whichever comes first."""
    with NEW.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    car = next(row for row in rows if row[0] == "IRQ990006")
    convoy = list(car)
    convoy[0] = "IRQ990099"
    notes = header.index("notes")
    convoy[notes] = "On 8 July 2021, an IED struck a coalition logistics convoy near Nasiriyah."
    for order in ([car, convoy], [convoy, car]):
        path = tmp_path / "export.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([header, *order])
        result = import_acled(path, out_dir=tmp_path / "out", base_dir=curated_dir,
                              use_cache=False)
        kinds = result.incidents.set_index("acled_event_id")["target_kind"]
        assert (kinds["IRQ990006"], kinds["IRQ990099"]) == ("other", "convoy")


@pytest.mark.parametrize(("notes", "low", "high"), [
    ("at least 11 ballistic missiles struck the base", 11, None),
    ("three 107 mm rockets hit the base", 3, 3),
    ("107 mm rockets hit the base", None, None),      # a calibre, not a count
    ("122mm Katyusha rockets landed nearby", None, None),
    ("up to 12 drones were launched", None, 12),
    ("about 10 rockets", None, None),
])
def test_projectile_counts_from_notes(notes, low, high):
    from sitrep_analysis.acled.incidents import _projectiles

    lows, highs, _ = _projectiles(pd.Series([notes]))
    assert (None if pd.isna(lows[0]) else lows[0], None if pd.isna(highs[0]) else highs[0]) == (
        low, high)


@pytest.mark.parametrize(("sub_event", "notes", "weapon", "detail"), [
    ("Shelling/artillery/missile attack", "3 Katyusha rockets hit the base", "rocket",
     "notes: Katyusha"),
    ("Shelling/artillery/missile attack", "two mortar shells fell near the base", "mortar",
     "notes: mortar"),
    ("Shelling/artillery/missile attack", "Iran fired ballistic missiles", "ballistic_missile",
     "notes: ballistic missiles"),
    ("Shelling/artillery/missile attack", "the base was attacked", "other_unknown",
     "ACLED sub-event type: Shelling/artillery/missile attack"),
    ("Air/drone strike", "an attack targeted the base", "drone",
     "ACLED sub-event type: Air/drone strike"),
    ("Remote explosive/landmine/IED", "a convoy was hit", "ied",
     "ACLED sub-event type: Remote explosive/landmine/IED"),
    ("Remote explosive/landmine/IED", "a roadside bomb struck a convoy", "ied",
     "notes: roadside bomb"),
    ("Air/drone strike", "a UAV fell near the airport", "drone",
     "notes: UAV"),
])
def test_weapon_from_the_notes_then_the_sub_event_type(sub_event, notes, weapon, detail):
    found, detail_found = acled.incidents._weapons(pd.Series([sub_event]), pd.Series([notes]))
    assert (found[0], detail_found[0]) == (weapon, detail)


def test_acled_attributes_never_claims(imported):
    incidents = _incidents(imported)
    assert incidents.at["IRQ990001", "attributed_to"] == "irgc"
    assert incidents.at["IRQ990014", "attributed_to"] == "islamic-resistance-in-iraq"
    assert pd.isna(incidents.at["IRQ990002", "attributed_to"])  # an unidentified group
    attributed = incidents["attributed_to"].notna()
    assert (incidents.loc[attributed, "attributed_by"] == "ACLED").all()
    assert incidents["claimed_by"].isna().all()
    assert set(incidents["attribution_status"]) == {"attributed", "unattributed"}


def test_deaths_are_zero_only_when_acled_records_none(imported):
    incidents = _incidents(imported)
    assert incidents.at["IRQ990001", "us_killed_count"] == 0
    assert pd.isna(incidents.at["IRQ990002", "us_killed_count"])  # 3 deaths, not split
    assert "ACLED fatalities: 3" in incidents.at["IRQ990002", "casualties_note"]
    assert incidents["us_wounded_count"].isna().all()


def test_the_written_directory_validates_and_holds_the_curated_tables(imported, curated_dir):
    out = imported.out_dir
    data = load_all(out)
    assert sorted(data.incidents["acled_event_id"]) == [
        "IRQ990001", "IRQ990002", "IRQ990003", "IRQ990004", "IRQ990005", "IRQ990006",
        "IRQ990014", "IRQ990017"]
    assert set(data.incidents["curation_basis"]) == {"acled_import"}
    base = load_all(curated_dir)
    assert len(data.political_events) == len(base.political_events)
    assert len(data.troop_levels) == len(base.troop_levels)
    assert len(data.claims) == 0
    assert set(base.sites["site_id"]) < set(data.sites["site_id"])
    assert "acled-nasiriyah" in set(data.sites["site_id"])
    citation = data.incidents.set_index("acled_event_id").at["IRQ990001", "sources"]
    assert citation == 'ACLED, "event IRQ990001: Example News, Sample Agency"'
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["licenses"][0]["name"] == "ACLED-terms-of-use"
    assert {r["path"] for r in descriptor["resources"]} == {t.filename for t in TABLES.values()}


def test_the_written_directory_is_readable_and_the_staging_folder_is_not_kept(imported):
    from sitrep_analysis import data

    assert imported.out_dir.stat().st_mode & 0o777 == 0o755  # not mkdtemp's private 0700
    # the staging folder was checked without entering the loaders' cache
    assert not [path for path in data._LOADED if path.name.startswith(".acled-iraq.")]
    assert not list(imported.out_dir.parent.glob(".acled-iraq.*"))


def test_the_written_datapackage_is_valid_frictionless(imported):
    from frictionless import validate

    report = validate(str(imported.out_dir / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_side_files_list_rejected_rows_and_every_candidates_fate(imported):
    out = imported.out_dir
    rejected = pd.read_csv(out / "import_rejected.csv")
    assert rejected["row"].tolist() == [21, 22, 23, 24, 25, 26]
    report = pd.read_csv(out / "import_report.csv", keep_default_na=False).set_index(
        "event_id_cnty")
    assert report.at["IRQ990016", "selected"]
    assert report.at["IRQ990016", "exclusion_reason"] == (
        "outside the coverage period 2019-10-01 to 2024-09-30")
    assert report.at["IRQ990016", "incident_id"] == ""
    assert report.at["IRQ990001", "incident_id"] == "2020-01-08-ain-al-asad-irq990001"
    assert not report.at["IRQ990009", "selected"]
    summary = json.loads((out / "import_summary.json").read_text(encoding="utf-8"))
    assert (summary["rejected_rows"], summary["selected"], summary["written"],
            summary["outside_coverage"]) == (6, 9, 8, 1)


def test_summary_reports_counts_and_conflicts(imported):
    text = imported.summary()
    assert "2023 column set, 25 rows; 24 in Iraq" in text
    assert "Rejected 6 unreadable rows" in text
    assert "Selected 9 attacks on US or coalition forces" in text
    assert "Wrote 8 incidents" in text and "1 selected attack lies outside" in text
    assert ("Against the curated incidents: 4 matched (3 agreeing, 1 in conflict), 4 only "
            "imported, 1 only curated") in text
    assert ("conflict 2020-05-06-baghdad-airport / IRQ990003: weapon_type: imported drone, "
            "curated rocket") in text


# --- merging ----------------------------------------------------------------------------------

def test_import_matches_the_curated_incidents(imported):
    matches = imported.matches.set_index("acled_event_id")
    assert matches.at["IRQ990001", "status"] == "agree"
    assert matches.at["IRQ990002", "status"] == "agree"  # 3 deaths in ACLED, 2 US + 1 UK
    assert matches.at["IRQ990003", "status"] == "conflict"
    assert matches.at["IRQ990004", "days_apart"] == 1
    assert matches.at["IRQ990005", "status"] == "imported_only"  # two days apart
    curated_only = imported.matches[imported.matches["status"].eq("curated_only")]
    assert curated_only["curated_incident_id"].tolist() == ["2021-03-05-ain-al-asad"]


def _frame(rows: list[dict]) -> pd.DataFrame:
    columns = ["incident_id", "incident_date", "site_id", "weapon_type", "acled_event_id",
               "us_killed_count", "coalition_killed_count", "contractors_killed_count",
               "iraqi_killed_count", "claimed_by", "attributed_to"]
    frame = pd.DataFrame([{**dict.fromkeys(columns, None), **row} for row in rows],
                         columns=columns)
    frame["incident_date"] = pd.to_datetime(frame["incident_date"])
    return frame


CURATED_SMALL = _frame([
    {"incident_id": "c1", "incident_date": "2020-01-09", "site_id": "green-zone",
     "weapon_type": "rocket"},
    {"incident_id": "c2", "incident_date": "2020-02-01", "site_id": "camp-taji",
     "weapon_type": "rocket", "us_killed_count": 1, "attributed_to": "kataib-hezbollah"},
    {"incident_id": "c3", "incident_date": "2020-03-01", "site_id": "balad-air-base",
     "weapon_type": "rocket", "acled_event_id": "IRQ1"},
])


@pytest.mark.parametrize(("imported_row", "status", "curated_id", "differences"), [
    pytest.param({"incident_date": "2020-01-09", "site_id": "green-zone",
                  "weapon_type": "rocket"}, "agree", "c1", "", id="same site and day"),
    pytest.param({"incident_date": "2020-01-10", "site_id": "green-zone",
                  "weapon_type": "rocket"}, "agree", "c1", "", id="a day apart"),
    pytest.param({"incident_date": "2020-01-11", "site_id": "green-zone",
                  "weapon_type": "rocket"}, "imported_only", None, None, id="two days apart"),
    pytest.param({"incident_date": "2020-01-09", "site_id": "us-embassy-baghdad",
                  "weapon_type": "rocket"}, "agree", "c1", "",
                 id="co-located sites count as one"),
    pytest.param({"incident_date": "2020-01-09", "site_id": "green-zone",
                  "weapon_type": "drone"}, "conflict", "c1",
                 "weapon_type: imported drone, curated rocket", id="weapons differ"),
    pytest.param({"incident_date": "2020-01-09", "site_id": "green-zone",
                  "weapon_type": "other_unknown"}, "agree", "c1", "",
                 id="an unknown weapon is no conflict"),
    pytest.param({"incident_date": "2020-02-01", "site_id": "camp-taji", "weapon_type": "rocket",
                  "fatalities": 0, "attributed_to": "irgc"}, "conflict", "c2",
                 "killed: ACLED 0, curated at least 1 (other killed counts not given); "
                 "perpetrator: ACLED irgc, curated kataib-hezbollah",
                 id="deaths and perpetrator differ"),
    pytest.param({"incident_date": "2020-02-01", "site_id": "camp-taji", "weapon_type": "rocket",
                  "fatalities": 4, "attributed_to": "kataib-hezbollah"}, "agree", "c2", "",
                 id="ACLED's deaths above a partial curated count: empty counts are not 0"),
    pytest.param({"incident_date": "2020-03-20", "site_id": "ain-al-asad",
                  "weapon_type": "rocket", "acled_event_id": "IRQ1"}, "agree", "c3", "",
                 id="the same ACLED id, whatever the site"),
])
def test_match_incidents(sites, imported_row, status, curated_id, differences):
    one = _frame([{"incident_id": "i1", **{k: v for k, v in imported_row.items()
                                           if k != "fatalities"}}])
    if "fatalities" in imported_row:
        one["fatalities"] = imported_row["fatalities"]
    result = match_incidents(one, CURATED_SMALL, sites)
    row = result[result["imported_incident_id"].eq("i1")].iloc[0]
    assert row["status"] == status
    if curated_id is not None:
        assert row["curated_incident_id"] == curated_id
        assert row["differences"] == differences
    assert result["status"].eq("curated_only").sum() == 3 - (curated_id is not None)


def test_match_incidents_keeps_curated_only_rows_to_the_period(sites):
    one = _frame([{"incident_id": "i1", "incident_date": "2020-01-09",
                   "site_id": "green-zone", "weapon_type": "rocket"}])
    result = match_incidents(one, CURATED_SMALL, sites, period=("2020-01-01", "2020-02-15"))
    assert result["status"].tolist() == ["agree", "curated_only"]


# --- cache ------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def cache_allowed(monkeypatch):
    """The cache tests hold whatever SITREP_NO_CACHE the shell running them has."""
    monkeypatch.delenv("SITREP_NO_CACHE", raising=False)


def test_a_second_read_comes_from_the_cache_and_is_the_same(tmp_path):
    path = tmp_path / "export.csv"
    shutil.copyfile(NEW, path)
    first = read_acled(path, cache_dir=tmp_path / "cache")
    second = read_acled(path, cache_dir=tmp_path / "cache")
    assert (first.from_cache, second.from_cache) == (False, True)
    pd.testing.assert_frame_equal(first.rows, second.rows)
    pd.testing.assert_frame_equal(first.rejected, second.rejected)
    assert (second.layout, second.rows_in_file, second.country_rows) == (
        first.layout, first.rows_in_file, first.country_rows)
    assert read_acled(path, "Syria", cache_dir=tmp_path / "cache").from_cache is False


def test_an_edited_file_or_a_damaged_cache_is_read_again(tmp_path):
    path = tmp_path / "export.csv"
    shutil.copyfile(NEW, path)
    cache = tmp_path / "cache"
    read_acled(path, cache_dir=cache)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(NEW.read_text(encoding="utf-8").splitlines()[1].replace(
            "IRQ990001", "IRQ990999") + "\n")
    edited = read_acled(path, cache_dir=cache)
    assert not edited.from_cache and "IRQ990999" in set(edited.rows["event_id_cnty"])
    for entry in cache.glob("*.parquet"):
        entry.write_bytes(b"not parquet")
    again = read_acled(path, cache_dir=cache)
    assert not again.from_cache
    assert read_acled(path, cache_dir=cache).from_cache


@pytest.mark.parametrize(("value", "cached"), [("1", False), ("yes", False), ("0", True),
                                               ("", True)])
def test_sitrep_no_cache_turns_the_cache_off_as_no_cache_does(tmp_path, monkeypatch, value,
                                                              cached):
    """SITREP_NO_CACHE, by the validated-table cache's rule (anything but empty or 0): the
    cache is neither read nor written, for read_acled and for the whole import alike."""
    path = tmp_path / "export.csv"
    shutil.copyfile(NEW, path)
    cache = tmp_path / "cache"
    read_acled(path, cache_dir=cache)  # an entry from before the variable was set
    entries = sorted(entry.name for entry in cache.iterdir())
    assert len(entries) == 2
    monkeypatch.setenv("SITREP_NO_CACHE", value)
    assert read_acled(path, cache_dir=cache).from_cache is cached
    assert read_acled(path, "Syria", cache_dir=cache).from_cache is False
    written = sorted(entry.name for entry in cache.iterdir())
    assert len(written) == (4 if cached else 2)  # Syria's entry, only when caching
    result = import_acled(path, out_dir=tmp_path / "out", cache_dir=cache,
                          base_dir=SHIPPED_DATA)
    assert result.export.from_cache is cached
    assert ("(from the cache)" in result.summary().splitlines()[0]) is cached


def test_the_cache_is_written_by_the_shared_atomic_write(tmp_path, monkeypatch):
    """Both files of an entry go through files.write_atomically, the package's one swap of a
    temporary file, private to the user, and read back as the rows written."""
    from sitrep_analysis import files

    written: list[str] = []

    def recording(path: Path, content: str | bytes, **options: int) -> None:
        written.append(path.name)
        files.write_atomically(path, content, **options)

    monkeypatch.setattr(acled.cache, "write_atomically", recording)
    path = tmp_path / "export.csv"
    shutil.copyfile(NEW, path)
    first = read_acled(path, cache_dir=tmp_path / "cache")
    key = acled.cache.cache_key(path, "Iraq")
    assert written == [f"{key}.rejected.parquet", f"{key}.parquet"]
    assert sorted(entry.name for entry in (tmp_path / "cache").iterdir()) == sorted(written)
    # a copy of the user's licensed data: readable by the user alone
    assert {(tmp_path / "cache" / name).stat().st_mode & 0o777 for name in written} == {0o600}
    second = read_acled(path, cache_dir=tmp_path / "cache")
    assert second.from_cache
    pd.testing.assert_frame_equal(first.rows, second.rows)
    pd.testing.assert_frame_equal(first.rejected, second.rejected)


# --- writing safely ---------------------------------------------------------------------------

def test_an_output_folder_with_other_files_is_refused_untouched(tmp_path):
    out = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA, out)
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(FileExistsError, match="holds files an ACLED import did not write"):
        import_acled(NEW, out_dir=out, use_cache=False)
    assert sorted(p.name for p in out.iterdir()) == before


def test_a_new_import_replaces_an_earlier_one_and_a_failure_leaves_it(tmp_path, curated_dir,
                                                                       monkeypatch):
    out = tmp_path / "acled-iraq"
    import_acled(OLD, out_dir=out, base_dir=curated_dir, use_cache=False)
    assert len(load_all(out).incidents) == 3
    import_acled(NEW, out_dir=out, base_dir=curated_dir, use_cache=False)
    assert len(load_all(out).incidents) == 8

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(acled.importer, "write_reports", broken)
    with pytest.raises(OSError, match="disk full"):
        import_acled(OLD, out_dir=out, base_dir=curated_dir, use_cache=False)
    assert len(load_all(out).incidents) == 8  # the earlier import is whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acled-iraq"]  # no leftovers


# --- command line -----------------------------------------------------------------------------

def test_cli_imports_and_prints_the_summary(tmp_path, curated_dir, monkeypatch):
    monkeypatch.setenv("SITREP_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["import", "acled", str(OLD), "--out", str(out),
                                      "--base-data", str(curated_dir)])
    assert result.exit_code == 0, result.output
    assert "pre-2023 column set, 9 rows; 9 in Iraq" in result.output
    assert "Rejected 3 unreadable rows" in result.output
    assert "Wrote 3 incidents" in result.output
    assert list((tmp_path / "cache" / "acled").glob("*.parquet"))  # the import's own cache
    validated = CliRunner().invoke(app, ["validate", str(out)])
    assert validated.exit_code == 0
    assert re.search(r"incidents\.csv +3 rows", validated.output)


@pytest.mark.parametrize(("arguments", "message"), [
    pytest.param([str(SHIPPED_DATA / "incidents.csv")], "is not an ACLED export",
                 id="not ACLED"),
    pytest.param([str(NEW), "--out", str(SHIPPED_DATA)],
                 "holds files an ACLED import did not write", id="curated data as output"),
])
def test_cli_refuses_with_exit_status_1(tmp_path, monkeypatch, arguments, message):
    monkeypatch.setenv("SITREP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["import", "acled", *arguments])
    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "acled-iraq").exists()


def test_cli_usage_errors_exit_2(tmp_path):
    result = CliRunner().invoke(app, ["import", "acled", str(tmp_path / "missing.csv")])
    assert result.exit_code == 2
    result = CliRunner().invoke(app, ["import", "acled", str(NEW), "--country", "Yemen"])
    assert result.exit_code == 2


# --- a report on imported data ------------------------------------------------------------------

@pytest.mark.slow
def test_the_attack_tempo_report_renders_on_an_imported_directory(imported, tmp_path):
    from sitrep_analysis.render import render_notebook
    from tests.conftest import REPORT_NOTEBOOK
    from tests.test_notebooks import _text

    output = render_notebook(REPORT_NOTEBOOK, tmp_path / "report.html",
                             data_dir=imported.out_dir)
    text = _text(output.read_text(encoding="utf-8"))
    assert ("8 attacks on US and coalition forces are recorded from 1 October 2019 to 30 "
            "September 2024") in text
    assert "Main weapon:" in text
    assert 'ACLED, "event IRQ990001: Example News, Sample Agency"' in text


@pytest.mark.parametrize("notebook", ["01_attack_tempo.ipynb", "02_event_study.ipynb",
                                      "03_profile.ipynb"])
def test_every_notebook_runs_on_an_imported_directory(imported, notebook, monkeypatch):
    """In this process, without a kernel (fast): the notebooks' own defaults on the import."""
    from tests.conftest import NOTEBOOKS
    from tests.test_notebooks import _run_in_process

    namespace = _run_in_process(NOTEBOOKS / notebook, {"data_dir": str(imported.out_dir)},
                                monkeypatch)
    assert len(namespace["dataset"].incidents) == 8




def test_a_brief_on_an_imported_incident_says_what_acled_does_not_record(imported, tmp_path):
    """Rendered through the real path: the brief of an imported attack reads, names ACLED as
    its source, and says what ACLED lacks instead of inventing a time or injuries."""
    from sitrep_analysis.brief.report import render_brief
    from tests.test_notebooks import _text

    dataset = load_all(imported.out_dir)
    incidents = dataset.incidents
    imported_ids = incidents.loc[incidents["curation_basis"].eq("acled_import"), "incident_id"]
    incident_id = str(imported_ids.iloc[0])
    rendered = render_brief(dataset, incident_id, tmp_path / "brief.html",
                            data_dir=imported.out_dir)
    text = _text(rendered.path.read_text(encoding="utf-8"))
    assert ("This attack comes from an ACLED export: ACLED records neither the time of day nor "
            "injuries") in text
    assert "local time" not in text.split("What happened", 1)[1].split("The place", 1)[0]
    assert "ACLED, \u201cevent " in text
    assert "Sources" in text


# --- the output folder: only the import's own files are ever replaced ---------------------------

WORDING = ACLED_FIXTURES / "acled_wording.csv"
PRE_2019 = ACLED_FIXTURES / "acled_pre2019_columns.csv"


def _tree(folder: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under ``folder``, by relative path."""
    return {str(path.relative_to(folder)): None if path.is_dir() else path.read_bytes()
            for path in sorted(folder.rglob("*"))}


def _cli_import(path: Path, out: Path, base: Path, *more: str):
    return CliRunner().invoke(app, ["import", "acled", str(path), "--out", str(out),
                                    "--base-data", str(base), "--no-cache", *more])


def _refused(result, *phrases: str) -> str:
    """The command refused with exit status 1 and one line naming the reason, no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def earlier(tmp_path, curated_dir) -> Path:
    """A folder an earlier import wrote."""
    out = tmp_path / "imp"
    import_acled(OLD, out_dir=out, base_dir=curated_dir, use_cache=False)
    return out


def _add_notes(out: Path) -> str:
    (out / "my_notes.md").write_text("my notes\n", encoding="utf-8")
    return "my_notes.md"


def _add_folder(out: Path) -> str:
    (out / "drafts").mkdir()
    (out / "drafts" / "draft.md").write_text("draft\n", encoding="utf-8")
    return "drafts/"


def _add_export(out: Path) -> str:
    shutil.copyfile(NEW, out / "export.csv")
    return "export.csv"


@pytest.mark.parametrize("add", [_add_notes, _add_folder, _add_export],
                         ids=["a note", "a subfolder", "an export file"])
def test_a_second_import_refuses_a_folder_holding_files_it_did_not_write(earlier, curated_dir,
                                                                         add):
    added = add(earlier)
    before = _tree(earlier)
    result = _cli_import(NEW, earlier, curated_dir)
    _refused(result, "holds files an ACLED import did not write", added)
    assert _tree(earlier) == before  # nothing written, nothing removed
    assert sorted(p.name for p in earlier.parent.iterdir()) == ["imp"]  # no leftovers


def test_importing_the_export_from_inside_the_output_folder_is_refused(earlier, curated_dir):
    export = earlier / "export.csv"
    shutil.copyfile(NEW, export)
    result = _cli_import(export, earlier, curated_dir)
    _refused(result, "export.csv (the export being imported)")
    assert export.read_bytes() == NEW.read_bytes()


def test_a_folder_with_a_copied_summary_and_no_manifest_is_refused(tmp_path, earlier,
                                                                   curated_dir):
    other = tmp_path / "other"
    other.mkdir()
    shutil.copyfile(earlier / "import_summary.json", other / "import_summary.json")
    (other / "keep.txt").write_text("mine\n", encoding="utf-8")
    before = _tree(other)
    _refused(_cli_import(NEW, other, curated_dir), "holds files an ACLED import did not write",
             "keep.txt", "no import manifest")
    assert _tree(other) == before
    (other / "keep.txt").unlink()  # a summary alone is no proof either
    _refused(_cli_import(NEW, other, curated_dir), "import_summary.json")
    assert (other / "import_summary.json").is_file()


def test_a_file_changed_since_the_import_wrote_it_is_refused(earlier, curated_dir):
    incidents = earlier / "incidents.csv"
    incidents.write_text(incidents.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    before = _tree(earlier)
    _refused(_cli_import(NEW, earlier, curated_dir), "changed since the import wrote them",
             "incidents.csv")
    assert _tree(earlier) == before


def test_the_manifest_lists_every_file_written_with_its_hash(earlier):
    import hashlib

    manifest = json.loads((earlier / acled.MANIFEST_NAME).read_text(encoding="utf-8"))
    files = manifest["files"]
    on_disk = {p.name for p in earlier.iterdir()} - {acled.MANIFEST_NAME}
    assert set(files) == on_disk
    assert {"incidents.csv", "import_summary.json", "import_report.csv"} <= set(files)
    for name, digest in files.items():
        assert hashlib.sha256((earlier / name).read_bytes()).hexdigest() == digest


def test_an_import_over_its_own_folder_or_an_empty_one_is_replaced(earlier, tmp_path,
                                                                   curated_dir):
    result = _cli_import(NEW, earlier, curated_dir)
    assert result.exit_code == 0, result.output
    assert len(load_all(earlier).incidents) == 8
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _cli_import(OLD, empty, curated_dir).exit_code == 0
    assert len(load_all(empty).incidents) == 3


def test_a_file_added_while_the_import_runs_is_kept_and_the_import_refused(earlier, curated_dir,
                                                                           monkeypatch):
    write_summary = acled.importer.write_summary

    def and_meanwhile(*args, **kwargs):
        write_summary(*args, **kwargs)
        (earlier / "late.txt").write_text("added during the import\n", encoding="utf-8")

    monkeypatch.setattr(acled.importer, "write_summary", and_meanwhile)
    before = {**_tree(earlier), "late.txt": b"added during the import\n"}
    with pytest.raises(FileExistsError, match=r"late\.txt"):
        import_acled(NEW, out_dir=earlier, base_dir=curated_dir, use_cache=False)
    assert _tree(earlier) == before
    assert sorted(p.name for p in earlier.parent.iterdir()) == ["imp"]


def test_the_default_output_folders_are_git_ignored():
    from tests.helpers import REPO

    lines = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "acled-*/" in lines


# --- inputs and outputs the import cannot use: one true line, exit 1, nothing written ----------

def test_a_gzip_export_is_refused_as_compressed(tmp_path, curated_dir):
    import gzip

    path = tmp_path / "export.csv.gz"
    path.write_bytes(gzip.compress(NEW.read_bytes()))
    with pytest.raises(AcledFormatError, match="gzip-compressed"):
        read_acled(path, use_cache=False)
    out = tmp_path / "out"
    _refused(_cli_import(path, out, curated_dir), "gzip-compressed", "decompress it first")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv.gz"]


def test_a_zip_archive_is_not_called_a_workbook(tmp_path):
    import zipfile

    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(NEW, "export.csv")
    with pytest.raises(AcledFormatError, match="ZIP archive"):
        read_acled(path, use_cache=False)


def test_a_file_with_old_mac_line_endings_reads_as_the_same_rows(tmp_path, new_export):
    path = tmp_path / "cr.csv"
    path.write_bytes(NEW.read_bytes().replace(b"\n", b"\r"))
    export = read_acled(path, use_cache=False)
    pd.testing.assert_frame_equal(export.rows, new_export.rows)
    pd.testing.assert_frame_equal(export.rejected, new_export.rejected)
    assert (export.rows_in_file, export.country_rows) == (25, 24)


def test_a_folder_given_as_the_export_is_refused(tmp_path, curated_dir):
    _refused(_cli_import(tmp_path, tmp_path / "out", curated_dir), "is a folder")
    assert not (tmp_path / "out").exists()


def test_a_read_only_output_folder_is_refused_before_reading(earlier, curated_dir,
                                                            monkeypatch):
    access = os.access
    monkeypatch.setattr(acled.write.os, "access", lambda path, mode, **kw: False
                        if Path(path) == earlier and mode == os.W_OK else access(path, mode))
    before = _tree(earlier)
    _refused(_cli_import(NEW, earlier, curated_dir), "read-only")
    assert _tree(earlier) == before


@pytest.mark.parametrize(("code", "where"), [
    (errno.ENOSPC, "_write_csv"), (errno.EROFS, "_write_csv"), (errno.EACCES, "mkdtemp")],
    ids=["disk full", "read-only file system", "parent not writable"])
def test_a_failed_write_is_one_line_and_keeps_the_earlier_import(earlier, curated_dir,
                                                                 monkeypatch, code, where):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    if where == "mkdtemp":
        monkeypatch.setattr(acled.importer.tempfile, "mkdtemp", fail)
    else:
        monkeypatch.setattr(acled.write, where, fail)
    before = _tree(earlier)
    _refused(_cli_import(NEW, earlier, curated_dir), os.strerror(code),
             "nothing was written")
    assert _tree(earlier) == before
    assert sorted(p.name for p in earlier.parent.iterdir()) == ["imp"]


def test_a_failed_write_into_a_new_nested_folder_leaves_no_folder(tmp_path, curated_dir,
                                                                  monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(acled.write, "_write_csv", full)
    _refused(_cli_import(NEW, tmp_path / "a" / "b" / "out", curated_dir), "No space left")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fails", ["encoding", "renaming"])
def test_a_cache_that_cannot_be_written_leaves_no_temporary_file(tmp_path, monkeypatch, fails):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        if fails == "encoding":
            patch.setattr(acled.cache.pq, "write_table", full)
        else:  # the disk fills up when the written file replaces the entry
            patch.setattr(os, "replace", full)
        export = read_acled(NEW, cache_dir=tmp_path / "cache")
    assert len(export.rows) == 18
    assert list((tmp_path / "cache").iterdir()) == []


# --- spreadsheet side files: no formula runs when they are opened --------------------------------

def test_text_cells_that_a_spreadsheet_would_run_are_quoted():
    frame = pd.DataFrame({
        "text": ["=1+1", "+1", "-1+1", "@SUM(A1)", "\tx", "\rx", "fine", None, "a=b", "'=x"],
        "number": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0, np.nan, 8.0, 9.0],
        "count": pd.array([-1, 2, 3, 4, 5, 6, 7, None, 8, 9], dtype="Int64"),
    })
    safe = acled.write._spreadsheet_cells(frame)
    text = safe["text"].tolist()
    assert text[:7] == ["'=1+1", "'+1", "'-1+1", "'@SUM(A1)", "'\tx", "'\rx", "fine"]
    assert pd.isna(text[7])  # missing stays missing (an empty cell)
    assert text[8:] == ["a=b", "'=x"]  # already quoted text keeps its one quote
    pd.testing.assert_series_equal(safe["number"], frame["number"])  # numbers stay numbers
    pd.testing.assert_series_equal(safe["count"], frame["count"])


def test_side_files_quote_formulas_and_the_data_files_keep_the_values(tmp_path, curated_dir):
    with NEW.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    row = next(r for r in rows if r[0] == "IRQ990001")
    attack = list(row)
    attack[header.index("notes")] = '=HYPERLINK("http://example.invalid","x") ' + row[
        header.index("notes")]
    attack[header.index("actor1")] = "@Unidentified Armed Group (Iraq)"
    unreadable = list(row)
    unreadable[0] = "IRQ990200"
    unreadable[header.index("fatalities")] = "-2+3"
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, attack, unreadable])
    out = tmp_path / "out"
    import_acled(path, out_dir=out, base_dir=curated_dir, use_cache=False)
    with (out / "import_report.csv").open(encoding="utf-8", newline="") as handle:
        report = next(csv.DictReader(handle))
    assert report["notes"].startswith("'=HYPERLINK(")
    assert report["actor1"] == "'@Unidentified Armed Group (Iraq)"
    assert report["latitude"] == "33.8514"
    with (out / "import_rejected.csv").open(encoding="utf-8", newline="") as handle:
        rejected = next(csv.DictReader(handle))
    assert (rejected["value"], rejected["row"]) == ("'-2+3", "3")
    incidents = load_all(out).incidents
    assert incidents["notes"].iloc[0].startswith("=HYPERLINK(")  # the data stay as they are


# --- ACLED's wording in real exports ------------------------------------------------------------

@pytest.fixture(scope="module")
def worded(tmp_path_factory, curated_dir) -> acled.ImportResult:
    out = tmp_path_factory.mktemp("worded") / "acled-iraq"
    return import_acled(WORDING, out_dir=out, base_dir=curated_dir, use_cache=False)


@pytest.mark.parametrize(("event_id", "named", "site_id", "target"), [
    pytest.param("IRQ970001", "Baghdad airport", "baghdad-airport", "airport",
                 id="Baghdad airport, coded at Baghdad"),
    pytest.param("IRQ970002", "BIAP", "baghdad-airport", "airport", id="BIAP"),
    pytest.param("IRQ970003", "Victory base", "victory-base", "base", id="Victory base"),
    pytest.param("IRQ970004", "Camp Victory", "victory-base", "base", id="Camp Victory"),
    pytest.param("IRQ970005", "Ain al-Assad", "ain-al-asad", "base", id="Ain al-Assad"),
    pytest.param("IRQ970006", "Ain al-Asad", "ain-al-asad", "base", id="bare Ain al-Asad"),
])
def test_base_names_of_real_exports_select_and_place_the_attack(worded, event_id, named,
                                                                site_id, target):
    report = worded.report.set_index("event_id_cnty")
    assert report.at[event_id, "selected"] and report.at[event_id, "rule_notes"]
    assert f'names base {site_id} ("{named}")' in report.at[event_id, "selection_reason"]
    incident = _incidents(worded).loc[event_id]
    assert (incident["site_id"], incident["target_kind"]) == (site_id, target)


def test_the_baghdad_airport_rockets_keep_their_count(worded):
    incident = _incidents(worded).loc["IRQ970001"]
    assert (incident["weapon_type"], incident["projectiles_low"]) == ("rocket", 3)


def test_a_base_named_far_from_the_coordinates_does_not_place_the_attack(worded):
    report = worded.report.set_index("event_id_cnty")
    reason = report.at["IRQ970007", "selection_reason"]
    assert report.at["IRQ970007", "selected"]
    assert re.search(r'names base us-embassy-baghdad \("US embassy"\), 15\d km from ACLED\'s '
                     r"coordinates: too far to place the event there", reason), reason
    incident = _incidents(worded).loc["IRQ970007"]
    assert (incident["site_id"], incident["target_kind"]) == ("diwaniyah-convoy-route", "convoy")


#: Rows whose notes name two bases of the gazetteer: (event id, notes, location, latitude,
#: longitude, the base named, km from ACLED's coordinates).
TWO_BASES = [
    ("IRQ970101", "Rockets struck Balad Air Base and Camp Taji.", "Taji", 33.52, 44.26,
     "camp-taji", 0.0),                      # Balad Air Base lies 47 km away
    ("IRQ970102", "Rockets struck Balad Air Base and Camp Taji.", "Balad", 33.94, 44.36,
     "balad-air-base", 0.0),                 # Camp Taji lies 47 km away
    ("IRQ970103", "Rockets fired at Ain al-Asad air base and Baghdad airport.", "Baghdad",
     33.3406, 44.4009, "baghdad-airport", 18.2),  # Ain al-Asad lies 188 km away: too far
]


@pytest.fixture(scope="module")
def two_bases_named(tmp_path_factory, curated_dir) -> acled.ImportResult:
    """:data:`TWO_BASES`, as rows of the wording fixture, imported."""
    folder = tmp_path_factory.mktemp("two-bases")
    with WORDING.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, template = rows[0], rows[1]
    column = {name: header.index(name) for name in header}
    made = []
    for event_id, notes, location, latitude, longitude, _, _ in TWO_BASES:
        row = list(template)
        for name, value in (("event_id_cnty", event_id), ("notes", notes),
                            ("location", location), ("latitude", str(latitude)),
                            ("longitude", str(longitude))):
            row[column[name]] = value
        made.append(row)
    with (folder / "export.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *made])
    return import_acled(folder / "export.csv", out_dir=folder / "out", base_dir=curated_dir,
                        use_cache=False)


@pytest.mark.parametrize(("event_id", "site_id", "km"),
                         [(row[0], row[5], row[6]) for row in TWO_BASES])
def test_of_two_bases_named_the_nearest_is_the_reason_and_the_site(two_bases_named, event_id,
                                                                    site_id, km):
    """The nearest named base within NAMED_SITE_KM of ACLED's coordinates: whatever the
    order of the notes or of the gazetteer, the reason names it and the incident is there."""
    report = two_bases_named.report.set_index("event_id_cnty")
    reason = report.at[event_id, "selection_reason"]
    assert report.at[event_id, "selected"]
    assert re.findall(r'names base ([\w-]+) \("[^"]+"\)(, \d+ km)?', reason) == [
        (site_id, "")], reason
    assert _incidents(two_bases_named).at[event_id, "site_id"] == site_id
    assert (report.at[event_id, "named_site_id"], round(report.at[event_id, "named_site_km"],
                                                        1)) == (site_id, km)


def test_the_convoy_pattern_is_scanned_once(tmp_path, curated_dir, monkeypatch):
    """Mapping to incidents reads the notes for a convoy once: for the site, for a new
    place's kind and for the target kind alike."""
    scanned = []
    contains = acled.incidents.contains

    def counting(values: pd.Series, pattern: str) -> pd.Series:
        if pattern == acled.CONVOY:
            scanned.append(len(values))
        return contains(values, pattern)

    monkeypatch.setattr(acled.incidents, "contains", counting)
    result = import_acled(WORDING, out_dir=tmp_path / "out", base_dir=curated_dir,
                          use_cache=False)
    assert scanned == [len(result.incidents)]
    incidents = _incidents(result)
    assert (incidents.at["IRQ970007", "site_id"], incidents.at["IRQ970007", "target_kind"]) \
        == ("diwaniyah-convoy-route", "convoy")


def test_the_united_states_without_the_is_a_us_actor(worded):
    report = worded.report.set_index("event_id_cnty")
    assert report.at["IRQ970008", "selected"] and report.at["IRQ970008", "rule_actor"]
    assert not report.at["IRQ970009", "selected"]
    assert report.at["IRQ970009", "exclusion_reason"].startswith(
        "US or coalition forces are the acting side (Military Forces of United States (2021-))")


def test_an_export_without_rows_of_the_country_names_the_countries_it_holds(tmp_path,
                                                                            curated_dir):
    with pytest.raises(acled.AcledImportError, match=r"holds no rows of Jordan"):
        import_acled(NEW, "Jordan", out_dir=tmp_path / "out", use_cache=False)
    line = _refused(_cli_import(NEW, tmp_path / "out", curated_dir, "--country", "Jordan"),
                    "holds no rows of Jordan", "Iraq (24 rows), Syria (1 row)")
    assert "nothing was written" in line
    assert not (tmp_path / "out").exists()


def test_an_older_acled_layout_is_named_as_such(tmp_path, curated_dir):
    with pytest.raises(AcledFormatError) as refused:
        read_acled(PRE_2019, use_cache=False)
    message = str(refused.value)
    assert "older ACLED layout" in message and "not supported" in message
    assert "not an ACLED export" not in message
    _refused(_cli_import(PRE_2019, tmp_path / "out", curated_dir), "older ACLED layout")


def test_counts_are_singular_for_one(tmp_path, curated_dir):
    rows: dict[str, list[str]] = {}
    with NEW.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            rows.setdefault(row[0], row)  # IRQ990001 is repeated: the first one
    header = rows["event_id_cnty"]

    def imported(*ids: str, extra: str = "") -> str:
        path = tmp_path / "export.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(
                [header, *(rows[i] for i in ids)])
            handle.write(extra)
        return import_acled(path, out_dir=tmp_path / "out", base_dir=curated_dir,
                            use_cache=False).summary()

    one = imported("IRQ990001")
    assert "1 row; 1 in Iraq" in one
    assert "Selected 1 attack on US or coalition forces" in one
    assert "Wrote 1 incident to" in one
    assert "1 matched (1 agreeing, 0 in conflict)" in one
    several = imported("IRQ990001", "IRQ990016", "IRQ990009", "IRQ990104", extra="oops\n")
    assert "Rejected 2 unreadable rows" in several
    assert "1 candidate left out" in several
    assert "1 selected attack lies outside the coverage period" in several
    rejected = pd.read_csv(tmp_path / "out" / "import_rejected.csv")
    assert "the line has 1 field where the header has 31" in set(rejected["reason"])
    assert "Rejected 1 unreadable row (" in imported("IRQ990001", "IRQ990104")


def test_the_descriptor_credits_the_base_data_it_copied(worded, curated_dir):
    descriptor = json.loads((worded.out_dir / "datapackage.json").read_text(encoding="utf-8"))
    said = json.dumps([descriptor[key] for key in ("title", "description", "contributors")])
    assert "curated" not in said.lower()  # a folder of the analyst's, not the project's
    assert "sitrep-analysis maintainers" not in said
    assert f"the data folder {curated_dir.name}" in descriptor["description"]


def test_no_wounded_figure_is_invented_for_acled_attacks(worded):
    from sitrep_analysis.narrative.text import casualty_words

    words = casualty_words(load_all(worded.out_dir).incidents)
    assert "wounded" not in words
