"""The local CSV exclusion source."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from core import errors
from supportchat.adapters.csv_file import CsvExclusionSource


def test_reads_ids_skipping_header_and_blank_lines_with_mtime_as_version(tmp_path):
    path = tmp_path / "exclusion.csv"
    path.write_text("client_id\n1001\n\n1002,comment\n")
    os.utime(path, (0, 1_700_000_000))
    source = CsvExclusionSource(path)
    version = source.version()
    assert version.modified_at == datetime.fromtimestamp(1_700_000_000, tz=UTC)
    assert source.client_ids(version) == [1001, 1002]


def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(errors.NotFound):
        CsvExclusionSource(tmp_path / "nope.csv").version()


def test_a_bad_row_names_its_line(tmp_path):
    path = tmp_path / "exclusion.csv"
    path.write_text("1001\nabc\n")
    source = CsvExclusionSource(path)
    with pytest.raises(errors.InvalidArgument, match="line 2"):
        source.client_ids(source.version())
