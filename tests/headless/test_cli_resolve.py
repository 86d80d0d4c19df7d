"""`wizard-desktop resolve`, run as a real subprocess: what a wizard shows, requires and
computes for given answers, from a file or from the database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.headless.test_cli import run
from tests.wizard_files import COSTLY, SKIPPING

TRIP = """\
format_version: 2
id: trip-claim
title: Trip claim
steps:
  - id: trip
    title: Trip
    fields:
      - {id: kind, type: choice, label: Kind, options: [local, abroad], required: true}
      - {id: nights, type: number, label: Nights, min: 0, max: 60, default: 1}
      - id: rate
        type: number
        label: Rate per night
        decimals: 2
        constraint: "{rate} <= 300"
        constraint_message: At most 300 a night.
      - {id: lodging, type: calculated, label: Lodging, calculate: "{nights} * {rate}"}
      - {id: tax, type: calculated, hidden: true, label: Tax, calculate: "{lodging} / 10"}
      - {id: approver, type: text, label: Approver, required_if: "{lodging} > 500"}
  - id: abroad
    title: Abroad
    visible_if: "{kind} = 'abroad'"
    fields:
      - {id: passport, type: text, label: Passport number, required: true}
      - {id: summary, type: note, label: "Lodging comes to {lodging}."}
      - {id: visa, type: text, label: Visa number, visible_if: "{nights} > 14"}
  - id: done
    title: Done
    fields:
      - {id: ok, type: boolean, label: I confirm, required: true}
"""


def resolved(data_dir: Path, *args: str, stdin: str | None = None) -> dict[str, Any]:
    result = run(data_dir, "resolve", *args, stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def refused(data_dir: Path, code: int, *args: str, stdin: str | None = None) -> str:
    """The one error line of a refused `resolve`."""
    result = run(data_dir, "resolve", *args, stdin=stdin)
    assert result.returncode == code, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("wizard-desktop: error: ")
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


@pytest.fixture
def trip(tmp_path: Path) -> Path:
    path = tmp_path / "trip.yaml"
    path.write_text(TRIP, encoding="utf-8")
    return path


def answers_file(tmp_path: Path, answers: object) -> str:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    return str(path)


def test_a_file_without_answers_shows_the_path_of_its_defaults(data_dir: Path, trip: Path) -> None:
    document = resolved(data_dir, str(trip))
    assert set(document) == {"steps", "fields", "required", "values", "problems"}
    assert document["steps"] == ["trip", "done"]  # abroad needs kind = 'abroad'
    assert document["fields"] == ["kind", "nights", "rate", "lodging", "approver", "ok"]
    assert document["required"] == ["kind", "ok"]
    assert set(document["values"]) == {"lodging", "tax"}  # a hidden calculated field too
    assert list(data_dir.iterdir()) == []  # a file is only read: no database, nothing stored


def test_skip_logic_calculations_and_required_if_follow_the_answers(
    data_dir: Path, trip: Path, tmp_path: Path
) -> None:
    answers = {"kind": "abroad", "nights": 3, "rate": 200}
    document = resolved(data_dir, str(trip), "--answers", answers_file(tmp_path, answers))
    assert document["steps"] == ["trip", "abroad", "done"]
    assert document["fields"] == [
        *("kind", "nights", "rate", "lodging", "approver"),
        *("passport", "summary"),  # the note is shown; visa needs more than 14 nights
        "ok",
    ]
    assert "tax" not in document["fields"]  # hidden: only in values
    assert document["values"] == {"lodging": 600, "tax": 60}
    assert document["required"] == ["kind", "approver", "passport", "ok"]  # 600 > 500
    assert "rate" not in document["problems"]

    cheaper = {**answers, "rate": 100.5, "nights": 20}
    document = resolved(data_dir, str(trip), "--answers", answers_file(tmp_path, cheaper))
    assert document["values"] == {"lodging": 2010, "tax": 201}
    assert "visa" in document["fields"]

    fewer = {**answers, "nights": 2}  # 400: the approver is no longer required
    document = resolved(data_dir, str(trip), "--answers", answers_file(tmp_path, fewer))
    assert document["values"]["lodging"] == 400
    assert "approver" in document["fields"] and "approver" not in document["required"]


def test_an_answer_breaking_a_constraint_is_a_problem(
    data_dir: Path, trip: Path, tmp_path: Path
) -> None:
    answers = {"kind": "local", "nights": 2, "rate": 450}
    document = resolved(data_dir, str(trip), "--answers", answers_file(tmp_path, answers))
    assert document["problems"]["rate"] == "At most 300 a night."
    assert document["values"]["lodging"] == 900  # still computed from the answer given


def test_answers_from_stdin_and_null_clears_a_default(data_dir: Path, trip: Path) -> None:
    document = resolved(
        data_dir, str(trip), "--answers", "-", stdin='{"kind": "abroad", "nights": 15}'
    )
    assert "visa" in document["fields"]
    defaulted = resolved(data_dir, str(trip), "--answers", "-", stdin='{"rate": 200}')
    assert defaulted["values"]["lodging"] == 200  # nights reads its default, 1
    cleared = resolved(data_dir, str(trip), "--answers", "-", stdin='{"rate": 200, "nights": null}')
    assert cleared["values"]["lodging"] != 200


def test_a_wizard_id_reads_the_newest_stored_version(
    data_dir: Path, trip: Path, tmp_path: Path
) -> None:
    assert run(data_dir, "import", str(trip)).returncode == 0
    answers = answers_file(tmp_path, {"kind": "abroad", "nights": 3, "rate": 200})
    assert resolved(data_dir, "trip-claim", "--answers", answers) == resolved(
        data_dir, str(trip), "--answers", answers
    )
    newer = tmp_path / "newer.yaml"
    newer.write_text(TRIP.replace("{lodging} > 500", "{lodging} > 1000"), encoding="utf-8")
    assert run(data_dir, "import", str(newer)).returncode == 0
    assert "approver" not in resolved(data_dir, "trip-claim", "--answers", answers)["required"]


def test_a_v1_wizard_resolves_as_the_core_walks_it(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "skipping.yaml"
    path.write_text(SKIPPING, encoding="utf-8")
    from wizard_desktop.definition.conditions import resolve_path
    from wizard_desktop.definition.loader import load_wizard_file

    definition = load_wizard_file(path)
    for kind in ("simple", "complex"):
        document = resolved(data_dir, str(path), "--answers", "-", stdin=json.dumps({"kind": kind}))
        walked = resolve_path(definition, {"kind": kind})
        assert document["steps"] == list(walked.step_ids)
        assert document["fields"] == [
            f.id for s in walked.steps for f in walked.visible_fields[s.id]
        ]
        assert document["values"] == {}
    onboarding = resolved(data_dir, "employee-onboarding")  # a bundled wizard, by id
    assert onboarding["steps"] and onboarding["fields"]


def test_a_refused_file_or_unknown_id_is_one_line_and_exit_1(
    data_dir: Path, trip: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(TRIP.replace("{lodging} > 500", "{lodgin} > 500"), encoding="utf-8")
    message = refused(data_dir, 1, str(broken))
    assert f"{broken}:" in message and "lodgin" in message
    cycle = tmp_path / "cycle.yaml"
    cycle.write_text(TRIP.replace("{nights} * {rate}", "{tax} * {rate}"), encoding="utf-8")
    assert "cycle" in refused(data_dir, 1, str(cycle)).lower()
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\x00\x01" * 100)
    refused(data_dir, 1, str(binary))
    refused(data_dir, 1, str(tmp_path / "missing.yaml"))
    assert "no-such-wizard" in refused(data_dir, 1, "no-such-wizard")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("{not json", "is invalid"),
        ("[1, 2]", "expected a JSON object"),
        ('{"nights": "three"}', "nights: expected a number"),
        ('{"kind": "elsewhere"}', "kind: expected one of local, abroad"),
        ('{"ghost": 1}', "ghost: no such field"),
        ('{"lodging": 3}', "lodging: "),  # computed, never given
        ('{"nights": NaN}', "NaN"),
        ('{"kind": "local", "kind": "abroad"}', "appears twice"),
    ],
)
def test_answers_that_are_not_answers_are_refused_with_exit_2(
    data_dir: Path, trip: Path, text: str, expected: str
) -> None:
    assert expected in refused(data_dir, 2, str(trip), "--answers", "-", stdin=text)


def test_an_answers_file_that_cannot_be_read_is_refused(
    data_dir: Path, trip: Path, tmp_path: Path
) -> None:
    assert "cannot be read" in refused(
        data_dir, 2, str(trip), "--answers", str(tmp_path / "none.json")
    )
    assert "not a regular file" in refused(data_dir, 2, str(trip), "--answers", str(tmp_path))


def test_answers_that_make_the_expressions_cost_too_much_are_one_line_and_exit_1(
    data_dir: Path, tmp_path: Path
) -> None:
    costly = tmp_path / "costly.yaml"
    costly.write_text(COSTLY, encoding="utf-8")
    assert resolved(data_dir, str(costly))["values"] == {"same": False}  # cheap when empty
    everything = json.dumps({"many": [f"o{n}" for n in range(1000)]})
    message = refused(data_dir, 1, str(costly), "--answers", "-", stdin=everything)
    assert "take too long to evaluate" in message
