"""Sessions of a wizard with skip logic and two versions, stored for real through the
core, with controlled times (started_at / completed_at set on the stored rows, as the
clock tests do), for the statistics tests. The figures they must give are worked out
by hand in STATS_* below, not computed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.wizard_files import SKIPPING, import_text
from wizard_desktop.core import sessions
from wizard_desktop.store.models import Session

# Version 2 of SKIPPING: "end" is gone, "wrapup" is new, "extra" has a new title (from a
# file: markup in it is text).
EXTRA_TITLE = "<b>Extra</b> & more"
_END = (
    "  - id: end\n    title: End\n    fields:\n      - {id: note, type: multiline, label: Note}\n"
)
_WRAPUP = (
    "  - id: wrapup\n    title: Wrap-up\n    fields:\n"
    "      - {id: closing, type: text, label: Closing}\n"
)
assert _END in SKIPPING and "    title: Extra\n" in SKIPPING
SKIPPING_V2 = SKIPPING.replace(_END, _WRAPUP).replace("title: Extra\n", f'title: "{EXTRA_TITLE}"\n')

UTC = dt.UTC
STARTED = dt.datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
TIME_ZONE = "XYZ-13"
"""POSIX TZ for the command line's local time: UTC+13, no summer time, no tzdata needed."""


def _complete(
    session_id: str,
    step_id: str,
    answers: sessions.StepAnswers,
    active_seconds: float,
    completed_at: dt.datetime,
) -> None:
    """Time spent added through the core (as the player adds it while the session is in
    progress), the completion, then its stored times set as the clock would have."""
    sessions.add_active_seconds(session_id, active_seconds)
    sessions.complete_session(session_id, step_id, answers)
    Session.update(started_at=STARTED, completed_at=completed_at).where(
        Session.id == session_id
    ).execute()


def store_stats_sessions(data_dir: Path) -> str:
    """Seven sessions of "skipping" in the open store; returns the wizard id.

    Version 1 (start, extra when kind is complex, end):
      A complex: start, extra, end; completed, 100 s, 2025-12-28 12:00 UTC
      B simple:  start, end; completed, 300 s, 2026-01-06 09:00 UTC
      C complex: start, then stopped on extra
      D a draft on start only, positioned on start
    Version 2 (start, extra when complex, wrapup):
      E simple:  start, wrapup; completed, 50 s, 2026-01-27 10:00 UTC
      F complex: start, extra, wrapup; completed, 200 s, 2026-01-28 11:30 UTC
      G complex: start, extra, then stopped on wrapup
    """
    wizard_id = import_text(data_dir, SKIPPING, "skipping-v1.yaml")
    a = sessions.start_session(wizard_id, "A").id
    sessions.save_step(a, "start", {"kind": "complex"})
    sessions.save_step(a, "extra", {"detail": "d"})
    sessions.save_step(a, "end", {})
    _complete(a, "end", {}, 100, dt.datetime(2025, 12, 28, 12, 0, tzinfo=UTC))
    b = sessions.start_session(wizard_id, "B").id
    sessions.save_step(b, "start", {"kind": "simple"})
    _complete(b, "end", {"note": "n"}, 300, dt.datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    c = sessions.start_session(wizard_id, "C").id
    sessions.save_step(c, "start", {"kind": "complex"})
    d = sessions.start_session(wizard_id, "D").id
    sessions.save_draft(d, {"kind": "simple"}, "start")

    import_text(data_dir, SKIPPING_V2, "skipping-v2.yaml")
    e = sessions.start_session(wizard_id, "E").id
    sessions.save_step(e, "start", {"kind": "simple"})
    _complete(e, "wrapup", {}, 50, dt.datetime(2026, 1, 27, 10, 0, tzinfo=UTC))
    f = sessions.start_session(wizard_id, "F").id
    sessions.save_step(f, "start", {"kind": "complex"})
    sessions.save_step(f, "extra", {"detail": "d"})
    _complete(f, "wrapup", {"closing": "bye"}, 200, dt.datetime(2026, 1, 28, 11, 30, tzinfo=UTC))
    g = sessions.start_session(wizard_id, "G").id
    sessions.save_step(g, "start", {"kind": "complex"})
    sessions.save_step(g, "extra", {"detail": "d"})
    return wizard_id


# Worked out by hand from the sessions above.
STATS_STARTED = 7
STATS_COMPLETED = 4  # A, B, E, F
STATS_MEDIAN = 100.0  # 50 100 200 300: rank ceil(0.5 * 4) = 2
STATS_P90 = 300.0  # rank ceil(0.9 * 4) = 4
# (step id, title, reached, stopped there, in the newest version)
STATS_FUNNEL = [
    ("start", "Start", 7, 1, True),  # everyone; D waits there
    ("extra", EXTRA_TITLE, 4, 1, True),  # A, C, F, G; C waits there
    ("wrapup", "Wrap-up", 3, 1, True),  # E, F, G; G waits there
    ("end", "End", 2, 0, False),  # A, B (version 1 only)
]
# In UTC+13: A completes Monday 2025-12-29 01:00 (ISO 2026-W01; in UTC it would be
# Sunday, 2025-W52), B Tuesday 2026-01-06 22:00 (W02), E Tuesday 2026-01-27 23:00 and F
# Thursday 2026-01-29 00:30 (both W05); W03 and W04 have none.
STATS_WEEKS_UTC_PLUS_13 = [
    ("2026-W01", "2025-12-29", 1),
    ("2026-W02", "2026-01-05", 1),
    ("2026-W03", "2026-01-12", 0),
    ("2026-W04", "2026-01-19", 0),
    ("2026-W05", "2026-01-26", 2),
]
# In UTC: A completes Sunday 2025-12-28 (2025-W52), B Tuesday 2026-01-06 (W02), E and F
# on 2026-01-27 and 28 (W05).
STATS_WEEKS_UTC = [
    ("2025-W52", "2025-12-22", 1),
    ("2026-W01", "2025-12-29", 0),
    ("2026-W02", "2026-01-05", 1),
    ("2026-W03", "2026-01-12", 0),
    ("2026-W04", "2026-01-19", 0),
    ("2026-W05", "2026-01-26", 2),
]
