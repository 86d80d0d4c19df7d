"""Compiled queries: a Peewee query written once from the models, its SQL kept and run
again with new values (what Entity Framework calls a compiled query). Only for the
statements one click on Next or Finish runs, where Peewee writing the SQL anew each
time cost more than SQLite running it; every other statement is a plain Peewee query.

The query is built with named `placeholder()`s where values go; `execute(name=value)`
fills them in, each value already in its stored form (`field.db_value(...)`, JSON text
inside `fn.json(...)`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

import peewee

from wizard_desktop.store.database import db


@dataclass(frozen=True)
class _Placeholder:
    name: str


def placeholder(name: str) -> peewee.Value:
    """Where `execute(name=...)` puts its value (passed as is, never converted)."""
    return peewee.Value(_Placeholder(name), converter=False)


class CompiledQuery:
    def __init__(self, build: Callable[[], peewee.Query]) -> None:
        self._build = build
        self._compiled: tuple[str, list[object]] | None = None

    def _statement(self) -> tuple[str, list[object]]:
        """The SQL and its parameters (placeholders and constants), written on first use
        (the database must be bound: the SQL depends on its dialect)."""
        if self._compiled is None:
            sql, parameters = self._build().sql()
            self._compiled = (str(sql), list(parameters))
        return self._compiled

    def execute(self, **values: object) -> sqlite3.Cursor:
        """Run on this thread's connection, joining its open transaction, if any."""
        sql, parameters = self._statement()
        filled = [values[p.name] if isinstance(p, _Placeholder) else p for p in parameters]
        cursor: sqlite3.Cursor = db.execute_sql(sql, filled)
        return cursor
