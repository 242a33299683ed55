"""What a run made of each report and brief."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sitrep_analysis.render import ParameterError
from sitrep_analysis.schedule.config import ReportSpec


@dataclass
class Outcome:
    """What happened to one report in a run: ``rendered``, ``unchanged`` or ``failed``."""

    spec: ReportSpec
    status: str
    html: Path
    rendered_at: str | None = None  # of the HTML on disk, if any
    seconds: float = 0.0
    error: str | None = None
    failed_notebook: Path | None = None

    @property
    def summary(self) -> str:
        """The error's first line, or the status."""
        return self.error.splitlines()[0] if self.error else self.status


@dataclass
class ScheduleResult:
    outcomes: list[Outcome]
    index: Path
    seconds: float

    @property
    def ok(self) -> bool:
        return all(outcome.status != "failed" for outcome in self.outcomes)

    def count(self, status: str) -> int:
        return sum(outcome.status == status for outcome in self.outcomes)


@dataclass(frozen=True)
class BriefRow:
    """One brief on the index page."""

    incident_id: str
    incident_date: str
    title: str
    html: Path
    rendered_at: str | None
    error: str | None = None
    failed_notebook: Path | None = None


def error_text(error: Exception) -> str:
    if isinstance(error, ParameterError):
        return "parameters: " + "; ".join(error.problems) + "\n" + str(error)
    return str(error) or type(error).__name__
