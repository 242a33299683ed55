"""The Frictionless Data Package descriptor, generated from the column dictionary.

``data/datapackage.json`` is never edited by hand: ``make datapackage`` (``sitrep datapackage
--write data``) rebuilds it from :mod:`columns` and the CSVs, recording each file's SHA-256 and
size as its provenance checksum. A test fails when the committed descriptor and a fresh one
differ, so an edited CSV cannot go out with a stale description.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from sitrep_analysis import __version__
from sitrep_analysis.columns import COVERAGE_END, COVERAGE_START, FIELDS, TABLES, Field, Table

DESCRIPTOR_NAME = "datapackage.json"

COVERAGE = (
    f"Publicly reported attacks on US and coalition forces in Iraq from {COVERAGE_START} to "
    f"{COVERAGE_END}, with the same groups' attacks in Syria and Jordan kept and marked; the "
    "political events and troop figures a tempo analysis compares them with; and the officials' "
    "running counts of attacks (reported_tallies.csv), against which the completeness of the "
    "incidents is measured. Every row names its sources; where sources disagree, each value is "
    "in claims.csv."
)

LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}


def _field_descriptor(field: Field, table: Table) -> dict:
    kind = {"integer": "integer", "number": "number", "date": "date"}.get(field.kind, "string")
    descriptor: dict = {"name": field.name, "type": kind, "description": field.description}
    if field.unit:
        descriptor["unit"] = field.unit
    constraints: dict = {}
    if field.name in table.required:
        constraints["required"] = True
    if field.name == table.primary_key or field.name in table.unique:
        constraints["unique"] = True
    if field.allowed is not None:
        constraints["enum"] = list(field.allowed)
    if field.minimum is not None:
        constraints["minimum"] = field.minimum
    if field.maximum is not None:
        constraints["maximum"] = field.maximum
    if field.pattern is not None:
        constraints["pattern"] = (
            f"(?:{field.pattern})(?:;(?:{field.pattern}))*" if field.kind == "id_list"
            else field.pattern
        )
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def _header(content: bytes) -> list[str]:
    first = content.decode("utf-8-sig", errors="replace").splitlines()[:1]
    return [name.strip() for name in next(csv.reader(first), [])]


def _read(data_dir: Path, table: Table) -> bytes:
    """A table's file, or an error naming the file and what is wrong with it."""
    path = data_dir / table.filename
    if path.is_dir():
        raise IsADirectoryError(f"{table.filename} is a folder, not a file, in {data_dir}")
    if not path.exists():
        if not data_dir.is_dir():
            raise FileNotFoundError(f"data folder {data_dir} does not exist")
        raise FileNotFoundError(f"{table.filename} is missing from {data_dir}")
    return path.read_bytes()


def _resource(table: Table, data_dir: Path) -> dict:
    content = _read(data_dir, table)
    header = _header(content)
    # a column added later may be missing from an older file: describe the file as it is
    columns = [name for name in table.columns
               if name not in table.optional_columns or name in header]
    foreign_keys = [
        {"fields": [key.column],
         "reference": {"resource": "" if key.table == table.name else key.table,
                       "fields": [TABLES[key.table].primary_key]}}
        for key in table.foreign_keys
        if FIELDS[key.column].kind != "id_list" and key.column in columns
    ]
    schema: dict = {
        "fields": [_field_descriptor(FIELDS[name], table) for name in columns],
        "primaryKey": [table.primary_key],
        "missingValues": [""],
    }
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    description = " ".join([table.row_meaning, *table.warnings])
    list_keys = [key for key in table.foreign_keys if FIELDS[key.column].kind == "id_list"]
    if list_keys:
        description += " List columns refer to other tables: " + ", ".join(
            f"{key.column} -> {key.table}" for key in list_keys) + " (checked by sitrep validate)."
    return {
        "name": table.name.replace("_", "-"),
        "title": table.title,
        "description": description,
        "path": table.filename,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        # stated, not sniffed: list cells hold many ";", which a sniffer can take for the
        # delimiter
        "dialect": {"delimiter": ",", "quoteChar": "\"", "doubleQuote": True, "header": True},
        "bytes": len(content),
        "hash": "sha256:" + hashlib.sha256(content).hexdigest(),
        "schema": schema,
    }


def build_descriptor(data_dir: str | Path) -> dict:
    """The datapackage descriptor of a data directory, from the dictionary and the files.

    Raises :class:`FileNotFoundError` (a table's file or the folder is missing) or
    :class:`IsADirectoryError` (a folder stands where a table's file should be), each naming
    the file.
    """
    data_dir = Path(data_dir)
    resources = [_resource(table, data_dir) for table in TABLES.values()
                 if not table.optional or (data_dir / table.filename).exists()]
    # Frictionless names resources in kebab case; foreign keys must use those names.
    for resource in resources:
        for key in resource["schema"].get("foreignKeys", []):
            if key["reference"]["resource"]:
                key["reference"]["resource"] = key["reference"]["resource"].replace("_", "-")
    return {
        "profile": "tabular-data-package",
        "name": "sitrep-iraq-attacks",
        "title": "Attacks on US and coalition forces in Iraq, political events and troop levels",
        "description": COVERAGE,
        "version": __version__,
        "licenses": [LICENSE],
        "contributors": [{"title": "sitrep-analysis maintainers", "role": "author"}],
        "temporalCoverage": {"start": COVERAGE_START, "end": COVERAGE_END},
        "resources": resources,
    }


def render_descriptor(data_dir: str | Path) -> str:
    """The descriptor as the JSON text written to disk (stable key order, final newline)."""
    return json.dumps(build_descriptor(data_dir), indent=2, ensure_ascii=False) + "\n"


def write_descriptor(data_dir: str | Path) -> Path:
    """Write ``datapackage.json`` into the data directory; return its path."""
    path = Path(data_dir) / DESCRIPTOR_NAME
    path.write_text(render_descriptor(data_dir), encoding="utf-8")
    return path
