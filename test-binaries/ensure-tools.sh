#!/bin/sh
# Make sure the AArch64 cross compiler and qemu-user are installed.
# On a fresh Debian machine, running as root, they are installed with apt;
# otherwise a missing tool is reported and the script fails.
set -e

missing=""
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || missing="$missing gcc-aarch64-linux-gnu"
command -v qemu-aarch64 >/dev/null 2>&1 || missing="$missing qemu-user"
# bench/run.sh also builds natively for comparison
if [ "${NEED_HOST_GCC:-0}" = 1 ]; then
    command -v gcc >/dev/null 2>&1 || missing="$missing gcc"
fi

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing:$missing" >&2
    apt-get update >&2
    # shellcheck disable=SC2086  # word splitting of the package list is intended
    DEBIAN_FRONTEND=noninteractive apt-get install -y $missing >&2
else
    echo "missing tools (install the packages:$missing)" >&2
    exit 1
fi
