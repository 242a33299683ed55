"""The ``sitrep`` command: a thin face over the package.

Built on click, which takes Papermill's spelling of parameters (``-p NAME VALUE``, repeatable)
as a native option. Heavy modules (pandas for ``validate``, Papermill and nbconvert for
``render`` and ``schedule``) load inside the command that needs them, so ``sitrep --help``
answers at once.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sitrep_analysis.columns import FIELDS

if TYPE_CHECKING:
    from sitrep_analysis.data import Dataset

TIMEOUT = click.option(
    "--timeout", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
    help="Time limit per report, kernel start included (default 600; 0: none). A report past "
    "it fails and keeps the last good HTML and <name>.failed.ipynb.")

DATA_DIR = click.argument("data_dir", required=False, type=click.Path(path_type=Path,
                                                                      file_okay=False))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sitrep-analysis")
def app() -> None:
    """sitrep-analysis: attacks on US and coalition forces in Iraq, against political events."""
    without_iri_syntax_checks()


def without_iri_syntax_checks() -> None:
    """Keep jsonschema from loading the rfc3987-syntax package in this process.

    nbformat imports jsonschema, and jsonschema, finding rfc3987-syntax installed (JupyterLab's
    ``jsonschema[format-nongpl]`` brings it), compiles its 38 Lark grammars at import: about
    0.9 s, and 0.2 s more to free them at exit, in every ``render``, ``brief`` and
    ``schedule``. They serve only jsonschema's ``iri`` format check, which nothing in the
    command asks for: nbformat validates notebooks with no format checker. Marking the module
    missing makes jsonschema skip that one check, as it does where the package is not
    installed. Kernels and JupyterLab are other processes, untouched.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def summarize(dataset: Dataset) -> str:
    """A short, human summary of a validated data directory (a :class:`data.Dataset`)."""
    from sitrep_analysis.columns import TABLES

    incidents = dataset.incidents
    lines = [f"{dataset.data_dir}: valid"]
    width = max(len(t.filename) for t in TABLES.values())
    for table in TABLES.values():
        lines.append(f"  {table.filename:<{width}}  {len(getattr(dataset, table.name)):>5} rows")
    if len(incidents):
        first, last = incidents["incident_date"].min(), incidents["incident_date"].max()
        per_country = incidents["country"].value_counts()
        countries = ", ".join(f"{name} {count}" for name, count in per_country.items() if count)
        lines.append(f"incidents from {first:%Y-%m-%d} to {last:%Y-%m-%d} ({countries})")
        per_year = incidents["incident_date"].dt.year.value_counts().sort_index()
        lines.append("incidents per year: " + ", ".join(f"{year} {n}" for year, n in
                                                        per_year.items()))
        located = int(incidents["latitude"].notna().sum())
        lines.append(f"with coordinates: {located} of {len(incidents)} "
                     f"({located / len(incidents):.0%})")
    if len(dataset.reported_tallies):
        lines += coverage_lines(dataset)
    return "\n".join(lines)


def coverage_lines(dataset: Dataset) -> list[str]:
    """The coverage table as text: each official tally against the incidents recorded in its
    period, scope and kind of target (the reports' :func:`narrative.coverage_table`)."""
    from sitrep_analysis.coverage import tally_coverage
    from sitrep_analysis.narrative import coverage_table

    coverage = tally_coverage(dataset.incidents, dataset.reported_tallies)
    lines = ["coverage: incidents recorded against officials' tallies (attacks known only "
             "from a group's claim not counted)"]
    for targets, row in zip(coverage["counted_targets"],
                            coverage_table(coverage).itertuples(index=False), strict=True):
        period, where, _, counted_by, counted, held, share, by_country = row
        lines.append(
            f"  {period}  {where}, "
            f"{'convoys included' if targets == 'us_interests' else 'no convoys'}: "
            f"{held} of {counted}" + (f" ({share})" if share else "")
            + (f" ({by_country})" if by_country else "")
            + (f"  [{counted_by}]" if counted_by else ""))
    return lines


@app.command()
@DATA_DIR
def validate(data_dir: Path | None) -> None:
    """Check DATA_DIR (default: the shipped data/) against the column dictionary.

    Prints a summary and exits 0, or prints every problem (file, line, column, value, rule)
    and exits 1. Nothing is written.
    """
    from sitrep_analysis.data import DataValidationError, load_all

    if data_dir is not None and not data_dir.exists():  # a bad argument, as click says
        raise click.BadParameter(f"Directory {str(data_dir)!r} does not exist.",
                                 param_hint="'[DATA_DIR]'")
    try:
        dataset = load_all(data_dir)
    except DataValidationError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    click.echo(summarize(dataset))


@app.command()
@DATA_DIR
@click.option("--write", is_flag=True, help="Write datapackage.json into DATA_DIR.")
def datapackage(data_dir: Path | None, write: bool) -> None:
    """Print (or --write) the Frictionless datapackage.json generated from the dictionary.

    Exit status 0 when printed or written; 2 when DATA_DIR is no folder; 1 when a table's file
    is missing or unreadable (nothing is written then).
    """
    from sitrep_analysis.datapackage import render_descriptor, write_descriptor
    from sitrep_analysis.files import default_data_dir

    if data_dir is not None and not data_dir.exists():  # a bad argument, as click says
        raise click.BadParameter(f"Directory {str(data_dir)!r} does not exist.",
                                 param_hint="'[DATA_DIR]'")
    directory = data_dir or default_data_dir()
    try:
        if write:
            click.echo(f"wrote {write_descriptor(directory)}")
        else:
            click.echo(render_descriptor(directory), nl=False)
    except OSError as error:  # a missing, unreadable or unwritable file, or no folder at all
        click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None


@app.command()
@click.argument("notebook", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-p", "--parameter", "parameters", nargs=2, multiple=True,
              metavar="NAME VALUE", help="Set a notebook parameter (repeatable). The value is "
              "converted by the parameter's declared type: 30 for an int, a,b or [\"a\", \"b\"] "
              "for a list, None where None is allowed.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="HTML file to write (default: reports/<notebook stem>.html).")
@click.option("-t", "--title", help="Page title (default: the notebook's title metadata).")
@TIMEOUT
def render(notebook: Path, parameters: tuple[tuple[str, str], ...], output: Path | None,
           title: str | None, timeout: float | None) -> None:
    """Run NOTEBOOK with Papermill and write it as one offline HTML report (no code shown).

    Parameters are checked first: an unknown name, a value of the wrong type, an impossible
    date or a start after an end exits with status 2 before anything runs, as does an output
    that is not .html, is the notebook or lies in the data folder. When the notebook fails or
    runs past --timeout: exit status 1, the last good report stays, and the run is kept as
    <name>.failed.ipynb beside it.
    """
    from sitrep_analysis.render import (
        DEFAULT_TIMEOUT_SECONDS,
        OutputRefused,
        ParameterError,
        RenderError,
        render_notebook,
    )

    target = output or Path("reports") / f"{notebook.stem}.html"
    given: dict[str, str] = {}
    for name, value in parameters:
        if name in given:
            raise click.UsageError(f"parameter {name!r} is given twice")
        given[name] = value
    try:
        written = render_notebook(notebook, target, given, title=title,
                                  timeout=DEFAULT_TIMEOUT_SECONDS if timeout is None
                                  else timeout)
    except (ParameterError, OutputRefused) as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(2) from None
    except RenderError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
    click.echo(f"wrote {written}")


@app.command()
@click.argument("config", required=False, type=click.Path(path_type=Path, dir_okay=False),
                default="reports.toml")
@click.option("--force", is_flag=True, help="Render every report, changed or not.")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Renders at a time (default: one per core, at most one per report).")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar on stderr (default: only when stderr is a terminal).")
@TIMEOUT
def schedule(config: Path, force: bool, jobs: int | None, progress: bool | None,
             timeout: float | None) -> None:
    """Render the reports listed in CONFIG (default: reports.toml) and write their index.html.

    A report whose notebook, parameters, data and code are unchanged since its last successful
    render, and whose HTML is still there, is skipped. Renders run in parallel, one per core.
    Prints one line per report and a total. Exit status 0 when every report is rendered or
    unchanged, 1 when any failed (the others still render; a failed report's last good HTML
    stays), 2 when CONFIG is unusable.
    """
    from sitrep_analysis.schedule import ConfigError, ScheduleError, load_config, run_schedule

    try:
        loaded = load_config(config)
    except ConfigError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(2) from None
    try:
        result = run_schedule(loaded, force=force, jobs=jobs, progress=progress,
                              timeout=timeout)
    except ScheduleError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
    except OSError as error:  # the output folder cannot be made or written (read-only, full)
        where = f" {error.filename}" if error.filename else f" {loaded.output_dir}"
        click.echo(f"error: cannot write{where}: {error.strerror or error}; every report's "
                   "last good HTML is left as it was", err=True)
        raise SystemExit(1) from None
    raise SystemExit(0 if result.ok else 1)


@app.command()
@click.argument("incident_id", required=False)
@click.option("-p", "--parameter", "parameters", nargs=2, multiple=True,
              metavar="data_dir DIR", help="The data folder, as for `sitrep render` (default: "
              "the shipped data).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="HTML file to write (default: reports/briefs/brief_<INCIDENT_ID>.html).")
@click.option("--latest", is_flag=True, help="Write the brief on the newest incident.")
@TIMEOUT
def brief(incident_id: str | None, parameters: tuple[tuple[str, str], ...],
          output: Path | None, latest: bool, timeout: float | None) -> None:
    """Write the situation report on one attack, INCIDENT_ID (or --latest), as one offline
    HTML page: what happened and who said so, the place's history, the days before, who is
    behind it, the tempo around it and the troops there, every sentence sourced.

    Exit status 0 when written; 2 for an unknown id (the closest ids are printed) or a wrong
    option; 1 when the data do not validate or the render fails (the last good file stays).
    """
    from sitrep_analysis.brief.facts import latest_incident_id
    from sitrep_analysis.brief.report import DEFAULT_BRIEF_DIR, brief_filename, render_brief
    from sitrep_analysis.data import DataValidationError, load_all
    from sitrep_analysis.render import DEFAULT_TIMEOUT_SECONDS, OutputRefused, RenderError

    data_dir: str | None = None
    for name, value in parameters:
        if name != "data_dir":
            raise click.UsageError(f"a brief takes only -p data_dir DIR, not {name!r} (give "
                                   "the incident id as the argument)")
        data_dir = value
    if latest == bool(incident_id):
        raise click.UsageError("give either an INCIDENT_ID or --latest")
    if data_dir is not None and not Path(data_dir).is_dir():
        raise click.UsageError(f"data_dir {data_dir!r} is not a folder")
    try:
        dataset = load_all(data_dir)
    except DataValidationError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    try:
        chosen = latest_incident_id(dataset.incidents) if latest else str(incident_id)
        target = output or DEFAULT_BRIEF_DIR / brief_filename(chosen)
        written = render_brief(dataset, chosen, target, data_dir=data_dir,
                               timeout=DEFAULT_TIMEOUT_SECONDS if timeout is None
                               else timeout)
    except (LookupError, OutputRefused) as error:  # an unknown id, no incidents, a bad -o
        click.echo(f"error: {error}", err=True)
        raise SystemExit(2) from None
    except RenderError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
    click.echo(f"wrote {written.path}")


@app.group(name="import")
def import_group() -> None:
    """Import outside data (an ACLED export) into a data directory of the workbook's layout."""


@import_group.command(name="acled")
@click.argument("file", type=click.Path(path_type=Path, exists=True))
@click.option("--country", default="Iraq", show_default=True,
              type=click.Choice(list(FIELDS["country"].allowed or ())),
              help="Country whose rows are imported.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Data directory to write (default: acled-<country>); an earlier import "
              "there is replaced, any other content refused.")
@click.option("--base-data", "base_dir", type=click.Path(path_type=Path, file_okay=False,
                                                         exists=True),
              help="Curated data to copy events, troop levels, sites and actors from and to "
              "match incidents against (default: the shipped data).")
@click.option("--radius-km", type=click.FloatRange(min=0), default=15.0, show_default=True,
              help="Distance from a base within which a shelling or drone strike is selected "
              "(3 km at most for airports, embassies and the Green Zone); 0 turns the rule off.")
@click.option("--no-cache", is_flag=True,
              help="Neither read nor write the columnar cache (as SITREP_NO_CACHE=1 does).")
def import_acled_command(file: Path, country: str, out_dir: Path | None, base_dir: Path | None,
                         radius_km: float, no_cache: bool) -> None:
    """Import the ACLED export FILE: select the attacks on US and coalition forces and write
    a data directory every notebook, `sitrep render` and `sitrep schedule` take as data_dir.

    Prints what was read, rejected (rows that cannot be read go to import_rejected.csv with
    the reason), selected (each candidate's reason is in import_report.csv), written, and how
    the imported incidents match the curated ones (import_matches.csv). The folder's
    .sitrep-import-manifest.json lists the files the import wrote: a later import replaces
    those only. Exit status 0 when the directory is written; 1, with one line saying why, when
    FILE is not a readable ACLED export or holds no row of the country, the output folder
    holds anything else (or a file changed since the import wrote it), cannot be written
    (read-only, disk full), or the data do not validate: nothing is written then.
    """
    from sitrep_analysis.acled import AcledImportError, import_acled
    from sitrep_analysis.data import DataValidationError

    try:
        result = import_acled(file, country, out_dir, base_dir=base_dir, radius_km=radius_km,
                              use_cache=not no_cache)
    except (AcledImportError, DataValidationError, OSError) as error:
        # OSError: a refused folder (FileExistsError), a failed write (AcledOutputError), or
        # a file that cannot be read
        click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
    click.echo(result.summary())
    click.echo(f"Next: sitrep validate {result.out_dir}, or sitrep render NOTEBOOK -p data_dir "
               f"{result.out_dir}")
