"""The kernel a report runs in: started first, warmed up while the render checks its inputs,
stopped by the render that started it.

A render's own start-up (importing Papermill, nbformat and nbconvert) takes 0.4 s of one core
(a second more where jsonschema compiles rfc3987-syntax's grammars, which the ``sitrep``
command prevents), and a kernel's about a second (IPython, then pandas and Plotly). Started
before those imports, the kernel boots on the second core meanwhile and loads the workbook's
libraries through the IPython extension :mod:`.warmup`, so a report's first cell finds them
imported. A render that stops early (a parameter that does not fit, an
output it refuses) stops the kernel before any cell has run.

The kernel is told, through :data:`PAGE_ADDS_PLOTLYJS`, that the exported page will carry
plotly.js: its notebook then holds a mark where plotly.js goes instead of a 4.8 MB copy that
would travel through ZMQ, Papermill and nbformat only to be written into the page.

On POSIX the kernel talks over Unix sockets in the run's folder (removed with it, as is its
connection file) instead of TCP: no ports, and no ipykernel warning about unencrypted TCP on
stderr at every run. A kernel whose render is killed exits by itself within a second
(ipykernel polls its parent).
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitrep_analysis.plotly_js import PAGE_ADDS_PLOTLYJS
from sitrep_analysis.render.errors import RenderError

if TYPE_CHECKING:
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.manager import AsyncKernelManager

KERNEL_NAME = "python3"

#: The IPython extension a report kernel loads at start (see :mod:`.warmup`).
WARMUP_EXTENSION = "sitrep_analysis.render.warmup"


@functools.cache
def _manager_class() -> type[AsyncKernelManager]:
    """jupyter_client's manager, keeping the clients it hands out: Papermill's client stops
    the channels of a kernel only when it made the kernel itself, so the render stops them."""
    from jupyter_client.manager import AsyncKernelManager

    class ReportKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.clients: list[AsyncKernelClient] = []

        def client(self, **kwargs: Any) -> AsyncKernelClient:  # type: ignore[override]
            made = super().client(**kwargs)
            self.clients.append(made)
            return made

    return ReportKernelManager


def _manager(work: Path) -> AsyncKernelManager:
    manager_class = _manager_class()
    if os.name != "posix":
        return manager_class(kernel_name=KERNEL_NAME)
    return manager_class(
        kernel_name=KERNEL_NAME, transport="ipc", ip=str(work / "kernel"),
        # in the run's folder too: a kernel killed with its render leaves no file behind
        connection_file=str(work / "kernel-connection.json"))


@contextlib.contextmanager
def report_kernel(work: Path, cwd: Path) -> Iterator[AsyncKernelManager]:
    """A started kernel for one render, running in ``cwd`` with its sockets in ``work``;
    stopped on the way out (its clients' channels closed, the process killed: a graceful
    shutdown sometimes stalls about 3 s).

    Starting returns as soon as the process is launched; Papermill's client waits for it to be
    ready, within the render's time limit. A kernel that cannot start raises
    :class:`RenderError`. Call :func:`let_go` as soon as the cells are done:
    the kernel then dies while the page is exported.
    """
    from jupyter_core.utils import run_sync

    manager = _manager(work)
    try:
        run_sync(manager.start_kernel)(
            cwd=str(cwd), env={**os.environ, PAGE_ADDS_PLOTLYJS: "1"},
            extra_arguments=[f"--IPKernelApp.extensions={WARMUP_EXTENSION}",
                             # as nbclient does for kernels it starts: the report's cells
                             # stay out of the user's IPython history (and off the disk)
                             "--HistoryManager.hist_file=:memory:"])
    except Exception as error:  # no such kernel, or its program cannot run
        raise RenderError(f"cannot start the kernel {KERNEL_NAME!r}: "
                          f"{str(error).splitlines()[0] if str(error) else type(error).__name__}"
                          "; nothing was run") from None
    try:
        yield manager
    finally:
        let_go(manager)
        with contextlib.suppress(Exception):  # a dead kernel is already stopped
            run_sync(manager.shutdown_kernel)(now=True)


def let_go(manager: AsyncKernelManager) -> None:
    """Close the clients' channels and kill the kernel without waiting for it to exit."""
    from jupyter_core.utils import run_sync

    clients = getattr(manager, "clients", [])
    while clients:
        with contextlib.suppress(Exception):
            clients.pop().stop_channels()
    with contextlib.suppress(Exception):  # already gone
        run_sync(manager.signal_kernel)(getattr(signal, "SIGKILL", signal.SIGTERM))
