"""The suite itself: pytest's default import mode cannot collect two test
modules with the same file name (tests/unit/test_x.py and
tests/integration/test_x.py), and then nothing runs at all."""

from collections import Counter

from helpers.paths import REPO


def test_test_module_names_are_unique() -> None:
    names = Counter(path.name for path in (REPO / "tests").rglob("test_*.py"))
    assert not [name for name, count in names.items() if count > 1]
