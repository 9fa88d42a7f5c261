"""Locations inside the perfproj checkout."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "generator"
TEMPLATE = REPO / "template"
PRESETS = REPO / "presets"
MODULES = REPO / "cmake-modules"
