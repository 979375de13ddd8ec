#!/usr/bin/env bash
# Linux boot-to-power-off under qemu-system-aarch64 and Kestrel side by side:
#
#   bench/system-boot.sh [-n RUNS] [--json FILE] [-k KESTREL_SYSTEM] [ROW...]
#
#   boot-cloud-smp1     Debian's 6.1 cloud-arm64 kernel, -smp 1
#   boot-cloud-smp4     the same, -smp 4
#   boot-generic-smp1   Debian's 6.1 generic arm64 kernel (more built in,
#                       ext4 as modules), -smp 1
#   boot-generic-smp4   the same, -smp 4
#   cpu-cloud-smp1      the cloud kernel with kt.bench=1: after the boot
#                       checks, /init hashes (sha256sum) and compresses
#                       (gzip -6) 1.3 MB of text ten times before power-off
#   cpu-cloud-smp4      the same, -smp 4
#
# Every run is one scripts/run-system-boot.sh (-M virt,gic-version=2
# -cpu cortex-a57 -m 1024, busybox initramfs, ext4 on virtio-blk; all its
# checks apply) and is timed from the emulator's start to its exit. Each row
# runs RUNS times (default 3) per emulator, qemu and Kestrel alternating.
# Prints the medians, the ratio Kestrel/qemu per row and the geometric mean
# of the ratios; the same figures and every run's time go to a JSON file
# (default bench/build/system-boot.json). A run that fails its checks counts
# as failed: its row shows "fail" and the script exits 1 at the end. The
# console log of each row's last run per emulator stays in
# $CACHE/system-boot/bench-EMULATOR-ROW.log (CACHE: $KESTREL_CACHE or .cache/).
#
# Kestrel is -k, else $KESTREL_SYSTEM, else
# target/x86_64-unknown-linux-gnu/release/kestrel-system-aarch64 if built,
# copied first so that a rebuild meanwhile does not mix two builds (the JSON
# records the copy's SHA-256); without one, or with "-k none", only qemu runs. qemu is $QEMU_SYSTEM, else
# qemu-system-aarch64 (Debian's qemu-system-arm, installed as root when
# missing).
# KESTREL_BOOT_TIMEOUT is the limit of each run in seconds (default here 600,
# above run-system-boot.sh's own 120 for slow emulators).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${KESTREL_CACHE:-$repo/.cache}
runs=3
json=$repo/bench/build/system-boot.json
kestrel=${KESTREL_SYSTEM:-}
rows=()
while (($#)); do
    case $1 in
        -n) runs=${2:-}; shift 2 ;;
        --json) json=${2:-}; shift 2 ;;
        -k) kestrel=${2:-}; shift 2 ;;
        -h | --help) sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "system-boot: unknown option '$1'" >&2; exit 2 ;;
        *) rows+=("$1"); shift ;;
    esac
done
note() { echo "system-boot: $*" >&2; }
die() { echo "system-boot: error: $*" >&2; exit 1; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "-n needs a positive number"
[ -n "$json" ] || die "--json needs a file name"

all_rows=(boot-cloud-smp1 boot-cloud-smp4 boot-generic-smp1 boot-generic-smp4 cpu-cloud-smp1 cpu-cloud-smp4)
((${#rows[@]})) || rows=("${all_rows[@]}")
for r in "${rows[@]}"; do
    [[ " ${all_rows[*]} " == *" $r "* ]] || die "unknown row '$r' (${all_rows[*]})"
done

qemu=${QEMU_SYSTEM:-qemu-system-aarch64}
if ! command -v "$qemu" >/dev/null; then
    [ -z "${QEMU_SYSTEM:-}" ] || die "QEMU_SYSTEM=$QEMU_SYSTEM is not an executable"
    [ "$(id -u)" -eq 0 ] || die "qemu-system-aarch64 is not installed; as root run: apt-get install qemu-system-arm"
    note "installing qemu-system-arm"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed"
    apt-get install -y -qq --no-install-recommends qemu-system-arm >/dev/null ||
        die "could not install qemu-system-arm"
fi
qemu=$(command -v "$qemu")
qemu_version=$("$qemu" --version | head -n1)

if [ "$kestrel" = none ]; then
    kestrel=
elif [ -z "$kestrel" ] && [ -x "$repo/target/x86_64-unknown-linux-gnu/release/kestrel-system-aarch64" ]; then
    kestrel=$repo/target/x86_64-unknown-linux-gnu/release/kestrel-system-aarch64
fi
export KESTREL_BOOT_TIMEOUT=${KESTREL_BOOT_TIMEOUT:-600}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
kestrel_source=
kestrel_sha256=
if [ -n "$kestrel" ]; then
    [ -x "$kestrel" ] || die "$kestrel is not an executable"
    kestrel_source=$(cd "$(dirname "$kestrel")" && pwd)/$(basename "$kestrel")
    # A copy, so that a rebuild during the runs does not mix two builds.
    kestrel=$tmp/kestrel-system-aarch64
    cp "$kestrel_source" "$kestrel"
    kestrel_sha256=$(sha256sum "$kestrel" | cut -d' ' -f1)
else
    note "no Kestrel to run (-k, KESTREL_SYSTEM or a release build): qemu only"
fi

# Kernels and initramfs before any timing.
"$repo/scripts/build-initramfs.sh" cloud generic >/dev/null

# time_run EMULATOR ROW: print the seconds of one boot, or "fail".
time_run() {
    local emu=$1 row=$2 kind flavour smp append=
    IFS=- read -r kind flavour smp <<<"$row"
    smp=${smp#smp}
    [ "$kind" = cpu ] && append=kt.bench=1
    local path=$qemu
    [ "$emu" = kestrel ] && path=$kestrel
    rm -f "$tmp/time"
    if EMULATOR=$path KESTREL_BOOT_APPEND=$append KESTREL_BOOT_TIME_FILE=$tmp/time \
        KESTREL_BOOT_LOG=$cache/system-boot/bench-$emu-$row.log \
        "$repo/scripts/run-system-boot.sh" "$flavour" "$smp" 2 >"$tmp/out" 2>&1; then
        cat "$tmp/time"
    else
        note "$emu $row failed:"
        sed 's/^/    /' "$tmp/out" >&2
        echo fail
    fi
}

# median of the numbers given, or "fail" if any run failed.
median() {
    case " $* " in *" fail "*) echo fail; return ;; esac
    printf '%s\n' "$@" | sort -g |
        awk '{ v[NR] = $1 } END { printf "%.2f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# JSON array of run times; failed runs are null.
json_list() {
    local out='' v
    for v in "$@"; do
        [ "$v" = fail ] && v=null
        out+=${out:+, }$v
    done
    echo "[$out]"
}

# A time for the table, or "fail" / "-"; a JSON number, or null.
fmt_s() { case $1 in fail | -) printf '%10s' "$1" ;; *) printf '%9.2fs' "$1" ;; esac; }
jv() { case $1 in fail | -) echo null ;; *) echo "$1" ;; esac; }

failed=0
log_sum=0
count=0
json_rows=()
note "$qemu_version; ${#rows[@]} rows x $runs runs${kestrel:+; Kestrel $kestrel_source}"
printf '%-18s %10s %10s %8s\n' row qemu kestrel ratio
for row in "${rows[@]}"; do
    q=()
    k=()
    for ((i = 0; i < runs; i++)); do
        q+=("$(time_run qemu "$row")")
        [ -z "$kestrel" ] || k+=("$(time_run kestrel "$row")")
    done
    qm=$(median "${q[@]}")
    km=-
    ratio=-
    if [ -n "$kestrel" ]; then
        km=$(median "${k[@]}")
        if [ "$qm" != fail ] && [ "$km" != fail ]; then
            ratio=$(awk -v a="$km" -v b="$qm" 'BEGIN { printf "%.2f", a / b }')
            log_sum=$(awk -v s="$log_sum" -v r="$ratio" 'BEGIN { printf "%.6f", s + log(r) }')
            count=$((count + 1))
        fi
    fi
    [ "$qm" != fail ] && [ "$km" != fail ] || failed=1
    ratio_s=$ratio
    [ "$ratio" = - ] || ratio_s=${ratio}x
    printf '%-18s %s %s %8s\n' "$row" "$(fmt_s "$qm")" "$(fmt_s "$km")" "$ratio_s"
    IFS=- read -r kind flavour smp <<<"$row"
    json_rows+=("{\"row\": \"$row\", \"flavour\": \"$flavour\", \"smp\": ${smp#smp}, \"gic\": 2, \"cpu_workload\": $([ "$kind" = cpu ] && echo true || echo false), \"qemu_s\": $(jv "$qm"), \"kestrel_s\": $(jv "$km"), \"ratio\": $(jv "$ratio"), \"qemu_runs\": $(json_list "${q[@]}"), \"kestrel_runs\": $(json_list "${k[@]}")}")
done
geomean=null
if ((count)); then
    geomean=$(awk -v s="$log_sum" -v n="$count" 'BEGIN { printf "%.2f", exp(s / n) }')
    printf '%-18s %10s %10s %7.2fx\n' geomean "" "" "$geomean"
fi

mkdir -p "$(dirname "$json")"
json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
{
    echo "{\"runs\": $runs, \"gic\": 2, \"qemu\": $(json_str "$qemu"), \"qemu_version\": $(json_str "$qemu_version"),"
    if [ -n "$kestrel" ]; then
        echo " \"kestrel\": $(json_str "$kestrel_source"), \"kestrel_sha256\": \"$kestrel_sha256\","
    else
        echo " \"kestrel\": null,"
    fi
    echo " \"geomean_ratio\": $geomean,"
    echo " \"kernels\": {\"cloud\": $(json_str "$(cat "$cache/kernels/cloud/VERSION")"), \"generic\": $(json_str "$(cat "$cache/kernels/generic/VERSION")")},"
    echo " \"rows\": ["
    (IFS=$'\n'; echo "${json_rows[*]}" | sed '$!s/$/,/')
    echo "]}"
} >"$json"
note "wrote $json"
exit "$failed"
