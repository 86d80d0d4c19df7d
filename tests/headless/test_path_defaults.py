"""The rule for a condition on a field not answered yet, in the core, on real SQLite
files: the path reads the field's default until the person answers or clears it (as
the player shows it), so the stored progress has the denominator of the side panel's
path; the answer rules still check only what is stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from wizard_desktop.core.sessions import (
    InvalidAnswersError,
    complete_session,
    get_session,
    save_draft,
    save_step,
    start_session,
)

EMPLOYEE = {"employee_name": "Ada Lovelace", "job_title": "Analyst", "start_date": "2025-05-01"}


def test_a_default_not_stored_yet_keeps_its_step_on_the_path(store: Path) -> None:
    # The buddy step needs weekly hours >= 16; their default is 40, on the next step.
    session_id = start_session("employee-onboarding").id
    saved = save_step(session_id, "employee", EMPLOYEE)
    assert "buddy" in saved.path_step_ids and len(saved.path_step_ids) == 7
    assert saved.progress_percentage == 14.29  # 1 of 7, not 1 of 6
    assert not saved.path_changed

    saved = save_step(session_id, "contract", {"contract_type": "permanent", "weekly_hours": 40})
    assert saved.progress_percentage == 28.57 and not saved.path_changed


def test_a_cleared_default_reads_as_unanswered(store: Path) -> None:
    session_id = start_session("employee-onboarding").id
    save_draft(session_id, {"weekly_hours": None})  # the person emptied the field
    saved = save_step(session_id, "employee", EMPLOYEE)
    assert "buddy" not in saved.path_step_ids
    assert saved.progress_percentage == round(100 / 6, 2)


def test_another_answer_than_the_default_changes_the_path(store: Path) -> None:
    session_id = start_session("employee-onboarding").id
    save_step(session_id, "employee", EMPLOYEE)
    saved = save_step(session_id, "contract", {"contract_type": "permanent", "weekly_hours": 8})
    assert "buddy" not in saved.path_step_ids and saved.path_changed
    assert saved.progress_percentage == round(100 * 2 / 6, 2)


def test_only_the_path_reads_defaults_the_answer_rules_check_what_is_stored(
    store: Path,
) -> None:
    session_id = start_session("employee-onboarding").id
    save_step(session_id, "employee", EMPLOYEE)
    with pytest.raises(InvalidAnswersError) as refused:
        save_step(session_id, "contract", {"contract_type": "permanent"})
    assert "weekly_hours" in refused.value.problems, "a default is not an answer given"
    assert get_session(session_id).completed_step_ids == ("employee",)


def test_completion_reads_the_same_path(store: Path) -> None:
    session_id = start_session("laptop-config").id
    save_step(
        session_id,
        "basics",
        {"full_name": "Jane Doe", "email": "jane@example.com", "department": "Design"},
    )
    save_step(
        session_id, "hardware", {"model": "ultrabook-14", "memory_gb": "16", "storage_gb": 512}
    )
    save_step(session_id, "software", {"operating_system": "linux"})
    info = complete_session(session_id, "delivery", {"delivery_address": "1 Main Street, Town"})
    assert info.is_completed and info.progress_percentage == 100.0
