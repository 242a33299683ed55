"""Situation reports: one attack, written from the data the way analysts write them.

``write_brief(dataset, incident_id)`` gathers the facts (:mod:`.facts`), assesses who is
behind the attack by a stated rule (:mod:`.assessment`), and writes the sections with a
numbered source marker after every sentence (:mod:`.writer`, :mod:`.citations`).
Notebook ``04_situation_report.ipynb`` and ``sitrep brief`` show it.
"""

from sitrep_analysis.brief.assessment import Assessment, assess_culprit
from sitrep_analysis.brief.facts import (
    IncidentNotFound,
    closest_incident_ids,
    find_incident,
    latest_incident_id,
)
from sitrep_analysis.brief.writer import Brief, write_brief

__all__ = [
    "Assessment",
    "Brief",
    "IncidentNotFound",
    "assess_culprit",
    "closest_incident_ids",
    "find_incident",
    "latest_incident_id",
    "write_brief",
]
