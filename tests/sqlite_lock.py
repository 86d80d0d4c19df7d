"""Another process holding the SQLite write lock (`BEGIN EXCLUSIVE`), for tests of
busy storage; no Qt."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from wizard_desktop.store.files import database_path

LOCKER = textwrap.dedent(
    """
    import sqlite3, sys
    connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=5)
    connection.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    sys.stdin.readline()  # hold the lock until the test says so (or closes stdin)
    connection.execute("ROLLBACK")
    connection.close()
    """
)


@contextmanager
def write_lock_held_by_another_process(data_dir: Path) -> Iterator[subprocess.Popen[str]]:
    """A second process holds `BEGIN EXCLUSIVE` on the database until the block ends
    (or until `release()` is called on what it yields)."""
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(database_path(data_dir))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert locker.stdout is not None
        assert locker.stdout.readline().strip() == "locked"
        yield locker
    finally:
        release(locker)


def release(locker: subprocess.Popen[str]) -> None:
    if locker.stdin is not None and not locker.stdin.closed:
        locker.stdin.close()
        assert locker.wait(timeout=10) == 0
    if locker.stdout is not None:
        locker.stdout.close()
