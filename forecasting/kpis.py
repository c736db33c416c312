"""Actual support KPIs from canonical tickets: what really happened in a period.

The figures every support team tracks: new tickets by channel, tickets
solved, backlog, first response and full resolution time percentiles, SLA attainment
per queue, one-touch resolution, escalation rate and CSAT. Pure functions over the
canonical tickets frame (forecasting.schema.TICKETS columns); the caller gives the period
and the clock.

Populations (all leave out tickets with status 'deleted' or 'spam'):
- created: tickets created in [start, end); first response times, escalation rate and
  SLA attainment are over these;
- solved: tickets whose `solved_at` lies in [start, end); resolution times, one-touch
  resolution and CSAT are over these;
- backlog: tickets created before `end` and not solved by `end` (a ticket whose status
  says solved or closed but that has no `solved_at` counts as solved).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from forecasting.errors import InputError
from forecasting.schema import TICKETS
from forecasting.timegrid import as_utc

EXCLUDED_STATUSES = ("deleted", "spam")
SOLVED_STATUSES = ("solved", "closed")
# First-response targets by channel when no scenario gives one (industry guidance: email
# under a day, social a couple of hours, phone minutes, chat seconds; web tickets are deferred
# work like email).
DEFAULT_FIRST_REPLY_TARGETS_S: Mapping[str, float] = MappingProxyType(
    {"chat": 60.0, "phone": 300.0, "social": 7_200.0, "email": 86_400.0, "web": 86_400.0}
)
DEFAULT_TARGET_FRACTION = 0.8
_NEEDED = ("created_at", "status", "channel", "language", "tier", "first_reply_at", "solved_at")


@dataclass(frozen=True)
class SlaTarget:
    """A first-response target for a queue: `fraction` of tickets answered within `within_s`.

    Attributes:
        channel: the queue's channel.
        language: its language (None: every language of the channel).
        tier: its tier (None: every tier).
        within_s: the first-response threshold, seconds.
        fraction: the share that must meet it, in (0, 1].
    """

    channel: str
    within_s: float
    fraction: float = DEFAULT_TARGET_FRACTION
    language: str | None = None
    tier: int | None = None

    def __post_init__(self) -> None:
        if not self.within_s > 0:
            raise InputError(f"SLA target {self.name}: within_s must be > 0")
        if not 0 < self.fraction <= 1:
            raise InputError(f"SLA target {self.name}: fraction must be in (0, 1]")

    @property
    def name(self) -> str:
        """The queue it covers, e.g. 'chat-en-t1' or 'email-*-*'."""
        language = self.language or "*"
        tier = f"t{self.tier}" if self.tier is not None else "*"
        return f"{self.channel}-{language}-{tier}"


@dataclass(frozen=True)
class Durations:
    """Percentiles of a set of durations (None when the set is empty), in seconds.

    Attributes:
        count: durations measured.
        p50_s: the median.
        p90_s: the 90th percentile (linear interpolation between order statistics).
        mean_s: the mean.
    """

    count: int
    p50_s: float | None
    p90_s: float | None
    mean_s: float | None


@dataclass(frozen=True)
class ChannelKpis:
    """One channel's figures in the period.

    Attributes:
        channel: the channel.
        created: tickets created in the period.
        solved: tickets solved in the period.
        first_reply: first response times of the tickets created in the period.
        resolution: full resolution times of the tickets solved in the period.
    """

    channel: str
    created: int
    solved: int
    first_reply: Durations
    resolution: Durations


@dataclass(frozen=True)
class SlaAttainment:
    """How a queue did against its first-response target.

    Attributes:
        target: the target.
        measured: tickets created in the period that were answered, or are still
            unanswered past the threshold at `as_of` (a breach already certain).
        met: measured tickets answered within the threshold.
        attainment: met / measured (None when nothing was measured).
        on_target: attainment >= the target fraction (None when nothing was measured).
    """

    target: SlaTarget
    measured: int
    met: int
    attainment: float | None
    on_target: bool | None


@dataclass(frozen=True)
class Kpis:
    """The actual KPIs of [start, end) (see the module docstring for the populations).

    Attributes:
        start: first instant of the period (UTC).
        end: first instant after it (UTC).
        created: tickets created in the period.
        solved: tickets solved in the period.
        backlog: tickets open at `end`.
        first_reply: first response times (created population).
        resolution: full resolution times (solved population).
        one_touch: share of solved tickets not escalated (None without any).
        escalation_rate: share of created tickets escalated (None without any).
        csat: mean satisfaction rating of solved tickets rated (1 good, 0 bad), or None.
        csat_responses: solved tickets with a rating.
        by_channel: per-channel figures, by channel name.
        sla: attainment per target.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    created: int
    solved: int
    backlog: int
    first_reply: Durations
    resolution: Durations
    one_touch: float | None
    escalation_rate: float | None
    csat: float | None
    csat_responses: int
    by_channel: tuple[ChannelKpis, ...]
    sla: tuple[SlaAttainment, ...]


def durations(seconds: Iterable[float] | np.ndarray) -> Durations:
    """Count, median, 90th percentile and mean of durations in seconds (NaN ignored)."""
    values = np.asarray(list(seconds) if not isinstance(seconds, np.ndarray) else seconds, float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return Durations(0, None, None, None)
    p50, p90 = np.percentile(values, [50, 90])
    return Durations(int(values.size), float(p50), float(p90), float(values.mean()))


def default_targets(channels: Iterable[str]) -> tuple[SlaTarget, ...]:
    """One channel-wide target per known channel, from DEFAULT_FIRST_REPLY_TARGETS_S."""
    return tuple(
        SlaTarget(c, DEFAULT_FIRST_REPLY_TARGETS_S[c])
        for c in sorted(set(channels))
        if c in DEFAULT_FIRST_REPLY_TARGETS_S
    )


def ticket_kpis(
    tickets: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    *,
    targets: Iterable[SlaTarget] | None = None,
    as_of: pd.Timestamp | None = None,
) -> Kpis:
    """The actual KPIs of the period [start, end).

    Args:
        tickets: canonical tickets (forecasting.schema.TICKETS columns; timestamps tz-aware;
            `escalated` and `csat` may be empty). Tickets outside the period may be given:
            the backlog needs those created before it.
        start: the period's first instant (tz-aware).
        end: the instant after the period (tz-aware).
        targets: first-response targets (default: `default_targets` of the channels seen).
        as_of: when the figures are taken (default `end`): a ticket still unanswered at
            `as_of` breaches its target once it is older than the threshold.

    Raises:
        InputError: a column is missing or the period is empty.
    """
    TICKETS.require(tickets, "tickets", _NEEDED)
    start_ts, end_ts = as_utc(start), as_utc(end)
    if not start_ts < end_ts:
        raise InputError(f"KPI period: start {start_ts} must be before end {end_ts}")
    now = as_utc(as_of) if as_of is not None else end_ts
    live = tickets.loc[~tickets["status"].astype("string").isin(EXCLUDED_STATUSES).to_numpy()]
    created_at = _utc(live["created_at"])
    solved_at = _utc(live["solved_at"])
    in_created = ((created_at >= start_ts) & (created_at < end_ts)).to_numpy()
    in_solved = ((solved_at >= start_ts) & (solved_at < end_ts)).fillna(False).to_numpy(bool)
    said_solved = live["status"].astype("string").isin(SOLVED_STATUSES).to_numpy(bool)
    open_at_end = (solved_at >= end_ts).fillna(False).to_numpy(bool) | (
        solved_at.isna().to_numpy() & ~said_solved
    )
    backlog = int(((created_at < end_ts).to_numpy() & open_at_end).sum())

    created = live.loc[in_created]
    solved = live.loc[in_solved]
    reply_s = _seconds(_utc(created["first_reply_at"]) - _utc(created["created_at"]))
    resolve_s = _seconds(_utc(solved["solved_at"]) - _utc(solved["created_at"]))

    escalated_created = created["escalated"].astype("boolean") if "escalated" in created else None
    escalated_solved = solved["escalated"].astype("boolean") if "escalated" in solved else None
    csat = pd.to_numeric(solved["csat"], errors="coerce") if "csat" in solved else None

    by_channel = []
    channels = sorted(set(created["channel"].astype(str)) | set(solved["channel"].astype(str)))
    created_channel = created["channel"].astype(str).to_numpy()
    solved_channel = solved["channel"].astype(str).to_numpy()
    for channel in channels:
        c_mask = created_channel == channel
        s_mask = solved_channel == channel
        by_channel.append(
            ChannelKpis(
                channel,
                int(c_mask.sum()),
                int(s_mask.sum()),
                durations(reply_s[c_mask]),
                durations(resolve_s[s_mask]),
            )
        )
    chosen = tuple(targets) if targets is not None else default_targets(created_channel)
    sla = tuple(_attainment(created, reply_s, target, now) for target in chosen)
    return Kpis(
        start=start_ts,
        end=end_ts,
        created=len(created),
        solved=len(solved),
        backlog=backlog,
        first_reply=durations(reply_s),
        resolution=durations(resolve_s),
        one_touch=_share(escalated_solved, negate=True),
        escalation_rate=_share(escalated_created),
        csat=float(csat.mean()) if csat is not None and csat.notna().any() else None,
        csat_responses=int(csat.notna().sum()) if csat is not None else 0,
        by_channel=tuple(by_channel),
        sla=sla,
    )


def volume_by_interval(
    tickets: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, interval_min: int
) -> pd.DataFrame:
    """Tickets created per channel and UTC interval of [start, end) (zeros included).

    Returns:
        Columns `interval_start` (UTC), `channel`, `volume` (int), sorted.
    """
    if interval_min <= 0:
        raise InputError(f"interval_min {interval_min}: expected minutes > 0")
    start_ts, end_ts = as_utc(start), as_utc(end)
    live = tickets.loc[~tickets["status"].astype("string").isin(EXCLUDED_STATUSES).to_numpy()]
    created_at = _utc(live["created_at"])
    inside = ((created_at >= start_ts) & (created_at < end_ts)).to_numpy()
    step = pd.Timedelta(minutes=interval_min)
    grid = pd.date_range(start_ts, end_ts, freq=step, inclusive="left")
    channels = sorted(set(live["channel"].astype(str)))
    index = pd.MultiIndex.from_product([grid, channels], names=["interval_start", "channel"])
    slots = start_ts + ((created_at[inside] - start_ts) // step) * step
    counts = pd.Series(
        1, index=pd.MultiIndex.from_arrays([slots, live["channel"].astype(str)[inside]])
    )
    volume = counts.groupby(level=[0, 1]).sum().reindex(index, fill_value=0)
    return volume.rename("volume").astype("int64").reset_index()


def _utc(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True)


def _seconds(delta: pd.Series) -> np.ndarray:
    return delta.dt.total_seconds().to_numpy(dtype=float, na_value=np.nan)


def _share(flags: pd.Series | None, negate: bool = False) -> float | None:
    if flags is None:
        return None
    known = flags.dropna().astype(bool)
    if known.empty:
        return None
    share = float(known.mean())
    return 1.0 - share if negate else share


def _attainment(
    created: pd.DataFrame, reply_s: np.ndarray, target: SlaTarget, now: pd.Timestamp
) -> SlaAttainment:
    mask = (created["channel"].astype(str) == target.channel).to_numpy()
    if target.language is not None:
        mask &= (created["language"].astype(str) == target.language).to_numpy()
    if target.tier is not None:
        mask &= (pd.to_numeric(created["tier"]) == target.tier).to_numpy()
    replies = reply_s[mask]
    age_s = (now - _utc(created["created_at"])).dt.total_seconds().to_numpy(float)[mask]
    answered = np.isfinite(replies)
    overdue = ~answered & (age_s > target.within_s)
    measured = int(answered.sum() + overdue.sum())
    met = int((replies[answered] <= target.within_s).sum())
    if measured == 0:
        return SlaAttainment(target, 0, 0, None, None)
    attainment = met / measured
    return SlaAttainment(target, measured, met, attainment, attainment >= target.fraction)
