"""Job functions for the tests, importable by name from any process as jobs must be.

The tests import this module as top-level `sample_jobs` (its folder on the path), because
`tests` names another package in some environments. Run as a script
(`sample_jobs.py URL STEPS STEP_S [STEPS STEP_S ...]`) it submits jobs from a process of
its own, prints one job id per line as soon as each is queued, and waits for them all.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from followsun.jobs import JobResult, make_executor, submit
from followsun.services.progress import Progress
from planner import cancellation


def count_slowly(params: dict[str, Any], progress: Progress) -> dict[str, int]:
    """Count to `steps`, one step per `step_s` seconds, reporting each and checking the token."""
    token = cancellation.current()
    steps = int(params["steps"])
    for step in range(steps):
        token.check()
        progress(step / steps, f"step {step} of {steps}")
        token.wait(float(params["step_s"]))
    token.check()
    progress(1.0, f"counted to {steps}")
    return {"counted": steps}


def fail(params: dict[str, Any], progress: Progress) -> None:
    """Fail with the given message after reporting some progress."""
    progress(0.5, "halfway")
    raise ValueError(params["message"])


def write_file(params: dict[str, Any], progress: Progress) -> JobResult:
    """Write `text` to `path`; the path is the job's result location."""
    path = Path(params["path"])
    path.write_text(params["text"])
    return JobResult(summary={"characters": len(params["text"])}, location=path)


def return_path(params: dict[str, Any], progress: Progress) -> Path:
    """Return a path: stored as the job's result location."""
    return Path(params["path"])


def wait_for_cancel(seconds: float) -> float:
    """Wait up to `seconds` for the current token to be cancelled, then check it."""
    cancellation.current().wait(seconds)
    cancellation.current().check()
    return seconds


def main(argv: list[str]) -> int:
    """Submit one count_slowly job per (steps, step_s) pair and wait for all to end."""
    url, pairs = argv[0], argv[1:]
    with make_executor("thread") as executor:
        for steps, step_s in zip(pairs[::2], pairs[1::2], strict=True):
            params = {"steps": int(steps), "step_s": float(step_s)}
            job_id = submit(url, "count", "sample_jobs:count_slowly", params, executor=executor)
            print(job_id, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
