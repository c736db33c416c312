"""`followsun jobs list|show|cancel|wait`: follow and stop long work from any terminal.

Jobs live in the store (`FOLLOWSUN_DATABASE_URL`), so these commands see the jobs of
every process using the same database. `wait` exits 0 when the job ends done and 1 when
it ends failed or cancelled (or is still running at `--timeout`); an unknown job is bad
input (exit 2).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from followsun.store import JobRecord

STATES = ("queued", "running", "done", "failed", "cancelled")


def register(subparsers: Any) -> None:
    """Add the `jobs` command and its subcommands."""
    parser = subparsers.add_parser(
        "jobs",
        help="list, show, cancel or wait for long-running jobs",
        description="Follow and cancel jobs (plan, roster, compare, import, simulate) "
        "started by any process using the same database.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the jobs, newest first")
    listing.add_argument("--state", choices=STATES, help="only jobs in this state")
    listing.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    show = actions.add_parser("show", help="one job in full")
    show.add_argument("job_id", type=int, metavar="ID")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    cancel = actions.add_parser("cancel", help="ask a job to stop")
    cancel.add_argument("job_id", type=int, metavar="ID")
    wait = actions.add_parser("wait", help="show a job's progress until it ends")
    wait.add_argument("job_id", type=int, metavar="ID")
    wait.add_argument("--timeout", type=float, metavar="SECONDS", help="give up after this long")
    wait.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the chosen action."""
    action = {"list": run_list, "show": run_show, "cancel": run_cancel, "wait": run_wait}
    return action[args.action](args)


def run_list(args: argparse.Namespace) -> int:
    """Print the jobs, newest first."""
    from followsun.jobs import JobState, find_jobs, worker_silent

    jobs = find_jobs(state=JobState(args.state) if args.state else None, limit=args.limit)
    if args.json:
        print(json.dumps([job_json(job) for job in jobs], indent=2))
        return 0
    print(f"{'id':>5}  {'kind':<10} {'state':<10} {'progress':>8}  {'created (UTC)':<16}  message")
    for job in jobs:
        note = " (worker silent)" if worker_silent(job) else ""
        print(
            f"{job.id:>5}  {job.kind:<10} {job.state:<10} {_percent(job):>8}  "
            f"{_stamp(job.created_at):<16}  {job.error or job.progress_message or ''}{note}"
        )
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Print one job in full."""
    from followsun.jobs import find_job

    job = find_job(None, args.job_id)
    print(json.dumps(job_json(job), indent=2) if args.json else job_text(job))
    return 0


def run_cancel(args: argparse.Namespace) -> int:
    """Ask a job to stop; exit 1 when it had already ended."""
    from followsun.jobs import JobState, cancel_job

    job = cancel_job(None, args.job_id)
    if job.state is JobState.RUNNING:
        print(f"job {job.id}: cancellation requested; it stops at its next check")
        return 0
    if job.state is JobState.CANCELLED and job.started_at is None:
        print(f"job {job.id}: cancelled before it started")
        return 0
    print(f"job {job.id} had already ended: {job.state}", file=sys.stderr)
    return 1


def run_wait(args: argparse.Namespace) -> int:
    """Draw the job's progress until it ends; exit 0 when it ends done."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from followsun.jobs import JobState, wait_for_job

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=args.quiet,
    ) as bar:
        task = bar.add_task(f"job {args.job_id}", total=1.0)

        def show(job: JobRecord) -> None:
            line = f"job {job.id} {job.state}: {job.progress_message or ''}".rstrip(": ")
            bar.update(task, completed=job.progress_fraction or 0.0, description=line)

        try:
            job = wait_for_job(None, args.job_id, show, timeout_s=args.timeout)
        except TimeoutError as exc:
            print(f"{exc}; `followsun jobs cancel {args.job_id}` stops it", file=sys.stderr)
            return 1
    print(job_text(job))
    return 0 if job.state is JobState.DONE else 1


def _stamp(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M")


def _percent(job: JobRecord) -> str:
    return "" if job.progress_fraction is None else f"{job.progress_fraction:.0%}"


def job_json(job: JobRecord) -> dict[str, Any]:
    """The job as a JSON-ready object (timestamps ISO 8601 UTC)."""
    data = asdict(job)
    for key, value in data.items():
        if isinstance(value, datetime):
            data[key] = value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    data["state"] = str(job.state)
    return data


def job_text(job: JobRecord) -> str:
    """The job as a few lines for the terminal."""
    lines = [
        f"job {job.id} ({job.kind}): {job.state}"
        + (" (cancel requested)" if job.cancel_requested and not job.state.ended else ""),
        f"  function   {job.function}",
        f"  parameters {json.dumps(job.parameters)}",
        f"  progress   {_percent(job) or '-'} {job.progress_message or ''}".rstrip(),
        f"  created    {_stamp(job.created_at)} UTC",
    ]
    if job.started_at is not None:
        lines.append(
            f"  started    {_stamp(job.started_at)} UTC on {job.worker_host} (pid {job.worker_pid})"
        )
    if job.finished_at is not None:
        lines.append(f"  ended      {_stamp(job.finished_at)} UTC")
    if job.heartbeat_at is not None and not job.state.ended:
        from followsun.jobs import worker_silent

        silent = " (silent since: its worker may have stopped)" if worker_silent(job) else ""
        lines.append(f"  heartbeat  {job.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC{silent}")
    if job.error:
        lines.append(f"  error      {job.error}")
    if job.result_location:
        lines.append(f"  result in  {job.result_location}")
    if job.result is not None:
        lines.append(f"  result     {json.dumps(job.result)}")
    return "\n".join(lines)
