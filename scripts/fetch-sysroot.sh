#!/usr/bin/env bash
# Build an arm64 Debian bookworm root filesystem for running dynamically
# linked programs under `kestrel-aarch64 -L SYSROOT`:
#
#   $CACHE/sysroot    minbase (coreutils, bash, grep, sed, gzip, ...) plus
#                     python3, openssl, xz and bzip2
#
# CACHE is $KESTREL_CACHE, or .cache/ at the top of the repository.
# The tree is built once; later runs only check its stamp and return.
# Set KESTREL_SYSROOT_REFRESH=1 to build it again, KESTREL_DEBIAN_MIRROR to
# use another Debian mirror than deb.debian.org.
#
# How: `debootstrap --foreign` downloads the minbase packages into
# DIR/var/cache/apt/archives; its second stage would run the arm64 maintainer
# scripts and cannot run on x86-64, so every downloaded package is unpacked
# instead (files only, no scripts: enough to run programs). python3 and the
# libraries it needs come from `apt-get download PKG:arm64`.
#
# Needs root (debootstrap, installing debootstrap, adding the arm64 dpkg
# architecture) and network access to the Debian mirror.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${KESTREL_CACHE:-$repo/.cache}
sysroot=$cache/sysroot
suite=bookworm
mirror=${KESTREL_DEBIAN_MIRROR:-http://deb.debian.org/debian}

# python3 on top of minbase: the interpreter, its standard library and the
# shared libraries their extension modules link against (found by trying:
# each test script imports what it needs, and ldd-style failures name the
# missing library). Packages minbase already has (libffi8, liblzma5,
# libbz2-1.0, libtinfo6, libuuid1, libdb5.3, libcrypt1, tzdata, zlib1g) are
# skipped when their .deb is already there. libnsl2/libtirpc3 (only the
# deprecated `nis` module) and readline-common (only data) are left out.
arch_pkgs=(
    python3-minimal        # /usr/bin/python3 -> python3.11
    python3.11-minimal     # the interpreter binary
    libpython3.11-minimal  # core modules: os, re, struct, encodings, ...
    libpython3.11-stdlib   # json, decimal, hashlib, subprocess, socket, ...
    python3 python3.11     # the rest of the "python3" command set
    libexpat1              # pyexpat
    libssl3                # _hashlib, _ssl
    libsqlite3-0 libreadline8 libncursesw6
    libffi8 libbz2-1.0 liblzma5 zlib1g libtinfo6 libuuid1
)
# Architecture-independent packages: no :arm64 suffix for these.
all_pkgs=(
    media-types            # mimetypes reads /etc/mime.types
    tzdata
)

# Command-line tools for scripts/run-crypto-compress-tests.sh, as
# PACKAGE:PATH-OF-ITS-PROGRAM. Their libraries (libssl3, liblzma5,
# libbz2-1.0) are already in the tree. They are not part of the stamp: a
# cached tree without them gets them added (fetched when the program is
# missing), instead of being rebuilt.
extra_tools=(openssl:usr/bin/openssl xz-utils:usr/bin/xz bzip2:bin/bzip2)

# Bump when the package set changes, so cached trees are rebuilt.
stamp_text="kestrel-sysroot v1 $suite ${arch_pkgs[*]} ${all_pkgs[*]}"
stamp=$sysroot/.kestrel-sysroot

note() { echo "fetch-sysroot: $*" >&2; }
die() { echo "fetch-sysroot: error: $*" >&2; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# True if $1 is a 64-bit little-endian ELF file for EM_AARCH64 (0xb7).
is_aarch64_elf() {
    [ -f "$1" ] || return 1
    local hdr
    hdr=$(od -An -tx1 -N20 "$1" | tr -d ' \n')
    [ "${hdr:0:12}" = 7f454c460201 ] && [ "${hdr:36:4}" = b700 ]
}

cached_ok() {
    [ "$(cat "$stamp" 2>/dev/null)" = "$stamp_text" ] &&
        is_aarch64_elf "$(readlink -f "$sysroot/usr/bin/python3")" &&
        [ -e "$sysroot/lib/ld-linux-aarch64.so.1" ]
}

apt_updated=0
apt_update() {
    if [ "$apt_updated" -eq 0 ]; then
        note "running apt-get update"
        apt-get update -qq || die "apt-get update failed"
        apt_updated=1
    fi
}

ensure_tools() {
    command -v dpkg-deb >/dev/null && command -v apt-get >/dev/null ||
        die "dpkg and apt-get are needed (a Debian system)"
    if ! command -v debootstrap >/dev/null; then
        is_root || die "debootstrap is not installed; as root run: apt-get install debootstrap"
        note "installing debootstrap"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq debootstrap >/dev/null || {
            apt_update
            apt-get install -y -qq debootstrap >/dev/null || die "could not install debootstrap"
        }
    fi
    is_root || die "debootstrap needs root; run this script as root"
    if [ "$(dpkg --print-architecture)" != arm64 ] &&
        ! dpkg --print-foreign-architectures | grep -qx arm64; then
        note "adding dpkg architecture arm64"
        dpkg --add-architecture arm64
        apt_updated=0
        apt_update
    fi
}

# Unpack a .deb's files into $2. `dpkg -x` would replace the merged-/usr
# links (bin -> usr/bin, lib -> usr/lib) with real directories for packages
# that still ship files under /bin or /lib, splitting the tree; tar's
# --keep-directory-symlink keeps the links, as dpkg does when it installs.
unpack() {
    dpkg-deb --fsys-tarfile "$1" | tar -x --keep-directory-symlink -C "$2" ||
        die "cannot unpack $1"
}

# Undo first-stage placeholders that differ from a booted system. debootstrap
# links proc -> /proc for its second stage; on a real system /proc is a
# mount point, so readlink("/proc") fails with EINVAL and `readlink -f`
# resolves paths through it. With the link, a guest that looks up /proc under
# the sysroot finds a symlink to itself and loops. Without it, /proc lookups
# fall through to the host's procfs (or the emulator's view of it).
fixup() {
    if [ -L "$1/proc" ]; then
        rm -f "$1/proc"
    fi
    compile_python "$1"
}

# Byte-compile the standard library into the sysroot, as the package's
# postinst (py3compile) would. Without these caches the guest python looks
# for them, and writes them, at the same absolute paths on the host: under
# the host's own /usr/lib/python3.11 when that exists. .pyc files do not
# depend on the architecture, so a host python of the same version makes
# them; -d records the guest path of each source.
compile_python() {
    local lib=$1/usr/lib/python3.11
    [ -d "$lib" ] && [ ! -d "$lib/__pycache__" ] || return 0
    if ! command -v python3.11 >/dev/null; then
        note "no host python3.11: the guest's standard library stays uncompiled"
        return 0
    fi
    note "byte-compiling $lib"
    python3.11 -m compileall -q -j0 -d /usr/lib/python3.11 "$lib" >/dev/null ||
        note "some standard-library files did not compile (harmless)"
}

# Download arm64 packages $2... and unpack them into the tree $1.
download_unpack() {
    local dir=$1 dl=$cache/sysroot-download deb
    shift
    rm -rf "$dl"
    mkdir -p "$dl"
    # apt downloads as its _apt user, which cannot write here; as root it
    # may download as root instead.
    local apt_opts=()
    if is_root; then apt_opts=(-o APT::Sandbox::User=root); fi
    note "downloading ${*:-nothing}"
    if (($#)) && ! (cd "$dl" && apt-get "${apt_opts[@]}" -qq download "$@"); then
        # Usually stale package lists.
        apt_updated=0
        apt_update
        (cd "$dl" && apt-get "${apt_opts[@]}" -qq download "$@") ||
            die "apt-get download $* failed"
    fi
    for deb in "$dl"/*.deb; do
        if [ -e "$deb" ]; then unpack "$deb" "$dir"; fi
    done
    rm -rf "$dl"
}

# Add the extra_tools packages whose program is missing from the tree $1.
add_extra_tools() {
    local dir=$1 want=() entry
    for entry in "${extra_tools[@]}"; do
        is_aarch64_elf "$(readlink -f "$dir/${entry#*:}")" || want+=("${entry%%:*}:arm64")
    done
    ((${#want[@]})) || return 0
    command -v dpkg-deb >/dev/null && command -v apt-get >/dev/null ||
        die "dpkg and apt-get are needed (a Debian system)"
    if [ "$(dpkg --print-architecture)" != arm64 ] &&
        ! dpkg --print-foreign-architectures | grep -qx arm64; then
        is_root || die "the arm64 dpkg architecture is not enabled; as root run: dpkg --add-architecture arm64"
        note "adding dpkg architecture arm64"
        dpkg --add-architecture arm64
        apt_updated=0
        apt_update
    fi
    download_unpack "$dir" "${want[@]}"
    for entry in "${extra_tools[@]}"; do
        is_aarch64_elf "$(readlink -f "$dir/${entry#*:}")" ||
            die "no aarch64 ${entry#*:} in $dir after unpacking ${entry%%:*}"
    done
}

# The package name inside a .deb file.
deb_name() { dpkg-deb -f "$1" Package; }

build() {
    local dir=$sysroot.new log=$cache/sysroot-debootstrap.log
    rm -rf "$dir"
    mkdir -p "$cache"
    note "debootstrap --foreign --arch=arm64 --variant=minbase $suite (log: $log)"
    if ! debootstrap --foreign --arch=arm64 --variant=minbase "$suite" "$dir" "$mirror" >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        die "debootstrap failed; see $log"
    fi

    local archives=$dir/var/cache/apt/archives have=" " deb
    note "unpacking $(ls "$archives"/*.deb | wc -l) minbase packages"
    for deb in "$archives"/*.deb; do
        unpack "$deb" "$dir"
        have+="$(deb_name "$deb") "
    done

    local want=() pkg
    for pkg in "${arch_pkgs[@]}"; do
        [[ $have == *" $pkg "* ]] || want+=("$pkg:arm64")
    done
    for pkg in "${all_pkgs[@]}"; do
        [[ $have == *" $pkg "* ]] || want+=("$pkg")
    done
    download_unpack "$dir" "${want[@]}"
    add_extra_tools "$dir"

    is_aarch64_elf "$(readlink -f "$dir/usr/bin/python3")" ||
        die "no aarch64 python3 in the new sysroot"
    [ -e "$dir/lib/ld-linux-aarch64.so.1" ] || die "no lib/ld-linux-aarch64.so.1 in the new sysroot"
    fixup "$dir"
    echo "$stamp_text" >"$dir/.kestrel-sysroot"
    # Swap only when complete, so an interrupted run never leaves a
    # half-built sysroot that looks cached.
    rm -rf "$sysroot"
    mv "$dir" "$sysroot"
    note "sysroot ready in $sysroot ($(du -sh "$sysroot" | cut -f1))"
}

if [ "${KESTREL_SYSROOT_REFRESH:-0}" != 1 ] && cached_ok; then
    add_extra_tools "$sysroot"
    fixup "$sysroot"
    exit 0
fi
ensure_tools
build
