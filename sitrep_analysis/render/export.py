"""An executed notebook as one offline HTML page: the ``sitrep`` nbconvert template (no code,
no CDN), a table of contents, the provenance footer."""

from __future__ import annotations

import contextlib
import functools
import gc
import html as html_lib
import re
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from sitrep_analysis.plotly_js import PLOTLYJS_MARK, plotly_js_script

if TYPE_CHECKING:
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode

#: Folder holding the nbconvert template ``sitrep``.
TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"


TEMPLATE_NAME = "sitrep"


#: nbconvert's HTML exporter marks these start tags focusable (``tabindex="0"``: a wide table's
#: box scrolls by keyboard); ``_ReportExporter`` does the same without parsing the page.
_FOCUSABLE = re.compile(
    r'<div class="((?:[^"]*\s)?(?:jp-Cell-inputWrapper|jp-OutputArea-output)(?:\s[^"]*)?)"'
    r'(?![^>]*\btabindex=)')

#: An image without alt text, and the placeholder nbconvert's HTML exporter gives it.
_IMAGE_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt=)")
_NO_DESCRIPTION = "No description has been provided for this image"


@functools.cache
def _exporter() -> HTMLExporter:
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        """nbconvert's HTML exporter without its last step, a BeautifulSoup parse of the whole
        page (two thirds of a report's export: 0.15 s of 0.22 s for the tempo report) that
        gives images without alt text a placeholder and makes cell wrappers and outputs
        focusable. Both are done here by :data:`_IMAGE_WITHOUT_ALT` and :data:`_FOCUSABLE`
        on the start tags the lab template writes."""

        def from_notebook_node(  # type: ignore[override]  # as HTMLExporter's own
                self, nb: NotebookNode, resources: dict | None = None,
                **kw: object) -> tuple[str, dict]:
            # the two filters HTMLExporter sets up per notebook, as it does (nbconvert 7.16+)
            language = nb.metadata.get("language_info", {})
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(
                    pygments_lexer=language.get("pygments_lexer", language.get("name")),
                    parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            page = _IMAGE_WITHOUT_ALT.sub(f'<img alt="{_NO_DESCRIPTION}"', page)
            return _FOCUSABLE.sub(r'<div class="\1" tabindex="0"', page), resources

    exporter = ReportExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(_add_plotly_js, enabled=True)
    return exporter


#: Where plotly.js goes in the page: put into each output marked for it (see
#: :mod:`sitrep_analysis.plotly_js`) before the template runs, replaced by the script last, so
#: that nothing scanning the page reads 4.8 MB of JavaScript (or changes it).
_PLOTLYJS_HERE = "<!-- sitrep:plotly.js -->"


def _add_plotly_js(notebook: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
    """nbconvert preprocessor (it runs on the exporter's copy of the notebook): mark the place
    of plotly.js in each output marked for it."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get(PLOTLYJS_MARK):
                output.data["text/html"] = (_PLOTLYJS_HERE + "\n"
                                            + output.data.get("text/html", ""))
    return notebook, resources


#: One export at a time per process: the exporter is shared, and the warm-up below uses it.
_EXPORTING = threading.Lock()


def warm_exporter() -> threading.Thread:
    """Load nbconvert and compile the report template on a thread, now: started when a render
    begins waiting for its kernel, it is done by the time the cells are, instead of costing
    about 0.4 s after them. Returns the thread; :func:`export_html` needs no join (it waits
    for the warm-up's lock), but a caller may join to be sure. An error here is ignored: the
    real export meets it again and reports it."""
    thread = threading.Thread(target=_warm_up, name="sitrep-warm-exporter", daemon=True)
    thread.start()
    return thread


def _warm_up() -> None:
    with _EXPORTING, contextlib.suppress(Exception):
        import nbformat

        _exporter().from_notebook_node(nbformat.v4.new_notebook())


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


def export_html(notebook: NotebookNode, title: str,
                provenance: Mapping[str, object] | None = None) -> str:
    """An executed notebook (an ``nbformat`` node) as report HTML with the ``sitrep`` template.

    ``title`` becomes the page's ``<title>`` unless the notebook's metadata has one;
    ``provenance`` (see :func:`provenance`) fills the footer.
    """
    resources: dict[str, dict[str, object]] = {"metadata": {"name": title}}
    if provenance is not None:
        resources["sitrep_provenance"] = dict(provenance)
    with _EXPORTING, _no_cyclic_gc():
        body, _ = _exporter().from_notebook_node(notebook, resources=resources)
    page = _with_contents(body)
    return page.replace(_PLOTLYJS_HERE, plotly_js_script()) if _PLOTLYJS_HERE in page else page


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Python's cyclic garbage collector paused for one export: copying the notebook and
    filling the template allocate enough objects to set off a full collection over every
    object a rendering process holds (Papermill, nbconvert and their imports). A first export
    of the tempo report in a fresh process takes 0.07 s so, 0.19 s without. What the export
    leaves is collected when the collector resumes."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
