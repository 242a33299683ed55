"""Read an ACLED export: the typed rows of one country, and every row that cannot be read, with
its row number and the reason (:func:`read_acled`).

The file is sniffed first (:mod:`.sniff`: what it is, or why it is refused), then read here,
typed and checked (:mod:`.rows`), and cached (:mod:`.cache`). ACLED's quirks handled here:

- A global export runs to millions of rows and hundreds of MB. A large file is read as one
  part per core, byte ranges cut at line feeds, in parallel threads (pyarrow parses without
  the GIL), each part in blocks of which only the country's rows are kept: a global export
  never sits whole in memory, and UTF-8 is checked on the kept rows only.
- Malformed lines (a wrong number of fields) and line breaks inside quoted notes: the fast
  pass assumes neither; if pyarrow meets an irregular row, the file is read again on one
  thread with line breaks allowed in values, and each malformed line is rejected with its row
  number (whatever its country). Row numbers are those a spreadsheet shows (the header is
  row 1).
- A file that is not UTF-8 is read as Windows-1252, the encoding spreadsheets on Windows save
  CSV in; a file in neither is refused. Old-Mac line ends (a lone carriage return) are read
  on one thread, by pyarrow's parser, which takes any line end.

Why a hand-made reader rather than pyarrow's own (DuckDB, the yardstick of
``benchmarks/bench_acled.py``, is a dev-only tool the package may not use). Measured on the
benchmark's synthetic export (a million rows, 434 MB, Iraq one row in seven) on 2 cores, the
country's rows read as text, 15 runs each (``read_csv``: 5) in a fresh process, best run:

=======================================================  =======  =======  =======
reader                                                   wall s   CPU s    peak MB
=======================================================  =======  =======  =======
this one: a byte range per core, in parallel             0.39     0.77     381
``pyarrow.csv.open_csv`` on the whole file               0.53     0.63     293
``pyarrow.csv.read_csv`` (threads), filtered after       0.87     -        662
=======================================================  =======  =======  =======

``open_csv`` parses on one thread (pyarrow documents it as "always single-threaded"; its CPU
time is about its wall time), so the gap grows with the cores; ``read_csv`` is parallel but
holds the whole file. End to end (the benchmark's ``sitrep`` worker, 12 interleaved runs),
read + select + weekly counts took 0.83 s at best here and 0.92 s with ``open_csv``, DuckDB
0.65 s. The streaming reader did better in one respect: with other processes busy on the
same 2 cores, its median was 1.00 s against 1.32 s here (a part whose core is taken holds
up the others), and it peaks 60-90 MB lower. On a quiet machine it does not hold the speed
ratio, so the byte ranges stay (about 40 lines: :class:`_ByteRange`, :func:`_byte_ranges` and
the parallel branch of :func:`_read_country`); the fallback re-read, the Windows-1252 retry
and the malformed rows' numbers are pyarrow's own (``newlines_in_values``,
``invalid_row_handler``). Dates: see :mod:`.dates`.
"""

from __future__ import annotations

import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from sitrep_analysis.acled.cache import (
    cache_enabled,
    cache_key,
    default_cache_dir,
    read_cache,
    write_cache,
)
from sitrep_analysis.acled.errors import AcledFormatError
from sitrep_analysis.acled.rows import type_rows
from sitrep_analysis.acled.sniff import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    Header,
    column_names,
    sniff_header,
)
from sitrep_analysis.acled.text import counted

if TYPE_CHECKING:
    from typing_extensions import Buffer  # collections.abc.Buffer from Python 3.12

#: Rows of the file filtered at a time (about 30 MB of an export).
_GROUP_ROWS = 65_536
#: A file larger than this is read as one part per core, in parallel.
_SPLIT_BYTES = 32 << 20
_REJECTED_COLUMNS = ["row", "event_id_cnty", "column", "value", "reason"]


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


def read_acled(path: str | os.PathLike, country: str = "Iraq", *,
               cache_dir: str | os.PathLike | None = None, use_cache: bool = True) -> AcledExport:
    """Read an ACLED export: the typed rows of ``country`` and the rows that cannot be read.

    Rows are rejected (never dropped silently) for a missing or malformed ``event_id_cnty``, a
    repeated one, an ``event_date`` in no ACLED format or disagreeing with ``year``, missing or
    impossible coordinates, or ``fatalities`` that is not a whole number; malformed CSV lines
    (a wrong number of fields) are rejected whatever their country. With ``use_cache`` the
    typed rows are kept in ``cache_dir`` (default :func:`~.cache.default_cache_dir`) and a
    second call on the unchanged file reads them from there; ``SITREP_NO_CACHE`` set (not
    ``0``) in the environment has the effect of ``use_cache=False``, as for every cache.

    Raises :class:`~.errors.AcledFormatError` when the file is not an ACLED export.
    """
    path = Path(path)
    if path.is_dir():
        raise AcledFormatError(f"{path} is a folder, not an export file: give the path of the "
                               "ACLED export's CSV file")
    if not path.is_file():
        raise AcledFormatError(f"{path} does not exist or is not a file")
    header = sniff_header(path)
    cache = None
    if use_cache and cache_enabled():
        key = cache_key(path, country)
        cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        cached = read_cache(cache, key)
        if cached is not None:
            table, rejected, meta = cached
            return AcledExport(path, meta["country"], meta["layout"], meta["encoding"],
                               meta["rows_in_file"], meta["country_rows"], table, rejected,
                               from_cache=True)
    text = _read_country(path, header, country)
    typed, problems = type_rows(text.table)
    for number, line, actual, expected in text.malformed:
        problems.append({"row": number, "event_id_cnty": "", "column": "",
                         "value": line[:200],
                         "reason": f"the line has {counted(actual, 'field')} where the "
                                   f"header has {expected}"})
    rejected = pd.DataFrame(problems, columns=_REJECTED_COLUMNS)
    rejected = rejected.astype({"row": "Int64"}).sort_values(
        ["row", "column"], kind="stable").reset_index(drop=True)
    export = AcledExport(path, country, header.layout, text.encoding, text.rows_in_file,
                         text.table.num_rows, typed, rejected)
    if cache is not None:
        write_cache(cache, key, typed, rejected, {
            "country": country, "layout": export.layout, "encoding": export.encoding,
            "rows_in_file": export.rows_in_file, "country_rows": export.country_rows})
    return export


def export_countries(path: str | os.PathLike, encoding: str | None = None) -> pd.Series:
    """How many rows of the export each country has, most first (``country`` only is read;
    used to say what an export holds when it has no row of the country asked for)."""
    path = Path(path)
    header = sniff_header(path)
    table = pacsv.read_csv(
        str(path),
        read_options=pacsv.ReadOptions(column_names=column_names(header), skip_rows=1,
                                       encoding=encoding or header.encoding),
        parse_options=pacsv.ParseOptions(delimiter=header.delimiter, newlines_in_values=True,
                                         invalid_row_handler=lambda row: "skip"),
        convert_options=pacsv.ConvertOptions(include_columns=["country"],
                                             column_types={"country": pa.string()}))
    counts = table["country"].to_pandas().fillna("").str.strip().replace("", "(no country)")
    return counts.value_counts(sort=True)


# --- the reader -------------------------------------------------------------------------------

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

    def readinto(self, buffer: Buffer) -> int:
        view = memoryview(buffer)
        size = min(len(view), self._left)
        if size <= 0:
            return 0
        got = self._file.readinto(view[:size]) or 0
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


def _read_country(path: Path, header: Header, country: str) -> _CountryText:
    """Read the file, keeping the needed columns of the country's rows as text.

    The fast pass reads a large file as one part per core, in parallel, each part in blocks of
    which only the country's rows are kept (a global export never sits whole in memory). It
    assumes no quoted value holds a line break where the file is cut; if pyarrow meets any
    irregular row, the file is read again on one thread with line breaks allowed inside quoted
    values, each malformed row set aside with its number. A file that is not UTF-8 is read as
    Windows-1252, the encoding spreadsheets on Windows save CSV in.
    """
    wanted = [name for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if name in header.names]
    names = column_names(header)
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
