"""statsforecast models (Nixtla) under the forecasting interface.

`StatsForecastMSTL` (daily and weekly seasons, AutoETS trend) and `StatsForecastAutoETS`
(daily season) fit each queue's series on the last `history_weeks` weeks of the history
and predict the horizon with an 80% interval as the p10-p90 band. statsforecast is an
optional dependency (`pip install 'followsun[stats]'`), imported only when one of these
models is constructed, so the core install does not need it.

The series are queue totals (regions summed) in UTC: these models know nothing of
customer time zones, holidays or events, which is why they are the peers the
contact-centre model is measured against. statsforecast takes no missing values: a gap
is filled with the value one week earlier (else one day earlier, else the series mean).
"""

from __future__ import annotations

import importlib
import warnings
from types import ModuleType
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd

from forecasting.errors import InputError
from forecasting.models import (
    WEEK_DAYS,
    ForecastModel,
    ShortHistoryWarning,
    check_horizon,
    check_observed,
    forecast_frame,
)
from forecasting.panel import Panel

INSTALL_HINT = "pip install 'followsun[stats]'"
BAND_LEVEL = 80  # the p10-p90 band is the central 80% interval


def statsforecast_models() -> ModuleType:
    """The `statsforecast.models` module, or InputError with the install hint."""
    try:
        return importlib.import_module("statsforecast.models")
    except ImportError:
        raise InputError(
            f"the statsforecast models need the statsforecast package: {INSTALL_HINT}"
        ) from None


def fill_gaps(y: np.ndarray, per_day: int) -> np.ndarray:
    """`y` with each NaN replaced by the value a week, else a day, earlier (else the mean)."""
    out = y.copy()
    for lag in (WEEK_DAYS * per_day, per_day):
        for _ in range(len(out) // lag + 1):
            missing = np.flatnonzero(np.isnan(out))
            missing = missing[missing >= lag]
            if len(missing) == 0:
                break
            earlier = out[missing - lag]
            if np.isnan(earlier).all():
                break
            out[missing] = earlier
    if np.isnan(out).any():
        mean = np.nanmean(out) if np.isfinite(out).any() else 0.0
        out[np.isnan(out)] = mean
    return out


class _StatsForecastModel(ForecastModel):
    """Shared fit/predict over one statsforecast model per queue.

    Args:
        history_weeks: weeks at the end of the history each series is fitted on.
        aht_weeks: weeks the AHT forecast (volume-weighted mean) is drawn from.
        default_aht_s: AHT for queues whose history has none.
    """

    def __init__(
        self,
        *,
        history_weeks: int = 8,
        aht_weeks: int = 4,
        default_aht_s: float | None = None,
    ) -> None:
        super().__init__(aht_weeks=aht_weeks, default_aht_s=default_aht_s)
        if history_weeks < 1:
            raise InputError("history_weeks must be at least 1")
        self.history_weeks = history_weeks
        self._models = statsforecast_models()

    def _make(self, per_day: int, weekly: bool) -> Any:  # noqa: ANN401 (a statsforecast model)
        raise NotImplementedError

    def fit_panel(self, panel: Panel) -> Self:
        """Fit one statsforecast model per queue on the last `history_weeks` weeks."""
        panel = panel.queue_level()
        check_observed(panel)
        per_day = 1440 // panel.interval_min
        n_t = panel.volume.shape[1]
        if n_t < 2 * per_day:
            raise InputError(f"history covers {n_t} intervals, less than two days; cannot forecast")
        weekly = n_t >= 2 * WEEK_DAYS * per_day
        if not weekly:
            warnings.warn(
                f"history covers {n_t / per_day:.1f} days, less than two weeks: "
                f"{self.alias} uses a daily season only",
                ShortHistoryWarning,
                stacklevel=2,
            )
        self.panel_ = panel
        self.queues_, self.aht_s_ = self._fit_aht(panel)
        tail = panel.volume[:, -self.history_weeks * WEEK_DAYS * per_day :]
        self.fitted_: list[Any] = []
        for y in tail:
            series = fill_gaps(y, per_day)
            with warnings.catch_warnings():
                # statsforecast and numba warn about numerics they handle themselves.
                warnings.simplefilter("ignore")
                self.fitted_.append(self._make(per_day, weekly).fit(series))
        return self

    def predict(self, grid: pd.DatetimeIndex) -> pd.DataFrame:
        """Forecast every queue over `grid`, which must lie after the history."""
        panel = self.panel_
        pos = check_horizon(grid, panel)
        ahead = pos - (panel.volume.shape[1] - 1)  # 1 = the first interval after the history
        if ahead.min() < 1:
            raise InputError(f"{self.alias} forecasts only after the history's last interval")
        h = int(ahead.max())
        mean = np.empty((len(self.fitted_), len(grid)))
        lo = np.empty_like(mean)
        hi = np.empty_like(mean)
        for i, model in enumerate(self.fitted_):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = model.predict(h=h, level=[BAND_LEVEL])
            take = ahead - 1
            mean[i] = np.asarray(out["mean"], dtype=float)[take]
            lo[i] = np.asarray(out[f"lo-{BAND_LEVEL}"], dtype=float)[take]
            hi[i] = np.asarray(out[f"hi-{BAND_LEVEL}"], dtype=float)[take]
        return forecast_frame(self.queues_, grid, mean, lo, hi, self.aht_s_)


class StatsForecastMSTL(_StatsForecastModel):
    """statsforecast MSTL: daily and weekly seasons (STL) with an AutoETS trend."""

    alias: ClassVar[str] = "statsforecast_mstl"

    def _make(self, per_day: int, weekly: bool) -> Any:  # noqa: ANN401
        seasons = [per_day, WEEK_DAYS * per_day] if weekly else [per_day]
        return self._models.MSTL(
            season_length=seasons, trend_forecaster=self._models.AutoETS(model="ZZN")
        )


class StatsForecastAutoETS(_StatsForecastModel):
    """statsforecast AutoETS with the daily season."""

    alias: ClassVar[str] = "statsforecast_autoets"

    def _make(self, per_day: int, weekly: bool) -> Any:  # noqa: ANN401
        return self._models.AutoETS(season_length=per_day)


STATISTICAL_MODELS: tuple[type[ForecastModel], ...] = (StatsForecastMSTL, StatsForecastAutoETS)
