"""One render: check the output and the parameters, execute with Papermill under a time limit,
export, and write the page atomically; a failed run keeps its notebook as ``.failed.ipynb``."""

from __future__ import annotations

import contextlib
import contextvars
import copy
import functools
import math
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sitrep_analysis.files import write_atomically
from sitrep_analysis.render.errors import OutputRefused, RenderError
from sitrep_analysis.render.export import export_html, warm_exporter
from sitrep_analysis.render.kernel import KERNEL_NAME, let_go, report_kernel
from sitrep_analysis.render.parameters import check_parameters, notebook_parameters
from sitrep_analysis.render.provenance import data_dir_used, provenance

if TYPE_CHECKING:
    from nbformat import NotebookNode
    from papermill.engines import NotebookExecutionManager

#: A report's time limit when none is given: kernel start, every cell and nothing more.
DEFAULT_TIMEOUT_SECONDS = 600


def check_output(notebook: Path, output: Path, data_dir: Path | None) -> None:
    """Refuse an output that is not ``.html``, is the notebook, or lies inside the data folder
    (:class:`OutputRefused`): a report never replaces one of its own inputs."""
    if output.suffix.lower() not in (".html", ".htm"):
        raise OutputRefused(f"output {output} must be an .html file (a report is never written "
                            "over another kind of file)")
    if output == notebook.resolve():
        raise OutputRefused(f"output {output} is the notebook itself")
    if data_dir is not None and output.is_relative_to(Path(data_dir).resolve()):
        raise OutputRefused(f"output {output} lies inside the data folder {data_dir}; write "
                            "reports elsewhere")
    if output.is_dir():
        raise OutputRefused(f"output {output} is a folder; give a file name ending in .html")


def failed_notebook_path(output_html: str | os.PathLike) -> Path:
    """Where a failed run's executed notebook is kept: ``reports/x.html`` ->
    ``reports/x.failed.ipynb``.

    >>> failed_notebook_path("reports/01_attack_tempo.html").as_posix()
    'reports/01_attack_tempo.failed.ipynb'
    """
    output = Path(output_html)
    return output.with_name(f"{output.stem}.failed.ipynb")


@dataclass(frozen=True)
class RenderedReport:
    """A written report: its path and the provenance shown in its footer."""

    path: Path
    provenance: dict[str, object]


def render_report(
    notebook_path: str | os.PathLike,
    output_html: str | os.PathLike,
    parameters: Mapping[str, object] | None = None,
    *,
    data_dir: str | os.PathLike | None = None,
    title: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
) -> RenderedReport:
    """:func:`render_notebook`, returning the provenance too (for the scheduler's index)."""
    notebook = Path(notebook_path).resolve()
    output = Path(output_html).resolve()
    if not notebook.is_file():
        raise RenderError(f"notebook not found: {notebook}")
    limit = _time_limit(timeout)
    with tempfile.TemporaryDirectory(prefix="sitrep-render-") as work, \
            report_kernel(Path(work), notebook.parent) as kernel:
        # the kernel boots on the other core while this process imports and checks
        import nbformat
        import papermill

        given = dict(parameters or {})
        if data_dir is not None:
            given["data_dir"] = str(data_dir)
        declared = notebook_parameters(notebook)
        values = check_parameters(notebook, given, declared)
        used_data = data_dir_used(notebook, declared, values)
        check_output(notebook, output, used_data)
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RenderError(f"cannot create the folder {output.parent}: "
                              f"{error.strerror or error}; nothing was run") from None
        failed = failed_notebook_path(output)
        footer = provenance(notebook, values, used_data, declared=declared)

        executed = Path(work) / notebook.name
        keeping = _KEEP_ON_FAILURE.set(executed)
        warm_exporter()  # loads nbconvert's templates while the kernel starts
        try:
            papermill.execute_notebook(
                str(notebook), str(executed), parameters=values, kernel_name=KERNEL_NAME,
                km=kernel, progress_bar=False, log_output=False,
                request_save_on_cell_execute=False,
                start_timeout=limit.seconds_left() if limit else 60,
                timeout_func=limit.for_cell if limit else None,
                engine_name=_engine_name(),
            )
            let_go(kernel)  # it dies while the page is exported
            run = nbformat.read(executed, as_version=4)
            if title:
                run.metadata["title"] = title
            html = export_html(run, title=title or notebook.stem, provenance=footer)
        except Exception as error:
            kept = None
            if executed.exists():  # shutil.move: the temporary folder may be another disk
                with contextlib.suppress(OSError):  # an unwritable folder keeps nothing
                    shutil.move(executed, failed)
                    kept = failed
            raise RenderError(_failure_message(notebook, output, error, kept, timeout),
                              kept) from error
        finally:
            _KEEP_ON_FAILURE.reset(keeping)
    try:
        write_atomically(output, html)
    except OSError as error:
        raise RenderError(f"cannot write {output}: {error.strerror or error}; "
                          f"{'the last good report is left unchanged' if output.exists() else 'nothing was written'}") from None  # noqa: E501
    failed.unlink(missing_ok=True)
    return RenderedReport(output, footer)


#: Where the engine below keeps the executed notebook when a run stops with no error cell
#: (a time limit, a dead kernel): Papermill itself writes it only when a cell raises.
_KEEP_ON_FAILURE: contextvars.ContextVar[Path | None] = contextvars.ContextVar(
    "sitrep_keep_on_failure", default=None)


@functools.cache
def _engine_name() -> str:
    """Register (once) and name the Papermill engine that keeps a stopped run's notebook."""
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.iorw import write_ipynb

    class KeepingEngine(NBClientEngine):
        """Papermill's nbclient engine, but a run stopped by a time limit or a dead kernel
        still leaves the executed notebook (outputs so far, and a note on top saying why)."""

        @classmethod
        def execute_managed_notebook(cls, nb_man: NotebookExecutionManager,
                                     kernel_name: str | None, **kwargs: object) -> NotebookNode:
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            except Exception as error:
                keep = _KEEP_ON_FAILURE.get()
                if keep is not None:
                    import nbformat

                    note = nbformat.v4.new_markdown_cell(
                        f"**sitrep: this run was stopped: {type(error).__name__}: "
                        f"{str(error).splitlines()[0] if str(error) else ''}**")
                    kept = copy.deepcopy(nb_man.nb)  # Papermill still reads its own copy
                    kept.cells.insert(0, note)
                    with contextlib.suppress(Exception):
                        write_ipynb(kept, str(keep))
                raise

    papermill_engines.register("sitrep", KeepingEngine)
    return "sitrep"


@dataclass(frozen=True)
class _TimeLimit:
    """A deadline for one render; each cell may run until it (nbclient's ``timeout_func``)."""

    deadline: float

    def seconds_left(self) -> int:
        return max(1, math.ceil(self.deadline - time.monotonic()))

    def for_cell(self, cell: object) -> int:
        return self.seconds_left()


def _time_limit(timeout: float | None) -> _TimeLimit | None:
    if timeout is None or timeout <= 0:
        return None
    return _TimeLimit(time.monotonic() + timeout)


def render_notebook(
    notebook_path: str | os.PathLike,
    output_html: str | os.PathLike,
    parameters: Mapping[str, object] | None = None,
    *,
    data_dir: str | os.PathLike | None = None,
    title: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
) -> Path:
    """Execute a notebook with Papermill and write it as a self-contained HTML report.

    Parameters
    ----------
    notebook_path:
        The notebook; it runs with kernel ``python3`` in its own folder.
    output_html:
        The report to write (folders are created). Replaced only when the run succeeds.
    parameters:
        Values for the notebook's parameters, checked and converted first (see the module's
        "Parameter rules"); strings are converted by the declared type.
    data_dir:
        Shorthand for the ``data_dir`` parameter.
    title:
        The page title (default: the notebook's ``title`` metadata, else its file name).
    timeout:
        Seconds the whole run may take, kernel start included (default 600; ``None`` or 0:
        no limit). A run past it fails like a notebook that raises.

    Returns the path of the written report. Raises :class:`ParameterError` (a
    :class:`RenderError`) before any cell runs when a parameter does not fit, and
    :class:`RenderError` when the notebook raises: the executed notebook is kept as
    ``<name>.failed.ipynb`` beside the output and an existing report is left untouched. A
    successful run removes a stale ``.failed.ipynb``.
    """
    return render_report(notebook_path, output_html, parameters, data_dir=data_dir,
                         title=title, timeout=timeout).path


def _failure_message(notebook: Path, output: Path, error: Exception, kept: Path | None,
                     timeout: float | None = None) -> str:
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        what = f"the cell run as In [{error.exec_count}] raised {error.ename}: {error.evalue}"
    elif isinstance(error, CellTimeoutError | TimeoutError):
        what = f"it ran past its time limit of {timeout:g} s and was stopped"
    elif isinstance(error, DeadKernelError):
        what = "the kernel died (it exited or was killed) while running a cell"
    else:
        what = f"{type(error).__name__}: {error}"
    lines = [f"rendering {notebook} failed: {what}"]
    if kept is not None:
        lines.append(f"the executed notebook, with the traceback, is kept at {kept}")
    state = "left unchanged" if output.exists() else "not written"
    lines.append(f"{output} {state}")
    return "\n".join(lines)
