"""Answers in JSON from someone else (a template file, `resolve --answers`): read with a
size limit from a regular file (or a stream), parsed as strict JSON: no duplicate
keys, no NaN or infinities, no number beyond the format's limit, a bounded nesting.
Every refusal is a `JsonInputError` whose message completes "the file …" for a person."""

from __future__ import annotations

import json
import math
import stat
from pathlib import Path
from typing import Any, BinaryIO

from wizard_desktop.definition.model import NUMBER_LIMIT

NUMBER_MAX_DIGITS = len(str(NUMBER_LIMIT))


class JsonInputError(ValueError):
    """The input is not strict JSON within the limits; the message says why."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise ValueError(f"the key {key[:80]!r} appears twice in one object")
        document[key] = value
    return document


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number an answer may hold")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > NUMBER_MAX_DIGITS or abs(value := int(text)) >= NUMBER_LIMIT:
        raise ValueError(f"the number {text[:20]}… is beyond the format's limit")
    return value


def _bounded_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or abs(value) >= NUMBER_LIMIT:
        raise ValueError(f"the number {text[:20]} is beyond the format's limit")
    return value


def read_limited(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file `path`, never more than `max_bytes` read."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise JsonInputError("is not a regular file")
        with path.open("rb") as file:
            return read_stream(file, max_bytes)
    except OSError as exc:
        raise JsonInputError(f"cannot be read: {exc.strerror or exc}") from exc


def read_stream(stream: BinaryIO, max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise JsonInputError(f"is larger than {max_bytes // 1_000_000} MB")
    return data


def strict_json(data: bytes) -> object:
    """`data` (UTF-8, a byte-order mark allowed) parsed as strict JSON."""
    try:
        return json.loads(
            data.decode("utf-8-sig"),
            object_pairs_hook=_unique_keys,
            parse_constant=_refuse_constant,
            parse_int=_bounded_int,
            parse_float=_bounded_float,
        )
    except UnicodeDecodeError as exc:
        raise JsonInputError("is not UTF-8 text") from exc
    except RecursionError as exc:
        raise JsonInputError("is nested too deeply") from exc
    except ValueError as exc:  # json.JSONDecodeError and the checks above
        raise JsonInputError(f"is invalid: {exc}") from exc
