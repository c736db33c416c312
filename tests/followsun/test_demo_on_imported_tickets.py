"""The demo on tickets imported into the store instead of the synthetic generator."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from followsun.cli import main
from followsun.services.plan import reference_scenario_path
from forecasting.schema import TICKETS, to_csv_frame
from forecasting.synthetic import synthetic_tickets
from scenarios.demand import demand_inputs
from scenarios.loader import load_scenario

START = "2027-03-08"


@pytest.mark.slow
def test_demo_plans_from_imported_tickets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWSUN_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    scenario = load_scenario(reference_scenario_path())
    begin = pd.Timestamp("2027-01-11T00:00Z")
    tickets = synthetic_tickets(
        demand_inputs(scenario), begin, pd.Timestamp(f"{START}T00:00Z"), np.random.default_rng(3)
    )
    export = tmp_path / "export.csv"
    to_csv_frame(tickets).to_csv(export, index=False)
    mapping = tmp_path / "mapping.yaml"
    columns = {c: c for c in TICKETS.names if c != "source"}
    mapping.write_text(yaml.safe_dump({"source": "legacy", "columns": columns}))
    assert main(["import", "csv", str(export), "--mapping", str(mapping), "--quiet"]) == 0

    out = tmp_path / "run"
    code = main(
        [
            "demo",
            "--tickets",
            "store",
            "--out",
            str(out),
            "--start",
            START,
            "--weeks",
            "1",
            "--time-limit",
            "5",
        ]
    )
    assert code in (0, 1)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["solver"]["status"] in ("optimal", "feasible")
    # The horizon lies after the last imported ticket: no actuals, outcomes at the forecast.
    assert not (out / "actuals.csv").exists()
    history = pd.read_csv(out / "history.csv")
    assert history["volume"].sum() > 0


def test_demo_on_an_empty_store_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FOLLOWSUN_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    code = main(["demo", "--tickets", "store", "--out", str(tmp_path / "run"), "--start", START])
    assert code == 2
    assert "import some (followsun import zendesk|freshdesk|csv)" in capsys.readouterr().err
