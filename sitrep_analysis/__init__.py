"""sitrep-analysis: attacks on US and coalition forces in Iraq, against political events.

Load the curated, validated data in one call::

    from sitrep_analysis import load_incidents, load_events, load_troop_levels
    incidents = load_incidents()

In a report notebook, call ``use_offline_figures()`` first so figures draw in the exported HTML
with no network (see :mod:`sitrep_analysis.figures`).
"""

from __future__ import annotations

from sitrep_analysis.data import (
    DataValidationError,
    load_actors,
    load_all,
    load_claims,
    load_events,
    load_incidents,
    load_sites,
    load_sources,
    load_troop_levels,
)

__version__ = "0.1.0"

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
    "load_troop_levels",
    "use_offline_figures",
]


def __getattr__(name: str) -> object:
    # Plotly (and, through it, nbformat and jsonschema) cost about 2 s to import: load the
    # figures module only when a notebook asks for it, not for every `sitrep` command.
    if name == "use_offline_figures":
        from sitrep_analysis.figures import use_offline_figures

        return use_offline_figures
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
