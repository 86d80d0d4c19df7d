"""A child process for the crash tests: plays sessions of the `four-steps` wizard through
the same core calls as the player's Next and Finish, and prints one acknowledgement
line after each commit returns. The parent kills it with SIGKILL at a random moment.

With --startup WIZARD_FILE it first starts as the app does, saying when each part of
the start-up has returned (on the monotonic clock, which the parent shares): opening
the database (creating or migrating it), importing the bundled wizards, then the file.

Usage: python crash_child.py DATA_DIR SEED [--die-after-completing] [--startup WIZARD_FILE]
Lines: [BEGIN <t> | OPENED <t> | IMPORTED <t>] READY | ACK <session> <step> <answers json>
       | DONE <session>
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import time
from pathlib import Path

from wizard_desktop.core import sessions
from wizard_desktop.core.wizards import import_bundled_wizards, import_wizard_file
from wizard_desktop.store.database import open_database

STEPS = ("one", "two", "three")


def answers_for(step_id: str, rng: random.Random) -> dict[str, object]:
    if step_id == "one":
        return {"name": "".join(rng.choice("abcdefgh") for _ in range(rng.randint(2, 12)))}
    if step_id == "two":
        return {"size": rng.choice(["small", "large"])}
    return {"count": rng.randint(1, 10)}


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def start_up(data_dir: Path, wizard_file: Path) -> None:
    say(f"BEGIN {time.monotonic()}")
    open_database(data_dir)
    say(f"OPENED {time.monotonic()}")
    import_bundled_wizards()
    import_wizard_file(wizard_file)
    say(f"IMPORTED {time.monotonic()}")


def main() -> None:
    data_dir, seed = Path(sys.argv[1]), int(sys.argv[2])
    die_after_completing = "--die-after-completing" in sys.argv
    rng = random.Random(seed)
    if "--startup" in sys.argv:
        start_up(data_dir, Path(sys.argv[sys.argv.index("--startup") + 1]))
    else:
        open_database(data_dir)
    say("READY")
    while True:
        session_id = sessions.start_session("four-steps").id
        for step_id in STEPS:
            answers = answers_for(step_id, rng)
            sessions.save_step(session_id, step_id, answers)  # type: ignore[arg-type]
            say(f"ACK {session_id} {step_id} {json.dumps(answers)}")
        sessions.complete_session(session_id, "four", {"agree": True})
        if die_after_completing:  # committed, but the acknowledgement is lost
            os.kill(os.getpid(), signal.SIGKILL)
        say(f"ACK {session_id} four {json.dumps({'agree': True})}")
        say(f"DONE {session_id}")


if __name__ == "__main__":
    main()
