"""One notebook -> one self-contained HTML report: check parameters, execute with Papermill,
export with nbconvert, sign with a provenance footer.

The report is written for readers with no network: code input is hidden, markdown, tables and
figures are kept, and the ``sitrep`` nbconvert template (``templates/sitrep``, extending ``lab``)
drops the CDN ``<script>`` tags lab adds (require.js, MathJax, mermaid). Figures draw because
the notebook calls :func:`sitrep_analysis.use_offline_figures` (plotly.js inline, once). A
table of contents (the ``##`` and ``###`` headings, as in-page links) goes before the first
section, and a footer records what made the report (:func:`provenance`).

Parameters are checked before any kernel starts (:func:`check_parameters`); a value that does
not fit raises :class:`ParameterError` naming the notebook, the parameter and what is expected.

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
- Kernel shutdown is ``"immediate"``: a graceful shutdown sometimes stalls about 3 s.
- On POSIX the kernel uses IPC (Unix sockets in the run's temporary folder) instead of TCP;
  ipykernel 7 otherwise warns on stderr, on every run, that TCP traffic is unencrypted.
- nbconvert's exporter loads its templates on first use (about 0.4 s); one exporter is kept per
  process, so rendering many notebooks pays that once.
- :func:`data_checksum` lives here rather than in ``data.py``: it describes what a report was
  made from, and nothing below the renderer needs it.
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import copy
import datetime as dt
import difflib
import functools
import html as html_lib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sitrep_analysis.columns import INTEGER
from sitrep_analysis.files import files_digest, write_atomically

__all__ = [
    "DEFAULT_TIMEOUT_SECONDS",
    "TEMPLATE_DIR",
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
    "write_atomically",
]

#: Folder holding the nbconvert template ``sitrep``.
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "sitrep"
KERNEL_NAME = "python3"
#: The checkout the package is imported from, when it is one (an editable install).
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
GIT_TIMEOUT_SECONDS = 5
#: A report's time limit when none is given: kernel start, every cell and nothing more.
DEFAULT_TIMEOUT_SECONDS = 600


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

    def __reduce__(self):  # picklable, so it can cross a process pool
        return (type(self), (self.notebook, self.problems))


class OutputRefused(RenderError):
    """The output path would overwrite an input (the notebook, a data file) or is not an
    ``.html`` file; nothing was run. A usage mistake: the command line exits 2."""

    def __reduce__(self):
        return (type(self), (str(self),))


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


# --- parameters -------------------------------------------------------------------------------

_NO_LITERAL = object()
_SIMPLE_KINDS = {"str": "str", "int": "int", "float": "float", "bool": "bool", "list": "list",
                 "List": "list", "tuple": "list", "dict": "dict", "Dict": "dict"}
_KIND_WORDS = {"str": "a string", "int": "an integer", "float": "a number",
               "bool": "true or false", "list": "a list", "dict": "a JSON object",
               "any": "any value"}
_TRUE, _FALSE = ("true", "yes", "1", "on"), ("false", "no", "0", "off")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class NotebookParameter:
    """One parameter as the notebook declares it, with the type values are checked against.

    ``kind`` is ``str``, ``int``, ``float``, ``bool``, ``list``, ``dict`` or ``any``
    (unchecked); ``item_kind`` is the type of a list's items (``None``: strings, or anything
    from JSON); ``optional`` says whether ``None`` is accepted.
    """

    name: str
    kind: str
    optional: bool
    default_source: str
    help: str = ""
    item_kind: str | None = None
    default: object = field(default=_NO_LITERAL, repr=False, compare=False)

    def expected(self) -> str:
        """What a value must be, in words: ``'an integer (default 30)'``."""
        words = _KIND_WORDS[self.kind]
        if self.kind == "list" and self.item_kind:
            words = "a list of " + {"int": "integers", "float": "numbers"}.get(
                self.item_kind, "strings")
        if self.kind == "list":
            words += ', comma-separated or JSON like ["a", "b"]'
        if self.name.endswith("_date") and self.kind in ("str", "any"):
            words = "a real date written YYYY-MM-DD"
        if self.optional and self.kind != "any":
            words += " or None"
        return f"{words} (default {self.default_source})"


def _kind_of_annotation(annotation: str) -> tuple[str | None, str | None, bool]:
    """(kind, item kind, optional) named by an annotation or type comment; kind None when it
    is not one the checker knows.

    >>> _kind_of_annotation("Optional[list[int]]")
    ('list', 'int', True)
    >>> _kind_of_annotation("pd.Timestamp")
    (None, None, False)
    >>> _declared({"name": "ids", "inferred_type_name": "list[int]", "default": "[]"}).expected()
    'a list of integers, comma-separated or JSON like ["a", "b"] (default [])'
    """
    text = annotation.replace(" ", "")
    optional = False
    match = re.fullmatch(r"(?:typing\.)?Optional\[(.+)\]", text)
    if match:
        text, optional = match.group(1), True
    match = re.fullmatch(r"(\w+)\[(\w+)\]", text)
    if match:
        kind = _SIMPLE_KINDS.get(match.group(1))
        item = _SIMPLE_KINDS.get(match.group(2))
        if kind == "list" and item in ("str", "int", "float"):
            return kind, item, optional
        return (kind, None, optional) if kind in ("list", "dict") else (None, None, False)
    kind = _SIMPLE_KINDS.get(text)
    return kind, None, optional if kind else False


def _kind_of_value(value: object) -> tuple[str, str | None]:
    if isinstance(value, bool):
        return "bool", None
    for kind in (int, float, str, dict):
        if isinstance(value, kind):
            return kind.__name__, None
    if isinstance(value, list | tuple):
        kinds = {_kind_of_value(item)[0] for item in value}
        item = kinds.pop() if len(kinds) == 1 else None
        return "list", item if item in ("int", "float") else None
    return "any", None


def _declared(spec: Mapping[str, str]) -> NotebookParameter:
    name, source = spec["name"], spec["default"]
    try:
        default = ast.literal_eval(source)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        default = _NO_LITERAL
    kind, item, optional = _kind_of_annotation(spec.get("inferred_type_name") or "None")
    if kind is None:
        if default is _NO_LITERAL:
            kind, optional = "any", True
        elif default is None:
            kind, optional = "str", True
        else:
            kind, item = _kind_of_value(default)
    if default is None:
        optional = True
    if isinstance(default, tuple):
        default = list(default)
    return NotebookParameter(name, kind, optional, source, spec.get("help", ""), item, default)


def notebook_parameters(notebook_path: str | os.PathLike) -> dict[str, NotebookParameter]:
    """The parameters a notebook declares (its cell tagged ``parameters``), by name, in order."""
    import papermill

    return {name: _declared(spec) for name, spec in
            papermill.inspect_notebook(str(notebook_path)).items()}


def _convert_text(parameter: NotebookParameter, text: str, kind: str | None = None) -> object:
    kind = kind or parameter.kind
    stripped = text.strip()
    if parameter.optional and stripped in ("", "None") and kind == parameter.kind:
        return None
    if kind in ("str", "any"):
        return text
    if kind == "int":
        if INTEGER.fullmatch(stripped):
            return int(stripped)
        raise ValueError
    if kind == "float":
        return float(stripped)
    if kind == "bool":
        if stripped.lower() in _TRUE + _FALSE:
            return stripped.lower() in _TRUE
        raise ValueError
    if kind == "dict":
        value = json.loads(stripped)
        if not isinstance(value, dict):
            raise ValueError
        return value
    # a list
    if stripped.startswith("["):
        value = json.loads(stripped)
        if not isinstance(value, list):
            raise ValueError
        return [_convert_item(parameter, item) for item in value]
    return [_convert_item(parameter, item.strip()) for item in stripped.split(",")
            if item.strip()]


def _convert_item(parameter: NotebookParameter, item: object) -> object:
    if parameter.item_kind is None:
        return item
    if isinstance(item, str):
        return _convert_text(parameter, item, parameter.item_kind)
    return _convert_value(parameter, item, parameter.item_kind)


def _convert_value(parameter: NotebookParameter, value: object, kind: str | None = None) -> object:
    kind = kind or parameter.kind
    if kind == "any":
        return value
    if kind == "str" and isinstance(value, dt.date) and parameter.name.endswith("_date"):
        return value.isoformat()  # TOML and Python dates
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind == "list" and isinstance(value, list | tuple):
        return [_convert_item(parameter, item) for item in value]
    python_type = {"str": str, "int": int, "float": float, "bool": bool, "dict": dict}.get(kind)
    if python_type is None or not isinstance(value, python_type) or (
            kind in ("int", "float") and isinstance(value, bool)):
        raise ValueError
    return value


def _check_path(name: str, value: str) -> str:
    path = Path(value).expanduser().resolve()
    if name.endswith("_dir") and not path.is_dir():
        raise ValueError(f"{name} = {value!r}: no such folder ({path})")
    if not path.exists():
        raise ValueError(f"{name} = {value!r}: no such file or folder ({path})")
    return str(path)


def _check_one(parameter: NotebookParameter, value: object) -> object:
    """The value converted to the parameter's type; ValueError with the problem if it can't."""
    name = parameter.name
    refused = ValueError(f"{name} = {value!r}: expected {parameter.expected()}")
    if value is None:
        if parameter.optional:
            return None
        raise refused
    try:
        if isinstance(value, str):
            converted = _convert_text(parameter, value)
        else:
            converted = _convert_value(parameter, value)
    except (ValueError, TypeError):
        raise refused from None
    if isinstance(converted, str):
        if name.endswith("_date"):
            try:
                if not _ISO_DATE.fullmatch(converted):
                    raise ValueError
                dt.date.fromisoformat(converted)
            except ValueError:
                raise ValueError(f"{name} = {value!r}: not a real date; expected a date "
                                 "written YYYY-MM-DD, like 2020-01-08") from None
        if name.endswith(("_dir", "_path")):
            converted = _check_path(name, converted)
    return converted


def _date_order_problems(declared: Mapping[str, NotebookParameter],
                         values: Mapping[str, object]) -> list[str]:
    problems = []
    for name in declared:
        if not name.endswith("start_date"):
            continue
        partner = name.removesuffix("start_date") + "end_date"
        if partner not in declared or not ({name, partner} & set(values)):
            continue
        pair = []
        for key in (name, partner):
            value = values[key] if key in values else declared[key].default
            try:
                pair.append(dt.date.fromisoformat(value) if isinstance(value, str) else None)
            except ValueError:
                pair.append(None)
        if None not in pair and pair[0] > pair[1]:
            problems.append(f"{name} {pair[0]} is after {partner} {pair[1]}: the period "
                            "would be empty")
    return problems


def check_parameters(notebook_path: str | os.PathLike, parameters: Mapping[str, object],
                     declared: Mapping[str, NotebookParameter] | None = None
                     ) -> dict[str, object]:
    """The given parameters checked against the notebook's declarations and converted.

    Returns the values to inject (strings converted by the declared types, paths made
    absolute). Raises :class:`ParameterError` listing every problem: an unknown name (with the
    closest declared name), a value of the wrong type, an impossible date, a start after an end,
    a missing folder. Starts no kernel; ``declared`` saves reading the notebook again.
    """
    if declared is None:
        declared = notebook_parameters(notebook_path)
    problems, values = [], {}
    for name, value in parameters.items():
        parameter = declared.get(name)
        if parameter is None:
            problems.append(_unknown(name, declared))
            continue
        try:
            values[name] = _check_one(parameter, value)
        except ValueError as error:
            problems.append(str(error))
    if not problems:
        problems = _date_order_problems(declared, values)
    if problems:
        raise ParameterError(notebook_path, problems)
    return values


def _unknown(name: str, declared: Mapping[str, NotebookParameter]) -> str:
    if not declared:
        return (f"unknown parameter {name!r}: the notebook declares no parameters (no code "
                "cell is tagged `parameters`)")
    close = difflib.get_close_matches(name, list(declared), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown parameter {name!r}{hint} (declared: {', '.join(declared)})"


# --- provenance -------------------------------------------------------------------------------

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
    from sitrep_analysis.data import default_data_dir

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


# --- export -----------------------------------------------------------------------------------

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


_CONTENTS_MARK = "<!-- sitrep:contents -->"
_HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.DOTALL)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _with_contents(page: str) -> str:
    """The page with its table of contents: a ``<nav>`` linking every ``##`` and ``###``
    heading (nbconvert gives each an id), placed before the cell of the first one, or nothing
    when there are fewer than two."""
    start = page.find(_CONTENTS_MARK)
    if start < 0:
        return page
    page = page.replace(_CONTENTS_MARK, "", 1)
    headings = list(_HEADING.finditer(page, start))
    if len(headings) < 2:
        return page
    # ### headings nest in a list inside the ## item before them, so the ## items number
    # 1, 2, 3 and the ### items are bullets under theirs
    parts, open_sublist = [], False
    for index, heading in enumerate(headings):
        text = html_lib.unescape(_TAG.sub("", _ANCHOR_LINK.sub("", heading.group(3)))).strip()
        link = f'<a href="#{heading.group(2)}">{html_lib.escape(text)}</a>'
        if heading.group(1) == "3" and index > 0:
            if not open_sublist:
                parts.append("<ul>")
                open_sublist = True
            parts.append(f'<li class="sitrep-contents-h3">{link}</li>')
            continue
        if open_sublist:
            parts.append("</ul>")
            open_sublist = False
        if index > 0:
            parts.append("</li>")
        parts.append(f'<li class="sitrep-contents-h{heading.group(1)}">{link}')
    parts.append("</ul></li>" if open_sublist else "</li>")
    nav = ('<nav class="sitrep-contents" aria-label="Contents"><p>Contents</p><ol>'
           + "".join(parts) + "</ol></nav>\n")
    cell = page.rfind('<div class="jp-Cell ', start, headings[0].start())
    at = cell if cell >= 0 else start
    return page[:at] + nav + page[at:]


def export_html(notebook, title: str, provenance: Mapping[str, object] | None = None) -> str:
    """An executed notebook (an ``nbformat`` node) as report HTML with the ``sitrep`` template.

    ``title`` becomes the page's ``<title>`` unless the notebook's metadata has one;
    ``provenance`` (see :func:`provenance`) fills the footer.
    """
    resources = {"metadata": {"name": title}}
    if provenance is not None:
        resources["sitrep_provenance"] = dict(provenance)
    body, _ = _exporter().from_notebook_node(notebook, resources=resources)
    return _with_contents(body)


def _kernel_settings(work: Path) -> dict[str, object]:
    """Papermill keywords for the kernel of one run.

    On POSIX the kernel talks over Unix sockets in ``work`` (removed with it, as is its
    connection file) instead of TCP:
    no ports, and no ipykernel warning about unencrypted TCP on stderr at every run. It is set
    through the client's config, not by passing a kernel manager: nbclient shuts down only the
    kernels of managers it created itself.
    """
    if os.name != "posix":
        return {}
    from traitlets.config import Config

    return {"config": Config({"KernelManager": {
        "transport": "ipc", "ip": str(work / "kernel"),
        # in the run's folder too: a kernel killed with its render leaves no file behind
        "connection_file": str(work / "kernel-connection.json")}})}


# --- rendering --------------------------------------------------------------------------------

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
    import nbformat
    import papermill

    notebook = Path(notebook_path).resolve()
    output = Path(output_html).resolve()
    if not notebook.is_file():
        raise RenderError(f"notebook not found: {notebook}")
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
    limit = _time_limit(timeout)

    with tempfile.TemporaryDirectory(prefix="sitrep-render-") as work:
        executed = Path(work) / notebook.name
        keeping = _KEEP_ON_FAILURE.set(executed)
        try:
            papermill.execute_notebook(
                str(notebook), str(executed), parameters=values, kernel_name=KERNEL_NAME,
                cwd=str(notebook.parent), progress_bar=False, log_output=False,
                request_save_on_cell_execute=False, shutdown_kernel="immediate",
                start_timeout=limit.seconds_left() if limit else 60,
                timeout_func=limit.for_cell if limit else None,
                engine_name=_engine_name(),
                **_kernel_settings(Path(work)),
            )
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
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
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
    :class:`RenderError`) before any kernel starts when a parameter does not fit, and
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
