"""Match the imported incidents against the curated ones (:func:`match_incidents`): where they
agree, where they conflict, and which stand alone.

ACLED's quirks handled here, as real exports show them:

- ACLED's date of an attack may differ from the curated one by a day: incidents at the same
  site at most ``max_days`` (1) apart match. Co-located gazetteer entries (the Green Zone and
  the US Embassy) count as one place.
- A curated incident citing ACLED carries its ``acled_event_id``: the same id matches
  whatever the site or date.
- ``fatalities`` counts everyone killed, attackers included, while the curated table splits
  the killed by nationality and leaves a count empty when no source gives it. An empty count
  is "not reported", never 0: a sum with an empty count is only a floor ("at least").
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from pandas.api.typing import NAType

from sitrep_analysis.acled.select import haversine_km

_KILLED_COLUMNS = ("us_killed_count", "coalition_killed_count", "contractors_killed_count",
                   "iraqi_killed_count")
_STATUS_ORDER = {"conflict": 0, "agree": 1, "imported_only": 2, "curated_only": 3}
_COLUMNS = ["status", "matched_by", "imported_incident_id", "curated_incident_id",
            "acled_event_id", "site_id", "imported_date", "curated_date", "days_apart",
            "differences"]
#: Deaths of an incident (an ``Int64`` value: NumPy integer or ``<NA>``) and whether that is
#: the whole count.
_Killed = tuple[int | np.integer | NAType, bool]


def match_incidents(imported: pd.DataFrame, curated: pd.DataFrame,
                    sites: pd.DataFrame | None = None, *, max_days: int = 1,
                    period: tuple[str | dt.date, str | dt.date] | None = None) -> pd.DataFrame:
    """Where the imported and the curated incidents agree, conflict, or stand alone.

    Two incidents match when they carry the same ``acled_event_id``, or else lie at the same
    site (co-located gazetteer entries count as one, when ``sites`` is given) at most
    ``max_days`` apart; each incident matches at most once, closest dates first. A match is a
    ``conflict`` when the weapons differ (neither unknown), the deaths differ (ACLED's
    ``fatalities`` when ``imported`` has it, else the sum of the killed counts; a sum with
    an empty count is only a floor, see :func:`_killed_total`), or both name a perpetrator
    and they differ; otherwise it ``agree``s. Unmatched incidents are
    ``imported_only`` or ``curated_only`` (the latter only within ``period``, the span the
    export covers, when given).

    Returns one row per pair or lone incident: ``status``, ``matched_by``,
    ``imported_incident_id``, ``curated_incident_id``, ``acled_event_id``, ``site_id``,
    ``imported_date``, ``curated_date``, ``days_apart``, ``differences``.
    """
    groups = _site_groups(sites)
    imp = imported.reset_index(drop=True)
    cur = curated.reset_index(drop=True)
    if period is not None:
        start, end = (pd.Timestamp(p) for p in period)
        cur = cur[pd.to_datetime(cur["incident_date"]).between(start, end)].reset_index(
            drop=True)
    imp_date, cur_date = (pd.to_datetime(f["incident_date"]) for f in (imp, cur))
    pairs: list[tuple[int, int, str]] = []
    used_imp: set[int] = set()
    used_cur: set[int] = set()
    cur_ids = cur["acled_event_id"].astype("string")
    # imp and cur have a RangeIndex (reset above): a row's position is its label
    for i, event_id in enumerate(imp["acled_event_id"].astype("string")):
        if pd.isna(event_id):
            continue
        same = cur_ids.index[cur_ids.eq(event_id).fillna(False)]
        free = [j for j in same if j not in used_cur]
        if free:
            pairs.append((i, free[0], "acled_event_id"))
            used_imp.add(i)
            used_cur.add(free[0])
    imp_group = imp["site_id"].astype(str).map(lambda s: groups.get(s, s))
    cur_group = cur["site_id"].astype(str).map(lambda s: groups.get(s, s))
    candidates = []
    for j in cur.index:
        if j in used_cur:
            continue
        days = (imp_date - cur_date[j]).dt.days.abs()
        near = imp.index[(imp_group == cur_group[j]) & (days <= max_days)]
        candidates += [(int(days[i]), i, j) for i in near if i not in used_imp]
    for _, i, j in sorted(candidates):
        if i not in used_imp and j not in used_cur:
            pairs.append((i, j, "site and date"))
            used_imp.add(i)
            used_cur.add(j)
    imp_killed, cur_killed = _killed_total(imp), _killed_total(cur)
    records = []
    for i, j, how in pairs:
        differences = _differences(imp.iloc[i], cur.iloc[j],
                                   (imp_killed[0][i], bool(imp_killed[1][i])),
                                   (cur_killed[0][j], bool(cur_killed[1][j])))
        records.append({"status": "conflict" if differences else "agree", "matched_by": how,
                        "imported_incident_id": imp.at[i, "incident_id"],
                        "curated_incident_id": cur.at[j, "incident_id"],
                        "acled_event_id": imp.at[i, "acled_event_id"],
                        "site_id": cur.at[j, "site_id"], "imported_date": imp_date[i],
                        "curated_date": cur_date[j],
                        "days_apart": int((imp_date[i] - cur_date[j]).days),
                        "differences": "; ".join(differences)})
    for i in imp.index.difference(sorted(used_imp)):
        records.append({"status": "imported_only", "matched_by": "",
                        "imported_incident_id": imp.at[i, "incident_id"],
                        "acled_event_id": imp.at[i, "acled_event_id"],
                        "site_id": imp.at[i, "site_id"], "imported_date": imp_date[i]})
    for j in cur.index.difference(sorted(used_cur)):
        records.append({"status": "curated_only", "matched_by": "",
                        "curated_incident_id": cur.at[j, "incident_id"],
                        "acled_event_id": cur.at[j, "acled_event_id"],
                        "site_id": cur.at[j, "site_id"], "curated_date": cur_date[j]})
    result = pd.DataFrame(records, columns=_COLUMNS)
    result["days_apart"] = result["days_apart"].astype("Int64")
    when = result["imported_date"].fillna(result["curated_date"])
    return result.assign(_o=result["status"].map(_STATUS_ORDER), _w=when).sort_values(
        ["_o", "_w"], kind="stable").drop(columns=["_o", "_w"]).reset_index(drop=True)


def _site_groups(sites: pd.DataFrame | None) -> dict[str, str]:
    """site_id -> the first gazetteer site within 1 km of it (co-located entries such as the
    Green Zone and the US Embassy count as one place when matching)."""
    if sites is None or sites.empty:
        return {}
    located = sites[sites["latitude"].notna() & sites["longitude"].notna()]
    groups = {str(s): str(s) for s in sites["site_id"]}
    lat, lon = located["latitude"].to_numpy(float), located["longitude"].to_numpy(float)
    ids = located["site_id"].astype(str).to_numpy()
    for index, site in enumerate(ids):
        km = haversine_km(lat[:index], lon[:index], lat[index], lon[index])
        if (km <= 1.0).any():
            groups[site] = groups[ids[int(np.argmax(km <= 1.0))]]
    return groups


def _killed_total(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Deaths of each incident and whether that is the whole count: ACLED's ``fatalities``
    when given (everyone killed), else the sum of the killed counts given, which is whole only
    when every count is given. An empty count is not reported, never zero: ``us 2`` with the
    other counts empty is "at least 2"."""
    if "fatalities" in frame:
        return frame["fatalities"].astype("Int64"), pd.Series(True, index=frame.index)
    values = frame.reindex(columns=list(_KILLED_COLUMNS)).astype("Int64")
    total = values.sum(axis=1, min_count=1).astype("Int64")
    return total, values.notna().all(axis=1)


def _death_difference(imp: _Killed, cur: _Killed) -> list[str]:
    """The deaths conflict when both counts are whole and differ, or one is whole and below
    the other's known part (a count that is only a part says "at least")."""
    (imp_n, imp_whole), (cur_n, cur_whole) = imp, cur
    if pd.isna(imp_n) or pd.isna(cur_n):
        return []
    imp_n, cur_n = int(imp_n), int(cur_n)
    if imp_whole and cur_whole:
        differ = imp_n != cur_n
    else:
        differ = (imp_whole and imp_n < cur_n) or (cur_whole and cur_n < imp_n)
    if not differ:
        return []

    def words(number: int, whole: bool) -> str:
        return str(number) if whole else (f"at least {number} (other killed counts not "
                                          "given)")

    return [f"killed: ACLED {words(imp_n, imp_whole)}, curated {words(cur_n, cur_whole)}"]


def _differences(imp: pd.Series, cur: pd.Series, imp_killed: _Killed,
                 cur_killed: _Killed) -> list[str]:
    found = []
    weapons = imp.get("weapon_type"), cur.get("weapon_type")
    known = all(pd.notna(weapon) and weapon != "other_unknown" for weapon in weapons)
    if known and weapons[0] != weapons[1]:
        found.append(f"weapon_type: imported {weapons[0]}, curated {weapons[1]}")
    found += _death_difference(imp_killed, cur_killed)
    imp_actor = imp.get("attributed_to")
    cur_actors = {a for a in (cur.get("claimed_by"), cur.get("attributed_to")) if pd.notna(a)}
    if pd.notna(imp_actor) and cur_actors and imp_actor not in cur_actors:
        found.append(f"perpetrator: ACLED {imp_actor}, curated {', '.join(sorted(cur_actors))}")
    return found
