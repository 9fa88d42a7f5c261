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


def test_the_record_says_where_perfproj_lives_in_the_project() -> None:
    from perfproj.project.record import Record, TemplateSource

    source = TemplateSource("builtin", "0.2.0")
    made = Record("0.2.0", source, {})
    assert (made.modules_dir, made.presets_file, made.preset("release")) == \
        ("cmake/perfproj", "CMakePresets.json", "release")
    adopted = Record("0.2.0", source, {}, mode="adopt", settings={
        "modules_dir": "tools/cmake/perfproj", "preset_prefix": "pp-", "presets_file": "CMakeUserPresets.json"})
    assert (adopted.modules_dir, adopted.presets_file, adopted.preset("release")) == \
        ("tools/cmake/perfproj", "CMakeUserPresets.json", "pp-release")
    # Settings only count for adopted projects; a generated one keeps the fixed layout.
    assert Record("0.2.0", source, {}, settings={"modules_dir": "elsewhere"}).modules_dir == "cmake/perfproj"
