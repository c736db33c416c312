"""`override_of` inverts `merge`: a variant saved as its changes resolves to the edited scenario."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios.loader import (
    NOTHING,
    bundled_examples,
    merge,
    override_of,
    parse_scenario,
    read_raw,
    variant_override,
)

scalars = st.one_of(
    st.integers(-5, 5), st.floats(-5, 5, allow_nan=False), st.text("ab", max_size=3)
)
ids = st.sampled_from(["a", "b", "c", "d", "e"])


def keyed_items(depth: int) -> st.SearchStrategy[list[dict[str, Any]]]:
    item = st.fixed_dictionaries({"id": ids}, optional={"x": scalars, "sub": mappings(depth - 1)})
    return st.lists(item, max_size=4, unique_by=lambda i: i["id"])


def mappings(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    values: st.SearchStrategy[Any] = scalars | st.lists(scalars, max_size=3)
    if depth > 0:
        values = values | keyed_items(depth) | st.deferred(lambda: mappings(depth - 1))
    return st.dictionaries(st.sampled_from(["p", "q", "r", "kind"]), values, max_size=4)


def edit(draw: Any, base: Any, depth: int) -> Any:
    """A changed copy of `base` with every mapping key kept (merge cannot delete keys)."""
    if isinstance(base, dict):
        out = {k: edit(draw, v, depth - 1) if draw(st.booleans()) else v for k, v in base.items()}
        added = draw(mappings(max(depth - 1, 0)))
        return {**out, **{k: v for k, v in added.items() if k not in base}}
    if isinstance(base, list) and base and all(isinstance(i, dict) and "id" in i for i in base):
        kept = [edit(draw, i, depth - 1) | {"id": i["id"]} for i in base if draw(st.booleans())]
        fresh = [
            i
            for i in draw(keyed_items(max(depth - 1, 0)))
            if i["id"] not in {b["id"] for b in base}
        ]
        return draw(st.permutations(kept + fresh))
    return draw(scalars) if draw(st.booleans()) else base


@st.composite
def pairs(draw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    base = draw(mappings(3))
    return base, edit(draw, base, 3)


@settings(max_examples=150, deadline=None)
@given(pairs())
def test_merging_the_override_onto_the_base_gives_the_edited_mapping(
    pair: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    base, edited = pair
    override = override_of(base, edited)
    assert merge(base, {} if override is NOTHING else override) == edited


@given(mappings(3))
def test_an_unchanged_mapping_has_no_override(base: dict[str, Any]) -> None:
    assert override_of(base, base) is NOTHING


def test_only_changed_fields_and_items_are_kept() -> None:
    base = {"name": "a", "sites": [{"id": "x", "n": 1, "m": 2}, {"id": "y", "n": 1}], "z": [1]}
    edited = {"name": "b", "sites": [{"id": "x", "n": 1, "m": 3}], "z": [1]}
    assert override_of(base, edited) == {
        "name": "b",
        "sites": [{"id": "x", "m": 3}, {"id": "y", "remove": True}],
    }


def test_a_variant_keeps_its_name_and_changes_or_is_refused_when_merge_cannot_say_it() -> None:
    base = read_raw(bundled_examples() / "reference.yaml")
    edited = copy.deepcopy(base)
    edited["name"] = "more-weeks"
    edited["planning"] = {**edited.get("planning", {}), "weeks": 2}
    override = variant_override(base, edited)
    assert override is not None and list(override) == ["name", "planning"]
    assert parse_scenario(merge(base, override)) == parse_scenario(edited)
    dropped = {k: v for k, v in edited.items() if k != "description"}  # merge cannot delete
    assert base.get("description") and variant_override(base, dropped) is None
