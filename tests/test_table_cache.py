"""The validated-table cache: a second kernel loads validated tables without validating (and
without importing pandera); an edited file or a changed rule always means validating again;
nothing is written into the data folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sitrep_analysis import DataValidationError, data, table_cache
from tests.helpers import read_rows, write_rows

LOAD = ("import json, sys, time; started = time.perf_counter(); import sitrep_analysis as sa; "
        "d = sa.load_all(sys.argv[1]); print(json.dumps([len(d.incidents), "
        "'pandera' in sys.modules, time.perf_counter() - started]))")


def _load_in_a_new_process(data_dir: Path, cache: Path) -> tuple[int, bool, float]:
    environment = {"SITREP_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", LOAD, str(data_dir)], capture_output=True,
                          text=True, env=environment, timeout=120, check=True)
    rows, pandera, seconds = json.loads(done.stdout)
    return rows, pandera, seconds


def test_a_second_process_loads_from_the_cache_without_pandera(data_copy, tmp_path):
    cache = tmp_path / "cache"
    before = sorted(p.name for p in data_copy.iterdir())
    first = _load_in_a_new_process(data_copy, cache)
    second = _load_in_a_new_process(data_copy, cache)
    assert first[0] == second[0] == 3
    assert first[1] is True  # validated: pandera imported
    assert second[1] is False  # from the cache: no pandera
    assert len(list((cache / "validated-tables").glob("*.pickle"))) == 1
    assert sorted(p.name for p in data_copy.iterdir()) == before  # nothing in the data


def _cached(data_dir: Path) -> dict | None:
    """The cached tables of a directory's bytes as they are now, or None."""
    contents = data._table_bytes(data_dir.resolve())
    assert contents is not None
    return table_cache.read(table_cache.key(contents))


def test_an_edited_file_is_validated_again(data_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("SITREP_CACHE_DIR", str(tmp_path / "cache"))
    data._LOADED.clear()
    assert len(data.load_all(data_copy).incidents) == 3
    assert _cached(data_copy) is not None  # kept: the next load would come from the cache
    header, rows = read_rows(data_copy / "incidents.csv")
    rows[0]["us_wounded_count"] = "-3"
    write_rows(data_copy / "incidents.csv", header, rows)
    data._LOADED.clear()
    with pytest.raises(DataValidationError, match="at least 0"):
        data.load_all(data_copy)


def test_a_changed_rule_misses_the_cache(data_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("SITREP_CACHE_DIR", str(tmp_path / "cache"))
    data._LOADED.clear()
    data.load_all(data_copy)
    assert _cached(data_copy) is not None
    # a rule module's source is part of the key: another source, another key
    before = table_cache.rules_digest()
    table_cache.rules_digest.cache_clear()
    real_read_bytes = Path.read_bytes

    def edited(self: Path) -> bytes:
        content = real_read_bytes(self)
        return content + b"\n# a changed rule" if self.name == "schema.py" else content

    monkeypatch.setattr(Path, "read_bytes", edited)
    try:
        assert table_cache.rules_digest() != before
        assert _cached(data_copy) is None
    finally:
        monkeypatch.undo()
        table_cache.rules_digest.cache_clear()


def test_the_cache_can_be_turned_off_and_a_broken_entry_is_passed_over(data_copy, tmp_path,
                                                                        monkeypatch):
    monkeypatch.setenv("SITREP_CACHE_DIR", str(tmp_path / "cache"))
    data._LOADED.clear()
    data.load_all(data_copy)
    entry = next((tmp_path / "cache" / "validated-tables").glob("*.pickle"))
    entry.write_bytes(b"not a pickle")
    assert _cached(data_copy) is None
    data._LOADED.clear()
    assert len(data.load_all(data_copy).incidents) == 3
    assert _cached(data_copy) is not None  # validated again and kept again
    monkeypatch.setenv("SITREP_NO_CACHE", "1")
    assert _cached(data_copy) is None


def test_cached_tables_equal_validated_ones(tmp_path, monkeypatch):
    import pandas as pd

    from tests.helpers import SHIPPED_DATA

    monkeypatch.setenv("SITREP_CACHE_DIR", str(tmp_path / "cache"))
    data._LOADED.clear()
    validated = data.load_all(SHIPPED_DATA)
    data._LOADED.clear()
    assert _cached(SHIPPED_DATA) is not None
    cached = data.load_all(SHIPPED_DATA)
    for name in data.TABLES:
        pd.testing.assert_frame_equal(getattr(validated, name), getattr(cached, name))
