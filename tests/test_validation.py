"""Bad data is refused, each kind with a message naming file, line, column, value and rule."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sitrep_analysis import DataValidationError, load_all, load_incidents
from sitrep_analysis.cli import app
from sitrep_analysis.columns import TABLES
from sitrep_analysis.schema import build_schema
from tests.helpers import VALID_DIR, read_rows, write_rows


def set_cell(table: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    def mutate(data_dir: Path) -> None:
        path = data_dir / f"{table}.csv"
        header, rows = read_rows(path)
        rows[row][column] = value
        write_rows(path, header, rows)
    return mutate


def set_cells(table: str, row: int, values: dict[str, str]) -> Callable[[Path], None]:
    """Set several cells of one row, adding any column the header lacks (an optional one)."""
    def mutate(data_dir: Path) -> None:
        path = data_dir / f"{table}.csv"
        header, rows = read_rows(path)
        header += [name for name in values if name not in header]
        rows[row].update(values)
        write_rows(path, header, rows)
    return mutate


def drop_column(table: str, column: str) -> Callable[[Path], None]:
    def mutate(data_dir: Path) -> None:
        path = data_dir / f"{table}.csv"
        header, rows = read_rows(path)
        header.remove(column)
        write_rows(path, header, [{k: v for k, v in r.items() if k != column} for r in rows])
    return mutate


def write_bytes(table: str, content: bytes) -> Callable[[Path], None]:
    def mutate(data_dir: Path) -> None:
        (data_dir / f"{table}.csv").write_bytes(content)
    return mutate


def latin1_row(data_dir: Path) -> None:
    path = data_dir / "incidents.csv"
    text = path.read_text(encoding="utf-8").replace("near Bravo", "près de Bravo")
    path.write_bytes(text.encode("latin-1"))


# (mutation, fragments every one of which must appear on one line of the message)
CASES = [
    pytest.param(drop_column("incidents", "weapon_type"),
                 ["incidents.csv, line 1, column weapon_type", "required column is missing"],
                 id="missing column"),
    pytest.param(set_cell("incidents", 1, "incident_date", "2020-02-30"),
                 ["incidents.csv, line 3, column incident_date", "'2020-02-30'",
                  "real date written YYYY-MM-DD"], id="unparseable date"),
    pytest.param(set_cell("incidents", 0, "incident_date", "11/03/2020"),
                 ["incidents.csv, line 2, column incident_date", "'11/03/2020'"],
                 id="date in another format"),
    pytest.param(set_cell("sites", 0, "latitude", "95.2"),
                 ["sites.csv, line 2, column latitude", "'95.2'", "between -90 and 90"],
                 id="latitude out of range"),
    pytest.param(set_cell("incidents", 2, "incident_id", "2020-03-11-alpha"),
                 ["incidents.csv, line 4, column incident_id", "must be unique"],
                 id="duplicate id"),
    pytest.param(set_cell("incidents", 0, "us_wounded_count", "-3"),
                 ["incidents.csv, line 2, column us_wounded_count", "'-3'", "at least 0"],
                 id="negative count"),
    pytest.param(set_cell("incidents", 1, "projectiles_low", "4"),
                 ["incidents.csv, line 3, column projectiles_low", "'4'",
                  "projectiles_low is at most projectiles_high"], id="low above high"),
    pytest.param(set_cell("incidents", 0, "weapon_type", "katyusha"),
                 ["incidents.csv, line 2, column weapon_type", "'katyusha'", "must be one of",
                  "rocket"], id="unknown category"),
    pytest.param(set_cell("political_events", 1, "category", "summit"),
                 ["political_events.csv, line 3, column category", "'summit'"],
                 id="unknown event category"),
    pytest.param(set_cell("incidents", 1, "site_id", "charlie-base"),
                 ["incidents.csv, line 3, column site_id", "'charlie-base'",
                  "no row of sites.csv has site_id"], id="unknown site id"),
    pytest.param(set_cell("incidents", 0, "source_ids", "src-a;src-missing"),
                 ["incidents.csv, line 2, column source_ids", "'src-missing'",
                  "no row of sources.csv"], id="unknown source in a list"),
    pytest.param(set_cell("incidents", 2, "source_ids", ""),
                 ["incidents.csv, line 4, column source_ids", "must not be empty"],
                 id="row without a source"),
    pytest.param(set_cell("incidents", 1, "attribution_status", "unattributed"),
                 ["incidents.csv, line 3, column attribution_status", "claimed_by is filled"],
                 id="status contradicts claim"),
    pytest.param(set_cell("incidents", 0, "projectiles_high", "12"),
                 ["incidents.csv, line 2, column projectiles_low/projectiles_high", "'10-12'",
                  "span every claimed count"], id="range misses a claimed count"),
    pytest.param(set_cell("political_events", 1, "dialogue_round", "2"),
                 ["political_events.csv, line 3, column dialogue_round", "'2'",
                  "one of the values claimed"], id="value matches no claim"),
    pytest.param(set_cell("claims", 0, "record_id", "2020-01-01-nowhere"),
                 ["claims.csv, line 2, column record_id", "'2020-01-01-nowhere'"],
                 id="claim about a missing record"),
    pytest.param(set_cell("incidents", 0, "incident_time_local", "25:10"),
                 ["incidents.csv, line 2, column incident_time_local", "'25:10'"],
                 id="impossible time"),
    pytest.param(set_cells("incidents", 0, {"quote_text": "One rocket hit. Nobody was hurt.",
                                            "quote_speaker": "A spokesman",
                                            "quote_source_id": "src-a"}),
                 ["incidents.csv, line 2, column quote_text", "one sentence at most"],
                 id="quotation of two sentences"),
    pytest.param(set_cells("incidents", 0, {"quote_text": "One rocket hit the base.",
                                            "quote_speaker": "A spokesman",
                                            "quote_source_id": "src-c"}),
                 ["incidents.csv, line 2", "quote_source_id is one of source_ids"],
                 id="quotation from a source the row does not cite"),
    pytest.param(set_cells("incidents", 0, {"quote_text": "One rocket hit the base."}),
                 ["incidents.csv, line 2", "filled together"],
                 id="quotation without its speaker"),
    pytest.param(set_cells("political_events", 0, {"responds_to_event_ids":
                                                   "2020-03-12-strike"}),
                 ["political_events.csv, line 2", "does not name the event itself"],
                 id="event answering itself"),
    pytest.param(set_cells("political_events", 0, {"responds_to_event_ids": "2020-01-01-none"}),
                 ["political_events.csv, line 2, column responds_to_event_ids",
                  "'2020-01-01-none'"], id="answering an unknown event"),
    pytest.param(write_bytes("troop_levels", b""),
                 ["troop_levels.csv", "file is empty", "troops_count"], id="empty file"),
    pytest.param(latin1_row, ["incidents.csv, line 3", "not valid UTF-8", "0xe8"],
                 id="non-UTF-8 file"),
]


@pytest.mark.parametrize(("mutate", "fragments"), CASES)
def test_bad_data_is_refused_with_a_precise_message(data_copy, mutate, fragments):
    mutate(data_copy)
    with pytest.raises(DataValidationError) as caught:
        load_incidents(data_copy)
    lines = str(caught.value).splitlines()
    matching = [line for line in lines if all(f in line for f in fragments)]
    assert matching, f"no line holds {fragments}:\n{caught.value}"


def test_every_problem_is_listed_at_once(data_copy):
    for mutate in (set_cell("incidents", 0, "weapon_type", "katyusha"),
                   set_cell("sites", 0, "latitude", "95.2"),
                   set_cell("political_events", 0, "event_date", "yesterday")):
        mutate(data_copy)
    with pytest.raises(DataValidationError) as caught:
        load_all(data_copy)
    assert len(caught.value.problems) == 3
    assert str(caught.value).startswith("3 problems in ")
    assert {p.file for p in caught.value.problems} == {"incidents.csv", "sites.csv",
                                                       "political_events.csv"}


def test_a_refused_directory_is_left_untouched(data_copy):
    set_cell("incidents", 0, "weapon_type", "katyusha")(data_copy)
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in data_copy.iterdir()}
    with pytest.raises(DataValidationError):
        load_all(data_copy)
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in data_copy.iterdir()}
    assert after == before


def test_an_edited_file_is_revalidated(data_copy):
    assert len(load_incidents(data_copy)) == 3
    set_cell("incidents", 0, "weapon_type", "katyusha")(data_copy)
    os.utime(data_copy / "incidents.csv", ns=(1, 1))  # a different mtime, whatever the clock
    with pytest.raises(DataValidationError):
        load_incidents(data_copy)


def test_the_cli_prints_problems_and_exits_1(data_copy):
    set_cell("sites", 0, "latitude", "95.2")(data_copy)
    result = CliRunner().invoke(app, ["validate", str(data_copy)])
    assert result.exit_code == 1
    assert "sites.csv, line 2, column latitude: value '95.2'" in result.output


def test_the_cli_summarizes_good_data():
    result = CliRunner().invoke(app, ["validate", str(VALID_DIR)])
    assert result.exit_code == 0, result.output
    assert re.search(r"incidents\.csv +3 rows", result.output)
    assert "incidents from 2020-03-11 to 2020-04-02" in result.output
    assert "incidents per year: 2020 3" in result.output
    assert "with coordinates: 2 of 3 (67%)" in result.output


@pytest.mark.parametrize("table", list(TABLES))
def test_the_schema_rejects_a_frame_missing_a_required_value(table):
    """Each table's pandera schema (built from the dictionary) refuses an empty key cell."""
    frames = load_all()  # the shipped data: every table has rows
    frame = getattr(frames, table).astype("object")
    frame = frame[list(TABLES[table].columns)]
    frame.loc[frame.index[0], TABLES[table].primary_key] = pd.NA
    with pytest.raises(Exception, match=r"not_nullable|null"):
        build_schema(TABLES[table]).validate(frame, lazy=True)


def test_sitrep_help_lists_the_commands():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("validate", "render", "datapackage"):
        assert command in result.output


def test_an_optional_table_may_be_left_out(data_copy):
    assert not (data_copy / "reported_tallies.csv").exists()
    tallies = load_all(data_copy).reported_tallies
    assert len(tallies) == 0
    assert list(tallies.columns[:3]) == ["tally_id", "as_of_date", "date_precision"]
    assert str(tallies["attacks_count"].dtype) == "Int64"


def test_a_tally_whose_split_exceeds_its_total_is_refused(data_copy):
    header = list(TABLES["reported_tallies"].columns)
    write_rows(data_copy / "reported_tallies.csv", header, [dict(
        tally_id="t1", as_of_date="2020-09-30", date_precision="day", period_start="2020-09-01",
        attacks_count="10", count_qualifier="exact", tally_scope="iraq_and_syria",
        counted_targets="us_forces", counter_kind="us_officials", tally_role="series",
        iraq_attacks_count="8", syria_attacks_count="5", source_ids="src-a",
        curation_basis="reference_sheet")])
    with pytest.raises(DataValidationError, match=r"reported_tallies.csv, line 2, column "
                                                  r"attacks_count: value '10': "
                                                  r"iraq_attacks_count, syria_attacks_count and "
                                                  r"jordan_attacks_count add up"):
        load_all(data_copy)


def test_a_split_for_a_country_outside_the_scope_is_refused(data_copy):
    header = list(TABLES["reported_tallies"].columns)
    write_rows(data_copy / "reported_tallies.csv", header, [dict(
        tally_id="t1", as_of_date="2020-09-30", date_precision="day", period_start="2020-09-01",
        attacks_count="10", count_qualifier="about", tally_scope="iraq",
        counted_targets="us_forces", counter_kind="news_outlet", tally_role="reference",
        syria_attacks_count="2", source_ids="src-a", curation_basis="reference_sheet")])
    with pytest.raises(DataValidationError, match=r"reported_tallies.csv, line 2, column "
                                                  r"syria_attacks_count: value '2': a "
                                                  r"country's split count is given only"):
        load_all(data_copy)


def test_a_membership_id_must_name_both_actors(data_copy):
    set_cell("actor_memberships", 0, "membership_id", "group-y--someone-else")(data_copy)
    with pytest.raises(DataValidationError, match=r"actor_memberships.csv, line 2, column "
                                                  r"membership_id: value "
                                                  r"'group-y--someone-else': membership_id is"):
        load_all(data_copy)


def test_umbrellas_are_derived_from_the_memberships():
    actors = load_all(VALID_DIR).actors.set_index("actor_id")
    assert actors.loc["group-y", "umbrella_ids"] == "umbrella-x"
    assert pd.isna(actors.loc["umbrella-x", "umbrella_ids"])


def test_columns_added_later_may_be_left_out_and_load_empty():
    """A data directory written before the quotation and response columns existed (the test
    fixture, an earlier ACLED import) still loads; those columns come back empty."""
    header = (VALID_DIR / "incidents.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "quote_text" not in header
    dataset = load_all(VALID_DIR)
    assert dataset.incidents["quote_text"].isna().all()
    assert dataset.political_events["responds_to_event_ids"].isna().all()
