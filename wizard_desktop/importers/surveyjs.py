"""SurveyJS JSON to a format-2 wizard.

`import_surveyjs(path)` reads a survey (bounded size and nesting, checked before the
JSON parser recurses), maps it onto the format-2 data of a wizard file and validates
that data with the same validator as a YAML file, so every limit and check applies.
Pages are steps (a page's `visibleIf` its `visible_if`; with `firstPageIsStarted` the
start page is a start step, `_start_step`); localized strings are language maps
(`translated_wizard`); panels are
flattened into their page with a note as heading, the panel's `visibleIf` joined with
`and` onto every field inside; question names are field ids verbatim
(`imported_from: surveyjs`), and a page with no visible question is skipped
(`hide_empty_steps`). What cannot be played becomes an `UnsupportedItem` with its
place (`pages[3].elements[1] (q7)`), and the refusal rule of `common` applies.
`survey_answers` turns `survey.data` into the wizard's answers. A `file` question is
a `file` or `image` field, a `signaturepad` a `signature` (`attachment`).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import os
import re
import urllib.parse
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from wizard_desktop.definition.attachments import (
    ACCEPT_PATTERN,
    ATTACHMENT_TYPES,
    IMAGE_TYPES,
    MAX_ACCEPT_ITEMS,
    MAX_SIZE_LIMIT,
    SIGNATURE_NAME,
    attachment_value,
    media_type,
)
from wizard_desktop.definition.expressions import ExpressionError, parse_expression
from wizard_desktop.definition.fileformat import (
    MAX_LANGUAGES,
    MAX_RATING_POINTS,
    TEXT_LIMITS,
    TRANSLATABLE_KEYS,
)
from wizard_desktop.definition.languages import is_language_code
from wizard_desktop.definition.model import IMPORTED_ID_PATTERN, FieldType, WizardDefinition
from wizard_desktop.definition.problems import Problem, WizardFileError
from wizard_desktop.definition.reading import SourceError, decode, read_json
from wizard_desktop.definition.repeats import expand_for, flattened, split_path
from wizard_desktop.importers.common import (
    ImportResult,
    UnsupportedItem,
    read_source,
    record_left_out,
    refuse_unless_skipped,
    source_pages,
    validated,
)
from wizard_desktop.importers.surveyjs_dynamic import (
    DYNAMIC_TYPES,
    Dynamics,
    collect_dynamic,
    dynamic_question,
    write_repeats,
)

_NEVER = {
    "image": "an image element shows a picture from the network",
    "imagepicker": "an image picker shows pictures from the network",
    "slider": "a slider question has no equivalent in Wizard Desktop",
    "customwidget": "custom widgets run the survey's own code",
}
# What `acceptedTypes` may name for a file question to be an image field: the images
# the player shows (definition/attachments.py IMAGE_TYPES), by media type or extension.
_IMAGE_ACCEPT = frozenset({"image/*", *IMAGE_TYPES})
_IMAGE_ACCEPT |= {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"}
# survey-core's `settings.acceptedFileCategories`: what `acceptedCategories` names.
_FILE_CATEGORIES = {
    "image": (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tiff", ".svg"),
    "video": (".mp4", ".avi", ".mov", ".wmv", ".flv", ".mkv", ".webm"),
    "audio": (".mp3", ".wav", ".aac", ".ogg", ".wma", ".flac"),
    "document": (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".txt", ".rtf", ".odt"),
    "archive": (".zip", ".rar", ".7z", ".tar", ".gz"),
}
_CHOICE_TYPES = {"radiogroup": "choice", "dropdown": "choice", "checkbox": "multi_choice"}
_CHOICE_TYPES["tagbox"] = "multi_choice"
_TEXT_NUMBER = ("number", "range")
_EMAIL_PATTERN = r"[^@\s]+@[^@\s]+\.[^@\s]+"
_EMAIL_MESSAGE = "Please enter a valid e-mail address."
_NUMBER_PATTERN = r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*"
_NUMBER_MESSAGE = "The answer must be a number."
_MAX_SOURCE_NESTING = 100
# The keys whose text may be localized (`{"default": …, "de": …}`) that the import reads.
_LOCALIZABLE = frozenset(
    {"title", "text", "description", "html", "otherText", "noneText", "placeholder"}
    | {"otherPlaceholder", "commentText"}
)
# A translated survey is mapped once per language: at most this many JSON values of it
# times its languages (about 5 s; the MELINDA survey in its 7 languages is 41,000).
_MAX_TRANSLATION_WORK = 1_000_000
# a field's keys holding an expression (what check_references and _count_files read)
_EXPRESSION_KEYS = (
    "visible_if",
    "required_if",
    "enabled_if",
    "constraint",
    "default_expression",
    "calculate",
)
# survey-core's `surveyLocalization.defaultLocale`: the language of "default" texts.
_DEFAULT_LOCALE = "en"
# The SurveyJS locale keys a text is read from while one language is mapped, first
# found wins (empty: the default language's reading, see `_localized`).
_TEXT_LANGUAGE: ContextVar[tuple[str, ...]] = ContextVar("_TEXT_LANGUAGE", default=())


def looks_like_surveyjs(content: bytes) -> bool:
    """Whether `content` is a SurveyJS survey: a JSON object without `format_version`
    that has `pages`, `elements` or `questions` at its top level."""
    try:
        data, _, _ = read_json(decode(content), "<sniff>", with_lines=False)
    except (SourceError, WizardFileError, ValueError):
        return False
    return (
        isinstance(data, dict)
        and "format_version" not in data
        and any(k in data for k in ("pages", "elements", "questions"))
    )


def import_surveyjs(
    path: str | os.PathLike[str], *, skip_unsupported: bool = False
) -> ImportResult:
    """Import the survey in `path` (see the module docstring)."""
    source = os.fspath(path)
    name = Path(source).name
    try:
        raw, _, problems = read_json(decode(read_source(source)), source, with_lines=False)
    except SourceError as exc:
        raise WizardFileError([Problem(source, exc.line, "", exc.message)]) from None
    if problems:
        raise WizardFileError(problems)
    if not isinstance(raw, dict):
        raise WizardFileError([Problem(source, None, "", "a SurveyJS survey is a JSON object")])
    mapper, data = translated_wizard(raw, name, _wizard_id(Path(source).stem))
    refuse_unless_skipped(mapper.unsupported, skip_unsupported)
    note_id = record_left_out(data, mapper.unsupported)
    if note_id is not None:
        mapper.added.add(note_id)
    definition = validated(data, source, lambda kind, i: mapper.places.get((kind, i)))
    return ImportResult(
        definition,
        tuple(mapper.unsupported),
        data,
        frozenset(mapper.added),
        frozenset(mapper.dynamic.row_repeats),
    )


def survey_answers(definition: WizardDefinition, data: Mapping[str, object]) -> dict[str, object]:
    """`survey.data` as the wizard's answers: choice values as the option text they
    are stored as (SurveyJS keeps numbers as numbers), files and signatures as the
    references to their contents (`_attachment_answer`); the answers of questions the
    import left out (no field of that name) are not the wizard's and are dropped."""
    answers: dict[str, object] = {}
    for key, value in data.items():
        if isinstance(value, list) and definition.repeats:
            answers.update(panel_answers(definition, key, value))
        f = definition.field(key)
        if f is None:
            continue
        if f.type in ATTACHMENT_TYPES:
            value = _attachment_answer(key, f.type is FieldType.SIGNATURE, value)
        elif f.type.value == "matrix" and isinstance(value, dict):
            value = {str(k): _option_value(v) for k, v in value.items()}
        elif f.type.value == "matrix_dropdown" and isinstance(value, dict):
            value = {
                str(row): {
                    c: (_option_value(v) if _column_has_options(f, c) else v)
                    for c, v in cells.items()
                }
                if isinstance(cells, dict)
                else cells
                for row, cells in value.items()
            }
        elif f.options and value is not None:
            if isinstance(value, list):
                value = [_option_value(v) for v in value]
            else:
                value = _option_value(value)
        answers[key] = value
    return answers


class SurveyDataError(ValueError):
    """An answer in `survey.data` that cannot be read as the wizard's (one line)."""


_DATA_URL = re.compile(r"data:([^,]*?)(;base64)?,(.*)", re.DOTALL)


def _attachment_answer(key: str, signature: bool, value: object) -> object:
    """A SurveyJS file answer (`[{name, type, content}]`, the content a `data:` URL, as
    `storeDataAsText` keeps it) or signature (a `data:` URL) as the reference to its
    content the player would store: the name, the media type read from the bytes, the
    size and the SHA-256. Empty is unanswered; a reference is taken as it is; anything
    else (a link to a file stored elsewhere, several files) raises SurveyDataError."""
    if value in (None, "", []):
        return None
    if isinstance(value, dict):  # the wizard's own reference: checked as any answer
        return value
    if signature:
        name, content = SIGNATURE_NAME, _data_url_bytes(value)
        why = "a signature answer is read as a data: URL"
    else:
        if isinstance(value, list) and len(value) > 1:
            raise SurveyDataError(f"{key[:80]}: {len(value)} files; this question takes one")
        item = value[0] if isinstance(value, list) and isinstance(value[0], dict) else {}
        name = item["name"] if isinstance(item.get("name"), str) else ""
        content = _data_url_bytes(item.get("content")) if name else None
        why = "a file answer is read as [{name, type, content}], its content a data: URL"
    if content is None:
        raise SurveyDataError(f"{key[:80]}: {why}")
    digest = hashlib.sha256(content).hexdigest()
    return attachment_value(digest, name, len(content), media_type(name, content[:16]))


def _data_url_bytes(value: object) -> bytes | None:
    match = _DATA_URL.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    if match[2] is None:
        return urllib.parse.unquote_to_bytes(match[3])
    try:
        return base64.b64decode(match[3], validate=True)
    except binascii.Error:
        return None


def panel_answers(
    definition: WizardDefinition, key: str, items: list[object]
) -> dict[str, list[dict[str, object]]]:
    """A dynamic panel's or matrix's answer in `survey.data` (a list of objects under
    its name or `valueName`, each keyed by its questions' names or `valueName`s) as the
    answers of each repeat it is: an array of instance answers by field id."""
    names = dict(definition.value_names)
    arrays: dict[str, list[dict[str, object]]] = {}
    for repeat in definition.repeats:
        if key not in (repeat.id, names.get(repeat.id)):
            continue
        own = [f.id for s in definition.steps if s.id in repeat.steps for f in s.fields]
        arrays[repeat.id] = [
            survey_answers(
                definition,
                {f: item[names.get(f, f)] for f in own if names.get(f, f) in item},
            )
            if isinstance(item, dict)
            else {}
            for item in items
        ]
    return arrays


def _column_has_options(f: object, column: str) -> bool:
    for cell in getattr(f, "cell_columns", ()):
        if cell.id == column:
            return bool(cell.options)
    return False


# --- mapping ---------------------------------------------------------------------


def _wizard_id(stem: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-._")[:64]
    return slug or "imported-survey"


def _option_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rating_ends(element: dict[str, object], built: dict[str, object]) -> str | None:
    """What a rating's lowest and highest points mean (`minRateDescription`,
    `maxRateDescription`; `mininumRateDescription`, `maximumRateDescription` in older
    surveys), which SurveyJS shows at the scale's ends: "1: Too easy … 5: Too hard"."""
    if element.get("type") != "rating":
        return None
    low = _localized(element.get("minRateDescription", element.get("mininumRateDescription")))
    high = _localized(element.get("maxRateDescription", element.get("maximumRateDescription")))
    options = built.get("options")
    if isinstance(options, list) and options:  # rateValues: the first and last labels
        first, last = str(options[0]["label"]), str(options[-1]["label"])
    else:
        first, last = str(built.get("min", "")), str(built.get("max", ""))
    ends = [f"{point}: {text.strip()}" for point, text in ((first, low), (last, high)) if text]
    return " … ".join(ends) or None


def _localized(value: object) -> str | None:
    """A SurveyJS string: plain, or localized `{"default": …, "de": …}`, read in the
    language being mapped (`_TEXT_LANGUAGE`, see `translated_wizard`) as survey-core
    reads it (that locale, its root dialect, `default`), else in the default one, else
    in any: an empty text is read only when every language's is empty, so that no run
    has an element (a panel's heading, a description) that another lacks."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in (*_TEXT_LANGUAGE.get(), "default", "en"):
            if isinstance(value.get(key), str) and value[key]:
                return str(value[key])
        for text in value.values():
            if isinstance(text, str) and text:
                return text
        if any(isinstance(text, str) for text in value.values()):
            return ""
    return None


def _start_step(step: dict[str, object]) -> None:
    """`firstPageIsStarted`: the first page is a start step (format 2 `start`), shown
    first, its answers checked by Next as by SurveyJS's Start button and saved with
    the session, but not a page of the path (survey-core's `visiblePages`) nor of the
    progress. A start page always shows: its `visibleIf` is not read, as SurveyJS's."""
    step["start"] = True
    step.pop("visible_if", None)


# --- translations ----------------------------------------------------------------


def translated_wizard(
    raw: dict[str, object], source: str, wizard_id: str
) -> tuple[_Mapper, dict[str, object]]:
    """The format-2 data of the survey `raw` in all its languages: mapped once per
    language (each localized string read in it), each run's texts joined into
    `{language: text}` maps where they differ (one run held at a time). The default
    language is the survey's `locale`, else survey-core's default locale (`en`, the
    texts under "default"). Returns the default language's mapper (its refusals and
    added ids) and the data."""
    locales, bad, values = _survey_locales(raw)
    mapper = _Mapper(source)
    for place, key in bad:
        mapper.refuse(place, f"'{key[:20]}' is not a language code a text can be given in")
    locale = raw.get("locale")
    default = _language_code(locale) if isinstance(locale, str) and locale.strip() else None
    if default is None or not is_language_code(default):
        default = _DEFAULT_LOCALE
    languages = [default, *sorted(c for c in {_language_code(k) for k in locales} if c != default)]
    data = _mapped_in(default, mapper, raw, wizard_id)
    # refused before mapping it once per language: at most so many runs' work
    most = min(MAX_LANGUAGES, max(1, _MAX_TRANSLATION_WORK // values))
    if len(languages) > most:
        mapper.refuse(
            "survey",
            f"texts in {len(languages)} languages; a survey of this size "
            f"({values:,} JSON values) is played in at most {most}",
        )
        return mapper, data
    if len(languages) < 2:
        return mapper, data
    for language in languages[1:]:
        other = _mapped_in(language, _Mapper(source), raw, wizard_id)
        data = _joined_texts(data, other, default, language, None)  # type: ignore[assignment]
    data["languages"] = languages
    data["default_language"] = default
    return mapper, data


def _mapped_in(
    language: str, mapper: _Mapper, raw: dict[str, object], wizard_id: str
) -> dict[str, object]:
    """`mapper`'s data of the survey with its localized strings read in `language`."""
    token = _TEXT_LANGUAGE.set(_locale_keys(language))
    try:
        return mapper.wizard(raw, wizard_id)
    finally:
        _TEXT_LANGUAGE.reset(token)


class _Texts(dict[str, str]):
    """A text in several languages, made by joining runs (a dict, as format 2 writes it;
    its own type so that a further run joins into it rather than walking into it)."""


def _language_code(locale: str) -> str:
    """A SurveyJS locale (`de-ch`, `default`) as a BCP 47 code (`de-CH`, `en`)."""
    if locale == "default":
        return _DEFAULT_LOCALE
    parts = locale.split("-")
    return "-".join(
        [parts[0].lower()]
        + [p.upper() if len(p) == 2 else p.title() if len(p) == 4 else p for p in parts[1:]]
    )


def _locale_keys(language: str) -> tuple[str, ...]:
    """The keys survey-core reads a localized text of `language` from, in its order
    (`LocalizableString.pureText`): the locale, its root dialect, then "default"."""
    if language == _DEFAULT_LOCALE:
        return ("default", _DEFAULT_LOCALE)
    locale = language.lower()
    root = locale.split("-")[0]
    return tuple(dict.fromkeys((locale, root, "default")))


def _survey_locales(raw: object) -> tuple[set[str], list[tuple[str, str]], int]:
    """The locale keys of every localized string the import reads, (place, key) of
    each key that is no language code, and how many JSON values the survey has.
    Walked with an explicit stack (the nesting is bounded by `read_json`, the walk by
    the size of the file)."""
    locales: set[str] = set()
    bad: list[tuple[str, str]] = []
    stack: list[tuple[str, object]] = [("", raw)]
    values = 0
    while stack:
        place, item = stack.pop()
        values += 1
        children: list[tuple[str, object]] = []
        if isinstance(item, dict):
            for key, value in item.items():
                where = f"{place}.{key}" if place else str(key)
                if key in _LOCALIZABLE and isinstance(value, dict):
                    for locale in value:
                        if locale == "default" or is_language_code(_language_code(locale)):
                            locales.add(locale)
                        else:
                            bad.append((where, locale))
                else:
                    children.append((where, value))
        elif isinstance(item, list):
            children = [(f"{place}[{i}]", value) for i, value in enumerate(item)]
        values += sum(1 for c in children if not isinstance(c[1], dict | list))
        stack.extend(reversed([c for c in children if isinstance(c[1], dict | list)]))
    return locales, bad, values


def _joined_texts(
    joined: object, other: object, default: str, language: str, key: object
) -> object:
    """`joined` (the runs so far) with the run of `language` (`other`, the same data
    with other texts) joined in: a text that reads differently becomes (or grows) a
    map. The runs differ in texts only, so anything else differing is a bug."""
    if isinstance(joined, _Texts):
        if other != joined[default]:
            joined[language] = str(other)
        return joined
    if isinstance(joined, dict) and isinstance(other, dict):
        return {k: _joined_texts(v, other[k], default, language, k) for k, v in joined.items()}
    if isinstance(joined, list) and isinstance(other, list):
        return [
            _joined_texts(v, o, default, language, key) for v, o in zip(joined, other, strict=True)
        ]
    if other == joined:
        return joined
    if not (isinstance(joined, str) and isinstance(other, str) and key in TRANSLATABLE_KEYS):
        raise ValueError(f"the languages' runs differ at a '{key}' that is no text")
    return _Texts({default: joined, language: other})


class _HtmlText(HTMLParser):
    """HTML to plain text: tags dropped (script and style with their content), block
    elements as line breaks; Markdown characters escaped so nothing renders as markup."""

    _BLOCKS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "ul"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", data))


def html_to_text(source: str) -> str:
    """The readable text of an `html` element (safe Markdown: markup characters escaped)."""
    parser = _HtmlText()
    parser.feed(source)
    parser.close()
    text = "".join(parser.parts)
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _clip(text: str, key: str) -> str:
    limit = TEXT_LIMITS[key]
    if key in ("help", "description", "note"):  # (Windows line ends as line ends)
        one_line = text.replace("\r\n", "\n").replace("\r", "\n")
    else:
        one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


@dataclass
class _Scope:
    """Where an element sits: its place for messages and the conditions above it."""

    place: str
    conditions: tuple[str, ...] = ()
    enable: tuple[str, ...] = ()
    read_only: bool = False


@dataclass
class _Mapper:
    source: str
    unsupported: list[UnsupportedItem] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # lower-case name -> name
    used_ids: set[str] = field(default_factory=set)
    step_ids: set[str] = field(default_factory=set)
    # (kind, id) -> the place of the page, question or dynamic element it was made from
    places: dict[tuple[str, str], str] = field(default_factory=dict)
    added: set[str] = field(default_factory=set)  # ids of headings and -Comment fields
    dynamic: Dynamics = field(default_factory=Dynamics)  # paneldynamic, matrixdynamic
    start_page: bool = False  # mapping a start page (firstPageIsStarted): no repeat on it
    survey_title: str = ""  # an untitled page's (SurveyJS shows it above every page)

    def refuse(self, place: str, reason: str) -> None:
        self.unsupported.append(UnsupportedItem(self.source, place, reason))

    # --- the survey ---

    def wizard(self, raw: dict[str, object], wizard_id: str) -> dict[str, object]:
        pages = self.pages(raw)
        self.collect_names(pages)
        for value in _list(raw.get("calculatedValues")):  # (ids the import adds avoid them)
            if isinstance(value, dict) and isinstance(value.get("name"), str):
                self.names.setdefault(str(value["name"]).lower(), str(value["name"]))
        collect_dynamic(self, pages)
        title = _clip(_localized(raw.get("title")) or "", "title") or wizard_id  # (blank: none)
        description = _localized(raw.get("description"))
        for key, reason in (
            ("triggers", "triggers change answers on their own"),
            ("navigateToUrl", "navigating to a web address needs the network"),
        ):
            if raw.get(key):
                self.refuse(key, reason)
        steps: list[dict[str, object]] = []
        self.survey_title = title if title.strip() else wizard_id
        starting = raw.get("firstPageIsStarted") is True and len(pages) > 1
        for place, page in pages:
            self.start_page = starting and not steps
            steps.append(self.page(page, place, len(steps)))
        self.start_page = False
        if starting:
            _start_step(steps[0])
        calculated = self.calculated_values(raw)
        if calculated:
            if not steps:
                steps.append({"id": "calculated", "title": _clip(title, "title"), "fields": []})
            fields = steps[0]["fields"]
            assert isinstance(fields, list)
            fields.extend(calculated)
        if not steps:
            steps.append({"id": "page1", "title": _clip(title, "title"), "fields": []})
        if len(steps) == 1 and not pages:  # a step of the import's own: titled as the survey
            self.places[("step", str(steps[0]["id"]))] = "survey"
        data: dict[str, object] = {
            "format_version": 2,
            "id": wizard_id,
            "title": _clip(title, "title") if title.strip() else wizard_id,
            "imported_from": "surveyjs",
            "hide_empty_steps": True,
            "hidden_answers_count": True,
            "steps": steps,
        }
        if description:
            data["description"] = _clip(description, "description")
        write_repeats(self, data)
        self.check_references(data)
        _count_files(data)
        return data

    def pages(self, raw: dict[str, object]) -> list[tuple[str, dict[str, object]]]:
        pages = raw.get("pages")
        if isinstance(pages, list):
            return [(f"pages[{i}]", p) for i, p in enumerate(pages) if isinstance(p, dict)]
        for key in ("elements", "questions"):
            if isinstance(raw.get(key), list):
                return [("", {"name": "page1", key: raw[key]})]
        return []

    def collect_names(self, pages: list[tuple[str, dict[str, object]]]) -> None:
        for _, element, _ in self.walk_all(pages):
            name = element.get("name")
            if isinstance(name, str) and element.get("type") != "panel":
                self.names.setdefault(name.lower(), name)

    def walk_all(
        self, pages: list[tuple[str, dict[str, object]]]
    ) -> Iterator[tuple[str, dict[str, object], int]]:
        stack: list[tuple[str, object, int]] = []
        for place, page in reversed(pages):
            stack.append((place, page, 0))
        while stack:
            place, item, depth = stack.pop()
            if not isinstance(item, dict):
                continue
            if depth:
                yield place, item, depth
            for key in ("elements", "questions"):
                children = item.get(key)
                if isinstance(children, list):
                    for i in range(len(children) - 1, -1, -1):
                        child_place = f"{place}.{key}[{i}]" if place else f"{key}[{i}]"
                        stack.append((child_place, children[i], depth + 1))

    def page(self, page: dict[str, object], place: str, index: int) -> dict[str, object]:
        name = page.get("name")
        step_id = name if isinstance(name, str) and name.strip() else f"page{index + 1}"
        if step_id in self.step_ids and step_id == name:
            self.refuse(f"{place} ({name})", f"a second page named '{name}'")
        while step_id in self.step_ids:  # an unnamed page's number taken by a name
            step_id += "'"
        self.step_ids.add(step_id)
        if place:
            self.places[("step", step_id)] = f"{place} ({name})" if isinstance(name, str) else place
        title = _clip(_localized(page.get("title")) or "", "title") or _clip(
            self.survey_title, "title"
        )
        step: dict[str, object] = {"id": step_id, "title": title}
        description = _localized(page.get("description"))
        if description:
            step["description"] = _clip(description, "description")
        visible = self.expression(page.get("visibleIf"), f"{place}.visibleIf")
        if visible:
            step["visible_if"] = visible
        fields: list[dict[str, object]] = []
        for key in ("elements", "questions"):
            children = page.get(key)
            if isinstance(children, list):
                self.elements(children, _Scope(f"{place}.{key}" if place else key), fields)
        step["fields"] = fields
        return step

    def elements(self, children: list[object], scope: _Scope, out: list[dict[str, object]]) -> None:
        """Map `children` into `out`; panels recurse (their depth is bounded by the JSON
        nesting limit `read_json` checks before parsing)."""
        for i, element in enumerate(children):
            place = f"{scope.place}[{i}]"
            if not isinstance(element, dict):
                self.refuse(place, "an element must be a JSON object")
                continue
            name = element.get("name")
            where = f"{place} ({name})" if isinstance(name, str) else place
            if element.get("type") == "panel":
                self.panel(element, where, place, scope, out)
            else:
                self.question(element, where, scope, out)

    def panel(
        self,
        element: dict[str, object],
        where: str,
        place: str,
        scope: _Scope,
        out: list[dict[str, object]],
    ) -> None:
        """A panel: a heading note (shown while the panel shows and any field in it
        does, as SurveyJS hides an empty panel), then its elements with its conditions."""
        conditions = scope.conditions
        visible = self.expression(element.get("visibleIf"), f"{where}.visibleIf")
        if visible:
            conditions = (*conditions, visible)
        enable = scope.enable
        enabled = self.expression(element.get("enableIf"), f"{where}.enableIf")
        if enabled:
            enable = (*enable, enabled)
        read_only = scope.read_only or element.get("readOnly") is True
        title = _localized(element.get("title"))
        description = _localized(element.get("description"))
        note: dict[str, object] | None = None
        if title or description:
            name = element.get("name")
            texts = [f"**{_escaped(title)}**"] if title else []
            texts += [_escaped(description)] if description else []
            note = {
                "id": self.unique_id(name if isinstance(name, str) else "panel"),
                "type": "note",
                "label": _clip("\n\n".join(texts), "note"),
            }
            self.added.add(str(note["id"]))
            self.places[("field", str(note["id"]))] = where
            out.append(note)
        key = "elements" if "elements" in element else "questions"
        inner = element.get(key)
        first = len(out)
        if isinstance(inner, list):
            self.elements(inner, _Scope(f"{place}.{key}", conditions, enable, read_only), out)
        if note is not None:
            shown = [f for f in out[first:] if f.get("hidden") is not True]
            if not shown:
                out.remove(note)
            elif all("visible_if" in f for f in shown):
                either = list(dict.fromkeys(str(f["visible_if"]) for f in shown))
                note["visible_if"] = (
                    either[0] if len(either) == 1 else " or ".join(f"({c})" for c in either)
                )
            elif conditions:
                note["visible_if"] = _joined(conditions)

    def unique_id(self, wanted: str) -> str:
        base = wanted.strip()[:190] or "element"
        candidate, n = base, 1
        while candidate in self.used_ids or candidate.lower() in self.names:
            n += 1
            candidate = f"{base} #{n}"
        self.used_ids.add(candidate)
        return candidate

    # --- questions ---

    def question(
        self, element: dict[str, object], where: str, scope: _Scope, out: list[dict[str, object]]
    ) -> None:
        kind = element.get("type")
        name = element.get("name")
        if not isinstance(kind, str):
            self.refuse(where, "an element without a type")
            return
        if kind in DYNAMIC_TYPES:
            dynamic_question(self, element, kind, where, scope, out)
            return
        if kind in _NEVER:
            self.refuse(where, _NEVER[kind])
            return
        if not isinstance(name, str) or not name.strip():
            self.refuse(where, f"a {kind} question without a name")
            return
        if element.get("choicesByUrl"):
            self.refuse(where, "choicesByUrl needs the network")
            return
        if element.get("choicesFromQuestion"):
            self.refuse(
                where,
                "choicesFromQuestion (choices copied from another question) cannot be played yet",
            )
            return
        if element.get("valueName"):
            self.refuse(where, "valueName (two questions sharing one answer) cannot be played")
            return
        if name in self.used_ids:
            self.refuse(
                where, f"a second question named '{name}' (two questions sharing one answer)"
            )
            return
        self.used_ids.add(name)
        self.places[("field", name)] = where
        title = (_localized(element.get("title")) or "").strip() or name
        built: dict[str, object] = {"id": name}
        if kind == "html":
            text = html_to_text(_localized(element.get("html")) or "")
            built.update(type="note", label=_clip(text or _escaped(title), "note"))
        elif kind == "expression":
            expression = self.expression(element.get("expression"), f"{where}.expression")
            if expression is None:
                parts = [_escaped(t) for t in (title, _localized(element.get("description"))) if t]
                built.update(type="note", label=_clip("\n\n".join(parts), "note"))
            else:
                built.update(type="calculated", label=_clip(title, "label"), calculate=expression)
        else:
            built["label"] = _clip(title, "label")
            if not self.typed(element, kind, where, built):
                return
            self.common(element, where, scope, built)
        if kind in ("html", "expression"):
            description = _localized(element.get("description"))
            if description and built["type"] == "calculated":
                built["help"] = _clip(description, "help")
        visible = self.expression(element.get("visibleIf"), f"{where}.visibleIf")
        conditions = (*scope.conditions, visible) if visible else scope.conditions
        if conditions:
            built["visible_if"] = _joined(conditions)
        out.append(built)
        if built.get("type") in ("choice", "multi_choice") and (
            element.get("showOtherItem") is True or element.get("hasOther") is True
        ):
            operator = "contains" if built["type"] == "multi_choice" else "="
            comment: dict[str, object] = {
                "id": self.unique_id(f"{name}-Comment"),
                "type": "text",
                "label": _clip(
                    _localized(element.get("otherPlaceholder"))
                    or _localized(element.get("commentText"))
                    or "Please specify",
                    "label",
                ),
                "visible_if": _joined((*conditions, f"{{{name}}} {operator} 'other'")),
            }
            self.added.add(str(comment["id"]))
            self.places[("field", str(comment["id"]))] = where
            out.append(comment)

    def typed(
        self, element: dict[str, object], kind: str, where: str, built: dict[str, object]
    ) -> bool:
        """The field type and its own keys; False (refused) when it cannot be played."""
        if kind == "text":
            input_type = element.get("inputType") or "text"
            if input_type in _TEXT_NUMBER:
                built["type"] = "number"
                for key in ("min", "max"):
                    if _is_number(element.get(key)):
                        built[key] = element[key]
                step = element.get("step")
                if _is_number(step) and not float(step).is_integer():  # type: ignore[arg-type]
                    built["decimals"] = min(10, len(repr(float(step)).split(".")[1]))  # type: ignore[arg-type]
                elif "decimals" not in built:
                    built["decimals"] = 10
            elif input_type == "date":
                built["type"] = "date"
                for key in ("min", "max"):
                    if isinstance(element.get(key), str) and re.fullmatch(
                        r"\d{4}-\d{2}-\d{2}", str(element[key])
                    ):
                        built[key] = element[key]
            elif input_type == "time":
                built["type"] = "time"
            else:
                built["type"] = "text"
                if input_type == "email":
                    built["pattern"] = _EMAIL_PATTERN
                    built["pattern_message"] = _EMAIL_MESSAGE
                if isinstance(element.get("maxLength"), int) and element["maxLength"] > 0:  # type: ignore[operator]
                    built["max_length"] = element["maxLength"]
                placeholder = _localized(element.get("placeholder"))
                if placeholder:
                    built["placeholder"] = _clip(placeholder, "placeholder")
        elif kind == "comment":
            built["type"] = "multiline"
            if isinstance(element.get("maxLength"), int) and element["maxLength"] > 0:  # type: ignore[operator]
                built["max_length"] = element["maxLength"]
        elif kind in _CHOICE_TYPES:
            built["type"] = _CHOICE_TYPES[kind]
            options = self.options(element, where)
            if not options:
                self.refuse(where, "a choice question without choices")
                return False
            built["options"] = options
            if built["type"] == "multi_choice":
                for source_key, key in (
                    ("minSelectedChoices", "min_selected"),
                    ("maxSelectedChoices", "max_selected"),
                ):
                    count = element.get(source_key)
                    if isinstance(count, int) and not isinstance(count, bool) and count > 0:
                        built[key] = min(count, len(options))
        elif kind == "boolean":
            built["type"] = "boolean"
        elif kind == "rating":
            self.rating(element, built)
        elif kind == "ranking":
            return self.ranking(element, where, built)
        elif kind in ("matrix", "matrixdropdown", "multipletext"):
            return self.grid(element, kind, where, built)
        elif kind in ("file", "signaturepad"):
            return self.attachment(element, kind, where, built)
        else:
            self.refuse(where, f"the question type '{kind}' is not supported")
            return False
        return True

    def grid(
        self, element: dict[str, object], kind: str, where: str, built: dict[str, object]
    ) -> bool:
        """matrix, matrixdropdown, multipletext: the grids of format 2, answers in
        SurveyJS's shapes ({row: column}, {row: {column: value}}, {item: text})."""
        if kind == "multipletext":
            items = []
            for i, item in enumerate(_list(element.get("items"))):
                if not isinstance(item, dict) or not _key_ok(item.get("name")):
                    self.refuse(
                        f"{where}.items[{i}]",
                        "an item needs a name of 1 to 200 characters without braces or brackets",
                    )
                    return False
                cell: dict[str, object] = {
                    "id": item["name"],
                    "label": _clip(
                        (_localized(item.get("title")) or "").strip() or str(item["name"]), "label"
                    ),
                }
                if item.get("isRequired") is True:
                    cell["required"] = True
                items.append(cell)
            if not items:
                self.refuse(where, "a multiple-text question without items")
                return False
            built.update(type="multiple_text", items=items)
            return True
        rows = self.grid_keys(element.get("rows"), f"{where}.rows")
        if rows is None:
            return False
        if kind == "matrix":
            columns = self.grid_keys(element.get("columns"), f"{where}.columns")
            if columns is None:
                return False
            built.update(type="matrix", rows=rows, columns=columns)
            if element.get("isAllRowRequired") is True:
                built["required"] = True
            return True
        shared = element.get("choices")
        default_type = element.get("cellType") or "dropdown"
        cells = []
        for i, column in enumerate(_list(element.get("columns"))):
            place = f"{where}.columns[{i}]"
            if not isinstance(column, dict) or not _key_ok(column.get("name")):
                self.refuse(
                    place, "a column needs a name of 1 to 200 characters without braces or brackets"
                )
                return False
            cell_type = column.get("cellType") or default_type
            cell = {
                "id": column["name"],
                "label": _clip(
                    (_localized(column.get("title")) or "").strip() or str(column["name"]), "label"
                ),
            }
            if cell_type in ("dropdown", "radiogroup"):
                choices = column.get("choices") or shared
                options = self.choice_list(choices) if isinstance(choices, list) else []
                if not options:
                    self.refuse(place, "a dropdown column without choices")
                    return False
                cell.update(type="choice", options=options)
            elif cell_type in ("text", "comment"):
                number = column.get("inputType") in _TEXT_NUMBER
                cell["type"] = "number" if number else "text"
                if number:
                    cell["decimals"] = 10
            elif cell_type == "boolean":
                cell["type"] = "boolean"
            else:
                self.refuse(place, f"a '{cell_type}' column cannot be played in a matrix")
                return False
            if column.get("isRequired") is True:
                cell["required"] = True
            cells.append(cell)
        if not cells:
            self.refuse(where, "a matrix without columns")
            return False
        built.update(type="matrix_dropdown", rows=rows, columns=cells)
        return True

    def grid_keys(self, raw: object, place: str) -> list[dict[str, object]] | None:
        options = self.choice_list(raw) if isinstance(raw, list) else []
        if not options:
            self.refuse(place, "a matrix needs rows and columns")
            return None
        bad = [o["value"] for o in options if not _key_ok(o["value"])]
        if bad:
            self.refuse(
                place,
                f"the key '{str(bad[0])[:40]}' is not 1 to 200 characters "
                "without braces or brackets",
            )
            return None
        return [{"value": o["value"], "label": o["label"]} for o in options]

    def ranking(self, element: dict[str, object], where: str, built: dict[str, object]) -> bool:
        """`ranking`: every choice in the person's order, a format 2 `ranking` (the answer
        is SurveyJS's array of values). A ranking ranks all its options, so ranking only
        some (`selectToRankEnabled`) and choices that come and go (`choicesVisibleIf`, a
        choice's `visibleIf`) are refused."""
        if element.get("selectToRankEnabled") is True:
            self.refuse(where, "selectToRankEnabled (ranking only some choices) cannot be played")
            return False
        raw = element.get("choices")
        options = self.choice_list(raw) if isinstance(raw, list) else []
        if element.get("choicesVisibleIf") or any("visible_if" in o for o in options):
            self.refuse(where, "a ranking whose choices come and go cannot be played")
            return False
        if not options:
            self.refuse(where, "a ranking without choices")
            return False
        built.update(type="ranking", options=options)
        return True

    def attachment(
        self, element: dict[str, object], kind: str, where: str, built: dict[str, object]
    ) -> bool:
        """`file`: a format 2 `file` (an `image` when it accepts only images the player
        shows), `acceptedTypes` and `acceptedCategories` its `accept`, `maxSize` its
        `max_size` (none, or more than the format takes: the most it takes);
        `signaturepad`: a `signature`. One file per question, and no default:
        `allowMultiple` and defaults are refused."""
        for key in ("defaultValue", "defaultValueExpression"):
            if element.get(key) not in (None, "", []):
                self.refuse(f"{where}.{key}", "a file or signature answer takes no default")
                return False
        if kind == "signaturepad":
            built["type"] = "signature"
            return True
        if element.get("allowMultiple") is True:
            self.refuse(where, "several files in one question cannot be played yet")
            return False
        raw = element.get("acceptedTypes")
        types = raw.split(",") if isinstance(raw, str) else _list(raw)
        categories = _list(element.get("acceptedCategories"))
        wanted = [e for c in categories if isinstance(c, str) for e in _FILE_CATEGORIES.get(c, ())]
        wanted += [t.strip().lower() if isinstance(t, str) else str(t) for t in types]
        accept = list(dict.fromkeys(a for a in wanted if a))
        wrong = [a for a in accept if not re.fullmatch(ACCEPT_PATTERN, a)]
        if wrong or len(accept) > MAX_ACCEPT_ITEMS:
            why = (
                f"'{wrong[0][:40]}' is neither an extension (.pdf) nor a media type (image/*)"
                if wrong
                else f"more than {MAX_ACCEPT_ITEMS} accepted types"
            )
            self.refuse(f"{where}.acceptedTypes", why)
            return False
        image = bool(accept) and all(a in _IMAGE_ACCEPT for a in accept)
        built["type"] = "image" if image else "file"
        if accept and accept != ["image/*"]:  # an image field takes every image it shows
            built["accept"] = accept
        size = element.get("maxSize")  # bytes; 0 (the default) is no limit in SurveyJS
        limit = int(size) if isinstance(size, int | float) and size >= 1 else MAX_SIZE_LIMIT
        built["max_size"] = min(limit, MAX_SIZE_LIMIT)
        return True

    def rating(self, element: dict[str, object], built: dict[str, object]) -> None:
        values = element.get("rateValues")
        if isinstance(values, list) and values:
            built["type"] = "choice"
            built["options"] = self.choice_list(values)
            return
        low = element.get("rateMin", 1)
        high = element.get("rateMax", element.get("rateCount", 5))
        low = low if isinstance(low, int) and not isinstance(low, bool) else 1
        high = high if isinstance(high, int) and not isinstance(high, bool) else 5
        if "rateCount" in element and "rateMax" not in element and isinstance(high, int):
            high = low + high - 1
        if high - low + 1 <= MAX_RATING_POINTS and high > low:
            built.update(type="rating", min=low, max=high)
        else:  # an 11-point (0-10) scale: a whole number in the range
            built.update(type="number", min=low, max=high)

    def choice_list(self, raw: list[object]) -> list[dict[str, object]]:
        options: list[dict[str, object]] = []
        seen: dict[str, dict[str, object]] = {}
        for choice in raw:
            if isinstance(choice, dict):
                value_raw = choice.get("value")
                label = _localized(choice.get("text"))
            else:
                value_raw, label = choice, None
            if value_raw is None or isinstance(value_raw, dict | list):
                continue
            value = _option_value(value_raw)
            if isinstance(value_raw, str) and label is None and "|" in value_raw:
                value, label = value_raw.split("|", 1)
            label = label if label and label.strip() else value
            if value in seen:  # two choices with one value: one option, both labels
                seen[value]["label"] = _clip(f"{seen[value]['label']} / {label}", "value")
                continue
            option: dict[str, object] = {
                "value": _clip(value, "value"),
                "label": _clip(label, "value"),
            }
            if isinstance(choice, dict) and choice.get("visibleIf"):
                condition = self.expression(choice.get("visibleIf"), "choice")
                if condition:
                    option["visible_if"] = condition
            seen[value] = option
            options.append(option)
        return options

    def options(self, element: dict[str, object], where: str) -> list[dict[str, object]]:
        raw = element.get("choices")
        options = self.choice_list(raw) if isinstance(raw, list) else []
        filter_ = element.get("choicesVisibleIf")
        if isinstance(filter_, str) and filter_.strip():
            for option in options:
                literal = "'" + str(option["value"]).replace("'", "\\'") + "'"
                condition = self.expression(
                    re.sub(r"\{item\}", literal, filter_, flags=re.IGNORECASE),
                    f"{where}.choicesVisibleIf",
                )
                if condition:
                    option["visible_if"] = (
                        f"({option['visible_if']}) and ({condition})"
                        if "visible_if" in option
                        else condition
                    )
        extras = (
            ("showNoneItem", "hasNone", "none", "noneText", "None"),
            ("showOtherItem", "hasOther", "other", "otherText", "Other (describe)"),
        )
        for new_key, old_key, value, text_key, default_text in extras:
            wanted = element.get(new_key) is True or element.get(old_key) is True
            if wanted and all(o["value"] != value for o in options):
                label = _localized(element.get(text_key)) or default_text
                options.append({"value": value, "label": _clip(label, "value")})
        return options

    def common(
        self, element: dict[str, object], where: str, scope: _Scope, built: dict[str, object]
    ) -> None:
        description = _localized(element.get("description"))
        shown = "\n\n".join(t for t in (description, _rating_ends(element, built)) if t)
        if shown:
            built["help"] = _clip(shown, "help")
        # A SurveyJS boolean is answered Yes or No; required here would mean "must be
        # checked" (a checkbox always has an answer), so a boolean is never required.
        read_only = scope.read_only or element.get("readOnly") is True
        required_ok = not read_only and built["type"] != "boolean"
        if element.get("isRequired") is True and required_ok:
            built["required"] = True
        required_if = self.expression(element.get("requiredIf"), f"{where}.requiredIf")
        if required_if and required_ok:
            built["required_if"] = required_if
        enable = list(scope.enable)
        enabled = self.expression(element.get("enableIf"), f"{where}.enableIf")
        if enabled:
            enable.append(enabled)
        if read_only:
            built["enabled_if"] = "false"
        elif enable:
            built["enabled_if"] = _joined(tuple(enable))
        default = element.get("defaultValue")
        if default is not None:
            self.default(default, built, where)
        expression = self.expression(
            element.get("defaultValueExpression"), f"{where}.defaultValueExpression"
        )
        if expression and "default" not in built:
            built["default_expression"] = expression
        self.validators(element, where, built)

    def default(self, value: object, built: dict[str, object], where: str) -> None:
        kind = built["type"]
        if kind in ("multi_choice", "ranking") and isinstance(value, list):
            built["default"] = [_option_value(v) for v in value]
        elif kind == "choice" and not isinstance(value, dict | list):
            built["default"] = _option_value(value)
        elif (
            (kind in ("number", "rating") and _is_number(value))
            or (kind == "boolean" and isinstance(value, bool))
            or (kind in ("text", "multiline", "date", "time") and isinstance(value, str))
        ):
            built["default"] = value
        else:
            self.refuse(f"{where}.defaultValue", "the default value does not fit the question")

    def validators(self, element: dict[str, object], where: str, built: dict[str, object]) -> None:
        raw = element.get("validators")
        if not isinstance(raw, list):
            return
        name = built["id"]
        constraints: list[str] = []
        messages: list[str] = []
        for i, validator in enumerate(raw):
            place = f"{where}.validators[{i}]"
            if not isinstance(validator, dict):
                continue
            kind = validator.get("type")
            message = _localized(validator.get("text"))
            if kind == "numeric":
                bounds = [
                    f"{{{name}}} {op} {validator[key]}"
                    for key, op in (("minValue", ">="), ("maxValue", "<="))
                    if _is_number(validator.get(key))
                ]
                if built["type"] == "number":
                    for key, target in (("minValue", "min"), ("maxValue", "max")):
                        if _is_number(validator.get(key)):
                            built[target] = validator[key]
                    if message:
                        constraints.append(" and ".join(bounds) or "true")
                        messages.append(message)
                elif built["type"] == "text":  # a number typed as text (Helpers.isNumber)
                    built.setdefault("pattern", _NUMBER_PATTERN)
                    built.setdefault(
                        "pattern_message", _clip(message or _NUMBER_MESSAGE, "pattern_message")
                    )
                    if bounds:
                        constraints.append(" and ".join(bounds))
                        messages.append(message or _NUMBER_MESSAGE)
                else:
                    constraints.append("true")
                    messages.append(message or _NUMBER_MESSAGE)
            elif kind == "text" and built["type"] in ("text", "multiline"):
                for key, target in (("minLength", "min_length"), ("maxLength", "max_length")):
                    count = validator.get(key)
                    if isinstance(count, int) and not isinstance(count, bool) and count > 0:
                        built[target] = count
                if message:
                    messages.append(message)
            elif kind == "regex":
                regex = validator.get("regex")
                if isinstance(regex, str) and regex and built["type"] == "text":
                    built["pattern"] = f".*(?:{regex}).*" if not regex.startswith("^") else regex
                    if message:
                        built["pattern_message"] = _clip(message, "pattern_message")
            elif kind == "email":
                if built["type"] == "text":
                    built["pattern"] = _EMAIL_PATTERN
                    built["pattern_message"] = _clip(message or _EMAIL_MESSAGE, "pattern_message")
            elif kind == "expression":
                expression = self.expression(validator.get("expression"), f"{place}.expression")
                if expression:
                    constraints.append(expression)
                    messages.append(message or "This answer is not accepted.")
            elif kind == "answercount":
                for key, target in (("minCount", "min_selected"), ("maxCount", "max_selected")):
                    count = validator.get(key)
                    if isinstance(count, int) and built["type"] == "multi_choice":
                        built[target] = count
            else:
                self.refuse(place, f"the validator '{kind}' is not supported")
        if constraints:
            built["constraint"] = _joined(tuple(constraints))
        if messages:
            built["constraint_message"] = _clip(
                " ".join(dict.fromkeys(messages)), "constraint_message"
            )

    def calculated_values(self, raw: dict[str, object]) -> list[dict[str, object]]:
        values = raw.get("calculatedValues")
        fields: list[dict[str, object]] = []
        if not isinstance(values, list):
            return fields
        for i, value in enumerate(values):
            place = f"calculatedValues[{i}]"
            if not isinstance(value, dict) or not isinstance(value.get("name"), str):
                self.refuse(place, "a calculated value needs a name and an expression")
                continue
            name = str(value["name"])
            if name in self.used_ids:
                self.refuse(f"{place} ({name})", f"a second question or value named '{name}'")
                continue
            self.used_ids.add(name)
            self.places[("field", name)] = f"{place} ({name})"
            expression = self.expression(value.get("expression"), f"{place}.expression")
            if expression is None:
                self.refuse(f"{place} ({name})", "a calculated value without an expression")
                continue
            self.names.setdefault(name.lower(), name)
            fields.append(
                {
                    "id": name,
                    "type": "calculated",
                    "label": _clip(name, "label"),
                    "calculate": expression,
                    "hidden": True,
                }
            )
        return fields

    # --- expressions ---

    def expression(self, raw: object, place: str) -> str | None:
        """A SurveyJS expression with its names spelt as the questions' (SurveyJS reads
        names case-insensitively); None when absent; refused when it does not parse."""
        if not isinstance(raw, str) or not raw.strip():
            return None
        raw = self.dynamic.expression(raw)
        whole = self.dynamic.emptiness_read(raw)
        if whole is not None:
            self.refuse(
                place,
                f"the expression asks whether '{whole}' (a dynamic panel or matrix) is empty, "
                f"which cannot be played yet; {{{whole}.length}} counts its panels or rows",
            )
            return None
        try:
            parsed = parse_expression(raw)
        except ExpressionError as exc:
            self.refuse(place, f"the expression does not parse: {exc.message}")
            return None
        text = raw
        for reference, _ in sorted(parsed.references, key=lambda r: -r[1]):
            known = self.names.get(reference.lower())
            if known is not None and known != reference:
                text = text.replace(f"{{{reference}}}", f"{{{known}}}")
        return text

    def check_references(self, data: dict[str, object]) -> None:
        """An expression naming a question that is left out cannot be played: listed
        with its place, and the key dropped. A name no question has is a survey
        variable (set by the web page hosting the survey): empty here, as in SurveyJS
        when nobody sets it."""
        steps = data["steps"]
        assert isinstance(steps, list)
        ids = {f["id"] for s in steps for f in s["fields"]} | set(self.dynamic.repeats)
        for step in steps:
            self.drop_unknown(step, "visible_if", ids, f"step {step['id']}")
            _texts_without_unknown(step, ("title", "description"), ids)
            for f in step["fields"]:
                _texts_without_unknown(f, ("label", "help", "placeholder"), ids)
                for part in (*f.get("options", []), *f.get("items", []), *f.get("rows", [])):
                    _texts_without_unknown(part, ("label",), ids)
                for key in _EXPRESSION_KEYS:
                    self.drop_unknown(f, key, ids, f"{f['id']}")
                for option in f.get("options", []):
                    self.drop_unknown(
                        option, "visible_if", ids, f"{f['id']} choice {option['value']}"
                    )

    def drop_unknown(
        self, holder: dict[str, object], key: str, ids: set[object], where: str
    ) -> None:
        text = holder.get(key)
        if not isinstance(text, str):
            return
        try:
            parsed = parse_expression(text)
        except ExpressionError:
            return
        missing = sorted(  # `{r[0].q}` reads repeat r
            n for n in parsed.reads if n.split(".")[0].split("[")[0] not in ids and n not in ids
        )
        variables = [n for n in missing if n.lower() not in self.names]
        if variables:  # no question has that name: a survey variable, never set offline
            for name in variables:
                text = text.replace(f"{{{name}}}", "null")
            holder[key] = text
            missing = [n for n in missing if n not in variables]
        if missing:
            self.refuse(
                f"{where} ({key})",
                f"the expression reads {', '.join(repr(m) for m in missing[:3])}, "
                "which is not a question Wizard Desktop imports",
            )
            if key == "calculate":
                holder.pop("calculate")
                holder["type"] = "note"
                for drop in ("hidden", "help"):
                    holder.pop(drop, None)
            else:
                holder.pop(key)
                if key == "constraint":
                    holder.pop("constraint_message", None)


_REFERENCE = re.compile(r"\{([^{}]*)\}")


def _count_files(data: dict[str, object]) -> None:
    """`{photo.length}` in an expression (how many files SurveyJS's list holds) as
    `iif({photo} notempty, 1, 0)`: a file field holds one file (several in one question
    are refused), and its answer is a reference, not a list."""
    steps = data["steps"]
    assert isinstance(steps, list)
    files = {
        f["id"].lower(): f["id"]
        for s in steps
        for f in s["fields"]
        if f["type"] in ("file", "image")
    }
    if not files:
        return
    names = "|".join(re.escape(f) for f in sorted(files, key=len, reverse=True))
    length = re.compile(rf"\{{\s*({names})\.length\s*\}}", re.IGNORECASE)

    def counted(match: re.Match[str]) -> str:
        return f"iif({{{files[match[1].lower()]}}} notempty, 1, 0)"

    for step in steps:
        holders = [
            step,
            *step["fields"],
            *(o for f in step["fields"] for o in f.get("options", [])),
        ]
        for holder in holders:
            for key in _EXPRESSION_KEYS:
                if isinstance(holder.get(key), str):
                    holder[key] = length.sub(counted, holder[key])


def _texts_without_unknown(
    holder: dict[str, object], keys: tuple[str, ...], ids: set[object]
) -> None:
    """`{name}` in a text, where no field has that name: empty, as SurveyJS renders it
    (grid cells `{grid.row}` keep their grid's name)."""
    for key in keys:
        text = holder.get(key)
        if isinstance(text, str) and "{" in text:

            def known(match: re.Match[str]) -> str:
                name = match.group(1)
                keep = name in ids or name.split(".")[0] in ids
                return match.group(0) if keep else ""

            holder[key] = _REFERENCE.sub(known, text) or "…"


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _key_ok(value: object) -> bool:
    """A grid row, column or item key of format 2."""
    return (
        isinstance(value, str | int) and re.fullmatch(IMPORTED_ID_PATTERN, str(value)) is not None
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _escaped(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def _joined(conditions: tuple[str, ...]) -> str:
    if len(conditions) == 1:
        return conditions[0]
    return " and ".join(f"({c})" for c in conditions)


def compare_case(
    result: ImportResult, answers: Mapping[str, object], expected: Mapping[str, object]
) -> dict[str, tuple[object, object]]:
    """Where the imported wizard's resolution of `answers` (`survey.data`) differs from
    SurveyJS's (the oracle's `expected`): key -> (ours, SurveyJS's). Questions left out
    by the import are left out of SurveyJS's lists; the `-Comment` fields and panel
    headings the import adds are left out of ours."""
    from wizard_desktop.definition.logic import wizard_logic

    definition, answers = laid_out_answers(result.definition, answers)
    resolution = wizard_logic(definition).resolve(survey_answers(definition, answers))  # type: ignore[arg-type]
    ids = {f.id for f in definition.fields} | result.row_repeats
    added = result.added
    start = definition.start_step
    if start is not None:  # a start page is not in survey-core's pages nor questions
        added = added | {f.id for f in start.fields}
        resolution = dataclasses.replace(
            resolution, steps=tuple(s for s in resolution.steps if s != start.id)
        )
    ours_fields = [f for f in resolution.fields if f not in added]
    theirs_fields = [q for q in expected["questions"] if q in ids]  # type: ignore[attr-defined]
    ours = {
        "pages": source_pages(definition, resolution.steps),
        "questions": _as_source_questions(ours_fields, result),
        "required": sorted(  # (a cell of a dynamic matrix is no question)
            f for f in resolution.required if f not in added and _question_of(f, result) == f
        ),
        # SurveyJS lists the expressions outside dynamic panels (`getAllQuestions(false)`)
        "values": {k: v for k, v in resolution.values.items() if _base_id(k) == k},
    }
    booleans = {f.id for f in definition.fields if f.type.value == "boolean"}
    visible_questions = set(expected["questions"])  # type: ignore[call-overload]
    pages = [  # a page shown only for questions the import left out cannot show here
        p
        for p in expected["pages"]  # type: ignore[attr-defined]
        if (step := definition.step(p)) is None
        or any(f.id in visible_questions for f in step.fields)
    ]
    theirs = {
        "pages": pages,
        "questions": theirs_fields,
        # a required boolean: answered Yes or No there; never required here (a checkbox
        # always has an answer, so required would mean "must be checked")
        "required": sorted(q for q in expected["required"] if q in ids and q not in booleans),  # type: ignore[attr-defined]
        # (an expression question without an expression is a note here: no value)
        "values": {k: v for k, v in expected["values"].items() if k in resolution.values},  # type: ignore[attr-defined]
    }
    return {k: (ours[k], theirs[k]) for k in ours if not _same(ours[k], theirs[k])}


def laid_out_answers(
    definition: WizardDefinition, data: Mapping[str, object]
) -> tuple[WizardDefinition, dict[str, object]]:
    """The definition laid out for `survey.data` (its repeats' instances: as many as its
    lists hold) and the answers by instance path (still in SurveyJS's value shapes)."""
    from wizard_desktop.definition.logic import wizard_logic

    if not definition.repeats:
        return definition, dict(data)
    flat, counts = flattened(definition, survey_answers(definition, data))
    expansion = expand_for(
        definition,
        counts,
        flat,  # type: ignore[arg-type]
        lambda d, a: wizard_logic(d).resolve(a).scope,
    )
    return expansion.definition, flat


def _base_id(element_id: str) -> str:
    split = split_path(element_id)
    return split[2] if split is not None else element_id


def _question_of(field_id: str, result: ImportResult) -> str | None:
    """The SurveyJS question a field is: none for a panel's copy of a heading the import
    added, the matrix for a dynamic matrix's cell, else the field."""
    split = split_path(field_id)
    if split is not None and split[2] in result.added:
        return None
    return split[0] if split is not None and split[0] in result.row_repeats else field_id


def _as_source_questions(fields: list[str], result: ImportResult) -> list[str]:
    """Field ids as SurveyJS lists the questions (a dynamic matrix once, not per cell)."""
    out: list[str] = []
    for f in fields:
        question = _question_of(f, result)
        if question is not None and (question == f or not out or out[-1] != question):
            out.append(question)
    return out


def _same(a: object, b: object) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if _is_number(a) and _is_number(b):
        return abs(float(a) - float(b)) < 1e-9  # type: ignore[arg-type]
    return a == b
