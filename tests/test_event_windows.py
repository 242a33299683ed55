"""Event windows: counts worked out by hand, statistics checked against scipy and by hand."""

from __future__ import annotations

import itertools
import math

import pandas as pd
import pytest
from scipy.stats import binomtest

from sitrep_analysis.analysis import attack_counts, event_windows, rate_ratio_test
from sitrep_analysis.narrative import event_window_sentence, event_window_sentences

# --- the exact test, against scipy and against hand computations ---------------------------------


@pytest.mark.parametrize(("days_after", "days_before"), [(30, 30), (14, 28), (60, 30)])
def test_rate_ratio_test_matches_scipy_binomtest(days_after, days_before):
    """Conditional on the total, n_after is binomial: scipy's exact test and Clopper-Pearson
    interval for p, mapped to the rate ratio, must give our numbers."""
    scale = days_before / days_after
    for n_after, n_before in itertools.product(range(25), range(25)):
        if n_after + n_before == 0:
            continue
        ratio, low, high, p_value = rate_ratio_test(n_after, n_before, days_after, days_before)
        reference = binomtest(n_after, n_after + n_before,
                              days_after / (days_after + days_before))
        interval = reference.proportion_ci(confidence_level=0.95, method="exact")
        expected_low = interval.low / (1 - interval.low) * scale
        expected_high = (math.inf if interval.high == 1
                         else interval.high / (1 - interval.high) * scale)
        assert p_value == pytest.approx(reference.pvalue, rel=1e-9, abs=1e-12)
        assert low == pytest.approx(expected_low, rel=1e-9, abs=1e-12)
        assert high == pytest.approx(expected_high, rel=1e-9)
        if n_before:
            assert ratio == pytest.approx((n_after / days_after) / (n_before / days_before))


def test_none_after_five_before_worked_by_hand():
    # Clopper-Pearson upper bound for 0 of 5: 1 - 0.025 ** (1/5) = 0.521824;
    # as a rate ratio with equal windows: 0.521824 / 0.478176 = 1.091279.
    # Two-sided exact p with p0 = 1/2: outcomes 0 and 5 each have probability 1/32 -> 0.0625.
    ratio, low, high, p_value = rate_ratio_test(0, 5, 30, 30)
    assert ratio == 0
    assert low == 0
    assert high == pytest.approx(1.091279, abs=1e-6)
    assert p_value == pytest.approx(0.0625)


def test_two_after_none_before_worked_by_hand():
    # Lower bound for 2 of 2: 0.025 ** (1/2) = 0.158114; ratio 0.158114 / 0.841886 = 0.187809.
    ratio, low, high, p_value = rate_ratio_test(2, 0, 30, 30)
    assert ratio == math.inf
    assert high == math.inf
    assert low == pytest.approx(0.187809, abs=1e-6)
    assert p_value == pytest.approx(0.5)


def test_no_attacks_at_all_is_not_an_error():
    ratio, low, high, p_value = rate_ratio_test(0, 0, 30, 30)
    assert math.isnan(ratio)
    assert (low, high, p_value) == (0.0, math.inf, 1.0)


def test_unequal_windows_scale_the_ratio():
    # 4 attacks in 14 days after, 2 in 28 days before: (4/14) / (2/28) = 4.
    ratio, low, high, _ = rate_ratio_test(4, 2, 14, 28)
    assert ratio == pytest.approx(4.0)
    assert low < 4 < high


def test_rate_ratio_test_rejects_nonsense():
    with pytest.raises(ValueError):
        rate_ratio_test(-1, 2, 30, 30)
    with pytest.raises(ValueError):
        rate_ratio_test(1, 2, 0, 30)


# --- windows on a hand-made timeline -----------------------------------------------------------

ATTACK_DAYS = ["2020-01-01", "2020-01-05", "2020-01-10", "2020-01-12", "2020-01-15",
               "2020-01-20", "2020-02-20"]


def _incidents() -> pd.DataFrame:
    return pd.DataFrame({"incident_date": pd.to_datetime(ATTACK_DAYS)})


def _events(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame({
        "event_id": [event_id for event_id, _ in rows],
        "event_date": pd.to_datetime([day for _, day in rows]),
        "category": "other",
        "title": [f"Event {event_id}" for event_id, _ in rows],
    })


EVENTS = _events(("a", "2020-01-10"), ("b", "2020-01-25"), ("c", "2020-01-14"))


@pytest.mark.parametrize(("side", "before", "after", "windows"), [
    # before 2019-12-31..2020-01-09 holds 01-01 and 01-05; after 01-10..01-19 holds 01-10,
    # 01-12 and 01-15.
    ("after", 2, 3, ("2019-12-31", "2020-01-09", "2020-01-10", "2020-01-19")),
    # the event day moves into the before window: 01-01..01-10 and 01-11..01-20.
    ("before", 3, 3, ("2020-01-01", "2020-01-10", "2020-01-11", "2020-01-20")),
    # the event day in neither: 12-31..01-09 and 01-11..01-20.
    ("excluded", 2, 3, ("2019-12-31", "2020-01-09", "2020-01-11", "2020-01-20")),
])
def test_window_counts_worked_out_by_hand(side, before, after, windows):
    table = event_windows(_incidents(), _events(("a", "2020-01-10")), days=10, event_day=side,
                          coverage=None)
    row = table.iloc[0]
    assert (row["n_before"], row["n_after"]) == (before, after)
    assert [f"{row[c]:%Y-%m-%d}" for c in ("before_start", "before_end", "after_start",
                                            "after_end")] == list(windows)
    assert row["event_day_counted"] == side


def test_separate_window_lengths():
    # 5 days before 2020-01-25 (01-20..01-24): one attack; 30 days from it (to 02-23): 02-20.
    row = event_windows(_incidents(), _events(("b", "2020-01-25")), days_before=5,
                        days_after=30, coverage=None).iloc[0]
    assert (row["n_before"], row["n_after"], row["days_before"], row["days_after"]) == (
        1, 1, 5, 30)
    assert row["rate_ratio"] == pytest.approx((1 / 30) / (1 / 5))


def test_overlaps_and_coverage_are_flagged():
    table = event_windows(_incidents(), EVENTS, days=10,
                          coverage=("2020-01-01", "2020-12-31")).set_index("event_id")
    # a spans 2019-12-31..01-19 and holds c (01-14); c spans 01-04..01-23 and holds a;
    # b spans 01-15..02-03 and holds neither.
    assert table.loc["a", "overlapping_event_ids"] == "c"
    assert table.loc["c", "overlapping_event_ids"] == "a"
    assert not table.loc["b", "overlaps_other_event"]
    assert pd.isna(table.loc["b", "overlapping_event_ids"])
    # only a's before-window starts (2019-12-31) before the coverage start
    assert table["beyond_coverage"].to_dict() == {"a": True, "b": False, "c": False}
    assert (table.loc["b", "n_before"], table.loc["b", "n_after"]) == (2, 0)


def test_rows_come_in_date_order_with_the_documented_columns():
    table = event_windows(_incidents(), EVENTS, days=10, coverage=None)
    assert list(table["event_id"]) == ["a", "c", "b"]
    assert {"n_before", "n_after", "rate_ratio", "ci_low", "ci_high", "p_value",
            "overlaps_other_event", "beyond_coverage", "too_few"} <= set(table.columns)
    assert table["n_before"].dtype == "int64"


def test_too_few_means_the_interval_holds_a_halving_and_a_doubling():
    incidents = pd.DataFrame({"incident_date": pd.to_datetime(
        ["2020-01-05"] * 3 + ["2020-01-15"] * 40 + ["2020-03-05"] * 200 + ["2020-03-15"] * 20)})
    table = event_windows(incidents, _events(("few", "2020-01-10"), ("many", "2020-03-10")),
                          days=10, coverage=None).set_index("event_id")
    assert not table.loc["many", "too_few"]
    assert table.loc["many", "ci_high"] < 0.5 or table.loc["many", "ci_low"] > 2
    small = event_windows(_incidents(), EVENTS, days=10, coverage=None)
    assert small["too_few"].all()


def test_bad_window_arguments():
    with pytest.raises(ValueError, match="event_day"):
        event_windows(_incidents(), EVENTS, event_day="during")
    with pytest.raises(ValueError, match="at least one day"):
        event_windows(_incidents(), EVENTS, days=0)


# --- sentences ---------------------------------------------------------------------------------

def test_sentence_states_counts_ratio_interval_and_caveats():
    table = event_windows(_incidents(), EVENTS, days=10, coverage=("2020-01-01", "2020-12-31"))
    sentence = event_window_sentence(table[table["event_id"] == "a"].iloc[0])
    assert sentence.startswith('In the 10 days from "Event a" (2020-01-10, counted in the '
                               "after-window) there were 3 attacks, against 2 in the 10 days "
                               "before (rate ratio 1.5, 95% CI")
    assert "Too few attacks to say anything" in sentence
    assert "Other events fall inside these windows (c)" in sentence
    assert "outside the data's coverage" in sentence


def test_sentence_for_no_attacks_and_for_none_before():
    table = event_windows(_incidents(), _events(("quiet", "2020-06-01"), ("late", "2020-02-15")),
                          days=10, coverage=None).set_index("event_id")
    assert "No attacks are recorded" in event_window_sentence(table.loc["quiet"])
    late = event_window_sentence(table.loc["late"])
    assert "there was 1 attack, against 0" in late
    assert "rate ratio not defined (none before)" in late
    assert "to infinity" in late


def test_sentences_as_markdown_bullets():
    text = event_window_sentences(event_windows(_incidents(), EVENTS, days=10, coverage=None))
    assert text.count("\n- ") == 3  # three events and the closing caveat
    assert "only windows in well-covered periods" in text


# --- rolling means ------------------------------------------------------------------------------

def test_rolling_mean_of_weekly_counts_by_hand():
    counts = attack_counts(_incidents(), freq="W", rolling=3)
    # weeks from Mon 2019-12-30: 2 (Wed 01-01, Sun 01-05), 2 (Fri 01-10, Sun 01-12),
    # 1 (01-15), 1 (01-20), 0, 0, 0, 1 (02-20)
    assert counts["attacks_count"].tolist() == [2, 2, 1, 1, 0, 0, 0, 1]
    means = counts["attacks_rolling_mean"].tolist()
    assert all(math.isnan(v) for v in means[:2])  # fewer than 3 weeks so far
    assert means[2:] == pytest.approx([5 / 3, 4 / 3, 2 / 3, 1 / 3, 0, 1 / 3])


def test_rolling_mean_within_each_group():
    frame = _incidents().assign(weapon_type=pd.Categorical(
        ["rocket", "drone", "rocket", "rocket", "drone", "rocket", "rocket"]))
    counts = attack_counts(frame, freq="M", by="weapon_type", rolling=2)
    rockets = counts[counts["weapon_type"] == "rocket"]
    # rockets: January 4 (01-01, 01-10, 01-12, 01-20), February 1 -> mean (4 + 1) / 2
    assert rockets["attacks_count"].tolist() == [4, 1]
    assert rockets["attacks_rolling_mean"].iloc[1] == pytest.approx(2.5)
