"""A wizard in several languages (format 2), Qt-free: the file's rules (with the line and
column of each problem), the canonical form and its hash, a definition in one of its
languages and `{field}` texts in it, which language a locale picks, the session's
language (stored, used by the exports, the sessions spreadsheet and the report, read
back from the PDF with poppler) and the migration that adds it, keeping every session."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest

from tests.headless.test_report import run
from tests.report_files import pdf_text
from wizard_desktop.core.export import export_session
from wizard_desktop.core.report import session_report
from wizard_desktop.core.session_list import SessionListQuery
from wizard_desktop.core.sessions import (
    complete_session,
    get_session,
    load_session,
    set_session_language,
    start_session,
)
from wizard_desktop.core.sessions_export import SessionsExport, export_sessions
from wizard_desktop.core.wizards import import_wizard_file
from wizard_desktop.definition.languages import best_language, is_language_code, localized
from wizard_desktop.definition.loader import (
    WizardFileError,
    definition_from_dict,
    parse_wizard_text,
)
from wizard_desktop.definition.logic import wizard_logic
from wizard_desktop.store.database import close_database, open_database
from wizard_desktop.store.files import database_path

WIZARD = """\
format_version: 2
id: travel
languages: [en, de, fr]
default_language: en
title: {en: Travel request, de: Reiseantrag, fr: Demande de voyage}
description: {en: Before you go., de: Vor der Reise.}
steps:
  - id: trip
    title: {en: "Trip of {name}", de: "Reise von {name}", fr: "Voyage de {name}"}
    fields:
      - id: name
        type: text
        label: {en: Your name, de: Ihr Name, fr: Votre nom}
        pattern: "[A-Za-z ]+"
        pattern_message: {en: Letters only., de: Nur Buchstaben.}
        placeholder: {en: e.g. Ada, de: z. B. Ada}
      - id: nights
        type: number
        label: {en: Nights, de: Nächte}
        unit: {en: nights, de: Nächte}
        constraint: "{nights} < 15"
        constraint_message: {en: At most 14., de: Höchstens 14.}
      - id: mode
        type: choice
        label: {en: Travel by, de: Reise mit}
        help: {en: "The cheapest, {name}.", de: "Das Günstigste, {name}."}
        options:
          - {value: train, label: {en: Train, de: Zug, fr: Train}}
          - {value: plane, label: {en: Plane, de: Flugzeug}}
      - {id: info, type: note, label: {en: "**Note** for {name}", de: "**Hinweis** für {name}"}}
"""


def load(text: str):  # type: ignore[no-untyped-def]
    return parse_wizard_text(text, "w.yaml", "yaml")


def problems(text: str) -> list[str]:
    with pytest.raises(WizardFileError) as caught:
        load(text)
    return [str(p) for p in caught.value.problems]


def test_every_text_may_be_a_map_and_the_model_keeps_the_default() -> None:
    definition = load(WIZARD)
    assert definition.languages == ("en", "de", "fr")
    assert definition.default_language == "en"
    assert definition.title == "Travel request"
    name = definition.field("name")
    assert (
        name is not None and name.label == "Your name" and name.pattern_message == "Letters only."
    )
    german = localized(definition, "de")
    assert german.title == "Reiseantrag" and german.description == "Vor der Reise."
    fields = {f.id: f for f in german.fields}
    assert fields["name"].label == "Ihr Name"
    assert fields["name"].placeholder == "z. B. Ada"
    assert fields["name"].pattern_message == "Nur Buchstaben."
    assert (
        fields["nights"].unit == "Nächte" and fields["nights"].constraint_message == "Höchstens 14."
    )
    assert [o.label for o in fields["mode"].options] == ["Zug", "Flugzeug"]
    french = localized(german, "fr")  # from any language: a text without fr is the default's
    assert french.title == "Demande de voyage" and french.description == "Before you go."
    assert [o.label for o in french.fields[2].options] == ["Train", "Plane"]
    assert localized(french, "en") is definition
    assert localized(definition, "de") is german  # built once
    assert localized(definition, None) is definition
    assert localized(definition, "it") is definition  # a language it lacks: the default
    assert german.text_language == "de" and definition.text_language is None


def test_translations_are_part_of_the_canonical_form_and_the_hash() -> None:
    definition = load(WIZARD)
    data = definition.to_dict()
    assert data["languages"] == ["en", "de", "fr"] and data["default_language"] == "en"
    assert data["steps"][0]["fields"][2]["options"][1]["label"] == {"en": "Plane", "de": "Flugzeug"}
    again = definition_from_dict(json.loads(definition.canonical_json()))
    assert again == definition and again.content_hash() == definition.content_hash()
    assert localized(definition, "de").content_hash() == definition.content_hash()
    changed = load(WIZARD.replace("de: Flugzeug", "de: Flieger"))
    assert changed.content_hash() != definition.content_hash()
    plain = load(WIZARD.split("languages:")[0] + "title: T\nsteps: [{id: a, title: A}]\n")
    assert "languages" not in plain.to_dict()


def test_interpolation_renders_in_the_chosen_language() -> None:
    definition = load(WIZARD)
    for language, title, help_text, note in (
        ("en", "Trip of Ada", "The cheapest, Ada.", "**Note** for Ada"),
        ("de", "Reise von Ada", "Das Günstigste, Ada.", "**Hinweis** für Ada"),
        ("fr", "Voyage de Ada", "The cheapest, Ada.", "**Note** for Ada"),
    ):
        texts = wizard_logic(localized(definition, language)).resolve({"name": "Ada"}).texts
        assert texts[("trip", "title")] == title
        assert texts[("mode", "help")] == help_text
        assert texts[("info", "label")] == note
    german = localized(definition, "de")
    resolution = wizard_logic(german).resolve({"name": "Ada", "nights": 20})
    assert resolution.problems["nights"] == "Höchstens 14."


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            (
                "title: {en: Travel request, de: Reiseantrag, fr: Demande de voyage}",
                "title: {de: Reise}",
            ),
            "w.yaml:5: title: no text in the default language 'en' (default_language)",
        ),
        (
            ("label: {en: Nights, de: Nächte}", "label: {en: Nights, it: Notti}"),
            'w.yaml:19: steps[0].fields[1].label.it: "it" is not one of the wizard\'s languages '
            "(en, de, fr)",
        ),
        (
            ('"Reise von {name}"', '"Reise von {nmae}"'),
            "w.yaml:9:50: steps[0].title.de: unknown field {nmae}; did you mean {name}?",
        ),
        (("languages: [en, de, fr]", "languages: [en, de, 'f r']"), "w.yaml:3: languages[2]: "),
        (("languages: [en, de, fr]", "languages: [en, de, DE]"), "duplicate language 'DE'"),
        (("default_language: en", "default_language: it"), 'w.yaml:4: default_language: "it"'),
        (("languages: [en, de, fr]", "languages: []"), "expected a non-empty list"),
        (("de: Zug", "de: ''"), "steps[0].fields[2].options[0].label.de: must not be empty"),
        (("de: Zug", f"de: {'z' * 300}"), "options[0].label.de: too long (300 characters)"),
        (("de: Zug", "de: [Zug]"), "label.de: expected text"),
    ],
)
def test_a_wrong_text_map_is_one_clear_line_with_its_place(
    change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in WIZARD
    found = problems(WIZARD.replace(old, new, 1))
    assert any(expected in line for line in found), found


def test_maps_need_languages_and_format_2() -> None:
    without = WIZARD.replace("languages: [en, de, fr]\ndefault_language: en\n", "")
    assert any(
        "title: a text in several languages needs 'languages' at the top level" in line
        for line in problems(without)
    )
    version_1 = WIZARD.replace("format_version: 2", "format_version: 1")
    found = problems(version_1)
    assert any("languages: 'languages' needs format_version: 2" in line for line in found), found
    assert any("title: expected text, got a mapping" in line for line in found), found
    many = "[" + ", ".join(f"l{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(60)) + "]"
    assert any(
        "too many languages (60)" in line for line in problems(WIZARD.replace("[en, de, fr]", many))
    )


def test_language_codes_and_what_a_locale_picks() -> None:
    assert all(is_language_code(c) for c in ("en", "de-CH", "pt-BR", "zh-Hant-TW", "es-419"))
    assert not any(is_language_code(c) for c in ("", "e", "english", "de_CH", "de-", "x" * 30))
    languages = ("en", "de", "fr-CA", "pt-BR")
    assert best_language(languages, ["de_CH", "en"]) == "de"
    assert best_language(languages, ["fr-FR"]) == "fr-CA"
    assert best_language(languages, ["PT-br"]) == "pt-BR"
    assert best_language(languages, ["it-IT", "en-GB"]) == "en"
    assert best_language(languages, ["it"]) is None


def _travel_session(data_dir: Path, tmp_path: Path, language: str | None) -> str:
    path = tmp_path / "travel.yaml"
    path.write_text(WIZARD, encoding="utf-8")
    import_wizard_file(path)
    session = start_session("travel", "Trip")
    if language is not None:
        set_session_language(session.id, language)
    complete_session(session.id, "trip", {"name": "Ada", "nights": 3, "mode": "plane"})
    return session.id


def test_the_session_language_is_stored_and_read_by_the_exports(
    store: Path, tmp_path: Path
) -> None:
    german = _travel_session(store, tmp_path, "de")
    default = _travel_session(store, tmp_path, None)
    assert get_session(german).language == "de" and get_session(default).language is None
    document = json.loads(export_session(german, "json"))
    assert document["language"] == "de" and document["answers"]["mode"] == "plane"
    rows = list(csv.DictReader(io.StringIO(export_session(german, "csv"))))
    assert [(r["label"], r["answer"]) for r in rows] == [
        ("Ihr Name", "Ada"),
        ("Nächte", "3 Nächte"),
        ("Reise mit", "Flugzeug"),
    ]
    rows = list(csv.DictReader(io.StringIO(export_session(default, "csv"))))
    assert [r["answer"] for r in rows] == ["Ada", "3 nights", "Plane"]
    assert "language" not in json.loads(export_session(default, "json"))
    assert load_session(german).definition.title == "Reiseantrag"

    target = tmp_path / "all.csv"
    query = SessionListQuery(wizard_id="travel")
    export_sessions(SessionsExport(query, "csv", labels=True), target)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        header, labels, *sessions = list(csv.reader(handle))
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in sessions}
    assert by_id[german]["mode"] == "Flugzeug" and by_id[default]["mode"] == "Plane"
    assert labels[header.index("mode")] == "Travel by"  # one header row: the default

    with pytest.raises(ValueError, match="no language 'it'"):
        set_session_language(start_session("travel").id, "it")


def test_the_report_is_in_the_session_language(data_dir: Path, tmp_path: Path) -> None:
    open_database(data_dir)
    try:
        session_id = _travel_session(data_dir, tmp_path, "de")
        report = session_report(session_id)
        assert report.wizard_title == "Reiseantrag"
        assert [line.label for line in report.steps[0].lines] == [
            "Ihr Name",
            "Nächte",
            "Reise mit",
            "**Hinweis** für Ada",
        ]
        assert report.steps[0].title == "Reise von Ada"
    finally:
        close_database()
    target = tmp_path / "report.pdf"
    result = run(data_dir, "report", session_id, "--output", str(target), locale="en_US.UTF-8")
    assert result.returncode == 0, result.stderr
    text = pdf_text(target)
    for expected in ("Reiseantrag", "Ihr Name", "Nächte", "Reise mit", "Flugzeug"):
        assert expected in text, expected
    assert "Travel by" not in text and "Plane" not in text


def test_the_migration_from_the_current_schema_keeps_every_session(data_dir: Path) -> None:
    database = open_database(data_dir)
    database.execute_sql("DELETE FROM schema_migration WHERE name = '0007_session_language'")
    database.execute_sql("ALTER TABLE session DROP COLUMN language")
    close_database()
    path = database_path(data_dir)
    with sqlite3.connect(path) as old:  # a session of the schema before, with answers
        old.execute(
            "INSERT INTO wizard (id, title, completed_count, imported_at)"
            " VALUES ('w', 'W', 0, '2026-01-01T00:00:00+00:00')"
        )
        old.execute(
            "INSERT INTO wizard_version (wizard_id, content_hash, definition, imported_at)"
            " VALUES ('w', 'h', '{}', '2026-01-01T00:00:00+00:00')"
        )
        old.execute(
            "INSERT INTO session (id, name, wizard_id, version_id, status, completed_step_ids,"
            " progress_percentage, started_at, updated_at, active_seconds)"
            " VALUES ('s1', 'Old', 'w', 1, 'in_progress', '[]', 50.0,"
            " '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', 12.5)"
        )
        old.execute(
            "INSERT INTO answer (session_id, field_id, value, updated_at)"
            " VALUES ('s1', 'name', '\"Ada\"', '2026-01-01T00:00:00+00:00')"
        )
    old.close()
    open_database(data_dir)
    try:
        info = get_session("s1")
        assert (info.name, info.progress_percentage, info.language) == ("Old", 50.0, None)
        from wizard_desktop.store.database import db

        assert db.execute_sql("SELECT field_id, value FROM answer").fetchall() == [
            ("name", '"Ada"')
        ]
        applied = {name for (name,) in db.execute_sql("SELECT name FROM schema_migration")}
        assert "0007_session_language" in applied
    finally:
        close_database()


def test_the_bundled_expense_claim_is_in_english_and_german() -> None:
    from wizard_desktop.definition.loader import load_wizard_file
    from wizard_desktop.paths import bundled_wizards_dir

    definition = load_wizard_file(bundled_wizards_dir() / "expense-claim.yaml")
    assert definition.languages == ("en", "de") and definition.default_language == "en"
    assert all(dict(texts).keys() == {"en", "de"} for _path, texts in definition.translations)
    german = localized(definition, "de")
    english_texts = {f.label for f in definition.fields} | {s.title for s in definition.steps}
    german_texts = {f.label for f in german.fields} | {s.title for s in german.steps}
    assert not english_texts & german_texts  # every title and label is translated
    texts = wizard_logic(german).resolve({"transport": 100, "tax_rate": 21}).texts
    assert texts[("total_note", "label")].startswith("Ihre Abrechnung beträgt **121 EUR**")


def test_the_format_documentation_example_loads(tmp_path: Path) -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "wizard-format.md"
    (example,) = re.findall(r"```yml\n(.*?)```", doc.read_text(encoding="utf-8"), flags=re.S)
    definition = load(example)
    german = localized(definition, "de")
    assert (german.title, german.steps[0].fields[1].label) == ("Reiseantrag", "Travel by")
    assert german.steps[0].fields[1].options[0].label == "Zug"


def test_sql_over_stored_versions_reads_the_session_or_default_language(store: Path) -> None:
    from wizard_desktop.core.session_list import fetch_page
    from wizard_desktop.core.stats import wizard_stats

    session = start_session("expense-claim")
    set_session_language(session.id, "de")
    (row,) = fetch_page(SessionListQuery(wizard_id="expense-claim"), after=None, limit=5)
    assert row.current_step_title == "Ihre Abrechnung"  # the list: the session's language
    funnel = wizard_stats("expense-claim").funnel
    assert [s.title for s in funnel][:2] == ["Your claim", "The trip"]
