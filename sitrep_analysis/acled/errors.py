"""The errors an ACLED import raises; each says in one line why nothing was written.

``sitrep import acled`` prints any of them as ``error: ...`` and exits 1.
"""

from __future__ import annotations


class AcledImportError(ValueError):
    """The export cannot be imported as asked (e.g. it holds no row of the country); nothing
    was written."""


class AcledFormatError(AcledImportError):
    """The file is not an ACLED export (or not readable as CSV); nothing was written."""


class AcledOutputError(OSError):
    """The data directory cannot be written (read-only, disk full, ...); nothing was written
    and an earlier import there is kept."""
