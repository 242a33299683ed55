"""Which incidents get a brief in a scheduled run: those new since the last run, and only
those; on a first run (no state yet), only the incidents of the last ``first_run_days`` days,
never a flood of briefs for the whole history.

"The last N days" ends at the newest incident in the data, not at today: a data folder
updated each morning gives the same answer either way, and an archive (such as the shipped
2019-2024 data) still gets its latest month of briefs instead of none.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

#: Default look-back of a first run, in days.
FIRST_RUN_DAYS = 30


@dataclass(frozen=True)
class IncidentStub:
    """What the scheduler needs of an incident without loading the data: its id, date and
    the fields of a brief's title."""

    incident_id: str
    incident_date: dt.date
    row: Mapping[str, str]

    def title(self) -> str:
        """The page title of its brief (as ``sitrep brief`` gives it)."""
        import pandas as pd

        from sitrep_analysis.brief.writer import brief_title

        fields: dict[str, object] = {name: pd.NA if value == "" else value
                                     for name, value in self.row.items()}
        fields["incident_date"] = pd.Timestamp(self.incident_date)
        return "Situation report: " + brief_title(pd.Series(fields, dtype=object),
                                                  markdown=False)


def read_incident_stubs(data_dir: str | Path) -> list[IncidentStub]:
    """The incidents of ``data_dir/incidents.csv``, read with the csv module (the brief's
    notebook validates the data itself). Rows without an id or a readable date are skipped:
    the render of any brief then reports the data's problem."""
    stubs = []
    with (Path(data_dir) / "incidents.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                day = dt.date.fromisoformat(row.get("incident_date") or "")
            except ValueError:
                continue
            if row.get("incident_id"):
                stubs.append(IncidentStub(row["incident_id"], day, row))
    return stubs


def incidents_to_brief(stubs: Iterable[IncidentStub], seen_ids: Iterable[str] | None,
                       first_run_days: int = FIRST_RUN_DAYS) -> list[IncidentStub]:
    """The incidents a run writes briefs for, newest first.

    ``seen_ids`` are the incidents earlier runs accounted for (``None``: there was no earlier
    run); every other incident is new. On a first run only the incidents dated within
    ``first_run_days`` days of the newest one are.

    >>> stubs = [IncidentStub(f"i{d}", dt.date(2024, 1, d), {}) for d in (1, 20, 31)]
    >>> [s.incident_id for s in incidents_to_brief(stubs, None, 15)]
    ['i31', 'i20']
    >>> [s.incident_id for s in incidents_to_brief(stubs, ["i1", "i31"])]
    ['i20']
    """
    stubs = list(stubs)
    if seen_ids is None:
        if not stubs:
            return []
        newest = max(stub.incident_date for stub in stubs)
        first = newest - dt.timedelta(days=first_run_days)
        chosen = [stub for stub in stubs if stub.incident_date > first]
    else:
        seen = set(seen_ids)
        chosen = [stub for stub in stubs if stub.incident_id not in seen]
    return sorted(chosen, key=lambda stub: (stub.incident_date, stub.incident_id), reverse=True)
