"""A wizard with skip logic and a session on it whose stored answers include some on
a skipped step and on a hidden field, for the report's tests; and reading a report's
PDF back with poppler (`pdftotext`, `pdftoppm`: Debian poppler-utils)."""

from __future__ import annotations

import subprocess
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from tests.wizard_files import import_text
from wizard_desktop.core import sessions
from wizard_desktop.core.answer_text import NOT_SET

HOSTILE = "<b>bold</b> <img src=file:///etc/passwd>"

REPORTED = f"""\
format_version: 1
id: reported
title: "Reported {HOSTILE}"
steps:
  - id: about
    title: About you
    fields:
      - id: kind
        type: choice
        label: Kind of use
        required: true
        options:
          - {{value: personal, label: Personal use}}
          - {{value: business, label: Business use}}
      - {{id: name, type: text, label: "Your name {HOSTILE}"}}
      - id: company
        type: text
        label: Company name
        visible_if: {{field: kind, equals: business}}
      - {{id: born, type: date, label: Date of birth}}
      - {{id: height, type: number, label: Height, unit: cm, decimals: 1}}
  - id: business
    title: Business details
    visible_if: {{field: kind, equals: business}}
    fields:
      - {{id: vat, type: text, label: VAT number}}
  - id: extras
    title: Extras
    fields:
      - {{id: notes, type: multiline, label: Notes}}
      - {{id: newsletter, type: boolean, label: Newsletter}}
      - id: colours
        type: multi_choice
        label: Colours
        options: [{{value: red, label: Bright red}}, {{value: blue, label: Deep blue}}]
      - {{id: phone, type: text, label: Phone number}}
"""

HIDDEN_COMPANY = "Qzhiddencompany"
SKIPPED_VAT = "Qzskippedvat"
NAME = f"Ada {HOSTILE}"
NOTES = "Line one\nLine two"
ABOUT = {"kind": "personal", "name": NAME, "born": "1990-04-27", "height": 172.5}
EXTRAS = {"notes": NOTES, "newsletter": True, "colours": ["red", "blue"]}
LABELS = ("Kind of use", f"Your name {HOSTILE}", "Date of birth", "Height", "Notes", "Newsletter")
VISIBLE_ANSWERS = ("Personal use", NAME, "172.5 cm", "Line one", "Line two", "Yes")
LEFT_OUT = (HIDDEN_COMPANY, SKIPPED_VAT, "Company name", "VAT number", "Business details")


def skipping_session(folder: Path, *, complete: bool) -> str:
    """A session on REPORTED (in the open store) that first went the business way
    (a company and a VAT number stored), then turned personal: those answers stay
    stored, on a hidden field and a skipped step. "phone" stays unanswered."""
    wizard_id = import_text(folder, REPORTED, "reported.yaml")
    info = sessions.start_session(wizard_id, f"Report of {HOSTILE}")
    sessions.save_step(info.id, "about", {"kind": "business", "company": HIDDEN_COMPANY})
    sessions.save_step(info.id, "business", {"vat": SKIPPED_VAT})
    sessions.save_step(info.id, "about", {**ABOUT, "company": HIDDEN_COMPANY})
    if complete:
        sessions.complete_session(info.id, "extras", EXTRAS)
    else:
        sessions.save_draft(info.id, EXTRAS, "extras")
    return info.id


def assert_visible_answers_only(pdf: Path, birth_date: str) -> None:
    """The report of `skipping_session` in `pdf`: the path's visible answers in order,
    each after its label, as a person reads them (`birth_date` in the locale's format),
    and nothing of the hidden field or the skipped step (lines may wrap anywhere)."""
    expected = [
        f"Report of {HOSTILE}",
        "About you",
        "Kind of use", "Personal use",
        f"Your name {HOSTILE}", NAME,
        "Date of birth", birth_date,
        "Height", "172.5 cm",
        "Extras",
        "Notes", "Line one", "Line two",
        "Newsletter", "Yes",
        "Colours", "Bright red, Deep blue",
        "Phone number", NOT_SET,
    ]  # fmt: skip
    assert_exactly(pdf, expected, LEFT_OUT)


def assert_exactly(pdf: Path, expected: Sequence[str], left_out: Sequence[str]) -> None:
    """The text of `pdf` holds every piece of `expected` in order and nothing of
    `left_out` (lines may wrap anywhere)."""
    flat = squeezed(pdf_text(pdf))
    position = 0
    for piece in expected:
        found = flat.find(squeezed(piece), position)
        assert found >= 0, f"{piece!r} missing or out of order in {pdf.name}"
        position = found + len(squeezed(piece))
    for text in left_out:
        assert squeezed(text) not in flat, text


def pdf_text(pdf: Path, page: int | None = None) -> str:
    """The text of `pdf` (or of one page), as pdftotext extracts it, NFC."""
    pages = ["-f", str(page), "-l", str(page)] if page is not None else []
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *pages, str(pdf), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return unicodedata.normalize("NFC", result.stdout)


def pdf_pages(pdf: Path) -> int:
    result = subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60, check=True
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("Pages:"))
    return int(line.split()[1])


def pdf_fonts(pdf: Path) -> list[list[str]]:
    """pdffonts' rows (name, type, encoding, emb, sub, uni, …) below its header."""
    result = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, timeout=60, check=True
    )
    return [line.split() for line in result.stdout.splitlines()[2:]]


def render_pages(pdf: Path, folder: Path, *, resolution: int = 60) -> list[Path]:
    """Every page of `pdf` as a PNG (pdftoppm), in page order."""
    subprocess.run(
        ["pdftoppm", "-r", str(resolution), "-png", str(pdf), str(folder / "page")],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return sorted(folder.glob("page-*.png"))


def long_wizard(fields: int, per_step: int = 30) -> str:
    """A wizard of `fields` text fields, `per_step` a step (a report of many pages)."""
    steps = []
    for first in range(0, fields, per_step):
        lines = "\n".join(
            f"      - {{id: f{n:03d}, type: text, label: Question {n}}}"
            for n in range(first, min(first + per_step, fields))
        )
        steps.append(
            f"  - id: s{first:03d}\n    title: Part {first // per_step + 1}\n    fields:\n{lines}"
        )
    return "format_version: 1\nid: long\ntitle: Long\nsteps:\n" + "\n".join(steps) + "\n"


def long_session(folder: Path, fields: int, *, complete: bool) -> str:
    """A session of `long_wizard(fields)` with every field answered ("Answer N")."""
    definition_text = long_wizard(fields)
    wizard_id = import_text(folder, definition_text, "long.yaml")
    info = sessions.start_session(wizard_id, "Long one")
    step_ids = [f"s{first:03d}" for first in range(0, fields, 30)]
    for step_id in step_ids:
        first = int(step_id[1:])
        answers = {f"f{n:03d}": f"Answer {n}" for n in range(first, min(first + 30, fields))}
        if complete and step_id == step_ids[-1]:
            sessions.complete_session(info.id, step_id, answers)
        else:
            sessions.save_step(info.id, step_id, answers)
    return info.id


def squeezed(text: str) -> str:
    """`text` without any whitespace: what a PDF's lines wrapped differently still hold."""
    return "".join(text.split())
