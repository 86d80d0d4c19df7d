"""A child process for the crash tests: plays sessions of the `four-steps` wizard through
the same core calls as the player's Next and Finish, and prints one acknowledgement
line after each commit returns. The parent kills it with SIGKILL at a random moment.

With --startup WIZARD_FILE it first starts as the app does, saying when each part of
the start-up has returned (on the monotonic clock, which the parent shares): opening
the database (creating or migrating it), importing the bundled wizards, then the file.

With --attachments it plays the `attach` wizard (tests/wizard_files.ATTACH) instead:
drafts whose file answers name new contents read from files (each replacing the last,
so the content it named is deleted in the same transaction), some of them 4 MB, and
now and then the checkpoint the app's writer thread runs when idle, so kills also
land while the WAL is copied into the database file.

Usage: python crash_child.py DATA_DIR SEED [--die-after-completing] [--startup WIZARD_FILE]
       python crash_child.py DATA_DIR SEED --repeats
       python crash_child.py DATA_DIR SEED --attachments
Lines: [BEGIN <t> | OPENED <t> | IMPORTED <t>] READY | ACK <session> <step> <answers json>
       | DONE <session> | TRY <session> <step> <answers json> (--attachments: before a draft)
With --repeats it plays the `household` wizard (tests/repeat_files.py): saves instances,
adds, removes and restores them; before each write it says NEXT <session> <state json>
(the repeat's instance count and answers once the write commits) and after it
STATE <session> <state json>.
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


def play_repeats(rng: random.Random) -> None:
    """Sessions of `household`: instances saved, added, removed and restored at random."""
    from wizard_desktop.core import repeats

    while True:
        session_id = sessions.start_session("household").id
        sessions.save_step(session_id, "you", {"your_name": "me"})
        state: dict[str, object] = {"count": 1, "answers": {}}
        say(f"STATE {session_id} {json.dumps(state)}")
        names: list[str] = [""]
        for _ in range(rng.randint(3, 12)):
            action = rng.random()
            if action < 0.5:  # answer one instance
                index = rng.randrange(len(names))
                names[index] = "".join(rng.choice("abcdefgh") for _ in range(rng.randint(2, 8)))
                answers = {f"dependents[{index}].name": names[index]}
                _next(session_id, names)
                sessions.save_step(session_id, f"dependents[{index}].dependent", answers)
            elif action < 0.8 or len(names) == 1:  # add another
                names.append("")
                _next(session_id, names)
                repeats.add_instance(session_id, "dependents")
            else:  # remove one, sometimes undo
                index = rng.randrange(len(names))
                removed_name = names.pop(index)
                _next(session_id, names)
                removed = repeats.remove_instance(session_id, "dependents", index, "you")
                say(f"STATE {session_id} {json.dumps(_state(names))}")
                if rng.random() < 0.5:
                    names.insert(index, removed_name)
                    _next(session_id, names)
                    repeats.restore_instance(session_id, removed, "you")
            say(f"STATE {session_id} {json.dumps(_state(names))}")


def _state(names: list[str]) -> dict[str, object]:
    answers = {f"dependents[{i}].name": n for i, n in enumerate(names) if n}
    return {"count": len(names), "answers": answers}


def _next(session_id: str, names: list[str]) -> None:
    say(f"NEXT {session_id} {json.dumps(_state(names))}")


def play_attachments(data_dir: Path, rng: random.Random) -> None:
    """Drafts of attachment answers, acknowledged after each commit, forever."""
    from wizard_desktop.core.attachments import read_file
    from wizard_desktop.core.wizards import definition_of_version
    from wizard_desktop.store.database import checkpoint

    source = data_dir.parent / f"upload-{os.getpid()}.pdf"
    while True:
        info = sessions.start_session("attach")
        receipt = definition_of_version(info.version_id).field("receipt")
        assert receipt is not None
        for _round in range(4):
            size = 4_000_000 if rng.random() < 0.2 else rng.randint(1, 400_000)
            source.write_bytes(b"%PDF-" + rng.randbytes(size))
            value = read_file(source, receipt).value()
            answers = {"receipt": value, "copy": value if rng.random() < 0.5 else None}
            say(f"TRY {info.id} one {json.dumps(answers)}")  # may be stored, unacknowledged
            sessions.save_draft(info.id, answers)
            say(f"ACK {info.id} one {json.dumps(answers)}")
            if rng.random() < 0.3:
                checkpoint(truncate=rng.random() < 0.3)


def main() -> None:
    data_dir, seed = Path(sys.argv[1]), int(sys.argv[2])
    if "--repeats" in sys.argv:
        open_database(data_dir)
        say("READY")
        play_repeats(random.Random(seed))
    die_after_completing = "--die-after-completing" in sys.argv
    rng = random.Random(seed)
    if "--startup" in sys.argv:
        start_up(data_dir, Path(sys.argv[sys.argv.index("--startup") + 1]))
    else:
        open_database(data_dir)
    say("READY")
    if "--attachments" in sys.argv:
        play_attachments(data_dir, rng)
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
