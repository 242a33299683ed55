"""Who is behind an attack: the claim, the attributions, or a *likely* culprit by a stated rule.

Claim is not attribution, and neither is an assessment. When a group claimed the attack or
someone attributed it, the brief reports that and assesses nothing. Otherwise the rule below
may name a likely culprit, and the brief prints the counts behind it and labels it an
assessment from the data:

- the actor threatened attacks on US forces in the :data:`THREAT_DAYS` days before (a
  militia statement or ceasefire event naming it, with ``statement_stance`` ``threat``); or
- of the claimed or attributed attacks in the :data:`PRIOR_DAYS` days before, either those on
  the same place or those with the same main weapon in the same country, the actor accounts
  for at least half and at least :data:`MIN_ATTACKS`. An umbrella is credited with its
  members' attacks (table ``actor_memberships``).

When neither holds the evidence is too thin and no one is named.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sitrep_analysis.brief.facts import umbrellas_of
from sitrep_analysis.parse import split_list

THREAT_DAYS = 7
PRIOR_DAYS = 365
MIN_ATTACKS = 3

#: What the assessment found: a claim, an attribution, a likely culprit, or too little.
ASSESSMENT_KINDS = ("claimed", "attributed", "likely", "too_thin")


@dataclass(frozen=True)
class AttackShare:
    """Claimed or attributed attacks of one comparison set (same place, or same weapon in
    the same country) and how many each actor (or umbrella) accounts for."""

    label: str
    attacks: pd.DataFrame
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return len(self.attacks)

    def qualifying(self) -> list[str]:
        """Actors with at least half, and at least :data:`MIN_ATTACKS`, of the attacks."""
        return [actor for actor, count in self.counts.items()
                if count >= MIN_ATTACKS and 2 * count >= self.total]


@dataclass(frozen=True)
class Assessment:
    """The answer to *who is behind it*; see the module docstring for the rule."""

    kind: str
    actor_ids: tuple[str, ...]
    threats: pd.DataFrame
    shares: tuple[AttackShare, ...]
    reasons: dict[str, list[str]] = field(default_factory=dict)


def responsible_actor(incidents: pd.DataFrame) -> pd.Series:
    """Each attack's claimant, else the actor it was attributed to, else missing."""
    return incidents["claimed_by"].astype("string").fillna(
        incidents["attributed_to"].astype("string"))


def _credit(responsible: pd.Series, memberships: pd.DataFrame) -> dict[str, int]:
    """Attacks per actor, an umbrella also credited with each of its members' attacks; most
    attacks first, then by id."""
    counts: dict[str, int] = {}
    for actor in responsible.dropna().astype(str):
        for credited in dict.fromkeys([actor, *umbrellas_of(memberships, actor)]):
            counts[credited] = counts.get(credited, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def attack_shares(incidents: pd.DataFrame, incident: pd.Series,
                  memberships: pd.DataFrame) -> tuple[AttackShare, AttackShare]:
    """The two comparison sets of the rule, over the :data:`PRIOR_DAYS` days before the
    attack: claimed or attributed attacks on the same place, and with the same main weapon in
    the same country."""
    day = incident["incident_date"]
    earlier = incidents[incidents["incident_date"].between(
        day - pd.Timedelta(days=PRIOR_DAYS), day - pd.Timedelta(days=1)).fillna(False)]
    responsible = responsible_actor(earlier)
    named = earlier[responsible.notna()]
    same_site = named[named["site_id"].astype("string").eq(str(incident["site_id"]))
                      .fillna(False)]
    same_weapon = named[named["weapon_type"].astype("string").eq(str(incident["weapon_type"]))
                        .fillna(False)
                        & named["country"].astype("string").eq(str(incident["country"]))
                        .fillna(False)]
    return (AttackShare("site", same_site, _credit(responsible_actor(same_site), memberships)),
            AttackShare("weapon", same_weapon,
                        _credit(responsible_actor(same_weapon), memberships)))


def threats_before(events: pd.DataFrame, day: pd.Timestamp,
                   days: int = THREAT_DAYS) -> pd.DataFrame:
    """Statements threatening attacks on US forces in the ``days`` days before ``day``, newest
    first."""
    stance = (events["statement_stance"].astype("string").eq("threat").fillna(False)
              if "statement_stance" in events else pd.Series(False, index=events.index))
    window = events["event_date"].between(day - pd.Timedelta(days=days),
                                          day - pd.Timedelta(days=1)).fillna(False)
    return events[stance & window].sort_values(["event_date", "event_id"], ascending=False)


def assess_culprit(incident: pd.Series, incidents: pd.DataFrame, events: pd.DataFrame,
                   memberships: pd.DataFrame) -> Assessment:
    """Claim, attribution, or the rule's likely culprit (see the module docstring)."""
    threats = threats_before(events, incident["incident_date"])
    shares = attack_shares(incidents, incident, memberships)
    if pd.notna(incident.get("claimed_by")):
        return Assessment("claimed", (str(incident["claimed_by"]),), threats, shares)
    if pd.notna(incident.get("attributed_to")):
        return Assessment("attributed", (str(incident["attributed_to"]),), threats, shares)
    reasons: dict[str, list[str]] = {}
    for _, statement in threats.iterrows():
        for actor in split_list(statement["actor_ids"]):
            reasons.setdefault(actor, []).append("threat")
    for share in shares:
        for actor in share.qualifying():
            reasons.setdefault(actor, []).append(share.label)
    if not reasons:
        return Assessment("too_thin", (), threats, shares)
    return Assessment("likely", tuple(reasons), threats, shares, reasons)
