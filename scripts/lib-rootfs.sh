# Shared by the scripts that work in the cached arm64 root filesystem
# (sourced, not run): an overlay of it, so the cache is never modified, with
# /proc, a tmpfs /dev/shm (POSIX semaphores, multiprocessing) and the task
# sources of tests/rootfs in /tmp/kestrel-tasks.
#
#   rootfs_overlay ROOTFS DIR REPO   mounts the overlay at DIR/root
#   rootfs_release                   unmounts it (call from an EXIT trap)

rootfs_mounted=()

rootfs_overlay() {
    local lower=$1 dir=$2 repo=$3 root=$2/root
    mkdir -p "$root" "$dir/upper" "$dir/work"
    mount -t overlay overlay -o "lowerdir=$lower,upperdir=$dir/upper,workdir=$dir/work" "$root" || return 1
    rootfs_mounted+=("$root")
    mount -t proc proc "$root/proc" && rootfs_mounted+=("$root/proc")
    mkdir -p "$root/dev/shm"
    mount -t tmpfs tmpfs "$root/dev/shm" && rootfs_mounted+=("$root/dev/shm")
    cp -r "$repo/tests/rootfs" "$root/tmp/kestrel-tasks"
    cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
}

rootfs_release() {
    local i
    for ((i = ${#rootfs_mounted[@]} - 1; i >= 0; i--)); do
        umount -l "${rootfs_mounted[i]}" 2>/dev/null || true
    done
    rootfs_mounted=()
}
