"""Qt's fixtures (tests/qt_fixtures.py) for the tests in this folder."""

from tests.qt_fixtures import no_modal_dialogs, operations, window

__all__ = ["no_modal_dialogs", "operations", "window"]
