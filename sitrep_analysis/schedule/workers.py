"""The worker processes that render: how they start, and how they stop with the scheduler.

A worker closes its forked copy of the lock, asks Linux for SIGTERM when the scheduler dies,
and turns SIGTERM during a render into an exception, so the render's temporary folder and
kernel are cleaned up before it exits."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from sitrep_analysis.render import RenderError, render_report
from sitrep_analysis.schedule.outcomes import error_text

if TYPE_CHECKING:
    import multiprocessing.context


class _Stopped(BaseException):
    """Raised in a worker by SIGTERM during a render, so the render's cleanup runs (its
    temporary folder, its kernel) before the worker exits."""


_IN_RENDER = False


class SchedulerStopped(BaseException):
    """SIGTERM reached the scheduler: stop the workers, write the index, report."""


@contextlib.contextmanager
def sigterm_stops() -> Iterator[None]:
    """While the run goes on, SIGTERM raises :class:`SchedulerStopped` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SchedulerStopped

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def stop_workers_on_sigterm(kind: type[BaseException] | None, error: BaseException | None,
                            traceback: TracebackType | None) -> bool:
    """On the way out of a stopped run, SIGTERM every worker (each cleans up its render and
    its kernel, then exits), so the pool does not wait for renders nobody will read."""
    if kind is not None and issubclass(kind, SchedulerStopped):
        import multiprocessing  # loaded by the pool already; a run with no render needs none

        for child in multiprocessing.active_children():
            child.terminate()
    return False


def worker_start(parent_pid: int, inherited_lock_fd: int | None) -> None:
    """Pool initializer: close the forked copy of the lock (the lock must not outlive the
    scheduler), ask Linux to send SIGTERM when the scheduler dies (even by SIGKILL), and make
    SIGTERM stop a render cleanly."""
    if inherited_lock_fd is not None:
        with contextlib.suppress(OSError):
            os.close(inherited_lock_fd)
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != parent_pid:  # the scheduler died before the request took effect
        os._exit(1)
    signal.signal(signal.SIGTERM, _worker_sigterm)


def _worker_sigterm(signum: int, frame: object) -> None:
    if _IN_RENDER:
        raise _Stopped
    _kill_children()
    os._exit(128 + signum)


def _kill_children() -> None:
    """SIGKILL this process's children (a render's kernel), Linux only: a stopped worker leaves
    no kernel behind."""
    children = Path(f"/proc/{os.getpid()}/task")
    if not children.is_dir():
        return
    for task in children.iterdir():
        with contextlib.suppress(OSError, ValueError):
            for pid in (task / "children").read_text().split():
                with contextlib.suppress(OSError):
                    os.killpg(int(pid), signal.SIGKILL)  # kernels lead their own group
                with contextlib.suppress(OSError):
                    os.kill(int(pid), signal.SIGKILL)


def render_job(notebook: Path, html_path: Path, values: dict[str, object],
                title: str, timeout: float | None = None) -> dict[str, object]:
    """Run in a worker process: render one report; a plain dict back (errors included)."""
    global _IN_RENDER
    started = time.perf_counter()
    _IN_RENDER = True
    try:
        rendered = render_report(notebook, html_path, values, title=title, timeout=timeout)
    except _Stopped:
        _kill_children()
        os._exit(128 + signal.SIGTERM)
    except RenderError as error:
        return {"ok": False, "error": error_text(error), "seconds": time.perf_counter() - started,
                "failed_notebook": str(error.failed_notebook) if error.failed_notebook else None}
    except Exception as error:  # a bug must fail one report, not the batch
        return {"ok": False, "error": f"{type(error).__name__}: {error}",
                "seconds": time.perf_counter() - started, "failed_notebook": None}
    finally:
        _IN_RENDER = False
    return {"ok": True, "rendered_at": rendered.provenance["rendered_at"],
            "seconds": time.perf_counter() - started}


def mp_context() -> multiprocessing.context.BaseContext:
    """How worker processes start: ``fork`` on Linux when this process runs no other thread
    (the workers then inherit Papermill and nbconvert, already imported: about 2 s saved per
    worker), else ``spawn`` (forking a process that holds threads, such as a test runner's
    or a browser driver's, can deadlock the child)."""
    import multiprocessing

    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")
