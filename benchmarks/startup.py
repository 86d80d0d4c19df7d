"""Start-up from source: process start until the main window's first screen is painted.

- `startup`: the app (`python -m wizard_desktop --data-dir D`, D holding 100,000
  sessions) against the same first screen built from plain widgets, with no data and
  none of our code (benchmarks/bare_bundle/first_screen.py): Qt's own cost for that
  screen, so the ratio is what our code, Peewee and the data add. A bare PySide6
  QMainWindow (bare_bundle/hello.py), measured in the same rounds, is printed beside.
  Same interpreter, same platform plugin.
- `startup_scale`: the app on 1,000,000 sessions against the app on 1,000 sessions;
  start-up must not grow with the data. The goal (1.1x) is within what a shared
  machine's noise moves a median of a few launches (it read 1.12x once with 9), so
  rounds are added until the ratio's 95 % bootstrap interval is at most +-3 % wide
  (31 to 121 rounds of each side).

The app logs "First screen painted at monotonic <time.monotonic()>" to its log file;
each launch gets a fresh XDG_STATE_HOME, the log is polled for that line and the app
is terminated (benchmarks.common.app_launch_to_first_screen_ms). The anchors print the
time of their first paint and quit. CLOCK_MONOTONIC is shared by processes, so launch
-> painted = that time - the time just before the process was started. The app's
bytecode is compiled first, as an install compiles it: a checkout run with
PYTHONDONTWRITEBYTECODE (as on these machines) would otherwise compile every module of
ours at every launch.
"""

from __future__ import annotations

import compileall
import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import (
    ROOT,
    Figure,
    app_launch_to_first_screen_ms,
    interleaved_runs,
    interleaved_until_precise,
    launch_to_shown_ms,
    ratio_interval,
    sessions_data_dir,
)

BARE_WINDOW = ROOT / "benchmarks" / "bare_bundle" / "hello.py"
FIRST_SCREEN_WIDGETS = ROOT / "benchmarks" / "bare_bundle" / "first_screen.py"
# startup_scale: rounds are added until the ratio is known to +-3 % (95 % bootstrap
# interval; a true 1.00 then cannot read 1.1) or the most rounds (about 80 s) are taken.
SCALE_MIN_ROUNDS = 31
SCALE_MAX_ROUNDS = 121
SCALE_HALF_WIDTH = 0.03


def _compile_app_bytecode() -> None:
    compileall.compile_dir(ROOT / "wizard_desktop", quiet=1)


def _app_launch(data_dir: Path) -> Callable[[], float]:
    argv = [sys.executable, "-m", "wizard_desktop", "--data-dir", str(data_dir)]
    return lambda: app_launch_to_first_screen_ms(argv)


def _anchor_launch(script: Path) -> Callable[[], float]:
    return lambda: launch_to_shown_ms([sys.executable, str(script)])


def startup(quick: bool) -> Figure:
    data_dir = sessions_data_dir(100_000)
    _compile_app_bytecode()
    bare, widgets, app = interleaved_runs(
        [_anchor_launch(BARE_WINDOW), _anchor_launch(FIRST_SCREEN_WIDGETS), _app_launch(data_dir)],
        rounds=5 if quick else 21,
    )
    return Figure(
        "startup",
        "ms",
        1.15,
        app,
        widgets,
        "launch -> first screen painted, source, 100,000 sessions;"
        " anchor: the same screen from plain widgets, no data (first_screen.py)",
        second_anchor=("bare window", bare),
    )


def startup_scale(quick: bool) -> Figure:
    small, large = sessions_data_dir(1_000), sessions_data_dir(1_000_000)
    _compile_app_bytecode()
    value, anchor = interleaved_until_precise(
        _app_launch(small),
        _app_launch(large),
        min_rounds=5 if quick else SCALE_MIN_ROUNDS,
        max_rounds=5 if quick else SCALE_MAX_ROUNDS,
        half_width=SCALE_HALF_WIDTH,
    )
    low, high = ratio_interval(value, anchor)
    return Figure(
        "startup_scale",
        "ms",
        1.1,
        value,
        anchor,
        "launch -> first screen painted with 1,000,000 sessions; anchor: the same with 1,000",
        notes=[f"95 % bootstrap interval of the ratio: {low:.2f}-{high:.2f}, {len(value)} rounds"],
    )
