//! Emission of `Op::Atomic` as one locked host instruction.
//!
//! x86-64's locked instructions are full barriers, which covers every
//! ordering an atomic asks for. A misaligned address (which the guest must
//! see fault, where the host would just split the lock) and, in system
//! mode, a software-TLB miss leave the block with `Raise`, so that the
//! instruction runs in the reference semantics.

use super::super::encode::{cc, regs::*, Alu};
use super::{EmitError, Emitter, MemoryStrategy};
use crate::ir::{AtomicRmw, ExitStatus, Temp};
use crate::mem::soft_tlb;

impl Emitter<'_> {
    /// `Op::Atomic`.
    pub(super) fn atomic(&mut self, rmw: AtomicRmw, size: u8, dst: Temp, addr: Temp, src: Temp, expected: Temp) -> Result<(), EmitError> {
        let d = self.define(dst)?;
        let mut to_slow = Vec::with_capacity(2);
        if size > 0 {
            let ra = self.reg(addr);
            self.a.mov_rr(false, RCX, ra);
            self.a.alu_ri(Alu::And, false, RCX, (1 << size) - 1);
            to_slow.push(self.a.jcc(cc::NE));
        }
        let base = if self.mem == MemoryStrategy::SoftMmu {
            to_slow.push(self.tlb_lookup(addr, 0, 1 << size, soft_tlb::WRITE));
            // CMPXCHG needs RAX for the expected value.
            self.a.mov_rr(true, RDX, RAX);
            RDX
        } else {
            self.reg(addr)
        };
        let (rs, re) = (self.reg(src), self.reg(expected));
        self.note_access();
        match rmw {
            AtomicRmw::Swap => {
                self.a.mov_rr(true, d, rs);
                self.a.xchg_mem(size, d, base, 0);
            }
            AtomicRmw::Add => {
                self.a.mov_rr(true, d, rs);
                self.a.lock_xadd_mem(size, d, base, 0);
            }
            AtomicRmw::Cas => {
                self.a.mov_rr(true, RAX, re);
                self.a.lock_cmpxchg_mem(size, rs, base, 0);
                self.a.mov_rr(true, d, RAX);
            }
        }
        // The value found, zero-extended (a 32-bit move clears the top).
        match size {
            0 | 1 => self.a.extend(8 << size, false, d, d),
            2 => self.a.mov_rr(false, d, d),
            _ => {}
        }
        if !to_slow.is_empty() {
            let done = self.a.jmp();
            for label in to_slow {
                self.a.bind(label);
            }
            self.leave_with(self.insn_pc, ExitStatus::Raise);
            self.a.bind(done);
        }
        Ok(())
    }
}
