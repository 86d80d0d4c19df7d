"""The player's language switch (`languageSwitch`) for a wizard in several languages: a
combo box listing each language in its own language ("Deutsch", "Français"), and which
language the player starts in (the session's, else the person's locale when the wizard
has it, else the wizard's default). What switching changes is the player's concern
(`WizardPlayer.switch_language`); the codes and the matching are
`definition/languages.py`'s."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Signal
from PySide6.QtWidgets import QComboBox, QWidget

from wizard_desktop.definition.languages import best_language
from wizard_desktop.definition.model import WizardDefinition


def native_name(code: str) -> str:
    """The language `code` as its speakers write it ("Deutsch", "Schweizer
    Hochdeutsch"); the code itself for one Qt does not know."""
    locale = QLocale(code.replace("-", "_"))
    if locale.language() in (QLocale.Language.C, QLocale.Language.AnyLanguage):
        return code
    if "-" not in code:  # "en" is English, not the American English Qt assumes
        locale = QLocale(locale.language(), QLocale.Country.World)
    name = locale.nativeLanguageName() or code
    return name[:1].upper() + name[1:]


def start_language(definition: WizardDefinition, stored: str | None) -> str | None:
    """The language a player opens in: the session's own, else the first of the
    person's locale's languages the wizard has, else its default (None: one language)."""
    if not definition.languages:
        return None
    if stored in definition.languages:
        return stored
    locale = QLocale()
    preferences = [*locale.uiLanguages(), locale.name()]
    return best_language(definition.languages, preferences) or definition.default_language


class LanguageSwitch(QComboBox):
    """The wizard's languages by their own names; `languageChosen(code)` when the person
    picks another (by mouse or keyboard)."""

    languageChosen = Signal(str)

    def __init__(self, languages: tuple[str, ...], current: str | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("languageSwitch")
        self.setAccessibleName("Language")
        self.setToolTip("The language of this wizard's texts (your answers stay as they are)")
        for code in languages:
            self.addItem(native_name(code), code)
        self.setCurrentIndex(max(self.findData(current), 0))
        self.currentIndexChanged.connect(
            lambda index: self.languageChosen.emit(self.itemData(index))
        )
