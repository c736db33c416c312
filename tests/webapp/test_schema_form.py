"""The form generated from the scenario's JSON Schema gives back the scenario it showed.

Pages are read as a browser submits them (inputs, textareas, the selected options), so
the markup itself is under test, not only the form's own bookkeeping.
"""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from followsun.errors import InputError
from scenarios.loader import dump_scenario, json_schema, parse_scenario, read_raw
from tests.webapp.test_scenario_editor import submitted
from webapp.scenario_files import examples_folder
from webapp.schema_form import Problems, SchemaForm

EXAMPLES = sorted(examples_folder().glob("*.yaml"))
FORM = SchemaForm(json_schema())
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t"))
plain = st.text("abcxyz-_ 0123456789éß<>&\"'", min_size=1).filter(lambda t: t.strip() == t)


def round_trip(data: dict[str, Any]) -> dict[str, Any]:
    """The mapping a browser submits for the form rendered from `data`, left unchanged."""
    page = str(FORM.render(data, Problems()))
    return FORM.read({k: v for k, v in submitted(page).items() if k != "key"})


@st.composite
def scenarios(draw: Any) -> dict[str, Any]:
    """A bundled example, resolved, with names, free text, numbers and optional fields varied."""
    path = draw(st.sampled_from(EXAMPLES))
    data = yaml.safe_load(dump_scenario(parse_scenario(read_raw(path))))
    data["name"] = draw(plain)
    data["description"] = draw(texts)
    data["planning"]["weeks"] = draw(st.integers(1, 12))
    data["planning"]["overstaffing_weight"] = draw(st.floats(0, 1000, allow_nan=False))
    for i, site in enumerate(data["sites"]):
        site["name"] = f"{draw(plain)} {i}"  # site names are unique
        for group in site["headcount"]:
            group["count"] = draw(st.integers(0, 60))
    for queue in data["queues"]:
        queue["patience_seconds"] = draw(st.none() | st.floats(1, 7200, allow_nan=False))
        queue["aht_seconds"] = draw(st.floats(1, 3600, allow_nan=False))
        if queue["escalates_to"]:
            queue["escalation_rate"] = draw(st.floats(0, 1, allow_nan=False))
    return data


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_a_generated_scenario_comes_back_from_the_form_unchanged(data: dict[str, Any]) -> None:
    try:
        scenario = parse_scenario(data)
    except InputError:
        assume(False)
        raise
    back = round_trip(data)
    assert dump_scenario(parse_scenario(back)) == dump_scenario(scenario)


def test_every_example_file_comes_back_as_written_and_resolved() -> None:
    for path in EXAMPLES:
        raw = read_raw(path)
        resolved = yaml.safe_load(dump_scenario(parse_scenario(raw)))
        assert round_trip(resolved) == resolved, path.name  # the same mapping, key for key
        assert parse_scenario(round_trip(raw)) == parse_scenario(raw), path.name


def test_problems_no_field_shows_are_listed_on_their_own() -> None:
    problems = Problems.of(["sites[0].timezone: not a zone", "nowhere.at_all: odd"])
    page = str(FORM.render(read_raw(EXAMPLES[0]), problems))
    assert "not a zone" in page and "odd" not in page
    assert problems.left() == ["nowhere.at_all: odd"]


def test_a_count_larger_than_the_items_sent_reads_only_those_sent() -> None:
    form = {k: v for k, v in submitted(str(FORM.render(read_raw(EXAMPLES[0]), Problems()))).items()}
    sites = int(form["f.sites.__n__"])
    form["f.sites.__n__"] = "20000"
    assert len(FORM.read(form)["sites"]) == sites
    assert len(FORM.read(form, add="f.sites")["sites"]) == sites + 1
