#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: set up perfproj, generate a
# project, then configure, build, test and run it with the release preset.
# Usage: generator/demo.sh [PROJECT_DIR]   (default: ./perfproj-demo/demo)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
perfproj_bootstrap demo

target=$(realpath -m "${1:-perfproj-demo/demo}")
if [ -e "$target" ]; then
  echo "demo: $target exists; reusing it (delete it to generate afresh)" >&2
else
  "$PERFPROJ_VENV/bin/perfproj" new "$(basename "$target")" \
    --output-dir "$(dirname "$target")" --no-input
fi
cd "$target"
cmake --workflow --preset release
name=$(basename "$target")
echo "demo: running ./build/release/$name"
"./build/release/$name" --statements 2000 --iterations 20
