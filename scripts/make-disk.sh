#!/usr/bin/env bash
# Make the ext4 disk image of the system-mode boot tests:
#
#   scripts/make-disk.sh OUT [SIZE_MIB]
#
# writes OUT, a SIZE_MIB (default 24, 16 to 32) MiB raw ext4 image made by
# mke2fs -d from a directory holding a README whose first line the guest's
# /init checks ("Kestrel boot-test disk"). The guest adds kestrel-test.txt;
# scripts/run-system-boot.sh reads it back with debugfs.
#
# Needs e2fsprogs (mke2fs, debugfs); installs it as root when missing.
set -euo pipefail

note() { echo "make-disk: $*" >&2; }
die() { echo "make-disk: error: $*" >&2; exit 1; }

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    die "usage: make-disk.sh OUT [SIZE_MIB]"
fi
out=$1
size=${2:-24}
if ! [[ $size =~ ^[0-9]+$ ]] || [ "$size" -lt 16 ] || [ "$size" -gt 32 ]; then
    die "SIZE_MIB must be 16 to 32, not '$size'"
fi

PATH=$PATH:/usr/sbin:/sbin
if ! command -v mke2fs >/dev/null; then
    [ "$(id -u)" -eq 0 ] || die "mke2fs is not installed; as root run: apt-get install e2fsprogs"
    note "installing e2fsprogs"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed"
    apt-get install -y -qq e2fsprogs >/dev/null || die "could not install e2fsprogs"
fi

src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
cat >"$src/README" <<'README'
Kestrel boot-test disk
This ext4 file system is the virtio block device of Kestrel's system-mode
boot tests (scripts/run-system-boot.sh). The guest's /init mounts it,
checks the first line of this file, writes kestrel-test.txt and unmounts it.
README

rm -f "$out"
truncate -s "${size}M" "$out" || die "could not create $out"
# -E root_owner: the files belong to root in the guest whoever ran this.
mke2fs -q -F -t ext4 -L kestrel-test -E root_owner=0:0 -d "$src" "$out" ||
    die "mke2fs could not make $out"
