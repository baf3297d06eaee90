"""What a user sees when a test fails: what the tenant did send, what the receiver got; and
what an install without the twin says."""

from __future__ import annotations

import re
import textwrap

import pytest

from tests.plugin.support import output

NEVER_SENT = """
    import pytest

    def test_waits_for_a_message_never_sent(vatanwa_client, vatanwa_device, vatanwa_mock):
        vatanwa_client.messages.send(vatanwa_device, "+905321111111", "Merhaba", report_id=9)
        vatanwa_client.messages.send(vatanwa_device, "+905459260001", "Blocked")
        vatanwa_mock.wait_for_message(to="+905321111111", status="failed", timeout=0.5)
        vatanwa_mock.wait_for_message(to="+905329999999", timeout=0.5)

    def test_waits_for_a_report_never_sent(vatanwa_device, vatanwa_reports):
        vatanwa_reports.wait_for(report_id=77, timeout=0.3)

    def test_a_tenant_that_sent_nothing(vatanwa_mock):
        vatanwa_mock.wait_for_message(to="+905329999999", timeout=0.1)
"""


def test_a_wait_that_times_out_lists_what_the_tenant_sent(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_waits=textwrap.dedent(NEVER_SENT))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=3)
    text = output(result)
    # The first wait: it was sent, not failed.
    assert "No message with to='+905321111111', status='failed' within 0.5 s." in text
    assert "The test's tenant sent 2 message(s):" in text
    assert re.search(r"- to 905321111111 \[sent\] 'Merhaba' \(reg_id \d+, report_id 9\)", text)
    assert re.search(r"- to 905459260001 \[failed \(.+\)\] 'Blocked' \(reg_id \d+\)", text)
    result.stdout.fnmatch_lines(
        [
            "*Expected 1 delivery report(s) of report_id 77 within 0.3 s, got 0.",
            "*The receiver at http://127.0.0.1:*/vatansms/callback accepted 0 report(s):",
        ]
    )
    assert "The test's tenant sent no messages at all." in text


CHAOS = """
    import pytest
    import vatanwa

    @pytest.mark.vatanwa_chaos(error_rate=1.0, seed=1)
    def test_with_chaos(vatanwa_client, vatanwa_device, vatanwa_mock):
        for _ in range(3):
            with pytest.raises(vatanwa.InternalServerError):
                vatanwa_client.messages.send(vatanwa_device, "+905321111111", "lost")
        assert vatanwa_mock.messages() == []

    @pytest.mark.vatanwa_chaos(rate_limit_rate=1.0, retry_after=1)
    def test_with_rate_limits(vatanwa_mock):
        import httpx
        answer = httpx.get(vatanwa_mock.base_url + "/devices", headers=vatanwa_mock.headers)
        assert answer.status_code == 429
        assert answer.headers["retry-after"] == "1"

    def test_after_chaos(vatanwa_client, vatanwa_device, vatanwa_mock):
        vatanwa_client.messages.send(vatanwa_device, "+905321111111", "fine")
        assert vatanwa_mock.wait_for_message(to="+905321111111")["message"] == "fine"

    @pytest.mark.vatanwa_chaos(error_rate=2)
    def test_with_impossible_chaos(vatanwa_mock):
        pass

    @pytest.mark.vatanwa_chaos(error_rate=0.5)
    def test_chaos_without_the_twin():
        pass
"""


def test_the_chaos_marker_applies_to_its_test_only(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_chaos=textwrap.dedent(CHAOS))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=3, failed=2)
    text = output(result)
    assert "error_rate" in text  # the twin's refusal of the impossible setting, quoted
    assert "@pytest.mark.vatanwa_chaos needs the vatanwa_mock fixture" in text


def test_the_marker_is_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.vatanwa_chaos(*error_rate*seed*"])


USES_THE_TWIN = """
    def test_needs_the_twin(vatanwa_mock):
        pass

    def test_does_not(tmp_path):
        pass
"""


@pytest.mark.parametrize(
    "blocking",
    [
        # The extra's packages are not importable at all.
        "import sys\nsys.modules['connexion'] = None\n",
        # They look installed, but the twin's process cannot import them.
        None,
    ],
    ids=["not-found", "broken-import"],
)
def test_without_the_mock_extra_a_fixture_names_the_install_command(
    pytester: pytest.Pytester, blocking: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if blocking is not None:
        pytester.makeconftest(blocking)
    else:
        shadow = pytester.mkdir("shadow")
        (shadow / "connexion.py").write_text(
            "raise ModuleNotFoundError(\"No module named 'connexion'\", name='connexion')\n"
        )
        monkeypatch.setenv("PYTHONPATH", str(shadow))
    pytester.makepyfile(test_app=textwrap.dedent(USES_THE_TWIN))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    # Collected fine; the test that does not use the twin passes.
    result.assert_outcomes(passed=1, errors=1)
    assert "pip install 'vatanwa[mock]'" in output(result)
    assert "connexion" in output(result)
    # Said once, not once more as the context of a chained exception.
    assert "During handling of the above exception" not in output(result)
