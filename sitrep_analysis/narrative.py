"""Plain words and tables for reports: summaries, coverage caveats, source lists.

Functions here turn analysis results into text (Markdown strings) or display-ready tables, so a
notebook only calls them and shows the result (``IPython.display.Markdown(...)``). The numbers
come from :mod:`sitrep_analysis.analysis`; the caveats come from the column dictionary's table
warnings, so the report says what the data documentation says.
"""

from __future__ import annotations

import math

import pandas as pd

from sitrep_analysis.analysis import attack_counts
from sitrep_analysis.columns import COVERAGE_END, COVERAGE_START, FIELDS, TABLES

__all__ = [
    "coverage_notes",
    "event_window_sentence",
    "event_window_sentences",
    "incident_sources",
    "styled_table",
    "tempo_summary",
]

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


def _number(value: float) -> str:
    """A rate ratio or bound for prose: two significant figures, or "infinity".

    >>> [_number(v) for v in (0.2727, 13.98, 117.99, 0.0, math.inf)]
    ['0.27', '14', '118', '0', 'infinity']
    """
    if math.isinf(value):
        return "infinity"
    if value == 0:
        return "0"
    digits = max(0, 1 - math.floor(math.log10(abs(value))))
    return f"{value:.{digits}f}"


def _p(value: float) -> str:
    return "p < 0.001" if value < 0.001 else f"p = {value:.2g}" if value < 0.1 else \
        f"p = {value:.2f}"


def event_window_sentence(window: pd.Series | object) -> str:
    """One plain-language sentence (and its caveats) for one row of
    :func:`sitrep_analysis.analysis.event_windows`.

    >>> row = pd.Series({"title": "IRCC announces a conditional ceasefire",
    ...     "event_date": pd.Timestamp("2020-10-10"), "days_before": 30, "days_after": 30,
    ...     "event_day_counted": "after", "n_before": 11, "n_after": 3,
    ...     "rate_ratio": 0.2727, "ci_low": 0.0489, "ci_high": 1.032, "p_value": 0.0574,
    ...     "too_few": False, "overlaps_other_event": False, "overlapping_event_ids": pd.NA,
    ...     "beyond_coverage": False})
    >>> print(event_window_sentence(row))  # doctest: +NORMALIZE_WHITESPACE
    In the 30 days from "IRCC announces a conditional ceasefire" (2020-10-10, counted in the
    after-window) there were 3 attacks, against 11 in the 30 days before (rate ratio 0.27,
    95% CI 0.049 to 1.0, p = 0.057). The interval includes 1: consistent with no change.
    """
    row = window
    when = f"{row['event_date']:%Y-%m-%d}"
    side = {"after": "counted in the after-window", "before": "counted in the before-window",
            "excluded": "not counted"}[row["event_day_counted"]]
    title = f'"{row["title"]}" ({when}, {side})'
    n_before, n_after = int(row["n_before"]), int(row["n_after"])
    if n_before + n_after == 0:
        text = (f"No attacks are recorded in the {row['days_before']} days before or the "
                f"{row['days_after']} days from {title}: there is nothing to compare.")
    else:
        ratio = ("not defined (none before)" if math.isinf(row["rate_ratio"])
                 else _number(row["rate_ratio"]))
        text = (f"In the {row['days_after']} days from {title} there "
                f"{'was' if n_after == 1 else 'were'} {_plural(n_after, 'attack')}, against "
                f"{n_before:,} in the {row['days_before']} days before (rate ratio {ratio}, "
                f"95% CI {_number(row['ci_low'])} to {_number(row['ci_high'])}, "
                f"{_p(row['p_value'])}).")
        if row["too_few"]:
            text += (" Too few attacks to say anything: the data cannot tell a halving of the "
                     "rate from a doubling.")
        elif row["ci_low"] > 1 or row["ci_high"] < 1:
            direction = "rise" if row["ci_low"] > 1 else "fall"
            text += (f" The interval excludes 1: a {direction} larger than chance alone would "
                     "readily produce in these counts.")
        else:
            text += " The interval includes 1: consistent with no change."
    if row["overlaps_other_event"]:
        text += (f" Other events fall inside these windows ({row['overlapping_event_ids']}), "
                 "so a change cannot be put down to this one alone.")
    if row["beyond_coverage"]:
        text += (f" The windows reach outside the data's coverage ({COVERAGE_START} to "
                 f"{COVERAGE_END}), where a zero means not collected.")
    return text


def event_window_sentences(windows: pd.DataFrame) -> str:
    """Markdown: one bullet per event of an :func:`~sitrep_analysis.analysis.event_windows`
    table, and the caveat that applies to all of them."""
    bullets = [f"- {event_window_sentence(row)}" for _, row in windows.iterrows()]
    bullets.append("- Counts are of notable, publicly reported incidents in the curated data, "
                   "not of every attack; a rise or fall may reflect reporting as much as "
                   "attacks.")
    return "\n".join(bullets)
