"""Running one job: claim its row, run its function under its own token, record the end.

A job function is a top-level callable `fn(parameters, progress)` named in the job's row
as 'module:function', so whichever process or Dask worker claims the row can import and
run it. While it runs, a watcher thread polls the row's cancel flag and cancels the
job's token; progress lines are written to the row at most every PROGRESS_SECONDS.
"""

from __future__ import annotations

import contextvars
import dataclasses
import importlib
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from followsun.jobs.executor import Executor, executor_spec, shared_executor
from followsun.services.progress import Progress
from followsun.store import (
    JobRecord,
    JobState,
    claim_job,
    create_job,
    create_store_engine,
    database_url,
    finish_job,
    get_job,
    init_db,
    report_progress,
    session_scope,
)
from followsun.store.jobs import cancel_requested, heartbeat
from planner import cancellation
from planner.cancellation import Cancelled, CancelToken

# How often a running job's worker looks for a cancel request, and stores a heartbeat
# every HEARTBEAT_POLLS looks; progress is written at most once per PROGRESS_SECONDS.
POLL_SECONDS = 0.5
HEARTBEAT_POLLS = 10
PROGRESS_SECONDS = 0.5
# A running job without a heartbeat for this long (a dozen missed) has likely lost its worker.
SILENT_AFTER_S = 12 * HEARTBEAT_POLLS * POLL_SECONDS

JobFunction = Callable[[dict[str, Any], Progress], Any]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobResult:
    """What a job function may return to store both a summary and where it wrote.

    Attributes:
        summary: a JSON value (or a dataclass of them), stored as the job's result.
        location: the file, directory or URL holding the full result.
    """

    summary: Any = None
    location: str | os.PathLike[str] | None = None


def function_name(fn: Callable[..., Any] | str) -> str:
    """The 'module:function' name another process imports `fn` by.

    Raises:
        ValueError: `fn` is not a top-level function of an importable module.
    """
    if isinstance(fn, str):
        resolve_function(fn)
        return fn
    module, qualname = getattr(fn, "__module__", None), getattr(fn, "__qualname__", None)
    name = f"{module}:{qualname}"
    top_level = bool(module and qualname) and module != "__main__" and "<" not in str(qualname)
    if not top_level or resolve_function(name) is not fn:
        raise ValueError(
            f"job function {name}: must be a top-level function of an importable module"
        )
    return name


def resolve_function(name: str) -> JobFunction:
    """Import the job function named 'module:function'.

    Raises:
        ValueError: the name is malformed or names nothing callable.
    """
    module_name, _, attribute = name.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"job function {name!r}: expected 'module:function'")
    try:
        found = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"job function {name!r}: {exc}") from exc
    if not callable(found):
        raise ValueError(f"job function {name!r} is not callable")
    return found  # type: ignore[no-any-return]


def _url_text(url: str | URL | None) -> str:
    """The URL as text a worker process can open (password included)."""
    return make_url(url if url is not None else database_url()).render_as_string(
        hide_password=False
    )


def submit(
    url: str | URL | None,
    kind: str,
    fn: Callable[..., Any] | str,
    params: Mapping[str, Any] | None = None,
    executor: Executor | str | None = None,
) -> int:
    """Queue a job in the store at `url` and hand it to an executor; returns its id.

    Args:
        url: the database (default `database_url()`); the worker opens it too.
        kind: what the job does, e.g. 'plan', 'roster', 'compare', 'import', 'simulate'.
        fn: the job function, or its 'module:function' name.
        params: its JSON parameters.
        executor: an Executor, a spec (see `make_executor`), or None for the configured
            one; executors made from a spec are shared by the whole process.

    Raises:
        ValueError: `fn` cannot be imported by name, or `params` is not JSON.
    """
    name = function_name(fn)
    parameters = dict(params or {})
    try:
        json.dumps(parameters, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"job {kind}: parameters are not JSON ({exc})") from exc
    location = _url_text(url)
    engine = init_db(location)
    try:
        with session_scope(engine) as session:
            job_id = create_job(session, kind, name, parameters).id
    finally:
        engine.dispose()
    runner = (
        executor if isinstance(executor, Executor) else shared_executor(executor_spec(executor))
    )
    runner.submit(run_job, location, job_id).add_done_callback(_log_lost)
    return job_id


def _log_lost(future: Future[JobRecord]) -> None:
    """Log a job whose runner itself failed (its row could not be written)."""
    if not future.cancelled() and future.exception() is not None:
        log.error("job runner failed", exc_info=future.exception())


class JobProgress:
    """The `Progress` callback of one job: keeps the latest line, writes it now and then.

    Called from any thread of the job; a write the database refuses (busy) is retried with
    the next call or at `flush`.
    """

    def __init__(self, engine: Engine, job_id: int, every_s: float = PROGRESS_SECONDS) -> None:
        self._engine = engine
        self._job_id = job_id
        self._every_s = every_s
        self._lock = threading.Lock()
        self._pending: tuple[float | None, str] | None = None
        self._written_at = float("-inf")

    def __call__(self, fraction: float | None, message: str) -> None:
        """Keep this line (fraction clipped to 0..1, NaN as unknown); write it when due."""
        if fraction is not None:
            fraction = min(max(float(fraction), 0.0), 1.0) if fraction == fraction else None
        with self._lock:
            self._pending = (fraction, message)
            due = time.monotonic() - self._written_at >= self._every_s
        if due:
            self.flush()

    def flush(self) -> None:
        """Write the latest unwritten progress line, if any."""
        with self._lock:
            pending, self._pending = self._pending, None
            self._written_at = time.monotonic()
        if pending is None:
            return
        try:
            with session_scope(self._engine) as session:
                report_progress(session, self._job_id, *pending)
        except OperationalError:
            with self._lock:
                self._pending = self._pending or pending


@contextmanager
def watching_for_cancel(
    engine: Engine, job_id: int, token: CancelToken, poll_s: float = POLL_SECONDS
) -> Iterator[None]:
    """Watch the job's cancel flag from a thread while the block runs; cancel `token` when set.

    The thread also sends the job's heartbeat every HEARTBEAT_POLLS polls.
    """
    stop = threading.Event()

    def watch() -> None:
        polls = 0
        while not stop.wait(poll_s):
            polls += 1
            try:
                with session_scope(engine) as session:
                    wanted = (
                        heartbeat(session, job_id)
                        if polls % HEARTBEAT_POLLS == 0
                        else cancel_requested(session, job_id)
                    )
            except OperationalError:  # database busy or briefly away: look again next time
                continue
            if wanted and not token.cancelled:
                token.cancel()

    watcher = threading.Thread(
        target=contextvars.copy_context().run,
        args=(watch,),
        name=f"followsun-job-{job_id}-watcher",
        daemon=True,
    )
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()


@dataclass(frozen=True)
class _Ending:
    state: JobState
    result: Any = None
    result_location: str | None = None
    error: str | None = None


def _stored_result(value: Any) -> _Ending:
    """The done ending for what a job function returned (a path is a location)."""
    summary, location = value, None
    if isinstance(value, JobResult):
        summary, location = value.summary, value.location
    elif isinstance(value, os.PathLike):
        summary, location = None, value
    if dataclasses.is_dataclass(summary) and not isinstance(summary, type):
        summary = dataclasses.asdict(summary)
    text = json.dumps(summary, default=str, allow_nan=False)
    return _Ending(
        JobState.DONE,
        result=json.loads(text) if summary is not None else None,
        result_location=os.fspath(location) if location is not None else None,
    )


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _run(
    job: JobRecord, token: CancelToken, progress: JobProgress
) -> tuple[_Ending, BaseException | None]:
    """Run the job's function; how it ended, and an interruption to pass on, if any."""
    try:
        fn = resolve_function(job.function)
        with cancellation.using(token):
            value = fn(dict(job.parameters), progress)
        return _stored_result(value), None
    except Cancelled:
        return _Ending(JobState.CANCELLED, error="cancelled on request"), None
    except Exception as exc:
        return _Ending(JobState.FAILED, error=_describe(exc)), None
    except BaseException as exc:  # Ctrl-C or exit of the process running it: record, pass on
        return _Ending(JobState.CANCELLED, error=f"interrupted ({_describe(exc)})"), exc


def run_job(url: str | URL, job_id: int, poll_s: float = POLL_SECONDS) -> JobRecord:
    """Claim the queued job `job_id` in the store at `url`, run it, and record how it ended.

    This is what an executor runs. A job that is no longer queued (cancelled before it
    started, or claimed by another worker) is returned untouched.

    Args:
        url: the database holding the job.
        job_id: the job.
        poll_s: how often to look for a cancel request.
    """
    engine = create_store_engine(url)
    try:
        with session_scope(engine) as session:
            if not claim_job(session, job_id, socket.gethostname(), os.getpid()):
                return get_job(session, job_id)
            job = get_job(session, job_id)
        token = CancelToken()
        progress = JobProgress(engine, job_id)
        with watching_for_cancel(engine, job_id, token, poll_s):
            ending, interruption = _run(job, token, progress)
        progress.flush()
        with session_scope(engine) as session:
            finish_job(
                session,
                job_id,
                ending.state,
                result=ending.result,
                result_location=ending.result_location,
                error=ending.error,
            )
            finished = get_job(session, job_id)
        if interruption is not None:
            raise interruption
        return finished
    finally:
        engine.dispose()
