"""The decisions bench's sweep: one lever per variant, every variant distinct."""

from __future__ import annotations

from typing import Any

from bench.decisions import one_lever_variants
from followsun.services.compare import check_variants
from followsun.services.plan import reference_scenario_path
from scenarios.loader import load_scenario


def _leaves(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        return {
            k: v for key, item in value.items() for k, v in _leaves(item, f"{path}/{key}").items()
        }
    if isinstance(value, list | tuple):
        return {
            k: v for i, item in enumerate(value) for k, v in _leaves(item, f"{path}/{i}").items()
        }
    return {path: value}


def test_each_variant_moves_exactly_one_lever_of_the_reference() -> None:
    base = load_scenario(reference_scenario_path())
    variants = one_lever_variants(base, 50)
    check_variants(variants)  # 50 distinct names, one currency
    assert variants[0] == base
    reference = _leaves(base.model_dump(mode="json"))
    moved = set()
    for variant in variants[1:]:
        mine = _leaves(variant.model_dump(mode="json"))
        assert mine.keys() == reference.keys()
        changed = {p for p in mine if p != "/name" and mine[p] != reference[p]}
        assert len(changed) == 1, (variant.name, changed)
        moved |= changed
    # Every lever is moved (the phone line's hours by its opening or its close).
    assert moved == {
        "/sites/0/headcount/0/count",
        "/sites/1/headcount/0/count",
        "/queues/1/coverage/open",
        "/queues/1/coverage/close",
        "/sites/0/premiums/night",
        "/queues/0/target/fraction",
        "/sites/0/hourly_cost",
        "/sites/1/premiums/weekend",
    }
