#!/usr/bin/env bash
# Idempotent set-up shared by generator/demo.sh and tests/run.sh. Source it,
# then call `perfproj_bootstrap demo` or `perfproj_bootstrap test`:
#   1. installs the Debian packages that are missing (as root, or with sudo);
#   2. creates .venv from Debian's /usr/bin/python3 with --system-site-packages
#      (the Python dependencies come from Debian: PyPI is not needed);
#   3. installs perfproj into it (not editable), again only when the sources
#      changed since the last install.

PERFPROJ_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PERFPROJ_VENV=${PERFPROJ_VENV:-$PERFPROJ_ROOT/.venv}

# The Debian packages, one list for the bootstrap and the test suite.
PERFPROJ_PACKAGE_LIST=$PERFPROJ_ROOT/generator/debian-packages.txt

# perfproj_packages demo|test: the packages of that set.
perfproj_packages() {
  awk -v set="$1" '!/^#/ && NF >= 2 && $2 == set { print $1 }' "$PERFPROJ_PACKAGE_LIST"
}

# The GitHub Actions workflow validator (npm), pinned, installed under .cache/.
PERFPROJ_ACTION_VALIDATOR=@action-validator/cli@0.6.0

_perfproj_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

perfproj_install_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "perfproj: installing Debian packages: ${missing[*]}" >&2
  _perfproj_as_root apt-get update -qq
  _perfproj_as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# A hash of everything that goes into the package.
_perfproj_sources_stamp() {
  (cd "$PERFPROJ_ROOT" &&
    find pyproject.toml generator template presets cmake-modules -type f \
      -not -path '*/__pycache__/*' -not -name '*.pyc' -print0 |
    sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}

perfproj_install_venv() {
  if [ ! -x "$PERFPROJ_VENV/bin/python" ]; then
    echo "perfproj: creating $PERFPROJ_VENV" >&2
    /usr/bin/python3 -m venv --system-site-packages "$PERFPROJ_VENV"
  fi
  local stamp
  stamp=$(_perfproj_sources_stamp)
  if [ "$(cat "$PERFPROJ_VENV/.perfproj-stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "perfproj: installing perfproj into $PERFPROJ_VENV" >&2
    # --no-index: every dependency must already be there (from Debian);
    # --no-build-isolation: build with Debian's setuptools, no download.
    "$PERFPROJ_VENV/bin/python" -m pip install --quiet --no-index --no-build-isolation \
      --disable-pip-version-check "$PERFPROJ_ROOT"
    rm -rf "$PERFPROJ_ROOT/build" "$PERFPROJ_ROOT"/generator/*.egg-info
    echo "$stamp" >"$PERFPROJ_VENV/.perfproj-stamp"
  fi
}

# Debian's nodejs needs the npm package; NodeSource's nodejs brings its own npm
# (and conflicts with Debian's), so npm is installed only when it is missing.
perfproj_install_action_validator() {
  command -v npm >/dev/null || perfproj_install_packages npm
  local prefix=$PERFPROJ_ROOT/.cache/npm
  if [ "$(cat "$prefix/.perfproj-stamp" 2>/dev/null)" != "$PERFPROJ_ACTION_VALIDATOR" ]; then
    echo "perfproj: installing $PERFPROJ_ACTION_VALIDATOR into $prefix" >&2
    npm install --silent --no-audit --no-fund --prefix "$prefix" "$PERFPROJ_ACTION_VALIDATOR" >/dev/null
    echo "$PERFPROJ_ACTION_VALIDATOR" >"$prefix/.perfproj-stamp"
  fi
  export PERFPROJ_ACTION_VALIDATOR_BIN=$prefix/node_modules/.bin/action-validator
}

# perfproj_bootstrap demo|test
perfproj_bootstrap() {
  local packages
  mapfile -t packages < <(perfproj_packages demo)
  if [ "$1" = test ]; then
    mapfile -t -O "${#packages[@]}" packages < <(perfproj_packages test)
  fi
  perfproj_install_packages "${packages[@]}"
  perfproj_install_venv
  if [ "$1" = test ]; then
    perfproj_install_action_validator
  fi
}
