"""Run the benchmark figures, each side by side with its anchor, and report them.

    make bench       # QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/run.py
    .venv/bin/python benchmarks/run.py --quick
    .venv/bin/python benchmarks/run.py --only step_save,next_click --no-build

Prints one line per figure, `name  value  anchor  ratio  goal  PASS|FAIL` (value and
anchor are medians in the unit the header names; ratio = value / anchor; the start-up
figures add, beside, their ratio to a bare window), then the min/median/max of each,
and writes benchmarks/results.json. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import bundle, export, expressions, player, report, startup, storage, surveys
from benchmarks import importers as form_importers
from benchmarks import repeats as repeat_bench
from benchmarks import stats as wizard_stats
from benchmarks import table_first_screen as tables
from benchmarks.attachments import attachment_save
from benchmarks.common import ROOT, Figure

RESULTS = ROOT / "benchmarks" / "results.json"

# In the order they run: the Qt-in-process ones share one QApplication.
FIGURES: dict[str, Callable[[argparse.Namespace], Figure]] = {
    "startup": lambda a: startup.startup(a.quick),
    "startup_scale": lambda a: startup.startup_scale(a.quick),
    "step_save": lambda a: storage.step_save(a.quick),
    "next_click": lambda a: player.next_click(a.quick),
    "deep_wizard": lambda a: player.deep_wizard(a.quick),
    "keystroke_repaint": lambda a: player.keystroke_repaint(
        expressions.generated_wizard(), a.quick
    ),
    "table_first_screen": lambda a: tables.table_first_screen(a.quick),
    "table_sort_filter": lambda a: tables.table_sort_filter(a.quick),
    "table_scroll_memory": lambda a: tables.table_scroll_memory(a.quick),
    "wizard_stats": lambda a: wizard_stats.wizard_stats(a.quick),
    "report_pdf": lambda a: report.report_pdf(a.quick),
    "export_csv": lambda a: export.export_figure("csv", a.quick),
    "export_xlsx": lambda a: export.export_figure("xlsx", a.quick),
    "expression_recompute": lambda a: expressions.expression_recompute(a.quick),
    "repeat_next": lambda a: repeat_bench.repeat_next(a.quick),
    "attachment_save": lambda a: attachment_save(a.quick),
    "import_xlsform": lambda a: form_importers.import_xlsform(a.quick),
    "big_survey_next": lambda a: surveys.big_survey_next(a.quick),
    "bundle_size": lambda a: bundle.bundle_size(a.quick, build=not a.no_build),
    "bundle_startup": lambda a: bundle.bundle_startup(a.quick, build=not a.no_build),
}
COLUMNS = "{:<20} {:>10} {:>10} {:>7} {:>8}  {}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", type=lambda text: text.split(","), help="comma-separated figure names"
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds (about 3 minutes)")
    parser.add_argument("--no-build", action="store_true", help="never build missing bundles")
    parser.add_argument("--output", type=Path, default=RESULTS, help="the JSON results file")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.only or ()) - set(FIGURES))
    if unknown:
        parser.error(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(FIGURES)}")
    return args


def print_header(quick: bool) -> None:
    units = "ms, except table_scroll_memory (MB of RSS) and bundle_size (MB on disk)"
    print(f"# Wizard Desktop benchmarks, {dt.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}")
    print(
        f"# value, anchor: medians ({'--quick, ' if quick else ''}interleaved runs) in {units};"
        " ratio = value / anchor; goal = highest ratio that passes"
    )
    print(COLUMNS.format("name", "value", "anchor", "ratio", "goal", "PASS|FAIL"), flush=True)


def print_line(figure: Figure) -> None:
    print(
        COLUMNS.format(
            figure.name,
            f"{statistics.median(figure.value):.2f}",
            f"{statistics.median(figure.anchor):.2f}",
            f"{figure.ratio:.2f}",
            f"<={figure.goal:g}",
            "PASS" if figure.passed else "FAIL",
        )
        + beside(figure),
        flush=True,
    )


def beside(figure: Figure) -> str:
    """The second anchor's figure, printed after PASS|FAIL and not judged."""
    if figure.second_anchor is None or figure.second_ratio is None:
        return ""
    name, samples = figure.second_anchor
    return f"   ({figure.second_ratio:.2f}x the {name}, {statistics.median(samples):.2f})"


def print_details(figures: list[Figure]) -> None:
    print("\n# min / median / max of each figure (value | anchor)")
    for f in figures:

        def triple(samples: list[float]) -> str:
            return f"{min(samples):.2f} / {statistics.median(samples):.2f} / {max(samples):.2f}"

        print(f"{f.name:<20} {triple(f.value)} | {triple(f.anchor)} {f.unit}  (n={len(f.value)})")
        if f.second_anchor is not None:
            print(f"{'':<20} {f.second_anchor[0]}: {triple(f.second_anchor[1])} {f.unit}")
        print(f"{'':<20} {f.what}")
        for key, number in f.extra.items():
            print(f"{'':<20} {key} = {number:.2f} {f.unit}")
        for note in f.notes:
            print(f"{'':<20} note: {note}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = [name for name in FIGURES if args.only is None or name in args.only]
    print_header(args.quick)
    figures: list[Figure] = []
    errors: dict[str, str] = {}
    started = time.perf_counter()
    for name in names:
        try:
            figure = FIGURES[name](args)
        except Exception as exc:  # one broken figure must not hide the others
            traceback.print_exc()
            errors[name] = f"{type(exc).__name__}: {exc}"
            print(COLUMNS.format(name, "-", "-", "-", "-", f"ERROR {errors[name]}"), flush=True)
            continue
        figures.append(figure)
        print_line(figure)
    print_details(figures)
    elapsed = time.perf_counter() - started
    print(f"\n# {len(figures)} figures in {elapsed:.0f} s; results in {args.output}")
    results = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "host": platform.node(),
        "python": platform.python_version(),
        "qt_platform": os.environ.get("QT_QPA_PLATFORM"),
        "quick": args.quick,
        "seconds": round(elapsed, 1),
        "figures": {f.name: f.to_json() for f in figures},
        "errors": errors,
    }
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
