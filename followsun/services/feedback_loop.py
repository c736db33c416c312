"""The feedback loop: how the forecast did, what the latest actuals say, and which days are at risk.

A pure function of (scenario, stored tickets, the last stored forecast, the published
roster, settings); `followsun feedback` reads those from the store and writes the report.

* accuracy: the stored forecast against the actual arrivals per queue, over the
  intervals both cover before the coming days (`forecasting.backtest.forecast_accuracy`);
* re-forecast: the scenario's model (as the pipeline builds it) fitted on the history
  up to the coming days and predicted over them;
* recalibration: each queue's handle time is the mean `handle_seconds` of its tickets
  created in the last `calibration_days`, and a Tier 1 queue's escalation rate the share
  of those tickets flagged `escalated` (each only with at least `min_samples` tickets).
  Patience is not measurable from tickets (they carry no abandonment times): it is kept.
  The re-forecast's handle time is the recalibrated one, so requirements and outcomes
  use what was measured;
* risk: the published roster's heads per queue (`evaluation.allocation.staffed_frame`)
  face the re-forecast in the outcomes model (`evaluation.analytic.simulate_outcomes`);
  a queue's local day (in its coverage's time zone) is at risk when its predicted
  service level, weighted as SLA attainment is (`sla_weights`), is below the target;
* simulated risk: the same roster simulated (`evaluation.simulated.simulate_plan`)
  against contacts drawn from the re-forecast, with handle times, patience, escalation
  and concurrency calibrated on the window's tickets (`evaluation.calibration`); its
  day figures (`simulated_sl`, `simulated_at_risk`) stand beside the analytic ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

import numpy as np
import pandas as pd

from evaluation.analytic import sla_weights
from evaluation.calibration import calibrate as calibrate_actuals
from evaluation.call_log import LOG_COLUMNS, LogCalibration, calibrate_log
from evaluation.simulated import SimulationResult, SimulationSettings, simulate_plan
from followsun.services.pipeline import evaluate_roster, fit_forecast
from forecasting.aggregate import NOT_DEMAND, history_before, names_every_region
from forecasting.backtest import forecast_accuracy
from forecasting.errors import InputError
from forecasting.queues import queue_keys
from forecasting.schema import FORECAST
from forecasting.selection import AutoSelect
from forecasting.timegrid import interval_grid, local_to_utc
from scenarios.spec import Always, Queue, Scenario, Span24x5, WeeklyOpen
from scenarios.staffing import requirements as staff_requirements

QUEUE_KEYS = ["channel", "language", "tier"]
CALIBRATION_COLUMNS = (
    "queue",
    "channel",
    "language",
    "tier",
    "aht_seconds_old",
    "aht_seconds_new",
    "aht_tickets",
    "aht_measured",
    "escalation_rate_old",
    "escalation_rate_new",
    "escalation_tickets",
    "patience_seconds",
    "patience_seconds_new",
    "abandonments",
    "after_contact_seconds",
)
RISK_COLUMNS = (
    "date_local",
    "timezone",
    "queue",
    "channel",
    "language",
    "tier",
    "offered",
    "predicted_sl",
    "target",
    "margin",
    "at_risk",
    "shortfall_heads",
    "short_head_hours",
    "worst_intervals",
    "simulated_sl",
    "simulated_at_risk",
)


@dataclass(frozen=True)
class FeedbackSettings:
    """What to look ahead at and how much evidence recalibration needs.

    Attributes:
        as_of: the first coming local day; tickets before its earliest local midnight
            are the actuals.
        days: coming local days checked.
        model: forecast model alias ('auto', 'contact_centre', 'seasonal_naive').
        history_weeks: weeks of actuals the re-forecast is fitted on (at most).
        calibration_days: days before `as_of` whose tickets recalibrate the queues.
        min_samples: tickets a queue needs in that window to be recalibrated.
        worst_intervals: intervals named per day at risk.
        replications: replications of the roster's simulation (0: not simulated).
    """

    as_of: date
    days: int = 7
    model: str = "auto"
    history_weeks: int = 52
    calibration_days: int = 28
    min_samples: int = 20
    worst_intervals: int = 3
    replications: int = 10


@dataclass(frozen=True)
class FeedbackReport:
    """Everything the feedback loop found.

    Attributes:
        scenario: the recalibrated scenario (handle times, escalation rates).
        grid: the UTC intervals of the coming days.
        history: the interval history of the actuals (before `grid[0]`).
        accuracy: `forecast_accuracy` of the stored forecast per queue (empty without one
            or without overlap; `notes` says which).
        forecast: the re-forecast over `grid` (FORECAST columns, recalibrated handle time).
        forecast_method: how the re-forecast was made.
        calibration: per queue, old and new parameters (CALIBRATION_COLUMNS).
        requirements: the requirements of the re-forecast.
        staffed: the published roster's heads per queue and interval.
        outcomes: the predicted outcomes of the roster facing the re-forecast.
        risk: per coming local day and queue (RISK_COLUMNS).
        notes: what was left out or assumed, in words.
        simulated: the roster's simulation against the re-forecast with calibrated
            figures (None with no replications).
    """

    scenario: Scenario
    grid: pd.DatetimeIndex
    history: pd.DataFrame
    accuracy: pd.DataFrame
    forecast: pd.DataFrame
    forecast_method: str
    calibration: pd.DataFrame
    requirements: pd.DataFrame
    staffed: pd.DataFrame
    outcomes: pd.DataFrame
    risk: pd.DataFrame
    notes: tuple[str, ...]
    simulated: SimulationResult | None = None

    @property
    def at_risk(self) -> pd.DataFrame:
        """The rows of `risk` whose queue is predicted below its target that day."""
        return self.risk[self.risk["at_risk"]].reset_index(drop=True)


def queue_timezone(scenario: Scenario, queue: Queue) -> str:
    """The zone of a queue's local day: its coverage's (the opening's for a span)."""
    coverage = queue.coverage
    if isinstance(coverage, WeeklyOpen):
        return coverage.timezone
    if isinstance(coverage, Span24x5):
        return coverage.start.timezone
    assert isinstance(coverage, Always)
    return scenario.sites[0].timezone


def coming_grid(scenario: Scenario, as_of: date, days: int) -> pd.DatetimeIndex:
    """UTC grid covering local days [as_of, as_of + days) in every queue's zone."""
    if days < 1:
        raise InputError(f"days: expected at least 1, got {days}")
    step = f"{scenario.planning.interval_minutes}min"
    zones = {queue_timezone(scenario, q) for q in scenario.queues}
    first = min(local_to_utc(as_of, time(0, 0), tz) for tz in zones)
    last = max(local_to_utc(as_of + timedelta(days=days), time(0, 0), tz) for tz in zones)
    return interval_grid(first.floor(step), last.ceil(step), scenario.planning.interval_minutes)


def actual_history(
    scenario: Scenario, tickets: pd.DataFrame, end: pd.Timestamp, weeks: int
) -> tuple[pd.DataFrame, list[str]]:
    """Interval history of the scenario's queues from tickets created in the `weeks` before `end`.

    Per customer region when every ticket names one. Tickets of queues the scenario does
    not have are left out (and said so).
    """
    notes: list[str] = []
    created = pd.to_datetime(tickets["created_at"], utc=True)
    past = tickets[(created < end) & (created >= end - pd.Timedelta(weeks=weeks))]
    known = {q.id for q in scenario.queues}
    ids = queue_keys(past, "tickets")
    unknown = sorted(set(ids) - known)
    if unknown:
        notes.append(f"tickets of queues not in the scenario left out: {', '.join(unknown)}")
        past = past[ids.isin(known).to_numpy()]
    if past.empty:
        raise InputError(
            f"no imported tickets of the scenario's queues before {end.isoformat()}; import "
            "some (followsun import zendesk|freshdesk|csv)"
        )
    history = history_before(
        past, end, scenario.planning.interval_minutes, by_region=names_every_region(past)
    )
    # A queue without any handle time gets the scenario's, so the models can fit it.
    ids = queue_keys(history, "history")
    for q in scenario.queues:
        mine = (ids == q.id).to_numpy()
        if mine.any() and history.loc[mine, "aht_seconds"].isna().all():
            history.loc[mine & history["volume"].gt(0).to_numpy(), "aht_seconds"] = q.aht_seconds
            notes.append(
                f"{q.id}: no handle times imported; the scenario's {q.aht_seconds:g} s used"
            )
    return history, notes


def calibrate(
    scenario: Scenario, tickets: pd.DataFrame, end: pd.Timestamp, days: int, min_samples: int
) -> tuple[Scenario, pd.DataFrame, list[str]]:
    """Queues with handle time and escalation rate measured on the `days` before `end`.

    When the tickets are a contact log (`evaluation.call_log.LOG_COLUMNS`), a real-time
    queue is calibrated as `followsun replay` calibrates it: its handle time adds the
    agents' after-contact unavailability (the mean gap between calls while callers
    waited), and its patience becomes the exponential mean that the censored waits give
    (total time waited over abandonments), with at least `min_samples` abandonments.

    Returns the recalibrated scenario (frozen: copied), the old and new values per queue
    (CALIBRATION_COLUMNS) and notes on the queues kept as they were.
    """
    window = _created_within(tickets, end, days)
    ids = queue_keys(window, "tickets")
    handle = pd.to_numeric(window["handle_seconds"], errors="coerce").to_numpy(dtype=float)
    escalated = (
        window["escalated"].astype("boolean")
        if "escalated" in window
        else pd.Series(pd.NA, index=window.index, dtype="boolean")
    )
    rows = []
    queues = []
    notes: list[str] = []
    log = _log_calibration(window, notes)
    for q in scenario.queues:
        mine = (ids == q.id).to_numpy()
        times = handle[mine]
        times = times[np.isfinite(times) & (times > 0)]
        aht = float(times.mean()) if times.size >= min_samples else q.aht_seconds
        logged = log is not None and q.key in log.handle
        gaps = log.unavailability_s if log is not None and logged else np.zeros(0)
        after = float(gaps.mean()) if gaps.size else 0.0
        if times.size >= min_samples:
            aht += after
        patience, abandonments = q.patience_seconds, 0
        if logged:
            waited = window[mine & window["abandoned"].astype("boolean").fillna(False).to_numpy()]
            abandonments = int((pd.to_numeric(waited["wait_seconds"]) > 0).sum())
        if log is not None and abandonments >= min_samples:
            patience = log.exponential_patience_s.get(q.key, patience)
        if 0 < times.size < min_samples:
            notes.append(
                f"{q.id}: {times.size} tickets with a handle time in the last {days} days "
                f"(< {min_samples}); handle time kept at {q.aht_seconds:g} s"
            )
        flags = escalated[mine].dropna().astype(bool)
        rate = q.escalation_rate
        if q.escalates_to is not None and len(flags) >= min_samples:
            rate = float(flags.mean())
        update: dict[str, float | None] = {"aht_seconds": aht, "patience_seconds": patience}
        if q.escalates_to is not None:
            update["escalation_rate"] = rate
        queues.append(q.model_copy(update=update))
        rows.append(
            {
                "queue": q.id,
                "channel": q.channel,
                "language": q.language,
                "tier": q.tier,
                "aht_seconds_old": q.aht_seconds,
                "aht_seconds_new": aht,
                "aht_tickets": int(times.size),
                "aht_measured": bool(times.size >= min_samples),
                "escalation_rate_old": q.escalation_rate,
                "escalation_rate_new": rate,
                "escalation_tickets": int(len(flags)) if q.escalates_to is not None else 0,
                "patience_seconds": q.patience_seconds,
                "patience_seconds_new": patience,
                "abandonments": abandonments,
                "after_contact_seconds": after if times.size >= min_samples else 0.0,
            }
        )
    if log is None and any(q.patience_seconds is not None for q in scenario.queues):
        notes.append("patience kept as configured: tickets carry no abandonment times")
    recalibrated = scenario.model_copy(update={"queues": tuple(queues)})
    return recalibrated, pd.DataFrame(rows, columns=list(CALIBRATION_COLUMNS)), notes


def _log_calibration(window: pd.DataFrame, notes: list[str]) -> LogCalibration | None:
    """The contact-log calibration of the window's tickets, when they carry a log's fields."""
    if any(c not in window or window[c].isna().all() for c in LOG_COLUMNS):
        return None
    try:
        return calibrate_log(window)
    except InputError as exc:
        notes.append(f"contact log not used: {exc}")
        return None


def stored_accuracy(
    forecast: pd.DataFrame | None, history: pd.DataFrame
) -> tuple[pd.DataFrame, str | None]:
    """`forecast_accuracy` of a stored forecast over the intervals the actuals cover.

    Returns the accuracy per queue (empty when it cannot be measured) and why not.
    """
    empty = pd.DataFrame(
        columns=[*QUEUE_KEYS, "intervals", "actual", "forecast", "abs_error", "mae", "mase"]
        + ["wape", "bias", "inside_band"]
    )
    if forecast is None or forecast.empty:
        return empty, "no stored forecast of this scenario: accuracy not measured"
    starts = pd.to_datetime(forecast["interval_start"], utc=True)
    fc = forecast.assign(interval_start=starts)
    end = history["interval_start"].max()
    fc = fc[fc["interval_start"] <= end]
    if fc.empty:
        return empty, "the stored forecast starts after the last actual: accuracy not measured"
    first = fc["interval_start"].min()
    actuals = history[
        (history["interval_start"] >= first)
        & (history["interval_start"] <= fc["interval_start"].max())
    ]
    before = history[history["interval_start"] < first]
    try:
        accuracy = forecast_accuracy(
            fc, actuals, history=before if before["volume"].notna().any() else actuals
        )
    except InputError as exc:
        return empty, f"accuracy not measured: {exc}"
    return accuracy, None


def day_risk(
    scenario: Scenario,
    outcomes: pd.DataFrame,
    requirements: pd.DataFrame,
    staffed: pd.DataFrame,
    as_of: date,
    days: int,
    worst: int = 3,
) -> pd.DataFrame:
    """Predicted SLA per coming local day and queue against its target (RISK_COLUMNS).

    A day's predicted SLA is the `sla_weights`-weighted mean of its intervals' service
    levels (NaN when nothing counts: not at risk). `shortfall_heads` is the largest gap
    between heads required (`scheduled_required`) and rostered heads in the day, and
    `short_head_hours` that gap summed over the day's intervals.
    """
    step_h = scenario.planning.interval_minutes / 60.0
    keys = ["interval_start", *QUEUE_KEYS]
    column = "scheduled_required" if "scheduled_required" in requirements else "agents_required"
    need = requirements[[*keys, column]].rename(columns={column: "required"})
    heads = staffed.groupby(keys)["agents"].sum().reset_index()
    frame = outcomes.astype({"tier": "int64"}).merge(
        need.astype({"tier": "int64"}), on=keys, how="left"
    )
    frame = frame.merge(heads.astype({"tier": "int64"}), on=keys, how="left")
    frame["required"] = frame["required"].fillna(0.0)
    frame["agents"] = frame["agents"].fillna(0.0)
    frame["short"] = np.maximum(frame["required"] - frame["agents"], 0.0)
    frame["weight"] = sla_weights(frame)
    wanted = {as_of + timedelta(days=k) for k in range(days)}
    rows = []
    for q in scenario.queues:
        tz = queue_timezone(scenario, q)
        mine = frame[
            (frame["channel"] == q.channel)
            & (frame["language"] == q.language)
            & (frame["tier"] == q.tier)
        ]
        local = pd.DatetimeIndex(mine["interval_start"]).tz_convert(tz)
        day_of = pd.Series([d.date() for d in local], index=mine.index)
        for day in sorted(wanted):
            rows_day = mine[(day_of == day).to_numpy()]
            if rows_day.empty:
                continue
            weight = rows_day["weight"].to_numpy(dtype=float)
            total = float(weight.sum())
            sl = (
                float(np.dot(weight, rows_day["service_level"].to_numpy(dtype=float))) / total
                if total > 0
                else float("nan")
            )
            target = q.target.fraction
            at_risk = bool(total > 0 and sl < target - 1e-9)
            rows.append(
                {
                    "date_local": day,
                    "timezone": tz,
                    "queue": q.id,
                    "channel": q.channel,
                    "language": q.language,
                    "tier": q.tier,
                    "offered": float(rows_day["offered"].sum()),
                    "predicted_sl": sl,
                    "target": target,
                    "margin": sl - target if total > 0 else float("nan"),
                    "at_risk": at_risk,
                    "shortfall_heads": float(rows_day["short"].max()),
                    "short_head_hours": float(rows_day["short"].sum() * step_h),
                    "worst_intervals": _worst(rows_day, worst) if at_risk else "",
                }
            )
    return pd.DataFrame(rows, columns=list(RISK_COLUMNS))


def feedback_report(
    scenario: Scenario,
    tickets: pd.DataFrame,
    stored_forecast: pd.DataFrame | None,
    roster: pd.DataFrame,
    settings: FeedbackSettings,
) -> FeedbackReport:
    """Run the feedback loop (see the module docstring).

    Args:
        scenario: the organisation as planned.
        tickets: canonical tickets (forecasting.schema.TICKETS columns); those created
            before the coming days are the actuals.
        stored_forecast: the last forecast stored for the scenario (forecast columns), or
            None.
        roster: the published roster (roster columns: agent_id, site, date_local, shift,
            tier, skills).
        settings: the coming days and the recalibration thresholds.

    Raises:
        InputError: no tickets of the scenario's queues before the coming days, a roster
            that does not fit the scenario, or bad settings.
    """
    if settings.min_samples < 1 or settings.calibration_days < 1:
        raise InputError("min_samples and calibration_days must be at least 1")
    grid = coming_grid(scenario, settings.as_of, settings.days)
    end = grid[0]
    history, notes = actual_history(scenario, tickets, end, settings.history_weeks)
    accuracy, why = stored_accuracy(stored_forecast, history)
    if why:
        notes.append(why)
    recalibrated, calibration, more = calibrate(
        scenario, tickets, end, settings.calibration_days, settings.min_samples
    )
    notes.extend(more)
    forecast, model = fit_forecast(recalibrated, history, grid, settings.model)
    method = settings.model
    if isinstance(model, AutoSelect):
        chosen = model.choice_["model"].value_counts()
        method = "auto: " + ", ".join(f"{name} for {n} queues" for name, n in chosen.items())
        notes.extend(model.notes_)
    forecast = with_handle_times(forecast, calibration)
    reqs = staff_requirements(recalibrated, forecast)
    staffed, outcomes = evaluate_roster(recalibrated, roster, reqs, forecast, grid)
    if float(staffed["agents"].sum()) == 0.0:
        notes.append("the published roster has nobody at work in the coming days")
    if any(q.channel in ("email", "web", "social") for q in scenario.queues):
        notes.append("deferred queues start the coming days with no backlog (an optimistic bound)")
    risk = day_risk(
        recalibrated,
        outcomes,
        reqs,
        staffed,
        settings.as_of,
        settings.days,
        settings.worst_intervals,
    )
    simulated = None
    if settings.replications > 0:
        window = _created_within(tickets, end, settings.calibration_days)
        simulated = simulate_plan(
            recalibrated,
            grid,
            roster,
            SimulationSettings(replications=settings.replications),
            forecast=forecast,
            calibration=calibrate_actuals(window),
        )
        by_sim = day_risk(
            recalibrated, simulated.outcomes, reqs, staffed, settings.as_of, settings.days
        )
        sim = by_sim[["date_local", "queue", "predicted_sl", "at_risk"]].rename(
            columns={"predicted_sl": "simulated_sl", "at_risk": "simulated_at_risk"}
        )
        risk = risk.drop(columns=["simulated_sl", "simulated_at_risk"]).merge(
            sim, on=["date_local", "queue"], how="left"
        )[list(RISK_COLUMNS)]
    return FeedbackReport(
        scenario=recalibrated,
        grid=grid,
        history=history,
        accuracy=accuracy,
        forecast=forecast,
        forecast_method=method,
        calibration=calibration,
        requirements=reqs,
        staffed=staffed,
        outcomes=outcomes,
        risk=risk,
        notes=tuple(notes),
        simulated=simulated,
    )


def _created_within(tickets: pd.DataFrame, end: pd.Timestamp, days: int) -> pd.DataFrame:
    """The tickets created in the `days` before `end` that are demand (not spam, merged...)."""
    created = pd.to_datetime(tickets["created_at"], utc=True)
    live = ~tickets["status"].isin(NOT_DEMAND) if "status" in tickets else True
    return tickets[(created < end) & (created >= end - pd.Timedelta(days=days)) & live]


def with_handle_times(forecast: pd.DataFrame, calibration: pd.DataFrame) -> pd.DataFrame:
    """The forecast with each recalibrated queue's handle time in `aht_seconds`."""
    measured = calibration[calibration["aht_measured"].astype(bool)]
    if measured.empty:
        return forecast[list(FORECAST.names)].reset_index(drop=True)
    lookup = measured.astype({"tier": "int64"}).set_index(QUEUE_KEYS)["aht_seconds_new"]
    index = pd.MultiIndex.from_frame(forecast[QUEUE_KEYS].astype({"tier": "int64"}))
    new = lookup.reindex(index).to_numpy(dtype=float)
    aht = np.where(np.isnan(new), forecast["aht_seconds"].to_numpy(dtype=float), new)
    return forecast.assign(aht_seconds=aht)[list(FORECAST.names)].reset_index(drop=True)


def _worst(rows: pd.DataFrame, count: int) -> str:
    """The `count` counted intervals with the lowest service level, in words."""
    counted = rows[rows["weight"] > 0].sort_values(["service_level", "interval_start"]).head(count)
    parts = []
    for start, level, short in zip(
        pd.DatetimeIndex(counted["interval_start"]),
        counted["service_level"].to_numpy(dtype=float),
        counted["short"].to_numpy(dtype=float),
        strict=True,
    ):
        text = f"{start.strftime('%Y-%m-%dT%H:%MZ')} SL {level:.0%}"
        parts.append(text + (f", {short:.1f} heads short" if short > 0 else ""))
    return "; ".join(parts)
