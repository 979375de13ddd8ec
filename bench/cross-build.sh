#!/usr/bin/env bash
# The work of a cross-arch container build, timed under Kestrel and under
# Debian trixie's qemu-user 10 side by side, in the arm64 root filesystem of
# scripts/build-rootfs.sh, each emulator serving binfmt_misc in turn:
#
#   bench/cross-build.sh [-n RUNS] [--json FILE] [--debootstrap] [TASK...]
#
#   gcc-O2         gcc -O2 -c of the bench/ C sources, one compiler per file
#   make-j2        make -j2 of a small C project, and link
#   python-import  python3 -c 'import json, ssl, sqlite3, hashlib, decimal'
#   node-start     node -e 'console.log(1)'
#   java-start     java -version
#   go-build       go build of a goroutine program with an empty build cache
#   erl-start      erl -noshell -eval 'halt().'
#   apt-install    apt-get install --reinstall of a downloaded .deb (dpkg,
#                  maintainer scripts)
#   debootstrap    (with --debootstrap) debootstrap's second stage of a
#                  fresh minbase tree: several minutes per run
#
# Each task runs RUNS times (default 3) per emulator, alternating the two, and
# the medians are printed with their ratio (Kestrel / qemu) and the
# geometric mean of the ratios; --json also writes them as JSON. Needs root
# and binfmt_misc; downloads qemu 10 into .cache/qemu10 on first use.
#
# Environment: KESTREL (default target/x86_64-unknown-linux-gnu/release/kestrel-aarch64),
# KESTREL_CACHE (default .cache/).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${KESTREL_CACHE:-$repo/.cache}
rootfs=$cache/rootfs
kestrel=${KESTREL:-$repo/target/x86_64-unknown-linux-gnu/release/kestrel-aarch64}
runs=3
json=
with_debootstrap=0
tasks=()
while (($#)); do
    case $1 in
        -n) runs=$2; shift 2 ;;
        --json) json=$2; shift 2 ;;
        --debootstrap) with_debootstrap=1; shift ;;
        -h | --help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "cross-build: unknown option '$1'" >&2; exit 2 ;;
        *) tasks+=("$1"); shift ;;
    esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "cross-build: -n needs a positive number" >&2; exit 2; }
die() { echo "cross-build: error: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (chroot, overlay, binfmt_misc)"
[ -f "$rootfs/.kestrel-rootfs" ] || die "no root filesystem in $rootfs (scripts/build-rootfs.sh)"
[ -x "$kestrel" ] || die "$kestrel not built (cargo build --release)"
kestrel=$(cd "$(dirname "$kestrel")" && pwd)/$(basename "$kestrel")
qemu=$("$repo/scripts/fetch-qemu10.sh")
# qemu-user recognises binfmt_misc's P flag by this name.
qemu_binfmt=$(dirname "$(dirname "$qemu")")/libexec/qemu-binfmt/aarch64-binfmt-P

# shellcheck source=../scripts/lib-binfmt.sh
. "$repo/scripts/lib-binfmt.sh"
# shellcheck source=../scripts/lib-rootfs.sh
. "$repo/scripts/lib-rootfs.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kestrel-bench.XXXXXX")
root=$tmp/root
cleanup() {
    rootfs_release
    binfmt_release
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT

binfmt_take "$cache" || die "binfmt_misc cannot be mounted"
binfmt_register "bench-kestrel-$$" "$kestrel" POCF
binfmt_register "bench-qemu-$$" "$qemu_binfmt" POCF
use() {
    echo "$([ "$1" = kestrel ] && echo 1 || echo 0)" >"$binfmt_dir/bench-kestrel-$$"
    echo "$([ "$1" = qemu ] && echo 1 || echo 0)" >"$binfmt_dir/bench-qemu-$$"
}

rootfs_overlay "$rootfs" "$tmp" "$repo" || die "overlay mount failed"
cp -r "$repo/bench/src" "$root/tmp/bench-src"

T=/tmp/kestrel-tasks
declare -A script=(
    [gcc-O2]="cd /tmp/bench-src && for f in *.c; do gcc -O2 -c -o /tmp/\$f.o \$f || exit 1; done"
    [make-j2]="cd $T/cproj && make -s clean && make -s -j2"
    [python-import]="python3 -c 'import json, ssl, sqlite3, hashlib, decimal'"
    [node-start]="node -e 'console.log(1)' >/dev/null"
    [java-start]="java -version 2>/dev/null"
    [go-build]="cd $T && GOCACHE=/tmp/gocache-\$\$ go build -o /tmp/goroutines goroutines.go && rm -rf /tmp/gocache-\$\$"
    [erl-start]="erl -noshell -eval 'halt().'"
    [apt-install]="cd /tmp/debs && apt-get install -y -qq --reinstall ./hello_*.deb >/dev/null 2>&1"
    [debootstrap]="/tmp/stage2.sh"
)
order=(gcc-O2 make-j2 python-import node-start java-start go-build erl-start apt-install)
((with_debootstrap)) && order+=(debootstrap)
((${#tasks[@]})) && order=("${tasks[@]}")
for t in "${order[@]}"; do [ -n "${script[$t]:-}" ] || die "unknown task '$t'"; done

# Set-up that is not timed: the .deb for apt-install, a first-stage tree for
# debootstrap (its second stage is what runs under the emulators).
if [[ " ${order[*]} " == *" apt-install "* ]]; then
    use kestrel
    chroot "$root" /bin/sh -c 'mkdir -p /tmp/debs && cd /tmp/debs && apt-get update -qq && apt-get download -qq hello' ||
        die "could not download the hello package"
fi
if [[ " ${order[*]} " == *" debootstrap "* ]]; then
    command -v debootstrap >/dev/null || die "debootstrap is not installed"
    debootstrap --foreign --arch=arm64 --variant=minbase bookworm "$tmp/stage1" >/dev/null 2>&1 || die "debootstrap --foreign failed"
    rm -f "$tmp/stage1/proc" && mkdir -p "$tmp/stage1/proc"
    # Each run starts from a copy of the first-stage tree.
    cat >"$root/tmp/stage2.sh" <<'EOS'
#!/bin/sh
rm -rf /tmp/stage2-root && cp -a /tmp/stage1 /tmp/stage2-root &&
chroot /tmp/stage2-root /debootstrap/debootstrap --second-stage >/dev/null 2>&1
EOS
    chmod +x "$root/tmp/stage2.sh"
    cp -a "$tmp/stage1" "$root/tmp/stage1"
fi

# time_run EMULATOR TASK: seconds (3 decimals) of one run; fails on an error.
time_run() {
    local t0 t1
    use "$1"
    t0=$(date +%s%N)
    chroot "$root" /bin/sh -c "${script[$2]}" >/dev/null 2>"$tmp/err" ||
        die "$2 failed under $1: $(head -5 "$tmp/err")"
    t1=$(date +%s%N)
    awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f", ns / 1e9 }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '%-14s %10s %10s %8s\n' task kestrel qemu-10 ratio
log_sum=0
count=0
json_rows=()
for t in "${order[@]}"; do
    k=()
    q=()
    # One warm-up run of each, so page-cache effects do not favour either.
    time_run kestrel "$t" >/dev/null
    time_run qemu "$t" >/dev/null
    for ((i = 0; i < runs; i++)); do
        k+=("$(time_run kestrel "$t")")
        q+=("$(time_run qemu "$t")")
    done
    km=$(median "${k[@]}")
    qm=$(median "${q[@]}")
    ratio=$(awk -v a="$km" -v b="$qm" 'BEGIN { printf "%.2f", a / b }')
    printf '%-14s %9.2fs %9.2fs %7.2fx\n' "$t" "$km" "$qm" "$ratio"
    log_sum=$(awk -v s="$log_sum" -v r="$ratio" 'BEGIN { printf "%.6f", s + log(r) }')
    count=$((count + 1))
    json_rows+=("{\"task\": \"$t\", \"kestrel_s\": $km, \"qemu10_s\": $qm, \"ratio\": $ratio, \"kestrel_runs\": [$(IFS=,; echo "${k[*]}")], \"qemu10_runs\": [$(IFS=,; echo "${q[*]}")]}")
done
geomean=$(awk -v s="$log_sum" -v n="$count" 'BEGIN { printf "%.2f", exp(s / n) }')
printf '%-14s %10s %10s %7.2fx\n' "geomean" "" "" "$geomean"
if [ -n "$json" ]; then
    {
        echo "{\"runs\": $runs, \"geomean_ratio\": $geomean, \"tasks\": ["
        (IFS=$'\n'; echo "${json_rows[*]}" | sed '$!s/$/,/')
        echo "]}"
    } >"$json"
fi
