"""Automatic choice of model per queue by rolling-origin backtest error."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import partial
from typing import ClassVar, Self

import numpy as np
import pandas as pd

from forecasting.backtest import BacktestResult, ModelFactory, backtest_panel, fold_error
from forecasting.combination import AVERAGED, Combination
from forecasting.daily import DailyLevel
from forecasting.errors import InputError
from forecasting.models import ContactCentre, ForecastModel, SeasonalNaive
from forecasting.panel import Panel, to_panel
from forecasting.schema import FORECAST, QUEUE_KEYS
from forecasting.weekly import MeanOfWeeks, MedianOfWeeks, RobustProfile

MIN_TRAIN_DAYS = 14
TRAIN_WEEKS = 26  # each fold's fit window: every candidate's longest look-back, with margin
PAIR = " + "  # a choice of two models averaged: "robust_profile + mean_4_weeks"
CANDIDATE_MODELS: tuple[type[ForecastModel], ...] = (
    SeasonalNaive,
    MeanOfWeeks,
    MedianOfWeeks,
    RobustProfile,
    DailyLevel,
    ContactCentre,
    Combination,
)
# In auto the combination is the plain mean of its members: its folds are then the mean of
# theirs, with no backtest inside each fold, and a trimmed combination is what `choose`
# already does with pairs; unhedged (forecasting.labels), as the mean of its members is.
DEFAULT_CANDIDATES: tuple[ModelFactory, ...] = (
    *CANDIDATE_MODELS[:-1],
    partial(Combination, trim=None, hedge_shifts=False),
)


class AutoSelect(ForecastModel):
    """Per queue, the best candidate (or best two, averaged) over rolling-origin folds.

    Fit backtests every candidate on `folds` folds of `validation_days` days at the end
    of the history (forecasting.backtest), sums each queue's absolute errors over all
    folds, and takes per queue the mean of the two best candidates, or the best alone
    when that pair did worse than it on the folds (`choose`); the chosen candidates are
    refitted on the whole history. The first candidate is the baseline and ties go to
    the earlier candidate, so the choice is never worse than the baseline on the folds
    it saw. A history too short for every fold uses as many folds as fit after
    `MIN_TRAIN_DAYS` days, and one too short for a single fold uses the baseline for
    every queue; `notes_` says so.

    Args:
        candidates: factories of fresh unfitted models, the baseline first (default:
            seasonal naive, mean of 4 weeks, median of 8 weeks, robust profile,
            contact-centre model, their combination).
        validation_days: days forecast from each fold's origin.
        folds: number of origins, each `validation_days` after the previous.
        train_weeks: each fold is fitted on only the last `train_weeks` weeks before its
            origin (None: all of them), so that the folds cost the same on two years as
            on half of one; the chosen models are refitted on the whole history.
    """

    alias: ClassVar[str] = "auto"

    def __init__(
        self,
        candidates: Sequence[ModelFactory] = DEFAULT_CANDIDATES,
        validation_days: int = 7,
        folds: int = 8,
        train_weeks: int | None = TRAIN_WEEKS,
    ) -> None:
        super().__init__()
        if not candidates:
            raise InputError("AutoSelect needs at least one candidate model")
        if validation_days < 1 or folds < 1:
            raise InputError("validation_days and folds must be at least 1")
        if train_weeks is not None and 7 * train_weeks < MIN_TRAIN_DAYS:
            raise InputError(f"train_weeks must cover at least {MIN_TRAIN_DAYS} days")
        self.train_weeks = train_weeks
        self.candidates = tuple(candidates)
        self.validation_days = validation_days
        self.folds = folds

    def fit(self, history: pd.DataFrame) -> Self:
        """Backtest the candidates on the last folds, choose per queue, refit the chosen ones."""
        aliases = [factory().alias for factory in self.candidates]
        self.notes_: list[str] = []
        source = to_panel(history, by_region=True)  # pivoted once for the folds and the refit
        step = pd.Timedelta(minutes=source.interval_min)
        n_t = len(source.grid)
        recent = source
        if self.train_weeks is not None:  # the folds read no further back than this
            read = pd.Timedelta(days=self.folds * self.validation_days + 7 * self.train_weeks)
            recent = source.window(max(0, n_t - 1 - int(read / step)), n_t)
        span_days = (source.grid[-1] + step - source.grid[0]) / pd.Timedelta(days=1)
        queues = source.queue_level().keys[list(QUEUE_KEYS)]
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
            result = self._backtest(recent, history, aliases, folds)
            choice = queues.merge(choose(result, aliases), on=list(QUEUE_KEYS), how="left")
            choice = choice.fillna({"model": aliases[0]})
        self.choice_ = choice
        self.fitted_: dict[str, ForecastModel] = {}
        derived = self._derived(aliases)
        used = {alias for model in choice["model"] for alias in members_of(str(model))}
        # A chosen combination of candidates is the mean of its members, fitted once each.
        self.derived_ = {alias: members for alias, members in derived.items() if alias in used}
        used = {m for alias in used for m in self.derived_.get(alias, [alias])}
        chosen = [
            (alias, factory())
            for alias, factory in zip(aliases, self.candidates, strict=True)
            if alias in used
        ]
        for alias, model in chosen:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fitted = model.fit_panel(source) if model.fits_panels() else model.fit(history)
                self.fitted_[alias] = fitted
        return self

    def _backtest(
        self, recent: Panel, history: pd.DataFrame, aliases: list[str], folds: int
    ) -> BacktestResult:
        """The candidates' folds, each fitted on the last `train_weeks` before its origin.

        A combination of other candidates is not refitted: its fold forecasts are the
        mean of its members' (what refitting it would give).
        """
        derived = self._derived(aliases)
        fitted = [f for a, f in zip(aliases, self.candidates, strict=True) if a not in derived]
        result = backtest_panel(
            recent,
            fitted,
            horizon_days=self.validation_days,
            folds=folds,
            min_train_days=MIN_TRAIN_DAYS,
            train_days=None if self.train_weeks is None else 7 * self.train_weeks,
            history=history,
        )
        for alias, members in derived.items():
            result.forecasts[alias] = np.mean([result.forecasts[m] for m in members], axis=0)
        return result

    def _derived(self, aliases: list[str]) -> dict[str, list[str]]:
        """The candidates that are combinations of other candidates, with their members."""
        return {
            alias: members
            for alias, factory in zip(aliases, self.candidates, strict=True)
            if (members := combined_members(factory())) and set(members) <= set(aliases)
        }

    def predict(self, grid: pd.DatetimeIndex) -> pd.DataFrame:
        """Each queue's forecast: its chosen model's, or the mean of its chosen pair's."""
        keys = list(QUEUE_KEYS)
        forecasts = {
            alias: model.predict(grid).set_index(keys) for alias, model in self.fitted_.items()
        }
        for alias, members in self.derived_.items():  # as Combination.predict averages them
            frame = forecasts[members[0]].copy()
            for column in AVERAGED:
                frame[column] = sum(forecasts[m][column].to_numpy() for m in members) / len(members)
            forecasts[alias] = frame
        parts = []
        for model, chosen in self.choice_.groupby("model", sort=False):
            index = pd.MultiIndex.from_frame(chosen[keys].astype({"tier": "int64"}))
            rows = []
            for alias in members_of(str(model)):
                frame = forecasts[alias]
                rows.append(frame[frame.index.isin(index)])
            part = rows[0].copy()
            for column in AVERAGED:
                part[column] = sum(r[column].to_numpy() for r in rows) / len(rows)
            parts.append(part.reset_index())
        out = pd.concat(parts, ignore_index=True)
        return out.sort_values([*keys, "interval_start"], kind="stable").reset_index(drop=True)[
            list(FORECAST.names)
        ]


def combined_members(model: ForecastModel) -> list[str]:
    """The member aliases of a combination (empty for any other model)."""
    if not isinstance(model, Combination):
        return []
    return [member().alias for member in model.members]


def members_of(model: str) -> list[str]:
    """The aliases of a choice: one model, or a pair written 'a + b'."""
    return model.split(PAIR)


def choose(result: BacktestResult, aliases: Sequence[str]) -> pd.DataFrame:
    """Per queue, the mean of the two candidates with the lowest fold error, or the best one.

    The pair is taken when its own fold error is no higher than the best candidate's:
    combining the two best is steadier out of sample than the single best, whose lead
    on a few folds is partly luck, and a pair with a clearly worse partner is not taken.
    Either way the choice's fold error is at most the baseline's (`aliases[0]`).

    Returns:
        `channel`, `language`, `tier`, `model` (an alias, or a pair 'a + b').
    """
    errors = np.stack([fold_error(result.forecasts[a], result.actuals) for a in aliases])
    ranked = np.argsort(errors, axis=0, kind="stable")  # (candidate rank, queue)
    models: list[str] = []
    for q in range(errors.shape[1]):
        best = [aliases[int(i)] for i in ranked[:2, q]]
        if len(best) == 2:
            pair = (result.forecasts[best[0]][:, q] + result.forecasts[best[1]][:, q]) / 2
            if (
                fold_error(pair[:, None], result.actuals[:, q][:, None])[0]
                <= errors[ranked[0, q], q]
            ):
                models.append(PAIR.join(best))
                continue
        models.append(best[0])
    out = result.queues.copy()
    out["model"] = models
    return out
