"""The generation record: readable, complete, and loud when damaged."""

from pathlib import Path

import pytest

from helpers.cli import generate
from perfproj.errors import PerfprojError
from perfproj.project.record import RECORD_FILE, hash_tree, read_record_at as read_record


def test_record_round_trips(tmp_path: Path) -> None:
    project = generate(tmp_path, "rec")
    record = read_record(project)
    assert record.template.source == "builtin"
    assert record.answers["project_name"] == "rec"
    assert record.files == hash_tree(project)
    assert RECORD_FILE not in record.files


def test_missing_or_damaged_records_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(PerfprojError, match="not made by perfproj"):
        read_record(tmp_path)
    (tmp_path / RECORD_FILE).write_text("{ not json")
    with pytest.raises(PerfprojError, match="damaged"):
        read_record(tmp_path)
