"""The distributions install and run without this source tree.

``make dist`` builds them (:mod:`scripts.build_dist`); here they are built into a temporary
folder, installed into a fresh virtualenv outside the tree (public dependencies from the package
index, held to the pinned versions of ``requirements/dev.txt``), and used from a temporary working
directory: the installed ``vatanwa-mock`` serves, and the installed SDK logs in, sends and
receives the delivery report.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tomllib
import venv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts import build_dist
from tests.support.servers import ROOT, free_port, wait_until_healthy

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
#: Everything the wheel may put at the top of site-packages.
TOP_LEVEL = {"vatanwa", "vatanwa_client", "vatanwa_mock", f"vatanwa-{VERSION}.dist-info"}


@dataclass(frozen=True)
class Installed:
    """A virtualenv outside the tree with the wheel installed, and a working directory."""

    wheel: Path
    bin: Path
    cwd: Path

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args, cwd=self.cwd, env=_clean_env(), capture_output=True, text=True, timeout=timeout
        )

    def pip_install(self, requirement: str) -> None:
        done = self.run(
            str(self.bin / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--constraint",
            str(ROOT / "requirements" / "dev.txt"),
            requirement,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def _clean_env() -> dict[str, str]:
    """The environment without anything that points back into this tree or its virtualenv."""
    drop = {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep) if not part.startswith(str(ROOT))
    )
    return env


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sdist and the wheel, built as ``make dist`` builds them."""
    return build_dist.build(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def installed(
    built: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Installed]:
    """The wheel installed alone (the SDK, no extra) into a fresh virtualenv."""
    home = tmp_path_factory.mktemp("installed")
    venv.create(home / "venv", with_pip=True)
    cwd = home / "work"
    cwd.mkdir()
    target = Installed(wheel=built[1], bin=home / "venv" / "bin", cwd=cwd)
    target.pip_install(str(target.wheel))
    yield target
    shutil.rmtree(home, ignore_errors=True)


def test_the_wheel_puts_only_the_projects_packages_into_site_packages(
    built: tuple[Path, Path],
) -> None:
    with zipfile.ZipFile(built[1]) as wheel:
        names = wheel.namelist()
        metadata = wheel.read(f"vatanwa-{VERSION}.dist-info/METADATA").decode()
        entry_points = wheel.read(f"vatanwa-{VERSION}.dist-info/entry_points.txt").decode()
    assert {name.split("/")[0] for name in names} == TOP_LEVEL
    assert "vatanwa_mock/openapi/vatanwa.yaml" in names
    assert "vatanwa_mock/openapi/mock-control.yaml" in names
    assert "vatanwa_client/api/login/login_phone.py" in names
    assert "vatanwa-mock = vatanwa_mock.__main__:main" in entry_points
    # The generated client is inside the wheel, not a dependency only this tree could satisfy.
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert not [line for line in requires if "vatanwa-client" in line], requires
    assert 'Requires-Dist: connexion[uvicorn]==3.3.0; extra == "mock"' in metadata


def test_the_packaged_documents_are_the_trees(built: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(built[1]) as wheel:
        for name in ("vatanwa.yaml", "mock-control.yaml"):
            packaged = wheel.read(f"vatanwa_mock/openapi/{name}")
            assert packaged == (ROOT / "openapi" / name).read_bytes()


def test_the_mock_without_its_extra_names_the_command_that_installs_it(
    installed: Installed,
) -> None:
    done = installed.run(str(installed.bin / "vatanwa-mock"))
    assert done.returncode == 1
    assert "pip install 'vatanwa[mock]'" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


PLUGIN_TEST = """
def test_uses_the_twin(vatanwa_client, vatanwa_device, vatanwa_mock):
    vatanwa_client.messages.send(vatanwa_device, "+905321234567", "Merhaba")
    assert vatanwa_mock.wait_for_message(to="+905321234567")["message"] == "Merhaba"


def test_needs_nothing():
    pass
"""


def _run_plugin_test(installed: Installed) -> subprocess.CompletedProcess[str]:
    (installed.cwd / "test_plugin_installed.py").write_text(PLUGIN_TEST, encoding="utf-8")
    python = str(installed.bin / "python")
    return installed.run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", timeout=180)


def test_the_pytest_plugin_without_the_extra_names_the_command_that_installs_it(
    installed: Installed,
) -> None:
    installed.pip_install("pytest")
    done = _run_plugin_test(installed)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 passed, 1 error" in done.stdout, done.stdout
    assert "pip install 'vatanwa[mock]'" in done.stdout


def test_the_installed_mock_and_sdk_log_in_send_and_report(installed: Installed) -> None:
    installed.pip_install(f"{installed.wheel}[mock]")
    mock = str(installed.bin / "vatanwa-mock")
    version = installed.run(mock, "--version")
    assert version.stdout.strip() == f"vatanwa-mock {VERSION}"

    port = free_port()
    log = installed.cwd / "mock.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [mock, "--port", str(port), "--login-delay", "0.5", "--speed-factor", "0.01"],
            cwd=installed.cwd,
            env=_clean_env(),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        root = f"http://127.0.0.1:{port}"
        wait_until_healthy(f"{root}/_mock/health", process)
        flow = installed.cwd / "installed_flow.py"
        shutil.copy(Path(__file__).with_name("installed_flow.py"), flow)
        # -I: nothing from this tree or the environment reaches the interpreter's sys.path.
        done = installed.run(str(installed.bin / "python"), "-I", str(flow), root, timeout=120)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert done.returncode == 0, done.stdout + done.stderr + log.read_text()
    result = json.loads(done.stdout)

    site_packages = installed.bin.parent
    assert all(Path(module).is_relative_to(site_packages) for module in result["modules"])
    assert result["version"] == VERSION
    assert result["credentials_verified"] is True
    assert (result["report_id"], result["phone"], result["status"]) == ("7", "905459260314", "SENT")
    assert "callback URL: none" in log.read_text()


def test_the_installed_pytest_plugin_runs_the_twin(installed: Installed) -> None:
    # After the test above installed the extra.
    done = _run_plugin_test(installed)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
