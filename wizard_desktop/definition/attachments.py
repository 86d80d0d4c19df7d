"""Attachments (format 2 field types `file`, `image`, `signature`): the shape of their
answer, their settings (`accept`, `max_size`) and the one check of an answer.

An attachment answer is a small reference, never the content:
`{"sha256": <64 hex>, "name": <file name>, "size": <bytes>, "type": <media type>}`.
The content is stored once by its SHA-256 (`store.attachments`), whatever the number
of answers that name it. A signature is a PNG drawn in the player (name
"signature.png"). Media types are sniffed from the content's first bytes for the
formats we recognise, else guessed from the name's extension.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable, Mapping
from typing import Any

from wizard_desktop.definition.model import AnswerValue, Field, FieldType
from wizard_desktop.definition.problems import DataPath, describe_value

ATTACHMENT_TYPES = frozenset({FieldType.FILE, FieldType.IMAGE, FieldType.SIGNATURE})
MEGABYTE = 1024 * 1024
DEFAULT_MAX_SIZE = 10 * MEGABYTE
MAX_SIZE_LIMIT = 50 * MEGABYTE
SIGNATURE_MAX_SIZE = 2 * MEGABYTE  # a drawn PNG is a few kilobytes
SIGNATURE_NAME = "signature.png"
PNG = "image/png"
# What an image field takes unless its `accept` says otherwise: what the player decodes.
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp")
MAX_ACCEPT_ITEMS = 50
MAX_NAME_CHARS = 255
VALUE_KEYS = ("sha256", "name", "size", "type")

ACCEPT_PATTERN = r"^(\.[a-z0-9]{1,16}|[a-z]+/(\*|[a-z0-9][a-z0-9.+-]{0,126}))$"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MEDIA_TYPE = re.compile(r"[a-z]+/[a-z0-9][a-z0-9.+-]{0,126}")
# Control, line-break and bidi-override characters; "/" and "\\" (a name, not a path).
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f/\\\u2028\u2029\u202a-\u202e\u2066-\u2069]")

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
)


def is_attachment(field: Field) -> bool:
    return field.type in ATTACHMENT_TYPES


def max_size(field: Field) -> int:
    """The largest content `field` takes, in bytes."""
    if field.type is FieldType.SIGNATURE:
        return SIGNATURE_MAX_SIZE
    return field.max_size if field.max_size is not None else DEFAULT_MAX_SIZE


def media_type(name: str, head: bytes) -> str:
    """The media type of content starting with `head` (its first 16 bytes suffice),
    named `name`: by its first bytes when recognised, else by the extension (but an
    image type only from the bytes)."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            if kind == "application/zip":
                break  # docx, xlsx, odt… are zips too: the extension says which
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    guessed, _encoding = mimetypes.guess_type(name, strict=False)
    guessed = (guessed or "").lower()
    # An image is what its bytes say: a text file named .png is no image.
    if not _MEDIA_TYPE.fullmatch(guessed) or guessed.startswith("image/"):
        return "application/octet-stream"
    return guessed


def accepted(field: Field, name: str, kind: str) -> bool:
    """Whether `field` takes a file named `name` of media type `kind`."""
    accept = field.accept or (IMAGE_TYPES if field.type is FieldType.IMAGE else ())
    if field.type is FieldType.IMAGE and kind not in IMAGE_TYPES:
        return False
    if not accept:
        return True
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else None
    for item in accept:
        if item.startswith("."):
            if suffix is not None and item[1:] == suffix:
                return True
        elif item.endswith("/*"):
            if kind.startswith(item[:-1]):
                return True
        elif item == kind:
            return True
    return False


def accept_text(field: Field) -> str:
    """What `field` takes, for a person: ".pdf, image/*" or "any file"."""
    if field.accept:
        return ", ".join(field.accept)
    return "PNG, JPEG, GIF, WebP or BMP images" if field.type is FieldType.IMAGE else "any file"


def name_problem(name: str) -> str | None:
    if not name or len(name) > MAX_NAME_CHARS:
        return f"a file name has 1 to {MAX_NAME_CHARS} characters"
    if _BAD_NAME.search(name):
        return "a file name holds no control characters, slashes or backslashes"
    return None


def attachment_value(sha256: str, name: str, size: int, kind: str) -> dict[str, str | int]:
    return {"sha256": sha256, "name": name, "size": size, "type": kind}


def attachment_sha256(value: object) -> str | None:
    """The content hash an answer names, when it is an attachment reference."""
    if isinstance(value, Mapping):
        sha = value.get("sha256")
        if isinstance(sha, str) and _SHA256.fullmatch(sha):
            return sha
    return None


def value_problem(field: Field, value: AnswerValue) -> str | None:
    """None when `value` is a well-formed attachment reference `field` takes, else why
    not (a message starting in lower case, as `answers.type_problem` gives)."""
    if not isinstance(value, dict) or sorted(value) != sorted(VALUE_KEYS):
        return "expected a file reference {sha256, name, size, type}"
    sha, name, size, kind = (value[k] for k in VALUE_KEYS)
    if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
        return "expected sha256 as 64 lower-case hexadecimal digits"
    if not isinstance(name, str) or (problem := name_problem(name)) is not None:
        return problem or "expected a file name"
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        return "expected the size as a whole number of bytes"
    if not isinstance(kind, str) or not _MEDIA_TYPE.fullmatch(kind):
        return "expected a media type such as image/png"
    if size > max_size(field):
        return f"the file is larger than {size_text(max_size(field))}"
    if field.type is FieldType.SIGNATURE:
        return None if kind == PNG else "a signature is a PNG image"
    if not accepted(field, name, kind):
        return f"this field takes {accept_text(field)}, not {kind}"
    return None


def size_text(size: int) -> str:
    """A size for a person: 512 bytes, 3.4 KB, 5.0 MB (1 KB = 1024 bytes)."""
    if size < 1024:
        return f"{size} byte" if size == 1 else f"{size} bytes"
    if size < MEGABYTE:
        return f"{size / 1024:.1f} KB"
    if size < 1024 * MEGABYTE:
        return f"{size / MEGABYTE:.1f} MB"
    return f"{size / (1024 * MEGABYTE):.1f} GB"


def attachment_settings(
    data: Mapping[str, object], path: DataPath, report: Callable[[DataPath, str], None]
) -> dict[str, Any]:
    """The `accept` and `max_size` of a file or image field in a file, as `Field`
    keyword arguments; each problem goes to `report`. `max_size` above
    MAX_SIZE_LIMIT is refused (a load error), not lowered."""
    settings: dict[str, Any] = {}
    if "accept" in data:
        raw = data["accept"]
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not raw or len(raw) > MAX_ACCEPT_ITEMS:
            report(
                (*path, "accept"),
                f"expected a list of 1 to {MAX_ACCEPT_ITEMS} extensions (.pdf) or media "
                f"types (image/*), got {describe_value(raw)}",
            )
        else:
            items: list[str] = []
            for index, item in enumerate(raw):
                if isinstance(item, str) and re.fullmatch(ACCEPT_PATTERN, item.lower()):
                    items.append(item.lower())
                else:
                    report(
                        (*path, "accept", index),
                        f"expected an extension such as .pdf or a media type such as "
                        f"image/* or application/pdf, got {describe_value(item)}",
                    )
            settings["accept"] = tuple(dict.fromkeys(items))
    if "max_size" in data:
        raw = data["max_size"]
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_SIZE_LIMIT:
            report(
                (*path, "max_size"),
                f"expected a size in bytes from 1 to {MAX_SIZE_LIMIT} "
                f"({size_text(MAX_SIZE_LIMIT)}), got {describe_value(raw)}",
            )
        else:
            settings["max_size"] = raw
    return settings
