//! What `ps` shows for a Kestrel process: the guest's command line.
//!
//! `/proc/PID/cmdline` (which `ps`, `top` and `pgrep -f` read) is the
//! argument block the kernel placed at the top of Kestrel's stack, so a
//! guest started through binfmt_misc would show as
//! `kestrel-aarch64 /bin/sh /bin/sh -c make`, and one re-executed for a guest
//! `execve` as `/proc/self/exe -cpu max -0 sh -- /bin/sh ...`. Like
//! `setproctitle`, Kestrel rewrites that block in place with the guest's argv
//! (it always fits: the guest's arguments are part of Kestrel's own), padded
//! with NULs. Moving the block instead (`PR_SET_MM_ARG_START`) would need
//! CAP_SYS_RESOURCE, which containers usually lack.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Start and end of the block, from the C runtime's `argv` (see [`capture`]).
static AREA_START: AtomicUsize = AtomicUsize::new(0);
static AREA_END: AtomicUsize = AtomicUsize::new(0);

/// Records where the argument strings are. glibc calls `.init_array`
/// functions with `(argc, argv, envp)` before `main`; the strings lie one
/// after the other from `argv[0]` on.
extern "C" fn capture(argc: libc::c_int, argv: *const *const libc::c_char, _envp: *const *const libc::c_char) {
    if argc <= 0 || argv.is_null() {
        return;
    }
    // SAFETY: glibc passes the process's own argv: argc valid C strings.
    unsafe {
        let first = *argv;
        let last = *argv.add(argc as usize - 1);
        if first.is_null() || last.is_null() {
            return;
        }
        let end = last as usize + libc::strlen(last) + 1;
        AREA_START.store(first as usize, Ordering::Relaxed);
        AREA_END.store(end, Ordering::Relaxed);
    }
}

#[used]
#[unsafe(link_section = ".init_array")]
static CAPTURE: extern "C" fn(libc::c_int, *const *const libc::c_char, *const *const libc::c_char) = capture;

/// The block's contents for `args`: NUL-terminated strings, cut to `len`
/// bytes (the last byte always NUL) and padded with NULs.
pub fn block_for(args: &[&[u8]], len: usize) -> Vec<u8> {
    let mut out: Vec<u8> = args.iter().flat_map(|a| a.iter().copied().chain([0])).collect();
    out.resize(len, 0);
    if let Some(last) = out.last_mut() {
        *last = 0;
    }
    out
}

/// Makes the host's view of this process's command line `args`. Call it
/// after Kestrel has read its own arguments (`main` copies them first).
pub fn show(args: &[&[u8]]) {
    let (start, end) = (AREA_START.load(Ordering::Relaxed), AREA_END.load(Ordering::Relaxed));
    if start == 0 || end <= start {
        return;
    }
    let block = block_for(args, end - start);
    // SAFETY: [start, end) is the process's own argument block, writable
    // stack memory that nothing reads after start-up (std::env::args was
    // consumed by main before this).
    unsafe { std::ptr::copy_nonoverlapping(block.as_ptr(), start as *mut u8, block.len()) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_layout() {
        assert_eq!(block_for(&[b"sh", b"-c"], 8), b"sh\0-c\0\0\0");
        // Too long: cut, still NUL-terminated.
        assert_eq!(block_for(&[b"abcdef"], 4), b"abc\0");
    }

    #[test]
    fn captured_at_start_up() {
        assert_ne!(AREA_START.load(Ordering::Relaxed), 0);
        assert!(AREA_END.load(Ordering::Relaxed) > AREA_START.load(Ordering::Relaxed));
    }
}
