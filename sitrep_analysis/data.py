"""Loaders: the curated CSVs (or a user's directory of the same layout) as typed DataFrames.

Every loader reads and validates the whole directory, because an incident is only valid if its
site, actors and sources resolve. Nothing is written: a directory that breaks a rule raises
:class:`DataValidationError` listing every problem with file, line, column, value and rule.
A validated directory is kept in memory, keyed by the files' sizes and modification times, so
repeated calls in a notebook cost a copy, not a re-read; and on disk, in the user's cache
folder, keyed by the files' bytes and the rules (:mod:`sitrep_analysis.table_cache`), so a new
kernel loading the same data skips validation and never imports pandera.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from sitrep_analysis import table_cache
from sitrep_analysis.columns import FIELDS, TABLES, Table
from sitrep_analysis.files import default_data_dir
from sitrep_analysis.parse import (
    DataValidationError,
    Problem,
    pandas_dtype,
    parse_column,
    split_list,
)

__all__ = [
    "DataValidationError",
    "Dataset",
    "default_data_dir",
    "load_actors",
    "load_all",
    "load_claims",
    "load_events",
    "load_incidents",
    "load_sites",
    "load_sources",
    "load_tallies",
    "load_troop_levels",
]


@dataclass(frozen=True)
class Dataset:
    """All curated tables of one data directory, validated and typed."""

    data_dir: Path
    incidents: pd.DataFrame
    political_events: pd.DataFrame
    troop_levels: pd.DataFrame
    sites: pd.DataFrame
    actors: pd.DataFrame
    sources: pd.DataFrame
    claims: pd.DataFrame
    reported_tallies: pd.DataFrame
    actor_memberships: pd.DataFrame

    def copy(self) -> Dataset:
        frames = {name: getattr(self, name).copy() for name in TABLES}
        return Dataset(self.data_dir, **frames)


# --- reading one file --------------------------------------------------------------------------

@dataclass
class _RawTable:
    text_frame: pd.DataFrame
    lines: Callable[[int], int]
    #: Primary keys of the rows set aside as unreadable (reported once, on their own line):
    #: references to them are not reported again as unknown.
    unread_keys: frozenset[str] = frozenset()


class _Lines:
    """Where each record of a file starts, worked out only when a problem needs a line.

    pyarrow reads the file (fast, no Python per row), skipping empty lines and setting aside
    every record whose field count differs from the header's; the csv module reads it again
    here, the same way, the first time a problem asks for a line number. Lines end at LF, CRLF
    or a lone CR (old-Mac files), as in pyarrow.
    """

    def __init__(self, text: str, width: int) -> None:
        self._text, self._width = text, width
        self._records: list[int] | None = None  # start line of each non-empty record
        self._kept: list[int] = []  # ... of each record of the header's width: header, rows

    def _scan(self) -> None:
        self._records = []
        reader = csv.reader(io.StringIO(self._text, newline=""))
        previous_end = 0
        try:
            for row in reader:
                if row:
                    self._records.append(previous_end + 1)
                    if len(row) == self._width:
                        self._kept.append(previous_end + 1)
                previous_end = reader.line_num
        except csv.Error:  # beyond what the csv module reads, lines are estimated
            pass

    def of_row(self, position: int) -> int:
        """Physical line of a data row (0 = the first row of the table)."""
        if self._records is None:
            self._scan()
        return self._kept[position + 1] if position + 1 < len(self._kept) else position + 2

    def of_record(self, number: int | None) -> int | None:
        """Physical line of a record as pyarrow numbers them (1 = the header)."""
        if self._records is None:
            self._scan()
        records = self._records or []
        return records[number - 1] if number is not None and 0 < number <= len(records) else None


def _decode(path: Path, raw: bytes) -> tuple[str | None, list[Problem]]:
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    problems = []
    for number, line in enumerate(raw.splitlines(), start=1):  # LF, CRLF or CR
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as error:
            bad = line[error.start:error.start + 1].hex()
            problems.append(Problem(path.name, number, None, None,
                                    f"is not valid UTF-8 (byte 0x{bad} at position "
                                    f"{error.start + 1}); save the file as UTF-8"))
    return None, problems


@dataclass(frozen=True)
class _BadRecord:
    """A record pyarrow set aside: its number (1 = header), field count and text."""

    number: int | None
    fields: int
    text: str


#: pyarrow text -> pandas' string dtype (as ``read_csv(dtype="string")`` gives)
_TEXT_TYPES = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype()}


def _parse_csv(raw: bytes, width: int) -> tuple[pa.Table, list[_BadRecord]]:
    """Every record of a UTF-8 CSV as text (empty cells null), the header included as row 0,
    and the records whose field count differs from the header's (``width``), set aside."""
    bad: list[_BadRecord] = []

    def set_aside(row: pacsv.InvalidRow) -> str:
        if row.text.strip():  # a line of spaces is skipped, as an empty line is
            bad.append(_BadRecord(row.number, row.actual_columns, row.text))
        return "skip"

    buffer = pa.py_buffer(raw)
    if raw.startswith(codecs.BOM_UTF8):
        buffer = buffer.slice(len(codecs.BOM_UTF8))
    # The header is read as a row, so that repeated or empty names are reported, not renamed.
    # One thread: it numbers the set-aside records, and is no slower on files of this shape.
    table = pacsv.read_csv(
        pa.BufferReader(buffer),
        read_options=pacsv.ReadOptions(autogenerate_column_names=True, use_threads=False),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=set_aside),
        convert_options=pacsv.ConvertOptions(
            check_utf8=False, strings_can_be_null=True, quoted_strings_can_be_null=True,
            null_values=[""], column_types={f"f{i}": pa.string() for i in range(width)}))
    if not all(pa.types.is_string(kind) for kind in table.schema.types):
        # pyarrow saw another header width than the csv module: still read everything as text
        table = table.cast(pa.schema([(name, pa.string()) for name in table.column_names]))
    return table, bad


def _first_record(text: str) -> list[str]:
    """The header: the first non-empty record, as the csv module reads it."""
    for row in csv.reader(io.StringIO(text, newline="")):
        if row:
            return row
    return []


def _header_problems(table: Table, header: list[str]) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for number, name in enumerate(header, start=1):
        if not name:
            problems.append(Problem(table.filename, 1, None, None,
                                    f"the header's field {number} is empty: every column needs "
                                    "its name"))
        elif name in seen:
            problems.append(Problem(table.filename, 1, name, None,
                                    "column is named twice in the header"))
        seen.add(name)
    named = [name for name in header if name]
    problems += [Problem(table.filename, 1, name, None, "required column is missing from the "
                         "header") for name in table.columns
                 if name not in named and name not in table.optional_columns]
    problems += [Problem(table.filename, 1, name, None, "column is not in the column dictionary "
                         f"for {table.name} (sitrep_analysis/columns.py)")
                 for name in dict.fromkeys(named) if name not in table.columns]
    return problems


def _record_problem(table: Table, record: _BadRecord, width: int,
                    lines: _Lines) -> Problem:
    line = lines.of_record(record.number)
    if not record.text.replace(",", "").replace('"', "").strip():
        rule = "holds only commas, no values: delete the line"
    elif record.text.count('"') % 2:
        rule = (f"has {record.fields} fields, the header has {width}: a double quote opened on "
                "this line is never closed, so the lines after it were read as one value")
    elif record.fields < width:
        rule = (f"has {record.fields} fields, the header has {width}: every line needs a field "
                "for each column, an empty one between two commas when not reported")
    else:
        rule = (f"has {record.fields} fields, the header has {width}: a value holding a comma "
                "must be in double quotes")
    if line is None:
        rule += f" (the line begins {record.text[:40]!r})"
    return Problem(table.filename, line, None, None, rule)


def _table_bytes(data_dir: Path) -> dict[str, bytes | None] | None:
    """Every table file's bytes, read once (None for an absent optional file), so the cache
    key and the validation see the same bytes; None when a file cannot be read as one (the
    loader then reads file by file and says what is wrong)."""
    contents: dict[str, bytes | None] = {}
    for table in TABLES.values():
        path = data_dir / table.filename
        try:
            contents[table.filename] = path.read_bytes()
        except FileNotFoundError:
            if not table.optional:
                return None
            contents[table.filename] = None
        except OSError:  # a folder, unreadable
            return None
    return contents


def _read_table(data_dir: Path, table: Table,
                content: bytes | None = None) -> tuple[_RawTable | None, list[Problem]]:
    path = data_dir / table.filename
    if content is not None:  # read already, for the cache key
        raw = content
    elif path.is_dir():
        return None, [Problem(table.filename, None, None, None,
                              f"is a folder, not a file: table {table.name} is read from a "
                              "CSV file of this name")]
    elif not path.exists():
        if table.optional:
            empty = pd.DataFrame({name: pd.Series(dtype="string") for name in table.columns})
            return _RawTable(empty, lambda position: position + 2), []
        return None, [Problem(table.filename, None, None, None,
                              f"file is missing from {data_dir}")]
    else:
        try:
            raw = path.read_bytes()
        except OSError as error:
            return None, [Problem(table.filename, None, None, None,
                                  f"cannot be read: {error.strerror or error}")]
    text, problems = _decode(path, raw)
    if text is None:
        return None, problems
    if not text.strip():
        return None, [Problem(table.filename, None, None, None,
                              "file is empty: it needs a header line naming the columns "
                              f"{', '.join(table.columns)}")]
    try:
        records, bad = _parse_csv(raw, len(_first_record(text)))
    except (csv.Error, pa.ArrowInvalid, ValueError) as error:
        return None, [Problem(table.filename, None, None, None, f"is not readable CSV: {error}")]
    header = [("" if name is None else str(name)).strip()
              for name in records.slice(0, 1).to_pylist()[0].values()]
    problems = _header_problems(table, header)
    if problems:
        return None, problems
    lines = _Lines(text, len(header))
    problems = [_record_problem(table, record, len(header), lines) for record in bad]
    unread_keys = frozenset(_keys(bad, header.index(table.primary_key)))
    frame = records.slice(1).to_pandas(types_mapper=_TEXT_TYPES.get)
    frame.columns = header
    # a line of commas only (as many as the header's): refused, and left out of the checks
    empty = frame.isna().all(axis="columns")
    if empty.any():
        problems += [Problem(table.filename, lines.of_row(position), None, None,
                             "holds only commas, no values: delete the line")
                     for position in empty[empty].index]
        frame = frame[~empty]
    for name in sorted(table.optional_columns - set(header)):
        frame[name] = pd.Series(pd.NA, index=frame.index, dtype="string")
    return _RawTable(frame, lines.of_row, unread_keys), problems


def _keys(records: list[_BadRecord], at: int) -> list[str]:
    """The primary key of each set-aside record that has a field at its place."""
    keys = []
    for record in records:
        fields = next(csv.reader(io.StringIO(record.text, newline="")), [])
        if at < len(fields) and fields[at].strip():
            keys.append(fields[at].strip())
    return keys


def _type_table(table: Table, raw: _RawTable) -> tuple[pd.DataFrame, list[Problem]]:
    typed, problems = {}, []
    for name in table.columns:
        values, failures = parse_column(FIELDS[name], raw.text_frame[name])
        typed[name] = values
        for position, rule in failures.items():
            problems.append(Problem(table.filename, raw.lines(position), name,
                                    str(raw.text_frame.at[position, name]), rule))
    return pd.DataFrame(typed, index=raw.text_frame.index), problems


# --- the whole directory ----------------------------------------------------------------------

def _validate_dir(data_dir: Path,
                  contents: Mapping[str, bytes | None] | None = None) -> dict[str, pd.DataFrame]:
    # pandera (about 0.4 s to import) only when a directory is really validated
    from sitrep_analysis.schema import claim_problems, foreign_key_problems, run_schema

    if not data_dir.is_dir():
        reason = "is not a folder" if data_dir.exists() else "folder does not exist"
        raise DataValidationError([Problem(str(data_dir), None, None, None, reason)],
                                  str(data_dir))
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    lines: dict[str, Callable[[int], int]] = {}
    unread: dict[str, frozenset[str]] = {}
    for table in TABLES.values():
        raw, read_problems = _read_table(
            data_dir, table, None if contents is None else contents[table.filename])
        problems += read_problems
        if raw is None:
            continue
        typed, parse_problems = _type_table(table, raw)
        unparsed = {(p.line, p.column) for p in parse_problems}
        schema_problems = [p for p in run_schema(table, typed, raw.lines)
                           if (p.line, p.column) not in unparsed]
        problems += parse_problems + schema_problems
        frames[table.name], lines[table.name] = typed, raw.lines
        unread[table.name] = raw.unread_keys
    problems += foreign_key_problems(frames, lines, unread)
    problems += claim_problems(frames, lines, unread)
    if problems:
        raise DataValidationError(problems, str(data_dir))
    return frames


def _finish(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Add the derived columns and give every column its final dtype."""
    citations = _citations(frames["sources"])
    out = {}
    for table in TABLES.values():
        frame = frames[table.name].copy()
        if "sources" in table.derived:
            frame["sources"] = frame["source_ids"].map(
                lambda cell: "; ".join(citations[item] for item in split_list(cell))
            ).astype("string")
        if table.name == "incidents":
            frame = _fill_from_sites(frame, frames["sites"])
        if table.name == "actors":
            frame["umbrella_ids"] = _umbrellas(frame["actor_id"], frames["actor_memberships"])
        frame = frame.astype({name: pandas_dtype(FIELDS[name])
                              for name in table.columns + table.derived})
        out[table.name] = frame[list(table.columns + table.derived)]
    return out


def _citations(sources: pd.DataFrame) -> dict[str, str]:
    """source_id -> readable citation: outlet (via relay), "title", date, url."""
    citations = {}
    for source_id, outlet, via, title, published, url in zip(
            sources["source_id"], sources["outlet"], sources["via"], sources["title"],
            sources["published_date"], sources["url"], strict=True):
        parts = [outlet if pd.isna(via) else f"{outlet} via {via}"]
        if pd.notna(title):
            parts.append(f'"{title}"')
        if pd.notna(published):
            parts.append(str(published))
        if pd.notna(url):
            parts.append(str(url))
        citations[source_id] = ", ".join(parts)
    return citations


def _umbrellas(actor_ids: pd.Series, memberships: pd.DataFrame) -> pd.Series:
    """Each actor's umbrellas, `;`-separated in file order, from the memberships table."""
    held: dict[str, list[str]] = {}
    for member, umbrella in zip(memberships["member_actor_id"],
                                memberships["umbrella_actor_id"], strict=True):
        held.setdefault(str(member), []).append(str(umbrella))
    return actor_ids.map(lambda actor: ";".join(held.get(str(actor), [])) or pd.NA)


def _fill_from_sites(incidents: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """Empty province and coordinates of an incident take its site's (gazetteer) values."""
    site = sites.set_index("site_id").reindex(incidents["site_id"])
    site.index = incidents.index
    own = incidents["latitude"].notna() & incidents["longitude"].notna()
    from_site = ~own & site["latitude"].notna() & site["longitude"].notna()
    incidents["latitude"] = incidents["latitude"].where(own, site["latitude"])
    incidents["longitude"] = incidents["longitude"].where(own, site["longitude"])
    incidents["province"] = incidents["province"].fillna(site["province"])
    incidents["coordinates_source"] = pd.Series("none", index=incidents.index).mask(
        from_site, "site").mask(own, "incident")
    return incidents


def _fingerprint(data_dir: Path) -> tuple:
    stats = []
    for table in TABLES.values():
        path = data_dir / table.filename
        stat = path.stat() if path.exists() else None
        stats.append((table.filename, stat and stat.st_size, stat and stat.st_mtime_ns))
    return tuple(stats)


#: The last dataset loaded from each directory, with the fingerprint (sizes and modification
#: times) it was loaded at: an edited file is read again, and replaces the older copy.
_LOADED: dict[Path, tuple[tuple, Dataset]] = {}


def load_all(data_dir: str | os.PathLike | None = None) -> Dataset:
    """Every table of a data directory (default: the shipped data), validated and typed.

    A directory validated before, byte for byte, under the same rules is read from the
    validated-table cache (:mod:`sitrep_analysis.table_cache`) instead of validated again."""
    path = Path(data_dir) if data_dir is not None else default_data_dir()
    path = path.resolve()
    fingerprint = _fingerprint(path)
    held = _LOADED.get(path)
    if held is None or held[0] != fingerprint:
        contents = _table_bytes(path)
        digest = None if contents is None else table_cache.key(contents)
        frames = None if digest is None else table_cache.read(digest)
        if frames is None:
            frames = _finish(_validate_dir(path, contents))
            if digest is not None:
                table_cache.write(digest, frames)
        held = (fingerprint, Dataset(path, **frames))
        _LOADED[path] = held
    return held[1].copy()


def validate_dir(data_dir: str | os.PathLike) -> None:
    """Check a data directory as :func:`load_all` does, raising :class:`DataValidationError`,
    but keep nothing: for a folder about to be moved or deleted, such as an import's staging
    folder."""
    _finish(_validate_dir(Path(data_dir).resolve()))


def load_incidents(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Attacks on US and coalition forces: one row per attack, with readable ``sources``."""
    return load_all(data_dir).incidents


def load_events(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Political and military events (Strategic Dialogue rounds, strikes, statements...)."""
    return load_all(data_dir).political_events


def load_troop_levels(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """US troop figures, each as one source states it (reported level or announced target)."""
    return load_all(data_dir).troop_levels


def load_sites(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """The gazetteer: bases, diplomatic sites, airports, districts and convoy routes."""
    return load_all(data_dir).sites


def load_actors(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Armed groups, fronts, umbrellas and state actors."""
    return load_all(data_dir).actors


def load_sources(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Every cited report, statement or dataset record."""
    return load_all(data_dir).sources


def load_claims(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Where sources disagree: one row per source's value for one field of one record."""
    return load_all(data_dir).claims


def load_tallies(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Officials' and trackers' running counts of attacks (empty when a directory has none)."""
    return load_all(data_dir).reported_tallies
