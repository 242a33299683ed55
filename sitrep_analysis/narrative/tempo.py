"""Key findings of the attack-tempo report."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sitrep_analysis.analysis import (
    PERIOD_WORDS,
    Day,
    attack_counts,
    code_list,
    site_names,
)
from sitrep_analysis.columns import code_label
from sitrep_analysis.narrative.coverage import coverage_findings
from sitrep_analysis.narrative.text import (
    PERIOD_NOTES,
    casualty_words,
    counted,
    listing,
    markdown_escape,
    plural,
    prose_date,
    value_counts,
)

_CAVEAT = ("Where no official tallied the attacks, the data's coverage is unknown: a quiet "
           "period there may not have been quiet.")


def _selection_words(weapon_types: Sequence[str], site_ids: Sequence[str],
                     event_categories: Sequence[str], sites: pd.DataFrame | None) -> str:
    names = {} if sites is None else site_names(sites)
    parts = []
    if weapon_types:
        parts.append("main weapon " + listing(
            [markdown_escape(code_label("weapon_type", code)) for code in weapon_types]))
    if site_ids:
        parts.append("at " + listing([markdown_escape(names.get(code, code))
                                       for code in site_ids]))
    if event_categories:
        parts.append("events of the categories " + listing(
            [markdown_escape(code_label("category", code)) for code in event_categories]))
    return f" (selection: {'; '.join(parts)})" if parts else ""


def tempo_findings(incidents: pd.DataFrame, events: pd.DataFrame, start: Day, end: Day,
                   freq: str = "W", *, weapon_types: Sequence[str] = (),
                   site_ids: Sequence[str] = (), event_categories: Sequence[str] = (),
                   sites: pd.DataFrame | None = None,
                   intervals: pd.DataFrame | None = None,
                   counts: pd.DataFrame | None = None) -> str:
    """Key findings of the attack-tempo report, as Markdown bullets: words for results the
    analysis computed.

    ``incidents`` and ``events`` are the report's selection from ``start`` to ``end`` (see
    :func:`~sitrep_analysis.analysis.select_incidents`), used as given; the selection
    parameters only name it in words. ``counts`` are its attacks per period
    (:func:`~sitrep_analysis.analysis.attack_counts` with the same ``freq``, ``start`` and
    ``end``), as the report computes them once; without them they are counted here.
    ``sites`` (the gazetteer) gives place names. ``intervals`` (from
    :func:`sitrep_analysis.coverage.tally_intervals`) give the closing bullet on coverage;
    without them the bullet says only that untallied periods have unknown coverage.
    """
    caveat = _CAVEAT if intervals is None else coverage_findings(intervals, start, end)
    first, last = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    period = PERIOD_WORDS.get(freq, freq)
    shown = incidents
    total = len(shown)
    selection = _selection_words(code_list(weapon_types, "weapon_types"),
                                 code_list(site_ids, "site_ids"),
                                 code_list(event_categories, "event_categories"), sites)
    bullets = [f"**{plural(total, 'attack')}** on US and coalition forces "
               f"{'is' if total == 1 else 'are'} recorded from {prose_date(first)} to "
               f"{prose_date(last)}{selection}."]
    if total == 0:
        bullets.append("No recorded incident matches this selection: there is nothing to "
                       "count.")
        bullets.append(caveat)
        return "\n".join(f"- {text}" for text in bullets)
    if counts is None:
        counts = attack_counts(shown, freq=freq, start=first, end=last)
    active = int((counts["attacks_count"] > 0).sum())
    bullets[0] += (f" At least one attack falls in {active:,} of the "
                   f"{plural(len(counts), period)}{PERIOD_NOTES.get(freq, '')}.")
    peak = int(counts["attacks_count"].max())
    busiest = counts.loc[counts["attacks_count"] == peak, "period_start"]
    named = [_period_name(day, freq) for day in busiest.head(3)]
    more = f" and {len(busiest) - 3:,} more" if len(busiest) > 3 else ""
    if len(busiest) == 1:
        bullets.append(f"The busiest {period} was {named[0]}, with {plural(peak, 'attack')}.")
    else:
        bullets.append(f"The busiest {period}s, with {plural(peak, 'attack')} each, were "
                       f"{listing(named)}{more}.")
    weapons = value_counts(shown["weapon_type"].astype("string"))
    top_weapon = weapons.index[0]
    share = (f"all {plural(total, 'attack')}" if len(weapons) == 1 else
             f"{int(weapons.iloc[0]):,} of the {plural(total, 'attack')}")
    text = f"Main weapon: {markdown_escape(code_label('weapon_type', top_weapon))} in {share}"
    if len(weapons) > 1:
        text += ", then " + counted(weapons.iloc[1:], lambda code: code_label("weapon_type", code))
    bullets.append(text + ".")
    names = {} if sites is None else site_names(sites)
    places = value_counts(shown["site_id"].astype("string"))
    text = (f"Most attacked place: {markdown_escape(names.get(places.index[0], places.index[0]))}"
            f", with {plural(int(places.iloc[0]), 'attack')}")
    if len(places) > 1:
        text += ("; then " + counted(places.iloc[1:3], lambda code: names.get(code, code))
                 + f". Attacks hit {len(places):,} places in all")
    bullets.append(text + ".")
    countries = value_counts(shown["country"].astype("string"))
    if len(countries) > 1:
        bullets.append(f"By country: {counted(countries)}.")
    status = shown["attribution_status"].astype("string").value_counts()
    bullets.append(
        f"{plural(int(status.get('claimed', 0)), 'attack')} claimed by a group; "
        f"{int(status.get('attributed', 0)):,} not claimed but attributed by a third party; "
        f"{int(status.get('unattributed', 0)):,} neither claimed nor attributed.")
    us = casualty_words(shown)
    if us is None:
        bullets.append("No source gives a figure for US casualties in these attacks (an empty "
                       "figure means not reported, not zero).")
    else:
        bullets.append(f"US service members: {us}; the other attacks have no reported figure, "
                       "so these are not complete counts.")
    in_period = events[events["event_date"].dt.normalize().between(first, last)]
    if len(in_period):
        by_category = value_counts(in_period["category"].astype("string"))
        by_label = counted(by_category, lambda c: code_label("category", c))
        bullets.append(f"{plural(len(in_period), 'political event')} in the period, marked on "
                       f"the timeline: {by_label}.")
    else:
        bullets.append("No political event of the selected categories falls in the period.")
    bullets.append(caveat)
    return "\n".join(f"- {text}" for text in bullets)


def _period_name(day: pd.Timestamp, freq: str) -> str:
    """A calendar period in words, by its first day.

    >>> [_period_name(pd.Timestamp("2019-12-02"), f) for f in ("W", "M", "D")]
    ['the week of 2 December 2019', 'December 2019', '2 December 2019']
    """
    if freq == "W":
        return f"the week of {prose_date(day)}"
    if freq == "M":
        return f"{day:%B %Y}"
    return prose_date(day)
