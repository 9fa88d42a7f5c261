#!/usr/bin/env bash
# The README's two commands on a fresh Debian 12 machine, for real.
#
# Builds a minimal Debian 12 root (debootstrap --variant=minbase bookworm),
# installs only git in it, clones this repository's committed HEAD, and runs
#
#   generator/demo.sh           # the main job
#   CI=true tests/run.sh ARGS   # the whole test suite (ARGS go to pytest)
#
# exactly as a new user would. It proves that the bootstrap installs every
# package the suite needs: a package installed by hand on the developer's
# machine is not there. Not part of every CI run: it downloads ~1.5 GB of
# packages and runs the whole suite (expect about an hour on 2 cores).
#
#   sudo tests/fresh-machine.sh [--keep] [-- PYTEST-ARGS...]
#
# Needs root (debootstrap, chroot, mounts) and the debootstrap package. The
# root goes to .cache/fresh-machine/ and is removed afterwards unless --keep.
# The machine's apt sources and CA certificates are copied in (a network
# that needs them for apt or npm needs them in the new root too).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
root=$repo/.cache/fresh-machine
keep=false
pytest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=true ;;
    --) shift; pytest_args=("$@"); break ;;
    -h|--help) sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fresh-machine: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" -eq 0 ] || { echo "fresh-machine: run as root (debootstrap and chroot need it)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "fresh-machine: install debootstrap first" >&2; exit 2; }

mounts=()
cleanup() {
  local index
  for ((index = ${#mounts[@]} - 1; index >= 0; index--)); do
    umount -l "${mounts[index]}" 2>/dev/null || true
  done
  if [ "$keep" = false ]; then rm -rf "$root"; fi
}
trap cleanup EXIT
bind() { mkdir -p "$2"; mount --bind "$1" "$2"; mounts+=("$2"); }

step() { printf '\n== fresh-machine: %s (%s)\n' "$1" "$(date +%H:%M:%S)"; }

rm -rf "$root"
mkdir -p "$root"
mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
step "debootstrap --variant=minbase bookworm from ${mirror:=http://deb.debian.org/debian}"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
  { tail -20 "$root.debootstrap.log"; exit 1; }

# Reaching the network as this machine does: apt sources and settings, DNS, CA certificates.
# debootstrap wrote a sources.list of its own; this machine's sources replace it
# (keeping both lists every source twice, and apt warns on each update).
rm -f "$root/etc/apt/sources.list"
cp -a /etc/apt/sources.list.d/. "$root/etc/apt/sources.list.d/" 2>/dev/null || true
if [ -f /etc/apt/sources.list ]; then cp /etc/apt/sources.list "$root/etc/apt/"; fi
cp -a /etc/apt/apt.conf.d/. "$root/etc/apt/apt.conf.d/" 2>/dev/null || true
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/usr/local/share/ca-certificates"
cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/" 2>/dev/null || true

bind /proc "$root/proc"
bind /sys "$root/sys"
bind /dev "$root/dev"
bind /dev/pts "$root/dev/pts"
mkdir -p "$root/mnt/perfproj"
bind "$repo" "$root/mnt/perfproj"

in_root() { chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 TERM=dumb "$@"; }

step "apt-get install git (the only package the README assumes)"
in_root apt-get update -qq
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends git ca-certificates >/dev/null
in_root update-ca-certificates >/dev/null
in_root git config --global --add safe.directory '*'
in_root git clone -q /mnt/perfproj /root/perfproj

status=0
step "generator/demo.sh"
in_root bash -c 'cd /root/perfproj && generator/demo.sh' || status=$?
echo "fresh-machine: generator/demo.sh exited $status"
step "CI=true tests/run.sh ${pytest_args[*]}"
test_status=0
in_root bash -c 'cd /root/perfproj && CI=true tests/run.sh "$@"' tests/run.sh "${pytest_args[@]}" || test_status=$?
echo "fresh-machine: tests/run.sh exited $test_status"
step "done"
[ "$status" -eq 0 ] && [ "$test_status" -eq 0 ]
