"""Fact sheets, casualties, claims and findings of a place's or an actor's profile."""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import pandas as pd

from sitrep_analysis.analysis import Profile, actor_names, projectile_range_words
from sitrep_analysis.columns import code_label
from sitrep_analysis.narrative.text import (
    casualty_words,
    counted,
    listing,
    markdown_escape,
    plural,
    prose_date,
    value_counts,
)
from sitrep_analysis.parse import split_list

_PROFILE_CAVEAT = ("Officials counted attacks for whole countries, never for one place or group, "
                   "so how complete this profile is cannot be measured: a quiet period may not "
                   "have been quiet.")


def _coordinates(facts: pd.Series) -> str:
    if pd.isna(facts.get("latitude")) or pd.isna(facts.get("longitude")):
        return "not recorded in the gazetteer"
    lat, lon = float(facts["latitude"]), float(facts["longitude"])
    text = (f"{abs(lat):.4g}°{'N' if lat >= 0 else 'S'}, "
            f"{abs(lon):.4g}°{'E' if lon >= 0 else 'W'}")
    if pd.notna(facts.get("coordinates_precision")):
        precision = code_label("coordinates_precision", facts["coordinates_precision"])
        text += f", {markdown_escape(precision)}"
    if pd.notna(facts.get("coordinates_basis")):
        text += f" (basis: {markdown_escape(facts['coordinates_basis'])})"
    return text


def _aliases(cell: object) -> str:
    items = split_list(cell)
    return ", ".join(markdown_escape(item) for item in items) if items else "none recorded"


def site_fact_sheet(site: pd.Series) -> str:
    """Markdown bullets: a gazetteer row in plain words (name, aliases, kind, place,
    coordinates and their basis, notes), every data value escaped."""
    place = ", ".join(markdown_escape(value) for value in (site.get("province"),
                                                           site.get("country"))
                      if pd.notna(value))
    lines = [f"- **Name:** {markdown_escape(site['site_name'])} (id "
             f"{markdown_escape(site['site_id'])})",
             f"- **Also called:** {_aliases(site.get('aliases'))}",
             f"- **Kind:** {markdown_escape(code_label('site_kind', site['site_kind']))}",
             f"- **Where:** {place or 'not recorded'}",
             f"- **Coordinates:** {_coordinates(site)}"]
    if pd.notna(site.get("notes")):
        lines.append(f"- **Notes:** {markdown_escape(site['notes'])}")
    return "\n".join(lines)


def actor_fact_sheet(actor: pd.Series, actors: pd.DataFrame) -> str:
    """Markdown bullets: an actor row in plain words (name, aliases, kind, the umbrellas it is
    reported to belong to, the actors reported to belong to it, notes), escaped."""
    names = actor_names(actors)
    umbrellas = split_list(actor.get("umbrella_ids"))
    members = [member for member, held in zip(actors["actor_id"], actors["umbrella_ids"],
                                              strict=True)
               if actor["actor_id"] in split_list(held)]
    lines = [f"- **Name:** {markdown_escape(actor['actor_name'])} (id "
             f"{markdown_escape(actor['actor_id'])})",
             f"- **Also called:** {_aliases(actor.get('aliases'))}",
             f"- **Kind:** {markdown_escape(code_label('actor_kind', actor['actor_kind']))}",
             "- **Reported to belong to:** " + (
                 listing([markdown_escape(names.get(u, u)) for u in umbrellas])
                 + " (as reported, not verified)" if umbrellas else "no umbrella recorded")]
    if members:
        lines.append("- **Reported members:** " + listing(
            [markdown_escape(names.get(m, m)) for m in members]) + " (as reported, not "
            "verified)")
    if pd.notna(actor.get("notes")):
        lines.append(f"- **Notes:** {markdown_escape(actor['notes'])}")
    return "\n".join(lines)


def profile_facts(profile: Profile, actors: pd.DataFrame) -> str:
    """The fact sheet of a :class:`~sitrep_analysis.analysis.Profile`: the site's
    (:func:`site_fact_sheet`) or the actor's (:func:`actor_fact_sheet`)."""
    if profile.kind == "site":
        return site_fact_sheet(profile.facts)
    return actor_fact_sheet(profile.facts, actors)


_CASUALTY_GROUPS = (("us", "US service members"), ("coalition", "non-US coalition service "
                    "members"), ("contractors", "contractors"),
                    ("iraqi", "Iraqi forces and civilians (or local civilians)"))


_CASUALTY_COLUMNS = [f"{who}_{what}_count" for who, _ in _CASUALTY_GROUPS
                     for what in ("killed", "wounded")]


_CASUALTY_HEADINGS = {f"{who}_{what}_count": f"{label} {what}" for who, label in
                      (("us", "US"), ("coalition", "Coalition"), ("contractors", "Contractors"),
                       ("iraqi", "Iraqi")) for what in ("killed", "wounded")}


def casualty_summary(incidents: pd.DataFrame, claims: pd.DataFrame | None = None) -> str:
    """Markdown: casualties summed honestly. An empty figure means not reported (never zero),
    so each total is the sum of the figures sources give, with the number of attacks that give
    one; the text says how many attacks report any figure. ``claims`` (rows of table
    ``claims``) adds where sources disagree on a casualty figure."""
    total = len(incidents)
    if total == 0:
        return "No attack is recorded here, so there are no casualties to report."
    counts = incidents[_CASUALTY_COLUMNS]
    reporting = int(counts.notna().any(axis=1).sum())
    noted = int((counts.isna().all(axis=1) & incidents["casualties_note"].notna()).sum())
    lines = [f"Casualty figures are reported for **{reporting:,} of the "
             f"{plural(total, 'attack')}**; the other {total - reporting:,} give none (an "
             "empty figure means not reported, not zero), so the totals below are what the "
             "sources report, not complete counts."]
    if noted:
        lines[0] += (f" {plural(noted, 'attack')} without figures "
                     f"{'has' if noted == 1 else 'have'} a note on casualties in the sources' "
                     "words (see the table).")
    bullets = []
    for who, words in _CASUALTY_GROUPS:
        parts = []
        for what in ("killed", "wounded"):
            column = incidents[f"{who}_{what}_count"]
            if column.notna().any():
                parts.append(f"{int(column.sum()):,} {what} (figure given for "
                             f"{plural(int(column.notna().sum()), 'attack')})")
        if parts:
            bullets.append(f"- {words[:1].upper() + words[1:]}: {' and '.join(parts)}")
    if bullets:
        lines += ["", *bullets]
    if claims is not None and len(claims):
        disputed = claims[claims["field_name"].astype(str).isin(_CASUALTY_COLUMNS)]
        if len(disputed):
            lines += ["", "What each source says, where sources differ or revised a figure:",
                      ""]
            where: dict[Hashable, str] = {
                row.incident_id: f"{row.incident_date:%Y-%m-%d} {row.site_name}"
                for row in incidents.itertuples()}
            for (record, field), group in disputed.groupby(["record_id", "field_name"],
                                                           sort=True):
                values = "; ".join(
                    f"{markdown_escape(row.claimed_value)} "
                    f"({markdown_escape(code_label('value_qualifier', row.value_qualifier))}, "
                    f"{markdown_escape(row.sources)})" for row in group.itertuples())
                what = _CASUALTY_HEADINGS[str(field)]
                lines.append(f"- {markdown_escape(where.get(record, record))}, {what}: {values}")
    return "\n".join(lines)


def casualty_table(incidents: pd.DataFrame) -> pd.DataFrame:
    """The attacks that give any casualty figure or note, oldest first: date, place, each
    casualty figure (empty: not reported) and the sources' own words, indexed from 1. Only
    casualty columns with at least one figure are kept."""
    counts = incidents[_CASUALTY_COLUMNS]
    rows = incidents[counts.notna().any(axis=1) | incidents["casualties_note"].notna()]
    rows = rows.sort_values("incident_date", kind="stable")
    rows = rows.reset_index(drop=True)
    table = pd.DataFrame({"Date": rows["incident_date"],
                          "Place": rows["site_name"].astype("string")})
    for column in _CASUALTY_COLUMNS:
        if rows[column].notna().any():
            table[_CASUALTY_HEADINGS[column]] = rows[column].astype("Int64")
    table["As reported"] = rows["casualties_note"].astype("string")
    table.index = pd.RangeIndex(1, len(table) + 1)
    return table


def _who(row: pd.Series, names: Mapping[str, str]) -> str:
    parts = []
    if pd.notna(row["claimed_by"]):
        parts.append(f"claimed by {names.get(row['claimed_by'], row['claimed_by'])}")
    if pd.notna(row["attributed_to"]):
        by = f" by {row['attributed_by']}" if pd.notna(row["attributed_by"]) else ""
        parts.append(f"attributed to {names.get(row['attributed_to'], row['attributed_to'])}{by}")
    return "; ".join(parts) or "neither claimed nor attributed"


def incident_table(incidents: pd.DataFrame, actors: pd.DataFrame) -> pd.DataFrame:
    """The incidents in detail, oldest first, for :func:`styled_table`: date, place, weapon as
    reported, projectiles (as a range where sources differ), claim or attribution (kept
    apart, with who attributed it) and notes, indexed from 1."""
    names = actor_names(actors)
    rows = incidents.sort_values("incident_date", kind="stable")
    table = pd.DataFrame({
        "Date": rows["incident_date"].to_numpy(),
        "Place": rows["site_name"].astype("string").to_numpy(),
        "Weapon": [code_label("weapon_type", weapon) + (f": {detail}" if pd.notna(detail) else "")
                   for weapon, detail in zip(rows["weapon_type"], rows["weapon_detail"],
                                             strict=True)],
        "Projectiles": [projectile_range_words(low, high) for low, high in
                        zip(rows["projectiles_low"], rows["projectiles_high"], strict=True)],
        "Claim or attribution": [_who(row, names) for _, row in rows.iterrows()],
        "Notes": rows["notes"].astype("string").to_numpy(),
    })
    table.index = pd.RangeIndex(1, len(table) + 1)
    return table


def _incident_ref(row: pd.Series) -> str:
    return f"{row['incident_date']:%Y-%m-%d} {markdown_escape(row['site_name'])}"


def profile_claims(profile: Profile, actors: pd.DataFrame) -> str:
    """Markdown: who claimed and who was blamed, claims and attributions kept apart.

    Site: how many of its attacks were claimed (by whom), attributed by a third party (to
    whom, by whom) and neither. Actor: the attacks it claimed, then, separately, those others
    attributed to it, each with date and place."""
    names = actor_names(actors)
    total = len(profile.incidents)
    name = markdown_escape(profile.name)
    if profile.kind == "site":
        if total == 0:
            return f"No attack on {name} is recorded in the period."
        claimers = value_counts(profile.claimed["claimed_by"].astype("string"))
        lines = [f"Of the {plural(total, 'attack')} on {name}:", ""]
        lines.append(f"- **claimed:** {len(profile.claimed):,}"
                     + (f" (by {counted(claimers, lambda a: names.get(a, a))})"
                        if len(claimers) else ""))
        pairs = [f"{markdown_escape(names.get(to, to))} by "
                 + (markdown_escape(by) if pd.notna(by) else "an unnamed source")
                 for to, by in zip(profile.attributed["attributed_to"],
                                   profile.attributed["attributed_by"], strict=True)]
        attributed = pd.Series(pairs, dtype="string").value_counts()
        attributed = attributed.sort_index(kind="stable").sort_values(ascending=False,
                                                                      kind="stable")
        lines.append(f"- **attributed by a third party:** {len(profile.attributed):,}"
                     + (" (to " + ", ".join(f"{key}: {int(count)}" for key, count in
                                            attributed.items()) + ")" if len(attributed)
                        else ""))
        neither = int((profile.incidents["claimed_by"].isna()
                       & profile.incidents["attributed_to"].isna()).sum())
        lines.append(f"- **neither claimed nor attributed:** {neither:,}")
        lines += ["", "A claim is the group's own statement; an attribution is someone else's "
                  "accusation. Neither is proof, and they are kept apart."]
        return "\n".join(lines)
    lines = [f"**Claimed by {name}: {plural(len(profile.claimed), 'attack')}.**"]
    if len(profile.claimed):
        lines += [""] + [f"- {_incident_ref(row)} "
                         f"({markdown_escape(code_label('weapon_type', row['weapon_type']))})"
                         for _, row in profile.claimed.iterrows()]
    lines += ["", f"**Attributed to {name} by a third party: "
              f"{plural(len(profile.attributed), 'attack')}.**"]
    if len(profile.attributed):
        lines += [""] + [
            f"- {_incident_ref(row)} "
            f"({markdown_escape(code_label('weapon_type', row['weapon_type']))}), attributed by "
            + (markdown_escape(row["attributed_by"]) if pd.notna(row["attributed_by"])
               else "an unnamed source")
            + (f"; claimed by {markdown_escape(names.get(row['claimed_by'], row['claimed_by']))}"
               if pd.notna(row["claimed_by"]) and row["claimed_by"] != profile.subject_id
               else "")
            for _, row in profile.attributed.iterrows()]
    lines += ["", "A claim is the group's own statement; an attribution is someone else's "
              "accusation. Neither is proof, and they are kept apart."]
    return "\n".join(lines)


def profile_events(profile: Profile) -> str:
    """Markdown: the political events of a profile. Actor: every event naming it, oldest
    first (date, category, title). Site: events name actors, not places, so only how many
    events of the period the timeline shows for context."""
    if profile.kind == "site":
        if profile.events.empty:
            return "No political event falls in the period."
        by_category = value_counts(profile.events["category"].astype("string"))
        return (f"Political events name actors, not places: the timeline shows the "
                f"{plural(len(profile.events), 'event')} of the period for context ("
                f"{counted(by_category, lambda c: code_label('category', c))}). Their sources are "
                "listed at the end.")
    name = markdown_escape(profile.name)
    if profile.events.empty:
        return f"No political event of the period names {name}."
    lines = [f"{plural(len(profile.events), 'political event')} of the period "
             f"{'names' if len(profile.events) == 1 else 'name'} {name} among "
             f"{'its' if len(profile.events) == 1 else 'their'} actors:", ""]
    lines += [f"- {row['event_date']:%Y-%m-%d}, "
              f"{markdown_escape(code_label('category', row['category']))}: "
              f"{markdown_escape(row['title'])}" for _, row in profile.events.iterrows()]
    return "\n".join(lines)


def profile_findings(profile: Profile) -> str:
    """Key findings of a site or actor profile, as Markdown bullets computed from the data."""
    name = markdown_escape(profile.name)
    period = f"from {prose_date(profile.start)} to {prose_date(profile.end)}"
    incidents = profile.incidents
    bullets = []
    if profile.kind == "site":
        facts = profile.facts
        where = ", ".join(markdown_escape(v) for v in (facts.get("province"),
                                                       facts.get("country")) if pd.notna(v))
        kind = markdown_escape(code_label("site_kind", facts["site_kind"]))
        bullets.append(f"**{name}** ({kind}{', ' + where if where else ''}): "
                       f"**{plural(len(incidents), 'attack')}** recorded {period}"
                       + (f", the first on {prose_date(incidents['incident_date'].min())} and the "
                          f"last on {prose_date(incidents['incident_date'].max())}"
                          if len(incidents) > 1 else
                          f", on {prose_date(incidents['incident_date'].iloc[0])}"
                          if len(incidents) else "") + ".")
    else:
        kind = markdown_escape(code_label("actor_kind", profile.facts["actor_kind"]))
        bullets.append(f"**{name}** ({kind}) claimed **{plural(len(profile.claimed), 'attack')}**"
                       f" {period}; a third party attributed **"
                       f"{plural(len(profile.attributed), 'attack')}** to it.")
    if len(incidents):
        years = incidents["incident_date"].dt.year.value_counts().sort_index()
        bullets.append("By year: " + ", ".join(f"{year} {int(count):,}" for year, count in
                                               years.items()) + ".")
        weapons = value_counts(incidents["weapon_type"].astype("string"))
        bullets.append("Main weapons: " + counted(
            weapons, lambda code: code_label("weapon_type", code)) + ".")
    if profile.kind == "site" and len(incidents):
        neither = len(incidents) - int((incidents["claimed_by"].notna()
                                        | incidents["attributed_to"].notna()).sum())
        bullets.append(f"{plural(len(profile.claimed), 'attack')} claimed, "
                       f"{len(profile.attributed):,} attributed by a third party, "
                       f"{neither:,} neither.")
    if profile.kind == "actor" and len(profile.attributed):
        by = value_counts(profile.attributed["attributed_by"].astype("string"))
        if len(by):
            bullets.append(f"Attributed by {counted(by)}.")
    if len(incidents):
        counts = incidents[_CASUALTY_COLUMNS]
        reporting = int(counts.notna().any(axis=1).sum())
        text = (f"Casualty figures are reported for {reporting:,} of the "
                f"{plural(len(incidents), 'attack')}" if reporting else
                "No casualty figure is reported for "
                + ("this attack" if len(incidents) == 1 else "these attacks"))
        us = casualty_words(incidents)
        if us is not None:
            text += f"; US service members: {us}"
        bullets.append(text + " (an empty figure means not reported, not zero).")
    if profile.kind == "actor":
        if len(profile.events):
            by_category = value_counts(profile.events["category"].astype("string"))
            bullets.append(f"Named in {plural(len(profile.events), 'political event')} of the "
                           f"period: {counted(by_category, lambda c: code_label('category', c))}.")
        else:
            bullets.append("Named in no political event of the period.")
        bullets.append("Claims and attributions are as reported: an attribution is someone "
                       "else's accusation, not proof.")
    bullets.append(_PROFILE_CAVEAT)
    return "\n".join(f"- {text}" for text in bullets)
