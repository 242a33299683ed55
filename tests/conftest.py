"""Shared fixtures: writable copies of the hand-made data directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import VALID_DIR


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the valid fixture directory."""
    target = tmp_path / "data"
    shutil.copytree(VALID_DIR, target)
    return target
