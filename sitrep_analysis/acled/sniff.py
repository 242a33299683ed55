"""What the file is, from its first bytes: an ACLED export (column names, separator, encoding,
column set, line ends), or else what it is instead, refused before anything is read or written.

ACLED's quirks handled here, as real exports show them:

- Two column sets. Until 2023-03-20: ``data_id, iso, event_id_cnty, event_id_no_cnty, ...,
  timestamp, iso3``; from then on ``data_id``, ``event_id_no_cnty`` and ``iso3`` are gone and
  ``disorder_type``, ``civilian_targeting`` and ``tags`` are new (:data:`LAYOUT_MARKERS`). One
  real file also carries a ``countycode`` column. Only the columns in
  :data:`REQUIRED_COLUMNS` are needed (others are ignored).
- Header names are matched without regard to case (old downloads wrote them in capitals); a
  file re-saved by a spreadsheet with ``;`` or tab separators, with a byte-order mark, or in
  Windows-1252 rather than UTF-8 is read too; a repeated column name keeps its first column.
- Old-Mac line ends (a lone carriage return) are noted: such a file is read on one thread
  (:mod:`.read` cuts large files at line feeds).
- Files from before ACLED's 2019 revision (``ally_actor_1``/``ally_actor_2``, ``gwno``, no
  ``sub_event_type``) are refused as an older layout, not as "not ACLED".
- What analysts hand over instead of the CSV: a gzip/bzip2/xz/zstd-compressed file, a ZIP
  archive, a workbook (``.xlsx``/``.xls``), an empty file. Each is named in the refusal
  (:class:`~.errors.AcledFormatError`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sitrep_analysis.acled.errors import AcledFormatError

#: Columns the importer needs; a file without any of them is not an ACLED export.
REQUIRED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "event_type", "sub_event_type", "actor1",
    "assoc_actor_1", "actor2", "assoc_actor_2", "country", "location", "latitude", "longitude",
    "source", "notes", "fatalities",
)
#: Columns used when present (left empty when a trimmed export lacks them).
OPTIONAL_COLUMNS = ("time_precision", "inter1", "inter2", "interaction", "admin1",
                    "geo_precision")
#: Columns only one of the two column sets has.
LAYOUT_MARKERS = {"2023": ("disorder_type", "civilian_targeting", "tags"),
                  "pre-2023": ("data_id", "event_id_no_cnty", "iso3")}
#: Columns of ACLED's layout before its 2019 revision (``ally_actor_1``/``ally_actor_2`` where
#: later files have ``assoc_actor_1``/``assoc_actor_2``, ``gwno`` in the oldest ones, and no
#: ``sub_event_type``): the importer does not read that layout.
PRE_2019_MARKERS = ("ally_actor_1", "ally_actor_2", "gwno")

#: Leading bytes of compressed files a CSV export may be packed in.
_COMPRESSED = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz",
               b"\x28\xb5\x2f\xfd": "zstd"}


@dataclass(frozen=True)
class Header:
    """An export's header line and how the file is written."""

    #: Column names, lower case, as the header lists them.
    names: list[str]
    delimiter: str
    #: ``utf8`` or ``cp1252`` (pyarrow's names), as the header line decodes.
    encoding: str
    #: ``2023``, ``pre-2023`` or ``unknown`` (see :data:`LAYOUT_MARKERS`).
    layout: str
    #: Lines end in a lone carriage return (old Mac): read on one thread, by pyarrow's parser,
    #: which takes any line end (the parallel split looks for line feeds).
    cr_only: bool = False


def _refuse_binary(path: Path, head: bytes) -> None:
    """Refuse a compressed file, an archive or a workbook, saying which it is."""
    for magic, kind in _COMPRESSED.items():
        if head.startswith(magic):
            raise AcledFormatError(f"{path.name} is {kind}-compressed, not CSV: decompress it "
                                   "first and import the CSV file inside")
    if head.startswith(b"PK\x03\x04"):
        import zipfile

        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError):
            names = ["xl/"]  # unreadable as an archive: most likely a workbook
        if not any(name.startswith(("xl/", "word/", "ppt/")) for name in names):
            raise AcledFormatError(f"{path.name} is a ZIP archive, not CSV: extract the CSV "
                                   "file inside and import that")
        raise AcledFormatError(f"{path.name} is a spreadsheet workbook, not CSV: save it as "
                               "CSV (UTF-8) and import that")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise AcledFormatError(f"{path.name} is a spreadsheet workbook (.xls), not CSV: save "
                               "it as CSV (UTF-8) and import that")


def sniff_header(path: Path) -> Header:
    """Read the header line: column names (lower case), separator, encoding and layout.

    Raises :class:`~.errors.AcledFormatError` for an empty file, a compressed file or a
    workbook, an older ACLED layout, or a header without the columns the importer needs.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(1 << 16)
    except OSError as error:
        raise AcledFormatError(f"{path} cannot be read: {error.strerror or error}") from None
    if not head.strip():
        raise AcledFormatError(f"{path.name} is empty: it is not an ACLED export")
    _refuse_binary(path, head)
    line_ends = [at for at in (head.find(b"\r"), head.find(b"\n")) if at >= 0]
    end = min(line_ends) if line_ends else len(head)
    cr_only = head[end:end + 1] == b"\r" and head[end + 1:end + 2] != b"\n"
    first_line = head[:end]
    if first_line.startswith(b"\xef\xbb\xbf"):
        first_line = first_line[3:]
    try:
        text, encoding = first_line.decode("utf-8"), "utf8"
    except UnicodeDecodeError:
        text, encoding = first_line.decode("cp1252", errors="replace"), "cp1252"
    delimiter = max(",;\t", key=text.count)
    names = [name.strip().lower() for name in next(csv.reader([text], delimiter=delimiter))]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    older = [name for name in PRE_2019_MARKERS if name in names]
    if missing and older and "event_id_cnty" in names:
        raise AcledFormatError(
            f"{path.name} is an older ACLED layout (before 2019: it has {', '.join(older)} and "
            f"lacks {', '.join(missing)}), which is not supported: download the events again "
            "from ACLED (Data Export Tool or API) to get the current layout")
    if missing:
        shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        raise AcledFormatError(
            f"{path.name} is not an ACLED export: its header lacks {', '.join(missing)} "
            f"(it has: {shown}). Export events from ACLED (Data Export Tool or API) as CSV.")
    layout = next((name for name, markers in LAYOUT_MARKERS.items()
                   if all(marker in names for marker in markers)), "unknown")
    return Header(names, delimiter, encoding, layout, cr_only)


def column_names(header: Header) -> list[str]:
    """The header's names for pyarrow: a repeated name (pyarrow would refuse it) numbered, so
    the first one is used.

    >>> column_names(Header(["notes", "country", "notes"], ",", "utf8", "unknown"))
    ['notes', 'country', 'notes.2']
    """
    seen: dict[str, int] = {}
    names = []
    for name in header.names:
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}.{seen[name]}")
    return names
