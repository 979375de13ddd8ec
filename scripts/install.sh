#!/usr/bin/env bash
# Builds Kestrel (static-pie) and installs it as a drop-in for
# qemu-aarch64-static:
#
#   scripts/install.sh [--prefix DIR] [--destdir DIR] [--no-register]
#
#   $DESTDIR$PREFIX/bin/kestrel-aarch64             the binary (PREFIX: /usr/local)
#   $DESTDIR/usr/lib/binfmt.d/kestrel-aarch64.conf  systemd-binfmt entry, flags
#                                                   POCF, pointing at that binary
#
# Without --destdir and as root it also registers the entry now (systemd-binfmt
# does so at every boot), so `chroot ARM64-ROOT`, `./prog-arm64` and
# `docker run --platform linux/arm64` work at once.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prefix=/usr/local
destdir=
register=1
while (($#)); do
    case $1 in
        --prefix) prefix=$2; shift 2 ;;
        --destdir) destdir=$2; shift 2 ;;
        --no-register) register=0; shift ;;
        *) echo "install.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done
case $prefix in /*) ;; *) echo "install.sh: --prefix must be absolute" >&2; exit 2 ;; esac

(cd "$repo" && cargo build --release -p kestrel-linux-user)
built=$repo/target/x86_64-unknown-linux-gnu/release/kestrel-aarch64
bin=$destdir$prefix/bin/kestrel-aarch64
conf=$destdir/usr/lib/binfmt.d/kestrel-aarch64.conf
install -D -m 0755 "$built" "$bin"
# The entry names the final path ($PREFIX/bin), not the staging one.
line=$("$bin" --binfmt conf | sed "s#:$destdir$prefix/bin/kestrel-aarch64:#:$prefix/bin/kestrel-aarch64:#")
install -d "$(dirname "$conf")"
printf '%s\n' "$line" > "$conf"
echo "installed $bin and $conf"
if [ -z "$destdir" ] && ((register)) && [ "$(id -u)" = 0 ]; then
    "$prefix/bin/kestrel-aarch64" --binfmt register
fi
