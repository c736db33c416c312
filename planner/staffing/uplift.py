"""A staffing uplift: a queue's required agents multiplied, so the roster staffs above Erlang.

The Erlang figures assume every open interval is staffed exactly and agents are fully
interchangeable; a roster of whole shifts and a simulation of real arrivals can miss a
target they say is met. Sizing then raises that queue's requirement by a factor and
re-rosters (`followsun.services.size`): extra heads only buy service when the roster is
asked to put them on shift.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from forecasting.errors import InputError
from forecasting.queues import queue_keys

UPLIFTED_COLUMNS = ("agents_required", "scheduled_required")
"""The requirement columns a factor multiplies (the figures the roster covers)."""


def uplift_requirements(requirements: pd.DataFrame, factors: Mapping[str, float]) -> pd.DataFrame:
    """The requirements with each named queue's agents multiplied by its factor.

    Args:
        requirements: the requirements frame (channel, language, tier, agents_required,
            optionally scheduled_required).
        factors: queue id (e.g. 'phone-en-t1') to a factor >= 1; queues not named keep
            their figures.

    Raises:
        InputError: a factor below 1 or not finite, or a queue the frame does not have.
    """
    if not factors:
        return requirements
    for queue, factor in factors.items():
        if not math.isfinite(factor) or factor < 1:
            raise InputError(f"uplift: {queue}'s factor must be a number >= 1, got {factor!r}")
    ids = queue_keys(requirements, "requirements")
    unknown = sorted(set(factors) - set(ids))
    if unknown:
        raise InputError(f"uplift: queues {unknown} are not in the requirements")
    scale = ids.map(lambda q: factors.get(q, 1.0)).to_numpy(dtype=float)
    out = requirements.copy()
    for column in UPLIFTED_COLUMNS:
        if column in out.columns:
            out[column] = out[column].to_numpy(dtype=float) * scale
    return out
