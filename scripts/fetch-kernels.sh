#!/usr/bin/env bash
# Fetch the Linux kernels the system-mode boot tests run:
#
#   $CACHE/kernels/cloud/    Debian bookworm's linux-image-6.1.0-N-cloud-arm64
#   $CACHE/kernels/generic/  Debian bookworm's linux-image-6.1.0-N-arm64
#
# Each directory holds the unpacked package (boot/vmlinuz-*, a gzip-compressed
# arm64 Image; boot/config-*; lib/modules/RELEASE/) and three small files
# other scripts read instead of globbing:
#
#   VMLINUZ   absolute path of the kernel image
#   MODULES   absolute path of lib/modules/RELEASE
#   VERSION   "PACKAGE VERSION" of the .deb it came from
#
#   scripts/fetch-kernels.sh [cloud|generic ...]   (default: both)
#
# and prints "FLAVOUR VMLINUZ MODULES" for each flavour on stdout.
#
# The kernel is the one the linux-image-cloud-arm64 / linux-image-arm64
# metapackages currently depend on, in its -unsigned build (the signed one is
# the same kernel wrapped for Secure Boot); KESTREL_KERNEL_ABI=6.1.0-N pins an
# older ABI that is still in the archive.
#
# CACHE is $KESTREL_CACHE, or .cache/ at the top of the repository.
# Running it again is cheap: nothing is downloaded once a flavour is unpacked.
# Set KESTREL_KERNELS_REFRESH=1 to download the packages again.
#
# Adding the arm64 dpkg architecture needs root; apt-get download itself does
# not.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${KESTREL_CACHE:-$repo/.cache}
kdir=$cache/kernels

note() { echo "fetch-kernels: $*" >&2; }
die() { echo "fetch-kernels: error: $*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

apt_updated=0
apt_update() {
    if [ "$apt_updated" -eq 0 ]; then
        is_root || die "the arm64 package lists look stale; as root run: apt-get update"
        note "running apt-get update"
        apt-get update -qq || die "apt-get update failed"
        apt_updated=1
    fi
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

# The package suffix of a flavour: linux-image-ABI$suffix.
flavour_suffix() {
    case $1 in
        cloud) echo -cloud-arm64 ;;
        generic) echo -arm64 ;;
        *) die "unknown kernel flavour '$1' (cloud or generic)" ;;
    esac
}

# True if apt knows a candidate version of package $1.
has_candidate() {
    local cand
    cand=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p')
    [ -n "$cand" ] && [ "$cand" != "(none)" ]
}

# Print the name of the package to download for flavour $1, e.g.
# linux-image-6.1.0-57-cloud-arm64-unsigned.
package_for() {
    local suffix abi pkg
    suffix=$(flavour_suffix "$1")
    if [ -n "${KESTREL_KERNEL_ABI:-}" ]; then
        abi=$KESTREL_KERNEL_ABI
    else
        # linux-image-cloud-arm64 Depends: linux-image-6.1.0-57-cloud-arm64
        abi=$(apt-cache depends "linux-image$suffix:arm64" 2>/dev/null |
            sed -n "s/^ *Depends: linux-image-\(6\.1\.[0-9]*-[0-9]*\)$suffix\(:arm64\)\{0,1\}\$/\1/p" |
            head -n1)
        if [ -z "$abi" ]; then
            apt_update
            abi=$(apt-cache depends "linux-image$suffix:arm64" 2>/dev/null |
                sed -n "s/^ *Depends: linux-image-\(6\.1\.[0-9]*-[0-9]*\)$suffix\(:arm64\)\{0,1\}\$/\1/p" |
                head -n1)
        fi
        [ -n "$abi" ] || die "could not tell which 6.1 kernel linux-image$suffix:arm64 depends on"
    fi
    for pkg in "linux-image-$abi$suffix-unsigned" "linux-image-$abi$suffix"; do
        if has_candidate "$pkg:arm64"; then
            echo "$pkg"
            return 0
        fi
    done
    die "neither linux-image-$abi$suffix-unsigned nor linux-image-$abi$suffix is in the arm64 package lists"
}

# True if flavour dir $1 holds a complete unpacked kernel.
is_unpacked() {
    local vmlinuz modules
    [ -f "$1/VMLINUZ" ] && [ -f "$1/MODULES" ] && [ -f "$1/VERSION" ] || return 1
    vmlinuz=$(cat "$1/VMLINUZ")
    modules=$(cat "$1/MODULES")
    [ -s "$vmlinuz" ] && [ -d "$modules/kernel" ]
}

fetch_flavour() {
    local flavour=$1 dest=$kdir/$1 pkg dl
    if [ "${KESTREL_KERNELS_REFRESH:-0}" != 1 ] && is_unpacked "$dest"; then
        return 0
    fi
    if ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then
        die "apt-get and dpkg are needed to fetch Debian's arm64 kernels"
    fi
    ensure_arm64_arch
    pkg=$(package_for "$flavour")

    mkdir -p "$kdir"
    dl=$(mktemp -d "$kdir/download.XXXXXX")
    # shellcheck disable=SC2064  # expand $dl now: it is local to this function
    trap "rm -rf '$dl' '$dest.new'" EXIT

    # As root, download as root: apt's _apt user cannot write into $dl.
    local apt_opts=()
    if is_root; then
        apt_opts=(-o APT::Sandbox::User=root)
    fi
    note "downloading $pkg:arm64"
    if ! (cd "$dl" && apt-get "${apt_opts[@]}" download -qq "$pkg:arm64"); then
        apt_update
        (cd "$dl" && apt-get "${apt_opts[@]}" download -qq "$pkg:arm64") ||
            die "apt-get download $pkg:arm64 failed"
    fi
    local debs=("$dl/${pkg}"_*_arm64.deb)
    [ -f "${debs[0]}" ] || die "apt-get download produced no $pkg arm64 package"

    # Unpack beside the old tree and swap it in whole.
    rm -rf "$dest.new"
    note "unpacking $(basename "${debs[0]}")"
    dpkg -x "${debs[0]}" "$dest.new" || die "dpkg -x ${debs[0]} failed"

    local images=("$dest.new"/boot/vmlinuz-*) mods=("$dest.new"/lib/modules/*/)
    [ -f "${images[0]}" ] || die "$pkg holds no boot/vmlinuz-*"
    [ -d "${mods[0]}kernel" ] || die "$pkg holds no lib/modules/*/kernel"
    local release
    release=$(basename "${images[0]}")
    release=${release#vmlinuz-}
    # Debian's arm64 vmlinuz is a gzip'd Image: "Image" magic ARM\x64 at 56.
    if gzip -t "${images[0]}" 2>/dev/null; then
        [ "$(gzip -dc "${images[0]}" | dd bs=1 skip=56 count=4 2>/dev/null)" = $'ARM\x64' ] ||
            die "${images[0]} does not unpack to an arm64 Image"
    elif [ "$(dd if="${images[0]}" bs=1 skip=56 count=4 2>/dev/null)" != $'ARM\x64' ]; then
        die "${images[0]} is neither a gzip'd nor a plain arm64 Image"
    fi

    rm -rf "$dest"
    mv "$dest.new" "$dest"
    echo "$dest/boot/vmlinuz-$release" >"$dest/VMLINUZ"
    echo "$dest/lib/modules/$release" >"$dest/MODULES"
    echo "$pkg $(dpkg-deb -f "${debs[0]}" Version)" >"$dest/VERSION"
    rm -rf "$dl"
    trap - EXIT
    note "$(cat "$dest/VERSION") unpacked into $dest"
}

main() {
    local flavours=("$@") f
    ((${#flavours[@]})) || flavours=(cloud generic)
    mkdir -p "$cache"
    # One download at a time; a second caller finds the kernels unpacked.
    exec 8>"$cache/kernels.lock"
    flock 8
    for f in "${flavours[@]}"; do
        flavour_suffix "$f" >/dev/null
        fetch_flavour "$f"
        echo "$f $(cat "$kdir/$f/VMLINUZ") $(cat "$kdir/$f/MODULES")"
    done
}

main "$@"
