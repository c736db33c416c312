"""The queue key: channel x language x tier, written 'chat-en-t1' in every file and report.

`QueueKey` is the one place that formats and parses it; `queue_keys` does the same for
the `channel`, `language` and `tier` columns of a frame.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.errors import InputError

_PATTERN = re.compile(r"^(?P<channel>[^-]+)-(?P<language>.+)-t(?P<tier>\d+)$")


@dataclass(frozen=True, order=True)
class QueueKey:
    """One queue: a channel without '-', a language (may hold '-', e.g. 'zh-TW'), a tier >= 0."""

    channel: str
    language: str
    tier: int

    def __post_init__(self) -> None:
        if not self.channel or "-" in self.channel:
            raise ValueError(f"queue channel {self.channel!r}: expected a name without '-'")
        if not self.language:
            raise ValueError("queue language: expected a language code, got ''")
        if isinstance(self.tier, bool) or not isinstance(self.tier, int) or self.tier < 0:
            raise ValueError(f"queue tier {self.tier!r}: expected a whole number >= 0")

    @classmethod
    def of(cls, channel: object, language: object, tier: object) -> QueueKey:
        """The key of a row's values (the tier may come as a float or text such as '1')."""
        return cls(str(channel), str(language), _whole(tier))

    @classmethod
    def parse(cls, text: str) -> QueueKey:
        """Read 'chat-en-t1' back into its parts.

        Raises:
            ValueError: the text is not CHANNEL-LANGUAGE-tTIER.
        """
        match = _PATTERN.match(text)
        if match is None:
            raise ValueError(f"queue {text!r}: expected CHANNEL-LANGUAGE-tTIER such as chat-en-t1")
        return cls(match["channel"], match["language"], int(match["tier"]))

    def format(self) -> str:
        """The key as written in files, e.g. 'chat-en-t1'."""
        return f"{self.channel}-{self.language}-t{self.tier}"

    def __str__(self) -> str:
        return self.format()


def queue_keys(frame: pd.DataFrame, source: str = "frame") -> pd.Series:
    """The formatted key of every row of a frame with `channel`, `language`, `tier` columns.

    Raises:
        InputError: a tier is empty or not a whole number (naming `source` and the row).
    """
    tiers = pd.to_numeric(frame["tier"], errors="coerce")
    bad = tiers.isna() | (tiers != tiers.round())
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{source}: row {row}: tier {frame['tier'].tolist()[row]!r} is not a whole number"
        )
    # Formatted once per distinct queue (a year of forecast repeats each 35,040 times).
    codes = [
        pd.factorize(column, use_na_sentinel=False)[0].astype(np.int64)
        for column in (frame["channel"], frame["language"], tiers)
    ]
    combined = (codes[0] * (int(codes[1].max(initial=0)) + 1) + codes[1]) * (
        int(codes[2].max(initial=0)) + 1
    ) + codes[2]
    _, first, which = np.unique(combined, return_index=True, return_inverse=True)
    text = (
        frame["channel"].iloc[first].astype(str)
        + "-"
        + frame["language"].iloc[first].astype(str)
        + "-t"
        + tiers.iloc[first].astype("int64").astype(str)
    )
    keys = text.iloc[which.ravel()]
    keys.index = frame.index
    return keys


def _whole(value: object) -> int:
    number = float(str(value)) if not isinstance(value, int | float) else float(value)
    if not number.is_integer():
        raise ValueError(f"queue tier {value!r}: expected a whole number >= 0")
    return int(number)
