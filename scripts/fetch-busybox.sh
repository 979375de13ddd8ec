#!/usr/bin/env bash
# Fetch the inputs of the busybox comparison tests:
#
#   $CACHE/busybox/bin/busybox   Debian's busybox-static for arm64 (a static
#                                aarch64 ELF, so no guest libraries are needed)
#   $CACHE/busybox/applets/NAME  symlink -> ../bin/busybox for every applet
#
# and make sure a qemu-aarch64 is installed to produce reference results.
#
# CACHE is $KESTREL_CACHE, or .cache/ at the top of the repository.
# Running it again is cheap: nothing is downloaded or rebuilt once the binary
# and its applet links are there.
# Set KESTREL_BUSYBOX_REFRESH=1 to download the package again.
#
# Installing anything (the arm64 dpkg architecture, qemu-user) needs root;
# without root the script says what to run instead and fails.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${KESTREL_CACHE:-$repo/.cache}
bbdir=$cache/busybox
busybox=$bbdir/bin/busybox
applets=$bbdir/applets

note() { echo "fetch-busybox: $*" >&2; }
die() { echo "fetch-busybox: error: $*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# apt only needs refreshing once per run, and only when something is missing.
apt_updated=0
apt_update() {
    if [ "$apt_updated" -eq 0 ]; then
        note "running apt-get update"
        apt-get update -qq || die "apt-get update failed"
        apt_updated=1
    fi
}

# True if $1 is a 64-bit little-endian ELF file for EM_AARCH64 (183 = 0xb7).
is_aarch64_elf() {
    [ -f "$1" ] || return 1
    local hdr
    hdr=$(od -An -tx1 -N20 "$1" | tr -d ' \n')
    # bytes 0-3 "\177ELF", byte 4 class 2 (64-bit), byte 5 data 1 (little
    # endian); bytes 18-19 hold e_machine, little endian.
    [ "${hdr:0:12}" = 7f454c460201 ] && [ "${hdr:36:4}" = b700 ]
}

# Print the qemu-aarch64 to use: $QEMU if set, else the first one on PATH.
find_qemu() {
    if [ -n "${QEMU:-}" ]; then
        command -v "$QEMU" || return 1
        return 0
    fi
    command -v qemu-aarch64 || command -v qemu-aarch64-static
}

ensure_qemu() {
    if find_qemu >/dev/null; then
        return 0
    fi
    [ -z "${QEMU:-}" ] || die "QEMU=$QEMU is not an executable"
    is_root || die "qemu-aarch64 is not installed; as root run: apt-get install qemu-user"
    # Without recommends: qemu-user recommends qemu-user-binfmt, which would
    # register a system-wide handler for aarch64 executables.  The compare
    # script manages binfmt itself, so that it never hides an emulator that
    # fails to follow exec.
    note "installing qemu-user"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq --no-install-recommends qemu-user >/dev/null; then
        apt_update
        apt-get install -y -qq --no-install-recommends qemu-user >/dev/null ||
            apt-get install -y -qq --no-install-recommends qemu-user-static >/dev/null ||
            die "could not install qemu-user (or qemu-user-static)"
    fi
    find_qemu >/dev/null || die "qemu-user is installed but no qemu-aarch64 was found on PATH"
}

ensure_arm64_arch() {
    if [ "$(dpkg --print-architecture)" = arm64 ] ||
        dpkg --print-foreign-architectures | grep -qx arm64; then
        return 0
    fi
    is_root || die "arm64 is not a dpkg architecture here; as root run:" \
        "dpkg --add-architecture arm64 && apt-get update"
    note "adding dpkg architecture arm64"
    dpkg --add-architecture arm64
    apt_updated=0
    apt_update
}

download_busybox() {
    if ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then
        die "apt-get and dpkg are needed to fetch busybox-static:arm64 (a Debian system)"
    fi
    ensure_arm64_arch

    mkdir -p "$cache"
    local dl
    dl=$(mktemp -d "$cache/busybox-download.XXXXXX")
    # shellcheck disable=SC2064  # expand $dl now: it is local to this function
    trap "rm -rf '$dl'" EXIT

    # apt drops privileges to its _apt user for downloads, and that user
    # cannot write into a private temporary directory; as root, download as
    # root instead of letting apt warn about it.
    local apt_opts=()
    if is_root; then
        apt_opts=(-o APT::Sandbox::User=root)
    fi
    note "downloading busybox-static:arm64"
    if ! (cd "$dl" && apt-get "${apt_opts[@]}" download busybox-static:arm64); then
        # Usually stale package lists for the arm64 architecture.
        is_root || die "apt-get download busybox-static:arm64 failed (try apt-get update as root)"
        apt_update
        (cd "$dl" && apt-get "${apt_opts[@]}" download busybox-static:arm64) ||
            die "apt-get download busybox-static:arm64 failed"
    fi

    local debs=("$dl"/busybox-static_*_arm64.deb)
    [ -f "${debs[0]}" ] || die "apt-get download produced no busybox-static arm64 package"

    # Unpack beside the old tree and swap, so an interrupted run never leaves
    # a half-extracted busybox behind.
    rm -rf "$bbdir.new"
    dpkg -x "${debs[0]}" "$bbdir.new" || die "dpkg -x ${debs[0]} failed"
    is_aarch64_elf "$bbdir.new/bin/busybox" ||
        die "the package did not contain an aarch64 bin/busybox"
    dpkg-deb -f "${debs[0]}" Version >"$bbdir.new/VERSION"
    rm -rf "$bbdir"
    mv "$bbdir.new" "$bbdir"
    rm -rf "$dl"
    trap - EXIT
    note "busybox $(cat "$bbdir/VERSION") unpacked into $bbdir"
}

make_applets() {
    local qemu list stamp
    # The links only change with the binary: skip the work when the stamp
    # says they were made for this very busybox.
    stamp=$(cksum <"$busybox")
    if [ -d "$applets" ] && [ "$(cat "$bbdir/applets.stamp" 2>/dev/null)" = "$stamp" ]; then
        return 0
    fi
    qemu=$(find_qemu)
    list=$("$qemu" "$busybox" --list) || die "$qemu $busybox --list failed"
    [ -n "$list" ] || die "$busybox --list printed no applets"

    # Rebuilt every time so the links always match the binary that is there.
    rm -rf "$applets.new"
    mkdir -p "$applets.new"
    local name
    while IFS= read -r name; do
        case $name in
            '' | */*) continue ;;
        esac
        ln -s ../bin/busybox "$applets.new/$name"
    done <<<"$list"
    rm -rf "$applets"
    mv "$applets.new" "$applets"
    echo "$stamp" >"$bbdir/applets.stamp"
    note "$(find "$applets" -type l | wc -l) applet links in $applets"
}

main() {
    ensure_qemu
    if [ "${KESTREL_BUSYBOX_REFRESH:-0}" = 1 ] || ! is_aarch64_elf "$busybox"; then
        download_busybox
    fi
    make_applets
}

main "$@"
