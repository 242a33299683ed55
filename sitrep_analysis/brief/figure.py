"""The brief's one figure: weekly attacks in the attack's country over the half-year up to it,
with US troop levels, so the tempo section's numbers can be seen. The events of the period are
left out of the figure: the brief names those that matter, with their sources, in the text,
and a printed brief keeps to about two pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from sitrep_analysis.analysis import select_incidents
from sitrep_analysis.brief.facts import find_incident
from sitrep_analysis.figures import timeline_figure

if TYPE_CHECKING:
    from sitrep_analysis.data import Dataset

#: How far back the brief's timeline reaches.
TIMELINE_DAYS = 182
#: The bars' height: lower than the reports' (320 px), so a printed brief keeps to two pages.
BARS_PX = 100


def brief_timeline_figure(dataset: Dataset, incident_id: str) -> go.Figure:
    """Attacks per week in the incident's country (claim-only attacks left out, as in the
    tempo section) from :data:`TIMELINE_DAYS` days before the attack to its day, with US
    troop levels."""
    incident = find_incident(dataset.incidents, incident_id)
    end = incident["incident_date"]
    start = end - pd.Timedelta(days=TIMELINE_DAYS)
    attacks = select_incidents(dataset.incidents, start=start, end=end,
                               countries=[str(incident["country"])], include_claim_only=False)
    no_events = dataset.political_events.iloc[0:0]
    return timeline_figure(attacks, no_events, dataset.troop_levels, freq="W", start=start,
                           end=end, bars_px=BARS_PX)
