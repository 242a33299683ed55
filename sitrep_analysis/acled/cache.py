"""The columnar cache: the typed rows of one country of an export, kept as Parquet so a second
read of the same file is cheap (about a tenth of the first, see ``benchmarks/bench_acled.py``).

Where: ``~/.cache/sitrep-analysis/acled`` (``$SITREP_CACHE_DIR`` or ``$XDG_CACHE_HOME`` move
it, :func:`default_cache_dir`). Keyed by :data:`CACHE_VERSION`, the country, and the file's
size, modification time (ns) and a BLAKE2 hash of its first and last MiB (:func:`cache_key`).
A full SHA-256 of a 400 MB export takes longer than reading the cached rows, which would defeat
the cache; any ordinary save changes the size or the modification time, and the head and tail
(header, first and last rows, ACLED's ``timestamp`` column) tell apart two exports that happen
to share both.

An entry is two Parquet files (the rows, with the export's facts in the schema metadata, and
the rejected rows), each written whole or not at all by the package's one atomic write
(:func:`sitrep_analysis.files.write_atomically`), so a reader never sees half of one. A damaged
entry is ignored and rewritten; a cache that cannot be written (read-only, disk full) is
skipped and leaves no temporary file. ``SITREP_NO_CACHE`` (any value but empty or ``0``, as
for the validated-table cache) turns the cache off as ``--no-cache`` does
(:func:`cache_enabled`). Bump :data:`CACHE_VERSION` when the typed rows change.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sitrep_analysis import table_cache
from sitrep_analysis.files import user_cache_dir, write_atomically

CACHE_VERSION = "1"
#: Columns whose values are nearly all distinct: no dictionary pages for them.
_DISTINCT_COLUMNS = ("row", "event_id_cnty", "notes", "source", "value")
_META_KEY = "sitrep_acled"


def default_cache_dir() -> Path:
    """The ACLED cache's folder: :func:`sitrep_analysis.files.user_cache_dir` ``("acled")``."""
    return user_cache_dir("acled")


def cache_enabled() -> bool:
    """Whether the environment allows the cache: ``SITREP_NO_CACHE`` turns it off, by the
    validated-table cache's rule (:func:`sitrep_analysis.table_cache.enabled`)."""
    return table_cache.enabled()


def _fingerprint(path: Path) -> str:
    """Size, modification time, and a hash of the file's first and last MiB."""
    stat = path.stat()
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as handle:
        digest.update(handle.read(1 << 20))
        if stat.st_size > 2 << 20:
            handle.seek(-(1 << 20), os.SEEK_END)
            digest.update(handle.read())
    return f"{stat.st_size}-{stat.st_mtime_ns}-{digest.hexdigest()}"


def cache_key(path: Path, country: str) -> str:
    """The cache entry's name for ``country``'s rows of the file at ``path``."""
    return hashlib.blake2b(f"{CACHE_VERSION}|{country}|{_fingerprint(path)}".encode(),
                           digest_size=16).hexdigest()


def read_cache(folder: Path, key: str) -> tuple[pa.Table, pd.DataFrame, dict] | None:
    """The cached typed rows, rejected rows and facts (country, layout, encoding, row counts)
    of entry ``key``; None when there is no readable entry."""
    rows_file, rejected_file = folder / f"{key}.parquet", folder / f"{key}.rejected.parquet"
    if not (rows_file.is_file() and rejected_file.is_file()):
        return None
    try:
        table = pq.read_table(rows_file)
        rejected = pq.read_table(rejected_file).to_pandas()
        meta = json.loads(table.schema.metadata[_META_KEY.encode()])
    except (OSError, KeyError, ValueError, pa.ArrowException):
        return None  # a damaged cache entry is ignored and rewritten
    return table.replace_schema_metadata(None), rejected.astype({"row": "Int64"}), meta


def write_cache(folder: Path, key: str, table: pa.Table, rejected: pd.DataFrame,
                meta: dict) -> None:
    """Write entry ``key`` atomically; a cache that cannot be written is skipped."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in ((f"{key}.rejected.parquet",
                               pa.Table.from_pandas(rejected, preserve_index=False)),
                              (f"{key}.parquet", table.replace_schema_metadata(
                                  {_META_KEY: json.dumps(meta)}))):
            # the user's own copy of ACLED's data: readable by the user alone
            write_atomically(folder / name, _parquet_bytes(content), new_mode=0o600)
    except OSError:
        return


def _parquet_bytes(content: pa.Table) -> bytes:
    """``content`` as a Parquet file, with dictionary pages only where values repeat (notes
    and ids are all distinct)."""
    sink = pa.BufferOutputStream()
    pq.write_table(content, sink, use_dictionary=[
        column for column in content.column_names if column not in _DISTINCT_COLUMNS])
    return sink.getvalue().to_pybytes()
