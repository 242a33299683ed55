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
from sitrep_analysis.columns import FIELDS, TABLES
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


def in_order(*mutations: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(data_dir: Path) -> None:
        for mutation in mutations:
            mutation(data_dir)
    return mutate


def cr_line_endings(table: str) -> Callable[[Path], None]:
    """Save a file with old-Mac line endings: a carriage return alone ends each line."""
    def mutate(data_dir: Path) -> None:
        path = data_dir / f"{table}.csv"
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    return mutate


def edit_line(table: str, line: int, edit: Callable[[str], str]) -> Callable[[Path], None]:
    """Rewrite one physical line of a file (1 = the header) as text."""
    def mutate(data_dir: Path) -> None:
        path = data_dir / f"{table}.csv"
        lines = path.read_text(encoding="utf-8").split("\n")
        lines[line - 1] = edit(lines[line - 1])
        path.write_text("\n".join(lines), encoding="utf-8")
    return mutate


def insert_line(table: str, line: int, text: str) -> Callable[[Path], None]:
    """Insert a physical line so that it becomes line ``line`` of the file."""
    def mutate(data_dir: Path) -> None:
        path = data_dir / f"{table}.csv"
        lines = path.read_text(encoding="utf-8").split("\n")
        lines.insert(line - 1, text)
        path.write_text("\n".join(lines), encoding="utf-8")
    return mutate


def commas_only(table: str) -> str:
    return "," * (len(TABLES[table].columns) - 1)


def folder_for(table: str) -> Callable[[Path], None]:
    """Put a folder where the table's file should be."""
    def mutate(data_dir: Path) -> None:
        path = data_dir / f"{table}.csv"
        if path.exists():
            path.unlink()
        path.mkdir()
        (path / "stray.txt").write_text("not a table\n", encoding="utf-8")
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
    pytest.param(set_cell("sites", 1, "site_name", "Alpha Base"),
                 ["sites.csv, line 3, column site_name", "'Alpha Base'",
                  "another line has the same value"], id="two places of one name"),
    pytest.param(set_cell("incidents", 0, "acled_event_id", "IRQ\u0663\u0664"),
                 ["incidents.csv, line 2, column acled_event_id", "ASCII digits"],
                 id="Arabic-Indic digits in a patterned id"),
    pytest.param(write_bytes("troop_levels", b""),
                 ["troop_levels.csv", "file is empty", "troops_count"], id="empty file"),
    pytest.param(latin1_row, ["incidents.csv, line 3", "not valid UTF-8", "0xe8"],
                 id="non-UTF-8 file"),
    pytest.param(in_order(latin1_row, cr_line_endings("incidents")),
                 ["incidents.csv, line 3", "not valid UTF-8", "0xe8"],
                 id="non-UTF-8 file with old-Mac line endings"),
    # dates pandas cannot hold (it keeps nanoseconds: years 1677 to 2262)
    pytest.param(set_cell("incidents", 0, "incident_date", "9999-12-31"),
                 ["incidents.csv, line 2, column incident_date", "'9999-12-31'",
                  "1677-09-22 to 2262-04-11"], id="date after the supported range"),
    pytest.param(set_cell("political_events", 1, "event_start_date", "1066-10-14"),
                 ["political_events.csv, line 3, column event_start_date", "'1066-10-14'",
                  "1677-09-22 to 2262-04-11"], id="date before the supported range"),
    pytest.param(set_cell("troop_levels", 1, "date_end", "2263-01-01"),
                 ["troop_levels.csv, line 3, column date_end", "'2263-01-01'",
                  "1677-09-22 to 2262-04-11"], id="end date after the supported range"),
    # old-Mac files: read, and problems named at their real line
    pytest.param(in_order(set_cell("sites", 1, "site_kind", "fortress"),
                          cr_line_endings("sites")),
                 ["sites.csv, line 3, column site_kind", "'fortress'", "must be one of"],
                 id="old-Mac line endings keep line numbers"),
    # counts
    pytest.param(set_cell("incidents", 0, "us_wounded_count", "99999999999999999999"),
                 ["incidents.csv, line 2, column us_wounded_count",
                  "'99999999999999999999'", "too large", "18 digits"],
                 id="count of 20 digits"),
    pytest.param(set_cell("incidents", 0, "projectiles_low", "-9223372036854775809"),
                 ["incidents.csv, line 2, column projectiles_low",
                  "'-9223372036854775809'", "too large"],
                 id="negative count of 19 digits"),
    pytest.param(set_cell("incidents", 0, "us_wounded_count", "\u0663"),
                 ["incidents.csv, line 2, column us_wounded_count", "'\u0663'",
                  "ASCII digits 0-9"], id="Arabic-Indic digit in a count"),
    pytest.param(set_cell("troop_levels", 0, "troops_count", "\uff15\uff12\uff10\uff10"),
                 ["troop_levels.csv, line 2, column troops_count", "'\uff15\uff12\uff10\uff10'",
                  "ASCII digits 0-9"], id="full-width digits in a count"),
    pytest.param(set_cell("incidents", 1, "incident_date", "2020-03-\uff12\uff10"),
                 ["incidents.csv, line 3, column incident_date", "ASCII digits 0-9"],
                 id="full-width digits in a date"),
    pytest.param(set_cell("claims", 0, "claimed_value", "\u0661\u0668"),
                 ["claims.csv, line 2, column claimed_value", "ASCII digits 0-9"],
                 id="Arabic-Indic digits in a claimed count"),
    # the shape of the file
    pytest.param(edit_line("sources", 3, lambda line: line[:line.rindex(",")]),
                 ["sources.csv, line 3", "has 7 fields", "header has 8"],
                 id="row missing its last field"),
    pytest.param(edit_line("incidents", 4, lambda line: line + ",extra"),
                 ["incidents.csv, line 4", "has 34 fields", "header has 33"],
                 id="row with a field too many"),
    pytest.param(insert_line("incidents", 3, commas_only("incidents")),
                 ["incidents.csv, line 3", "only commas"], id="line of only commas"),
    pytest.param(in_order(set_cell("incidents", 1, "weapon_type", "katyusha"),
                          insert_line("incidents", 3, commas_only("incidents"))),
                 ["incidents.csv, line 4, column weapon_type", "'katyusha'"],
                 id="a line of only commas does not shift later lines"),
    pytest.param(in_order(set_cell("sources", 2, "source_kind", "rumour"),
                          insert_line("sources", 2, ",,,")),
                 ["sources.csv, line 5, column source_kind", "'rumour'"],
                 id="a short line of commas does not shift later lines"),
    pytest.param(in_order(set_cell("sources", 2, "source_kind", "rumour"),
                          edit_line("sources", 2, lambda line: line[:line.rindex(",")])),
                 ["sources.csv, line 4, column source_kind", "'rumour'"],
                 id="a short row does not shift later lines"),
    pytest.param(set_cell("sources", 0, "published_date", "2021-02-31"),
                 ["sources.csv, line 2, column published_date", "'2021-02-31'",
                  "real date"], id="partial date that is not a real date"),
    pytest.param(set_cell("sources", 1, "published_date", "\u0662\u0660\u0662\u0661"),
                 ["sources.csv, line 3, column published_date", "ASCII digits 0-9"],
                 id="partial date in Arabic-Indic digits"),
    # the reader: quoted line breaks, quotes left open, repeated names
    pytest.param(in_order(set_cells("incidents", 0, {"notes": "two\nlines"}),
                          set_cell("incidents", 2, "weapon_type", "katyusha")),
                 ["incidents.csv, line 5, column weapon_type", "'katyusha'"],
                 id="a value over two lines counts both"),
    pytest.param(edit_line("incidents", 3, lambda line: line.replace("near Bravo",
                                                                     '"near Bravo')),
                 ["incidents.csv, line 3", "never closed"], id="double quote never closed"),
    pytest.param(edit_line("sites", 1, lambda line: line.replace("aliases", "notes")),
                 ["sites.csv, line 1, column notes", "named twice"],
                 id="column named twice"),
    pytest.param(folder_for("incidents"),
                 ["incidents.csv", "is a folder, not a file"], id="folder for a file"),
    pytest.param(folder_for("reported_tallies"),
                 ["reported_tallies.csv", "is a folder, not a file"],
                 id="folder for an optional file"),
]


@pytest.mark.parametrize(("mutate", "fragments"), CASES)
def test_bad_data_is_refused_with_a_precise_message(data_copy, mutate, fragments):
    mutate(data_copy)
    with pytest.raises(DataValidationError) as caught:
        load_incidents(data_copy)
    lines = str(caught.value).splitlines()
    matching = [line for line in lines if all(f in line for f in fragments)]
    assert matching, f"no line holds {fragments}:\n{caught.value}"


@pytest.mark.parametrize(("mutate", "fragments"), CASES)
def test_the_cli_refuses_bad_data_in_one_line_per_problem(data_copy, mutate, fragments):
    """`sitrep validate` exits 1 with the same message as the loaders, never a traceback,
    and writes nothing."""
    mutate(data_copy)
    before = {p: p.read_bytes() for p in data_copy.rglob("*") if p.is_file()}
    result = CliRunner().invoke(app, ["validate", str(data_copy)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert any(all(f in line for f in fragments) for line in lines), result.output
    assert len(lines) == int(lines[0].split()[0]) + 1  # "N problems in ...", then N lines
    assert {p: p.read_bytes() for p in data_copy.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(("table", "line"), [("sources", 3), ("incidents", 2)])
def test_an_unreadable_row_is_reported_once(data_copy, table, line):
    """The row is refused on its own line; the rows citing it are not also said to cite
    nothing (src-b is cited by incidents, events and claims; the first incident by claims)."""
    edit_line(table, line, lambda text: text[:text.rindex(",")])(data_copy)
    with pytest.raises(DataValidationError) as caught:
        load_all(data_copy)
    assert [str(p) for p in caught.value.problems] == [
        f"{table}.csv, line {line}: has {len(read_rows(data_copy / f'{table}.csv')[0]) - 1} "
        f"fields, the header has {len(read_rows(data_copy / f'{table}.csv')[0])}: every line "
        "needs a field for each column, an empty one between two commas when not reported"]


@pytest.mark.parametrize("ending", [b"\r", b"\r\n"], ids=["old Mac", "Windows"])
def test_other_line_endings_load_like_unix_ones(data_copy, ending):
    expected = load_all(VALID_DIR)
    for path in data_copy.glob("*.csv"):
        path.write_bytes(path.read_bytes().replace(b"\n", ending))
    assert (data_copy / "incidents.csv").read_bytes().count(ending) == 4
    loaded = load_all(data_copy)
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(loaded, table), getattr(expected, table))


def test_every_date_column_refuses_a_date_pandas_cannot_hold(data_copy):
    """A date outside pandas' range in any date column is a problem, not a traceback."""
    header = list(TABLES["reported_tallies"].columns)
    write_rows(data_copy / "reported_tallies.csv", header, [dict(
        tally_id="t1", as_of_date="2020-09-30", date_precision="day", period_start="2020-09-01",
        attacks_count="10", count_qualifier="about", tally_scope="iraq",
        counted_targets="us_forces", counter_kind="news_outlet", tally_role="reference",
        source_ids="src-a", curation_basis="reference_sheet")])
    date_columns = [(table, name) for table in TABLES.values() for name in table.columns
                    if FIELDS[name].kind == "date"]
    assert len(date_columns) >= 8
    for table, name in date_columns:
        set_cell(table.name, 0, name, "9999-12-31")(data_copy)
    with pytest.raises(DataValidationError) as caught:
        load_all(data_copy)
    found = {(p.file, p.column) for p in caught.value.problems
             if p.value == "9999-12-31" and "1677-09-22 to 2262-04-11" in p.rule}
    assert found == {(table.filename, name) for table, name in date_columns}


def test_a_missing_folder_is_one_problem(tmp_path):
    with pytest.raises(DataValidationError) as caught:
        load_incidents(tmp_path / "nowhere")
    assert len(caught.value.problems) == 1
    assert "folder does not exist" in str(caught.value)


@pytest.mark.parametrize(("make", "reason"), [("missing", "does not exist"),
                                               ("file", "is a file")])
def test_the_cli_refuses_a_data_dir_that_is_no_folder_as_a_bad_argument(tmp_path, make,
                                                                        reason):
    """Click's convention for a bad argument: usage, then one `Error:` line; exit status 2."""
    target = tmp_path / "data"
    if make == "file":
        target.write_text("not a folder\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(target)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, result.output
    assert str(target) in errors[0] and reason in errors[0], result.output
    assert sorted(tmp_path.iterdir()) == ([target] if make == "file" else [])


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
