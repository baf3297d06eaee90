"""A user's project tested with the plugin's fixtures passes, alone and under pytest-xdist."""

from __future__ import annotations

import pytest

from tests.plugin.support import SAMPLE_TESTS, copy_sample, output


def test_the_sample_project_passes(pytester: pytest.Pytester) -> None:
    copy_sample(pytester)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == 0, output(result)
    result.assert_outcomes(passed=SAMPLE_TESTS)


def test_the_sample_project_passes_on_two_xdist_workers(pytester: pytest.Pytester) -> None:
    copy_sample(pytester)
    # Each worker has its own twin: the log of each start names its port.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    assert result.ret == 0, output(result)
    result.assert_outcomes(passed=SAMPLE_TESTS)
    assert "2 workers" in output(result)
    logs = list(pytester.path.rglob("vatanwa-twin-*.log"))
    assert len(logs) == 2, logs
