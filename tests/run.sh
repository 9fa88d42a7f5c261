#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine (CI runs this too via
# .ci/run). Extra arguments go to pytest, e.g. `tests/run.sh -m "not integration"`.
# Two tests run at a time (-n 2; `-n 0` after it runs them one by one): their
# configure steps, test runs and Python work fill the gaps of each other's builds.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../generator/bootstrap.sh"
perfproj_bootstrap test

# Builds in the suite go through ccache. The cache lives outside the checkout,
# so it survives between runs and between clean clones (CI clones afresh).
export CCACHE_DIR=${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/perfproj/test-ccache}
cd "$PERFPROJ_ROOT"
exec "$PERFPROJ_VENV/bin/python" -m pytest -n 2 "$@"
