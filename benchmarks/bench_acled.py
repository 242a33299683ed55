"""Benchmark: a million-row ACLED export through the importer, side by side with DuckDB.

Writes a synthetic export (``acled_synthetic.py``: made-up rows in ACLED's 2023 column set,
dates like ``01 November 2024``, a Middle East mix where Iraq is about one row in seven) to a
temporary folder, then times, each in a fresh Python process and ``--repeat`` times
(interleaved, the median kept; default 5):

- ``duckdb``: one SQL query doing the same work straight from the CSV: keep Iraq's rows, parse
  the dates and coordinates, drop unreadable and repeated rows, apply the selection rules
  (the same RE2 patterns, stems, bases and radii, from :mod:`sitrep_analysis.acled.select`'s
  ``SELECTION_TABLE``), count attacks per week;
- ``sitrep``: :func:`read_acled` (no cache) + :func:`select_attacks` + the workbook's
  :func:`~sitrep_analysis.analysis.attack_counts` by week,
  which also words a reason for every candidate row and collects every rejected row;
- ``sitrep import``: the whole :func:`import_acled` (mapping, matching, writing and
  validating the data directory, no cache);
- ``load, cold`` and ``load, cached``: :func:`read_acled` with an empty cache folder (it parses
  and writes the cache), then again (it reads the cache).

Both engines must give the same weekly counts, or the benchmark fails. Times are measured
inside each process around the work only (imports excluded). Peak memory is the process's
resident high-water mark (``VmHWM``, as ``ru_maxrss`` reports it for a process not started
by a larger one): everything the process touched, Arrow's and DuckDB's own allocators
included, which tracemalloc (Python's allocations only) would miss. The interpreter and
imports are in it; ``baseline`` shows them.

Run with ``python benchmarks/bench_acled.py [--rows N] [--repeat N]``; it is not a test and
asserts no timing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from sitrep_analysis import acled  # noqa: E402
from sitrep_analysis.analysis import attack_counts  # noqa: E402
from sitrep_analysis.columns import COVERAGE_END, COVERAGE_START  # noqa: E402
from sitrep_analysis.parse import in_coverage_period  # noqa: E402


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def duckdb_query(path: Path, country: str = "Iraq") -> str:
    """The importer's read, checks, selection and weekly count as one DuckDB query, built from
    the importer's own patterns and the shipped gazetteer."""
    from sitrep_analysis import load_sites

    sites = load_sites()
    names = acled.site_name_patterns(sites)
    any_name = "(?i)(?:" + "|".join(p.replace("(?i)", "") for p in names.values()) + ")"
    points = acled.base_sites(sites)
    radius = acled.EARTH_RADIUS_KM
    near = " OR ".join(
        f"2 * {radius} * asin(sqrt(pow(sin(radians({p.latitude} - lat) / 2), 2) + "
        f"cos(radians(lat)) * cos(radians({p.latitude})) * "
        f"pow(sin(radians({p.longitude} - lon) / 2), 2))) <= {p.radius_km}"
        for p in points.itertuples())
    formats = ", ".join(_sql_text(f) for f in ("%Y-%m-%d", "%d %B %Y", "%d-%b-%y", "%d-%m-%y",
                                               "%d-%b-%Y", "%d-%m-%Y"))
    attack_types = ", ".join(_sql_text(t) for t in acled.ATTACK_EVENT_TYPES)
    indirect = ", ".join(_sql_text(t) for t in acled.INDIRECT_FIRE)
    state = ", ".join(_sql_text(t) for t in (*acled.STATE_INTER, "1", "8"))
    coalition = _sql_text(acled.COALITION_ACTOR)
    return f"""
    WITH raw AS (
        SELECT event_id_cnty, event_date, year, event_type, sub_event_type, actor1,
               assoc_actor_1, inter1, actor2, assoc_actor_2, location, latitude, longitude,
               geo_precision, notes, fatalities
        FROM read_csv({_sql_text(str(path))}, header = true, all_varchar = true)
        WHERE country = {_sql_text(country)}
    ), typed AS (
        SELECT *, try_strptime(event_date, [{formats}])::DATE AS d,
               TRY_CAST(year AS INTEGER) AS y, TRY_CAST(latitude AS DOUBLE) AS lat,
               TRY_CAST(longitude AS DOUBLE) AS lon, TRY_CAST(fatalities AS INTEGER) AS fat
        FROM raw
    ), valid AS (
        SELECT * FROM typed
        WHERE regexp_full_match(event_id_cnty, '[A-Z]{{3}}[0-9]+') AND d IS NOT NULL
          AND year(d) = y AND abs(lat) <= 90 AND abs(lon) <= 180 AND fat >= 0
        QUALIFY row_number() OVER (PARTITION BY event_id_cnty) = 1
    ), rules AS (
        SELECT *,
            coalesce(regexp_matches(actor2, {coalition})
                     OR regexp_matches(assoc_actor_2, {coalition}), false) AS by_actor,
            coalesce(regexp_matches(notes, {_sql_text(acled.US_COALITION_NOTES)})
                     OR regexp_matches(notes, {_sql_text(any_name)})
                     OR regexp_matches(location, {_sql_text(any_name)}), false) AS by_notes,
            coalesce(sub_event_type IN ({indirect}) AND coalesce(geo_precision, '') <> '3'
                     AND ({near}), false) AS by_distance
        FROM valid
    )
    SELECT date_trunc('week', d) AS week_start, count(*) AS attacks_count
    FROM rules
    WHERE (by_actor OR by_notes OR by_distance)
      AND (event_type IN ({attack_types})
           OR (event_type = {_sql_text(acled.DISRUPTED[0])}
               AND sub_event_type = {_sql_text(acled.DISRUPTED[1])}
               AND coalesce(regexp_matches(notes, {_sql_text(acled.INTERCEPTED)}), false)))
      AND NOT coalesce(regexp_matches(actor1, {coalition})
                       OR regexp_matches(assoc_actor_1, {coalition}), false)
      AND NOT coalesce(regexp_matches(actor1, {_sql_text(acled.ISLAMIC_STATE_ACTOR)}), false)
      AND NOT (by_distance AND NOT by_actor AND NOT by_notes
               AND (inter1 IN ({state})
                    OR coalesce(regexp_matches(actor1, {_sql_text(acled.STATE_ACTOR)}), false))
               AND NOT coalesce(regexp_matches(actor1, {_sql_text(acled.IRANIAN_ACTOR)}),
                                false))
      AND d BETWEEN DATE '{COVERAGE_START}' AND DATE '{COVERAGE_END}'
    GROUP BY week_start ORDER BY week_start
    """


# --- one measurement, in its own process ---------------------------------------------------------

def _peak_mb() -> float:
    """This process's peak resident memory: ``VmHWM`` of /proc/self/status, which restarts
    at exec (``ru_maxrss`` keeps the parent's peak across fork and exec on Linux, so a small
    worker started by a large parent would report the parent's), else ``ru_maxrss``."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(task: str, path: Path, scratch: Path) -> dict:
    """Run one task once; return its seconds, peak memory and weekly counts."""
    from sitrep_analysis import load_sites

    weeks: dict[str, int] = {}
    if task == "baseline":  # what every task's process holds before its work
        import duckdb

        duckdb.connect()
        load_sites()
        return {"seconds": 0.0, "peak_mb": _peak_mb(), "weeks": weeks}
    if task == "duckdb":
        import duckdb

        connection = duckdb.connect()
        query = duckdb_query(path)
        started = time.perf_counter()
        rows = connection.execute(query).fetchall()
        seconds = time.perf_counter() - started
        weeks = {f"{week:%Y-%m-%d}": count for week, count in rows}
    elif task == "sitrep":
        sites = load_sites()
        started = time.perf_counter()
        export = acled.read_acled(path, use_cache=False)
        report = acled.select_attacks(export, sites)
        kept = report.loc[report["selected"] & in_coverage_period(report["event_date"]),
                          ["event_date"]].rename(columns={"event_date": "incident_date"})
        counts = attack_counts(kept, freq="W")
        seconds = time.perf_counter() - started
        weeks = {f"{week:%Y-%m-%d}": int(n) for week, n in
                 zip(counts["period_start"], counts["attacks_count"], strict=True) if n}
    elif task == "import":
        load_sites()
        started = time.perf_counter()
        acled.import_acled(path, out_dir=scratch / f"import-{os.getpid()}", use_cache=False)
        seconds = time.perf_counter() - started
    elif task in ("cold", "cached"):
        started = time.perf_counter()
        export = acled.read_acled(path, cache_dir=scratch / "cache")
        seconds = time.perf_counter() - started
        assert export.from_cache == (task == "cached"), f"{task}: from_cache is wrong"
    else:
        raise ValueError(task)
    return {"seconds": seconds, "peak_mb": _peak_mb(), "weeks": weeks}


def measure(task: str, path: Path, scratch: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--worker", task, "--file", str(path), "--scratch",
         str(scratch)], capture_output=True, text=True, check=False)
    if completed.returncode:
        raise SystemExit(f"{task} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--iraq-only", action="store_true",
                        help="make every row Iraq's (the importer's worst case)")
    parser.add_argument("--file", type=Path, help="an existing export to use instead")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.file, args.scratch)))
        return
    with tempfile.TemporaryDirectory(prefix="sitrep-acled-bench-") as folder:
        scratch = Path(folder)
        path = args.file
        if path is None:  # written by a child process, so this one stays small
            path = scratch / "acled_synthetic.csv"
            started = time.perf_counter()
            subprocess.run([sys.executable, str(HERE / "acled_synthetic.py"), str(path),
                            "--rows", str(args.rows), *(["--iraq-only"] * args.iraq_only)],
                           check=True, stdout=subprocess.DEVNULL)
            print(f"generated {args.rows:,} synthetic rows ({path.stat().st_size / 1e6:.0f} MB)"
                  f" in {time.perf_counter() - started:.1f} s")
        rows = sum(1 for _ in path.open("rb")) - 1
        results: dict[str, list[dict]] = {}
        baseline = measure("baseline", path, scratch)
        for _ in range(args.repeat):
            for task in ("duckdb", "sitrep", "import"):
                results.setdefault(task, []).append(measure(task, path, scratch))
            cache = scratch / "cache"
            for entry in cache.glob("*") if cache.exists() else []:
                entry.unlink()
            for task in ("cold", "cached"):
                results.setdefault(task, []).append(measure(task, path, scratch))
        report(results, baseline, rows)


def report(results: dict[str, list[dict]], baseline: dict, rows: int) -> None:
    weeks_duckdb, weeks_sitrep = results["duckdb"][0]["weeks"], results["sitrep"][0]["weeks"]
    if weeks_duckdb != weeks_sitrep:
        differing = sorted(k for k in set(weeks_duckdb) | set(weeks_sitrep)
                           if weeks_duckdb.get(k) != weeks_sitrep.get(k))
        raise SystemExit(f"DuckDB and sitrep disagree on {len(differing)} weeks, e.g. "
                         + ", ".join(f"{k}: {weeks_duckdb.get(k)} vs {weeks_sitrep.get(k)}"
                                     for k in differing[:5]))
    seconds = {task: statistics.median(r["seconds"] for r in runs)
               for task, runs in results.items()}
    peak = {task: max(r["peak_mb"] for r in runs) for task, runs in results.items()}
    labels = {"duckdb": "DuckDB, same work", "sitrep": "sitrep read+select+weekly",
              "import": "sitrep import (whole)", "cold": "load, cold (+ cache write)",
              "cached": "load, cached"}
    print(f"{rows:,} rows; {sum(weeks_sitrep.values()):,} attacks selected in "
          f"{len(weeks_sitrep)} weeks, identical weekly counts in DuckDB and sitrep")
    print(f"{'':28} {'median s':>9} {'x DuckDB':>9} {'rows/s':>12} {'peak MB':>8}")
    for task, label in labels.items():
        ratio = seconds[task] / seconds["duckdb"]
        print(f"{label:28} {seconds[task]:9.3f} {ratio:9.2f} {rows / seconds[task]:12,.0f} "
              f"{peak[task]:8.0f}")
    print(f"{'baseline (interpreter, imports)':28} {'':9} {'':9} {'':12} "
          f"{baseline['peak_mb']:8.0f}")
    print(f"read+select+weekly / DuckDB: {seconds['sitrep'] / seconds['duckdb']:.2f}x "
          f"(goal <= 1.5x); cached load / cold load: {seconds['cached'] / seconds['cold']:.2f}x "
          f"(goal <= 0.2x)")


if __name__ == "__main__":
    main()
