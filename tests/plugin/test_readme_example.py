"""The README's "Testing your application" examples run as written, with the plugin."""

from __future__ import annotations

import re

import pytest

from tests.plugin.support import output
from tests.support.servers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Testing your application\n", 1)[1].split("\n## ", 1)[0]
FILES = dict(re.findall(r"```python\n# (\w+\.py)\n(.*?)```", SECTION, re.DOTALL))


def test_the_section_shows_an_application_and_tests_with_and_without_the_sdk() -> None:
    assert set(FILES) == {"notify.py", "test_notify.py", "test_plain_http.py"}
    assert "from vatanwa import Vatanwa" in FILES["notify.py"]
    assert "vatanwa" not in FILES["test_plain_http.py"].replace("vatanwa_mock", "")


def test_the_examples_pass_as_written(pytester: pytest.Pytester) -> None:
    for name, code in FILES.items():
        (pytester.path / name).write_text(code, encoding="utf-8")
    pytester.makeini("[pytest]\naddopts = --strict-markers\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == 0, output(result)
    result.assert_outcomes(passed=4)
