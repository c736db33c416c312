"""Automatic choice of model per queue by backtest error."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import ClassVar, Self

import pandas as pd

from forecasting.backtest import ModelFactory, backtest
from forecasting.errors import InputError
from forecasting.models import ContactCentre, ForecastModel, SeasonalNaive
from forecasting.panel import to_panel
from forecasting.schema import FORECAST, QUEUE_KEYS

MIN_TRAIN_DAYS = 14
DEFAULT_CANDIDATES: tuple[ModelFactory, ...] = (SeasonalNaive, ContactCentre)


class AutoSelect(ForecastModel):
    """Per queue, the candidate with the lowest absolute error on the last `validation_days`.

    Fit runs a one-fold backtest of every candidate on the history's last days, picks
    the best per queue (ties go to the earlier candidate), then refits the chosen
    candidates on the whole history. A history too short for the validation fold uses
    the first candidate for every queue, and says so in `notes_`.

    Args:
        candidates: factories of fresh unfitted models (default: seasonal naive, then the
            contact-centre model without declared regions).
        validation_days: days held out to score the candidates.
    """

    alias: ClassVar[str] = "auto"

    def __init__(
        self, candidates: Sequence[ModelFactory] = DEFAULT_CANDIDATES, validation_days: int = 14
    ) -> None:
        super().__init__()
        if not candidates:
            raise InputError("AutoSelect needs at least one candidate model")
        if validation_days < 1:
            raise InputError("validation_days must be at least 1")
        self.candidates = tuple(candidates)
        self.validation_days = validation_days

    def fit(self, history: pd.DataFrame) -> Self:
        """Score the candidates on the last days, choose per queue, refit the chosen ones."""
        aliases = [factory().alias for factory in self.candidates]
        self.notes_: list[str] = []
        panel = to_panel(history, by_region=False)
        queues = panel.keys[list(QUEUE_KEYS)].reset_index(drop=True)
        span = panel.grid[-1] - panel.grid[0] + pd.Timedelta(minutes=panel.interval_min)
        if span < pd.Timedelta(days=self.validation_days + MIN_TRAIN_DAYS):
            self.notes_.append(
                f"history of {span / pd.Timedelta(days=1):.1f} days is too short to validate on "
                f"{self.validation_days} days; using {aliases[0]} for every queue"
            )
            choice = queues.assign(model=aliases[0])
        else:
            result = backtest(
                history,
                self.candidates,
                horizon_days=self.validation_days,
                folds=1,
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
