"""Jobs: long work with an id and a row in the store that any process can follow or cancel.

`submit(url, kind, fn, params)` queues a job and hands it to an executor (a thread, a
local process pool, or Dask: `executor.make_executor`); `run_job` is what the executor
runs; `cancel_job(url, job_id)` (or `request_cancel(session, job_id)`) asks it to stop
from anywhere; `find_jobs`, `find_job` and `wait_for_job` follow it to its end. The same
`Executor.map` fans out scenario sweeps and replications.
"""

from followsun.jobs.executor import (
    EXECUTOR_ENV,
    Executor,
    dask_executor,
    executor_spec,
    make_executor,
)
from followsun.jobs.follow import cancel_job, find_job, find_jobs, wait_for_job, worker_silent
from followsun.jobs.runner import JobResult, function_name, run_job, submit
from followsun.store.jobs import JobRecord, JobState, request_cancel

__all__ = [
    "EXECUTOR_ENV",
    "Executor",
    "JobRecord",
    "JobResult",
    "JobState",
    "cancel_job",
    "dask_executor",
    "executor_spec",
    "find_job",
    "find_jobs",
    "function_name",
    "make_executor",
    "request_cancel",
    "run_job",
    "submit",
    "wait_for_job",
    "worker_silent",
]
