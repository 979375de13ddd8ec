#!/usr/bin/env bash
# Real Debian bookworm programs timed side by side: the host's own amd64
# build, qemu-aarch64 7.2 (bookworm's qemu-user), qemu-aarch64 10 (trixie's
# static build) and Kestrel in each of its configurations, all on the same
# generated inputs:
#
#   bench/programs.sh [-n RUNS] [-k KESTREL] [--json FILE] [WORKLOAD...]
#
#   python-start  python3 -c pass, 5 start-ups in a row
#   python-loop   a CPU-bound Python loop (integers, dicts, strings)
#   lua           lua5.4 running a small CPU script (recursion, tables, sort)
#   sqlite        sqlite3 :memory: 100k rows from a recursive CTE, aggregates
#   xz            xz -9 of a generated 5 MB text file
#   bzip2         bzip2 -9 of the same file
#   gzip          gzip -9 of the same file
#   sort          sort (LC_ALL=C) of 1M generated lines
#   sha256sum     sha256sum of the same 30 MB of lines
#   gawk          gawk summing and counting columns of the same lines
#   busybox-sh    busybox sh arithmetic loop (only shell built-ins)
#   gcc-O2        gcc -O2 -c of a generated 3000-line C file, run as its two
#                 programs (cc1, then as); needs .cache/rootfs
#
# Options:
#   -n RUNS       timed runs per workload and runner (default 3); each
#                 workload also gets one untimed warm-up run per runner
#   -k PATH       the Kestrel binary (default $KESTREL, else
#                 target/x86_64-unknown-linux-gnu/release/kestrel-aarch64)
#   --json FILE   also write every figure and every run's time as JSON
#   -l            list the workloads and exit
#
# Runners, one column each, taking turns run by run: native (the host's
# amd64 program), qemu7, qemu10, kestrel (default tiers), kestrel-baseline
# (--tiers baseline). Every run's output is checked against the others; a
# difference is reported, the temporary directory is kept, and the exit
# status is 1. The table shows median wall times, the ratios kestrel/qemu7,
# kestrel/qemu10 and kestrel/native, peak RSS of qemu7 and kestrel, and
# geometric means.
#
# Needs root the first time: it installs missing host packages (python3,
# lua5.4, gawk, busybox, sqlite3, time, qemu-user) with apt-get, downloads
# qemu 10 (scripts/fetch-qemu10.sh), the arm64 sysroot
# (scripts/fetch-sysroot.sh) and busybox-static (scripts/fetch-busybox.sh),
# and builds $CACHE/bench-sysroot: a copy of the sysroot plus the arm64
# lua5.4, gawk and sqlite3 packages and their libraries. CACHE is
# $KESTREL_CACHE or .cache/.
set -euo pipefail
export LC_ALL=C

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${KESTREL_CACHE:-$repo/.cache}
sysroot=$cache/sysroot
bench_sysroot=$cache/bench-sysroot
rootfs=$cache/rootfs
busybox_guest=$cache/busybox/bin/busybox
kestrel=${KESTREL:-$repo/target/x86_64-unknown-linux-gnu/release/kestrel-aarch64}
runs=3
json=
# Seconds after which one program run counts as hung.
limit=600

all_workloads=(python-start python-loop lua sqlite xz bzip2 gzip sort sha256sum gawk busybox-sh gcc-O2)

usage() { sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
note() { echo "programs: $*" >&2; }
die() { echo "programs: error: $*" >&2; exit 1; }

workloads=()
while (($#)); do
    case $1 in
        -n) [ $# -ge 2 ] || die "-n needs a number"; runs=$2; shift 2 ;;
        -k) [ $# -ge 2 ] || die "-k needs a path"; kestrel=$2; shift 2 ;;
        --json) [ $# -ge 2 ] || die "--json needs a file name"; json=$2; shift 2 ;;
        -l) printf '%s\n' "${all_workloads[@]}"; exit 0 ;;
        -h | --help) usage; exit 0 ;;
        -*) echo "programs: unknown option '$1'" >&2; usage >&2; exit 2 ;;
        *) workloads+=("$1"); shift ;;
    esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "programs: -n needs a positive number (got '$runs')" >&2; exit 2; }
((${#workloads[@]})) || workloads=("${all_workloads[@]}")
for w in "${workloads[@]}"; do
    [[ " ${all_workloads[*]} " == *" $w "* ]] ||
        { echo "programs: unknown workload '$w' (-l lists them)" >&2; exit 2; }
done

if [ ! -x "$kestrel" ]; then
    echo "programs: error: Kestrel binary not found or not executable: $kestrel" >&2
    echo "build it with 'cargo build --release' in $repo, or pass -k PATH (or set KESTREL)" >&2
    exit 1
fi
kestrel=$(cd "$(dirname "$kestrel")" && pwd)/$(basename "$kestrel")
if [ -n "$json" ]; then
    case $json in /*) ;; *) json=$PWD/$json ;; esac
fi

is_root() { [ "$(id -u)" -eq 0 ]; }

# True if $1 is a 64-bit little-endian ELF file for EM_AARCH64 (0xb7).
is_aarch64_elf() {
    [ -f "$1" ] || return 1
    local hdr
    hdr=$(od -An -tx1 -N20 "$1" | tr -d ' \n')
    [ "${hdr:0:12}" = 7f454c460201 ] && [ "${hdr:36:4}" = b700 ]
}

apt_updated=0
apt_update() {
    if [ "$apt_updated" -eq 0 ]; then
        note "running apt-get update"
        apt-get update -qq || die "apt-get update failed"
        apt_updated=1
    fi
}

# --- Host programs ----------------------------------------------------------

# PATH:PACKAGE for everything run or used natively. qemu-user comes without
# its recommends: qemu-user-binfmt would register a system-wide handler.
host_needs=(
    /usr/bin/python3.11:python3 /usr/bin/lua5.4:lua5.4 /usr/bin/gawk:gawk
    /usr/bin/busybox:busybox /usr/bin/sqlite3:sqlite3 /usr/bin/xz:xz-utils
    /usr/bin/bzip2:bzip2 /usr/bin/time:time /usr/bin/qemu-aarch64:qemu-user
    /usr/bin/readelf:binutils /usr/bin/flock:util-linux
)
# gcc-O2 compares against the host's own gcc 12.
if [[ " ${workloads[*]} " == *" gcc-O2 "* ]]; then
    host_needs+=(/usr/lib/gcc/x86_64-linux-gnu/12/cc1:gcc-12 /usr/bin/as:binutils)
fi
ensure_host() {
    local want=() entry
    for entry in "${host_needs[@]}"; do
        [ -x "${entry%%:*}" ] || want+=("${entry#*:}")
    done
    ((${#want[@]})) || return 0
    is_root || die "missing host packages; as root run: apt-get install --no-install-recommends ${want[*]}"
    note "installing ${want[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null; then
        apt_update
        apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null ||
            die "could not install ${want[*]}"
    fi
    for entry in "${host_needs[@]}"; do
        [ -x "${entry%%:*}" ] || die "${entry%%:*} is still missing after installing ${entry#*:}"
    done
}

# --- The arm64 tree: the sysroot plus lua5.4, gawk and sqlite3 ---------------

# arm64 packages added to the copy of the sysroot (libgmp10, libreadline8
# and zlib1g are there already; libsqlite3-0 comes again so that it matches
# sqlite3's exact version).
bench_pkgs=(lua5.4 gawk libmpfr6 libsigsegv2 sqlite3 libsqlite3-0)
# Programs the workloads run from it: each must be an aarch64 ELF file whose
# libraries are all there.
bench_progs=(usr/bin/python3.11 usr/bin/lua5.4 usr/bin/gawk usr/bin/sqlite3 usr/bin/xz
    usr/bin/bzip2 usr/bin/gzip usr/bin/sort usr/bin/sha256sum)

# Prints the libraries (DT_NEEDED) of ELF file $2 and, transitively, of
# those libraries that are missing from the tree $1, one per line, as
# "missing NAME" or "ok NAME".
check_libs() {
    local dir=$1 todo=("$2") seen=" " f lib d found
    while ((${#todo[@]})); do
        f=${todo[0]}
        todo=("${todo[@]:1}")
        for lib in $(readelf -dW "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
            [[ $seen == *" $lib "* ]] && continue
            seen+="$lib "
            found=
            for d in usr/lib/aarch64-linux-gnu lib/aarch64-linux-gnu usr/lib lib; do
                if [ -e "$dir/$d/$lib" ]; then found=$dir/$d/$lib; break; fi
            done
            if [ -n "$found" ]; then
                echo "ok $lib"
                todo+=("$(readlink -f "$found")")
            else
                echo "missing $lib"
            fi
        done
    done
}

bench_sysroot_check() {
    local dir=$1 p missing
    for p in "${bench_progs[@]}"; do
        is_aarch64_elf "$(readlink -f "$dir/$p")" || { echo "no aarch64 /$p"; return 1; }
        missing=$(check_libs "$dir" "$(readlink -f "$dir/$p")" | sed -n 's/^missing //p' | tr '\n' ' ')
        [ -z "$missing" ] || { echo "/$p needs missing libraries: $missing"; return 1; }
    done
}

ensure_bench_sysroot() {
    "$repo/scripts/fetch-sysroot.sh" || die "no sysroot (scripts/fetch-sysroot.sh failed)"
    local stamp_text why
    # The base tree's stamp time: a rebuilt sysroot makes a new copy.
    stamp_text="kestrel-bench-sysroot v1 base $(stat -c %Y "$sysroot/.kestrel-sysroot") ${bench_pkgs[*]}"
    if [ "$(cat "$bench_sysroot/.kestrel-bench-sysroot" 2>/dev/null)" = "$stamp_text" ] &&
        why=$(bench_sysroot_check "$bench_sysroot"); then
        return 0
    fi
    is_root || die "building $bench_sysroot needs root (apt-get download of arm64 packages)"
    dpkg --print-foreign-architectures | grep -qx arm64 ||
        die "the arm64 dpkg architecture is not enabled (scripts/fetch-sysroot.sh enables it)"
    local dir=$bench_sysroot.new dl=$cache/bench-sysroot-download deb
    note "building $bench_sysroot (a copy of $sysroot plus ${bench_pkgs[*]})"
    rm -rf "$dir" "$dl"
    cp -a --reflink=auto "$sysroot" "$dir"
    mkdir -p "$dl"
    local want=() p
    for p in "${bench_pkgs[@]}"; do want+=("$p:arm64"); done
    if ! (cd "$dl" && apt-get -o APT::Sandbox::User=root -qq download "${want[@]}"); then
        apt_update
        (cd "$dl" && apt-get -o APT::Sandbox::User=root -qq download "${want[@]}") ||
            die "apt-get download ${want[*]} failed"
    fi
    # Files only, no maintainer scripts; --keep-directory-symlink keeps the
    # merged-/usr links (bin -> usr/bin) as dpkg would.
    for deb in "$dl"/*.deb; do
        dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$dir" ||
            die "cannot unpack $deb"
    done
    rm -rf "$dl"
    why=$(bench_sysroot_check "$dir") || die "$dir: $why"
    echo "$stamp_text" >"$dir/.kestrel-bench-sysroot"
    rm -rf "$bench_sysroot"
    mv "$dir" "$bench_sysroot"
    note "$bench_sysroot ready ($(du -sh "$bench_sysroot" | cut -f1))"
}

# --- Set-up ------------------------------------------------------------------

mkdir -p "$cache"
exec 8>"$cache/bench-programs.lock"
flock -n 8 || die "another bench/programs.sh is running (lock $cache/bench-programs.lock)"

ensure_host
qemu7=/usr/bin/qemu-aarch64
"$qemu7" --version | head -1 | grep -q 'version 7\.2' ||
    note "warning: $qemu7 is not qemu 7.2: $("$qemu7" --version | head -1)"
qemu10=$("$repo/scripts/fetch-qemu10.sh") || die "could not fetch qemu 10 (scripts/fetch-qemu10.sh)"
ensure_bench_sysroot
if [[ " ${workloads[*]} " == *" busybox-sh "* ]]; then
    "$repo/scripts/fetch-busybox.sh" || die "no busybox-static (scripts/fetch-busybox.sh failed)"
    is_aarch64_elf "$busybox_guest" || die "$busybox_guest is not an aarch64 program"
fi

skipped_workloads=()
if [[ " ${workloads[*]} " == *" gcc-O2 "* ]] &&
    ! { [ -f "$rootfs/.kestrel-rootfs" ] && is_aarch64_elf "$(readlink -f "$rootfs/usr/bin/gcc")"; }; then
    note "skipping gcc-O2: no arm64 gcc in $rootfs (built by scripts/build-rootfs.sh, ~20 min)"
    skipped_workloads+=("gcc-O2|no arm64 root filesystem in $rootfs (scripts/build-rootfs.sh)")
    kept=()
    for w in "${workloads[@]}"; do [ "$w" = gcc-O2 ] || kept+=("$w"); done
    workloads=(${kept[@]+"${kept[@]}"})
fi
((${#workloads[@]})) || die "no workload left to run"

# Kestrel configurations, one column each, as NAME|OPTION|ARGUMENTS:
# a variant runs only if OPTION (when given) appears in `kestrel-aarch64 -h`,
# otherwise it is skipped with a note. ARGUMENTS go before -L; @CACHE@
# becomes a directory of this run's temporary tree, shared by all workloads.
kestrel_variants=(
    # Cold: every run translates everything (no persistent cache).
    "kestrel|--code-cache|--code-cache off"
    "kestrel-baseline|--tiers|--tiers baseline --code-cache off"
    # Warm: the persistent translation cache in its own directory, filled by
    # the untimed warm-up run of each workload, so the timed runs start warm.
    "kestrel-warm|--code-cache|--code-cache @CACHE@"
)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kestrel-programs.XXXXXX")
keep_tmp=0
cleanup() {
    if [ "$keep_tmp" = 1 ]; then
        note "kept $tmp for inspection"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

in=$tmp/in
work=$tmp/work
mkdir -p "$in" "$work" "$tmp/home" "$tmp/out" "$tmp/bin"

# Run a copy of Kestrel, so that a rebuild during the run cannot mix two
# builds in one table.
kestrel_src=$kestrel
kestrel=$tmp/bin/kestrel-aarch64
cp "$kestrel_src" "$kestrel"
kestrel_sha=$(sha256sum <"$kestrel" | cut -c1-64)

kestrel_help=$("$kestrel" -h 2>&1 || true)

# Runners: NAME and the command prefix of an emulated run ("native": none).
runners=(native qemu7 qemu10)
declare -A emu=([qemu7]="$qemu7" [qemu10]="$qemu10")
declare -A emu_args=()
skipped_runners=()
for v in "${kestrel_variants[@]}"; do
    IFS='|' read -r name opt args <<<"$v"
    if [ -n "$opt" ] && ! grep -q -e "$opt" <<<"$kestrel_help"; then
        note "skipping $name: $(basename "$kestrel_src") has no $opt option"
        skipped_runners+=("$name|no $opt option in $kestrel_src")
        continue
    fi
    runners+=("$name")
    emu[$name]=$kestrel
    emu_args[$name]=${args//@CACHE@/$tmp/cache-$name}
    mkdir -p "$tmp/cache-$name"
done

# --- Inputs ------------------------------------------------------------------

# All generated from fixed seeds, so every run of the script times the same
# bytes. text.txt: ~5 MB of word-salad lines (compressors); lines.txt: 1M
# tab-separated lines, ~30 MB (sort, sha256sum, gawk); the Python and Lua
# scripts; gen.c: ~3000 lines of C for gcc.
note "generating inputs in $in"
/usr/bin/python3.11 - "$in" <<'EOF'
import random, sys
out = sys.argv[1]
r = random.Random(20240601)
syl = ["ka", "lo", "mi", "ne", "tru", "sa", "pe", "do", "rin", "vu", "ex", "qua", "zo", "fi", "gar", "bel"]
words = sorted({"".join(r.choice(syl) for _ in range(r.randint(1, 4))) for _ in range(3000)})

with open(f"{out}/text.txt", "w") as f:
    size = 0
    n = 0
    while size < 5_000_000:
        n += 1
        ws = [r.choice(words) for _ in range(r.randint(6, 14))]
        if n % 3 == 0:
            ws.insert(r.randint(0, len(ws)), str(r.randint(0, 99999)))
        line = " ".join(ws) + (".\n" if n % 5 else ".\n\n")
        f.write(line)
        size += len(line)

with open(f"{out}/lines.txt", "w") as f:
    for i in range(1_000_000):
        f.write(f"{r.choice(words)}\t{r.randint(0, 9999999)}\t{r.choice(words[:200])}\t{i % 977}\n")

with open(f"{out}/loop.py", "w") as f:
    f.write('''\
def work(n):
    d = {}
    s = 0
    for i in range(n):
        k = (i * 7919) % 1009
        d[k] = d.get(k, 0) + (i ^ k)
        s = (s + i * i) % 1000003
    words = ["w%d" % (i % 97) for i in range(n // 10)]
    joined = ",".join(sorted(set(words)))
    return s, sum(d.values()), len(joined), sum(len(w) for w in words)

print(*work(1000000))
''')

with open(f"{out}/cpu.lua", "w") as f:
    f.write('''\
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
local t = {}
for i = 1, 200000 do t[i] = (i * 7919) % 1000003 end
table.sort(t)
local s = 0
for i = 1, #t, 7 do s = s + t[i] end
local parts = {}
for i = 1, 30000 do parts[#parts + 1] = string.format("%d:%x", i, i * i) end
local counts = {}
for w in table.concat(parts, ","):gmatch("%x+") do counts[#w] = (counts[#w] or 0) + 1 end
local c = 0
for k, v in pairs(counts) do c = c + k * v end
print(fib(27), s, c)
''')

# C: a prelude, then functions of a few shapes with varying constants, then
# tables.
lines = [
    "#include <stdio.h>", "#include <stdlib.h>", "#include <string.h>", "",
    "struct rec { int id; double w; char name[16]; struct rec *next; };", "",
]
for i in range(48):
    k = i % 4
    a, b, c = 3 + i % 7, 11 + i % 13, 17 + i % 5
    if k == 0:
        lines += [
            f"int sum_{i}(const int *v, int n) {{",
            "    int s = 0;",
            "    for (int j = 0; j < n; j++) {",
            f"        if (v[j] % {a} == 0)",
            f"            s += v[j] * {b};",
            f"        else if (v[j] % {c} == 1)",
            f"            s -= v[j] >> {i % 5 + 1};",
            "        else",
            f"            s ^= v[j] + j * {a + b};",
            "    }",
            "    return s;",
            "}", "",
        ]
    elif k == 1:
        lines += [
            f"unsigned op_{i}(unsigned x, int op) {{",
            "    switch (op) {",
        ] + [f"    case {j}: x = x * {a * j + 1}u + {b + j}u; break;" for j in range(12)] + [
            f"    default: x ^= x >> {c % 16 + 1}; break;",
            "    }",
            f"    return x + {i}u;",
            "}", "",
        ]
    elif k == 2:
        lines += [
            f"struct rec *build_{i}(int n) {{",
            "    struct rec *head = NULL;",
            "    for (int j = 0; j < n; j++) {",
            "        struct rec *r = malloc(sizeof *r);",
            "        if (!r) return head;",
            "        r->id = j;",
            f"        r->w = j * {a}.5 / {b};",
            f'        snprintf(r->name, sizeof r->name, "r{i}_%d", j);',
            "        r->next = head;",
            "        head = r;",
            "    }",
            "    return head;",
            "}",
            f"double weigh_{i}(const struct rec *r) {{",
            "    double w = 0;",
            "    for (; r; r = r->next)",
            f"        w += r->w * (strlen(r->name) + {c});",
            "    return w;",
            "}", "",
        ]
    else:
        lines += [
            f"void mat_{i}(double *restrict out, const double *a, const double *b, int n) {{",
            "    for (int r = 0; r < n; r++)",
            "        for (int c = 0; c < n; c++) {",
            "            double s = 0;",
            "            for (int k = 0; k < n; k++)",
            "                s += a[r * n + k] * b[k * n + c];",
            f"            out[r * n + c] = s * {a}.0 + {b}.0;",
            "        }",
            "}",
            f"int count_{i}(const char *s, char ch) {{",
            "    int n = 0;",
            "    while ((s = strchr(s, ch)) != NULL) {",
            "        n++;",
            "        s++;",
            "    }",
            f"    return n * {c};",
            "}", "",
        ]
# Tables, as generated code has them: cheap to compile, but they fill the
# file to 3000 lines.
for t in range(2):
    lines += [f"const unsigned tab{t}[] = {{"]
    n = 0
    while len(lines) < (1950, 2990)[t]:
        lines += ["    " + " ".join(f"{(n + j) * 2654435761 % 4294967291 + t}u," for j in range(8))]
        n += 8
    lines += ["};", ""]
lines += [
    "unsigned mix(unsigned x) {",
    "    for (unsigned j = 0; j < sizeof tab0 / sizeof tab0[0]; j++)",
    "        x = (x ^ tab0[j]) * 31u + tab1[(x + j) % (sizeof tab1 / sizeof tab1[0])];",
    "    return x;",
    "}",
]
while len(lines) < 3000:
    lines += [f"/* {len(lines)}: padding */"]
with open(f"{out}/gen.c", "w") as f:
    f.write("\n".join(lines) + "\n")
EOF

# --- Workloads ---------------------------------------------------------------

# One timed run of a workload is a call of its wl_NAME function, in $work,
# with $runner set; its standard output is what gets checked (chk_NAME, if
# defined, prints the checked value instead). Programs run through:
#   x PROG ARGS...          PROG, a path in the arm64 tree that is also the
#                           native program's path
#   xp NATIVE GUEST ARGS... different native program and guest file; the
#                           guest's argv[0] is NATIVE
# Each program runs with a fixed environment, under a time limit and
# /usr/bin/time, which appends its peak RSS to $rss_file.
run_env=(PATH=/usr/bin:/bin LC_ALL=C TZ=UTC HOME="$tmp/home" TMPDIR="$work")
xp() {
    local native=$1 guest=$2
    shift 2
    if [ "$runner" = native ]; then
        set -- "$native" "$@"
    else
        # shellcheck disable=SC2086  # emu_args: options split at spaces
        set -- "${emu[$runner]}" ${emu_args[$runner]:-} -L "$guest_root" -0 "$native" "$guest" "$@"
    fi
    env -i "${run_env[@]}" timeout -k 5 "$limit" /usr/bin/time -f %M -a -o "$rss_file" "$@"
}
x() { xp "$1" "$guest_root$1" "${@:2}"; }

wl_python_start() {
    local i
    for i in 1 2 3 4 5; do x /usr/bin/python3.11 -c pass || return; done
}
wl_python_loop() { x /usr/bin/python3.11 "$in/loop.py"; }
wl_lua() { x /usr/bin/lua5.4 "$in/cpu.lua"; }
wl_sqlite() {
    x /usr/bin/sqlite3 :memory: "
CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000)
INSERT INTO t(k, v) SELECT (x * 7919) % 1000, printf('row%06d', x) FROM c;
CREATE INDEX tk ON t(k);
SELECT k % 10, count(*), sum(id), min(v), max(v), sum(length(v)) FROM t GROUP BY k % 10 ORDER BY 1;
SELECT count(DISTINCT k), avg(id), total(k * id) FROM t WHERE v LIKE '%7%';
SELECT a.k, count(*) FROM t a JOIN t b ON a.id = b.k + 1 GROUP BY a.k ORDER BY 2 DESC, 1 LIMIT 3;"
}
wl_xz() { x /usr/bin/xz -9 -c <"$in/text.txt"; }
wl_bzip2() { x /usr/bin/bzip2 -9 -c <"$in/text.txt"; }
wl_gzip() { x /usr/bin/gzip -9 -n -c <"$in/text.txt"; }
wl_sort() { x /usr/bin/sort <"$in/lines.txt"; }
wl_sha256sum() { x /usr/bin/sha256sum <"$in/lines.txt"; }
wl_gawk() {
    x /usr/bin/gawk -F '\t' '{ s += $2; n[$3]++; m[$4] += length($1) }
        END { for (k in n) if (n[k] > best) { best = n[k]; bk = k }
              t = 0; for (k in m) t += m[k] * (k + 1)
              printf "%d %d %s %d %d\n", s, length(n), bk, best, t }' "$in/lines.txt"
}
wl_busybox_sh() {
    xp /usr/bin/busybox "$busybox_guest" sh -c \
        'i=0; s=0; while [ $i -lt 100000 ]; do s=$(( (s + i * i) % 1000003 )); i=$((i + 1)); done; echo $s'
}
# gcc -O2 -c, as the two programs the driver starts (cc1, then as): qemu
# does not follow a guest's exec of another AArch64 program without
# binfmt_misc, so every runner starts them itself. The command lines are the
# drivers' own (gcc -###), set up by gcc_prepare.
wl_gcc_O2() {
    rm -f gen.s gen.o
    if [ "$runner" = native ]; then
        xp "${gcc_native_cc1[@]}" && xp "${gcc_native_as[@]}"
    else
        xp "${gcc_guest_cc1[@]}" && xp "${gcc_guest_as[@]}"
    fi
}
# Native and AArch64 objects differ, so the first field (the object's
# global symbols) is compared with the native run and the whole line (with
# the object's bytes) among the emulators.
chk_gcc_O2() {
    local syms
    cp gen.o "$out.o"
    syms=$(readelf -sW gen.o | awk '$5 == "GLOBAL" && $7 != "UND" { print $8 }' | sort | sha256sum)
    echo "symbols:${syms%% *} object:$(sha256sum <gen.o | cut -c1-64)"
}

# gcc_steps DRIVER...: runs `DRIVER -### -O2 -c gen.c -o gen.o` in $work
# and sets cc1_cmd and as_cmd to the two commands it would run, with the
# temporary assembly file renamed gen.s and a bare program name (as) given
# its path in /usr/bin.
gcc_steps() {
    local lines words i tmp_s
    mapfile -t lines < <(cd "$work" && "$@" -### -O2 -c gen.c -o gen.o 2>&1 >/dev/null | grep '^ ')
    ((${#lines[@]} == 2)) || die "expected 2 commands from $* -###, got ${#lines[@]}"
    [[ ${lines[*]} != *[\$\`]* ]] || die "unexpected characters in gcc -### output"
    eval "cc1_cmd=(${lines[0]})"
    eval "as_cmd=(${lines[1]})"
    tmp_s=
    for ((i = 0; i < ${#cc1_cmd[@]} - 1; i++)); do
        [ "${cc1_cmd[i]}" = -o ] && tmp_s=${cc1_cmd[i + 1]}
    done
    [[ $tmp_s == *.s ]] || die "no cc1 -o FILE.s in the gcc -### output"
    for i in "${!cc1_cmd[@]}"; do [ "${cc1_cmd[i]}" != "$tmp_s" ] || cc1_cmd[i]=gen.s; done
    for i in "${!as_cmd[@]}"; do [ "${as_cmd[i]}" != "$tmp_s" ] || as_cmd[i]=gen.s; done
    [[ ${as_cmd[0]} == */* ]] || as_cmd[0]=/usr/bin/${as_cmd[0]}
}
gcc_prepare() {
    cp "$in/gen.c" "$work/gen.c"
    local cc1_cmd as_cmd
    gcc_steps env -i "${run_env[@]}" /usr/bin/gcc-12
    gcc_native_cc1=("${cc1_cmd[0]}" - "${cc1_cmd[@]:1}")
    gcc_native_as=("${as_cmd[0]}" - "${as_cmd[@]:1}")
    # The arm64 driver under qemu: -### starts nothing. Its paths are guest
    # paths; the files are in the root filesystem.
    gcc_steps env -i "${run_env[@]}" "$qemu7" -L "$rootfs" -0 /usr/bin/gcc "$rootfs/usr/bin/gcc"
    # qemu does not map faccessat into the -L tree, so the driver's search
    # for its programs sees the host's files: it prints a bare cc1, and may
    # name the host's cross assembler. Use the root filesystem's own.
    local cc1s=("$rootfs"/usr/lib/gcc/aarch64-linux-gnu/*/cc1)
    ((${#cc1s[@]} == 1)) && [ -f "${cc1s[0]}" ] || die "expected one cc1 in $rootfs/usr/lib/gcc/aarch64-linux-gnu"
    is_aarch64_elf "$(readlink -f "$rootfs${cc1_cmd[0]}")" || cc1_cmd[0]=${cc1s[0]#"$rootfs"}
    is_aarch64_elf "$(readlink -f "$rootfs${as_cmd[0]}")" || as_cmd[0]=/usr/bin/as
    gcc_guest_cc1=("${cc1_cmd[0]}" "$rootfs${cc1_cmd[0]}" "${cc1_cmd[@]:1}")
    gcc_guest_as=("${as_cmd[0]}" "$rootfs${as_cmd[0]}" "${as_cmd[@]:1}")
    is_aarch64_elf "$(readlink -f "${gcc_guest_cc1[1]}")" || die "no arm64 ${gcc_guest_cc1[1]}"
    is_aarch64_elf "$(readlink -f "${gcc_guest_as[1]}")" || die "no arm64 ${gcc_guest_as[1]}"
    note "  native: ${gcc_native_cc1[0]} ${gcc_native_cc1[*]:2}; ${gcc_native_as[0]} ${gcc_native_as[*]:2}"
    note "  arm64:  ${gcc_guest_cc1[0]} ${gcc_guest_cc1[*]:2}; ${gcc_guest_as[0]} ${gcc_guest_as[*]:2}"
}

# --- Running -------------------------------------------------------------------

results=$tmp/results.tsv
{
    printf 'runners'
    printf '\t%s' "${runners[@]}"
    printf '\n'
    for s in ${skipped_runners[@]+"${skipped_runners[@]}"}; do printf 'skiprunner\t%s\t%s\n' "${s%%|*}" "${s#*|}"; done
    for s in ${skipped_workloads[@]+"${skipped_workloads[@]}"}; do printf 'skip\t%s\t%s\n' "${s%%|*}" "${s#*|}"; done
} >"$results"

rss_file=$tmp/rss
status=0
note "$runs timed run(s) per runner after one warm-up; runners: ${runners[*]}"
note "kestrel = $kestrel_src (sha256 ${kestrel_sha:0:16}...)"
cd "$work"
for w in "${workloads[@]}"; do
    fn=${w//-/_}
    guest_root=$bench_sysroot
    if [ "$w" = gcc-O2 ]; then
        guest_root=$rootfs
        gcc_prepare
    fi
    declare -A ref=() failed=()
    problems=()
    note "$w ..."
    for ((i = 0; i <= runs; i++)); do
        for runner in "${runners[@]}"; do
            [ -z "${failed[$runner]:-}" ] || continue
            out=$tmp/out/$w.$runner
            : >"$rss_file"
            st=0
            t0=${EPOCHREALTIME/./}
            "wl_$fn" </dev/null >"$out" 2>"$out.err" || st=$?
            t1=${EPOCHREALTIME/./}
            if [ "$st" -ne 0 ]; then
                failed[$runner]=1
                why="exit status $st"
                [ "$st" -eq 124 ] && why="timed out after ${limit}s"
                problems+=("$runner failed ($why)")
                note "$w under $runner: $why; stderr:"
                head -n 15 "$out.err" | sed 's/^/  | /' >&2
                keep_tmp=1
                continue
            fi
            secs=$(((t1 - t0) / 1000000)).$(printf '%06d' $(((t1 - t0) % 1000000)))
            rss=$(grep -E '^[0-9]+$' "$rss_file" | sort -n | tail -n 1) || true
            printf 'run\t%s\t%s\t%d\t%s\t%s\n' "$w" "$runner" "$i" "$secs" "${rss:-0}" >>"$results"
            if declare -F "chk_$fn" >/dev/null; then
                digest=$("chk_$fn")
            else
                digest=$(sha256sum <"$out" | cut -c1-64)
            fi
            # The native run is the reference for the first field, the first
            # emulator's for the whole digest; the first run of each sets it.
            if [ "$runner" = native ]; then
                key=native
                cmp=${digest%% *}
            else
                key=emulated
                cmp=$digest
                if [ -n "${ref[native]:-}" ] && [ "${digest%% *}" != "${ref[native]}" ]; then
                    problems+=("$runner differs from native")
                    keep_tmp=1
                fi
            fi
            if [ -z "${ref[$key]:-}" ]; then
                ref[$key]=$cmp
                ref[$key-runner]=$runner
            elif [ "$cmp" != "${ref[$key]}" ]; then
                problems+=("$runner differs from ${ref[$key-runner]}")
                keep_tmp=1
            fi
            if [ "$cmp" != "${ref[$key]}" ] || { [ -n "${ref[native]:-}" ] && [ "${digest%% *}" != "${ref[native]}" ]; }; then
                # Keep what differed ($out is overwritten by the next run)
                # and say where it first differs from the reference.
                cp "$out" "$out.run$i"
                [ ! -e "$out.o" ] || cp "$out.o" "$out.run$i.o"
                echo "$digest" >"$out.run$i.digest"
                refrun=${ref[$key-runner]}
                [ "$cmp" != "${ref[$key]}" ] || refrun=native
                a=$tmp/out/$w.$refrun b=$out
                [ ! -e "$out.o" ] || { a=$a.o b=$b.o; }
                note "$w: $runner run $i differs from $refrun: $(cmp "$a" "$b" 2>&1 | head -n 1 || true)"
            fi
            if [ "$runner" = native ] && [ "$i" -eq 0 ]; then
                if [ -s "$out" ] && grep -qI . "$out"; then
                    note "  output: $(head -c 160 "$out" | tr '\n\t' '| ')"
                else
                    note "  output: $(wc -c <"$out") bytes; checked: ${digest:0:40}..."
                fi
            fi
        done
    done
    if ((${#problems[@]})); then
        status=1
        # Each distinct problem once, in order.
        msg=$(printf '%s\n' "${problems[@]}" | awk '!seen[$0]++' | paste -sd ';' - | sed 's/;/; /g')
        note "$w: MISMATCH OR FAILURE: $msg (outputs in $tmp/out/$w.*)"
        printf 'check\t%s\t%s\n' "$w" "$msg" >>"$results"
    else
        printf 'check\t%s\tok\n' "$w" >>"$results"
        # Outputs are only kept when something differed.
        rm -f "$tmp/out/$w".*
    fi
    unset ref failed
done
cd "$repo"

# --- Report --------------------------------------------------------------------

# Medians of the timed runs (the warm-up, run 0, is only in the JSON), peak
# RSS as the largest of the timed runs, ratios of the "kestrel" column (and,
# in the JSON, of every Kestrel variant), and geometric means over the
# workloads whose check passed.
awk -F '\t' -v runs="$runs" -v json="$json" -v kestrel="$kestrel_src" -v ksha="$kestrel_sha" -v qemu10="$qemu10" '
function median(list,    n, v, i, j, t) {
    n = split(list, v, " ")
    for (i = 2; i <= n; i++)
        for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function wid(i) { return length(rn[i]) > 8 ? length(rn[i]) : 8 }
function jstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
function jlist(s) { s = s; gsub(/ /, ", ", s); return "[" s "]" }
$1 == "runners" { for (i = 2; i <= NF; i++) { rn[++nr] = $i; if ($i ~ /^kestrel/) kv[++nk] = $i } }
$1 == "skiprunner" { sr[++nsr] = $2; srw[nsr] = $3 }
$1 == "skip" { sw[++nsw] = $2; sww[nsw] = $3 }
$1 == "run" {
    if (!($2 in seen)) { seen[$2] = 1; wl[++nw] = $2 }
    if ($4 == 0) { warm[$2, $3] = $5; next }
    t[$2, $3] = (($2, $3) in t ? t[$2, $3] " " : "") $5
    r[$2, $3] = (($2, $3) in r ? r[$2, $3] " " : "") $6
    if ($6 + 0 > peak[$2, $3]) peak[$2, $3] = $6 + 0
}
$1 == "check" {
    if (!($2 in seen)) { seen[$2] = 1; wl[++nw] = $2 }
    check[$2] = $3
}
END {
    base[1] = "qemu7"; base[2] = "qemu10"; base[3] = "native"
    # Table.
    printf "%-13s", "workload"
    for (i = 1; i <= nr; i++) printf(" %" wid(i) "s", rn[i])
    printf " %9s %9s %9s %10s %10s  %s\n", "k/qemu7", "k/qemu10", "k/native", "qemu7 MB", "kestrel MB", "check"
    for (w = 1; w <= nw; w++) {
        name = wl[w]; ok = (check[name] == "ok")
        printf "%-13s", name
        for (i = 1; i <= nr; i++) {
            if ((name, rn[i]) in t) {
                med[name, rn[i]] = median(t[name, rn[i]])
                printf(" %" wid(i) ".3f", med[name, rn[i]])
            } else {
                printf(" %" wid(i) "s", "fail"); ok = 0
            }
        }
        for (b = 1; b <= 3; b++) {
            if (((name, "kestrel") in med) && ((name, base[b]) in med)) {
                x = med[name, "kestrel"] / (med[name, base[b]] > 0 ? med[name, base[b]] : 0.001)
                printf " %9.2f", x
            } else printf " %9s", "-"
        }
        for (b = 1; b <= 2; b++) {
            rr = (b == 1 ? "qemu7" : "kestrel")
            if ((name, rr) in t) printf " %10.1f", peak[name, rr] / 1024; else printf " %10s", "-"
        }
        printf "  %s\n", check[name]
        good[name] = ok
        if (ok) {
            cnt++
            for (i = 1; i <= nr; i++) lt[rn[i]] += log(med[name, rn[i]] > 0 ? med[name, rn[i]] : 0.001)
            for (k = 1; k <= nk; k++) for (b = 1; b <= 3; b++)
                lr[kv[k], base[b]] += log(med[name, kv[k]] / (med[name, base[b]] > 0 ? med[name, base[b]] : 0.001))
            for (i = 1; i <= nr; i++) lm[rn[i]] += log(peak[name, rn[i]] > 0 ? peak[name, rn[i]] : 1)
        }
    }
    if (cnt > 0) {
        printf "%-13s", "geomean"
        for (i = 1; i <= nr; i++) printf(" %" wid(i) ".3f", exp(lt[rn[i]] / cnt))
        for (b = 1; b <= 3; b++) printf " %9.2f", exp(lr["kestrel", base[b]] / cnt)
        printf " %10.1f %10.1f  (%d workloads)\n", exp(lm["qemu7"] / cnt) / 1024, exp(lm["kestrel"] / cnt) / 1024, cnt
    }
    for (i = 1; i <= nk; i++) if (kv[i] != "kestrel" && cnt > 0) {
        printf "%s: geomean %s/qemu7 %.2f, /qemu10 %.2f, /native %.2f\n", kv[i], kv[i],
            exp(lr[kv[i], "qemu7"] / cnt), exp(lr[kv[i], "qemu10"] / cnt), exp(lr[kv[i], "native"] / cnt)
    }
    for (i = 1; i <= nsr; i++) printf "skipped runner %s: %s\n", sr[i], srw[i]
    for (i = 1; i <= nsw; i++) printf "skipped workload %s: %s\n", sw[i], sww[i]
    if (json == "") exit
    # JSON.
    printf "{\n  \"runs\": %d,\n  \"kestrel\": %s,\n  \"kestrel_sha256\": %s,\n  \"qemu10\": %s,\n", runs, jstr(kestrel), jstr(ksha), jstr(qemu10) >json
    printf "  \"runners\": [" >json
    for (i = 1; i <= nr; i++) printf "%s%s", (i > 1 ? ", " : ""), jstr(rn[i]) >json
    printf "],\n  \"skipped_runners\": {" >json
    for (i = 1; i <= nsr; i++) printf "%s%s: %s", (i > 1 ? ", " : ""), jstr(sr[i]), jstr(srw[i]) >json
    printf "},\n  \"skipped_workloads\": {" >json
    for (i = 1; i <= nsw; i++) printf "%s%s: %s", (i > 1 ? ", " : ""), jstr(sw[i]), jstr(sww[i]) >json
    printf "},\n  \"workloads\": [\n" >json
    for (w = 1; w <= nw; w++) {
        name = wl[w]
        printf "    {\"name\": %s, \"check\": %s, \"ok\": %s,\n", jstr(name), jstr(check[name]), (good[name] ? "true" : "false") >json
        printf "     \"median_s\": {" >json
        sep = ""
        for (i = 1; i <= nr; i++) if ((name, rn[i]) in med) { printf "%s%s: %.6f", sep, jstr(rn[i]), med[name, rn[i]] >json; sep = ", " }
        printf "},\n     \"runs_s\": {" >json
        sep = ""
        for (i = 1; i <= nr; i++) if ((name, rn[i]) in t) { printf "%s%s: %s", sep, jstr(rn[i]), jlist(t[name, rn[i]]) >json; sep = ", " }
        printf "},\n     \"warmup_s\": {" >json
        sep = ""
        for (i = 1; i <= nr; i++) if ((name, rn[i]) in warm) { printf "%s%s: %s", sep, jstr(rn[i]), warm[name, rn[i]] >json; sep = ", " }
        printf "},\n     \"peak_rss_kib\": {" >json
        sep = ""
        for (i = 1; i <= nr; i++) if ((name, rn[i]) in t) { printf "%s%s: %d", sep, jstr(rn[i]), peak[name, rn[i]] >json; sep = ", " }
        printf "},\n     \"rss_runs_kib\": {" >json
        sep = ""
        for (i = 1; i <= nr; i++) if ((name, rn[i]) in r) { printf "%s%s: %s", sep, jstr(rn[i]), jlist(r[name, rn[i]]) >json; sep = ", " }
        printf "},\n     \"ratios\": {" >json
        sep = ""
        for (k = 1; k <= nk; k++) for (b = 1; b <= 3; b++)
            if (((name, kv[k]) in med) && ((name, base[b]) in med)) {
                printf "%s%s: %.4f", sep, jstr(kv[k] "/" base[b]),
                    med[name, kv[k]] / (med[name, base[b]] > 0 ? med[name, base[b]] : 0.001) >json
                sep = ", "
            }
        printf "}}%s\n", (w < nw ? "," : "") >json
    }
    printf "  ],\n  \"geomean\": {\"workloads\": %d", cnt >json
    if (cnt > 0) {
        for (i = 1; i <= nr; i++) printf ", %s: %.6f", jstr(rn[i] "_s"), exp(lt[rn[i]] / cnt) >json
        for (k = 1; k <= nk; k++) for (b = 1; b <= 3; b++)
            printf ", %s: %.4f", jstr(kv[k] "/" base[b]), exp(lr[kv[k], base[b]] / cnt) >json
        for (i = 1; i <= nr; i++) printf ", %s: %.0f", jstr(rn[i] "_peak_rss_kib"), exp(lm[rn[i]] / cnt) >json
    }
    printf "}\n}\n" >json
}' "$results"

[ -z "$json" ] || note "wrote $json"
exit $status
