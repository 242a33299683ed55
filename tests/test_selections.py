"""What a report shows: incidents and events selected by the notebooks' parameters, the
subject of a profile, and the incidents an event study counts (tests/sample_data.py)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from sitrep_analysis import load_all
from sitrep_analysis.analysis import (
    actor_names,
    check_codes,
    event_windows,
    incidents_in_windows,
    select_events,
    select_incidents,
    select_profile,
    site_names,
)


@pytest.fixture(scope="module")
def data(sample_data_dir):
    return load_all(sample_data_dir)


def _ids(frame: pd.DataFrame, column: str) -> list[str]:
    return [value.removesuffix("-test") for value in frame[column]]


@pytest.mark.parametrize(("selection", "expected"), [
    pytest.param({}, ["2019-12-03", "2019-12-05", "2019-12-08", "2019-12-09", "2019-12-31",
                      "2020-01-02", "2020-01-05", "2020-01-13", "2020-03-02"], id="all"),
    pytest.param({"start": "2019-12-31", "end": "2020-01-05"},
                 ["2019-12-31", "2020-01-02", "2020-01-05"], id="dates, inclusive"),
    pytest.param({"weapon_types": ["mortar", "drone"]}, ["2019-12-08", "2019-12-09"],
                 id="weapons"),
    pytest.param({"weapon_types": "ied"}, ["2020-01-02"], id="one weapon as a string"),
    pytest.param({"site_ids": ["test-airport"]}, ["2019-12-08", "2019-12-31"], id="site"),
    pytest.param({"countries": "Syria"}, ["2020-01-02"], id="country"),
    pytest.param({"countries": "", "weapon_types": [], "site_ids": None},
                 ["2019-12-03", "2019-12-05", "2019-12-08", "2019-12-09", "2019-12-31",
                  "2020-01-02", "2020-01-05", "2020-01-13", "2020-03-02"],
                 id="empty means all"),
    pytest.param({"weapon_types": ["rocket"], "site_ids": ["test-airport"],
                  "end": "2019-12-31"}, ["2019-12-31"], id="all filters at once"),
])
def test_select_incidents(data, selection, expected):
    chosen = select_incidents(data.incidents, sites=data.sites, **selection)
    assert _ids(chosen, "incident_id") == expected
    assert list(chosen.index) == list(range(len(chosen)))


@pytest.mark.parametrize(("selection", "message"), [
    pytest.param({"weapon_types": ["rockets"]}, "unknown weapon_types value 'rockets': allowed "
                 "values are 'rocket', 'mortar', 'drone', 'ied', 'ballistic_missile', "
                 "'other_unknown'", id="unknown weapon"),
    pytest.param({"site_ids": ["test-base", "nowhere", "elsewhere"]},
                 "unknown site_ids values 'nowhere', 'elsewhere': allowed values are "
                 "'test-base', 'test-airport', 'test-outpost'", id="unknown sites"),
    pytest.param({"countries": ["iraq"]}, "unknown countries value 'iraq': allowed values are "
                 "'Iraq', 'Syria', 'Jordan'", id="country spelt in lower case"),
    pytest.param({"start": "2020-02-01", "end": "2020-01-01"}, "start 2020-02-01 is after end "
                 "2020-01-01", id="start after end"),
])
def test_select_incidents_refuses_unknown_codes(data, selection, message):
    with pytest.raises(ValueError, match=message):
        select_incidents(data.incidents, sites=data.sites, **selection)


def test_a_code_list_of_the_wrong_type_is_refused():
    with pytest.raises(TypeError, match="weapon_types must be a list of strings"):
        check_codes([1], ["rocket"], "weapon_types")


@pytest.mark.parametrize(("selection", "expected"), [
    pytest.param({}, ["2019-12-29", "2020-01-03", "2020-01-05", "2020-01-08", "2021-04-07"],
                 id="all"),
    pytest.param({"start": "2020-01-01", "end": "2020-12-31"},
                 ["2020-01-03", "2020-01-05", "2020-01-08"], id="dates"),
    pytest.param({"categories": ["us_strike"]}, ["2019-12-29", "2020-01-03"], id="category"),
    pytest.param({"event_ids": ["2020-01-08-test"], "categories": []}, ["2020-01-08"],
                 id="one event"),
    pytest.param({"event_ids": ["2020-01-08-test"], "categories": ["us_strike"]}, [],
                 id="an event outside the categories"),
])
def test_select_events(data, selection, expected):
    assert _ids(select_events(data.political_events, **selection), "event_id") == expected


@pytest.mark.parametrize(("selection", "message"), [
    pytest.param({"categories": ["strike"]}, "unknown event_categories value 'strike': allowed "
                 "values are 'us_strike', 'militia_statement'", id="unknown category"),
    pytest.param({"event_ids": ["2020-01-09-test"]}, "unknown event_ids value "
                 "'2020-01-09-test': allowed values are '2019-12-29-test'", id="unknown event"),
])
def test_select_events_refuses_unknown_codes(data, selection, message):
    with pytest.raises(ValueError, match=message):
        select_events(data.political_events, **selection)


def test_incidents_in_windows_are_those_an_event_study_counts(data):
    events = select_events(data.political_events, event_ids=["2020-01-08-test"])
    windows = event_windows(data.incidents, events, 7)  # 2020-01-01 .. 2020-01-14
    assert _ids(incidents_in_windows(data.incidents, windows), "incident_id") == [
        "2020-01-02", "2020-01-05", "2020-01-13"]
    assert incidents_in_windows(data.incidents, windows.iloc[:0]).empty


def test_names_for_labels(data):
    assert site_names(data.sites)["test-outpost"] == "Test outpost"
    assert actor_names(data.actors) == {"test-militia": "Test militia",
                                        "test-umbrella": "Test umbrella",
                                        "test-front": "Test front"}


def _profile(data, **subject):
    return select_profile(data.incidents, data.political_events, data.sites, data.actors,
                          claims=data.claims, **subject)


def test_site_profile(data):
    profile = _profile(data, site_id="test-airport", start="2019-12-01", end="2019-12-31")
    assert (profile.kind, profile.subject_id, profile.name) == ("site", "test-airport",
                                                                "Test airport")
    assert _ids(profile.incidents, "incident_id") == ["2019-12-08", "2019-12-31"]
    assert profile.claimed.empty
    assert _ids(profile.attributed, "incident_id") == ["2019-12-08", "2019-12-31"]
    assert _ids(profile.events, "event_id") == ["2019-12-29"]  # every event of the period
    assert profile.facts["province"] == "Baghdad"
    assert (profile.start, profile.end) == (pd.Timestamp("2019-12-01"),
                                            pd.Timestamp("2019-12-31"))


def test_actor_profile_keeps_claims_and_attributions_apart(data):
    profile = _profile(data, actor_id="test-militia", site_id="")
    assert (profile.kind, profile.name) == ("actor", "Test militia")
    assert _ids(profile.claimed, "incident_id") == ["2020-01-05"]
    assert _ids(profile.attributed, "incident_id") == ["2019-12-08", "2019-12-31"]
    assert _ids(profile.incidents, "incident_id") == ["2019-12-08", "2019-12-31", "2020-01-05"]
    assert _ids(profile.events, "event_id") == ["2019-12-29"]  # events naming it
    assert list(profile.claims["claim_id"]) == ["test-claim-wounded-2", "test-claim-wounded-3"]
    assert (profile.start, profile.end) == (pd.Timestamp("2019-10-01"),
                                            pd.Timestamp("2024-09-30"))  # coverage


@pytest.mark.parametrize(("subject", "message"), [
    pytest.param({}, "give exactly one of site_id and actor_id (both are empty)", id="neither"),
    pytest.param({"site_id": "test-base", "actor_id": "test-militia"},
                 "give exactly one of site_id and actor_id, not both", id="both"),
    pytest.param({"site_id": None, "actor_id": " "}, "both are empty", id="blank"),
    pytest.param({"site_id": "test-bse"}, "unknown site_id value 'test-bse': allowed values "
                 "are 'test-base', 'test-airport', 'test-outpost'", id="unknown site"),
    pytest.param({"actor_id": "kataib-hezbollah"}, "unknown actor_id value "
                 "'kataib-hezbollah': allowed values are 'test-militia', 'test-umbrella', "
                 "'test-front'", id="unknown actor"),
])
def test_profile_subject_must_be_exactly_one_known_site_or_actor(data, subject, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        _profile(data, **subject)
