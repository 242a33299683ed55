"""Coverage in words and as a table: the data against the officials' running counts."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sitrep_analysis.analysis import DateLike, Day, code_list
from sitrep_analysis.columns import code_label
from sitrep_analysis.narrative.text import plural


def coverage_findings(intervals: pd.DataFrame | None, start: Day, end: Day) -> str:
    """One sentence on how much of the officials' count the data hold in a report's period.

    ``intervals`` come from :func:`sitrep_analysis.coverage.tally_intervals` for the report's
    countries: the officials' count between successive running totals. The sentence sums the
    intervals the period touches (whole intervals), says how many reach the well-covered
    share, and how many of the days shown no official tallied.
    """
    from sitrep_analysis.coverage import WELL_COVERED

    first, last = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    unknown = "a quiet period there may not have been quiet."
    if intervals is None or intervals.empty:
        return ("No official tally covers this selection of countries, so how much of the "
                f"attacks the data hold is unknown: {unknown}")
    inside = intervals[(intervals["segment_end"] >= first) & (intervals["segment_start"] <= last)]
    if inside.empty:
        return f"No official tally covers this period, so its coverage is unknown: {unknown}"
    touched = inside.drop_duplicates(["interval_start", "interval_end"])
    tallied = int(touched["tallied_count"].sum())
    recorded = int(touched["recorded_count"].sum())
    well = int((touched["coverage_ratio"] >= WELL_COVERED).sum())
    # each segment's days inside the period
    starts = inside["segment_start"].where(inside["segment_start"] >= first, first)
    ends = inside["segment_end"].where(inside["segment_end"] <= last, last)
    tallied_days = int(((ends - starts).dt.days + 1).sum())
    total_days = (last - first).days + 1
    share = f" ({recorded / tallied:.0%})" if tallied else ""
    text = (f"Coverage, measured against the officials' own running counts: over the "
            f"{plural(len(touched), 'period')} between their totals that these dates touch, "
            f"officials counted {tallied:,} attacks and the data hold {recorded:,}{share}; "
            f"{well} of the {len(touched)} reach {WELL_COVERED:.0%}.")
    if tallied_days < total_days:
        text += (f" {total_days - tallied_days:,} of the {total_days:,} days shown lie in no "
                 f"tallied period, so coverage there is unknown: {unknown}")
    return text


def coverage_table(coverage: pd.DataFrame, start: DateLike = None, end: DateLike = None,
                   countries: str | Sequence[str] | None = None) -> pd.DataFrame:
    """The officials' tallies whose periods overlap ``start`` to ``end`` (default: all) and
    whose countries include one of ``countries`` (default: any), each against the incidents
    the data hold, for :func:`styled_table`. ``coverage`` is a
    :func:`sitrep_analysis.coverage.tally_coverage` table. A ratio above 100% is shown as it
    is: the data hold attacks the officials' count left out or the count was a floor."""
    from sitrep_analysis.columns import TALLY_SCOPE_COUNTRIES, TALLY_SPLIT_COLUMNS

    keep = pd.Series(True, index=coverage.index)
    chosen = set(code_list(countries, "countries")) if countries else set()
    if chosen:
        keep &= coverage["scope"].astype(str).map(
            lambda scope: bool(chosen & set(TALLY_SCOPE_COUNTRIES[scope])))
    if start is not None:
        keep &= coverage["period_end"] >= pd.Timestamp(start)
    if end is not None:
        keep &= coverage["period_start"] <= pd.Timestamp(end)
    rows = coverage[keep]

    def counted(row: pd.Series) -> str:
        qualifier = row["count_qualifier"]
        words = "" if qualifier == "exact" else f"{code_label('count_qualifier', qualifier)} "
        return f"{words}{int(row['tallied_count']):,}"

    def by_country(row: pd.Series) -> str:
        return "; ".join(
            f"{country}: {int(row[f'{country.lower()}_recorded_count']):,} of "
            f"{int(row[f'{country.lower()}_tallied_count']):,}"
            for country in TALLY_SPLIT_COLUMNS
            if pd.notna(row[f"{country.lower()}_tallied_count"]))

    table = pd.DataFrame({
        "Period": [f"{a:%Y-%m-%d} to {b:%Y-%m-%d}" for a, b in
                   zip(rows["period_start"], rows["period_end"], strict=True)],
        "Where": [code_label("tally_scope", code) for code in rows["scope"].astype(object)],
        "What counts": [code_label("counted_targets", code)
                        for code in rows["counted_targets"].astype(object)],
        "Counted by": rows["counted_by"].fillna("").to_numpy(),
        "Officials counted": [counted(row) for _, row in rows.iterrows()],
        "Data hold": rows["recorded_count"].astype("int64").to_numpy(),
        "Coverage": ["" if pd.isna(v) else "officials counted none" if v == float("inf")
                     else f"{v:.0%}" for v in rows["coverage_ratio"]],
        "By country (data of officials)": [by_country(row) for _, row in rows.iterrows()],
    }).astype("string")
    table.index = pd.RangeIndex(1, len(table) + 1)
    return table
