#!/usr/bin/env bash
# Kestrel as the kernel's binfmt_misc handler for AArch64 programs, end to end.
#
#   scripts/test-binfmt.sh
#
# As root: mounts binfmt_misc if it is not mounted, disables other handlers
# for AArch64 programs (qemu-user's, say) for the duration, registers Kestrel
# under a test name with the default flags (POCF) and checks that
#   - a static test program runs when executed directly, with its arguments;
#   - argv[0] is preserved (P): `exec -a NAME`, and a busybox applet link;
#   - an execute-only program runs for an unprivileged user (O);
#   - a set-user-ID program runs with its owner's effective uid and with
#     AT_SECURE set (C);
#   - `chroot ROOT /bin/sh -c 'echo hello; ls /'` works (F): ROOT is the
#     Debian arm64 sysroot of scripts/fetch-sysroot.sh seen through an overlay
#     (so the cached tree is never modified), or, without it, a minimal root
#     of busybox (scripts/fetch-busybox.sh) and the static test programs;
#   - BuildKit's probe: a static program alone in an otherwise empty chroot;
#   - `ps` (/proc/PID/cmdline) shows the guest's command line;
#   - the build is static-pie, and scripts/install.sh installs it with a
#     binfmt.d entry (into a staging directory);
#   - `--binfmt status` and `--binfmt unregister` report and remove it.
# Everything is undone on exit, also after a failure or an interrupt.
#
# A dynamically linked Kestrel needs its x86-64 loader and libraries inside a
# chroot; the script copies them into the test root (what a static build makes
# unnecessary).
#
# Without root, or where binfmt_misc cannot be mounted, it prints SKIP and
# exits 0: nothing can be tested there.
#
# Environment: KESTREL (default target/x86_64-unknown-linux-gnu/release/kestrel-aarch64),
# KESTREL_CACHE (default .cache/), KESTREL_SYSROOT (default $CACHE/sysroot).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${KESTREL_CACHE:-$repo/.cache}
kestrel=${KESTREL:-$repo/target/x86_64-unknown-linux-gnu/release/kestrel-aarch64}
sysroot=${KESTREL_SYSROOT:-$cache/sysroot}
entry=kestrel-test-$$
bins=$repo/test-binaries/bin

note() { echo "test-binfmt: $*" >&2; }
skip() {
    echo "SKIP binfmt: $*"
    exit 0
}

[ -x "$kestrel" ] || { note "error: $kestrel not built (cargo build --release)"; exit 2; }
kestrel=$(cd "$(dirname "$kestrel")" && pwd)/$(basename "$kestrel")
[ "$(id -u)" -eq 0 ] || skip "needs root to mount binfmt_misc and register a handler"

# binfmt_misc is system-wide: one user at a time (shared with
# scripts/run-busybox-compare.sh), taken with every other AArch64 handler
# disabled for the duration (lib-binfmt.sh).
# shellcheck source=lib-binfmt.sh
. "$repo/scripts/lib-binfmt.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kestrel-binfmt.XXXXXX")
chmod 755 "$tmp"
registered=0
overlay=

cleanup() {
    if [ "$registered" -eq 1 ] && [ -e "$binfmt_dir/$entry" ]; then
        echo -1 >"$binfmt_dir/$entry" || note "could not remove binfmt entry $entry"
    fi
    binfmt_release
    if [ -n "$overlay" ]; then
        umount "$overlay" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

binfmt_take "$cache" || skip "binfmt_misc cannot be mounted at $binfmt_dir"
for h in "${binfmt_disabled[@]}"; do
    note "binfmt_misc entry $h disabled until the test ends"
done

passed=0
failed=0
pass() {
    echo "PASS $1"
    passed=$((passed + 1))
}
fail() {
    echo "FAIL $1"
    shift
    [ $# -eq 0 ] || printf '  %s\n' "$@"
    failed=$((failed + 1))
}
# expect NAME WANT GOT
expect() {
    if [ "$2" = "$3" ]; then
        pass "$1"
    else
        fail "$1" "expected: $(printf %q "$2")" "got:      $(printf %q "$3")"
    fi
}

"$kestrel" --binfmt register --binfmt-name "$entry" >"$tmp/register.out"
registered=1
expect "register: entry flags" "flags: POCF" "$(grep '^flags' "$binfmt_dir/$entry")"
expect "register: interpreter" "interpreter $kestrel" "$(grep '^interpreter' "$binfmt_dir/$entry")"
status=$("$kestrel" --binfmt status --binfmt-name "$entry" | grep "^$entry:") || true
expect "status" "$entry: enabled, interpreter $kestrel, flags POCF" "$status"

# A static program, executed directly by the kernel.
expect "direct run" "$(cat "$repo/test-binaries/expected/hello-args.stdout")" \
    "$(cd "$repo" && ./test-binaries/bin/hello one two three)"

# P: the kernel passes argv[0] along.
expect "argv[0] preserved (exec -a)" "argv[0] basename = custom-name" \
    "$( (exec -a custom-name "$bins/auxinfo" x) | grep '^argv\[0\]')"
"$repo/scripts/fetch-busybox.sh" >/dev/null
busybox=$cache/busybox/bin/busybox
ln -s "$busybox" "$tmp/echo"
expect "argv[0] picks the busybox applet" "hi there" "$("$tmp/echo" hi there)"

# O: execute permission is enough; the kernel opens the file for Kestrel.
# C: a set-user-ID root program gets euid 0 and AT_SECURE.
install -m 0711 "$bins/hello" "$tmp/exec-only"
install -m 4755 "$bins/procfs" "$tmp/setuid"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
if command -v setpriv >/dev/null; then
    expect "execute-only program as nobody" "Hello from AArch64!" \
        "$(as_nobody "$tmp/exec-only" | head -n 1)"
    expect "set-user-ID program as nobody" "uid 65534 euid 0 secure 1" \
        "$(as_nobody "$tmp/setuid" ids)"
else
    fail "execute-only and set-user-ID programs" "setpriv (util-linux) is needed to run them as nobody"
fi

# F: inside a chroot, where Kestrel's own path does not exist.
root=$tmp/root
mkdir "$root"
if [ -f "$sysroot/.kestrel-sysroot" ] && [ -e "$sysroot/usr/bin/sh" ]; then
    mkdir "$tmp/upper" "$tmp/work"
    if mount -t overlay overlay -o "lowerdir=$sysroot,upperdir=$tmp/upper,workdir=$tmp/work" "$root"; then
        overlay=$root
        note "chroot: $sysroot (through an overlay)"
    else
        note "chroot: overlay mount failed; using a minimal root instead"
    fi
else
    note "chroot: no sysroot at $sysroot (scripts/fetch-sysroot.sh); using a minimal root"
fi
if [ -z "$overlay" ]; then
    mkdir -p "$root/bin" "$root/tmp"
    cp "$busybox" "$root/bin/busybox"
    for applet in sh ls echo cat; do
        ln -s busybox "$root/bin/$applet"
    done
    cp "$bins/hello" "$bins/procfs" "$root/bin/"
fi
# Kestrel's own x86-64 loader and libraries, if it has any.
for lib in $(ldd "$kestrel" 2>/dev/null | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
out=$(chroot "$root" /bin/sh -c 'echo hello; ls /' 2>&1) || true
if [ "$(head -n 1 <<<"$out")" = hello ] && grep -qx bin <<<"$out" && grep -qx tmp <<<"$out"; then
    pass "chroot ROOT /bin/sh -c 'echo hello; ls /'"
else
    fail "chroot ROOT /bin/sh -c 'echo hello; ls /'" "$out"
fi
if [ -z "$overlay" ]; then
    expect "chroot: a test program by path" "Hello from AArch64!" \
        "$(chroot "$root" /bin/hello | head -n 1)"
else
    expect "chroot: a dynamically linked program" "hello from the sysroot" \
        "$(chroot "$root" /usr/bin/env echo hello from the sysroot)"
    # bash with a pipe, a subshell and an exec'd child, all AArch64 programs
    # started by the kernel through the registration.
    expect "chroot: bash" "aarch64 3 bash" \
        "$(chroot "$root" /bin/bash -c 'echo "$(uname -m) $(printf "a\nb\nc\n" | wc -l) $(basename "$BASH")"' 2>&1)"
    expect "chroot: python3 with a thread and a subprocess" "aarch64 thread-ok sub-ok" \
        "$(chroot "$root" /usr/bin/python3 -c '
import platform, subprocess, threading
box = []
t = threading.Thread(target=lambda: box.append("thread-ok"))
t.start(); t.join()
sub = subprocess.run(["/usr/bin/python3", "-c", "print(\"sub-ok\")"], capture_output=True, text=True).stdout.strip()
print(platform.machine(), box[0], sub)' 2>&1)"
fi

# BuildKit's probe: a tiny static AArch64 program run by chroot in a
# directory that holds nothing else (no loader, no /proc, no /dev).
probe=$tmp/probe
mkdir "$probe"
cp "$bins/rawasm" "$probe/check"
expect "BuildKit-style probe in an empty chroot" "$(cat "$repo/test-binaries/expected/rawasm.stdout")" \
    "$(chroot "$probe" /check x yz 2>&1)"

# ps shows the guest's command line, also for a program a guest shell
# exec'd (which Kestrel re-runs itself, not through the kernel).
chroot "$root" /bin/sh -c 'exec /bin/sleep 7' &
sleeper=$!
shown=
for _ in $(seq 50); do
    shown=$(tr '\0' ' ' <"/proc/$sleeper/cmdline" 2>/dev/null | sed 's/ *$//')
    [ "$shown" = "/bin/sleep 7" ] && break
    sleep 0.1
done
kill "$sleeper" 2>/dev/null || true
wait "$sleeper" 2>/dev/null || true
expect "ps shows the guest's command line" "/bin/sleep 7" "$shown"

# The build is a static-pie executable, and the install command puts it and
# a systemd-binfmt entry for it in place.
case "$(file -b "$kestrel")" in
*static-pie*) pass "static-pie build" ;;
*) fail "static-pie build" "$(file -b "$kestrel")" ;;
esac
dest=$tmp/dest
"$repo/scripts/install.sh" --destdir "$dest" --prefix /usr/local --no-register >/dev/null 2>&1 || true
conf_line=$(grep -v '^#' "$dest/usr/lib/binfmt.d/kestrel-aarch64.conf" 2>/dev/null || true)
expect "install: binfmt.d entry" "$("$kestrel" --binfmt conf | grep -v '^#' | sed "s#:$kestrel:#:/usr/local/bin/kestrel-aarch64:#")" "$conf_line"
if cmp -s "$kestrel" "$dest/usr/local/bin/kestrel-aarch64"; then
    pass "install: binary"
else
    fail "install: binary" "$dest/usr/local/bin/kestrel-aarch64 differs from $kestrel"
fi

"$kestrel" --binfmt unregister --binfmt-name "$entry" >/dev/null
registered=0
if [ ! -e "$binfmt_dir/$entry" ] && ! "$kestrel" --binfmt status --binfmt-name "$entry" >/dev/null; then
    pass "unregister"
else
    fail "unregister" "entry $entry still present"
fi

echo "binfmt: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
