"""Public holidays per country (and subdivision) from the `holidays` package."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import holidays as holidays_lib


@lru_cache(maxsize=256)
def _country(country: str, subdiv: str | None, years: tuple[int, ...]) -> dict[date, str]:
    table = holidays_lib.country_holidays(country, subdiv=subdiv, years=years)
    return {day: str(name) for day, name in sorted(table.items())}


def public_holidays(
    country: str, years: Iterable[int], subdiv: str | None = None
) -> dict[date, str]:
    """Public holidays of `country` (ISO 3166-1 alpha-2) in `years`, date to name.

    Raises:
        ValueError: the country or subdivision is unknown to the `holidays` package.
    """
    try:
        return dict(_country(country.upper(), subdiv, tuple(sorted(set(years)))))
    except (NotImplementedError, KeyError) as exc:
        raise ValueError(f"no holiday calendar for country {country!r} subdiv {subdiv!r}") from exc


def is_known_country(country: str, subdiv: str | None = None) -> bool:
    """Tell whether the `holidays` package has a calendar for the country (and subdivision)."""
    try:
        public_holidays(country, [2026], subdiv)
    except ValueError:
        return False
    return True
