"""A dark palette like a desktop's dark theme, for the tests and screenshots that check
a view reads on dark colours as well as on Qt's default light ones."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

_DARK = {
    QPalette.ColorRole.Window: "#202124",
    QPalette.ColorRole.WindowText: "#e8eaed",
    QPalette.ColorRole.Base: "#2b2c30",
    QPalette.ColorRole.AlternateBase: "#33353a",
    QPalette.ColorRole.Text: "#e8eaed",
    QPalette.ColorRole.PlaceholderText: "#9aa0a6",
    QPalette.ColorRole.Button: "#35363a",
    QPalette.ColorRole.ButtonText: "#e8eaed",
    QPalette.ColorRole.Highlight: "#5b9cf5",
    QPalette.ColorRole.HighlightedText: "#10131a",
    QPalette.ColorRole.Light: "#505257",
    QPalette.ColorRole.Midlight: "#3f4146",
    QPalette.ColorRole.Mid: "#5f6368",
    QPalette.ColorRole.Dark: "#17181b",
    QPalette.ColorRole.Shadow: "#000000",
    QPalette.ColorRole.ToolTipBase: "#35363a",
    QPalette.ColorRole.ToolTipText: "#e8eaed",
}


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    disabled = QColor("#80868b")
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette
