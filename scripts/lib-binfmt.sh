# Shared by the scripts that run AArch64 programs through binfmt_misc
# (sourced, not run). binfmt_misc is system-wide, so one script at a time
# holds it (a lock in the cache directory), and every other handler for
# AArch64 ELF files (qemu-user's, say) is disabled while it does.
#
#   binfmt_take CACHE_DIR           lock, mount binfmt_misc, disable others
#   binfmt_register NAME INTERP FLAGS
#   binfmt_release                  undo all of it (call from an EXIT trap)

binfmt_dir=/proc/sys/fs/binfmt_misc
binfmt_mounted=0
binfmt_disabled=()
binfmt_ours=()

binfmt_take() {
    mkdir -p "$1"
    exec 9>"$1/busybox-compare.lock"
    flock 9
    if [ ! -e "$binfmt_dir/register" ]; then
        mount -t binfmt_misc binfmt_misc "$binfmt_dir" 2>/dev/null || return 1
        binfmt_mounted=1
    fi
    local f magic
    # Other enabled entries taking AArch64 ELF files (magic ... b700 at byte 18).
    for f in "$binfmt_dir"/*; do
        case ${f##*/} in register | status) continue ;; esac
        grep -qx enabled "$f" 2>/dev/null && grep -qx 'offset 0' "$f" || continue
        magic=$(sed -n 's/^magic //p' "$f")
        case $magic in 7f454c460201*) [ "${magic:36:4}" = b700 ] || continue ;; *) continue ;; esac
        echo 0 >"$f"
        binfmt_disabled+=("${f##*/}")
    done
}

# Registers INTERP for AArch64 programs as entry NAME with FLAGS (the magic
# and mask Kestrel's own --binfmt register writes).
binfmt_register() {
    local name=$1 interp=$2 flags=$3
    [ -e "$binfmt_dir/$name" ] && echo -1 >"$binfmt_dir/$name"
    printf ':%s:M::\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:%s:%s' \
        "$name" "$interp" "$flags" >"$binfmt_dir/register"
    binfmt_ours+=("$name")
}

# Removes NAME registered by binfmt_register.
binfmt_unregister() {
    [ -e "$binfmt_dir/$1" ] && echo -1 >"$binfmt_dir/$1"
    return 0
}

binfmt_release() {
    local h
    for h in "${binfmt_ours[@]}"; do
        binfmt_unregister "$h" || true
    done
    for h in "${binfmt_disabled[@]}"; do
        echo 1 >"$binfmt_dir/$h" 2>/dev/null || echo "could not re-enable binfmt entry $h" >&2
    done
    if [ "$binfmt_mounted" -eq 1 ]; then
        umount "$binfmt_dir" 2>/dev/null || true
    fi
    binfmt_ours=()
    binfmt_disabled=()
    binfmt_mounted=0
}
