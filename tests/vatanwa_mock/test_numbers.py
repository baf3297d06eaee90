"""Recipient numbers as the twin stores them: the digits, whatever the caller wrote around them."""

from __future__ import annotations

import pytest

from vatanwa_mock.numbers import normalize


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("+905459260314", "905459260314"),
        ("905459260314", "905459260314"),
        ("+90 (545) 926-03.14", "905459260314"),
        ("++905459260314", "905459260314"),
        (" 905459260314 ", "905459260314"),
        ("+", ""),
        ("", ""),
        # Digits of other scripts are digits too, as str.isdigit has it.
        ("+٩٠٥٤٥", "٩٠٥٤٥"),
        ("90²5", "90²5"),
    ],
)
def test_only_the_digits_of_a_number_are_kept(written: str, stored: str) -> None:
    assert normalize(written) == stored
