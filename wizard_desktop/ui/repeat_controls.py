"""The player's controls for a repeat (format 2, docs/repeats.md), under the side
panel's list of steps: on a step of an "Add another" repeat's instance, "Add another …"
(the file's `add_label`; off at `max`; it saves the step first, as Next does) and
"Remove …" (naming the instance; off at `min`, confirmed through
`dialogs.confirm_remove_instance`), and after a removal "Undo"
until the person leaves the step. The writes go through the controller
(`change_instances`, `core.repeats`); once one is stored the player is opened again on
the session (`reopen`), at the step the core chose.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QPushButton, QStyle, QStyleOptionButton, QVBoxLayout, QWidget

from wizard_desktop.controller import SessionController
from wizard_desktop.core import repeats as core_repeats
from wizard_desktop.core.answer_text import format_answer
from wizard_desktop.definition.model import AnswerValue, Field, Repeat, WizardDefinition
from wizard_desktop.definition.repeats import counts_of, instance_path, split_path
from wizard_desktop.ui import dialogs
from wizard_desktop.ui.markdown import plain_tooltip

ADD_NEEDS_THE_STEP = (
    "Answer this step first: Add another saves it, as Next does, before the next one."
)


class ElidedButton(QPushButton):
    """A button in the narrow side panel whose text, an instance's title from the file,
    may be longer than it is wide: cut with "…" at its end (centred, a long text lost
    both its ends), the whole text in its tool tip and accessible name."""

    def __init__(self, object_name: str) -> None:
        super().__init__(objectName=object_name)
        self.full_text = ""

    def show_text(self, text: str) -> None:
        self.full_text = text
        self.setToolTip(plain_tooltip(text))
        self.setAccessibleName(text)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        option = QStyleOptionButton()
        self.initStyleOption(option)
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_ButtonMargin, option, self)
        room = self.contentsRect().width() - 2 * margin
        shown = self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, room)
        if self.text() != shown.replace("&", "&&"):
            self.setText(shown.replace("&", "&&"))  # a literal "&" in a button


class RepeatControls(QWidget):
    """Add another / Remove / Undo for the instance of the step on screen."""

    reopen = Signal(str, object)  # session id, the RemovedInstance Undo may restore (or None)

    def __init__(
        self,
        session_id: str,
        repeats: tuple[Repeat, ...],
        definition: WizardDefinition,
        controller: SessionController,
        answers: Callable[[], Mapping[str, AnswerValue]],
        label: Callable[[Field], str],
        save_step: Callable[[], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, objectName="repeatControls")
        self.session_id = session_id
        self.repeats = {r.id: r for r in repeats if r.count is None}
        self.definition = definition
        self.counts = counts_of(definition)
        self.controller = controller
        self.answers = answers  # the answers on screen, for the removal's question
        self.label = label  # a field's label as shown
        self.save_step = save_step  # the step on screen saved as Next saves it
        self.step_id: str | None = None
        self.instance_title = ""
        self.removed: core_repeats.RemovedInstance | None = None
        self.add_button = ElidedButton("addInstanceButton")
        self.add_button.clicked.connect(self.add_another)
        self.remove_button = ElidedButton("removeInstanceButton")
        self.remove_button.clicked.connect(self.remove_current)
        self.undo_button = QPushButton(objectName="undoRemoveButton")
        self.undo_button.clicked.connect(self.undo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for button in (self.add_button, self.remove_button, self.undo_button):
            layout.addWidget(button)
            button.hide()
        self.setVisible(bool(self.repeats))

    def _instance(self) -> tuple[Repeat, int] | None:
        split = split_path(self.step_id or "")
        if split is None or split[0] not in self.repeats:
            return None
        return self.repeats[split[0]], split[1]

    def show_language(self, repeats: tuple[Repeat, ...], definition: WizardDefinition) -> None:
        """The repeats' texts (add label) and the definition in another language; the
        step's controls are shown again by `show_for`."""
        self.repeats = {r.id: r for r in repeats if r.count is None}
        self.definition = definition

    def show_for(self, step_id: str | None, titles: Mapping[str, str]) -> None:
        """The controls for the step on screen (`titles`: step titles as shown). Leaving
        the step of a removal ends its Undo."""
        if step_id != self.step_id and self.step_id is not None:
            self.removed = None
        self.step_id = step_id
        found = self._instance()
        self.undo_button.setVisible(self.removed is not None)
        if found is None:
            self.add_button.hide()
            self.remove_button.hide()
            return
        repeat, index = found
        count = self.counts.get(repeat.id, 0)
        first = instance_path(repeat.id, index, repeat.steps[0])
        self.instance_title = titles.get(first, f"{repeat.id} {index + 1}")
        self.add_button.show_text(repeat.add_label or "Add another")
        self.add_button.setEnabled(count < repeat.max)
        self.add_button.show()
        self.remove_button.show_text(f"Remove “{self.instance_title}”…")
        self.remove_button.setEnabled(count > repeat.min)
        self.remove_button.show()

    def _run(self, what: str, work: Callable[[], object]) -> None:
        def done(result: object) -> None:
            self.reopen.emit(
                self.session_id,
                result if isinstance(result, core_repeats.RemovedInstance) else None,
            )

        self.controller.change_instances(
            what, work, done, lambda error: dialogs.show_error(self, str(error))
        )
        for button in (self.add_button, self.remove_button, self.undo_button):
            button.setEnabled(False)  # until the player opens again

    def add_another(self) -> None:
        found = self._instance()
        if found is None:
            return
        repeat = found[0]
        if not self.save_step():
            dialogs.show_info(self, ADD_NEEDS_THE_STEP)
            return
        self._run(
            f"another instance of “{repeat.id}”",
            lambda: core_repeats.add_instance(self.session_id, repeat.id),
        )

    def remove_current(self) -> None:
        """Ask, naming the instance and its answers, then remove it."""
        found = self._instance()
        if found is None or self.step_id is None:
            return
        repeat, index = found
        lines = [
            f"{self.label(field)}: {format_answer(field, value)}"
            for step_id in repeat.steps
            if (step := self.definition.step(instance_path(repeat.id, index, step_id)))
            for field in step.fields
            if (value := self.answers().get(field.id)) is not None
        ]
        if not dialogs.confirm_remove_instance(self, self.instance_title, lines):
            return
        step_id = self.step_id
        self._run(
            f"the removal of “{self.instance_title}”",
            lambda: core_repeats.remove_instance(self.session_id, repeat.id, index, step_id),
        )

    def undo(self) -> None:
        removed, step_id = self.removed, self.step_id
        if removed is None or step_id is None:
            return
        self.removed = None
        self._run(
            "putting the instance back",
            lambda: core_repeats.restore_instance(self.session_id, removed, step_id),
        )

    def offer_undo(self, removed: core_repeats.RemovedInstance) -> None:
        """After a removal (the player opened again): Undo until the step is left."""
        self.removed = removed
        self.undo_button.setText("Undo the removal")
        self.undo_button.setAccessibleName("Undo the removal")
        self.undo_button.setEnabled(True)
        self.undo_button.show()
