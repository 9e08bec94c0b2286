"""RecordsTail reads the probe's records file as it grows, half a line at a time if need be."""

from __future__ import annotations

from pathlib import Path

from collect_fix.records_tail import RecordsTail


def test_only_new_complete_records_are_returned_and_a_restart_starts_over(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_bytes(b'{"type": "start"}\n{"type": "beg')
    tail = RecordsTail(path)

    assert tail.new_records() == [{"type": "start"}]
    with path.open("ab") as stream:
        stream.write(b'in", "path": "t.py"}\nnot json\n')
    assert tail.new_records() == [{"type": "begin", "path": "t.py"}]
    assert tail.new_records() == [] and not tail.restarted

    path.write_bytes(b'{"type": "x"}\n')  # the collection restarted without a file
    assert tail.new_records() == [{"type": "x"}] and tail.restarted


def test_an_unreadable_file_has_no_records(tmp_path: Path) -> None:
    assert RecordsTail(tmp_path / "missing.jsonl").new_records() == []
