"""A brief rendered as a report: notebook ``04_situation_report.ipynb`` through the same
Papermill and nbconvert path as every report (offline, code hidden, provenance footer).

The incident id is checked against the data before any kernel starts, so a mistyped id costs
a second, not a render, and the reader gets the closest ids instead of a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from sitrep_analysis.render import (
    DEFAULT_TIMEOUT_SECONDS,
    PACKAGE_ROOT,
    RenderedReport,
    render_report,
)

if TYPE_CHECKING:
    from sitrep_analysis.data import Dataset

#: The brief's notebook: the checkout's, else the copy an installed package carries (as
#: :func:`sitrep_analysis.data.default_data_dir` finds the data).
_NOTEBOOK_NAME = "04_situation_report.ipynb"
BRIEF_NOTEBOOK = (PACKAGE_ROOT / "notebooks" / _NOTEBOOK_NAME
                  if (PACKAGE_ROOT / "notebooks" / _NOTEBOOK_NAME).is_file()
                  else Path(__file__).resolve().parent.parent / "notebooks" / _NOTEBOOK_NAME)
#: Where ``sitrep brief`` writes when no output is given, relative to the working folder.
DEFAULT_BRIEF_DIR = Path("reports") / "briefs"


def brief_filename(incident_id: str) -> str:
    """The file a brief is written to: ``brief_<incident id>.html``."""
    return f"brief_{incident_id}.html"


def page_title(dataset: Dataset, incident_id: str) -> str:
    """The page title of the brief on ``incident_id`` (raises ``IncidentNotFound``)."""
    from sitrep_analysis.brief.facts import find_incident
    from sitrep_analysis.brief.writer import brief_title

    return "Situation report: " + brief_title(find_incident(dataset.incidents, incident_id),
                                              markdown=False)


def render_brief(dataset: Dataset, incident_id: str, output_html: str | os.PathLike,
                 data_dir: str | os.PathLike | None = None,
                 timeout: float | None = DEFAULT_TIMEOUT_SECONDS) -> RenderedReport:
    """Render the brief on ``incident_id`` of ``dataset`` (loaded from ``data_dir``, None for
    the shipped data) to ``output_html``; returns the :class:`render.RenderedReport`.
    Raises ``IncidentNotFound`` before rendering when the id is unknown, and
    :class:`render.RenderError` when the render fails (the last good file stays)."""
    title = page_title(dataset, incident_id)
    parameters: dict[str, object] = {"incident_id": incident_id}
    if data_dir is not None:
        parameters["data_dir"] = str(data_dir)
    return render_report(BRIEF_NOTEBOOK, output_html, parameters, title=title, timeout=timeout)
