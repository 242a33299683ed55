"""The ``sitrep`` command: a thin face over the package.

Built on click, which takes Papermill's spelling of parameters (``-p NAME VALUE``, repeatable)
as a native option. Heavy modules (pandas for ``validate``, Papermill and nbconvert for
``render``) load inside the command that needs them, so ``sitrep --help`` answers at once.
"""

from __future__ import annotations

from pathlib import Path

import click

DATA_DIR = click.argument("data_dir", required=False, type=click.Path(path_type=Path,
                                                                      file_okay=False))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sitrep-analysis")
def app() -> None:
    """sitrep-analysis: attacks on US and coalition forces in Iraq, against political events."""


def summarize(dataset) -> str:
    """A short, human summary of a validated data directory (a :class:`data.Dataset`)."""
    from sitrep_analysis.columns import TABLES

    incidents = dataset.incidents
    lines = [f"{dataset.data_dir}: valid"]
    width = max(len(t.filename) for t in TABLES.values())
    for table in TABLES.values():
        lines.append(f"  {table.filename:<{width}}  {len(getattr(dataset, table.name)):>5} rows")
    if len(incidents):
        first, last = incidents["incident_date"].min(), incidents["incident_date"].max()
        countries = incidents["country"].value_counts()
        countries = ", ".join(f"{name} {count}" for name, count in countries.items() if count)
        lines.append(f"incidents from {first:%Y-%m-%d} to {last:%Y-%m-%d} ({countries})")
        per_year = incidents["incident_date"].dt.year.value_counts().sort_index()
        lines.append("incidents per year: " + ", ".join(f"{year} {n}" for year, n in
                                                        per_year.items()))
        located = int(incidents["latitude"].notna().sum())
        lines.append(f"with coordinates: {located} of {len(incidents)} "
                     f"({located / len(incidents):.0%})")
    return "\n".join(lines)


@app.command()
@DATA_DIR
def validate(data_dir: Path | None) -> None:
    """Check DATA_DIR (default: the shipped data/) against the column dictionary.

    Prints a summary and exits 0, or prints every problem (file, line, column, value, rule)
    and exits 1. Nothing is written.
    """
    from sitrep_analysis.data import DataValidationError, load_all

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
    """Print (or --write) the Frictionless datapackage.json generated from the dictionary."""
    from sitrep_analysis.data import default_data_dir
    from sitrep_analysis.datapackage import render_descriptor, write_descriptor

    directory = data_dir or default_data_dir()
    if write:
        click.echo(f"wrote {write_descriptor(directory)}")
    else:
        click.echo(render_descriptor(directory), nl=False)


@app.command()
@click.argument("notebook", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-p", "--parameter", "parameters", nargs=2, multiple=True,
              metavar="NAME VALUE", help="Set a notebook parameter (repeatable); the value is "
              "passed as a string.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="HTML file to write (default: reports/<notebook stem>.html).")
def render(notebook: Path, parameters: tuple[tuple[str, str], ...], output: Path | None) -> None:
    """Run NOTEBOOK with Papermill and write it as one offline HTML report (no code shown).

    On failure: exit status 1, the last good report stays, and the run is kept as
    <name>.failed.ipynb beside it.
    """
    from sitrep_analysis.render import RenderError, render_notebook

    target = output or Path("reports") / f"{notebook.stem}.html"
    try:
        written = render_notebook(notebook, target, dict(parameters))
    except RenderError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
    click.echo(f"wrote {written}")
