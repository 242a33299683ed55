"""One notebook -> one self-contained HTML report: execute with Papermill, export with nbconvert.

The report is written for readers with no network: code input is hidden, markdown, tables and
figures are kept, and the ``sitrep`` nbconvert template (``templates/sitrep``, extending ``lab``)
drops the CDN ``<script>`` tags lab adds (require.js, MathJax, mermaid). Figures draw because
the notebook calls :func:`sitrep_analysis.use_offline_figures` (plotly.js inline, once).

Failures never destroy the last good report: the HTML is written to a temporary file beside the
output and moved into place with ``os.replace``. When the notebook raises, the executed notebook
(with Papermill's error banner at the top and the traceback under the failing cell) is kept
beside the output as ``<name>.failed.ipynb`` and :class:`RenderError` is raised.

Notes
-----
- Papermill does not check parameters: an unknown name only warns and a value is injected as
  given (the CLI passes strings).
- Kernel shutdown is ``"immediate"``: a graceful shutdown sometimes stalls about 3 s.
- On POSIX the kernel uses IPC (Unix sockets in the run's temporary folder) instead of TCP;
  ipykernel 7 otherwise warns on stderr, on every run, that TCP traffic is unencrypted.
- nbconvert's exporter loads its templates on first use (about 0.4 s); one exporter is kept per
  process, so rendering many notebooks pays that once.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["TEMPLATE_DIR", "RenderError", "export_html", "failed_notebook_path",
           "render_notebook"]

#: Folder holding the nbconvert template ``sitrep``.
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "sitrep"
KERNEL_NAME = "python3"


class RenderError(RuntimeError):
    """A notebook could not be rendered; the message says why and what was kept."""

    def __init__(self, message: str, failed_notebook: Path | None = None) -> None:
        super().__init__(message)
        self.failed_notebook = failed_notebook


def failed_notebook_path(output_html: str | os.PathLike) -> Path:
    """Where a failed run's executed notebook is kept: ``reports/x.html`` ->
    ``reports/x.failed.ipynb``.

    >>> failed_notebook_path("reports/01_attack_tempo.html").as_posix()
    'reports/01_attack_tempo.failed.ipynb'
    """
    output = Path(output_html)
    return output.with_name(f"{output.stem}.failed.ipynb")


@functools.cache
def _exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def export_html(notebook, title: str, provenance: Mapping[str, object] | None = None) -> str:
    """An executed notebook (an ``nbformat`` node) as report HTML with the ``sitrep`` template.

    ``title`` becomes the page's ``<title>``; ``provenance`` (keys ``notebook``, ``rendered_at``,
    ``version``, ``parameters``) fills the footer.
    """
    resources = {"metadata": {"name": title}}
    if provenance is not None:
        resources["sitrep_provenance"] = dict(provenance)
    body, _ = _exporter().from_notebook_node(notebook, resources=resources)
    return body


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and
    ``os.replace``: readers see the old file or the new one, never a partial one."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _kernel_settings(work: Path) -> dict[str, object]:
    """Papermill keywords for the kernel of one run.

    On POSIX the kernel talks over Unix sockets in ``work`` (removed with it) instead of TCP:
    no ports, and no ipykernel warning about unencrypted TCP on stderr at every run. It is set
    through the client's config, not by passing a kernel manager: nbclient shuts down only the
    kernels of managers it created itself.
    """
    if os.name != "posix":
        return {}
    from traitlets.config import Config

    return {"config": Config({"KernelManager": {"transport": "ipc",
                                                "ip": str(work / "kernel")}})}


def _shown_parameters(notebook_path: Path, given: Mapping[str, object]) -> dict[str, str]:
    """Parameters in effect: the given values, and the notebook's defaults (as written) for
    the others."""
    import papermill

    shown = {name: spec["default"] for name, spec in
             papermill.inspect_notebook(str(notebook_path)).items()}
    shown.update({name: repr(value) for name, value in given.items()})
    return shown


def render_notebook(
    notebook_path: str | os.PathLike,
    output_html: str | os.PathLike,
    parameters: Mapping[str, object] | None = None,
    *,
    data_dir: str | os.PathLike | None = None,
) -> Path:
    """Execute a notebook with Papermill and write it as a self-contained HTML report.

    Parameters
    ----------
    notebook_path:
        The notebook; it runs with kernel ``python3`` in its own folder.
    output_html:
        The report to write (folders are created). Replaced only when the run succeeds.
    parameters:
        Values injected after the notebook's ``parameters`` cell (not checked).
    data_dir:
        Shorthand for the ``data_dir`` parameter (made absolute, since the notebook runs in
        its own folder).

    Returns the path of the written report. Raises :class:`RenderError` when the notebook
    raises: the executed notebook is kept as ``<name>.failed.ipynb`` beside the output and an
    existing report is left untouched. A successful run removes a stale ``.failed.ipynb``.
    """
    import nbformat
    import papermill

    from sitrep_analysis import __version__

    notebook = Path(notebook_path).resolve()
    output = Path(output_html).resolve()
    if not notebook.is_file():
        raise RenderError(f"notebook not found: {notebook}")
    given = dict(parameters or {})
    if data_dir is not None:
        given["data_dir"] = str(Path(data_dir).resolve())
    output.parent.mkdir(parents=True, exist_ok=True)
    failed = failed_notebook_path(output)

    with tempfile.TemporaryDirectory(prefix="sitrep-render-") as work:
        executed = Path(work) / notebook.name
        try:
            papermill.execute_notebook(
                str(notebook), str(executed), parameters=given, kernel_name=KERNEL_NAME,
                cwd=str(notebook.parent), progress_bar=False, log_output=False,
                request_save_on_cell_execute=False, shutdown_kernel="immediate",
                **_kernel_settings(Path(work)),
            )
            provenance = {
                "notebook": notebook.name,
                "rendered_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "version": __version__,
                "parameters": _shown_parameters(notebook, given),
            }
            html = export_html(nbformat.read(executed, as_version=4), title=notebook.stem,
                               provenance=provenance)
        except Exception as error:
            kept = None
            if executed.exists():  # shutil.move: the temporary folder may be another disk
                shutil.move(executed, failed)
                kept = failed
            raise RenderError(_failure_message(notebook, output, error, kept), kept) from error
    _write_atomically(output, html)
    failed.unlink(missing_ok=True)
    return output


def _failure_message(notebook: Path, output: Path, error: Exception, kept: Path | None) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        what = f"the cell run as In [{error.exec_count}] raised {error.ename}: {error.evalue}"
    else:
        what = f"{type(error).__name__}: {error}"
    lines = [f"rendering {notebook} failed: {what}"]
    if kept is not None:
        lines.append(f"the executed notebook, with the traceback, is kept at {kept}")
    state = "left unchanged" if output.exists() else "not written"
    lines.append(f"{output} {state}")
    return "\n".join(lines)
