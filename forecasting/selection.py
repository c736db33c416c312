"""Automatic choice of model per queue by rolling-origin backtest error."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import ClassVar, Self

import pandas as pd

from forecasting.backtest import ModelFactory, backtest
from forecasting.combination import Combination
from forecasting.errors import InputError
from forecasting.models import ContactCentre, ForecastModel, SeasonalNaive
from forecasting.panel import to_panel
from forecasting.schema import FORECAST, QUEUE_KEYS
from forecasting.weekly import MeanOfWeeks, MedianOfWeeks, RobustProfile

MIN_TRAIN_DAYS = 14
DEFAULT_CANDIDATES: tuple[ModelFactory, ...] = (
    SeasonalNaive,
    MeanOfWeeks,
    MedianOfWeeks,
    RobustProfile,
    ContactCentre,
    Combination,
)


class AutoSelect(ForecastModel):
    """Per queue, the candidate with the lowest absolute error over rolling-origin folds.

    Fit backtests every candidate on `folds` folds of `validation_days` days at the end
    of the history (forecasting.backtest), sums each queue's absolute errors over all
    folds, picks the lowest per queue and refits the chosen candidates on the whole
    history. The first candidate is the baseline: ties go to the earlier candidate, so
    the choice is never worse than the baseline on the folds it saw. A history too short
    for every fold uses as many folds as fit after `MIN_TRAIN_DAYS` days, and one too
    short for a single fold uses the baseline for every queue; `notes_` says so.

    Args:
        candidates: factories of fresh unfitted models, the baseline first (default:
            seasonal naive, mean of 4 weeks, median of 8 weeks, robust profile,
            contact-centre model, their combination).
        validation_days: days forecast from each fold's origin.
        folds: number of origins, each `validation_days` after the previous.
    """

    alias: ClassVar[str] = "auto"

    def __init__(
        self,
        candidates: Sequence[ModelFactory] = DEFAULT_CANDIDATES,
        validation_days: int = 7,
        folds: int = 8,
    ) -> None:
        super().__init__()
        if not candidates:
            raise InputError("AutoSelect needs at least one candidate model")
        if validation_days < 1 or folds < 1:
            raise InputError("validation_days and folds must be at least 1")
        self.candidates = tuple(candidates)
        self.validation_days = validation_days
        self.folds = folds

    def fit(self, history: pd.DataFrame) -> Self:
        """Backtest the candidates on the last folds, choose per queue, refit the chosen ones."""
        aliases = [factory().alias for factory in self.candidates]
        self.notes_: list[str] = []
        panel = to_panel(history, by_region=False)
        queues = panel.keys[list(QUEUE_KEYS)].reset_index(drop=True)
        span = panel.grid[-1] - panel.grid[0] + pd.Timedelta(minutes=panel.interval_min)
        span_days = span / pd.Timedelta(days=1)
        folds = min(self.folds, int((span_days - MIN_TRAIN_DAYS) // self.validation_days))
        if folds < 1:
            self.notes_.append(
                f"history of {span_days:.1f} days is too short to validate on "
                f"{self.validation_days} days; using {aliases[0]} for every queue"
            )
            choice = queues.assign(model=aliases[0])
        else:
            if folds < self.folds:
                self.notes_.append(
                    f"history of {span_days:.1f} days holds {folds} of {self.folds} folds"
                )
            result = backtest(
                history,
                self.candidates,
                horizon_days=self.validation_days,
                folds=folds,
                min_train_days=MIN_TRAIN_DAYS,
            )
            errors = result.by_queue.groupby(["model", *QUEUE_KEYS], sort=False)["abs_error"].sum()
            table = errors.unstack("model").reindex(columns=aliases)
            best = table.fillna(float("inf")).idxmin(axis=1)
            choice = best.rename("model").reset_index()
            choice = queues.merge(choice, on=list(QUEUE_KEYS), how="left").fillna(
                {"model": aliases[0]}
            )
        self.choice_ = choice
        self.fitted_: dict[str, ForecastModel] = {}
        for alias, factory in zip(aliases, self.candidates, strict=True):
            if alias in set(choice["model"]):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self.fitted_[alias] = factory().fit(history)
        return self

    def predict(self, grid: pd.DatetimeIndex) -> pd.DataFrame:
        """Each queue's forecast from its chosen model."""
        parts = []
        for alias, model in self.fitted_.items():
            forecast = model.predict(grid)
            chosen = self.choice_.loc[self.choice_["model"] == alias, list(QUEUE_KEYS)]
            parts.append(
                forecast.merge(chosen.astype({"tier": "int64"}), on=list(QUEUE_KEYS), how="inner")
            )
        out = pd.concat(parts, ignore_index=True)
        return out.sort_values([*QUEUE_KEYS, "interval_start"], kind="stable").reset_index(
            drop=True
        )[list(FORECAST.names)]
