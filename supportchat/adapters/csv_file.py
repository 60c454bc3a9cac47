"""A local CSV file of client ids as the exclusion list (operators, the demo).

One client id per line in the first column; a first line that is not a
number (a header such as `client_id`) and blank lines are skipped. The file's
mtime is the table's modification time.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from core import errors
from core.numbers import parse_int
from supportchat.adapters.base import TableVersion


class CsvExclusionSource:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def version(self) -> TableVersion:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            raise errors.NotFound(
                f"The exclusion file {self.path} does not exist", details={"path": str(self.path)}
            ) from None
        except OSError as exc:
            raise errors.Unavailable(
                f"The exclusion file {self.path} cannot be read: {exc}"
            ) from exc
        return TableVersion(
            location=str(self.path), modified_at=datetime.fromtimestamp(stat.st_mtime, tz=UTC)
        )

    def client_ids(self, version: TableVersion) -> list[int]:
        try:
            # utf-8-sig: a file saved as "CSV UTF-8" starts with a byte order
            # mark, which would hide the first client id.
            with self.path.open(newline="", encoding="utf-8-sig") as handle:
                return list(_parse(csv.reader(handle), self.path))
        except FileNotFoundError:
            raise errors.NotFound(f"The exclusion file {self.path} does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise errors.Unavailable(
                f"The exclusion file {self.path} cannot be read: {exc}"
            ) from exc


def _parse(rows, path: Path):
    for number, row in enumerate(rows, start=1):
        cell = row[0].strip() if row else ""
        if not cell:
            continue
        if (client_id := parse_int(cell)) is not None and client_id > 0:
            yield client_id
        elif number == 1 and not any(c.isdigit() for c in cell):
            continue  # a header (client_id): a bad id on line 1 is an error as anywhere
        else:
            raise errors.InvalidArgument(
                f"{path}, line {number}: {cell[:40]!r} is not a client id",
                details={"path": str(path), "line": number},
            )
