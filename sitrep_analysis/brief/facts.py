"""The facts a situation report rests on, selected from the tables: pure functions on
DataFrames, no wording.

Each function answers one of the questions an analyst's brief answers about one attack: which
attack it is, what happened earlier at the same place, what was said and done in the days
before (and what those statements answered), what troops were there, and how the attack tempo
moved. The writer (:mod:`sitrep_analysis.brief.writer`) turns the answers into sentences.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pandas as pd

from sitrep_analysis.analysis import claim_only, rate_ratio_test
from sitrep_analysis.columns import TALLY_SCOPE_COUNTRIES
from sitrep_analysis.coverage import tally_intervals
from sitrep_analysis.parse import split_list

#: Troop-level scopes by country (table ``troop_levels``, column ``scope``).
TROOP_SCOPES = {"Iraq": "us_iraq", "Syria": "us_syria"}


class IncidentNotFound(LookupError):
    """No incident has the id asked for; ``suggestions`` holds the closest ids."""

    def __init__(self, incident_id: str, suggestions: list[str]) -> None:
        self.incident_id = incident_id
        self.suggestions = suggestions
        hint = f"; closest: {', '.join(suggestions)}" if suggestions else ""
        super().__init__(f"no incident has the id {incident_id!r}{hint}")


def closest_incident_ids(incident_ids: pd.Series, wanted: str, limit: int = 5) -> list[str]:
    """The ids most like ``wanted``: those sharing its date first, then by spelling.

    >>> ids = pd.Series(["2021-05-24-ain-al-asad", "2021-05-23-anbar", "2020-01-08-erbil"])
    >>> closest_incident_ids(ids, "2021-05-24-al-asad")
    ['2021-05-24-ain-al-asad', '2021-05-23-anbar']
    """
    known = [str(value) for value in incident_ids.dropna()]
    same_day = [value for value in known if value[:10] == wanted[:10] and len(wanted) >= 10]
    by_spelling = difflib.get_close_matches(wanted, known, n=limit, cutoff=0.6)
    ordered = sorted(same_day, key=lambda value: -difflib.SequenceMatcher(
        None, wanted, value).ratio()) + by_spelling
    return list(dict.fromkeys(ordered))[:limit]


def find_incident(incidents: pd.DataFrame, incident_id: str) -> pd.Series:
    """The incident row with this id, or :class:`IncidentNotFound` with the closest ids."""
    found = incidents[incidents["incident_id"].astype("string").eq(incident_id).fillna(False)]
    if found.empty:
        raise IncidentNotFound(incident_id, closest_incident_ids(incidents["incident_id"],
                                                                 incident_id))
    return found.iloc[0]


def latest_incident_id(incidents: pd.DataFrame) -> str:
    """The newest incident's id (latest date, then latest time, then id); ``LookupError``
    when there are no incidents."""
    if incidents.empty:
        raise LookupError("the data hold no incidents")
    order = incidents.assign(_time=incidents["incident_time_local"].astype("string")
                             .fillna("")).sort_values(["incident_date", "_time", "incident_id"])
    return str(order["incident_id"].iloc[-1])


def _before(dates: pd.Series, day: pd.Timestamp, days: int) -> pd.Series:
    """Dates in the ``days`` days before ``day`` (not ``day`` itself)."""
    return dates.between(day - pd.Timedelta(days=days), day - pd.Timedelta(days=1)).fillna(False)


def site_history(incidents: pd.DataFrame, incident: pd.Series, days: int) -> pd.DataFrame:
    """Earlier attacks on the incident's place in the ``days`` days before it, newest first,
    with ``days_before``."""
    same_site = incidents["site_id"].astype("string").eq(str(incident["site_id"])).fillna(False)
    earlier = incidents[same_site & _before(incidents["incident_date"],
                                            incident["incident_date"], days)]
    earlier = earlier.assign(days_before=(incident["incident_date"]
                                          - earlier["incident_date"]).dt.days)
    return earlier.sort_values(["incident_date", "incident_id"], ascending=False)


def events_before(events: pd.DataFrame, day: pd.Timestamp, days: int = 30) -> pd.DataFrame:
    """Political and military events in the ``days`` days before ``day``, newest first, with
    ``days_before``. Events of the day itself are left out: the data do not say whether they
    came before or after the attack (or were the attack)."""
    chosen = events[_before(events["event_date"], day, days)]
    chosen = chosen.assign(days_before=(day - chosen["event_date"]).dt.days)
    return chosen.sort_values(["event_date", "event_id"], ascending=False)


def response_chain(events: pd.DataFrame, event_ids: list[str]) -> pd.DataFrame:
    """The events the given ones answer (``responds_to_event_ids``), and what those answer,
    however far back; each once, with ``answered_by`` (the id of the event that answers it),
    in the order they are reached. The given events themselves are not included."""
    by_id = events.set_index("event_id", drop=False)
    seen = set(event_ids)
    reached = []
    queue = list(event_ids)
    while queue:
        current = queue.pop(0)
        if current not in by_id.index:
            continue
        for answered in split_list(by_id.loc[current].get("responds_to_event_ids")):
            if answered in seen or answered not in by_id.index:
                continue
            seen.add(answered)
            queue.append(answered)
            reached.append(by_id.loc[answered].to_dict() | {"answered_by": current})
    return pd.DataFrame(reached, columns=[*events.columns, "answered_by"])


def claimed_values(claims: pd.DataFrame, record_table: str, record_id: str,
                   field_name: str) -> pd.DataFrame:
    """What each source claims for one field of one record (table ``claims``), in file order."""
    chosen = (claims["record_table"].astype("string").eq(record_table)
              & claims["record_id"].astype("string").eq(record_id)
              & claims["field_name"].astype("string").eq(field_name)).fillna(False)
    return claims[chosen]


def actor_statements(events: pd.DataFrame, actor_id: str) -> pd.DataFrame:
    """The actor's statements (militia statements and ceasefires naming it), oldest first."""
    named = events["actor_ids"].map(lambda cell: actor_id in split_list(cell))
    statements = events["category"].astype("string").isin(["militia_statement", "ceasefire"])
    return events[named & statements.fillna(False)].sort_values(["event_date", "event_id"])


def memberships_of(memberships: pd.DataFrame, umbrella_id: str) -> pd.DataFrame:
    """The members of an umbrella as reported, each with its sources, in file order."""
    return memberships[memberships["umbrella_actor_id"].astype("string").eq(umbrella_id)
                       .fillna(False)]


def umbrellas_of(memberships: pd.DataFrame, actor_id: str) -> list[str]:
    """The umbrellas an actor is reported to belong to."""
    rows = memberships[memberships["member_actor_id"].astype("string").eq(actor_id)
                       .fillna(False)]
    return [str(value) for value in rows["umbrella_actor_id"]]


@dataclass(frozen=True)
class TroopContext:
    """The latest reported US troop level in a country before a day, and its last change.

    ``level`` is the newest reported row at or before the day; ``change_start`` the first
    reported row of the run at that level; ``before`` the reported rows of the level before
    the change (with each source's claimed value in ``before_claims``), and ``from_counts``
    the levels rows at the new level say it was cut (or raised) from.
    """

    level: pd.Series | None
    change_start: pd.Series | None
    before: pd.DataFrame
    before_claims: pd.DataFrame
    from_counts: pd.DataFrame


def troop_context(troop_levels: pd.DataFrame, claims: pd.DataFrame, country: str,
                  day: pd.Timestamp) -> TroopContext:
    """US troops in ``country`` as last reported at or before ``day`` (see
    :class:`TroopContext`). Announced targets are left out: a brief states levels."""
    empty = troop_levels.iloc[0:0]
    nothing = TroopContext(None, None, empty, claims.iloc[0:0], empty)
    scope = TROOP_SCOPES.get(country)
    if scope is None:
        return nothing
    reported = troop_levels[troop_levels["scope"].astype("string").eq(scope).fillna(False)
                            & troop_levels["kind"].astype("string").eq("reported").fillna(False)
                            & (troop_levels["date"] <= day).fillna(False)]
    reported = reported.sort_values(["date", "troop_level_id"])
    if reported.empty:
        return nothing
    level = reported.iloc[-1]
    count = level["troops_count"]
    run_start = len(reported) - 1
    while run_start > 0 and reported["troops_count"].iloc[run_start - 1] == count:
        run_start -= 1
    at_level = reported.iloc[run_start:]
    before = reported.iloc[:run_start]
    if not before.empty:
        before = before[before["troops_count"].eq(before["troops_count"].iloc[-1])
                        & before["date"].eq(before["date"].iloc[-1])]
    before_claims = pd.concat([claimed_values(claims, "troop_levels", str(row_id),
                                              "troops_count")
                               for row_id in before["troop_level_id"]] or [claims.iloc[0:0]])
    from_counts = at_level[at_level["previous_troops_count"].notna()]
    return TroopContext(level, reported.iloc[run_start], before, before_claims, from_counts)


@dataclass(frozen=True)
class Tempo:
    """Attacks in the country in the ``days`` days before an attack against the ``days``
    before those, with the exact Poisson rate-ratio test (:func:`analysis.rate_ratio_test`)."""

    days: int
    recent_count: int
    earlier_count: int
    rate_ratio: float
    ci_low: float
    ci_high: float
    p_value: float


def tempo_before(incidents: pd.DataFrame, incident: pd.Series, days: int = 30) -> Tempo:
    """Count the country's attacks (not those known only from a group's claim, as officials
    count) in the ``days`` days before the attack and in the ``days`` before those, and test
    whether the rate changed."""
    day = incident["incident_date"]
    country = incidents["country"].astype("string").eq(str(incident["country"])).fillna(False)
    counted = incidents[country & ~claim_only(incidents)]
    recent = int(_before(counted["incident_date"], day, days).sum())
    earlier = int(_before(counted["incident_date"], day - pd.Timedelta(days=days), days).sum())
    ratio, low, high, p_value = rate_ratio_test(recent, earlier, days, days)
    return Tempo(days, recent, earlier, ratio, low, high, p_value)


def tally_position(incidents: pd.DataFrame, tallies: pd.DataFrame,
                   incident: pd.Series) -> pd.Series | None:
    """The officials' (or a wire service's) running count around the attack: the interval
    between two successive totals of one series that holds the attack's day, for the
    narrowest scope counting its country and its kind of target; None when no series covers
    the day. The row is one of :func:`coverage.tally_intervals`, plus ``scope``."""
    day = incident["incident_date"]
    country = str(incident["country"])
    for scope, countries in sorted(TALLY_SCOPE_COUNTRIES.items(), key=lambda item:
                                   len(item[1])):
        if country not in countries:
            continue
        intervals = tally_intervals(incidents, tallies, countries)
        holding = intervals[(intervals["segment_start"] <= day) & (intervals["segment_end"]
                                                                   >= day)]
        if str(incident["target_kind"]) == "convoy":
            holding = holding[holding["counted_targets"].eq("us_interests")]
        if not holding.empty:
            found = holding.iloc[0].copy()
            found["scope"] = scope
            return found
    return None
