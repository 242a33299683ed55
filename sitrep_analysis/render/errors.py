"""What goes wrong in a render, as exceptions the command line maps to exit statuses: a
parameter or an output refused before anything runs (2), a run that failed (1)."""

from __future__ import annotations

import os
from pathlib import Path


class RenderError(RuntimeError):
    """A notebook could not be rendered; the message says why and what was kept."""

    def __init__(self, message: str, failed_notebook: Path | None = None) -> None:
        super().__init__(message)
        self.failed_notebook = failed_notebook


class ParameterError(RenderError):
    """Parameters that do not fit the notebook's declarations; nothing was run.

    ``problems`` holds one line per problem; the message names the notebook and lists them.
    """

    def __init__(self, notebook: str | os.PathLike, problems: list[str]) -> None:
        self.notebook = Path(notebook)
        self.problems = list(problems)
        count = "1 parameter problem" if len(problems) == 1 else f"{len(problems)} parameter " \
                                                                  "problems"
        lines = [f"{notebook}: {count}; the notebook was not run:"]
        lines += [f"  {problem}" for problem in problems]
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[type[ParameterError], tuple[Path, list[str]]]:
        # picklable, so it can cross a process pool
        return (type(self), (self.notebook, self.problems))


class OutputRefused(RenderError):
    """The output path would overwrite an input (the notebook, a data file) or is not an
    ``.html`` file; nothing was run. A usage mistake: the command line exits 2."""

    def __reduce__(self) -> tuple[type[OutputRefused], tuple[str]]:
        return (type(self), (str(self),))
