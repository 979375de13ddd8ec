//! Locked read-modify-write instructions on memory, for the IR's atomic
//! operations: XCHG (locked by itself), LOCK XADD and LOCK CMPXCHG, on 1,
//! 2, 4 or 8 bytes.

use super::{Asm, Reg};

impl Asm {
    /// `[lock] [66] [REX] op modrm` for a `1 << size`-byte operation of
    /// register `reg` with `[base + disp]`; `op8` is the byte form's opcode.
    fn sized_mem_op(&mut self, lock: bool, size: u8, op8: &[u8], op: &[u8], reg: Reg, base: Reg, disp: i32) {
        if lock {
            self.byte(0xf0);
        }
        if size == 1 {
            self.byte(0x66);
        }
        // SPL, BPL, SIL and DIL need a REX prefix to be named as bytes.
        self.rex(size == 3, reg.0, base.0, size == 0 && (4..8).contains(&reg.0));
        self.bytes(if size == 0 { op8 } else { op });
        self.modrm_mem(reg.0, base, disp);
    }

    /// `xchg [base + disp], reg`.
    pub fn xchg_mem(&mut self, size: u8, reg: Reg, base: Reg, disp: i32) {
        self.sized_mem_op(false, size, &[0x86], &[0x87], reg, base, disp);
    }

    /// `lock xadd [base + disp], reg`.
    pub fn lock_xadd_mem(&mut self, size: u8, reg: Reg, base: Reg, disp: i32) {
        self.sized_mem_op(true, size, &[0x0f, 0xc0], &[0x0f, 0xc1], reg, base, disp);
    }

    /// `lock cmpxchg [base + disp], reg` (compares with RAX/EAX/AX/AL).
    pub fn lock_cmpxchg_mem(&mut self, size: u8, reg: Reg, base: Reg, disp: i32) {
        self.sized_mem_op(true, size, &[0x0f, 0xb0], &[0x0f, 0xb1], reg, base, disp);
    }
}
