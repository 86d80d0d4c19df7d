"""A wizard with the three grids (matrix, matrix_dropdown, multiple_text) and answers
to them, for the headless and the GUI tests."""

from __future__ import annotations

from typing import Any

GRIDS = """\
format_version: 2
id: grids
title: Grids
steps:
  - id: grid
    title: Your office
    fields:
      - id: sat
        type: matrix
        label: How satisfied are you with
        required: true
        required_rows: [price, quality]
        rows:
          - {value: price, label: The price}
          - {value: quality, label: The quality}
          - {value: service, label: The service}
        columns:
          - {value: "1", label: Poor}
          - {value: "2", label: Fair}
          - {value: "3", label: Good}
      - id: costs
        type: matrix_dropdown
        label: Your costs
        required: true
        rows:
          - {value: rent, label: Rent}
          - {value: food, label: Food}
        columns:
          - {id: amount, type: number, label: Amount, required: true, min: 0, max: 5000,
             decimals: 2}
          - {id: kind, type: choice, label: Kind, options: [fixed, variable]}
          - {id: note, type: text, label: Note, max_length: 20}
          - {id: shared, type: boolean, label: Shared}
      - id: contact
        type: multiple_text
        label: Contact
        items:
          - {id: name, label: Name}
          - id: email
            label: E-mail
            pattern: "[^@ ]+@[^@ ]+"
            pattern_message: Enter an e-mail address.
      - id: flag
        type: calculated
        label: Poor price, high rent
        calculate: "{sat.price} = '1' and {costs.rent.amount} > 100"
  - id: more
    title: About the rent
    visible_if: "{costs.rent.shared} = true"
    fields:
      - {id: share, type: number, label: "Your share of {costs.rent.amount}", required: true}
"""

SAT: dict[str, Any] = {"price": "1", "quality": "3"}
COSTS: dict[str, Any] = {
    "rent": {"amount": 950.5, "kind": "fixed", "shared": True},
    "food": {"amount": 300, "note": "canteen", "shared": False},
}
CONTACT: dict[str, Any] = {"name": "Ada", "email": "ada@example.org"}
ANSWERS: dict[str, Any] = {"sat": SAT, "costs": COSTS, "contact": CONTACT}
