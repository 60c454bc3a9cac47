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


def test_a_file_saved_as_csv_utf8_keeps_its_first_client_id(tmp_path):
    """Spreadsheets write "CSV UTF-8" with a byte order mark before the first id."""
    path = tmp_path / "exclusion.csv"
    path.write_text("1001\r\n1002\r\n", encoding="utf-8-sig")
    source = CsvExclusionSource(path)
    assert source.client_ids(source.version()) == [1001, 1002]


@pytest.mark.parametrize("first", ["-1001", "1001x", "0"])
def test_a_bad_id_on_the_first_line_is_an_error_not_a_header(tmp_path, first):
    path = tmp_path / "exclusion.csv"
    path.write_text(f"{first}\n1002\n")
    source = CsvExclusionSource(path)
    with pytest.raises(errors.InvalidArgument, match="line 1"):
        source.client_ids(source.version())
