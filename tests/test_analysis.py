"""attack_counts and troop_level_steps on the hand-countable data of ``sample_data``."""

from __future__ import annotations

import pandas as pd
import pytest

from sitrep_analysis.analysis import attack_counts, period_start, troop_level_steps
from sitrep_analysis.columns import FIELDS
from tests.sample_data import incidents_frame, troop_levels_frame

WEAPONS = list(FIELDS["weapon_type"].allowed or ())


def _days(*days: str) -> list[pd.Timestamp]:
    return [pd.Timestamp(day) for day in days]


def _as_pairs(frame: pd.DataFrame) -> list[tuple[str, int]]:
    return [(f"{row.period_start:%Y-%m-%d}", row.attacks_count)
            for row in frame.itertuples(index=False)]


# Worked out by hand from sample_data.INCIDENTS (weeks start on Monday):
#   week of 2019-12-02: 12-03, 12-05, 12-08 (a Sunday)     -> 3
#   week of 2019-12-09: 12-09                              -> 1
#   weeks of 12-16 and 12-23: none                         -> 0, 0
#   week of 2019-12-30: 12-31, 2020-01-02, 2020-01-05      -> 3 (crosses the year end)
#   week of 2020-01-06: none                               -> 0
#   week of 2020-01-13: 01-13                              -> 1
#   weeks of 01-20 .. 02-24 (seven weeks): none            -> 0
#   week of 2020-03-02: 03-02                              -> 1
WEEKLY = [
    ("2019-12-02", 3), ("2019-12-09", 1), ("2019-12-16", 0), ("2019-12-23", 0),
    ("2019-12-30", 3), ("2020-01-06", 0), ("2020-01-13", 1), ("2020-01-20", 0),
    ("2020-01-27", 0), ("2020-02-03", 0), ("2020-02-10", 0), ("2020-02-17", 0),
    ("2020-02-24", 0), ("2020-03-02", 1),
]
#   December 2019: 12-03, 12-05, 12-08, 12-09, 12-31       -> 5
#   January 2020: 01-02, 01-05, 01-13                      -> 3
#   February 2020: none                                    -> 0
#   March 2020: 03-02                                      -> 1
MONTHLY = [("2019-12-01", 5), ("2020-01-01", 3), ("2020-02-01", 0), ("2020-03-01", 1)]


def test_weekly_counts_are_zero_filled_and_cross_the_year_end():
    counts = attack_counts(incidents_frame(), freq="W")
    assert _as_pairs(counts) == WEEKLY
    assert list(counts.columns) == ["period_start", "attacks_count"]
    assert counts["period_start"].dtype == "datetime64[ns]"
    assert counts["attacks_count"].dtype == "int64"
    assert (counts["period_start"].dt.day_of_week == 0).all()


def test_monthly_counts_include_an_empty_month():
    assert _as_pairs(attack_counts(incidents_frame(), freq="M")) == MONTHLY


def test_daily_counts_cover_every_day():
    counts = attack_counts(incidents_frame(), freq="D")
    assert len(counts) == (pd.Timestamp("2020-03-02") - pd.Timestamp("2019-12-03")).days + 1
    assert counts["attacks_count"].sum() == 9
    assert counts.set_index("period_start").loc["2019-12-31", "attacks_count"] == 1
    assert counts.set_index("period_start").loc["2019-12-04", "attacks_count"] == 0


def test_range_extends_the_grid_and_drops_incidents_outside_it():
    counts = attack_counts(incidents_frame(), freq="M", start="2019-11-15", end="2020-04-02")
    assert _as_pairs(counts) == [("2019-11-01", 0), *MONTHLY, ("2020-04-01", 0)]
    # start and end inside periods: those periods are partial, counting only days in range.
    partial = attack_counts(incidents_frame(), freq="W", start="2019-12-06", end="2020-01-03")
    assert _as_pairs(partial) == [("2019-12-02", 1), ("2019-12-09", 1), ("2019-12-16", 0),
                                  ("2019-12-23", 0), ("2019-12-30", 2)]


def test_split_by_weapon_lists_every_weapon_in_every_week():
    counts = attack_counts(incidents_frame(), freq="W", by="weapon_type")
    assert list(counts.columns) == ["period_start", "weapon_type", "attacks_count"]
    assert len(counts) == len(WEEKLY) * len(WEAPONS)
    assert isinstance(counts["weapon_type"].dtype, pd.CategoricalDtype)
    assert list(counts["weapon_type"].iloc[:len(WEAPONS)]) == WEAPONS
    year_end = counts[counts["period_start"] == "2019-12-30"].set_index("weapon_type")
    assert year_end["attacks_count"].to_dict() == {
        "rocket": 2, "mortar": 0, "drone": 0, "ied": 1, "ballistic_missile": 0,
        "other_unknown": 0}
    totals = counts.groupby("period_start")["attacks_count"].sum()
    assert [(f"{day:%Y-%m-%d}", n) for day, n in totals.items()] == WEEKLY


def test_split_by_a_plain_column_uses_the_values_seen():
    incidents = incidents_frame().assign(country=["Iraq"] * 8 + ["Syria"])
    counts = attack_counts(incidents, freq="M", by="country")
    assert sorted(counts["country"].unique()) == ["Iraq", "Syria"]
    assert counts.groupby("country")["attacks_count"].sum().to_dict() == {"Iraq": 8, "Syria": 1}


def test_no_incidents():
    empty = incidents_frame().iloc[:0]
    counts = attack_counts(empty)
    assert counts.empty
    assert list(counts.columns) == ["period_start", "attacks_count"]
    zeros = attack_counts(empty, freq="W", by="weapon_type", start="2020-01-01",
                          end="2020-01-10")
    assert len(zeros) == 2 * len(WEAPONS)
    assert zeros["attacks_count"].eq(0).all()


@pytest.mark.parametrize(("kwargs", "error"), [
    pytest.param({"freq": "Q"}, ValueError, id="unknown freq"),
    pytest.param({"by": "no_such_column"}, KeyError, id="unknown by column"),
    pytest.param({"start": "2020-02-01", "end": "2020-01-01"}, ValueError, id="start after end"),
])
def test_bad_arguments_fail(kwargs, error):
    with pytest.raises(error):
        attack_counts(incidents_frame(), **kwargs)


def test_period_start_of_a_sunday_is_the_monday_before():
    days = pd.Series(_days("2020-01-05", "2020-01-06", "2020-02-29"))
    assert list(period_start(days, "W")) == _days("2019-12-30", "2020-01-06", "2020-02-24")
    assert list(period_start(days, "M")) == _days("2020-01-01", "2020-01-01", "2020-02-01")
    assert list(period_start(days, "D")) == list(days)


# --- troop levels ---------------------------------------------------------------------------

def _steps(frame: pd.DataFrame, kind: str) -> list[tuple[str, int]]:
    own = frame[frame["kind"] == kind]
    return [(f"{row.date:%Y-%m-%d}", int(row.troops_count)) for row in own.itertuples()]


def test_troop_steps_carry_in_the_level_in_force_and_carry_out_to_end():
    steps = troop_level_steps(troop_levels_frame(), "2019-12-01", "2020-03-31")
    assert list(steps.columns) == ["date", "troops_count", "kind"]
    assert steps["troops_count"].dtype == "Int64"
    # 5200 from 2019-11-01 is in force on 12-01; two figures on 02-01 (5000, 5500): the largest.
    assert _steps(steps, "reported") == [("2019-12-01", 5200), ("2020-02-01", 5500),
                                         ("2020-03-31", 5500)]
    # The first target is dated inside the range: its line starts there; 06-01 is after end.
    assert _steps(steps, "announced_target") == [("2020-03-15", 3000), ("2020-03-31", 3000)]


def test_troop_steps_other_scope_and_empty_range():
    steps = troop_level_steps(troop_levels_frame(), "2020-01-01", "2020-01-31", scope="us_syria")
    assert _steps(steps, "reported") == [("2020-01-10", 900), ("2020-01-31", 900)]
    assert _steps(steps, "announced_target") == []
    before_any = troop_level_steps(troop_levels_frame(), "2019-01-01", "2019-06-30")
    assert before_any.empty
    assert list(before_any.columns) == ["date", "troops_count", "kind"]


def test_troop_step_on_the_last_day_is_not_repeated():
    steps = troop_level_steps(troop_levels_frame(), "2020-01-01", "2020-02-01")
    assert _steps(steps, "reported") == [("2020-01-01", 5200), ("2020-02-01", 5500)]


def test_troop_steps_reject_an_unknown_scope():
    with pytest.raises(ValueError, match="unknown scope"):
        troop_level_steps(troop_levels_frame(), "2020-01-01", "2020-02-01", scope="us_mars")
