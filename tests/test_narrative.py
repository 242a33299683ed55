"""Plain-words summary, caveats and the incident source table."""

from __future__ import annotations

import doctest

import pandas as pd
import pytest

import sitrep_analysis.analysis
import sitrep_analysis.figures
import sitrep_analysis.narrative
import sitrep_analysis.render
from sitrep_analysis.columns import TABLES
from sitrep_analysis.narrative import (
    coverage_notes,
    incident_sources,
    styled_table,
    tempo_summary,
)
from tests.sample_data import incidents_frame


def test_tempo_summary_counts_and_busiest_weeks():
    text = tempo_summary(incidents_frame(), "2019-12-01", "2020-03-31")
    assert "**9 attacks**" in text
    assert "5 of the 19 weeks" in text  # weeks of 2019-11-25 .. 2020-03-30
    # ties (3 and 3) listed earlier first, then the earliest week with 1
    assert ("Busiest weeks: week of 2 December 2019: 3 attacks; week of 30 December 2019: "
            "3 attacks; week of 9 December 2019: 1 attack.") in text
    assert "rocket 5" in text
    assert "not a complete count" in text


def test_tempo_summary_of_an_empty_range():
    text = tempo_summary(incidents_frame(), "2021-01-01", "2021-02-01")
    assert "**0 attacks**" in text and "None of the recorded incidents" in text


def test_coverage_notes_repeat_every_table_warning():
    notes = coverage_notes()
    for name in ("incidents", "political_events", "troop_levels"):
        for warning in TABLES[name].warnings:
            assert warning in notes


def test_incident_sources_lists_each_incident_in_range_with_its_sources():
    table = incident_sources(incidents_frame(), "2019-12-30", "2020-01-31")
    assert list(table.columns) == ["incident_date", "site_name", "weapon", "sources"]
    assert list(table["incident_date"]) == [pd.Timestamp(d) for d in
                                            ("2019-12-31", "2020-01-02", "2020-01-05",
                                             "2020-01-13")]
    assert list(table["weapon"]) == ["rocket", "IED (roadside bomb)", "rocket", "rocket"]
    assert list(table.index) == [1, 2, 3, 4]


def test_styled_table_shows_every_row_and_escapes_text():
    frame = incident_sources(incidents_frame(), "2019-12-01", "2020-03-31")
    frame.loc[1, "sources"] = "<script>alert(1)</script> & co"
    frame = pd.concat([frame] * 20, ignore_index=True)  # 180 rows: more than pandas shows
    html = styled_table(frame).to_html()
    assert html.count("<tr>") == len(frame) + 1
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert ">2019-12-03<" in html
    assert ">Sources<" in html


@pytest.mark.parametrize("module", [sitrep_analysis.analysis, sitrep_analysis.figures,
                                    sitrep_analysis.narrative, sitrep_analysis.render],
                         ids=lambda module: module.__name__)
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
