#!/bin/bash
# Compare Kestrel with native x86-64 execution and with qemu-aarch64.
#
#   bench/run.sh [-n RUNS] [PROGRAM...]
#
# Builds every program in bench/src/ twice into bench/build/ (static AArch64
# with aarch64-linux-gnu-gcc, native with gcc; both -O2), runs each under the
# three configurations, keeps the best of RUNS wall-clock times (default 3,
# or -n, or $RUNS), checks that all three print the same checksum, and
# prints a table with a geometric-mean row.
#
# KESTREL names the emulator binary (default target/x86_64-unknown-linux-gnu/release/kestrel-aarch64
# in the repository root).
set -uo pipefail

usage() {
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
}

orig=$PWD
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3}
while getopts "n:h" opt; do
    case $opt in
    n) runs=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
    echo "error: the number of runs must be a positive integer (got '$runs')" >&2
    exit 2
fi

# Resolve KESTREL against the caller's directory, the default against the
# repository root.
if [ -n "${KESTREL:-}" ]; then
    case $KESTREL in
    /*) kestrel=$KESTREL ;;
    */*) kestrel=$orig/$KESTREL ;;
    *) kestrel=$(command -v "$KESTREL" || echo "$KESTREL") ;;
    esac
else
    kestrel=$root/target/x86_64-unknown-linux-gnu/release/kestrel-aarch64
fi
if [ ! -x "$kestrel" ]; then
    echo "error: Kestrel binary not found or not executable: $kestrel" >&2
    echo "build it with 'cargo build --release', or set KESTREL=/path/to/kestrel-aarch64" >&2
    exit 1
fi

cd "$root" || exit 1
NEED_HOST_GCC=1 test-binaries/ensure-tools.sh || exit 1

src=bench/src
build=bench/build
mkdir -p "$build"

if [ $# -gt 0 ]; then
    progs=("$@")
else
    progs=()
    for f in "$src"/*.c; do
        progs+=("$(basename "$f" .c)")
    done
fi

# Build both flavours when the source is newer than the binary.
for p in "${progs[@]}"; do
    if [ ! -f "$src/$p.c" ]; then
        echo "error: no such benchmark: $p" >&2
        exit 2
    fi
    if [ "$src/$p.c" -nt "$build/$p.aarch64" ]; then
        aarch64-linux-gnu-gcc -O2 -static -o "$build/$p.aarch64" "$src/$p.c" || exit 1
    fi
    if [ "$src/$p.c" -nt "$build/$p.x86_64" ]; then
        gcc -O2 -o "$build/$p.x86_64" "$src/$p.c" || exit 1
    fi
done

# best_time OUTFILE CMD...: run CMD $runs times, print the best wall time in
# seconds; the program's stdout of the last run goes to OUTFILE.  Prints
# "fail" if any run exits non-zero.
best_time() {
    local out=$1 best="" t0 t1 dt i
    shift
    for ((i = 0; i < runs; i++)); do
        t0=$(date +%s%N)
        if ! "$@" </dev/null >"$out" 2>"$out.err"; then
            echo fail
            return
        fi
        t1=$(date +%s%N)
        dt=$((t1 - t0))
        if [ -z "$best" ] || [ "$dt" -lt "$best" ]; then
            best=$dt
        fi
    done
    awk -v ns="$best" 'BEGIN { printf "%.3f", ns / 1e9 }'
}

results=$(mktemp)
trap 'rm -f "$results"' EXIT
status=0
echo "best of $runs runs; kestrel = $kestrel" >&2
for p in "${progs[@]}"; do
    echo "running $p ..." >&2
    tn=$(best_time "$build/$p.out.native" "$build/$p.x86_64")
    tq=$(best_time "$build/$p.out.qemu" qemu-aarch64 "$build/$p.aarch64")
    tk=$(best_time "$build/$p.out.kestrel" "$kestrel" "$build/$p.aarch64")
    check=ok
    if [ "$tn" = fail ] || [ "$tq" = fail ] || [ "$tk" = fail ]; then
        check="run failed"
        status=1
    elif ! cmp -s "$build/$p.out.native" "$build/$p.out.qemu" ||
        ! cmp -s "$build/$p.out.native" "$build/$p.out.kestrel"; then
        check="CHECKSUM MISMATCH"
        status=1
    fi
    echo "$p $tn $tq $tk $check" >>"$results"
done

# Table with ratios; the geometric means use only the programs for which
# all three runs succeeded.
awk '
function fmt(x) { return (x == "" ? "-" : sprintf("%.3f", x)) }
BEGIN {
    printf "%-10s %10s %10s %10s %15s %14s  %s\n", "program", "native s", "qemu s", "kestrel s",
        "kestrel/native", "kestrel/qemu", "check"
}
{
    name = $1; n = $2; q = $3; k = $4
    check = $5; for (i = 6; i <= NF; i++) check = check " " $i
    if (n == "fail" || q == "fail" || k == "fail") {
        printf "%-10s %10s %10s %10s %15s %14s  %s\n", name, n, q, k, "-", "-", check
        next
    }
    # guard against a zero time from a too-coarse clock
    if (n <= 0) n = 0.001; if (q <= 0) q = 0.001; if (k <= 0) k = 0.001
    printf "%-10s %10.3f %10.3f %10.3f %15.2f %14.2f  %s\n", name, n, q, k, k / n, k / q, check
    cnt++; ln += log(n); lq += log(q); lk += log(k); lkn += log(k / n); lkq += log(k / q)
}
END {
    if (cnt > 0)
        printf "%-10s %10.3f %10.3f %10.3f %15.2f %14.2f\n", "geomean", exp(ln / cnt), exp(lq / cnt),
            exp(lk / cnt), exp(lkn / cnt), exp(lkq / cnt)
}' "$results"

exit $status
