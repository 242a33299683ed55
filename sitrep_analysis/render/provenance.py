"""What a report was made from, for its footer: notebook, parameters, package version and
git commit, the data folder and its checksum, library versions, render time."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from sitrep_analysis.files import default_data_dir, files_digest
from sitrep_analysis.render.parameters import NotebookParameter, notebook_parameters

#: The checkout the package is imported from, when it is one (an editable install).
PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent


GIT_TIMEOUT_SECONDS = 5


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                              timeout=GIT_TIMEOUT_SECONDS, check=False,
                              env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_commit(path: str | os.PathLike = PACKAGE_ROOT) -> str | None:
    """The short commit hash of the git checkout whose top folder is ``path``, with
    ``+changes`` when its work tree differs from that commit (edited, staged, deleted or new
    files that git does not ignore); ``None`` when ``path`` is not the top of a checkout
    (an installed package inside some other repository's folder does not count), git is
    missing, or it does not answer within a few seconds.

    Runs with ``GIT_OPTIONAL_LOCKS=0``, so it never takes the index lock from someone
    committing at the same time.
    """
    root = Path(path).resolve()
    top = _git(["rev-parse", "--show-toplevel"], root)
    if top is None or Path(top).resolve() != root:
        return None
    commit = _git(["rev-parse", "--short", "HEAD"], root)
    if not commit:
        return None
    status = _git(["status", "--porcelain"], root)
    return commit if status == "" else f"{commit}+changes"


def data_checksum(data_dir: str | os.PathLike) -> str:
    """SHA-256 over the CSV files directly in ``data_dir``: their names, sorted, and bytes.

    The digest of the lines ``<sha256 of the file>  <name>`` (as ``sha256sum`` prints them),
    so the shell gives the same value: ``cd data && LC_ALL=C sha256sum *.csv | sha256sum``.
    Raises ``FileNotFoundError`` when the folder does not exist.
    """
    folder = Path(data_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"no data folder {folder}")
    files = sorted(folder.glob("*.csv"), key=lambda p: p.name.encode())
    return files_digest(files, [path.name for path in files])


def data_dir_used(notebook_path: str | os.PathLike,
                  declared: Mapping[str, NotebookParameter],
                  values: Mapping[str, object]) -> Path:
    """The data folder a run reads: the ``data_dir`` given, else the notebook's literal default
    (relative to the notebook's folder), else the package default (``data/`` or
    ``$SITREP_DATA_DIR``), which the loaders also fall back to."""
    if values.get("data_dir") is not None:
        return Path(str(values["data_dir"])).resolve()
    parameter = declared.get("data_dir")
    if parameter is not None and isinstance(parameter.default, str):
        return (Path(notebook_path).resolve().parent / parameter.default).resolve()
    return default_data_dir().resolve()


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": sys.version.split()[0]}
    for name in ("papermill", "nbconvert", "plotly"):
        with contextlib.suppress(PackageNotFoundError):
            found[name] = version(name)
    return found


def provenance(notebook_path: str | os.PathLike, parameters: Mapping[str, object],
               data_dir: str | os.PathLike, *, rendered_at: dt.datetime | None = None,
               declared: Mapping[str, NotebookParameter] | None = None) -> dict[str, object]:
    """What a report is made from, for its footer: notebook, parameters in effect (the ones
    given, then the notebook's defaults as written), package version, git commit, data folder
    and its :func:`data_checksum` (``None`` if the folder is missing), library versions and
    the render time (UTC)."""
    from sitrep_analysis import __version__

    notebook = Path(notebook_path)
    rendered_at = rendered_at or dt.datetime.now(dt.UTC)
    try:
        checksum = data_checksum(data_dir)
    except OSError:
        checksum = None
    if declared is None:
        declared = notebook_parameters(notebook)
    shown = {name: spec.default_source for name, spec in declared.items()}
    shown.update({name: repr(value) for name, value in parameters.items()})
    return {
        "notebook": notebook.name,
        "rendered_at": rendered_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "version": __version__,
        "commit": git_commit(),
        "data_dir": str(data_dir),
        "data_checksum": checksum,
        "parameters": shown,
        "versions": _versions(),
    }
