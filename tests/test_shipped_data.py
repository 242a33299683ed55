"""The curated data: counts, dtypes, keys, sources and the facts the project promises to hold.

Row counts are pinned as observed, so that a change to the data is a deliberate edit of this
file too (observed 2026-11-23, first curation).
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from sitrep_analysis import (
    load_actors,
    load_all,
    load_claims,
    load_events,
    load_incidents,
    load_sites,
    load_troop_levels,
)
from sitrep_analysis.columns import FIELDS, TABLES
from tests.helpers import SHIPPED_DATA

# observed 2026-11-23
EXPECTED_ROWS = {
    "incidents": 47,
    "political_events": 29,
    "troop_levels": 17,
    "sites": 21,
    "actors": 17,
    "sources": 131,
    "claims": 23,
    "reported_tallies": 7,
}


@pytest.fixture(scope="module")
def dataset():
    return load_all()


def _csv_rows(table: str) -> list[dict[str, str]]:
    with (SHIPPED_DATA / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("table", list(TABLES))
def test_row_counts_are_as_observed(dataset, table):
    frame = getattr(dataset, table)
    assert len(frame) == len(_csv_rows(table)) == EXPECTED_ROWS[table]


def test_minimum_sizes_the_foundation_promises(dataset):
    assert len(dataset.incidents) >= 40
    assert len(dataset.political_events) >= 25


def test_incident_dtypes(dataset):
    incidents = load_incidents()
    assert str(incidents["incident_date"].dtype) == "datetime64[ns]"
    assert isinstance(incidents["weapon_type"].dtype, pd.CategoricalDtype)
    assert list(incidents["weapon_type"].cat.categories) == [
        "rocket", "mortar", "drone", "ied", "ballistic_missile", "other_unknown"]
    assert list(incidents["attribution_status"].cat.categories) == [
        "claimed", "attributed", "unattributed"]
    for column in ("projectiles_low", "projectiles_high", "us_killed_count", "us_wounded_count"):
        assert str(incidents[column].dtype) == "Int64"
    assert str(incidents["latitude"].dtype) == "float64"
    assert str(incidents["sources"].dtype) == "string"
    required = ["incident_id", "incident_date", "site_id", "site_name", "latitude", "longitude",
                "weapon_type", "projectiles_low", "projectiles_high", "claimed_by",
                "attributed_to", "attribution_status", "sources"]
    assert set(required) <= set(incidents.columns)


def test_event_and_troop_dtypes():
    events, troops = load_events(), load_troop_levels()
    assert str(events["event_date"].dtype) == "datetime64[ns]"
    assert isinstance(events["category"].dtype, pd.CategoricalDtype)
    assert {"event_id", "event_date", "category", "title", "sources"} <= set(events.columns)
    assert str(troops["date"].dtype) == "datetime64[ns]"
    assert str(troops["troops_count"].dtype) == "Int64"
    assert isinstance(troops["kind"].dtype, pd.CategoricalDtype)
    assert {"date", "troops_count", "kind", "sources"} <= set(troops.columns)


SOURCED = ["incidents", "political_events", "troop_levels", "claims", "reported_tallies"]


@pytest.mark.parametrize("table", SOURCED)
def test_every_row_has_a_readable_source(dataset, table):
    frame = getattr(dataset, table)
    assert frame["source_ids"].notna().all()
    assert (frame["sources"].str.len() > 3).all()


def test_every_cited_source_exists_and_every_source_is_cited(dataset):
    """Checked here with plain Python sets, independently of the validator."""
    source_ids = {row["source_id"] for row in _csv_rows("sources")}
    cited = {item for table in SOURCED
             for row in _csv_rows(table) for item in row["source_ids"].split(";")}
    assert cited <= source_ids
    assert source_ids <= cited, f"sources never cited: {sorted(source_ids - cited)}"


def test_foreign_keys_resolve_independently():
    sites = {row["site_id"] for row in _csv_rows("sites")}
    actors = {row["actor_id"] for row in _csv_rows("actors")}
    for row in _csv_rows("incidents"):
        assert row["site_id"] in sites
        for column in ("claimed_by", "attributed_to"):
            assert not row[column] or row[column] in actors
    for row in _csv_rows("political_events"):
        assert all(a in actors for a in row["actor_ids"].split(";") if a)
    for row in _csv_rows("actors"):
        assert all(a in actors for a in row["umbrella_ids"].split(";") if a)


def test_attribution_is_kept_apart_from_claims(dataset):
    incidents = dataset.incidents
    claimed = incidents["claimed_by"].notna()
    attributed = ~claimed & incidents["attributed_to"].notna()
    assert (incidents.loc[claimed, "attribution_status"] == "claimed").all()
    assert (incidents.loc[attributed, "attribution_status"] == "attributed").all()
    assert incidents.loc[attributed, "attributed_by"].notna().all()
    assert set(incidents["attribution_status"]) == {"claimed", "attributed", "unattributed"}


def test_ain_al_asad_rocket_of_2021_05_24():
    incidents = load_incidents()
    row = incidents[(incidents["incident_date"] == "2021-05-24")
                    & (incidents["site_id"] == "ain-al-asad")]
    assert len(row) == 1
    row = row.iloc[0]
    assert row["incident_time_local"] == "13:35"
    assert row["weapon_type"] == "rocket"
    assert (row["projectiles_low"], row["projectiles_high"]) == (1, 1)
    for group in ("us", "coalition", "contractors", "iraqi"):
        assert row[f"{group}_killed_count"] == 0
        assert row[f"{group}_wounded_count"] == 0
    assert "Marotto" in row["sources"]


def test_january_2021_reduction_as_the_seed_report_states_it():
    troops = load_troop_levels()
    row = troops[(troops["date"] == "2021-01-01") & (troops["previous_troops_count"] == 3500)]
    assert len(row) == 1
    row = row.iloc[0]
    assert row["troops_count"] == 2500
    assert row["kind"] == "reported"
    assert "Situation report" in row["sources"]


def test_pentagon_about_3000_for_late_2020():
    troops = load_troop_levels()
    late_2020 = troops[(troops["date"] >= "2020-09-01") & (troops["date"] <= "2020-12-31")
                       & (troops["troops_count"] == 3000) & (troops["kind"] == "reported")]
    assert len(late_2020) >= 1
    assert (late_2020["troops_qualifier"] == "about").any()
    assert late_2020["sources"].str.len().gt(0).all()


def test_camp_taji_disagreement_is_in_the_data():
    incidents, claims = load_incidents(), load_claims()
    taji = incidents[(incidents["incident_date"] == "2020-03-11")
                     & (incidents["site_id"] == "camp-taji")].iloc[0]
    assert (taji["projectiles_low"], taji["projectiles_high"]) == (10, 18)
    counts = claims[(claims["record_id"] == taji["incident_id"])
                    & (claims["field_name"] == "projectiles")]
    assert sorted(counts["claimed_value"].astype(int)) == [10, 15, 18]
    assert counts["sources"].str.len().gt(0).all()


def test_dialogue_round_numbering_disagreement_is_in_the_data():
    events, claims = load_events(), load_claims()
    april = events[(events["event_date"] == "2021-04-07")
                   & (events["category"] == "strategic_dialogue")].iloc[0]
    assert april["dialogue_round"] == 3
    rounds = claims[(claims["record_id"] == april["event_id"])
                    & (claims["field_name"] == "dialogue_round")]
    assert set(rounds["claimed_value"].astype(int)) == {3, 4}
    fourth = rounds[rounds["claimed_value"] == "4"]
    assert fourth["sources"].str.contains("Situation report").all()


def test_troop_level_disagreement_before_the_cut_is_in_the_data():
    claims = load_claims()
    troop_claims = claims[(claims["record_table"] == "troop_levels")
                          & (claims["field_name"] == "troops_count")]
    by_record = troop_claims.groupby("record_id")["claimed_value"].apply(set)
    assert any({"3000", "3500"} <= values for values in by_record)


def test_incidents_sit_in_the_coverage_period_and_are_mostly_in_iraq(dataset):
    incidents = dataset.incidents
    assert incidents["incident_date"].min() >= pd.Timestamp("2019-10-01")
    assert incidents["incident_date"].max() <= pd.Timestamp("2024-09-30")
    assert (incidents["country"] == "Iraq").mean() > 0.9
    assert set(incidents["country"]) <= {"Iraq", "Syria", "Jordan"}


def test_coordinates_are_filled_from_the_gazetteer(dataset):
    incidents, sites = dataset.incidents, load_sites()
    from_site = incidents[incidents["coordinates_source"] == "site"]
    merged = from_site.merge(sites, on="site_id", suffixes=("", "_site"))
    assert len(merged) == len(from_site) > 0
    assert (merged["latitude"] == merged["latitude_site"]).all()
    # coordinates, where present, fall in or near Iraq, Syria and Jordan
    located = incidents.dropna(subset=["latitude"])
    assert located["latitude"].between(29, 38).all()
    assert located["longitude"].between(35, 49).all()


def test_actor_umbrellas_as_the_issue_describes(dataset):
    actors = load_actors().set_index("actor_id")
    assert "ircc" in actors.loc["kataib-hezbollah", "umbrella_ids"].split(";")
    assert actors.loc["ircc", "actor_kind"] == "umbrella"


def test_every_category_column_holds_only_dictionary_codes(dataset):
    for table in TABLES.values():
        frame = getattr(dataset, table.name)
        for name in table.columns:
            if FIELDS[name].allowed is not None:
                values = set(frame[name].dropna().astype(str))
                assert values <= set(FIELDS[name].allowed), (table.name, name)


def test_reported_tallies_hold_the_sourced_running_counts():
    tallies = load_all().reported_tallies.set_index("tally_id")
    september = tallies.loc["2020-09-iraq-washington-post"]
    assert (september["attacks_count"], september["tally_scope"]) == (25, "iraq")
    assert "Washington Post" in september["sources"]
    pentagon = tallies.loc["2023-10-17-to-11-09-pentagon"]
    assert (pentagon["iraq_attacks_count"], pentagon["syria_attacks_count"]) == (24, 22)
    # the Iraq and Syria figures given never exceed an exact total
    exact = tallies[tallies["count_qualifier"] == "exact"]
    assert (exact["iraq_attacks_count"].fillna(0) + exact["syria_attacks_count"].fillna(0)
            <= exact["attacks_count"]).all()
