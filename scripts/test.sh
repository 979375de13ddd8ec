#!/usr/bin/env bash
# Runs every Kestrel test on this machine, installing what the tests need.
#
#   scripts/test.sh
#
# 1. Host packages (as root, when missing): qemu-user, the reference
#    implementation busybox outputs are compared against; qemu-system-arm
#    and device-tree-compiler, for system mode's device tree.
# 2. cargo build --release, Debian trixie's static qemu-user 10 (cached in
#    .cache/qemu10; the oracle of the differential tester's extension
#    classes), then the whole workspace test suite (unit tests,
#    tier differential test, semantics table, prebuilt test-binaries compared
#    with their recorded reference outputs, CLI and loader error paths).
# 3. Debian's busybox-static:arm64, fetched and cached in .cache/, run under
#    Kestrel and qemu-aarch64 with the outputs compared.
# 3b. System mode: Debian bookworm's cloud and generic arm64 kernels
#    (scripts/fetch-kernels.sh) with a busybox initramfs
#    (scripts/build-initramfs.sh) booted at -smp 1 and 4 by
#    kestrel-system-aarch64 to a shell that checks the CPU count, the RTC
#    and a computation, writes a file to an ext4 virtio-blk disk and powers
#    off; the host then checks the disk (scripts/run-system-boot.sh).
# 4. An arm64 Debian sysroot (debootstrap minbase + python3, built and cached
#    in .cache/sysroot by scripts/fetch-sysroot.sh; needs root the first
#    time): its dynamically linked programs run with -L and their outputs
#    compared with recorded references (tests/sysroot/); its openssl
#    (digests, ciphers, GMAC) and compressors compared with the host's own
#    tools on the same input (host packages installed as root when missing).
# 5. binfmt_misc (root): Kestrel registered under a test name runs AArch64
#    programs executed directly and `chroot SYSROOT /bin/sh` (SKIP without
#    root or binfmt_misc).
# 6. An arm64 Debian root filesystem whose debootstrap second stage and
#    apt-get install (gcc, nodejs, golang-go, openjdk-17, erlang, pip) ran
#    under Kestrel (scripts/build-rootfs.sh, cached in .cache/rootfs; about
#    20 minutes the first time), then the cross-build tasks of
#    scripts/run-rootfs-tasks.sh, each three times.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
command -v qemu-aarch64 >/dev/null || need_pkgs+=(qemu-user)
# System mode's device tree is compared with qemu-system-aarch64's.
command -v qemu-system-aarch64 >/dev/null || need_pkgs+=(qemu-system-arm)
command -v file >/dev/null || need_pkgs+=(file)
command -v gdb-multiarch >/dev/null || need_pkgs+=(gdb-multiarch)
command -v debootstrap >/dev/null || need_pkgs+=(debootstrap)
command -v dtc >/dev/null || need_pkgs+=(device-tree-compiler)
# kestrel-difftest asks binutils which encodings are unallocated.
command -v aarch64-linux-gnu-objdump >/dev/null || need_pkgs+=(binutils-aarch64-linux-gnu)
if ((${#need_pkgs[@]})); then
    if [ "$(id -u)" = 0 ]; then
        echo "== installing ${need_pkgs[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
    else
        echo "error: missing ${need_pkgs[*]} and not root to install them" >&2
        exit 1
    fi
fi

echo "== cargo build --release"
cargo build --release --workspace

echo "== qemu 10 (Debian trixie), the oracle of the Armv8.6+ extension classes"
QEMU10_AARCH64=$(scripts/fetch-qemu10.sh)
export QEMU10_AARCH64

echo "== cargo test --release"
cargo test --release --workspace

echo "== busybox (Debian arm64) under Kestrel vs qemu-aarch64"
scripts/fetch-busybox.sh
KESTREL="$PWD/target/x86_64-unknown-linux-gnu/release/kestrel-aarch64" scripts/run-busybox-compare.sh

echo "== system mode: Debian arm64 kernels boot a busybox initramfs, write an ext4 disk, power off"
scripts/fetch-kernels.sh >/dev/null
scripts/build-initramfs.sh >/dev/null
for boot in "cloud 1 2" "cloud 4 2" "generic 1 2" "generic 4 2" "cloud 4 3"; do
    # shellcheck disable=SC2086
    EMULATOR="$PWD/target/x86_64-unknown-linux-gnu/release/kestrel-system-aarch64" KESTREL_BOOT_TIMEOUT=300 \
        scripts/run-system-boot.sh $boot
done
# -cpu max: a randomised kernel that switches TTBR1 at every exception (KPTI).
EMULATOR="$PWD/target/x86_64-unknown-linux-gnu/release/kestrel-system-aarch64" KESTREL_BOOT_TIMEOUT=60 \
    KESTREL_BOOT_CPU=max KESTREL_BOOT_LOG=.cache/system-boot/cloud-smp4-gicv2-max.log scripts/run-system-boot.sh cloud 4 2

echo "== dynamically linked programs from a Debian arm64 sysroot"
KESTREL="$PWD/target/x86_64-unknown-linux-gnu/release/kestrel-aarch64" scripts/run-sysroot-tests.sh

echo "== openssl, xz, gzip, bzip2 from the sysroot vs the host's"
KESTREL="$PWD/target/x86_64-unknown-linux-gnu/release/kestrel-aarch64" scripts/run-crypto-compress-tests.sh

echo "== binfmt_misc: AArch64 programs executed directly and in a chroot"
KESTREL="$PWD/target/x86_64-unknown-linux-gnu/release/kestrel-aarch64" scripts/test-binfmt.sh

echo "== arm64 Debian root filesystem: second stage and apt-get install under Kestrel"
KESTREL="$PWD/target/x86_64-unknown-linux-gnu/release/kestrel-aarch64" scripts/build-rootfs.sh

echo "== cross-build tasks in it: gcc, node, go, java, erlang, python, pip, openat2, SysV IPC, SIGTERM"
KESTREL="$PWD/target/x86_64-unknown-linux-gnu/release/kestrel-aarch64" scripts/run-rootfs-tasks.sh

echo "== all tests passed"
