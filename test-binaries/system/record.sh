#!/bin/bash
# Rebuild the images and record expected/NAME.out for every case of
# cases.txt under qemu-system-aarch64 (the reference).
#
#   ./record.sh             rebuild, record, and check that each case ends
#                           with SYSTEM_OFF, passes its own checks and
#                           prints the same bytes on RUNS (5) runs
#   ./record.sh --check EMULATOR
#                           run each case once under EMULATOR (anything
#                           taking qemu-system-aarch64's command line, e.g.
#                           target/release/kestrel-system-aarch64) and
#                           compare with expected/
#
# Environment: QEMU (default qemu-system-aarch64), RUNS (default 5),
# TIMEOUT seconds per run (default 30).
set -u
cd "$(dirname "$0")"

QEMU=${QEMU:-qemu-system-aarch64}
RUNS=${RUNS:-5}
TIMEOUT=${TIMEOUT:-30}
BASE=(-M virt -cpu cortex-a57 -m 256 -nographic -no-reboot)

mode=record
emu=$QEMU
if [ "${1:-}" = --check ]; then
    mode=check
    emu=${2:?usage: $0 --check EMULATOR}
    case $emu in
        */*) emu=$(realpath "$emu") ;;
        *) emu=$(command -v "$emu") ;;
    esac
    [ -x "$emu" ] || { echo "$0: ${2}: no such executable" >&2; exit 2; }
fi

# canonical name of an option that a case may override
optname() {
    case $1 in
        -M|-machine) echo machine ;;
        -cpu|-m|-smp) echo "${1#-}" ;;
        *) echo "" ;;
    esac
}

# command line for a case: BASE minus what the case overrides, then the
# case's options, then the kernel
case_args() {
    local image=$1; shift
    local -a opts=("$@") out=()
    local -A given=()
    local o n i=0
    for o in "${opts[@]}"; do
        n=$(optname "$o")
        [ -n "$n" ] && given[$n]=1
    done
    while [ $i -lt ${#BASE[@]} ]; do
        o=${BASE[$i]}
        n=$(optname "$o")
        if [ -n "$n" ]; then
            [ -z "${given[$n]:-}" ] && out+=("$o" "${BASE[$((i + 1))]}")
            i=$((i + 2))
        else
            out+=("$o")
            i=$((i + 1))
        fi
    done
    printf '%s\n' "${out[@]}" "${opts[@]}" -kernel "bin/$image"
}

# run_case OUTFILE ARGS...: serial output on OUTFILE, returns the status
run_case() {
    local outfile=$1; shift
    timeout --kill-after=5 "$TIMEOUT" "$emu" "$@" </dev/null 2>/dev/null \
        | tr -d '\r' >"$outfile"
    return "${PIPESTATUS[0]}"
}

if [ "$mode" = record ]; then
    make -s all || exit 1
    mkdir -p expected
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

while read -r name image opts; do
    case $name in ''|'#'*) continue ;; esac
    # shellcheck disable=SC2206
    mapfile -t args < <(case_args "$image" $opts)
    if [ "$mode" = check ]; then
        run_case "$tmp/out" "${args[@]}"
        status=$?
        if [ $status -eq 0 ] && cmp -s "$tmp/out" "expected/$name.out"; then
            echo "ok    $name"
        else
            echo "FAIL  $name (status $status)"
            diff -u "expected/$name.out" "$tmp/out" | head -40
            failed=1
        fi
        continue
    fi

    echo "$name: $QEMU ${args[*]}"
    bad=""
    for run in $(seq 1 "$RUNS"); do
        run_case "$tmp/$run" "${args[@]}"
        status=$?
        if [ $status -ne 0 ]; then
            bad="run $run: exit status $status (124 = timeout)"
        elif [ "$(tail -n 1 "$tmp/$run")" != done ]; then
            bad="run $run: last line is not \"done\""
        elif grep -q FAIL "$tmp/$run"; then
            bad="run $run: self-check failed"
        elif [ "$run" -gt 1 ] && ! cmp -s "$tmp/1" "$tmp/$run"; then
            bad="run $run differs from run 1"
            diff -u "$tmp/1" "$tmp/$run" | head -20
        fi
        [ -n "$bad" ] && break
    done
    if [ -n "$bad" ]; then
        echo "  FAILED: $bad"
        sed 's/^/  | /' "$tmp/$run" | tail -20
        failed=1
        continue
    fi
    cp "$tmp/1" "expected/$name.out"
    echo "  recorded expected/$name.out ($(wc -l <"$tmp/1") lines, $RUNS identical runs)"
done <cases.txt

exit $failed
