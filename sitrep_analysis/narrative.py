"""Plain words and tables for reports: summaries, coverage caveats, source lists.

Functions here turn analysis results into text (Markdown strings) or display-ready tables, so a
notebook only calls them and shows the result (``IPython.display.Markdown(...)``). The numbers
come from :mod:`sitrep_analysis.analysis`; the caveats come from the column dictionary's table
warnings, so the report says what the data documentation says.

Each report notebook opens with key findings (:func:`tempo_findings`,
:func:`event_study_findings`, :func:`profile_findings`) and a section on the incidents new since
its last render (:func:`new_since_last_report`), and ends with coverage, caveats and sources.

Text from the data (names, titles, notes, citations) can hold anything, including HTML such as
``<img onerror=...>`` that Markdown would pass through to the page and the report's
Content-Security-Policy would let run. Every data value that goes into Markdown here passes
through :func:`markdown_escape`; tables go through :func:`styled_table`, which escapes HTML.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd
from pandas.io.formats.style import Styler

from sitrep_analysis.analysis import (
    TOO_FEW_BOUNDS,
    actor_names,
    attack_counts,
    code_list,
    projectile_range_words,
    select_incidents,
    site_names,
)
from sitrep_analysis.columns import COVERAGE_END, COVERAGE_START, TABLES, code_label

__all__ = [
    "actor_fact_sheet",
    "casualty_summary",
    "casualty_table",
    "coverage_findings",
    "coverage_notes",
    "coverage_table",
    "event_sources",
    "event_study_findings",
    "event_study_method_notes",
    "event_window_sentence",
    "event_window_sentences",
    "event_window_table",
    "incident_sources",
    "incident_table",
    "markdown_escape",
    "new_since_last_report",
    "previous_incident_ids",
    "profile_claims",
    "profile_events",
    "profile_facts",
    "profile_findings",
    "site_fact_sheet",
    "styled_table",
    "tempo_findings",
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


def coverage_notes() -> str:
    """Markdown bullets: coverage period and every usage warning of the tables the report
    uses (incidents, political events, troop levels), taken from the column dictionary."""
    lines = [f"- Incidents cover {COVERAGE_START} to {COVERAGE_END}."]
    for name in ("incidents", "political_events", "troop_levels"):
        table = TABLES[name]
        lines += [f"- *{table.title}*: {warning}" for warning in table.warnings]
    return "\n".join(lines)


def incident_sources(incidents: pd.DataFrame, start: object = None,
                     end: object = None) -> pd.DataFrame:
    """Every incident dated from ``start`` to ``end`` with its sources, oldest first
    (``start`` and ``end`` default to the first and last incident: every row).

    Columns: ``incident_date``, ``site_name``, ``weapon`` (the dictionary's label of
    ``weapon_type``) and ``sources`` (readable citations), indexed from 1.
    """
    shown = select_incidents(incidents, start=start, end=end)
    table = pd.DataFrame({
        "incident_date": shown["incident_date"].to_numpy(),
        "site_name": shown["site_name"].to_numpy(),
        "weapon": [code_label("weapon_type", code) for code in shown["weapon_type"]],
        "sources": shown["sources"].to_numpy(),
    })
    table = table.astype({"site_name": "string", "weapon": "string", "sources": "string"})
    table.index = pd.RangeIndex(1, len(table) + 1)
    return table


#: Column headings for readers.
_HEADINGS = {"incident_date": "Date", "site_name": "Place", "weapon": "Weapon",
             "sources": "Sources", "event_date": "Date", "category": "Category",
             "title": "Event"}


def styled_table(table: pd.DataFrame):
    """A table for display: every row (no truncation), text escaped, dates as YYYY-MM-DD,
    readable headings. Returns a pandas ``Styler``; a notebook shows it as a table."""
    # no id per cell: a report lists hundreds of incidents, and the ids only bloat the page
    styler = Styler(table, cell_ids=False).format(
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
    verdict = row.get("coverage") if hasattr(row, "get") else None
    if verdict == "low_coverage":
        text += (f" The data hold only {row['coverage_ratio']:.0%} of the attacks officials "
                 "counted in this period, so the counts are not used for conclusions.")
    elif verdict == "partly_tallied":
        text += (" Part of these windows lies where no official tallied attacks, so their "
                 "coverage is unknown and the counts are not used for conclusions.")
    elif verdict == "unknown":
        text += (" No official tallied attacks in this period: coverage is unknown, so the "
                 "counts are not used for conclusions.")
    return text


def event_window_sentences(windows: pd.DataFrame) -> str:
    """Markdown: one bullet per event of an :func:`~sitrep_analysis.analysis.event_windows`
    table, and the caveat that applies to all of them. Event titles are escaped
    (:func:`markdown_escape`)."""
    bullets = [f"- {markdown_escape(event_window_sentence(row))}"
               for _, row in windows.iterrows()]
    bullets.append("- Counts are of the attacks the data hold; only windows in well-covered "
                   "periods (see Coverage) show the attacks rather than the reporting of them.")
    return "\n".join(bullets)


# --- Markdown safety ------------------------------------------------------------------------------

#: Characters that Markdown (CommonMark, GFM tables and strikethrough, and the ``$`` of the math
#: extension nbconvert and JupyterLab use) reads as markup anywhere in a line.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")
#: What makes a line a heading, a list item or a quote when it starts the line.
_LINE_START = re.compile(r"^(\s*)([#+\-=]|\d+(?=[.)]))")


def markdown_escape(text: object) -> str:
    """Data text made inert in Markdown: shown as written, never read as markup or HTML.

    ``&``, ``<`` and ``>`` become HTML entities (Markdown passes raw HTML such as
    ``<img onerror=...>`` or ``<script>`` through to the page; nbconvert does not sanitise
    it); the characters that make emphasis, code, links, tables and maths get a backslash;
    line breaks become spaces (a data value never starts a heading or a list); a leading ``#``,
    ``-``, ``+``, ``=`` or ``1.`` is escaped too. Missing values give ``""``.

    >>> print(markdown_escape('<img src=x onerror="alert(1)"> & *bold* [link](u) a_b $x$'))
    &lt;img src=x onerror="alert(1)"&gt; &amp; \\*bold\\* \\[link\\](u) a\\_b \\$x\\$
    >>> print(markdown_escape("# not a heading\\n- nor a list"))
    \\# not a heading - nor a list
    """
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    value = " ".join(str(text).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _MARKDOWN_SPECIAL.sub(r"\\\1", value)
    match = _LINE_START.match(value)
    if match:
        if match.group(2).isdigit():
            at = match.end(2)
            value = value[:at] + "\\" + value[at:]
        else:
            value = value[:match.start(2)] + "\\" + value[match.start(2):]
    return value


def _counted(counts: pd.Series, name: Callable[[object], str] = str) -> str:
    """``"a 3, b 2 and c 1"`` from value counts (escaped names), in their order."""
    items = [f"{markdown_escape(name(key))} {int(count):,}" for key, count in counts.items()
             if count > 0]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _listing(items: Sequence[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _value_counts(values: pd.Series) -> pd.Series:
    """Counts of the non-empty values, largest first, ties in order of the value."""
    counts = values.dropna().astype(str).value_counts()
    frame = counts.rename_axis("value").reset_index(name="n")
    frame = frame.sort_values(["n", "value"], ascending=[False, True], kind="stable")
    return pd.Series(frame["n"].to_numpy(), index=frame["value"].to_numpy())


_PROFILE_CAVEAT = ("Officials counted attacks for whole countries, never for one place or group, "
                   "so how complete this profile is cannot be measured: a quiet period may not "
                   "have been quiet.")
_CAVEAT = ("Where no official tallied the attacks, the data's coverage is unknown: a quiet "
           "period there may not have been quiet.")


def coverage_findings(intervals: pd.DataFrame | None, start: object, end: object) -> str:
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
    tallied_days = int(sum((min(row.segment_end, last) - max(row.segment_start, first)).days + 1
                           for row in inside.itertuples()))
    total_days = (last - first).days + 1
    share = f" ({recorded / tallied:.0%})" if tallied else ""
    text = (f"Coverage, measured against the officials' own running counts: over the "
            f"{_plural(len(touched), 'period')} between their totals that these dates touch, "
            f"officials counted {tallied:,} attacks and the data hold {recorded:,}{share}; "
            f"{well} of the {len(touched)} reach {WELL_COVERED:.0%}.")
    if tallied_days < total_days:
        text += (f" {total_days - tallied_days:,} of the {total_days:,} days shown lie in no "
                 f"tallied period, so coverage there is unknown: {unknown}")
    return text


def coverage_table(coverage: pd.DataFrame, start: object = None, end: object = None,
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


# --- new since the last report --------------------------------------------------------------------

def previous_incident_ids(path: str | os.PathLike | None) -> set[str] | None:
    """The incident ids seen at the report's last successful render: the JSON list of strings
    at ``path`` (written by ``sitrep schedule``), or ``None`` when ``path`` is ``None`` or
    ``""`` (a first render). A file that is not such a list raises ``ValueError``."""
    if path is None or str(path).strip() in ("", "None"):
        return None
    file = Path(path)
    try:
        ids = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{file} is not JSON ({error}); expected a list of incident ids "
                         "like [\"2020-01-08-ain-al-asad\"]") from None
    if not isinstance(ids, list) or not all(isinstance(item, str) for item in ids):
        raise ValueError(f"{file} holds {type(ids).__name__} data; expected a JSON list of "
                         "incident ids (strings)")
    return set(ids)


def _incident_line(row: pd.Series) -> str:
    """One incident as a Markdown bullet: date, place, weapon, notes, sources (escaped)."""
    parts = [f"{row['incident_date']:%Y-%m-%d}, {markdown_escape(row['site_name'])}",
             markdown_escape(code_label("weapon_type", row["weapon_type"]))]
    text = "- " + ": ".join(parts) + "."
    if "notes" in row and pd.notna(row["notes"]):
        text += f" {markdown_escape(row['notes'])}."
    if "sources" in row and pd.notna(row["sources"]):
        text += f" Sources: {markdown_escape(row['sources'])}."
    return text


def new_since_last_report(incidents: pd.DataFrame,
                          previous_incident_ids_path: str | os.PathLike | None, *,
                          all_incidents: pd.DataFrame | None = None) -> str:
    """Markdown: the incidents of this report whose ids were not in the data at its last
    successful render (the JSON list at ``previous_incident_ids_path``), oldest first.

    ``incidents`` are the ones the report shows. On a first render (no path) it says so and
    marks nothing as new. With ``all_incidents`` (the whole table) it also says how many new
    incidents fall outside the report's selection and which ids seen last time are gone.
    """
    seen = previous_incident_ids(previous_incident_ids_path)
    shown = len(incidents)
    if seen is None:
        return ("**First render:** there is no earlier render of this report to compare with "
                "(no list of previously seen incidents was given), so no incident is marked as "
                f"new. This report shows {_plural(shown, 'incident')}.")
    is_new = ~incidents["incident_id"].astype(str).isin(seen)
    new = incidents[is_new].sort_values(["incident_date", "incident_id"], kind="stable")
    last_time = f"the last render saw {_plural(len(seen), 'incident id')} in the data"
    if new.empty:
        lines = [f"**Nothing new:** every one of the {_plural(shown, 'incident')} shown was "
                 f"already in the data at the last render of this report ({last_time})."]
    else:
        verb = "is" if len(new) == 1 else "are"
        lines = [f"**{_plural(len(new), 'incident')}** shown here {verb} new since the last "
                 f"render of this report ({last_time}):", ""]
        lines += [_incident_line(row) for _, row in new.iterrows()]
    if all_incidents is not None:
        ids = all_incidents["incident_id"].astype(str)
        elsewhere = int((~ids.isin(seen) & ~ids.isin(incidents["incident_id"].astype(str)))
                        .sum())
        gone = sorted(seen - set(ids))
        notes = []
        if elsewhere:
            notes.append(f"{_plural(elsewhere, 'new incident')} in the data "
                         f"{'falls' if elsewhere == 1 else 'fall'} outside this report's "
                         "selection.")
        if gone:
            listed = ", ".join(markdown_escape(item) for item in gone[:10])
            more = f" and {len(gone) - 10:,} more" if len(gone) > 10 else ""
            notes.append(f"{_plural(len(gone), 'incident id')} seen last time "
                         f"{'is' if len(gone) == 1 else 'are'} no longer in the data (removed "
                         f"or renamed): {listed}{more}.")
        if notes:
            lines += ["", " ".join(notes)]
    return "\n".join(lines)


# --- key findings: attack tempo ---------------------------------------------------------------

def _selection_words(weapon_types: Sequence[str], site_ids: Sequence[str],
                     event_categories: Sequence[str], sites: pd.DataFrame | None) -> str:
    names = {} if sites is None else site_names(sites)
    parts = []
    if weapon_types:
        parts.append("main weapon " + _listing(
            [markdown_escape(code_label("weapon_type", code)) for code in weapon_types]))
    if site_ids:
        parts.append("at " + _listing([markdown_escape(names.get(code, code))
                                       for code in site_ids]))
    if event_categories:
        parts.append("events of the categories " + _listing(
            [markdown_escape(code_label("category", code)) for code in event_categories]))
    return f" (selection: {'; '.join(parts)})" if parts else ""


def _casualty_words(incidents: pd.DataFrame, who: str = "us") -> str | None:
    killed, wounded = incidents[f"{who}_killed_count"], incidents[f"{who}_wounded_count"]
    reporting = int((killed.notna() | wounded.notna()).sum())
    if reporting == 0:
        return None
    return (f"{int(killed.sum()):,} killed and {int(wounded.sum()):,} wounded, in the "
            f"{_plural(reporting, 'attack')} whose sources give a figure")


def tempo_findings(incidents: pd.DataFrame, events: pd.DataFrame, start: object, end: object,
                   freq: str = "W", *, weapon_types: Sequence[str] = (),
                   site_ids: Sequence[str] = (), event_categories: Sequence[str] = (),
                   sites: pd.DataFrame | None = None,
                   intervals: pd.DataFrame | None = None) -> str:
    """Key findings of the attack-tempo report, as Markdown bullets computed from the data.

    ``incidents`` and ``events`` are the report's selection (see
    :func:`~sitrep_analysis.analysis.select_incidents`); the selection parameters only name
    it in words. ``sites`` (the gazetteer) gives place names. ``intervals`` (from
    :func:`sitrep_analysis.coverage.tally_intervals`) give the closing bullet on coverage;
    without them the bullet says only that untallied periods have unknown coverage.
    """
    caveat = _CAVEAT if intervals is None else coverage_findings(intervals, start, end)
    first, last = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    period = _PERIOD_WORDS.get(freq, freq)
    shown = select_incidents(incidents, start=first, end=last)
    total = len(shown)
    selection = _selection_words(code_list(weapon_types, "weapon_types"),
                                 code_list(site_ids, "site_ids"),
                                 code_list(event_categories, "event_categories"), sites)
    bullets = [f"**{_plural(total, 'attack')}** on US and coalition forces "
               f"{'is' if total == 1 else 'are'} recorded from {_date(first)} to "
               f"{_date(last)}{selection}."]
    if total == 0:
        bullets.append("No recorded incident matches this selection: there is nothing to "
                       "count.")
        bullets.append(caveat)
        return "\n".join(f"- {text}" for text in bullets)
    counts = attack_counts(shown, freq=freq, start=first, end=last)
    active = int((counts["attacks_count"] > 0).sum())
    bullets[0] += (f" At least one attack falls in {active:,} of the "
                   f"{_plural(len(counts), period)}{_PERIOD_NOTES.get(freq, '')}.")
    peak = int(counts["attacks_count"].max())
    busiest = counts.loc[counts["attacks_count"] == peak, "period_start"]
    named = [_period_name(day, freq) for day in busiest.head(3)]
    more = f" and {len(busiest) - 3:,} more" if len(busiest) > 3 else ""
    if len(busiest) == 1:
        bullets.append(f"The busiest {period} was {named[0]}, with {_plural(peak, 'attack')}.")
    else:
        bullets.append(f"The busiest {period}s, with {_plural(peak, 'attack')} each, were "
                       f"{_listing(named)}{more}.")
    weapons = _value_counts(shown["weapon_type"].astype("string"))
    top_weapon = weapons.index[0]
    share = (f"all {_plural(total, 'attack')}" if len(weapons) == 1 else
             f"{int(weapons.iloc[0]):,} of the {_plural(total, 'attack')}")
    text = f"Main weapon: {markdown_escape(code_label('weapon_type', top_weapon))} in {share}"
    if len(weapons) > 1:
        text += ", then " + _counted(weapons.iloc[1:], lambda code: code_label("weapon_type", code))
    bullets.append(text + ".")
    names = {} if sites is None else site_names(sites)
    places = _value_counts(shown["site_id"].astype("string"))
    text = (f"Most attacked place: {markdown_escape(names.get(places.index[0], places.index[0]))}"
            f", with {_plural(int(places.iloc[0]), 'attack')}")
    if len(places) > 1:
        text += ("; then " + _counted(places.iloc[1:3], lambda code: names.get(code, code))
                 + f". Attacks hit {len(places):,} places in all")
    bullets.append(text + ".")
    countries = _value_counts(shown["country"].astype("string"))
    if len(countries) > 1:
        bullets.append(f"By country: {_counted(countries)}.")
    status = shown["attribution_status"].astype("string").value_counts()
    bullets.append(
        f"{_plural(int(status.get('claimed', 0)), 'attack')} claimed by a group; "
        f"{int(status.get('attributed', 0)):,} not claimed but attributed by a third party; "
        f"{int(status.get('unattributed', 0)):,} neither claimed nor attributed.")
    us = _casualty_words(shown)
    if us is None:
        bullets.append("No source gives a figure for US casualties in these attacks (an empty "
                       "figure means not reported, not zero).")
    else:
        bullets.append(f"US service members: {us}; the other attacks have no reported figure, "
                       "so these are not complete counts.")
    in_period = events[events["event_date"].dt.normalize().between(first, last)]
    if len(in_period):
        by_category = _value_counts(in_period["category"].astype("string"))
        by_label = _counted(by_category, lambda c: code_label("category", c))
        bullets.append(f"{_plural(len(in_period), 'political event')} in the period, marked on "
                       f"the timeline: {by_label}.")
    else:
        bullets.append("No political event of the selected categories falls in the period.")
    bullets.append(caveat)
    return "\n".join(f"- {text}" for text in bullets)


def _period_name(day: pd.Timestamp, freq: str) -> str:
    """A calendar period in words, by its first day.

    >>> [_period_name(pd.Timestamp("2019-12-02"), f) for f in ("W", "M", "D")]
    ['the week of 2 December 2019', 'December 2019', '2 December 2019']
    """
    if freq == "W":
        return f"the week of {_date(day)}"
    if freq == "M":
        return f"{day:%B %Y}"
    return _date(day)


def event_sources(events: pd.DataFrame) -> pd.DataFrame:
    """Every event with its sources, oldest first: ``event_date``, ``category`` (label),
    ``title`` and ``sources``, indexed from 1 (show it with :func:`styled_table`)."""
    shown = events.sort_values(["event_date", "event_id"] if "event_id" in events
                               else "event_date", kind="stable")
    table = pd.DataFrame({
        "event_date": shown["event_date"].to_numpy(),
        "category": [code_label("category", code) for code in shown["category"].astype(object)],
        "title": shown["title"].to_numpy(),
        "sources": shown["sources"].to_numpy(),
    }).astype({"category": "string", "title": "string", "sources": "string"})
    table.index = pd.RangeIndex(1, len(table) + 1)
    return table


# --- key findings and tables: event study -----------------------------------------------------

def _window_phrase(row: pd.Series) -> str:
    return (f'"{markdown_escape(row["title"])}" ({row["event_date"]:%Y-%m-%d}): '
            f"{int(row['n_after']):,} after against {int(row['n_before']):,} before, rate ratio "
            + ("not defined (none before)" if math.isinf(row["rate_ratio"])
               else _number(row["rate_ratio"]))
            + f" (95% CI {_number(row['ci_low'])} to {_number(row['ci_high'])}, "
              f"{_p(row['p_value'])})")


def _where(countries: str | Sequence[str] | None) -> str:
    """Where attacks were counted, in words: ``"in Iraq and Syria"``."""
    chosen = code_list(countries, "countries") if countries else []
    return f"in {_listing(chosen)}" if chosen else "in every country the data cover"


def _support(row: pd.Series) -> str:
    """What one well-covered window with enough attacks lets the data say."""
    phrase = _window_phrase(row)
    if row["ci_low"] > 1:
        return f"a rise after {phrase}"
    if row["ci_high"] < 1:
        return f"a fall after {phrase}"
    ruled_out = [name for name, out in (("a halving", row["ci_low"] > TOO_FEW_BOUNDS[0]),
                                        ("a doubling", row["ci_high"] < TOO_FEW_BOUNDS[1]))
                 if out]
    return f"no clear change after {phrase}, ruling out {' and '.join(ruled_out)}"


def event_study_findings(windows: pd.DataFrame, *,
                         countries: str | Sequence[str] | None = "") -> str:
    """Key findings of an event study (an
    :func:`~sitrep_analysis.analysis.event_windows` table), as Markdown bullets: how many
    events, how many windows hold enough attacks to say anything, the strongest changes, and
    the flags. ``countries`` names where attacks were counted (``""``: everywhere).

    When the windows carry coverage (:func:`sitrep_analysis.coverage.window_coverage`),
    conclusions are drawn only from windows in well-covered periods: the findings say which
    changes the data can support, and set the others aside with the reason.
    """
    where = _where(countries)
    if windows.empty:
        return ("- No event matches the selection (categories, event ids and dates): there is "
                "nothing to study.")
    n = len(windows)
    days_before, days_after = int(windows["days_before"].iloc[0]), int(
        windows["days_after"].iloc[0])
    side = {"after": "the event day counted in the after-window",
            "before": "the event day counted in the before-window",
            "excluded": "the event day counted in neither window"}[
        str(windows["event_day_counted"].iloc[0])]
    categories = _value_counts(windows["category"].astype("string"))
    first, last = windows["event_date"].min(), windows["event_date"].max()
    bullets = [f"**{_plural(n, 'event')}** from {_date(first)} to {_date(last)} ("
               f"{_counted(categories, lambda c: code_label('category', c))}), each compared over "
               f"the {days_before} days before and the {days_after} days from the event "
               f"({side}); attacks counted {where}."]
    covered = "coverage" in windows
    usable = windows[windows["well_covered"]] if covered else windows
    if covered:
        bullets.append(_coverage_bullet(windows))
    base = "well-covered window" if covered else "window"
    enough = usable[~usable["too_few"]]
    m = len(usable)
    if covered and m == 0:
        bullets.append("**No window lies in a well-covered period, so the data support no "
                       "conclusion about these events**: their counts are shown below with "
                       "their flags, not read as changes in the attacks.")
    elif enough.empty:
        bullets.append(f"**None of the {_plural(m, base)} holds enough attacks to tell a "
                       "halving of the attack rate from a doubling**: the data cannot say "
                       "whether attacks rose or fell after any of these events.")
    elif len(enough) * 2 < m:
        bullets.append(f"**Only {len(enough):,} of the {_plural(m, base)} hold enough attacks "
                       "to tell a halving of the attack rate from a doubling.** In the other "
                       f"{m - len(enough):,} the 95% interval spans both.")
    else:
        rest = m - len(enough)
        verb = "holds" if len(enough) == 1 else "hold"
        bullets.append(f"{len(enough):,} of the {_plural(m, base)} {verb}"
                       " enough attacks to tell a halving of the attack rate from a doubling; "
                       f"{rest:,} {'does' if rest == 1 else 'do'} not.")
    empty = int(((windows["n_before"] + windows["n_after"]) == 0).sum())
    if empty:
        bullets.append(f"{_plural(empty, 'window pair')} {'holds' if empty == 1 else 'hold'} "
                       "no recorded attack at all, before or after.")
    if covered and len(enough):
        ordered = enough.sort_values(["event_date", "event_id"], kind="stable")
        bullets.append("**What the data can support** (well-covered windows with enough "
                       "attacks): " + "; ".join(_support(row) for _, row in ordered.iterrows())
                       + ".")
    elif len(enough):
        strongest = enough.sort_values(["p_value", "event_date"], kind="stable").head(3)
        label = ("Strongest change (smallest p-value" if len(strongest) == 1
                 else "Strongest changes (smallest p-values")
        bullets.append(f"{label} among the windows with enough attacks): "
                       + "; ".join(_window_phrase(row) for _, row in strongest.iterrows())
                       + ".")
    excluding = usable[(usable["ci_low"] > 1) | (usable["ci_high"] < 1)]
    unit = base if covered else "event"
    if m and excluding.empty:
        bullets.append(f"For no {unit} does the 95% interval exclude 1 (no change): no window "
                       "shows a change larger than chance alone would readily produce.")
    elif m:
        rises = int((excluding["ci_low"] > 1).sum())
        falls = len(excluding) - rises
        bullets.append(f"The 95% interval excludes 1 (no change) for "
                       f"{_plural(len(excluding), unit)}: {rises:,} "
                       f"{'rise' if rises == 1 else 'rises'} and {falls:,} "
                       f"{'fall' if falls == 1 else 'falls'}. With {_plural(m, unit)} tested, "
                       f"about {0.05 * m:.1f} such intervals are expected by chance alone "
                       "(1 in 20).")
    overlaps = int(windows["overlaps_other_event"].sum())
    beyond = int(windows["beyond_coverage"].sum())
    flags = []
    if overlaps:
        flags.append(f"{_plural(overlaps, 'event')} {'has' if overlaps == 1 else 'have'} other "
                     f"studied events inside {'its' if overlaps == 1 else 'their'} windows, so "
                     "a change there cannot be put down to one event alone")
    if beyond:
        flags.append(f"{_plural(beyond, 'window pair')} {'reaches' if beyond == 1 else 'reach'}"
                     " outside the data's collection period, where a zero means not collected")
    if flags:
        bullets.append("; ".join(flags)[0].upper() + "; ".join(flags)[1:] + ".")
    if not covered:
        bullets.append("Without officials' tallies for these periods the data's coverage is "
                       "unknown; a rise or fall may reflect reporting as much as attacks.")
    return "\n".join(f"- {text}" for text in bullets)


def _coverage_bullet(windows: pd.DataFrame) -> str:
    """How many windows lie in well-covered, poorly covered and untallied periods."""
    from sitrep_analysis.coverage import WELL_COVERED

    verdicts = windows["coverage"].value_counts()
    well = int(verdicts.get("well_covered", 0))
    low = int(verdicts.get("low_coverage", 0))
    partly = int(verdicts.get("partly_tallied", 0))
    unknown = int(verdicts.get("unknown", 0))
    text = (f"**{well} of the {len(windows)} window pairs lie in well-covered periods**, where "
            f"officials tallied every day and the data hold at least {WELL_COVERED:.0%} of the "
            "attacks they counted; conclusions are drawn from those alone.")
    aside = []
    if low:
        aside.append(f"{low} in periods where the data hold less than {WELL_COVERED:.0%}")
    if partly:
        aside.append(f"{partly} reaching into days no official tallied")
    if unknown:
        aside.append(f"{unknown} in periods no official tallied (coverage unknown, not low)")
    if aside:
        text += f" Set aside: {_listing(aside)}."
    return text


_COVERAGE_FLAGS = {"low_coverage": "period below {share} coverage ({ratio})",
                   "partly_tallied": "partly in untallied days",
                   "unknown": "coverage unknown (no official tally)"}


def _flags(row: pd.Series) -> str:
    from sitrep_analysis.coverage import WELL_COVERED

    flags = []
    verdict = row.get("coverage")
    if isinstance(verdict, str) and verdict in _COVERAGE_FLAGS:
        ratio = row.get("coverage_ratio")
        flags.append(_COVERAGE_FLAGS[verdict].format(
            share=f"{WELL_COVERED:.0%}", ratio="" if pd.isna(ratio) else f"{ratio:.0%}"))
    if row["too_few"]:
        flags.append("too few attacks to say")
    if row["overlaps_other_event"]:
        flags.append(f"other events inside: {row['overlapping_event_ids']}".replace(";", ", "))
    if row["beyond_coverage"]:
        flags.append("beyond coverage")
    return "; ".join(flags)


def event_window_table(windows: pd.DataFrame) -> pd.DataFrame:
    """An :func:`~sitrep_analysis.analysis.event_windows` table with readable columns, for
    :func:`styled_table`: event date and title, category, the two windows' dates, attacks
    before and after, rate ratio, 95% CI, p-value and flags, oldest first, indexed from 1."""
    rows = windows.sort_values(["event_date", "event_id"], kind="stable")

    def span(first: pd.Timestamp, last: pd.Timestamp) -> str:
        return f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"

    table = pd.DataFrame({
        "Event date": rows["event_date"].to_numpy(),
        "Event": rows["title"].astype("string").to_numpy(),
        "Category": [code_label("category", code) for code in rows["category"].astype(object)],
        "Before window": [span(a, b) for a, b in zip(rows["before_start"], rows["before_end"],
                                                     strict=True)],
        "After window": [span(a, b) for a, b in zip(rows["after_start"], rows["after_end"],
                                                    strict=True)],
        "Attacks before": rows["n_before"].to_numpy(),
        "Attacks after": rows["n_after"].to_numpy(),
        "Rate ratio": ["" if math.isnan(v) else _number(v) for v in rows["rate_ratio"]],
        "95% CI": [f"{_number(low)} to {_number(high)}" for low, high in
                   zip(rows["ci_low"], rows["ci_high"], strict=True)],
        "p": [_p(v).removeprefix("p = ").removeprefix("p ") for v in rows["p_value"]],
        "Flags": [_flags(row) for _, row in rows.iterrows()],
    })
    table.index = pd.RangeIndex(1, len(table) + 1)
    return table


def event_study_method_notes(windows: pd.DataFrame) -> str:
    """Markdown bullets: how the event study counts and tests, with this table's window
    lengths and the thresholds the flags use."""
    from sitrep_analysis.coverage import WELL_COVERED

    days_before = int(windows["days_before"].iloc[0]) if len(windows) else 0
    days_after = int(windows["days_after"].iloc[0]) if len(windows) else 0
    low, high = TOO_FEW_BOUNDS
    return "\n".join([
        f"- **Windows.** For each event, attacks are counted in the {days_before} days before "
        f"it and in the {days_after} days from it. The event day itself is counted in the "
        "after-window: an event reported on a day can already shape that day's attacks.",
        "- **Test.** The rate ratio is the attacks per day after divided by the attacks per "
        "day before. Given the total number of attacks in the two windows, the number after "
        "is binomial, so an exact (Clopper-Pearson) 95% interval and an exact two-sided "
        "binomial test (the conditional test of two Poisson rates) need no large-sample "
        "approximation and work with counts of zero.",
        f"- **Too few to say.** A window pair is flagged when its interval holds both {low:g} "
        f"and {high:g}: the counts cannot tell a halving of the attack rate from a doubling.",
        "- **Overlap.** An event is flagged when another studied event falls inside its "
        "windows: any change is then shared between events and cannot be put down to one.",
        f"- **Coverage.** Incidents are collected from {COVERAGE_START} to {COVERAGE_END}; a "
        "window reaching outside is flagged, because a zero there means not collected.",
        "- **Coverage.** Officials published running counts of attacks (the Pentagon from "
        "October 2023, the Washington Post for September 2020, AFP for the first half of "
        "2021). Between two totals, the officials' count is compared with the incidents the "
        "data hold on those days. A window is used for conclusions only when officials "
        f"tallied all its days and the data hold at least {WELL_COVERED:.0%} of their count; "
        "where no official counted, coverage is unknown, not low.",
        "- **What is counted.** Publicly reported attacks, sourced one by one; a change in a "
        "poorly covered period may reflect reporting as much as attacks. With many events "
        "tested, about one in twenty intervals excludes 1 by chance alone.",
    ])


# --- profiles -------------------------------------------------------------------------------------

def _coordinates(facts: pd.Series) -> str:
    if pd.isna(facts.get("latitude")) or pd.isna(facts.get("longitude")):
        return "not recorded in the gazetteer"
    lat, lon = float(facts["latitude"]), float(facts["longitude"])
    text = (f"{abs(lat):.4g}°{'N' if lat >= 0 else 'S'}, "
            f"{abs(lon):.4g}°{'E' if lon >= 0 else 'W'}")
    if pd.notna(facts.get("coordinates_precision")):
        precision = code_label("coordinates_precision", facts["coordinates_precision"])
        text += f", {markdown_escape(precision)}"
    if pd.notna(facts.get("coordinates_basis")):
        text += f" (basis: {markdown_escape(facts['coordinates_basis'])})"
    return text


def _items(cell: object) -> list[str]:
    """The items of a ``;``-separated list cell (none for an empty or missing cell)."""
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        return []
    return [item.strip() for item in str(cell).split(";") if item.strip()]


def _aliases(cell: object) -> str:
    items = _items(cell)
    return ", ".join(markdown_escape(item) for item in items) if items else "none recorded"


def site_fact_sheet(site: pd.Series) -> str:
    """Markdown bullets: a gazetteer row in plain words (name, aliases, kind, place,
    coordinates and their basis, notes), every data value escaped."""
    place = ", ".join(markdown_escape(value) for value in (site.get("province"),
                                                           site.get("country"))
                      if pd.notna(value))
    lines = [f"- **Name:** {markdown_escape(site['site_name'])} (id "
             f"{markdown_escape(site['site_id'])})",
             f"- **Also called:** {_aliases(site.get('aliases'))}",
             f"- **Kind:** {markdown_escape(code_label('site_kind', site['site_kind']))}",
             f"- **Where:** {place or 'not recorded'}",
             f"- **Coordinates:** {_coordinates(site)}"]
    if pd.notna(site.get("notes")):
        lines.append(f"- **Notes:** {markdown_escape(site['notes'])}")
    return "\n".join(lines)


def actor_fact_sheet(actor: pd.Series, actors: pd.DataFrame) -> str:
    """Markdown bullets: an actor row in plain words (name, aliases, kind, the umbrellas it is
    reported to belong to, the actors reported to belong to it, notes), escaped."""
    names = actor_names(actors)
    umbrellas = _items(actor.get("umbrella_ids"))
    members = [row.actor_id for row in actors.itertuples()
               if actor["actor_id"] in _items(row.umbrella_ids)]
    lines = [f"- **Name:** {markdown_escape(actor['actor_name'])} (id "
             f"{markdown_escape(actor['actor_id'])})",
             f"- **Also called:** {_aliases(actor.get('aliases'))}",
             f"- **Kind:** {markdown_escape(code_label('actor_kind', actor['actor_kind']))}",
             "- **Reported to belong to:** " + (
                 _listing([markdown_escape(names.get(u, u)) for u in umbrellas])
                 + " (as reported, not verified)" if umbrellas else "no umbrella recorded")]
    if members:
        lines.append("- **Reported members:** " + _listing(
            [markdown_escape(names.get(m, m)) for m in members]) + " (as reported, not "
            "verified)")
    if pd.notna(actor.get("notes")):
        lines.append(f"- **Notes:** {markdown_escape(actor['notes'])}")
    return "\n".join(lines)


def profile_facts(profile, actors: pd.DataFrame) -> str:
    """The fact sheet of a :class:`~sitrep_analysis.analysis.Profile`: the site's
    (:func:`site_fact_sheet`) or the actor's (:func:`actor_fact_sheet`)."""
    if profile.kind == "site":
        return site_fact_sheet(profile.facts)
    return actor_fact_sheet(profile.facts, actors)


_CASUALTY_GROUPS = (("us", "US service members"), ("coalition", "non-US coalition service "
                    "members"), ("contractors", "contractors"),
                    ("iraqi", "Iraqi forces and civilians (or local civilians)"))
_CASUALTY_COLUMNS = [f"{who}_{what}_count" for who, _ in _CASUALTY_GROUPS
                     for what in ("killed", "wounded")]


def casualty_summary(incidents: pd.DataFrame, claims: pd.DataFrame | None = None) -> str:
    """Markdown: casualties summed honestly. An empty figure means not reported (never zero),
    so each total is the sum of the figures sources give, with the number of attacks that give
    one; the text says how many attacks report any figure. ``claims`` (rows of table
    ``claims``) adds where sources disagree on a casualty figure."""
    total = len(incidents)
    if total == 0:
        return "No attack is recorded here, so there are no casualties to report."
    counts = incidents[_CASUALTY_COLUMNS]
    reporting = int(counts.notna().any(axis=1).sum())
    noted = int((counts.isna().all(axis=1) & incidents["casualties_note"].notna()).sum())
    lines = [f"Casualty figures are reported for **{reporting:,} of the "
             f"{_plural(total, 'attack')}**; the other {total - reporting:,} give none (an "
             "empty figure means not reported, not zero), so the totals below are what the "
             "sources report, not complete counts."]
    if noted:
        lines[0] += (f" {_plural(noted, 'attack')} without figures "
                     f"{'has' if noted == 1 else 'have'} a note on casualties in the sources' "
                     "words (see the table).")
    bullets = []
    for who, words in _CASUALTY_GROUPS:
        parts = []
        for what in ("killed", "wounded"):
            column = incidents[f"{who}_{what}_count"]
            if column.notna().any():
                parts.append(f"{int(column.sum()):,} {what} (figure given for "
                             f"{_plural(int(column.notna().sum()), 'attack')})")
        if parts:
            bullets.append(f"- {words[:1].upper() + words[1:]}: {' and '.join(parts)}")
    if bullets:
        lines += ["", *bullets]
    if claims is not None and len(claims):
        disputed = claims[claims["field_name"].astype(str).isin(_CASUALTY_COLUMNS)]
        if len(disputed):
            lines += ["", "What each source says, where sources differ or revised a figure:",
                      ""]
            where = {row.incident_id: f"{row.incident_date:%Y-%m-%d} {row.site_name}"
                     for row in incidents.itertuples()}
            for (record, field), group in disputed.groupby(["record_id", "field_name"],
                                                           sort=True):
                values = "; ".join(
                    f"{markdown_escape(row.claimed_value)} "
                    f"({markdown_escape(code_label('value_qualifier', row.value_qualifier))}, "
                    f"{markdown_escape(row.sources)})" for row in group.itertuples())
                what = _CASUALTY_HEADINGS[field]
                lines.append(f"- {markdown_escape(where.get(record, record))}, {what}: {values}")
    return "\n".join(lines)


_CASUALTY_HEADINGS = {f"{who}_{what}_count": f"{label} {what}" for who, label in
                      (("us", "US"), ("coalition", "Coalition"), ("contractors", "Contractors"),
                       ("iraqi", "Iraqi")) for what in ("killed", "wounded")}


def casualty_table(incidents: pd.DataFrame) -> pd.DataFrame:
    """The attacks that give any casualty figure or note, oldest first: date, place, each
    casualty figure (empty: not reported) and the sources' own words, indexed from 1. Only
    casualty columns with at least one figure are kept."""
    counts = incidents[_CASUALTY_COLUMNS]
    rows = incidents[counts.notna().any(axis=1) | incidents["casualties_note"].notna()]
    rows = rows.sort_values("incident_date", kind="stable")
    rows = rows.reset_index(drop=True)
    table = pd.DataFrame({"Date": rows["incident_date"],
                          "Place": rows["site_name"].astype("string")})
    for column in _CASUALTY_COLUMNS:
        if rows[column].notna().any():
            table[_CASUALTY_HEADINGS[column]] = rows[column].astype("Int64")
    table["As reported"] = rows["casualties_note"].astype("string")
    table.index = pd.RangeIndex(1, len(table) + 1)
    return table


def _who(row: pd.Series, names: Mapping[str, str]) -> str:
    parts = []
    if pd.notna(row["claimed_by"]):
        parts.append(f"claimed by {names.get(row['claimed_by'], row['claimed_by'])}")
    if pd.notna(row["attributed_to"]):
        by = f" by {row['attributed_by']}" if pd.notna(row["attributed_by"]) else ""
        parts.append(f"attributed to {names.get(row['attributed_to'], row['attributed_to'])}{by}")
    return "; ".join(parts) or "neither claimed nor attributed"


def incident_table(incidents: pd.DataFrame, actors: pd.DataFrame) -> pd.DataFrame:
    """The incidents in detail, oldest first, for :func:`styled_table`: date, place, weapon as
    reported, projectiles (as a range where sources differ), claim or attribution (kept
    apart, with who attributed it) and notes, indexed from 1."""
    names = actor_names(actors)
    rows = incidents.sort_values("incident_date", kind="stable")
    table = pd.DataFrame({
        "Date": rows["incident_date"].to_numpy(),
        "Place": rows["site_name"].astype("string").to_numpy(),
        "Weapon": [code_label("weapon_type", row.weapon_type)
                   + (f": {row.weapon_detail}" if pd.notna(row.weapon_detail) else "")
                   for row in rows.itertuples()],
        "Projectiles": [projectile_range_words(low, high) for low, high in
                        zip(rows["projectiles_low"], rows["projectiles_high"], strict=True)],
        "Claim or attribution": [_who(row, names) for _, row in rows.iterrows()],
        "Notes": rows["notes"].astype("string").to_numpy(),
    })
    table.index = pd.RangeIndex(1, len(table) + 1)
    return table


def _incident_ref(row: pd.Series) -> str:
    return f"{row['incident_date']:%Y-%m-%d} {markdown_escape(row['site_name'])}"


def profile_claims(profile, actors: pd.DataFrame) -> str:
    """Markdown: who claimed and who was blamed, claims and attributions kept apart.

    Site: how many of its attacks were claimed (by whom), attributed by a third party (to
    whom, by whom) and neither. Actor: the attacks it claimed, then, separately, those others
    attributed to it, each with date and place."""
    names = actor_names(actors)
    total = len(profile.incidents)
    name = markdown_escape(profile.name)
    if profile.kind == "site":
        if total == 0:
            return f"No attack on {name} is recorded in the period."
        claimers = _value_counts(profile.claimed["claimed_by"].astype("string"))
        lines = [f"Of the {_plural(total, 'attack')} on {name}:", ""]
        lines.append(f"- **claimed:** {len(profile.claimed):,}"
                     + (f" (by {_counted(claimers, lambda a: names.get(a, a))})"
                        if len(claimers) else ""))
        pairs = [f"{markdown_escape(names.get(row.attributed_to, row.attributed_to))} by "
                 + (markdown_escape(row.attributed_by) if pd.notna(row.attributed_by)
                    else "an unnamed source")
                 for row in profile.attributed.itertuples()]
        attributed = pd.Series(pairs, dtype="string").value_counts()
        attributed = attributed.sort_index(kind="stable").sort_values(ascending=False,
                                                                      kind="stable")
        lines.append(f"- **attributed by a third party:** {len(profile.attributed):,}"
                     + (" (to " + ", ".join(f"{key}: {int(count)}" for key, count in
                                            attributed.items()) + ")" if len(attributed)
                        else ""))
        neither = int((profile.incidents["claimed_by"].isna()
                       & profile.incidents["attributed_to"].isna()).sum())
        lines.append(f"- **neither claimed nor attributed:** {neither:,}")
        lines += ["", "A claim is the group's own statement; an attribution is someone else's "
                  "accusation. Neither is proof, and they are kept apart."]
        return "\n".join(lines)
    lines = [f"**Claimed by {name}: {_plural(len(profile.claimed), 'attack')}.**"]
    if len(profile.claimed):
        lines += [""] + [f"- {_incident_ref(row)} "
                         f"({markdown_escape(code_label('weapon_type', row['weapon_type']))})"
                         for _, row in profile.claimed.iterrows()]
    lines += ["", f"**Attributed to {name} by a third party: "
              f"{_plural(len(profile.attributed), 'attack')}.**"]
    if len(profile.attributed):
        lines += [""] + [
            f"- {_incident_ref(row)} "
            f"({markdown_escape(code_label('weapon_type', row['weapon_type']))}), attributed by "
            + (markdown_escape(row["attributed_by"]) if pd.notna(row["attributed_by"])
               else "an unnamed source")
            + (f"; claimed by {markdown_escape(names.get(row['claimed_by'], row['claimed_by']))}"
               if pd.notna(row["claimed_by"]) and row["claimed_by"] != profile.subject_id
               else "")
            for _, row in profile.attributed.iterrows()]
    lines += ["", "A claim is the group's own statement; an attribution is someone else's "
              "accusation. Neither is proof, and they are kept apart."]
    return "\n".join(lines)


def profile_events(profile) -> str:
    """Markdown: the political events of a profile. Actor: every event naming it, oldest
    first (date, category, title). Site: events name actors, not places, so only how many
    events of the period the timeline shows for context."""
    if profile.kind == "site":
        if profile.events.empty:
            return "No political event falls in the period."
        by_category = _value_counts(profile.events["category"].astype("string"))
        return (f"Political events name actors, not places: the timeline shows the "
                f"{_plural(len(profile.events), 'event')} of the period for context ("
                f"{_counted(by_category, lambda c: code_label('category', c))}). Their sources are "
                "listed at the end.")
    name = markdown_escape(profile.name)
    if profile.events.empty:
        return f"No political event of the period names {name}."
    lines = [f"{_plural(len(profile.events), 'political event')} of the period "
             f"{'names' if len(profile.events) == 1 else 'name'} {name} among "
             f"{'its' if len(profile.events) == 1 else 'their'} actors:", ""]
    lines += [f"- {row['event_date']:%Y-%m-%d}, "
              f"{markdown_escape(code_label('category', row['category']))}: "
              f"{markdown_escape(row['title'])}" for _, row in profile.events.iterrows()]
    return "\n".join(lines)


def profile_findings(profile) -> str:
    """Key findings of a site or actor profile, as Markdown bullets computed from the data."""
    name = markdown_escape(profile.name)
    period = f"from {_date(profile.start)} to {_date(profile.end)}"
    incidents = profile.incidents
    bullets = []
    if profile.kind == "site":
        facts = profile.facts
        where = ", ".join(markdown_escape(v) for v in (facts.get("province"),
                                                       facts.get("country")) if pd.notna(v))
        kind = markdown_escape(code_label("site_kind", facts["site_kind"]))
        bullets.append(f"**{name}** ({kind}{', ' + where if where else ''}): "
                       f"**{_plural(len(incidents), 'attack')}** recorded {period}"
                       + (f", the first on {_date(incidents['incident_date'].min())} and the "
                          f"last on {_date(incidents['incident_date'].max())}"
                          if len(incidents) > 1 else
                          f", on {_date(incidents['incident_date'].iloc[0])}"
                          if len(incidents) else "") + ".")
    else:
        kind = markdown_escape(code_label("actor_kind", profile.facts["actor_kind"]))
        bullets.append(f"**{name}** ({kind}) claimed **{_plural(len(profile.claimed), 'attack')}**"
                       f" {period}; a third party attributed **"
                       f"{_plural(len(profile.attributed), 'attack')}** to it.")
    if len(incidents):
        years = incidents["incident_date"].dt.year.value_counts().sort_index()
        bullets.append("By year: " + ", ".join(f"{year} {int(count):,}" for year, count in
                                               years.items()) + ".")
        weapons = _value_counts(incidents["weapon_type"].astype("string"))
        bullets.append("Main weapons: " + _counted(
            weapons, lambda code: code_label("weapon_type", code)) + ".")
    if profile.kind == "site" and len(incidents):
        neither = len(incidents) - int((incidents["claimed_by"].notna()
                                        | incidents["attributed_to"].notna()).sum())
        bullets.append(f"{_plural(len(profile.claimed), 'attack')} claimed, "
                       f"{len(profile.attributed):,} attributed by a third party, "
                       f"{neither:,} neither.")
    if profile.kind == "actor" and len(profile.attributed):
        by = _value_counts(profile.attributed["attributed_by"].astype("string"))
        if len(by):
            bullets.append(f"Attributed by {_counted(by)}.")
    if len(incidents):
        counts = incidents[_CASUALTY_COLUMNS]
        reporting = int(counts.notna().any(axis=1).sum())
        text = (f"Casualty figures are reported for {reporting:,} of the "
                f"{_plural(len(incidents), 'attack')}" if reporting else
                "No casualty figure is reported for "
                + ("this attack" if len(incidents) == 1 else "these attacks"))
        us = _casualty_words(incidents)
        if us is not None:
            text += f"; US service members: {us}"
        bullets.append(text + " (an empty figure means not reported, not zero).")
    if profile.kind == "actor":
        if len(profile.events):
            by_category = _value_counts(profile.events["category"].astype("string"))
            bullets.append(f"Named in {_plural(len(profile.events), 'political event')} of the "
                           f"period: {_counted(by_category, lambda c: code_label('category', c))}.")
        else:
            bullets.append("Named in no political event of the period.")
        bullets.append("Claims and attributions are as reported: an attribution is someone "
                       "else's accusation, not proof.")
    bullets.append(_PROFILE_CAVEAT)
    return "\n".join(f"- {text}" for text in bullets)
