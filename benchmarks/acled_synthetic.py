"""A synthetic ACLED export of any size, for the import benchmark (never real ACLED data).

ACLED's terms forbid shipping an export, and a benchmark needs a million rows: this module
writes a made-up file in ACLED's layout (either column set, any of its date formats) that looks
like a Middle East regional export: Iraq is about one row in seven, next to Syria, Yemen,
Israel and Palestine, Lebanon, Turkey, Iran and Jordan. Iraq's rows mix what a real export
holds: attacks on bases hosting US-led coalition forces (coded by actor, by notes, or only at a
town near the base), convoy IEDs, US strikes, Iraqi operations against IS, Turkish strikes on
the PKK, protests (some at the US embassy), and a few unreadable rows.

Every row is built from one of a few thousand prototypes (scenario x place x count) and a
random date, with NumPy and pyarrow doing the per-row work, so a million rows take seconds.
Run ``python benchmarks/acled_synthetic.py OUT.csv [--rows N]`` to write one by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

NEW_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
]
OLD_COLUMNS = [
    "data_id", "iso", "event_id_cnty", "event_id_no_cnty", "event_date", "year",
    "time_precision", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1",
    "actor2", "assoc_actor_2", "inter2", "interaction", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "timestamp", "iso3",
]

INTER = {"State forces": 1, "Rebel group": 2, "Political militia": 3, "Identity militia": 4,
         "Rioters": 5, "Protesters": 6, "Civilians": 7, "External/Other forces": 8}

#: country -> (ISO3, ISO numeric, share of rows)
COUNTRIES = {
    "Syria": ("SYR", 760, 0.33), "Yemen": ("YEM", 887, 0.22), "Iraq": ("IRQ", 368, 0.15),
    "Palestine": ("PSE", 275, 0.10), "Israel": ("ISR", 376, 0.04), "Lebanon": ("LBN", 422, 0.06),
    "Turkey": ("TUR", 792, 0.05), "Iran": ("IRN", 364, 0.04), "Jordan": ("JOR", 400, 0.01),
}

#: Made-up Iraqi places: (location, admin1, latitude, longitude). The first ones lie at or
#: near bases of the project's gazetteer; ACLED codes base attacks at such places.
IRAQ_BASE_PLACES = [
    ("Ain Assad Air Base", "Al Anbar", 33.7928, 42.4421),
    ("Al Baghdadi", "Al Anbar", 33.8514, 42.5487),
    ("Baghdad - Karkh", "Baghdad", 33.3100, 44.3800),
    ("Baghdad International Airport", "Baghdad", 33.2625, 44.2346),
    ("Taji", "Baghdad", 33.5200, 44.2600),
    ("Balad", "Salah al-Din", 33.9400, 44.3600),
    ("Erbil International Airport", "Erbil", 36.2376, 43.9632),
    ("Harir", "Erbil", 36.5400, 44.3500),
]
IRAQ_TOWNS = [
    ("Ramadi", "Al Anbar", 33.4258, 43.2994), ("Fallujah", "Al Anbar", 33.3500, 43.7833),
    ("Hit", "Al Anbar", 33.6416, 42.8251), ("Mosul", "Ninewa", 36.3350, 43.1189),
    ("Tuz Khurmatu", "Salah al-Din", 34.8881, 44.6325), ("Samarra", "Salah al-Din", 34.1983,
                                                          43.8742),
    ("Kirkuk", "Kirkuk", 35.4681, 44.3922), ("Baqubah", "Diyala", 33.7466, 44.6437),
    ("Khanaqin", "Diyala", 34.3480, 45.3914), ("Basrah", "Basrah", 30.5085, 47.7804),
    ("Safwan", "Basrah", 30.1100, 47.7200), ("Nasiriyah", "Thi-Qar", 31.0439, 46.2573),
    ("Diwaniyah", "Al-Qadisiyah", 31.9929, 44.9250), ("Samawah", "Al-Muthanna", 31.3099,
                                                        45.2806),
    ("Sinjar", "Ninewa", 36.3209, 41.8767), ("Amadiya", "Duhok", 37.0925, 43.4877),
    ("Yusufiyah", "Baghdad", 33.0600, 44.2400), ("Sadr City", "Baghdad", 33.3914, 44.4536),
]
OTHER_TOWNS = {
    "Syria": [("Idlib", "Idleb", 35.9306, 36.6339), ("Deir ez-Zor", "Deir ez Zor", 35.3359,
                                                                         40.1408),
              ("Aleppo", "Aleppo", 36.2021, 37.1343), ("Daraa", "Dara", 32.6189, 36.1021)],
    "Yemen": [("Marib", "Marib", 15.4629, 45.3253), ("Taizz", "Taizz", 13.5795, 44.0209),
              ("Al Hudaydah", "Al Hudaydah", 14.7978, 42.9545)],
    "Palestine": [("Gaza City", "Gaza Strip", 31.5017, 34.4668), ("Jenin", "West Bank",
                                                                     32.4608, 35.2950)],
    "Israel": [("Sderot", "HaDarom", 31.5250, 34.5969)],
    "Lebanon": [("Aitaroun", "Nabatiye", 33.1167, 35.4667)],
    "Turkey": [("Cukurca", "Hakkari", 37.2467, 43.6139)],
    "Iran": [("Zahedan", "Sistan and Baluchestan", 29.4963, 60.8629)],
    "Jordan": [("Ar Ruwayshid", "Al Mafraq", 32.5069, 38.1989)],
}

US = "Military Forces of the United States (2017-2021)"
IRAQ_ARMY = "Military Forces of Iraq (2018-2020)"
UNIDENTIFIED = "Unidentified Armed Group (Iraq)"
OUTLETS = ["Shafaq News", "Rudaw", "Reuters", "Xinhua", "Kurdistan 24", "Al Sumaria",
           "Twitter", "Baghdad Today", "AFP"]

# (weight, event_type, sub_event_type, actor1, inter1, assoc_actor_1, actor2, inter2,
#  assoc_actor_2, places, notes tail ({n} count, {place} location), fatalities range)
IRAQ_SCENARIOS = [
    (1.5, "Explosions/Remote violence", "Shelling/artillery/missile attack", UNIDENTIFIED,
     "Political militia", "", "", "", "", "base",
     "{n} Katyusha rockets were fired at {place}, which hosts US-led coalition forces. No "
     "casualties were reported.", (0, 0)),
    (1, "Explosions/Remote violence", "Air/drone strike", "Islamic Resistance in Iraq",
     "Political militia", "", US, "External/Other forces", "", "base",
     "a drone attack targeted US forces at {place}. The Islamic Resistance in Iraq claimed the "
     "attack. No casualties were reported.", (0, 0)),
    (1, "Explosions/Remote violence", "Shelling/artillery/missile attack", UNIDENTIFIED,
     "Political militia", "", "", "", "", "base",
     "{n} rockets landed near {place}. No casualties or damage were reported.", (0, 0)),
    (1, "Explosions/Remote violence", "Remote explosive/landmine/IED", UNIDENTIFIED,
     "Political militia", "", "Civilians (Iraq)", "Civilians", "", "town",
     "an IED exploded targeting a convoy transporting logistical supplies for the "
     "international coalition near {place}. No casualties were reported.", (0, 0)),
    (0.5, "Explosions/Remote violence", "Air/drone strike", US, "External/Other forces", "",
     "Kataib Hezbollah", "Political militia", "", "town",
     "US forces conducted airstrikes on Kataib Hezbollah sites near {place}. {n} members were "
     "killed.", (1, 5)),
    (20, "Battles", "Armed clash", IRAQ_ARMY, "State forces", "", "Islamic State (Iraq)",
     "Rebel group", "", "town",
     "Iraqi army forces clashed with IS militants near {place}. {n} IS militants were "
     "killed.", (0, 6)),
    (10, "Explosions/Remote violence", "Remote explosive/landmine/IED", "Islamic State (Iraq)",
     "Rebel group", "", IRAQ_ARMY, "State forces", "", "town",
     "an IED planted by IS exploded targeting an Iraqi army patrol near {place}, wounding {n} "
     "soldiers.", (0, 2)),
    (6, "Explosions/Remote violence", "Air/drone strike", "Military Forces of Turkey (2016-)",
     "External/Other forces", "", "PKK: Kurdistan Workers Party", "Rebel group", "", "town",
     "a Turkish drone struck a vehicle of PKK fighters near {place}. {n} PKK members were "
     "killed.", (1, 3)),
    (2, "Explosions/Remote violence", "Shelling/artillery/missile attack", IRAQ_ARMY,
     "State forces", "", "Islamic State (Iraq)", "Rebel group", "", "base",
     "Iraqi army artillery shelled IS hideouts near {place}. No fatalities were reported.",
     (0, 0)),
    (25, "Protests", "Peaceful protest", "Protesters (Iraq)", "Protesters", "", "", "", "",
     "town", "around {n}00 people demonstrated in {place} to demand jobs and better public "
     "services.", (0, 0)),
    (1, "Protests", "Peaceful protest", "Protesters (Iraq)", "Protesters", "", "", "", "",
     "town", "supporters of PMF factions protested in {place} against the presence of "
     "American forces and demanded the closure of the US embassy.", (0, 0)),
    (8, "Strategic developments", "Looting/property destruction", "Police Forces of Iraq "
     "(2018-2020)", "State forces", "", "", "", "", "town",
     "Iraqi police seized {n} rocket launchers and ammunition in {place}.", (0, 0)),
    (6, "Violence against civilians", "Attack", UNIDENTIFIED, "Political militia", "",
     "Civilians (Iraq)", "Civilians", "", "town",
     "gunmen shot dead an activist in {place}.", (1, 1)),
]
OTHER_SCENARIOS = [
    (5, "Battles", "Armed clash", "Military Forces of {country}", "State forces",
     "Rebel forces", "Rebel group", "government forces clashed with rebels near {place}. {n} "
     "fighters were killed."),
    (4, "Explosions/Remote violence", "Shelling/artillery/missile attack",
     "Military Forces of {country}", "State forces", "Rebel forces", "Rebel group",
     "government artillery shelled rebel positions in {place}. No fatalities were reported."),
    (3, "Protests", "Peaceful protest", "Protesters ({country})", "Protesters", "", "",
     "around {n}00 people protested in {place} against rising prices."),
    (2, "Explosions/Remote violence", "Air/drone strike", "Unidentified Military Forces",
     "External/Other forces", "Civilians ({country})", "Civilians",
     "an air strike hit a house in {place}, killing {n} civilians."),
]


def _prototypes(rng: np.random.Generator,
                iraq_only: bool = False) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """A table of concrete rows without date or id, their country codes and weights."""
    rows: list[dict] = []
    weights: list[float] = []
    country_share = {name: float(name == "Iraq") if iraq_only else share
                     for name, (_, _, share) in COUNTRIES.items()}
    iraq_total = sum(s[0] for s in IRAQ_SCENARIOS)
    for scenario in IRAQ_SCENARIOS:
        (weight, event_type, sub, actor1, inter1, assoc1, actor2, inter2, assoc2, places,
         tail, deaths) = scenario
        pool = IRAQ_BASE_PLACES if places == "base" else IRAQ_TOWNS
        for place in pool:
            for n in range(1, 11):
                rows.append(_row("Iraq", event_type, sub, actor1, inter1, assoc1, actor2,
                                 inter2, assoc2, place, tail.format(n=n, place=place[0]),
                                 int(rng.integers(deaths[0], deaths[1] + 1)), rng))
                weights.append(country_share["Iraq"] * weight / iraq_total / len(pool) / 10)
    other_total = sum(s[0] for s in OTHER_SCENARIOS)
    for country, towns in OTHER_TOWNS.items():
        for weight, event_type, sub, actor1, inter1, actor2, inter2, tail in OTHER_SCENARIOS:
            for place in towns:
                for n in range(1, 11):
                    rows.append(_row(country, event_type, sub, actor1.format(country=country),
                                     inter1, "", actor2.format(country=country), inter2, "",
                                     place, tail.format(n=n, place=place[0]),
                                     n if "killed" in tail or "killing" in tail else 0, rng))
                    weights.append(country_share[country] * weight / other_total / len(towns)
                                   / 10)
    table = pa.Table.from_pylist(rows)
    weights_array = np.array(weights)
    return table, np.array([r["country"] for r in rows]), weights_array / weights_array.sum()


def _row(country, event_type, sub, actor1, inter1, assoc1, actor2, inter2, assoc2, place,
         notes, fatalities, rng) -> dict:
    location, admin1, latitude, longitude = place
    outlets = rng.choice(OUTLETS, size=int(rng.integers(1, 3)), replace=False)
    disorder = "Demonstrations" if event_type == "Protests" else "Political violence"
    return {
        "disorder_type": disorder, "event_type": event_type, "sub_event_type": sub,
        "actor1": actor1, "assoc_actor_1": assoc1, "inter1": inter1, "actor2": actor2,
        "assoc_actor_2": assoc2, "inter2": inter2,
        "interaction": f"{inter1}-{inter2}" if inter2 else f"{inter1} only",
        "interaction_code": 10 * INTER[inter1] + (INTER[inter2] if inter2 else 0),
        "civilian_targeting": "Civilian targeting" if inter2 == "Civilians" else "",
        "iso": COUNTRIES[country][1], "region": "Middle East", "country": country,
        "admin1": admin1, "admin2": admin1, "admin3": "", "location": location,
        "latitude": f"{latitude:.4f}", "longitude": f"{longitude:.4f}",
        "geo_precision": 1, "source": "; ".join(outlets),
        "source_scale": "National" if len(outlets) == 1 else "National-International",
        "notes": notes, "fatalities": fatalities, "tags": "",
    }


def synthetic_export(rows: int = 1_000_000, *, seed: int = 7, date_format: str = "%d %B %Y",
                     layout: str = "2023", broken_every: int = 20_000,
                     iraq_only: bool = False) -> pa.Table:
    """A made-up ACLED export as an Arrow table of text columns, in ACLED's column order.

    ``layout`` is ``"2023"`` (the column set used from 2023-03-20) or ``"pre-2023"``;
    ``date_format`` any strftime format, e.g. ``"%Y-%m-%d"`` or ``"%d %B %Y"``. One row in
    ``broken_every`` gets an impossible date or a missing coordinate. ``iraq_only`` makes every
    row Iraq's (the worst case for the importer: nothing is left out by the country).
    """
    rng = np.random.default_rng(seed)
    prototypes, countries, weights = _prototypes(rng, iraq_only)
    pick = rng.choice(len(weights), size=rows, p=weights)
    table = prototypes.take(pa.array(pick))
    first, last = dt.date(2016, 1, 1), dt.date(2024, 12, 31)
    days = rng.integers(0, (last - first).days + 1, size=rows)
    dates = np.datetime64(first) + days.astype("timedelta64[D]")
    date_values = pa.array(dates)
    date_text = pc.strftime(date_values, format=date_format)
    long_text = pc.strftime(date_values, format="%d %B %Y")
    year = pc.cast(pc.year(date_values), pa.string())
    iso3 = np.array([COUNTRIES[c][0] for c in COUNTRIES])
    codes = {c: i for i, c in enumerate(COUNTRIES)}
    country_index = np.vectorize(codes.__getitem__)(countries[pick])
    numbers = pc.cast(pa.array(np.arange(1, rows + 1) + 10_000), pa.string())
    event_id = pc.binary_join_element_wise(pa.array(iso3[country_index]), numbers, "")
    notes = pc.binary_join_element_wise("On ", long_text, ", ", table["notes"], "")
    columns = {name: table[name] for name in table.column_names}
    columns.update(event_id_cnty=event_id, event_date=date_text, year=year, notes=notes,
                   time_precision=pa.array(np.ones(rows, dtype=np.int8)),
                   timestamp=pa.array(rng.integers(1_600_000_000, 1_700_000_000, size=rows)))
    if broken_every:
        broken = np.arange(broken_every // 2, rows, broken_every)
        bad_dates = np.array(pc.cast(columns["event_date"], pa.string()).to_numpy(
            zero_copy_only=False), dtype=object)
        bad_dates[broken[::2]] = "31 February 2020"
        latitudes = np.array(columns["latitude"].to_numpy(), dtype=object)
        latitudes[broken[1::2]] = ""
        columns["event_date"], columns["latitude"] = pa.array(bad_dates), pa.array(latitudes)
    if layout == "2023":
        return pa.table({name: columns[name] for name in NEW_COLUMNS})
    columns.update(data_id=pa.array(np.arange(rows) + 7_000_000),
                   event_id_no_cnty=numbers, iso3=pa.array(iso3[country_index]),
                   inter1=pa.array([INTER[v] for v in columns["inter1"].to_pylist()]),
                   inter2=pa.array([INTER.get(v) for v in columns["inter2"].to_pylist()]),
                   interaction=columns["interaction_code"])
    return pa.table({name: columns[name] for name in OLD_COLUMNS})


def write_synthetic_export(path: str | Path, rows: int = 1_000_000, **options) -> Path:
    """Write :func:`synthetic_export` as CSV (quoted only where needed, like ACLED's files)."""
    path = Path(path)
    table = synthetic_export(rows, **options)
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--date-format", default="%d %B %Y")
    parser.add_argument("--layout", choices=["2023", "pre-2023"], default="2023")
    parser.add_argument("--iraq-only", action="store_true", help="every row in Iraq")
    args = parser.parse_args()
    write_synthetic_export(args.path, args.rows, date_format=args.date_format,
                           layout=args.layout, iraq_only=args.iraq_only)
    print(f"wrote {args.path} ({args.path.stat().st_size / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
