"""Files the package writes and folders it fingerprints, one way each: a write replaces a file
whole or not at all, and a folder's digest is the one ``sha256sum`` would give. Also where the
shipped data lives, so that a renderer can name it without loading pandas.

No third-party import: the scheduler, which answers in a tenth of a second when nothing
changed, uses both.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomically(path: Path, content: str | bytes, *, new_mode: int = 0o644) -> None:
    """Write ``content`` (text as UTF-8) to ``path`` through a temporary file in the same
    folder and ``os.replace``: readers see the old file or the new one, never a partial one,
    and a failure leaves no temporary file. The file keeps the mode of the one it replaces;
    a new file gets ``new_mode`` (0o600 for copies of a user's licensed data)."""
    mode = path.stat().st_mode & 0o777 if path.exists() else new_mode
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def user_cache_dir(kind: str) -> Path:
    """The folder a cache of this ``kind`` lives in: ``$SITREP_CACHE_DIR/<kind>``, else
    ``$XDG_CACHE_HOME/sitrep-analysis/<kind>``, else ``~/.cache/sitrep-analysis/<kind>``.
    Never inside a data folder."""
    override = os.environ.get("SITREP_CACHE_DIR")
    if override:
        return Path(override) / kind
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sitrep-analysis" / kind


def files_digest(files: Iterable[Path], names: Iterable[str]) -> str:
    """SHA-256 of the lines ``<sha256 of the file>  <name>``, one per file in the order given,
    as ``sha256sum`` prints them: so ``sha256sum FILES | sha256sum`` gives the same value.

    >>> files_digest([], [])  # no file: the digest of nothing
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    """
    total = hashlib.sha256()
    for path, name in zip(files, names, strict=True):
        total.update(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {name}\n".encode())
    return total.hexdigest()


def default_data_dir() -> Path:
    """The shipped data, unless ``SITREP_DATA_DIR`` is set: ``data/`` of the checkout the
    package runs from (the one place to edit it), else the copy an installed package carries
    (``sitrep_analysis/data``, a link to ``data/`` in the checkout, copied into the wheel)."""
    override = os.environ.get("SITREP_DATA_DIR")
    if override:
        return Path(override)
    checkout = Path(__file__).resolve().parent.parent / "data"
    if (checkout / "incidents.csv").is_file():
        return checkout
    return Path(__file__).resolve().parent / "data"
