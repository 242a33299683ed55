"""data/datapackage.json is generated from the dictionary, in sync, and valid Frictionless."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from frictionless import validate

from sitrep_analysis.cli import app
from sitrep_analysis.columns import FIELDS, TABLES
from sitrep_analysis.datapackage import build_descriptor, render_descriptor, write_descriptor
from tests.helpers import SHIPPED_DATA, VALID_DIR

DESCRIPTOR = SHIPPED_DATA / "datapackage.json"


def test_committed_descriptor_matches_the_dictionary_and_files():
    assert DESCRIPTOR.read_text(encoding="utf-8") == render_descriptor(SHIPPED_DATA), (
        "data/datapackage.json is stale: run `make datapackage` and commit it")


def test_frictionless_accepts_the_shipped_package():
    report = validate(str(DESCRIPTOR))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_frictionless_catches_an_edited_file(tmp_path):
    """The recorded checksum is a real provenance check: an edit without regeneration fails."""
    copy = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA, copy)
    with (copy / "sites.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    report = validate(str(copy / "datapackage.json"))
    assert not report.valid
    assert {"hash-count", "byte-count"} & {error[0] for error in report.flatten(["type"])}


def test_frictionless_catches_a_bad_value(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA, copy)
    path = copy / "incidents.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",rocket,", ",katyusha,", 1),
                    encoding="utf-8")
    write_descriptor(copy)  # fresh checksums: only the value itself is wrong
    errors = validate(str(copy / "datapackage.json")).flatten(["type", "fieldName"])
    assert ["constraint-error", "weapon_type"] in errors


def test_descriptor_describes_every_column_with_description_and_licence():
    descriptor = build_descriptor(SHIPPED_DATA)
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert "completeness of the incidents is measured" in descriptor["description"].lower()
    resources = {r["path"]: r for r in descriptor["resources"]}
    assert set(resources) == {t.filename for t in TABLES.values()}
    for table in TABLES.values():
        fields = resources[table.filename]["schema"]["fields"]
        assert [f["name"] for f in fields] == list(table.columns)
        assert all(f["description"] for f in fields)
        assert resources[table.filename]["schema"]["primaryKey"] == [table.primary_key]
    site_key = resources["incidents.csv"]["schema"]["foreignKeys"][0]
    assert site_key == {"fields": ["site_id"],
                        "reference": {"resource": "sites", "fields": ["site_id"]}}
    units = {f["name"]: f.get("unit") for f in resources["incidents.csv"]["schema"]["fields"]}
    assert units["latitude"] == "degrees north"
    assert units["projectiles_low"] == "projectiles"


def test_every_dictionary_column_is_used_and_every_used_column_defined():
    used = {name for t in TABLES.values() for name in t.columns + t.derived}
    assert used == set(FIELDS)
    for table in TABLES.values():
        assert table.required <= set(table.columns)
        assert table.primary_key in table.required
        for key in table.foreign_keys:
            assert key.column in table.columns and key.table in TABLES


def _tree(root):
    return sorted((str(p.relative_to(root)), p.is_dir()) for p in root.rglob("*"))


@pytest.mark.parametrize("write", [False, True], ids=["print", "write"])
def test_the_cli_refuses_a_missing_folder_as_a_bad_argument(tmp_path, write):
    """Click's convention for a bad argument: usage, then one `Error:` line; exit status 2."""
    missing = tmp_path / "nowhere"
    result = CliRunner().invoke(app, ["datapackage", *(["--write"] if write else []),
                                      str(missing)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, result.output
    assert str(missing) in errors[0] and "does not exist" in errors[0]
    assert _tree(tmp_path) == []


def _without_incidents(folder):
    (folder / "incidents.csv").unlink()


def _folder_for_incidents(folder):
    (folder / "incidents.csv").unlink()
    (folder / "incidents.csv").mkdir()


@pytest.mark.parametrize("write", [False, True], ids=["print", "write"])
@pytest.mark.parametrize(("mutate", "reason"), [
    (_without_incidents, "incidents.csv is missing from"),
    (_folder_for_incidents, "incidents.csv is a folder, not a file"),
], ids=["missing file", "folder for a file"])
def test_the_cli_refuses_a_folder_without_its_files_in_one_line(tmp_path, write, mutate,
                                                                 reason):
    folder = tmp_path / "data"
    shutil.copytree(VALID_DIR, folder)
    mutate(folder)
    before = _tree(folder)
    result = CliRunner().invoke(app, ["datapackage", *(["--write"] if write else []),
                                      str(folder)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0], result.output
    assert _tree(folder) == before


def test_a_folder_without_its_files_raises_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"incidents\.csv is missing from"):
        build_descriptor(tmp_path)


def test_the_cli_writes_the_descriptor(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(VALID_DIR, folder)
    result = CliRunner().invoke(app, ["datapackage", "--write", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {folder / 'datapackage.json'}\n"
    assert (folder / "datapackage.json").read_text(encoding="utf-8") == render_descriptor(folder)
