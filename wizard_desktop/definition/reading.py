"""Reading a wizard file's text into plain data, with the line of every value.

This module owns everything before validation: reading the file (regular file, size
cap, read with a limit), decoding (UTF-8 only, with true messages for UTF-16/32 and
binary files), and parsing YAML or JSON with no anchors or aliases, no duplicate keys,
no lone surrogates, no numbers of absurd length and bounded nesting (checked before
any recursive parser runs). What stops reading altogether raises `SourceError`; what
is wrong with one value becomes a `Problem` beside the data.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    NodeEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from wizard_desktop.definition.fileformat import MAX_FILE_BYTES, MAX_NESTING, MAX_NUMBER_DIGITS
from wizard_desktop.definition.problems import (
    DataPath,
    Problem,
    describe_value,
    format_path,
    quoted,
)
from wizard_desktop.definition.text import surrogate_problem


class SourceLines:
    """Where each path starts in the source text (1-based), for the paths the parser saw,
    and the column where the text of each one-line string starts (inside its quotes)."""

    def __init__(self) -> None:
        self.by_path: dict[DataPath, int] = {}
        self.duplicates: dict[DataPath, list[int]] = {}
        self.text_columns: dict[DataPath, tuple[int, int]] = {}

    def column(self, path: DataPath, offset: int) -> tuple[int, int] | None:
        """The line and column of the `offset`-th character (1-based) of the one-line
        string at `path`, when the parser saw it (escapes are counted as written)."""
        start = self.text_columns.get(path)
        if start is None:
            return None
        return start[0], start[1] + offset - 1

    def record(self, path: DataPath, line: int) -> None:
        self.by_path.setdefault(path, line)

    def line(self, path: DataPath) -> int | None:
        """The line of `path`, else of its nearest ancestor the parser saw."""
        for end in range(len(path), -1, -1):
            found = self.by_path.get(path[:end])
            if found is not None:
                return found
        return None


class SourceError(Exception):
    """A problem that stops reading the text at all (syntax, anchors, encoding)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


ParsedSource = tuple[object, SourceLines, list[Problem]]

_NESTED_TOO_DEEPLY = f"the file is nested more than {MAX_NESTING} levels deep"


def _too_many_digits(digits: str) -> str:
    return (
        f"the number {digits[:20]}… has {len(digits)} digits; a number in a wizard file "
        f"has at most {MAX_NUMBER_DIGITS}"
    )


# --- YAML ----------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's pure-Python safe composer, refusing anchors, aliases (no alias bombs) and
    nesting deeper than MAX_NESTING."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        _refuse_anchor(self.peek_event())  # type: ignore[no-untyped-call]
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise SourceError(_NESTED_TOO_DEEPLY, _event_line(self.peek_event()))  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp"))


class _NodeReader:
    """Turns a composed YAML node tree into plain data, recording the line of every
    path; duplicate keys, non-text keys, lone surrogates, overlong numbers and
    unsupported tags become problems."""

    def __init__(self, loader: yaml.SafeLoader | yaml.CSafeLoader, source: str) -> None:
        self.loader = loader
        self.source = source
        self.lines = SourceLines()
        self.problems: list[Problem] = []

    def problem(self, path: DataPath, line: int, message: str) -> None:
        self.problems.append(Problem(self.source, line, format_path(path), message))

    def scalar(self, node: ScalarNode, path: DataPath, line: int) -> object:
        if node.tag not in _SCALAR_TAGS:
            self.problem(path, line, f"the YAML tag {node.tag} is not supported")
            return None
        if node.tag == _YAML + "int" and len(node.value) > MAX_NUMBER_DIGITS:
            self.problem(path, line, _too_many_digits(node.value))
            return None
        try:
            value = self.loader.construct_object(node)
        except (ValueError, KeyError, TypeError, yaml.YAMLError):
            kind = node.tag.removeprefix(_YAML)
            self.problem(path, line, f"{quoted(node.value)} is not a valid {kind}")
            return None
        if isinstance(value, str) and (problem := surrogate_problem(value)) is not None:
            self.problem(path, line, problem)
            return None
        return value

    def read(self, node: Node, path: DataPath) -> object:
        line = node.start_mark.line + 1
        self.lines.record(path, line)
        if isinstance(node, ScalarNode):
            # plain (None or "" by libyaml) or quoted, on one line
            if node.style in (None, "", "'", '"') and node.end_mark.line == node.start_mark.line:
                quote = 1 if node.style in ("'", '"') else 0
                self.lines.text_columns[path] = (line, node.start_mark.column + 1 + quote)
            return self.scalar(node, path, line)
        if isinstance(node, SequenceNode):
            if node.tag != _YAML + "seq":
                self.problem(path, line, f"the YAML tag {node.tag} is not supported")
            return [self.read(child, (*path, i)) for i, child in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        if node.tag != _YAML + "map":
            self.problem(path, line, f"the YAML tag {node.tag} is not supported")
        result: dict[str, object] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            key: object = None
            if isinstance(key_node, ScalarNode) and key_node.tag in _SCALAR_TAGS:
                key = self.scalar(key_node, path, key_line)
            if not isinstance(key, str):
                shown = describe_value(key) if isinstance(key_node, ScalarNode) else "a collection"
                self.problem(path, key_line, f"keys must be text, got {shown}")
                continue
            key_path = (*path, key)
            if key in first_line:
                self.problem(
                    key_path,
                    key_line,
                    f"duplicate key {quoted(key)} (first at line {first_line[key]})",
                )
                self.lines.duplicates.setdefault(key_path, []).append(key_line)
                continue
            first_line[key] = key_line
            self.lines.record(key_path, key_line)
            result[key] = self.read(value_node, key_path)
        return result


# libyaml (when PyYAML has it) composes ~20x faster than the pure-Python composer: a
# 2 MB file takes a fraction of a second instead of ~15 s. Its composer cannot be
# hooked, so anchors, aliases and deep nesting are refused by a first pass over the
# events (libyaml's parser itself is not recursive).
_FAST_LOADER: type[yaml.CSafeLoader] | None = getattr(yaml, "CSafeLoader", None)


def _event_line(event: yaml.Event) -> int | None:
    return event.start_mark.line + 1 if event.start_mark is not None else None


def _refuse_anchor(event: yaml.Event) -> None:
    if isinstance(event, AliasEvent):
        raise SourceError(
            f"YAML aliases (*{event.anchor}) are not supported: write the value out",
            _event_line(event),
        )
    if isinstance(event, NodeEvent) and event.anchor is not None:
        raise SourceError(
            f"YAML anchors (&{event.anchor}) are not supported: write the value out",
            _event_line(event),
        )


def _check_events(events: Iterator[yaml.Event]) -> None:
    depth = 0
    for event in events:
        _refuse_anchor(event)
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                raise SourceError(_NESTED_TOO_DEEPLY, _event_line(event))
        elif isinstance(event, CollectionEndEvent):
            depth -= 1


def _compose_yaml(text: str) -> tuple[yaml.SafeLoader | yaml.CSafeLoader, Node | None]:
    """The single document's node tree; anchors/aliases/deep nesting raise SourceError."""
    if _FAST_LOADER is None:
        loader: yaml.SafeLoader | yaml.CSafeLoader = _StrictLoader(text)
    else:
        _check_events(yaml.parse(text, Loader=_FAST_LOADER))
        loader = _FAST_LOADER(text)
    try:
        return loader, loader.get_single_node()
    finally:
        loader.dispose()


def _syntax_error(exc: yaml.YAMLError, text: str) -> SourceError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if "maximum nesting depth" in (exc.problem or ""):  # libyaml's own limit (1,000)
            return SourceError(_NESTED_TOO_DEEPLY, mark.line + 1 if mark else None)
        detail = exc.problem or "invalid YAML"
        if exc.context:
            detail = f"{detail} ({exc.context})"
        return SourceError(f"YAML syntax error: {detail}", mark.line + 1 if mark else None)
    if isinstance(exc, yaml.reader.ReaderError):
        # libyaml counts the position in UTF-8 bytes, the Python reader in characters.
        if _FAST_LOADER is not None:
            line = text.encode()[: exc.position].count(b"\n") + 1
        else:
            line = text[: exc.position].count("\n") + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1])
        return SourceError(f"the character U+{code:04X} is not allowed in YAML", line)
    return SourceError(f"YAML error: {exc}")


def read_yaml(text: str, source: str) -> ParsedSource:
    """The data of a YAML wizard file, its lines, and the problems of single values."""
    try:
        loader, node = _compose_yaml(text)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, text) from exc
    if node is None:
        raise SourceError("the file is empty")
    reader = _NodeReader(loader, source)
    data = reader.read(node, ())
    return data, reader.lines, reader.problems


# --- JSON ----------------------------------------------------------------------------


class _JsonObject(dict[str, object]):
    """A JSON object that remembers the keys it saw more than once (first value kept)."""

    duplicates: list[str]

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, object]]) -> _JsonObject:
        obj = cls()
        obj.duplicates = []
        for key, value in pairs:
            if key in obj:
                obj.duplicates.append(key)
            else:
                obj[key] = value
        return obj


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


def _refuse_deep_json(text: str) -> None:
    """Refuse nesting beyond MAX_NESTING before the (recursive) JSON parser sees it."""
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    if len(brackets) <= MAX_NESTING:
        return
    depth = 0
    for char in brackets:
        depth += 1 if char in "[{" else -1
        if depth > MAX_NESTING:
            raise SourceError(_NESTED_TOO_DEEPLY)


def _json_lines(text: str) -> SourceLines:
    """Best-effort line numbers for JSON: JSON is (nearly) YAML, so compose it (with
    surrogate escapes, which libyaml refuses, replaced by U+FFFD in place)."""
    try:
        loader, node = _compose_yaml(_SURROGATE_ESCAPE.sub(r"\\ufffd", text))
        if node is None:
            return SourceLines()
        reader = _NodeReader(loader, "")
        reader.read(node, ())
    except (yaml.YAMLError, SourceError, ValueError):
        return SourceLines()
    return reader.lines


def read_json(text: str, source: str, *, with_lines: bool = True) -> ParsedSource:
    """The data of a JSON wizard file, its lines (when asked: it costs a second parse),
    and the problems of single values."""
    if not text.strip():
        raise SourceError("the file is empty")
    _refuse_deep_json(text)

    def parse_int(digits: str) -> int:
        if len(digits) > MAX_NUMBER_DIGITS:
            raise SourceError(_too_many_digits(digits), text[: text.find(digits)].count("\n") + 1)
        return int(digits)

    try:
        raw = json.loads(text, object_pairs_hook=_JsonObject.from_pairs, parse_int=parse_int)
    except json.JSONDecodeError as exc:
        raise SourceError(f"JSON syntax error: {exc.msg} (column {exc.colno})", exc.lineno) from exc
    lines = _json_lines(text) if with_lines else SourceLines()
    problems: list[Problem] = []
    # A str from JSON holds a surrogate only through a \uD800-\uDFFF escape.
    may_hold_surrogates = _SURROGATE_ESCAPE.search(text) is not None

    def problem(path: DataPath, line: int | None, message: str) -> None:
        problems.append(Problem(source, line, format_path(path), message))

    def clean(value: object, path: DataPath) -> object:
        if isinstance(value, _JsonObject):
            for key in value.duplicates:
                key_path = (*path, key)
                seen = lines.duplicates.get(key_path)
                problem(
                    key_path,
                    seen.pop(0) if seen else lines.line(key_path),
                    f"duplicate key {quoted(key)}",
                )
            if may_hold_surrogates:
                for key in [k for k in value if surrogate_problem(k) is not None]:
                    problem(path, lines.line(path), f"a key {surrogate_problem(key)}")
                    del value[key]
            return {k: clean(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v, (*path, i)) for i, v in enumerate(value)]
        if may_hold_surrogates and isinstance(value, str):
            wrong = surrogate_problem(value)
            if wrong is not None:
                problem(path, lines.line(path), wrong)
                return None
        return value

    return clean(raw, ()), lines, problems


# --- Files ---------------------------------------------------------------------------


def _too_large(size: int) -> str:
    limit = MAX_FILE_BYTES // (1024 * 1024)
    return f"the file is too large ({size / (1024 * 1024):.1f} MB); the limit is {limit} MB"


def read_limited(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES (never more is read)."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise SourceError("this is a folder, not a wizard file")
        if not stat.S_ISREG(info.st_mode):
            raise SourceError("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise SourceError(_too_large(info.st_size))
        with open(path, "rb") as handle:
            content = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise SourceError("file not found") from None
    except PermissionError:
        raise SourceError("permission denied: cannot read the file") from None
    except OSError as exc:
        raise SourceError(f"cannot read the file: {exc.strerror or exc}") from None
    if len(content) > MAX_FILE_BYTES:
        raise SourceError(_too_large(len(content)))
    return content


# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_OTHER_UNICODE_MARKS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def decode(content: bytes) -> str:
    """The text of a UTF-8 file (a UTF-8 byte order mark is dropped)."""
    for mark, encoding in _OTHER_UNICODE_MARKS:
        if content.startswith(mark):
            raise SourceError(
                f"the file is saved as {encoding} text; a wizard file must be UTF-8: "
                "save it as UTF-8"
            )
    if b"\x00" in content:
        raise SourceError("this is a binary file (it contains NUL bytes), not UTF-8 text")
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        bad = content[exc.start : exc.start + 1].hex()
        raise SourceError(
            f"the file is not UTF-8 text (byte 0x{bad} cannot be decoded): save it as UTF-8",
            line,
        ) from None
