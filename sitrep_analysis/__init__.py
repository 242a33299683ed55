"""sitrep-analysis: attacks on US and coalition forces in Iraq, against political events.

Load the curated, validated data in one call, then analyse and draw::

    import sitrep_analysis as sa
    data = sa.load_all()
    sa.timeline_figure(data.incidents, data.political_events, data.troop_levels)

In a report notebook, call ``use_offline_figures()`` first so figures draw in the exported HTML
with no network (see :mod:`sitrep_analysis.figures`).
"""

from __future__ import annotations

from importlib import import_module

from sitrep_analysis.data import (
    DataValidationError,
    load_actors,
    load_all,
    load_claims,
    load_events,
    load_incidents,
    load_sites,
    load_sources,
    load_tallies,
    load_troop_levels,
)

__version__ = "0.1.0"

#: Names loaded on first use: Plotly (with nbformat and jsonschema) and SciPy take seconds to
#: import, and `sitrep validate` needs neither.
_LAZY = {
    "attack_breakdown": "analysis",
    "attack_counts": "analysis",
    "event_windows": "analysis",
    "rate_ratio_test": "analysis",
    "troop_level_steps": "analysis",
    "breakdown_figure": "figures",
    "event_forest_figure": "figures",
    "projectile_range_figure": "figures",
    "timeline_figure": "figures",
    "use_offline_figures": "figures",
    "incident_map_figure": "maps",
    "event_window_sentences": "narrative",
}

__all__ = [
    "DataValidationError",
    "__version__",
    "load_actors",
    "load_all",
    "load_claims",
    "load_events",
    "load_incidents",
    "load_sites",
    "load_sources",
    "load_tallies",
    "load_troop_levels",
    *sorted(_LAZY),
]


def __getattr__(name: str) -> object:
    if name in _LAZY:
        value = getattr(import_module(f"sitrep_analysis.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
