"""The bulk journal read back after a crash: what is done, what is in doubt."""

from __future__ import annotations

import json
from pathlib import Path

from vatanwa.cli.journal import Journal, JournalState, read_journal


def test_a_missing_journal_is_an_empty_state(tmp_path: Path) -> None:
    state = read_journal(tmp_path / "none.journal")
    assert (state.run, state.states, state.batches) == (None, {}, 0)


def test_batches_sent_refused_unsent_unknown_and_unended(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl.journal"
    journal = Journal(path, JournalState())
    journal.start({"reg_id": "1"})
    outcomes = ["sent", "refused", "unsent", "unknown"]
    for index, outcome in enumerate(outcomes):
        batch = journal.begin([(index + 1, f"+90532000000{index}")])
        journal.end(batch, outcome)
    journal.begin([(9, "+905320000009")])  # the process died while this one was in flight
    journal.close()
    state = read_journal(path)
    assert state.run is not None
    assert state.run["reg_id"] == "1"
    assert state.states == {1: "sent", 2: "retry", 3: "retry", 4: "unknown", 9: "unknown"}
    assert state.numbers[9] == "+905320000009"
    assert state.batches == 5


def test_a_write_cut_short_is_skipped_and_not_glued_to_the_next(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl.journal"
    begin = json.dumps({"type": "begin", "batch": 1, "rows": [[1, "+905320000001"]]})
    path.write_text(begin + "\n" + '{"type": "end", "bat', encoding="utf-8")
    state = read_journal(path)
    assert state.states == {1: "unknown"}  # its end was cut: in doubt, never resent
    journal = Journal(path, state)
    assert journal.begin([(2, "+905320000002")]) == 2
    journal.end(2, "sent")
    journal.close()
    assert read_journal(path).states == {1: "unknown", 2: "sent"}
