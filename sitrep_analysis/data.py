"""Loaders: the curated CSVs (or a user's directory of the same layout) as typed DataFrames.

Every loader reads and validates the whole directory, because an incident is only valid if its
site, actors and sources resolve. Nothing is written: a directory that breaks a rule raises
:class:`DataValidationError` listing every problem with file, line, column, value and rule.
A validated directory is kept in memory, keyed by the files' sizes and modification times, so
repeated calls in a notebook cost a copy, not a re-read.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sitrep_analysis.columns import FIELDS, TABLES, Table
from sitrep_analysis.schema import (
    PARSE_RULES,
    DataValidationError,
    Problem,
    claim_problems,
    foreign_key_problems,
    pandas_dtype,
    parse_column,
    run_schema,
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


def default_data_dir() -> Path:
    """The shipped data (``data/`` beside the package), unless ``SITREP_DATA_DIR`` is set."""
    override = os.environ.get("SITREP_DATA_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "data"


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


def _line_map(text: str) -> Callable[[int], int]:
    """Row position (0 = first data row) -> physical line, built only when a problem needs it."""
    starts: list[int] = []

    def line_of(position: int) -> int:
        if not starts:
            reader = csv.reader(io.StringIO(text))
            previous_end = 0
            for row in reader:
                if row and any(cell.strip() for cell in row):
                    starts.append(previous_end + 1)
                previous_end = reader.line_num
        # starts[0] is the header line
        return starts[position + 1] if position + 1 < len(starts) else position + 2

    return line_of


def _decode(path: Path, raw: bytes) -> tuple[str | None, list[Problem]]:
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    problems = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as error:
            bad = line[error.start:error.start + 1].hex()
            problems.append(Problem(path.name, number, None, None,
                                    f"is not valid UTF-8 (byte 0x{bad} at position "
                                    f"{error.start + 1}); save the file as UTF-8"))
    return None, problems


def _read_table(data_dir: Path, table: Table) -> tuple[_RawTable | None, list[Problem]]:
    path = data_dir / table.filename
    if not path.is_file():
        if table.optional:
            empty = pd.DataFrame({name: pd.Series(dtype="string") for name in table.columns})
            return _RawTable(empty, lambda position: position + 2), []
        return None, [Problem(table.filename, None, None, None,
                              f"file is missing from {data_dir}")]
    text, problems = _decode(path, path.read_bytes())
    if text is None:
        return None, problems
    if not text.strip():
        return None, [Problem(table.filename, None, None, None,
                              "file is empty: it needs a header line naming the columns "
                              f"{', '.join(table.columns)}")]
    try:
        frame = pd.read_csv(io.StringIO(text), dtype="string", keep_default_na=False,
                            na_values=[""], skip_blank_lines=True)
    except pd.errors.ParserError as error:
        return None, [Problem(table.filename, None, None, None, f"is not readable CSV: {error}")]
    header = [str(name).strip() for name in frame.columns]
    frame.columns = header
    for name in sorted(table.optional_columns - set(header)):
        frame[name] = pd.Series(pd.NA, index=frame.index, dtype="string")
    missing = [name for name in table.columns if name not in frame.columns]
    unknown = [name for name in header if name not in table.columns]
    problems = [Problem(table.filename, 1, name, None, "required column is missing from the "
                        "header") for name in missing]
    problems += [Problem(table.filename, 1, name, None, "column is not in the column dictionary "
                         f"for {table.name} (sitrep_analysis/columns.py)") for name in unknown]
    if problems:
        return None, problems
    return _RawTable(frame.reset_index(drop=True), _line_map(text)), []


def _type_table(table: Table, raw: _RawTable) -> tuple[pd.DataFrame, list[Problem]]:
    typed, problems = {}, []
    for name in table.columns:
        field = FIELDS[name]
        values, failed = parse_column(field, raw.text_frame[name])
        typed[name] = values
        for position in failed[failed].index:
            problems.append(Problem(table.filename, raw.lines(position), name,
                                    str(raw.text_frame.at[position, name]),
                                    PARSE_RULES.get(field.kind, "does not parse")))
    return pd.DataFrame(typed, index=raw.text_frame.index), problems


# --- the whole directory ----------------------------------------------------------------------

def _validate_dir(data_dir: Path) -> dict[str, pd.DataFrame]:
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    lines: dict[str, Callable[[int], int]] = {}
    for table in TABLES.values():
        raw, read_problems = _read_table(data_dir, table)
        problems += read_problems
        if raw is None:
            continue
        typed, parse_problems = _type_table(table, raw)
        unparsed = {(p.line, p.column) for p in parse_problems}
        schema_problems = [p for p in run_schema(table, typed, raw.lines)
                           if (p.line, p.column) not in unparsed]
        problems += parse_problems + schema_problems
        frames[table.name], lines[table.name] = typed, raw.lines
    problems += foreign_key_problems(frames, lines)
    problems += claim_problems(frames, lines)
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
        for name in table.columns + table.derived:
            frame[name] = frame[name].astype(pandas_dtype(FIELDS[name]))
        out[table.name] = frame[list(table.columns + table.derived)]
    return out


def _citations(sources: pd.DataFrame) -> dict[str, str]:
    """source_id -> readable citation: outlet (via relay), "title", date, url."""
    citations = {}
    for row in sources.itertuples(index=False):
        outlet = row.outlet if pd.isna(row.via) else f"{row.outlet} via {row.via}"
        parts = [outlet]
        if pd.notna(row.title):
            parts.append(f'"{row.title}"')
        if pd.notna(row.published_date):
            parts.append(str(row.published_date))
        if pd.notna(row.url):
            parts.append(str(row.url))
        citations[row.source_id] = ", ".join(parts)
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
    """Every table of a data directory (default: the shipped data), validated and typed."""
    path = Path(data_dir) if data_dir is not None else default_data_dir()
    path = path.resolve()
    fingerprint = _fingerprint(path)
    held = _LOADED.get(path)
    if held is None or held[0] != fingerprint:
        held = (fingerprint, Dataset(path, **_finish(_validate_dir(path))))
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
