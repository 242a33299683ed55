"""Write the data directory of an import: the data files, the side files meant for
spreadsheets, the summary and the manifest, built beside ``--out`` and swapped in whole.

The output folder
-----------------
The manifest (:data:`MANIFEST_NAME`) lists every file the import wrote, with its SHA-256: a
later import replaces exactly those, and refuses (exit 1, one line, nothing written) a folder
holding anything else — a note, a subfolder, the export itself, a listed file changed since,
or any content without a manifest (:func:`check_out_dir`). An empty folder is fine. The new
directory is built in a temporary folder beside ``--out``, and :func:`move_into_place` swaps it
in: the old import is moved aside, checked again, and removed only after the new one is in
place, so ``--out`` always holds one whole import. A read-only folder, a full disk or any other
failed write is one line too (:class:`~.errors.AcledOutputError`), and the earlier import
stays.

The files
---------
The data files the loaders read (``incidents.csv`` and the rest, :func:`write_directory`) keep
ACLED's text as it is. The side files meant for spreadsheets (:data:`REPORT_FILES`:
``import_report.csv``, ``import_rejected.csv``, ``import_matches.csv``) quote every text cell
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return with a leading ``'``, as
spreadsheet exports do, so opening one runs no formula: ACLED's notes and actor names are
free text from many hands. Numeric columns (coordinates, distances, row numbers, days apart)
are written as numbers, negative ones too, since a number is not a formula.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sitrep_analysis.acled.errors import AcledOutputError
from sitrep_analysis.acled.read import AcledExport
from sitrep_analysis.acled.select import CITY_RADIUS_KM
from sitrep_analysis.acled.text import arrow_text, matches
from sitrep_analysis.columns import COVERAGE_END, COVERAGE_START, TABLES

if TYPE_CHECKING:
    from sitrep_analysis.acled.importer import ImportResult

REPORT_FILES = {"report": "import_report.csv", "rejected": "import_rejected.csv",
                "matches": "import_matches.csv", "summary": "import_summary.json"}
#: The list of files an import wrote, with their SHA-256: only those are ever replaced.
MANIFEST_NAME = ".sitrep-import-manifest.json"
#: A text cell starting with one of these is run as a formula by spreadsheets.
_FORMULA_START = r"^[=+\-@\t\r]"
_REPORT_COLUMNS = ["row", "event_id_cnty", "event_date", "event_type", "sub_event_type",
                   "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "location",
                   "latitude", "longitude", "selected", "selection_reason", "exclusion_reason",
                   "near_site_id", "near_site_km", "incident_id", "notes"]


# --- the output folder ------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_manifest(folder: Path) -> dict[str, str] | None:
    """The files (name -> SHA-256) the manifest in ``folder`` lists; None without a readable
    manifest."""
    path = folder / MANIFEST_NAME
    if path.is_symlink() or not path.is_file():
        return None
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(files, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k == Path(k).name
            for k, v in files.items()):
        return None
    return files


def _listing(names: list[str], most: int = 6) -> str:
    return ", ".join(names[:most]) + (f" and {len(names) - most:,} more"
                                      if len(names) > most else "")


def _foreign_content(folder: Path, export: Path | None) -> str | None:
    """What in ``folder`` an import may not replace, in words (None when nothing): any entry
    its manifest does not list (all of them without a manifest), and listed files changed
    since the import wrote them."""
    entries = sorted(folder.iterdir(), key=lambda entry: entry.name)
    if not entries:
        return None
    exported = export.resolve() if export is not None else None

    def shown(entry: Path) -> str:
        name = entry.name + ("/" if entry.is_dir() and not entry.is_symlink() else "")
        if exported is not None and entry.resolve() == exported:
            name += " (the export being imported)"
        return name

    files = _read_manifest(folder)
    if files is None:
        why = ("an unreadable import manifest" if (folder / MANIFEST_NAME).exists()
               else f"no import manifest {MANIFEST_NAME}")
        return (f"files an ACLED import did not write ({_listing([shown(e) for e in entries])}"
                f"; the folder has {why})")
    foreign, changed = [], []
    for entry in entries:
        regular = entry.is_file() and not entry.is_symlink()
        if entry.name == MANIFEST_NAME and regular:
            continue
        if entry.name not in files or not regular:
            foreign.append(shown(entry))
        elif _sha256(entry) != files[entry.name]:
            changed.append(entry.name)
    found = []
    if foreign:
        found.append(f"files an ACLED import did not write ({_listing(foreign)})")
    if changed:
        found.append(f"files changed since the import wrote them ({_listing(changed)})")
    return " and ".join(found) or None


def _refusal(out: Path, found: str) -> FileExistsError:
    return FileExistsError(f"{out} holds {found}: move them elsewhere or choose another --out "
                           "folder (an earlier import's own files are replaced); nothing was "
                           "written")


def check_out_dir(out: Path, export: Path | None = None) -> None:
    """Refuse an ``out`` that is not a folder, is read-only, or holds anything an import may
    not replace (see :func:`_foreign_content`); an empty or missing one is fine."""
    if out.is_symlink():
        raise FileExistsError(f"{out} is a symbolic link: give the folder it points to")
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a folder")
    if out.is_dir():
        if not os.access(out, os.W_OK):
            raise AcledOutputError(f"{out} is read-only: choose another --out folder; nothing "
                                   "was written")
        found = _foreign_content(out, export)
        if found:
            raise _refusal(out, found)
    parent = out.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not os.access(parent, os.W_OK):
        raise AcledOutputError(f"cannot write the data directory {out}: {parent} is "
                               "read-only; nothing was written")


def output_error(out: Path, error: OSError) -> AcledOutputError:
    """One line on a write that failed (disk full, read-only file system, ...)."""
    reason = error.strerror or str(error) or type(error).__name__
    kept = "; the earlier import there is unchanged" if _read_manifest(out) else ""
    wrapped = AcledOutputError(f"cannot write the data directory {out}: {reason}; nothing "
                               f"was written{kept}")
    wrapped.errno = error.errno
    return wrapped


def make_parents(out: Path) -> list[Path]:
    """Create the folders above ``out`` that are missing; return them, deepest first, so a
    failed import removes them again (:func:`remove_folders`)."""
    missing = []
    folder = out.absolute().parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    made: list[Path] = []
    try:
        for folder in reversed(missing):
            folder.mkdir()
            made.insert(0, folder)
    except OSError as error:
        remove_folders(made)
        raise output_error(out, error) from error
    return made


def remove_folders(folders: list[Path]) -> None:
    """Remove the (empty) folders, deepest first; stop at the first that cannot be."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def write_manifest(folder: Path) -> None:
    """The manifest: every file in ``folder`` with its SHA-256 (written last)."""
    from sitrep_analysis import __version__

    files = {path.name: _sha256(path) for path in sorted(folder.iterdir()) if path.is_file()}
    manifest = {"written_by": "sitrep import acled", "sitrep_analysis_version": __version__,
                "note": "The files this ACLED import wrote, with their SHA-256. A later import "
                        "into this folder replaces these files only, and refuses if the folder "
                        "holds anything else or one of them was changed.",
                "files": files}
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n",
                                        encoding="utf-8")


def move_into_place(staging: Path, out: Path, export: Path | None = None) -> None:
    """Swap the finished folder in: the old import (if any) is moved aside first, checked
    again (nothing may have been added meanwhile: if something was, it is moved back and the
    import refused), and only the files its manifest lists are removed after, so ``out``
    always holds one whole import or is briefly absent, never half of one."""
    if not out.exists() and not out.is_symlink():
        os.replace(staging, out)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
    aside.rmdir()
    os.replace(out, aside)
    try:
        found = _foreign_content(aside, export)
        if found:
            raise _refusal(out, found)
        os.replace(staging, out)
    except BaseException:
        if not out.exists():
            os.replace(aside, out)
        raise
    for name in [*(_read_manifest(aside) or {}), MANIFEST_NAME]:
        (aside / name).unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # something that appeared in the instant between
        aside.rmdir()                    # the check and the swap is kept


# --- the files --------------------------------------------------------------------------------

def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", na_rep="")


def _spreadsheet_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell that starts like a formula (``=``, ``+``, ``-``, ``@``,
    tab or carriage return) prefixed with ``'``, as spreadsheet exports do, so opening the
    side files runs nothing. Only text columns: numeric columns (coordinates, distances, row
    numbers) keep their values, negative ones included, since a number is not a formula."""
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        risky = matches(arrow_text(values), _FORMULA_START)
        if risky.any():
            cells = values.to_numpy(dtype=object, copy=True)
            cells[risky] = ["'" + str(cell) for cell in cells[risky]]  # the few risky cells
            safe[column] = pd.Series(cells, index=values.index, dtype=object)
    return safe


def write_directory(folder: Path, base: Path, incidents: pd.DataFrame,
                    new_sites: pd.DataFrame, new_sources: pd.DataFrame) -> None:
    """The data directory: imported incidents, the base data's tables copied, sites and
    sources extended, claims empty (the base data's claims are about its own incidents)."""
    for name in ("political_events", "troop_levels", "actors", "actor_memberships",
                 "reported_tallies"):
        source = base / TABLES[name].filename
        if source.is_file():
            shutil.copyfile(source, folder / TABLES[name].filename)
    for name, extra in (("sites", new_sites), ("sources", new_sources)):
        curated = pd.read_csv(base / TABLES[name].filename, dtype=str, keep_default_na=False)
        _write_csv(pd.concat([curated, extra.astype(object)], ignore_index=True)
                   .reindex(columns=list(TABLES[name].columns)), folder / TABLES[name].filename)
    _write_csv(pd.DataFrame(columns=list(TABLES["claims"].columns)),
               folder / TABLES["claims"].filename)
    _write_csv(incidents.reindex(columns=list(TABLES["incidents"].columns)),
               folder / TABLES["incidents"].filename)


def write_descriptor(folder: Path, export: AcledExport, base: Path) -> None:
    """datapackage.json from the dictionary, describing the data as derived from ACLED, with
    the other tables credited to the data folder they were copied from."""
    from sitrep_analysis.data import default_data_dir
    from sitrep_analysis.datapackage import DESCRIPTOR_NAME, build_descriptor

    copied = "political events, troop levels, gazetteer and actors"
    if base.resolve() == default_data_dir().resolve():
        tables = f"the workbook's curated {copied}"
        copied_from = f"sitrep-analysis maintainers ({copied})"
    else:
        tables = f"the {copied} of the data folder {base.name}"
        copied_from = f"the data folder {base.name} ({copied})"
    descriptor = build_descriptor(folder)
    descriptor.update(
        name="sitrep-acled-import",
        title=f"Attacks on US and coalition forces in {export.country}, imported from ACLED",
        description=(
            f"Attacks on US and coalition forces selected from the analyst's ACLED export "
            f"{export.path.name} by `sitrep import acled` (rules and reasons in "
            f"{REPORT_FILES['report']}), with {tables}. The incidents are ACLED's data: "
            "ACLED's terms of use apply and forbid redistributing them."),
        licenses=[{"name": "ACLED-terms-of-use",
                   "title": "ACLED Terms of Use (the analyst's own licence to the export; "
                            "not for redistribution)"}],
        contributors=[{"title": "ACLED (Armed Conflict Location & Event Data)",
                       "role": "author"},
                      {"title": copied_from, "role": "contributor"}],
    )
    (folder / DESCRIPTOR_NAME).write_text(json.dumps(descriptor, indent=2, ensure_ascii=False)
                                          + "\n", encoding="utf-8")


def write_reports(folder: Path, result: ImportResult) -> None:
    """The side files meant for spreadsheets, their text cells made safe to open (see
    :func:`_spreadsheet_cells`); the data files keep ACLED's text as it is."""
    report = result.report.reindex(columns=_REPORT_COLUMNS)
    report["event_date"] = report["event_date"].dt.strftime("%Y-%m-%d")
    _write_csv(_spreadsheet_cells(report), folder / REPORT_FILES["report"])
    _write_csv(_spreadsheet_cells(result.export.rejected), folder / REPORT_FILES["rejected"])
    matched = result.matches.copy()
    for column in ("imported_date", "curated_date"):
        matched[column] = pd.to_datetime(matched[column]).dt.strftime("%Y-%m-%d")
    _write_csv(_spreadsheet_cells(matched), folder / REPORT_FILES["matches"])


def write_summary(folder: Path, result: ImportResult, base: Path, radius_km: float) -> None:
    """``import_summary.json``: the export read, the settings, and the counts."""
    from sitrep_analysis import __version__

    export = result.export
    stat = export.path.stat()
    summary = {
        "source_file": str(export.path.resolve()),
        "source_bytes": stat.st_size,
        "source_modified": dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).isoformat(
            timespec="seconds"),
        "layout": export.layout, "encoding": export.encoding, "country": export.country,
        "base_data_dir": str(base.resolve()), "radius_km": radius_km,
        "city_radius_km": min(CITY_RADIUS_KM, radius_km),
        "coverage": [COVERAGE_START, COVERAGE_END],
        "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "sitrep_analysis_version": __version__, "seconds": round(result.seconds, 2),
        "from_cache": export.from_cache, **result.counts,
    }
    (folder / REPORT_FILES["summary"]).write_text(json.dumps(summary, indent=2) + "\n",
                                                  encoding="utf-8")
