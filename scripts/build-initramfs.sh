#!/usr/bin/env bash
# Build the busybox initramfs of the system-mode boot tests, one per kernel
# flavour of scripts/fetch-kernels.sh:
#
#   $CACHE/initramfs/FLAVOUR/initrd.img        cpio (newc), gzip-compressed
#   $CACHE/initramfs/FLAVOUR/modules           the modules /init loads, in order
#                                              ("GROUP PATH", see module_wants)
#   $CACHE/initramfs/FLAVOUR/expected-compute  what "KT compute=" must say
#   $CACHE/initramfs/FLAVOUR/expected-bench    what "KT bench=" must say
#
#   scripts/build-initramfs.sh [cloud|generic ...]   (default: both)
#
# prints "FLAVOUR INITRD" for each flavour on stdout.
#
# The image holds Debian's busybox-static:arm64 (scripts/fetch-busybox.sh),
# the kernel modules the flavour needs to mount an ext4 file system on a
# virtio-mmio block device (whatever its boot/config-* builds as modules out
# of virtio_mmio, virtio_blk, ext4, crc32c, virtio-rng and virtio_pci, with everything
# they depend on according to modules.dep; compressed modules are
# decompressed here, so busybox insmod can load them), and an /init that
# prints marker lines on the console:
#
#   KT uname-m=aarch64
#   KT cpus=N              processor lines in /proc/cpuinfo
#   KT compute=V           a fixed shell arithmetic loop (expected-compute)
#   KT rtc=ok              /sys/class/rtc/rtc0 (or hwclock) says 2024 or later;
#                          otherwise the raw value it gave
#   KT disk=ok             /dev/vda mounted as ext4, its README read,
#                          kestrel-test.txt written, synced and unmounted
#                          ("KT disk=absent" without a /dev/vda)
#   KT bench=HASH          only with kt.bench=1 on the kernel command line:
#                          a CPU-bound busybox workload (expected-bench)
#   KT done
#
# and then powers off (poweroff -f). Every failure prints "KT fail WHAT" and
# /init carries on to the power-off.
#
# CACHE is $KESTREL_CACHE, or .cache/ at the top of the repository. An image
# is rebuilt only when the kernel, busybox or this script changed.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${KESTREL_CACHE:-$repo/.cache}
busybox=$cache/busybox/bin/busybox

note() { echo "build-initramfs: $*" >&2; }
die() { echo "build-initramfs: error: $*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# The line /init writes into kestrel-test.txt before "cpus=N";
# scripts/run-system-boot.sh expects the same.
test_line="kestrel boot test: written by the guest"

# Input of the kt.bench=1 workload: the output of "seq 1 $bench_lines",
# about 1.3 MB, hashed and compressed in the guest.
bench_lines=200000
bench_rounds=10

# The deterministic arithmetic of "KT compute=". The same text runs in the
# guest's busybox sh and, to compute the expected value, in the host's bash:
# both do 64-bit arithmetic and no intermediate value exceeds 2^62.
# shellcheck disable=SC2016  # expanded by the shells that run it
compute_fn='kt_compute() {
    i=0
    s=1
    while [ "$i" -lt 20000 ]; do
        s=$(( (s * 1103515245 + 12345 + i) % 2147483648 ))
        s=$(( s ^ (s >> 7) ^ ((i & 255) << 9) ))
        i=$((i + 1))
    done
    echo "$s"
}'

# busybox applets /init uses, linked into /bin.
applets=(sh cat echo grep mount umount mkdir insmod uname sync poweroff sleep usleep
    hwclock seq sha256sum gzip wc head sed date mknod ls dmesg)

# Print a cpio command line that writes a newc archive of the file names on
# stdin, all owned by root. GNU cpio if there is one, else a busybox's.
cpio_cmd() {
    if command -v cpio >/dev/null; then
        echo "cpio --quiet -o -H newc -R 0:0"
    elif command -v busybox >/dev/null && busybox cpio --help >/dev/null 2>&1; then
        echo "busybox cpio -o -H newc -R 0:0"
    else
        return 1
    fi
}

ensure_cpio() {
    cpio_cmd >/dev/null && return 0
    is_root || die "cpio is not installed; as root run: apt-get install cpio"
    note "installing cpio"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed"
    apt-get install -y -qq cpio >/dev/null || die "could not install cpio"
}

# Value of CONFIG_$2 in kernel config $1: y, m, or empty.
config_value() {
    sed -n "s/^CONFIG_$2=\(.*\)\$/\1/p" "$1"
}

# Print the "depends=" field of the .modinfo section of module file $1 (the
# packages ship no modules.dep, and the host need not have depmod).
module_depends() {
    local cat=cat
    case $1 in
        *.xz) cat="xz -dc" ;;
        *.zst) cat="zstd -q -dc" ;;
        *.gz) cat="gzip -dc" ;;
    esac
    $cat "$1" | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n1
}

# Module load order in lib/modules/RELEASE directory $1 for the root modules
# that follow, each GROUP:NAME: each module after the modules it depends on,
# each once, as "GROUP PATH" lines (PATH relative to $1, GROUP that of the
# first root that needs it).
module_order() {
    local moddir=$1 f n
    shift
    declare -gA mod_path=() mod_state=()
    mod_list=()
    while IFS= read -r f; do
        n=${f##*/}
        n=${n%%.ko*}
        mod_path[${n//-/_}]=$f
    done < <(cd "$moddir" && find kernel -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz')
    for n in "$@"; do
        module_visit "$moddir" "${n%%:*}" "${n#*:}" || return 1
    done
    printf '%s\n' "${mod_list[@]}"
}

module_visit() {
    local moddir=$1 group=$2 n=${3//-/_} d deps
    case ${mod_state[$n]:-} in
        done) return 0 ;;
        busy) note "module dependency cycle at $n"; return 1 ;;
    esac
    [ -n "${mod_path[$n]:-}" ] || { note "no module $n in $moddir"; return 1; }
    mod_state[$n]=busy
    deps=$(module_depends "$moddir/${mod_path[$n]}")
    for d in ${deps//,/ }; do
        module_visit "$moddir" "$group" "$d" || return 1
    done
    mod_state[$n]="done"
    mod_list+=("$group ${mod_path[$n]}")
}

# Root modules for a kernel config: "CONFIG_SYMBOL module required group".
# /init loads group "base", and group "pci" only when that gave no /dev/vda.
module_wants=(
    # ext4's metadata_csum (mke2fs's default) and jbd2 ask the crypto API for
    # crc32c at mount time; nothing in the initramfs could modprobe it.
    "CRYPTO_CRC32C crc32c_generic 1 base"
    "VIRTIO_MMIO virtio_mmio 1 base"
    "VIRTIO_BLK virtio_blk 1 base"
    "EXT4_FS ext4 1 base"
    "HW_RANDOM_VIRTIO virtio_rng 0 base"
    # For qemu's -drive if=virtio: a virtio-blk-pci on virt's PCIe host.
    "VIRTIO_PCI virtio_pci 0 pci"
)

write_init() {
    cat >"$1" <<'EOF'
#!/bin/sh
# /init of the Kestrel boot-test initramfs (scripts/build-initramfs.sh).
PATH=/bin
export PATH

fail() { echo "KT fail $*"; }

mount -t proc proc /proc || fail mount-proc
mount -t sysfs sysfs /sys || fail mount-sys
mount -t devtmpfs devtmpfs /dev || fail mount-devtmpfs
# The kernel may have found no /dev/console to hand init; take the console
# devtmpfs provides.
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1

# load_modules GROUP: insmod the modules of GROUP, in dependency order.
load_modules() {
    while read -r group ko; do
        [ "$group" = "$1" ] || continue
        insmod "/lib/modules/$ko" || fail "insmod $ko"
    done </etc/kt-modules
}
load_modules base

echo "KT uname-m=$(uname -m)"

cpus=$(grep -c '^processor' /proc/cpuinfo)
echo "KT cpus=$cpus"

@COMPUTE_FN@
echo "KT compute=$(kt_compute)"

# RTC: sysfs says YYYY-MM-DD; busybox hwclock a ctime()-style line.
rtc=
year=
if [ -r /sys/class/rtc/rtc0/date ]; then
    rtc=$(cat /sys/class/rtc/rtc0/date 2>&1)
    year=${rtc%%-*}
else
    rtc=$(hwclock -r -u 2>&1)
    for w in $rtc; do
        case $w in
            [0-9][0-9][0-9][0-9]) year=$w ;;
        esac
    done
fi
case $year in
    [0-9][0-9][0-9][0-9])
        if [ "$year" -ge 2024 ]; then
            echo "KT rtc=ok"
        else
            echo "KT rtc=$rtc"
        fi
        ;;
    *) echo "KT rtc=${rtc:-none}" ;;
esac

# A virtio-blk-device on virtio-mmio is /dev/vda before insmod returns. If
# there is none, the disk may be a virtio-blk-pci: load virtio_pci and allow
# it a moment.
[ -b /dev/vda ] || load_modules pci
n=0
while [ ! -b /dev/vda ] && [ "$n" -lt 30 ]; do
    usleep 100000
    n=$((n + 1))
done
if [ -b /dev/vda ]; then
    disk=ok
    if mount -t ext4 /dev/vda /mnt; then
        grep -q '^Kestrel boot-test disk$' /mnt/README || { fail disk-read; disk=bad; }
        if ! { echo "@TEST_LINE@" && echo "cpus=$cpus"; } >/mnt/kestrel-test.txt; then
            fail disk-write
            disk=bad
        fi
        sync || { fail disk-sync; disk=bad; }
        umount /mnt || { fail disk-umount; disk=bad; }
    else
        fail disk-mount
        disk=bad
    fi
    [ "$disk" = ok ] && echo "KT disk=ok"
else
    echo "KT disk=absent"
fi

case " $(cat /proc/cmdline) " in
    *" kt.bench=1 "*)
        # CPU-bound: hash and compress generated text, several rounds.
        if seq 1 @BENCH_LINES@ >/tmp/bench.txt; then
            r=0
            while [ "$r" -lt @BENCH_ROUNDS@ ]; do
                h=$(sha256sum </tmp/bench.txt) || fail bench-sha256sum
                z=$(gzip -6 -c /tmp/bench.txt | wc -c) || fail bench-gzip
                r=$((r + 1))
            done
            h=${h%% *}
            echo "KT bench=$h:$z"
            rm -f /tmp/bench.txt
        else
            fail bench-seq
        fi
        ;;
esac

echo "KT done"
sync
poweroff -f
fail poweroff
EOF
    local f=$1 tmp
    tmp=$(mktemp)
    awk -v fn="$compute_fn" -v line="$test_line" -v bl="$bench_lines" -v br="$bench_rounds" '
        $0 == "@COMPUTE_FN@" { print fn; next }
        { gsub(/@TEST_LINE@/, line); gsub(/@BENCH_LINES@/, bl); gsub(/@BENCH_ROUNDS@/, br); print }
    ' "$f" >"$tmp"
    mv "$tmp" "$f"
    chmod 755 "$f"
}

# Print what the guest's "KT bench=" must say: sha256 of the text, then the
# size busybox gzip -6 compresses it to. The host's gzip may pick other
# matches than busybox's, so the size is measured with the arm64 busybox
# when a qemu-aarch64 can run it, and the field left "*" otherwise.
expected_bench() {
    local h z=
    h=$(seq 1 "$bench_lines" | sha256sum)
    h=${h%% *}
    local q
    q=$(command -v qemu-aarch64 || command -v qemu-aarch64-static || true)
    if [ -n "$q" ]; then
        z=$(seq 1 "$bench_lines" | "$q" "$busybox" gzip -6 -c | wc -c) || z=
    fi
    echo "$h:${z:-*}"
}

build_flavour() {
    local flavour=$1 out=$cache/initramfs/$1 moddir config
    moddir=$(cat "$cache/kernels/$flavour/MODULES")
    config=$(dirname "$(cat "$cache/kernels/$flavour/VMLINUZ")")/config-$(basename "$moddir")
    [ -f "$config" ] || die "no kernel config $config"

    local stamp
    stamp=$( (cat "$cache/kernels/$flavour/VERSION"; cksum <"$busybox"; cksum <"${BASH_SOURCE[0]}") | cksum)
    if [ -s "$out/initrd.img" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
        echo "$flavour $out/initrd.img"
        return 0
    fi

    local roots=() want sym mod req group val
    for want in "${module_wants[@]}"; do
        read -r sym mod req group <<<"$want"
        val=$(config_value "$config" "$sym")
        case $val in
            m) roots+=("$group:$mod") ;;
            y) ;;
            *) [ "$req" = 0 ] || die "$flavour kernel: CONFIG_$sym is neither built in nor a module" ;;
        esac
    done
    local order=()
    if ((${#roots[@]})); then
        module_order "$moddir" "${roots[@]}" >"$cache/initramfs-order.$$" ||
            { rm -f "$cache/initramfs-order.$$"; die "could not order the modules of $flavour"; }
        mapfile -t order <"$cache/initramfs-order.$$"
        rm -f "$cache/initramfs-order.$$"
    fi

    local stage
    rm -rf "$out.new"
    mkdir -p "$out.new"
    stage=$out.new/root
    mkdir -p "$stage"/{bin,dev,etc,lib/modules,mnt,proc,sys,tmp}
    # Used when the kernel's own built-in initramfs lacks a console node.
    if is_root; then
        mknod -m 600 "$stage/dev/console" c 5 1
    fi
    cp "$busybox" "$stage/bin/busybox"
    local a
    for a in "${applets[@]}"; do
        ln -s busybox "$stage/bin/$a"
    done
    write_init "$stage/init"

    local line ko base dst
    : >"$stage/etc/kt-modules"
    for line in "${order[@]}"; do
        group=${line%% *}
        ko=${line#* }
        base=$(basename "$ko")
        case $base in
            *.ko) cp "$moddir/$ko" "$stage/lib/modules/$base" ;;
            *.ko.xz) base=${base%.xz}; xz -dc "$moddir/$ko" >"$stage/lib/modules/$base" ;;
            *.ko.zst) base=${base%.zst}; zstd -q -dc "$moddir/$ko" >"$stage/lib/modules/$base" ;;
            *.ko.gz) base=${base%.gz}; gzip -dc "$moddir/$ko" >"$stage/lib/modules/$base" ;;
            *) die "unexpected module file $ko" ;;
        esac
        dst=$stage/lib/modules/$base
        [ -s "$dst" ] || die "could not unpack $ko"
        echo "$group $base" >>"$stage/etc/kt-modules"
    done
    printf '%s\n' "${order[@]}" >"$out.new/modules"

    local cpio
    cpio=$(cpio_cmd)
    (cd "$stage" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort | $cpio) | gzip -9 -n >"$out.new/initrd.img" ||
        die "could not write the $flavour initramfs"

    local expect
    expect=$(bash -c "$compute_fn"$'\nkt_compute') || die "could not compute the expected value"
    echo "$expect" >"$out.new/expected-compute"
    expected_bench >"$out.new/expected-bench"
    echo "$test_line" >"$out.new/expected-file"
    rm -rf "$stage"
    echo "$stamp" >"$out.new/stamp"
    rm -rf "$out"
    mv "$out.new" "$out"
    note "$flavour: $out/initrd.img ($(wc -c <"$out/initrd.img") bytes," \
        "modules: $(sed 's#^\([a-z]*\) .*/#\1:#' "$out/modules" | paste -sd' ' -))"
    echo "$flavour $out/initrd.img"
}

main() {
    local flavours=("$@") f
    ((${#flavours[@]})) || flavours=(cloud generic)
    for f in "${flavours[@]}"; do
        case $f in
            cloud | generic) ;;
            *) die "unknown kernel flavour '$f' (cloud or generic)" ;;
        esac
    done
    ensure_cpio
    # Boot tests may run side by side; one of them builds, the others wait.
    mkdir -p "$cache"
    exec 9>"$cache/initramfs.lock"
    flock 9
    if ! [ -x "$busybox" ]; then
        "$repo/scripts/fetch-busybox.sh"
    fi
    "$repo/scripts/fetch-kernels.sh" "${flavours[@]}" >/dev/null
    for f in "${flavours[@]}"; do
        build_flavour "$f"
    done
}

main "$@"
