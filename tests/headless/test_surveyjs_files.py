"""SurveyJS `file` and `signaturepad` questions imported as format 2 attachments, on
small surveys of our own: a file, an image-only file, a signature pad, what is refused
with its place (`allowMultiple`, a default, an accepted type that is none), and the
path and required of file questions with `isRequired`, `requiredIf` and `visibleIf`
against survey-core itself, for `survey.data` holding SurveyJS's own shapes (a list of
`{name, type, content}`, a signature's data URL). `resolve` reads those shapes and
refuses, in one line, a file it cannot read."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.headless.test_surveyjs_dynamic import ask_oracle, oracle, write
from tests.headless.test_surveyjs_import import run_cli
from tests.wizard_files import PNG_1PX
from wizard_desktop.definition.attachments import MAX_SIZE_LIMIT
from wizard_desktop.definition.loader import load_wizard_file
from wizard_desktop.definition.model import Field, FieldType
from wizard_desktop.importers import ImportRefused, import_form
from wizard_desktop.importers.convert import definition_yaml
from wizard_desktop.importers.surveyjs import SurveyDataError, compare_case, survey_answers

__all__ = ["oracle"]  # the module-scoped fixture this file's tests use

PNG_URL = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
PDF = b"%PDF-1.7\n%%EOF\n"
PDF_URL = "data:application/pdf;base64," + base64.b64encode(PDF).decode()

KINDS: dict[str, Any] = {
    "pages": [
        {
            "name": "papers",
            "elements": [
                {
                    "type": "file",
                    "name": "receipt",
                    "title": "Your receipt",
                    "acceptedTypes": ".pdf, image/*",
                    "maxSize": 2_000_000,
                    "storeDataAsText": False,
                    "waitForUpload": True,
                    "allowImagesPreview": False,
                },
                {"type": "file", "name": "photo", "acceptedTypes": "image/*"},
                {"type": "file", "name": "scan", "acceptedTypes": ".png,.JPG"},
                {"type": "file", "name": "anything", "maxSize": 0},
                {"type": "file", "name": "huge", "maxSize": 10**12, "acceptedTypes": ["text/csv"]},
                {"type": "file", "name": "pictures", "acceptedCategories": ["image"]},
                {
                    "type": "signaturepad",
                    "name": "sig",
                    "title": "Sign here",
                    "isRequired": True,
                    "penColor": "#ff0000",
                    "backgroundColor": "#eeeeee",
                    "width": 300,
                    "height": 120,
                    "signatureWidth": 500,
                    "dataFormat": "jpeg",
                },
            ],
        }
    ]
}

# The oracle's survey: required, requiredIf and visibleIf on file questions and on what
# reads them; a page shown only once a file is given.
PAPERS: dict[str, Any] = {
    "pages": [
        {
            "name": "id_page",
            "elements": [
                {"type": "file", "name": "passport", "isRequired": True, "acceptedTypes": ".pdf"},
                {"type": "comment", "name": "why_not", "visibleIf": "{passport} empty"},
                {
                    "type": "file",
                    "name": "photo",
                    "acceptedTypes": "image/png",
                    "visibleIf": "{passport} notempty",
                    "isRequired": True,
                },
                {"type": "text", "name": "caption", "visibleIf": "{photo.length} > 0"},
            ],
        },
        {
            "name": "sign_page",
            "visibleIf": "{photo} notempty",
            "elements": [
                {"type": "signaturepad", "name": "sig", "requiredIf": "{caption} notempty"},
                {"type": "file", "name": "witness", "requiredIf": "{sig} notempty"},
            ],
        },
        {
            "name": "end",
            "elements": [{"type": "text", "name": "done", "visibleIf": "{witness} empty"}],
        },
    ]
}
PASSPORT = [{"name": "passport.pdf", "type": "application/pdf", "content": PDF_URL}]
PHOTO = [{"name": "me.png", "type": "image/png", "content": PNG_URL}]
PAPERS_CASES: list[dict[str, Any]] = [
    {},
    {"passport": PASSPORT},
    {"passport": PASSPORT, "photo": PHOTO},
    {"passport": PASSPORT, "photo": PHOTO, "caption": "me", "sig": PNG_URL},
    {"passport": PASSPORT, "photo": PHOTO, "sig": PNG_URL, "witness": PASSPORT},
    {"passport": [], "photo": PHOTO, "sig": ""},  # empty shapes are unanswered
    {"photo": PHOTO, "caption": "hidden photo: its answer still counts"},
]


def field(result: Any, field_id: str) -> Field:
    found = result.definition.field(field_id)
    assert found is not None, field_id
    return found  # type: ignore[no-any-return]


def test_files_and_signatures_map_to_attachment_fields(tmp_path: Path) -> None:
    result = import_form(write(tmp_path, "kinds.json", KINDS))
    assert result.unsupported == ()
    mapped = {
        f.id: (f.type, f.accept, f.max_size) for f in result.definition.fields if f.id != "sig"
    }
    assert mapped == {
        "receipt": (FieldType.FILE, (".pdf", "image/*"), 2_000_000),
        "photo": (FieldType.IMAGE, (), MAX_SIZE_LIMIT),  # image/*: every image it shows
        "scan": (FieldType.IMAGE, (".png", ".jpg"), MAX_SIZE_LIMIT),
        "anything": (FieldType.FILE, (), MAX_SIZE_LIMIT),  # maxSize 0: no limit there
        "huge": (FieldType.FILE, ("text/csv",), MAX_SIZE_LIMIT),  # lowered to the limit
        # survey-core's "image" category holds .tiff and .svg, which no image field shows
        "pictures": (
            FieldType.FILE,
            (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tiff", ".svg"),
            MAX_SIZE_LIMIT,
        ),
    }
    assert field(result, "receipt").label == "Your receipt"
    sig = field(result, "sig")
    assert (sig.type, sig.label, sig.required) == (FieldType.SIGNATURE, "Sign here", True)


def test_convert_writes_the_attachment_fields_to_a_file_that_loads_the_same(
    tmp_path: Path,
) -> None:
    result = import_form(write(tmp_path, "kinds.json", KINDS))
    converted = tmp_path / "kinds.yaml"
    converted.write_text(definition_yaml(result.definition), encoding="utf-8")
    assert load_wizard_file(converted).to_dict() == result.definition.to_dict()


def test_what_a_file_question_cannot_do_is_refused_with_its_place(tmp_path: Path) -> None:
    survey = {
        "elements": [
            {"type": "text", "name": "before"},
            {"type": "file", "name": "several", "allowMultiple": True, "maxFiles": 3},
            {"type": "file", "name": "given", "defaultValue": PHOTO},
            {"type": "signaturepad", "name": "drawn", "defaultValueExpression": "'x'"},
            {"type": "file", "name": "odd", "acceptedTypes": "image/*, .tar.gz"},
            {"type": "file", "name": "counted", "validators": [{"type": "text", "minLength": 2}]},
            {"type": "file", "name": "kept", "acceptedTypes": ".pdf", "readOnly": True},
        ]
    }
    with pytest.raises(ImportRefused) as refused:
        import_form(write(tmp_path, "files.json", survey))
    assert [str(i) for i in refused.value.items] == [
        "files.json: elements[1] (several): several files in one question cannot be played yet",
        "files.json: elements[2] (given).defaultValue: a file or signature answer takes no default",
        "files.json: elements[3] (drawn).defaultValueExpression: a file or signature answer "
        "takes no default",
        "files.json: elements[4] (odd).acceptedTypes: '.tar.gz' is neither an extension "
        "(.pdf) nor a media type (image/*)",
        "files.json: elements[5] (counted).validators[0]: the validator 'text' is not supported",
    ]
    skipped = import_form(write(tmp_path, "files.json", survey), skip_unsupported=True)
    fields = [f.id for f in skipped.definition.fields]
    assert fields == ["left-out-on-import", "before", "counted", "kept"]  # (its validator left out)
    assert field(skipped, "kept").enabled_if.source == "false"  # type: ignore[union-attr]
    assert "several files in one question" in (skipped.definition.description or "")


def test_file_questions_agree_with_survey_core_on_path_and_required(
    tmp_path: Path, oracle: Path
) -> None:
    result = import_form(write(tmp_path, "papers.json", PAPERS))
    assert result.unsupported == ()
    assert field(result, "caption").visible_if.source == "iif({photo} notempty, 1, 0) > 0"  # type: ignore[union-attr]
    expected = ask_oracle(oracle, PAPERS, PAPERS_CASES)
    # the cases take the paths they are meant to: the oracle sees the files as answers
    assert expected[0]["pages"] == ["id_page", "end"]
    assert expected[1]["questions"] == ["passport", "photo", "done"]
    assert expected[3]["required"] == ["passport", "photo", "sig", "witness"]
    assert expected[4]["required"] == ["passport", "photo", "witness"]
    assert "done" not in expected[4]["questions"]
    assert expected[5]["questions"][:2] == ["passport", "why_not"]
    disagreeing = {
        i: diff
        for i, (answers, wanted) in enumerate(zip(PAPERS_CASES, expected, strict=True))
        if (diff := compare_case(result, answers, wanted))
    }
    assert disagreeing == {}


def test_survey_data_files_read_as_references_to_their_contents(tmp_path: Path) -> None:
    definition = import_form(write(tmp_path, "papers.json", PAPERS)).definition
    answers = survey_answers(definition, PAPERS_CASES[3])
    assert answers["passport"] == {
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "name": "passport.pdf",
        "size": len(PDF),
        "type": "application/pdf",
    }
    assert answers["sig"] == {
        "sha256": hashlib.sha256(PNG_1PX).hexdigest(),
        "name": "signature.png",
        "size": len(PNG_1PX),
        "type": "image/png",
    }
    text = [{"name": "a.txt", "type": "text/plain", "content": "data:text/plain,h%C3%A9"}]
    assert survey_answers(definition, {"witness": text})["witness"]["size"] == 3  # type: ignore[index]
    assert survey_answers(definition, PAPERS_CASES[5]) == {
        "passport": None,
        "photo": survey_answers(definition, PAPERS_CASES[2])["photo"],
        "sig": None,
    }
    for wrong, message in [
        ({"photo": [{"name": "me.png", "content": "https://x/me.png"}]}, "its content a data:"),
        ({"photo": [{"content": PNG_URL}]}, "its content a data:"),
        ({"photo": PHOTO * 2}, "photo: 2 files; this question takes one"),
        ({"sig": "https://x/sig.png"}, "sig: a signature answer is read as a data: URL"),
        ({"sig": "data:image/png;base64,%%%"}, "a data: URL"),
    ]:
        with pytest.raises(SurveyDataError, match=message.replace("[", r"\[")):
            survey_answers(definition, wrong)


def test_resolve_takes_survey_data_files_and_refuses_what_it_cannot_read(
    tmp_path: Path,
) -> None:
    survey = write(tmp_path, "papers.json", PAPERS)
    given = tmp_path / "data.json"

    def resolve(data: object) -> Any:
        given.write_text(json.dumps(data), encoding="utf-8")
        return run_cli("resolve", str(survey), "--answers", str(given), data_dir=tmp_path)

    done = resolve(PAPERS_CASES[3])
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["pages"] == ["id_page", "sign_page", "end"]
    assert printed["required"] == ["passport", "photo", "sig", "witness"]
    assert printed["problems"] == {}
    link = resolve({"passport": [{"name": "p.pdf", "type": "application/pdf", "content": "x"}]})
    assert link.returncode == 2 and link.stdout == ""
    assert link.stderr.splitlines() == [
        f"wizard-desktop: error: --answers {given}: passport: a file answer is read as "
        "[{name, type, content}], its content a data: URL"
    ]
    wrong_type = resolve({"passport": PHOTO})  # the survey takes .pdf only
    assert wrong_type.returncode == 2
    assert wrong_type.stderr.splitlines() == [
        f"wizard-desktop: error: --answers {given}: passport: this field takes .pdf, not image/png"
    ]
