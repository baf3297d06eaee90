"""The README's command-line session runs as written against the twin."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support.servers import ROOT, free_port, run_mock

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("\n## The command line\n", 1)[1].split("\n## ", 1)[0]
SESSION = re.findall(r"```sh\n(.*?)```", SECTION, re.DOTALL)


def test_every_command_has_a_section() -> None:
    headings = "\n".join(line for line in SECTION.splitlines() if line.startswith("### "))
    for name in ("login qr", "login phone", "status", "devices", "profile-picture", "logout",
                 "send", "bulk", "webhook listen", "webhook trigger", "mock"):  # fmt: skip
        assert f"`vatanwa {name}" in headings, name


def test_the_session_runs_as_written(tmp_path: Path) -> None:
    listener = free_port()
    script = "\n".join(SESSION).replace(":8000", f":{listener}").replace("8000 ", f"{listener} ")
    # `make mock` pairs a login by itself after 3 s; this twin after 5 s (the delay is scaled by
    # the speed factor), which leaves `mock pair` room on a busy machine, and sends fast.
    with run_mock("--login-delay", "500", "--speed-factor", "0.01", tmp_path=tmp_path) as twin:
        script = script.replace("http://127.0.0.1:8080", twin.root_url)
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=tmp_path,
            env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"},
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Logged in: reg_id" in done.stdout
    assert "would-send\tMerhaba Ayşe, siparişiniz A-1 yola çıktı" in done.stdout
    assert '"sent_earlier": 2' in done.stdout
    assert "report_id 9" in done.stdout
    assert "report_id 10" in done.stdout
