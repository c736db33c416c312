"""The queue key: one format, read back exactly, and the frame version agrees with it."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.errors import InputError
from forecasting.queues import QueueKey, queue_keys

channels = st.from_regex(r"[a-z_]{1,10}", fullmatch=True)
# Languages as the scenario allows them ('en', 'zh-TW'), and any text without a newline.
languages = st.from_regex(r"[a-z]{2,3}(-[A-Za-z0-9]+)?", fullmatch=True) | st.text(
    st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12
)
tiers = st.integers(min_value=0, max_value=10_000)


@given(channels, languages, tiers)
def test_parse_reads_back_what_format_writes(channel: str, language: str, tier: int) -> None:
    key = QueueKey(channel, language, tier)
    text = key.format()
    assert text == f"{channel}-{language}-t{tier}" == str(key)
    assert QueueKey.parse(text) == key


@settings(deadline=None)  # a deadline fails on a loaded machine, not on a bug
@given(st.lists(st.tuples(channels, languages, tiers), min_size=1, max_size=20))
def test_frame_keys_are_the_rows_keys(rows: list[tuple[str, str, int]]) -> None:
    frame = pd.DataFrame(rows, columns=["channel", "language", "tier"])
    expected = [QueueKey(c, lang, t).format() for c, lang, t in rows]
    assert queue_keys(frame).tolist() == expected
    # Tiers read from a CSV as floats or text name the same queue.
    assert queue_keys(frame.astype({"tier": float})).tolist() == expected
    assert queue_keys(frame.astype({"tier": str})).tolist() == expected


def test_of_takes_tiers_as_they_come_from_files() -> None:
    assert (
        QueueKey.of("chat", "en", 1.0)
        == QueueKey.of("chat", "en", "1")
        == QueueKey("chat", "en", 1)
    )
    with pytest.raises(ValueError, match="whole number"):
        QueueKey.of("chat", "en", 1.5)


@pytest.mark.parametrize(
    "text", ["chat-en", "chat-en-1", "-en-t1", "chat--t1", "chat-en-t", "chat-en-tx"]
)
def test_parse_refuses_what_is_not_a_key(text: str) -> None:
    with pytest.raises(ValueError, match="CHANNEL-LANGUAGE-tTIER"):
        QueueKey.parse(text)


@pytest.mark.parametrize(
    ("channel", "language", "tier"),
    [
        ("", "en", 1),
        ("live-chat", "en", 1),
        ("chat", "", 1),
        ("chat", "en", -1),
        ("chat", "en", True),
    ],
)
def test_a_key_that_could_not_be_read_back_is_refused(
    channel: str, language: str, tier: int
) -> None:
    with pytest.raises(ValueError):
        QueueKey(channel, language, tier)


def test_a_bad_tier_in_a_frame_names_the_source_and_row() -> None:
    frame = pd.DataFrame({"channel": ["chat", "chat"], "language": ["en", "en"], "tier": [1, 1.5]})
    with pytest.raises(InputError, match=r"requirements: row 1: tier 1\.5 is not a whole number"):
        queue_keys(frame, "requirements")
    frame["tier"] = [1, None]
    with pytest.raises(InputError, match="row 1"):
        queue_keys(frame, "requirements")
