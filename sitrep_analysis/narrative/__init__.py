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

One module per report part: :mod:`.text` (shared words and Markdown safety), :mod:`.tables`,
:mod:`.coverage`, :mod:`.new_incidents`, :mod:`.tempo`, :mod:`.event_study`, :mod:`.profile`.
"""

from __future__ import annotations

from sitrep_analysis.narrative.coverage import coverage_findings, coverage_table
from sitrep_analysis.narrative.event_study import (
    event_study_findings,
    event_study_method_notes,
    event_window_sentence,
    event_window_sentences,
    event_window_table,
)
from sitrep_analysis.narrative.new_incidents import new_since_last_report, previous_incident_ids
from sitrep_analysis.narrative.profile import (
    actor_fact_sheet,
    casualty_summary,
    casualty_table,
    incident_table,
    profile_claims,
    profile_events,
    profile_facts,
    profile_findings,
    site_fact_sheet,
)
from sitrep_analysis.narrative.tables import (
    coverage_notes,
    event_sources,
    incident_sources,
    styled_table,
)
from sitrep_analysis.narrative.tempo import tempo_findings
from sitrep_analysis.narrative.text import markdown_escape

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
