"""The column dictionary: every curated column described once.

Each column is defined a single time in :data:`FIELDS` (type, unit, allowed values, meaning) and
each table in :data:`TABLES` lists the columns it holds, which of them must be filled, its primary
key and its foreign keys. The validation schema (``schema.py``), the loaders' dtypes (``data.py``),
the Frictionless ``datapackage.json`` (``datapackage.py``) and the data documentation all derive
from these two mappings, so a fact about a column is typed in exactly one place.

Conventions in the CSV files:

- an empty cell means *not reported* (never zero, never "unknown");
- dates are ISO ``YYYY-MM-DD``; a partial publication date may be ``YYYY-MM`` or ``YYYY``;
- list cells (``*_ids``, ``aliases``) separate items with ``;``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypedDict, Unpack

#: Value kinds a column can have. ``id_list`` is a ``;``-separated list of identifiers,
#: ``partial_date`` an ISO date that may stop at the month or year, ``time`` a local ``HH:MM``.
KINDS = ("string", "integer", "number", "date", "partial_date", "time", "category", "id_list")

ID_PATTERN = r"[a-z0-9][a-z0-9_\-]*"

#: A whole number as the data and the command line write it: ASCII digits, maybe a minus.
INTEGER = re.compile(r"-?[0-9]+")


@dataclass(frozen=True)
class Field:
    """One column: its name, value kind, meaning and the rules a value must follow."""

    name: str
    kind: str
    description: str
    unit: str | None = None
    #: For ``category`` columns: code -> human label. Any other value is an error.
    allowed: dict[str, str] | None = None
    minimum: float | None = None
    maximum: float | None = None
    #: Regular expression every non-empty value (or list item) must match in full.
    pattern: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name}: unknown kind {self.kind!r}")
        if (self.kind == "category") != (self.allowed is not None):
            raise ValueError(f"column {self.name}: allowed values go with kind 'category' only")


@dataclass(frozen=True)
class ForeignKey:
    """``column`` (a single id or an ``id_list``) must name rows of ``table``'s primary key."""

    column: str
    table: str


@dataclass(frozen=True)
class Table:
    """One curated CSV file: what a row is, its columns and its keys."""

    name: str
    title: str
    row_meaning: str
    columns: tuple[str, ...]
    required: frozenset[str]
    primary_key: str
    foreign_keys: tuple[ForeignKey, ...] = ()
    #: Columns the loader adds to the returned frame (not present in the CSV).
    derived: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    #: Rules within one row, checked by ``schema.py``: rule name -> plain-language statement.
    row_rules: dict[str, str] = field(default_factory=dict)
    #: Rules across tables (beyond foreign keys), checked by ``schema.py``: name -> statement.
    cross_rules: dict[str, str] = field(default_factory=dict)
    #: A user's data directory may leave this file out; the loader then returns no rows.
    optional: bool = False
    #: Columns added after data directories were first written (an earlier import, a user's
    #: own files): a header may leave them out, and the loader then reads them as empty.
    optional_columns: frozenset[str] = frozenset()
    #: Columns besides the primary key whose values must differ from row to row.
    unique: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


def _fields(*items: Field) -> dict[str, Field]:
    return {f.name: f for f in items}


_COUNT = "count of people"

FIELDS: dict[str, Field] = _fields(
    # --- identifiers and provenance, shared by several tables -------------------------------
    Field("incident_id", "string", "Stable identifier of an incident: date, then a short slug of "
          "the place, e.g. `2020-03-11-camp-taji`.", pattern=ID_PATTERN),
    Field("event_id", "string", "Stable identifier of a political or military event: date, then "
          "a short slug, e.g. `2020-10-10-ircc-ceasefire`.", pattern=ID_PATTERN),
    Field("troop_level_id", "string", "Stable identifier of a troop-level figure.",
          pattern=ID_PATTERN),
    Field("site_id", "string", "Gazetteer identifier of a place (table `sites`).",
          pattern=ID_PATTERN),
    Field("actor_id", "string", "Identifier of an actor (table `actors`).", pattern=ID_PATTERN),
    Field("source_id", "string", "Identifier of a cited report (table `sources`).",
          pattern=ID_PATTERN),
    Field("claim_id", "string", "Identifier of one source's claim about one field of one record.",
          pattern=ID_PATTERN),
    Field("source_ids", "id_list", "The reports this row rests on, `;`-separated ids of table "
          "`sources`. Every incident, event, troop figure and claim has at least one.",
          pattern=ID_PATTERN),
    Field("curation_basis", "category", "Where the curator took the row from: the project's "
          "reference fact sheets (gathered from the cited public reporting), the cited reports "
          "themselves as read by the curator, or the curator's own knowledge of the cited "
          "public reporting; `acled_import` marks rows `sitrep import acled` wrote from an "
          "analyst's ACLED export (never in data/).",
          allowed={"reference_sheet": "reference fact sheet",
                   "cited_report": "read in the cited reports",
                   "curator_knowledge": "curator's knowledge of public reporting",
                   "acled_import": "imported from an ACLED export by `sitrep import acled`"}),
    Field("notes", "string", "Free-text remarks: quirks, caveats, what sources say verbatim."),
    Field("aliases", "id_list", "Other spellings or names, `;`-separated.", pattern=r"[^;]+"),
    # --- places --------------------------------------------------------------------------
    Field("site_name", "string", "Name of the place as the sources report it."),
    Field("site_kind", "category", "What the place is.",
          allowed={"air_base": "air base", "military_base": "military base or camp",
                   "diplomatic": "embassy, consulate or diplomatic facility",
                   "airport": "civil airport (may host a military facility)",
                   "district": "district or zone of a city",
                   "route": "road or convoy route, located at a nearby town",
                   "town": "town or village"}),
    Field("country", "category", "Country where it happened. The workbook is about Iraq; the same "
          "groups' attacks in Syria and Jordan are kept and marked by this column.",
          allowed={"Iraq": "Iraq", "Syria": "Syria", "Jordan": "Jordan"}),
    Field("province", "string", "First-level administrative area (Iraqi governorate, Syrian or "
          "Jordanian governorate), English spelling."),
    Field("latitude", "number", "Latitude, WGS 84.", unit="degrees north", minimum=-90,
          maximum=90),
    Field("longitude", "number", "Longitude, WGS 84.", unit="degrees east", minimum=-180,
          maximum=180),
    Field("coordinates_precision", "category", "How close the coordinates are to the place.",
          allowed={"site": "within about 1 km of the facility",
                   "approximate": "within about 10 km",
                   "town": "centre of the nearest town (routes, districts)"}),
    Field("coordinates_basis", "string", "Where the coordinates come from."),
    # --- actors --------------------------------------------------------------------------
    Field("actor_name", "string", "Usual English name of the actor."),
    Field("actor_kind", "category", "What kind of actor it is.",
          allowed={"militia": "armed group", "militia_front": "front name used in claims",
                   "umbrella": "coalition or umbrella of armed groups",
                   "state_military": "state armed forces or military command",
                   "state_body": "government, parliament or ministry",
                   "generic": "unspecified group named only by description"}),
    Field("umbrella_ids", "id_list", "Loader-derived from table `actor_memberships`: the "
          "umbrellas or coalitions the actor is reported to belong to (ids of table `actors`). "
          "Membership is as reported, not verified.", pattern=ID_PATTERN),
    Field("membership_id", "string", "Identifier of one reported membership: the member's "
          "actor id, `--`, the umbrella's actor id, e.g. `kataib-hezbollah--ircc`.",
          pattern=r"[a-z0-9][a-z0-9_\-]*--[a-z0-9][a-z0-9_\-]*"),
    Field("member_actor_id", "string", "The actor reported to belong to the umbrella (id in "
          "table `actors`).", pattern=ID_PATTERN),
    Field("umbrella_actor_id", "string", "The umbrella, front or coalition it is reported to "
          "belong to (id in table `actors`).", pattern=ID_PATTERN),
    # --- incidents -----------------------------------------------------------------------
    Field("incident_date", "date", "Local date of the attack."),
    Field("incident_time_local", "time", "Local time of the attack when reported (Iraq: UTC+3).",
          unit="HH:MM local", pattern=r"([01][0-9]|2[0-3]):[0-5][0-9]"),
    Field("date_precision", "category", "How exactly the date is known.",
          allowed={"day": "the day is reported consistently",
                   "approximate": "the day is uncertain or sources differ by a day or so",
                   "month": "only the month is known (date is the first of the month)",
                   "period": "a figure that holds over a period (date is its start)"}),
    Field("weapon_type", "category", "Main weapon used in the attack.",
          allowed={"rocket": "rocket", "mortar": "mortar", "drone": "drone",
                   "ied": "IED (roadside bomb)", "ballistic_missile": "ballistic missile",
                   "other_unknown": "other or unknown"}),
    Field("weapon_detail", "string", "The weapon as reported, e.g. `107mm rockets fired from a "
          "truck`."),
    Field("projectiles_low", "integer", "Lowest projectile count the cited sources support "
          "(rockets, drones, missiles or bombs): `at least 3` gives 3; empty when the count has "
          "no stated floor (`up to 12`) or no source gives a number.", unit="projectiles",
          minimum=0),
    Field("projectiles_high", "integer", "Highest projectile count the cited sources support: "
          "`up to 12` gives 12; empty when the count is open-ended (`at least 3`) or not "
          "reported. Equal to projectiles_low when sources agree on one number.",
          unit="projectiles", minimum=0),
    Field("target_kind", "category", "What was targeted.",
          allowed={"base": "military base hosting US or coalition forces",
                   "diplomatic": "embassy, consulate or diplomatic support facility",
                   "airport": "airport area", "convoy": "logistics convoy serving the coalition",
                   "other": "other target"}),
    Field("us_killed_count", "integer", "US service members killed.", unit=_COUNT, minimum=0),
    Field("us_wounded_count", "integer", "US service members wounded, including traumatic brain "
          "injury when reported.", unit=_COUNT, minimum=0),
    Field("coalition_killed_count", "integer", "Non-US coalition service members killed.",
          unit=_COUNT, minimum=0),
    Field("coalition_wounded_count", "integer", "Non-US coalition service members wounded.",
          unit=_COUNT, minimum=0),
    Field("contractors_killed_count", "integer", "Contractors (any nationality) killed.",
          unit=_COUNT, minimum=0),
    Field("contractors_wounded_count", "integer", "Contractors (any nationality) wounded.",
          unit=_COUNT, minimum=0),
    Field("iraqi_killed_count", "integer", "Iraqi security forces and civilians (or local "
          "civilians outside Iraq) killed.", unit=_COUNT, minimum=0),
    Field("iraqi_wounded_count", "integer", "Iraqi security forces and civilians (or local "
          "civilians outside Iraq) wounded.", unit=_COUNT, minimum=0),
    Field("casualties_note", "string", "Casualties in the sources' own words, including what "
          "the counts cannot hold (ranges, `minor injuries`)."),
    Field("claimed_by", "string", "Actor that claimed the attack (id in table `actors`); empty "
          "when nobody claimed it.", pattern=ID_PATTERN),
    Field("attributed_to", "string", "Actor the attack was attributed to by someone other than "
          "the perpetrator (id in table `actors`).", pattern=ID_PATTERN),
    Field("attributed_by", "string", "Who made the attribution, e.g. `US Department of "
          "Defense`."),
    Field("attribution_status", "category", "Claim and attribution kept apart: `claimed` if a "
          "group claimed it, else `attributed` if someone named a perpetrator, else "
          "`unattributed`.",
          allowed={"claimed": "claimed", "attributed": "attributed by a third party",
                   "unattributed": "neither claimed nor attributed"}),
    Field("confirmation_status", "category", "Who reports that the attack happened: the "
          "strongest of the cited sources. The Islamic Resistance in Iraq claimed more attacks "
          "than US officials confirmed, so analyses can count either way. Empty for imported "
          "rows, which were not assessed.",
          allowed={"us_coalition_official": "confirmed by US or coalition officials",
                   "other_official": "reported by Iraqi, Kurdish, Syrian or Jordanian officials "
                   "(not confirmed by US or coalition officials)",
                   "media_only": "reported by the media only (no official confirmation cited)",
                   "group_claim_only": "known only from a group's claim"}),
    Field("quote_text", "string", "An official's or a group's own words about the attack, one "
          "sentence at most, copied from the source named in `quote_source_id`: the one place "
          "the data holds a source's text rather than the curator's."),
    Field("quote_speaker", "string", "Who said `quote_text`, with role, e.g. `OIR spokesman Col. "
          "Wayne Marotto`."),
    Field("quote_source_id", "string", "The report `quote_text` is copied from (id in table "
          "`sources`, one of the row's `source_ids`).", pattern=ID_PATTERN),
    Field("acled_event_id", "string", "ACLED's `event_id_cnty` of the same attack, when a cited "
          "report names it.", pattern=r"[A-Z]{3}[0-9]+"),
    Field("coordinates_source", "category", "Loader-derived: whether the coordinates were "
          "reported for the incident itself or taken from the site in the gazetteer.",
          allowed={"incident": "reported for the incident", "site": "the gazetteer site's",
                   "none": "no coordinates"}),
    Field("sources", "string", "Loader-derived: readable citations of the row's sources, "
          "`; `-separated."),
    # --- political events ----------------------------------------------------------------
    Field("event_date", "date", "Local date of the event; for an event spanning days, its last "
          "day."),
    Field("event_start_date", "date", "First day of an event spanning several days; empty for "
          "one-day events."),
    Field("category", "category", "Kind of political or military event.",
          allowed={"us_strike": "US strike", "militia_statement": "militia statement",
                   "ceasefire": "ceasefire or truce", "strategic_dialogue":
                   "US-Iraq Strategic Dialogue round", "parliament_vote": "parliament vote",
                   "troop_announcement": "troop announcement", "iranian_strike": "Iranian strike",
                   "coalition_talks": "Iraqi government statement or talks on the coalition's "
                   "future", "other": "other"}),
    Field("title", "string", "Short title of the event or report."),
    Field("description", "string", "What happened, in a sentence or two."),
    Field("actor_ids", "id_list", "Actors taking part (ids of table `actors`).",
          pattern=ID_PATTERN),
    Field("responds_to_event_ids", "id_list", "Earlier events this one answers, as its sources "
          "say (ids of table `political_events`), e.g. a militia statement answering a "
          "Strategic Dialogue round.", pattern=ID_PATTERN),
    Field("statement_stance", "category", "For a militia statement or ceasefire: whether the "
          "group threatens attacks on US forces or holds them back, as the event's sources "
          "report its words. Briefs name a group that threatened attacks in the 7 days before "
          "an attack.",
          allowed={"threat": "threatens, vows or announces attacks on US forces",
                   "restraint": "suspends, slows or conditions attacks on US forces"}),
    Field("dialogue_round", "integer", "Strategic Dialogue round number, as most sources number "
          "it; disagreements are in table `claims`.", minimum=1),
    # --- troop levels ----------------------------------------------------------------------
    Field("date", "date", "Date the figure refers to: the day, or the first day of the month or "
          "period (see `date_precision`)."),
    Field("date_end", "date", "Last day of the period a figure covers, when it covers one."),
    Field("troops_count", "integer", "Number of US troops (or other scope).", unit="troops",
          minimum=0),
    Field("troops_qualifier", "category", "How the source qualifies the number.",
          allowed={"exact": "as stated", "about": "about / some / roughly",
                   "more_than": "more than", "up_to": "up to"}),
    Field("previous_troops_count", "integer", "The level the source says the figure was reduced "
          "(or raised) from, when it states one.", unit="troops", minimum=0),
    Field("kind", "category", "A level reported as current, or an announced target.",
          allowed={"reported": "reported level", "announced_target": "announced target"}),
    Field("scope", "category", "Whose troops and where.",
          allowed={"us_iraq": "US forces in Iraq", "us_syria": "US forces in Syria",
                   "coalition_iraq_non_us": "non-US coalition forces in Iraq"}),
    # --- reported tallies ------------------------------------------------------------------
    Field("tally_id", "string", "Identifier of an official's or tracker's running count.",
          pattern=ID_PATTERN),
    Field("as_of_date", "date", "Date the count was given (the first of the month when only the "
          "month is known, see `date_precision`)."),
    Field("period_start", "date", "First day of the period the count covers."),
    Field("period_end", "date", "Last day of the period the count covers; empty when it runs to "
          "`as_of_date`."),
    Field("attacks_count", "integer", "Attacks counted in the period and scope.", unit="attacks",
          minimum=0),
    Field("count_qualifier", "category", "How the source qualifies the count.",
          allowed={"exact": "as stated", "about": "about / almost", "more_than": "more than",
                   "at_least": "at least"}),
    Field("tally_scope", "category", "Where the counted attacks happened.",
          allowed={"iraq": "Iraq", "syria": "Syria", "iraq_and_syria": "Iraq and Syria",
                   "iraq_syria_jordan": "Iraq, Syria and Jordan"}),
    Field("counted_targets", "category", "What the count counts as an attack. A Pentagon count "
          "of attacks on US and coalition forces leaves out roadside bombs on the Iraqi "
          "contractors' convoys that carry coalition supplies; a count of attacks on US "
          "interests includes them.",
          allowed={"us_forces": "attacks on US and coalition forces and facilities (bases, "
                   "diplomatic sites, airports; not convoys)",
                   "us_interests": "attacks on US interests, convoys serving the coalition "
                   "included"}),
    Field("counted_by", "string", "The organisation whose count it is, e.g. `US Department of "
          "Defense` (its spokespeople and officials speaking anonymously alike), `AFP`; the "
          "person who gave it is in `notes`. Empty when the report does not say."),
    Field("counter_kind", "category", "What kind of counter made the count.",
          allowed={"us_officials": "US or coalition officials",
                   "news_outlet": "a news agency's or newspaper's own running count",
                   "monitor": "a monitoring group, think tank or security firm",
                   "armed_group": "the attackers' own count of their claims",
                   "unknown": "the report does not say whose count it is"}),
    Field("tally_role", "category", "Whether the count is one of a counter's running totals, "
          "differenced into the officials' rate between totals (timeline, event-study "
          "coverage), or a one-off, second-hand or conflicting count shown in the coverage "
          "table only.",
          allowed={"series": "a running total, differenced into the officials' rate",
                   "reference": "shown in the coverage table only"}),
    Field("iraq_attacks_count", "integer", "Of the attacks counted, those in Iraq, when the "
          "source splits them.", unit="attacks", minimum=0),
    Field("syria_attacks_count", "integer", "Of the attacks counted, those in Syria, when the "
          "source splits them.", unit="attacks", minimum=0),
    Field("jordan_attacks_count", "integer", "Of the attacks counted, those in Jordan, when "
          "the source splits them.", unit="attacks", minimum=0),
    Field("personnel_injured_count", "integer", "US personnel injured in the period, when the "
          "source gives it.", unit=_COUNT, minimum=0),
    # --- sources ---------------------------------------------------------------------------
    Field("outlet", "string", "Publisher, agency or author, e.g. `Newsweek`, `OIR spokesperson`."),
    Field("published_date", "partial_date", "Publication date, as exact as known.",
          pattern=r"[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?"),
    Field("url", "string", "Address of the report, exactly as found (scheme may be missing); "
          "empty when unknown. Never reconstructed.",
          pattern=r"(https?://)?[A-Za-z0-9.\-]+\.[A-Za-z]{2,}(/\S*)?"),
    Field("via", "string", "Outlet that relayed the report, when it was read through another "
          "(e.g. `Reuters via devdiscourse.com`)."),
    Field("source_kind", "category", "What kind of source it is.",
          allowed={"news": "news report", "official": "official statement or spokesperson",
                   "dataset": "conflict-event dataset record", "analysis": "think tank or "
                   "analysis", "encyclopedia": "encyclopedia or digest",
                   "situation_report": "situation report"}),
    # --- claims ------------------------------------------------------------------------------
    Field("record_table", "category", "Table of the record the claim is about.",
          allowed={"incidents": "incidents", "political_events": "political events",
                   "troop_levels": "troop levels"}),
    Field("record_id", "string", "Id of the record the claim is about.", pattern=ID_PATTERN),
    Field("field_name", "string", "Column the claim is about; `projectiles` means the "
          "projectile count the `projectiles_low`-`projectiles_high` range spans.",
          pattern=r"[a-z_]+"),
    Field("claimed_value", "string", "The value this source gives, as a plain number or code."),
    Field("value_qualifier", "category", "How the source qualifies the value.",
          allowed={"exact": "as stated", "about": "about / roughly", "at_least": "at least",
                   "more_than": "more than", "up_to": "up to",
                   "initial": "initial report, later revised"}),
)


class _TableOptions(TypedDict, total=False):
    """The fields of :class:`Table` that have defaults, as :func:`_table` passes them on."""

    foreign_keys: tuple[ForeignKey, ...]
    derived: tuple[str, ...]
    warnings: tuple[str, ...]
    row_rules: dict[str, str]
    cross_rules: dict[str, str]
    optional: bool
    optional_columns: frozenset[str]
    unique: tuple[str, ...]


def _table(name: str, title: str, row_meaning: str, columns: list[str], required: list[str],
           primary_key: str, **kwargs: Unpack[_TableOptions]) -> Table:
    return Table(name=name, title=title, row_meaning=row_meaning, columns=tuple(columns),
                 required=frozenset(required), primary_key=primary_key, **kwargs)


TABLES: dict[str, Table] = {t.name: t for t in (
    _table(
        "incidents", "Attacks on US and coalition forces",
        "One attack on a site hosting US or coalition forces, a diplomatic facility, or a convoy "
        "serving them, on one day at one place.",
        ["incident_id", "incident_date", "incident_time_local", "date_precision", "country",
         "site_id", "site_name", "province", "latitude", "longitude", "weapon_type",
         "weapon_detail", "projectiles_low", "projectiles_high", "target_kind",
         "us_killed_count", "us_wounded_count", "coalition_killed_count",
         "coalition_wounded_count", "contractors_killed_count", "contractors_wounded_count",
         "iraqi_killed_count", "iraqi_wounded_count", "casualties_note", "claimed_by",
         "attributed_to", "attributed_by", "attribution_status", "confirmation_status",
         "quote_text", "quote_speaker", "quote_source_id", "acled_event_id", "source_ids",
         "curation_basis", "notes"],
        ["incident_id", "incident_date", "date_precision", "country", "site_id", "site_name",
         "weapon_type", "target_kind", "attribution_status", "source_ids", "curation_basis"],
        "incident_id",
        foreign_keys=(ForeignKey("site_id", "sites"), ForeignKey("claimed_by", "actors"),
                      ForeignKey("attributed_to", "actors"), ForeignKey("source_ids", "sources"),
                      ForeignKey("quote_source_id", "sources")),
        derived=("coordinates_source", "sources"),
        optional_columns=frozenset({"quote_text", "quote_speaker", "quote_source_id"}),
        warnings=(
            "Coverage is measured, not assumed: table `reported_tallies` holds the officials' "
            "and trackers' running counts, and `sitrep validate` (or "
            "`sitrep_analysis.coverage.tally_coverage`) sets each against the rows here. Where "
            "officials counted attack by attack (September 2020, the first half of 2021, "
            "October 2023 to early February 2024) the rows hold most of their count; where no "
            "one counted, coverage is unknown, and 2022 to mid-2023 holds only notable attacks.",
            "Attacks known only from a group's claim are kept, marked in `confirmation_status`; "
            "the reports leave them out of counts unless asked, as officials did.",
            "An empty casualty cell means not reported; 0 means a source reported none.",
            "Province and coordinates left empty in the file are filled from the site's "
            "gazetteer entry by the loader (see `coordinates_source`).",
        ),
        row_rules={
            "projectiles_low_not_above_high": "projectiles_low is at most projectiles_high",
            "attribution_status_consistent": "attribution_status is `claimed` when claimed_by is "
            "filled, else `attributed` when attributed_to is filled, else `unattributed`",
            "attributed_by_with_attribution": "attributed_by is filled when attributed_to is",
            "in_coverage_period": "incident_date lies in the coverage period "
            "2019-10-01 to 2024-09-30",
            "quote_complete": "quote_text, quote_speaker and quote_source_id are filled "
            "together, and quote_source_id is one of source_ids",
            "quote_one_sentence": "quote_text is one sentence at most (no sentence break inside, "
            "at most 300 characters)",
        },
    ),
    _table(
        "political_events", "Political and military events",
        "One political or military event a tempo analysis may compare attacks against.",
        ["event_id", "event_date", "event_start_date", "category", "title", "description",
         "actor_ids", "country", "responds_to_event_ids", "statement_stance", "dialogue_round",
         "source_ids",
         "curation_basis", "notes"],
        ["event_id", "event_date", "category", "title", "description", "source_ids",
         "curation_basis"],
        "event_id",
        foreign_keys=(ForeignKey("actor_ids", "actors"), ForeignKey("source_ids", "sources"),
                      ForeignKey("responds_to_event_ids", "political_events")),
        derived=("sources",),
        optional_columns=frozenset({"responds_to_event_ids", "statement_stance"}),
        warnings=("Events are those a tempo analysis needs, not a chronology of the period.",),
        row_rules={
            "start_not_after_end": "event_start_date is not after event_date",
            "dialogue_round_only_for_dialogue": "dialogue_round is filled only for category "
            "`strategic_dialogue`",
            "responds_to_other_events": "responds_to_event_ids does not name the event itself",
            "stance_only_for_statements": "statement_stance is filled only for category "
            "`militia_statement` or `ceasefire`",
        },
    ),
    _table(
        "troop_levels", "US troop levels in Iraq",
        "One troop figure as one source states it: a reported level or an announced target.",
        ["troop_level_id", "date", "date_end", "date_precision", "troops_count",
         "troops_qualifier", "previous_troops_count", "kind", "scope", "source_ids",
         "curation_basis", "notes"],
        ["troop_level_id", "date", "date_precision", "troops_count", "troops_qualifier", "kind",
         "scope", "source_ids", "curation_basis"],
        "troop_level_id",
        foreign_keys=(ForeignKey("source_ids", "sources"),),
        derived=("sources",),
        warnings=("Sources disagree on levels for the same months (e.g. about 3,000 or 3,500 "
                  "before the January 2021 cut): each figure is a row of its own.",),
        row_rules={"date_end_not_before_date": "date_end is not before date"},
    ),
    _table(
        "reported_tallies", "Officials' and trackers' running counts of attacks",
        "One count of attacks over a period, as an official or tracker reported it: the yardstick "
        "for how much of the whole the curated incidents hold.",
        ["tally_id", "as_of_date", "date_precision", "period_start", "period_end",
         "attacks_count", "count_qualifier", "tally_scope", "counted_targets", "counted_by",
         "counter_kind", "tally_role", "iraq_attacks_count", "syria_attacks_count",
         "jordan_attacks_count", "personnel_injured_count", "source_ids", "curation_basis",
         "notes"],
        ["tally_id", "as_of_date", "date_precision", "period_start", "attacks_count",
         "count_qualifier", "tally_scope", "counted_targets", "counter_kind", "tally_role",
         "source_ids", "curation_basis"],
        "tally_id",
        foreign_keys=(ForeignKey("source_ids", "sources"),),
        derived=("sources",),
        warnings=("Definitions differ between sources (Iraq only, or Iraq and Syria; what counts "
                  "as an attack): compare a tally only with incidents of the same scope.",),
        row_rules={"period_within_as_of": "period_start is not after as_of_date, and period_end "
                   "(when given) not before period_start",
                   "split_within_total": "iraq_attacks_count, syria_attacks_count and "
                   "jordan_attacks_count add up to at most attacks_count when the qualifier is "
                   "`exact`",
                   "split_within_scope": "a country's split count is given only for a country "
                   "the tally's scope includes"},
        optional=True,
    ),
    _table(
        "sites", "Gazetteer of places",
        "One place where attacks happened: a base, a diplomatic facility, an airport, a district "
        "or a convoy route.",
        ["site_id", "site_name", "aliases", "site_kind", "country", "province", "latitude",
         "longitude", "coordinates_precision", "coordinates_basis", "notes"],
        ["site_id", "site_name", "site_kind", "country"],
        "site_id",
        # two places of one name would merge into one bar, one row, one map label
        unique=("site_name",),
        warnings=("Coordinates locate the facility for maps and distance matching; they are "
                  "not surveyed positions.",),
        row_rules={"coordinates_complete": "latitude, longitude, coordinates_precision and "
                   "coordinates_basis are all filled or all empty"},
    ),
    _table(
        "actors", "Actors",
        "One armed group, front, umbrella, state force or state body named in claims, "
        "attributions or events.",
        ["actor_id", "actor_name", "aliases", "actor_kind", "source_ids", "notes"],
        ["actor_id", "actor_name", "actor_kind"],
        "actor_id",
        foreign_keys=(ForeignKey("source_ids", "sources"),),
        derived=("umbrella_ids", "sources"),
        warnings=("Front names and umbrella memberships are as reported; they overlap and "
                  "change.",),
    ),
    _table(
        "actor_memberships", "Reported memberships of armed groups in umbrellas and fronts",
        "One group reported to belong to one umbrella, front or coalition, with the reports "
        "that say so. Where reports disagree (the IRCC's own lists name KH, AAH, KSS and "
        "Nujaba; the May 2021 situation report names KH and Badr), each membership carries "
        "only the reports that state it.",
        ["membership_id", "member_actor_id", "umbrella_actor_id", "source_ids", "notes"],
        ["membership_id", "member_actor_id", "umbrella_actor_id", "source_ids"],
        "membership_id",
        foreign_keys=(ForeignKey("member_actor_id", "actors"),
                      ForeignKey("umbrella_actor_id", "actors"),
                      ForeignKey("source_ids", "sources")),
        derived=("sources",),
        warnings=("Memberships are as reported, not verified; fronts and umbrellas overlap "
                  "and change.",),
        row_rules={"membership_id_names_both": "membership_id is member_actor_id, `--`, "
                   "umbrella_actor_id"},
        optional=True,
    ),
    _table(
        "sources", "Cited reports",
        "One report, statement or dataset record cited by at least one row.",
        ["source_id", "outlet", "title", "published_date", "url", "via", "source_kind", "notes"],
        ["source_id", "outlet", "source_kind"],
        "source_id",
        warnings=("Titles and URLs are given only where they were found; none is reconstructed.",),
    ),
    _table(
        "claims", "What each source claims where sources disagree",
        "One source's value for one field of one record, kept where sources disagree or a "
        "figure was revised.",
        ["claim_id", "record_table", "record_id", "field_name", "claimed_value",
         "value_qualifier", "source_ids", "notes"],
        ["claim_id", "record_table", "record_id", "field_name", "claimed_value",
         "value_qualifier", "source_ids"],
        "claim_id",
        foreign_keys=(ForeignKey("source_ids", "sources"),),
        derived=("sources",),
        cross_rules={"record_exists": "record_id names a row of record_table, and field_name a "
                   "column of it (or `projectiles`)",
                   "record_spans_claims": "a numeric record value equals one of the claimed "
                   "values; a projectiles range spans every claimed count"},
    ),
)}

#: Countries each ``tally_scope`` code counts (the split columns and coverage use it).
TALLY_SCOPE_COUNTRIES: dict[str, tuple[str, ...]] = {
    "iraq": ("Iraq",), "syria": ("Syria",), "iraq_and_syria": ("Iraq", "Syria"),
    "iraq_syria_jordan": ("Iraq", "Syria", "Jordan"),
}

#: The column of a tally that splits out each country's count.
TALLY_SPLIT_COLUMNS: dict[str, str] = {"Iraq": "iraq_attacks_count",
                                       "Syria": "syria_attacks_count",
                                       "Jordan": "jordan_attacks_count"}

#: Coverage period of the curated incidents.
COVERAGE_START = "2019-10-01"
COVERAGE_END = "2024-09-30"


def code_label(column: str, code: object) -> str:
    """The dictionary's label of a category code of ``column`` (the code itself when it has
    none), for prose and legends.

    >>> code_label("weapon_type", "ied"), code_label("category", "unknown-code")
    ('IED (roadside bomb)', 'unknown-code')
    """
    return (FIELDS[column].allowed or {}).get(str(code), str(code))
