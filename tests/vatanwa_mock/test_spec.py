"""The contract as the mock reads it: its documented answers are handed out as copies."""

from __future__ import annotations

from vatanwa_mock.spec import load_contract


def test_each_documented_answer_is_a_copy_a_handler_may_change() -> None:
    operations = load_contract().operations
    flat = operations["send_message"]
    assert 200 in flat.flat
    nested = operations["login_check_active"]
    assert 200 not in nested.flat
    for operation in (flat, nested):
        documented = operation.examples[200]
        answer = operation.example(200)
        assert answer == documented
        assert answer is not documented
        answer["description"] = "changed"
        if "data" in answer:
            answer["data"]["platform"] = "changed"
        assert operation.example(200) == documented
        assert documented["description"] != "changed"
