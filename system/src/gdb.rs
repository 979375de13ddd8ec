//! The gdb stub in system mode (`-s`, `-gdb tcp::PORT`, `-S`): the core's
//! (`kestrel::gdb`), with the vCPUs as gdb's threads (thread N is vCPU
//! N - 1) and guest memory read and written through the vCPU's current
//! translation regime, as gdb sees memory on a real board through a JTAG
//! probe.

use std::sync::Arc;

use kestrel::gdb::DebugMemory;
use kestrel::guest::aarch64::mmu;

use crate::machine::Machine;

/// gdb's thread ID of vCPU `index`.
pub fn tid(index: usize) -> u32 {
    index as u32 + 1
}

/// Guest memory for the debugger.
pub struct BoardMemory {
    machine: Arc<Machine>,
}

impl BoardMemory {
    /// Memory of `machine`.
    pub fn new(machine: Arc<Machine>) -> BoardMemory {
        BoardMemory { machine }
    }

    /// Copies between guest virtual memory of vCPU `tid` and `buf`, page by
    /// page; false if any page is not mapped to RAM.
    fn copy(&self, tid: u32, addr: u64, len: usize, mut each: impl FnMut(*mut u8, usize, usize)) -> bool {
        let Some(port) = (tid as usize).checked_sub(1).and_then(|i| self.machine.cpus.get(i)) else { return false };
        let regime = port.regime();
        let mut done = 0;
        while done < len {
            let va = addr.wrapping_add(done as u64);
            let in_page = (4096 - (va & 4095) as usize).min(len - done);
            let Ok(t) = mmu::translate(&self.machine.ram_window, &regime, va, false) else { return false };
            let Some(host) = self.machine.ram_window.host(t.pa, in_page as u64) else { return false };
            each(host, done, in_page);
            done += in_page;
        }
        true
    }
}

impl DebugMemory for BoardMemory {
    fn read(&self, tid: u32, addr: u64, data: &mut [u8]) -> bool {
        let out = data.as_mut_ptr();
        self.copy(tid, addr, data.len(), |host, at, n| {
            // SAFETY: `host` is `n` bytes of guest RAM; `out + at` is inside
            // `data`.
            unsafe { std::ptr::copy_nonoverlapping(host, out.add(at), n) }
        })
    }

    fn write(&self, tid: u32, addr: u64, data: &[u8]) -> bool {
        // Translate everything first, so a fault writes nothing.
        if !self.copy(tid, addr, data.len(), |_, _, _| {}) {
            return false;
        }
        self.copy(tid, addr, data.len(), |host, at, n| {
            // SAFETY: `host` is `n` bytes of guest RAM; `data[at..at + n]`
            // exists.
            unsafe { std::ptr::copy_nonoverlapping(data.as_ptr().add(at), host, n) }
        })
    }
}
