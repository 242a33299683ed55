"""Pure analysis functions: DataFrames in, DataFrames out, no I/O.

Every function takes the typed frames the loaders return (see :mod:`sitrep_analysis.data`) and
returns a new frame; nothing here reads files, draws or prints.

Calendar periods used throughout (``freq``):

- ``"D"``: one calendar day;
- ``"W"``: one week, Monday to Sunday (ISO weeks); a period is named by its Monday;
- ``"M"``: one calendar month, named by its first day.

A period is always labelled by its first day (``period_start``), so a week that straddles a
year end (Monday 2019-12-30 to Sunday 2020-01-05) is one period, labelled 2019-12-30.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from sitrep_analysis.columns import COVERAGE_END, COVERAGE_START, FIELDS
from sitrep_analysis.parse import is_missing, split_list

__all__ = [
    "EVENT_DAY_SIDES",
    "FREQUENCIES",
    "PERIOD_GRID_FREQ",
    "PERIOD_WORDS",
    "PROFILE_KINDS",
    "TOO_FEW_BOUNDS",
    "TROOP_KINDS",
    "Profile",
    "actor_names",
    "attack_breakdown",
    "attack_counts",
    "check_codes",
    "claim_only",
    "event_windows",
    "id_names",
    "incidents_in_windows",
    "period_start",
    "profile_subject",
    "rate_ratio_test",
    "select_events",
    "select_incidents",
    "select_profile",
    "site_names",
    "troop_level_steps",
]

#: Supported calendar periods: code -> plain-words name.
FREQUENCIES = {"D": "day", "W": "week (Monday to Sunday)", "M": "month"}
#: Each frequency's period in one word, for labels and prose.
PERIOD_WORDS = {"D": "day", "W": "week", "M": "month"}

#: pandas frequency of the grid of period starts for each code (an offset of it added to a
#: period's first day gives the next period's).
PERIOD_GRID_FREQ = {"D": "D", "W": "W-MON", "M": "MS"}

#: A day as the functions take it: an ISO date string, a date or a Timestamp.
Day = str | dt.date | pd.Timestamp
#: A day, or None where the bound is open.
DateLike = Day | None


def _check_freq(freq: str) -> None:
    if freq not in FREQUENCIES:
        known = ", ".join(f"{code!r} ({name})" for code, name in FREQUENCIES.items())
        raise ValueError(f"unknown freq {freq!r}: use one of {known}")


def period_start(dates: pd.Series, freq: str = "W") -> pd.Series:
    """The first day of the calendar period holding each date (time of day dropped).

    >>> days = pd.Series(pd.to_datetime(["2019-12-31", "2020-01-05", "2020-01-06"]))
    >>> period_start(days, "W").dt.strftime("%Y-%m-%d").tolist()
    ['2019-12-30', '2019-12-30', '2020-01-06']
    >>> period_start(days, "M").dt.strftime("%Y-%m-%d").tolist()
    ['2019-12-01', '2020-01-01', '2020-01-01']
    """
    _check_freq(freq)
    days = dates.dt.normalize()
    if freq == "W":
        return days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    if freq == "M":
        return days - pd.to_timedelta(days.dt.day - 1, unit="D")
    return days


def _day(value: DateLike, name: str) -> pd.Timestamp | None:
    if value is None:
        return None
    day = pd.Timestamp(value)
    if pd.isna(day):
        raise ValueError(f"{name} must be a date, got {value!r}")
    return day.normalize()


def attack_counts(
    incidents: pd.DataFrame,
    freq: str = "W",
    by: str | None = None,
    start: DateLike = None,
    end: DateLike = None,
    rolling: int | None = None,
) -> pd.DataFrame:
    """Attacks per calendar period, zero-filled so quiet periods show 0.

    Parameters
    ----------
    incidents:
        Frame with a datetime64 ``incident_date`` column, one row per attack.
    freq:
        ``"D"`` (day), ``"W"`` (week starting Monday) or ``"M"`` (month).
    by:
        Optional column to split counts by, e.g. ``"weapon_type"``. Every category of a
        categorical column appears in every period (with 0 where nothing happened); for other
        columns, every value seen in the counted rows does.
    start, end:
        First and last day counted, inclusive (default: first and last incident). The grid runs
        from the period holding ``start`` to the period holding ``end``.
    rolling:
        When given, add ``attacks_rolling_mean``: the trailing mean over this many periods
        (within each ``by`` group), starting once that many periods are available.

    Returns
    -------
    DataFrame with ``period_start`` (datetime64, first day of the period), the ``by`` column when
    given, and ``attacks_count`` (int64), sorted by period (then by the ``by`` column's order).
    ``attacks_count`` sums to the number of incidents dated from ``start`` to ``end``.

    Notes
    -----
    When ``start`` or ``end`` falls inside a period, that first or last period is partial: it
    counts only the days from ``start`` or up to ``end``.
    """
    _check_freq(freq)
    dates = incidents["incident_date"]
    if dates.isna().any():
        raise ValueError(f"{int(dates.isna().sum())} incidents have no incident_date")
    days = dates.dt.normalize()
    first = _day(start, "start")
    last = _day(end, "end")
    first = days.min() if first is None else first
    last = days.max() if last is None else last
    if by is not None and by not in incidents:
        raise KeyError(f"incidents have no column {by!r} to split counts by")
    if pd.isna(first) or pd.isna(last):  # no incidents and no range given
        return _empty_counts(incidents, by, rolling)
    if first > last:
        raise ValueError(f"start {first:%Y-%m-%d} is after end {last:%Y-%m-%d}")

    counted = days.between(first, last)
    periods = period_start(days[counted], freq)
    grid = pd.date_range(period_start(pd.Series([first]), freq).iloc[0],
                         period_start(pd.Series([last]), freq).iloc[0],
                         freq=PERIOD_GRID_FREQ[freq], name="period_start")

    if by is None:
        counts = periods.value_counts().reindex(grid, fill_value=0)
        result = pd.DataFrame({"period_start": grid, "attacks_count": counts.to_numpy()})
    else:
        groups = incidents.loc[counted, by]
        if groups.isna().any():
            raise ValueError(f"{int(groups.isna().sum())} incidents in range have no {by}")
        if isinstance(groups.dtype, pd.CategoricalDtype):
            values = list(groups.cat.categories)
        else:
            values = sorted(groups.unique())
        keys = pd.MultiIndex.from_product([grid, values], names=["period_start", by])
        observed = pd.MultiIndex.from_arrays([periods, groups.astype(object)])
        counts = pd.Series(1, index=observed).groupby(level=[0, 1]).sum()
        counts = counts.reindex(keys, fill_value=0)
        result = counts.rename("attacks_count").reset_index()
        result[by] = result[by].astype(groups.dtype)

    result["period_start"] = result["period_start"].astype("datetime64[ns]")
    result["attacks_count"] = result["attacks_count"].astype("int64")
    if rolling is not None:
        result["attacks_rolling_mean"] = _rolling_mean(result, by, rolling)
    return result


def _rolling_mean(counts: pd.DataFrame, by: str | None, window: int) -> pd.Series:
    if window < 1:
        raise ValueError(f"rolling must be a whole number of periods >= 1, got {window!r}")
    series = counts["attacks_count"].astype("float64")
    if by is None:
        return series.rolling(window, min_periods=window).mean()
    return series.groupby(counts[by], observed=False).transform(
        lambda group: group.rolling(window, min_periods=window).mean())


def _empty_counts(incidents: pd.DataFrame, by: str | None, rolling: int | None) -> pd.DataFrame:
    columns = {"period_start": pd.Series(dtype="datetime64[ns]")}
    if by is not None:
        columns[by] = pd.Series(dtype=incidents[by].dtype)
    columns["attacks_count"] = pd.Series(dtype="int64")
    if rolling is not None:
        columns["attacks_rolling_mean"] = pd.Series(dtype="float64")
    return pd.DataFrame(columns)


#: Kinds of troop figure, in the order the step series lists them.
TROOP_KINDS = tuple(FIELDS["kind"].allowed or ())


def troop_level_steps(
    troop_levels: pd.DataFrame,
    start: DateLike,
    end: DateLike,
    scope: str = "us_iraq",
) -> pd.DataFrame:
    """Troop levels as step series from ``start`` to ``end``: reported levels and announced
    targets kept apart.

    Each figure holds from its ``date`` until the next figure of the same kind; the last one is
    carried to ``end``. The figure in force on ``start`` (the last one dated before it) opens
    the series at ``start``; figures dated after ``end`` are left out. ``date_end`` is not used:
    a figure stays in force until a newer one replaces it.

    Returns
    -------
    DataFrame with ``date`` (datetime64), ``troops_count`` (Int64) and ``kind`` (categorical:
    ``reported``, ``announced_target``), sorted by kind then date: one row per change plus a row
    at ``end``. A kind with no figure on or before ``end`` has no rows. Draw each kind as a line
    with horizontal-then-vertical steps (Plotly ``line_shape="hv"``).

    Notes
    -----
    Sources disagree on levels for the same dates (e.g. about 3,000 or 3,500 before the January
    2021 cut); where several figures of one kind share a date, the step takes the largest, a
    number a source gave. Every figure remains in the ``troop_levels`` table.
    """
    first = _day(start, "start")
    last = _day(end, "end")
    if first is None or last is None:
        raise ValueError("troop_level_steps needs both start and end")
    if first > last:
        raise ValueError(f"start {first:%Y-%m-%d} is after end {last:%Y-%m-%d}")
    known_scopes = FIELDS["scope"].allowed or {}
    if scope not in known_scopes:
        raise ValueError(f"unknown scope {scope!r}: use one of {', '.join(known_scopes)}")

    figures = troop_levels.loc[
        troop_levels["scope"].eq(scope).fillna(False) & troop_levels["troops_count"].notna(),
        ["date", "troops_count", "kind"],
    ]
    figures = figures.assign(date=figures["date"].dt.normalize())
    pieces = []
    for kind in TROOP_KINDS:
        own = figures[figures["kind"].eq(kind).fillna(False)]
        levels = own.groupby("date")["troops_count"].max().sort_index()
        before = levels[levels.index < first]
        steps = levels[(levels.index >= first) & (levels.index <= last)]
        if len(before):
            steps = pd.concat([pd.Series([before.iloc[-1]], index=[first]), steps])
            steps = steps[~steps.index.duplicated(keep="last")]
        if steps.empty:
            continue
        if steps.index[-1] < last:
            steps = pd.concat([steps, pd.Series([steps.iloc[-1]], index=[last])])
        pieces.append(pd.DataFrame({"date": steps.index, "troops_count": steps.to_numpy(),
                                    "kind": kind}))
    columns: dict[str, str | pd.CategoricalDtype] = {
        "date": "datetime64[ns]", "troops_count": "Int64",
        "kind": pd.CategoricalDtype(list(TROOP_KINDS))}
    if not pieces:
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})
    result = pd.concat(pieces, ignore_index=True)
    return result.astype(columns).reset_index(drop=True)



# --- event windows ------------------------------------------------------------------------------

#: A window pair says too little when its interval holds both of these rate ratios: the data
#: cannot tell a halving of the attack rate from a doubling.
TOO_FEW_BOUNDS = (0.5, 2.0)

#: Where an event day's own attacks are counted: in the window after (the default: an event
#: reported on a day can already shape that day's attacks), before, or in neither.
EVENT_DAY_SIDES = ("after", "before", "excluded")


def rate_ratio_test(n_after: int, n_before: int, days_after: float, days_before: float,
                    confidence: float = 0.95) -> tuple[float, float, float, float]:
    """Rate ratio of two Poisson counts with an exact confidence interval and p-value.

    Returns ``(rate_ratio, ci_low, ci_high, p_value)`` for the rate after divided by the rate
    before. Conditional on the total ``N = n_after + n_before``, ``n_after`` is binomial with
    ``p = R d_a / (R d_a + d_b)`` (R the rate ratio, d the window lengths), so the
    Clopper-Pearson interval for ``p`` gives an exact interval for ``R``, and the two-sided
    exact binomial test of ``p0 = d_a / (d_a + d_b)`` (R = 1) gives the p-value, summing the
    probabilities of outcomes no more likely than the one observed.

    Zero counts are handled, never an error: ``n_after = 0`` gives ``ci_low = 0``;
    ``n_before = 0`` gives ``rate_ratio = ci_high = inf``; no attacks at all give
    ``rate_ratio = nan``, the interval ``[0, inf]`` and ``p_value = 1``.

    >>> ratio, low, high, p = rate_ratio_test(3, 11, 30, 30)
    >>> round(ratio, 3), round(low, 3), round(high, 3), round(p, 4)
    (0.273, 0.049, 1.032, 0.0574)
    """
    if min(n_after, n_before) < 0 or min(days_after, days_before) <= 0:
        raise ValueError("counts must be >= 0 and window lengths > 0")
    total = n_after + n_before
    if total == 0:
        return math.nan, 0.0, math.inf, 1.0
    # SciPy is imported here, not at the top: it costs about 0.45 s, and reports that show
    # no event window should not pay it
    from scipy.special import gammaln
    from scipy.stats import beta

    alpha = 1 - confidence
    scale = days_before / days_after

    def to_ratio(p: float) -> float:
        return math.inf if p >= 1 else float(p / (1 - p) * scale)

    p_low = 0.0 if n_after == 0 else float(beta.ppf(alpha / 2, n_after, total - n_after + 1))
    p_high = 1.0 if n_after == total else float(beta.ppf(1 - alpha / 2, n_after + 1,
                                                         total - n_after))
    ratio = math.inf if n_before == 0 else (n_after / days_after) / (n_before / days_before)
    p0 = days_after / (days_after + days_before)
    outcomes = np.arange(total + 1)
    log_pmf = (gammaln(total + 1) - gammaln(outcomes + 1) - gammaln(total - outcomes + 1)
               + outcomes * math.log(p0) + (total - outcomes) * math.log1p(-p0))
    pmf = np.exp(log_pmf)
    p_value = float(min(1.0, pmf[pmf <= pmf[n_after] * (1 + 1e-7)].sum()))
    return float(ratio), to_ratio(p_low), to_ratio(p_high), p_value


def event_windows(
    incidents: pd.DataFrame,
    events: pd.DataFrame,
    days: int = 30,
    *,
    days_before: int | None = None,
    days_after: int | None = None,
    event_day: str = "after",
    coverage: tuple[DateLike, DateLike] | None = (COVERAGE_START, COVERAGE_END),
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Attacks in the window before and after each event, with an exact rate-ratio test.

    Parameters
    ----------
    incidents:
        One row per attack, with ``incident_date``. Filter it first (country, weapon, ...).
    events:
        The events to study, with ``event_id``, ``event_date``, ``category`` and ``title``.
        Overlap is judged against the other events of this selection.
    days, days_before, days_after:
        Window lengths in days (``days_before`` and ``days_after`` default to ``days``).
    event_day:
        Where the event day's own attacks count: ``"after"`` (default: the after-window is the
        event day and the ``days_after - 1`` days following), ``"before"`` (the before-window
        ends on the event day) or ``"excluded"`` (neither window holds it).
    coverage:
        First and last day the incident data cover; a window reaching outside is flagged,
        because a zero there means "not collected", not "no attack". ``None``: not checked.
    confidence:
        Confidence level of the interval.

    Returns
    -------
    One row per event, in date order: the event's ``event_id``, ``event_date``, ``category``,
    ``title``; ``before_start``, ``before_end``, ``after_start``, ``after_end`` (inclusive
    days); ``days_before``, ``days_after``, ``event_day_counted``; ``n_before``, ``n_after``;
    ``rate_ratio`` (rate after / rate before), ``ci_low``, ``ci_high``, ``p_value`` (see
    :func:`rate_ratio_test`); ``overlaps_other_event`` and ``overlapping_event_ids`` (other
    events of the selection dated inside either window); ``beyond_coverage``; ``too_few``
    (the interval holds both rate ratios of :data:`TOO_FEW_BOUNDS`: too few attacks to tell a
    halving from a doubling).
    """
    before_days = days if days_before is None else days_before
    after_days = days if days_after is None else days_after
    if before_days < 1 or after_days < 1:
        raise ValueError("window lengths must be at least one day")
    if event_day not in EVENT_DAY_SIDES:
        raise ValueError(f"event_day must be one of {', '.join(EVENT_DAY_SIDES)}, "
                         f"got {event_day!r}")
    attack_days = np.sort(incidents["incident_date"].dropna().dt.normalize().to_numpy())
    chosen = events.sort_values(["event_date", "event_id"]).reset_index(drop=True)
    event_days = chosen["event_date"].dt.normalize()
    one_day = pd.Timedelta(days=1)
    shift_before = 1 if event_day == "before" else 0
    shift_after = 1 if event_day in ("before", "excluded") else 0
    before_end = event_days - one_day * (1 - shift_before)
    before_start = before_end - one_day * (before_days - 1)
    after_start = event_days + one_day * shift_after
    after_end = after_start + one_day * (after_days - 1)

    def count(first: pd.Series, last: pd.Series) -> np.ndarray:
        return (np.searchsorted(attack_days, last.to_numpy(), side="right")
                - np.searchsorted(attack_days, first.to_numpy(), side="left"))

    n_before, n_after = count(before_start, before_end), count(after_start, after_end)
    tests = [rate_ratio_test(int(a), int(b), after_days, before_days, confidence)
             for a, b in zip(n_after, n_before, strict=True)]
    overlapping = [
        ";".join(chosen.loc[(event_days >= before_start[i]) & (event_days <= after_end[i])
                            & (chosen.index != i), "event_id"])
        for i in chosen.index
    ]
    if coverage is None:
        beyond = pd.Series(False, index=chosen.index)
    else:
        covered_from, covered_to = (_day(coverage[0], "coverage start"),
                                    _day(coverage[1], "coverage end"))
        beyond = (before_start < covered_from) | (after_end > covered_to)
    result = pd.DataFrame({
        "event_id": chosen["event_id"],
        "event_date": event_days,
        "category": chosen["category"],
        "title": chosen["title"],
        "before_start": before_start, "before_end": before_end,
        "after_start": after_start, "after_end": after_end,
        "days_before": before_days, "days_after": after_days,
        "event_day_counted": event_day,
        "n_before": n_before.astype("int64"), "n_after": n_after.astype("int64"),
        "rate_ratio": [t[0] for t in tests], "ci_low": [t[1] for t in tests],
        "ci_high": [t[2] for t in tests], "p_value": [t[3] for t in tests],
        "overlaps_other_event": [bool(ids) for ids in overlapping],
        "overlapping_event_ids": pd.Series(overlapping, dtype="string").replace({"": pd.NA}),
        "beyond_coverage": beyond.astype(bool),
    })
    result["too_few"] = (result["ci_low"] <= TOO_FEW_BOUNDS[0]) & (
        result["ci_high"] >= TOO_FEW_BOUNDS[1])
    return result


# --- breakdowns ---------------------------------------------------------------------------------

#: How an empty cell of a breakdown column is named in a breakdown.
EMPTY_LABELS = {"claimed_by": "(not claimed)", "attributed_to": "(not attributed)"}


def attack_breakdown(incidents: pd.DataFrame, by: str, *, split: str | None = "weapon_type",
                     start: DateLike = None, end: DateLike = None) -> pd.DataFrame:
    """Attacks counted by one column (site, weapon, claimed group, attribution status...).

    Empty cells count under a label of their own (``(not claimed)`` for ``claimed_by``), never
    silently dropped. With ``split``, counts are further split by that column (every category
    of a categorical column present, with 0 where none). Rows are sorted by the total of their
    ``by`` value, largest first, then by value.

    Returns columns ``by``, (``split``,) ``attacks_count`` (int64), ``total_count`` (the ``by``
    value's total) for the incidents dated from ``start`` to ``end`` (inclusive; default all).
    """
    if by not in incidents:
        raise KeyError(f"incidents have no column {by!r} to count by")
    days = incidents["incident_date"].dt.normalize()
    chosen = incidents[days.between(_day(start, "start") or days.min(),
                                    _day(end, "end") or days.max())]
    keys = chosen[by].astype("string").fillna(EMPTY_LABELS.get(by, "(empty)"))
    if split is None or split == by:
        counts = keys.value_counts().rename("attacks_count").rename_axis(by).reset_index()
        counts["total_count"] = counts["attacks_count"]
    else:
        groups = chosen[split]
        values = (list(groups.cat.categories) if isinstance(groups.dtype, pd.CategoricalDtype)
                  else sorted(groups.dropna().unique()))
        table = pd.crosstab(keys, groups.astype(object)).reindex(columns=values, fill_value=0)
        # the columns are one level, so stacking them gives a Series
        counts = cast(pd.Series, table.stack()).rename("attacks_count").reset_index()
        counts.columns = [by, split, "attacks_count"]
        counts["total_count"] = counts.groupby(by)["attacks_count"].transform("sum")
        if isinstance(groups.dtype, pd.CategoricalDtype):
            counts[split] = counts[split].astype(groups.dtype)
    counts = counts.sort_values(["total_count", by], ascending=[False, True], kind="stable")
    counts = counts.astype({"attacks_count": "int64", "total_count": "int64"})
    return counts.reset_index(drop=True)


# --- selections -----------------------------------------------------------------------------------

Codes = str | Sequence[str] | None


def code_list(values: Codes, parameter: str) -> list[str]:
    """A parameter's codes as a list: ``None``, ``""`` and ``[]`` mean "all" (an empty list);
    one string is one code.

    >>> code_list("rocket", "weapon_types"), code_list("", "x"), code_list(["a", "b"], "x")
    (['rocket'], [], ['a', 'b'])
    """
    if values is None:
        return []
    if isinstance(values, str):
        return [values] if values.strip() else []
    if not isinstance(values, Sequence | pd.Index | pd.Series | set | frozenset):
        raise TypeError(f"{parameter} must be a list of strings, got {values!r}")
    codes = list(values)
    wrong = [value for value in codes if not isinstance(value, str)]
    if wrong:
        raise TypeError(f"{parameter} must be a list of strings, got {wrong[0]!r} in it")
    return codes


def check_codes(values: Codes, allowed: Iterable[str], parameter: str) -> list[str]:
    """The codes of a parameter, checked: an unknown one raises ``ValueError`` naming it and
    every allowed value. ``None``, ``""`` and ``[]`` give ``[]`` (meaning "all").

    >>> check_codes(["rocket"], ["rocket", "drone"], "weapon_types")
    ['rocket']
    >>> check_codes(["rockets"], ["rocket", "drone"], "weapon_types")
    Traceback (most recent call last):
    ...
    ValueError: unknown weapon_types value 'rockets': allowed values are 'rocket', 'drone'
    """
    codes = code_list(values, parameter)
    known = list(dict.fromkeys(allowed))
    unknown = [code for code in codes if code not in set(known)]
    if unknown:
        listed = ", ".join(repr(code) for code in unknown)
        word = "value" if len(unknown) == 1 else "values"
        raise ValueError(f"unknown {parameter} {word} {listed}: allowed values are "
                         + ", ".join(repr(code) for code in known))
    return codes


def _dates_between(dates: pd.Series, start: DateLike, end: DateLike) -> pd.Series:
    first, last = _day(start, "start"), _day(end, "end")
    if first is not None and last is not None and first > last:
        raise ValueError(f"start {first:%Y-%m-%d} is after end {last:%Y-%m-%d}")
    days = dates.dt.normalize()
    keep = pd.Series(True, index=dates.index)
    if first is not None:
        keep &= (days >= first).fillna(False)
    if last is not None:
        keep &= (days <= last).fillna(False)
    return keep


def select_incidents(
    incidents: pd.DataFrame,
    *,
    start: DateLike = None,
    end: DateLike = None,
    weapon_types: Codes = (),
    site_ids: Codes = (),
    countries: Codes = (),
    sites: pd.DataFrame | None = None,
    include_claim_only: bool = True,
) -> pd.DataFrame:
    """The incidents a report shows: dated from ``start`` to ``end`` (inclusive), of the given
    weapon types, at the given sites, in the given countries, oldest first.

    ``include_claim_only=False`` leaves out attacks known only from a group's claim
    (``confirmation_status`` ``group_claim_only``): the Islamic Resistance in Iraq claimed more
    attacks than officials confirmed, and officials' tallies do not count those. Rows whose
    confirmation was not assessed (imported data) are kept.

    Each list means "any of these"; an empty list, ``""`` or ``None`` means "all", and one
    string is one code (``countries="Iraq"``). Codes are checked before anything is selected:
    ``weapon_types`` and ``countries`` against the column dictionary, ``site_ids`` against the
    gazetteer ``sites`` (default: the sites the incidents name). An unknown code raises
    ``ValueError`` naming the allowed values.
    """
    weapons = check_codes(weapon_types, FIELDS["weapon_type"].allowed or {}, "weapon_types")
    places = check_codes(countries, FIELDS["country"].allowed or {}, "countries")
    chosen_sites: list[str] = []
    if code_list(site_ids, "site_ids"):  # only then is a gazetteer (or site column) needed
        known_sites = (sites["site_id"] if sites is not None
                       else incidents["site_id"].dropna().drop_duplicates().sort_values())
        chosen_sites = check_codes(site_ids, known_sites.astype(str), "site_ids")
    keep = _dates_between(incidents["incident_date"], start, end)
    for column, codes in (("weapon_type", weapons), ("site_id", chosen_sites),
                          ("country", places)):
        if codes:
            keep &= incidents[column].astype("string").isin(codes).fillna(False)
    if not include_claim_only:
        keep &= ~claim_only(incidents)
    chosen = incidents[keep].sort_values(["incident_date", "incident_id"]
                                         if "incident_id" in incidents else "incident_date",
                                         kind="stable")
    return chosen.reset_index(drop=True)


def claim_only(incidents: pd.DataFrame) -> pd.Series:
    """Which incidents are known only from a group's claim (``confirmation_status``
    ``group_claim_only``); rows whose confirmation was not assessed (imported data) are not.

    >>> claim_only(pd.DataFrame({"confirmation_status": ["group_claim_only", "media_only",
    ...                                                  None]})).tolist()
    [True, False, False]
    """
    if "confirmation_status" not in incidents:
        return pd.Series(False, index=incidents.index)
    return incidents["confirmation_status"].astype("string").eq("group_claim_only").fillna(
        False).astype(bool)


def select_events(
    events: pd.DataFrame,
    *,
    start: DateLike = None,
    end: DateLike = None,
    categories: Codes = (),
    event_ids: Codes = (),
) -> pd.DataFrame:
    """The political events a report uses: dated from ``start`` to ``end`` (inclusive, by
    ``event_date``), of the given ``categories``, and, when ``event_ids`` are given, only
    those events; oldest first.

    Empty lists, ``""`` or ``None`` mean "all". Categories are checked against the column
    dictionary, event ids against ``events``; an unknown one raises ``ValueError`` naming the
    allowed values. An event id given explicitly must also fall in the categories and dates,
    or it is not selected (the report says how many events it studies).
    """
    chosen_categories = check_codes(categories, FIELDS["category"].allowed or {},
                                    "event_categories")
    chosen_ids = check_codes(event_ids, events["event_id"].astype(str), "event_ids")
    keep = _dates_between(events["event_date"], start, end)
    if chosen_categories:
        keep &= events["category"].astype("string").isin(chosen_categories).fillna(False)
    if chosen_ids:
        keep &= events["event_id"].astype("string").isin(chosen_ids).fillna(False)
    chosen = events[keep].sort_values(["event_date", "event_id"], kind="stable")
    return chosen.reset_index(drop=True)


def incidents_in_windows(incidents: pd.DataFrame, windows: pd.DataFrame) -> pd.DataFrame:
    """The incidents counted in at least one window of an :func:`event_windows` table (before
    or after), oldest first: the incidents an event study rests on."""
    days = incidents["incident_date"].dt.normalize()
    keep = pd.Series(False, index=incidents.index)
    for first, last in (("before_start", "before_end"), ("after_start", "after_end")):
        for low, high in zip(windows[first], windows[last], strict=True):
            keep |= days.between(low, high).fillna(False)
    return incidents[keep].sort_values("incident_date", kind="stable").reset_index(drop=True)


def id_names(table: pd.DataFrame, id_column: str, name_column: str) -> dict[str, str]:
    """``{id: name}`` of a table, e.g. site ids to site names for figure labels.

    >>> id_names(pd.DataFrame({"site_id": ["a"], "site_name": ["Base A"]}), "site_id",
    ...          "site_name")
    {'a': 'Base A'}
    """
    return {str(key): str(value) for key, value in
            zip(table[id_column], table[name_column], strict=True) if pd.notna(key)}


def projectile_range_words(low: object, high: object) -> str:
    """A projectile count range in words, as sources give it ("" when neither is known).

    >>> [projectile_range_words(10, 18), projectile_range_words(3, pd.NA),
    ...  projectile_range_words(pd.NA, 12), projectile_range_words(5, 5),
    ...  projectile_range_words(pd.NA, pd.NA)]
    ['10 to 18', 'at least 3', 'up to 12', '5', '']
    """
    if is_missing(low) and is_missing(high):
        return ""
    if is_missing(high):
        return f"at least {low}"
    if is_missing(low):
        return f"up to {high}"
    return str(low) if low == high else f"{low} to {high}"


def site_names(sites: pd.DataFrame) -> dict[str, str]:
    """Gazetteer site ids to site names."""
    return id_names(sites, "site_id", "site_name")


def actor_names(actors: pd.DataFrame) -> dict[str, str]:
    """Actor ids to actor names."""
    return id_names(actors, "actor_id", "actor_name")


# --- profiles -------------------------------------------------------------------------------------

#: What a profile can be about.
PROFILE_KINDS = ("site", "actor")


@dataclass(frozen=True)
class Profile:
    """One site or one actor, with the records that concern it from ``start`` to ``end``.

    - site: ``incidents`` are the attacks at the site; ``claimed`` and ``attributed`` the
      ones among them claimed by anyone, and attributed by a third party to anyone (an
      attack can be both); ``events`` every
      political event of the period (for context: events name actors, not places);
    - actor: ``claimed`` are the attacks it claimed, ``attributed`` those someone else
      attributed to it (kept apart: a claim is not an attribution), ``incidents`` both;
      ``events`` the events naming it among their actors.

    ``facts`` is the site's gazetteer row or the actor's row; ``claims`` the rows of table
    ``claims`` about the profile's incidents (where sources disagree).
    """

    kind: str
    subject_id: str
    name: str
    facts: pd.Series
    incidents: pd.DataFrame
    claimed: pd.DataFrame
    attributed: pd.DataFrame
    events: pd.DataFrame
    claims: pd.DataFrame
    start: pd.Timestamp
    end: pd.Timestamp


def profile_subject(site_id: str | None, actor_id: str | None, sites: pd.DataFrame,
                    actors: pd.DataFrame) -> tuple[str, str]:
    """``("site", id)`` or ``("actor", id)``: exactly one of ``site_id`` and ``actor_id`` must be
    given (``""`` and ``None`` count as not given) and name a row of ``sites`` or ``actors``.
    Otherwise ``ValueError`` says what to change."""
    site = (site_id or "").strip()
    actor = (actor_id or "").strip()
    if site and actor:
        raise ValueError(f"give exactly one of site_id and actor_id, not both (got site_id "
                         f"{site!r} and actor_id {actor!r}); set the other to \"\"")
    if not site and not actor:
        raise ValueError("give exactly one of site_id and actor_id (both are empty); e.g. "
                         "site_id \"ain-al-asad\" or actor_id \"kataib-hezbollah\"")
    if site:
        check_codes([site], sites["site_id"].astype(str), "site_id")
        return "site", site
    check_codes([actor], actors["actor_id"].astype(str), "actor_id")
    return "actor", actor


def select_profile(
    incidents: pd.DataFrame,
    events: pd.DataFrame,
    sites: pd.DataFrame,
    actors: pd.DataFrame,
    *,
    site_id: str | None = "",
    actor_id: str | None = "",
    start: DateLike = None,
    end: DateLike = None,
    claims: pd.DataFrame | None = None,
) -> Profile:
    """The :class:`Profile` of one site or one actor (exactly one of ``site_id`` and
    ``actor_id``, see :func:`profile_subject`), with its incidents and events dated from
    ``start`` to ``end`` (inclusive; default: the coverage period)."""
    kind, subject = profile_subject(site_id, actor_id, sites, actors)
    first = _day(start, "start") or pd.Timestamp(COVERAGE_START)
    last = _day(end, "end") or pd.Timestamp(COVERAGE_END)
    in_period = select_incidents(incidents, start=first, end=last)
    period_events = select_events(events, start=first, end=last)
    if kind == "site":
        facts = sites.loc[sites["site_id"].astype(str) == subject].iloc[0]
        name = str(facts["site_name"])
        own = in_period[in_period["site_id"].astype("string").eq(subject).fillna(False)]
        claimed = own[own["claimed_by"].notna()]
        attributed = own[own["attributed_to"].notna()]
        chosen_events = period_events
    else:
        facts = actors.loc[actors["actor_id"].astype(str) == subject].iloc[0]
        name = str(facts["actor_name"])
        is_claimed = in_period["claimed_by"].astype("string").eq(subject).fillna(False)
        is_attributed = in_period["attributed_to"].astype("string").eq(subject).fillna(False)
        own = in_period[is_claimed | is_attributed]
        claimed = in_period[is_claimed]
        attributed = in_period[is_attributed]
        named = period_events["actor_ids"].astype("string").fillna("").map(
            lambda cell: subject in split_list(cell))
        chosen_events = period_events[named.astype(bool)]
    if claims is None:
        own_claims = pd.DataFrame(columns=["record_table", "record_id"])
    else:
        own_claims = claims[claims["record_table"].astype("string").eq("incidents").fillna(False)
                            & claims["record_id"].isin(own["incident_id"])]
    return Profile(kind=kind, subject_id=subject, name=name, facts=facts,
                   incidents=own.reset_index(drop=True), claimed=claimed.reset_index(drop=True),
                   attributed=attributed.reset_index(drop=True),
                   events=chosen_events.reset_index(drop=True),
                   claims=own_claims.reset_index(drop=True), start=first, end=last)
