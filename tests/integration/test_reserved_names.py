"""Names a generated project may take: derived from what its build really creates.

The answer rules (template/hooks/pre_gen_project.py) reserve names; this test
configures and builds a real project, lists every target and every entry at
the top of its build trees, and checks that each one that does not come from
the project's own name is refused as a project name, so the reserved list can
never fall behind the modules. Then names at the edges of what is accepted
build and pass their tests with the dev and release-v3 workflows.
"""

from __future__ import annotations

import re

import pytest

from helpers.build import Project
from perfproj.templates import rules

RULES = rules.answer_rules()
NAME = "zq"  # no target or folder perfproj makes contains it


def _targets(project: Project, build_dir: str) -> set[str]:
    """Every target of the build tree (Ninja's `help` target lists them)."""
    listing = project.run("cmake", "--build", build_dir, "--target", "help").stdout
    return {match.group(1) for match in re.finditer(r"^(\S+): (?:phony|CLEAN)", listing, re.M)}


def test_every_target_and_build_folder_perfproj_makes_is_reserved(make_project) -> None:
    project: Project = make_project("gcc", NAME)
    project.workflow("dev")  # configure, build, test: the build tree as it really gets filled
    project.build("build/dev", "bench")  # the bench target's results folder
    found = _targets(project, "build/dev") | {entry.name for entry in (project.path / "build/dev").iterdir()}
    for preset in ("release-v3", "profile", "coverage"):  # targets only some presets add (CPU guard, ...)
        project.configure(preset)
        found |= _targets(project, f"build/{preset}")
        found |= {entry.name for entry in (project.path / "build" / preset).iterdir()}

    ours = sorted(name for name in found if not name.startswith(NAME) and "/" not in name)
    assert len(ours) > 20, ours  # the listing really listed something
    accepted = [name for name in ours if not RULES.name_problems(name)]
    assert accepted == [], f"names the build uses that a project could take: {accepted}"


# "C" is also the name of a CMake language; the long one is 62 characters with - and _.
@pytest.mark.parametrize("name", ["C", "Zz-" + "b_c-" * 14 + "end"])
def test_names_at_the_edges_build_and_pass_their_tests(make_project, name: str) -> None:
    assert RULES.name_problems(name) == [], name
    project: Project = make_project("gcc", name)
    project.workflow("dev")
    project.workflow("release-v3")
