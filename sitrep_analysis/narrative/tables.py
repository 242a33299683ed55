"""Display tables: one escaping table style, and the source lists every report ends with."""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from sitrep_analysis.analysis import DateLike, select_incidents
from sitrep_analysis.columns import COVERAGE_END, COVERAGE_START, TABLES, code_label


def coverage_notes() -> str:
    """Markdown bullets: coverage period and every usage warning of the tables the report
    uses (incidents, political events, troop levels), taken from the column dictionary."""
    lines = [f"- Incidents cover {COVERAGE_START} to {COVERAGE_END}."]
    for name in ("incidents", "political_events", "troop_levels"):
        table = TABLES[name]
        lines += [f"- *{table.title}*: {warning}" for warning in table.warnings]
    return "\n".join(lines)


def incident_sources(incidents: pd.DataFrame, start: DateLike = None,
                     end: DateLike = None) -> pd.DataFrame:
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


def styled_table(table: pd.DataFrame) -> Styler:
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
