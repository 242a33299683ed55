"""An IPython extension a report kernel loads as it starts: import what every report imports.

The render starts its kernel before its own imports (see :mod:`.kernel`), so this runs on the
second core while the render process is busy; a report's first cell then finds pandas, Plotly
and the workbook's modules loaded. An import that fails here is left for the report's own
cell to raise, where the failed notebook shows it.
"""

from __future__ import annotations

import contextlib
import gc
import importlib

#: What the shipped report notebooks import, heaviest first (pandas alone is about 0.3 s).
REPORT_MODULES = (
    "pandas",
    "plotly.graph_objects",
    "sitrep_analysis.analysis",
    "sitrep_analysis.coverage",
    "sitrep_analysis.data",
    "sitrep_analysis.figures",
    "sitrep_analysis.maps",
    "sitrep_analysis.narrative",
)


def load_ipython_extension(ipython: object) -> None:
    """Import :data:`REPORT_MODULES` (IPython calls this with the kernel's shell), then set
    what they hold aside from the cyclic garbage collector (``gc.freeze``): the kernel lives for
    one report, and a full collection over every module's objects otherwise interrupts its
    figures about once a report."""
    for name in REPORT_MODULES:
        with contextlib.suppress(Exception):  # the report's own import shows the error
            importlib.import_module(name)
    gc.freeze()
