"""Reading a value as its column's kind, and saying what is wrong with one: the layer below
validation, free of pandera, so a load served from the validated-table cache needs neither.

- :class:`Problem` and :class:`DataValidationError`: one broken rule at one place, and all of
  a directory's, as every loader and command reports them;
- :func:`parse_column`: a text column converted to its field's kind (pass 1 of validation);
- :func:`split_list`: the items of a ``;``-separated cell, the one way the package splits;
- :func:`is_missing`: whether one value of any type is an empty cell;
- :func:`in_coverage_period`: the incidents table's period, which a row rule checks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import pandas as pd

from sitrep_analysis.columns import COVERAGE_END, COVERAGE_START, INTEGER, Field

if TYPE_CHECKING:
    from pandas._typing import ScalarOrNA

LIST_SEPARATOR = ";"


@dataclass(frozen=True, order=True)
class Problem:
    """One broken rule at one place of one file. ``line`` is the physical line (1 = header)."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    rule: str

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column}")
        value = "" if self.value is None else f"value {self.value!r}: "
        return f"{', '.join(where)}: {value}{self.rule}"


class DataValidationError(ValueError):
    """Raised by the loaders when data breaks the dictionary's rules; lists every problem."""

    def __init__(self, problems: Iterable[Problem], data_dir: str = "") -> None:
        self.problems = sorted(set(problems), key=_problem_order)
        where = f" in {data_dir}" if data_dir else ""
        count = len(self.problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''}{where}:\n{lines}")


def _problem_order(problem: Problem) -> tuple:
    return (problem.file, problem.line or 0, problem.column or "", problem.rule)


# --- pass 1: parsing -------------------------------------------------------------------------

#: Digits are ASCII: Python's ``\d`` also takes Arabic-Indic (U+0663) or full-width (U+FF13)
#: digits, which pandas cannot convert.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NON_ASCII = r"[^\x00-\x7f]"

#: Whole numbers are held as 64-bit integers: at most 18 digits are always safe.
MAX_INTEGER_DIGITS = 18
_SHORT_INTEGER = re.compile(rf"-?[0-9]{{1,{MAX_INTEGER_DIGITS}}}")

#: The dates pandas can hold (it counts nanoseconds in 64 bits): from 1677-09-21 00:12:43 to
#: 2262-04-11 23:47:16, so the whole days in between.
FIRST_DATE, LAST_DATE = "1677-09-22", "2262-04-11"

#: The rule a value breaks when it does not parse as its column's kind.
PARSE_RULES = {
    "integer": "must be a whole number",
    "number": "must be a decimal number",
    "date": "must be a real date written YYYY-MM-DD",
    "partial_date": "must be a real date written YYYY-MM-DD (or YYYY-MM, or YYYY)",
}
TOO_LARGE_RULE = (f"is too large: a whole number here has at most {MAX_INTEGER_DIGITS} digits")
DATE_RANGE_RULE = (f"must be a date from {FIRST_DATE} to {LAST_DATE}, the range of dates the "
                   "loaders can hold")


def pandas_dtype(field: Field) -> str | pd.CategoricalDtype:
    """The dtype a loaded column of this field has."""
    if field.kind == "category":
        return pd.CategoricalDtype(list(field.allowed or ()))
    return {"integer": "Int64", "number": "float64", "date": "datetime64[ns]"}.get(
        field.kind, "string"
    )


def parse_column(field: Field, text: pd.Series) -> tuple[pd.Series, dict[int, str]]:
    """Convert a text column to the field's kind.

    Returns the converted column (categories stay text until validated; a cell that does not
    parse is empty) and, for each filled cell that does not parse, the rule it breaks (index
    label, the row's position in its file -> rule). Every test over the whole column is
    vectorised; the reasons are worded cell by cell for the failed cells only.
    """
    filled = text.notna()
    too_large = out_of_range = None
    values: pd.Series
    if field.kind == "integer":
        ok = _fullmatch(text, _SHORT_INTEGER.pattern)
        unsure = filled & ~ok
        if unsure.any():  # only when some cell failed: leading zeros, or too many digits
            shaped = unsure & _fullmatch(text.where(unsure), INTEGER.pattern)
            digits = text.where(shaped).str.lstrip("-").str.lstrip("0").str.len()
            fits = shaped & digits.le(MAX_INTEGER_DIGITS).fillna(False)
            too_large = shaped & ~fits
            ok = ok | fits
        values = pd.to_numeric(text.where(ok), errors="coerce").astype("Int64")
    elif field.kind == "number":
        values = pd.to_numeric(text, errors="coerce").astype("float64")
        ok = values.notna()
    elif field.kind == "date":
        shaped = _fullmatch(text, _DATE.pattern)
        # ISO dates compare as text: no date outside pandas' range reaches the conversion
        in_range = shaped & text.ge(FIRST_DATE).fillna(False) & text.le(LAST_DATE).fillna(False)
        out_of_range = shaped & ~in_range
        values = pd.to_datetime(text.where(in_range), format="%Y-%m-%d",
                                errors="coerce").astype("datetime64[ns]")
        ok = values.notna() & in_range
        values = values.where(ok)
    else:
        values = text.str.strip().replace({"": pd.NA}).astype("string")
        ok = filled
        if field.kind in ("partial_date", "time") or (field.pattern
                                                      and "[0-9]" in field.pattern):
            # a value of digits in another script fails the pattern: say so, not "no match"
            suspect = filled & text.str.contains(_NON_ASCII, regex=True).fillna(False)
            if suspect.any():
                ok = ok & ~text[suspect].map(other_digits_rule).notna().reindex(
                    text.index, fill_value=False)
        if field.kind == "partial_date":
            day = _fullmatch(values, _DATE.pattern)
            if day.any():
                real = pd.to_datetime(values.where(day), format="%Y-%m-%d",
                                      errors="coerce").notna()
                ok = ok & ~(day & ~real)
    failed = filled & ~ok
    if not failed.any():
        return values, {}
    return values, {position: _parse_rule(
        field, str(text.at[position]),
        too_large is not None and bool(too_large.at[position]),
        out_of_range is not None and bool(out_of_range.at[position]))
        for position in failed[failed].index}


def _fullmatch(text: pd.Series, pattern: str) -> pd.Series:
    return text.str.fullmatch(pattern).astype("boolean").fillna(False).astype(bool)


def _parse_rule(field: Field, value: str, too_large: bool, out_of_range: bool) -> str:
    """The rule one cell that did not parse breaks, in words."""
    other_digits = other_digits_rule(value)
    if other_digits:
        return other_digits
    if too_large:
        return TOO_LARGE_RULE
    if out_of_range:
        return DATE_RANGE_RULE
    return PARSE_RULES.get(field.kind, "does not parse")


def other_digits_rule(value: str) -> str | None:
    """The rule for a value holding another script's digits (U+0663, U+FF13), if it does."""
    for char in value:
        if char.isdigit() and not char.isascii():
            name = unicodedata.name(char, f"U+{ord(char):04X}")
            return f"must be written with ASCII digits 0-9 ({char!r} is {name})"
    return None


# --- shared by the loader and the checks -------------------------------------------------------


def split_list(cell: object) -> list[str]:
    """Items of a `;`-separated list cell (empty list for an empty cell).

    >>> split_list("a;b ; c")
    ['a', 'b', 'c']
    """
    if cell is None or cell is pd.NA or (isinstance(cell, float) and pd.isna(cell)):
        return []
    return [item.strip() for item in str(cell).split(LIST_SEPARATOR) if item.strip()]


def is_missing(value: object) -> bool:
    """``pd.isna`` of one value of any type: True for None, NaN, NaT and pd.NA.

    >>> [is_missing(value) for value in (None, float("nan"), pd.NaT, pd.NA, "", 0)]
    [True, True, True, True, False, False]
    """
    # pandas-stubs types pd.isna for its known scalars only; a cell or a caller's value is
    # any object, and pd.isna answers for every scalar
    return bool(pd.isna(cast("ScalarOrNA", value)))


def in_coverage_period(dates: pd.Series) -> pd.Series:
    """Whether each date lies in the incidents table's coverage period (``columns.
    COVERAGE_START`` to ``COVERAGE_END``, both days included); missing dates give False.

    >>> in_coverage_period(pd.Series(pd.to_datetime(["2019-09-30", "2019-10-01", None]))).tolist()
    [False, True, False]
    """
    inside = dates.between(pd.Timestamp(COVERAGE_START), pd.Timestamp(COVERAGE_END))
    return inside.fillna(False).astype(bool)
