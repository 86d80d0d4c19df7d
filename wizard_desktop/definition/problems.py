"""What is wrong with a wizard file, said so a person can find it: `Problem` (file,
line, data path, message), `WizardFileError` (all of them, the list shown capped), and
the small helpers that put paths and values from the file into messages safely
(shortened, control and bidi characters escaped)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

from wizard_desktop.definition.text import terminal_safe

PathPart: TypeAlias = str | int
DataPath: TypeAlias = tuple[PathPart, ...]

# A message lists at most this many problems, then says how many more there are.
MAX_PROBLEMS_SHOWN = 50
# Text from the file is echoed in messages up to this many characters.
MAX_ECHOED_CHARS = 40


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a wizard file; `path` is empty for whole-file problems.
    `column` (1-based, with a line) points inside a value, e.g. at a name in an
    expression."""

    file: str
    line: int | None
    path: str
    message: str
    column: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.line is not None and self.column is not None:
            where = f"{where}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class WizardFileError(Exception):
    """A wizard file (or stored definition) is not valid; `problems` lists every reason,
    the message the first MAX_PROBLEMS_SHOWN of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        shown = [str(p) for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        hidden = len(self.problems) - len(shown)
        if hidden > 0:
            shown.append(f"… and {hidden} more problem{'s' if hidden > 1 else ''}")
        return "\n".join(shown)


def shorten(text: str) -> str:
    """`text` as echoed in a message: at most MAX_ECHOED_CHARS characters (then "…"),
    control and bidi characters escaped."""
    if len(text) > MAX_ECHOED_CHARS:
        text = text[:MAX_ECHOED_CHARS] + "…"
    return terminal_safe(text)


def quoted(text: str) -> str:
    """`text` shortened, in single quotes, for "unknown key 'x'" style messages."""
    return f"'{shorten(text)}'"


def format_path(path: DataPath) -> str:
    """`("steps", 2, "fields", 0, "type")` -> `steps[2].fields[0].type`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]{0,39}", part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(shorten(part), ensure_ascii=False)}]"
    return out


def describe_value(value: object) -> str:
    """A short description of a parsed value for messages."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(shorten(value), ensure_ascii=False)
    if isinstance(value, dt.datetime):
        return f"the date and time {value.isoformat()}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
