"""Import the analyst's own ACLED export: read it as it comes, pick out the attacks on US and
coalition forces with a reason for every row, and write a data directory the workbook takes.

ACLED's terms forbid shipping an export, so analysts bring their own. :func:`import_acled`
(``sitrep import acled FILE``) turns one into a directory of the curated layout: the selected
attacks as ``incidents.csv``, with the curated political events, troop levels, gazetteer and
actors copied beside them, so every notebook and ``sitrep render``/``schedule`` takes it as
``data_dir``. The steps are separate functions, each usable on its own:

1. :func:`read_acled` reads the CSV with pyarrow (multi-threaded), keeps the rows of one country,
   types them, and sends every row it cannot read to a rejected list with the reason. A file that
   is not an ACLED export is refused (:class:`AcledFormatError`) before anything is written, with
   what it is instead when that is known (compressed, a ZIP archive, a workbook, a folder, an
   older ACLED layout). The typed rows are cached as Parquet (see *Cache*), so a second read of
   the same file is cheap.
2. :func:`select_attacks` applies the selection rules (see *Selection*) and explains each
   candidate row: which rule picked it, or why it was left out.
3. :func:`to_incidents` maps the selected rows to the incidents layout: weapon from the
   sub-event type and the notes, site by name or distance, ACLED's ``source`` as a source row,
   ACLED's ``actor1`` as an attribution *by ACLED* (never a claim), ``event_id_cnty`` kept in
   ``acled_event_id``.
4. :func:`match_incidents` compares the imported incidents with the curated ones (same site,
   dates at most a day apart, or the same ACLED id) and lists agreements and conflicts.

Notes: ACLED's quirks, as real exports show them
-------------------------------------------------
- Two column sets. Until 2023-03-20: ``data_id, iso, event_id_cnty, event_id_no_cnty, ...,
  timestamp, iso3``; from then on ``data_id``, ``event_id_no_cnty`` and ``iso3`` are gone and
  ``disorder_type``, ``civilian_targeting`` and ``tags`` are new. One real file also carries a
  ``countycode`` column. Only the columns in :data:`REQUIRED_COLUMNS` are needed (others are
  ignored); header names are matched without regard to case (old downloads wrote them in
  capitals) and a file re-saved with ``;`` or tab separators, or with old-Mac line ends (a lone
  carriage return; read on one thread), is read too. Files from before ACLED's 2019 revision
  (``ally_actor_1``/``ally_actor_2``, no ``sub_event_type``) are refused as an older layout.
- ``event_date`` comes as ``2023-02-16`` (codebook, API), ``01 November 2024`` and
  ``21 March 2020`` (website export), ``9-May-20`` and ``31-Dec-20`` (spreadsheet re-saves) and
  ``31-12-19``. Every form is parsed, vectorised over the distinct values; ``year`` (always
  present) fixes the century of a two-digit year, and a date whose year disagrees with it is
  rejected rather than guessed.
- ``inter1``, ``inter2`` and ``interaction`` are integer codes in older files (``3``, ``8``,
  ``38``) and text in newer ones (``Political militia``); ``inter1`` and ``inter2`` codes are
  turned into the labels (the selection reads ``inter1``), ``interaction`` is kept as written.
- Actor names carry year ranges that change between releases:
  ``Military Forces of the United States (2017-)``, later ``(2021-)``. Actors are matched on
  the name without its year range; a parenthesis that is not a year range is part of the name
  (``Private Security Forces (United States)``). Some exports drop the "the"
  (``Military Forces of United States (2021-)``): both spellings match. Associated-actor cells
  list several actors separated by ``;``.
- US or coalition forces as a target often appear only in ``assoc_actor_2``, or only in
  ``notes``.
- Attacks on bases are mostly ``Explosions/Remote violence`` with sub-event types
  ``Shelling/artillery/missile attack``, ``Air/drone strike`` or
  ``Remote explosive/landmine/IED``; an attack whose rockets or drones were all shot down is
  ``Strategic developments`` / ``Disrupted weapons use`` (as are found or defused weapons).
- ``location`` is often not the base: the Iranian missile strike on Ain al-Asad of 2020-01-08 is
  coded at Al Baghdadi (33.8514, 42.5487), 11.8 km from the base, and rockets "near Baghdad
  airport" at Baghdad's centre. Bases are matched by name in the notes (the gazetteer's names
  and aliases, plus the names exports use that it lacks: "Baghdad airport", "BIAP", a bare "Ain
  al-Asad" or "Ain al-Assad", see :data:`EXTRA_SITE_NAMES`) and by distance from the
  gazetteer's coordinates. A named base places the event only within :data:`NAMED_SITE_KM`
  (50 km) of ACLED's coordinates: an IED near Diwaniyah on "a convoy carrying supplies to the
  US embassy" is a convoy attack near Diwaniyah, not an attack on the embassy 150 km away.
- ``geo_precision`` 3 means the coordinates are those of a larger area's capital: such rows are
  never placed by distance.
- ``fatalities`` counts every death, attackers included, not split by nationality; ``source``
  lists outlets separated by ``;``. ACLED has no injury counts: the wounded counts stay empty,
  and an empty count is "not reported", never added as 0 (see :func:`match_incidents`).

Selection
---------
A row of the country is a *candidate* when any rule below finds US or coalition forces in it:

- ``actor``: an actor on the target side (``actor2``, ``assoc_actor_2``) is US or coalition
  (:data:`COALITION_ACTOR_STEMS`): the US, coalition members' armed forces, ACLED's
  ``Global Coalition Against Daesh``, NATO, the US government, and US or British private
  security forces and civilians (in Iraq those are contractors and diplomatic staff, whom the
  incidents table counts). Turkey's forces are left out: in Iraq they fight the PKK on their
  own account, not as part of the coalition.
- ``notes``: the notes name US or coalition forces, their bases, convoys or embassy
  (:data:`US_COALITION_NOTES`), or a base of the gazetteer by name (``Ain al-Asad air base``).
  "Coalition" alone is not enough: Iraqi political blocs are coalitions too.
- ``distance``: a ``Shelling/artillery/missile attack`` or ``Air/drone strike`` located (not at
  a region's capital) within ``radius_km`` (default 15 km) of a base of the gazetteer, or within
  3 km of an airport, embassy or the Green Zone. 15 km reaches the town where ACLED codes an
  attack on a base in open country (Al Baghdadi is 11.8 km from Ain al-Asad) without reaching
  the next one (Hit is about 40 km away); inside Baghdad or Erbil a wider circle would take in
  the whole city (Erbil's centre is 7 km from its airport). It is the weakest rule: every
  row's reason says which rules picked it, and ``radius_km=0`` turns it off.

A candidate is *selected* unless one of these holds, each reported as its exclusion reason:

- the event is not an attack: only ``Explosions/Remote violence``, ``Battles``, and
  ``Disrupted weapons use`` whose notes say the weapons were intercepted or shot down are
  attacks (protests at the US embassy, or weapons found before use, are not);
- US or coalition forces are on the acting side (``actor1``, ``assoc_actor_1``): a US strike on
  a militia is a US action, not an attack on US forces;
- the acting side is the Islamic State: the workbook is about Iran-aligned groups;
- distance was the only rule and the acting side is a state force other than Iran's
  (``inter1`` State forces or External/Other forces: Iraqi artillery shelling IS hide-outs or a
  Turkish drone striking the PKK near a base is not an attack on the base).

Selected attacks outside the coverage period of the incidents table (``columns.COVERAGE_START``
to ``COVERAGE_END``) are listed but not written: the table's rules refuse them.

Writing
-------
The data directory is built beside ``--out`` and swapped in whole. Its manifest
(:data:`MANIFEST_NAME`) lists every file the import wrote, with its SHA-256: a later import
replaces exactly those, and refuses (exit 1, one line, nothing written) a folder holding
anything else — a note, a subfolder, the export itself, a listed file changed since, or any
content without a manifest. An empty folder is fine. A read-only folder, a full disk or any
other failed write is one line too (:class:`AcledOutputError`), and the earlier import stays.

The side files meant for spreadsheets (``import_report.csv``, ``import_rejected.csv``,
``import_matches.csv``) quote every text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return with a leading ``'``, as spreadsheet exports do, so opening one runs no
formula; numeric columns (coordinates, distances, row numbers, days apart) are written as
numbers, negative ones too, since a number is not a formula. The data files the loaders read
(``incidents.csv`` and the rest) keep ACLED's text as it is.

Speed
-----
A large export is read as one part per core, in parallel threads (pyarrow parses without the
GIL), each part in blocks of which only the country's rows are kept: a global export never
sits whole in memory, and UTF-8 is checked on the kept rows only. Dates are parsed once per
distinct value; the columns are typed side by side in threads; the selection rules are RE2
regular expressions run by pyarrow over whole columns and a NumPy haversine; reasons are
worded only for the candidate rows. ``benchmarks/bench_acled.py`` times this against DuckDB
doing the same work on the same file (README, "Benchmarks").

Cache
-----
The typed rows of one country are cached as a Parquet file in ``~/.cache/sitrep-analysis/acled``
(``$SITREP_CACHE_DIR`` or ``$XDG_CACHE_HOME`` move it), keyed by the importer's cache version,
the country, and the file's size, modification time (ns) and a BLAKE2 hash of its first and last
MiB. A full SHA-256 of a 400 MB export takes longer than reading the cached rows, which would
defeat the cache; any ordinary save changes the size or the modification time, and the head and
tail (header, first and last rows, ACLED's ``timestamp`` column) tell apart two exports that
happen to share both.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sitrep_analysis.analysis import in_coverage_period
from sitrep_analysis.columns import COVERAGE_END, COVERAGE_START, FIELDS, TABLES
from sitrep_analysis.schema import split_list

__all__ = [
    "AcledExport",
    "AcledFormatError",
    "AcledImportError",
    "AcledOutputError",
    "ImportResult",
    "import_acled",
    "match_incidents",
    "read_acled",
    "select_attacks",
    "to_incidents",
]

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

#: ACLED's interaction codes (``inter1``, ``inter2``) and the labels newer files write instead.
INTER_LABELS = {"1": "State forces", "2": "Rebel group", "3": "Political militia",
                "4": "Identity militia", "5": "Rioters", "6": "Protesters", "7": "Civilians",
                "8": "External/Other forces"}

ATTACK_EVENT_TYPES = ("Explosions/Remote violence", "Battles")
DISRUPTED = ("Strategic developments", "Disrupted weapons use")
INDIRECT_FIRE = ("Shelling/artillery/missile attack", "Air/drone strike")
INTERCEPTED = r"(?i)\b(?:intercept(?:s|ed|ing|ion)?|shot down|shoot(?:s|ing)? down|downed)\b"

#: Actor names (without year range) meaning US or coalition forces, or the people the
#: incidents table counts with them. Coalition members: contributors of troops to Operation
#: Inherent Resolve and NATO Mission Iraq. Turkey is deliberately absent (see the module notes).
COALITION_ACTOR_STEMS = (
    "Military Forces of the United States", "Government of the United States",
    "Private Security Forces (United States)", "Private Security Forces (United Kingdom)",
    "Civilians (United States)", "Global Coalition Against Daesh",
    "NATO: North Atlantic Treaty Organization",
    *(f"Military Forces of {country}" for country in (
        "the United Kingdom", "France", "Italy", "Germany", "Spain", "the Netherlands",
        "Netherlands", "Australia", "Canada", "Denmark", "Norway", "Poland", "Hungary",
        "Czech Republic", "New Zealand", "Sweden", "Finland", "Belgium", "Portugal",
        "Romania", "Lithuania", "Latvia", "Estonia", "Slovakia", "Slovenia", "Croatia",
        "Albania")),
)
_YEAR_RANGE = r"\s*\(\d{4}-(?:\d{4})?\)"


def actor_cell_pattern(stems: Iterable[str]) -> str:
    """RE2 pattern: some actor of a ``;``-separated actor cell is one of ``stems``, whatever
    year range and unit follow the name (``... (2017-2021) Air Force``). A "the" after "of" may
    be left out, as some exports do (``Military Forces of United States (2021-)``)."""
    names = "|".join(re.escape(stem).replace(r"of\ the\ ", r"of\s+(?:the\s+)?")
                     for stem in stems)
    return rf"(?:^|;)\s*(?:{names})(?:{_YEAR_RANGE})?(?:\s[^;]*)?\s*(?:;|$)"


COALITION_ACTOR = actor_cell_pattern(COALITION_ACTOR_STEMS)
ISLAMIC_STATE_ACTOR = r"^\s*Islamic State(?:\s|\(|$)"
IRANIAN_ACTOR = r"^\s*(?:Military Forces of Iran|Islamic Revolutionary Guard Corps|IRGC)\b"
STATE_ACTOR = r"^\s*(?:Military|Police) Forces of "
STATE_INTER = ("State forces", "External/Other forces")

#: RE2 pattern: notes that name US or coalition forces, their bases, convoys or embassy.
US_COALITION_NOTES = (
    r"(?i)\b(?:U\.?S\.?|United States|American)(?:[\s\-]+led)?[\s\-]+(?:forces|troops|"
    r"soldiers|service\s*members|servicemen|personnel|military|army|marines|advis[eo]rs|"
    r"contractors?|bases?|embassy|consulate|convoys?|coalition|diplomats?)\b"
    r"|\b(?:international|global|anti-(?:IS|ISIS|ISIL|Daesh)|U\.?S\.?[\s\-]*led)\s+coalition\b"
    r"|\bcoalition\s+(?:forces|troops|soldiers|personnel|bases?|convoys?|logistics?|supplies|"
    r"advis[eo]rs|headquarters|aircraft)\b"
    r"|\bNATO\b"
)

#: Gazetteer kinds that host US or coalition forces or diplomats: matched by name and distance.
BASE_KINDS = ("air_base", "military_base", "airport", "diplomatic", "district")
#: Names real exports' notes give bases beyond the gazetteer's names and aliases (site id ->
#: RE2 pattern), used for the sites the gazetteer has: "Baghdad airport" and "BIAP", a bare
#: "Ain al-Asad" or "Ain al-Assad" (the gazetteer's spellings need "air base" after them).
EXTRA_SITE_NAMES = {
    "ain-al-asad": r"\b(?:Ain|Ayn)[\s\-]+(?:al[\s\-]*)?Ass?ad\b",
    "baghdad-airport": r"\bBaghdad[\s\-]+air[\s\-]*port\b|\bBIAP\b",
    "victory-base": r"\b(?:Camp[\s\-]+Victory|Victory[\s\-]+(?:air[\s\-]*)?base)\b",
}
#: A base the notes name places the event only within this distance of ACLED's coordinates
#: (an IED 150 km away "targeting a convoy carrying supplies to the US embassy" is a convoy
#: attack where it happened); within :data:`NAMED_SITE_REGION_KM` when the coordinates are a
#: province capital's (``geo_precision`` 3: Ramadi lies 90 km from Ain al-Asad).
NAMED_SITE_KM = 50.0
NAMED_SITE_REGION_KM = 100.0
#: Kinds inside cities, matched within :data:`CITY_RADIUS_KM` only.
CITY_KINDS = ("airport", "diplomatic", "district")
DEFAULT_RADIUS_KM = 15.0
CITY_RADIUS_KM = 3.0
#: Convoy routes are located at a town; ACLED codes a convoy attack at the same town.
ROUTE_RADIUS_KM = 15.0
EARTH_RADIUS_KM = 6371.0088
_FACILITY = r"(?:air[\s\-]*base|air[\s\-]*field|airport|military\s+base|base|camp)"

CONVOY = r"(?i)\bconvoys?\b"

#: Main weapon from the notes, most specific first; then from the sub-event type.
WEAPON_NOTES = (
    ("ballistic_missile", r"(?i)\bballistic\s+missiles?\b"),
    ("drone", r"(?i)\b(?:drones?|UAVs?|unmanned aerial vehicles?|quadcopters?)\b"),
    ("rocket", r"(?i)\b(?:rockets?|Katyushas?|Grad|107\s?mm|122\s?mm|240\s?mm)\b"),
    ("mortar", r"(?i)\bmortars?\b"),
    ("ied", r"(?i)\b(?:IEDs?|improvised explosive devices?|roadside bombs?|explosive devices?|"
            r"landmines?|sticky bombs?)\b"),
)
WEAPON_SUB_EVENT = {"Air/drone strike": "drone", "Remote explosive/landmine/IED": "ied"}

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a dozen": 12}
#: A count before a weapon word, with up to two words between (not "of" or "the"):
#: "at least 11 ballistic missiles", "two drones", "around 18 Katyusha rockets"; a calibre
#: ("107 mm rockets") is not a count.
_PROJECTILE_COUNT = re.compile(
    r"\b(?:(?P<q>at least|more than|over|up to|as many as|around|about|approximately|some|"
    r"nearly|almost)\s+)?(?P<n>\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")(?!\s*mm\b)\s+"
    r"(?:(?!of\b|the\b)[A-Za-z0-9\-]+\s+){0,2}?"
    r"(?P<w>rockets?|missiles?|drones?|mortar\s+(?:shells|rounds|bombs)|mortars|shells|"
    r"projectiles|IEDs|explosive devices)\b", re.IGNORECASE)
_FLOOR, _CEILING = ("at least", "more than", "over"), ("up to", "as many as")

CACHE_VERSION = "1"
REPORT_FILES = {"report": "import_report.csv", "rejected": "import_rejected.csv",
                "matches": "import_matches.csv", "summary": "import_summary.json"}
#: The list of files an import wrote, with their SHA-256: only those are ever replaced.
MANIFEST_NAME = ".sitrep-import-manifest.json"


class AcledImportError(ValueError):
    """The export cannot be imported as asked (e.g. it holds no row of the country); nothing
    was written."""


class AcledFormatError(AcledImportError):
    """The file is not an ACLED export (or not readable as CSV); nothing was written."""


class AcledOutputError(OSError):
    """The data directory cannot be written (read-only, disk full, ...); nothing was written
    and an earlier import there is kept."""


def _count(number: int, word: str, plural: str | None = None) -> str:
    """``1 attack``, ``2 attacks``, ``1,024 rows``."""
    return f"{number:,} {word if number == 1 else plural or word + 's'}"


# --- reading --------------------------------------------------------------------------------

@dataclass(frozen=True)
class AcledExport:
    """The rows of one country of an ACLED export, typed, and the rows that could not be read.

    ``rows`` holds one row per readable event, ACLED's columns typed (``event_date`` a
    datetime, ``latitude`` a float, ``fatalities`` an integer, ``inter1`` a label) plus ``row``,
    the row number a spreadsheet shows for it (the header is row 1). ``rejected`` has one line
    per problem: ``row``, ``event_id_cnty``, ``column``, ``value``, ``reason``.
    """

    path: Path
    country: str
    layout: str
    encoding: str
    rows_in_file: int
    country_rows: int
    table: pa.Table = field(repr=False)
    rejected: pd.DataFrame = field(repr=False)
    from_cache: bool = False

    @property
    def rows(self) -> pd.DataFrame:
        frame = self.table.to_pandas()
        frame["event_date"] = pd.to_datetime(frame["event_date"]).astype("datetime64[ns]")
        return frame

    @property
    def rejected_rows(self) -> int:
        """How many rows were rejected (a row may have several problems)."""
        return int(self.rejected["row"].nunique())


@dataclass(frozen=True)
class _Header:
    names: list[str]
    delimiter: str
    encoding: str
    layout: str
    #: Lines end in a lone carriage return (old Mac): read on one thread, by pyarrow's parser,
    #: which takes any line end (the parallel split looks for line feeds).
    cr_only: bool = False


#: Leading bytes of compressed files a CSV export may be packed in.
_COMPRESSED = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz",
               b"\x28\xb5\x2f\xfd": "zstd"}


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


def _sniff_header(path: Path) -> _Header:
    """Read the header line: column names (lower case), separator, encoding and layout.

    Raises :class:`AcledFormatError` for an empty file, a compressed file or a workbook, an
    older ACLED layout, or a header without the columns the importer needs.
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
    return _Header(names, delimiter, encoding, layout, cr_only)


#: Rows of the file filtered at a time (about 30 MB of an export).
_GROUP_ROWS = 65_536
#: A file larger than this is read as one part per core, in parallel.
_SPLIT_BYTES = 32 << 20


@dataclass(frozen=True)
class _CountryText:
    """The rows of one country as text (plus ``row``, their spreadsheet row numbers)."""

    table: pa.Table
    rows_in_file: int
    malformed: list[tuple]
    encoding: str


class _ByteRange(io.RawIOBase):
    """Bytes ``start`` to ``end`` of a file, as a stream pyarrow's CSV reader can take."""

    def __init__(self, path: Path, start: int, end: int) -> None:
        super().__init__()
        self._file = path.open("rb")
        self._file.seek(start)
        self._left = end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:
        size = min(len(buffer), self._left)
        if size <= 0:
            return 0
        got = self._file.readinto(memoryview(buffer)[:size]) or 0
        self._left -= got
        return got

    def close(self) -> None:
        self._file.close()
        super().close()


def _byte_ranges(path: Path, parts: int) -> list[tuple[int, int]]:
    """The file after its header line, cut at line ends into about ``parts`` equal ranges."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.readline()
        starts = [handle.tell()]
        for part in range(1, parts):
            handle.seek(max(starts[-1], starts[0] + (size - starts[0]) * part // parts))
            handle.readline()  # to the end of the line the cut falls in
            if handle.tell() < size:
                starts.append(handle.tell())
    return list(zip(starts, [*starts[1:], size], strict=True))


def _read_country(path: Path, header: _Header, country: str) -> _CountryText:
    """Read the file, keeping the needed columns of the country's rows as text.

    The fast pass reads a large file as one part per core, in parallel, each part in blocks of
    which only the country's rows are kept (a global export never sits whole in memory). It
    assumes no quoted value holds a line break where the file is cut; if pyarrow meets any
    irregular row, the file is read again on one thread with line breaks allowed inside quoted
    values, each malformed row set aside with its number. A file that is not UTF-8 is read as
    Windows-1252, the encoding spreadsheets on Windows save CSV in.
    """
    wanted = [name for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if name in header.names]
    names = _column_names(header)
    # UTF-8 is checked after the country's rows are picked out, not over the whole file
    convert = pacsv.ConvertOptions(include_columns=wanted, check_utf8=False,
                                   column_types=dict.fromkeys(wanted, pa.string()))

    def scan_part(source: object, encoding: str, robust: bool, threads: bool,
                  malformed: list[tuple], whole: bool) -> tuple[pa.Table, np.ndarray, int]:
        """The country's rows of one part (``whole``: the file, header line included), their
        positions in it, and its row count."""

        def set_aside(row: pacsv.InvalidRow) -> str:
            malformed.append((row.number, row.text, row.actual_columns, row.expected_columns))
            return "skip"

        reader = pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=int(whole),
                                           encoding=encoding, use_threads=threads),
            parse_options=pacsv.ParseOptions(
                delimiter=header.delimiter, newlines_in_values=robust,
                invalid_row_handler=set_aside if robust else None),
            convert_options=convert)
        kept: list[pa.Table] = []
        positions: list[np.ndarray] = []
        pending: list[pa.RecordBatch] = []
        read = 0

        def keep_country() -> None:
            """Filter a group of blocks: one call per column, not one per block."""
            nonlocal read
            group = pa.Table.from_batches(pending, schema=reader.schema)
            keep = pc.fill_null(pc.equal(group["country"], country), False)
            # one chunk per group: later steps are slow on many small chunks
            kept.append((group if pc.all(keep).as_py() else group.filter(keep))
                        .combine_chunks())
            positions.append(np.flatnonzero(keep.to_numpy(zero_copy_only=False)) + read)
            read += group.num_rows
            pending.clear()

        for batch in reader:
            pending.append(batch)
            if sum(b.num_rows for b in pending) >= _GROUP_ROWS:
                keep_country()
        if pending:
            keep_country()
        table = pa.concat_tables(kept) if kept else reader.schema.empty_table()
        return table, np.concatenate(positions) if positions else np.zeros(0, np.int64), read

    def scan(encoding: str, robust: bool) -> _CountryText:
        malformed: list[tuple] = []
        cores = os.cpu_count() or 1
        whole = robust or header.cr_only  # the byte ranges are cut at line feeds
        if whole or cores == 1 or path.stat().st_size < _SPLIT_BYTES:
            # one part; robustly on one thread, which numbers the malformed rows
            source = str(path) if whole else _ByteRange(path, *_byte_ranges(path, 1)[0])
            results = [scan_part(source, encoding, robust, not robust, malformed, whole)]
        else:
            with ThreadPoolExecutor(cores) as pool:  # pyarrow parses without the GIL
                results = list(pool.map(
                    lambda span: scan_part(_ByteRange(path, *span), encoding, False, False,
                                           malformed, False), _byte_ranges(path, cores)))
        offsets = np.cumsum([0] + [read for _, _, read in results])
        read = int(offsets[-1])
        index = np.concatenate([found + offset for (_, found, _), offset
                                in zip(results, offsets, strict=False)])
        # chunks of at least a group each: few enough for every later step
        table = pa.concat_tables([part for part, _, _ in results])
        with ThreadPoolExecutor(cores) as pool:  # raises ArrowInvalid "Invalid UTF8" if not
            list(pool.map(lambda column: column.validate(full=True), table.columns))
        skipped = sorted(number for number, *_ in malformed if number is not None)
        rows = np.arange(2, read + len(skipped) + 2)
        if skipped:
            rows = np.setdiff1d(rows, skipped)
        for name in OPTIONAL_COLUMNS:
            if name not in table.column_names:
                table = table.append_column(name, pa.array([""] * table.num_rows, pa.string()))
        table = table.append_column("row", pa.array(rows[index], pa.int64()))
        return _CountryText(table, read + len(malformed), malformed, encoding)

    for robust in (False, True):
        for encoding in dict.fromkeys((header.encoding, "cp1252")):
            try:
                return scan(encoding, robust)
            except pa.ArrowInvalid as error:
                problem = error
                if "UTF8" not in str(error):
                    break  # not an encoding problem: read again, robustly
            except UnicodeDecodeError as error:
                raise AcledFormatError(f"{path.name} is neither UTF-8 nor Windows-1252 text: "
                                       f"{error}") from None
    raise AcledFormatError(f"{path.name} cannot be read as CSV: {problem}")


def _column_names(header: _Header) -> list[str]:
    """The header's names for pyarrow: a repeated name (pyarrow would refuse it) numbered, so
    the first one is used."""
    seen: dict[str, int] = {}
    names = []
    for name in header.names:
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}.{seen[name]}")
    return names


def export_countries(path: str | os.PathLike, encoding: str | None = None) -> pd.Series:
    """How many rows of the export each country has, most first (``country`` only is read;
    used to say what an export holds when it has no row of the country asked for)."""
    path = Path(path)
    header = _sniff_header(path)
    names = _column_names(header)
    table = pacsv.read_csv(
        str(path),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                       encoding=encoding or header.encoding),
        parse_options=pacsv.ParseOptions(delimiter=header.delimiter, newlines_in_values=True,
                                         invalid_row_handler=lambda row: "skip"),
        convert_options=pacsv.ConvertOptions(include_columns=["country"],
                                             column_types={"country": pa.string()}))
    counts = table["country"].to_pandas().fillna("").str.strip().replace("", "(no country)")
    return counts.value_counts(sort=True)


def _fingerprint(path: Path) -> str:
    """Cache key of a file: size, modification time, and a hash of its first and last MiB."""
    stat = path.stat()
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as handle:
        digest.update(handle.read(1 << 20))
        if stat.st_size > 2 << 20:
            handle.seek(-(1 << 20), os.SEEK_END)
            digest.update(handle.read())
    return f"{stat.st_size}-{stat.st_mtime_ns}-{digest.hexdigest()}"


def default_cache_dir() -> Path:
    """``$SITREP_CACHE_DIR``, else ``$XDG_CACHE_HOME/sitrep-analysis/acled``, else
    ``~/.cache/sitrep-analysis/acled``."""
    if os.environ.get("SITREP_CACHE_DIR"):
        return Path(os.environ["SITREP_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sitrep-analysis" / "acled"


def read_acled(path: str | os.PathLike, country: str = "Iraq", *,
               cache_dir: str | os.PathLike | None = None, use_cache: bool = True) -> AcledExport:
    """Read an ACLED export: the typed rows of ``country`` and the rows that cannot be read.

    Rows are rejected (never dropped silently) for a missing or malformed ``event_id_cnty``, a
    repeated one, an ``event_date`` in no ACLED format or disagreeing with ``year``, missing or
    impossible coordinates, or ``fatalities`` that is not a whole number; malformed CSV lines
    (a wrong number of fields) are rejected whatever their country. With ``use_cache`` the
    typed rows are kept in ``cache_dir`` (default :func:`default_cache_dir`) and a second call
    on the unchanged file reads them from there.

    Raises :class:`AcledFormatError` when the file is not an ACLED export.
    """
    path = Path(path)
    if path.is_dir():
        raise AcledFormatError(f"{path} is a folder, not an export file: give the path of the "
                               "ACLED export's CSV file")
    if not path.is_file():
        raise AcledFormatError(f"{path} does not exist or is not a file")
    header = _sniff_header(path)
    cache = None
    if use_cache:
        key = hashlib.blake2b(f"{CACHE_VERSION}|{country}|{_fingerprint(path)}".encode(),
                              digest_size=16).hexdigest()
        cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        cached = _read_cache(cache, key, path)
        if cached is not None:
            return cached
    text = _read_country(path, header, country)
    typed, rejected = _type_rows(text.table)
    for number, line, actual, expected in text.malformed:
        rejected.append({"row": number, "event_id_cnty": "", "column": "",
                         "value": line[:200],
                         "reason": f"the line has {_count(actual, 'field')} where the "
                                   f"header has {expected}"})
    rejected_frame = pd.DataFrame(rejected, columns=["row", "event_id_cnty", "column", "value",
                                                     "reason"])
    rejected_frame = rejected_frame.astype({"row": "Int64"}).sort_values(
        ["row", "column"], kind="stable").reset_index(drop=True)
    export = AcledExport(path, country, header.layout, text.encoding, text.rows_in_file,
                         text.table.num_rows, typed, rejected_frame)
    if cache is not None:
        _write_cache(cache, key, export)
    return export


def _read_cache(folder: Path, key: str, path: Path) -> AcledExport | None:
    rows_file, rejected_file = folder / f"{key}.parquet", folder / f"{key}.rejected.parquet"
    if not (rows_file.is_file() and rejected_file.is_file()):
        return None
    try:
        table = pq.read_table(rows_file)
        rejected = pq.read_table(rejected_file).to_pandas()
        meta = json.loads(table.schema.metadata[b"sitrep_acled"])
    except (OSError, KeyError, ValueError, pa.ArrowException):
        return None  # a damaged cache entry is ignored and rewritten
    rejected = rejected.astype({"row": "Int64"})
    return AcledExport(path, meta["country"], meta["layout"], meta["encoding"],
                       meta["rows_in_file"], meta["country_rows"],
                       table.replace_schema_metadata(None), rejected, from_cache=True)


_DISTINCT_COLUMNS = ("row", "event_id_cnty", "notes", "source", "value")


def _write_cache(folder: Path, key: str, export: AcledExport) -> None:
    """Write the cache entry atomically; a cache that cannot be written is skipped."""
    meta = {"country": export.country, "layout": export.layout, "encoding": export.encoding,
            "rows_in_file": export.rows_in_file, "country_rows": export.country_rows}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, table in ((f"{key}.rejected.parquet",
                             pa.Table.from_pandas(export.rejected, preserve_index=False)),
                            (f"{key}.parquet", export.table.replace_schema_metadata(
                                {"sitrep_acled": json.dumps(meta)}))):
            handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
            os.close(handle)
            try:
                # dictionary pages only where values repeat: notes and ids are all distinct
                pq.write_table(table, temporary, use_dictionary=[
                    name for name in table.column_names if name not in _DISTINCT_COLUMNS])
                os.replace(temporary, folder / name)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)  # a full disk leaves no stray file
                raise
    except OSError:
        return


# --- typing the rows ------------------------------------------------------------------------

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_MONTH_NUMBERS = {**{name: i for i, name in enumerate(_MONTHS, 1)},
                  **{name[:3]: i for i, name in enumerate(_MONTHS, 1)}, "sept": 9}
#: Every ACLED date form, as RE2 patterns with named parts: d(ay), m(onth) or b (month name),
#: y(ear, 2 or 4 digits).
DATE_PATTERNS = (
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$",                            # 2023-02-16
    r"^(?P<d>\d{1,2})[ \-](?P<b>[A-Za-z]{3,9})\.?[ \-](?P<y>\d{4}|\d{2})$",      # 9-May-20
    r"^(?P<d>\d{1,2})[\-/.](?P<m>\d{1,2})[\-/.](?P<y>\d{4}|\d{2})$",            # 31-12-19
)


def _integers(text: pa.Array, largest: int = 10**9) -> np.ndarray:
    """Whole numbers (0 to ``largest``) of a text column as int64, -1 where a value is empty,
    missing or not such a number (surrounding spaces are allowed).

    A clean column (the usual case) is cast in one step; only a column with some other value
    goes through the slower check of every value.
    """
    try:
        values = pc.cast(text, pa.int64())
    except pa.ArrowInvalid:
        trimmed = pc.utf8_trim_whitespace(text)
        ok = pc.fill_null(pc.match_substring_regex(trimmed, r"^\d{1,18}$"), False)
        values = pc.cast(pc.if_else(ok, trimmed, "-1"), pa.int64())
    values = pc.fill_null(values, -1).to_numpy(zero_copy_only=False)
    return np.where((values >= 0) & (values <= largest), values, -1)


def _numbers(text: pa.Array) -> np.ndarray:
    """Decimal numbers of a text column as float64, NaN where empty or not a number (a
    clean column is cast in one step, as in :func:`_integers`)."""
    try:
        return pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        pass
    trimmed = pc.utf8_trim_whitespace(text)
    ok = pc.fill_null(pc.match_substring_regex(trimmed, r"^[+-]?(?:\d+\.?\d*|\.\d+)$"), False)
    values = pc.cast(pc.if_else(ok, trimmed, pa.scalar(None, pa.string())), pa.float64())
    return values.to_numpy(zero_copy_only=False)


def parse_event_dates(text: pa.Array, year: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ACLED ``event_date`` values in any of their forms, as ``datetime64[D]``.

    Parsed once per distinct value, then spread to the rows (an export of millions of rows
    has a few thousand distinct dates). ``year`` (``-1`` where unknown) settles a two-digit
    year's century and must agree with a four-digit one. Returns the dates (``NaT`` where not
    parsed) and a problem code per row: 0 fine, 1 no ACLED form, 2 year disagrees, 3 not a
    real date.

    >>> dates, problems = parse_event_dates(
    ...     pa.array(["2023-02-16", "01 November 2024", "9-May-20", "31-12-19", "31-02-20"]),
    ...     np.array([2023, 2024, 2020, 2019, 2020]))
    >>> [str(d) for d in dates], problems.tolist()
    (['2023-02-16', '2024-11-01', '2020-05-09', '2019-12-31', 'NaT'], [0, 0, 0, 0, 3])
    """
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    encoded = pc.dictionary_encode(pc.utf8_trim_whitespace(text))
    values, indices = encoded.dictionary, encoded.indices
    size = len(values)
    day, month, year_part = (np.full(size, -1, np.int64) for _ in range(3))
    two_digits = np.zeros(size, bool)
    found = np.zeros(size, bool)
    for pattern in DATE_PATTERNS:
        parts = pc.extract_regex(values, pattern)
        matched = parts.is_valid().to_numpy(zero_copy_only=False) & ~found
        if not matched.any():
            continue
        names = [parts.type.field(i).name for i in range(parts.type.num_fields)]
        fields = {name: pc.struct_field(parts, name) for name in names}
        day = np.where(matched, _integers(fields["d"]), day)
        if "m" in fields:
            month = np.where(matched, _integers(fields["m"]), month)
        else:
            months = pc.index_in(pc.utf8_lower(fields["b"]),
                                 value_set=pa.array(list(_MONTH_NUMBERS)))
            numbers = np.array([*_MONTH_NUMBERS.values(), -1])
            position = pc.fill_null(months, len(_MONTH_NUMBERS)).to_numpy(zero_copy_only=False)
            matched &= numbers[position] > 0  # "5-Foo-20" is in no ACLED form
            month = np.where(matched, numbers[position], month)
        year_text = fields["y"]
        year_part = np.where(matched, _integers(year_text), year_part)
        two_digits = np.where(matched, pc.utf8_length(pc.fill_null(year_text, "")).to_numpy(
            zero_copy_only=False) == 2, two_digits)
        found |= matched
    index = pc.fill_null(indices, 0).to_numpy(zero_copy_only=False)
    day, month, year_part = day[index], month[index], year_part[index]
    two_digits, found = two_digits[index], found[index] & indices.is_valid().to_numpy(
        zero_copy_only=False)
    full_year = np.where(two_digits, np.where((year >= 0) & (year % 100 == year_part), year, -1),
                         year_part)
    agrees = (full_year > 0) & ((year < 0) | (full_year == year))
    real = agrees & (month >= 1) & (month <= 12) & (day >= 1)
    months = np.where(real, (full_year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    first = months.astype("datetime64[D]")
    length = ((months + 1).astype("datetime64[D]") - first).astype(np.int64)
    real &= day <= length
    dates = np.where(real, first + np.where(real, day - 1, 0).astype("timedelta64[D]"),
                     np.datetime64("NaT"))
    problems = np.select([~found, ~agrees, ~real], [1, 2, 3], 0)
    return dates.astype("datetime64[D]"), problems


def _type_rows(table: pa.Table) -> tuple[pa.Table, list[dict]]:
    """Type the country's rows; return the readable ones and a problem list for the others.

    The columns are parsed side by side in threads: pyarrow and NumPy release the GIL.
    """
    ids = pc.utf8_trim_whitespace(table["event_id_cnty"]).combine_chunks()

    def dates_of_year() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        year = _integers(table["year"], 9999)
        year = np.where(year >= 1000, year, -1)
        return (year, *parse_event_dates(table["event_date"], year))

    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        parsed_dates = pool.submit(dates_of_year)
        latitude, longitude = pool.map(_numbers, (table["latitude"], table["longitude"]))
        fatalities = pool.submit(_integers, table["fatalities"])
        repeats = pool.submit(lambda: len(pc.unique(ids)) < len(ids))
        id_ok = _match(ids, r"^[A-Z]{3}\d+$")
        year, dates, date_problems = parsed_dates.result()
        fatalities = fatalities.result()
        repeats = repeats.result()
    missing = pc.equal(ids, "").to_numpy(zero_copy_only=False)
    date_reasons = {1: "event_date is in none of ACLED's date forms",
                    2: "event_date disagrees with the year column",
                    3: "event_date is not a real date"}
    checks = [
        ("event_id_cnty", missing, "event_id_cnty is missing"),
        ("event_id_cnty", ~missing & ~id_ok,
         "event_id_cnty is not an ACLED id (three capital letters, then digits)"),
        ("year", year < 0, "year is not a four-digit year"),
        *(("event_date", (date_problems == code) & (year >= 0), reason)
          for code, reason in date_reasons.items()),
        ("latitude", ~(np.abs(latitude) <= 90), "latitude is missing or not a latitude"),
        ("longitude", ~(np.abs(longitude) <= 180), "longitude is missing or not a longitude"),
        ("fatalities", fatalities < 0, "fatalities is not a whole number"),
    ]
    bad = np.zeros(table.num_rows, bool)
    for _, failed, _ in checks:
        bad |= failed
    if repeats:  # rare: only then find which rows repeat the id of an earlier readable row
        readable_ids = pd.Series(pd.array(ids)).mask(bad)
        duplicate = readable_ids.duplicated(keep="first").to_numpy() & ~bad
        checks.append(("event_id_cnty", duplicate, "event_id_cnty repeats an earlier row's"))
        bad |= duplicate
    rejected: list[dict] = []
    rows = table["row"].to_numpy()
    for column, failed, reason in checks:
        for position in np.flatnonzero(failed):
            rejected.append({"row": int(rows[position]),
                             "event_id_cnty": ids[int(position)].as_py(), "column": column,
                             "value": table[column][int(position)].as_py(), "reason": reason})
    def text(name: str) -> pa.ChunkedArray:
        # as written: ACLED pads no value, and the country was matched exactly already
        return table[name]

    def inter(name: str) -> pa.Array:
        values = text(name)
        labels = pc.index_in(values, value_set=pa.array(list(INTER_LABELS)))
        mapped = pc.take(pa.array(list(INTER_LABELS.values())), labels)
        return pc.if_else(labels.is_valid(), mapped, values)

    def small(values: np.ndarray, bound: int) -> pa.Array:
        outside = (values < 1) | (values > bound)
        return pa.array(np.where(outside, 0, values).astype(np.int8), mask=outside)

    typed = pa.table({
        "row": table["row"],
        "event_id_cnty": ids,
        "event_date": pa.array(dates, pa.date32()),
        "year": pa.array(year.astype(np.int16)),
        "time_precision": small(_integers(table["time_precision"]), 3),
        "event_type": text("event_type"),
        "sub_event_type": text("sub_event_type"),
        "actor1": text("actor1"),
        "assoc_actor_1": text("assoc_actor_1"),
        "inter1": inter("inter1"),
        "actor2": text("actor2"),
        "assoc_actor_2": text("assoc_actor_2"),
        "inter2": inter("inter2"),
        "interaction": text("interaction"),
        "country": text("country"),
        "admin1": text("admin1"),
        "location": text("location"),
        "latitude": pa.array(latitude),
        "longitude": pa.array(longitude),
        "geo_precision": small(_integers(table["geo_precision"]), 3),
        "source": text("source"),
        "notes": text("notes"),
        "fatalities": pa.array(fatalities.astype(np.int32)),
    })
    if bad.any():
        typed = typed.filter(pa.array(~bad))
    return typed, rejected


# --- selection --------------------------------------------------------------------------------

def base_sites(sites: pd.DataFrame, radius_km: float = DEFAULT_RADIUS_KM) -> pd.DataFrame:
    """The gazetteer's bases that locate a facility, with the radius each is matched within.

    Sites located only at a town centre (``coordinates_precision`` ``town``: convoy routes,
    "Erbil, near the US consulate") are left out: their coordinates do not place a facility.
    """
    kinds = sites["site_kind"].astype("string")
    located = sites["latitude"].notna() & sites["longitude"].notna()
    point = sites["coordinates_precision"].astype("string").fillna("") != "town"
    chosen = sites[kinds.isin(BASE_KINDS) & located & point]
    radius = np.where(chosen["site_kind"].astype("string").isin(CITY_KINDS),
                      min(CITY_RADIUS_KM, radius_km), radius_km)
    return pd.DataFrame({"site_id": chosen["site_id"].astype("string"),
                         "site_kind": chosen["site_kind"].astype("string"),
                         "latitude": chosen["latitude"].astype(float),
                         "longitude": chosen["longitude"].astype(float),
                         "radius_km": radius.astype(float)}).reset_index(drop=True)


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: float, lon2: float) -> np.ndarray:
    """Great-circle distance in km from each (lat1, lon1) to one point, vectorised.

    >>> round(float(haversine_km(np.array([33.8514]), np.array([42.5487]), 33.7928,
    ...                          42.4421)[0]), 1)
    11.8
    """
    lat1, lon1 = np.radians(lat1), np.radians(lon1)
    lat2, lon2 = np.radians(lat2), np.radians(lon2)
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def nearest_site(latitude: np.ndarray, longitude: np.ndarray,
                 points: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Index (into ``points``) of the nearest site within its radius, -1 where none, and its
    distance in km (NaN where none). Ties go to the site listed first in the gazetteer."""
    best = np.full(len(latitude), -1)
    best_km = np.full(len(latitude), np.inf)
    for index, site in enumerate(points.itertuples(index=False)):
        km = haversine_km(latitude, longitude, site.latitude, site.longitude)
        closer = (km <= site.radius_km) & (km < best_km)
        best = np.where(closer, index, best)
        best_km = np.where(closer, km, best_km)
    return best, np.where(best >= 0, best_km, np.nan)


def _name_pattern(name: str) -> str | None:
    """RE2 pattern for one gazetteer name: ``Ain al-Asad Air Base`` matches
    ``Ain Al-Asad airbase``; a bare town (``Balad``) only with a facility word after it."""
    core = name.split(",")[0].strip()
    if not core:
        return None

    def flexible(text: str) -> str:
        """Spaces may be hyphens and hyphens spaces or nothing: ``Ain al-Asad`` matches
        ``Ain Al Asad`` and ``K-1`` matches ``K1``."""
        words = [r"[\s\-]*".join(re.escape(part) for part in word.split("-"))
                 for word in text.split()]
        return r"[\s\-]+".join(words)

    facility = re.search(rf"(?i)\s+{_FACILITY}$", core)
    camp = re.match(r"(?i)camp\s+(.+)$", core)
    options = [flexible(core)]
    if facility and core[:facility.start()].strip():
        options.append(flexible(core[:facility.start()]) + rf"[\s\-]*{_FACILITY}")
    if camp:
        options.append(flexible(camp.group(1)) + rf"[\s\-]+{_FACILITY}")
    return r"\b(?:" + "|".join(options) + r")\b"


def site_name_patterns(sites: pd.DataFrame) -> dict[str, str]:
    """site_id -> RE2 pattern of its names and aliases (and :data:`EXTRA_SITE_NAMES`), for the
    gazetteer's bases (with or without coordinates; town-located sites excluded, as in
    :func:`base_sites`)."""
    kinds = sites["site_kind"].astype("string")
    point = sites["coordinates_precision"].astype("string").fillna("") != "town"
    patterns = {}
    for site in sites[kinds.isin(BASE_KINDS) & point].itertuples(index=False):
        names = [site.site_name, *split_list(site.aliases)]
        options = [p for p in (_name_pattern(n) for n in names) if p]
        if str(site.site_id) in EXTRA_SITE_NAMES:
            options.append(EXTRA_SITE_NAMES[str(site.site_id)])
        if options:
            patterns[str(site.site_id)] = "(?i)(?:" + "|".join(options) + ")"
    return patterns


def _match(values: pa.Array | pa.ChunkedArray, pattern: str) -> np.ndarray:
    """Whether each value contains a match of the RE2 pattern (vectorised, in pyarrow)."""
    return pc.fill_null(pc.match_substring_regex(values, pattern), False).to_numpy(
        zero_copy_only=False)


def _arrow_text(values: pd.Series) -> pa.Array:
    return pa.array(values.astype("string"), type=pa.string())


def _contains(values: pd.Series, pattern: str) -> pd.Series:
    """Whether each value contains a match of the RE2 pattern (pyarrow, as :func:`_match`)."""
    return pd.Series(_match(_arrow_text(values), pattern), index=values.index)


def _first_match(values: pd.Series, pattern: str) -> pd.Series:
    """The text the RE2 pattern matches first in each value (``<NA>`` where none)."""
    flags = "(?i)" if "(?i)" in pattern else ""
    hit = f"{flags}(?P<hit>{pattern.replace('(?i)', '')})"
    parts = pc.extract_regex(_arrow_text(values), hit)
    return pd.Series(pd.array(pc.struct_field(parts, "hit"), dtype="string"),
                     index=values.index)


def _join_parts(parts: Iterable[pd.Series], separator: str = "; ") -> pd.Series:
    """Join text columns row by row, skipping missing or empty parts (one pyarrow call)."""
    parts = list(parts)
    arrays = [pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
              for text in (_arrow_text(part) for part in parts)]
    joined = pc.binary_join_element_wise(*arrays, separator, null_handling="skip")
    return pd.Series(joined.to_numpy(zero_copy_only=False), index=parts[0].index, dtype=object)


def select_attacks(export: AcledExport | pa.Table, sites: pd.DataFrame, *,
                   radius_km: float = DEFAULT_RADIUS_KM) -> pd.DataFrame:
    """The candidate rows of an export, each with why it was selected or left out.

    Returns one row per candidate (a row meeting at least one selection rule, see the module
    notes): ACLED's columns, then ``selected`` (bool), ``selection_reason`` (every rule it met,
    in words), ``exclusion_reason`` (empty when selected), ``rule_actor``, ``rule_notes``,
    ``rule_distance`` (bools) and ``near_site_id``/``near_site_km`` (the base that the distance
    rule found). Rows meeting no rule are not listed. ``radius_km=0`` turns the distance rule
    off.

    The rules run vectorised over the whole table (pyarrow's RE2 regular expressions, NumPy
    distances); the reasons are worded only for the few candidate rows.
    """
    table = export.table if isinstance(export, AcledExport) else export
    names = site_name_patterns(sites)
    any_name = "(?i)(?:" + "|".join(p.replace("(?i)", "") for p in names.values()) + ")" \
        if names else r"\b\B"  # matches nothing
    scans = [(table["actor2"], COALITION_ACTOR), (table["assoc_actor_2"], COALITION_ACTOR),
             (table["notes"], US_COALITION_NOTES), (table["notes"], any_name),
             (table["location"], any_name)]
    # pyarrow runs each scan without the GIL: run them side by side, one per core
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        actor2, assoc2, by_words, named_notes, named_place = pool.map(
            lambda scan: _match(*scan), scans)
    by_actor = actor2 | assoc2
    by_name = named_notes | named_place
    by_notes = by_words | by_name
    points = base_sites(sites, radius_km)
    near = np.full(table.num_rows, -1)
    near_km = np.full(table.num_rows, np.nan)
    indirect = pc.is_in(table["sub_event_type"], value_set=pa.array(INDIRECT_FIRE))
    placed = pc.fill_null(pc.not_equal(table["geo_precision"], 3), True)
    check = np.flatnonzero(pc.and_(indirect, placed).to_numpy(zero_copy_only=False))
    if radius_km > 0 and len(points) and len(check):
        near[check], near_km[check] = nearest_site(
            table["latitude"].to_numpy()[check], table["longitude"].to_numpy()[check], points)
    by_distance = near >= 0
    picked = np.flatnonzero(by_actor | by_notes | by_distance)
    frame = table.take(pa.array(picked)).to_pandas()
    frame["event_date"] = pd.to_datetime(frame["event_date"]).astype("datetime64[ns]")
    frame["rule_actor"] = by_actor[picked]
    frame["rule_notes"] = by_notes[picked]
    named = by_name[picked]
    frame["rule_distance"] = by_distance[picked]
    site_ids = np.append(points["site_id"].to_numpy(dtype=object), None)
    frame["near_site_id"] = pd.array(site_ids[near[picked]], dtype="string")
    frame["near_site_km"] = near_km[picked].round(1)
    if frame.empty:
        frame["selection_reason"] = frame["exclusion_reason"] = pd.Series(dtype=object)
    else:
        frame["selection_reason"] = _selection_reasons(frame, names, named, sites)
        frame["exclusion_reason"] = _exclusion_reasons(frame)
    frame["selected"] = frame["exclusion_reason"].eq("")
    return frame


def _named_site_km(rows: pd.DataFrame, site: pd.Series | None) -> pd.Series:
    """Distance in km from each row's coordinates to a named site (NaN when the site has no
    coordinates)."""
    if site is None or pd.isna(site["latitude"]) or pd.isna(site["longitude"]):
        return pd.Series(np.nan, index=rows.index)
    return pd.Series(haversine_km(rows["latitude"].to_numpy(float),
                                  rows["longitude"].to_numpy(float), float(site["latitude"]),
                                  float(site["longitude"])), index=rows.index)


def _named_site_limit(rows: pd.DataFrame) -> np.ndarray:
    """How far a named base may lie from each row's coordinates to place the row there."""
    regional = rows["geo_precision"].eq(3).fillna(False).to_numpy(dtype=bool)
    return np.where(regional, NAMED_SITE_REGION_KM, NAMED_SITE_KM)


def _selection_reasons(frame: pd.DataFrame, names: dict[str, str],
                       named_rows: np.ndarray, sites: pd.DataFrame) -> pd.Series:
    """Every rule a candidate met, in words, e.g. ``target actor in assoc_actor_2: Military
    Forces of the United States (2017-2021); notes mention "US forces"``. A base named far
    from ACLED's coordinates says so (it still makes the row a candidate: a convoy to a base
    is hit far from it)."""
    parts = []
    for column in ("actor2", "assoc_actor_2"):
        hit = _contains(frame[column], COALITION_ACTOR)
        parts.append((f"target actor in {column}: " + frame[column].astype("string"))
                     .where(hit))
    parts.append('notes mention "' + _first_match(frame["notes"], US_COALITION_NOTES) + '"')
    named = pd.Series(pd.NA, index=frame.index, dtype="string")
    gazetteer = sites.set_index(sites["site_id"].astype(str))
    limit = pd.Series(_named_site_limit(frame), index=frame.index)
    for site_id, pattern in names.items():
        todo = named.isna() & named_rows  # only rows known to name some base
        if not todo.any():
            break
        rows = frame.loc[todo]
        found = _first_match(rows["notes"], pattern).fillna(
            _first_match(rows["location"], pattern))
        km = _named_site_km(rows, gazetteer.loc[site_id] if site_id in gazetteer.index
                            else None)
        far = pd.Series(np.char.mod("%.0f", km.fillna(0).to_numpy()), index=rows.index,
                        dtype="string")
        far = (", " + far + " km from ACLED's coordinates: too far to place the event "
               "there").where(km > limit[todo], "")
        named = named.fillna(f'names base {site_id} ("' + found + '")' + far)
    parts.append(named)
    km = pd.Series(np.char.mod("%.1f", frame["near_site_km"].fillna(0).to_numpy()),
                   index=frame.index, dtype="string")
    distance = (frame["sub_event_type"].astype("string") + " " + km + " km from "
                + frame["near_site_id"].astype("string") + ", within its radius")
    parts.append(distance.where(frame["rule_distance"]))
    return _join_parts(parts)


def _exclusion_reasons(frame: pd.DataFrame) -> pd.Series:
    """Why a candidate is not selected (the first reason that holds); empty when it is."""
    event_type = frame["event_type"].astype(str)
    sub_event = frame["sub_event_type"].astype(str)
    disrupted = event_type.eq(DISRUPTED[0]) & sub_event.eq(DISRUPTED[1])
    attack = event_type.isin(ATTACK_EVENT_TYPES) | (disrupted
                                                    & _contains(frame["notes"], INTERCEPTED))
    actor1 = frame["actor1"].astype(str)
    acting_coalition = (_contains(frame["actor1"], COALITION_ACTOR)
                        | _contains(frame["assoc_actor_1"], COALITION_ACTOR))
    state = (frame["inter1"].astype("string").isin(STATE_INTER).fillna(False)
             | _contains(frame["actor1"], STATE_ACTOR))
    distance_only = frame["rule_distance"] & ~frame["rule_actor"] & ~frame["rule_notes"]
    not_attack = np.where(disrupted, "Disrupted weapons use with no weapon intercepted or "
                          "shot down", "event type " + event_type) + " is not an attack"
    reasons = np.select(
        [~attack, acting_coalition, _contains(frame["actor1"], ISLAMIC_STATE_ACTOR),
         distance_only & state & ~_contains(frame["actor1"], IRANIAN_ACTOR)],
        [not_attack,
         "US or coalition forces are the acting side (" + actor1 + "): a US or coalition "
         "action, not an attack on them",
         "the acting side is the Islamic State, outside the workbook's scope (Iran-aligned "
         "groups)",
         "only near a base, and the acting side is a state force (" + actor1 + "): not an "
         "attack on the base"],
        "")
    return pd.Series(reasons, index=frame.index, dtype=object).astype(str)


# --- mapping to the incidents layout ---------------------------------------------------------

def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _weapons(sub_event: pd.Series, notes: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Main weapon (the first of :data:`WEAPON_NOTES` the notes name, else from the sub-event
    type, else ``other_unknown``) and what it rests on."""
    weapon = pd.Series(pd.NA, index=notes.index, dtype="string")
    detail = pd.Series(pd.NA, index=notes.index, dtype="string")
    for code, pattern in WEAPON_NOTES:
        words = _first_match(notes, pattern)
        new = weapon.isna() & words.notna()
        weapon = weapon.mask(new, code)
        detail = detail.mask(new, "notes: " + words.fillna(""))
    from_sub = sub_event.map(WEAPON_SUB_EVENT).astype("string")
    fallback = weapon.isna()
    weapon = weapon.fillna(from_sub).fillna("other_unknown")
    detail = detail.mask(fallback, "ACLED sub-event type: " + sub_event.astype(str))
    return weapon, detail


def _projectiles(notes: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Projectile counts from the first count phrase of the notes ("at least 11 ballistic
    missiles"): exact -> low and high, a floor -> low, a ceiling -> high, "about" -> neither.
    Returns low, high and the phrase. Runs on the selected rows only, so plain Python."""
    low, high, phrase = [], [], []
    for text in notes.astype(str):
        found = _PROJECTILE_COUNT.search(text)
        if found is None:
            low.append(None)
            high.append(None)
            phrase.append(None)
            continue
        word = found["n"].lower()
        number = _NUMBER_WORDS[word] if word in _NUMBER_WORDS else int(word)
        qualifier = (found["q"] or "").lower()
        low.append(number if qualifier in ("", *_FLOOR) else None)
        high.append(number if qualifier in ("", *_CEILING) else None)
        phrase.append(found.group(0))
    return (pd.Series(low, index=notes.index, dtype="Int64"),
            pd.Series(high, index=notes.index, dtype="Int64"),
            pd.Series(phrase, index=notes.index, dtype="string"))


def _attributions(actor1: pd.Series, actors: pd.DataFrame) -> pd.Series:
    """Actor id for ACLED's actor1 when it names an actor of the gazetteer: the whole name
    (year range removed) equals an actor's name or alias, or contains one as whole words
    (``Military Forces of Iran (1989-) Islamic Revolutionary Guard Corps`` -> ``irgc``)."""
    names: dict[str, str] = {}
    for actor in actors.itertuples(index=False):
        for name in [actor.actor_name, *split_list(actor.aliases)]:
            if len(name.strip()) >= 4:
                names.setdefault(name.strip().lower(), str(actor.actor_id))
    longest_first = sorted(names, key=len, reverse=True)

    def lookup(value: object) -> object:
        if not isinstance(value, str) or not value:
            return pd.NA
        stem = re.sub(_YEAR_RANGE, "", value).strip().lower()
        if stem in names:
            return names[stem]
        for name in longest_first:
            if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", stem):
                return names[name]
        return pd.NA

    unique = actor1.dropna().unique()
    return actor1.map({value: lookup(value) for value in unique}).astype("string")


def _assign_sites(rows: pd.DataFrame, sites: pd.DataFrame,
                  radius_km: float) -> tuple[pd.Series, pd.DataFrame]:
    """Gazetteer site of each selected row, adding sites for places the gazetteer lacks.

    In order: a base the notes or ``location`` name (the nearest, when several are named),
    unless it lies farther from ACLED's coordinates than :data:`NAMED_SITE_KM`;
    the nearest base within its radius; for a convoy attack, the nearest convoy route within
    15 km; else a new site at ACLED's location (``acled-<place>``). Rows located only at a
    region's capital (geo_precision 3) skip the two distance steps.
    """
    site_id = pd.Series(pd.NA, index=rows.index, dtype="string")
    lat, lon = rows["latitude"].to_numpy(float), rows["longitude"].to_numpy(float)
    placed = ~rows["geo_precision"].eq(3).fillna(False).to_numpy()
    gazetteer = sites.set_index("site_id")
    named_km = pd.Series(np.inf, index=rows.index)
    limit = _named_site_limit(rows)
    for sid, pattern in site_name_patterns(sites).items():
        named = _contains(rows["notes"], pattern) | _contains(rows["location"], pattern)
        km = _named_site_km(rows, gazetteer.loc[sid])
        # a site without coordinates cannot be checked: it is taken, after any located one
        named &= km.isna() | (km <= limit)
        km = km.fillna(1e9)
        better = named & (site_id.isna() | (km < named_km))
        site_id = site_id.mask(better, sid)
        named_km = named_km.mask(better, km)
    points = base_sites(sites, radius_km)
    if len(points) and radius_km > 0:
        near, _ = nearest_site(lat, lon, points)
        found = pd.Series(np.where((near >= 0) & placed, points["site_id"].to_numpy(
            dtype=object)[near], None), index=rows.index, dtype="string")
        site_id = site_id.fillna(found)
    routes = sites[sites["site_kind"].astype("string").eq("route")
                   & sites["latitude"].notna()].copy()
    if len(routes):
        routes["radius_km"] = ROUTE_RADIUS_KM
        near, _ = nearest_site(lat, lon, routes.reset_index(drop=True))
        convoy = _contains(rows["notes"], CONVOY)
        found = pd.Series(np.where((near >= 0) & placed, routes["site_id"].astype(str)
                                   .to_numpy(dtype=object)[near], None), index=rows.index,
                          dtype="string")
        site_id = site_id.mask(site_id.isna() & convoy, found)
    new_sites = _new_sites(rows[site_id.isna()], set(sites["site_id"].astype(str)))
    site_id = site_id.fillna(new_sites["site_id_by_row"])
    return site_id, new_sites.drop(columns="site_id_by_row").drop_duplicates("site_id")


def _new_sites(rows: pd.DataFrame, taken: set[str]) -> pd.DataFrame:
    """Gazetteer rows for ACLED places the gazetteer lacks (one per place and coordinates)."""
    columns = list(TABLES["sites"].columns)
    if rows.empty:
        return pd.DataFrame(columns=[*columns, "site_id_by_row"])
    keys = (rows["location"].astype(str) + "|" + rows["latitude"].round(4).astype(str) + "|"
            + rows["longitude"].round(4).astype(str))
    ids: dict[str, str] = {}
    for key, location, event_id in zip(keys, rows["location"].astype(str),
                                       rows["event_id_cnty"].astype(str), strict=True):
        if key in ids:
            continue
        base = "acled-" + (_slug(location) or event_id.lower())
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            candidate = f"{base}-{number}"
        taken.add(candidate)
        ids[key] = candidate
    convoy = _contains(rows["notes"], CONVOY)
    geo = rows["geo_precision"].astype("Int64").astype("string").fillna("not given")
    frame = pd.DataFrame({
        "site_id": keys.map(ids), "site_name": rows["location"].astype(str),
        "aliases": "", "site_kind": np.where(convoy, "route", "town"),
        "country": rows["country"].astype(str), "province": rows["admin1"].astype(str),
        "latitude": rows["latitude"], "longitude": rows["longitude"],
        "coordinates_precision": "town",
        "coordinates_basis": "ACLED event " + rows["event_id_cnty"].astype(str)
        + " coordinates (geo_precision " + geo + ")",
        "notes": "Place added by the ACLED import: ACLED's location, not in the curated "
                 "gazetteer",
    }, index=rows.index)
    frame["site_id_by_row"] = frame["site_id"]
    return frame


def to_incidents(selected: pd.DataFrame, sites: pd.DataFrame, actors: pd.DataFrame, *,
                 radius_km: float = DEFAULT_RADIUS_KM,
                 known_sources: Iterable[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame,
                                                              pd.DataFrame]:
    """Map selected rows to the incidents layout; return (incidents, new sites, new sources).

    What each column takes (columns not listed stay empty):

    - ``incident_id``: date, site and ACLED id, e.g. ``2020-01-08-ain-al-asad-irq22904``;
    - ``date_precision``: ACLED ``time_precision`` 1 -> ``day``, 2 or 3 -> ``approximate``;
    - ``site_id``: see :func:`_assign_sites`; ``site_name``: ACLED's ``location``;
      ``latitude``/``longitude``: ACLED's (``province`` comes from the site when loaded);
    - ``weapon_type``/``weapon_detail``: see :func:`_weapons`; projectile counts from the notes;
    - ``target_kind``: from the site's kind (route -> convoy); on a site the import adds, from
      the row's own notes (convoy when they say so, else other);
    - killed counts: 0 when ACLED records no fatality at all; otherwise empty, since ACLED's
      ``fatalities`` counts everyone (attackers too) without nationality, and
      ``casualties_note`` says so. Wounded counts stay empty (ACLED records no injuries);
    - ``attributed_to``: ACLED's actor1 when it names an actor of the gazetteer, with
      ``attributed_by`` ``ACLED``; never ``claimed_by`` (a coding is not a claim);
    - ``source_ids``: ``acled-<id>``, a source row citing "ACLED event <id>: <outlets>".
    """
    columns = list(TABLES["incidents"].columns)
    if selected.empty:
        return (pd.DataFrame(columns=columns), pd.DataFrame(columns=TABLES["sites"].columns),
                pd.DataFrame(columns=TABLES["sources"].columns))
    rows = selected.reset_index(drop=True)
    site_id, new_sites = _assign_sites(rows, sites, radius_km)
    kinds = pd.concat([sites[["site_id", "site_kind"]].astype(str),
                       new_sites[["site_id", "site_kind"]].astype(str)]).set_index(
        "site_id")["site_kind"]
    site_kind = site_id.map(kinds)
    target = site_kind.map({"air_base": "base", "military_base": "base", "airport": "airport",
                            "diplomatic": "diplomatic", "district": "diplomatic",
                            "route": "convoy"}).fillna("other")
    # a site the import adds is shared by every row at that place: each row's own notes
    # say whether it hit a convoy
    on_new_site = site_id.isin(new_sites["site_id"]).to_numpy()
    own_convoy = _contains(rows["notes"], CONVOY).to_numpy()
    target = target.mask(on_new_site, np.where(own_convoy, "convoy", "other"))
    weapon, weapon_detail = _weapons(rows["sub_event_type"].astype(str), rows["notes"])
    low, high, phrase = _projectiles(rows["notes"])
    weapon_detail = phrase.fillna(weapon_detail)
    attributed = _attributions(rows["actor1"].astype("string"), actors)
    event_id = rows["event_id_cnty"].astype(str)
    none_killed = rows["fatalities"].eq(0)
    zero = pd.Series(np.where(none_killed, 0, pd.NA), dtype="Int64")
    dates = rows["event_date"].dt.strftime("%Y-%m-%d")
    source_id = "acled-" + event_id.str.lower()
    incidents = pd.DataFrame({
        "incident_id": dates + "-" + site_id.astype(str) + "-" + event_id.str.lower(),
        "incident_date": dates,
        "date_precision": np.where(rows["time_precision"].fillna(1).eq(1), "day",
                                   "approximate"),
        "country": rows["country"].astype(str),
        "site_id": site_id.astype(str), "site_name": rows["location"].astype(str),
        "latitude": rows["latitude"], "longitude": rows["longitude"],
        "weapon_type": weapon, "weapon_detail": weapon_detail,
        "projectiles_low": low, "projectiles_high": high, "target_kind": target,
        "us_killed_count": zero, "coalition_killed_count": zero,
        "contractors_killed_count": zero, "iraqi_killed_count": zero,
        "casualties_note": "ACLED fatalities: " + rows["fatalities"].astype(str)
        + " (everyone killed, attackers included; not split by nationality)",
        "attributed_to": attributed,
        "attributed_by": np.where(attributed.notna(), "ACLED", None),
        "attribution_status": np.where(attributed.notna(), "attributed", "unattributed"),
        "acled_event_id": event_id, "source_ids": source_id,
        "curation_basis": "acled_import",
        "notes": rows["notes"].astype(str) + " [ACLED actor1: " + rows["actor1"].astype(str)
        + "; actor2: " + rows["actor2"].astype(str) + "; assoc_actor_2: "
        + rows["assoc_actor_2"].astype(str) + "; sub-event: "
        + rows["sub_event_type"].astype(str) + ". Selected: "
        + rows["selection_reason"].astype(str) + "]",
    }).reindex(columns=columns)
    outlets = rows["source"].astype(str).str.split(";").map(
        lambda items: ", ".join(item.strip() for item in items if item.strip()))
    known = set(known_sources)
    sources = pd.DataFrame({
        "source_id": source_id, "outlet": "ACLED",
        "title": "event " + event_id + ": " + outlets.where(outlets.ne(""), "no outlet named"),
        "source_kind": "dataset",
        "notes": "From the analyst's ACLED export; the outlets are those ACLED cites",
    }).reindex(columns=list(TABLES["sources"].columns))
    sources = sources[~sources["source_id"].isin(known)]
    return incidents, new_sites.reindex(columns=list(TABLES["sites"].columns)), sources


# --- merging with the curated incidents -------------------------------------------------------

def _site_groups(sites: pd.DataFrame | None) -> dict[str, str]:
    """site_id -> the first gazetteer site within 1 km of it (co-located entries such as the
    Green Zone and the US Embassy count as one place when matching)."""
    if sites is None or sites.empty:
        return {}
    located = sites[sites["latitude"].notna() & sites["longitude"].notna()]
    groups = {str(s): str(s) for s in sites["site_id"]}
    lat, lon = located["latitude"].to_numpy(float), located["longitude"].to_numpy(float)
    ids = located["site_id"].astype(str).to_numpy()
    for index, site in enumerate(ids):
        km = haversine_km(lat[:index], lon[:index], lat[index], lon[index])
        if (km <= 1.0).any():
            groups[site] = groups[ids[int(np.argmax(km <= 1.0))]]
    return groups


_KILLED_COLUMNS = ("us_killed_count", "coalition_killed_count", "contractors_killed_count",
                   "iraqi_killed_count")


def _killed_total(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Deaths of each incident and whether that is the whole count: ACLED's ``fatalities``
    when given (everyone killed), else the sum of the killed counts given, which is whole only
    when every count is given. An empty count is not reported, never zero: ``us 2`` with the
    other counts empty is "at least 2"."""
    if "fatalities" in frame:
        return frame["fatalities"].astype("Int64"), pd.Series(True, index=frame.index)
    values = frame.reindex(columns=list(_KILLED_COLUMNS)).astype("Int64")
    total = values.sum(axis=1, min_count=1).astype("Int64")
    return total, values.notna().all(axis=1)


def _death_difference(imp: tuple[object, bool], cur: tuple[object, bool]) -> list[str]:
    """The deaths conflict when both counts are whole and differ, or one is whole and below
    the other's known part (a count that is only a part says "at least")."""
    (imp_n, imp_whole), (cur_n, cur_whole) = imp, cur
    if pd.isna(imp_n) or pd.isna(cur_n):
        return []
    imp_n, cur_n = int(imp_n), int(cur_n)
    if imp_whole and cur_whole:
        differ = imp_n != cur_n
    else:
        differ = (imp_whole and imp_n < cur_n) or (cur_whole and cur_n < imp_n)
    if not differ:
        return []

    def words(number: int, whole: bool) -> str:
        return str(number) if whole else (f"at least {number} (other killed counts not "
                                          "given)")

    return [f"killed: ACLED {words(imp_n, imp_whole)}, curated {words(cur_n, cur_whole)}"]


def match_incidents(imported: pd.DataFrame, curated: pd.DataFrame,
                    sites: pd.DataFrame | None = None, *, max_days: int = 1,
                    period: tuple[object, object] | None = None) -> pd.DataFrame:
    """Where the imported and the curated incidents agree, conflict, or stand alone.

    Two incidents match when they carry the same ``acled_event_id``, or else lie at the same
    site (co-located gazetteer entries count as one, when ``sites`` is given) at most
    ``max_days`` apart; each incident matches at most once, closest dates first. A match is a
    ``conflict`` when the weapons differ (neither unknown), the deaths differ (ACLED's
    ``fatalities`` when ``imported`` has it, else the sum of the killed counts; a sum with
    an empty count is only a floor, see :func:`_killed_total`), or both name a perpetrator
    and they differ; otherwise it ``agree``s. Unmatched incidents are
    ``imported_only`` or ``curated_only`` (the latter only within ``period``, the span the
    export covers, when given).

    Returns one row per pair or lone incident: ``status``, ``matched_by``,
    ``imported_incident_id``, ``curated_incident_id``, ``acled_event_id``, ``site_id``,
    ``imported_date``, ``curated_date``, ``days_apart``, ``differences``.
    """
    groups = _site_groups(sites)
    imp = imported.reset_index(drop=True)
    cur = curated.reset_index(drop=True)
    if period is not None:
        start, end = (pd.Timestamp(p) for p in period)
        cur = cur[pd.to_datetime(cur["incident_date"]).between(start, end)].reset_index(
            drop=True)
    imp_date, cur_date = (pd.to_datetime(f["incident_date"]) for f in (imp, cur))
    pairs: list[tuple[int, int, str]] = []
    used_imp: set[int] = set()
    used_cur: set[int] = set()
    cur_ids = cur["acled_event_id"].astype("string")
    for i, event_id in imp["acled_event_id"].astype("string").items():
        if pd.isna(event_id):
            continue
        same = cur_ids.index[cur_ids.eq(event_id).fillna(False)]
        free = [j for j in same if j not in used_cur]
        if free:
            pairs.append((i, free[0], "acled_event_id"))
            used_imp.add(i)
            used_cur.add(free[0])
    imp_group = imp["site_id"].astype(str).map(lambda s: groups.get(s, s))
    cur_group = cur["site_id"].astype(str).map(lambda s: groups.get(s, s))
    candidates = []
    for j in cur.index:
        if j in used_cur:
            continue
        days = (imp_date - cur_date[j]).dt.days.abs()
        near = imp.index[(imp_group == cur_group[j]) & (days <= max_days)]
        candidates += [(int(days[i]), i, j) for i in near if i not in used_imp]
    for _, i, j in sorted(candidates):
        if i not in used_imp and j not in used_cur:
            pairs.append((i, j, "site and date"))
            used_imp.add(i)
            used_cur.add(j)
    imp_killed, cur_killed = _killed_total(imp), _killed_total(cur)
    records = []
    for i, j, how in pairs:
        differences = _differences(imp.loc[i], cur.loc[j],
                                   (imp_killed[0][i], bool(imp_killed[1][i])),
                                   (cur_killed[0][j], bool(cur_killed[1][j])))
        records.append({"status": "conflict" if differences else "agree", "matched_by": how,
                        "imported_incident_id": imp.at[i, "incident_id"],
                        "curated_incident_id": cur.at[j, "incident_id"],
                        "acled_event_id": imp.at[i, "acled_event_id"],
                        "site_id": cur.at[j, "site_id"], "imported_date": imp_date[i],
                        "curated_date": cur_date[j],
                        "days_apart": int((imp_date[i] - cur_date[j]).days),
                        "differences": "; ".join(differences)})
    for i in imp.index.difference(sorted(used_imp)):
        records.append({"status": "imported_only", "matched_by": "",
                        "imported_incident_id": imp.at[i, "incident_id"],
                        "acled_event_id": imp.at[i, "acled_event_id"],
                        "site_id": imp.at[i, "site_id"], "imported_date": imp_date[i]})
    for j in cur.index.difference(sorted(used_cur)):
        records.append({"status": "curated_only", "matched_by": "",
                        "curated_incident_id": cur.at[j, "incident_id"],
                        "acled_event_id": cur.at[j, "acled_event_id"],
                        "site_id": cur.at[j, "site_id"], "curated_date": cur_date[j]})
    columns = ["status", "matched_by", "imported_incident_id", "curated_incident_id",
               "acled_event_id", "site_id", "imported_date", "curated_date", "days_apart",
               "differences"]
    result = pd.DataFrame(records, columns=columns)
    result["days_apart"] = result["days_apart"].astype("Int64")
    order = {"conflict": 0, "agree": 1, "imported_only": 2, "curated_only": 3}
    when = result["imported_date"].fillna(result["curated_date"])
    return result.assign(_o=result["status"].map(order), _w=when).sort_values(
        ["_o", "_w"], kind="stable").drop(columns=["_o", "_w"]).reset_index(drop=True)


def _differences(imp: pd.Series, cur: pd.Series, imp_killed: tuple[object, bool],
                 cur_killed: tuple[object, bool]) -> list[str]:
    found = []
    weapons = imp.get("weapon_type"), cur.get("weapon_type")
    known = all(pd.notna(weapon) and weapon != "other_unknown" for weapon in weapons)
    if known and weapons[0] != weapons[1]:
        found.append(f"weapon_type: imported {weapons[0]}, curated {weapons[1]}")
    found += _death_difference(imp_killed, cur_killed)
    imp_actor = imp.get("attributed_to")
    cur_actors = {a for a in (cur.get("claimed_by"), cur.get("attributed_to")) if pd.notna(a)}
    if pd.notna(imp_actor) and cur_actors and imp_actor not in cur_actors:
        found.append(f"perpetrator: ACLED {imp_actor}, curated {', '.join(sorted(cur_actors))}")
    return found


# --- the whole import ---------------------------------------------------------------------------

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
            + f", {_count(c['rows_in_file'], 'row')}; {c['country_rows']:,} in {export.country}"
            + (" (from the cache)" if export.from_cache else ""),
        ]
        if c["rejected_rows"]:
            reasons = export.rejected["reason"].value_counts()
            lines.append(f"Rejected {_count(c['rejected_rows'], 'unreadable row')} (see "
                         f"{REPORT_FILES['rejected']}): " + ", ".join(
                             f"{reason} {n}" for reason, n in reasons.items()))
        else:
            lines.append("Rejected no row: every row could be read")
        if len(report):
            chosen = report[report["selected"]]
            lines.append(
                f"Selected {_count(c['selected'], 'attack')} on US or coalition forces (rules "
                f"met, a row may meet several: target actor {int(chosen['rule_actor'].sum())}, "
                f"notes {int(chosen['rule_notes'].sum())}, distance to a base "
                f"{int(chosen['rule_distance'].sum())}); "
                f"{_count(c['not_selected'], 'candidate')} left out (reasons in "
                f"{REPORT_FILES['report']})")
        else:
            lines.append("Selected no attack on US or coalition forces")
        outside = c["outside_coverage"]
        lines.append(f"Wrote {_count(c['written'], 'incident')} to {self.out_dir}"
                     + (f"; {_count(outside, 'selected attack')} "
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
    could not be read, with the reason), ``import_matches.csv`` (see :func:`match_incidents`),
    ``import_summary.json`` and the manifest :data:`MANIFEST_NAME`, which lists every file
    the import wrote with its SHA-256.

    The directory is built in a temporary folder beside ``out_dir``, validated with the
    workbook's own loader, and only then moved into place: a failure leaves nothing half
    written. An existing ``out_dir`` is replaced only when it is empty or holds nothing but
    the files its manifest lists, unchanged; anything else (a note, a subfolder, the export
    itself, a file edited since, a folder without a manifest) is refused before the export is
    read, and checked again at the moment of the swap.

    Raises :class:`AcledFormatError` when the file is not an ACLED export,
    :class:`AcledImportError` when it holds no row of ``country``, :class:`FileExistsError`
    when ``out_dir`` holds something else, and :class:`AcledOutputError` (an ``OSError``) when
    the folder cannot be written (read-only, disk full). Nothing is written then.
    """
    from sitrep_analysis.data import default_data_dir, load_all, validate_dir

    started = time.perf_counter()
    if country not in (FIELDS["country"].allowed or {}):
        raise ValueError(f"country {country!r}: the workbook takes "
                         f"{', '.join(FIELDS['country'].allowed or {})}")
    out = Path(out_dir) if out_dir is not None else Path(f"acled-{country.lower()}")
    source = Path(path)
    _check_out_dir(out, source)  # before the (possibly long) read
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
    created = _make_parents(out)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as error:
        _remove_folders(created)
        raise _output_error(out, error) from error
    try:
        # mkdtemp makes the folder private (0700); the data directory is as readable as the
        # one it replaces, or as an ordinary new folder
        staging.chmod(out.stat().st_mode & 0o777 if out.is_dir() else 0o755)
        _write_directory(staging, base, incidents, new_sites, new_sources)
        validate_dir(staging)  # the workbook's own checks: never move an invalid folder in
        _write_descriptor(staging, export, base)
        result = ImportResult(out, export, report, incidents, matches)
        _write_reports(staging, result)
        result.seconds = time.perf_counter() - started
        _write_summary(staging, result, base, radius_km)
        _write_manifest(staging)
        _move_into_place(staging, out, source)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_folders(created)
        if isinstance(error, OSError) and not isinstance(error, FileExistsError
                                                         | AcledOutputError):
            raise _output_error(out, error) from error
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
    shown = ", ".join(f"{place} ({_count(int(n), 'row')})"
                      for place, n in countries.head(8).items())
    if len(countries) > 8:
        shown += f" and {_count(len(countries) - 8, 'other country', 'other countries')}"
    return f"{name} holds no rows of {country}; its rows are of {shown}: nothing was written"


# --- the output folder ----------------------------------------------------------------------

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


def _check_out_dir(out: Path, export: Path | None = None) -> None:
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


def _output_error(out: Path, error: OSError) -> AcledOutputError:
    """One line on a write that failed (disk full, read-only file system, ...)."""
    reason = error.strerror or str(error) or type(error).__name__
    kept = "; the earlier import there is unchanged" if _read_manifest(out) else ""
    wrapped = AcledOutputError(f"cannot write the data directory {out}: {reason}; nothing "
                               f"was written{kept}")
    wrapped.errno = error.errno
    return wrapped


def _make_parents(out: Path) -> list[Path]:
    """Create the folders above ``out`` that are missing; return them, deepest first, so a
    failed import removes them again."""
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
        _remove_folders(made)
        raise _output_error(out, error) from error
    return made


def _remove_folders(folders: list[Path]) -> None:
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def _write_manifest(folder: Path) -> None:
    from sitrep_analysis import __version__

    files = {path.name: _sha256(path) for path in sorted(folder.iterdir()) if path.is_file()}
    manifest = {"written_by": "sitrep import acled", "sitrep_analysis_version": __version__,
                "note": "The files this ACLED import wrote, with their SHA-256. A later import "
                        "into this folder replaces these files only, and refuses if the folder "
                        "holds anything else or one of them was changed.",
                "files": files}
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n",
                                        encoding="utf-8")


def _move_into_place(staging: Path, out: Path, export: Path | None = None) -> None:
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


# --- writing --------------------------------------------------------------------------------

def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", na_rep="")


#: A text cell starting with one of these is run as a formula by spreadsheets.
_FORMULA_START = r"^[=+\-@\t\r]"


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
        risky = _match(_arrow_text(values), _FORMULA_START)
        if risky.any():
            cells = values.to_numpy(dtype=object, copy=True)
            cells[risky] = ["'" + str(cell) for cell in cells[risky]]  # the few risky cells
            safe[column] = pd.Series(cells, index=values.index, dtype=object)
    return safe


def _write_directory(folder: Path, base: Path, incidents: pd.DataFrame,
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


def _write_descriptor(folder: Path, export: AcledExport, base: Path) -> None:
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


def _write_reports(folder: Path, result: ImportResult) -> None:
    """The side files meant for spreadsheets, their text cells made safe to open (see
    :func:`_spreadsheet_cells`); the data files keep ACLED's text as it is."""
    report_columns = ["row", "event_id_cnty", "event_date", "event_type", "sub_event_type",
                      "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2",
                      "location", "latitude", "longitude", "selected", "selection_reason",
                      "exclusion_reason", "near_site_id", "near_site_km", "incident_id",
                      "notes"]
    report = result.report.reindex(columns=report_columns)
    report["event_date"] = report["event_date"].dt.strftime("%Y-%m-%d")
    _write_csv(_spreadsheet_cells(report), folder / REPORT_FILES["report"])
    _write_csv(_spreadsheet_cells(result.export.rejected), folder / REPORT_FILES["rejected"])
    matches = result.matches.copy()
    for column in ("imported_date", "curated_date"):
        matches[column] = pd.to_datetime(matches[column]).dt.strftime("%Y-%m-%d")
    _write_csv(_spreadsheet_cells(matches), folder / REPORT_FILES["matches"])


def _write_summary(folder: Path, result: ImportResult, base: Path, radius_km: float) -> None:
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
