"""Situation reports (sitrep_analysis.brief): the facts of the May 2021 situation report in the
2021-05-24 brief, the place's history, the claim/attribution/assessment rule on hand-made
tables, a marker after every sentence, honest emptiness, and `sitrep brief` at the command
line. The rendered brief is checked in test_notebooks, test_browser and test_schedule.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from click.testing import CliRunner

from sitrep_analysis import load_all
from sitrep_analysis.brief import IncidentNotFound, assess_culprit, write_brief
from sitrep_analysis.brief.citations import Citations
from sitrep_analysis.brief.facts import (
    closest_incident_ids,
    latest_incident_id,
    response_chain,
    troop_context,
)
from sitrep_analysis.cli import app
from tests.helpers import SHIPPED_DATA


@pytest.fixture(scope="module")
def shipped():
    return load_all(SHIPPED_DATA)


@pytest.fixture(scope="module")
def may_brief(shipped):
    return write_brief(shipped, "2021-05-24-ain-al-asad")


def _plain(markdown: str) -> str:
    """Markdown without citation markers, anchors or emphasis, for reading the words."""
    text = re.sub(r"<sup>\[[\d, ]+\]</sup>", "", markdown)
    return re.sub(r"<[^>]+>|\*\*", "", text)


# --- the 2021-05-24 brief against the May 2021 situation report -----------------------------

def test_may_2021_brief_carries_the_situation_reports_facts(may_brief):
    happened = _plain(may_brief.sections["what_happened"])
    assert "On 24 May 2021 at 13:35 local time, one rocket targeted Ain al-Asad Air Base" \
        in happened
    assert "No injuries were reported." in happened
    assert "OIR spokesperson Col. Wayne Marotto" in happened
    assert "\u201cAt 1335 local time, Ain Al-Asad Air Base (AAAB) was attacked by one rocket " \
        "round.\u201d \u2014 OIR spokesman Col. Wayne Marotto" in happened
    before = _plain(may_brief.sections["days_before"])
    assert "One day before (23 May 2021): IRCC vows to escalate attacks on US forces." in before
    assert "US-Iraq Strategic Dialogue, round 3 (7 April 2021, 47 days before the attack)" \
        in before
    assert ("Sources number this round differently: the third by Shafaq News, Rudaw and "
            "MEMO/Anadolu; the fourth by Center for Security Policy.") in before
    actor = _plain(may_brief.sections["threat_actor"])
    assert "Its first statement in the data, on 10 October 2020: IRCC announces a conditional " \
        "ceasefire." in actor
    assert "Kataib Hezbollah" in actor and "Badr Organization" in actor
    assert "announced by Mohammed Mohi, IRCC spokesperson" in actor
    troops = _plain(may_brief.sections["troops"])
    assert "2,500 (as of 15 January 2021)" in troops
    assert "from 3,500 according to Center for Security Policy" in troops
    assert "from about 3,000 according to AFP, Business Insider and CNBC" in troops


def test_may_2021_brief_assesses_the_ircc_with_its_counts(shipped, may_brief):
    culprit = _plain(may_brief.sections["culprit"])
    assert "Nobody claimed the attack and no one attributed it" in culprit
    assert ("Iraqi Resistance Coordination Commission threatened attacks on US forces one day "
            "before") in culprit
    assert ("Assessment from the data, not a claim: the likely culprit by this rule: Iraqi "
            "Resistance Coordination Commission (it threatened attacks in the seven days "
            "before).") in culprit
    # the counts behind it, worked out here with a plain filter
    incidents = shipped.incidents
    day = pd.Timestamp("2021-05-24")
    prior = incidents[(incidents["incident_date"] >= day - pd.Timedelta(days=365))
                      & (incidents["incident_date"] < day)
                      & (incidents["claimed_by"].notna() | incidents["attributed_to"].notna())]
    rockets = prior[(prior["weapon_type"] == "rocket") & (prior["country"] == "Iraq")]
    at_site = prior[prior["site_id"] == "ain-al-asad"]
    assert len(at_site) == 0
    assert "The data hold no claimed or attributed attack on Ain al-Asad Air Base in the 12 " \
        "months before." in culprit
    assert f"Claimed or attributed attacks with rockets in Iraq in the 12 months before: " \
        f"{len(rockets)} (" in culprit
    assert may_brief.assessment.kind == "likely"
    assert may_brief.assessment.actor_ids == ("ircc",)


def test_may_2021_tempo_matches_a_count_by_hand(shipped, may_brief):
    incidents = shipped.incidents
    iraq = incidents[(incidents["country"] == "Iraq")
                     & (incidents["confirmation_status"] != "group_claim_only")]
    day = pd.Timestamp("2021-05-24")
    recent = iraq["incident_date"].between(day - pd.Timedelta(days=30),
                                           day - pd.Timedelta(days=1)).sum()
    earlier = iraq["incident_date"].between(day - pd.Timedelta(days=60),
                                            day - pd.Timedelta(days=31)).sum()
    tempo = _plain(may_brief.sections["tempo"])
    words = {9: "nine", 12: "12"}
    assert (recent, earlier) == (9, 12)
    assert f"the data hold {words[recent]} attacks in the 30 days before this one and " \
        f"{words[earlier]} in the 30 days before those" in tempo
    assert "Rate ratio 0.75" in tempo  # 9 / 12 over equal windows
    assert "AFP counted 23 attacks on US interests (convoys included) in Iraq from 20 January " \
        "2021 to 22 April 2021, and about 30 by 20 June 2021" in tempo


def test_site_history_names_the_attack_two_days_before(shipped):
    brief = write_brief(shipped, "2021-07-07-ain-al-asad")
    history = _plain(brief.sections["site_history"])
    assert history.startswith("In the 90 days before, the data hold six earlier attacks on Ain "
                              "al-Asad Air Base, newest first: 5 July 2021 (rocket); 20 June")
    assert "Between 90 days and 12 months before, the data hold one earlier attack" in history


def test_a_claimed_attack_names_its_claimant_and_assesses_no_one(shipped):
    brief = write_brief(shipped, "2021-07-07-ain-al-asad")
    culprit = _plain(brief.sections["culprit"])
    assert culprit.startswith("Brigades to Avenge al-Muhandis claimed the attack.")
    assert "likely" not in culprit.replace("no likely culprit is assessed", "")
    assert brief.assessment.kind == "claimed"


def test_an_attack_with_nothing_before_it_says_so(shipped):
    first = shipped.incidents.sort_values("incident_date")["incident_id"].iloc[0]
    brief = write_brief(shipped, first)
    text = _plain(brief.markdown())
    for said in ("The data hold no earlier attack on Qayyarah Airfield West in the 90 days "
                 "before.",
                 "The data begin on 1 October 2019: nothing earlier is known here.",
                 "The data hold no political, militia or military event in the 30 days before "
                 "this attack.",
                 "No militia statement in the 30 days before names a group.",
                 "The evidence is too thin to name a likely culprit; this brief names no one.",
                 "With no attack in either window there is nothing to compare.",
                 "The data hold no reported US troop level for Iraq before this attack."):
        assert said in text
    assert brief.assessment.kind == "too_thin"


# --- every sentence sourced -------------------------------------------------------------------

_MARK = r"<sup>\[\d+(?:, \d+)*\]</sup>"
_ABBREVIATION = re.compile(r"(?:\b(?:Col|Gen|Lt|Maj|Capt|Sgt|Mr|Dr|St|No)|\b[A-Z]\.[A-Z]?)$")


def _unmarked_sentence_ends(markdown: str) -> list[str]:
    """Places where a sentence ends (full stop, then a space and a capital, or the end of a
    paragraph) with no marker after it."""
    problems = []
    for block in markdown.split("\n"):
        block = block.strip()
        if not block or block.startswith(">"):
            continue
        if not re.search(_MARK + r"$", block):
            problems.append(block[-80:])
        for match in re.finditer(r"([.!?])(?!" + _MARK + r")\s+(?=[A-Z])", block):
            before = block[:match.start()]
            if not _ABBREVIATION.search(before):
                problems.append(block[max(0, match.start() - 60):match.end() + 20])
    return problems


def test_every_sentence_of_many_briefs_ends_with_a_marker_into_the_list(shipped):
    ids = shipped.incidents.sort_values("incident_id")["incident_id"].iloc[::15]
    assert len(ids) >= 30
    for incident_id in ids:
        brief = write_brief(shipped, incident_id)
        for name, text in brief.sections.items():
            assert not _unmarked_sentence_ends(text), (incident_id, name,
                                                       _unmarked_sentence_ends(text))
        used = {int(n) for mark in re.findall(r"<sup>\[([\d, ]+)\]</sup>", brief.markdown())
                for n in mark.split(", ")}
        listed = [int(n) for n in re.findall(r'<li id="source-(\d+)">', brief.sources)]
        assert listed == list(range(1, len(listed) + 1))
        assert used == set(listed), incident_id


def test_citations_number_in_order_of_first_use():
    sources = pd.DataFrame({"source_id": ["a", "b", "c"], "outlet": ["A", "B", "C<script>"],
                            "title": [pd.NA] * 3, "published_date": [pd.NA] * 3,
                            "url": [pd.NA] * 3, "via": [pd.NA] * 3})
    cite = Citations(sources)
    assert cite.mark("c;a") == "<sup>[1, 2]</sup>"
    assert cite.mark(["b", "unknown"]) == "<sup>[3]</sup>"
    assert cite.cited_ids() == ["c", "a", "b"]
    assert "C&lt;script&gt;" in cite.listing() and "<script>" not in cite.listing()
    assert cite.listing().startswith('<ol class="sitrep-brief-sources">\n<li id="source-1">C')


def test_text_from_the_data_stays_inert(shipped):
    data = shipped.copy()
    incidents = data.incidents.copy()
    row = incidents.index[incidents["incident_id"] == "2021-05-24-ain-al-asad"][0]
    incidents["site_name"] = incidents["site_name"].astype(object)
    incidents.loc[row, "site_name"] = "<img src=x onerror=alert(1)> *Base*"
    brief = write_brief(type(data)(**{**data.__dict__, "incidents": incidents}),
                        "2021-05-24-ain-al-asad")
    assert "<img" not in brief.markdown()
    assert "&lt;img src=x onerror=alert(1)&gt; \\*Base\\*" in brief.title


# --- the assessment rule on hand-made tables --------------------------------------------------

def _incident(day: str, site: str = "s1", weapon: str = "rocket", claimed: str | None = None,
              attributed: str | None = None, number: int = 0) -> dict:
    return {"incident_id": f"{day}-{site}-{number}", "incident_date": pd.Timestamp(day),
            "site_id": site, "weapon_type": weapon, "country": "Iraq", "claimed_by": claimed,
            "attributed_to": attributed}


def _tables(prior: list[dict], statements: list[tuple[str, str, str]] = ()):
    target = pd.Series(_incident("2021-06-01", number=99))
    incidents = pd.DataFrame([*prior, target.to_dict()])
    events = pd.DataFrame([{"event_id": f"e{n}", "event_date": pd.Timestamp(day),
                            "category": "militia_statement", "actor_ids": actor,
                            "statement_stance": stance, "title": "t", "source_ids": "x"}
                           for n, (day, actor, stance) in enumerate(statements)],
                          columns=["event_id", "event_date", "category", "actor_ids",
                                   "statement_stance", "title", "source_ids"])
    memberships = pd.DataFrame({"member_actor_id": ["m1", "m2"],
                                "umbrella_actor_id": ["u", "u"]})
    return target, incidents, events, memberships


@pytest.mark.parametrize(("prior", "statements", "kind", "named"), [
    pytest.param([_incident("2021-03-01", claimed="a", number=n) for n in range(3)]
                 + [_incident("2021-03-02", attributed="b")], [], "likely", ("a",),
                 id="three of four at the place"),
    pytest.param([_incident("2021-03-01", claimed="a", number=n) for n in range(2)]
                 + [_incident("2021-03-02", attributed="b")], [], "too_thin", (),
                 id="two of three is fewer than three"),
    pytest.param([_incident("2021-03-01", claimed="a", number=n) for n in range(3)]
                 + [_incident("2021-03-02", claimed="b", number=n) for n in range(4)], [],
                 "likely", ("b",), id="four of seven, not three of seven"),
    pytest.param([_incident("2021-03-01", site="s9", claimed="a", number=n) for n in range(3)],
                 [], "likely", ("a",), id="same weapon in the country, another place"),
    pytest.param([_incident("2021-03-01", site="s9", weapon="drone", claimed="a", number=n)
                  for n in range(3)], [], "too_thin", (), id="another place and weapon"),
    pytest.param([_incident("2020-05-01", claimed="a", number=n) for n in range(3)], [],
                 "too_thin", (), id="more than 12 months before"),
    pytest.param([_incident("2021-03-01", claimed="m1", number=n) for n in range(2)]
                 + [_incident("2021-03-02", claimed="m2")], [], "likely", ("u",),
                 id="an umbrella credited with its members"),
    pytest.param([], [("2021-05-28", "c", "threat")], "likely", ("c",),
                 id="threat four days before"),
    pytest.param([], [("2021-05-24", "c", "threat")], "too_thin", (),
                 id="threat eight days before"),
    pytest.param([], [("2021-05-31", "c", "restraint")], "too_thin", (),
                 id="a ceasefire is no threat"),
])
def test_the_likely_culprit_rule(prior, statements, kind, named):
    target, incidents, events, memberships = _tables(prior, statements)
    assessment = assess_culprit(target, incidents, events, memberships)
    assert (assessment.kind, assessment.actor_ids) == (kind, named)


def test_a_claim_or_attribution_is_reported_not_assessed():
    prior = [_incident("2021-03-01", claimed="a", number=n) for n in range(3)]
    target, incidents, events, memberships = _tables(prior, [("2021-05-31", "c", "threat")])
    claimed_row = target.copy()
    claimed_row["claimed_by"] = "z"
    claimed = assess_culprit(claimed_row, incidents, events, memberships)
    assert (claimed.kind, claimed.actor_ids) == ("claimed", ("z",))
    attributed = target.copy()
    attributed["attributed_to"] = "y"
    result = assess_culprit(attributed, incidents, events, memberships)
    assert (result.kind, result.actor_ids) == ("attributed", ("y",))


# --- facts --------------------------------------------------------------------------------------

def test_response_chain_follows_links_back_and_stops_at_a_cycle():
    events = pd.DataFrame({"event_id": ["a", "b", "c"], "event_date": pd.to_datetime(
        ["2021-01-03", "2021-01-02", "2021-01-01"]), "responds_to_event_ids": ["b", "c;a", "b"]})
    chain = response_chain(events, ["a"])
    assert chain["event_id"].tolist() == ["b", "c"]
    assert chain["answered_by"].tolist() == ["a", "b"]


def test_troop_context_gives_the_level_and_each_prior_figure(shipped):
    context = troop_context(shipped.troop_levels, shipped.claims, "Iraq",
                            pd.Timestamp("2021-05-24"))
    assert int(context.level["troops_count"]) == 2500
    assert context.change_start["date"] == pd.Timestamp("2021-01-01")
    assert sorted(context.before_claims["claimed_value"].astype(int)) == [3000, 3000, 3000, 3500]
    assert context.from_counts["previous_troops_count"].tolist() == [3500]


def test_unknown_ids_get_the_closest_ones(shipped):
    with pytest.raises(IncidentNotFound) as caught:
        write_brief(shipped, "2021-05-24-al-asad")
    assert caught.value.suggestions[0] == "2021-05-24-ain-al-asad"
    assert closest_incident_ids(pd.Series(["x"]), "2021-05-24") == []
    assert latest_incident_id(shipped.incidents) == \
        shipped.incidents.sort_values("incident_date")["incident_id"].iloc[-1]


# --- the command line ---------------------------------------------------------------------------

@pytest.mark.parametrize(("arguments", "code", "message"), [
    pytest.param(["brief", "2021-05-24-al-asad"], 2,
                 "no incident has the id '2021-05-24-al-asad'; closest: 2021-05-24-ain-al-asad",
                 id="unknown id"),
    pytest.param(["brief"], 2, "give either an INCIDENT_ID or --latest", id="no id"),
    pytest.param(["brief", "x", "--latest"], 2, "give either an INCIDENT_ID or --latest",
                 id="both"),
    pytest.param(["brief", "x", "-p", "window_days", "3"], 2, "a brief takes only -p data_dir",
                 id="another parameter"),
    pytest.param(["brief", "x", "-p", "data_dir", "/nonexistent/folder"], 2,
                 "is not a folder", id="missing data folder"),
])
def test_brief_command_refuses_mistakes_in_one_line(arguments, code, message, tmp_path):
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())


def test_a_troop_figure_for_a_period_is_given_with_its_period(shipped):
    """Syria's figure holds from November 2023 to September 2024: not "as of 1 November"."""
    troops = _plain(write_brief(shipped, "2024-09-22-al-shaddadi").sections["troops"])
    assert troops.startswith("The latest reported US troop level in Syria before the attack: "
                             "about 900 (reported for November 2023 to September 2024).")
