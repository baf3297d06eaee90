"""The plugin's options reach the twin: in the ini file and on the command line, and a twin
already running can be used instead of one per session."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import pytest

from tests.plugin.support import output
from tests.support.servers import CLIENT_ID, CLIENT_SECRET, MockServer, run_mock

PACED = """
    from datetime import datetime

    def seconds(text):
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

    def test_the_login_pairs_by_itself_and_sending_is_paced(vatanwa_client, vatanwa_mock):
        reg_id = vatanwa_client.login.phone("+905459260314").data.reg_id
        assert vatanwa_client.login.wait(reg_id)  # no pairing through the control API
        vatanwa_client.messages.send(reg_id, "+905321111111", "paced", send_speed=2)
        (message,) = vatanwa_mock.messages()
        # send_speed 2 takes 2 s a message, times the speed factor
        paced = seconds(message["due_at"]) - seconds(message["created_at"])
        print("PACE", round(paced, 2))
"""


def test_ini_and_command_line_options_reach_the_twin(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nvatanwa_speed_factor = 0.25\nvatanwa_login_delay = 0.05\n")
    pytester.makepyfile(test_paced=textwrap.dedent(PACED))
    from_ini = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-s")
    from_ini.assert_outcomes(passed=1)
    assert "PACE 0.5" in output(from_ini)
    # The command line wins over the ini file.
    from_flag = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-s", "--vatanwa-speed-factor", "0.1"
    )
    from_flag.assert_outcomes(passed=1)
    assert "PACE 0.2" in output(from_flag)


def test_a_bad_option_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_x(vatanwa_mock):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--vatanwa-speed-factor=fast")
    assert "vatanwa_speed_factor must be a number, not 'fast'" in output(result)
    assert result.ret != 0


USES_URL = """
    def test_uses_the_running_twin(vatanwa_mock):
        print("ROOT", vatanwa_mock.root_url)
        assert vatanwa_mock.client_id.startswith("vatanwa-tenant-")
"""


@pytest.fixture(scope="module")
def running_twin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    # Started before ``pytester``, whose teardown forgets the modules imported after it began
    # (httpx would then meet a second copy of httpcore's exceptions).
    with run_mock(tmp_path=tmp_path_factory.mktemp("running-twin")) as twin:
        yield twin


def test_vatanwa_url_uses_a_twin_already_running(
    running_twin: MockServer, pytester: pytest.Pytester
) -> None:
    pytester.makepyfile(test_url=textwrap.dedent(USES_URL))
    root = running_twin.root_url
    result = pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        "-s",
        f"--vatanwa-url={root}",
        f"--vatanwa-client-id={CLIENT_ID}",
        f"--vatanwa-client-secret={CLIENT_SECRET}",
    )
    refused = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", f"--vatanwa-url={root}", "--vatanwa-client-secret=wrong"
    )
    result.assert_outcomes(passed=1)
    assert f"ROOT {root}" in output(result)
    assert not list(pytester.path.rglob("vatanwa-twin-*.log"))
    refused.assert_outcomes(errors=1)
    assert "--vatanwa-client-id and --vatanwa-client-secret" in output(refused)
