#!/usr/bin/env bash
# Run the busybox test cases (tests/busybox/cases/*.sh) under qemu-aarch64 and
# under Kestrel, and compare stdout, stderr and exit status.
#
# usage: scripts/run-busybox-compare.sh [-q] [NAME-SUBSTRING...]
#   -q   print only failures and the summary
#   NAME-SUBSTRING  run only cases whose file name contains one of them
#
# Environment:
#   KESTREL               emulator under test
#                         (default: target/x86_64-unknown-linux-gnu/release/kestrel-aarch64)
#   KESTREL_ARGS          options put before the program for the emulator under
#                         test, split on spaces (e.g. qemu-style -strace)
#   KESTREL_CACHE         cache dir of scripts/fetch-busybox.sh (default .cache/)
#   QEMU                  reference emulator (default: qemu-aarch64 on PATH)
#   KESTREL_REF_MODE      auto | binfmt | wrapper (see "References" below)
#   KESTREL_CASE_TIMEOUT  seconds per case and emulator (default 60)
#   KESTREL_DIFF_LINES    most lines of diff shown per failing case (default 200)
#   KESTREL_IGNORE_STDERR set to 1 to compare stdout and exit status only
#   KESTREL_BUSYBOX_OUT   directory to keep every run's output in (ref/, got/)
#   KESTREL_ALLOW_BINFMT  set to 1 to leave binfmt_misc handlers for aarch64
#                         active while the emulator under test runs (see below)
#
# Every case runs as `EMU busybox sh CASE`, in a fresh empty directory that
# has the same path for both emulators, with stdin from /dev/null and an
# environment of exactly PATH, HOME (= that directory), TMPDIR, LC_ALL=C and
# TZ=UTC.  PATH holds only busybox applets, so every command a case runs is
# either a shell builtin or the aarch64 busybox.
#
# References
# ----------
# Debian's busybox-static is built to prefer its own applets: the shell (and
# env, xargs, find -exec, ...) start an applet by exec'ing /proc/self/exe,
# falling back to a PATH search.  qemu-aarch64 emulates a single process and
# does not follow exec into another aarch64 program: the kernel refuses the
# exec (ENOEXEC) unless a binfmt_misc handler sends aarch64 executables to
# qemu.  Worse, after that failure the shell's PATH fallback would happily
# run host x86-64 tools of the same name, which is why PATH is restricted.
#
#   binfmt   qemu runs the case with the applet links on PATH, and a
#            binfmt_misc handler lets every exec of an aarch64 program start
#            a new qemu.  This is the faithful reference.  An existing
#            aarch64 handler is used if there is one; otherwise, as root, the
#            script registers a temporary one (kestrel-ref-aarch64) for the
#            reference runs only.
#   wrapper  used when binfmt_misc is out of reach (not root).  PATH holds
#            host shell scripts, one per applet, that run
#            `qemu-aarch64 busybox NAME ARGS`; the shell's exec of
#            /proc/self/exe fails and its PATH fallback finds the wrapper.
#            Applets that exec /proc/self/exe without a PATH fallback (env,
#            xargs, find -exec, timeout) cannot work this way, so cases
#            marked `#: needs-binfmt-reference` are skipped in this mode.
#
# The emulator under test always gets the real applet links on PATH: Kestrel
# is expected to follow exec of aarch64 programs by itself.  A binfmt_misc
# handler for aarch64 would quietly do that job for it, so while Kestrel runs
# the script disables such handlers (root) or refuses to run, unless
# KESTREL_ALLOW_BINFMT=1.  That override is meant for checking the cases
# themselves: KESTREL=qemu-aarch64 KESTREL_ALLOW_BINFMT=1 compares two qemu
# runs, which must agree on every case (the cases must be deterministic).
#
# The last line is "busybox: N passed, N failed, N skipped".  The exit status
# is 0 only if no case failed and at least one case ran.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${KESTREL_CACHE:-$repo/.cache}
cases_dir=$repo/tests/busybox/cases
kestrel=${KESTREL:-$repo/target/x86_64-unknown-linux-gnu/release/kestrel-aarch64}
read -r -a kestrel_args <<<"${KESTREL_ARGS:-}"
case_timeout=${KESTREL_CASE_TIMEOUT:-60}
ref_mode=${KESTREL_REF_MODE:-auto}
ignore_stderr=${KESTREL_IGNORE_STDERR:-0}
allow_binfmt=${KESTREL_ALLOW_BINFMT:-0}
diff_lines=${KESTREL_DIFF_LINES:-200}

binfmt_dir=/proc/sys/fs/binfmt_misc
ref_entry='kestrel-ref-aarch64'

quiet=0
filters=()
for arg in "$@"; do
    case $arg in
        -q) quiet=1 ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
        -*)
            echo "run-busybox-compare: unknown option $arg" >&2
            exit 2
            ;;
        *) filters+=("$arg") ;;
    esac
done

note() { echo "run-busybox-compare: $*" >&2; }
die() {
    echo "run-busybox-compare: error: $*" >&2
    exit 2
}
is_root() { [ "$(id -u)" -eq 0 ]; }

# ---------------------------------------------------------------- set-up

"$repo/scripts/fetch-busybox.sh" >/dev/null ||
    die "scripts/fetch-busybox.sh failed; see its messages above"
busybox=$cache/busybox/bin/busybox
applets=$cache/busybox/applets

if [ -n "${QEMU:-}" ]; then
    qemu=$(command -v "$QEMU") || die "QEMU=$QEMU is not an executable"
else
    qemu=$(command -v qemu-aarch64 || command -v qemu-aarch64-static) ||
        die "no qemu-aarch64 found"
fi
qemu=$(readlink -f "$qemu")

case $kestrel in
    */*) ;;
    *) kestrel=$(command -v "$kestrel") || die "KESTREL=${KESTREL:-} not found on PATH" ;;
esac
# Absolute, because the cases run in their own directory.
kestrel_dir=$(cd "$(dirname "$kestrel")" 2>/dev/null && pwd) ||
    die "emulator $kestrel does not exist"
kestrel=${kestrel_dir%/}/${kestrel##*/}
[ -x "$kestrel" ] || die "emulator $kestrel does not exist (build it with cargo build --release, or set KESTREL)"

# Host tools used around the emulators, resolved now: the cases' PATH holds
# only aarch64 applets.
host_timeout=$(command -v timeout) || die "timeout (coreutils) is needed"

cases=()
for file in "$cases_dir"/*.sh; do
    [ -f "$file" ] || continue
    if [ ${#filters[@]} -gt 0 ]; then
        keep=0
        for f in "${filters[@]}"; do
            case ${file##*/} in *"$f"*) keep=1 ;; esac
        done
        [ "$keep" -eq 1 ] || continue
    fi
    cases+=("$file")
done
if [ ${#cases[@]} -eq 0 ]; then
    echo "busybox: 0 passed, 0 failed"
    die "no test cases found in $cases_dir${filters:+ matching ${filters[*]}}"
fi

# One run at a time: runs share the cache, and binfmt_misc is system-wide.
mkdir -p "$cache"
exec 9>"$cache/busybox-compare.lock"
if ! flock -n 9; then
    note "waiting for another run to finish"
    flock 9
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kestrel-busybox.XXXXXX")
work=$tmp/work

# ---------------------------------------------------------------- binfmt_misc

mounted_binfmt=0
registered_ref=0
disabled_handlers=()
case_pid=

cleanup() {
    local h
    if [ -n "$case_pid" ]; then
        kill -KILL -- "-$case_pid" 2>/dev/null || true
    fi
    if [ "$registered_ref" -eq 1 ] && [ -e "$binfmt_dir/$ref_entry" ]; then
        echo -1 >"$binfmt_dir/$ref_entry" || note "could not remove binfmt entry $ref_entry"
    fi
    for h in "${disabled_handlers[@]}"; do
        echo 1 >"$binfmt_dir/$h" || note "could not re-enable binfmt entry $h"
    done
    if [ "$mounted_binfmt" -eq 1 ]; then
        umount "$binfmt_dir" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Print the names of enabled binfmt_misc entries that take aarch64 ELF files.
aarch64_handlers() {
    [ -r "$binfmt_dir/status" ] || return 0
    [ "$(cat "$binfmt_dir/status")" = enabled ] || return 0
    local f magic
    for f in "$binfmt_dir"/*; do
        case ${f##*/} in register | status) continue ;; esac
        if ! grep -qx enabled "$f" 2>/dev/null || ! grep -qx 'offset 0' "$f"; then
            continue
        fi
        magic=$(sed -n 's/^magic //p' "$f")
        # ELF magic, 64-bit, little endian ... e_machine 0x00b7 at byte 18.
        case $magic in
            7f454c460201*) [ "${magic:36:4}" = b700 ] && echo "${f##*/}" ;;
        esac
    done
    return 0
}

# Register $ref_entry: aarch64 executables (ET_EXEC or ET_DYN) are started by
# qemu.  Flag P passes the original argv[0] along, which busybox needs to
# pick the applet when it is exec'ed as /proc/self/exe.
register_ref_handler() {
    is_root || return 1
    if [ ! -e "$binfmt_dir/register" ]; then
        mount -t binfmt_misc binfmt_misc "$binfmt_dir" 2>/dev/null || return 1
        mounted_binfmt=1
    fi
    # A leftover of an interrupted run.
    [ ! -e "$binfmt_dir/$ref_entry" ] || echo -1 >"$binfmt_dir/$ref_entry"
    # ELF header bytes 0-19: magic, class 2, data 1, version 1, any OS ABI,
    # zero padding, e_type 2 or 3 (mask 0xfe), e_machine 0xb7.  The \x escapes
    # are decoded by the kernel, so they must stay literal here.
    local magic='\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
    local mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
    printf ':%s:M::%s:%s:%s:P\n' "$ref_entry" "$magic" "$mask" "$qemu" \
        >"$binfmt_dir/register" 2>/dev/null || return 1
    registered_ref=1
}

unregister_ref_handler() {
    if [ "$registered_ref" -eq 1 ]; then
        echo -1 >"$binfmt_dir/$ref_entry"
        registered_ref=0
    fi
}

# Can the kernel start the aarch64 busybox directly right now?
kernel_runs_aarch64() {
    "$busybox" true >/dev/null 2>&1
}

# ---------------------------------------------------------------- running

# has_directive CASE WORD: true if CASE has a line "#: WORD".
has_directive() {
    grep -qx "#: $2" "$1"
}

# run_one OUT PATH CASE EMULATOR [OPTION...]: run CASE under EMULATOR with
# PATH as the guest's PATH; write stdout, stderr and exit status as one text
# to OUT.
run_one() {
    local out=$1 path=$2 case_file=$3 rc
    shift 3
    rm -rf "$work"
    mkdir "$work"
    (
        cd "$work" &&
            umask 022 &&
            exec "$host_timeout" -k 5 "$case_timeout" \
                env -i PATH="$path" HOME="$work" TMPDIR="$work" LC_ALL=C TZ=UTC \
                "$@" "$busybox" sh "$case_file"
    ) </dev/null >"$tmp/stdout" 2>"$tmp/stderr" &
    case_pid=$!
    rc=0
    wait "$case_pid" || rc=$?
    # timeout runs as the leader of its own process group, so anything the
    # case left running in the background is still in that group: end it
    # before it can write more output or linger into the next case.
    kill -KILL -- "-$case_pid" 2>/dev/null || true
    case_pid=
    {
        echo "### stdout"
        show "$tmp/stdout"
        if [ "$ignore_stderr" != 1 ]; then
            echo "### stderr"
            show "$tmp/stderr"
        fi
        if [ "$rc" -eq 124 ]; then
            echo "### timed out after ${case_timeout}s"
        else
            echo "### exit status $rc"
        fi
    } >"$out"
    rm -rf "$work"
}

# Copy a captured stream, marking a missing final newline so that it shows
# up in a diff instead of gluing two sections together.
show() {
    cat "$1"
    if [ -s "$1" ] && [ "$(tail -c 1 "$1" | od -An -tx1 | tr -d ' ')" != 0a ]; then
        echo
        echo "### (no newline at end)"
    fi
}

# ---------------------------------------------------------------- references

# An entry of ours left behind by an interrupted run is not "existing".
if is_root && [ -e "$binfmt_dir/$ref_entry" ]; then
    echo -1 >"$binfmt_dir/$ref_entry" || true
fi
existing=$(aarch64_handlers)
# Refuse early rather than after all the reference runs (see below).
if [ -n "$existing" ] && [ "$allow_binfmt" != 1 ] && ! is_root; then
    die "binfmt_misc handler(s) $existing would run aarch64 execs with qemu" \
        "behind the emulator's back; run as root (they are disabled for the run)" \
        "or set KESTREL_ALLOW_BINFMT=1"
fi
case $ref_mode in
    auto | binfmt)
        if [ -z "$existing" ]; then
            register_ref_handler || true
        fi
        if kernel_runs_aarch64; then
            ref_mode=binfmt
        elif [ "$ref_mode" = binfmt ]; then
            die "KESTREL_REF_MODE=binfmt, but the kernel cannot run aarch64 programs" \
                "(no binfmt_misc handler, and registering one needs root)"
        else
            unregister_ref_handler
            ref_mode=wrapper
        fi
        ;;
    wrapper) ;;
    *) die "KESTREL_REF_MODE must be auto, binfmt or wrapper, not $ref_mode" ;;
esac

ref_path=$applets
if [ "$ref_mode" = wrapper ]; then
    ref_path=$tmp/wrappers
    mkdir "$ref_path"
    for link in "$applets"/*; do
        name=${link##*/}
        printf '#!/bin/sh\nexec "%s" "%s" "%s" "$@"\n' "$qemu" "$busybox" "$name" >"$ref_path/$name"
        chmod +x "$ref_path/$name"
    done
fi
note "references: $qemu, $ref_mode mode"

mkdir "$tmp/ref" "$tmp/got"
for case_file in "${cases[@]}"; do
    name=${case_file##*/}
    if [ "$ref_mode" = wrapper ] && has_directive "$case_file" needs-binfmt-reference; then
        continue
    fi
    run_one "$tmp/ref/$name" "$ref_path" "$case_file" "$qemu"
done

# ---------------------------------------------------------------- emulator under test

if [ "$allow_binfmt" = 1 ]; then
    [ -z "$(aarch64_handlers)" ] ||
        note "warning: binfmt_misc runs aarch64 programs with qemu;" \
            "passing cases do not show that $kestrel follows exec"
else
    unregister_ref_handler
    for h in $(aarch64_handlers); do
        is_root || die "binfmt_misc handler $h would run aarch64 execs with qemu" \
            "behind the emulator's back; run as root (it is disabled for the run)" \
            "or set KESTREL_ALLOW_BINFMT=1"
        echo 0 >"$binfmt_dir/$h"
        disabled_handlers+=("$h")
        note "binfmt_misc entry $h disabled until the run ends"
    done
fi
note "testing: $kestrel"

passed=0
failed=0
skipped=0
for case_file in "${cases[@]}"; do
    name=${case_file##*/}
    if [ ! -e "$tmp/ref/$name" ]; then
        echo "SKIP $name (no reference without binfmt_misc)"
        skipped=$((skipped + 1))
        continue
    fi
    run_one "$tmp/got/$name" "$applets" "$case_file" "$kestrel" "${kestrel_args[@]}"
    if cmp -s "$tmp/ref/$name" "$tmp/got/$name"; then
        [ "$quiet" -eq 1 ] || echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name"
        # A case that goes wrong early can differ in thousands of lines.
        diff -u --label "qemu/$name" --label "kestrel/$name" \
            "$tmp/ref/$name" "$tmp/got/$name" >"$tmp/diff" || true
        head -n "$diff_lines" "$tmp/diff"
        total=$(wc -l <"$tmp/diff")
        if [ "$total" -gt "$diff_lines" ]; then
            echo "[... $((total - diff_lines)) more diff lines; KESTREL_DIFF_LINES raises the limit]"
        fi
        failed=$((failed + 1))
    fi
done

if [ -n "${KESTREL_BUSYBOX_OUT:-}" ]; then
    mkdir -p "$KESTREL_BUSYBOX_OUT"
    rm -rf "$KESTREL_BUSYBOX_OUT/ref" "$KESTREL_BUSYBOX_OUT/got"
    cp -r "$tmp/ref" "$tmp/got" "$KESTREL_BUSYBOX_OUT/"
fi

echo "busybox: $passed passed, $failed failed, $skipped skipped"
if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
    exit 1
fi
