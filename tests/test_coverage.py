"""Coverage against officials' tallies, checked on a small made-up case worked out by hand.

Incidents (all made up):

- Iraq, base: 2023-10-18, 10-20, 10-25, 11-03; Iraq, convoy: 10-28; Iraq, base, known only
  from a group's claim: 11-02;
- Syria, base: 10-19, 10-30, 11-05.

Tallies of attacks on US forces in Iraq and Syria since 2023-10-17: 5 by 10-26 (Iraq 3,
Syria 2), 8 by 10-31 (Iraq 4, Syria 4), 7 by 11-07 (lower than the one before: not
differenced), 10 by 11-09.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sitrep_analysis.analysis import event_windows
from sitrep_analysis.coverage import (
    officials_intervals,
    officials_per_period,
    recorded_mask,
    scope_for_countries,
    tally_coverage,
    tally_intervals,
    window_coverage,
)

T = pd.Timestamp


def incidents_frame() -> pd.DataFrame:
    rows = [
        ("2023-10-18", "Iraq", "base", "us_coalition_official"),
        ("2023-10-20", "Iraq", "base", "media_only"),
        ("2023-10-25", "Iraq", "base", "other_official"),
        ("2023-10-28", "Iraq", "convoy", "media_only"),
        ("2023-11-02", "Iraq", "base", "group_claim_only"),
        ("2023-11-03", "Iraq", "base", "us_coalition_official"),
        ("2023-10-19", "Syria", "base", "us_coalition_official"),
        ("2023-10-30", "Syria", "base", "us_coalition_official"),
        ("2023-11-05", "Syria", "base", "media_only"),
    ]
    return pd.DataFrame({
        "incident_id": [f"i{n}" for n in range(len(rows))],
        "incident_date": pd.to_datetime([r[0] for r in rows]),
        "country": pd.Categorical([r[1] for r in rows], categories=["Iraq", "Syria", "Jordan"]),
        "target_kind": [r[2] for r in rows],
        "confirmation_status": pd.Series([r[3] for r in rows], dtype="string"),
    })


def tally(tally_id: str, as_of: str, count: int, *, start: str = "2023-10-17",
          scope: str = "iraq_and_syria", targets: str = "us_forces", qualifier: str = "exact",
          iraq: int | None = None, syria: int | None = None, end: str | None = None,
          role: str = "series") -> dict:
    return {"tally_id": tally_id, "as_of_date": T(as_of), "period_start": T(start),
            "period_end": T(end) if end else pd.NaT, "attacks_count": count,
            "count_qualifier": qualifier, "tally_scope": scope, "counted_targets": targets,
            "counted_by": "made up", "counter_kind": "us_officials", "tally_role": role,
            "iraq_attacks_count": iraq, "syria_attacks_count": syria, "jordan_attacks_count": None}


def tallies_frame(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    for column in ("attacks_count", "iraq_attacks_count", "syria_attacks_count",
                   "jordan_attacks_count"):
        frame[column] = frame[column].astype("Int64")
    frame["period_end"] = frame["period_end"].astype("datetime64[ns]")
    return frame


@pytest.fixture
def campaign() -> pd.DataFrame:
    return tallies_frame(
        tally("t1", "2023-10-26", 5, iraq=3, syria=2),
        tally("t2", "2023-10-31", 8, iraq=4, syria=4),
        tally("t4", "2023-11-07", 7),
        tally("t3", "2023-11-09", 10),
    )


def test_recorded_mask_leaves_out_convoys_for_us_forces_and_claims_only():
    incidents = incidents_frame()
    forces = recorded_mask(incidents, ("Iraq",), "us_forces")
    interests = recorded_mask(incidents, ("Iraq",), "us_interests")
    with_claims = recorded_mask(incidents, ("Iraq",), "us_forces", include_claim_only=True)
    assert int(forces.sum()) == 4       # 10-18, 10-20, 10-25, 11-03
    assert int(interests.sum()) == 5    # and the 10-28 convoy
    assert int(with_claims.sum()) == 5  # and the 11-02 claim


def test_tally_coverage_against_hand_counts(campaign):
    table = tally_coverage(incidents_frame(), campaign).set_index("tally_id")
    assert list(table.index) == ["t1", "t2", "t4", "t3"]  # by period end
    assert table.loc["t1", "recorded_count"] == 4            # Iraq 3, Syria 1
    assert table.loc["t1", "coverage_ratio"] == pytest.approx(0.8)
    assert table.loc["t1", "iraq_recorded_count"] == 3
    assert table.loc["t1", "iraq_coverage_ratio"] == pytest.approx(1.0)
    assert table.loc["t1", "syria_coverage_ratio"] == pytest.approx(0.5)
    assert table.loc["t2", "recorded_count"] == 5            # the convoy is not counted
    assert table.loc["t2", "coverage_ratio"] == pytest.approx(5 / 8)
    assert table.loc["t2", "iraq_coverage_ratio"] == pytest.approx(0.75)
    assert table.loc["t3", "recorded_count"] == 7            # the claim is not counted
    assert table.loc["t3", "coverage_ratio"] == pytest.approx(0.7)
    assert pd.isna(table.loc["t3", "iraq_tallied_count"])
    assert math.isnan(table.loc["t3", "iraq_coverage_ratio"])
    assert table.loc["t1", "period_end"] == T("2023-10-26")


def test_claims_can_be_counted_on_request(campaign):
    table = tally_coverage(incidents_frame(), campaign, include_claim_only=True)
    assert table.set_index("tally_id").loc["t3", "recorded_count"] == 8


def test_a_ratio_above_one_is_shown_not_capped():
    low = tallies_frame(tally("small", "2023-10-31", 2, scope="syria"))
    table = tally_coverage(incidents_frame(), low)
    assert table.loc[0, "recorded_count"] == 2
    assert table.loc[0, "coverage_ratio"] == pytest.approx(1.0)
    lower = tallies_frame(tally("smaller", "2023-10-31", 1, scope="syria"))
    assert tally_coverage(incidents_frame(), lower).loc[0, "coverage_ratio"] == 2.0


def test_intervals_difference_successive_totals(campaign):
    intervals = tally_intervals(incidents_frame(), campaign, ("Iraq", "Syria"))
    assert list(intervals["interval_start"]) == [T("2023-10-17"), T("2023-10-27"),
                                                 T("2023-11-01")]
    assert list(intervals["interval_end"]) == [T("2023-10-26"), T("2023-10-31"),
                                               T("2023-11-09")]
    assert list(intervals["tallied_count"]) == [5, 3, 2]  # t4 (7 after 8) is not differenced
    assert list(intervals["recorded_count"]) == [4, 1, 2]
    assert list(intervals["coverage_ratio"]) == pytest.approx([0.8, 1 / 3, 1.0])
    assert list(intervals["attacks_per_day"]) == pytest.approx([0.5, 0.6, 2 / 9])
    assert intervals.loc[2, "tally_ids"] == "t2;t3"


def test_intervals_for_one_country_use_the_split_counts(campaign):
    intervals = tally_intervals(incidents_frame(), campaign, ["Iraq"])
    assert list(intervals["tallied_count"]) == [3, 1]
    assert list(intervals["recorded_count"]) == [3, 0]
    assert list(intervals["coverage_ratio"]) == pytest.approx([1.0, 0.0])
    assert tally_intervals(incidents_frame(), campaign, ["Jordan"]).empty


def test_overlapping_series_give_each_day_the_shortest_interval():
    """AFP-like: about 50 from 2021-01-01 to 07-07, and about 20 from 01-20 to 04-01."""
    tallies = tallies_frame(
        tally("whole", "2021-07-07", 50, start="2021-01-01", scope="iraq",
              targets="us_interests", qualifier="about"),
        tally("part", "2021-04-01", 20, start="2021-01-20", scope="iraq",
              targets="us_interests", qualifier="about"),
    )
    intervals = tally_intervals(incidents_frame(), tallies, ["Iraq"])
    assert [(a.strftime("%m-%d"), b.strftime("%m-%d")) for a, b in
            zip(intervals["segment_start"], intervals["segment_end"], strict=True)] == [
        ("01-01", "01-19"), ("01-20", "04-01"), ("04-02", "07-07")]
    assert list(intervals["tallied_count"]) == [50, 20, 50]
    assert intervals.loc[1, "attacks_per_day"] == pytest.approx(20 / 72)


def test_window_coverage_verdicts(campaign):
    incidents = incidents_frame()
    events = pd.DataFrame({
        "event_id": ["well", "low", "partly", "unknown"],
        "event_date": pd.to_datetime(["2023-10-23", "2023-10-27", "2023-11-12", "2023-12-20"]),
        "category": "other", "title": "made up"})
    intervals = tally_intervals(incidents, campaign, ("Iraq", "Syria"))
    windows = window_coverage(event_windows(incidents, events.iloc[[0]], days=3), intervals)
    assert windows.loc[0, "coverage"] == "well_covered"  # inside 10-17..10-26, 80%
    assert windows.loc[0, "well_covered"]
    rest = window_coverage(event_windows(incidents, events.iloc[1:], days=5), intervals)
    by_id = rest.set_index("event_id")
    # touches 10-17..10-26 (4 of 5) and 10-27..10-31 (1 of 3): pooled 5 of 8
    assert by_id.loc["low", "coverage"] == "low_coverage"
    assert by_id.loc["low", "coverage_ratio"] == pytest.approx(5 / 8)
    assert by_id.loc["partly", "coverage"] == "partly_tallied"
    assert by_id.loc["partly", "tallied_share"] == pytest.approx(3 / 10)  # 11-07..11-09 of 10
    assert by_id.loc["unknown", "coverage"] == "unknown"
    assert math.isnan(by_id.loc["unknown", "coverage_ratio"])
    assert not by_id["well_covered"].any()


def test_officials_intervals_only_for_whole_selections(campaign):
    incidents = incidents_frame()
    assert officials_intervals(incidents, campaign, ["Iraq"], weapon_types=["rocket"]) is None
    assert officials_intervals(incidents, campaign, ["Iraq"], site_ids=["x"]) is None
    assert len(officials_intervals(incidents, campaign, ["Iraq"])) == 2


def test_scope_for_countries():
    assert scope_for_countries(["Iraq"]) == "iraq"
    assert scope_for_countries(["Jordan", "Iraq", "Syria"]) == "iraq_syria_jordan"
    assert scope_for_countries(["Iraq", "Jordan"]) is None


def test_officials_per_week_spreads_each_interval_over_its_days(campaign):
    intervals = tally_intervals(incidents_frame(), campaign, ("Iraq", "Syria"))
    weeks = officials_per_period(intervals, "2023-10-16", "2023-11-12", "W")
    assert list(weeks["period_start"].dt.strftime("%m-%d")) == ["10-16", "10-23", "10-30",
                                                                "11-06"]
    assert list(weeks["tallied_days"]) == [6, 7, 7, 4]
    # 6 days at 0.5, scaled to 7; 4 at 0.5 and 3 at 0.6; 2 at 0.6 and 5 at 2/9; 4 at 2/9
    assert list(weeks["officials_count"]) == pytest.approx(
        [3.0 * 7 / 6, 2.0 + 1.8, 1.2 + 10 / 9, 8 / 9 * 7 / 4])


def test_reference_tallies_are_not_differenced(campaign):
    rows = campaign.copy()
    rows.loc[rows["tally_id"] == "t2", "tally_role"] = "reference"
    intervals = tally_intervals(incidents_frame(), rows, ("Iraq", "Syria"))
    # t4 (7 by 11-07) now follows t1: 5 to 10-26, 7 - 5 to 11-07, 10 - 7 to 11-09
    assert list(intervals["tallied_count"]) == [5, 2, 3]


def test_two_counters_are_never_differenced_against_each_other(campaign):
    other = tallies_frame(tally("x", "2023-10-28", 30))
    other["counted_by"] = "another counter"
    both = pd.concat([campaign, other], ignore_index=True)
    intervals = tally_intervals(incidents_frame(), both, ("Iraq", "Syria"))
    # the other counter's 30 since 10-17 is its own series; each day takes the shortest
    # interval, so the first counter's intervals stand
    assert list(intervals["tallied_count"]) == [5, 3, 2]


def test_rows_where_officials_counted_none_give_an_infinite_ratio():
    zero = tallies_frame(tally("zero", "2023-11-05", 0, start="2023-11-01", scope="syria"))
    table = tally_coverage(incidents_frame(), zero)
    assert table.loc[0, "recorded_count"] == 1  # 11-05 in Syria
    assert math.isinf(table.loc[0, "coverage_ratio"])


def test_coverage_sentence_and_table(campaign):
    from sitrep_analysis.narrative import coverage_findings, coverage_table

    intervals = tally_intervals(incidents_frame(), campaign, ("Iraq", "Syria"))
    assert coverage_findings(intervals, "2023-10-17", "2023-11-30") == (
        "Coverage, measured against the officials' own running counts: over the 3 periods "
        "between their totals that these dates touch, officials counted 10 attacks and the "
        "data hold 7 (70%); 2 of the 3 reach 80%. 21 of the 45 days shown lie in no tallied "
        "period, so coverage there is unknown: a quiet period there may not have been quiet.")
    assert coverage_findings(intervals.iloc[0:0], "2023-10-17", "2023-11-30").startswith(
        "No official tally covers this selection of countries")
    table = coverage_table(tally_coverage(incidents_frame(), campaign), "2023-10-20",
                           "2023-10-31")
    assert list(table["Officials counted"]) == ["5", "8", "7", "10"]
    assert list(table["Coverage"]) == ["80%", "62%", "100%", "70%"]  # t4: all 7 by 11-07
    assert table.loc[1, "By country (data of officials)"] == "Iraq: 3 of 3; Syria: 1 of 2"


def _strike_and_truce_windows(campaign: pd.DataFrame) -> pd.DataFrame:
    """Three-day windows around a strike on 10-23 (well covered) and a truce on 12-20 (no
    tally)."""
    incidents = incidents_frame()
    events = pd.DataFrame({
        "event_id": ["well", "unknown"],
        "event_date": pd.to_datetime(["2023-10-23", "2023-12-20"]),
        "category": pd.Categorical(["us_strike", "ceasefire"]), "title": ["Strike", "Truce"]})
    return window_coverage(event_windows(incidents, events, days=3),
                           tally_intervals(incidents, campaign, ("Iraq", "Syria")))


def test_event_study_findings_use_only_well_covered_windows(campaign):
    from sitrep_analysis.narrative import event_study_findings

    windows = _strike_and_truce_windows(campaign)
    text = event_study_findings(windows, countries=["Iraq", "Syria"])
    assert "attacks counted in Iraq and Syria." in text
    assert ("**1 of the 2 window pairs lie in well-covered periods**" in text)
    assert "Set aside: 1 in periods no official tallied (coverage unknown, not low)." in text
    # the well-covered window: 10-20..10-22 holds 10-20 only; 10-23..10-25 holds 10-25 only
    assert "None of the 1 well-covered window holds enough attacks" in text


def test_the_forest_plot_mutes_windows_outside_well_covered_periods(campaign):
    from sitrep_analysis.figures import event_forest_figure

    windows = _strike_and_truce_windows(campaign)
    windows["too_few"] = False  # only coverage decides here
    figure = event_forest_figure(windows)
    names = [(trace.name or "").replace("<br>", " ") for trace in figure.data]  # wrapped
    assert "95% CI (set aside: too few attacks, or not a well-covered period)" in names
    strike = next(trace for trace in figure.data if trace.name == "US strike")
    assert list(strike.marker.symbol) == ["circle"]  # the well-covered window stays solid
