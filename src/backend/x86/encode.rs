//! A small x86-64 instruction encoder: exactly the forms the baseline
//! backend emits, written straight into a byte buffer.
//!
//! Memory operands are always `[base + disp]` (disp8 when it fits, else
//! disp32), with the SIB byte RSP and R12 need as a base. 32-bit forms zero
//! the upper half of the destination, as the hardware does.

/// A general-purpose register (hardware number 0..15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reg(pub u8);

/// The registers by name.
#[allow(missing_docs)]
pub mod regs {
    use super::Reg;
    pub const RAX: Reg = Reg(0);
    pub const RCX: Reg = Reg(1);
    pub const RDX: Reg = Reg(2);
    pub const RBX: Reg = Reg(3);
    pub const RSP: Reg = Reg(4);
    pub const RBP: Reg = Reg(5);
    pub const RSI: Reg = Reg(6);
    pub const RDI: Reg = Reg(7);
    pub const R8: Reg = Reg(8);
    pub const R9: Reg = Reg(9);
    pub const R10: Reg = Reg(10);
    pub const R11: Reg = Reg(11);
    pub const R12: Reg = Reg(12);
    pub const R13: Reg = Reg(13);
    pub const R14: Reg = Reg(14);
    pub const R15: Reg = Reg(15);
}

/// Condition codes (the low nibble of Jcc/SETcc/CMOVcc).
#[allow(missing_docs)]
pub mod cc {
    pub const O: u8 = 0x0;
    pub const NO: u8 = 0x1;
    pub const B: u8 = 0x2;
    pub const AE: u8 = 0x3;
    pub const E: u8 = 0x4;
    pub const NE: u8 = 0x5;
    pub const BE: u8 = 0x6;
    pub const A: u8 = 0x7;
    pub const S: u8 = 0x8;
    pub const NS: u8 = 0x9;
    pub const L: u8 = 0xc;
    pub const GE: u8 = 0xd;
    pub const LE: u8 = 0xe;
    pub const G: u8 = 0xf;
}

/// The eight classic ALU operations (their `/digit` in opcode 0x81).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Alu {
    Add = 0,
    Or = 1,
    Adc = 2,
    Sbb = 3,
    And = 4,
    Sub = 5,
    Xor = 6,
    Cmp = 7,
}

/// Shift and rotate operations (their `/digit` in opcodes 0xC1/0xD3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ShiftOp {
    Rol = 0,
    Ror = 1,
    Shl = 4,
    Shr = 5,
    Sar = 7,
}

/// Operations of the 0xF7 group that take one register operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Unary {
    Not = 2,
    Neg = 3,
    /// rdx:rax = rax * r (unsigned).
    Mul = 4,
    /// rdx:rax = rax * r (signed).
    Imul = 5,
    /// rax = rdx:rax / r, rdx = remainder (unsigned).
    Div = 6,
    /// Signed division.
    Idiv = 7,
}

/// A forward jump whose target is not known yet.
#[derive(Debug, Clone, Copy)]
pub struct Label {
    /// Offset of the rel32 field.
    field: usize,
}

mod atomic;
pub mod sse;

/// The output buffer.
#[derive(Default)]
pub struct Asm {
    /// Encoded bytes.
    pub buf: Vec<u8>,
}

impl Asm {
    /// Current offset.
    pub fn pos(&self) -> usize {
        self.buf.len()
    }

    fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }

    fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }

    /// REX prefix for `reg` (ModRM.reg) and `rm` (ModRM.rm or base); emitted
    /// when needed, or always with `force` (byte registers SPL..DIL).
    fn rex(&mut self, w: bool, reg: u8, rm: u8, force: bool) {
        let r = (w as u8) << 3 | ((reg >> 3) & 1) << 2 | ((rm >> 3) & 1);
        if r != 0 || force {
            self.byte(0x40 | r);
        }
    }

    fn modrm_rr(&mut self, reg: u8, rm: u8) {
        self.byte(0xc0 | (reg & 7) << 3 | (rm & 7));
    }

    /// ModRM (+SIB) (+disp) for `[base + disp]`.
    fn modrm_mem(&mut self, reg: u8, base: Reg, disp: i32) {
        let b = base.0 & 7;
        let short = i8::try_from(disp).is_ok();
        self.byte(if short { 0x40 } else { 0x80 } | (reg & 7) << 3 | b);
        if b == 4 {
            self.byte(0x24);
        }
        if short {
            self.byte(disp as i8 as u8);
        } else {
            self.u32(disp as u32);
        }
    }

    /// `op r/m, r` in register form: opcode, dst in rm, src in reg.
    fn rr(&mut self, w: bool, op: &[u8], reg: Reg, rm: Reg) {
        self.rex(w, reg.0, rm.0, false);
        self.bytes(op);
        self.modrm_rr(reg.0, rm.0);
    }

    fn rm(&mut self, w: bool, op: &[u8], reg: Reg, base: Reg, disp: i32) {
        self.rex(w, reg.0, base.0, false);
        self.bytes(op);
        self.modrm_mem(reg.0, base, disp);
    }

    /// `mov dst, src` (64 bits, or 32 zero-extending).
    pub fn mov_rr(&mut self, w: bool, dst: Reg, src: Reg) {
        self.rr(w, &[0x89], src, dst);
    }

    /// `mov dst, imm` in the shortest form that does not touch the flags.
    /// `mov dst, imm64` in its 10-byte form whatever the value, so that the
    /// 8 bytes ending at `pos()` can be rewritten with another value.
    pub fn mov_abs(&mut self, dst: Reg, imm: u64) {
        self.rex(true, 0, dst.0, false);
        self.byte(0xb8 + (dst.0 & 7));
        self.bytes(&imm.to_le_bytes());
    }

    /// `mov dst, imm` in the shortest form.
    pub fn mov_ri(&mut self, dst: Reg, imm: u64) {
        if imm <= u32::MAX as u64 {
            self.rex(false, 0, dst.0, false);
            self.byte(0xb8 + (dst.0 & 7));
            self.u32(imm as u32);
        } else if (imm as i64) >= i32::MIN as i64 && (imm as i64) < 0 {
            self.rex(true, 0, dst.0, false);
            self.byte(0xc7);
            self.modrm_rr(0, dst.0);
            self.u32(imm as u32);
        } else {
            self.rex(true, 0, dst.0, false);
            self.byte(0xb8 + (dst.0 & 7));
            self.bytes(&imm.to_le_bytes());
        }
    }

    /// Load of `1 << size` bytes from `[base + disp]` into `dst`, zero- or
    /// sign-extended to 64 bits.
    pub fn load(&mut self, size: u8, signed: bool, dst: Reg, base: Reg, disp: i32) {
        match (size, signed) {
            (0, false) => self.rm(false, &[0x0f, 0xb6], dst, base, disp),
            (0, true) => self.rm(true, &[0x0f, 0xbe], dst, base, disp),
            (1, false) => self.rm(false, &[0x0f, 0xb7], dst, base, disp),
            (1, true) => self.rm(true, &[0x0f, 0xbf], dst, base, disp),
            (2, false) => self.rm(false, &[0x8b], dst, base, disp),
            (2, true) => self.rm(true, &[0x63], dst, base, disp),
            _ => self.rm(true, &[0x8b], dst, base, disp),
        }
    }

    /// Store of the low `1 << size` bytes of `src` to `[base + disp]`.
    pub fn store(&mut self, size: u8, base: Reg, disp: i32, src: Reg) {
        match size {
            0 => {
                // SPL, BPL, SIL and DIL need a REX prefix to be addressed.
                self.rex(false, src.0, base.0, src.0 >= 4);
                self.byte(0x88);
                self.modrm_mem(src.0, base, disp);
            }
            1 => {
                self.byte(0x66);
                self.rm(false, &[0x89], src, base, disp);
            }
            2 => self.rm(false, &[0x89], src, base, disp),
            _ => self.rm(true, &[0x89], src, base, disp),
        }
    }

    /// `mov qword [base + disp], simm32`.
    pub fn store_imm(&mut self, base: Reg, disp: i32, imm: i32) {
        self.rm(true, &[0xc7], Reg(0), base, disp);
        self.u32(imm as u32);
    }

    /// `op dst, src`.
    pub fn alu_rr(&mut self, op: Alu, w: bool, dst: Reg, src: Reg) {
        self.rr(w, &[(op as u8) << 3 | 1], src, dst);
    }

    /// `op dst, simm32`.
    pub fn alu_ri(&mut self, op: Alu, w: bool, dst: Reg, imm: i32) {
        self.rex(w, 0, dst.0, false);
        if let Ok(i) = i8::try_from(imm) {
            self.byte(0x83);
            self.modrm_rr(op as u8, dst.0);
            self.byte(i as u8);
        } else {
            self.byte(0x81);
            self.modrm_rr(op as u8, dst.0);
            self.u32(imm as u32);
        }
    }

    /// `op dst, [base + disp]`.
    pub fn alu_rm(&mut self, op: Alu, w: bool, dst: Reg, base: Reg, disp: i32) {
        self.rm(w, &[(op as u8) << 3 | 3], dst, base, disp);
    }

    /// `op (q|d)word [base + disp], simm8`.
    pub fn alu_mi8(&mut self, op: Alu, w: bool, base: Reg, disp: i32, imm: i8) {
        self.rm(w, &[0x83], Reg(op as u8), base, disp);
        self.byte(imm as u8);
    }

    /// `and dst8, byte [base + disp]` (byte registers of RAX..RBX only).
    pub fn and_r8_m(&mut self, dst: Reg, base: Reg, disp: i32) {
        debug_assert!(dst.0 < 4);
        self.rm(false, &[0x22], dst, base, disp);
    }

    /// `or dst8, src8` (byte registers of RAX..RBX only).
    pub fn or_r8_r8(&mut self, dst: Reg, src: Reg) {
        debug_assert!(dst.0 < 4 && src.0 < 4);
        self.rr(false, &[0x08], src, dst);
    }

    /// `test a, b`.
    pub fn test_rr(&mut self, w: bool, a: Reg, b: Reg) {
        self.rr(w, &[0x85], b, a);
    }

    /// Shift or rotate by a constant.
    pub fn shift_ri(&mut self, op: ShiftOp, w: bool, dst: Reg, amount: u8) {
        self.rex(w, 0, dst.0, false);
        self.byte(0xc1);
        self.modrm_rr(op as u8, dst.0);
        self.byte(amount);
    }

    /// Shift or rotate by CL (the hardware masks it to the width).
    pub fn shift_rcl(&mut self, op: ShiftOp, w: bool, dst: Reg) {
        self.rex(w, 0, dst.0, false);
        self.byte(0xd3);
        self.modrm_rr(op as u8, dst.0);
    }

    /// `imul dst, src` (low half).
    pub fn imul_rr(&mut self, w: bool, dst: Reg, src: Reg) {
        self.rr(w, &[0x0f, 0xaf], dst, src);
    }

    /// One of the 0xF7 group on a register.
    pub fn unary(&mut self, op: Unary, w: bool, r: Reg) {
        self.rex(w, 0, r.0, false);
        self.byte(0xf7);
        self.modrm_rr(op as u8, r.0);
    }

    /// `cqo` (64) or `cdq` (32): sign-extend rax into rdx.
    pub fn sign_extend_rax(&mut self, w: bool) {
        if w {
            self.byte(0x48);
        }
        self.byte(0x99);
    }

    /// `bswap r`.
    pub fn bswap(&mut self, w: bool, r: Reg) {
        self.rex(w, 0, r.0, false);
        self.bytes(&[0x0f, 0xc8 + (r.0 & 7)]);
    }

    /// `bsr dst, src` (ZF set when src is zero).
    pub fn bsr(&mut self, w: bool, dst: Reg, src: Reg) {
        self.rr(w, &[0x0f, 0xbd], dst, src);
    }

    /// Zero- or sign-extension of the low `bits` (8, 16, 32) of `src` to 64 bits.
    pub fn extend(&mut self, bits: u8, signed: bool, dst: Reg, src: Reg) {
        match (bits, signed) {
            (8, false) => {
                self.rex(false, dst.0, src.0, src.0 >= 4);
                self.bytes(&[0x0f, 0xb6]);
                self.modrm_rr(dst.0, src.0);
            }
            (8, true) => {
                self.rex(true, dst.0, src.0, false);
                self.bytes(&[0x0f, 0xbe]);
                self.modrm_rr(dst.0, src.0);
            }
            (16, false) => self.rr(false, &[0x0f, 0xb7], dst, src),
            (16, true) => self.rr(true, &[0x0f, 0xbf], dst, src),
            (_, false) => self.mov_rr(false, dst, src),
            (_, true) => self.rr(true, &[0x63], dst, src),
        }
    }

    /// `setcc r8`.
    pub fn setcc(&mut self, cond: u8, r: Reg) {
        self.rex(false, 0, r.0, r.0 >= 4);
        self.bytes(&[0x0f, 0x90 | cond]);
        self.modrm_rr(0, r.0);
    }

    /// `cmovcc dst, src`.
    pub fn cmov(&mut self, cond: u8, w: bool, dst: Reg, src: Reg) {
        self.rr(w, &[0x0f, 0x40 | cond], dst, src);
    }

    /// `lea dst, [base + disp]`.
    pub fn lea(&mut self, dst: Reg, base: Reg, disp: i32) {
        self.rm(true, &[0x8d], dst, base, disp);
    }

    /// `lea dst, [rip + rel]`, where `target` is an offset in this buffer.
    pub fn lea_rip(&mut self, dst: Reg, target: usize) {
        self.rex(true, dst.0, 0, false);
        self.byte(0x8d);
        self.byte(0x05 | (dst.0 & 7) << 3);
        let end = self.pos() + 4;
        self.u32((target as i64 - end as i64) as u32);
    }

    /// `lea dst, [rip + rel]`, where `target` is an offset from the start of
    /// this buffer, possibly negative; the rel32 field is the last 4 bytes.
    pub fn lea_rip_signed(&mut self, dst: Reg, target: i64) {
        self.rex(true, dst.0, 0, false);
        self.byte(0x8d);
        self.byte(0x05 | (dst.0 & 7) << 3);
        let end = self.pos() + 4;
        self.u32((target - end as i64) as u32);
    }

    /// `cmp dword [base], 0`.
    pub fn cmp_m32_zero(&mut self, base: Reg) {
        self.rm(false, &[0x83], Reg(7), base, 0);
        self.byte(0);
    }

    /// `sub dword [base], 1` (sets ZF from the result).
    pub fn dec_m32(&mut self, base: Reg) {
        self.rm(false, &[0x83], Reg(5), base, 0);
        self.byte(1);
    }

    /// `cmp dword [base + disp32], 0`, always 7 bytes with a base other than
    /// RSP/R12, so that it can be overwritten by a 5-byte jump.
    pub fn cmp_m32_zero_wide(&mut self, base: Reg, disp: i32) {
        debug_assert!(base.0 & 7 != 4 && base.0 < 8);
        self.byte(0x83);
        self.byte(0x80 | (7 << 3) | (base.0 & 7));
        self.u32(disp as u32);
        self.byte(0);
    }

    /// `jmp rel32` to a label bound later.
    pub fn jmp(&mut self) -> Label {
        self.byte(0xe9);
        let field = self.pos();
        self.u32(0);
        Label { field }
    }

    /// `jcc rel32` to a label bound later.
    pub fn jcc(&mut self, cond: u8) -> Label {
        self.bytes(&[0x0f, 0x80 | cond]);
        let field = self.pos();
        self.u32(0);
        Label { field }
    }

    /// Points a forward jump at the current offset.
    pub fn bind(&mut self, label: Label) {
        self.bind_to(label, self.pos());
    }

    /// Points a jump at buffer offset `target`.
    pub fn bind_to(&mut self, label: Label, target: usize) {
        let rel = (target as i64 - (label.field as i64 + 4)) as u32;
        self.buf[label.field..label.field + 4].copy_from_slice(&rel.to_le_bytes());
    }

    /// Offset of a jump's rel32 field (a chain site).
    pub fn field(label: Label) -> usize {
        label.field
    }

    /// `jmp qword [base + disp]`.
    pub fn jmp_mem(&mut self, base: Reg, disp: i32) {
        self.rm(false, &[0xff], Reg(4), base, disp);
    }

    /// `jmp r`.
    pub fn jmp_r(&mut self, r: Reg) {
        self.rex(false, 0, r.0, false);
        self.byte(0xff);
        self.modrm_rr(4, r.0);
    }

    /// `call r`.
    pub fn call_r(&mut self, r: Reg) {
        self.rex(false, 0, r.0, false);
        self.byte(0xff);
        self.modrm_rr(2, r.0);
    }

    /// `push r`.
    pub fn push(&mut self, r: Reg) {
        self.rex(false, 0, r.0, false);
        self.byte(0x50 + (r.0 & 7));
    }

    /// `pop r`.
    pub fn pop(&mut self, r: Reg) {
        self.rex(false, 0, r.0, false);
        self.byte(0x58 + (r.0 & 7));
    }

    /// `ret`.
    pub fn ret(&mut self) {
        self.byte(0xc3);
    }

    /// `mfence`.
    pub fn mfence(&mut self) {
        self.bytes(&[0x0f, 0xae, 0xf0]);
    }

    /// One-byte NOPs until the offset is a multiple of `align` plus `skew`.
    pub fn align(&mut self, align: usize, skew: usize) {
        while self.pos() % align != skew % align {
            self.byte(0x90);
        }
    }
}

#[cfg(test)]
mod tests;
