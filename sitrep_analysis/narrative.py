"""Plain words and tables for reports: summaries, coverage caveats, source lists.

Functions here turn analysis results into text (Markdown strings) or display-ready tables, so a
notebook only calls them and shows the result (``IPython.display.Markdown(...)``). The numbers
come from :mod:`sitrep_analysis.analysis`; the caveats come from the column dictionary's table
warnings, so the report says what the data documentation says.
"""

from __future__ import annotations

import pandas as pd

from sitrep_analysis.analysis import attack_counts
from sitrep_analysis.columns import COVERAGE_END, COVERAGE_START, FIELDS, TABLES

__all__ = ["coverage_notes", "incident_sources", "styled_table", "tempo_summary"]

_PERIOD_WORDS = {"D": "day", "W": "week", "M": "month"}
_PERIOD_NOTES = {"W": " (weeks run Monday to Sunday)"}


def _date(day: pd.Timestamp) -> str:
    """A date for prose: day without a leading zero, month in words.

    >>> _date(pd.Timestamp("2020-01-05"))
    '5 January 2020'
    """
    return f"{day.day} {day:%B %Y}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _in_range(incidents: pd.DataFrame, start: object, end: object) -> pd.DataFrame:
    days = incidents["incident_date"].dt.normalize()
    return incidents[days.between(pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize())]


def tempo_summary(incidents: pd.DataFrame, start: object, end: object, freq: str = "W",
                  busiest: int = 3) -> str:
    """A short Markdown summary of attack tempo from ``start`` to ``end`` (inclusive).

    Says how many attacks the data hold in the range, in how many of the periods there was at
    least one, the main weapons, and the ``busiest`` periods (ties: the earlier first).
    """
    first, last = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    period = _PERIOD_WORDS.get(freq, freq)
    counts = attack_counts(incidents, freq=freq, start=first, end=last)
    shown = _in_range(incidents, first, last)
    total = int(counts["attacks_count"].sum())
    lines = [f"From {_date(first)} to {_date(last)} the data hold "
             f"**{_plural(total, 'attack')}** on US and coalition forces."]
    if total == 0:
        lines.append("None of the recorded incidents falls in this range.")
        return "\n\n".join(lines)

    active = int((counts["attacks_count"] > 0).sum())
    lines[0] += (f" At least one attack is recorded in {active:,} of the "
                 f"{_plural(len(counts), period)}{_PERIOD_NOTES.get(freq, '')}.")
    if "country" in shown:
        by_country = shown["country"].value_counts()
        by_country = by_country[by_country > 0]
        lines.append("By country: " + ", ".join(
            f"{name} {count:,}" for name, count in by_country.items()) + ".")
    if "weapon_type" in shown:
        by_weapon = shown["weapon_type"].value_counts()
        by_weapon = by_weapon[by_weapon > 0]
        labels = FIELDS["weapon_type"].allowed or {}
        lines.append("By main weapon: " + ", ".join(
            f"{labels.get(code, code)} {count:,}" for code, count in by_weapon.items()) + ".")
    top = counts[counts["attacks_count"] > 0].sort_values(
        ["attacks_count", "period_start"], ascending=[False, True], kind="stable").head(busiest)
    listed = "; ".join(f"{period} of {_date(row.period_start)}: "
                       f"{_plural(int(row.attacks_count), 'attack')}"
                       for row in top.itertuples(index=False))
    lines.append(f"Busiest {period}s: {listed}.")
    lines.append("These are notable, publicly reported incidents, not a complete count: "
                 "quiet periods in the data may not have been quiet.")
    return "\n\n".join(lines)


def coverage_notes() -> str:
    """Markdown bullets: coverage period and every usage warning of the tables the report
    uses (incidents, political events, troop levels), taken from the column dictionary."""
    lines = [f"- Incidents cover {COVERAGE_START} to {COVERAGE_END}."]
    for name in ("incidents", "political_events", "troop_levels"):
        table = TABLES[name]
        lines += [f"- *{table.title}*: {warning}" for warning in table.warnings]
    return "\n".join(lines)


def incident_sources(incidents: pd.DataFrame, start: object, end: object) -> pd.DataFrame:
    """Every incident dated from ``start`` to ``end`` with its sources, oldest first.

    Columns: ``incident_date``, ``site_name``, ``weapon`` (the dictionary's label of
    ``weapon_type``) and ``sources`` (readable citations), indexed from 1.
    """
    shown = _in_range(incidents, start, end).sort_values("incident_date", kind="stable")
    labels = FIELDS["weapon_type"].allowed or {}
    table = pd.DataFrame({
        "incident_date": shown["incident_date"].to_numpy(),
        "site_name": shown["site_name"].to_numpy(),
        "weapon": [labels.get(code, code) for code in shown["weapon_type"].astype(object)],
        "sources": shown["sources"].to_numpy(),
    })
    table = table.astype({"site_name": "string", "weapon": "string", "sources": "string"})
    table.index = pd.RangeIndex(1, len(table) + 1)
    return table


#: Column headings for readers.
_HEADINGS = {"incident_date": "Date", "site_name": "Place", "weapon": "Weapon",
             "sources": "Sources"}


def styled_table(table: pd.DataFrame):
    """A table for display: every row (no truncation), text escaped, dates as YYYY-MM-DD,
    readable headings. Returns a pandas ``Styler``; a notebook shows it as a table."""
    styler = table.style.format(
        {name: "{:%Y-%m-%d}" for name in table.columns
         if pd.api.types.is_datetime64_any_dtype(table[name])},
        escape="html", na_rep="",
    )
    styler = styler.relabel_index([_HEADINGS.get(name, name) for name in table.columns],
                                  axis="columns")
    return styler.set_table_styles([
        {"selector": "td, th", "props": "text-align: left; vertical-align: top;"},
    ])
