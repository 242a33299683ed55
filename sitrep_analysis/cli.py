"""The ``sitrep`` command: a thin face over the package."""

from __future__ import annotations

from pathlib import Path

import typer

from sitrep_analysis.columns import TABLES
from sitrep_analysis.data import Dataset, DataValidationError, default_data_dir, load_all

app = typer.Typer(
    help="sitrep-analysis: attacks on US and coalition forces in Iraq, against political events.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

DATA_DIR_ARGUMENT = typer.Argument(
    None, help="Directory holding the CSV files (default: the shipped data/).",
    show_default=False,
)


def summarize(dataset: Dataset) -> str:
    """A short, human summary of a validated data directory."""
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
def validate(data_dir: Path = DATA_DIR_ARGUMENT) -> None:
    """Check a data directory against the column dictionary; print a summary or every problem."""
    try:
        dataset = load_all(data_dir)
    except DataValidationError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    typer.echo(summarize(dataset))


@app.command()
def datapackage(
    data_dir: Path = DATA_DIR_ARGUMENT,
    write: bool = typer.Option(False, "--write", help="Write datapackage.json into the directory."),
) -> None:
    """Print (or --write) the Frictionless datapackage.json generated from the dictionary."""
    from sitrep_analysis.datapackage import render_descriptor, write_descriptor

    directory = data_dir or default_data_dir()
    if write:
        typer.echo(f"wrote {write_descriptor(directory)}")
    else:
        typer.echo(render_descriptor(directory), nl=False)


def main() -> None:  # pragma: no cover - console entry point
    app()
