#!/usr/bin/env bash
# Builds the arm64 Debian bookworm root filesystem a cross-arch container
# build runs in, the way its users make one, with Kestrel doing the AArch64
# part through binfmt_misc:
#
#   debootstrap --foreign --arch=arm64 --variant=minbase bookworm ROOT
#   chroot ROOT /debootstrap/debootstrap --second-stage     (under Kestrel)
#   chroot ROOT apt-get install gcc make nodejs golang-go
#       openjdk-17-jre-headless erlang-nox python3-pip ...   (under Kestrel)
#
# The tree lands in $CACHE/rootfs (CACHE: $KESTREL_CACHE or .cache/) and is
# kept: later runs only check its stamp. KESTREL_ROOTFS_REFRESH=1 rebuilds
# it; KESTREL_DEBIAN_MIRROR picks the mirror. Needs root, binfmt_misc and
# network access to the mirror. About 20 minutes on 2 cores, most of it
# maintainer scripts running under emulation.
#
# Environment: KESTREL (default target/x86_64-unknown-linux-gnu/release/kestrel-aarch64).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${KESTREL_CACHE:-$repo/.cache}
rootfs=$cache/rootfs
kestrel=${KESTREL:-$repo/target/x86_64-unknown-linux-gnu/release/kestrel-aarch64}
mirror=${KESTREL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
# What the tasks of scripts/run-rootfs-tasks.sh use.
packages=(gcc make libc6-dev nodejs golang-go openjdk-17-jre-headless erlang-nox
    python3 python3-pip python3-setuptools python3-wheel)
stamp_text="kestrel-rootfs v1 $suite ${packages[*]}"
stamp=$rootfs/.kestrel-rootfs

note() { echo "build-rootfs: $*" >&2; }
die() { echo "build-rootfs: error: $*" >&2; exit 1; }

if [ "${KESTREL_ROOTFS_REFRESH:-0}" != 1 ] && [ "$(cat "$stamp" 2>/dev/null)" = "$stamp_text" ]; then
    note "cached: $rootfs"
    exit 0
fi
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, binfmt_misc)"
[ -x "$kestrel" ] || die "$kestrel not built (cargo build --release)"
kestrel=$(cd "$(dirname "$kestrel")" && pwd)/$(basename "$kestrel")
if ! command -v debootstrap >/dev/null; then
    note "installing debootstrap"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null ||
        die "could not install debootstrap"
fi

# shellcheck source=lib-binfmt.sh
. "$repo/scripts/lib-binfmt.sh"
new=$rootfs.new
mounted=()
cleanup() {
    local m
    for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null || true; done
    binfmt_release
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

binfmt_take "$cache" || die "binfmt_misc cannot be mounted"
binfmt_register "kestrel-rootfs-$$" "$kestrel" POCF

rm -rf "$new" "$rootfs"
started=$SECONDS
note "debootstrap --foreign (downloading)"
debootstrap --foreign --arch=arm64 --variant=minbase "$suite" "$new" "$mirror" >"$cache/rootfs-stage1.log" 2>&1 ||
    die "debootstrap --foreign failed; see $cache/rootfs-stage1.log"

# debootstrap leaves /proc as a link to the host's; the second stage and
# apt want a mount point there.
if [ -L "$new/proc" ]; then rm -f "$new/proc"; mkdir "$new/proc"; fi
note "second stage, under Kestrel"
stage2=$SECONDS
chroot "$new" /debootstrap/debootstrap --second-stage >"$cache/rootfs-stage2.log" 2>&1 ||
    die "second stage failed; see $cache/rootfs-stage2.log and $new/debootstrap/debootstrap.log"
note "second stage took $((SECONDS - stage2)) s"

mount -t proc proc "$new/proc"
mounted+=("$new/proc")
cp /etc/resolv.conf "$new/etc/resolv.conf" 2>/dev/null || true
note "apt-get install ${packages[*]}, under Kestrel"
install=$SECONDS
chroot "$new" /usr/bin/env DEBIAN_FRONTEND=noninteractive /bin/sh -c "
    apt-get update -qq &&
    apt-get install -y -q --no-install-recommends ${packages[*]} &&
    apt-get clean" >"$cache/rootfs-apt.log" 2>&1 ||
    die "apt-get install failed; see $cache/rootfs-apt.log"
note "apt-get install took $((SECONDS - install)) s"
umount "$new/proc"
mounted=()

echo "$stamp_text" >"$new/.kestrel-rootfs"
mv "$new" "$rootfs"
note "rootfs ready in $rootfs ($((SECONDS - started)) s)"
