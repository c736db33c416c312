"""One executor for every kind of fan-out: a thread, a local process pool, or Dask.

All three are `concurrent.futures` executors (Dask through `Client.get_executor`), so a
job, a scenario sweep or a batch of replications takes the same path whatever runs it;
only `make_executor(spec)` knows the kinds. The spec comes from the caller, else from
`$FOLLOWSUN_EXECUTOR`, else `local`:
- `thread`: threads of this process (tasks see the submitter's cancellation token);
- `local` (or `process`): a pool of fresh Python processes on this machine;
- `dask://HOST:PORT` (or `tcp://HOST:PORT`): the Dask distributed scheduler there.
Tasks sent to processes or Dask must be importable top-level functions with picklable
arguments.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextvars
import multiprocessing
import os
from collections.abc import Callable, Iterable
from functools import cache
from types import TracebackType
from typing import Any, TypeVar

from followsun.errors import InputError
from followsun.services.progress import Progress, no_progress
from planner import cancellation

EXECUTOR_ENV = "FOLLOWSUN_EXECUTOR"
DEFAULT_EXECUTOR = "local"
# How often `map` looks at its cancellation token while it waits for results.
MAP_POLL_SECONDS = 0.2

T = TypeVar("T")
R = TypeVar("R")


class Executor:
    """Runs functions somewhere and hands back `concurrent.futures.Future`s.

    Args:
        pool: the executor doing the work.
        name: how it was asked for (its spec), for messages.
        in_process: whether tasks run in this process's threads, so that each task can
            run in a copy of the submitter's context (its cancellation token).
        on_shutdown: releases what the executor holds beyond the pool (a Dask client).
    """

    def __init__(
        self,
        pool: cf.Executor,
        name: str,
        in_process: bool = False,
        on_shutdown: Callable[[], object] | None = None,
    ) -> None:
        self.pool = pool
        self.name = name
        self.in_process = in_process
        self._on_shutdown = on_shutdown

    def __repr__(self) -> str:
        return f"Executor({self.name!r})"

    def submit(self, fn: Callable[..., R], /, *args: Any) -> cf.Future[R]:
        """Run `fn(*args)`; in-process tasks see the caller's cancellation token."""
        if self.in_process:
            return self.pool.submit(contextvars.copy_context().run, fn, *args)
        return self.pool.submit(fn, *args)

    def map(
        self,
        fn: Callable[[T], R],
        items: Iterable[T],
        progress: Progress = no_progress,
        cost: Callable[[T], float] | None = None,
    ) -> list[R]:
        """`[fn(item) for item in items]`, run by this executor, results in item order.

        Reports the fraction of items done as they finish. The first item to raise stops
        the map with that error. When the caller's cancellation token is cancelled,
        items not yet started are dropped and Cancelled is raised; items running in
        threads stop at their next check, items in other processes run out unseen.
        `cost` estimates an item's work: the costliest are sent first (longest processing
        time first), so that no long item starts last while the other workers idle.
        """
        token = cancellation.current()
        listed = list(items)
        order = list(range(len(listed)))
        if cost is not None:
            order.sort(key=lambda i: -cost(listed[i]))
        sent = {i: self.submit(fn, listed[i]) for i in order}
        futures = [sent[i] for i in range(len(listed))]
        total = len(futures)
        pending = set(futures)
        try:
            while pending:
                token.check()
                finished, pending = cf.wait(
                    pending, timeout=MAP_POLL_SECONDS, return_when=cf.FIRST_COMPLETED
                )
                for future in finished:
                    error = future.exception()
                    if error is not None:
                        raise error
                if finished:
                    done = total - len(pending)
                    progress(done / total, f"{done} of {total} done")
            return [future.result() for future in futures]
        except BaseException:
            for future in futures:
                future.cancel()
            raise

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking work; with `wait`, let the work already sent finish first."""
        if wait:
            self.pool.shutdown(wait=True)
        elif isinstance(self.pool, cf.ThreadPoolExecutor | cf.ProcessPoolExecutor):
            self.pool.shutdown(wait=False, cancel_futures=True)
        else:
            self.pool.shutdown(wait=False)  # Dask's executor cancels its futures then
        if self._on_shutdown is not None:
            self._on_shutdown()

    def __enter__(self) -> Executor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.shutdown(wait=error is None)


def executor_spec(spec: str | None = None) -> str:
    """The executor asked for: `spec`, else `$FOLLOWSUN_EXECUTOR`, else `local`."""
    return (spec or os.environ.get(EXECUTOR_ENV, "")).strip() or DEFAULT_EXECUTOR


def make_executor(spec: str | None = None, max_workers: int | None = None) -> Executor:
    """A new executor of the kind `spec` names (see the module docstring).

    Args:
        spec: `thread`, `local`, `process`, `dask://HOST:PORT` or `tcp://HOST:PORT`;
            default `executor_spec()`.
        max_workers: threads or processes of a local pool (default: the CPU count).

    Raises:
        InputError: the spec names no known kind.
    """
    name = executor_spec(spec)
    if name == "thread":
        return Executor(cf.ThreadPoolExecutor(max_workers, "followsun-job"), name, in_process=True)
    if name in ("local", "process"):
        # Fresh interpreters rather than forks: a fork would copy this process's threads'
        # locks and its open database connections.
        context = multiprocessing.get_context("spawn")
        return Executor(cf.ProcessPoolExecutor(max_workers, mp_context=context), name)
    scheme, _, address = name.partition("://")
    if scheme in ("dask", "tcp") and address:
        from distributed import Client

        return dask_executor(Client(f"tcp://{address}"), name, close_client=True)
    raise InputError(
        f"executor {name!r}: expected thread, local, process or dask://HOST:PORT "
        f"(from the --executor option or ${EXECUTOR_ENV})"
    )


def dask_executor(client: Any, name: str = "dask", close_client: bool = False) -> Executor:
    """An executor sending work to a Dask distributed `client` (e.g. one on a LocalCluster).

    Tasks are submitted as impure, so the same call made twice runs twice.
    """
    on_shutdown = client.close if close_client else None
    return Executor(client.get_executor(pure=False), name, on_shutdown=on_shutdown)


@cache
def shared_executor(spec: str) -> Executor:
    """One executor per spec for this process, made on first use and kept until it exits."""
    return make_executor(spec)
