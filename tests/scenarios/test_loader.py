"""Scenario files: the bundled examples load, `extends:` merges, bad input is named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from followsun.cli import main
from forecasting.errors import InputError
from scenarios.loader import dump_scenario, json_schema, load_scenario, merge, parse_scenario
from scenarios.spec import Queue, Scenario, Site

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"
REFERENCE = EXAMPLES / "reference.yaml"


def reference_data() -> dict:
    return yaml.safe_load(REFERENCE.read_text())


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_is_valid(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.sites and scenario.queues


def test_reference_matches_the_domain_brief() -> None:
    scenario = load_scenario(REFERENCE)
    heads = {s.id: sum(g.count for g in s.headcount) for s in scenario.sites}
    assert heads == {"sjc": 13, "tpe": 14}
    assert {s.timezone for s in scenario.sites} == {"America/Los_Angeles", "Asia/Taipei"}
    assert {q.channel for q in scenario.queues} == {"chat", "phone", "web"}
    assert {q.tier for q in scenario.queues} == {1, 2}


def test_variants_change_only_what_they_say() -> None:
    base = load_scenario(REFERENCE)
    amsterdam = load_scenario(EXAMPLES / "24x7-amsterdam.yaml")
    assert [s.id for s in amsterdam.sites] == ["sjc", "tpe", "ams"]
    assert amsterdam.queue("chat-en-t1").coverage.kind == "24x7"
    # Its phone queue differs only by the staffing uplift sizing set.
    assert amsterdam.queue("phone-en-t1").model_copy(update={"staffing_uplift": 1.0}) == base.queue(
        "phone-en-t1"
    )
    morning = load_scenario(EXAMPLES / "plus-2h-morning.yaml")
    assert morning.queue("chat-en-t1").coverage.start.time.hour == 5  # type: ignore[union-attr]
    assert morning.queue("chat-en-t1").coverage.end == base.queue("chat-en-t1").coverage.end  # type: ignore[union-attr]
    assert [t.id for t in morning.site("sjc").contract.shift_templates][-1] == "dawn"
    bpo = load_scenario(EXAMPLES / "24x7-bpo.yaml")
    assert [v.id for v in bpo.vendors] == ["nightowl"]


def test_merge_rules() -> None:
    base = {"a": {"x": 1, "y": 2}, "items": [{"id": "p", "v": 1}, {"id": "q", "v": 2}], "l": [1, 2]}
    over = {"a": {"y": 3}, "items": [{"id": "q", "remove": True}, {"id": "r", "v": 4}], "l": [9]}
    assert merge(base, over) == {
        "a": {"x": 1, "y": 3},
        "items": [{"id": "p", "v": 1}, {"id": "r", "v": 4}],
        "l": [9],
    }
    # A mapping whose kind changes replaces the base instead of merging into it.
    assert merge({"kind": "hours", "open": "08:00"}, {"kind": "24x7"}) == {"kind": "24x7"}


def test_resolved_scenario_round_trips_through_yaml(tmp_path: Path) -> None:
    scenario = load_scenario(EXAMPLES / "24x7-amsterdam.yaml")
    out = tmp_path / "resolved.yaml"
    out.write_text(dump_scenario(scenario))
    assert load_scenario(out) == scenario


def test_json_schema_describes_the_sections() -> None:
    schema = json_schema()
    assert {"sites", "queues", "demand", "vendors", "planning"} <= set(schema["properties"])


def problems_of(data: dict) -> list[str]:
    with pytest.raises(InputError) as info:
        parse_scenario(data, "bad.yaml")
    assert str(info.value).startswith("bad.yaml: ")
    return info.value.problems


def test_misspelt_time_zone_is_named_with_its_path() -> None:
    data = reference_data()
    data["sites"][1]["timezone"] = "Europe/Amsterdm"
    assert problems_of(data) == [
        "sites[1].timezone: 'Europe/Amsterdm' is not an IANA time zone (e.g. 'Europe/Amsterdam')"
    ]


def test_every_problem_is_listed_not_just_the_first() -> None:
    data = reference_data()
    data["sites"][0]["hourly_cost"] = -5
    data["queues"][0]["target"]["fraction"] = 1.5
    data["queues"][1]["coverage"]["open"] = "25:00"
    problems = problems_of(data)
    assert len(problems) == 3
    assert problems[0].startswith("sites[0].hourly_cost: -5 is invalid")
    assert problems[1].startswith("queues[0].target.fraction: 1.5 is invalid")
    assert problems[
        2
    ] == "queues[1].coverage.open: '25:00': '25:00' is not a local time HH:MM" or problems[
        2
    ].startswith("queues[1].coverage.open: ")
    assert "HH:MM" in problems[2]


def test_unknown_field_is_a_typo_not_ignored() -> None:
    data = reference_data()
    data["sites"][0]["contract"]["max_hours_weak"] = 40
    assert problems_of(data) == [
        "sites[0].contract.max_hours_weak: unknown field (check the spelling; see docs/SCENARIO.md)"
    ]


def test_missing_required_field() -> None:
    data = reference_data()
    del data["queues"][2]["aht_seconds"]
    assert problems_of(data) == ["queues[2].aht_seconds: required field is missing"]


def test_queue_nobody_can_serve_is_reported() -> None:
    data = reference_data()
    data["queues"].append(
        {
            "channel": "chat",
            "language": "de",
            "tier": 1,
            "target": {"within_seconds": 30},
            "aht_seconds": 600,
            "coverage": {"kind": "24x7"},
        }
    )
    [problem] = problems_of(data)
    assert "queue chat-de-t1: no agent or vendor has skill 'chat/de' at tier 1" in problem


def test_unknown_country_and_bad_skill() -> None:
    data = reference_data()
    data["sites"][0]["country"] = "XX"
    data["sites"][1]["headcount"][0]["skills"] = ["chat-en"]
    problems = problems_of(data)
    assert any(p.startswith("sites[0]: ") and "'XX'" in p for p in problems)
    assert any(
        p.startswith("sites[1].headcount[0].skills: ") and "'chat-en' is not a skill" in p
        for p in problems
    )


def test_language_shares_must_add_up() -> None:
    data = reference_data()
    data["demand"]["regions"][2]["languages"] = {"zh": 0.5, "en": 0.2}
    [problem] = problems_of(data)
    assert problem.startswith("demand.regions[2].languages: ")
    assert "add up to 1, got 0.7" in problem


def test_min_hours_above_max_hours() -> None:
    data = reference_data()
    data["sites"][0]["contract"]["min_hours_week"] = 45
    [problem] = problems_of(data)
    assert problem == "sites[0].contract: min_hours_week 45.0 exceeds max_hours_week 40.0"


def test_escalation_to_unknown_queue() -> None:
    data = reference_data()
    data["queues"][0]["escalates_to"] = "web-fr-t2"
    [problem] = problems_of(data)
    assert "queue chat-en-t1: escalates_to 'web-fr-t2' is not a queue" in problem


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nsites: [\n  - id: a\n")
    with pytest.raises(InputError, match=r"broken.yaml: line \d+, column \d+: not valid YAML"):
        load_scenario(path)


def test_extends_cycle_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nname: a\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nname: b\n")
    with pytest.raises(InputError, match="forms a cycle"):
        load_scenario(tmp_path / "a.yaml")


def test_validate_command_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(REFERENCE)]) == 0
    assert "ok (reference-24x5: 2 sites, 27 agents, 10 queues)" in capsys.readouterr().out
    data = reference_data()
    data["sites"][1]["timezone"] = "Europe/Amsterdm"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    assert main(["validate", str(REFERENCE), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "sites[1].timezone: 'Europe/Amsterdm' is not an IANA time zone" in err


def test_extends_by_bare_name_falls_back_to_the_bundled_example(tmp_path: Path) -> None:
    variant = tmp_path / "variant.yaml"
    variant.write_text("extends: reference.yaml\nname: elsewhere\n")
    loaded, base = load_scenario(variant), load_scenario(REFERENCE)
    assert loaded.name == "elsewhere" and loaded.sites == base.sites
    (tmp_path / "reference.yaml").write_text(
        yaml.safe_dump({**reference_data(), "currency": "EUR"})
    )  # a file beside it comes first
    assert load_scenario(variant).currency == "EUR"
    nested = tmp_path / "nested.yaml"
    nested.write_text("extends: sub/reference.yaml\nname: n\n")
    with pytest.raises(InputError):  # a path with a folder never reaches the examples
        load_scenario(nested)


def _groups(site: Site) -> list[tuple[int, tuple[str, ...]]]:
    """A site's headcount groups without their counts (sizing sets those)."""
    return [(g.tier, tuple(g.skills)) for g in site.headcount]


def _changed_queues(variant: Scenario, base: Scenario) -> set[str]:
    """Queues the variant changes, besides their staffing uplift (sizing sets that)."""
    assert [q.id for q in variant.queues] == [q.id for q in base.queues]

    def lever(queue: Queue) -> Queue:
        return queue.model_copy(update={"staffing_uplift": 1.0})

    return {q.id for q in variant.queues if lever(q) != lever(base.queue(q.id))}


def test_each_bundled_variant_changes_one_lever() -> None:
    base = load_scenario(REFERENCE)
    every = {q.id for q in base.queues}
    english = {"chat-en-t1", "web-en-t1"}
    for name in ("24x7-inhouse", "24x7-amsterdam", "24x7-bpo"):
        variant = load_scenario(EXAMPLES / f"{name}.yaml")
        # The same 24/7 promise in each: English chat and web round the clock, the rest as is.
        assert _changed_queues(variant, base) == english, name
        assert all(variant.queue(q).coverage.kind == "24x7" for q in english)
        for site, before in zip(variant.sites, base.sites, strict=False):
            assert site.contract == before.contract, name
            assert _groups(site) == _groups(before), name
    assert len(load_scenario(EXAMPLES / "24x7-inhouse.yaml").sites) == 2
    assert not load_scenario(EXAMPLES / "24x7-amsterdam.yaml").vendors
    for name, extra in (("plus-2h-morning", "dawn"), ("plus-2h-evening", "evening")):
        variant = load_scenario(EXAMPLES / f"{name}.yaml")
        assert _changed_queues(variant, base) == every, name
        for site, before in zip(variant.sites, base.sites, strict=True):
            templates = [t.id for t in site.contract.shift_templates]
            assert templates == [t.id for t in before.contract.shift_templates] + [extra]
            assert _groups(site) == _groups(before)
    sized = load_scenario(EXAMPLES / "24x5-sized.yaml")
    assert _changed_queues(sized, base) == set()
    for site, before in zip(sized.sites, base.sites, strict=True):
        assert site.contract == before.contract
        assert _groups(site) == _groups(before)
