"""The interface of an exclusion-list source and the types it speaks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class TableVersion:
    """A version of the exclusion table: where it is and when it last changed.

    `modified_at` is timezone-aware (UTC). `row_count` is None when the source
    does not report it.
    """

    location: str
    modified_at: datetime
    row_count: int | None = None


class ExclusionSource(Protocol):
    """Where the list of clients without the support chat comes from."""

    def version(self) -> TableVersion:
        """The table's current version.

        Raises NotFound when the table is missing, Unavailable/DeadlineExceeded
        when the source cannot be reached, InvalidResponse on a malformed answer.
        """
        ...

    def client_ids(self, version: TableVersion) -> list[int]:
        """Every client id in the table (as of `version`; duplicates allowed).

        Raises what `version()` raises, and InvalidResponse/InvalidArgument when
        a row holds no valid client id or the table changed while read.
        """
        ...
