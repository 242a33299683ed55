"""Type the country's rows, and reject each row that cannot be read with its row number, the
column and the reason: no row is dropped silently.

ACLED's quirks handled here, as real exports show them:

- ``inter1``, ``inter2`` and ``interaction`` are integer codes in older files (``3``, ``8``,
  ``38``) and text in newer ones (``Political militia``); ``inter1`` and ``inter2`` codes are
  turned into the labels (:data:`INTER_LABELS`; the selection reads ``inter1``),
  ``interaction`` is kept as written.
- ``event_id_cnty`` is three capital letters and digits (``IRQ22904``); a row without one, or
  repeating the id of an earlier readable row, is rejected (a row rejected for another reason
  does not take its id with it).
- ``event_date`` in any form (:mod:`.dates`), ``year`` four digits, coordinates on the globe,
  ``fatalities`` a whole number; ``time_precision`` and ``geo_precision`` are 1 to 3 (empty
  when a trimmed export lacks them). Text columns are kept as written: ACLED pads no value.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sitrep_analysis.acled.dates import integers, parse_event_dates
from sitrep_analysis.acled.text import matches

#: ACLED's interaction codes (``inter1``, ``inter2``) and the labels newer files write instead.
INTER_LABELS = {"1": "State forces", "2": "Rebel group", "3": "Political militia",
                "4": "Identity militia", "5": "Rioters", "6": "Protesters", "7": "Civilians",
                "8": "External/Other forces"}

_DATE_REASONS = {1: "event_date is in none of ACLED's date forms",
                 2: "event_date disagrees with the year column",
                 3: "event_date is not a real date"}


def _numbers(text: pa.Array) -> np.ndarray:
    """Decimal numbers of a text column as float64, NaN where empty or not a number (a
    clean column is cast in one step, as in :func:`~.dates.integers`)."""
    try:
        return pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        pass
    trimmed = pc.utf8_trim_whitespace(text)
    ok = pc.fill_null(pc.match_substring_regex(trimmed, r"^[+-]?(?:\d+\.?\d*|\.\d+)$"), False)
    values = pc.cast(pc.if_else(ok, trimmed, pa.scalar(None, pa.string())), pa.float64())
    return values.to_numpy(zero_copy_only=False)


def type_rows(table: pa.Table) -> tuple[pa.Table, list[dict]]:
    """Type the country's rows (text, plus ``row``); return the readable ones and a problem
    list for the others (``row``, ``event_id_cnty``, ``column``, ``value``, ``reason``).

    The columns are parsed side by side in threads: pyarrow and NumPy release the GIL.
    """
    ids = pc.utf8_trim_whitespace(table["event_id_cnty"]).combine_chunks()

    def dates_of_year() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        year = integers(table["year"], 9999)
        year = np.where(year >= 1000, year, -1)
        return (year, *parse_event_dates(table["event_date"], year))

    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        parsed_dates = pool.submit(dates_of_year)
        latitude, longitude = pool.map(_numbers, (table["latitude"], table["longitude"]))
        parsed_fatalities = pool.submit(integers, table["fatalities"])
        any_repeat = pool.submit(lambda: len(pc.unique(ids)) < len(ids))
        id_ok = matches(ids, r"^[A-Z]{3}\d+$")
        year, dates, date_problems = parsed_dates.result()
        fatalities = parsed_fatalities.result()
        repeats = any_repeat.result()
    missing = pc.equal(ids, "").to_numpy(zero_copy_only=False)
    checks = [
        ("event_id_cnty", missing, "event_id_cnty is missing"),
        ("event_id_cnty", ~missing & ~id_ok,
         "event_id_cnty is not an ACLED id (three capital letters, then digits)"),
        ("year", year < 0, "year is not a four-digit year"),
        *(("event_date", (date_problems == code) & (year >= 0), reason)
          for code, reason in _DATE_REASONS.items()),
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
        "time_precision": small(integers(table["time_precision"]), 3),
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
        "geo_precision": small(integers(table["geo_precision"]), 3),
        "source": text("source"),
        "notes": text("notes"),
        "fatalities": pa.array(fatalities.astype(np.int32)),
    })
    if bad.any():
        typed = typed.filter(pa.array(~bad))
    return typed, rejected
