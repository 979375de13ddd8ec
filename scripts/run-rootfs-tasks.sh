#!/usr/bin/env bash
# What cross-arch container builds run, in the arm64 Debian root filesystem
# of scripts/build-rootfs.sh, every AArch64 program started by the kernel
# through a binfmt_misc entry for Kestrel (flags POCF), as `docker buildx
# --platform linux/arm64` and `chroot` users have it:
#
#   gcc-make     make -j2 of a small C project (objects, a static library), run
#   node         worker_threads and child_process (Node.js 18)
#   go           go build and run: goroutines, channels, timers, os/exec
#   java         threads, synchronized and atomics, a JIT-hot loop (OpenJDK 17)
#   erlang       1000 processes across two schedulers (Erlang/OTP 25)
#   python-mp    multiprocessing pool, queue, manager
#   pip          pip install of a local package, then import it
#   openat2      openat2 with RESOLVE_BENEATH, as newer GNU tar extracts
#   sysv-ipc     PostgreSQL-style shared memory and semaphores, four workers
#   sigterm      SIGTERM ends a sleeping guest (sleep, and an idle node)
#                within a second
#
# Each task runs KESTREL_TASK_REPEAT times (default 3) with a time limit,
# and every run's output must be the expected line(s): a hang or a crash on
# any repetition fails. The tasks run in an overlay of the cached tree, which
# is never modified. Needs root and binfmt_misc.
#
# Environment: KESTREL (default target/x86_64-unknown-linux-gnu/release/kestrel-aarch64),
# KESTREL_CACHE (default .cache/), KESTREL_TASKS (space-separated subset).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${KESTREL_CACHE:-$repo/.cache}
rootfs=$cache/rootfs
kestrel=${KESTREL:-$repo/target/x86_64-unknown-linux-gnu/release/kestrel-aarch64}
repeat=${KESTREL_TASK_REPEAT:-3}
only=${KESTREL_TASKS:-}

note() { echo "rootfs-tasks: $*" >&2; }
die() { echo "rootfs-tasks: error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (chroot, overlay, binfmt_misc)"
[ -f "$rootfs/.kestrel-rootfs" ] || die "no root filesystem in $rootfs (scripts/build-rootfs.sh)"
[ -x "$kestrel" ] || die "$kestrel not built (cargo build --release)"
kestrel=$(cd "$(dirname "$kestrel")" && pwd)/$(basename "$kestrel")

# shellcheck source=lib-binfmt.sh
. "$repo/scripts/lib-binfmt.sh"
# shellcheck source=../scripts/lib-rootfs.sh
. "$repo/scripts/lib-rootfs.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kestrel-rootfs.XXXXXX")
root=$tmp/root
cleanup() {
    rootfs_release
    binfmt_release
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

binfmt_take "$cache" || die "binfmt_misc cannot be mounted"
binfmt_register "kestrel-tasks-$$" "$kestrel" POCF

rootfs_overlay "$rootfs" "$tmp" "$repo" || die "overlay mount failed"

passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() {
    echo "FAIL $1"
    shift
    printf '  %s\n' "$@" | head -40
    failed=$((failed + 1))
}
wanted() { [ -z "$only" ] || [[ " $only " == *" $1 "* ]]; }

# task NAME SECONDS EXPECTED SCRIPT: SCRIPT runs in the chroot under /bin/sh
# ($REP is the repetition number) and must print EXPECTED every time.
task() {
    local name=$1 limit=$2 want=$3 script=$4 rep out status start
    wanted "$name" || return 0
    for ((rep = 1; rep <= repeat; rep++)); do
        start=$SECONDS
        status=0
        out=$(timeout -k 5 "$limit" chroot "$root" /usr/bin/env REP="$rep" HOME=/root /bin/sh -c "$script" 2>&1) || status=$?
        if [ "$status" -ne 0 ] || [ "$out" != "$want" ]; then
            fail "$name (run $rep of $repeat, status $status$( [ "$status" -eq 124 ] && echo ": timed out after $limit s"))" \
                "expected: $want" "got:" "$out"
            return 0
        fi
        note "$name run $rep: $((SECONDS - start)) s"
    done
    pass "$name ($repeat runs)"
}

T=/tmp/kestrel-tasks
task gcc-make 300 "mean 49.950 stddev 28.867 fnv 6418c831" \
    "cd $T/cproj && make -s clean && make -s -j2 && ./prog"
task node 300 "workers 36 child ok spawned 3" \
    "node $T/workers.js"
task go 300 "sum 1260 shared 28 exec ok <nil>" \
    "cd $T && GOCACHE=/tmp/gocache-\$REP go build -o /tmp/goroutines goroutines.go && /tmp/goroutines"
task java 300 "atomic 400000 locked 400000 hot 970670193" \
    "java -cp $T Threads"
task erlang 300 "sum 333833500 schedulers 2" \
    "erl -noshell +S 2:2 -eval 'Self = self(),
        [spawn(fun() -> Self ! {sq, N * N} end) || N <- lists:seq(1, 1000)],
        S = lists:sum([receive {sq, V} -> V end || _ <- lists:seq(1, 1000)]),
        io:format(\"sum ~p schedulers ~p~n\", [S, erlang:system_info(schedulers_online)]),
        halt().'"
task python-mp 300 "pool 332833500 queue 4950 exit 0 manager 42" \
    "python3 $T/mp.py"
task pip 300 "kpkg 42" \
    "pip install -q --no-index --no-build-isolation --force-reinstall --break-system-packages \
        --root-user-action=ignore $T/kpkg && cd / && python3 -c 'import kpkg; print(\"kpkg\", kpkg.answer())'"
task openat2 300 "create sub/file: ok
read sub/../sub/file: ok
../etc/passwd: Invalid cross-device link
/etc/passwd: Invalid cross-device link
symlink out: Invalid cross-device link
O_DIRECTORY on a file: Not a directory" \
    "gcc -O2 -o /tmp/openat2 $T/openat2.c && /tmp/openat2"
task sysv-ipc 300 "workers 4 counter 40000 segsz 1048576 nsems 1" \
    "gcc -O2 -o /tmp/sysv $T/sysv.c && /tmp/sysv"

# sigterm_case NAME READY_LINE COMMAND...: starts COMMAND in the chroot,
# waits until it printed READY_LINE (or 0.5 s when empty), sends SIGTERM and
# requires the process gone, killed by SIGTERM, within one second.
sigterm_case() {
    local name=$1 ready=$2 pid status t0 elapsed out=$tmp/sigterm.out
    shift 2
    chroot "$root" "$@" >"$out" 2>&1 &
    pid=$!
    if [ -n "$ready" ]; then
        for _ in $(seq 600); do grep -qx "$ready" "$out" && break; sleep 0.1; done
        grep -qx "$ready" "$out" || { kill -9 "$pid"; wait "$pid" 2>/dev/null; echo "never ready: $(cat "$out")"; return 1; }
    else
        sleep 0.5
    fi
    t0=$(date +%s%N)
    kill -TERM "$pid"
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.01; done
    elapsed=$((($(date +%s%N) - t0) / 1000000))
    if kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid"
        wait "$pid" 2>/dev/null
        echo "$name still running 3 s after SIGTERM"
        return 1
    fi
    status=0
    wait "$pid" || status=$?
    if [ "$status" -ne 143 ] || [ "$elapsed" -ge 1000 ]; then
        echo "$name: status $status after $elapsed ms"
        return 1
    fi
    note "$name ended $elapsed ms after SIGTERM"
}
if wanted sigterm; then
    result=ok
    for ((rep = 1; rep <= repeat; rep++)); do
        sigterm_case sleep "" /bin/sleep 60 || { result=fail; break; }
        sigterm_case node ready /usr/bin/node -e 'console.log("ready"); setInterval(() => {}, 1000)' ||
            { result=fail; break; }
    done
    if [ "$result" = ok ]; then pass "sigterm ($repeat runs)"; else fail "sigterm"; fi
fi

echo "rootfs tasks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
