#!/bin/bash
# Run the cases listed in cases.txt.
#
#   run-cases.sh refs            write expected/CASE.stdout and CASE.status
#                                from qemu-aarch64
#   run-cases.sh check [EMU]     run under EMU (default qemu-aarch64) and
#                                compare with expected/
#
# Each line of cases.txt is "name<TAB>binary<TAB>arguments", arguments
# separated by spaces (possibly none).  Cases run from the repository root,
# so arguments may name other test programs as test-binaries/bin/NAME.
# Stdin is /dev/null.  The status is what a shell reports: the exit code,
# or 128 + signal number for a program killed by a signal.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
mode=${1:-}
emu=${2:-qemu-aarch64}

case "$mode" in
refs) emu=qemu-aarch64 ;;
check) ;;
*)
    echo "usage: $0 refs | check [EMULATOR]" >&2
    exit 2
    ;;
esac

if ! command -v "$emu" >/dev/null 2>&1 && [ ! -x "$emu" ]; then
    echo "emulator not found: $emu" >&2
    exit 2
fi

# qemu-user needs a binfmt_misc registration to run a foreign binary that a
# guest execs; naming the emulator here makes the exec test route through
# it explicitly (see syscalls.c).  Only needed for qemu.
if [ "$mode" = refs ] || [ "$(basename "$emu")" = qemu-aarch64 ]; then
    TB_EXEC_WRAPPER=$(command -v qemu-aarch64)
    export TB_EXEC_WRAPPER
fi

# A crashing guest must not leave core files behind.
ulimit -c 0

cd "$root" || exit 2
mkdir -p "$here/expected"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Cases no qemu-user can record: their expected output is the program's own
# all-ok summary, which is what Linux gives (see README.md, "runtime"), or
# for ext_int-cssc what "ext_int cssc-model" prints (qemu has no FEAT_CSSC).
not_from_qemu=" runtime ext_int-cssc "

pass=0
fail=0
while IFS=$'\t' read -r name bin args || [ -n "$name" ]; do
    [ -z "$name" ] && continue
    # shellcheck disable=SC2086  # arguments are space-separated on purpose
    # The subshell keeps bash from reporting "Segmentation fault" and the
    # like for guests that are meant to die by a signal.
    # ("; exit $?" stops bash from exec'ing the command in place of the
    # subshell, which would bring the message back.)
    ("$emu" "test-binaries/bin/$bin" $args </dev/null >"$tmp/stdout" 2>"$tmp/stderr"; exit $?) 2>/dev/null
    status=$?
    if [ "$mode" = refs ] && [[ $not_from_qemu == *" $name "* ]]; then
        printf '%-20s kept (not recorded under qemu)\n' "$name"
    elif [ "$mode" = refs ]; then
        cp "$tmp/stdout" "$here/expected/$name.stdout"
        echo "$status" >"$here/expected/$name.status"
        printf '%-20s status %s, %s lines\n' "$name" "$status" "$(wc -l <"$tmp/stdout")"
    else
        want=$(cat "$here/expected/$name.status")
        if [ "$status" = "$want" ] && cmp -s "$tmp/stdout" "$here/expected/$name.stdout"; then
            echo "PASS $name"
            pass=$((pass + 1))
        else
            echo "FAIL $name (status $status, expected $want)"
            diff "$here/expected/$name.stdout" "$tmp/stdout" | head -20
            fail=$((fail + 1))
        fi
    fi
done <"$here/cases.txt"

if [ "$mode" = check ]; then
    echo "$pass passed, $fail failed"
    [ "$fail" = 0 ]
fi
