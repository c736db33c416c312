"""The capacity service's mapping of a scenario onto the MIP's hours of the week."""

from __future__ import annotations

from datetime import date

import pytest

from followsun.services.capacity import site_reach
from followsun.services.plan import reference_scenario_path
from scenarios.loader import load_scenario


def test_a_site_reaches_the_utc_hours_its_local_shifts_span_with_their_premiums() -> None:
    sjc = load_scenario(reference_scenario_path()).sites[0]
    reach, premium = site_reach(sjc, date(2027, 3, 8))
    by_band = dict(zip(reach, premium, strict=True))
    # Monday 06:00-15:00 PST (early) to 13:00-22:00 (late) is 14:00 Monday to 06:00 Tuesday UTC.
    assert {14, 20, 29} <= set(reach) and 13 not in reach and 30 not in reach
    assert by_band[14] == 0.0  # 06:00 local, a weekday morning: no premium
    assert by_band[29] == 0.0  # 21:00 local Monday: before the 22:00 night window
    saturday_noon_pst = 5 * 24 + 20
    assert by_band[saturday_noon_pst] == pytest.approx(78.0 * 0.15)
