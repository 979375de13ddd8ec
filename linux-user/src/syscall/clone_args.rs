//! What `clone` and `clone3` ask for, decoded once for both.
//!
//! `clone(flags, newsp, parent_tid, tls, child_tid)` packs the exit signal
//! into the low byte of `flags` and (with `CLONE_PIDFD`) reuses `parent_tid`
//! for the pidfd; `clone3(args, size)` passes a `struct clone_args` (the same
//! on every 64-bit architecture) with a stack base and size instead of a
//! stack pointer. Threads and processes are then made from one request.

use crate::guest_mem;
use crate::mm::AddressSpace;
use nix::errno::Errno;

/// `CSIGNAL`: the exit-signal byte of `clone`'s flags.
pub const CSIGNAL: u64 = 0xff;
/// `CLONE_PIDFD`.
pub const CLONE_PIDFD: u64 = 0x1000;
/// `CLONE_CLEAR_SIGHAND` (clone3 only).
pub const CLONE_CLEAR_SIGHAND: u64 = 1 << 32;
/// `CLONE_INTO_CGROUP` (clone3 only).
pub const CLONE_INTO_CGROUP: u64 = 1 << 33;
/// `sizeof(struct clone_args)` of Linux 5.3, the smallest accepted.
pub const CLONE_ARGS_SIZE_VER0: u64 = 64;

/// One clone request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CloneRequest {
    /// `CLONE_*` flags, without the exit signal.
    pub flags: u64,
    /// Signal sent to the parent when the child ends.
    pub exit_signal: u64,
    /// The child's stack pointer, or 0 to keep the parent's.
    pub stack_pointer: u64,
    /// Where `CLONE_PARENT_SETTID` stores the child's id.
    pub parent_tid: u64,
    /// Where `CLONE_CHILD_SETTID` / `CLONE_CHILD_CLEARTID` point.
    pub child_tid: u64,
    /// `CLONE_SETTLS` value.
    pub tls: u64,
    /// Where `CLONE_PIDFD` stores the new pidfd (a 32-bit int).
    pub pidfd: u64,
}

impl CloneRequest {
    /// From `clone`'s registers (AArch64 order: flags, newsp, ptid, tls, ctid).
    pub fn from_clone(a: [u64; 6]) -> CloneRequest {
        let flags = a[0] & !CSIGNAL;
        CloneRequest {
            flags,
            exit_signal: a[0] & CSIGNAL,
            stack_pointer: a[1],
            parent_tid: a[2],
            tls: a[3],
            child_tid: a[4],
            pidfd: if flags & CLONE_PIDFD != 0 { a[2] } else { 0 },
        }
    }

    /// From `clone3(args, size)`, with the checks Linux makes.
    pub fn from_clone3(mm: &AddressSpace, args: u64, size: u64) -> Result<CloneRequest, Errno> {
        if size < CLONE_ARGS_SIZE_VER0 {
            return Err(Errno::EINVAL);
        }
        if size > 4096 {
            return Err(Errno::E2BIG);
        }
        let bytes = guest_mem::read_bytes(mm, args, size as usize)?;
        let word = |i: usize| {
            bytes.get(i * 8..i * 8 + 8).map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
        };
        // Fields after cgroup (index 10) are from a newer kernel: must be 0.
        if bytes.len() > 88 && bytes[88..].iter().any(|&b| b != 0) {
            return Err(Errno::E2BIG);
        }
        let (flags, pidfd, child_tid, parent_tid, exit_signal) = (word(0), word(1), word(2), word(3), word(4));
        let (stack, stack_size, tls, set_tid, set_tid_size) = (word(5), word(6), word(7), word(8), word(9));
        if flags & CSIGNAL != 0 || exit_signal > 64 || (stack == 0) != (stack_size == 0) {
            return Err(Errno::EINVAL);
        }
        // Choosing the child's pid (checkpoint/restore) and starting it in
        // another cgroup are not offered.
        if set_tid != 0 || set_tid_size != 0 || flags & CLONE_INTO_CGROUP != 0 {
            return Err(Errno::EINVAL);
        }
        Ok(CloneRequest {
            flags,
            exit_signal,
            stack_pointer: if stack == 0 { 0 } else { stack.wrapping_add(stack_size) },
            parent_tid,
            child_tid,
            tls,
            pidfd: if flags & CLONE_PIDFD != 0 { pidfd } else { 0 },
        })
    }

    /// True for a new thread in this process (shared memory, no vfork).
    pub fn is_thread(&self) -> bool {
        self.flags & libc::CLONE_VM as u64 != 0 && self.flags & libc::CLONE_VFORK as u64 == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clone_registers() {
        let r = CloneRequest::from_clone([0x1200011, 0x1000, 0x2000, 0x3000, 0x4000, 0]);
        assert_eq!(r.exit_signal, 17);
        assert_eq!(r.flags, 0x1200000);
        assert_eq!((r.stack_pointer, r.parent_tid, r.tls, r.child_tid), (0x1000, 0x2000, 0x3000, 0x4000));
        assert_eq!(r.pidfd, 0);
        let r = CloneRequest::from_clone([CLONE_PIDFD | 17, 0, 0x2000, 0, 0, 0]);
        assert_eq!(r.pidfd, 0x2000);
    }

    #[test]
    fn clone3_struct() {
        let mut mm = AddressSpace::new();
        let mut buf = vec![0u64; 11];
        buf[0] = libc::CLONE_VM as u64 | libc::CLONE_THREAD as u64 | libc::CLONE_SIGHAND as u64;
        buf[3] = 0x1111; // parent_tid
        buf[5] = 0x7000_0000; // stack
        buf[6] = 0x10000; // stack_size
        buf[7] = 0x2222; // tls
        let addr = buf.as_ptr() as u64;
        mm.insert(addr & !4095, (addr + 88 + 4095) & !4095, libc::PROT_READ, libc::MAP_PRIVATE, crate::mm::MappingKind::Anonymous);
        let r = CloneRequest::from_clone3(&mm, addr, 88).unwrap();
        assert!(r.is_thread());
        assert_eq!((r.stack_pointer, r.parent_tid, r.tls), (0x7001_0000, 0x1111, 0x2222));
        assert_eq!(CloneRequest::from_clone3(&mm, addr, 32), Err(Errno::EINVAL));
        buf[0] |= 17; // an exit signal in the flags is refused
        assert_eq!(CloneRequest::from_clone3(&mm, addr, 88), Err(Errno::EINVAL));
        buf[0] &= !0xff;
        buf[6] = 0; // a stack without a size
        assert_eq!(CloneRequest::from_clone3(&mm, addr, 88), Err(Errno::EINVAL));
    }
}
