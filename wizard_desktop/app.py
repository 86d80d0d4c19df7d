"""The entry point: `main(argv)` (what `wizard-desktop` and `python -m wizard_desktop`
run) parses the command line and dispatches: a headless command (cli.py), the
self-test (selftest.py) or the GUI (gui.py). No Qt is loaded until the GUI or the
self-test starts, so headless commands stay fast.

`create_main_window(data_dir)` (a public contract) builds the main window on an
existing QApplication; it lives in gui.py and is importable from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from wizard_desktop.cli import build_parser, run_command
from wizard_desktop.paths import data_dir

if TYPE_CHECKING:
    from wizard_desktop.ui.main_window import MainWindow


def create_main_window(folder: Path) -> MainWindow:
    """Open (and migrate) the database in `folder`, import the bundled wizards and
    build the main window. Needs a QApplication; raises StorageError or OSError."""
    from wizard_desktop import gui

    return gui.create_main_window(folder)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test:
        from wizard_desktop.selftest import run_self_test

        return run_self_test()
    if args.command is not None:
        return run_command(args)
    from wizard_desktop.gui import run_gui

    return run_gui(data_dir(args.data_dir))
