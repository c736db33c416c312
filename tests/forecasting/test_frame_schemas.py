"""Every frame schema of the project: `require` names every missing column with its source."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.schema import COST_ITEMS, OUTCOMES, STAFFED, VENDOR_USAGE
from forecasting.errors import InputError
from forecasting.schema import FORECAST, HISTORY, TICKETS, FrameSchema
from planner.nrp.validate import SOLUTION
from planner.roster.schema import COVERAGE, ROSTER
from planner.staffing.schema import DEMAND, POOLED, REQUIREMENTS

SCHEMAS = (
    TICKETS,
    HISTORY,
    FORECAST,
    DEMAND,
    REQUIREMENTS,
    POOLED,
    ROSTER,
    COVERAGE,
    SOLUTION,
    STAFFED,
    OUTCOMES,
    VENDOR_USAGE,
    COST_ITEMS,
)


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.name)
def test_each_schema_is_coherent(schema: FrameSchema) -> None:
    assert len(set(schema.names)) == len(schema.names), "a column declared twice"
    assert set(schema.key) <= set(schema.names)
    assert set(schema.required) | set(schema.optional) == set(schema.names)
    assert not set(schema.required) & set(schema.optional)
    assert list(schema.empty().columns) == list(schema.names)
    assert schema.empty().empty


def test_schema_names_are_unique_across_the_project() -> None:
    names = [s.name for s in SCHEMAS]
    assert len(set(names)) == len(names)


@given(
    data=st.data(),
    schema=st.sampled_from(SCHEMAS),
    source=st.from_regex(r"[a-z./]{1,20}", fullmatch=True),
)
def test_every_missing_required_column_is_named_with_the_source(
    data: st.DataObject, schema: FrameSchema, source: str
) -> None:
    kept = data.draw(st.lists(st.sampled_from(schema.names), unique=True))
    frame = pd.DataFrame(columns=kept)
    missing = [c for c in schema.required if c not in kept]
    if not missing:
        schema.require(frame, source)
        return
    with pytest.raises(InputError) as info:
        schema.require(frame, source)
    message = str(info.value).splitlines()[0]
    assert message.startswith(f"{source}: missing column(s) ")
    named = message[len(f"{source}: missing column(s) ") :].split(";")[0].split(", ")
    assert named == missing  # every missing column, in order, and none of those kept


@given(data=st.data(), schema=st.sampled_from(SCHEMAS))
def test_a_caller_reading_fewer_columns_requires_only_those(
    data: st.DataObject, schema: FrameSchema
) -> None:
    read = data.draw(st.lists(st.sampled_from(schema.names), unique=True, min_size=1))
    schema.require(pd.DataFrame(columns=read), "f.csv", read)  # all there: no error
    dropped = data.draw(st.sampled_from(read))
    with pytest.raises(InputError, match=rf"^f\.csv: missing column\(s\) {dropped};"):
        schema.require(pd.DataFrame(columns=[c for c in read if c != dropped]), "f.csv", read)


def test_optional_columns_are_never_required() -> None:
    frame = pd.DataFrame(columns=list(ROSTER.required))
    ROSTER.require(frame, "roster.csv")
    assert "breaks" in ROSTER.optional and "paid_minutes" in ROSTER.optional


def test_a_column_the_schema_does_not_know_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="has no column"):
        FORECAST.require(pd.DataFrame(), "f.csv", ("interval_start", "agents"))


def test_validate_is_the_file_check() -> None:
    text = pd.DataFrame(
        {
            "interval_start": ["2027-03-08T14:00:00Z"],
            "channel": ["chat"],
            "language": ["en"],
            "tier": ["1"],
            "volume": ["3"],
        }
    )
    typed = HISTORY.validate(text, "h.csv")
    assert str(typed["interval_start"].dt.tz) == "UTC" and typed["tier"].iloc[0] == 1
    with pytest.raises(InputError, match=r"h\.csv"):
        HISTORY.validate(text.drop(columns="volume"), "h.csv")
