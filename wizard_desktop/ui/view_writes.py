"""A view's write, as the sessions and templates views queue what a button asks for:
an operation on the window's runner whose refusal is told to the person (nothing was
stored); retries and bugs are the runner's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from wizard_desktop.operations import Call, Change, OperationRunner
from wizard_desktop.ui import dialogs


def queue_view_write(
    operations: OperationRunner,
    parent: QWidget,
    what: str,
    work: Callable[[], Any],
    *,
    refused_by: tuple[type[Exception], ...],
    changes: Callable[[Any], Change] = lambda _: Change(),
    done: Callable[[Any], None] | None = None,
    refused: Callable[[Exception], str] = str,
) -> None:
    """Queue `work` (described as `what`); an error of `refused_by` is shown as
    `refused(error)` over `parent`."""
    operations.run(
        Call(
            what,
            work,
            changes=changes,
            done=done,
            failed=lambda error: dialogs.show_error(parent, refused(error)),
            refused_by=refused_by,
        )
    )
