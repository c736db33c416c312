"""The scenario's demand mapped onto the generator's and the models' plain inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.aggregate import interval_history
from forecasting.models import ContactCentre, SeasonalNaive
from forecasting.schema import FORECAST, validate_frame
from forecasting.timegrid import interval_grid
from scenarios.demand import demand_inputs, forecast_model, region_infos
from scenarios.loader import load_scenario

REFERENCE = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "reference.yaml"


def test_demand_inputs_follow_the_scenario() -> None:
    scenario = load_scenario(REFERENCE)
    inputs = demand_inputs(scenario)
    assert [r.id for r in inputs.regions] == [r.id for r in scenario.demand.regions]
    for region, spec in zip(inputs.regions, scenario.demand.regions, strict=True):
        assert region.timezone == spec.timezone and region.country == spec.country
        assert dict(region.weekly_volume) == spec.weekly_volume
        assert dict(region.language_shares) == spec.languages
    assert inputs.growth_per_year == scenario.demand.growth_per_year
    assert inputs.step_min == scenario.planning.interval_minutes
    for model, queue in zip(inputs.queues, scenario.queues, strict=True):
        assert (model.channel, model.language, model.tier) == (
            queue.channel,
            queue.language,
            queue.tier,
        )
        assert model.aht_s == queue.aht_seconds and model.escalation_rate == queue.escalation_rate
        if queue.escalates_to:
            target = scenario.queue(queue.escalates_to)
            assert model.escalates_to == (target.channel, target.language, target.tier)
    # The history is the past "as is": deflection is a forecast lever, not in the history.
    assert inputs.deflection == ()


def test_reference_scenario_generates_and_forecasts() -> None:
    scenario = load_scenario(REFERENCE)
    from forecasting.synthetic import synthetic_tickets

    start, end = pd.Timestamp("2026-09-07", tz="UTC"), pd.Timestamp("2026-11-02", tz="UTC")
    tickets = synthetic_tickets(demand_inputs(scenario), start, end, np.random.default_rng(1))
    weekly_tier1 = sum(sum(r.weekly_volume.values()) for r in scenario.demand.regions)
    # Eight weeks at the scenario's weekly Tier 1 volume, growth 15%/year over 8 weeks
    # (<= 2.2%), minus public holidays: within 12% of 8 x weekly.
    tier1 = int((tickets["tier"] == 1).sum())
    assert abs(tier1 / (8 * weekly_tier1) - 1) < 0.12
    escalated_queues = {q.escalates_to for q in scenario.queues if q.escalates_to}
    tier2 = tickets[tickets["tier"] == 2]
    assert {
        f"{c}-{lang}-t2" for c, lang in zip(tier2["channel"], tier2["language"], strict=True)
    } <= escalated_queues

    history = interval_history(tickets, interval_grid(start, end, 15), by_region=True)
    model = forecast_model(scenario)
    assert isinstance(model, ContactCentre)
    assert model.regions == region_infos(scenario)
    assert model.deflection == tuple(sorted(scenario.demand.deflection.items()))
    forecast = model.fit(history).predict(interval_grid(end, end + pd.Timedelta(days=7), 15))
    validate_frame(forecast, FORECAST)
    assert isinstance(forecast_model(scenario, "seasonal_naive"), SeasonalNaive)
