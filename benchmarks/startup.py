"""Start-up from source: process start until the main window is first painted.

- `startup`: the app (`python -m wizard_desktop --data-dir D`, D holding 100,000
  sessions) against a bare PySide6 QMainWindow process (benchmarks/bare_bundle/hello.py),
  the same interpreter, the same platform plugin. Noted beside it: the same first
  screen built from plain widgets with no data (bare_bundle/first_screen.py) against
  the bare window, i.e. Qt's own share of the ratio.
- `startup_scale`: the app on 1,000,000 sessions against the app on 1,000 sessions;
  start-up must not grow with the data.

Both use the startup probe (WIZARD_DESKTOP_STARTUP_PROBE): each process prints the
CLOCK_MONOTONIC time of its first paint and quits. The app's bytecode is compiled
first, as an install compiles it: a checkout run with PYTHONDONTWRITEBYTECODE (as on
these machines) would otherwise compile every module of ours at every launch.
"""

from __future__ import annotations

import compileall
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import ROOT, Figure, interleaved, launch_to_shown_ms, sessions_data_dir

BARE_WINDOW = ROOT / "benchmarks" / "bare_bundle" / "hello.py"
FIRST_SCREEN_WIDGETS = ROOT / "benchmarks" / "bare_bundle" / "first_screen.py"


def _compile_app_bytecode() -> None:
    compileall.compile_dir(ROOT / "wizard_desktop", quiet=1)


def _app_launch(data_dir: Path) -> Callable[[], float]:
    return lambda: launch_to_shown_ms(
        [sys.executable, "-m", "wizard_desktop", "--data-dir", str(data_dir)]
    )


def _bare_launch() -> float:
    return launch_to_shown_ms([sys.executable, str(BARE_WINDOW)])


def _first_screen_widgets_launch() -> float:
    return launch_to_shown_ms([sys.executable, str(FIRST_SCREEN_WIDGETS)])


def startup(quick: bool) -> Figure:
    data_dir = sessions_data_dir(100_000)
    _compile_app_bytecode()
    rounds = 3 if quick else 9
    value, anchor = interleaved(_bare_launch, _app_launch(data_dir), rounds=rounds)
    widgets, widgets_anchor = interleaved(_bare_launch, _first_screen_widgets_launch, rounds)
    widgets_ratio = statistics.median(widgets) / statistics.median(widgets_anchor)
    return Figure(
        "startup",
        "ms",
        1.3,
        value,
        anchor,
        "launch -> main window painted, source, 100,000 sessions; anchor: bare QMainWindow",
        notes=[
            f"the same first screen from plain widgets, no data: {widgets_ratio:.2f}x"
            " the bare window (Qt's own share of the ratio)"
        ],
    )


def startup_scale(quick: bool) -> Figure:
    small, large = sessions_data_dir(1_000), sessions_data_dir(1_000_000)
    _compile_app_bytecode()
    value, anchor = interleaved(_app_launch(small), _app_launch(large), rounds=3 if quick else 9)
    return Figure(
        "startup_scale",
        "ms",
        1.1,
        value,
        anchor,
        "launch -> main window painted with 1,000,000 sessions; anchor: the same with 1,000",
    )
