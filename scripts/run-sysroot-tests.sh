#!/usr/bin/env bash
# Run dynamically linked Debian arm64 programs from the sysroot built by
# scripts/fetch-sysroot.sh under Kestrel (`-L SYSROOT`) and compare their
# output with the expected output stored next to each case.
#
# usage: scripts/run-sysroot-tests.sh [-q] [--record] [NAME-SUBSTRING...]
#   -q        print only failures and the summary
#   --record  write NAME.out from the reference instead of testing: the
#             reference emulator, or the host's python3 for scripts marked
#             `# reference: host python3`; never from Kestrel
#   NAME-SUBSTRING  run only cases whose name contains one of them
#
# Cases live in tests/sysroot/cases/ (format: tests/sysroot/README.md):
#   NAME.cmd   one guest command line, e.g. `/usr/bin/date -d @0 -u`
#   NAME.py    a script run as `python3 NAME.py`
#   NAME.stdin optional standard input (default /dev/null)
#   NAME.out   expected standard output, then a line `[exit N]`
#
# Every case runs in a fresh empty directory (also HOME and TMPDIR) with an
# environment of exactly PATH=/usr/bin:/bin, LC_ALL=C and TZ=UTC.
#
# Environment:
#   KESTREL               emulator under test (default target/x86_64-unknown-linux-gnu/release/kestrel-aarch64)
#   KESTREL_CACHE         cache dir of scripts/fetch-sysroot.sh (default .cache/)
#   QEMU                  reference emulator for --record (default qemu-aarch64)
#   KESTREL_CASE_TIMEOUT  seconds per case (default 600)
#
# A missing sysroot is a failure: the script runs fetch-sysroot.sh first and
# stops if that fails. The exit status is 0 only if every case passed and at
# least one ran.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${KESTREL_CACHE:-$repo/.cache}
sysroot=$cache/sysroot
cases_dir=$repo/tests/sysroot/cases
kestrel=${KESTREL:-$repo/target/x86_64-unknown-linux-gnu/release/kestrel-aarch64}
qemu=${QEMU:-qemu-aarch64}
case_timeout=${KESTREL_CASE_TIMEOUT:-600}

quiet=0
record=0
filters=()
for arg in "$@"; do
    case $arg in
        -q) quiet=1 ;;
        --record) record=1 ;;
        -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "run-sysroot-tests: unknown option $arg" >&2; exit 2 ;;
        *) filters+=("$arg") ;;
    esac
done

die() { echo "run-sysroot-tests: error: $*" >&2; exit 1; }

"$repo/scripts/fetch-sysroot.sh" || die "no sysroot (scripts/fetch-sysroot.sh failed)"
[ -d "$cases_dir" ] || die "no case directory $cases_dir"

if [ "$record" = 1 ]; then
    emulator=$(command -v "$qemu") || die "reference emulator $qemu not found"
else
    [ -x "$kestrel" ] || die "$kestrel is not built (cargo build --release)"
    emulator=$kestrel
fi

selected() {
    local name=$1 f
    ((${#filters[@]})) || return 0
    for f in "${filters[@]}"; do
        [[ $name == *"$f"* ]] && return 0
    done
    return 1
}

# Runs case $1 (a .cmd or .py file) under the emulator, in directory $2;
# prints its stdout then `[exit N]`; its stderr goes to $2.stderr.
run_case() {
    local file=$1 work=$2 argv0 prog args=() stdin
    local base=${file%.*}
    stdin=/dev/null
    [ -f "$base.stdin" ] && stdin=$base.stdin
    case $file in
        *.py)
            cp "$file" "$work/"
            argv0=python3
            prog=/usr/bin/python3
            args=("$(basename "$file")")
            ;;
        *.cmd)
            local line words
            line=$(grep -v '^#' "$file")
            # The line is ours (a test case), so shell quoting may be used.
            words=()
            eval "words=($line)" && ((${#words[@]})) ||
                { echo "$file: no command line" >&2; return 1; }
            argv0=${words[0]}
            prog=${words[0]}
            args=("${words[@]:1}")
            [[ $prog == /* ]] || { echo "$file: the program must be an absolute guest path" >&2; return 1; }
            ;;
    esac
    local command=("$emulator" -L "$sysroot" -0 "$argv0" "$sysroot$prog" "${args[@]}")
    # qemu-aarch64 does not follow a guest's exec of another AArch64 program
    # (without binfmt_misc), so cases that do are recorded with the host's
    # python3, for output that does not depend on the architecture.
    if [ "$record" = 1 ] && grep -q '^# reference: host python3' "$file"; then
        command=(/usr/bin/python3 "${args[@]}")
    fi
    local status=0
    (cd "$work" && env -i PATH=/usr/bin:/bin HOME="$work" TMPDIR="$work" LC_ALL=C TZ=UTC \
        timeout -k 5 "$case_timeout" "${command[@]}" \
        <"$stdin" 2>"$work.stderr") || status=$?
    echo "[exit $status]"
}

pass=0
fail=0
failed=()
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kestrel-sysroot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

for file in "$cases_dir"/*.cmd "$cases_dir"/*.py; do
    [ -f "$file" ] || continue
    name=$(basename "${file%.*}")
    selected "$name" || continue
    work=$tmp/$name
    mkdir -p "$work"
    got=$tmp/$name.got
    start=$SECONDS
    run_case "$file" "$work" >"$got" || true
    took=$((SECONDS - start))
    expected=${file%.*}.out
    if [ "$record" = 1 ]; then
        cp "$got" "$expected"
        echo "recorded $name (${took}s)"
        continue
    fi
    if [ -f "$expected" ] && diff -u "$expected" "$got" >"$tmp/$name.diff"; then
        pass=$((pass + 1))
        [ "$quiet" = 1 ] || echo "PASS $name (${took}s)"
    else
        fail=$((fail + 1))
        failed+=("$name")
        echo "FAIL $name (${took}s)"
        if [ -f "$expected" ]; then
            head -n 100 "$tmp/$name.diff"
        else
            echo "  no expected output $expected"
        fi
        if [ -s "$work.stderr" ]; then
            echo "  stderr:"
            head -n 30 "$work.stderr" | sed 's/^/  | /'
        fi
    fi
done

[ "$record" = 1 ] && exit 0
echo "sysroot: $pass passed, $fail failed${failed:+ (${failed[*]})}"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
