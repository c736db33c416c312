"""Staffing bench: one million interval-queue requirements, side by side with pyworkforce."""

from __future__ import annotations

import time

import numpy as np

from planner.staffing import erlang_c
from planner.staffing.requirements import scheduled_heads

N = 1_000_000
SAMPLE = 3000
INTERVAL_MIN = 30
SL, TARGET_S, SHRINK = 0.8, 20.0, 0.3


def _ours(volume: np.ndarray, aht: np.ndarray) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    traffic = erlang_c.traffic_erlangs(volume, aht, INTERVAL_MIN * 60.0)
    need = erlang_c.required_agents(traffic, aht, sl_target=SL, target_s=TARGET_S)
    return need.agents, time.perf_counter() - start


def _pyworkforce(volume: np.ndarray, aht: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    from pyworkforce.queuing import ErlangC

    raw = np.zeros(volume.size, dtype=np.int64)
    heads = np.zeros(volume.size, dtype=np.int64)
    start = time.perf_counter()
    for i, (v, h) in enumerate(zip(volume, aht, strict=True)):
        # pyworkforce takes times in one unit of its choosing: minutes here.
        model = ErlangC(
            transactions=float(v),
            aht=float(h) / 60,
            asa=TARGET_S / 60,
            interval=INTERVAL_MIN,
            shrinkage=SHRINK,
        )
        out = model.required_positions(service_level=SL, max_occupancy=1.0)
        raw[i], heads[i] = out["raw_positions"], out["positions"]
    return raw, heads, time.perf_counter() - start


def run() -> str:
    """Time 10^6 requirements and compare a sample with pyworkforce's ErlangC."""
    rng = np.random.default_rng(20261125)
    volume = rng.integers(0, 2001, N).astype(float)
    aht = rng.uniform(60.0, 1200.0, N)
    agents, seconds = _ours(volume, aht)
    rate = N / seconds

    pick = rng.choice(np.flatnonzero(volume > 0), SAMPLE, replace=False)
    v_s, h_s = volume[pick], aht[pick]
    ours_s, ours_sample_s = _ours(v_s, h_s)
    try:
        pw_raw, pw_heads, pw_seconds = _pyworkforce(v_s, h_s)
    except ImportError:
        return (
            "## Staffing (Erlang C)\n\n"
            f"{N:,} requirements in {seconds:.2f} s ({rate:,.0f} a second). pyworkforce is not "
            "installed (`pip install pyworkforce`), so no comparison was made.\n"
        )
    pw_rate = SAMPLE / pw_seconds
    same_raw = int((pw_raw == ours_s).sum())
    ours_heads = scheduled_heads(ours_s, SHRINK)
    head_diff = int((pw_heads != ours_heads).sum())
    head_high = int((pw_heads > ours_heads).sum())
    traffic = v_s * h_s / (INTERVAL_MIN * 60)
    return f"""## Staffing (Erlang C required agents)

Method: {N:,} interval-queue requirements, volume uniform on 0..2,000 contacts per
{INTERVAL_MIN}-minute interval, AHT uniform on 60..1,200 s (traffic up to
{2000 * 1200 / (INTERVAL_MIN * 60):,.0f} Erlangs), target {SL:.0%} within {TARGET_S:g} s,
computed in one vectorised call of `planner.staffing.erlang_c.required_agents`.
pyworkforce {_pw_version()} `ErlangC.required_positions` ran on a random sample of
{SAMPLE} of the same problems with volume > 0 (traffic {traffic.min():.1f} to
{traffic.max():,.0f} Erlangs); it loops in Python over agents and over Erlang B terms,
so its cost grows with the square of the traffic.

| measure | followsun | pyworkforce | ratio |
|---|---|---|---|
| {N:,} requirements, wall seconds | {seconds:.2f} | (est.) {N / pw_rate:,.0f} | |
| requirements per second | {rate:,.0f} | {pw_rate:,.1f} | **{rate / pw_rate:,.0f}x** |
| sample of {SAMPLE}, wall seconds | {ours_sample_s:.3f} | {pw_seconds:.1f} | {pw_seconds / ours_sample_s:,.0f}x |
| raw agents equal on the sample | {same_raw} / {SAMPLE} | | |
| heads after {SHRINK:.0%} shrinkage differ | {head_diff} / {SAMPLE} | ({head_high} one too high in pyworkforce) | |

Raw agent counts are the comparable figure: pyworkforce's heads after shrinkage round
``raw / (1 - shrinkage)`` up in floating point (21 / 0.7 = 30.000000000000004 -> 31);
followsun divides exactly.
"""


def _pw_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pyworkforce")
    except PackageNotFoundError:
        return "(not installed)"
