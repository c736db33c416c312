"""Roster changes per agent-day: added, removed and moved, each listed once."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from planner.roster.changes import describe_changes, roster_changes

SHIFTS = {"early": ("07:00", "15:00"), "late": ("14:00", "22:00")}


def frame(rows: dict[tuple[str, str], str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "agent_id": a,
                "date_local": d,
                "shift": s,
                "start_local": SHIFTS[s][0],
                "end_local": SHIFTS[s][1],
            }
            for (a, d), s in rows.items()
        ],
        columns=["agent_id", "date_local", "shift", "start_local", "end_local"],
    )


def test_each_kind_of_change_is_named_with_old_and_new_shift() -> None:
    old = frame(
        {("a", "2027-01-04"): "early", ("a", "2027-01-05"): "early", ("b", "2027-01-04"): "late"}
    )
    new = frame(
        {("a", "2027-01-04"): "early", ("a", "2027-01-05"): "late", ("b", "2027-01-06"): "late"}
    )
    changes = roster_changes(old, new)
    assert list(
        zip(changes["agent_id"], changes["date_local"], changes["change"], strict=True)
    ) == [
        ("a", "2027-01-05", "moved"),
        ("b", "2027-01-04", "removed"),
        ("b", "2027-01-06", "added"),
    ]
    assert (
        describe_changes(changes)[0] == "a 2027-01-05: moved early 07:00-15:00 -> late 14:00-22:00"
    )


cells = st.dictionaries(
    st.tuples(st.sampled_from("abc"), st.sampled_from(["2027-01-04", "2027-01-05"])),
    st.sampled_from(sorted(SHIFTS)),
)


@given(old=cells, new=cells)
def test_changes_count_the_agent_days_that_differ_and_applying_them_gives_the_new_roster(
    old: dict, new: dict
) -> None:
    changes = roster_changes(frame(old), frame(new))
    rebuilt = dict(old)
    for row in changes.itertuples():
        key = (row.agent_id, row.date_local)
        assert rebuilt.get(key, "") == row.old_shift
        if row.new_shift:
            rebuilt[key] = row.new_shift
        else:
            del rebuilt[key]
    assert rebuilt == new
    assert len(changes) == sum(old.get(k) != new.get(k) for k in set(old) | set(new))
