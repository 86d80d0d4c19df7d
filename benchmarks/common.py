"""What every benchmark figure shares: the `Figure` result (samples of the subject and
of its anchor, measured side by side), interleaved runs, launching a process until its
window is first painted (the app: read from its log file; the anchors: printed),
reading the RSS of this process, and the cache of generated session databases under
build/bench-cache/ (keyed by schema version and generator).

These machines are shared and noisy, so only ratios of samples taken in the same run,
interleaved anchor/subject/anchor/subject, mean anything.
"""

from __future__ import annotations

import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = ROOT / "build" / "bench-cache"
LAUNCH_TIMEOUT_S = 60
# The app logs this at INFO (logger "wizard_desktop") when its first screen is painted;
# the time is time.monotonic(), CLOCK_MONOTONIC, a clock every process shares.
FIRST_SCREEN_LOGGED = re.compile(r"First screen painted at monotonic (\d+\.\d+)\n")
# The app's log file under XDG_STATE_HOME (platformdirs' user_log_dir on Linux, as
# wizard_desktop.app.configure_logging uses it).
APP_LOG_FILE = Path("wizard-desktop") / "log" / "wizard-desktop.log"
LOG_POLL_INTERVAL_S = 0.005


@dataclass
class Figure:
    """One line of the report: the subject's samples against its anchor's, and the goal
    for the ratio of their medians (value / anchor, lower is better)."""

    name: str
    unit: str
    goal: float
    value: list[float]
    anchor: list[float]
    what: str
    """What the value and the anchor are, for the details under the table."""
    notes: list[str] = field(default_factory=list)
    extra: dict[str, float] = field(default_factory=dict)
    """More figures about the value (e.g. p99), reported but not judged."""
    second_anchor: tuple[str, list[float]] | None = None
    """(name, samples) of another anchor measured in the same runs: value / its median
    is printed beside the judged ratio, not judged."""

    @property
    def ratio(self) -> float:
        return statistics.median(self.value) / statistics.median(self.anchor)

    @property
    def passed(self) -> bool:
        return self.ratio <= self.goal

    @property
    def second_ratio(self) -> float | None:
        if self.second_anchor is None:
            return None
        return statistics.median(self.value) / statistics.median(self.second_anchor[1])

    def to_json(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "value": spread(self.value),
            "anchor": spread(self.anchor),
            "ratio": round(self.ratio, 3),
            "goal": self.goal,
            "pass": self.passed,
            "what": self.what,
            "notes": self.notes,
            **{key: round(number, 3) for key, number in self.extra.items()},
            **self._second_anchor_json(),
        }

    def _second_anchor_json(self) -> dict[str, Any]:
        if self.second_anchor is None or self.second_ratio is None:
            return {}
        name, samples = self.second_anchor
        return {
            "second_anchor": {"name": name, **spread(samples)},
            "second_ratio": round(self.second_ratio, 3),
        }


def spread(samples: Sequence[float]) -> dict[str, float | int]:
    return {
        "min": round(min(samples), 3),
        "median": round(statistics.median(samples), 3),
        "max": round(max(samples), 3),
        "n": len(samples),
    }


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 = percentile(samples, 0.99))."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def interleaved_runs(
    launches: Sequence[Callable[[], float]], rounds: int, warmup: int = 1
) -> list[list[float]]:
    """Run each of `launches` in turn (A, B, C, A, B, C…) `rounds` times after `warmup`
    unrecorded turns; returns the samples of each, in the order given."""
    for _ in range(warmup):
        for launch in launches:
            launch()
    samples: list[list[float]] = [[] for _ in launches]
    for _ in range(rounds):
        for launch, taken in zip(launches, samples, strict=True):
            taken.append(launch())
    return samples


def interleaved(
    anchor: Callable[[], float], subject: Callable[[], float], rounds: int, warmup: int = 1
) -> tuple[list[float], list[float]]:
    """Run anchor, subject, anchor, subject… `rounds` times each after `warmup`
    unrecorded pairs; returns (subject samples, anchor samples)."""
    anchor_samples, subject_samples = interleaved_runs([anchor, subject], rounds, warmup)
    return subject_samples, anchor_samples


def ratio_interval(
    value: Sequence[float], anchor: Sequence[float], resamples: int = 400
) -> tuple[float, float]:
    """The 95 % bootstrap interval of median(value) / median(anchor) (fixed seed)."""
    rng = random.Random(0)
    ratios = sorted(
        statistics.median(rng.choices(value, k=len(value)))
        / statistics.median(rng.choices(anchor, k=len(anchor)))
        for _ in range(resamples)
    )
    return ratios[int(0.025 * resamples)], ratios[int(0.975 * resamples) - 1]


def interleaved_until_precise(
    anchor: Callable[[], float],
    subject: Callable[[], float],
    *,
    min_rounds: int,
    max_rounds: int,
    half_width: float,
    batch: int = 10,
) -> tuple[list[float], list[float]]:
    """`interleaved` for `min_rounds`, then `batch` rounds more at a time until the 95 %
    bootstrap interval of the ratio of medians is at most ±`half_width` wide, or
    `max_rounds` are taken: a noisy machine takes more rounds, a quiet one few."""
    value, anchor_samples = interleaved(anchor, subject, min_rounds)
    while len(value) < max_rounds:
        low, high = ratio_interval(value, anchor_samples)
        if (high - low) / 2 <= half_width:
            break
        rounds = min(batch, max_rounds - len(value))
        more_value, more_anchor = interleaved(anchor, subject, rounds, warmup=0)
        value += more_value
        anchor_samples += more_anchor
    return value, anchor_samples


def launch_to_shown_ms(argv: Sequence[str]) -> float:
    """Milliseconds from just before starting `argv` (an anchor of benchmarks/bare_bundle)
    to its window's first paint, as it prints it ("shown <CLOCK_MONOTONIC seconds>", a
    clock shared by every process) before quitting by itself."""
    start = time.monotonic()
    process = subprocess.run(
        argv, capture_output=True, text=True, timeout=LAUNCH_TIMEOUT_S, check=False
    )
    for line in process.stdout.splitlines():
        if line.startswith("shown "):
            return (float(line.split()[1]) - start) * 1000
    raise RuntimeError(
        f"{' '.join(argv)} exited {process.returncode} without 'shown':\n"
        f"{process.stdout[-2000:]}{process.stderr[-2000:]}"
    )


def app_launch_to_first_screen_ms(argv: Sequence[str]) -> float:
    """Milliseconds from just before starting the app (`argv`) to the paint of its first
    screen, as the app logs it: the app runs with a fresh XDG_STATE_HOME, its log file
    is polled for FIRST_SCREEN_LOGGED, then the app is terminated."""
    with tempfile.TemporaryDirectory(prefix="bench-state-") as state:
        log_file = Path(state) / APP_LOG_FILE
        with (Path(state) / "stderr.txt").open("w+", encoding="utf-8") as stderr:
            start = time.monotonic()
            process = subprocess.Popen(
                argv,
                env={**os.environ, "XDG_STATE_HOME": state},
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
            try:
                painted = _poll_first_screen(process, log_file, start + LAUNCH_TIMEOUT_S)
            finally:
                process.terminate()
                try:
                    process.wait(timeout=LAUNCH_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if painted is None:
                stderr.seek(0)
                logged = log_file.read_text(encoding="utf-8") if log_file.exists() else ""
                raise RuntimeError(
                    f"{' '.join(argv)} (exit status {process.returncode}) logged no first"
                    f" screen:\n{stderr.read()[-2000:]}{logged[-2000:]}"
                )
    return (painted - start) * 1000


def _poll_first_screen(
    process: subprocess.Popen[bytes], log_file: Path, deadline: float
) -> float | None:
    """The monotonic time the app logged for its first screen; None when it exited or
    the deadline passed first."""
    while True:
        exited = process.poll() is not None  # then the log is read once more, complete
        if log_file.exists():
            found = FIRST_SCREEN_LOGGED.search(log_file.read_text(encoding="utf-8"))
            if found:
                return float(found[1])
        if exited or time.monotonic() > deadline:
            return None
        time.sleep(LOG_POLL_INTERVAL_S)


def rss_mb() -> float:
    """This process's resident set size in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def run_python(args: Sequence[str], timeout_s: float = 600) -> str:
    """Run this Python on `args` from the repository root; returns its stdout."""
    process = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{process.stdout}{process.stderr}")
    return process.stdout


# --- Generated session databases, cached between runs.


def schema_version() -> int:
    """The newest migration's number (what a generated database was created with)."""
    from wizard_desktop.store.database import MIGRATIONS_DIR

    numbers = [int(p.name.split("_", 1)[0]) for p in MIGRATIONS_DIR.glob("[0-9]*_*.py")]
    return max(numbers, default=0)


def sessions_data_dir(count: int) -> Path:
    """A data folder whose database holds the bundled wizards and `count` generated
    sessions. Generated once per schema version and generator version (one transaction
    of executemany, in a child process so this one binds no database), then reused."""
    from benchmarks.table_first_screen import GENERATOR_VERSION

    folder = CACHE_DIR / f"sessions-{count}-schema{schema_version()}-gen{GENERATOR_VERSION}"
    done = folder / ".complete"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    run_python(["-m", "benchmarks.table_first_screen", "--generate", str(folder), str(count)])
    done.touch()
    print(
        f"# generated {count:,} sessions in {time.perf_counter() - start:.1f} s -> {folder}",
        file=sys.stderr,
    )
    return folder


# --- Synthetic wizards: N steps of M fields, every field answered by its default.

FIELD_CYCLE = ("text", "number", "choice", "boolean", "date", "text", "multi_choice")


def synthetic_field(field_id: str, kind: str) -> dict[str, Any]:
    options = [{"value": v, "label": v.title()} for v in ("alpha", "beta", "gamma")]
    base: dict[str, Any] = {"id": field_id, "type": kind, "label": f"Field {field_id}"}
    defaults: dict[str, dict[str, Any]] = {
        "text": {"default": f"default {field_id}", "max_length": 200},
        "number": {"default": 42, "min": 0, "max": 1000},
        "choice": {"default": "beta", "options": options},
        "boolean": {"default": True},
        "date": {"default": "2024-05-06"},
        "multi_choice": {"default": ["alpha", "gamma"], "options": options},
    }
    return {**base, **defaults[kind], "required": kind != "boolean"}


def synthetic_wizard(wizard_id: str, step_count: int, fields_per_step: int) -> dict[str, Any]:
    """A wizard file (format v1, as a dict) whose every field has a valid default, so
    each page can be left with Next at once."""
    return {
        "format_version": 1,
        "id": wizard_id,
        "title": f"Benchmark {step_count}x{fields_per_step}",
        "steps": [
            {
                "id": f"s{step}",
                "title": f"Step {step}",
                "fields": [
                    synthetic_field(f"s{step}f{n}", FIELD_CYCLE[n % len(FIELD_CYCLE)])
                    for n in range(fields_per_step)
                ],
            }
            for step in range(1, step_count + 1)
        ],
    }


def import_synthetic_wizard(wizard_id: str, step_count: int, fields_per_step: int) -> str:
    """Store the synthetic wizard in the bound database; returns its id."""
    from wizard_desktop.core.wizards import import_definition
    from wizard_desktop.definition.loader import definition_from_dict

    data = synthetic_wizard(wizard_id, step_count, fields_per_step)
    return import_definition(definition_from_dict(data, source=wizard_id)).wizard_id


def qt_application() -> Any:
    """The process's QApplication (created on first use; the in-process Qt figures share
    it). Qt's offscreen plugin warns on every shown window; that one message is dropped."""
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    def handler(_kind: object, _context: object, message: str) -> None:
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    existing = QApplication.instance()
    if existing is not None:
        return existing
    qInstallMessageHandler(handler)
    return QApplication(sys.argv[:1])
