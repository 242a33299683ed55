"""Text helpers every stage shares: RE2 regular expressions run over whole columns, and
counts in words.

The selection rules, the mapping's weapon words and the spreadsheet quoting all test text
columns against patterns. pyarrow runs RE2 over a whole column in one call, without the GIL,
so a million notes are scanned in a fraction of a second; these helpers wrap that for pyarrow
arrays (:func:`matches`) and pandas columns (:func:`contains`, :func:`first_match`). Patterns
are RE2, not Python's ``re``: no look-behind or back-references, ``(?i)`` only at the start.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def counted(number: int, word: str, plural: str | None = None) -> str:
    """``1 attack``, ``2 attacks``, ``1,024 rows``.

    >>> counted(1, "attack"), counted(1024, "row"), counted(2, "country", "countries")
    ('1 attack', '1,024 rows', '2 countries')
    """
    return f"{number:,} {word if number == 1 else plural or word + 's'}"


def matches(values: pa.Array | pa.ChunkedArray, pattern: str) -> np.ndarray:
    """Whether each value contains a match of the RE2 pattern (vectorised, in pyarrow)."""
    return pc.fill_null(pc.match_substring_regex(values, pattern), False).to_numpy(
        zero_copy_only=False)


def arrow_text(values: pd.Series) -> pa.Array:
    """A pandas column as a pyarrow string array (missing values stay missing)."""
    return pa.array(values.astype("string"), type=pa.string())


def contains(values: pd.Series, pattern: str) -> pd.Series:
    """Whether each value contains a match of the RE2 pattern (pyarrow, as :func:`matches`)."""
    return pd.Series(matches(arrow_text(values), pattern), index=values.index)


def first_match(values: pd.Series, pattern: str) -> pd.Series:
    """The text the RE2 pattern matches first in each value (``<NA>`` where none)."""
    flags = "(?i)" if "(?i)" in pattern else ""
    hit = f"{flags}(?P<hit>{pattern.replace('(?i)', '')})"
    parts = pc.extract_regex(arrow_text(values), hit)
    return pd.Series(pd.array(pc.struct_field(parts, "hit"), dtype="string"),
                     index=values.index)


def join_parts(parts: Iterable[pd.Series], separator: str = "; ") -> pd.Series:
    """Join text columns row by row, skipping missing or empty parts (one pyarrow call)."""
    parts = list(parts)
    arrays = [pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
              for text in (arrow_text(part) for part in parts)]
    joined = pc.binary_join_element_wise(*arrays, separator, null_handling="skip")
    return pd.Series(joined.to_numpy(zero_copy_only=False), index=parts[0].index, dtype=object)
