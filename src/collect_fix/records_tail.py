"""The probe's records file, read as it grows: each call returns the records written since the last.

The probe appends one JSON record per line and flushes each, so while pytest collects, the file
holds complete lines and maybe half of one. Whoever follows a collection under way (the live
progress line, the plans made early) reads only what is new and keeps the half line for later.
A collection restarted without a file that killed it starts the file over: reading starts over.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class RecordsTail:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0
        self._partial = b""
        self.restarted = False  # the last read found the file started over

    def new_records(self) -> list[dict[str, Any]]:
        """The complete records written since the last call (none when the file cannot be read)."""
        self.restarted = False
        try:
            with self.path.open("rb") as stream:
                stream.seek(0, 2)
                if stream.tell() < self._offset:  # the collection restarted without a file
                    self._offset, self._partial, self.restarted = 0, b"", True
                stream.seek(self._offset)
                data = stream.read()
        except OSError:
            return []
        self._offset += len(data)
        *lines, self._partial = (self._partial + data).split(b"\n")
        records = []
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a line cut short by a dying process
            if isinstance(record, dict) and isinstance(record.get("type"), str):
                records.append(record)
        return records
