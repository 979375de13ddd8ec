#!/usr/bin/env bash
# Fetches Debian trixie's qemu-user 10 (static binaries, run here as they
# are) into $CACHE/qemu10 for side-by-side benchmarks, and prints the path of
# its qemu-aarch64. CACHE is $KESTREL_CACHE or .cache/. Bookworm's own
# qemu-user (7.2) is dynamically linked, so it cannot serve a chroot.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${KESTREL_CACHE:-$repo/.cache}
mirror=${KESTREL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
dir=$cache/qemu10
qemu=$dir/root/usr/bin/qemu-aarch64
if [ ! -x "$qemu" ]; then
    rm -rf "$dir"
    mkdir -p "$dir/lists/partial" "$dir/download"
    echo "deb $mirror trixie main" >"$dir/sources.list"
    apt_opts=(-o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
        -o "Dir::State::Lists=$dir/lists" -o APT::Sandbox::User=root)
    apt-get "${apt_opts[@]}" update -qq >&2
    (cd "$dir/download" && apt-get "${apt_opts[@]}" download -qq qemu-user >&2)
    dpkg -x "$dir"/download/qemu-user_*.deb "$dir/root"
    rm -rf "$dir/download" "$dir/lists"
fi
file -b "$qemu" | grep -q static || { echo "fetch-qemu10: $qemu is not static" >&2; exit 1; }
echo "$qemu"
