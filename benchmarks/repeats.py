"""`repeat_next`: one Next (`core.sessions.save_step`) on instance 500 of a repeated
3-field step, against the same Next on instance 1 of another session of the same
wizard, same file, interleaved. Both sessions' earlier instances are answered; the
answers change every round so every upsert updates. Goal: at most 1.2x (ODK Collect
slows at 40 repeats, collect #3379; SurveyJS takes seconds per panel past 10,
survey-library #1518).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.common import Figure, interleaved, percentile
from benchmarks.storage import timed

INSTANCES = 500
WIZARD = """\
format_version: 2
id: bench-repeat
title: Repeat bench
steps:
  - id: start
    title: Start
    fields:
      - {id: owner, type: text, label: Owner}
  - id: item
    title: Item
    fields:
      - {id: name, type: text, label: Name, required: true}
      - {id: amount, type: number, label: "Amount for {name}", max: 1000000}
      - {id: note, type: text, label: Note, visible_if: "{amount} > 100"}
  - id: end
    title: End
    fields:
      - {id: total, type: calculated, label: Total, calculate: "sum({items.amount})"}
repeats:
  - id: items
    steps: [item]
    max: 1000
    add_label: Add another item
    item_label: "Item {items.number}: {name}"
"""


def _answers(index: int, round_number: int) -> dict[str, object]:
    return {
        f"items[{index}].name": f"item {index} round {round_number}",
        f"items[{index}].amount": round_number % 1000,
        f"items[{index}].note": f"note {round_number}" if round_number % 1000 > 100 else None,
    }


def _session_at(wizard_id: str, instances: int) -> tuple[str, str]:
    """A session whose first `instances - 1` instances are saved, on the last one."""
    from wizard_desktop.core.repeats import add_instance
    from wizard_desktop.core.sessions import save_draft, save_step, start_session

    session_id = start_session(wizard_id).id
    save_step(session_id, "start", {"owner": "bench"})
    earlier: dict[str, object] = {}
    for index in range(instances - 1):
        earlier.update(_answers(index, index))
        add_instance(session_id, "items")
    save_draft(session_id, earlier)  # type: ignore[arg-type]
    return session_id, f"items[{instances - 1}].item"


def repeat_next(quick: bool) -> Figure:
    from wizard_desktop.core.sessions import save_step
    from wizard_desktop.core.wizards import import_wizard_file
    from wizard_desktop.store.database import close_database, open_database

    rounds = 60 if quick else 200
    with tempfile.TemporaryDirectory(prefix="bench-repeat-next-") as folder:
        data_dir = Path(folder)
        open_database(data_dir)
        wizard_file = data_dir / "repeat.yaml"
        wizard_file.write_text(WIZARD, encoding="utf-8")
        wizard_id = import_wizard_file(wizard_file).wizard_id
        deep_id, deep_step = _session_at(wizard_id, INSTANCES)
        first_id, first_step = _session_at(wizard_id, 1)
        counter = iter(range(10**9))

        def deep() -> float:
            answers = _answers(INSTANCES - 1, next(counter))
            return timed(lambda: save_step(deep_id, deep_step, answers))  # type: ignore[arg-type]

        def first() -> float:
            answers = _answers(0, next(counter))
            return timed(lambda: save_step(first_id, first_step, answers))  # type: ignore[arg-type]

        try:
            value, anchor = interleaved(first, deep, rounds, warmup=5)
        finally:
            close_database()
    return Figure(
        "repeat_next",
        "ms",
        1.2,
        value,
        anchor,
        f"core.sessions.save_step on instance {INSTANCES} of a repeated 3-field step"
        f" (earlier instances answered); anchor: the same on instance 1",
        extra={"value_p99": percentile(value, 0.99), "anchor_p99": percentile(anchor, 0.99)},
    )
