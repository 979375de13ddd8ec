//! SSE encodings for the vector IR operations: 128-bit integer operations
//! on XMM registers, loads and stores of CPU state fields.
//!
//! The baseline keeps no value in an XMM register from one IR operation to
//! the next, so the registers are plain numbers here (0-15).

use super::{Asm, Reg};

/// An XMM register number.
pub type Xmm = u8;

/// Opcode bytes after 0x66 0x0F of register-to-register operations
/// `op xmm_dst, xmm_src`.
pub mod op {
    /// Bitwise and.
    pub const PAND: &[u8] = &[0xdb];
    /// `dst = !dst & src`.
    pub const PANDN: &[u8] = &[0xdf];
    /// Bitwise or.
    pub const POR: &[u8] = &[0xeb];
    /// Bitwise exclusive or.
    pub const PXOR: &[u8] = &[0xef];
    /// Lane addition by lane size (bytes 1, 2, 4, 8).
    pub const PADD: [&[u8]; 4] = [&[0xfc], &[0xfd], &[0xfe], &[0xd4]];
    /// Lane subtraction.
    pub const PSUB: [&[u8]; 4] = [&[0xf8], &[0xf9], &[0xfa], &[0xfb]];
    /// Lane equality (64-bit lanes: SSE4.1).
    pub const PCMPEQ: [&[u8]; 4] = [&[0x74], &[0x75], &[0x76], &[0x38, 0x29]];
    /// Signed lane greater-than (64-bit lanes: SSE4.2).
    pub const PCMPGT: [&[u8]; 4] = [&[0x64], &[0x65], &[0x66], &[0x38, 0x37]];
    /// Unsigned lane maximum (8, 16, 32 bits; the wider ones SSE4.1).
    pub const PMAXU: [&[u8]; 3] = [&[0xde], &[0x38, 0x3e], &[0x38, 0x3f]];
    /// Unsigned lane minimum.
    pub const PMINU: [&[u8]; 3] = [&[0xda], &[0x38, 0x3a], &[0x38, 0x3b]];
    /// Signed words to unsigned bytes with saturation: dst's words give
    /// the low 8 bytes, src's the high 8.
    pub const PACKUSWB: &[u8] = &[0x67];
    /// Signed dwords to unsigned words with saturation (SSE4.1).
    pub const PACKUSDW: &[u8] = &[0x38, 0x2b];
    /// Low quadwords: dst.low stays, src.low becomes the high half.
    pub const PUNPCKLQDQ: &[u8] = &[0x6c];
}

/// Logical right shift of every lane by an immediate (lanes of 2, 4, 8
/// bytes): opcode 0x71/0x72/0x73 with /2.
const PSRL_IMM: [u8; 3] = [0x71, 0x72, 0x73];

impl Asm {
    /// `prefix [REX] 0F op modrm` with `reg` in ModRM.reg and `rm` a register.
    fn sse_rr(&mut self, prefix: u8, op: &[u8], reg: u8, rm: u8) {
        self.byte(prefix);
        self.rex(false, reg, rm, false);
        self.byte(0x0f);
        self.bytes(op);
        self.modrm_rr(reg, rm);
    }

    /// `prefix [REX] 0F op modrm` with `reg` in ModRM.reg and `[base + disp]`.
    fn sse_mem(&mut self, prefix: u8, op: &[u8], reg: u8, base: Reg, disp: i32) {
        self.byte(prefix);
        self.rex(false, reg, base.0, false);
        self.byte(0x0f);
        self.bytes(op);
        self.modrm_mem(reg, base, disp);
    }

    /// `movdqu x, [base + disp]`.
    pub fn movdqu_load(&mut self, x: Xmm, base: Reg, disp: i32) {
        self.sse_mem(0xf3, &[0x6f], x, base, disp);
    }

    /// `movdqu [base + disp], x`.
    pub fn movdqu_store(&mut self, base: Reg, disp: i32, x: Xmm) {
        self.sse_mem(0xf3, &[0x7f], x, base, disp);
    }

    /// `movq x, x`: keeps the low 8 bytes and zeroes the high 8.
    pub fn movq_zero_high(&mut self, x: Xmm) {
        self.sse_rr(0xf3, &[0x7e], x, x);
    }

    /// `movdqa dst, src`.
    pub fn movdqa(&mut self, dst: Xmm, src: Xmm) {
        self.sse_rr(0x66, &[0x6f], dst, src);
    }

    /// A 0x66-prefixed operation `op dst, src` (see [`op`]).
    pub fn sse(&mut self, op: &[u8], dst: Xmm, src: Xmm) {
        self.sse_rr(0x66, op, dst, src);
    }

    /// `psrlw/psrld/psrlq x, imm` for lanes of `1 << esize` bytes (esize 1
    /// to 3).
    pub fn psrl_imm(&mut self, esize: u8, x: Xmm, imm: u8) {
        self.sse_rr(0x66, &[PSRL_IMM[esize as usize - 1]], 2, x);
        self.byte(imm);
    }

    /// `pshufd dst, src, order`.
    pub fn pshufd(&mut self, dst: Xmm, src: Xmm, order: u8) {
        self.sse_rr(0x66, &[0x70], dst, src);
        self.byte(order);
    }
}
