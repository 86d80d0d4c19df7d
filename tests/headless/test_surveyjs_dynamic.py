"""SurveyJS dynamic panels and dynamic matrices imported as repeats, against survey-core
itself: small surveys of our own for each construct (panelCount, min/max, add and
remove, sumInArray/countInArray/{panel.length}, a visibleIf reading {panel.q},
{panelIndex}, a matrixdynamic), the two real surveys that use them (income-survey,
patient-history) with their stored oracle cases, `resolve` on `survey.data`, and the
refusal of a dynamic panel inside a dynamic panel."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.headless.test_surveyjs_import import REALFORMS, run_cli
from tests.wizard_files import import_text
from wizard_desktop.core import repeats as core_repeats
from wizard_desktop.core import sessions
from wizard_desktop.definition.problems import WizardFileError
from wizard_desktop.importers import ImportRefused, import_form
from wizard_desktop.importers.surveyjs import compare_case, panel_answers

KIDS: dict[str, Any] = {
    "pages": [
        {
            "name": "family",
            "elements": [
                {"type": "text", "name": "name", "isRequired": True},
                {
                    "type": "paneldynamic",
                    "name": "kids",
                    "title": "Children",
                    "minPanelCount": 1,
                    "maxPanelCount": 4,
                    "panelAddText": "Add a child",
                    "templateTitle": "Child {panelIndex}: {panel.kid_name}",
                    "templateElements": [
                        {"type": "text", "name": "kid_name", "isRequired": True},
                        {"type": "text", "name": "age", "inputType": "number"},
                        {"type": "text", "name": "school", "visibleIf": "{panel.age} >= 6"},
                        {
                            "type": "expression",
                            "name": "position",
                            "expression": "{panelIndex} + 1",
                        },
                    ],
                },
                {"type": "comment", "name": "after"},
            ],
        },
        {
            "name": "totals",
            "elements": [
                {
                    "type": "expression",
                    "name": "total_age",
                    "expression": "sumInArray({kids}, 'age')",
                },
                {
                    "type": "expression",
                    "name": "at_school",
                    "expression": "countInArray({kids}, 'school')",
                },
                {"type": "expression", "name": "children", "expression": "{kids.length}"},
                {"type": "text", "name": "eldest", "visibleIf": "{kids[0].age} > 10"},
            ],
        },
        {
            "name": "fixed_page",
            "elements": [
                {
                    "type": "paneldynamic",
                    "name": "fixed",
                    "panelCount": 2,
                    "allowAddPanel": False,
                    "allowRemovePanel": False,
                    "templateElements": [{"type": "text", "name": "x"}],
                }
            ],
        },
    ]
}
KIDS_CASES: list[dict[str, Any]] = [
    {},
    {"name": "A", "kids": [{"kid_name": "Ada", "age": 9, "school": "North"}, {"kid_name": "Bo"}]},
    {"kids": [{"age": 12}, {"age": 7, "school": "S"}, {}]},
    {"kids": [{"age": 4}], "fixed": [{"x": "a"}, {"x": "b"}]},
]

PETS: dict[str, Any] = {
    "elements": [
        {"type": "text", "name": "owner"},
        {
            "type": "matrixdynamic",
            "name": "pets",
            "title": "Your pets",
            "rowCount": 1,
            "minRowCount": 1,
            "maxRowCount": 5,
            "addRowText": "Add a pet",
            "cellType": "text",
            "choices": ["cat", "dog"],
            "columns": [
                {"name": "kind", "cellType": "dropdown", "isRequired": True},
                {"name": "pet_name", "title": "Name"},
                {"name": "pet_age", "inputType": "number"},
            ],
        },
        {"type": "expression", "name": "pet_years", "expression": "sumInArray({pets}, 'pet_age')"},
        {"type": "text", "name": "vet", "visibleIf": "{pets.length} > 1"},
        {"type": "text", "name": "never", "visibleIf": "{pets.rowCount} > 0"},
    ]
}
PETS_CASES: list[dict[str, Any]] = [
    {},
    {"pets": [{"kind": "cat", "pet_name": "Tom", "pet_age": 3}]},
    {"owner": "Al", "pets": [{"kind": "dog", "pet_age": 5}, {"kind": "cat", "pet_age": 2}]},
]


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus's oracle script beside survey-core, with a batch entry point."""
    from tests.oracle.survey_core import survey_core_dir

    folder = tmp_path_factory.mktemp("oracle")
    for name in ("surveyjs_oracle.mjs", "package.json"):
        shutil.copy(REALFORMS / "oracle" / name, folder / name)
    (folder / "node_modules").symlink_to(survey_core_dir() / "node_modules")
    (folder / "batch.mjs").write_text(
        'import fs from "node:fs";\n'
        'import { evaluate } from "./surveyjs_oracle.mjs";\n'
        'const { survey, cases } = JSON.parse(fs.readFileSync(0, "utf8"));\n'
        "process.stdout.write(JSON.stringify(cases.map((a) => evaluate(survey, a))));\n"
    )
    return folder


def ask_oracle(oracle: Path, survey: object, cases: list[dict[str, Any]]) -> list[Any]:
    done = subprocess.run(
        ["node", "batch.mjs"],
        cwd=oracle,
        input=json.dumps({"survey": survey, "cases": cases}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    expected: list[Any] = json.loads(done.stdout)
    return expected


def write(tmp_path: Path, name: str, survey: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(survey), encoding="utf-8")
    return path


def test_a_dynamic_panel_is_a_repeat_of_its_template(tmp_path: Path) -> None:
    result = import_form(write(tmp_path, "kids.json", KIDS))
    assert result.unsupported == ()
    definition = result.definition
    kids, fixed = definition.repeats
    # the page is split around the panel: before / the template / after
    assert [s.id for s in definition.steps] == [
        "family",
        "family #2",
        "family #3",
        "totals",
        "fixed_page",
    ]
    assert dict(definition.source_pages) == {"family #2": "family", "family #3": "family"}
    assert (kids.id, kids.steps, kids.min, kids.max) == ("kids", ("family #2",), 1, 4)
    assert kids.add_label == "Add a child"
    assert kids.item_label == "Child {kids.number}: {kid_name}"
    assert (fixed.min, fixed.max) == (2, 2)  # panelCount, neither added to nor removed
    step = definition.step("family #2")
    assert step is not None and [f.id for f in step.fields] == [
        "kid_name",
        "age",
        "school",
        "position",
    ]
    assert definition.field("school").visible_if.source == "{age} >= 6"  # type: ignore[union-attr]
    assert definition.field("position").calculate.source == "({kids.number} - 1) + 1"  # type: ignore[union-attr]
    assert definition.field("total_age").calculate.source == "sum({kids.age})"  # type: ignore[union-attr]
    assert definition.field("at_school").calculate.source == "count({kids.school})"  # type: ignore[union-attr]


def test_dynamic_panels_agree_with_survey_core(tmp_path: Path, oracle: Path) -> None:
    result = import_form(write(tmp_path, "kids.json", KIDS))
    expected = ask_oracle(oracle, KIDS, KIDS_CASES)
    assert "kids[1].school" in expected[2]["questions"]  # {panel.age} read per panel
    assert expected[2]["values"] == {"total_age": 19, "at_school": 1, "children": 3}
    disagreeing = {
        i: diff
        for i, (answers, wanted) in enumerate(zip(KIDS_CASES, expected, strict=True))
        if (diff := compare_case(result, answers, wanted))
    }
    assert disagreeing == {}


def test_a_dynamic_matrix_is_a_repeat_of_its_columns(tmp_path: Path, oracle: Path) -> None:
    result = import_form(write(tmp_path, "pets.json", PETS))
    assert result.unsupported == ()
    assert result.row_repeats == {"pets"}
    (pets,) = result.definition.repeats
    assert (pets.min, pets.max, pets.add_label) == (1, 5, "Add a pet")
    step = result.definition.step(pets.steps[0])
    assert step is not None
    assert [(f.id, f.type.value) for f in step.fields] == [
        ("kind", "choice"),
        ("pet_name", "text"),
        ("pet_age", "number"),
    ]
    assert [o.value for o in step.fields[0].options] == ["cat", "dog"]  # the matrix's choices
    assert step.fields[0].required
    expected = ask_oracle(oracle, PETS, PETS_CASES)
    assert expected[2]["questions"] == ["owner", "pets", "pet_years", "vet"]
    disagreeing = {
        i: diff
        for i, (answers, wanted) in enumerate(zip(PETS_CASES, expected, strict=True))
        if (diff := compare_case(result, answers, wanted))
    }
    assert disagreeing == {}


def test_add_and_remove_keep_to_min_and_max(store: Path) -> None:
    (store / "kids.json").write_text(json.dumps(KIDS), encoding="utf-8")
    wizard_id = import_text(store, json.dumps(KIDS), "kids.json")
    sid = sessions.start_session(wizard_id).id
    assert sessions.load_session(sid).path.step_ids[:3] == (
        "family",
        "kids[0].family #2",
        "family #3",
    )
    sessions.save_step(sid, "family", {"name": "A"})
    sessions.save_step(sid, "kids[0].family #2", {"kids[0].kid_name": "Ada", "kids[0].age": 9})
    with pytest.raises(sessions.InvalidAnswersError):  # minPanelCount 1
        core_repeats.remove_instance(sid, "kids", 0, "family")
    for n in range(1, 4):
        added = core_repeats.add_instance(sid, "kids")
        sessions.save_step(sid, added, {f"kids[{n}].kid_name": f"K{n}", f"kids[{n}].age": 1})
    with pytest.raises(sessions.InvalidAnswersError):  # maxPanelCount 4
        core_repeats.add_instance(sid, "kids")
    state = sessions.load_session(sid)
    assert state.resolution.values["total_age"] == 12
    assert state.resolution.values["children"] == 4
    assert state.resolution.texts[("kids[1].family #2", "title")] == "Child 2: K1"
    core_repeats.remove_instance(sid, "kids", 1, "family")
    state = sessions.load_session(sid)
    assert [state.answers[f"kids[{i}].kid_name"] for i in range(3)] == ["Ada", "K2", "K3"]
    assert state.resolution.values["total_age"] == 11


def test_resolve_takes_survey_data_and_prints_instance_paths(tmp_path: Path) -> None:
    survey = write(tmp_path, "kids.json", KIDS)
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(KIDS_CASES[2]))
    done = run_cli("resolve", str(survey), "--answers", str(answers), data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["pages"] == ["family", "totals", "fixed_page"]
    assert printed["steps"][:4] == [
        "family",
        "kids[0].family #2",
        "kids[1].family #2",
        "kids[2].family #2",  # an instance with no answer yet still counts
    ]
    assert "kids[1].school" in printed["fields"] and "kids[2].school" not in printed["fields"]
    assert printed["values"]["total_age"] == 19


def test_a_dynamic_panel_inside_a_dynamic_panel_is_refused_with_its_place(tmp_path: Path) -> None:
    survey = {
        "elements": [
            {
                "type": "paneldynamic",
                "name": "households",
                "templateElements": [
                    {"type": "text", "name": "address"},
                    {
                        "type": "paneldynamic",
                        "name": "members",
                        "templateElements": [{"type": "text", "name": "member"}],
                    },
                ],
            }
        ]
    }
    with pytest.raises(ImportRefused) as refused:
        import_form(write(tmp_path, "nested.json", survey))
    assert [str(i) for i in refused.value.items] == [
        "nested.json: elements[0] (households).templateElements[1] (members): a dynamic "
        "panel inside a dynamic panel cannot be played: repeats do not nest"
    ]
    skipped = import_form(write(tmp_path, "nested.json", survey), skip_unsupported=True)
    assert [r.id for r in skipped.definition.repeats] == ["households"]


def test_income_survey_shares_one_answer_between_its_two_employer_panels(tmp_path: Path) -> None:
    """`valueName`: the names panel (page 3.1) and the details panel (page 3.2) are one
    list of employers in `survey.data`; the details have as many instances as names."""
    path = REALFORMS / "surveyjs" / "income-survey.json"
    definition = import_form(path).definition
    info = next(r for r in definition.repeats if r.id == "member_array_employer_info")
    assert info.count is not None and info.count.source == "{member_array_employer_names.length}"
    data = {"member_array_employer": [{"name": "Acme", "income": 5}, {"role": "Casual"}]}
    assert panel_answers(definition, "member_array_employer", data["member_array_employer"]) == {
        "member_array_employer_names": [{"member_employer_name": "Acme"}, {}],
        "member_array_employer_info": [
            {"member_employer_income": 5},
            {"member_employer_role": "Casual"},
        ],
    }
    cases = json.loads((REALFORMS / "surveyjs-cases" / "income-survey.json").read_text())
    case = next(c for c in cases if len(c["answers"].get("partner_array_employer", [])) > 1)
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(case["answers"]))
    done = run_cli("resolve", str(path), "--answers", str(answers), data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["pages"] == case["expected"]["pages"]
    inner = [q for q in case["expected"]["questions"] if "[" in q]
    assert [f for f in printed["fields"] if "[" in f and ".panel_" not in f] == inner


def test_what_a_repeat_cannot_do_is_refused_with_its_place(tmp_path: Path) -> None:
    survey = {
        "elements": [
            {
                "type": "paneldynamic",
                "name": "kids",
                "defaultValue": [{"kid": "Ada"}],
                "templateElements": [{"type": "text", "name": "kid"}],
            },
            {
                "type": "matrixdynamic",
                "name": "costs",
                "columns": [{"name": "amount", "cellType": "text", "totalType": "sum"}],
            },
            {"type": "paneldynamic", "name": "kids.list", "templateElements": []},
            {"type": "matrixdynamic", "name": "more", "columns": [{"name": "amount"}]},
            {"type": "text", "name": "Amount"},
        ]
    }
    with pytest.raises(ImportRefused) as refused:
        import_form(write(tmp_path, "limits.json", survey))
    assert [str(i) for i in refused.value.items] == [
        "limits.json: elements[0] (kids).defaultValue: default panels or rows cannot be played",
        "limits.json: elements[1] (costs).columns[0].totalType: column totals cannot be played",
        "limits.json: elements[2] (kids.list): a dynamic panel needs a name of 1 to 200 "
        "characters without dots, braces or brackets to name its instances",
        "limits.json: elements[3] (more): its question 'amount' is named like another "
        "question of the survey; Wizard Desktop needs every question's name to be its own",
    ]


def test_names_stay_the_sources_in_instance_paths(tmp_path: Path, oracle: Path) -> None:
    survey = {
        "elements": [
            {
                "type": "paneldynamic",
                "name": "Family Members",
                "templateElements": [
                    {"type": "text", "name": "Age", "inputType": "number"},
                    {"type": "text", "name": "Job", "visibleIf": "{panel.Age} >= 18"},
                ],
            },
            {
                "type": "expression",
                "name": "Total",
                "expression": "sumInArray({family members}, 'Age')",
            },
        ]
    }
    # (with nothing given, SurveyJS shows panelCount panels, 0 by default; a repeat here
    # starts with one instance, for the person to fill or remove: docs/repeats.md)
    cases: list[dict[str, Any]] = [
        {"Family Members": []},
        {"Family Members": [{"Age": 40}, {"Age": 9}]},
    ]
    result = import_form(write(tmp_path, "names.json", survey))
    expected = ask_oracle(oracle, survey, cases)
    assert expected[1]["questions"] == [
        "Family Members",
        "Family Members[0].Age",
        "Family Members[0].Job",
        "Family Members[1].Age",
        "Total",
    ]
    assert [compare_case(result, a, e) for a, e in zip(cases, expected, strict=True)] == [{}, {}]


def test_the_import_keys_name_known_steps_and_repeats(tmp_path: Path) -> None:
    from wizard_desktop.definition.loader import WizardFileError, load_wizard_file

    wizard = tmp_path / "w.yaml"
    wizard.write_text(
        "format_version: 2\nid: w\ntitle: W\nimported_from: surveyjs\n"
        "source_pages: {s: Page one, nope: Page two}\nvalue_names: {q: shared}\n"
        "steps:\n- id: s\n  title: S\n  fields:\n  - {id: q, type: text, label: Q}\n"
    )
    with pytest.raises(WizardFileError) as error:
        load_wizard_file(wizard)
    assert [p.message for p in error.value.problems] == [
        "no such step",
        "no such repeat, nor field in one",
    ]


def test_a_matrix_whose_rows_cannot_be_added_or_removed_has_its_row_count(
    tmp_path: Path,
) -> None:
    """survey-core's `allowAddRows`/`allowRemoveRows` (a matrix's; `allowAddPanel`/
    `allowRemovePanel` are a panel's): both false, the rows are `rowCount`, 2 when not
    given, as for a panel that can be neither added to nor removed from."""
    columns = [{"name": "amount", "cellType": "text"}]
    survey = {
        "elements": [
            {
                "type": "matrixdynamic",
                "name": "given",
                "rowCount": 3,
                "allowAddRows": False,
                "allowRemoveRows": False,
                "columns": columns,
            },
            {
                "type": "matrixdynamic",
                "name": "default",
                "allowAddRows": False,
                "allowRemoveRows": False,
                "columns": [{"name": "other", "cellType": "text"}],
            },
        ]
    }
    given, default = import_form(write(tmp_path, "rows.json", survey)).definition.repeats
    assert (given.min, given.max) == (3, 3)
    assert (default.min, default.max) == (2, 2)


def test_more_instances_than_a_repeat_holds_are_refused_not_lowered(tmp_path: Path) -> None:
    """A fixed `panelCount`, or a `minPanelCount`/`minRowCount`, above what the repeat can
    hold is refused with its place (it was lowered, or above 1,000 read as 0: a panel of
    10^9 fixed panels became one a person could add to and remove from)."""
    template = [{"type": "text", "name": f"q{n}"} for n in range(50)]
    survey = {
        "elements": [
            {
                "type": "paneldynamic",
                "name": "fixed",
                "panelCount": 10**9,
                "allowAddPanel": False,
                "allowRemovePanel": False,
                "templateElements": [{"type": "text", "name": "x"}],
            },
            {
                "type": "paneldynamic",
                "name": "wide",
                "minPanelCount": 500,
                "maxPanelCount": 1000,
                "templateElements": template,
            },
            {
                "type": "matrixdynamic",
                "name": "rows",
                "minRowCount": 5000,
                "columns": [{"name": "cell", "cellType": "text"}],
            },
        ]
    }
    with pytest.raises(ImportRefused) as refused:
        import_form(write(tmp_path, "counts.json", survey))
    assert [str(i) for i in refused.value.items] == [
        "counts.json: elements[0] (fixed): panelCount 1000000000: this dynamic panel can "
        "have at most 1000 panels",
        "counts.json: elements[1] (wide): minPanelCount 500: this dynamic panel can have "
        "at most 384 panels",  # 20,000 elements / (50 fields + 2)
        "counts.json: elements[2] (rows): minRowCount 5000: this dynamic matrix can have "
        "at most 1000 rows",
    ]


def test_a_dynamic_panel_on_the_start_page_is_refused(tmp_path: Path) -> None:
    """A start page (`firstPageIsStarted`) is a start step, which is not repeated: a
    dynamic element on it is refused with its place (it made the page a repeat's step
    and its start went silently, or, with questions after it, a second start step)."""
    panel = {
        "type": "paneldynamic",
        "name": "d",
        "templateElements": [{"type": "text", "name": "x"}],
    }
    survey = {
        "firstPageIsStarted": True,
        "pages": [
            {"name": "s", "elements": [{"type": "text", "name": "a"}, panel]},
            {"name": "p", "elements": [{"type": "text", "name": "q"}]},
        ],
    }
    with pytest.raises(ImportRefused) as refused:
        import_form(write(tmp_path, "start.json", survey))
    assert [str(i) for i in refused.value.items] == [
        "start.json: pages[0].elements[1] (d): a dynamic panel on the start page "
        "(firstPageIsStarted) cannot be played: a start step is not repeated"
    ]
    definition = import_form(
        write(tmp_path, "start.json", survey), skip_unsupported=True
    ).definition
    assert definition.repeats == ()
    assert definition.start_step is not None and definition.start_step.id == "s"


def test_an_over_long_add_text_is_clipped_and_an_over_long_item_title_dropped(
    tmp_path: Path,
) -> None:
    """A 100,000-character `panelAddText` is clipped to a label's 500 characters, as
    every other title (it was refused with a format-2 path); an over-long
    `templateTitle` gives way to the numbered title (cut, it could end inside a {name})."""
    survey = {
        "elements": [
            {
                "type": "paneldynamic",
                "name": "kids",
                "title": "Kids",
                "panelAddText": "Add " + "x" * 100_000,
                "templateTitle": "Kid {panel.name} " + "y" * 600,
                "templateElements": [{"type": "text", "name": "name"}],
            }
        ]
    }
    result = import_form(write(tmp_path, "long.json", survey))
    assert result.unsupported == ()
    (repeat,) = result.definition.repeats
    assert repeat.add_label is not None and len(repeat.add_label) == 500
    assert repeat.add_label.startswith("Add xxx") and repeat.add_label.endswith("…")
    assert repeat.item_label == "Kids ({kids.number})"


def test_a_dynamic_panel_asked_empty_or_not_is_refused_with_its_place(tmp_path: Path) -> None:
    """`{p} notempty` of a dynamic panel (found by the import fuzz): the repeat laid out
    is a list, which `notempty` does not take; it was an internal error."""
    survey = {
        "elements": [
            {"type": "text", "name": "a", "visibleIf": "{p} notempty"},
            {
                "type": "paneldynamic",
                "name": "p",
                "templateElements": [{"type": "text", "name": "x"}],
            },
        ]
    }
    with pytest.raises(ImportRefused) as refused:
        import_form(write(tmp_path, "s.json", survey))
    assert [str(i) for i in refused.value.items] == [
        "s.json: elements[0] (a).visibleIf: the expression asks whether 'p' (a dynamic panel "
        "or matrix) is empty, which cannot be played yet; {p.length} counts its panels or rows"
    ]


def test_a_dynamic_panel_sharing_a_questions_name_as_value_name_is_refused(
    tmp_path: Path,
) -> None:
    """A dynamic panel whose valueName is another question's name shares that answer
    (found by the fuzz: `{q}` was read as the panel and failed inside the validator)."""
    survey = {
        "elements": [
            {"type": "rating", "name": "score"},
            {"type": "text", "name": "b", "visibleIf": "{score} > 8"},
            {
                "type": "paneldynamic",
                "name": "p",
                "valueName": "score",
                "templateElements": [{"type": "text", "name": "x"}],
            },
        ]
    }
    with pytest.raises(ImportRefused) as refused:
        import_form(write(tmp_path, "s.json", survey))
    assert [str(i) for i in refused.value.items] == [
        "s.json: elements[2] (p): its valueName 'score' is the name of another question "
        "(two questions sharing one answer) and cannot be played"
    ]


def test_a_translated_surveys_panel_titles_are_in_each_language(tmp_path: Path) -> None:
    """A dynamic panel without a title on a translated page: its item label (the page's
    title, numbered) and add text are language maps like every other text (the
    languages' runs differed there: an internal error, then the default language's)."""
    from wizard_desktop.definition.languages import localized

    survey = {
        "pages": [
            {
                "name": "p1",
                "title": {"default": "Kids", "de": "Kinder"},
                "elements": [
                    {
                        "type": "paneldynamic",
                        "name": "kids",
                        "panelAddText": {"default": "Add", "de": "Mehr"},
                        "templateElements": [{"type": "text", "name": "n"}],
                    }
                ],
            }
        ]
    }
    definition = import_form(write(tmp_path, "s.json", survey)).definition
    (repeat,) = definition.repeats
    assert (repeat.item_label, repeat.add_label) == ("Kids ({kids.number})", "Add")
    assert definition.languages == ("en", "de")
    (german,) = localized(definition, "de").repeats
    assert (german.item_label, german.add_label) == ("Kinder ({kids.number})", "Mehr")


def test_a_dynamic_panels_long_title_is_clipped_as_every_title(tmp_path: Path) -> None:
    """A 400-character title or a long description of a dynamic panel (found by the
    import fuzz) was refused at a step path; it is clipped as a page's title."""
    survey = {
        "elements": [
            {
                "type": "paneldynamic",
                "name": "kids",
                "title": "K" * 400,
                "description": "D" * 30_000,
                "templateElements": [{"type": "text", "name": "n"}],
            }
        ]
    }
    (step,) = import_form(write(tmp_path, "long.json", survey)).definition.steps
    assert step.title == "K" * 199 + "…"
    assert step.description is not None and len(step.description) < 30_000


def test_the_pieces_of_a_page_split_around_a_panel_are_placed_at_the_page(
    tmp_path: Path,
) -> None:
    """A page title the format 2 check refuses (a NUL, found by the import fuzz) is
    refused in every piece of the page split around a dynamic panel: each named at its
    page or its panel, none at a step path (`steps[2].title`)."""
    survey = {
        "pages": [
            {
                "name": "p",
                "title": "A\u0000",
                "elements": [
                    {"type": "text", "name": "a"},
                    {
                        "type": "paneldynamic",
                        "name": "d",
                        "templateElements": [{"type": "text", "name": "x"}],
                    },
                    {"type": "text", "name": "b"},
                ],
            }
        ]
    }
    with pytest.raises(WizardFileError) as refused:
        import_form(write(tmp_path, "split.json", survey))
    places = {p.path for p in refused.value.problems}
    assert places == {"pages[0] (p)", "pages[0].elements[1] (d)"}
