"""One executor interface: map gives ordered results, progress and cancellation everywhere."""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import ModuleType

import pytest

from followsun.errors import InputError
from followsun.jobs import EXECUTOR_ENV, Executor, executor_spec, make_executor
from planner.cancellation import Cancelled, CancelToken, using

# Items finish in the reverse of their order: the last is the quickest.
DELAYS_S = [0.4, 0.3, 0.2, 0.1, 0.0]
# Far longer than a test runs: an item still waiting this long was never cancelled.
LONG_S = 60.0


@pytest.fixture(params=["thread", "local", "dask"])
def executor(request: pytest.FixtureRequest, sample_tasks: ModuleType) -> Iterator[Executor]:
    if request.param == "dask":
        distributed = pytest.importorskip("distributed")
        # An in-process cluster listening on TCP, reached the way a configured one is.
        with distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=2,
            processes=False,
            protocol="tcp",
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster:
            address = cluster.scheduler_address.removeprefix("tcp://")
            with make_executor(f"dask://{address}") as on_dask:
                yield on_dask
    else:
        with make_executor(request.param, max_workers=2) as local:
            yield local


def test_map_returns_results_in_item_order_with_progress(
    executor: Executor, sample_tasks: ModuleType
) -> None:
    items = list(enumerate(DELAYS_S))
    reported: list[tuple[float | None, str]] = []
    results = executor.map(sample_tasks.delayed_square, items, lambda f, m: reported.append((f, m)))
    assert results == [value * value for value, _ in items]
    fractions = [f for f, _ in reported]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert reported[-1][1] == f"{len(items)} of {len(items)} done"


def test_map_of_nothing_is_nothing(executor: Executor, sample_tasks: ModuleType) -> None:
    assert executor.map(sample_tasks.delayed_square, []) == []


def test_map_raises_the_error_of_a_failing_item(
    executor: Executor, sample_tasks: ModuleType
) -> None:
    with pytest.raises(ValueError, match="three is not allowed"):
        executor.map(sample_tasks.fail_on_three, range(6))


def test_cancelling_the_callers_token_stops_a_map_in_threads(sample_jobs: ModuleType) -> None:
    token = CancelToken()
    # The quick item finishing is the signal to cancel the rest, which wait for the token.
    items = [0.0, LONG_S, LONG_S]
    started = time.monotonic()
    with make_executor("thread", max_workers=3) as executor, using(token):
        with pytest.raises(Cancelled):
            executor.map(sample_jobs.wait_for_cancel, items, lambda f, m: token.cancel())
        # Waits for the items still running: they end only if they saw the caller's token.
        executor.shutdown(wait=True)
    assert time.monotonic() - started < LONG_S / 4


def test_the_executor_comes_from_the_option_then_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(EXECUTOR_ENV, raising=False)
    assert executor_spec() == "local"
    monkeypatch.setenv(EXECUTOR_ENV, "dask://scheduler:8786")
    assert executor_spec() == "dask://scheduler:8786"
    assert executor_spec("thread") == "thread"


def test_an_unknown_executor_is_an_input_error() -> None:
    with pytest.raises(InputError, match="dask://HOST:PORT"):
        make_executor("spark://somewhere")
    with pytest.raises(InputError, match="dask://HOST:PORT"):
        make_executor("dask://")


@pytest.mark.parametrize("kind", ["thread", "local"])
def test_the_costliest_items_start_first_and_results_keep_item_order(
    kind: str, sample_tasks: ModuleType
) -> None:
    costs = [1.0, 5.0, 3.0, 5.0, 2.0]
    with make_executor(kind, max_workers=1) as one:
        started = one.map(sample_tasks.start_time, range(len(costs)), cost=lambda i: costs[i])
    # One worker runs them one after another: by cost, ties in item order.
    assert sorted(range(len(costs)), key=started.__getitem__) == [1, 3, 2, 4, 0]
