"""The index page of an output folder: every report, then the situation reports.

The page comes from the Jinja2 template ``templates/index.html.j2`` beside this module, with
autoescaping on: titles, parameters and error messages come from the config and the data.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from sitrep_analysis.schedule.outcomes import BriefRow, Outcome

if TYPE_CHECKING:
    import jinja2

INDEX_FILE = "index.html"
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


def _href(path: Path, folder: Path) -> str:
    return quote(os.path.relpath(path, folder))


def _shown_value(value: object) -> str:
    """A parameter value as the config would write it.

    >>> _shown_value("ain-al-asad"), _shown_value(dt.date(2020, 1, 8)), _shown_value([1, "a"])
    ('"ain-al-asad"', '2020-01-08', '[1, "a"]')
    """
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


@functools.cache
def _template() -> jinja2.Template:
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
                                     autoescape=True, undefined=jinja2.StrictUndefined,
                                     keep_trailing_newline=True)
    return environment.get_template("index.html.j2")


def _report_row(outcome: Outcome, output_dir: Path) -> dict[str, object]:
    exists = outcome.html.is_file()
    kept = outcome.failed_notebook
    return {
        "title": outcome.spec.title, "name": outcome.spec.name, "status": outcome.status,
        "href": _href(outcome.html, output_dir) if exists else None,
        "parameters": [(name, _shown_value(value))
                       for name, value in outcome.spec.parameters.items()],
        "rendered": outcome.rendered_at if outcome.rendered_at and exists else None,
        "summary": outcome.summary,
        "failed_href": _href(kept, output_dir) if kept is not None and kept.is_file() else None,
    }


def _brief_row(row: BriefRow, output_dir: Path) -> dict[str, object]:
    kept = row.failed_notebook
    return {"incident_date": row.incident_date, "title": row.title, "error": row.error,
            "rendered_at": row.rendered_at, "href": _href(row.html, output_dir),
            "failed_href": _href(kept, output_dir) if kept is not None and kept.is_file()
            else None}


def index_html(outcomes: list[Outcome], output_dir: Path,
               now: dt.datetime | None = None, briefs: list[BriefRow] | None = None) -> str:
    """The index page: one row per report (title linking its HTML when there is one, the
    parameters the config sets, the render time of the HTML on disk, the status with the first
    line of an error and a link to the kept failed notebook), then the situation reports
    (``briefs``, newest first; None leaves the section out). Every text is escaped; no script,
    no address outside the folder.

    >>> page = index_html([], Path("reports"), dt.datetime(2024, 1, 2, 3, 4, tzinfo=dt.UTC))
    >>> "2024-01-02 03:04:00 UTC" in page and "<script" not in page
    True
    """
    now = now or dt.datetime.now(dt.UTC)
    failed = sum(outcome.status == "failed" for outcome in outcomes)
    headline = (f"{failed} of {len(outcomes)} failed in the last run" if failed
                else f"{len(outcomes)} reports, all up to date")
    return _template().render(
        headline=headline, reports=[_report_row(o, output_dir) for o in outcomes],
        briefs=None if briefs is None else [_brief_row(b, output_dir) for b in briefs],
        written=now.strftime("%Y-%m-%d %H:%M:%S UTC"))
