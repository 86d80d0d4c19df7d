"""How figures and answers read (core/answer_text, which ui/formatting re-exports):
a session's two figures under one name each, read from what is stored, and answers
through the one formatter the CSV export and the report use too."""

from __future__ import annotations

from pathlib import Path

from tests.wizard_files import FOUR_STEPS, import_text
from wizard_desktop.core import answer_text, sessions
from wizard_desktop.definition.model import Field, FieldType


def test_a_sessions_figures_read_one_way_and_stay_after_completion(store: Path) -> None:
    info = sessions.start_session(import_text(store, FOUR_STEPS))
    sessions.add_active_seconds(info.id, 401.4)
    assert answer_text.session_times(sessions.get_session(info.id)) == "Time spent: 6 min 41 s"
    for step, answers in [("one", {"name": "Ada"}), ("two", {"size": "small"}), ("three", {})]:
        sessions.save_step(info.id, step, answers)
    done = sessions.complete_session(info.id, "four", {"agree": True})
    text = answer_text.session_times(done)
    assert text == (
        f"Time spent: 6 min 41 s · Elapsed: {answer_text.format_duration(done.total_time_seconds)}"
    )
    sessions.add_active_seconds(info.id, 16.0)  # the completion page stays open
    assert answer_text.session_times(sessions.get_session(info.id)) == text


def test_an_unanswered_field_reads_the_same_on_screen_and_in_csv() -> None:
    box = Field(id="bag", type=FieldType.BOOLEAN, label="A bag")
    assert answer_text.format_answer(box, None) == answer_text.NOT_SET == "—"
    assert [answer_text.format_answer(box, v) for v in (True, False)] == ["Yes", "No"]


def test_durations() -> None:
    assert [answer_text.format_duration(s) for s in (None, 0, 59.4, 61, 3725)] == [
        "—",
        "0 s",
        "59 s",
        "1 min 1 s",
        "1 h 2 min",
    ]
