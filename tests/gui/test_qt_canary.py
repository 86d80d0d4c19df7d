"""Canary for the PySide6 6.12.0 / CPython 3.11 bug that leaks references to None on
every binding call returning nothing, until the process dies in none_dealloc."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

CALLS = 5000


def test_binding_calls_returning_nothing_keep_none_refcount_steady(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    for i in range(100):  # warm up caches before measuring
        label.setText(str(i))
    before = sys.getrefcount(None)
    for i in range(CALLS):
        label.setText(str(i))
    drift = sys.getrefcount(None) - before
    assert abs(drift) < CALLS // 10, f"refcount of None drifted by {drift} over {CALLS} calls"
