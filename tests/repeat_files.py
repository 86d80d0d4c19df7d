"""Wizard files with repeats, shared by the repeat tests and the benchmark."""

from __future__ import annotations

DEPENDENTS = """\
format_version: 2
id: household
title: Household
steps:
  - id: you
    title: You
    fields:
      - {id: your_name, type: text, label: Your name, required: true}
  - id: dependent
    title: Dependent
    fields:
      - {id: name, type: text, label: Name, required: true}
      - {id: age, type: number, label: "Age of {name}"}
      - {id: school, type: text, label: School, visible_if: "{age} < 18"}
  - id: totals
    title: Totals
    fields:
      - {id: total_age, type: calculated, label: Total age, calculate: "sum({dependents.age})"}
      - {id: how_many, type: calculated, label: How many, calculate: "{dependents.length}"}
      - {id: oldest, type: calculated, label: Oldest, calculate: "max({dependents.age})"}
      - {id: first, type: calculated, label: First, calculate: "{dependents[0].name}"}
repeats:
  - id: dependents
    steps: [dependent]
    min: 0
    max: 600
    add_label: Add another dependent
    item_label: "Dependent {dependents.number}: {name}"
"""

COUNTED = """\
format_version: 2
id: counted
title: Counted household
steps:
  - id: size
    title: Size
    fields:
      - {id: household_size, type: number, label: How many people, required: true}
  - id: adult
    title: Adult
    visible_if: "{household_size} > 0"
    fields:
      - {id: name, type: text, label: Name, required: true}
  - id: job
    title: "Job of {name}"
    fields:
      - {id: job, type: text, label: Job}
  - id: end
    title: End
    fields:
      - {id: people, type: calculated, label: People, calculate: "count({members.name})"}
repeats:
  - id: members
    steps: [adult, job]
    repeat_count: "{household_size}"
    item_label: "Person {members.number}: {name}"
"""
