"""A scheduler's week from the CLI: load agents, mark one sick, re-plan with a freeze, publish, diff, calendars."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import icalendar
import pandas as pd
import pytest
import yaml
from sqlalchemy import Engine

from followsun.cli import main
from tests.scenarios.test_rostering import day_requirements, scenario, scenario_data

MONDAY = date(2027, 5, 3)
AGENTS = (
    "agent_id,name,site,tier,skills\n"
    "ann,Ann,ams,1,chat/en\n"
    "bob,Bob,ams,1,chat/en\n"
    "cyd,Cyd,ams,1,chat/en\n"
)


def events(path: Path) -> dict[str, tuple[int, str, str]]:
    """UID to (SEQUENCE, STATUS, start) of one calendar file."""
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return {
        str(e["uid"]): (int(e.get("sequence", 0)), str(e.get("status")), str(e.decoded("dtstart")))
        for e in cal.walk("VEVENT")
    }


@pytest.mark.slow
def test_sick_for_two_days_replanned_from_tomorrow_published_and_calendars_updated(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FOLLOWSUN_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    (tmp_path / "agents.csv").write_text(AGENTS)
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(scenario_data()))
    day_requirements(scenario(), MONDAY, 1).to_csv(tmp_path / "r.csv", index=False)
    solve = ["roster", "--scenario", str(tmp_path / "s.yaml"), "--requirements"]
    solve += [str(tmp_path / "r.csv"), "--start", str(MONDAY), "--weeks", "1"]
    solve += ["--time-limit", "4", "--people", "--publish"]
    assert main(["agents", "import", str(tmp_path / "agents.csv")]) == 0
    assert main([*solve, "--out", str(tmp_path / "v1")]) == 0
    first = pd.read_csv(tmp_path / "v1" / "roster.csv")
    assert set(first["agent_id"]) <= {"ann", "bob", "cyd"}
    sick = first[first["date_local"] == "2027-05-05"]["agent_id"].iloc[0]
    assert (
        main(
            ["absence", "add", "--agent", sick, "--from", "2027-05-05"]
            + ["--to", "2027-05-06", "--kind", "sick"]
        )
        == 0
    )
    capsys.readouterr()
    replan = [*solve, "--previous", "1", "--freeze-until", "2027-05-05"]
    assert main([*replan, "--out", str(tmp_path / "v2")]) == 0
    printed = capsys.readouterr().out
    second = pd.read_csv(tmp_path / "v2" / "roster.csv")
    changes = pd.read_csv(tmp_path / "v2" / "changes.csv")
    assert f"{len(changes)} changes against the previous roster" in printed
    assert not (
        (second["agent_id"] == sick) & second["date_local"].isin(["2027-05-05", "2027-05-06"])
    ).any()
    before = first[first["date_local"] < "2027-05-05"].sort_values(["agent_id", "date_local"])
    kept = second[second["date_local"] < "2027-05-05"].sort_values(["agent_id", "date_local"])
    assert (
        before[["agent_id", "date_local", "shift", "start_utc"]].values.tolist()
        == kept[["agent_id", "date_local", "shift", "start_utc"]].values.tolist()
    )
    assert (changes["date_local"] >= "2027-05-05").all()
    assert {"removed"} <= set(changes[changes["agent_id"] == sick]["change"])

    assert main(["roster", "versions", "--scenario", str(tmp_path / "s.yaml")]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["1", "2"] and listed[1].endswith(
        "published"
    )
    assert main(["roster", "diff", "--scenario", "tiny", "--from", "1", "--to", "2"]) == 0
    assert f"{len(changes)} changes" in capsys.readouterr().out
    assert main(["roster", "diff", "--scenario", "tiny", "--from", "1", "--to", "other@2"]) == 2
    assert "different scenarios" in capsys.readouterr().err

    for version in ("1", "2"):
        args = ["roster", "export", "--scenario", "tiny", "--version", version]
        assert main([*args, "--out", str(tmp_path / f"export{version}")]) == 0
    old = events(tmp_path / "export1" / "ics" / f"{sick}.ics")
    new = events(tmp_path / "export2" / "ics" / f"{sick}.ics")
    assert set(old) <= set(new)  # every earlier event is updated in place, none duplicated
    for uid, (sequence, status, start) in new.items():
        if uid in old and (status, start) != (old[uid][1], old[uid][2]):
            assert sequence == old[uid][0] + 1
        elif uid in old:
            assert sequence == old[uid][0]
    dropped = {
        f"{sick}-{d}@followsun"
        for d in changes[(changes["agent_id"] == sick) & (changes["change"] == "removed")][
            "date_local"
        ]
    }
    assert dropped and all(new[uid][1] == "CANCELLED" for uid in dropped)
