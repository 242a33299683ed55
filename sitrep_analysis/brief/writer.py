"""A situation report for one attack, written from the data, section by section.

The sections follow the analysts' briefs the project grew from (the May 2021 situation report
on the Ain al-Asad rocket, source ``situation-report-2021-05``): what happened and who said
so, the place's recent history, the days before and what the statements then answered, the
actor behind a threat, who is behind the attack, the tempo around it, and the troops there.
Every sentence ends with a marker into one numbered source list; sentences computed from the
data (counts, tests) point to the data entry of that list. All text from data files passes
through :func:`narrative.markdown_escape`, so it shows as written and runs nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import pandas as pd

from sitrep_analysis.analysis import actor_names
from sitrep_analysis.brief import facts
from sitrep_analysis.brief.assessment import (
    MIN_ATTACKS,
    THREAT_DAYS,
    Assessment,
    AttackShare,
    assess_culprit,
)
from sitrep_analysis.brief.citations import Citations
from sitrep_analysis.brief.words import (
    cite_each_sentence,
    counted,
    days_before_words,
    long_date,
    number_word,
    ordinal,
)
from sitrep_analysis.columns import COVERAGE_START, FIELDS
from sitrep_analysis.narrative import markdown_escape as esc
from sitrep_analysis.narrative.text import listing
from sitrep_analysis.parse import split_list

if TYPE_CHECKING:
    from sitrep_analysis.data import Dataset

#: The windows a brief looks back over, in days.
HISTORY_DAYS = (90, 365)
EVENT_DAYS = 30
TEMPO_DAYS = 30
#: Sources cited per event and per earlier attack; the attack itself cites all of its own.
EVENT_SOURCES_CITED = 3

#: How a projectile of each main weapon is named in a count.
PROJECTILE_NOUNS = {"rocket": ("rocket", "rockets"), "mortar": ("mortar round", "mortar rounds"),
                    "drone": ("drone", "drones"), "ied": ("roadside bomb", "roadside bombs"),
                    "ballistic_missile": ("ballistic missile", "ballistic missiles"),
                    "other_unknown": ("projectile", "projectiles")}
_QUALIFIER_WORDS = {"exact": "", "about": "about ", "at_least": "at least ",
                    "more_than": "more than ", "up_to": "up to ", "initial": ""}
_CASUALTY_GROUPS = (("us", "US service member", "US service members"),
                    ("coalition", "coalition service member", "coalition service members"),
                    ("contractors", "contractor", "contractors"),
                    ("iraqi", "Iraqi (or local)", "Iraqis (or locals)"))
#: The data entry of the source list: where counts and tests computed from the tables point.
DATA_ENTRY = "sitrep-analysis-data"

_SECTION_TITLES = {
    "what_happened": "What happened",
    "site_history": "The place's recent history",
    "days_before": "The days before",
    "threat_actor": "The actor behind the threat",
    "culprit": "Who is behind it",
    "tempo": "Tempo around it",
    "troops": "Troop context",
}


@dataclass(frozen=True)
class Brief:
    """A written situation report: its title, its sections as Markdown (in order) and the
    numbered source list."""

    incident_id: str
    title: str
    sections: dict[str, str]
    sources: str
    assessment: Assessment

    def section(self, name: str) -> str:
        """One section's Markdown, headed by its title."""
        return f"## {_SECTION_TITLES[name]}\n\n{self.sections[name]}"

    def markdown(self) -> str:
        """The whole brief as one Markdown text (title, sections, sources)."""
        parts = [self.section(name) for name in self.sections]
        return "\n\n".join([f"# {self.title}", *parts, f"## Sources\n\n{self.sources}"])


class _Writer:
    """Writes one brief; holds the tables and the citation list the sections share."""

    def __init__(self, dataset: Dataset, incident: pd.Series) -> None:
        self.data = dataset
        self.incident = incident
        self.day: pd.Timestamp = incident["incident_date"]
        self.cite = Citations(_with_data_entry(dataset.sources, dataset.data_dir))
        self.names = actor_names(dataset.actors)
        self.imported = str(incident.get("curation_basis")) == "acled_import"

    # --- helpers ------------------------------------------------------------------------
    def data_mark(self) -> str:
        return self.cite.mark([DATA_ENTRY])

    def actor(self, actor_id: object) -> str:
        return esc(self.names.get(str(actor_id), str(actor_id)))

    def event_mark(self, event: pd.Series) -> str:
        """An event's marker: its first :data:`EVENT_SOURCES_CITED` sources (a statement
        relayed by many outlets would otherwise fill the list)."""
        return self.cite.mark(split_list(event["source_ids"])[:EVENT_SOURCES_CITED])

    def site(self) -> str:
        return esc(self.incident["site_name"])

    def incident_mark(self, row: pd.Series, limit: int | None = None) -> str:
        return self.cite.mark(split_list(row["source_ids"])[:limit])

    # --- sections -----------------------------------------------------------------------
    def what_happened(self) -> str:
        row = self.incident
        mark = self.incident_mark(row)
        when = f"On {long_date(self.day, row['date_precision'])}"
        if pd.notna(row.get("incident_time_local")):
            when += f" at {esc(row['incident_time_local'])} local time"
        where = f"{self.site()} ({', '.join(esc(v) for v in (row.get('province'), row['country']) if pd.notna(v))})"  # noqa: E501
        target = (FIELDS["target_kind"].allowed or {}).get(str(row["target_kind"]), "")
        lines = [f"{when}, {self._count_phrase()} targeted {where}, "
                 f"{'an' if target[:1] in 'aeiou' else 'a'} {esc(target)}.{mark}"]
        lines += self._count_disagreement()
        lines.append(self._casualties(mark))
        lines += self._casualty_disagreement()
        lines.append(self._who_reported() + mark)
        if pd.notna(row.get("quote_text")):
            lines.append(f"\n> \u201c{esc(row['quote_text'])}\u201d \u2014 "
                         f"{esc(row['quote_speaker'])}{self.cite.mark([row['quote_source_id']])}"
                         "\n")
        if self.imported:
            lines.append("This attack comes from an ACLED export: ACLED records neither the time "
                         "of day nor injuries (its fatality count includes attackers and is "
                         "not split by nationality), and it names the outlets it relied on but "
                         "not what each reported." + mark)
        return " ".join(line for line in lines if line)

    def _count_phrase(self) -> str:
        row = self.incident
        singular, plural = PROJECTILE_NOUNS.get(str(row["weapon_type"]), ("projectile",
                                                                           "projectiles"))
        low, high = row["projectiles_low"], row["projectiles_high"]
        if pd.isna(low) and pd.isna(high):
            detail = esc(row["weapon_detail"]) if pd.notna(row.get("weapon_detail")) else ""
            return f"an attack ({detail})" if detail else f"an attack with {plural}"
        if pd.isna(high):
            return f"at least {counted(int(low), singular, plural)}"
        if pd.isna(low):
            return f"up to {counted(int(high), singular, plural)}"
        if low == high:
            return counted(int(low), singular, plural)
        if high > 10:
            return f"{int(low)} to {int(high)} {plural}"
        return f"{number_word(int(low))} to {number_word(int(high))} {plural}"

    def _claim_list(self, claims: pd.DataFrame) -> list[str]:
        """Each claimed value once (with its qualifier), the outlets claiming it, and their
        markers; initial figures marked as such."""
        grouped: dict[tuple[str, str], list[str]] = {}
        for claim in claims.itertuples(index=False):
            qualifier = str(claim.value_qualifier)
            key = (_QUALIFIER_WORDS.get(qualifier, "") + esc(claim.claimed_value),
                   " (initial)" if qualifier == "initial" else "")
            grouped.setdefault(key, []).extend(split_list(claim.source_ids))
        return [f"{value} by {self.outlets(ids)}{initial}{self.cite.mark(ids)}"
                for (value, initial), ids in grouped.items()]

    def outlets(self, source_ids: list[str], limit: int = 6) -> str:
        """The outlets of these sources, each once, in order; past ``limit``, a count."""
        names = list(dict.fromkeys(esc(self.cite.outlet(source)) for source in source_ids))
        if len(names) > limit:
            names = [*names[:limit - 1], f"{number_word(len(names) - limit + 1)} more"]
        return listing(names)

    def _count_disagreement(self) -> list[str]:
        claims = facts.claimed_values(self.data.claims, "incidents",
                                      str(self.incident["incident_id"]), "projectiles")
        if claims.empty:
            return []
        return ["Sources differ on the count: " + "; ".join(self._claim_list(claims)) + "."
                + self.data_mark()]

    def _casualties(self, mark: str) -> str:
        """The casualty counts, then the sources' own words (the row's casualties_note), each
        sentence marked."""
        row = self.incident
        words, reported = [], False
        for prefix, one, many in _CASUALTY_GROUPS:
            for outcome in ("killed", "wounded"):
                value = row.get(f"{prefix}_{outcome}_count")
                if pd.isna(value):
                    continue
                reported = True
                if int(value):
                    words.append(f"{counted(int(value), one, many)} {outcome}")
        note = row.get("casualties_note")
        says_none = pd.notna(note) and str(note).lower().startswith(("no ", "none"))
        if words:
            counts = f"Casualties: {listing(words)}.{mark}"
        elif reported:
            counts = f"No injuries were reported.{mark}"
        elif pd.isna(note):
            return f"No casualty figures were reported.{mark}"
        else:
            counts = ""
        if pd.isna(note) or (says_none and reported and not words):
            return counts
        return (counts + " " + cite_each_sentence(f"In the sources' words: {esc(note)}", mark)
                ).strip()

    def _casualty_disagreement(self) -> list[str]:
        lines = []
        for prefix, _, many in _CASUALTY_GROUPS:
            for outcome in ("killed", "wounded"):
                claims = facts.claimed_values(self.data.claims, "incidents",
                                              str(self.incident["incident_id"]),
                                              f"{prefix}_{outcome}_count")
                if not claims.empty:
                    lines.append(f"Figures for {many} {outcome} differ: "
                                 + "; ".join(self._claim_list(claims)) + "."
                                 + self.data_mark())
        return lines

    def _who_reported(self) -> str:
        status = self.incident.get("confirmation_status")
        who = f"Reported by {self.outlets(split_list(self.incident['source_ids']))}"
        if pd.notna(status):
            label = (FIELDS["confirmation_status"].allowed or {})[str(status)]
            return f"{who}; the attack is {esc(label)}."
        return f"{who}."

    def site_history(self) -> str:
        short, long = (facts.site_history(self.data.incidents, self.incident, days)
                       for days in HISTORY_DAYS)
        older = long[long["days_before"] > HISTORY_DAYS[0]]
        lines = [self._history_sentence(short, "in the 90 days before"),
                 self._history_sentence(older, "between 90 days and 12 months before")]
        if self.day - pd.Timedelta(days=HISTORY_DAYS[1]) < pd.Timestamp(COVERAGE_START):
            lines.append(f"The data begin on {long_date(pd.Timestamp(COVERAGE_START))}: "
                         f"nothing earlier is known here.{self.data_mark()}")
        return " ".join(lines)

    def _history_sentence(self, earlier: pd.DataFrame, span: str) -> str:
        if earlier.empty:
            return (f"The data hold no earlier attack on {self.site()} {span}."
                    f"{self.data_mark()}")
        items = [f"{long_date(r['incident_date'], r['date_precision'])} "
                 f"({esc((FIELDS['weapon_type'].allowed or {}).get(str(r['weapon_type']), ''))})"
                 f"{self.incident_mark(r, 1)}" for _, r in earlier.head(12).iterrows()]
        more = f", and {number_word(len(earlier) - 12)} more" if len(earlier) > 12 else ""
        span = span[0].upper() + span[1:]
        return (f"{span}, the data hold {counted(len(earlier), 'earlier attack')} on "
                f"{self.site()}, newest first: {'; '.join(items)}{more}.{self.data_mark()}")

    def days_before(self) -> str:
        events = facts.events_before(self.data.political_events, self.day, EVENT_DAYS)
        if events.empty:
            text = (f"The data hold no political, militia or military event in the "
                    f"{EVENT_DAYS} days before this attack.{self.data_mark()}")
        else:
            items = []
            for _, event in events.iterrows():
                when = days_before_words(int(event["days_before"]))
                items.append(f"- {when[0].upper()}{when[1:]} ({long_date(event['event_date'])}): "
                             + cite_each_sentence(esc(event["title"]), self.event_mark(event)))
            text = (f"Events in the {EVENT_DAYS} days before, newest first:{self.data_mark()}"
                    "\n\n" + "\n".join(items))
        chain = facts.response_chain(self.data.political_events,
                                     [str(e) for e in events["event_id"]])
        links = [self._answer_sentence(event) for _, event in chain.iterrows()]
        return text + ("\n\n" + " ".join(links) if links else "")

    def _answer_sentence(self, event: pd.Series) -> str:
        events = self.data.political_events.set_index("event_id", drop=False)
        answering = events.loc[event["answered_by"]]
        days = int((self.day - event["event_date"]).days)
        text = (f"{esc(answering['title'])} ({long_date(answering['event_date'])}) answered "
                f"an earlier event, as its sources report: {esc(event['title'])} "
                f"({long_date(event['event_date'])}, {days_before_words(days)} the attack)."
                f"{self.cite.mark(answering['source_ids'])} "
                + cite_each_sentence(esc(event["description"]),
                                     self.event_mark(event)))
        rounds = facts.claimed_values(self.data.claims, "political_events",
                                      str(event["event_id"]), "dialogue_round")
        if not rounds.empty:
            by_value: dict[str, list] = {}
            for claim in rounds.itertuples(index=False):
                by_value.setdefault(str(claim.claimed_value), []).append(claim)
            parts = []
            for value, claims in sorted(by_value.items(), key=lambda item: -len(item[1])):
                ids = [source for claim in claims for source in split_list(claim.source_ids)]
                outlets = self.outlets(ids)
                parts.append(f"the {ordinal(int(value))} by {outlets}{self.cite.mark(ids)}")
            text += (" Sources number this round differently: " + "; ".join(parts) + "."
                     if len(parts) > 1 else f" Its sources call it {parts[0]}.")
            text += self.data_mark()
        return text

    def threat_actor(self) -> str:
        events = facts.events_before(self.data.political_events, self.day, EVENT_DAYS)
        statements = events[events["category"].astype("string").isin(
            ["militia_statement", "ceasefire"]).fillna(False)]
        actor_ids = list(dict.fromkeys(actor for cell in statements["actor_ids"]
                                       for actor in split_list(cell)))
        if not actor_ids:
            return (f"No militia statement in the {EVENT_DAYS} days before names a group."
                    f"{self.data_mark()}")
        return "\n\n".join(self._actor_paragraph(actor) for actor in actor_ids[:3])

    def _actor_paragraph(self, actor_id: str) -> str:
        actors = self.data.actors.set_index("actor_id", drop=False)
        if actor_id not in actors.index:
            return ""
        actor = actors.loc[actor_id]
        name = self.actor(actor_id)
        aliases = split_list(actor.get("aliases"))
        short = f" ({esc(aliases[0])})" if aliases else ""
        kind = (FIELDS["actor_kind"].allowed or {}).get(str(actor["actor_kind"]), "actor")
        lines = [f"**{name}**{short}: {esc(kind)}.{self.cite.mark(actor['source_ids'])}"]
        memberships = self.data.actor_memberships
        members = facts.memberships_of(memberships, actor_id)
        if not members.empty:
            items = [f"{self.actor(m.member_actor_id)}{self.cite.mark(m.source_ids)}"
                     for m in members.itertuples(index=False)]
            lines.append(f"Its members, as reported (each with its source): "
                         f"{'; '.join(items)}.{self.data_mark()}")
        belongs = memberships[memberships["member_actor_id"].astype("string").eq(actor_id)
                              .fillna(False)]
        if not belongs.empty:
            items = [f"{self.actor(m.umbrella_actor_id)}{self.cite.mark(m.source_ids)}"
                     for m in belongs.itertuples(index=False)]
            lines.append(f"It is reported to belong to {'; '.join(items)}.{self.data_mark()}")
        statements = facts.actor_statements(self.data.political_events, actor_id)
        if not statements.empty:
            first = statements.iloc[0]
            lines.append(f"Its first statement in the data, on {long_date(first['event_date'])}: "
                         + cite_each_sentence(f"{esc(first['title'])}. "
                                              f"{esc(first['description'])}",
                                              self.event_mark(first)))
            for field_name in ("description", "title"):
                claims = facts.claimed_values(self.data.claims, "political_events",
                                              str(first["event_id"]), field_name)
                for claim in claims.itertuples(index=False):
                    lines.append(f"{esc(self.cite.outlet(split_list(claim.source_ids)[0]))}'s "
                                 f"account differs: {esc(claim.claimed_value)}."
                                 f"{self.cite.mark(claim.source_ids)}")
        return " ".join(lines)

    def culprit(self, assessment: Assessment) -> str:
        row = self.incident
        mark = self.incident_mark(row)
        if assessment.kind == "claimed":
            text = f"{self.actor(row['claimed_by'])} claimed the attack.{mark}"
            if pd.notna(row.get("attributed_to")):
                text += (f" {esc(row['attributed_by'])} attributed it to "
                         f"{self.actor(row['attributed_to'])}.{mark}")
            return text + (" A claim is a group's own word, not an attribution; no likely "
                           f"culprit is assessed.{self.data_mark()}")
        if assessment.kind == "attributed":
            return (f"Nobody claimed the attack in the sources held.{mark} "
                    f"{esc(row['attributed_by'])} attributed it to "
                    f"{self.actor(row['attributed_to'])}.{mark} No likely culprit is assessed "
                    f"beyond that attribution.{self.data_mark()}")
        lines = [f"Nobody claimed the attack and no one attributed it in the sources held.{mark}",
                 f"The brief's rule names a likely culprit only if it threatened attacks on US "
                 f"forces in the {number_word(THREAT_DAYS)} days before, or accounts for at "
                 f"least half, and at least {number_word(MIN_ATTACKS)}, of the claimed or "
                 f"attributed attacks on the same place, or with the same weapon in the same "
                 f"country, in the 12 months before (a group is counted with its umbrella)."
                 f"{self.data_mark()}"]
        lines += self._threat_counts(assessment)
        lines += [self._share_counts(share) for share in assessment.shares]
        if assessment.kind == "too_thin":
            lines.append(f"The evidence is too thin to name a likely culprit; this brief names "
                         f"no one.{self.data_mark()}")
        else:
            named = listing([f"{self.actor(actor)} ({self._reason_words(assessment, actor)})"
                             for actor in assessment.actor_ids])
            lines.append(f"**Assessment from the data, not a claim:** the likely "
                         f"culprit{'s' if len(assessment.actor_ids) > 1 else ''} by this rule: "
                         f"{named}.{self.data_mark()}")
        return " ".join(lines)

    def _reason_words(self, assessment: Assessment, actor: str) -> str:
        words = []
        for reason in assessment.reasons.get(actor, []):
            if reason == "threat":
                words.append(f"it threatened attacks in the {number_word(THREAT_DAYS)} days "
                             "before")
                continue
            share = next(share for share in assessment.shares if share.label == reason)
            where = (f"on {self.site()}" if reason == "site" else
                     f"with {PROJECTILE_NOUNS.get(str(self.incident['weapon_type']), ('', 'projectiles'))[1]} in {esc(self.incident['country'])}")  # noqa: E501
            words.append(f"{share.counts[actor]} of the {share.total} claimed or attributed "
                         f"attacks {where}")
        return "; ".join(dict.fromkeys(words))

    def _threat_counts(self, assessment: Assessment) -> list[str]:
        if assessment.threats.empty:
            return [f"No statement threatening attacks on US forces in the "
                    f"{number_word(THREAT_DAYS)} days before is in the data.{self.data_mark()}"]
        lines = []
        for _, event in assessment.threats.iterrows():
            who = listing([self.actor(a) for a in split_list(event["actor_ids"])])
            days = days_before_words(int((self.day - event["event_date"]).days))
            lines.append(f"{who} threatened attacks on US forces {days} "
                         f"({esc(event['title'])}).{self.event_mark(event)}")
        return lines

    def _share_counts(self, share: AttackShare) -> str:
        if share.label == "site":
            where = f"on {self.site()}"
        else:
            _, plural = PROJECTILE_NOUNS.get(str(self.incident["weapon_type"]),
                                             ("", "projectiles"))
            where = f"with {plural} in {esc(self.incident['country'])}"
        if share.total == 0:
            return (f"The data hold no claimed or attributed attack {where} in the "
                    f"12 months before.{self.data_mark()}")
        counts = ", ".join(f"{self.actor(actor)} {count}" for actor, count in
                           list(share.counts.items())[:5])
        return (f"Claimed or attributed attacks {where} in the 12 months before: "
                f"{share.total} ({counts}).{self.data_mark()}")

    def tempo(self) -> str:
        tempo = facts.tempo_before(self.data.incidents, self.incident, TEMPO_DAYS)
        country = esc(self.incident["country"])
        lines = [f"In {country} the data hold {counted(tempo.recent_count, 'attack')} in the "
                 f"{tempo.days} days before this one and "
                 f"{number_word(tempo.earlier_count) if tempo.earlier_count else 'none'} in "
                 f"the {tempo.days} days before those (attacks known only from a group's claim "
                 f"left out, as officials count).{self.data_mark()}"]
        if tempo.recent_count + tempo.earlier_count == 0:
            lines.append(f"With no attack in either window there is nothing to compare."
                         f"{self.data_mark()}")
        else:
            ratio = "infinite" if math.isinf(tempo.rate_ratio) else f"{tempo.rate_ratio:.2f}"
            high = "infinity" if math.isinf(tempo.ci_high) else f"{tempo.ci_high:.2f}"
            verdict = ("a change the exact test finds unlikely to be chance" if
                       tempo.p_value < 0.05 else
                       "a difference the exact test cannot tell from chance")
            lines.append(f"Rate ratio {ratio} (95% interval {tempo.ci_low:.2f} to {high}; "
                         f"exact Poisson test p = {tempo.p_value:.2f}): {verdict}."
                         f"{self.data_mark()}")
        if self.day - pd.Timedelta(days=2 * TEMPO_DAYS) < pd.Timestamp(COVERAGE_START):
            lines.append(f"The earlier window reaches before the data begin "
                         f"({long_date(pd.Timestamp(COVERAGE_START))}), so its count is "
                         f"incomplete.{self.data_mark()}")
        lines.append(self._tally_sentence())
        return " ".join(lines)

    def _tally_sentence(self) -> str:
        position = facts.tally_position(self.data.incidents, self.data.reported_tallies,
                                        self.incident)
        if position is None:
            return (f"No official or wire-service running count of attacks covers this day "
                    f"in the data, so how many attacks the data miss here is unknown."
                    f"{self.data_mark()}")
        tallies = self.data.reported_tallies.set_index("tally_id", drop=False)
        ids = split_list(position["tally_ids"])
        # tally_id is the table's primary key: each label selects one row
        last = cast(pd.Series, tallies.loc[ids[-1]])
        counter = esc(last["counted_by"])
        targets = "US interests (convoys included)" if position["counted_targets"] == \
            "us_interests" else "US forces"
        where = listing([esc(c) for c in facts.TALLY_SCOPE_COUNTRIES[position["scope"]]])
        qualifier = _QUALIFIER_WORDS.get(str(last["count_qualifier"]), "")
        mark = self.cite.mark([s for i in ids for s in split_list(tallies.loc[i, "source_ids"])])
        if len(ids) == 1:
            text = (f"{counter} counted {qualifier}{last['attacks_count']} attacks on {targets} "
                    f"in {where} from {long_date(last['period_start'])} to "
                    f"{long_date(last['as_of_date'])}; this attack falls in that count.{mark}")
        else:
            first = cast(pd.Series, tallies.loc[ids[0]])
            text = (f"{counter} counted {_QUALIFIER_WORDS.get(str(first['count_qualifier']), '')}"
                    f"{first['attacks_count']} attacks on {targets} in {where} from "
                    f"{long_date(first['period_start'])} to {long_date(first['as_of_date'])}, "
                    f"and {qualifier}{last['attacks_count']} by "
                    f"{long_date(last['as_of_date'])}: this attack is one of the "
                    f"{qualifier}{position['tallied_count']} counted between.{mark}")
        recorded = int(position["recorded_count"])
        return text + (f" The data hold {counted(recorded, 'attack')} in that interval."
                       f"{self.data_mark()}")

    def troops(self) -> str:
        country = str(self.incident["country"])
        context = facts.troop_context(self.data.troop_levels, self.data.claims, country,
                                      self.day)
        if context.level is None:
            return (f"The data hold no reported US troop level for {esc(country)} before this "
                    f"attack.{self.data_mark()}")
        level = context.level
        count = int(level["troops_count"])
        qualifier = _QUALIFIER_WORDS.get(str(level["troops_qualifier"]), "")
        if str(level["date_precision"]) == "period" and pd.notna(level.get("date_end")):
            # a figure that holds over a period: say the period, not its first day
            when = (f"reported for {long_date(level['date'], 'month')} to "
                    f"{long_date(level['date_end'], 'month')}")
        else:
            when = f"as of {long_date(level['date'], level['date_precision'])}"
        lines = [f"The latest reported US troop level in {esc(country)} before the attack: "
                 f"{qualifier}{count:,} ({when}).{self.cite.mark(level['source_ids'])}"]
        froms = self._previous_levels(context)
        if froms and context.change_start is not None:
            lines.append(f"The last reported change, to {count:,} in "
                         f"{long_date(context.change_start['date'], 'month')}, was "
                         + "; or ".join(froms) + (", as sources differ." if len(froms) > 1
                                                   else ".") + self.data_mark())
        return " ".join(lines)

    def _previous_levels(self, context: facts.TroopContext) -> list[str]:
        """The level before the last change, each value with the outlets that give it: the
        \"cut from\" figures of rows at the new level, then the claims on the row before."""
        froms: dict[str, list[str]] = {}
        cut = context.from_counts
        for previous, ids in zip(cut["previous_troops_count"], cut["source_ids"], strict=True):
            froms.setdefault(f"{int(previous):,}", []).extend(split_list(ids))
        claimed = context.before_claims
        for code, value, ids in zip(claimed["value_qualifier"], claimed["claimed_value"],
                                    claimed["source_ids"], strict=True):
            qualifier = "about " if str(code) in ("about", "more_than") else \
                _QUALIFIER_WORDS.get(str(code), "")
            froms.setdefault(f"{qualifier}{int(value):,}", []).extend(split_list(ids))
        if not froms and not context.before.empty:
            before = context.before.iloc[-1]
            qualifier = _QUALIFIER_WORDS.get(str(before["troops_qualifier"]), "")
            froms[f"{qualifier}{int(before['troops_count']):,}"] = split_list(before["source_ids"])
        merged: dict[str, list[str]] = {}
        for value, ids in froms.items():  # "3,500" and "about 3,500" are one value
            plain = value.removeprefix("about ")
            key = next((k for k in merged if k.removeprefix("about ") == plain), value)
            merged.setdefault(key, []).extend(ids)
        return [f"from {value} according to {self.outlets(ids)}{self.cite.mark(ids)}"
                for value, ids in merged.items()]


def brief_title(incident: pd.Series, *, markdown: bool = True) -> str:
    """The brief's headline: main weapon, place, country and date; Markdown-escaped unless
    ``markdown=False`` (a page title, escaped by the page template instead)."""
    def text(value: object) -> str:
        return esc(value) if markdown else " ".join(str(value).split())
    weapon = str((FIELDS["weapon_type"].allowed or {}).get(str(incident["weapon_type"]), ""))
    kind = ("Attack" if weapon in ("", "other or unknown")
            else f"{weapon[0].upper()}{weapon[1:]} attack")
    when = long_date(incident["incident_date"], incident["date_precision"])
    place = text(incident["site_name"])
    country = text(incident["country"])
    if not place.endswith(country):
        place += f", {country}"
    return f"{text(kind)} on {place}, {when}"


def _with_data_entry(sources: pd.DataFrame, data_dir: object) -> pd.DataFrame:
    """The sources table with the entry computed sentences cite: the data themselves."""
    entry = {"source_id": DATA_ENTRY, "outlet": "sitrep-analysis data",
             "title": "counts, tests and comparisons computed from the tables "
             "of " + str(getattr(data_dir, "name", data_dir) or "the data") + ", each row with "
             "its own sources", "published_date": pd.NA, "url": pd.NA, "via": pd.NA}
    return pd.concat([sources, pd.DataFrame([entry])], ignore_index=True)


def write_brief(dataset: Dataset, incident_id: str) -> Brief:
    """The situation report for one incident of ``dataset`` (a :class:`data.Dataset`), or
    :class:`facts.IncidentNotFound` naming the closest ids."""
    incident = facts.find_incident(dataset.incidents, incident_id)
    writer = _Writer(dataset, incident)
    title = brief_title(incident)
    assessment = assess_culprit(incident, dataset.incidents, dataset.political_events,
                                dataset.actor_memberships)
    sections = {
        "what_happened": writer.what_happened(),
        "site_history": writer.site_history(),
        "days_before": writer.days_before(),
        "threat_actor": writer.threat_actor(),
        "culprit": writer.culprit(assessment),
        "tempo": writer.tempo(),
        "troops": writer.troops(),
    }
    return Brief(str(incident_id), title, sections, writer.cite.listing(), assessment)
