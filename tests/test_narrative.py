"""Plain-words summary, caveats and the incident source table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from sitrep_analysis import load_all
from sitrep_analysis.analysis import (
    event_windows,
    select_events,
    select_incidents,
    select_profile,
)
from sitrep_analysis.columns import TABLES
from sitrep_analysis.narrative import (
    actor_fact_sheet,
    casualty_summary,
    casualty_table,
    coverage_notes,
    event_sources,
    event_study_findings,
    event_study_method_notes,
    event_window_sentences,
    event_window_table,
    incident_sources,
    incident_table,
    markdown_escape,
    new_since_last_report,
    previous_incident_ids,
    profile_claims,
    profile_events,
    profile_facts,
    profile_findings,
    site_fact_sheet,
    styled_table,
    tempo_findings,
)
from tests.sample_data import HOSTILE_IMG, HOSTILE_SCRIPT, incidents_frame, write_sample_data


def test_coverage_notes_repeat_every_table_warning():
    notes = coverage_notes()
    for name in ("incidents", "political_events", "troop_levels"):
        for warning in TABLES[name].warnings:
            assert warning in notes


def test_incident_sources_lists_each_incident_in_range_with_its_sources():
    table = incident_sources(incidents_frame(), "2019-12-30", "2020-01-31")
    assert list(table.columns) == ["incident_date", "site_name", "weapon", "sources"]
    assert list(table["incident_date"]) == [pd.Timestamp(d) for d in
                                            ("2019-12-31", "2020-01-02", "2020-01-05",
                                             "2020-01-13")]
    assert list(table["weapon"]) == ["rocket", "IED (roadside bomb)", "rocket", "rocket"]
    assert list(table.index) == [1, 2, 3, 4]


def test_styled_table_shows_every_row_and_escapes_text():
    frame = incident_sources(incidents_frame(), "2019-12-01", "2020-03-31")
    frame.loc[1, "sources"] = "<script>alert(1)</script> & co"
    frame = pd.concat([frame] * 20, ignore_index=True)  # 180 rows: more than pandas shows
    html = styled_table(frame).to_html()
    assert html.count("<tr>") == len(frame) + 1
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert ">2019-12-03<" in html
    assert ">Sources<" in html


# --- the report narratives, on the data directory of tests/sample_data.py -------------------

@pytest.fixture(scope="module")
def data(sample_data_dir):
    return load_all(sample_data_dir)


@pytest.fixture(scope="module")
def shown(data):
    """The incidents of the attack-tempo report for December 2019 to March 2020."""
    return select_incidents(data.incidents, start="2019-12-01", end="2020-03-31",
                            sites=data.sites)


def _profile(data, **subject):
    return select_profile(data.incidents, data.political_events, data.sites, data.actors,
                          claims=data.claims, **subject)


def test_tempo_findings_on_the_test_data(data, shown):
    events = select_events(data.political_events, start="2019-12-01", end="2020-03-31")
    assert tempo_findings(shown, events, "2019-12-01", "2020-03-31", sites=data.sites) == (
        "- **9 attacks** on US and coalition forces are recorded from 1 December 2019 to 31 "
        "March 2020. At least one attack falls in 5 of the 19 weeks (weeks run Monday to "
        "Sunday).\n"
        "- The busiest weeks, with 3 attacks each, were the week of 2 December 2019 and the "
        "week of 30 December 2019.\n"
        "- Main weapon: rocket in 5 of the 9 attacks, then ballistic missile 1, drone 1, IED "
        "(roadside bomb) 1 and mortar 1.\n"
        "- Most attacked place: Test base, with 6 attacks; then Test airport 2 and Test outpost "
        "1. Attacks hit 3 places in all.\n"
        "- By country: Iraq 8 and Syria 1.\n"
        "- 3 attacks claimed by a group; 2 not claimed but attributed by a third party; 4 "
        "neither claimed nor attributed.\n"
        "- US service members: 1 killed and 5 wounded, in the 3 attacks whose sources give a "
        "figure; the other attacks have no reported figure, so these are not complete counts.\n"
        "- 4 political events in the period, marked on the timeline: US strike 2, Iranian "
        "strike 1 and parliament vote 1.\n"
        "- Where no official tallied the attacks, the data's coverage is unknown: a quiet "
        "period there may not have been quiet.")


def test_tempo_findings_name_the_selection_and_months(data):
    rockets = select_incidents(data.incidents, weapon_types=["rocket"], site_ids="test-base",
                               sites=data.sites)
    text = tempo_findings(rockets, data.political_events.iloc[:0], "2019-12-01", "2020-03-31",
                          "M", weapon_types=["rocket"], site_ids=["test-base"],
                          event_categories=["us_strike"], sites=data.sites)
    assert text.splitlines()[:3] == [
        "- **4 attacks** on US and coalition forces are recorded from 1 December 2019 to 31 "
        "March 2020 (selection: main weapon rocket; at Test base; events of the categories US "
        "strike). At least one attack falls in 2 of the 4 months.",
        "- The busiest months, with 2 attacks each, were December 2019 and January 2020.",
        "- Main weapon: rocket in all 4 attacks."]
    assert "No political event of the selected categories falls in the period." in text


def test_tempo_findings_of_an_empty_selection(data):
    assert tempo_findings(data.incidents.iloc[:0], data.political_events, "2021-01-01",
                          "2021-01-31") == (
        "- **0 attacks** on US and coalition forces are recorded from 1 January 2021 to 31 "
        "January 2021.\n"
        "- No recorded incident matches this selection: there is nothing to count.\n"
        "- Where no official tallied the attacks, the data's coverage is unknown: a quiet "
        "period there may not have been quiet.")


# --- new since the last report --------------------------------------------------------------

def test_first_render_says_so(shown):
    assert new_since_last_report(shown, None) == (
        "**First render:** there is no earlier render of this report to compare with (no list "
        "of previously seen incidents was given), so no incident is marked as new. This report "
        "shows 9 incidents.")
    assert new_since_last_report(shown, "") == new_since_last_report(shown, None)


def test_new_incidents_are_listed_with_what_fell_outside_and_what_went(data, tmp_path):
    seen = tmp_path / "ids.json"
    seen.write_text(json.dumps(["2019-12-03-test", "2019-12-05-test", "gone-test"]))
    airport = select_incidents(data.incidents, site_ids=["test-airport"])
    assert new_since_last_report(airport, seen, all_incidents=data.incidents) == (
        "**2 incidents** shown here are new since the last render of this report (the last "
        "render saw 3 incident ids in the data):\n\n"
        '- 2019-12-08, Test airport: mortar. Sources: Test outlet, "Made-up report", '
        "2020-01-01.\n"
        '- 2019-12-31, Test airport: rocket. Sources: Test outlet, "Made-up report", '
        "2020-01-01.\n\n"
        "5 new incidents in the data fall outside this report's selection. 1 incident id seen "
        "last time is no longer in the data (removed or renamed): gone-test.")


def test_nothing_new(data, shown, tmp_path):
    seen = tmp_path / "ids.json"
    seen.write_text(json.dumps(list(data.incidents["incident_id"])))
    assert new_since_last_report(shown, str(seen), all_incidents=data.incidents) == (
        "**Nothing new:** every one of the 9 incidents shown was already in the data at the "
        "last render of this report (the last render saw 9 incident ids in the data).")


@pytest.mark.parametrize(("content", "message"), [
    pytest.param("not json", "is not JSON", id="not JSON"),
    pytest.param('{"ids": []}', "holds dict data; expected a JSON list", id="an object"),
    pytest.param("[1, 2]", "expected a JSON list of incident ids", id="numbers"),
])
def test_a_bad_list_of_previous_ids_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "ids.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        previous_incident_ids(path)


# --- event study ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def windows(data):
    incidents = select_incidents(data.incidents, countries="Iraq")
    events = select_events(data.political_events, start="2019-12-01", end="2020-03-31")
    return event_windows(incidents, events, 14)


def test_event_study_findings_when_no_window_can_say(windows):
    assert event_study_findings(windows, countries="Iraq") == (
        "- **4 events** from 29 December 2019 to 8 January 2020 (US strike 2, Iranian strike 1 "
        "and parliament vote 1), each compared over the 14 days before and the 14 days from the "
        "event (the event day counted in the after-window); attacks counted in Iraq.\n"
        "- **None of the 4 windows holds enough attacks to tell a halving of the attack rate "
        "from a doubling**: the data cannot say whether attacks rose or fell after any of these "
        "events.\n"
        "- For no event does the 95% interval exclude 1 (no change): no window shows a change "
        "larger than chance alone would readily produce.\n"
        "- 4 events have other studied events inside their windows, so a change there cannot be "
        "put down to one event alone.\n"
        "- Without officials' tallies for these periods the data's coverage is unknown; a rise "
        "or fall may reflect reporting as much as attacks.")


def test_event_study_findings_name_the_strongest_change():
    # 30 attacks on the 30 days before 1 June 2020 (one a day), 2 after; none around September
    days = [*pd.date_range("2020-05-01", periods=30), pd.Timestamp("2020-06-05"),
            pd.Timestamp("2020-06-20")]
    incidents = pd.DataFrame({"incident_date": pd.Series(days, dtype="datetime64[ns]")})
    events = pd.DataFrame({
        "event_id": ["e1", "e2"],
        "event_date": pd.Series(pd.to_datetime(["2020-06-01", "2020-09-01"]),
                                dtype="datetime64[ns]"),
        "category": pd.Categorical(["ceasefire", "us_strike"]),
        "title": ["Ceasefire *one*", "Strike two"]})
    text = event_study_findings(event_windows(incidents, events, 30))
    assert text.splitlines()[1:5] == [
        "- 1 of the 2 windows holds enough attacks to tell a halving of the attack rate from a "
        "doubling; 1 does not.",
        "- 1 window pair holds no recorded attack at all, before or after.",
        "- Strongest change (smallest p-value among the windows with enough attacks): "
        '"Ceasefire \\*one\\*" (2020-06-01): 2 after against 29 before, rate ratio 0.069 (95% '
        "CI 0.0080 to 0.27, p < 0.001).",
        "- The 95% interval excludes 1 (no change) for 1 event: 0 rises and 1 fall. With 2 "
        "events tested, about 0.1 such intervals are expected by chance alone (1 in 20)."]
    assert event_study_findings(event_windows(incidents, events, 30).iloc[:0]) == (
        "- No event matches the selection (categories, event ids and dates): there is nothing "
        "to study.")


def test_event_window_table_is_readable(windows):
    table = event_window_table(windows)
    assert list(table.columns) == ["Event date", "Event", "Category", "Before window",
                                   "After window", "Attacks before", "Attacks after",
                                   "Rate ratio", "95% CI", "p", "Flags"]
    last = table.iloc[-1]
    assert last["Event"] == "Test missile strike on bases"
    assert (last["Before window"], last["After window"]) == ("2019-12-25 to 2020-01-07",
                                                             "2020-01-08 to 2020-01-21")
    assert (last["Attacks before"], last["Attacks after"]) == (2, 1)
    assert (last["Rate ratio"], last["95% CI"], last["p"]) == ("0.50", "0.0085 to 9.6", "1.00")
    assert last["Flags"] == ("too few attacks to say; other events inside: 2019-12-29-test, "
                             "2020-01-03-test, 2020-01-05-test")
    assert table.iloc[0]["Rate ratio"] == "infinity"  # none before, 2 after


def test_method_notes_use_the_window_lengths(windows):
    notes = event_study_method_notes(windows)
    assert "in the 14 days before it and in the 14 days from it" in notes
    assert "holds both 0.5 and 2" in notes
    assert "2019-10-01 to 2024-09-30" in notes


# --- profiles ---------------------------------------------------------------------------------

def test_site_profile_texts(data):
    profile = _profile(data, site_id="test-base")
    assert profile_findings(profile) == (
        "- **Test base** (military base or camp, Anbar, Iraq): **6 attacks** recorded from 1 "
        "October 2019 to 30 September 2024, the first on 3 December 2019 and the last on 2 "
        "March 2020.\n"
        "- By year: 2019 3, 2020 3.\n"
        "- Main weapons: rocket 4, ballistic missile 1 and drone 1.\n"
        "- 3 attacks claimed, 0 attributed by a third party, 3 neither.\n"
        "- Casualty figures are reported for 3 of the 6 attacks; US service members: 1 killed "
        "and 5 wounded, in the 3 attacks whose sources give a figure (an empty figure means not "
        "reported, not zero).\n"
        "- Officials counted attacks for whole countries, never for one place or group, so how "
        "complete this profile is cannot be measured: a quiet period may not have been quiet.")
    assert profile_facts(profile, data.actors) == site_fact_sheet(profile.facts) == (
        "- **Name:** Test base (id test-base)\n"
        "- **Also called:** TB, Base of tests\n"
        "- **Kind:** military base or camp\n"
        "- **Where:** Anbar, Iraq\n"
        "- **Coordinates:** 33.8°N, 42.4°E, within about 10 km (basis: made up for tests)\n"
        "- **Notes:** A made-up base")
    assert profile_claims(profile, data.actors) == (
        "Of the 6 attacks on Test base:\n\n"
        "- **claimed:** 3 (by Test front 1, Test militia 1 and Test umbrella 1)\n"
        "- **attributed by a third party:** 0\n"
        "- **neither claimed nor attributed:** 3\n\n"
        "A claim is the group's own statement; an attribution is someone else's accusation. "
        "Neither is proof, and they are kept apart.")
    assert profile_events(profile) == (
        "Political events name actors, not places: the timeline shows the 5 events of the "
        "period for context (US strike 2, Iranian strike 1, parliament vote 1 and US-Iraq "
        "Strategic Dialogue round 1). Their sources are listed at the end.")


def test_site_without_coordinates_or_casualties(data):
    profile = _profile(data, site_id="test-outpost")
    assert "- **Coordinates:** not recorded in the gazetteer" in site_fact_sheet(profile.facts)
    assert ("- No casualty figure is reported for this attack (an empty figure means not "
            "reported, not zero).") in profile_findings(profile)


def test_casualties_are_summed_honestly(data):
    profile = _profile(data, site_id="test-base")
    assert casualty_summary(profile.incidents, profile.claims) == (
        "Casualty figures are reported for **3 of the 6 attacks**; the other 3 give none (an "
        "empty figure means not reported, not zero), so the totals below are what the sources "
        "report, not complete counts. 1 attack without figures has a note on casualties in the "
        "sources' words (see the table).\n\n"
        "- US service members: 1 killed (figure given for 3 attacks) and 5 wounded (figure "
        "given for 3 attacks)\n"
        "- Non-US coalition service members: 0 killed (figure given for 1 attack) and 0 wounded "
        "(figure given for 1 attack)\n"
        "- Contractors: 0 killed (figure given for 1 attack) and 0 wounded (figure given for 1 "
        "attack)\n"
        "- Iraqi forces and civilians (or local civilians): 0 killed (figure given for 1 attack) "
        "and 0 wounded (figure given for 1 attack)\n\n"
        "What each source says, where sources differ or revised a figure:\n\n"
        "- 2020-01-05 Test base, US wounded: 2 (initial report, later revised, Test outlet, "
        '"Made-up report", 2020-01-01); 3 (as stated, Second test outlet, "Another made-up '
        'report", 2020-01, example.org/test)')
    assert casualty_summary(profile.incidents.iloc[:0]) == (
        "No attack is recorded here, so there are no casualties to report.")
    table = casualty_table(profile.incidents)
    assert list(table["Date"].dt.strftime("%Y-%m-%d")) == ["2019-12-03", "2019-12-05",
                                                          "2020-01-05", "2020-03-02"]
    assert table["US killed"].tolist()[:3] == [0, 0, 1]
    assert table["US wounded"].isna().tolist() == [False, False, False, True]  # not reported
    assert table["As reported"].iloc[-1] == "minor injuries"


def test_actor_profile_texts(data):
    profile = _profile(data, actor_id="test-militia")
    assert profile_findings(profile) == (
        "- **Test militia** (armed group) claimed **1 attack** from 1 October 2019 to 30 "
        "September 2024; a third party attributed **2 attacks** to it.\n"
        "- By year: 2019 2, 2020 1.\n"
        "- Main weapons: rocket 2 and mortar 1.\n"
        "- Attributed by Test ministry 2.\n"
        "- Casualty figures are reported for 1 of the 3 attacks; US service members: 1 killed "
        "and 3 wounded, in the 1 attack whose sources give a figure (an empty figure means not "
        "reported, not zero).\n"
        "- Named in 1 political event of the period: US strike 1.\n"
        "- Claims and attributions are as reported: an attribution is someone else's "
        "accusation, not proof.\n"
        "- Officials counted attacks for whole countries, never for one place or group, so how "
        "complete this profile is cannot be measured: a quiet period may not have been quiet.")
    assert profile_facts(profile, data.actors) == (
        "- **Name:** Test militia (id test-militia)\n"
        "- **Also called:** TM\n"
        "- **Kind:** armed group\n"
        "- **Reported to belong to:** Test umbrella (as reported, not verified)\n"
        "- **Notes:** Made up")
    assert profile_claims(profile, data.actors) == (
        "**Claimed by Test militia: 1 attack.**\n\n"
        "- 2020-01-05 Test base (rocket)\n\n"
        "**Attributed to Test militia by a third party: 2 attacks.**\n\n"
        "- 2019-12-08 Test airport (mortar), attributed by Test ministry\n"
        "- 2019-12-31 Test airport (rocket), attributed by Test ministry\n\n"
        "A claim is the group's own statement; an attribution is someone else's accusation. "
        "Neither is proof, and they are kept apart.")
    assert profile_events(profile) == (
        "1 political event of the period names Test militia among its actors:\n\n"
        "- 2019-12-29, US strike: Test strike on militia sites")
    table = incident_table(profile.incidents, data.actors)
    assert table["Claim or attribution"].tolist() == [
        "attributed to Test militia by Test ministry",
        "attributed to Test militia by Test ministry", "claimed by Test militia"]
    assert table["Projectiles"].tolist() == ["", "at least 10", ""]


def test_umbrella_lists_its_reported_members(data):
    umbrella = data.actors.set_index("actor_id").loc["test-umbrella"].copy()
    umbrella["actor_id"] = "test-umbrella"
    assert actor_fact_sheet(umbrella, data.actors) == (
        "- **Name:** Test umbrella (id test-umbrella)\n"
        "- **Also called:** none recorded\n"
        "- **Kind:** coalition or umbrella of armed groups\n"
        "- **Reported to belong to:** no umbrella recorded\n"
        "- **Reported members:** Test militia (as reported, not verified)")


# --- nothing from the data runs or formats -----------------------------------------------------

@pytest.mark.parametrize(("text", "escaped"), [
    pytest.param("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;", id="script"),
    pytest.param("a & b", "a &amp; b", id="ampersand"),
    pytest.param("*bold* _it_ `code`", "\\*bold\\* \\_it\\_ \\`code\\`", id="emphasis"),
    pytest.param("[a](javascript:x)", "\\[a\\](javascript:x)", id="link"),
    pytest.param("a | b ~~c~~ $x$", "a \\| b \\~\\~c\\~\\~ \\$x\\$", id="table, strike, math"),
    pytest.param("# heading", "\\# heading", id="heading"),
    pytest.param("- item", "\\- item", id="list"),
    pytest.param("12. item", "12\\. item", id="numbered list"),
    pytest.param("two\nlines", "two lines", id="line break"),
    pytest.param(pd.NA, "", id="missing"),
])
def test_markdown_escape(text, escaped):
    assert markdown_escape(text) == escaped


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return load_all(write_sample_data(tmp_path_factory.mktemp("hostile"), hostile=True))


def _markdown_outputs(data, tmp_path: Path) -> dict[str, str]:
    """Every narrative function's Markdown on a dataset."""
    seen = tmp_path / "ids.json"
    seen.write_text("[]")
    incidents = select_incidents(data.incidents, sites=data.sites)
    events = data.political_events
    windows = event_windows(incidents, events, 14)
    site = _profile(data, site_id="test-base")
    actor = _profile(data, actor_id="test-militia")
    return {
        "tempo_findings": tempo_findings(incidents, events, "2019-12-01", "2020-03-31",
                                         site_ids=["test-base"], sites=data.sites),
        "new_since_last_report": new_since_last_report(incidents, seen,
                                                       all_incidents=data.incidents),
        "event_study_findings": event_study_findings(windows),
        "event_window_sentences": event_window_sentences(windows),
        "site profile_findings": profile_findings(site),
        "actor profile_findings": profile_findings(actor),
        "site profile_facts": profile_facts(site, data.actors),
        "actor profile_facts": profile_facts(actor, data.actors),
        "site profile_claims": profile_claims(site, data.actors),
        "actor profile_claims": profile_claims(actor, data.actors),
        "actor profile_events": profile_events(actor),
        "casualty_summary": casualty_summary(site.incidents, site.claims),
    }


def test_html_and_markdown_in_the_data_stay_text(hostile, tmp_path):
    """Each narrative function, on data whose text fields hold an <img onerror>, a <script>
    and a Markdown javascript: link, through nbconvert's own Markdown converter."""
    outputs = _markdown_outputs(hostile, tmp_path)
    for name, markdown in outputs.items():
        html = markdown2html_mistune(markdown)
        assert "<img" not in html and "<script" not in html, name
        assert "javascript:" not in re.findall(r'href="([^"]*)"', html).__str__(), name
        assert "<em>loud</em>" not in html and "<em>x</em>" not in html, name
        if name != "event_study_findings":  # names events only when a window can say
            assert "&lt;img src=x onerror=" in html, f"{name} does not show the data's text"
    tables = [incident_sources(hostile.incidents), event_sources(hostile.political_events),
              event_window_table(event_windows(hostile.incidents, hostile.political_events, 14)),
              incident_table(hostile.incidents, hostile.actors),
              casualty_table(hostile.incidents)]
    for table in tables:
        html = styled_table(table).to_html()
        assert HOSTILE_IMG not in html and HOSTILE_SCRIPT not in html
        assert "&lt;img src=x onerror=" in html


def test_tempo_findings_take_the_counts_the_report_computed(data, shown):
    """The notebook counts attacks per period once (analysis.attack_counts) and hands the
    counts over: the findings word them instead of counting again."""
    from sitrep_analysis.analysis import attack_counts

    events = select_events(data.political_events, start="2019-12-01", end="2020-03-31")
    counts = attack_counts(shown, freq="W", start="2019-12-01", end="2020-03-31")
    given = tempo_findings(shown, events, "2019-12-01", "2020-03-31", sites=data.sites,
                           counts=counts)
    assert given == tempo_findings(shown, events, "2019-12-01", "2020-03-31", sites=data.sites)
    altered = counts.assign(attacks_count=0)
    altered.loc[altered.index[-1], "attacks_count"] = 7  # a made-up week: it must be used
    text = tempo_findings(shown, events, "2019-12-01", "2020-03-31", sites=data.sites,
                          counts=altered)
    assert "At least one attack falls in 1 of the 19 weeks" in text
    assert "The busiest week was the week of 30 March 2020, with 7 attacks." in text
