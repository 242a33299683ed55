"""plotly.js for a page with no network: the copy shipped with the plotly package, inline.

Light to import: the renderer puts plotly.js into a report page without loading Plotly's
figure machinery (``plotly.offline`` loads its parts lazily).

A report kernel started by the renderer has :data:`PAGE_ADDS_PLOTLYJS` set. Its notebook then
holds, where plotly.js belongs, an output marked with :data:`PLOTLYJS_MARK` and the exporter
puts plotly.js there: the 4.8 MB copy never travels through the kernel's messages, Papermill
and nbformat, and a page still holds it exactly once.
"""

from __future__ import annotations

import functools

#: Environment variable set in a report kernel: the exported page adds plotly.js itself.
PAGE_ADDS_PLOTLYJS = "SITREP_PAGE_ADDS_PLOTLYJS"

#: Metadata key of the output where the exporter puts plotly.js.
PLOTLYJS_MARK = "sitrep_plotlyjs_here"


def inline_script(code: str) -> str:
    """``code`` in one ``<script>`` element that no text inside it can close early.

    >>> inline_script('x = "</script>";')
    '<script type="text/javascript">x = "<\\\\/script>";</script>'
    """
    escaped = code.replace("</script", "<\\/script")
    return f'<script type="text/javascript">{escaped}</script>'


@functools.cache
def plotly_js_script() -> str:
    """plotly.js (the copy shipped with the plotly package) as one inline ``<script>``; read
    once per process."""
    from plotly.offline import get_plotlyjs

    return inline_script(get_plotlyjs())
