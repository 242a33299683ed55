"""One notebook -> one self-contained HTML report: check parameters, execute with Papermill,
export with nbconvert, sign with a provenance footer.

The report is written for readers with no network: code input is hidden, markdown, tables and
figures are kept, and the ``sitrep`` nbconvert template (``templates/sitrep``, extending ``lab``)
drops the CDN ``<script>`` tags lab adds (require.js, MathJax, mermaid). Figures draw because
the notebook calls :func:`sitrep_analysis.use_offline_figures`: in a report kernel it leaves a
mark, and the exporter puts plotly.js there, inline, once. A
table of contents (the ``##`` and ``###`` headings, as in-page links) goes before the first
section, and a footer records what made the report (:func:`provenance`).

Parameters are checked before any cell runs (:func:`check_parameters`); a value that does
not fit raises :class:`ParameterError` naming the notebook, the parameter and what is expected.
The kernel is started first, so that it boots and loads the workbook's libraries
(:mod:`.warmup`) on the other core while this process imports Papermill and checks; a render
that stops early stops it (:mod:`.kernel`).

Failures never destroy the last good report: the HTML is written to a temporary file beside the
output and moved into place with ``os.replace``. When the notebook raises, the executed notebook
(with Papermill's error banner at the top and the traceback under the failing cell) is kept
beside the output as ``<name>.failed.ipynb`` and :class:`RenderError` is raised.

Parameter rules
---------------
Each parameter's type comes from its declaration in the cell tagged ``parameters``:

- an annotation or a type comment, when it names ``str``, ``int``, ``float``, ``bool``,
  ``list``, ``dict``, ``list[X]`` or ``Optional[X]`` (``n: int = None``,
  ``ids = []  # type: list[int]``);
- otherwise the default's literal: ``window_days = 30`` is an int, ``weapon_types = []`` a list
  of strings (of ints when the default's items are all ints), ``start_date = "2019-10-01"`` a
  string;
- a default of ``None`` with no annotation takes ``None`` or a string;
- a default that is not a literal (an expression) is not checked: its value is passed as given.

A string value is converted by that type, whether it comes from the command line or from
Python: ``"30"`` -> ``30``, ``"rocket,drone"`` or ``'["rocket", "drone"]'`` -> a list (``""``
-> ``[]``), ``"true"``/``"false"`` -> a bool, a JSON object -> a dict, ``"None"`` or ``""`` ->
``None`` where ``None`` is accepted. Other values must already have the type (an int is
accepted for a float). Names carry rules too: ``*_date`` must be a real date written
YYYY-MM-DD (a ``datetime.date`` is accepted and written so) and ``<x>start_date`` may not come
after ``<x>end_date``; a string given for ``*_dir`` or ``*_path`` must name an existing folder
(``_dir``) or file or folder (``_path``), and is passed on as an absolute path, since the
notebook runs in its own folder.

Notes
-----
- Papermill does not check parameters itself: an unknown name only warns and a value is
  injected as given. ``papermill.inspect_notebook`` reports an annotation or a ``# type:``
  comment as ``inferred_type_name`` and the string ``"None"`` when there is neither (it does
  not infer anything from the default); ``default`` is the source text (``'"2019-10-01"'``,
  ``'None'``, ``'[]'``, ``'30'``) and ``help`` the comment after it. A line holding two ``=``
  (``label = "a=b"``) is skipped with a warning, so such a parameter is not declared.
- Kernel shutdown is immediate: a graceful shutdown sometimes stalls about 3 s.
- On POSIX the kernel uses IPC (Unix sockets in the run's temporary folder) instead of TCP;
  ipykernel 7 otherwise warns on stderr, on every run, that TCP traffic is unencrypted.
- nbconvert's exporter loads its templates on first use (about 0.4 s): a thread does that
  while the cells run (:func:`warm_exporter`), and one exporter is kept per process, so
  rendering many notebooks pays it once.
- :func:`data_checksum` lives here rather than in ``data.py``: it describes what a report was
  made from, and nothing below the renderer needs it.

Modules, one job each: :mod:`.parameters` (inspection and checks), :mod:`.provenance` (the
footer's facts), :mod:`.kernel` (the report kernel, started early) and :mod:`.warmup` (what
it loads first), :mod:`.export` (nbconvert), :mod:`.run` (one render), :mod:`.errors`.
"""

from __future__ import annotations

from sitrep_analysis.files import write_atomically
from sitrep_analysis.render.errors import OutputRefused, ParameterError, RenderError
from sitrep_analysis.render.export import TEMPLATE_DIR, TEMPLATE_NAME, export_html, warm_exporter
from sitrep_analysis.render.parameters import (
    NotebookParameter,
    check_parameters,
    notebook_parameters,
)
from sitrep_analysis.render.provenance import (
    GIT_TIMEOUT_SECONDS,
    PACKAGE_ROOT,
    data_checksum,
    data_dir_used,
    git_commit,
    provenance,
)
from sitrep_analysis.render.run import (
    DEFAULT_TIMEOUT_SECONDS,
    KERNEL_NAME,
    RenderedReport,
    check_output,
    failed_notebook_path,
    render_notebook,
    render_report,
)

__all__ = [
    "DEFAULT_TIMEOUT_SECONDS",
    "GIT_TIMEOUT_SECONDS",
    "KERNEL_NAME",
    "PACKAGE_ROOT",
    "TEMPLATE_DIR",
    "TEMPLATE_NAME",
    "NotebookParameter",
    "OutputRefused",
    "ParameterError",
    "RenderError",
    "RenderedReport",
    "check_output",
    "check_parameters",
    "data_checksum",
    "data_dir_used",
    "export_html",
    "failed_notebook_path",
    "git_commit",
    "notebook_parameters",
    "provenance",
    "render_notebook",
    "render_report",
    "warm_exporter",
    "write_atomically",
]
