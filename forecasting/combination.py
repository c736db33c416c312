"""Forecast combination: the mean of several models' forecasts.

Averaging forecasts of different kinds is among the most reliable gains in forecasting
(the M3 and M4 competitions); each member's errors partly cancel. The band averages
the members' quantiles (Vincentisation), which keeps p10 <= volume <= p90.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, Self

import numpy as np
import pandas as pd

from forecasting.daily import DailyLevel
from forecasting.errors import InputError
from forecasting.models import ContactCentre, ForecastModel
from forecasting.panel import Panel
from forecasting.schema import FORECAST, QUEUE_KEYS
from forecasting.weekly import MedianOfWeeks, RobustProfile

ModelFactory = Callable[[], ForecastModel]
DEFAULT_MEMBERS: tuple[ModelFactory, ...] = (
    RobustProfile,
    MedianOfWeeks,
    ContactCentre,
    DailyLevel,
)
AVERAGED = ("volume", "volume_p10", "volume_p90")


class Combination(ForecastModel):
    """The equally weighted mean of its members' forecasts (volume and quantiles).

    Args:
        members: factories of fresh unfitted models (default: robust profile, median of
            8 weeks, contact-centre model, daily level).
    """

    alias: ClassVar[str] = "combination"
    by_region: ClassVar[bool] = True  # the contact-centre member reads region series

    def __init__(self, members: Sequence[ModelFactory] = DEFAULT_MEMBERS) -> None:
        super().__init__()
        if not members:
            raise InputError("a combination needs at least one member model")
        self.members = tuple(members)

    def fit_panel(self, panel: Panel) -> Self:
        """Fit every member on the whole history."""
        self.fitted_ = [factory().fit_panel(panel) for factory in self.members]
        self.notes_: list[str] = [n for m in self.fitted_ for n in getattr(m, "notes_", [])]
        return self

    def predict_mean(self, grid: pd.DatetimeIndex) -> np.ndarray:
        """The members' expected volumes, averaged."""
        return np.mean([m.predict_mean(grid) for m in self.fitted_], axis=0)

    def predict(self, grid: pd.DatetimeIndex) -> pd.DataFrame:
        """Every member's forecast, averaged per queue and interval."""
        keys = ["interval_start", *QUEUE_KEYS]
        parts = [m.predict(grid).set_index(keys) for m in self.fitted_]
        out = parts[0].copy()
        for column in AVERAGED:
            out[column] = sum(p[column] for p in parts) / len(parts)
        return out.reset_index()[list(FORECAST.names)]
