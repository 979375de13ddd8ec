#!/usr/bin/env bash
# Boot a Debian arm64 kernel with the busybox initramfs to power-off under a
# system emulator with qemu-system-aarch64's command line, and check what the
# guest did:
#
#   EMULATOR=/path/to/qemu-system-aarch64-or-kestrel-system-aarch64 \
#       scripts/run-system-boot.sh FLAVOUR SMP GIC
#
#   FLAVOUR  cloud | generic   (kernels of scripts/fetch-kernels.sh)
#   SMP      1 | 4             (-smp)
#   GIC      2 | 3             (-M virt,gic-version=)
#
# The machine: -M virt,gic-version=GIC -cpu cortex-a57 -smp SMP -m 1024
# -nographic -no-reboot, the kernel and initrd (scripts/build-initramfs.sh),
# "console=ttyAMA0 panic=-1 quiet", a fresh 24 MiB ext4 image
# (scripts/make-disk.sh) as a virtio-blk-device on virtio-mmio, and a
# virtio-rng-device. The console must show every marker of /init
# (KT uname-m=aarch64, cpus=SMP, compute=EXPECTED, rtc=ok, disk=ok, done, and
# no "KT fail"), the emulator must exit 0 on the guest's power-off before the
# timeout, and afterwards the image must pass e2fsck -fn and hold
# kestrel-test.txt with what the guest was to write. Prints the wall-clock
# time of the emulator run; on failure, the reason and the end of the console
# log, and exits 1.
#
# Environment:
#   EMULATOR                default: qemu-system-aarch64 on PATH
#   KESTREL_BOOT_TIMEOUT    seconds before the emulator is killed (120)
#   KESTREL_BOOT_DRIVE      "device" (default) for -drive if=none plus
#                           -device virtio-blk-device; "virtio" for the one
#                           option -drive file=F,if=virtio,format=raw (in qemu
#                           a virtio-blk-pci; the initramfs loads virtio_pci)
#   KESTREL_BOOT_CPU        the -cpu model (default cortex-a57); with max the
#                           kernel finds RNDR, randomises its own address and
#                           unmaps itself from user space (KPTI)
#   KESTREL_BOOT_APPEND     more kernel command line words; with kt.bench=1
#                           the guest also runs its CPU-bound workload and its
#                           "KT bench=" line is checked
#   KESTREL_BOOT_LOG        where to keep the console log (default
#                           $CACHE/system-boot/FLAVOUR-smpSMP-gicvGIC.log)
#   KESTREL_BOOT_TIME_FILE  on success, write the seconds taken there
#   KESTREL_CACHE           default .cache/ at the top of the repository
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${KESTREL_CACHE:-$repo/.cache}

note() { echo "run-system-boot: $*" >&2; }
die() { echo "run-system-boot: error: $*" >&2; exit 1; }

[ $# -eq 3 ] || die "usage: EMULATOR=... run-system-boot.sh cloud|generic 1|4 2|3"
flavour=$1 smp=$2 gic=$3
case $flavour in cloud | generic) ;; *) die "FLAVOUR must be cloud or generic, not '$flavour'" ;; esac
[[ $smp =~ ^[1-8]$ ]] || die "SMP must be 1 to 8, not '$smp'"
case $gic in 2 | 3) ;; *) die "GIC must be 2 or 3, not '$gic'" ;; esac
timeout_s=${KESTREL_BOOT_TIMEOUT:-120}
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die "KESTREL_BOOT_TIMEOUT must be a positive number of seconds"
drive_style=${KESTREL_BOOT_DRIVE:-device}
case $drive_style in device | virtio) ;; *) die "KESTREL_BOOT_DRIVE must be device or virtio" ;; esac
append_extra=${KESTREL_BOOT_APPEND:-}
cpu=${KESTREL_BOOT_CPU:-cortex-a57}
case $cpu in cortex-a53 | cortex-a57 | cortex-a72 | max) ;; *) die "KESTREL_BOOT_CPU must be cortex-a53, cortex-a57, cortex-a72 or max" ;; esac

PATH=$PATH:/usr/sbin:/sbin
emulator=${EMULATOR:-qemu-system-aarch64}
emulator_path=$(command -v "$emulator") || die "EMULATOR '$emulator' is not an executable"
for tool in debugfs e2fsck timeout; do
    command -v "$tool" >/dev/null || die "$tool is not installed (e2fsprogs, coreutils)"
done

# Inputs, each cached after the first run.
"$repo/scripts/build-initramfs.sh" "$flavour" >/dev/null
vmlinuz=$(cat "$cache/kernels/$flavour/VMLINUZ")
initdir=$cache/initramfs/$flavour

mkdir -p "$cache/system-boot"
log=${KESTREL_BOOT_LOG:-$cache/system-boot/$flavour-smp$smp-gicv$gic.log}
work=$(mktemp -d "$cache/system-boot/run.XXXXXX")
trap 'rm -rf "$work"' EXIT

# This run's own copy of the initramfs and what it must print, taken while
# no build-initramfs.sh can replace them (other runs may go on side by side).
exec 9>"$cache/initramfs.lock"
flock -s 9
initrd=$work/initrd.img
cp "$initdir/initrd.img" "$initrd"
expect_compute=$(cat "$initdir/expected-compute")
expect_bench=$(cat "$initdir/expected-bench")
expect_file=$(printf '%s\ncpus=%s' "$(cat "$initdir/expected-file")" "$smp")
exec 9>&-
disk=$work/disk.img
"$repo/scripts/make-disk.sh" "$disk"

# shellcheck disable=SC2054  # the commas belong to qemu's option syntax
case $drive_style in
    device) drive=(-drive "file=$disk,if=none,format=raw,id=hd0" -device virtio-blk-device,drive=hd0) ;;
    virtio) drive=(-drive "file=$disk,if=virtio,format=raw") ;;
esac
append="console=ttyAMA0 panic=-1 quiet${append_extra:+ $append_extra}"
cmd=("$emulator_path" -M "virt,gic-version=$gic" -cpu "$cpu" -smp "$smp" -m 1024
    -nographic -no-reboot -kernel "$vmlinuz" -initrd "$initrd" -append "$append"
    "${drive[@]}" -device virtio-rng-device)

what="$flavour smp=$smp gicv$gic cpu=$cpu"
start=$(date +%s.%N)
rc=0
timeout -k 5 "$timeout_s" "${cmd[@]}" </dev/null >"$work/console" 2>&1 || rc=$?
end=$(date +%s.%N)
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
# Serial output ends its lines with \r\n.
tr -d '\r' <"$work/console" >"$log"

# The arguments as one line a shell would split back into them.
shell_quote() {
    local a out=''
    for a in "$@"; do
        if [[ $a =~ ^[A-Za-z0-9_./,=:+@%-]+$ ]]; then
            out+=" $a"
        else
            out+=" '${a//\'/\'\\\'\'}'"
        fi
    done
    echo "${out# }"
}

problems=()
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    problems+=("no power-off within ${timeout_s} s")
elif [ "$rc" -ne 0 ]; then
    problems+=("the emulator exited with status $rc")
fi
# A marker must end its line; anything printed before it on the same line
# (a kernel message without its newline yet) is forgiven.
want_marker() {
    grep -Eq "(^|[^[:alnum:]])KT $1\$" "$log" || problems+=("no 'KT $1' on the console")
}
want_marker "uname-m=aarch64"
want_marker "cpus=$smp"
want_marker "compute=$expect_compute"
want_marker "rtc=ok"
want_marker "disk=ok"
case " $append_extra " in
    *" kt.bench=1 "*)
        # "HASH:SIZE", SIZE "*" when build-initramfs.sh could not measure it.
        if [ "${expect_bench#*:}" = "*" ]; then
            grep -Eq "KT bench=${expect_bench%%:*}:[0-9]+\$" "$log" ||
                problems+=("no 'KT bench=${expect_bench%%:*}:SIZE' on the console")
        else
            want_marker "bench=$expect_bench"
        fi
        ;;
esac
want_marker "done"
if grep -q 'KT fail' "$log"; then
    problems+=("the guest reported: $(grep -o 'KT fail.*' "$log" | sed 's/^KT fail //' | paste -sd, -)")
fi
if grep -q 'Kernel panic' "$log"; then
    problems+=("kernel panic: $(grep -o 'Kernel panic.*' "$log" | head -n1)")
fi

# The guest's writes, as the host sees them.
if ! fsck_out=$(e2fsck -fn "$disk" 2>&1); then
    problems+=("e2fsck -fn finds the image damaged: $(echo "$fsck_out" | grep -v '^e2fsck ' | head -n3 | paste -sd' ' -)")
fi
got_file=$(debugfs -R 'cat /kestrel-test.txt' "$disk" 2>/dev/null) || got_file=
if [ "$got_file" != "$expect_file" ]; then
    if [ -z "$got_file" ]; then
        problems+=("no kestrel-test.txt on the disk image")
    else
        problems+=("kestrel-test.txt holds '$(echo "$got_file" | paste -sd'|' -)', not '$(echo "$expect_file" | paste -sd'|' -)'")
    fi
fi

if ((${#problems[@]})); then
    note "FAIL $what in $secs s ($emulator_path)"
    for p in "${problems[@]}"; do
        note "  $p"
    done
    note "command: $(shell_quote "${cmd[@]}")"
    note "console log $log, last 40 lines:"
    tail -n 40 "$log" | sed 's/^/    /' >&2
    exit 1
fi
[ -z "${KESTREL_BOOT_TIME_FILE:-}" ] || echo "$secs" >"$KESTREL_BOOT_TIME_FILE"
echo "run-system-boot: PASS $what${append_extra:+ [$append_extra]} in $secs s ($emulator_path)"
