"""The validated-table cache: a data directory's typed tables, kept in the user's cache folder
once validated, so a new kernel (every report render) loads them in a few hundredths of a
second instead of validating again and importing pandera.

The key is a SHA-256 over every table file's bytes, the package version, and the source of the
modules that decide what valid means and how a value is typed (the column dictionary, the
parser, the schema, the loader): an edited file, a changed rule or a new version always means a
miss, so validation runs again. Nothing is ever written into the data directory. The folder is
``$SITREP_CACHE_DIR``, else ``$XDG_CACHE_HOME/sitrep-analysis``, else
``~/.cache/sitrep-analysis``; ``SITREP_NO_CACHE=1`` turns the cache off. A cache that cannot be
read or written is passed over silently: it only ever saves time.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from sitrep_analysis.columns import TABLES
from sitrep_analysis.files import user_cache_dir, write_atomically

#: The modules whose source is part of the key: they decide what a valid table is.
RULE_MODULES = ("columns.py", "parse.py", "schema.py", "data.py", "table_cache.py")
FORMAT = 1


def cache_dir() -> Path:
    """Where cached tables live (see the module docstring)."""
    return user_cache_dir("validated-tables")


def enabled() -> bool:
    return os.environ.get("SITREP_NO_CACHE", "") in ("", "0")


@functools.cache
def rules_digest() -> str:
    """SHA-256 over the package, pandas and pyarrow versions and the rule modules' source:
    what decides how a table is typed and what valid means."""
    import pyarrow

    from sitrep_analysis import __version__

    total = hashlib.sha256(f"{FORMAT} {__version__} {pd.__version__} {pyarrow.__version__}\n"
                           .encode())
    package = Path(__file__).resolve().parent
    for name in RULE_MODULES:
        total.update(hashlib.sha256((package / name).read_bytes()).digest())
    return total.hexdigest()


def key(contents: Mapping[str, bytes | None]) -> str:
    """The cache key of a directory's table files, as read once by the loader (file name ->
    bytes, None for an absent optional file): the key names exactly the bytes validated."""
    total = hashlib.sha256(rules_digest().encode())
    for table in TABLES.values():
        content = contents.get(table.filename)
        marker = b"<absent>" if content is None else content
        total.update(f"{table.filename} {len(marker)}\n".encode())
        total.update(hashlib.sha256(marker).digest())
    return total.hexdigest()


def read(digest: str) -> dict[str, pd.DataFrame] | None:
    """The tables cached under ``digest``, or None."""
    if not enabled():
        return None
    try:
        with open(cache_dir() / f"{digest}.pickle", "rb") as handle:
            frames = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
            TypeError, ValueError):
        return None
    if not isinstance(frames, dict) or set(frames) != set(TABLES):
        return None
    return frames


def write(digest: str, frames: dict[str, pd.DataFrame]) -> None:
    """Keep validated tables for the next load (atomically; failures are ignored)."""
    if not enabled():
        return
    folder = cache_dir()
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(folder / f"{digest}.pickle",
                         pickle.dumps(frames, protocol=pickle.HIGHEST_PROTOCOL))
