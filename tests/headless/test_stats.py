"""How a wizard is doing (core/stats.py and `wizard-desktop stats`), against figures
worked out by hand for sessions stored through the core (tests/stats_sessions.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stats_sessions import (
    STATS_COMPLETED,
    STATS_FUNNEL,
    STATS_MEDIAN,
    STATS_P90,
    STATS_STARTED,
    STATS_WEEKS_UTC,
    STATS_WEEKS_UTC_PLUS_13,
    TIME_ZONE,
    store_stats_sessions,
)
from tests.wizard_files import THREE_STEPS, import_text
from wizard_desktop.core import sessions
from wizard_desktop.core.stats import WizardStats, nearest_rank, wizard_stats
from wizard_desktop.core.wizards import UnknownWizardError, import_bundled_wizards
from wizard_desktop.store.database import close_database, open_database


@pytest.fixture
def utc() -> Iterator[None]:
    """This process's local time is UTC (SQLite's `localtime` reads the C library's)."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "UTC0"
    time.tzset()
    yield
    if previous is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = previous
    time.tzset()


def funnel_of(stats: WizardStats) -> list[tuple[str, str, int, int, bool]]:
    return [(s.step_id, s.title, s.reached, s.waiting, s.in_latest) for s in stats.funnel]


def test_the_figures_of_sessions_over_two_versions(store: Path, utc: None) -> None:
    wizard_id = store_stats_sessions(store)
    stats = wizard_stats(wizard_id)
    assert (stats.started, stats.completed, stats.in_progress) == (7, 4, 3)
    assert (stats.started, stats.completed) == (STATS_STARTED, STATS_COMPLETED)
    assert stats.versions == 2
    assert stats.completion_rate == 4 / 7
    assert (stats.median_seconds, stats.p90_seconds) == (STATS_MEDIAN, STATS_P90)
    assert funnel_of(stats) == STATS_FUNNEL
    weeks = [(w.label, w.start.isoformat(), w.completed) for w in stats.weeks]
    assert weeks == STATS_WEEKS_UTC


def test_a_wizard_without_sessions_has_zeros_and_no_figures(store: Path) -> None:
    wizard_id = import_text(store, THREE_STEPS)
    stats = wizard_stats(wizard_id)
    assert (stats.started, stats.completed, stats.completion_rate) == (0, 0, None)
    assert (stats.median_seconds, stats.p90_seconds) == (None, None)
    assert funnel_of(stats) == [
        ("a", "A", 0, 0, True),
        ("b", "B", 0, 0, True),
        ("c", "C", 0, 0, True),
    ]
    assert stats.weeks == ()


def test_an_unknown_wizard_is_refused(store: Path) -> None:
    with pytest.raises(UnknownWizardError, match="No wizard with id 'nope'"):
        wizard_stats("nope")


@pytest.mark.parametrize(
    ("count", "median", "p90"),
    [(1, 1, 1), (2, 1, 2), (3, 2, 3), (4, 2, 4), (5, 3, 5), (10, 5, 9), (11, 6, 10), (20, 10, 18)],
)
def test_nearest_rank(count: int, median: int, p90: int) -> None:
    assert (nearest_rank(count, 50), nearest_rank(count, 90)) == (median, p90)


def test_percentiles_are_times_of_completed_sessions_only(store: Path) -> None:
    """Eleven completed sessions of 10, 20 … 110 s and one in progress of 1000 s:
    median rank ceil(5.5) = 6 (60 s), 90th ceil(9.9) = 10 (100 s)."""
    wizard_id = import_text(store, THREE_STEPS)
    for seconds in [110, 30, 70, 10, 50, 90, 20, 100, 40, 80, 60]:
        info = sessions.start_session(wizard_id)
        sessions.save_step(info.id, "a", {})
        sessions.save_step(info.id, "b", {})
        sessions.add_active_seconds(info.id, seconds)
        sessions.complete_session(info.id, "c", {})
    waiting = sessions.start_session(wizard_id)
    sessions.add_active_seconds(waiting.id, 1000)
    stats = wizard_stats(wizard_id)
    assert (stats.started, stats.completed) == (12, 11)
    assert (stats.median_seconds, stats.p90_seconds) == (60.0, 100.0)
    assert funnel_of(stats)[0] == ("a", "A", 12, 1, True)
    assert funnel_of(stats)[2] == ("c", "C", 11, 0, True)


# --- The command line, as a real subprocess.


def run_stats(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TZ": TIME_ZONE}
    env.pop("WIZARD_DESKTOP_DATA_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "wizard_desktop", "--data-dir", str(data_dir), "stats", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


@pytest.fixture
def stats_store(data_dir: Path) -> str:
    """The sessions of tests/stats_sessions.py in a closed store a subprocess can open."""
    open_database(data_dir)
    try:
        import_bundled_wizards()
        return store_stats_sessions(data_dir)
    finally:
        close_database()


def test_stats_json_in_local_time(data_dir: Path, stats_store: str) -> None:
    result = run_stats(data_dir, stats_store, "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures == {
        "wizard_id": "skipping",
        "title": "Skipping",
        "versions": 2,
        "sessions_started": STATS_STARTED,
        "sessions_completed": STATS_COMPLETED,
        "sessions_in_progress": 3,
        "completion_rate": 0.5714,
        "time_spent_seconds": {
            "percentile_method": "nearest-rank",
            "median": STATS_MEDIAN,
            "p90": STATS_P90,
        },
        "funnel": [
            {
                "step_id": step_id,
                "title": title,
                "reached": reached,
                "waiting": waiting,
                "in_latest_version": in_latest,
            }
            for step_id, title, reached, waiting, in_latest in STATS_FUNNEL
        ],
        "completions_per_week": [
            {"week": week, "start": start, "completed": completed}
            for week, start, completed in STATS_WEEKS_UTC_PLUS_13
        ],
    }


def test_stats_text_for_people(data_dir: Path, stats_store: str) -> None:
    result = run_stats(data_dir, stats_store)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Skipping (skipping), 2 versions",
        "Sessions started                      7",
        "Sessions completed                    4",
        "Completion rate                    57 %",
        "In progress                           3",
        "Time spent, median           1 min 40 s",
        "Time spent, 90th percentile   5 min 0 s",
        "(time spent by completed sessions; percentiles by nearest rank)",
        "",
        "Funnel: the sessions that reached each step",
        "Step                       Reached  Share  Stopped here",
        "Start                            7  100 %             1",
        "<b>Extra</b> & more              4   57 %             1",
        "Wrap-up                          3   43 %             1",
        "End (older versions only)        2   29 %             0",
        "",
        "Completions per week (ISO weeks, local time)",
        "Week          Monday  Completed",
        "2026-W01  2025-12-29          1",
        "2026-W02  2026-01-05          1",
        "2026-W03  2026-01-12          0",
        "2026-W04  2026-01-19          0",
        "2026-W05  2026-01-26          2",
    ]


def test_stats_of_an_unknown_wizard_is_one_line_and_exit_1(data_dir: Path) -> None:
    result = run_stats(data_dir, "no-such-wizard")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == "wizard-desktop: error: No wizard with id 'no-such-wizard'.\n"


def test_stats_of_a_wizard_without_sessions(data_dir: Path) -> None:
    result = run_stats(data_dir, "laptop-config")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Laptop Config (laptop-config), 1 version"
    assert "Completion rate              —" in lines
    assert "Time spent, median           —" in lines
    assert lines[-1] == "none yet"
    figures = json.loads(run_stats(data_dir, "laptop-config", "--json").stdout)
    assert figures["completion_rate"] is None
    assert figures["time_spent_seconds"]["median"] is None
    assert [step["reached"] for step in figures["funnel"]] == [0, 0, 0, 0]
    assert figures["completions_per_week"] == []
