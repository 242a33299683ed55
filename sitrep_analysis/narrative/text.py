"""Words shared by every report: dates, plurals, numbers and p-values in prose, lists, and
:func:`markdown_escape`, which makes text from the data inert in Markdown."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

import pandas as pd

from sitrep_analysis.parse import is_missing

PERIOD_NOTES = {"W": " (weeks run Monday to Sunday)"}


def prose_date(day: pd.Timestamp) -> str:
    """A date for prose: day without a leading zero, month in words.

    >>> prose_date(pd.Timestamp("2020-01-05"))
    '5 January 2020'
    """
    return f"{day.day} {day:%B %Y}"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def number_text(value: float) -> str:
    """A rate ratio or bound for prose: two significant figures, or "infinity".

    >>> [number_text(v) for v in (0.2727, 13.98, 117.99, 0.0, math.inf)]
    ['0.27', '14', '118', '0', 'infinity']
    """
    if math.isinf(value):
        return "infinity"
    if value == 0:
        return "0"
    digits = max(0, 1 - math.floor(math.log10(abs(value))))
    return f"{value:.{digits}f}"


def p_value_text(value: float) -> str:
    return "p < 0.001" if value < 0.001 else f"p = {value:.2g}" if value < 0.1 else \
        f"p = {value:.2f}"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")
#: What makes a line a heading, a list item or a quote when it starts the line.
_LINE_START = re.compile(r"^(\s*)([#+\-=]|\d+(?=[.)]))")


def markdown_escape(text: object) -> str:
    """Data text made inert in Markdown: shown as written, never read as markup or HTML.

    ``&``, ``<`` and ``>`` become HTML entities (Markdown passes raw HTML such as
    ``<img onerror=...>`` or ``<script>`` through to the page; nbconvert does not sanitise
    it); the characters that make emphasis, code, links, tables and maths get a backslash;
    line breaks become spaces (a data value never starts a heading or a list); a leading ``#``,
    ``-``, ``+``, ``=`` or ``1.`` is escaped too. Missing values give ``""``.

    >>> print(markdown_escape('<img src=x onerror="alert(1)"> & *bold* [link](u) a_b $x$'))
    &lt;img src=x onerror="alert(1)"&gt; &amp; \\*bold\\* \\[link\\](u) a\\_b \\$x\\$
    >>> print(markdown_escape("# not a heading\\n- nor a list"))
    \\# not a heading - nor a list
    """
    if text is None or (not isinstance(text, str) and is_missing(text)):
        return ""
    value = " ".join(str(text).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _MARKDOWN_SPECIAL.sub(r"\\\1", value)
    match = _LINE_START.match(value)
    if match:
        if match.group(2).isdigit():
            at = match.end(2)
            value = value[:at] + "\\" + value[at:]
        else:
            value = value[:match.start(2)] + "\\" + value[match.start(2):]
    return value


def counted(counts: pd.Series, name: Callable[[str], str] = str) -> str:
    """``"a 3, b 2 and c 1"`` from value counts (escaped names), in their order; ``name``
    gets each value as text, as :func:`value_counts` gives them."""
    items = [f"{markdown_escape(name(str(key)))} {int(count):,}" for key, count in counts.items()
             if count > 0]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def listing(items: Sequence[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def value_counts(values: pd.Series) -> pd.Series:
    """Counts of the non-empty values, largest first, ties in order of the value."""
    counts = values.dropna().astype(str).value_counts()
    frame = counts.rename_axis("value").reset_index(name="n")
    frame = frame.sort_values(["n", "value"], ascending=[False, True], kind="stable")
    return pd.Series(frame["n"].to_numpy(), index=frame["value"].to_numpy())


def casualty_words(incidents: pd.DataFrame, who: str = "us") -> str | None:
    """Killed and wounded summed over the attacks whose sources give each figure; a figure no
    source gives (ACLED records no injuries) is left out, never counted as 0.

    >>> frame = pd.DataFrame({"us_killed_count": pd.array([0, 3, None], dtype="Int64"),
    ...                       "us_wounded_count": pd.array([None, None, None], dtype="Int64")})
    >>> casualty_words(frame)
    '3 killed (a figure given for 2 attacks)'
    >>> casualty_words(frame.fillna(1))
    '4 killed and 3 wounded, in the 3 attacks whose sources give a figure'
    """
    sums = {what: incidents[f"{who}_{what}_count"] for what in ("killed", "wounded")}
    given = {what: int(column.notna().sum()) for what, column in sums.items()}
    if given["killed"] == given["wounded"]:
        if not given["killed"]:
            return None
        return (f"{int(sums['killed'].sum()):,} killed and {int(sums['wounded'].sum()):,} "
                f"wounded, in the {plural(given['killed'], 'attack')} whose sources give a "
                "figure")
    return " and ".join(f"{int(sums[what].sum()):,} {what} (a figure given for "
                        f"{plural(given[what], 'attack')})" for what in sums if given[what])
