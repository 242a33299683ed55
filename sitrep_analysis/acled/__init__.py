"""Import the analyst's own ACLED export: read it as it comes, pick out the attacks on US and
coalition forces with a reason for every row, and write a data directory the workbook takes.

ACLED's terms forbid shipping an export, so analysts bring their own. :func:`import_acled`
(``sitrep import acled FILE``) turns one into a directory of the curated layout: the selected
attacks as ``incidents.csv``, with the curated political events, troop levels, gazetteer and
actors copied beside them, so every notebook and ``sitrep render``/``schedule`` takes it as
``data_dir``. One module per stage, each usable on its own; each module's docstring lists the
quirks of ACLED's files it handles:

1. read: :mod:`.sniff` tells what the file is (column set, separator, encoding, line ends) or
   refuses it (:class:`AcledFormatError`: compressed, a ZIP archive, a workbook, a folder, an
   older ACLED layout) before anything is written; :func:`read_acled` (:mod:`.read`) reads the
   rows of one country in parallel; :mod:`.dates` parses every form of ``event_date``;
   :mod:`.rows` types the rows and rejects each unreadable one with its row number and reason;
   :mod:`.cache` keeps the typed rows as Parquet, so a second read of the same file is cheap
   (``--no-cache`` or ``SITREP_NO_CACHE=1`` turn it off).
2. select: :func:`select_attacks` (:mod:`.select`) applies the selection rules and explains
   each candidate row: which rule picked it, or why it was left out. **The rules, and the one
   table of names, patterns and radii they use (:data:`SELECTION_TABLE`), are in
   :mod:`.select`'s docstring and source: that is the part to review.**
3. map: :func:`to_incidents` (:mod:`.incidents`) maps the selected rows to the incidents
   layout: weapon from the sub-event type and the notes, site by name or distance, ACLED's
   ``source`` as a source row, ACLED's ``actor1`` as an attribution *by ACLED* (never a
   claim), ``event_id_cnty`` kept in ``acled_event_id``.
4. match: :func:`match_incidents` (:mod:`.match`) compares the imported incidents with the
   curated ones (same site, dates at most a day apart, or the same ACLED id) and lists
   agreements and conflicts.
5. write: :mod:`.write` builds the data directory beside ``--out`` and swaps it in whole,
   with a manifest (:data:`MANIFEST_NAME`) of the files it wrote, the only ones a later import
   replaces, and side files safe to open in a spreadsheet.

:mod:`.importer` runs the stages in order (:func:`import_acled`, :class:`ImportResult`);
:mod:`.text` holds the RE2 column scans every stage shares; :mod:`.errors` the errors.

Speed: a large export is read as one part per core, in parallel threads, keeping only the
country's rows of each block; dates are parsed once per distinct value; the columns are typed
side by side in threads; the selection rules are RE2 regular expressions run by pyarrow over
whole columns and a NumPy haversine; reasons are worded only for the candidate rows.
``benchmarks/bench_acled.py`` times this against DuckDB doing the same work on the same file
(README, "Benchmarks").
"""

from __future__ import annotations

from sitrep_analysis.acled.cache import CACHE_VERSION, default_cache_dir
from sitrep_analysis.acled.dates import DATE_PATTERNS, parse_event_dates
from sitrep_analysis.acled.errors import AcledFormatError, AcledImportError, AcledOutputError
from sitrep_analysis.acled.importer import ImportResult, import_acled
from sitrep_analysis.acled.incidents import WEAPON_NOTES, WEAPON_SUB_EVENT, to_incidents
from sitrep_analysis.acled.match import match_incidents
from sitrep_analysis.acled.read import AcledExport, export_countries, read_acled
from sitrep_analysis.acled.rows import INTER_LABELS
from sitrep_analysis.acled.select import (
    ATTACK_EVENT_TYPES,
    BASE_KINDS,
    CITY_KINDS,
    CITY_RADIUS_KM,
    COALITION_ACTOR,
    COALITION_ACTOR_STEMS,
    CONVOY,
    DEFAULT_RADIUS_KM,
    DISRUPTED,
    EARTH_RADIUS_KM,
    EXTRA_SITE_NAMES,
    INDIRECT_FIRE,
    INTERCEPTED,
    IRANIAN_ACTOR,
    ISLAMIC_STATE_ACTOR,
    NAMED_SITE_KM,
    NAMED_SITE_REGION_KM,
    ROUTE_RADIUS_KM,
    SELECTION_TABLE,
    STATE_ACTOR,
    STATE_INTER,
    US_COALITION_NOTES,
    actor_cell_pattern,
    base_sites,
    haversine_km,
    nearest_site,
    select_attacks,
    site_name_patterns,
)
from sitrep_analysis.acled.sniff import (
    LAYOUT_MARKERS,
    OPTIONAL_COLUMNS,
    PRE_2019_MARKERS,
    REQUIRED_COLUMNS,
)
from sitrep_analysis.acled.write import MANIFEST_NAME, REPORT_FILES

__all__ = [
    "ATTACK_EVENT_TYPES",
    "BASE_KINDS",
    "CACHE_VERSION",
    "CITY_KINDS",
    "CITY_RADIUS_KM",
    "COALITION_ACTOR",
    "COALITION_ACTOR_STEMS",
    "CONVOY",
    "DATE_PATTERNS",
    "DEFAULT_RADIUS_KM",
    "DISRUPTED",
    "EARTH_RADIUS_KM",
    "EXTRA_SITE_NAMES",
    "INDIRECT_FIRE",
    "INTERCEPTED",
    "INTER_LABELS",
    "IRANIAN_ACTOR",
    "ISLAMIC_STATE_ACTOR",
    "LAYOUT_MARKERS",
    "MANIFEST_NAME",
    "NAMED_SITE_KM",
    "NAMED_SITE_REGION_KM",
    "OPTIONAL_COLUMNS",
    "PRE_2019_MARKERS",
    "REPORT_FILES",
    "REQUIRED_COLUMNS",
    "ROUTE_RADIUS_KM",
    "SELECTION_TABLE",
    "STATE_ACTOR",
    "STATE_INTER",
    "US_COALITION_NOTES",
    "WEAPON_NOTES",
    "WEAPON_SUB_EVENT",
    "AcledExport",
    "AcledFormatError",
    "AcledImportError",
    "AcledOutputError",
    "ImportResult",
    "actor_cell_pattern",
    "base_sites",
    "default_cache_dir",
    "export_countries",
    "haversine_km",
    "import_acled",
    "match_incidents",
    "nearest_site",
    "parse_event_dates",
    "read_acled",
    "select_attacks",
    "site_name_patterns",
    "to_incidents",
]
