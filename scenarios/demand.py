"""The scenario's demand as the forecasting package's plain inputs.

Maps `scenarios.spec.Scenario` (regions, queues, growth, events, deflection) onto the
ticket generator's `GeneratorInputs`, the regions' zones for the contact-centre model and
a ready-to-fit forecast model.

The history generated from a scenario is the organisation's past "as is": deflection is
a lever on the future, so it is applied by the forecast model, not in the history.
"""

from __future__ import annotations

from forecasting.combination import DEFAULT_MEMBERS, Combination
from forecasting.models import (
    ContactCentre,
    ForecastModel,
    RegionInfo,
    SeasonalNaive,
    VolumeEvent,
)
from forecasting.registry import AUTO, model_named
from forecasting.selection import AutoSelect
from forecasting.synthetic import DemandEvent, GeneratorInputs, QueueModel, RegionDemand
from scenarios.spec import Queue, Scenario


def _queue_key(queue: Queue) -> tuple[str, str, int]:
    return (queue.channel, queue.language, queue.tier)


def queue_models(scenario: Scenario) -> tuple[QueueModel, ...]:
    """Every queue's AHT, escalation rate and escalation target for the generator."""
    out = []
    for queue in scenario.queues:
        target = scenario.queue(queue.escalates_to) if queue.escalates_to else None
        out.append(
            QueueModel(
                channel=queue.channel,
                language=queue.language,
                tier=queue.tier,
                aht_s=queue.aht_seconds,
                escalation_rate=queue.escalation_rate,
                escalates_to=_queue_key(target) if target is not None else None,
            )
        )
    return tuple(out)


def demand_inputs(scenario: Scenario) -> GeneratorInputs:
    """The generator inputs of the scenario's demand (regions, queues, growth, events)."""
    regions = tuple(
        RegionDemand(
            id=r.id,
            timezone=r.timezone,
            country=r.country,
            language_shares=tuple(sorted(r.languages.items())),
            weekly_volume=tuple(sorted(r.weekly_volume.items())),
        )
        for r in scenario.demand.regions
    )
    events = tuple(
        DemandEvent(e.name, e.start, e.end, e.uplift, tuple(e.channels))
        for e in scenario.demand.events
    )
    return GeneratorInputs(
        regions=regions,
        queues=queue_models(scenario),
        growth_per_year=scenario.demand.growth_per_year,
        events=events,
        step_min=scenario.planning.interval_minutes,
    )


def region_infos(scenario: Scenario) -> tuple[RegionInfo, ...]:
    """Each demand region's zone and holiday country, for the contact-centre model."""
    return tuple(RegionInfo(r.id, r.timezone, r.country) for r in scenario.demand.regions)


def volume_events(scenario: Scenario) -> tuple[VolumeEvent, ...]:
    """The scenario's declared events as forecast drivers."""
    return tuple(
        VolumeEvent(e.name, e.start, e.end, e.uplift, tuple(e.channels))
        for e in scenario.demand.events
    )


def forecast_inputs(
    scenario: Scenario,
) -> tuple[tuple[RegionInfo, ...], tuple[VolumeEvent, ...], tuple[tuple[str, float], ...]]:
    """All `forecast_model` reads of the scenario (hashable): equal inputs, equal models.

    The regions' zones and holiday countries, the declared events and the deflection.
    """
    deflection = tuple(sorted((str(c), float(f)) for c, f in scenario.demand.deflection.items()))
    return region_infos(scenario), volume_events(scenario), deflection


def forecast_model(scenario: Scenario, alias: str = ContactCentre.alias) -> ForecastModel:
    """An unfitted model for the scenario.

    The contact-centre model gets the regions, events and deflection (also as a
    candidate of 'auto' and a member of 'combination'); other models are built with
    their defaults.
    """
    regions, events, deflection = forecast_inputs(scenario)

    def contact_centre() -> ForecastModel:
        return ContactCentre(regions, events=events, deflection=deflection)

    if alias == ContactCentre.alias:
        return contact_centre()
    if alias == Combination.alias:
        others = (m for m in DEFAULT_MEMBERS if m is not ContactCentre)
        return Combination((*others, contact_centre))
    if alias == AUTO:
        return AutoSelect((SeasonalNaive, contact_centre))
    return model_named(alias)
