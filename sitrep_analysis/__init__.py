"""sitrep-analysis: attacks on US and coalition forces in Iraq, against political events.

Load the curated, validated data in one call::

    from sitrep_analysis import load_incidents, load_events, load_troop_levels
    incidents = load_incidents()
"""

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
]
