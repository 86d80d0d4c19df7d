"""How values look on screen: answers (as `core.answer_text` writes them, so the
exports read the same), durations and the session's two figures, local times and
percentages. Pure functions with no widgets, shared by the player and the views."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

# Light to import (the first screen uses these helpers): the model loads when an
# answer is first formatted.
from wizard_desktop.core.answer_text import NOT_SET, format_answer

if TYPE_CHECKING:
    from wizard_desktop.core.sessions import SessionInfo

__all__ = [
    "ELAPSED",
    "NOT_SET",
    "TIME_SPENT",
    "counted",
    "format_answer",
    "format_duration",
    "local_time",
    "local_time_tooltip",
    "session_times",
    "share",
    "whole_percent",
]

TIME_SPENT = "Time spent"
"""The time the player was open on a session before it was completed (`active_seconds`)."""
ELAPSED = "Elapsed"
"""From start to completion (`total_time_seconds`: completed_at - started_at)."""


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return NOT_SET
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def session_times(info: SessionInfo) -> str:
    """A session's figures as every view shows them: "Time spent: 6 min 41 s", and
    for a completed session " · Elapsed: 1 h 2 min". Both are stored figures, so they
    read the same on the completion page, the review, the table and the CLI."""
    text = f"{TIME_SPENT}: {format_duration(info.active_seconds)}"
    if info.total_time_seconds is None:
        return text
    return f"{text} · {ELAPSED}: {format_duration(info.total_time_seconds)}"


def local_time(value: dt.datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value is not None else NOT_SET


def local_time_tooltip(value: dt.datetime | None) -> str | None:
    return value.astimezone().strftime("%A %d %B %Y, %H:%M:%S %Z") if value is not None else None


def whole_percent(value: float) -> str:
    return f"{value:.0f} %"


def share(count: int, total: int) -> str:
    """`count` as a whole percentage of `total` ("57 %"); NOT_SET when `total` is 0."""
    return whole_percent(100 * count / total) if total else NOT_SET


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """`count` and the word for it: "1 step", "2 steps", "0 times"."""
    word = singular if count == 1 else (plural or f"{singular}s")
    return f"{count:,} {word}"
