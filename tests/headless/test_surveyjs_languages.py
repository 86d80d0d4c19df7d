"""SurveyJS surveys in several languages and with a start page, imported into format 2:
localized strings (`{"default": …, "de": …}`) as language maps, the default language
(`locale`, else survey-core's default locale `en`), each language's texts against
survey-core's own reading of them, and the real translated surveys of ../shared/realforms
importing without --skip-unsupported and agreeing with every stored oracle case; a start
page (`firstPageIsStarted`) as a start step: checked and stored, not on the path."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.headless.test_surveyjs_import import REALFORMS, run_cli
from tests.oracle.survey_core import run_oracle
from wizard_desktop.core.export import export_session
from wizard_desktop.core.sessions import (
    InvalidAnswersError,
    complete_session,
    load_session,
    save_step,
    start_session,
)
from wizard_desktop.core.wizards import import_wizard_file
from wizard_desktop.definition.languages import localized
from wizard_desktop.definition.loader import WizardFileError, definition_from_dict, load_wizard_file
from wizard_desktop.definition.model import FieldType, WizardDefinition
from wizard_desktop.importers import ImportRefused, import_form
from wizard_desktop.importers.convert import definition_yaml
from wizard_desktop.importers.surveyjs import compare_case
from wizard_desktop.store.database import close_database, open_database

TRANSLATED = ("medical-service-feedback.json", "melinda-mobility.json")

COLOURS = {
    "title": {"default": "Colours", "de": "Farben"},
    "pages": [
        {
            "name": "p1",
            "title": {"default": "Your colour", "de": "Ihre Farbe", "de-ch": "Ihri Farb"},
            "elements": [
                {
                    "type": "radiogroup",
                    "name": "colour",
                    "title": {"default": "Which colour?", "de": "Welche Farbe?"},
                    "description": {"default": "Pick one", "fr": "Choisissez"},
                    "choices": [
                        {"value": "red", "text": {"default": "Red", "de": "Rot", "fr": "Rouge"}},
                        {"value": "blue", "text": {"default": "Blue", "de": ""}},
                        "green|Green",
                    ],
                    "showOtherItem": True,
                    "otherText": {"default": "Another", "de": "Eine andere"},
                },
                {
                    "type": "text",
                    "name": "why",
                    "title": "Why?",
                    "placeholder": {"default": "Because…", "de": "Weil…"},
                    "validators": [
                        {
                            "type": "expression",
                            "expression": "{why} notempty",
                            "text": {"default": "Say why", "de": "Sagen Sie warum"},
                        }
                    ],
                },
            ],
        }
    ],
}


def _write(tmp_path: Path, survey: object, name: str = "survey.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(survey), encoding="utf-8")
    return path


def _labels(definition: WizardDefinition, language: str) -> dict[str, object]:
    d = localized(definition, language)
    colour, why = d.field("colour"), d.field("why")
    assert colour is not None and why is not None
    return {
        "title": d.title,
        "step": d.steps[0].title,
        "colour": colour.label,
        "help": colour.help,
        "options": [o.label for o in colour.options],
        "placeholder": why.placeholder,
        "message": why.constraint_message,
    }


def test_localized_strings_become_language_maps(tmp_path: Path) -> None:
    result = import_form(_write(tmp_path, COLOURS))
    definition = result.definition
    assert result.unsupported == ()
    # "default" is survey-core's default locale, English; then the others, sorted
    assert definition.languages == ("en", "de", "de-CH", "fr")
    assert definition.default_language == "en"
    assert _labels(definition, "en") == {
        "title": "Colours",
        "step": "Your colour",
        "colour": "Which colour?",
        "help": "Pick one",
        "options": ["Red", "Blue", "Green", "Another"],
        "placeholder": "Because…",
        "message": "Say why",
    }
    assert _labels(definition, "de") == {
        "title": "Farben",
        "step": "Ihre Farbe",
        "colour": "Welche Farbe?",
        "help": "Pick one",  # no German: the default text, as survey-core shows it
        "options": ["Rot", "Blue", "Green", "Eine andere"],  # "" is no text
        "placeholder": "Weil…",
        "message": "Sagen Sie warum",
    }
    # de-CH: its own text, else its root dialect's (de), else the default's
    swiss = _labels(definition, "de-CH")
    assert swiss["step"] == "Ihri Farb" and swiss["colour"] == "Welche Farbe?"
    assert _labels(definition, "fr")["options"] == ["Rouge", "Blue", "Green", "Another"]
    # the maps are in the format-2 data (and so in the canonical JSON and the hash)
    step = result.data["steps"][0]  # type: ignore[index]
    assert step["title"] == {"en": "Your colour", "de": "Ihre Farbe", "de-CH": "Ihri Farb"}
    # a text the same in every language stays a plain string
    assert step["fields"][2]["label"] == "Why?"


def test_the_locale_of_a_survey_is_its_default_language(tmp_path: Path) -> None:
    survey = {
        "locale": "de",
        "pages": [
            {
                "name": "p1",
                "elements": [
                    {"type": "text", "name": "a", "title": {"default": "Name", "de": "Vorname"}},
                    {"type": "text", "name": "b", "title": {"default": "Town"}},
                ],
            }
        ],
    }
    definition = import_form(_write(tmp_path, survey)).definition
    assert definition.languages == ("de", "en")
    assert definition.default_language == "de"
    assert [f.label for f in definition.fields] == ["Vorname", "Town"]
    assert [f.label for f in localized(definition, "en").fields] == ["Name", "Town"]


def test_a_survey_without_translations_has_no_languages(tmp_path: Path) -> None:
    survey = {
        "elements": [
            {"type": "text", "name": "a", "title": {"default": "Name"}},
            {"type": "dropdown", "name": "b", "choices": [{"value": 1, "text": "One"}]},
        ]
    }
    definition = import_form(_write(tmp_path, survey)).definition
    assert definition.languages == ()
    assert [f.label for f in definition.fields] == ["Name", "b"]


def test_a_text_in_something_that_is_no_language_is_refused_with_its_place(
    tmp_path: Path,
) -> None:
    survey = {
        "elements": [
            {"type": "text", "name": "a", "title": {"default": "Name", "not a language": "x"}}
        ]
    }
    with pytest.raises(ImportRefused) as refused:
        import_form(_write(tmp_path, survey))
    assert [str(i) for i in refused.value.items] == [
        "survey.json: elements[0].title: 'not a language' is not a language code a text "
        "can be given in"
    ]


def test_convert_keeps_the_languages(tmp_path: Path) -> None:
    result = import_form(_write(tmp_path, COLOURS))
    out = tmp_path / "colours.yaml"
    out.write_text(definition_yaml(result.definition), encoding="utf-8")
    again = load_wizard_file(out)
    assert again.to_dict() == result.definition.to_dict()
    assert localized(again, "de").steps[0].title == "Ihre Farbe"


def _survey_core_texts(survey: object, languages: tuple[str, ...], default: str) -> object:
    locales = ["" if code == default else code.lower() for code in languages]
    read = run_oracle("localized_texts.mjs", {"survey": survey, "locales": locales})
    assert isinstance(read, dict)
    return {code: read[locale] for code, locale in zip(languages, locales, strict=True)}


def _same_text(ours: str, theirs: str) -> bool:
    """Ours is theirs on one line, or its start when theirs is over the format's limit
    (cut with "…")."""
    line = " ".join(theirs.split())
    return ours == line or (ours.endswith("…") and line.startswith(ours[:-1]))


@pytest.mark.parametrize("name", [*TRANSLATED, "colours"])
def test_every_language_reads_as_survey_core_reads_it(name: str, tmp_path: Path) -> None:
    path = REALFORMS / "surveyjs" / name if name != "colours" else _write(tmp_path, COLOURS)
    survey = json.loads(path.read_text(encoding="utf-8"))
    definition = import_form(path).definition
    assert len(definition.languages) >= 2
    texts = _survey_core_texts(survey, definition.languages, definition.default_language or "")
    assert isinstance(texts, dict)
    compared = 0
    for language in definition.languages:
        ours = localized(definition, language)
        theirs = texts[language]
        for step in ours.steps:
            title = theirs["pages"].get(step.id)
            if title:
                assert _same_text(step.title, title), (language, step.id)
                compared += 1
        for f in ours.fields:
            question = theirs["questions"].get(f.id)
            if question is None or f.type in (FieldType.NOTE, FieldType.CALCULATED):
                continue
            if question["title"] and "{" not in question["title"]:
                assert _same_text(f.label, question["title"]), (language, f.id)
                compared += 1
            for option, text in zip(f.options, question.get("choices", []), strict=False):
                if text:
                    assert _same_text(option.label, text), (language, f.id, option.value)
                    compared += 1
    assert compared > 4 * len(definition.languages)


@pytest.mark.parametrize("name", TRANSLATED)
def test_the_real_translated_surveys_import_whole_and_agree_with_the_oracle(name: str) -> None:
    path = REALFORMS / "surveyjs" / name
    result = import_form(path)  # no --skip-unsupported
    assert result.unsupported == ()
    assert len(result.definition.languages) >= 2
    cases = json.loads((REALFORMS / "surveyjs-cases" / name).read_text())
    assert len(cases) == 20
    disagreeing = {}
    for index, case in enumerate(cases):
        # in every language: the logic does not depend on the texts
        for language in result.definition.languages:
            shown = type(result)(
                localized(result.definition, language), (), result.data, result.added
            )
            diff = compare_case(shown, case["answers"], case["expected"])
            if diff:
                disagreeing[(index, language)] = diff
    assert disagreeing == {}


# --- the start page (firstPageIsStarted) -----------------------------------------

INTAKE = {
    "title": "Intake",
    "firstPageIsStarted": True,
    "pages": [
        {
            "name": "welcome",
            "elements": [
                {"type": "html", "name": "hello", "html": "<p>Welcome</p>"},
                {"type": "text", "name": "who", "isRequired": True},
                {"type": "boolean", "name": "returning"},
            ],
        },
        {
            "name": "visit",
            "elements": [
                {"type": "comment", "name": "reason", "isRequired": True},
                {"type": "text", "name": "last", "visibleIf": "{returning} = true"},
            ],
        },
        {"name": "end", "elements": [{"type": "text", "name": "remark"}]},
    ],
}


def test_a_start_page_is_a_start_step_that_is_no_step_of_the_path(
    tmp_path: Path, data_dir: Path
) -> None:
    path = _write(tmp_path, INTAKE, "intake.json")
    result = import_form(path)  # no --skip-unsupported: nothing is left out
    definition = result.definition
    assert result.unsupported == ()
    assert [(s.id, s.start) for s in definition.steps] == [
        ("welcome", True),
        ("visit", False),
        ("end", False),
    ]
    assert definition.start_step is definition.steps[0]
    assert result.data["steps"][0]["start"] is True  # type: ignore[index]
    # resolve: the start step's fields apart, as survey-core leaves the start page out
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"who": "Ada", "returning": True}))
    done = run_cli("resolve", str(path), "--answers", str(answers), data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["steps"] == ["visit", "end"]
    assert printed["fields"] == ["reason", "last", "remark"]
    assert printed["required"] == ["reason"]
    assert printed["start_fields"] == ["hello", "who", "returning"]
    assert printed["start_required"] == ["who"]
    # survey-core: the start page is not among the visible pages, and its Start button
    # goes on only once the start page's required question is answered
    runs = run_oracle(
        "start_page.mjs",
        [{"survey": INTAKE, "data": {}}, {"survey": INTAKE, "data": {"who": "Ada"}}],
    )
    assert isinstance(runs, list)
    assert [(r["start"], r["pages"], r["started"]) for r in runs] == [
        ("welcome", ["visit", "end"], False),
        ("welcome", ["visit", "end"], True),
    ]


def test_the_start_step_is_checked_stored_and_exported_but_not_counted(
    tmp_path: Path, data_dir: Path
) -> None:
    open_database(data_dir)
    try:
        wizard_id = import_wizard_file(_write(tmp_path, INTAKE, "intake.json")).wizard_id
        session = start_session(wizard_id)
        # Next on the start step checks it, as SurveyJS's Start button validates the page
        with pytest.raises(InvalidAnswersError) as refused:
            save_step(session.id, "welcome", {"who": None, "returning": False})
        assert set(refused.value.problems) == {"who"}
        saved = save_step(session.id, "welcome", {"who": "Ada", "returning": True})
        assert saved.progress_percentage == 0.0  # the start step is no step of it
        saved = save_step(session.id, "visit", {"reason": "Check-up", "last": "May"})
        assert saved.progress_percentage == 50.0
        complete_session(session.id, "end", {"remark": None})
        state = load_session(session.id)
        assert state.info.progress_percentage == 100.0
        assert state.answers["who"] == "Ada" and state.answers["returning"] is True
        exported = json.loads(export_session(session.id, "json"))
        assert "Ada" in json.dumps(exported)  # the start page's answers are the session's
    finally:
        close_database()


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([{"id": "a", "title": "A", "start": True}], "a start step needs a step after it"),
        (
            [{"id": "a", "title": "A"}, {"id": "b", "title": "B", "start": True}],
            "only the first step can be the start step",
        ),
        (
            [
                {"id": "a", "title": "A", "start": True, "visible_if": "true"},
                {"id": "b", "title": "B"},
            ],
            "a start step always shows",
        ),
        ([{"id": "a", "title": "A", "start": "yes"}, {"id": "b", "title": "B"}], "true or false"),
    ],
)
def test_a_start_step_is_the_first_of_several(steps: list[object], message: str) -> None:
    data = {"format_version": 2, "id": "w", "title": "W", "steps": steps}
    with pytest.raises(WizardFileError) as error:
        definition_from_dict(data, "w.yaml")
    assert message in str(error.value)
    # format 1 has no start step
    one = {
        "format_version": 1,
        "id": "w",
        "title": "W",
        "steps": [{"id": "a", "title": "A", "start": True}],
    }
    with pytest.raises(WizardFileError):
        definition_from_dict(one, "w.yaml")


def test_mental_health_intake_imports_its_start_page_and_agrees_with_the_oracle(
    tmp_path: Path, data_dir: Path
) -> None:
    name = "mental-health-intake.json"
    path = REALFORMS / "surveyjs" / name
    result = import_form(path)  # no --skip-unsupported
    assert result.unsupported == ()
    start = result.definition.start_step
    assert start is not None and start.id == "page1"
    assert "Are you currently" in {f.id for f in start.fields}
    cases = json.loads((REALFORMS / "surveyjs-cases" / name).read_text())
    assert len(cases) == 20
    assert {
        i: d
        for i, c in enumerate(cases)
        if (d := compare_case(result, c["answers"], c["expected"]))
    } == {}
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(cases[5]["answers"]))
    done = run_cli("resolve", str(path), "--answers", str(answers), data_dir=data_dir)
    printed = json.loads(done.stdout)
    assert printed["steps"] == cases[5]["expected"]["pages"]
    assert "Are you currently" in printed["start_fields"]


def test_a_start_step_fits_the_published_schema() -> None:
    """`start` is in resources/wizard-format-v2.schema.json (on a step, a boolean)."""
    schema = json.loads(
        (
            Path(__file__).resolve().parents[2] / "resources" / "wizard-format-v2.schema.json"
        ).read_text(encoding="utf-8")
    )
    validator = jsonschema.Draft202012Validator(schema)
    steps = [
        {"id": "welcome", "title": "Welcome", "start": True, "fields": []},
        {"id": "visit", "title": "Visit", "fields": []},
    ]
    data = {"format_version": 2, "id": "intake", "title": "Intake", "steps": steps}
    definition = definition_from_dict(data, "intake.yaml")
    validator.validate(json.loads(definition.canonical_json()))
    steps[0]["start"] = "yes"
    assert not validator.is_valid(data)


def test_languages_beyond_what_its_size_allows_are_refused_before_mapping_each(
    tmp_path: Path,
) -> None:
    """A survey is mapped once per language: 51 languages, or a large survey in many,
    is refused in one line (the work is bounded: JSON values x languages)."""
    codes = [f"{a}{b}" for a in "bcdfg" for b in "aeiouyhjkl"][:50]
    many = {"default": "T", **{code: f"T {code}" for code in codes}}
    small = {"title": many, "elements": [{"type": "text", "name": "q"}]}
    with pytest.raises(ImportRefused) as refused:
        import_form(_write(tmp_path, small, "many.json"))
    assert [str(i) for i in refused.value.items] == [
        "many.json: survey: texts in 51 languages; a survey of this size (5 JSON values) "
        "is played in at most 50"
    ]
    questions = [
        {"type": "text", "name": f"q{i}", "title": "Question", "description": "d"}
        for i in range(40_000)
    ]
    large = {
        "title": {"default": "T", **{code: f"T {code}" for code in codes[:10]}},
        "pages": [
            {"name": f"p{i}", "elements": questions[i * 200 : (i + 1) * 200]} for i in range(200)
        ],
    }
    with pytest.raises(ImportRefused) as refused:
        import_form(_write(tmp_path, large, "large.json"))
    (item,) = refused.value.items
    assert "texts in 11 languages; a survey of this size" in str(item)
    assert str(item).endswith(
        "(200,602 JSON values) is played in at most 4"
    )  # 1,000,000 // 200,602
