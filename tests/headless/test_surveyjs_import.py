"""The SurveyJS importer against SurveyJS itself: every real survey of
../shared/realforms imports, and for every stored oracle case (`survey.data` -> what
survey-core 3.1.1 shows) the imported wizard's resolution agrees on pages, questions,
required and values. Plus refusals (every item listed, nothing stored), hostile files,
`convert` and the command line."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wizard_desktop.definition.languages import localized
from wizard_desktop.definition.loader import WizardFileError, load_wizard_file
from wizard_desktop.importers import ImportRefused, import_form, import_kind, load_any_wizard_file
from wizard_desktop.importers.convert import definition_yaml
from wizard_desktop.importers.surveyjs import compare_case

REALFORMS = Path(
    os.environ.get("REALFORMS", Path(__file__).resolve().parents[4] / "shared" / "realforms")
)
if not REALFORMS.is_dir():  # the worktree layout (/work/wt/NAME): shared sits two levels up
    REALFORMS = Path("/work/shared/realforms")
SURVEYS = sorted((REALFORMS / "surveyjs").glob("*.json"))

# Where we knowingly differ from SurveyJS (compare_case leaves these out, with reason):
# - a required boolean: SurveyJS takes Yes or No; a checkbox always has an answer here,
#   so "required" would mean "must be checked": imported booleans are never required;
# - the "-Comment" text of an "other" choice and panel headings are fields here, not
#   questions there; questions the import left out are left out of SurveyJS's lists;
# - an expression question without an expression is a note here (SurveyJS's value null);
# - a start page (firstPageIsStarted) is a start step: not in SurveyJS's pages nor
#   questions, so compare_case leaves it out of ours (resolve: `start_fields`); Back
#   returns to it here, SurveyJS never shows it again;
# - translations: SurveyJS's own built-in texts ("Other (describe)", its error messages)
#   stay English in every language of an imported survey, and so does a dynamic panel's
#   instance title and add text (format 2 holds them in one language: the default's);
#   a text empty in one language reads as one that is not (its element stays in every
#   language's survey).


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run(
        [sys.executable, "-m", "wizard_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_corpus_is_there() -> None:
    assert len(SURVEYS) == 17


@pytest.mark.parametrize("survey", SURVEYS, ids=lambda p: p.stem)
def test_every_survey_imports_whole_and_every_oracle_case_agrees(survey: Path) -> None:
    assert import_kind(survey) == "surveyjs"
    result = import_form(survey)  # no --skip-unsupported: nothing left out
    assert result.unsupported == ()
    cases = json.loads((REALFORMS / "surveyjs-cases" / survey.name).read_text())
    assert len(cases) == 20
    disagreeing = {}
    for index, case in enumerate(cases):
        diff = compare_case(result, case["answers"], case["expected"])
        if diff:
            disagreeing[index] = diff
    assert disagreeing == {}


@pytest.mark.parametrize("survey", SURVEYS, ids=lambda p: p.stem)
def test_convert_writes_a_file_that_loads_to_the_same_wizard(survey: Path, tmp_path: Path) -> None:
    result = import_form(survey)
    out = tmp_path / "converted.yaml"
    out.write_text(definition_yaml(result.definition), encoding="utf-8")
    again = load_wizard_file(out)
    assert again.to_dict() == result.definition.to_dict()


def test_unsupported_items_are_listed_at_once_with_their_place(tmp_path: Path) -> None:
    survey = tmp_path / "survey.json"
    survey.write_text(
        json.dumps(
            {
                "pages": [
                    {
                        "name": "p1",
                        "elements": [
                            {"type": "text", "name": "q1"},
                            {
                                "type": "dropdown",
                                "name": "q7",
                                "choicesByUrl": {"url": "https://x"},
                            },
                        ],
                    },
                    {
                        "name": "p2",
                        "elements": [{"type": "imagepicker", "name": "m", "choices": ["a"]}],
                    },
                ]
            }
        )
    )
    with pytest.raises(ImportRefused) as refused:
        import_form(survey)
    shown = [str(item) for item in refused.value.items]
    assert shown == [
        "survey.json: pages[0].elements[1] (q7): choicesByUrl needs the network",
        "survey.json: pages[1].elements[0] (m): an image picker shows pictures from the network",
    ]
    skipped = import_form(survey, skip_unsupported=True).definition
    assert [f.id for f in skipped.fields] == ["left-out-on-import", "q1"]
    note = skipped.fields[0].label  # shown on the first step of the player
    assert "pages\\[1\\].elements\\[0\\] (m): an image picker shows pictures" in note
    assert (
        skipped.description is not None and "choicesByUrl needs the network" in skipped.description
    )


def test_a_refused_file_stores_nothing_and_skip_imports_the_rest(tmp_path: Path) -> None:
    survey = tmp_path / "cities.json"
    survey.write_text(
        json.dumps(
            {
                "title": "Cities",
                "elements": [
                    {"type": "dropdown", "name": "city", "choicesByUrl": {"url": "https://x"}},
                    {"type": "text", "name": "why", "visibleIf": "{city} notempty"},
                    {"type": "comment", "name": "more"},
                ],
            }
        )
    )
    refused = run_cli("import", str(survey), data_dir=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        "cities.json: elements[0] (city): choicesByUrl needs the network",
        "cities.json: why (visible_if): the expression reads 'city', which is not a question "
        "Wizard Desktop imports",
    ]
    assert "cities" not in run_cli("wizards", data_dir=tmp_path).stdout
    imported = run_cli("import", "--skip-unsupported", str(survey), data_dir=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "imported (wizard cities)" in imported.stdout
    assert "cities" in run_cli("wizards", data_dir=tmp_path).stdout


def test_reimport_of_a_changed_survey_is_a_new_version(tmp_path: Path) -> None:
    survey = tmp_path / "form.json"
    survey.write_text(json.dumps({"elements": [{"type": "text", "name": "Your name"}]}))
    assert "imported" in run_cli("import", str(survey), data_dir=tmp_path).stdout
    assert "unchanged" in run_cli("import", str(survey), data_dir=tmp_path).stdout
    survey.write_text(json.dumps({"elements": [{"type": "comment", "name": "Your name"}]}))
    assert "imported" in run_cli("import", str(survey), data_dir=tmp_path).stdout


@pytest.mark.parametrize("survey", ["kids-condition.json", "ndsi-quickscan.json"])
def test_resolve_on_the_command_line_takes_survey_data(survey: str, tmp_path: Path) -> None:
    path = REALFORMS / "surveyjs" / survey
    assert import_form(path).unsupported == ()
    for case in json.loads((REALFORMS / "surveyjs-cases" / survey).read_text())[1:4]:
        answers = tmp_path / "answers.json"
        answers.write_text(json.dumps(case["answers"]))
        args = ["resolve", str(path), "--answers", str(answers)]
        done = run_cli(*args, data_dir=tmp_path)
        assert done.returncode == 0, done.stderr
        printed = json.loads(done.stdout)
        assert printed["steps"] == case["expected"]["pages"]
        assert printed["fields"] == case["expected"]["questions"]
        assert sorted(printed["required"]) == sorted(case["expected"]["required"])


def test_hostile_surveys_are_refused_in_one_line(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(
        '{"pages":[{"elements":'
        + '[{"type":"panel","elements":' * 100_000
        + "[]"
        + "}]" * 100_000
        + "}]}"
    )
    bad = tmp_path / "bad.json"
    bad.write_text('{"pages": [')
    huge = tmp_path / "huge.json"
    huge.write_text('{"pages": [], "x": "' + "a" * 9_000_000 + '"}')
    for path, words in ((deep, "nested more than"), (bad, "JSON syntax error"), (huge, "MB")):
        with pytest.raises(WizardFileError) as error:
            import_form(path)
        assert words in str(error.value)
        assert len(str(error.value).splitlines()) == 1
    # Too big to tell a survey from a wizard file: both limits said, by import and check.
    for read in (import_form, load_any_wizard_file):
        with pytest.raises(WizardFileError) as error:
            read(huge)
        assert "a SurveyJS survey is at most 8 MB, a wizard file at most 2 MB" in str(error.value)


def test_imported_ids_are_the_source_names_and_stay_bounded(tmp_path: Path) -> None:
    survey = tmp_path / "names.json"
    survey.write_text(
        json.dumps(
            {
                "elements": [
                    {"type": "text", "name": "Therapist's Phone Number?"},
                    {
                        "type": "boolean",
                        "name": "b",
                        "visibleIf": "{therapist's phone number?} notempty",
                    },
                ]
            }
        )
    )
    definition = import_form(survey).definition
    assert [f.id for f in definition.fields] == ["Therapist's Phone Number?", "b"]
    assert definition.field("b").visible_if.source == "{Therapist's Phone Number?} notempty"  # type: ignore[union-attr]
    wizard = tmp_path / "w.yaml"
    wizard.write_text(
        "format_version: 2\nid: w\ntitle: W\nsteps:\n- id: s\n  title: S\n"
        "  fields:\n  - {id: 'a b', type: text, label: A}\n"
    )
    with pytest.raises(WizardFileError, match="is not a valid id"):
        load_wizard_file(wizard)


def test_fresh_random_oracle_cases_agree(tmp_path: Path) -> None:
    """gen_cases.mjs (the corpus's own generator, run on survey-core from the oracle
    fixture) with a new seed each run: 10 more cases per survey, all agreeing."""
    from tests.oracle.survey_core import survey_core_dir

    oracle = tmp_path / "oracle"
    oracle.mkdir()
    for name in ("gen_cases.mjs", "surveyjs_oracle.mjs", "package.json"):
        shutil.copy(REALFORMS / "oracle" / name, oracle / name)
    (oracle / "node_modules").symlink_to(survey_core_dir() / "node_modules")
    seed = random.SystemRandom().randrange(1, 2**31)
    out = tmp_path / "cases"
    done = subprocess.run(
        [
            "node",
            "gen_cases.mjs",
            "--seed",
            str(seed),
            "--count",
            "10",
            "--out",
            str(out),
            *map(str, SURVEYS),
        ],
        cwd=oracle,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    disagreeing = {}
    for survey in SURVEYS:
        result = import_form(survey)
        for index, case in enumerate(json.loads((out / survey.name).read_text())):
            diff = compare_case(result, case["answers"], case["expected"])
            if diff:
                disagreeing[f"{survey.name}[{index}]"] = diff
    assert disagreeing == {}, f"seed {seed}"


def test_convert_on_the_command_line_writes_a_file_that_checks_clean(tmp_path: Path) -> None:
    survey = REALFORMS / "surveyjs" / "kids-condition.json"
    out = tmp_path / "kids.yaml"
    done = run_cli("convert", str(survey), "--output", str(out), data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[1:3] == ["format_version: 2", "id: kids-condition"]
    assert run_cli("check", str(out), data_dir=tmp_path).stdout.strip() == f"{out}: ok"
    assert load_wizard_file(out).to_dict() == import_form(survey).definition.to_dict()


def test_the_import_keys_need_format_2_and_change_the_path(tmp_path: Path) -> None:
    v1 = tmp_path / "v1.yaml"
    v1.write_text(
        "format_version: 1\nid: w\ntitle: W\nhide_empty_steps: true\nsteps:\n- id: s\n  title: S\n"
    )
    with pytest.raises(WizardFileError, match="hide_empty_steps"):
        load_wizard_file(v1)
    v2 = tmp_path / "v2.yaml"
    v2.write_text(
        "format_version: 2\nid: w\ntitle: W\nimported_from: surveyjs\nhide_empty_steps: true\n"
        "hidden_answers_count: true\nsteps:\n"
        "- id: First page\n  title: A\n  fields:\n"
        "  - {id: Pick one, type: choice, label: P, options: [a, b]}\n"
        "  - {id: Why a?, type: text, label: W, visible_if: \"{Pick one} = 'a'\"}\n"
        "- id: Only when a\n  title: B\n  fields:\n"
        '  - {id: More, type: text, label: M, visible_if: "{Why a?} notempty"}\n'
    )
    from wizard_desktop.definition.logic import wizard_logic

    logic = wizard_logic(load_wizard_file(v2))
    assert logic.resolve({}).steps == ("First page",)  # the second shows no field: skipped
    shown = logic.resolve({"Pick one": "a", "Why a?": "x"})
    assert shown.steps == ("First page", "Only when a")
    # "Why a?" hidden, its answer kept and still read (SurveyJS), not on the path
    hidden = logic.resolve({"Pick one": "b", "Why a?": "x"})
    assert hidden.fields == ("Pick one", "More") and "Why a?" not in hidden.path.answers


def test_a_second_page_or_question_of_one_name_is_refused_with_its_place(tmp_path: Path) -> None:
    """Two pages or two questions of one name (found by the import fuzz) were refused
    by the format-2 check with its own paths (`steps[1].id: duplicate step id`)."""
    survey = tmp_path / "twice.json"
    page = {"name": "p", "elements": [{"type": "text", "name": "q"}]}
    survey.write_text(json.dumps({"pages": [page, page]}), encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_form(survey)
    assert [str(i) for i in refused.value.items] == [
        "twice.json: pages[1] (p): a second page named 'p'",
        "twice.json: pages[1].elements[0] (q): a second question named 'q' (two questions "
        "sharing one answer)",
    ]


def test_an_unsupported_items_text_is_one_bounded_plain_line(tmp_path: Path) -> None:
    """A type or name holding newlines, bidi controls or 20,000 characters (found by
    the import fuzz) is shown escaped and cut, as one line."""
    survey = tmp_path / "odd.json"
    elements = [{"type": "x\n\u202e" * 10_000, "name": "a\x00b"}]
    survey.write_text(json.dumps({"elements": elements}), encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_form(survey)
    (problem,) = refused.value.problems
    assert problem.path == "elements[0] (a\\x00b)"
    assert problem.message.startswith("the question type 'x\\n\\u202ex\\n\\u202e")
    assert len(problem.message) == 500 and problem.message.endswith("…")


def test_what_the_format_2_check_refuses_names_its_question(tmp_path: Path) -> None:
    """A value the format 2 check refuses is placed at the question it came from."""
    survey = tmp_path / "big.json"
    elements = [{"type": "text", "name": "n", "inputType": "number", "defaultValue": 1e308 * 10}]
    survey.write_text(json.dumps({"elements": elements}).replace("Infinity", "1e999"), "utf-8")
    with pytest.raises(WizardFileError) as refused:
        import_form(survey)
    assert [str(p) for p in refused.value.problems] == [
        f"{survey}: elements[0] (n): default: expected a finite number, got inf"
    ]


def test_a_calculated_value_named_like_a_question_is_refused_with_its_place(
    tmp_path: Path,
) -> None:
    """A calculated value named like a question or another value (found by the import
    fuzz) was a format-2 "duplicate field id" at a step path."""
    survey = tmp_path / "calc.json"
    values = [{"name": "q", "expression": "1"}, {"name": "c", "expression": "2"}]
    values.append({"name": "c", "expression": "3"})
    elements = [{"type": "text", "name": "q"}]
    survey.write_text(json.dumps({"elements": elements, "calculatedValues": values}), "utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_form(survey)
    assert [str(i) for i in refused.value.items] == [
        "calc.json: calculatedValues[0] (q): a second question or value named 'q'",
        "calc.json: calculatedValues[2] (c): a second question or value named 'c'",
    ]


@pytest.mark.parametrize(
    "title",
    [{"fr": "", "de": "Titel"}, {"default": "", "de": "Titel"}, {"en": "", "de": "Titel"}],
)
def test_a_text_empty_in_one_language_makes_the_same_survey_in_every_one(
    tmp_path: Path, title: dict[str, str]
) -> None:
    """A panel titled in one language only (found by the import fuzz): each language's
    run had or lacked its heading, and joining them was an internal error. An empty
    text reads as the one that is not empty."""
    survey = tmp_path / "panel.json"
    panel = {
        "type": "panel",
        "name": "pn",
        "title": title,
        "elements": [{"type": "text", "name": "q"}],
    }
    survey.write_text(json.dumps({"pages": [{"name": "p", "elements": [panel]}]}), "utf-8")
    definition = import_form(survey).definition
    assert [f.id for f in definition.steps[0].fields] == ["pn", "q"]
    assert definition.steps[0].fields[0].label == "**Titel**"


def test_texts_made_by_the_import_keep_the_format_limits(tmp_path: Path) -> None:
    """Found by the import fuzz: a panel title with Windows line ends (`\\r\\n`) in its
    heading note, and a long survey title as the title of the step the calculated
    values go on, were format-2 refusals at step paths."""
    survey = tmp_path / "texts.json"
    panel = {"type": "panel", "name": "pn", "title": "One\r\ntwo"}
    panel["elements"] = [{"type": "text", "name": "a"}]
    values = [{"name": "c", "expression": "1"}]
    survey.write_text(
        json.dumps({"title": "T" * 300, "elements": [panel], "calculatedValues": values}),
        "utf-8",
    )
    definition = import_form(survey).definition
    assert definition.steps[0].fields[0].label == "**One\ntwo**"
    only_values = tmp_path / "values.json"
    only_values.write_text(
        json.dumps({"title": "T" * 300, "pages": [], "calculatedValues": values}), "utf-8"
    )
    (step,) = import_form(only_values).definition.steps
    assert step.title == "T" * 199 + "…"


def test_a_blank_title_is_no_title(tmp_path: Path) -> None:
    """A survey or page title of blanks (found by the import fuzz) made an empty step
    title, refused at a step path; it is no title, as an absent one."""
    survey = tmp_path / "blank.json"
    page = {"name": "p", "title": "\n\t ", "elements": [{"type": "text", "name": "q"}]}
    values = [{"name": "c", "expression": "1"}]
    survey.write_text(
        json.dumps({"title": " \n ", "pages": [page], "calculatedValues": values}), "utf-8"
    )
    definition = import_form(survey).definition
    assert (definition.title, definition.steps[0].title) == ("blank", "blank")


def test_an_untitled_page_is_titled_as_the_survey(tmp_path: Path) -> None:
    """SurveyJS shows no page heading for an untitled page, the survey's title above
    it: the step is titled so, not with the page's name ("page2"), in every language;
    the step's id stays the page's name."""
    survey = tmp_path / "untitled.json"
    pages = [
        {
            "name": "page1",
            "title": {"default": "First", "de": "Erste"},
            "elements": [{"type": "text", "name": "a"}],
        },
        {"name": "page2", "elements": [{"type": "text", "name": "b"}]},
    ]
    title = {"default": "Trip", "de": "Reise"}
    survey.write_text(json.dumps({"title": title, "pages": pages}), "utf-8")
    definition = import_form(survey).definition
    assert [(s.id, s.title) for s in definition.steps] == [("page1", "First"), ("page2", "Trip")]
    german = localized(definition, "de")
    assert [s.title for s in german.steps] == ["Erste", "Reise"]


def test_the_step_a_survey_without_pages_is_given_is_placed_at_the_survey(
    tmp_path: Path,
) -> None:
    """A survey without pages is one step titled as the survey: a title the format 2
    check refuses (an escape character, found by the import fuzz) is named at the
    survey, not at `steps[0].title`."""
    survey = tmp_path / "nopages.json"
    survey.write_text(json.dumps({"title": "\x1b[31m", "pages": []}), "utf-8")
    with pytest.raises(WizardFileError) as refused:
        import_form(survey)
    assert {p.path for p in refused.value.problems} == {"title", "survey"}
