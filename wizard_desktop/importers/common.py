"""What every importer (SurveyJS, XLSForm) shares: the `UnsupportedItem` a source
construct becomes when Wizard Desktop cannot play it, the `ImportResult` an importer
returns, and the refusal rule: unless the caller asked to skip unsupported items, a
source with any of them is refused as a whole (`ImportRefused`, every item listed with
its place, nothing stored); with `skip_unsupported` the rest is imported and the wizard
itself says what was left out (`record_left_out`: its description and a note on its
first step).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from wizard_desktop.definition.fileformat import TEXT_LIMITS
from wizard_desktop.definition.loader import definition_from_dict
from wizard_desktop.definition.model import WizardDefinition
from wizard_desktop.definition.problems import Problem, WizardFileError
from wizard_desktop.definition.repeats import split_path
from wizard_desktop.definition.text import terminal_safe

# A source file from someone else is read only up to this size (checked before parsing).
MAX_SOURCE_BYTES = 8 * 1024 * 1024
# Items listed in the note that tells the person what an import left out.
MAX_LEFT_OUT_SHOWN = 100
# ... and at most this many characters of them (a note and a description hold 20,000).
MAX_LEFT_OUT_CHARS = 15_000
# An item's place and reason quote the source (names, types): shown at most this long.
MAX_PLACE_CHARS = 200
MAX_REASON_CHARS = 500
_MARKUP = re.compile(r"[\\`*_\[\]<>#|!]")
# A format-2 data path an import made from a source element: its step, field or repeat.
_DATA_PATH = re.compile(r"(steps|repeats)\[(\d+)\](?:\.fields\[(\d+)\])?")


@dataclass(frozen=True)
class UnsupportedItem:
    """One construct of a source form that cannot be played, with its place in the
    source (`pages[3].elements[1] (q7)`, `survey row 214 (Id10120)`)."""

    source: str  # the file name as shown
    place: str
    reason: str

    def __post_init__(self) -> None:
        # the source's names and texts in them are shown as one bounded plain line
        object.__setattr__(self, "place", _one_line(self.place, MAX_PLACE_CHARS))
        object.__setattr__(self, "reason", _one_line(self.reason, MAX_REASON_CHARS))

    @property
    def place_and_reason(self) -> str:
        """`place: reason`, for a list that already names the file."""
        return f"{self.place}: {self.reason}"

    def __str__(self) -> str:
        return terminal_safe(f"{self.source}: {self.place_and_reason}")


@dataclass(frozen=True)
class ImportResult:
    """An imported form: the format-2 definition (already validated like a YAML file)
    and what was left out of it (empty unless `skip_unsupported` was given)."""

    definition: WizardDefinition
    unsupported: tuple[UnsupportedItem, ...]
    # the format-2 data the definition was validated from (what `convert` writes)
    data: dict[str, object]
    # ids the import added that the source has no question for (panel headings, the
    # text of an "other" choice): left out when comparing with the source tool
    added: frozenset[str] = frozenset()
    # repeats that are one question in the source (a SurveyJS dynamic matrix: its rows'
    # cells are fields here): compared with the source tool as that one question
    row_repeats: frozenset[str] = frozenset()


def source_pages(definition: WizardDefinition, step_ids: Sequence[str]) -> list[str]:
    """The source's pages the steps `step_ids` are part of, in order, each once: a step
    of a page split around a repeat names its page (`source_pages`), an instance step
    (`panel[0].step`) its step's page, any other step is its page."""
    pages = dict(definition.source_pages)
    seen: dict[str, None] = {}
    for step_id in step_ids:
        split = split_path(step_id)
        base = split[2] if split is not None else step_id
        seen.setdefault(pages.get(base, base))
    return list(seen)


class ImportRefused(WizardFileError):
    """A source form holds constructs that cannot be played; `items` lists every one."""

    def __init__(self, items: Sequence[UnsupportedItem]) -> None:
        self.items: tuple[UnsupportedItem, ...] = tuple(items)
        problems = [Problem(i.source, None, i.place, i.reason) for i in self.items]
        super().__init__(problems)


def refuse_unless_skipped(items: Sequence[UnsupportedItem], skip_unsupported: bool) -> None:
    """The refusal rule: any unsupported item refuses the whole source unless skipped."""
    if items and not skip_unsupported:
        raise ImportRefused(items)


def left_out_text(items: Sequence[UnsupportedItem]) -> str:
    """The Markdown note an import with skipped items shows (the source's text escaped,
    within the length of a note or a description)."""
    lines = ["**Left out when this form was imported** (Wizard Desktop cannot play these):", ""]
    size = len(lines[0])
    for shown, item in enumerate(items):
        text = f"{item.place}: {item.reason}".replace("{", "(").replace("}", ")")  # no {name}
        line = "- " + _MARKUP.sub(r"\\\g<0>", text)
        if shown == MAX_LEFT_OUT_SHOWN or size + len(line) > MAX_LEFT_OUT_CHARS:
            lines.append(f"- … and {len(items) - shown} more")
            break
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)


def record_left_out(data: dict[str, object], items: Sequence[UnsupportedItem]) -> str | None:
    """Say in the wizard (format-2 `data`) what an import left out: in its description
    (the Wizards list) and in a note at the top of its first step (the player). The
    note's id, None when nothing was left out."""
    if not items:
        return None
    note = left_out_text(items)
    description = data.get("description")
    data["description"] = within_description(f"{description}\n\n{note}" if description else note)
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps or not isinstance(steps[0], dict):
        return None
    ids = {f.get("id") for s in steps for f in s.get("fields", []) if isinstance(f, dict)}
    note_id, n = "left-out-on-import", 1
    while note_id in ids:
        n += 1
        note_id = f"left-out-on-import-{n}"
    fields = steps[0].setdefault("fields", [])
    fields.insert(0, {"id": note_id, "type": "note", "label": note})
    return note_id


def validated(
    data: dict[str, object], source: str, place_of: Callable[[str, str], str | None]
) -> WizardDefinition:
    """`definition_from_dict(data)` for an import: a problem the format-2 check finds at
    a step, field or repeat made from a source element names that element's place
    (`place_of(kind, id)`, kind "step", "field" or "repeat": `survey row 3 (n)`),
    not the format-2 path the person has never seen."""
    try:
        return definition_from_dict(data, source)
    except WizardFileError as error:
        problems = [_placed(p, data, place_of) for p in error.problems]
        raise WizardFileError(problems) from None


def _placed(
    problem: Problem, data: dict[str, object], place_of: Callable[[str, str], str | None]
) -> Problem:
    match = _DATA_PATH.match(problem.path)
    if match is None:
        return problem
    element: object = data.get(match[1])
    kind = "step" if match[1] == "steps" else "repeat"
    indices = [int(match[2])] if match[3] is None else [int(match[2]), int(match[3])]
    for depth, index in enumerate(indices):
        if depth:
            element = element.get("fields") if isinstance(element, dict) else None
            kind = "field"
        if not isinstance(element, list) or index >= len(element):
            return problem
        element = element[index]
    element_id = element.get("id") if isinstance(element, dict) else None
    place = place_of(kind, element_id) if isinstance(element_id, str) else None
    if not place:
        return problem
    rest = problem.path[match.end() :].lstrip(".")
    message = f"{rest}: {problem.message}" if rest else problem.message
    return Problem(problem.file, problem.line, _one_line(place, MAX_PLACE_CHARS), message)


def within_description(text: str) -> str:
    """`text` cut to what a wizard's description holds."""
    limit = TEXT_LIMITS["description"]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_source(path: str | os.PathLike[str], limit: int = MAX_SOURCE_BYTES) -> bytes:
    """The bytes of a regular file, refused (one line) above `limit` before reading it all."""
    source = os.fspath(path)
    file_path = Path(source)
    try:
        info = file_path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise WizardFileError([Problem(source, None, "", "not a regular file")])
        if info.st_size > limit:
            raise WizardFileError([Problem(source, None, "", _too_big(info.st_size, limit))])
        with file_path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise WizardFileError([Problem(source, None, "", f"cannot read: {exc.strerror}")]) from None
    if len(data) > limit:
        raise WizardFileError([Problem(source, None, "", _too_big(len(data), limit))])
    return data


def _one_line(text: str, limit: int) -> str:
    """`text` with control, bidi and surrogate characters escaped, cut at `limit`."""
    safe = terminal_safe(text)
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


def _too_big(size: int, limit: int) -> str:
    return f"the file is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB"
