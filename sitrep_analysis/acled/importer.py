"""The whole import, as ``sitrep import acled`` runs it (:func:`import_acled`): the stages in
order, and what it prints (:class:`ImportResult`).

Read (:mod:`.read`), select (:mod:`.select`), keep the selected attacks inside the incidents
table's coverage period (``columns.COVERAGE_START`` to ``COVERAGE_END``: the table's rules
refuse others, so they are listed in the report but not written), map (:mod:`.incidents`),
match against the curated incidents of the same country and the export's span of dates
(:mod:`.match`), then write, validate and swap in the data directory (:mod:`.write`). The
output folder is checked before the export is read, and nothing is written when any step
fails.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sitrep_analysis.acled.errors import AcledImportError, AcledOutputError
from sitrep_analysis.acled.incidents import to_incidents
from sitrep_analysis.acled.match import match_incidents
from sitrep_analysis.acled.read import AcledExport, export_countries, read_acled
from sitrep_analysis.acled.select import DEFAULT_RADIUS_KM, select_attacks
from sitrep_analysis.acled.text import counted
from sitrep_analysis.acled.write import (
    REPORT_FILES,
    check_out_dir,
    make_parents,
    move_into_place,
    output_error,
    remove_folders,
    write_descriptor,
    write_directory,
    write_manifest,
    write_reports,
    write_summary,
)
from sitrep_analysis.columns import COVERAGE_END, COVERAGE_START, FIELDS
from sitrep_analysis.parse import in_coverage_period


@dataclass
class ImportResult:
    """What :func:`import_acled` read, selected, wrote and matched."""

    out_dir: Path
    export: AcledExport
    report: pd.DataFrame
    incidents: pd.DataFrame
    matches: pd.DataFrame
    seconds: float = 0.0

    @property
    def counts(self) -> dict[str, int]:
        selected = self.report["selected"] if len(self.report) else pd.Series(dtype=bool)
        status = self.matches["status"].value_counts()
        return {
            "rows_in_file": self.export.rows_in_file,
            "country_rows": self.export.country_rows,
            "rejected_rows": self.export.rejected_rows,
            "candidates": len(self.report),
            "selected": int(selected.sum()),
            "not_selected": int((~selected).sum()),
            "outside_coverage": int(
                (selected & ~in_coverage_period(self.report["event_date"])).sum())
            if len(self.report) else 0,
            "written": len(self.incidents),
            **{f"matches_{name}": int(status.get(name, 0))
               for name in ("agree", "conflict", "imported_only", "curated_only")},
        }

    def summary(self) -> str:
        """The import in a few lines, as ``sitrep import acled`` prints it."""
        c, export = self.counts, self.export
        report = self.report
        lines = [
            f"Read {export.path.name}: ACLED export, {export.layout} column set"
            + (f", {export.encoding}" if export.encoding != "utf8" else "")
            + f", {counted(c['rows_in_file'], 'row')}; {c['country_rows']:,} in "
            + export.country + (" (from the cache)" if export.from_cache else ""),
        ]
        if c["rejected_rows"]:
            reasons = export.rejected["reason"].value_counts()
            lines.append(f"Rejected {counted(c['rejected_rows'], 'unreadable row')} (see "
                         f"{REPORT_FILES['rejected']}): " + ", ".join(
                             f"{reason} {n}" for reason, n in reasons.items()))
        else:
            lines.append("Rejected no row: every row could be read")
        if len(report):
            chosen = report[report["selected"]]
            lines.append(
                f"Selected {counted(c['selected'], 'attack')} on US or coalition forces (rules "
                f"met, a row may meet several: target actor {int(chosen['rule_actor'].sum())}, "
                f"notes {int(chosen['rule_notes'].sum())}, distance to a base "
                f"{int(chosen['rule_distance'].sum())}); "
                f"{counted(c['not_selected'], 'candidate')} left out (reasons in "
                f"{REPORT_FILES['report']})")
        else:
            lines.append("Selected no attack on US or coalition forces")
        outside = c["outside_coverage"]
        lines.append(f"Wrote {counted(c['written'], 'incident')} to {self.out_dir}"
                     + (f"; {counted(outside, 'selected attack')} "
                        f"{'lies' if outside == 1 else 'lie'} outside the coverage period "
                        f"{COVERAGE_START} to {COVERAGE_END} and "
                        f"{'is' if outside == 1 else 'are'} not written" if outside else ""))
        lines.append(
            f"Against the curated incidents: {c['matches_agree'] + c['matches_conflict']:,} "
            f"matched ({c['matches_agree']:,} agreeing, {c['matches_conflict']:,} in "
            f"conflict), {c['matches_imported_only']:,} only imported, "
            f"{c['matches_curated_only']:,} only curated (see {REPORT_FILES['matches']})")
        conflicts = self.matches[self.matches["status"].eq("conflict")]
        for row in conflicts.head(10).itertuples(index=False):
            lines.append(f"  conflict {row.curated_incident_id} / {row.acled_event_id}: "
                         f"{row.differences}")
        if len(conflicts) > 10:
            lines.append(f"  ... and {len(conflicts) - 10:,} more")
        return "\n".join(lines)


def import_acled(path: str | os.PathLike, country: str = "Iraq",
                 out_dir: str | os.PathLike | None = None, *,
                 base_dir: str | os.PathLike | None = None,
                 radius_km: float = DEFAULT_RADIUS_KM,
                 cache_dir: str | os.PathLike | None = None,
                 use_cache: bool = True) -> ImportResult:
    """Import an ACLED export into a data directory of the curated layout.

    ``out_dir`` (default ``acled-<country>`` in the working directory) receives
    ``incidents.csv`` (the selected attacks in the coverage period), the political events,
    troop levels, reported tallies, sites (plus places the import adds), actors and sources
    (plus one per ACLED event) of ``base_dir`` (default: the shipped data), an empty
    ``claims.csv``, a ``datapackage.json``, and the import's own files: ``import_report.csv``
    (every candidate and why it was selected or left out), ``import_rejected.csv`` (rows that
    could not be read, with the reason), ``import_matches.csv`` (see
    :func:`~.match.match_incidents`), ``import_summary.json`` and the manifest
    :data:`~.write.MANIFEST_NAME`, which lists every file the import wrote with its SHA-256.
    ``use_cache=False`` (``--no-cache``), or ``SITREP_NO_CACHE`` set to anything but ``0`` in
    the environment, neither reads nor writes the columnar cache in ``cache_dir``
    (:mod:`.cache`).

    The directory is built in a temporary folder beside ``out_dir``, validated with the
    workbook's own loader, and only then moved into place: a failure leaves nothing half
    written. An existing ``out_dir`` is replaced only when it is empty or holds nothing but
    the files its manifest lists, unchanged; anything else (a note, a subfolder, the export
    itself, a file edited since, a folder without a manifest) is refused before the export is
    read, and checked again at the moment of the swap.

    Raises :class:`~.errors.AcledFormatError` when the file is not an ACLED export,
    :class:`~.errors.AcledImportError` when it holds no row of ``country``,
    :class:`FileExistsError` when ``out_dir`` holds something else, and
    :class:`~.errors.AcledOutputError` (an ``OSError``) when the folder cannot be written
    (read-only, disk full). Nothing is written then.
    """
    from sitrep_analysis.data import default_data_dir, load_all, validate_dir

    started = time.perf_counter()
    if country not in (FIELDS["country"].allowed or {}):
        raise ValueError(f"country {country!r}: the workbook takes "
                         f"{', '.join(FIELDS['country'].allowed or {})}")
    out = Path(out_dir) if out_dir is not None else Path(f"acled-{country.lower()}")
    source = Path(path)
    check_out_dir(out, source)  # before the (possibly long) read
    base = Path(base_dir) if base_dir is not None else default_data_dir()
    curated = load_all(base)
    export = read_acled(source, country, cache_dir=cache_dir, use_cache=use_cache)
    if export.country_rows == 0:
        raise AcledImportError(_no_country_rows(export))
    report = select_attacks(export, curated.sites, radius_km=radius_km)
    chosen = report[report["selected"] & in_coverage_period(report["event_date"])]
    incidents, new_sites, new_sources = to_incidents(
        chosen, curated.sites, curated.actors, radius_km=radius_km,
        known_sources=curated.sources["source_id"].astype(str))
    report = report.assign(incident_id=pd.Series(pd.NA, index=report.index, dtype="string"))
    report.loc[chosen.index, "incident_id"] = incidents["incident_id"].to_numpy()
    outside = report["selected"] & report["incident_id"].isna()
    report["exclusion_reason"] = report["exclusion_reason"].mask(
        outside, f"outside the coverage period {COVERAGE_START} to {COVERAGE_END}")
    # the curated incidents the export could hold: same country, within the export's dates
    dates = export.table["event_date"]
    period = (pc.min(dates).as_py(), pc.max(dates).as_py()) if len(dates) else None
    comparable = curated.incidents[curated.incidents["country"].eq(country) & (
        period is not None)]
    with_deaths = incidents.assign(fatalities=chosen["fatalities"].to_numpy())
    matches = match_incidents(with_deaths, comparable, curated.sites, period=period)
    created = make_parents(out)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as error:
        remove_folders(created)
        raise output_error(out, error) from error
    try:
        # mkdtemp makes the folder private (0700); the data directory is as readable as the
        # one it replaces, or as an ordinary new folder
        staging.chmod(out.stat().st_mode & 0o777 if out.is_dir() else 0o755)
        write_directory(staging, base, incidents, new_sites, new_sources)
        validate_dir(staging)  # the workbook's own checks: never move an invalid folder in
        write_descriptor(staging, export, base)
        result = ImportResult(out, export, report, incidents, matches)
        write_reports(staging, result)
        result.seconds = time.perf_counter() - started
        write_summary(staging, result, base, radius_km)
        write_manifest(staging)
        move_into_place(staging, out, source)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        remove_folders(created)
        if isinstance(error, OSError) and not isinstance(error, FileExistsError
                                                         | AcledOutputError):
            raise output_error(out, error) from error
        raise
    return result


def _no_country_rows(export: AcledExport) -> str:
    """Why an export with no row of the country cannot be imported, naming what it holds."""
    name, country = export.path.name, export.country
    try:
        countries = export_countries(export.path, export.encoding)
    except (OSError, pa.ArrowException, AcledImportError):
        countries = pd.Series(dtype="int64")
    if export.rows_in_file == 0 or countries.empty:
        return f"{name} holds no event rows, only its header: nothing was written"
    shown = ", ".join(f"{place} ({counted(int(n), 'row')})"
                      for place, n in countries.head(8).items())
    if len(countries) > 8:
        shown += f" and {counted(len(countries) - 8, 'other country', 'other countries')}"
    return f"{name} holds no rows of {country}; its rows are of {shown}: nothing was written"
