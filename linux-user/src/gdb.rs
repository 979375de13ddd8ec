//! The gdb stub (`-g PORT`, `KESTREL_GDB`, `QEMU_GDB`): the core's
//! (`kestrel::gdb`) with guest memory as this process maps it.

pub use kestrel::gdb::{attached, checkpoint, in_syscall, lock_for_fork, process_exiting, step_done, thread_ended, thread_started};

/// The process's guest memory for the debugger: identity-mapped, checked
/// against the guest's mappings.
struct UserMemory;

fn mapped(addr: u64, len: usize, write: bool) -> bool {
    let access = if write { crate::mm::Access::Write } else { crate::mm::Access::Read };
    crate::threads::published().is_some_and(|shared| shared.with_process(|p| p.mm.check(addr, len as u64, access)))
}

impl kestrel::gdb::DebugMemory for UserMemory {
    fn read(&self, _tid: u32, addr: u64, data: &mut [u8]) -> bool {
        if !mapped(addr, data.len(), false) {
            return false;
        }
        // SAFETY: the range is readable guest memory (checked above), which
        // is host memory at the same address.
        unsafe { std::ptr::copy_nonoverlapping(addr as *const u8, data.as_mut_ptr(), data.len()) };
        true
    }

    /// gdb writes to code too (patching, breakpoints it inserts itself):
    /// like ptrace, a private read-only mapping is made writable for the
    /// copy and restored; shared read-only ones (the file itself) are not
    /// written. Under the process lock, so nothing unmaps it meanwhile.
    fn write(&self, _tid: u32, start: u64, data: &[u8]) -> bool {
        let Some(shared) = crate::threads::published() else { return false };
        shared.with_process(|p| {
            let len = data.len() as u64;
            if p.mm.check(start, len, crate::mm::Access::Write) {
                // SAFETY: writable guest memory (checked just now, under the lock).
                unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), start as *mut u8, data.len()) };
                return true;
            }
            let Some(m) = p.mm.find(start) else { return false };
            if m.flags & libc::MAP_SHARED != 0 || start + len > m.end || !p.mm.check(start, len, crate::mm::Access::Read) {
                return false;
            }
            let page = start & !4095;
            let span = ((start + len + 4095) & !4095) - page;
            // SAFETY: pages of one private guest mapping; protection restored below.
            if unsafe { libc::mprotect(page as *mut _, span as usize, libc::PROT_READ | libc::PROT_WRITE) } != 0 {
                return false;
            }
            // SAFETY: mapped and writable now.
            unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), start as *mut u8, data.len()) };
            // SAFETY: back to the mapping's own protection.
            unsafe { libc::mprotect(page as *mut _, span as usize, crate::host_mem::host_prot(m.prot)) };
            true
        })
    }
}

/// Waits for gdb on `port` and starts the stub (the guest stays stopped at
/// its first instruction until gdb resumes it).
pub fn start(port: u16) -> std::io::Result<()> {
    kestrel::gdb::start(port, Box::new(UserMemory), "kestrel")
}
