"""Coverage: how much of the officials' own counts the curated incidents hold.

Officials published running tallies of attacks (table ``reported_tallies``): the Pentagon gave a
new total since 2023-10-17 every week or two, the Washington Post counted September 2020, AFP
counted 2021 to early July. Those tallies are the yardstick of completeness:

- :func:`tally_coverage` compares each tally with the incidents recorded in its period, scope
  and kind of target;
- :func:`tally_intervals` turns cumulative tallies into the officials' rate between successive
  totals, with the coverage of each interval, for one selection of countries: the series the
  timeline draws over its bars;
- :func:`window_coverage` says, for each event-study window, whether it lies in a period the
  officials counted and how much of that count the data hold.

A period no official tallied has *unknown* coverage, never low coverage. Pure functions: frames
in, frames out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from sitrep_analysis.analysis import PERIOD_GRID_FREQ, Day, claim_only, period_start
from sitrep_analysis.columns import TALLY_SCOPE_COUNTRIES, TALLY_SPLIT_COLUMNS

__all__ = [
    "WELL_COVERED",
    "officials_intervals",
    "officials_per_period",
    "recorded_mask",
    "scope_for_countries",
    "tally_coverage",
    "tally_intervals",
    "window_coverage",
]

#: Coverage ratio from which a period counts as well covered: the data hold at least this
#: share of the attacks the officials counted.
WELL_COVERED = 0.8

#: Qualifiers from the firmest to the loosest, to choose between tallies of one day.
_QUALIFIER_ORDER = ("exact", "at_least", "more_than", "about")


def scope_for_countries(countries: Iterable[str]) -> str | None:
    """The tally scope that counts exactly these countries, or None when no scope does.

    >>> scope_for_countries(["Syria", "Iraq"]), scope_for_countries(["Jordan"])
    ('iraq_and_syria', None)
    """
    wanted = set(countries)
    for scope, held in TALLY_SCOPE_COUNTRIES.items():
        if set(held) == wanted:
            return scope
    return None


def recorded_mask(incidents: pd.DataFrame, countries: Sequence[str], counted_targets: str,
                  *, include_claim_only: bool = False) -> pd.Series:
    """Which incidents an official tally of these countries and targets would count.

    A count of attacks on US forces (``counted_targets="us_forces"``) leaves out convoy
    attacks; a count of attacks on US interests includes them. Attacks known only from a
    group's claim are left out unless ``include_claim_only``; rows whose confirmation was not
    assessed (imported data) are counted.
    """
    keep = incidents["country"].astype("string").isin(list(countries)).fillna(False)
    if counted_targets == "us_forces":
        keep &= ~incidents["target_kind"].astype("string").eq("convoy").fillna(False)
    if not include_claim_only:
        keep &= ~claim_only(incidents)
    return keep


def _end(tallies: pd.DataFrame) -> pd.Series:
    """Last day a tally counts: its period_end when given, else its as-of date."""
    return tallies["period_end"].fillna(tallies["as_of_date"]).dt.normalize()


def _count_between(days: np.ndarray, first: pd.Series, last: pd.Series) -> np.ndarray:
    return (np.searchsorted(days, last.to_numpy(dtype="datetime64[ns]"), side="right")
            - np.searchsorted(days, first.to_numpy(dtype="datetime64[ns]"), side="left"))


def _recorded(incidents: pd.DataFrame, countries: Sequence[str], counted_targets: str,
              first: pd.Series, last: pd.Series, include_claim_only: bool) -> np.ndarray:
    """Incidents a tally of these countries and targets would count, from each ``first`` to
    the matching ``last`` day (inclusive)."""
    mask = recorded_mask(incidents, countries, counted_targets,
                         include_claim_only=include_claim_only)
    days = np.sort(incidents.loc[mask, "incident_date"].dropna().dt.normalize()
                   .to_numpy(dtype="datetime64[ns]"))
    return _count_between(days, first, last)


def _ratio(recorded: pd.Series, tallied: pd.Series) -> pd.Series:
    """recorded / tallied: 0 of 0 is complete (1.0); rows recorded where officials counted
    none give infinity; NaN where either is missing."""
    recorded = recorded.astype("float64")
    tallied = tallied.astype("float64")
    ratio = recorded / tallied.where(tallied > 0)
    ratio = ratio.mask((tallied == 0) & (recorded == 0), 1.0)
    return ratio.mask((tallied == 0) & (recorded > 0), np.inf)


def tally_coverage(incidents: pd.DataFrame, tallies: pd.DataFrame, *,
                   include_claim_only: bool = False) -> pd.DataFrame:
    """One row per official tally: what it counted against what the data hold.

    Returns ``tally_id``, ``period_start`` (the tally's own start), ``period_end`` (its
    ``period_end``, else its as-of date), ``scope``, ``counted_targets``, ``count_qualifier``,
    ``counted_by``, ``tallied_count``, ``recorded_count`` (incidents of the tally's countries
    and kinds of target dated in that period, see :func:`recorded_mask`) and
    ``coverage_ratio`` (recorded / tallied). Where the tally is split by country, the split
    columns ``iraq_tallied_count``, ``iraq_recorded_count``, ``iraq_coverage_ratio`` (and the
    same for Syria and Jordan) compare like with like; they are empty otherwise.

    A ratio above 1 is shown, not capped: the data hold more rows than the officials counted
    (attacks they did not count, or a tally given as "more than"). Sorted by period end, then
    scope.
    """
    ends = _end(tallies)
    starts = tallies["period_start"].dt.normalize()
    result = pd.DataFrame({
        "tally_id": tallies["tally_id"].astype("string"),
        "period_start": starts,
        "period_end": ends,
        "scope": tallies["tally_scope"],
        "counted_targets": tallies["counted_targets"],
        "count_qualifier": tallies["count_qualifier"],
        "counted_by": tallies["counted_by"].astype("string"),
        "tallied_count": tallies["attacks_count"].astype("Int64"),
    })
    recorded = pd.Series(0, index=tallies.index, dtype="int64")
    for (scope, targets), group in tallies.groupby(["tally_scope", "counted_targets"],
                                                   observed=True):
        recorded[group.index] = _recorded(
            incidents, TALLY_SCOPE_COUNTRIES[str(scope)], str(targets), starts[group.index],
            ends[group.index], include_claim_only)
    result["recorded_count"] = recorded.astype("Int64")
    result["coverage_ratio"] = _ratio(result["recorded_count"], result["tallied_count"])
    for country, column in TALLY_SPLIT_COLUMNS.items():
        prefix = country.lower()
        split = tallies[column].astype("Int64")
        counted = pd.Series(pd.NA, index=tallies.index, dtype="Int64")
        given = split.notna()
        for targets, group in tallies[given].groupby("counted_targets", observed=True):
            counted[group.index] = _recorded(incidents, (country,), str(targets),
                                             starts[group.index], ends[group.index],
                                             include_claim_only)
        result[f"{prefix}_tallied_count"] = split
        result[f"{prefix}_recorded_count"] = counted
        result[f"{prefix}_coverage_ratio"] = _ratio(counted, split).where(given)
    return result.sort_values(["period_end", "scope", "tally_id"], kind="stable").reset_index(
        drop=True)


def _counts_for_scope(tallies: pd.DataFrame, scope: str) -> pd.DataFrame:
    """Every count of one scope the tallies give: whole tallies of that scope, and the split
    counts (or sums of splits) of wider tallies that cover exactly it."""
    wanted = TALLY_SCOPE_COUNTRIES[scope]
    pieces = []
    for (_, row), end in zip(tallies.iterrows(), _end(tallies), strict=True):
        if row["tally_scope"] == scope:
            count = row["attacks_count"]
        else:
            held = TALLY_SCOPE_COUNTRIES.get(str(row["tally_scope"]), ())
            if not set(wanted) < set(held):
                continue
            splits = [row[TALLY_SPLIT_COLUMNS[country]] for country in wanted]
            if any(pd.isna(value) for value in splits):
                continue
            count = sum(int(value) for value in splits)
        if pd.isna(count):
            continue
        pieces.append({"tally_id": row["tally_id"], "period_start": row["period_start"],
                       "end": end, "count": int(count),
                       "counted_targets": row["counted_targets"],
                       "count_qualifier": row["count_qualifier"],
                       "counted_by": "" if pd.isna(row["counted_by"]) else row["counted_by"]})
    return pd.DataFrame(pieces, columns=["tally_id", "period_start", "end", "count",
                                         "counted_targets", "count_qualifier", "counted_by"])


def _chains(counts: pd.DataFrame) -> list[pd.DataFrame]:
    """Cumulative series: counts by one counter sharing a start and a kind of target, in date
    order, keeping only tallies that do not fall below an earlier one (one per day, the
    firmest qualifier first). A tally left out stays in the table; it is just not
    differenced."""
    chains: list[pd.DataFrame] = []
    if counts.empty:
        return chains
    rank = counts["count_qualifier"].astype("string").map(
        {q: i for i, q in enumerate(_QUALIFIER_ORDER)}).fillna(len(_QUALIFIER_ORDER))
    ordered = counts.assign(rank=rank).sort_values(["end", "rank", "tally_id"], kind="stable")
    for _, group in ordered.groupby(["counted_by", "period_start", "counted_targets"],
                                    observed=True, sort=True):
        kept, last_end, last_count = [], None, -1
        for index, row in group.iterrows():
            if last_end is not None and row["end"] <= last_end:
                continue
            if row["count"] < last_count:
                continue
            kept.append(index)
            last_end, last_count = row["end"], row["count"]
        chains.append(group.loc[kept])
    return chains


def tally_intervals(incidents: pd.DataFrame, tallies: pd.DataFrame,
                    countries: Sequence[str] = ("Iraq",), *,
                    include_claim_only: bool = False) -> pd.DataFrame:
    """The officials' count between successive tallies, for one selection of countries
    (empty: all three).

    Only tallies whose ``tally_role`` is ``series`` are used. Running totals by one counter
    with the same start and kind of target form a series; each interval runs from the day
    after one total to the next total's day (the first from the series' start), and holds
    their difference. Where series overlap (AFP's count since 2021-01-20 inside its
    count since 2021-01-01), each day takes the shortest interval covering it. Days no tally
    covers are left out: their coverage is unknown.

    Returns one row per segment of consecutive days sharing an interval, in date order:
    ``segment_start``, ``segment_end`` (inclusive), ``interval_start``, ``interval_end``,
    ``tallied_count`` (the difference over the whole interval), ``recorded_count`` (incidents
    counted as :func:`recorded_mask` says, over the whole interval), ``coverage_ratio``,
    ``attacks_per_day`` (tallied count / days of the interval), ``counted_targets``,
    ``count_qualifier`` (the loosest of the two ends) and ``tally_ids`` (the tallies the
    interval is the difference of). Empty when no tally covers exactly these countries.
    """
    columns = {"segment_start": "datetime64[ns]", "segment_end": "datetime64[ns]",
               "interval_start": "datetime64[ns]", "interval_end": "datetime64[ns]",
               "tallied_count": "int64", "recorded_count": "int64",
               "coverage_ratio": "float64", "attacks_per_day": "float64",
               "counted_targets": "string", "count_qualifier": "string", "tally_ids": "string"}
    scope = scope_for_countries(countries or TALLY_SCOPE_COUNTRIES["iraq_syria_jordan"])
    empty = pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})
    if "tally_role" in tallies:
        tallies = tallies[tallies["tally_role"].astype("string").eq("series").fillna(False)]
    if scope is None or tallies.empty:
        return empty
    intervals = []
    for chain in _chains(_counts_for_scope(tallies, scope)):
        previous = None
        for _, row in chain.iterrows():
            start = (pd.Timestamp(row["period_start"]).normalize() if previous is None
                     else previous["end"] + pd.Timedelta(days=1))
            looser = [row["count_qualifier"]] + ([] if previous is None
                                                 else [previous["count_qualifier"]])
            qualifier = max(looser, key=lambda q: _QUALIFIER_ORDER.index(q)
                            if q in _QUALIFIER_ORDER else len(_QUALIFIER_ORDER))
            intervals.append({
                "interval_start": start, "interval_end": row["end"],
                "tallied_count": row["count"] - (0 if previous is None else previous["count"]),
                "counted_targets": row["counted_targets"], "count_qualifier": qualifier,
                "tally_ids": row["tally_id"] if previous is None
                else f"{previous['tally_id']};{row['tally_id']}",
            })
            previous = row
    if not intervals:
        return empty
    table = pd.DataFrame(intervals)
    table["days"] = (table["interval_end"] - table["interval_start"]).dt.days + 1
    table["recorded_count"] = 0
    for targets, group in table.groupby("counted_targets"):
        table.loc[group.index, "recorded_count"] = _recorded(
            incidents, TALLY_SCOPE_COUNTRIES[scope], str(targets), group["interval_start"],
            group["interval_end"], include_claim_only)
    table["coverage_ratio"] = _ratio(table["recorded_count"], table["tallied_count"])
    table["attacks_per_day"] = table["tallied_count"] / table["days"]
    # each day takes the shortest interval covering it (then the latest-ending one)
    order = table.sort_values(["days", "interval_end"], ascending=[True, False]).index
    first_day, last_day = table["interval_start"].min(), table["interval_end"].max()
    calendar = pd.date_range(first_day, last_day, freq="D")
    chosen = np.full(len(calendar), -1)
    offsets = ((table["interval_start"] - first_day).dt.days.to_numpy(),
               (table["interval_end"] - first_day).dt.days.to_numpy())
    for index in order[::-1]:  # shortest last, so it wins
        position = table.index.get_loc(index)
        chosen[offsets[0][position]:offsets[1][position] + 1] = position
    segments = []
    run_start = 0
    for day in range(1, len(calendar) + 1):
        if day == len(calendar) or chosen[day] != chosen[run_start]:
            if chosen[run_start] >= 0:
                row = table.iloc[chosen[run_start]]
                segments.append({"segment_start": calendar[run_start],
                                 "segment_end": calendar[day - 1], **{
                                     name: row[name] for name in columns
                                     if name not in ("segment_start", "segment_end")}})
            run_start = day
    return pd.DataFrame(segments).astype(columns)[list(columns)]


def officials_per_period(intervals: pd.DataFrame, start: Day, end: Day,
                         freq: str = "W") -> pd.DataFrame:
    """The officials' count per calendar period (``freq`` as in
    :func:`sitrep_analysis.analysis.attack_counts`), from :func:`tally_intervals`.

    Each interval's count is spread evenly over its days; a period sums its days. Returns
    ``period_start``, ``officials_count`` (the sum over the period's tallied days, scaled up to
    the whole period when only some of its days were tallied), ``tallied_days`` and
    ``period_days``; periods with no tallied day are left out. The sums over whole intervals
    equal the officials' differences, so the step line and the bars count alike.
    """
    first, last = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    columns = {"period_start": "datetime64[ns]", "officials_count": "float64",
               "tallied_days": "int64", "period_days": "int64"}
    days = pd.date_range(first, last, freq="D")
    rate = pd.Series(np.nan, index=days)
    for segment_start, segment_end, per_day in zip(
            intervals["segment_start"], intervals["segment_end"], intervals["attacks_per_day"],
            strict=True):
        rate[(days >= segment_start) & (days <= segment_end)] = per_day
    rate = rate.dropna()
    if rate.empty:
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})
    periods = period_start(pd.Series(rate.index), freq)
    table = pd.DataFrame({"period_start": periods.to_numpy(), "rate": rate.to_numpy()})
    grouped = table.groupby("period_start")["rate"].agg(["sum", "count"]).reset_index()
    following = grouped["period_start"] + pd.tseries.frequencies.to_offset(PERIOD_GRID_FREQ[freq])
    length = (following - grouped["period_start"]).dt.days
    result = pd.DataFrame({
        "period_start": grouped["period_start"],
        "officials_count": grouped["sum"] * length / grouped["count"],
        "tallied_days": grouped["count"],
        "period_days": length,
    })
    return result.astype(columns).reset_index(drop=True)


def officials_intervals(incidents: pd.DataFrame, tallies: pd.DataFrame,
                        countries: Sequence[str] = ("Iraq",), *, weapon_types: Sequence[str] = (),
                        site_ids: Sequence[str] = ()) -> pd.DataFrame | None:
    """:func:`tally_intervals` for a report's selection, or None when the selection keeps only
    some weapons or places: officials counted every weapon and place, so their count is no
    yardstick for a part. ``incidents`` are all the data's incidents, not the selection."""
    if list(weapon_types or ()) or list(site_ids or ()):
        return None
    return tally_intervals(incidents, tallies, countries)


def window_coverage(windows: pd.DataFrame, intervals: pd.DataFrame,
                    min_coverage: float = WELL_COVERED) -> pd.DataFrame:
    """Event-study windows with the coverage of the period they lie in.

    Adds to an :func:`~sitrep_analysis.analysis.event_windows` table: ``tallied_share`` (share
    of the window days, before and after, that an official tally covers), ``coverage_ratio``
    (recorded over tallied, pooled over the whole tally intervals the windows touch, so that
    an attack dated a day apart from the officials' count does not swing a short interval;
    NaN when none), ``coverage`` (``"well_covered"``: every day tallied and the pooled ratio
    at least ``min_coverage``; ``"low_coverage"``: the ratio below it; ``"partly_tallied"``:
    some days no tally covers; ``"unknown"``: no day tallied) and ``well_covered`` (bool).
    ``intervals`` come from :func:`tally_intervals` for the same countries.
    """
    shares, ratios, verdicts = [], [], []
    for _, row in windows.iterrows():
        first, last = row["before_start"], row["after_end"]
        span = pd.date_range(first, last, freq="D")
        if "event_day_counted" in row and row["event_day_counted"] == "excluded":
            span = span[span != row["event_date"]]
        touched = intervals[(intervals["segment_end"] >= first)
                            & (intervals["segment_start"] <= last)]
        tallied = np.zeros(len(span), dtype=bool)
        for _, segment in touched.iterrows():
            tallied |= (span >= segment["segment_start"]) & (span <= segment["segment_end"])
        share = float(tallied.mean()) if len(span) else 0.0
        whole = touched.drop_duplicates(["interval_start", "interval_end", "tally_ids"])
        ratio = (float(_ratio(pd.Series([whole["recorded_count"].sum()]),
                              pd.Series([whole["tallied_count"].sum()])).iloc[0])
                 if len(touched) else float("nan"))
        if not len(touched):
            verdict = "unknown"
        elif ratio < min_coverage:
            verdict = "low_coverage"
        elif share < 1:
            verdict = "partly_tallied"
        else:
            verdict = "well_covered"
        shares.append(share)
        ratios.append(ratio)
        verdicts.append(verdict)
    result = windows.copy()
    result["tallied_share"] = pd.Series(shares, index=windows.index, dtype="float64")
    result["coverage_ratio"] = pd.Series(ratios, index=windows.index, dtype="float64")
    result["coverage"] = pd.Series(verdicts, index=windows.index, dtype="string")
    result["well_covered"] = result["coverage"].eq("well_covered").astype(bool)
    return result

