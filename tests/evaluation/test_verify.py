from __future__ import annotations

import json

import numpy as np
import pytest

from evaluation import verify
from followsun.cli import main
from planner.staffing import erlang_a


def test_every_check_passes_on_a_smaller_sample() -> None:
    checks = verify.run_checks(contacts=50_000, seed=11)
    failed = [c for c in checks if not c.passed]
    assert failed == []
    assert {c.name.split(".")[0] for c in checks} == {
        "erlang_c",
        "erlang_a",
        "chat",
        "pooled_two_queue",
        "conservation",
    }


def test_a_figure_outside_its_tolerance_fails() -> None:
    assert not verify._check("x", 1.0, 1.05, std_error=0.01).passed
    assert verify._check("x", 1.0, 1.02, std_error=0.01).passed  # 3 standard errors
    assert verify._check("x", 1.0, 1.009, std_error=0.0).passed  # 1% relative
    assert not verify._check("x", 1.0, float("nan"), std_error=0.0).passed


@pytest.mark.parametrize(
    ("rate", "handle", "patience"), [(0.02, 180.0, 120.0), (0.03, 100.0, 60.0)]
)
def test_pooled_chain_with_alike_queues_is_erlang_a_of_the_merged_stream(
    rate: float, handle: float, patience: float
) -> None:
    # Two queues with equal handle and patience are one M/M/n+M queue to the agents.
    n = 4
    exact = verify.pooled_chain_figures(n, (rate * 0.7, rate * 0.3), (handle,) * 2, (patience,) * 2)
    merged = erlang_a.figures(n, rate * 3600, handle, 3600.0, patience, 20.0)
    assert exact["A.p_wait"] == pytest.approx(float(merged.p_wait), rel=1e-6)
    both = 0.7 * exact["A.abandon_rate"] + 0.3 * exact["B.abandon_rate"]
    assert both == pytest.approx(float(merged.abandon_rate), rel=1e-6)
    # priority: the first queue waits less than the second
    assert exact["A.mean_queue_s"] < exact["B.mean_queue_s"]


def test_verify_command_prints_json_checks_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", "--json", "--contacts", "20000", "--seed", "5"])
    checks = json.loads(capsys.readouterr().out)
    assert code == 0
    assert all(set(c) == {"name", "expected", "observed", "tolerance", "passed"} for c in checks)
    assert all(c["passed"] for c in checks)
    assert all(np.isfinite(c["observed"]) for c in checks)


def test_verify_command_rejects_a_tiny_sample(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--contacts", "10"]) == 2
    assert "--contacts" in capsys.readouterr().err
