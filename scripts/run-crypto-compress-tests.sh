#!/usr/bin/env bash
# Debian arm64 openssl, xz, gzip and bzip2 from the sysroot run under Kestrel
# (`-L SYSROOT`), their output compared byte for byte with the same tools of
# the host (x86-64) on the same input: the FP/AdvSIMD and crypto code paths
# these programs select at run time (AES, PMULL/GHASH, SHA-1/2/3, NEON
# ChaCha20) against a known-good implementation.
#
# usage: scripts/run-crypto-compress-tests.sh
#
# Cases:
#   openssl dgst -sha1 -sha256 -sha512 -sha3-256
#   openssl enc -aes-128-cbc -aes-256-ctr -chacha20 (fixed -K/-iv, -nosalt):
#     the ciphertext, and decryption of the host's ciphertext
#   openssl mac GMAC (AES-128-GCM: the GHASH code, PMULL on AArch64)
#   each of those again with --jit-threshold 1, and a few with
#   -cpu cortex-a53 (other HWCAPs, so openssl takes other code paths)
#   xz -9, gzip -9 -n, bzip2 -9: the compressed bytes, and decompression of
#   the host's archives, for a pseudo-random and a compressible input
#
# The inputs are 1 MiB each, generated deterministically: AES-128-CTR with a
# fixed key over zeros (checked against its known SHA-1), and its hex dump.
# Host and sysroot are both Debian bookworm, so the compressors are the same
# upstream versions and their output must be identical; if a version differs
# the compressed bytes are not compared (a note says so) and only the round
# trips are.
#
# Host tools missing are installed with apt-get when running as root. A
# missing sysroot is a failure (scripts/fetch-sysroot.sh runs first). The exit
# status is 0 only if every case passed and at least one ran.
#
# Environment:
#   KESTREL               emulator under test (default target/x86_64-unknown-linux-gnu/release/kestrel-aarch64)
#   KESTREL_CACHE         cache dir of scripts/fetch-sysroot.sh (default .cache/)
#   KESTREL_CASE_TIMEOUT  seconds per command (default 300)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${KESTREL_CACHE:-$repo/.cache}
sysroot=$cache/sysroot
kestrel=${KESTREL:-$repo/target/x86_64-unknown-linux-gnu/release/kestrel-aarch64}
case_timeout=${KESTREL_CASE_TIMEOUT:-300}

die() { echo "run-crypto-compress-tests: error: $*" >&2; exit 1; }

[ -x "$kestrel" ] || die "no emulator at $kestrel"
"$repo/scripts/fetch-sysroot.sh" || die "no sysroot (scripts/fetch-sysroot.sh failed)"
for p in usr/bin/openssl usr/bin/xz bin/bzip2 bin/gzip; do
    [ -e "$sysroot/$p" ] || die "no $p in $sysroot"
done

# Host tools.
need=()
command -v openssl >/dev/null || need+=(openssl)
command -v xz >/dev/null || need+=(xz-utils)
command -v bzip2 >/dev/null || need+=(bzip2)
command -v gzip >/dev/null || need+=(gzip)
if ((${#need[@]})); then
    [ "$(id -u)" = 0 ] || die "missing host packages ${need[*]} and not root to install them"
    echo "installing host packages ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${need[@]}" >/dev/null || {
        apt-get update -qq
        apt-get install -y -qq "${need[@]}" >/dev/null
    } || die "could not install ${need[*]}"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# Inputs.
key16=000102030405060708090a0b0c0d0e0f
key32=${key16}f0e1d2c3b4a5968778695a4b3c2d1e0f
iv16=0f0e0d0c0b0a09080706050403020100
iv12=cafebabefacedbaddecaf888
openssl enc -aes-128-ctr -K "$key16" -iv 00000000000000000000000000000000 -nosalt \
    -in /dev/zero 2>/dev/null | head -c 1048576 >random.bin || true
[ "$(sha1sum <random.bin | cut -c1-40)" = 662bd029b6d0a4d4f42c6d5a388ed346b5581713 ] ||
    die "the generated input is not the expected one"
od -An -v -tx1 random.bin | head -c 1048576 >text.bin || true
[ "$(stat -c %s text.bin)" = 1048576 ] || die "could not make the text input"

pass=0
fail=0

# guest FLAGS... -- PROGRAM ARGS...: PROGRAM from the sysroot under Kestrel.
guest() {
    local flags=()
    while [ "$1" != -- ]; do flags+=("$1"); shift; done
    shift
    local prog=$1
    shift
    timeout "$case_timeout" "$kestrel" "${flags[@]}" -L "$sysroot" "$sysroot$prog" "$@"
}

short() { sha256sum "$1" | cut -c1-16; }

# result NAME STATUS EXPECTED-FILE GOT-FILE
result() {
    local name=$1 status=$2 want=$3 got=$4
    if [ "$status" = 0 ] && cmp -s "$want" "$got"; then
        echo "PASS $name"
        pass=$((pass + 1))
    else
        echo "FAIL $name (exit $status)"
        if [ "$(stat -c %s "$want")" -le 200 ] && [ "$(stat -c %s "$got")" -le 200 ]; then
            diff "$want" "$got" | sed 's/^/    /' || true
        else
            echo "    want $(stat -c %s "$want") bytes sha256 $(short "$want")"
            echo "    got  $(stat -c %s "$got") bytes sha256 $(short "$got")"
            cmp "$want" "$got" 2>&1 | sed 's/^/    /' || true
        fi
        fail=$((fail + 1))
    fi
}

# run NAME "GUEST FLAGS" HOST-CMD... : run the command on the host and the
# same command (first word from the sysroot) under Kestrel; compare stdout.
run() {
    local name=$1 gflags=$2 status=0
    shift 2
    local host_prog=$1
    shift
    "$host_prog" "$@" >host.out 2>host.err || { cat host.err >&2; die "host $host_prog $* failed"; }
    # shellcheck disable=SC2086
    guest $gflags -- "$(guest_path "$host_prog")" "$@" >guest.out 2>guest.err || status=$?
    result "$name" "$status" host.out guest.out
    if [ "$status" != 0 ]; then sed 's/^/    stderr: /' guest.err | head -5; fi
}

guest_path() {
    case $1 in
        openssl | xz) echo "/usr/bin/$1" ;;
        gzip | bzip2) echo "/bin/$1" ;;
        *) die "no guest path for $1" ;;
    esac
}

# --- openssl -----------------------------------------------------------------

for flags in "" "--jit-threshold 1" "-cpu cortex-a53"; do
    tag=${flags:+ [$flags]}
    digests=(sha1 sha256 sha512 sha3-256)
    ciphers=("aes-128-cbc $key16" "aes-256-ctr $key32" "chacha20 $key32")
    if [ "$flags" = "-cpu cortex-a53" ]; then
        digests=(sha1 sha256)
        ciphers=("aes-128-cbc $key16")
    fi
    for d in "${digests[@]}"; do
        run "openssl dgst -$d$tag" "$flags" openssl dgst "-$d" -r random.bin
    done
    for c in "${ciphers[@]}"; do
        set -- $c
        run "openssl enc -$1$tag" "$flags" openssl enc -e "-$1" -K "$2" -iv "$iv16" -nosalt -in random.bin
        # Decrypt the host's ciphertext under Kestrel.
        openssl enc -e "-$1" -K "$2" -iv "$iv16" -nosalt -in random.bin -out host.enc
        status=0
        # shellcheck disable=SC2086
        guest $flags -- /usr/bin/openssl enc -d "-$1" -K "$2" -iv "$iv16" -nosalt \
            -in host.enc >guest.dec 2>guest.err || status=$?
        result "openssl enc -d -$1$tag" "$status" random.bin guest.dec
    done
    run "openssl mac GMAC aes-128-gcm$tag" "$flags" openssl mac -cipher AES-128-GCM \
        -macopt "hexkey:$key16" -macopt "hexiv:$iv12" -in random.bin GMAC
done

# --- compressors -------------------------------------------------------------

for tool in xz gzip bzip2; do
    host_version=$("$tool" --version 2>&1 | head -n 1)
    guest_version=$(guest -- "$(guest_path "$tool")" --version 2>&1 | head -n 1) || true
    exact=1
    if [ "$host_version" != "$guest_version" ]; then
        # Different upstream versions may legitimately compress differently.
        echo "note: host '$host_version', guest '$guest_version': $tool output not compared, round trips only"
        exact=0
    fi
    opts=(-9 -c)
    [ "$tool" = gzip ] && opts=(-9 -n -c)
    for input in random.bin text.bin; do
        name="$tool ${opts[*]} ${input%.bin}"
        "$tool" "${opts[@]}" <"$input" >host.z
        status=0
        guest -- "$(guest_path "$tool")" "${opts[@]}" <"$input" >guest.z 2>guest.err || status=$?
        if [ "$exact" = 1 ]; then
            result "$name" "$status" host.z guest.z
        else
            # Round trip of Kestrel's archive through the host's tool.
            "$tool" -d -c <guest.z >guest.rt 2>/dev/null || status=${status/#0/1}
            result "$name (host decompresses)" "$status" "$input" guest.rt
        fi
        status=0
        guest -- "$(guest_path "$tool")" -d -c <host.z >guest.dec 2>guest.err || status=$?
        result "$tool -d ${input%.bin} (host archive)" "$status" "$input" guest.dec
    done
done

total=$((pass + fail))
echo "crypto/compress: $pass passed, $fail failed"
[ "$total" -gt 0 ] || die "no cases ran"
[ "$fail" = 0 ]
