"""The session rules on real SQLite files: progress, completion, resume, versions,
templates and export."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import logging
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.wizard_files import FOUR_STEPS, SKIPPING, THREE_STEPS, import_text
from wizard_desktop.core import sessions, templates
from wizard_desktop.core.export import export_session
from wizard_desktop.core.wizards import list_wizards
from wizard_desktop.definition import logic
from wizard_desktop.store.database import close_database, db
from wizard_desktop.store.models import Answer, Session, Wizard

FOUR_ANSWERS = [
    ("one", {"name": "Ada"}),
    ("two", {"size": "large"}),
    ("three", {"count": 3}),
    ("four", {"agree": True}),
]


def completed_count(wizard_id: str) -> int:
    return Wizard.get_by_id(wizard_id).completed_count


def completed_sessions(wizard_id: str) -> int:
    return (
        Session.select()
        .where((Session.wizard == wizard_id) & (Session.status == "completed"))
        .count()
    )


def run_to_last_step(session_id: str) -> None:
    for step_id, answers in FOUR_ANSWERS[:-1]:
        sessions.save_step(session_id, step_id, answers)


def test_start_session_is_in_progress_at_first_step_with_default_name(store: Path) -> None:
    wizard_id = import_text(store, FOUR_STEPS)
    info = sessions.start_session(wizard_id)
    assert info.status == "in_progress"
    assert info.progress_percentage == 0
    assert info.current_step_id == "one"
    assert info.name.startswith("Four Steps — ")
    assert info.started_at.tzinfo is not None
    assert info.completed_at is None


def test_progress_of_four_steps_is_25_50_75_then_100_on_completion(store: Path) -> None:
    info = sessions.start_session(import_text(store, FOUR_STEPS))
    seen = [
        sessions.save_step(info.id, step, answers).progress_percentage
        for step, answers in FOUR_ANSWERS[:-1]
    ]
    assert seen == [25, 50, 75]
    assert sessions.get_session(info.id).current_step_id == "four"
    done = sessions.complete_session(info.id, "four", {"agree": True})
    assert (done.status, done.progress_percentage) == ("completed", 100)
    assert done.completed_at is not None
    assert done.total_time_seconds == pytest.approx(
        (done.completed_at - done.started_at).total_seconds(), abs=0.01
    )


def test_a_completed_sessions_times_never_change_after_viewing_or_reviewing(
    store: Path,
) -> None:
    """Time spent counts only while in progress; elapsed is fixed at completion. Viewing
    the completed session (the player flushes its active time as it would while the
    person reads the summary or reviews) and refused edits change neither figure."""
    info = sessions.start_session(import_text(store, FOUR_STEPS))
    sessions.add_active_seconds(info.id, 12.5)
    run_to_last_step(info.id)
    sessions.add_active_seconds(info.id, 3.25)
    done = sessions.complete_session(info.id, "four", {"agree": True})
    assert done.active_seconds == 15.75
    assert done.total_time_seconds is not None and done.completed_at is not None
    assert done.total_time_seconds == round(
        (done.completed_at - done.started_at).total_seconds(), 3
    )
    before = sessions.get_session(info.id)

    sessions.load_session(info.id)  # viewing / reviewing
    sessions.add_active_seconds(info.id, 16.0)  # the player open on it for 16 s
    with pytest.raises(sessions.SessionCompletedError):
        sessions.save_draft(info.id, {"count": 4}, "three")  # resuming is refused
    with pytest.raises(sessions.SessionCompletedError):
        sessions.complete_session(info.id, "four", {"agree": True})

    after = sessions.get_session(info.id)
    assert after == before
    assert (after.active_seconds, after.total_time_seconds) == (15.75, done.total_time_seconds)
    assert after.to_json()["active_seconds"] == 15.75


def test_progress_of_three_steps_has_two_decimals(store: Path) -> None:
    info = sessions.start_session(import_text(store, THREE_STEPS))
    assert sessions.save_step(info.id, "a", {"a1": "x"}).progress_percentage == 33.33
    assert sessions.save_step(info.id, "b", {}).progress_percentage == 66.67
    assert sessions.complete_session(info.id, "c", {}).progress_percentage == 100


def test_saving_an_earlier_step_again_never_lowers_progress(store: Path) -> None:
    info = sessions.start_session(import_text(store, FOUR_STEPS))
    run_to_last_step(info.id)
    saved = sessions.save_step(info.id, "one", {"name": "Grace"})
    assert saved.progress_percentage == 75
    assert saved.current_step_id == "two"
    assert sessions.load_session(info.id).answers["name"] == "Grace"


def test_skip_logic_changes_the_path_and_the_progress(store: Path) -> None:
    info = sessions.start_session(import_text(store, SKIPPING))
    simple = sessions.save_step(info.id, "start", {"kind": "simple"})
    assert (simple.progress_percentage, simple.current_step_id) == (50, "end")
    assert simple.path_step_ids == ("start", "end")
    complex_ = sessions.save_step(info.id, "start", {"kind": "complex"})
    assert complex_.path_changed
    assert (complex_.progress_percentage, complex_.current_step_id) == (33.33, "extra")
    assert sessions.save_step(info.id, "extra", {"detail": "more"}).progress_percentage == 66.67


def test_invalid_answers_are_refused_and_change_nothing(store: Path) -> None:
    info = sessions.start_session(import_text(store, FOUR_STEPS))
    with pytest.raises(sessions.InvalidAnswersError) as error:
        sessions.save_step(info.id, "one", {"name": "A"})
    assert "name" in error.value.problems
    with pytest.raises(sessions.InvalidAnswersError):
        sessions.save_step(info.id, "one", {"size": "large"})  # a field of another step
    with pytest.raises(sessions.InvalidAnswersError):
        sessions.save_step(info.id, "two", {"size": "medium"})  # not an option
    state = sessions.load_session(info.id)
    assert state.answers == {}
    assert state.info.progress_percentage == 0


def test_draft_keeps_answers_without_completing_the_step(store: Path) -> None:
    info = sessions.start_session(import_text(store, FOUR_STEPS))
    sessions.save_draft(info.id, {"name": "A"})  # too short for Next, fine as a draft
    state = sessions.load_session(info.id)
    assert state.answers == {"name": "A"}
    assert state.info.progress_percentage == 0
    assert state.info.completed_step_ids == ()


def test_completion_is_guarded_and_the_count_stays_exact(store: Path) -> None:
    wizard_id = import_text(store, FOUR_STEPS)
    info = sessions.start_session(wizard_id)
    run_to_last_step(info.id)
    sessions.complete_session(info.id, "four", {"agree": True})
    with pytest.raises(sessions.SessionCompletedError):
        sessions.complete_session(info.id, "four", {"agree": True})
    with pytest.raises(sessions.SessionCompletedError):
        sessions.save_step(info.id, "one", {"name": "Changed"})
    assert completed_count(wizard_id) == 1 == completed_sessions(wizard_id)
    assert sessions.load_session(info.id).answers["name"] == "Ada"


def test_completing_before_every_step_is_done_is_refused(store: Path) -> None:
    info = sessions.start_session(import_text(store, FOUR_STEPS))
    sessions.save_step(info.id, "one", {"name": "Ada"})
    with pytest.raises(sessions.InvalidAnswersError) as error:
        sessions.complete_session(info.id, "four", {"agree": True})
    assert set(error.value.problems) == {"two", "three"}
    assert sessions.get_session(info.id).status == "in_progress"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(["start", "finish", "retry", "delete"]), max_size=12))
def test_completed_count_always_equals_completed_sessions(
    store: Path, operations: list[str]
) -> None:
    wizard_id = "four-steps"
    if Wizard.get_or_none(Wizard.id == wizard_id) is None:
        import_text(store, FOUR_STEPS)
    started: list[str] = []
    for operation in operations:
        if operation == "start" or not started:
            started.append(sessions.start_session(wizard_id).id)
        elif operation in ("finish", "retry"):
            target = started[-1] if operation == "retry" else started[0]
            if sessions.get_session(target).status == "in_progress":
                run_to_last_step(target)
            with contextlib.suppress(sessions.SessionCompletedError):
                sessions.complete_session(target, "four", {"agree": True})
        else:
            sessions.delete_session(started.pop())
        assert completed_count(wizard_id) == completed_sessions(wizard_id)


def test_resume_gives_current_step_and_every_answer(store: Path) -> None:
    info = sessions.start_session(import_text(store, FOUR_STEPS))
    sessions.save_step(info.id, "one", {"name": "Ada"})
    sessions.save_draft(info.id, {"size": "small"}, current_step_id="two")
    state = sessions.load_session(info.id)
    assert state.info.current_step_id == "two"
    assert state.info.completed_step_ids == ("one",)
    assert state.answers == {"name": "Ada", "size": "small"}


def test_sessions_keep_the_version_they_started_on(store: Path) -> None:
    wizard_id = import_text(store, FOUR_STEPS)
    old = sessions.start_session(wizard_id)
    edited = FOUR_STEPS.replace("title: Four\n", "title: Four (renamed)\n").replace(
        "[small, large]", "[small, medium, large]"
    )
    import_text(store, edited)
    new = sessions.start_session(wizard_id)
    assert new.version_id != old.version_id
    assert sessions.load_session(old.id).definition.step("four").title == "Four"
    assert sessions.load_session(new.id).definition.step("four").title == "Four (renamed)"
    sessions.save_step(old.id, "one", {"name": "Ada"})
    with pytest.raises(sessions.InvalidAnswersError):
        sessions.save_step(old.id, "two", {"size": "medium"})  # an option of the new version only
    summary = next(w for w in list_wizards() if w.id == wizard_id)
    assert (summary.version, summary.step_count) == (2, 4)


def test_reimporting_the_same_content_changes_nothing(store: Path) -> None:
    first = import_text(store, FOUR_STEPS)
    second = import_text(store, "# same wizard, other layout\n" + FOUR_STEPS, name="copy.yaml")
    assert first == second
    assert next(w for w in list_wizards() if w.id == first).version == 1


def test_rename_and_delete(store: Path) -> None:
    info = sessions.start_session(import_text(store, FOUR_STEPS))
    sessions.save_step(info.id, "one", {"name": "Ada"})
    assert sessions.rename_session(info.id, "  Ada's laptop ").name == "Ada's laptop"
    with pytest.raises(ValueError):
        sessions.rename_session(info.id, "   ")
    sessions.delete_session(info.id)
    with pytest.raises(sessions.SessionNotFoundError):
        sessions.load_session(info.id)
    assert sessions.list_sessions() == []


def test_template_keeps_answers_of_the_path_and_prefills_a_new_session(store: Path) -> None:
    wizard_id = import_text(store, SKIPPING)
    info = sessions.start_session(wizard_id)
    sessions.save_step(info.id, "start", {"kind": "complex"})
    sessions.save_step(info.id, "extra", {"detail": "more"})
    sessions.save_step(info.id, "start", {"kind": "simple"})  # "extra" leaves the path
    sessions.complete_session(info.id, "end", {"note": "done"})
    with pytest.raises(ValueError):
        templates.save_as_template(sessions.start_session(wizard_id).id, "not completed")
    template = templates.save_as_template(info.id, "Simple setup")
    assert template.answers == {"kind": "simple", "note": "done"}
    started = templates.start_from_template(template.id)
    assert started.dropped_field_ids == ()
    state = sessions.load_session(started.session.id)
    assert state.answers == {"kind": "simple", "note": "done"}
    assert state.info.template_id == template.id
    assert state.info.progress_percentage == 0


def test_template_answers_for_removed_fields_are_dropped_and_reported(store: Path) -> None:
    wizard_id = import_text(store, SKIPPING)
    info = sessions.start_session(wizard_id)
    sessions.save_step(info.id, "start", {"kind": "simple"})
    sessions.complete_session(info.id, "end", {"note": "done"})
    template = templates.save_as_template(info.id, "T")
    import_text(
        store,
        SKIPPING.replace(
            "{id: note, type: multiline, label: Note}", "{id: remark, type: text, label: Remark}"
        ),
    )
    started = templates.start_from_template(template.id)
    assert started.dropped_field_ids == ("note",)
    assert sessions.load_session(started.session.id).answers == {"kind": "simple"}


def test_template_file_round_trip_and_refusals(store: Path, tmp_path: Path) -> None:
    wizard_id = import_text(store, SKIPPING)
    info = sessions.start_session(wizard_id)
    sessions.save_step(info.id, "start", {"kind": "simple"})
    sessions.complete_session(info.id, "end", {})
    template = templates.save_as_template(info.id, "Shared")
    exported = tmp_path / "shared.json"
    templates.export_template(template.id, exported)
    again = templates.import_template(exported)  # the same template is already there
    assert (again.already_there, again.template.id) == (True, template.id)
    templates.delete_template(template.id)
    imported = templates.import_template(exported).template
    assert (imported.name, imported.wizard_id, imported.answers) == (
        "Shared",
        wizard_id,
        {"kind": "simple"},
    )
    document = json.loads(exported.read_text())
    document["wizard_id"] = "not-installed"
    exported.write_text(json.dumps(document))
    with pytest.raises(templates.TemplateFileError, match="not installed"):
        templates.import_template(exported)
    exported.write_text("{not json")
    with pytest.raises(templates.TemplateFileError):
        templates.import_template(exported)
    assert len(templates.list_templates()) == 1


DEFAULTS = """\
format_version: 1
id: defaults
title: Defaults
steps:
  - id: one
    title: One
    fields:
      - {id: name, type: text, label: Name, required: true}
      - {id: bio, type: multiline, label: Bio, default: I like forms.}
  - id: two
    title: Two
    fields:
      - {id: size, type: number, label: Size, required: true, default: 8}
      - {id: tags, type: multi_choice, label: Tags, options: [a, b], default: [a]}
"""


def test_a_cleared_answer_is_kept_as_cleared_and_is_never_an_answer(store: Path) -> None:
    info = sessions.start_session(import_text(store, DEFAULTS))
    sessions.save_step(info.id, "one", {"name": "Ada", "bio": None})
    sessions.save_draft(info.id, {"tags": [], "size": ""}, current_step_id="two")
    state = sessions.load_session(info.id)
    assert state.answers == {"name": "Ada"}
    assert state.cleared == {"bio", "tags", "size"}
    stored = dict(
        Answer.select(Answer.field_id, Answer.value).where(Answer.session == info.id).tuples()
    )
    assert stored == {"name": "Ada", "bio": None, "tags": None, "size": None}  # JSON null

    # Unanswered for validation and progress: the cleared required size stops Next.
    with pytest.raises(sessions.InvalidAnswersError) as refused:
        sessions.save_step(info.id, "two", {})
    assert refused.value.problems == {"size": "This field is required."}
    assert sessions.get_session(info.id).progress_percentage == 50.0
    with pytest.raises(sessions.InvalidAnswersError):
        sessions.complete_session(info.id, "two", {"tags": ["b"]})

    completed = sessions.complete_session(info.id, "two", {"size": 3, "tags": ["b"]})
    assert completed.progress_percentage == 100.0
    state = sessions.load_session(info.id)
    assert state.answers == {"name": "Ada", "size": 3, "tags": ["b"]}
    assert state.cleared == {"bio"}
    assert json.loads(export_session(info.id, "json"))["answers"] == state.answers
    rows = list(csv.DictReader(io.StringIO(export_session(info.id, "csv"))))
    assert [(r["field_id"], r["value"]) for r in rows if r["value"]] == [
        ("name", "Ada"), ("size", "3"), ("tags", '["b"]')
    ]  # fmt: skip
    assert {r["field_id"]: r["answer"] for r in rows}["bio"] == "—"  # cleared: unanswered
    template = templates.save_as_template(info.id, "No bio")
    assert template.answers == state.answers
    prefilled = sessions.load_session(templates.start_from_template(template.id).session.id)
    assert (prefilled.answers, prefilled.cleared) == (state.answers, frozenset())


def test_an_answer_typed_again_after_clearing_is_an_answer(store: Path) -> None:
    info = sessions.start_session(import_text(store, DEFAULTS))
    sessions.save_draft(info.id, {"bio": None})
    sessions.save_draft(info.id, {"bio": "Back again"})
    state = sessions.load_session(info.id)
    assert (state.answers, state.cleared) == ({"bio": "Back again"}, frozenset())


def test_export_json_has_the_public_keys_and_typed_answers(store: Path) -> None:
    info = sessions.start_session(import_text(store, FOUR_STEPS))
    run_to_last_step(info.id)
    sessions.complete_session(info.id, "four", {"agree": True})
    document = json.loads(export_session(info.id, "json"))
    assert set(document) == {
        "id", "name", "wizard_id", "wizard_title", "status", "progress_percentage",
        "current_step_id", "started_at", "updated_at", "completed_at", "total_time_seconds",
        "active_seconds", "answers",
    }  # fmt: skip
    assert document["answers"] == {"name": "Ada", "size": "large", "count": 3, "agree": True}
    assert document["completed_at"].endswith("+00:00")
    rows = list(csv.DictReader(io.StringIO(export_session(info.id, "csv"))))
    assert [(r["step_id"], r["field_id"], r["value"]) for r in rows] == [
        ("one", "name", "Ada"),
        ("two", "size", "large"),
        ("three", "count", "3"),
        ("four", "agree", "true"),
    ]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["start", "extra", "end"]), st.sampled_from(["simple", "complex"])
        ),
        min_size=1,
        max_size=10,
    )
)
def test_progress_follows_the_rule_on_random_skip_logic_paths(
    store: Path, nexts: list[tuple[str, str]]
) -> None:
    if Wizard.get_or_none(Wizard.id == "skipping") is None:
        import_text(store, SKIPPING)
    info = sessions.start_session("skipping")
    last = 0.0
    for step_id, kind in nexts:
        answers = {"start": {"kind": kind}, "extra": {"detail": "d"}, "end": {}}[step_id]
        try:
            saved = sessions.save_step(info.id, step_id, answers)
        except sessions.InvalidAnswersError:
            continue  # a step off the current path (or before "start" is answered)
        state = sessions.load_session(info.id)
        path = state.path.step_ids
        done = [s for s in path if s in state.info.completed_step_ids]
        assert saved.progress_percentage == round(100 * len(done) / len(path), 2)
        assert saved.progress_percentage >= last or saved.path_changed
        assert saved.current_step_id in path
        last = saved.progress_percentage


def test_a_clock_moved_back_never_gives_a_negative_duration(
    store: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wizard_id = import_text(store, THREE_STEPS)
    info = sessions.start_session(wizard_id)
    sessions.save_step(info.id, "a", {})
    sessions.save_step(info.id, "b", {})
    # The session was started while the clock was an hour ahead; it has been set right.
    an_hour_ahead = info.started_at + dt.timedelta(hours=1)
    Session.update(started_at=an_hour_ahead).where(Session.id == info.id).execute()
    with caplog.at_level(logging.WARNING, logger="wizard_desktop.core.sessions"):
        done = sessions.complete_session(info.id, "c", {})
    assert done.total_time_seconds == 0
    assert done.completed_at is not None and done.completed_at >= done.started_at
    assert "clock was moved back" in caplog.text


# Checking "a" * 25 + "c" against this pattern backtracks for seconds (the first
# alternative fails exponentially), then the second alternative accepts it.
CHECKED_STEP = """\
format_version: 1
id: checked-step
title: Checked step
steps:
  - id: one
    title: One
    fields:
      - {id: code, type: text, label: Code, pattern: "[a-z]+"}
      - {id: note, type: text, label: Note, required: true}
  - {id: two, title: Two, fields: [{id: more, type: text, label: More}]}
"""


def test_answers_are_checked_without_the_write_lock_and_again_if_they_changed(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wizard_id = import_text(store, CHECKED_STEP)
    info = sessions.start_session(wizard_id)
    sessions.save_draft(info.id, {"note": "typed before"})
    # The first check of the code field takes as long as the test wants.
    checking, go_on = threading.Event(), threading.Event()
    real_check = logic.answer_problem

    def slow_check(field: Any, value: Any, **rules: Any) -> str | None:
        if field.id == "code" and not checking.is_set():
            checking.set()
            assert go_on.wait(10)
        return real_check(field, value, **rules)

    monkeypatch.setattr(logic, "answer_problem", slow_check)  # the rules the core checks
    outcome: list[BaseException | None] = []

    def save() -> None:  # on a thread of its own, with that thread's own connection
        try:
            sessions.save_step(info.id, "one", {"code": "abc"})
            outcome.append(None)
        except BaseException as error:  # reported to the test below
            outcome.append(error)
        finally:
            close_database()

    saver = threading.Thread(target=save)
    saver.start()
    assert checking.wait(10)
    # While the saver checks, no lock is held: a write that fails at once on any lock
    # goes through, and empties the required note.
    db.execute_sql("PRAGMA busy_timeout = 0")
    sessions.save_draft(info.id, {"note": None})
    go_on.set()
    saver.join(10)
    # The saver saw the session change, checked again, and refused the emptied note.
    assert len(outcome) == 1 and isinstance(outcome[0], sessions.InvalidAnswersError)
    assert outcome[0].problems == {"note": "This field is required."}
    state = sessions.load_session(info.id)
    assert state.answers == {}
    assert state.info.completed_step_ids == () and state.info.progress_percentage == 0
