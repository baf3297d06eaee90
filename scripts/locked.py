"""Run a command while holding an exclusive lock: ``python3 scripts/locked.py LOCKFILE COMMAND...``.

``make`` builds ``.venv/`` and ``node_modules/`` under one lock, so two targets started at once
(``make mock`` in one terminal, ``make test`` in another) do not install into the same folder
together: the second waits, then finds the work done. Standard library only, and run as a file,
not as a module of the project: it runs before the virtualenv exists.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str]) -> int:
    if len(argv) < 2:
        print("usage: python3 scripts/locked.py LOCKFILE COMMAND...", file=sys.stderr)
        return 2
    lock_path, *command = argv
    Path(lock_path).parent.mkdir(parents=True, exist_ok=True)
    with Path(lock_path).open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
