"""A wizard in several languages (format 2): the language codes, the texts given as a
map of codes (`{en: Name, de: Name}`), a definition in one of its languages, and which
language a person's locale picks.

The model keeps every text's default-language string where it always was (a
`Step.title` is a str), so nothing that reads texts changes; the maps are carried
beside, on the definition, as `TextTranslations` keyed by the text's data path (the
path of the key in the file and in the canonical JSON, e.g. `("steps", 0, "title")`).
`to_dict` writes them back as maps, so a changed translation is a new version.
`localized(definition, language)` gives the same definition with every text in that
language (the default's where a map has none): the player, the report and the exports
just take it, and the logic built for it renders `{field}` in those texts.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from wizard_desktop.definition.model import WizardDefinition

# A language code as BCP 47 writes the common ones: a language (2 or 3 letters), then
# at most two subtags (a script such as Latn, a region such as CH or 419).
LANGUAGE_CODE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$"
MAX_LANGUAGE_CODE_CHARS = 20

TextPath: TypeAlias = tuple[str | int, ...]
# One text in several languages: (language, text) pairs in the order of `languages`.
LanguageTexts: TypeAlias = tuple[tuple[str, str], ...]
# Every text given as a map: (data path, its texts), in definition order.
TextTranslations: TypeAlias = tuple[tuple[TextPath, LanguageTexts], ...]


def is_language_code(code: str) -> bool:
    return (
        len(code) <= MAX_LANGUAGE_CODE_CHARS
        and re.fullmatch(LANGUAGE_CODE_PATTERN, code) is not None
    )


def write_translations(data: dict[str, Any], definition: WizardDefinition) -> None:
    """Put the definition's languages and its maps into its file-format form `data`."""
    data["languages"] = list(definition.languages)
    data["default_language"] = definition.default_language
    for path, texts in definition.translations:
        holder: Any = data
        for part in path[:-1]:
            holder = holder[part]
        holder[path[-1]] = dict(texts)


def localized(definition: WizardDefinition, language: str | None) -> WizardDefinition:
    """`definition` with every text in `language` (a text without it keeps the default
    language's); the default language for None or a language the wizard does not
    have. The result keeps the languages and maps, so its canonical JSON and content
    hash are the definition's. Cached: every language of one definition is built once."""
    if language not in definition.languages:
        language = definition.default_language
    cache = definition.localized_cache
    if definition.text_language is None and definition.default_language is not None:
        cache.setdefault(definition.default_language, definition)
    if language is None or language == (definition.text_language or definition.default_language):
        return definition
    found = cache.get(language)
    if found is None:
        changes: dict[TextPath, str] = {}
        for path, texts in definition.translations:
            by_language = dict(texts)
            fallback = by_language[definition.default_language or ""]
            changes[path] = by_language.get(language, fallback)
        found = _replaced(definition, _tree(changes))
        found = dataclasses.replace(found, text_language=language)
        object.__setattr__(found, "localized_cache", cache)
        cache[language] = found
    return found


def _tree(changes: Mapping[TextPath, str]) -> dict[str | int, Any]:
    """The changes as nested dicts, one level per path part."""
    tree: dict[str | int, Any] = {}
    for path, text in changes.items():
        node = tree
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = text
    return tree


def _replaced(element: Any, tree: Mapping[str | int, Any]) -> Any:
    """`element` (a model dataclass) with the texts of `tree` in place: a str key is an
    attribute, an int key an index into the tuple attribute above it."""
    updates: dict[str, Any] = {}
    for key, change in tree.items():
        assert isinstance(key, str)
        current = getattr(element, key)
        if isinstance(change, str):
            updates[key] = change
        else:
            items = list(current)
            for index, item_change in change.items():
                items[index] = _replaced(items[index], item_change)
            updates[key] = tuple(items)
    return dataclasses.replace(element, **updates)


def default_text_sql(element: str, key: str, definition: str) -> str:
    """SQLite's reading of the text `key` of a JSON `element` (e.g. a step in `json_each`)
    of a stored canonical `definition`: a text in several languages (a map) gives its
    default language's, so SQL over stored versions reads what the model does."""
    text = f"json_extract({element}, '$.{key}')"
    default = (
        f"json_extract({element}, '$.{key}.\"' || "
        f"json_extract({definition}, '$.default_language') || '\"')"
    )
    return f"CASE json_type({element}, '$.{key}') WHEN 'object' THEN {default} ELSE {text} END"


def best_language(languages: Sequence[str], preferences: Iterable[str]) -> str | None:
    """The first of `languages` a person's `preferences` (their locale's languages, most
    wanted first, as `de-CH` or `de_CH`) ask for: the same code, else the same language
    (`de_CH` picks `de`, `de` picks `de-AT`); None when none is asked for."""
    by_code = {code.lower(): code for code in languages}
    by_language: dict[str, str] = {}
    for code in languages:
        by_language.setdefault(code.split("-")[0].lower(), code)
    for preference in preferences:
        wanted = preference.replace("_", "-").lower()
        if wanted in by_code:
            return by_code[wanted]
        primary = wanted.split("-")[0]
        if primary in by_code:
            return by_code[primary]
        if primary in by_language:
            return by_language[primary]
    return None
