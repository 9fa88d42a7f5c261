"""Locations inside the perfproj checkout, and the suite's compiler cache."""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "generator"
TEMPLATE = REPO / "template"
PRESETS = REPO / "presets"
MODULES = REPO / "cmake-modules"  # cmake/perfproj/ of a project: modules/, scripts/, runtime/
SCRIPTS = MODULES / "scripts"

# The suite's ccache (tests/run.sh exports the same default): outside the checkout, so it survives clones.
CCACHE_DIR = os.environ.get("CCACHE_DIR") or str(
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "perfproj" / "test-ccache")
