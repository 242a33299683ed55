"""Situation reports: one attack, written from the data the way analysts write them.

``write_brief(dataset, incident_id)`` gathers the facts (:mod:`.facts`), assesses who is
behind the attack by a stated rule (:mod:`.assessment`), and writes the sections with a
numbered source marker after every sentence (:mod:`.writer`, :mod:`.citations`).
Notebook ``04_situation_report.ipynb`` and ``sitrep brief`` show it (:mod:`.report`), and
``sitrep schedule`` writes one per new incident (:mod:`.schedule`).

Names load on first use: the scheduler reads :mod:`.schedule` and :mod:`.report` without
pandas.
"""

from __future__ import annotations

from importlib import import_module

_LAZY = {
    "Assessment": "assessment",
    "assess_culprit": "assessment",
    "IncidentNotFound": "facts",
    "closest_incident_ids": "facts",
    "find_incident": "facts",
    "latest_incident_id": "facts",
    "Brief": "writer",
    "write_brief": "writer",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(import_module(f"sitrep_analysis.brief.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'sitrep_analysis.brief' has no attribute {name!r}")
