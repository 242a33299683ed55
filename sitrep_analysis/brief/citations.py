"""Numbered sources for a brief: every sentence ends with a marker pointing into one list.

A brief is shared as a page or a printout, so its citations follow the analysts' habit:
numbers in order of first use, and a numbered list at the end giving outlet (and relay),
title, date and address as the sources table holds them. Nothing here is invented: a source
without a title or address is listed without one.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd

from sitrep_analysis.parse import split_list


class Citations:
    """Source ids numbered in order of first citation, and the markers that point to them.

    >>> sources = pd.DataFrame({"source_id": ["a", "b"], "outlet": ["AFP", "OIR"],
    ...                         "title": [pd.NA, "Tweet"], "published_date": ["2021-05-24",
    ...                         pd.NA], "url": [pd.NA, pd.NA], "via": ["Kayhan", pd.NA]})
    >>> cited = Citations(sources)
    >>> cited.mark(["b", "a"]), cited.mark("a"), cited.mark([])
    ('<sup>[1, 2]</sup>', '<sup>[2]</sup>', '')
    >>> print(cited.listing())
    <ol class="sitrep-brief-sources">
    <li id="source-1">OIR, \u201cTweet\u201d</li>
    <li id="source-2">AFP (via Kayhan), 2021-05-24</li>
    </ol>
    """

    def __init__(self, sources: pd.DataFrame) -> None:
        self._sources = sources.set_index("source_id", drop=False)
        self._numbers: dict[str, int] = {}

    def number(self, source_id: str) -> int:
        """The number of ``source_id`` in the list, given at its first citation."""
        if source_id not in self._numbers:
            self._numbers[source_id] = len(self._numbers) + 1
        return self._numbers[source_id]

    def mark(self, source_ids: Iterable[str] | str | object) -> str:
        """The marker for a sentence resting on these sources: ``<sup>[1, 3]</sup>``, numbers
        ascending; ``""`` for none. A ``;``-separated cell is split."""
        ids = split_list(source_ids) if not isinstance(source_ids, list | tuple) else source_ids
        numbers = sorted({self.number(str(source_id)) for source_id in ids
                          if str(source_id) in self._sources.index})
        if not numbers:
            return ""
        return "<sup>[" + ", ".join(str(n) for n in numbers) + "]</sup>"

    def outlet(self, source_id: str) -> str:
        """The outlet of a source as the table names it (the id itself if unknown)."""
        if source_id in self._sources.index:
            return str(self._sources.at[source_id, "outlet"])
        return source_id

    def cited_ids(self) -> list[str]:
        """The cited source ids in list order."""
        return sorted(self._numbers, key=self._numbers.__getitem__)

    def citation(self, source_id: str) -> str:
        """One source as HTML-escaped text: outlet (via relay), "title", date, address."""
        row = self._sources.loc[source_id]
        outlet = html.escape(str(row["outlet"]))
        if pd.notna(row.get("via")) and "(via" not in str(row["outlet"]):
            outlet += f" (via {html.escape(str(row['via']))})"
        parts = [outlet]
        if pd.notna(row.get("title")):
            parts.append(f"\u201c{html.escape(str(row['title']))}\u201d")
        if pd.notna(row.get("published_date")):
            parts.append(html.escape(str(row["published_date"])))
        if pd.notna(row.get("url")):
            parts.append(f'<span class="sitrep-url">{html.escape(str(row["url"]))}</span>')
        return ", ".join(parts)

    def listing(self) -> str:
        """The numbered list of every cited source, as one HTML block (a list a print
        stylesheet can set in two columns), each item with the anchor ``#source-N``."""
        items = "".join(f'<li id="source-{self._numbers[source_id]}">'
                        f"{self.citation(source_id)}</li>\n" for source_id in self.cited_ids())
        return f'<ol class="sitrep-brief-sources">\n{items}</ol>'
