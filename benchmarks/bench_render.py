"""Rendering benchmark: every figure a ratio against a baseline measured in the same run.

Run by ``make bench``. Each render goes through the command a user or cron runs (``sitrep
render`` / ``sitrep schedule`` in a fresh process), so start-up, imports, kernel start,
Papermill and nbconvert are all inside every timing, baseline included. Ratios, not seconds,
are the figures to compare between machines; seconds are printed to show what was measured.

1. full report / trivial notebook: ``notebooks/01_attack_tempo.ipynb`` with its defaults
   against a notebook of one ``parameters`` cell holding ``answer = 42``, through the same
   path (median of ``--repeats`` runs each, interleaved so drift hits both). Goal <= 1.5x.
2. batch of 6 / 6 single renders: ``sitrep schedule --force`` of six reports (the three
   notebooks, two parameter sets each) against the same six through ``sitrep render`` one
   after the other. Goal <= 0.6x.
3. re-render with nothing changed / one render: ``sitrep schedule`` again over the same six
   (median of five) against the median full-report render of (1). Goal <= 0.05x.
4. HTML bytes against plotly.min.js: each standard report's size minus the size of the
   plotly.min.js it inlines. Goal: at most 500 KB more.
5. ``sitrep render`` / plain ``papermill`` then ``jupyter nbconvert --to html --no-input``:
   the full report through both (median of ``--repeats``, interleaved), each in fresh
   processes as a user would type them. Goal: <= 1.0x (the workbook's path keeps its lead).
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

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SITREP = str(BIN / "sitrep")
NOTEBOOKS = ROOT / "notebooks"
FULL_REPORT = NOTEBOOKS / "01_attack_tempo.ipynb"

#: The batch: three notebooks, two parameter sets each.
BATCH = [
    ("tempo_all", "01_attack_tempo.ipynb", {}),
    ("tempo_2020", "01_attack_tempo.ipynb",
     {"start_date": "2020-01-01", "end_date": "2020-12-31", "freq": "M"}),
    ("events_2020_2021", "02_event_study.ipynb", {"window_days": 30}),
    ("events_strikes", "02_event_study.ipynb",
     {"event_categories": ["us_strike", "iranian_strike"], "window_days": 14}),
    ("profile_ain_al_asad", "03_profile.ipynb", {"site_id": "ain-al-asad"}),
    ("profile_erbil", "03_profile.ipynb", {"site_id": "erbil-airport"}),
]
GOALS = {"full_vs_trivial": 1.5, "batch_vs_singles": 0.6, "unchanged_vs_render": 0.05,
         "extra_kb": 500, "sitrep_vs_plain": 1.0}


def run(command: list[str]) -> float:
    """Seconds taken by ``command``; a failure stops the benchmark with its output."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"benchmark command failed ({done.returncode}): {' '.join(command)}\n"
                 f"{done.stdout}\n{done.stderr}")
    return seconds


def trivial_notebook(folder: Path) -> Path:
    """A notebook of one cell, tagged ``parameters``, with one assignment."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("answer = 42")
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [cell]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    path = folder / "trivial.ipynb"
    nbformat.write(notebook, path)
    return path


def render_command(notebook: Path, output: Path, parameters: dict[str, object]) -> list[str]:
    command = [SITREP, "render", str(notebook), "-o", str(output)]
    for name, value in parameters.items():
        text = json.dumps(value) if isinstance(value, list) else str(value)
        command += ["-p", name, text]
    return command


def batch_config(folder: Path) -> Path:
    """A reports config listing :data:`BATCH`, written as TOML by hand (no writer needed)."""
    lines = ['output_dir = "batch"', ""]
    for name, notebook, parameters in BATCH:
        lines += ["[[reports]]", f'name = "{name}"',
                  f'notebook = {json.dumps(str(NOTEBOOKS / notebook))}']
        if parameters:
            lines.append("[reports.parameters]")
            lines += [f"{key} = {json.dumps(value)}" for key, value in parameters.items()]
        lines.append("")
    path = folder / "batch.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def plotly_js_bytes() -> int:
    import plotly

    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").stat().st_size


def verdict(value: float, goal: float) -> str:
    return "meets goal" if value <= goal else "MISSES goal"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of the trivial and full renders each (median taken)")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sitrep-bench-") as work:
        folder = Path(work)
        trivial = trivial_notebook(folder)
        print(f"sitrep-analysis rendering benchmark ({os.cpu_count()} cores, "
              f"{arguments.repeats} repeats)", flush=True)

        # warm the disk cache and Python's bytecode so the first timed run is not penalised
        run(render_command(trivial, folder / "warm.html", {}))
        trivial_s, full_s = [], []
        for _ in range(arguments.repeats):
            trivial_s.append(run(render_command(trivial, folder / "trivial.html", {})))
            full_s.append(run(render_command(FULL_REPORT, folder / "full.html", {})))
        trivial_median, full_median = statistics.median(trivial_s), statistics.median(full_s)
        full_ratio = full_median / trivial_median
        print(f"1. full report / trivial notebook: {full_ratio:.2f}x "
              f"({full_median:.2f} s / {trivial_median:.2f} s; goal <= "
              f"{GOALS['full_vs_trivial']}x: {verdict(full_ratio, GOALS['full_vs_trivial'])})",
              flush=True)

        singles = sum(run(render_command(NOTEBOOKS / notebook, folder / f"single_{name}.html",
                                         parameters))
                      for name, notebook, parameters in BATCH)
        config = batch_config(folder)
        batch = run([SITREP, "schedule", str(config), "--force", "--no-progress"])
        batch_ratio = batch / singles
        print(f"2. batch of 6 / 6 single renders: {batch_ratio:.2f}x ({batch:.1f} s / "
              f"{singles:.1f} s; goal <= {GOALS['batch_vs_singles']}x: "
              f"{verdict(batch_ratio, GOALS['batch_vs_singles'])})", flush=True)

        unchanged = statistics.median(
            run([SITREP, "schedule", str(config), "--no-progress"]) for _ in range(5))
        unchanged_ratio = unchanged / full_median
        print(f"3. re-render with nothing changed / render: {unchanged_ratio:.3f}x "
              f"({unchanged:.2f} s / {full_median:.2f} s; goal <= "
              f"{GOALS['unchanged_vs_render']}x: "
              f"{verdict(unchanged_ratio, GOALS['unchanged_vs_render'])})", flush=True)

        plotly_bytes = plotly_js_bytes()
        print(f"4. HTML bytes against plotly.min.js ({plotly_bytes:,} bytes; goal: at most "
              f"{GOALS['extra_kb']} KB more):")
        for path in sorted((folder / "batch").glob("*.html")):
            if path.name == "index.html":
                continue
            extra_kb = (path.stat().st_size - plotly_bytes) / 1000
            print(f"   {path.name:<28} {path.stat().st_size:>10,} bytes: "
                  f"{extra_kb:+,.0f} KB ({verdict(extra_kb, GOALS['extra_kb'])})")

        plain_s, ours_s = [], []
        for _ in range(arguments.repeats):
            executed = folder / "plain.ipynb"
            plain_s.append(
                run([str(BIN / "papermill"), "--no-progress-bar", "--cwd", str(NOTEBOOKS),
                     str(FULL_REPORT), str(executed)])
                + run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                       "--output", str(folder / "plain.html"), str(executed)]))
            ours_s.append(run(render_command(FULL_REPORT, folder / "ours.html", {})))
        plain, ours = statistics.median(plain_s), statistics.median(ours_s)
        print(f"5. sitrep render / papermill + jupyter nbconvert --no-input: {ours / plain:.2f}x "
              f"({ours:.2f} s / {plain:.2f} s; goal <= {GOALS['sitrep_vs_plain']}x: "
              f"{verdict(ours / plain, GOALS['sitrep_vs_plain'])})", flush=True)


if __name__ == "__main__":
    main()
