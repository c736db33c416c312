"""Forecasting benchmark (issue 3): accuracy against seasonal naive and statsforecast, speed.

Data: the synthetic generator, 100 queues (5 channels x 10 languages x 2 tiers) from 10
customer regions, two years of 15-minute history. Accuracy: MASE (scaled by the weekly
seasonal naive's in-sample error) and WAPE on the held-out last two weeks. Speed: fit
and forecast 8 weeks for all 100 queues. statsforecast MSTL and AutoETS run in the same
process on a sample of the same queue series (the last 8 weeks of their history, as the
peers cannot take two years of 15-minute data in reasonable time), and the ratio of
seconds per series is reported.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from forecasting.aggregate import interval_history
from forecasting.models import ContactCentre, ForecastModel, RegionInfo, SeasonalNaive
from forecasting.synthetic import GeneratorInputs, QueueModel, RegionDemand, synthetic_tickets
from forecasting.timegrid import interval_grid

SEED = 20261125
START = pd.Timestamp("2024-11-25", tz="UTC")
END = pd.Timestamp("2026-11-23", tz="UTC")  # 104 weeks
HELD_OUT_DAYS = 14
FORECAST_DAYS = 56
PEER_SERIES = 8
PEER_WEEKS = 8
PER_DAY = 96
SEASON = 7 * PER_DAY

CHANNELS = ("phone", "chat", "email", "web", "social")
REGIONS = (
    ("us", "America/Los_Angeles", "US", "en"),
    ("br", "America/Sao_Paulo", "BR", "pt"),
    ("mx", "America/Mexico_City", "MX", "es"),
    ("fr", "Europe/Paris", "FR", "fr"),
    ("de", "Europe/Berlin", "DE", "de"),
    ("it", "Europe/Rome", "IT", "it"),
    ("tw", "Asia/Taipei", "TW", "zh"),
    ("jp", "Asia/Tokyo", "JP", "ja"),
    ("kr", "Asia/Seoul", "KR", "ko"),
    ("au", "Australia/Sydney", "AU", "nl"),
)
CHANNEL_SHARE = {"phone": 0.15, "chat": 0.45, "email": 0.15, "web": 0.2, "social": 0.05}


def inputs() -> GeneratorInputs:
    """Ten regions, one language each, every channel; Tier 2 per channel and language."""
    regions = []
    for i, (rid, tz, country, lang) in enumerate(REGIONS):
        weekly = 1500.0 + 700.0 * i  # 1,500 to 7,800 Tier 1 contacts a week
        regions.append(
            RegionDemand(
                rid,
                tz,
                country,
                ((lang, 1.0),),
                tuple((c, weekly * CHANNEL_SHARE[c]) for c in CHANNELS),
            )
        )
    queues = []
    for _, _, _, lang in REGIONS:
        for c in CHANNELS:
            queues.append(QueueModel(c, lang, 1, 420.0, 0.17, escalates_to=(c, lang, 2)))
            queues.append(QueueModel(c, lang, 2, 1500.0))
    return GeneratorInputs(tuple(regions), tuple(queues), growth_per_year=0.15)


def region_infos() -> list[RegionInfo]:
    return [RegionInfo(rid, tz, country) for rid, tz, country, _ in REGIONS]


def queue_matrix(frame: pd.DataFrame, column: str = "volume") -> pd.DataFrame:
    """(queue, interval) matrix of a history or forecast frame, regions summed."""
    keys = ["channel", "language", "tier"]
    return (
        frame.groupby([*keys, "interval_start"])[column]
        .sum()
        .unstack("interval_start")
        .sort_index()
    )


def mase_wape(pred: np.ndarray, actual: np.ndarray, scale: np.ndarray) -> tuple[float, float]:
    err = np.abs(pred - actual)
    return float(np.mean(err.mean(axis=1) / scale)), float(err.sum() / actual.sum())


def hours(matrix: np.ndarray) -> np.ndarray:
    """15-minute columns summed into hours."""
    n = matrix.shape[1] // 4 * 4
    return matrix[:, :n].reshape(matrix.shape[0], -1, 4).sum(axis=2)


def hourly_scale(train: np.ndarray) -> np.ndarray:
    """In-sample MAE of the weekly seasonal naive on hourly sums."""
    h = hours(train)
    return np.mean(np.abs(h[:, 168:] - h[:, :-168]), axis=1)


def timed(
    model: ForecastModel, history: pd.DataFrame, grid: pd.DatetimeIndex
) -> tuple[pd.DataFrame, float]:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forecast = model.fit(history).predict(grid)
    return forecast, time.perf_counter() - start


def peers(train: np.ndarray, horizon: int) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """statsforecast MSTL and AutoETS on the last PEER_WEEKS weeks of each row of `train`."""
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL, AutoETS

    tail = train[:, -PEER_WEEKS * SEASON :]
    ds = pd.date_range("2000-01-03", periods=tail.shape[1], freq="15min")
    df = pd.DataFrame(
        {
            "unique_id": np.repeat([f"s{i:03d}" for i in range(len(tail))], tail.shape[1]),
            "ds": np.tile(ds, len(tail)),
            "y": tail.ravel(),
        }
    )
    out: dict[str, np.ndarray] = {}
    seconds: dict[str, float] = {}
    candidates = {
        "MSTL": MSTL(season_length=[PER_DAY, SEASON], trend_forecaster=AutoETS(model="ZZN")),
        "AutoETS": AutoETS(season_length=PER_DAY),
    }
    for name, model in candidates.items():
        sf = StatsForecast(models=[model], freq="15min", n_jobs=1)
        start = time.perf_counter()
        fc = sf.forecast(df=df, h=horizon)
        seconds[name] = time.perf_counter() - start
        fc = fc.sort_values(["unique_id", "ds"])
        values = fc[[c for c in fc.columns if c not in ("unique_id", "ds")][0]].to_numpy()
        out[name] = np.maximum(values.reshape(len(tail), horizon), 0)
    return out, seconds


def reference_scores() -> tuple[float, float, float, float, int]:
    """MASE and WAPE of both models on the reference organisation's synthetic history."""
    from pathlib import Path

    from forecasting.backtest import backtest
    from scenarios.demand import demand_inputs, forecast_model
    from scenarios.loader import load_scenario

    scenario = load_scenario(
        Path(__file__).resolve().parents[1] / "scenarios/examples/reference.yaml"
    )
    tickets = synthetic_tickets(demand_inputs(scenario), START, END, np.random.default_rng(SEED))
    history = interval_history(tickets, interval_grid(START, END, 15), by_region=True)
    result = backtest(
        history,
        [SeasonalNaive, lambda: forecast_model(scenario)],
        horizon_days=HELD_OUT_DAYS,
        folds=1,
    )
    naive, cc = result.score("seasonal_naive"), result.score("contact_centre")
    n_queues = history[["channel", "language", "tier"]].drop_duplicates().shape[0]
    return naive.mase, naive.wape, cc.mase, cc.wape, n_queues


def run() -> str:
    t0 = time.perf_counter()
    tickets = synthetic_tickets(inputs(), START, END, np.random.default_rng(SEED))
    gen_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    history = interval_history(tickets, interval_grid(START, END, 15), by_region=True)
    agg_s = time.perf_counter() - t0
    n_queues = history[["channel", "language", "tier"]].drop_duplicates().shape[0]

    # Accuracy on the held-out last two weeks.
    cut = END - pd.Timedelta(days=HELD_OUT_DAYS)
    train = history[history["interval_start"] < cut]
    test_grid = interval_grid(cut, END, 15)
    actual = queue_matrix(history[history["interval_start"] >= cut]).to_numpy()
    train_m = queue_matrix(train).to_numpy()
    scale = np.mean(np.abs(train_m[:, SEASON:] - train_m[:, :-SEASON]), axis=1)
    naive_fc, naive_fit_s = timed(SeasonalNaive(), train, test_grid)
    cc_fc, cc_fit_s = timed(ContactCentre(region_infos()), train, test_grid)
    naive = queue_matrix(naive_fc).to_numpy()
    cc = queue_matrix(cc_fc).to_numpy()
    naive_mase, naive_wape = mase_wape(naive, actual, scale)
    cc_mase, cc_wape = mase_wape(cc, actual, scale)
    hourly = [mase_wape(hours(m), hours(actual), hourly_scale(train_m)) for m in (naive, cc)]
    busy = actual.mean(axis=1) >= 0.5
    busy_scores = [mase_wape(m[busy], actual[busy], scale[busy]) for m in (naive, cc)]
    cc_band = (
        queue_matrix(cc_fc, "volume_p10").to_numpy(),
        queue_matrix(cc_fc, "volume_p90").to_numpy(),
    )
    coverage = float(np.mean((actual >= cc_band[0]) & (actual <= cc_band[1])))

    ref_naive_mase, ref_naive_wape, ref_cc_mase, ref_cc_wape, ref_queues = reference_scores()

    # Speed: 100 queues, fit on two years, forecast 8 weeks.
    horizon = interval_grid(END, END + pd.Timedelta(days=FORECAST_DAYS), 15)
    _, cc_speed_s = timed(ContactCentre(region_infos()), history, horizon)
    _, naive_speed_s = timed(SeasonalNaive(), history, horizon)

    # Peers on a sample of the same queue series.
    rng = np.random.default_rng(SEED)
    sample = np.sort(rng.choice(len(train_m), size=PEER_SERIES, replace=False))
    peer_fc, peer_s = peers(train_m[sample], len(test_grid))
    rows = [
        ("seasonal_naive (weekly)", *mase_wape(naive[sample], actual[sample], scale[sample])),
        ("contact_centre (ours)", *mase_wape(cc[sample], actual[sample], scale[sample])),
    ]
    rows += [
        (f"statsforecast {name}", *mase_wape(fc, actual[sample], scale[sample]))
        for name, fc in peer_fc.items()
    ]
    ours_per_series = cc_fit_s / n_queues

    lines = [
        "## Forecasting (issue 3)",
        "",
        f"Synthetic history: {n_queues} queues (5 channels x 10 languages x 2 tiers) from 10 customer "
        f"regions, {START:%Y-%m-%d} to {END:%Y-%m-%d} at 15 minutes, {len(tickets):,} tickets "
        f"(generated in {gen_s:.1f} s, aggregated to {len(history):,} region x queue x interval rows "
        f"in {agg_s:.1f} s). Seed {SEED}.",
        "",
        "### Accuracy: held-out last two weeks, all queues",
        "",
        "MASE: mean over queues of MAE / in-sample MAE of the weekly seasonal naive; WAPE pooled.",
        "",
        "| model | MASE | WAPE | fit + forecast 2 weeks (s) |",
        "|---|---|---|---|",
        f"| seasonal_naive | {naive_mase:.3f} | {naive_wape:.3f} | {naive_fit_s:.1f} |",
        f"| contact_centre | {cc_mase:.3f} | {cc_wape:.3f} | {cc_fit_s:.1f} |",
        "",
        f"contact_centre MASE is {100 * (1 - cc_mase / naive_mase):.1f}% lower than seasonal naive "
        f"(target: at least 15%). Share of actuals inside its p10-p90 band: {coverage:.2f} (nominal "
        "0.80; with counts this small a discrete band holds more than its nominal share).",
        "",
        "The same forecasts scored another way (MASE reduction against seasonal naive):",
        "",
        "| scoring | seasonal_naive MASE | contact_centre MASE | reduction |",
        "|---|---|---|---|",
        f"| 15-minute, all {len(actual)} queues | {naive_mase:.3f} | {cc_mase:.3f} | "
        f"{100 * (1 - cc_mase / naive_mase):.1f}% |",
        f"| 15-minute, the {int(busy.sum())} queues with >= 0.5 contacts per interval | "
        f"{busy_scores[0][0]:.3f} | {busy_scores[1][0]:.3f} | "
        f"{100 * (1 - busy_scores[1][0] / busy_scores[0][0]):.1f}% |",
        f"| hourly sums, all queues | {hourly[0][0]:.3f} | {hourly[1][0]:.3f} | "
        f"{100 * (1 - hourly[1][0] / hourly[0][0]):.1f}% |",
        f"| reference organisation (scenarios/examples/reference.yaml, {ref_queues} queues), "
        f"15-minute | {ref_naive_mase:.3f} | {ref_cc_mase:.3f} | "
        f"{100 * (1 - ref_cc_mase / ref_naive_mase):.1f}% |",
        "",
        f"Reference organisation WAPE: seasonal_naive {ref_naive_wape:.3f}, contact_centre {ref_cc_wape:.3f} "
        "(two years of its synthetic history, same seed, last two weeks held out).",
        "",
        "On sparse queues (a few contacts a day) the absolute error of any mean forecast is close "
        "to that of last week's copy (the error-minimising point for MAE is the median, 0), so the "
        "all-queue 15-minute figure is bounded by how many such queues the data holds; the point "
        "forecast stays the mean because staffing needs the expected workload.",
        "",
        f"### Against statsforecast on {PEER_SERIES} of the same queue series",
        "",
        f"statsforecast {__import__('statsforecast').__version__} fitted on the last {PEER_WEEKS} weeks "
        "of each series (MSTL with daily and weekly seasons and an AutoETS trend; AutoETS with the "
        "daily season), ours on the full two years; same held-out two weeks and MASE scale.",
        "",
        "| model | MASE | WAPE | seconds per series |",
        "|---|---|---|---|",
    ]
    per_series = {
        "seasonal_naive (weekly)": naive_fit_s / n_queues,
        "contact_centre (ours)": ours_per_series,
    }
    per_series.update({f"statsforecast {k}": v / PEER_SERIES for k, v in peer_s.items()})
    for name, mase, wape in rows:
        lines.append(f"| {name} | {mase:.3f} | {wape:.3f} | {per_series[name]:.3f} |")
    lines += [
        "",
        "Speed ratio (statsforecast seconds per series / contact_centre seconds per series): "
        + ", ".join(f"{k} {v / PEER_SERIES / ours_per_series:.0f}x" for k, v in peer_s.items())
        + ".",
        "",
        "### Speed: 100 queues x 2 years of 15-minute history, fit and forecast 8 weeks",
        "",
        "| model | seconds | target |",
        "|---|---|---|",
        f"| contact_centre | {cc_speed_s:.1f} | < 60 |",
        f"| seasonal_naive | {naive_speed_s:.1f} | |",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
