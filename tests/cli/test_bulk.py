"""``vatanwa bulk`` against the twin: normalisation, dry runs, batches, and resuming."""

from __future__ import annotations

import json
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.cli.support import (
    CLIENT_ID,
    SECRET,
    cli_env,
    control,
    invoke,
    logged_in,
    messages,
    spawn,
)
from tests.support.polling import eventually
from tests.support.servers import MockServer, run_mock
from tests.vatanwa.scripted import scripted_server

TEMPLATE = "Merhaba {name}, siparişiniz {order} yola çıktı"

MIXED = """to;name;order
0532 123 45 67;Ayşe;A-1
+90 (532) 123-45-67;Ayşe again;A-2
905321234567;Ayşe thrice;A-3
+90 533 765 43 21;Mehmet;B-1
0 (212) 555 12 34;Ofis;C-1
12345;Short;D-1
not a number;Text;D-2
;Empty;D-3
+4915112345678;Jonas;E-1
05337654321;Mehmet again;B-2
"""
#: The valid, unique recipients of MIXED, in the twin's form (digits, no +).
MIXED_RECIPIENTS = {"905321234567", "905337654321", "902125551234", "4915112345678"}


def _numbers(count: int) -> list[str]:
    return [f"+90532{1000000 + index:07d}" for index in range(count)]


def _write_csv(path: Path, rows: list[str], header: str = "to,name") -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _results(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _sent_counts(twin: MockServer) -> Counter[str]:
    return Counter(message["to"] for message in messages(twin))


def test_mixed_formats_invalid_rows_and_duplicates(twin: MockServer, tmp_path: Path) -> None:
    reg_id = logged_in(twin)
    file = tmp_path / "customers.csv"
    file.write_bytes(b"\xef\xbb\xbf" + MIXED.encode())  # Excel's "CSV UTF-8", ; separated
    run = invoke(["bulk", reg_id, str(file), "--message", TEMPLATE, "--json"], cli_env(twin))
    assert run.exit_code == 1  # three rows could not be sent
    summary = run.json()
    assert (summary["sent"], summary["invalid"], summary["duplicate"]) == (4, 3, 3)
    sent = messages(twin)
    assert Counter(m["to"] for m in sent) == Counter(MIXED_RECIPIENTS)
    by_number = {m["to"]: m["message"] for m in sent}
    assert by_number["905321234567"] == "Merhaba Ayşe, siparişiniz A-1 yola çıktı"
    results = _results(tmp_path / "customers.results.jsonl")
    assert [r["row"] for r in results] == list(range(1, 11))
    assert [r["outcome"] for r in results] == [
        "sent", "duplicate", "duplicate", "sent", "sent",
        "invalid", "invalid", "invalid", "sent", "duplicate",
    ]  # fmt: skip
    assert results[1] == {
        "row": 2,
        "input": "+90 (532) 123-45-67",
        "number": "+905321234567",
        "outcome": "duplicate",
        "error": "same number as row 1",
    }
    assert results[5]["number"] is None
    assert "not a valid phone number" in results[5]["error"]
    assert "vatanwa: error:" in run.stderr
    assert "3 of 10 rows were not sent" in run.stderr


def test_dry_run_shows_what_would_be_sent_and_sends_nothing(
    twin: MockServer, tmp_path: Path
) -> None:
    reg_id = logged_in(twin)
    file = tmp_path / "customers.csv"
    file.write_text(MIXED, encoding="utf-8")
    run = invoke(["bulk", reg_id, str(file), "--message", TEMPLATE, "--dry-run"], cli_env(twin))
    assert messages(twin) == []
    lines = run.stdout.splitlines()
    assert "row 1\t+905321234567\twould-send\tMerhaba Ayşe, siparişiniz A-1 yola çıktı" in lines
    assert any(line.startswith("row 6\t12345\tinvalid\t") for line in lines)
    assert "row 2\t+905321234567\tduplicate\tsame number as row 1" in lines
    outcomes = Counter(r["outcome"] for r in _results(tmp_path / "customers.results.jsonl"))
    assert outcomes == {"would-send": 4, "invalid": 3, "duplicate": 3}
    assert not (tmp_path / "customers.results.jsonl.journal").exists()


def test_comma_separated_without_bom_with_a_message_column(
    twin: MockServer, tmp_path: Path
) -> None:
    reg_id = logged_in(twin)
    file = tmp_path / "list.csv"
    file.write_text(
        'To,Message\n05321112233,"Merhaba, dünya"\n+905321112244,İkinci\n', encoding="utf-8"
    )
    results = tmp_path / "out" / "r.jsonl"
    results.parent.mkdir()
    run = invoke(["bulk", reg_id, str(file), "--results", str(results)], cli_env(twin))
    assert run.exit_code == 0, run.stderr
    assert {m["to"]: m["message"] for m in messages(twin)} == {
        "905321112233": "Merhaba, dünya",
        "905321112244": "İkinci",
    }
    assert [r["outcome"] for r in _results(results)] == ["sent", "sent"]


def test_recipients_go_out_in_batches_of_batch_size(twin: MockServer, tmp_path: Path) -> None:
    reg_id = logged_in(twin)
    file = _write_csv(tmp_path / "many.csv", [f"{n},Ali" for n in _numbers(250)])
    run = invoke(
        ["bulk", reg_id, str(file), "--message", "Merhaba {name}", "--batch-size", "100",
         "--speed", "3", "--report-id", "77"],
        cli_env(twin),
    )  # fmt: skip
    assert run.exit_code == 0, run.stderr
    journal = [
        json.loads(line)
        for line in (tmp_path / "many.results.jsonl.journal").read_text().splitlines()
    ]
    assert [len(e["rows"]) for e in journal if e["type"] == "begin"] == [100, 100, 50]
    sent = messages(twin)
    assert len(sent) == 250
    assert {(m["send_speed"], m["report_id"]) for m in sent} == {(3, "77")}
    assert "batch 3: sent 250, refused 0, remaining 0" in run.stderr


def test_the_same_command_again_sends_nothing_twice(twin: MockServer, tmp_path: Path) -> None:
    reg_id = logged_in(twin)
    file = _write_csv(tmp_path / "list.csv", [f"{n},Ali" for n in _numbers(30)])
    args = ["bulk", reg_id, str(file), "--message", "Merhaba {name}", "--batch-size", "7"]
    assert invoke(args, cli_env(twin)).exit_code == 0
    again = invoke([*args, "--json"], cli_env(twin))
    assert again.exit_code == 0, again.stderr
    assert again.json()["sent_earlier"] == 30
    assert set(_sent_counts(twin).values()) == {1}
    assert len(_sent_counts(twin)) == 30


def _wait_for_batches(journal: Path, ended: int, timeout: float = 60.0) -> None:
    eventually(
        lambda: journal.exists() and journal.read_text().count('"type": "end"') >= ended,
        timeout,
        what=f"{journal} did not record {ended} batches",
        interval=0.005,
    )


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGKILL], ids=["sigint", "sigkill"])
def test_an_interrupted_bulk_resumes_and_sends_nothing_twice(
    twin: MockServer, tmp_path: Path, stop: signal.Signals
) -> None:
    reg_id = logged_in(twin)
    numbers = _numbers(400)
    file = _write_csv(tmp_path / "list.csv", [f"{n},Ali" for n in numbers])
    args = ["bulk", reg_id, str(file), "--message", "Merhaba {name}", "--batch-size", "10"]
    with control(twin) as mock:  # 40 batches of at least 30 ms: the signal lands half-way
        mock.put("/chaos", json={"latency_ms": 30}).raise_for_status()
    process = spawn(args, cli_env(twin))
    _wait_for_batches(tmp_path / "list.results.jsonl.journal", ended=1)
    process.send_signal(stop)
    process.communicate(timeout=60)
    assert process.returncode == (130 if stop == signal.SIGINT else -signal.SIGKILL)
    first_run = _sent_counts(twin)
    assert 0 < len(first_run) < len(numbers)

    again = invoke([*args, "--json"], cli_env(twin))
    summary = again.json()
    counts = _sent_counts(twin)
    assert set(counts.values()) == {1}, "a recipient got the message twice"
    results = _results(tmp_path / "list.results.jsonl")
    assert len(results) == len(numbers)
    unknown = {r["number"] for r in results if r["outcome"] == "unknown"}
    assert {r["number"] for r in results if r["outcome"] == "sent"} | unknown == set(numbers)
    if stop == signal.SIGINT:
        # Ctrl-C lets the batch in flight finish: nothing is left in doubt.
        assert again.exit_code == 0, again.stderr
        assert unknown == set()
        assert len(counts) == len(numbers)
    else:
        # A batch killed in flight may or may not have reached the twin; it is not resent.
        assert len(unknown) <= 10
        assert summary["unknown"] == len(unknown)
        assert again.exit_code == (1 if unknown else 0)


def test_rows_in_doubt_are_not_resent_unless_asked(twin: MockServer, tmp_path: Path) -> None:
    reg_id = logged_in(twin)
    numbers = _numbers(4)
    file = _write_csv(tmp_path / "list.csv", [f"{n},Ali" for n in numbers])
    journal = tmp_path / "list.results.jsonl.journal"
    # A run killed after its first batch's request left, before the answer came back.
    begin = {"type": "begin", "batch": 1, "rows": [[1, numbers[0]], [2, numbers[1]]]}
    journal.write_text(
        json.dumps({"type": "run", "version": 1, "reg_id": reg_id}) + "\n" + json.dumps(begin)
        + "\n",
        encoding="utf-8",
    )  # fmt: skip
    args = ["bulk", reg_id, str(file), "--message", "Merhaba {name}"]
    run = invoke([*args, "--json"], cli_env(twin))
    assert run.exit_code == 1
    assert (run.json()["sent"], run.json()["unknown"]) == (2, 2)
    assert set(_sent_counts(twin)) == {n[1:] for n in numbers[2:]}
    again = invoke([*args, "--resend-unknown"], cli_env(twin))
    assert again.exit_code == 0, again.stderr
    assert set(_sent_counts(twin)) == {n[1:] for n in numbers}


def test_refused_batches_are_sent_by_the_next_run(twin: MockServer, tmp_path: Path) -> None:
    reg_id = logged_in(twin)
    numbers = _numbers(5)
    file = _write_csv(tmp_path / "list.csv", [f"{n},Ali" for n in numbers])
    args = ["bulk", reg_id, str(file), "--message", "Merhaba {name}", "--batch-size", "2"]
    with control(twin) as mock:
        mock.put("/chaos", json={"rate_limit_rate": 1, "retry_after": 0}).raise_for_status()
    refused = invoke(args, cli_env(twin))
    assert refused.exit_code == 1
    assert "(429)" in refused.stderr
    assert messages(twin) == []
    assert {r["outcome"] for r in _results(tmp_path / "list.results.jsonl")} == {
        "refused",
        "not-sent",
    }
    with control(twin) as mock:
        mock.put("/chaos", json={}).raise_for_status()
    again = invoke(args, cli_env(twin))
    assert again.exit_code == 0, again.stderr
    assert set(_sent_counts(twin)) == {n[1:] for n in numbers}


def test_a_changed_file_is_refused_before_anything_is_sent(
    twin: MockServer, tmp_path: Path
) -> None:
    reg_id = logged_in(twin)
    file = _write_csv(tmp_path / "list.csv", [f"{n},Ali" for n in _numbers(3)])
    args = ["bulk", reg_id, str(file), "--message", "Merhaba {name}"]
    assert invoke(args, cli_env(twin)).exit_code == 0
    _write_csv(file, [f"{n},Ali" for n in _numbers(6)[3:]])
    run = invoke(args, cli_env(twin))
    assert run.exit_code == 2
    assert "changed since the send recorded" in run.stderr
    assert len(messages(twin)) == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name\nAli\n", "no 'to' column"),
        ("to,name\n05321234567,Ali\n", "no 'message' column"),
        (b"to,message\n\xff\xfe,x\n", "is not UTF-8 text"),
        ("", "is empty"),
    ],
)
def test_files_that_cannot_be_sent_are_usage_errors(
    twin: MockServer, tmp_path: Path, content: str | bytes, message: str
) -> None:
    file = tmp_path / "bad.csv"
    if isinstance(content, bytes):
        file.write_bytes(content)
    else:
        file.write_text(content, encoding="utf-8")
    run = invoke(["bulk", "123", str(file)], cli_env(twin))
    assert run.exit_code == 2
    assert message in run.stderr
    assert run.stderr.count("\n") == 1


def test_a_template_naming_a_missing_column_is_a_usage_error(
    twin: MockServer, tmp_path: Path
) -> None:
    file = _write_csv(tmp_path / "list.csv", ["05321234567,Ali"])
    run = invoke(["bulk", "123", str(file), "--message", "Merhaba {name} {order}"], cli_env(twin))
    assert run.exit_code == 2
    assert "no column 'order'" in run.stderr


def test_a_dry_run_needs_no_credentials(tmp_path: Path) -> None:
    file = tmp_path / "list.csv"
    with file.open("w", encoding="utf-8") as out:
        out.write("to;name\n")
        for index in range(20_000):
            out.write(f"0532{index:07d};Müşteri {index}\n")
    no_credentials = {"VATANWA_CLIENT_ID": None, "VATANWA_CLIENT_SECRET": None}
    run = invoke(
        ["bulk", "123", str(file), "--message", "Merhaba {name}", "--dry-run", "--json"],
        no_credentials,
    )
    assert run.exit_code == 0, run.stderr
    assert run.json()["would_send"] == 20_000
    assert sum(1 for _ in (tmp_path / "list.results.jsonl").open()) == 20_000


def test_a_hundred_thousand_rows_go_out_in_batches(tmp_path: Path) -> None:
    # The twin would spend minutes pacing 100,000 messages; a server that only records the
    # requests shows what the command sends, batch by batch.
    file = tmp_path / "big.csv"
    with file.open("w", encoding="utf-8") as out:
        out.write("\ufeffto;name\n")
        for index in range(100_000):
            out.write(f"0532{index:07d};Müşteri {index}\n")
    with scripted_server() as server:
        env = {
            "VATANWA_BASE_URL": server.base_url,
            "VATANWA_CLIENT_ID": "cli-tenant",
            "VATANWA_CLIENT_SECRET": SECRET,
        }
        run = invoke(["bulk", "123", str(file), "--message", "Merhaba {name}", "--json"], env)
        sends = server.requests_to("/messages/send/nToN")
    assert run.exit_code == 0, run.stderr
    assert run.json()["sent"] == 100_000
    batches = [json.loads(request.body)["n_to_n"] for request in sends]
    assert len(batches) == 1_000
    assert {len(batch) for batch in batches} == {100}
    recipients = {item["to"] for batch in batches for item in batch}
    assert len(recipients) == 100_000
    assert batches[0][0] == {"to": "+905320000000", "message": "Merhaba Müşteri 0"}


def test_a_batch_too_large_stops_and_a_smaller_batch_size_resumes(tmp_path: Path) -> None:
    numbers = _numbers(7)
    file = _write_csv(tmp_path / "list.csv", [f"{n},Ali" for n in numbers])
    args = ["bulk", "", str(file), "--message", "Merhaba {name}"]
    with run_mock(
        "--login-delay", "0", "--speed-factor", "0.01", "--max-recipients", "3",
        tmp_path=tmp_path, client_id=CLIENT_ID, client_secret=SECRET,
    ) as small:  # fmt: skip
        args[1] = logged_in(small)
        refused = invoke([*args, "--batch-size", "5"], cli_env(small))
        assert refused.exit_code == 1
        assert "(413)" in refused.stderr
        assert "--batch-size below 5" in refused.stderr
        assert messages(small) == []
        resumed = invoke([*args, "--batch-size", "3"], cli_env(small))
        assert resumed.exit_code == 0, resumed.stderr
        assert sorted(m["to"] for m in messages(small)) == sorted(n[1:] for n in numbers)
