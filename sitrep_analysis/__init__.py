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

#: Raised whenever the curated data or what the reports say changes (CHANGELOG.md); every
#: report's footer shows it.
__version__ = "0.2.0"

#: Names loaded on first use, from the module that defines them. pandas with pandera takes
#: about 0.4 s to import, Plotly (with nbformat and jsonschema) and SciPy seconds: `sitrep
#: schedule` with nothing to render needs none of them, `sitrep validate` neither of the last two.
_LAZY = {
    "DataValidationError": "data",
    "load_actors": "data",
    "load_all": "data",
    "load_claims": "data",
    "load_events": "data",
    "load_incidents": "data",
    "load_sites": "data",
    "load_sources": "data",
    "load_tallies": "data",
    "load_troop_levels": "data",
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
    "import_acled": "acled",
    "match_incidents": "acled",
}

__all__ = ["__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> object:
    if name in _LAZY:
        value = getattr(import_module(f"sitrep_analysis.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
