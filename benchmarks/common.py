"""What every benchmark figure shares: the `Figure` result (samples of the subject and
of its anchor, measured side by side), interleaved runs, launching a process until its
window is first painted, reading the RSS of this process, and the cache of generated
session databases under build/bench-cache/ (keyed by schema version and generator).

These machines are shared and noisy, so only ratios of samples taken in the same run,
interleaved anchor/subject/anchor/subject, mean anything.
"""

from __future__ import annotations

import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = ROOT / "build" / "bench-cache"
STARTUP_PROBE_ENV = "WIZARD_DESKTOP_STARTUP_PROBE"  # the same name as wizard_desktop.app
LAUNCH_TIMEOUT_S = 60


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

    @property
    def ratio(self) -> float:
        return statistics.median(self.value) / statistics.median(self.anchor)

    @property
    def passed(self) -> bool:
        return self.ratio <= self.goal

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


def interleaved(
    anchor: Callable[[], float], subject: Callable[[], float], rounds: int, warmup: int = 1
) -> tuple[list[float], list[float]]:
    """Run anchor, subject, anchor, subject… `rounds` times each after `warmup`
    unrecorded pairs; returns (subject samples, anchor samples)."""
    for _ in range(warmup):
        anchor()
        subject()
    subject_samples: list[float] = []
    anchor_samples: list[float] = []
    for _ in range(rounds):
        anchor_samples.append(anchor())
        subject_samples.append(subject())
    return subject_samples, anchor_samples


def launch_to_shown_ms(argv: Sequence[str], env: dict[str, str] | None = None) -> float:
    """Milliseconds from just before starting `argv` to its window's first paint, as
    printed by the startup probe ("shown <CLOCK_MONOTONIC seconds>", a clock shared by
    every process); the process quits by itself after printing it."""
    environment = {**os.environ, **(env or {}), STARTUP_PROBE_ENV: "1"}
    start = time.monotonic()
    process = subprocess.run(
        argv,
        env=environment,
        capture_output=True,
        text=True,
        timeout=LAUNCH_TIMEOUT_S,
        check=False,
    )
    for line in process.stdout.splitlines():
        if line.startswith("shown "):
            return (float(line.split()[1]) - start) * 1000
    raise RuntimeError(
        f"{' '.join(argv)} exited {process.returncode} without 'shown':\n"
        f"{process.stdout[-2000:]}{process.stderr[-2000:]}"
    )


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
