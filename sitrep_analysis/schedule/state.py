"""What a run leaves for the next one: the state file (what each report was made from, the
briefs written), the code fingerprint, and the lock that keeps two runs apart."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from sitrep_analysis.files import files_digest, write_atomically

STATE_FILE = ".sitrep-state.json"


IDS_FOLDER = ".sitrep-incident-ids"


LOCK_FILE = ".sitrep-lock"


STATE_FORMAT = 1


#: The package whose code the fingerprint covers (sitrep_analysis, not this subpackage).
PACKAGE_DIR = Path(__file__).resolve().parent.parent


class ScheduleError(RuntimeError):
    """The run could not start (another run holds the output folder)."""


#: Folders of the package that are not code (links to the checkout's data and notebooks).
NOT_CODE = ("data", "notebooks")


def code_fingerprint(package_dir: Path = PACKAGE_DIR) -> str:
    """SHA-256 over the package's source, templates and assets (names and bytes). The copies
    of the data and notebooks a package carries are not code: each report's inputs cover its
    notebook and its data already."""
    files = [p for p in package_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts
             and p.suffix not in (".pyc", ".pyo")
             and p.relative_to(package_dir).parts[0] not in NOT_CODE]
    files.sort(key=lambda p: p.relative_to(package_dir).as_posix())
    return files_digest(files, [path.relative_to(package_dir).as_posix() for path in files])


def canonical(values: Mapping[str, object]) -> str:
    return json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)


def load_state(path: Path, warn: Callable[[str], None]) -> dict[str, dict]:
    if not path.exists():
        return {}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if state.get("format") != STATE_FORMAT or not isinstance(state.get("reports"), dict):
            raise ValueError("unknown format")
        return state["reports"]
    except (OSError, ValueError, AttributeError) as error:
        warn(f"warning: ignoring unreadable {path} ({error}); every report is rendered")
        return {}


def load_brief_state(path: Path) -> dict | None:
    """The ``briefs`` part of the state: ``{"seen": [...], "written": {id: {...}}}``, or None
    when no run has written briefs into this folder (or the state is unreadable)."""
    try:
        briefs = json.loads(path.read_text(encoding="utf-8")).get("briefs")
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(briefs, dict) or not isinstance(briefs.get("seen"), list) \
            or not isinstance(briefs.get("written"), dict):
        return None
    return briefs


def save_state(path: Path, reports: Mapping[str, dict], briefs: dict | None = None) -> None:
    if briefs is None:
        briefs = load_brief_state(path)  # a run without [briefs] keeps what earlier ones wrote
    content: dict[str, object] = {"format": STATE_FORMAT, "reports": reports}
    if briefs is not None:
        content["briefs"] = briefs
    text = json.dumps(content, indent=2, sort_keys=True, ensure_ascii=False,
                      default=str)  # str: TOML dates
    write_atomically(path, text + "\n")


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[int | None]:
    """Hold ``folder/.sitrep-lock`` for the run (POSIX ``flock``; a no-op elsewhere); yields
    the lock's file descriptor, which forked workers close (:func:`worker_start`) so that the
    lock is released the moment this process ends, whatever its workers do."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        yield None
        return
    with open(folder / LOCK_FILE, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ScheduleError(f"another `sitrep schedule` is writing to {folder} (it holds "
                                f"{folder / LOCK_FILE}); this run stopped") from None
        try:
            yield handle.fileno()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
