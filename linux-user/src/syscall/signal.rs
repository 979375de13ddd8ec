//! Signal system calls. The guest's settings are recorded in
//! [`crate::signals::SignalState`] and reflected on the host as described
//! there; delivery into guest code is not implemented yet.

use super::host::SysResult;
use crate::guest_mem;
use crate::process::Process;
use crate::signals::{self, AltStack, GuestSigaction, MINSIGSTKSZ, NSIG, SS_AUTODISARM, SS_DISABLE, SS_ONSTACK};
use nix::errno::Errno;

/// Size of the guest's kernel sigset_t.
const SIGSET_SIZE: u64 = 8;

fn check_signal(sig: u64) -> Result<usize, Errno> {
    if sig == 0 || sig > NSIG as u64 {
        return Err(Errno::EINVAL);
    }
    Ok(sig as usize)
}

/// `rt_sigaction(sig, act, oldact, sigsetsize)`.
pub fn rt_sigaction(proc: &mut Process, sig: u64, act: u64, oldact: u64, size: u64) -> SysResult {
    if size != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let sig = check_signal(sig)?;
    let new = if act != 0 {
        if sig == libc::SIGKILL as usize || sig == libc::SIGSTOP as usize {
            return Err(Errno::EINVAL);
        }
        let bytes = guest_mem::read_bytes(&proc.mm, act, GuestSigaction::SIZE)?;
        Some(GuestSigaction::from_bytes(&bytes))
    } else {
        None
    };
    let old = proc.signals.actions[sig - 1];
    if oldact != 0 {
        guest_mem::write_bytes(&proc.mm, oldact, &old.to_bytes())?;
    }
    if let Some(mut action) = new {
        action.mask &= !signals::unblockable();
        proc.signals.actions[sig - 1] = action;
        signals::apply_host_disposition(sig, &action);
    }
    Ok(0)
}

/// `rt_sigprocmask(how, set, oldset, sigsetsize)`.
pub fn rt_sigprocmask(proc: &mut Process, how: u64, set: u64, oldset: u64, size: u64) -> SysResult {
    if size != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let old = proc.signals.mask;
    let new = if set != 0 {
        let requested = guest_mem::read_u64(&proc.mm, set)?;
        let mask = match how as i32 {
            libc::SIG_BLOCK => old | requested,
            libc::SIG_UNBLOCK => old & !requested,
            libc::SIG_SETMASK => requested,
            _ => return Err(Errno::EINVAL),
        };
        Some(mask & !signals::unblockable())
    } else {
        None
    };
    if oldset != 0 {
        guest_mem::write_u64(&proc.mm, oldset, old)?;
    }
    if let Some(mask) = new {
        proc.signals.mask = mask;
        signals::apply_host_mask(mask);
    }
    Ok(0)
}

/// `rt_sigpending(set, sigsetsize)`.
pub fn rt_sigpending(proc: &Process, set: u64, size: u64) -> SysResult {
    if size != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let pending = (signals::host_pending() | signals::peek_pending()) & proc.signals.mask;
    guest_mem::write_u64(&proc.mm, set, pending)?;
    Ok(0)
}

/// Size of `stack_t` (sp, flags + padding, size).
const STACK_T_SIZE: usize = 24;

fn encode_stack(s: &AltStack) -> [u8; STACK_T_SIZE] {
    let mut out = [0u8; STACK_T_SIZE];
    out[0..8].copy_from_slice(&s.sp.to_le_bytes());
    out[8..12].copy_from_slice(&s.flags.to_le_bytes());
    out[16..24].copy_from_slice(&s.size.to_le_bytes());
    out
}

/// `sigaltstack(ss, old_ss)`: recorded for signal delivery.
pub fn sigaltstack(proc: &mut Process, ss: u64, old: u64) -> SysResult {
    let current = proc.signals.altstack;
    let new = if ss != 0 {
        let b = guest_mem::read_bytes(&proc.mm, ss, STACK_T_SIZE)?;
        let sp = u64::from_le_bytes(b[0..8].try_into().unwrap_or([0; 8]));
        let flags = i32::from_le_bytes(b[8..12].try_into().unwrap_or([0; 4]));
        let size = u64::from_le_bytes(b[16..24].try_into().unwrap_or([0; 8]));
        let mode = flags & !SS_AUTODISARM;
        if mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK {
            return Err(Errno::EINVAL);
        }
        if mode == SS_DISABLE {
            Some(AltStack { sp: 0, flags: SS_DISABLE, size: 0 })
        } else {
            if size < MINSIGSTKSZ {
                return Err(Errno::ENOMEM);
            }
            Some(AltStack { sp, flags: flags & SS_AUTODISARM, size })
        }
    } else {
        None
    };
    if old != 0 {
        guest_mem::write_bytes(&proc.mm, old, &encode_stack(&current))?;
    }
    if let Some(s) = new {
        proc.signals.altstack = s;
    }
    Ok(0)
}
