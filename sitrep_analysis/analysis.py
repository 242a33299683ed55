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

import pandas as pd

from sitrep_analysis.columns import FIELDS

__all__ = ["FREQUENCIES", "TROOP_KINDS", "attack_counts", "period_start", "troop_level_steps"]

#: Supported calendar periods: code -> plain-words name.
FREQUENCIES = {"D": "day", "W": "week (Monday to Sunday)", "M": "month"}

#: pandas frequency of the grid of period starts for each code.
_GRID_FREQ = {"D": "D", "W": "W-MON", "M": "MS"}

DateLike = str | dt.date | pd.Timestamp | None


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
        return _empty_counts(incidents, by)
    if first > last:
        raise ValueError(f"start {first:%Y-%m-%d} is after end {last:%Y-%m-%d}")

    counted = days.between(first, last)
    periods = period_start(days[counted], freq)
    grid = pd.date_range(period_start(pd.Series([first]), freq).iloc[0],
                         period_start(pd.Series([last]), freq).iloc[0],
                         freq=_GRID_FREQ[freq], name="period_start")

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
    return result


def _empty_counts(incidents: pd.DataFrame, by: str | None) -> pd.DataFrame:
    columns = {"period_start": pd.Series(dtype="datetime64[ns]")}
    if by is not None:
        columns[by] = pd.Series(dtype=incidents[by].dtype)
    columns["attacks_count"] = pd.Series(dtype="int64")
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
    columns = {"date": "datetime64[ns]", "troops_count": "Int64",
               "kind": pd.CategoricalDtype(list(TROOP_KINDS))}
    if not pieces:
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})
    result = pd.concat(pieces, ignore_index=True)
    return result.astype(columns).reset_index(drop=True)

