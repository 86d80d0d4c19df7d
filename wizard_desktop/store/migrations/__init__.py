"""Numbered schema migrations, run by `playhouse.migrations` (see store/database.py).

Each script is frozen once released: later changes go in a new, higher-numbered file.
Each runs in one transaction together with its row in the `schema_migration` table.
"""
