"""One run: plan, render in a process pool, collect, record the state, write the index."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sitrep_analysis.files import write_atomically
from sitrep_analysis.render import (
    failed_notebook_path,
)
from sitrep_analysis.schedule.config import BriefsSpec, Config, ReportSpec
from sitrep_analysis.schedule.index import INDEX_FILE, index_html
from sitrep_analysis.schedule.outcomes import BriefRow, Outcome, ScheduleResult
from sitrep_analysis.schedule.plan import Job, incident_ids, plan_briefs, plan_report, time_limit
from sitrep_analysis.schedule.state import (
    IDS_FOLDER,
    STATE_FILE,
    ScheduleError,
    canonical,
    code_fingerprint,
    load_brief_state,
    load_state,
    locked,
    save_state,
)
from sitrep_analysis.schedule.workers import (
    SchedulerStopped,
    mp_context,
    render_job,
    sigterm_stops,
    stop_workers_on_sigterm,
    worker_start,
)

if TYPE_CHECKING:
    from concurrent.futures import Future


def _as_completed(futures: dict[Future, Job]) -> Iterator[Future]:
    """The futures in the order they finish; none without importing the pool's modules."""
    if not futures:
        return iter(())
    from concurrent.futures import as_completed

    return as_completed(futures)


def collect_brief(job: Job, future: Future, brief_state: dict) -> Outcome:
    """The outcome of a brief's render; on success it is recorded as seen and written."""
    try:
        answer = future.result()
    except Exception as error:  # the worker died
        answer = {"ok": False, "error": f"the render process failed: {type(error).__name__}: "
                  f"{error}", "seconds": 0.0, "failed_notebook": None}
    incident_id = str(job.values["incident_id"])
    if not answer["ok"]:
        kept = answer.get("failed_notebook")
        return Outcome(job.spec, "failed", job.html, None, answer["seconds"],
                       str(answer["error"]), Path(kept) if kept else None)
    brief_state["seen"] = sorted({*brief_state["seen"], incident_id})
    brief_state["written"][incident_id] = {**job.record,
                                           "rendered_at": answer["rendered_at"]}
    return Outcome(job.spec, "rendered", job.html, str(answer["rendered_at"]),
                   float(answer["seconds"]))


def collect(job: Job, future: Future, ids: list[str] | Exception, state: dict[str, dict],
             output_dir: Path, say: Callable[..., None]) -> Outcome:
    """The outcome of a finished render; on success, the state and the incident ids recorded."""
    previous = state.get(job.spec.name, {})
    try:
        answer = future.result()
    except Exception as error:  # the worker died (killed, out of memory)
        answer = {"ok": False, "error": f"the render process failed: {type(error).__name__}: "
                  f"{error}", "seconds": 0.0, "failed_notebook": None}
    if not answer["ok"]:
        kept = answer.get("failed_notebook")
        return Outcome(job.spec, "failed", job.html, previous.get("rendered_at")
                       if job.html.exists() else None, answer["seconds"], str(answer["error"]),
                       Path(kept) if kept else None)
    if isinstance(ids, Exception):
        say(f"warning: {job.spec.name}: incident ids not recorded ({type(ids).__name__}: "
            f"{ids}); its next render is not skipped", err=True)
        state.pop(job.spec.name, None)
    else:
        ids_file = output_dir / IDS_FOLDER / f"{job.spec.name}.json"
        ids_file.parent.mkdir(exist_ok=True)
        write_atomically(ids_file, json.dumps(ids, indent=0) + "\n")
        state[job.spec.name] = {
            **job.record,
            "rendered_at": answer["rendered_at"],
            "title": job.spec.title,
            "parameters": json.loads(canonical(job.spec.parameters)),
        }
    return Outcome(job.spec, "rendered", job.html, str(answer["rendered_at"]),
                   float(answer["seconds"]))


def shown_path(path: Path) -> str:
    """Relative to the working folder when inside it, else absolute."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def outcome_line(outcome: Outcome, width: int) -> str:
    name = f"{outcome.spec.name:<{width}}"
    if outcome.status == "rendered":
        return f"rendered   {name}  {shown_path(outcome.html)}  {outcome.seconds:.1f} s"
    if outcome.status == "unchanged":
        return f"unchanged  {name}  {shown_path(outcome.html)}  (rendered {outcome.rendered_at})"
    return f"failed     {name}  {outcome.summary}"


def run_schedule(config: Config, *, force: bool = False, jobs: int | None = None,
                 progress: bool | None = None, timeout: float | None = None) -> ScheduleResult:
    """Render the config's reports (skipping unchanged ones unless ``force``), write the
    index, print a line per report and a total; see the module docstring.

    ``jobs``: renders at a time (default ``os.cpu_count()``, at most one per report to
    render). ``progress``: a tqdm bar on stderr (default: when stderr is a terminal).
    ``timeout``: seconds per report, over the config's (``timeout``, per report or for all).
    Raises :class:`ScheduleError` when another run holds the output folder.
    """
    started = time.perf_counter()
    output_dir = config.output_dir
    output_dir.mkdir(parents=True, exist_ok=True)
    width = max(len(spec.name) for spec in config.reports)
    show = sys.stderr.isatty() if progress is None else progress

    def say(text: str, err: bool = False) -> None:
        stream = sys.stderr if err else sys.stdout
        if show:  # tqdm only with a bar: a cron run with nothing to render needs neither
            from tqdm import tqdm

            tqdm.write(text, file=stream)
        else:
            print(text, file=stream, flush=True)

    with locked(output_dir) as lock_fd, sigterm_stops():
        state_path = output_dir / STATE_FILE
        state = load_state(state_path, lambda text: say(text, err=True))
        checksums: dict[Path, str | None] = {}
        code = code_fingerprint()
        planned = [plan_report(spec, config, state, force, checksums, code)
                   for spec in config.reports]
        brief_jobs: list[Job] = []
        brief_state: dict | None = None
        brief_outcomes: list[Outcome] = []
        if config.briefs is not None:
            try:
                brief_jobs, brief_state = plan_briefs(config, config.briefs,
                                                       load_brief_state(state_path))
            except Exception as error:  # unreadable data: the briefs fail, the reports run
                failed = Outcome(ReportSpec("briefs", config.briefs.notebook, "briefs"),
                                 "failed", config.briefs.folder,
                                 error=f"briefs not planned: {type(error).__name__}: {error}")
                brief_outcomes.append(failed)
            width = max([width, *(len(job.spec.name) for job in brief_jobs)])
        outcomes: dict[str, Outcome] = {}
        todo = [job for job in planned if isinstance(job, Job)] + brief_jobs
        is_brief = {id(job) for job in brief_jobs}
        stopped = False
        try:
            with contextlib.ExitStack() as stack:
                futures: dict[Future, Job] = {}
                if todo:  # the pool's modules only when there is something to render
                    from concurrent.futures import ProcessPoolExecutor

                    # Workers start (fork) at the first submit: before the bar's monitor thread.
                    workers = min(jobs or os.cpu_count() or 1, len(todo))
                    context = mp_context()
                    inherited = lock_fd if context.get_start_method() == "fork" else None
                    pool = stack.enter_context(ProcessPoolExecutor(
                        max_workers=workers, mp_context=context, initializer=worker_start,
                        initargs=(os.getpid(), inherited)))
                    stack.push(stop_workers_on_sigterm)  # before the pool waits for them
                    futures = {pool.submit(render_job, job.spec.notebook, job.html, job.values,
                                           job.spec.title, time_limit(job.spec, config, timeout)):
                               job for job in todo}
                bar = None
                if show:  # after the workers fork: the bar starts a monitor thread
                    from tqdm import tqdm

                    bar = stack.enter_context(tqdm(total=len(planned) + len(brief_jobs),
                                                   desc="sitrep schedule", unit="report",
                                                   file=sys.stderr, leave=False))

                def finish(outcome: Outcome) -> None:
                    say(outcome_line(outcome, width))
                    if outcome.status == "failed" and outcome.error and "\n" in outcome.error:
                        say(f"--- {outcome.spec.name}\n{outcome.error}", err=True)
                    if bar is not None:
                        bar.update(1)

                for item in planned:
                    if isinstance(item, Outcome):
                        if item.status == "unchanged":
                            failed_notebook_path(item.html).unlink(missing_ok=True)  # stale
                        outcomes[item.spec.name] = item
                        finish(item)
                for outcome in brief_outcomes:
                    finish(outcome)
                # While the workers render, read the incident ids each report will record.
                ids: dict[Path, list[str] | Exception] = {}
                for job in todo:
                    if job.data_dir not in ids and id(job) not in is_brief:
                        try:
                            ids[job.data_dir] = incident_ids(job.data_dir)
                        except Exception as error:  # the notebook will say more
                            ids[job.data_dir] = error
                for future in _as_completed(futures):
                    job = futures[future]
                    if id(job) in is_brief and brief_state is not None:
                        outcome = collect_brief(job, future, brief_state)
                        brief_outcomes.append(outcome)
                    else:
                        outcome = collect(job, future, ids[job.data_dir], state, output_dir, say)
                        outcomes[job.spec.name] = outcome
                    save_state(state_path, state, brief_state)
                    finish(outcome)
        except SchedulerStopped:
            stopped = True
            for job in todo:
                name = job.spec.name
                if name not in outcomes and all(o.spec.name != name for o in brief_outcomes):
                    outcome = Outcome(job.spec, "failed", job.html, None,
                                      error="stopped by SIGTERM before it finished")
                    if id(job) in is_brief:
                        brief_outcomes.append(outcome)
                    else:
                        outcomes[name] = outcome
        if brief_state is not None:
            save_state(state_path, state, brief_state)
        ordered = [outcomes[spec.name] for spec in config.reports]
        index = output_dir / INDEX_FILE
        write_atomically(index, index_html(ordered, output_dir, briefs=brief_rows(
            brief_state, brief_outcomes, config.briefs)))
    if stopped:
        raise ScheduleError(f"stopped by SIGTERM: {sum(o.status == 'failed' for o in ordered)} "
                            f"of {len(ordered)} reports not rendered, their last good HTML "
                            f"kept; {shown_path(index)} says which")
    result = ScheduleResult(ordered + brief_outcomes, index, time.perf_counter() - started)
    briefs_said = (f"; {sum(o.status == 'rendered' for o in brief_outcomes)} briefs written, "
                   f"{sum(o.status == 'failed' for o in brief_outcomes)} failed"
                   if config.briefs is not None else "")
    say(f"{len(ordered)} reports in {result.seconds:.1f} s: "
        f"{sum(o.status == 'rendered' for o in ordered)} rendered, "
        f"{sum(o.status == 'unchanged' for o in ordered)} unchanged, "
        f"{sum(o.status == 'failed' for o in ordered)} failed{briefs_said}; "
        f"index {shown_path(index)}")
    return result


def brief_rows(brief_state: dict | None, outcomes: list[Outcome],
                spec: BriefsSpec | None) -> list[BriefRow] | None:
    """The index's brief list: every brief written by any run whose file is still there, and
    this run's failures, newest incident first; None when the config has no briefs."""
    if spec is None:
        return None
    rows: dict[str, BriefRow] = {}
    for incident_id, written in (brief_state or {}).get("written", {}).items():
        html_path = spec.folder / str(written.get("file", ""))
        if html_path.is_file():
            rows[incident_id] = BriefRow(incident_id, str(written.get("incident_date", "")),
                                         str(written.get("title", incident_id)), html_path,
                                         written.get("rendered_at"))
    for outcome in outcomes:
        if outcome.status == "failed":
            incident_id = str(outcome.spec.parameters.get("incident_id", outcome.spec.name))
            rows[incident_id] = BriefRow(incident_id, incident_id[:10], outcome.spec.title,
                                         outcome.html, None, outcome.summary,
                                         outcome.failed_notebook)
    return sorted(rows.values(), key=lambda row: (row.incident_date, row.incident_id),
                  reverse=True)
