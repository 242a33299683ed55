"""The incidents new since a report's last successful render (ids kept by `sitrep schedule`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from sitrep_analysis.columns import code_label
from sitrep_analysis.narrative.text import markdown_escape, plural


def previous_incident_ids(path: str | os.PathLike | None) -> set[str] | None:
    """The incident ids seen at the report's last successful render: the JSON list of strings
    at ``path`` (written by ``sitrep schedule``), or ``None`` when ``path`` is ``None`` or
    ``""`` (a first render). A file that is not such a list raises ``ValueError``."""
    if path is None or str(path).strip() in ("", "None"):
        return None
    file = Path(path)
    try:
        ids = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{file} is not JSON ({error}); expected a list of incident ids "
                         "like [\"2020-01-08-ain-al-asad\"]") from None
    if not isinstance(ids, list) or not all(isinstance(item, str) for item in ids):
        raise ValueError(f"{file} holds {type(ids).__name__} data; expected a JSON list of "
                         "incident ids (strings)")
    return set(ids)


def _incident_line(row: pd.Series) -> str:
    """One incident as a Markdown bullet: date, place, weapon, notes, sources (escaped)."""
    parts = [f"{row['incident_date']:%Y-%m-%d}, {markdown_escape(row['site_name'])}",
             markdown_escape(code_label("weapon_type", row["weapon_type"]))]
    text = "- " + ": ".join(parts) + "."
    if "notes" in row and pd.notna(row["notes"]):
        text += f" {markdown_escape(row['notes'])}."
    if "sources" in row and pd.notna(row["sources"]):
        text += f" Sources: {markdown_escape(row['sources'])}."
    return text


def new_since_last_report(incidents: pd.DataFrame,
                          previous_incident_ids_path: str | os.PathLike | None, *,
                          all_incidents: pd.DataFrame | None = None) -> str:
    """Markdown: the incidents of this report whose ids were not in the data at its last
    successful render (the JSON list at ``previous_incident_ids_path``), oldest first.

    ``incidents`` are the ones the report shows. On a first render (no path) it says so and
    marks nothing as new. With ``all_incidents`` (the whole table) it also says how many new
    incidents fall outside the report's selection and which ids seen last time are gone.
    """
    seen = previous_incident_ids(previous_incident_ids_path)
    shown = len(incidents)
    if seen is None:
        return ("**First render:** there is no earlier render of this report to compare with "
                "(no list of previously seen incidents was given), so no incident is marked as "
                f"new. This report shows {plural(shown, 'incident')}.")
    is_new = ~incidents["incident_id"].astype(str).isin(seen)
    new = incidents[is_new].sort_values(["incident_date", "incident_id"], kind="stable")
    last_time = f"the last render saw {plural(len(seen), 'incident id')} in the data"
    if new.empty:
        lines = [f"**Nothing new:** every one of the {plural(shown, 'incident')} shown was "
                 f"already in the data at the last render of this report ({last_time})."]
    else:
        verb = "is" if len(new) == 1 else "are"
        lines = [f"**{plural(len(new), 'incident')}** shown here {verb} new since the last "
                 f"render of this report ({last_time}):", ""]
        lines += [_incident_line(row) for _, row in new.iterrows()]
    if all_incidents is not None:
        ids = all_incidents["incident_id"].astype(str)
        elsewhere = int((~ids.isin(seen) & ~ids.isin(incidents["incident_id"].astype(str)))
                        .sum())
        gone = sorted(seen - set(ids))
        notes = []
        if elsewhere:
            notes.append(f"{plural(elsewhere, 'new incident')} in the data "
                         f"{'falls' if elsewhere == 1 else 'fall'} outside this report's "
                         "selection.")
        if gone:
            listed = ", ".join(markdown_escape(item) for item in gone[:10])
            more = f" and {len(gone) - 10:,} more" if len(gone) > 10 else ""
            notes.append(f"{plural(len(gone), 'incident id')} seen last time "
                         f"{'is' if len(gone) == 1 else 'are'} no longer in the data (removed "
                         f"or renamed): {listed}{more}.")
        if notes:
            lines += ["", " ".join(notes)]
    return "\n".join(lines)
