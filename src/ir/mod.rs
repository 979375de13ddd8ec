//! Kestrel IR: what every guest frontend lowers a block to, and what every
//! backend compiles.
//!
//! A block of IR is a straight list of [`Op`]s ending in one [`Exit`]. Values
//! live in numbered temporaries ([`Temp`]), each written once; a temporary
//! always holds 64 bits, and an operation of [`Width::W32`] reads the low 32
//! bits of its inputs and produces a zero-extended result (the AArch64 rule
//! for W registers, and what x86-64's 32-bit operations do anyway).
//!
//! Guest state is reached only through [`Op::Get`] and [`Op::Put`] on a
//! [`Field`] (a byte offset into the guest's CPU state), so a backend may keep
//! state in host registers as long as every `Put` is visible before an
//! operation that can fault or call out. Guest memory is reached only through
//! [`Op::Load`] and [`Op::Store`]; how those reach host memory is the
//! backend's memory strategy (user mode: host address = guest address).
//!
//! Operations that can fault or leave the block early ([`Op::Load`],
//! [`Op::Store`], [`Op::Interp`], [`Op::CallPure`] does not) are preceded in
//! program order by every `Put` of earlier guest instructions, and a
//! frontend emits all of one instruction's loads before any of its `Put`s, so
//! the guest state is exact at a fault.

pub mod forward;
mod print;

/// A temporary: the result of one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Temp(pub u32);

/// An operand: a temporary or a 64-bit constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Src {
    /// The value of a temporary.
    T(Temp),
    /// A constant (for `W32` operations only its low 32 bits count).
    Imm(u64),
}

impl From<Temp> for Src {
    fn from(t: Temp) -> Src {
        Src::T(t)
    }
}

impl From<u64> for Src {
    fn from(v: u64) -> Src {
        Src::Imm(v)
    }
}

/// Operation width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// 32 bits, result zero-extended to 64.
    W32,
    /// 64 bits.
    W64,
}

impl Width {
    /// `W64` when `sf` (the A64 "sixty-four" bit) is set.
    pub fn from_sf(sf: bool) -> Width {
        if sf {
            Width::W64
        } else {
            Width::W32
        }
    }
    /// Number of bits.
    pub fn bits(self) -> u32 {
        match self {
            Width::W32 => 32,
            Width::W64 => 64,
        }
    }
}

/// A guest state field: a byte offset into the frontend's CPU state struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Field(pub i32);

/// Two-operand integer operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// Wrapping addition.
    Add,
    /// Wrapping subtraction.
    Sub,
    /// Bitwise and.
    And,
    /// Bitwise or.
    Or,
    /// Bitwise exclusive or.
    Xor,
    /// Shift left; the amount is taken modulo the width.
    Shl,
    /// Logical shift right; amount modulo the width.
    Lshr,
    /// Arithmetic shift right; amount modulo the width.
    Ashr,
    /// Rotate right; amount modulo the width.
    Ror,
    /// Wrapping multiplication (low half).
    Mul,
    /// High 64 bits of the unsigned 128-bit product (`W64` only).
    UMulHi,
    /// High 64 bits of the signed 128-bit product (`W64` only).
    SMulHi,
    /// Unsigned division; division by zero gives 0.
    UDiv,
    /// Signed division rounding towards zero; by zero gives 0, and the most
    /// negative value divided by -1 gives itself.
    SDiv,
}

/// One-operand integer operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    /// Bitwise not.
    Not,
    /// Two's complement negation.
    Neg,
    /// Count of leading zero bits (the width when zero).
    Clz,
    /// Byte swap of the whole width.
    Bswap,
}

/// Pure functions of two 64-bit values implemented in Rust, for operations
/// too rare to earn host code of their own. They never fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PureFn {
    /// Bit reversal of the low `b` (32 or 64) bits of `a`.
    ReverseBits,
    /// Count of leading sign bits of `a` at width `b` (32 or 64).
    LeadingSignBits,
}

/// Lane-wise operations on 128-bit SIMD&FP state fields ([`Op::Vec`]).
/// A comparison sets a lane to all ones where it holds and to zero where
/// not; `a` is the left operand (`CmpGtS`: a > b, signed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VecOp {
    /// `a & b` (bitwise: the lane size does not matter).
    And,
    /// `a & !b`.
    AndNot,
    /// `a | b`.
    Or,
    /// `a | !b`.
    OrNot,
    /// `a ^ b`.
    Xor,
    /// Wrapping addition.
    Add,
    /// Wrapping subtraction.
    Sub,
    /// `a == b`.
    CmpEq,
    /// `a > b`, signed.
    CmpGtS,
    /// `a >= b`, signed.
    CmpGeS,
    /// `a > b`, unsigned (lanes of 8, 16 or 32 bits).
    CmpGtU,
    /// `a >= b`, unsigned (lanes of 8, 16 or 32 bits).
    CmpGeU,
    /// Unsigned maximum (lanes of 8, 16 or 32 bits).
    MaxU,
    /// Unsigned minimum (lanes of 8, 16 or 32 bits).
    MinU,
    /// Pairwise addition over the concatenation `b:a` (`a` gives the low
    /// half of the result); byte lanes only.
    AddPairwise,
    /// Pairwise unsigned maximum, as `AddPairwise`; byte lanes only.
    MaxUPairwise,
    /// Pairwise unsigned minimum, as `AddPairwise`; byte lanes only.
    MinUPairwise,
}

impl Cond {
    /// Calls `f` on the temporary the condition reads, if any.
    pub fn temps_read_mut(&mut self, mut f: impl FnMut(&mut Temp)) {
        if let Cond::NonZero(t) | Cond::Zero(t) = self {
            f(t)
        }
    }
}

impl Src {
    /// Calls `f` on the temporary the operand is, if it is one.
    pub fn temps_read_mut(&mut self, mut f: impl FnMut(&mut Temp)) {
        if let Src::T(t) = self {
            f(t)
        }
    }
}

impl Op {
    /// Calls `f` on every temporary the operation reads (not the one it
    /// defines), in a fixed order; `f` may replace them.
    pub fn temps_read_mut(&mut self, mut f: impl FnMut(&mut Temp)) {
        match self {
            Op::Put { src, .. } => src.temps_read_mut(f),
            Op::Bin { a, b, .. } | Op::AddSubFlags { a, b, .. } | Op::CallPure { a, b, .. } => {
                f(a);
                b.temps_read_mut(f);
            }
            Op::Un { a, .. } | Op::Extend { a, .. } | Op::LogicFlags { a, .. } => f(a),
            Op::Set { cond, .. } => cond.temps_read_mut(f),
            Op::Select { cond, a, b, .. } => {
                cond.temps_read_mut(&mut f);
                f(a);
                f(b);
            }
            Op::Load { addr, .. } | Op::LoadVec { addr, .. } | Op::StoreVec { addr, .. } => f(addr),
            Op::Store { addr, src, .. } => {
                f(addr);
                f(src);
            }
            Op::Atomic { addr, src, expected, .. } => {
                f(addr);
                f(src);
                f(expected);
            }
            Op::Insn { .. }
            | Op::Const { .. }
            | Op::Get { .. }
            | Op::Vec { .. }
            | Op::VecSelect { .. }
            | Op::VecShrn { .. }
            | Op::Fence
            | Op::Order
            | Op::Unprivileged
            | Op::Interp { .. }
            | Op::LandingPad { .. } => {}
        }
    }
}

impl Exit {
    /// Calls `f` on every temporary the exit reads; `f` may replace them.
    pub fn temps_read_mut(&mut self, mut f: impl FnMut(&mut Temp)) {
        match self {
            Exit::Branch { cond, .. } => cond.temps_read_mut(f),
            Exit::Indirect { target, .. } => f(target),
            Exit::Goto(_) | Exit::Syscall { .. } | Exit::Raise { .. } => {}
        }
    }
}

/// True when the backends can compile the vector operations ([`Op::Vec`],
/// [`Op::VecSelect`], [`Op::VecShrn`]): the baseline emits them with SSE
/// up to SSE4.2, which every x86-64 host since about 2009 has. On older
/// hosts a frontend keeps the instructions with its reference semantics.
pub fn vector_ops_available() -> bool {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVAILABLE.get_or_init(|| std::arch::is_x86_feature_detected!("sse4.2") && std::arch::is_x86_feature_detected!("ssse3"))
}

/// Atomic read-modify-write operations ([`Op::Atomic`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtomicRmw {
    /// Memory becomes `src`.
    Swap,
    /// Memory becomes the value found plus `src` (wrapping at the size).
    Add,
    /// Memory becomes `src` if the value found equals the low bytes of
    /// `expected`, and stays otherwise.
    Cas,
}

/// A condition a branch, select or set tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cond {
    /// An A64 condition code (EQ = 0 .. NV = 15) on the guest flags.
    Flags(u8),
    /// The temporary is not zero.
    NonZero(Temp),
    /// The temporary is zero.
    Zero(Temp),
}

/// One IR operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Marks the start of the guest instruction at `pc` (fault attribution,
    /// instruction counts); it emits no code.
    Insn {
        /// Guest address of the instruction.
        pc: u64,
    },
    /// `dst = value`.
    Const { dst: Temp, value: u64 },
    /// `dst = state[field]` (64 bits).
    Get { dst: Temp, field: Field },
    /// `state[field] = src` (64 bits).
    Put { field: Field, src: Src },
    /// `dst = a op b`.
    Bin { op: BinOp, w: Width, dst: Temp, a: Temp, b: Src },
    /// `dst = op a`.
    Un { op: UnOp, w: Width, dst: Temp, a: Temp },
    /// `dst` = the low `bits` (8, 16 or 32) of `a`, sign- or zero-extended to 64.
    Extend { dst: Temp, a: Temp, bits: u8, signed: bool },
    /// Addition or subtraction that also sets the guest flags N, Z, C, V:
    /// `dst = a + b (+ C)` or `a - b (- !C)` with the carry in when `carry`.
    AddSubFlags { w: Width, sub: bool, carry: bool, dst: Temp, a: Temp, b: Src },
    /// Sets N and Z from `a` at width `w`, and clears C and V (logical ops).
    LogicFlags { w: Width, a: Temp },
    /// `dst = cond ? 1 : 0`.
    Set { dst: Temp, cond: Cond },
    /// `dst = cond ? a : b`.
    Select { dst: Temp, cond: Cond, a: Temp, b: Temp },
    /// `dst = f(a, b)`.
    CallPure { f: PureFn, dst: Temp, a: Temp, b: Src },
    /// `dst` = the `1 << size` bytes at guest address `addr + offset`,
    /// zero-extended (or sign-extended to 64 bits when `signed`).
    Load { dst: Temp, addr: Temp, offset: i32, size: u8, signed: bool },
    /// Writes the low `1 << size` bytes of `src` at guest address `addr + offset`.
    Store { addr: Temp, offset: i32, src: Temp, size: u8 },
    /// Loads `1 << size` bytes (up to 16) from guest address `addr + offset`
    /// into the 16-byte state field `field`, zeroing the rest of it (a
    /// SIMD&FP register load).
    LoadVec { field: Field, addr: Temp, offset: i32, size: u8 },
    /// Stores the low `1 << size` bytes (up to 16) of the state field
    /// `field` at guest address `addr + offset`.
    StoreVec { field: Field, addr: Temp, offset: i32, size: u8 },
    /// The memory accesses of the current guest instruction are checked
    /// with the least privileged level's permissions (AArch64 LDTR/STTR at
    /// EL1): system mode's software MMU looks them up in EL0's table. User
    /// mode, where everything runs at EL0, ignores it.
    Unprivileged,
    /// `dst = a op b` lane by lane on the 16-byte state fields `a`, `b`
    /// (`None`: all zeros) and `dst`, with lanes of `1 << esize` bytes.
    /// Without `q` only the low 8 bytes count: the pairwise operations
    /// work on the concatenation of the low halves, and the high 8 bytes of
    /// `dst` are zeroed (AArch64's 64-bit vector forms). `dst` may be an
    /// operand.
    Vec { op: VecOp, esize: u8, q: bool, dst: Field, a: Field, b: Option<Field> },
    /// `dst = (mask & a) | (!mask & b)` bit by bit on 16-byte state fields;
    /// without `q` the high 8 bytes of `dst` are zeroed.
    VecSelect { q: bool, dst: Field, mask: Field, a: Field, b: Field },
    /// Shift right narrow: each lane of `1 << esize` bytes (esize 1 to 3)
    /// of the state field `a`, shifted right logically by `shift` (1 to
    /// half the lane's bits), keeps its low half; the results fill the low 8
    /// bytes of `dst` in order and its high 8 bytes are zeroed.
    VecShrn { esize: u8, shift: u8, dst: Field, a: Field },
    /// One atomic step on the `1 << size` bytes at guest address `addr`,
    /// with a full barrier's ordering: `dst` = the bytes found
    /// (zero-extended), memory changed as `rmw` says (`expected` counts for
    /// `Cas` only). When the address is not aligned to the size, or the
    /// memory strategy cannot reach it inline (system mode: a TLB miss,
    /// device memory, a page holding translated code), the block leaves
    /// with [`ExitStatus::Raise`] at the current instruction, which then
    /// runs in the reference semantics (and raises the alignment fault).
    Atomic { rmw: AtomicRmw, size: u8, dst: Temp, addr: Temp, src: Temp, expected: Temp },
    /// A full memory barrier.
    Fence,
    /// An ordering point: no memory access may be moved across it by a
    /// backend, and every later load reads memory afresh (other threads'
    /// stores, exit requests). x86-64 needs no instruction for it.
    Order,
    /// Runs the guest instruction `word` at `pc` in the frontend's reference
    /// semantics (a helper call). The block leaves with [`ExitStatus::Raise`]
    /// at `pc` if it raises an exception. No temporary is live across it.
    Interp { word: u32, pc: u64 },
    /// The branch-target check at the start of a block: when the state
    /// field `field` (the frontend's "kind of the indirect branch that led
    /// here", zero otherwise) is non-zero, a helper clears it if bit
    /// `field` of `accepted` is set, and otherwise sets `pc` and the block
    /// leaves with [`ExitStatus::Raise`]. Zero costs a compare. No temporary
    /// is live across it.
    LandingPad { field: Field, accepted: u8, pc: u64 },
}

/// Kinds of indirect jumps (for return-address prediction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JumpKind {
    /// A plain computed jump.
    Jump,
    /// A call through a register.
    Call,
    /// A function return.
    Return,
}

/// How a block ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Continue at a known guest address.
    Goto(u64),
    /// Continue at `taken` if `cond` holds, else at `fallthrough`.
    Branch { cond: Cond, taken: u64, fallthrough: u64 },
    /// Continue at the address in `target`.
    Indirect { target: Temp, kind: JumpKind },
    /// A system call; the guest continues at `next` afterwards.
    Syscall { next: u64 },
    /// The instruction at `pc` raises an exception (undefined, breakpoint):
    /// the execution loop re-runs it in the reference semantics to learn which.
    Raise { pc: u64 },
}

impl Default for Exit {
    fn default() -> Exit {
        Exit::Raise { pc: 0 }
    }
}

/// Status codes a block hands back to the execution loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum ExitStatus {
    /// Continue at `pc`; `chain_slot` may name a jump to patch.
    Continue = 0,
    /// System call; `pc` is past it.
    Syscall = 1,
    /// Run the instruction at `pc` in the reference semantics (it raises).
    Raise = 2,
    /// The block at `pc` became hot: consider the optimising tier.
    Hot = 3,
}

/// One translated guest block.
#[derive(Debug, Clone, Default)]
pub struct Block {
    /// Guest address of the first instruction.
    pub pc: u64,
    /// The operations in program order.
    pub ops: Vec<Op>,
    /// How the block ends.
    pub exit: Exit,
    /// Number of temporaries (`Temp(0)..Temp(temps)`).
    pub temps: u32,
    /// Number of guest instructions.
    pub guest_insns: u32,
}

/// Builds one block: allocates temporaries and appends operations.
pub struct Builder {
    block: Block,
}

impl Builder {
    /// Starts an empty block at guest address `pc`.
    pub fn new(pc: u64) -> Builder {
        Builder { block: Block { pc, ops: Vec::with_capacity(64), exit: Exit::Raise { pc }, temps: 0, guest_insns: 0 } }
    }

    /// Re-uses the allocation of a finished block.
    pub fn reuse(mut block: Block, pc: u64) -> Builder {
        block.ops.clear();
        block.pc = pc;
        block.temps = 0;
        block.guest_insns = 0;
        block.exit = Exit::Raise { pc };
        Builder { block }
    }

    /// A new temporary, for an operation pushed with [`Builder::push`].
    pub fn temp(&mut self) -> Temp {
        let t = Temp(self.block.temps);
        self.block.temps += 1;
        t
    }

    /// Appends an operation.
    pub fn push(&mut self, op: Op) {
        self.block.ops.push(op);
    }

    /// Starts the guest instruction at `pc`.
    pub fn insn(&mut self, pc: u64) {
        self.block.guest_insns += 1;
        self.push(Op::Insn { pc });
    }

    /// A constant.
    pub fn constant(&mut self, value: u64) -> Temp {
        let dst = self.temp();
        self.push(Op::Const { dst, value });
        dst
    }

    /// Reads a state field.
    pub fn get(&mut self, field: Field) -> Temp {
        let dst = self.temp();
        self.push(Op::Get { dst, field });
        dst
    }

    /// Writes a state field.
    pub fn put(&mut self, field: Field, src: impl Into<Src>) {
        let src = src.into();
        self.push(Op::Put { field, src });
    }

    /// `a op b`.
    pub fn bin(&mut self, op: BinOp, w: Width, a: Temp, b: impl Into<Src>) -> Temp {
        let dst = self.temp();
        let b = b.into();
        self.push(Op::Bin { op, w, dst, a, b });
        dst
    }

    /// `op a`.
    pub fn un(&mut self, op: UnOp, w: Width, a: Temp) -> Temp {
        let dst = self.temp();
        self.push(Op::Un { op, w, dst, a });
        dst
    }

    /// Extends the low `bits` of `a` to 64 bits.
    pub fn extend(&mut self, a: Temp, bits: u8, signed: bool) -> Temp {
        let dst = self.temp();
        self.push(Op::Extend { dst, a, bits, signed });
        dst
    }

    /// Flag-setting add or subtract.
    pub fn add_sub_flags(&mut self, w: Width, sub: bool, carry: bool, a: Temp, b: impl Into<Src>) -> Temp {
        let dst = self.temp();
        let b = b.into();
        self.push(Op::AddSubFlags { w, sub, carry, dst, a, b });
        dst
    }

    /// `cond ? 1 : 0`.
    pub fn set(&mut self, cond: Cond) -> Temp {
        let dst = self.temp();
        self.push(Op::Set { dst, cond });
        dst
    }

    /// `cond ? a : b`.
    pub fn select(&mut self, cond: Cond, a: Temp, b: Temp) -> Temp {
        let dst = self.temp();
        self.push(Op::Select { dst, cond, a, b });
        dst
    }

    /// `f(a, b)`.
    pub fn call_pure(&mut self, f: PureFn, a: Temp, b: impl Into<Src>) -> Temp {
        let dst = self.temp();
        let b = b.into();
        self.push(Op::CallPure { f, dst, a, b });
        dst
    }

    /// A guest memory load.
    pub fn load(&mut self, addr: Temp, offset: i32, size: u8, signed: bool) -> Temp {
        let dst = self.temp();
        self.push(Op::Load { dst, addr, offset, size, signed });
        dst
    }

    /// A guest memory store.
    pub fn store(&mut self, addr: Temp, offset: i32, src: Temp, size: u8) {
        self.push(Op::Store { addr, offset, src, size });
    }

    /// Ends the block.
    pub fn finish(mut self, exit: Exit) -> Block {
        self.block.exit = exit;
        self.block
    }

    /// Operations so far.
    pub fn len(&self) -> usize {
        self.block.ops.len()
    }

    /// True before the first operation.
    pub fn is_empty(&self) -> bool {
        self.block.ops.is_empty()
    }
}

impl PureFn {
    /// The function itself, as translated code calls it.
    pub fn address(self) -> usize {
        match self {
            PureFn::ReverseBits => reverse_bits as extern "C" fn(u64, u64) -> u64 as usize,
            PureFn::LeadingSignBits => leading_sign_bits as extern "C" fn(u64, u64) -> u64 as usize,
        }
    }

    /// Evaluates the function (the reference for tests and for backends
    /// that fold constants).
    pub fn eval(self, a: u64, b: u64) -> u64 {
        match self {
            PureFn::ReverseBits => reverse_bits(a, b),
            PureFn::LeadingSignBits => leading_sign_bits(a, b),
        }
    }
}

extern "C" fn reverse_bits(a: u64, width: u64) -> u64 {
    if width == 32 {
        (a as u32).reverse_bits() as u64
    } else {
        a.reverse_bits()
    }
}

extern "C" fn leading_sign_bits(a: u64, width: u64) -> u64 {
    if width == 32 {
        let v = a as u32 as i32;
        ((v ^ (v >> 31)).leading_zeros() - 1) as u64
    } else {
        let v = a as i64;
        ((v ^ (v >> 63)).leading_zeros() - 1) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pure_functions_match_their_definitions() {
        for (f, a, w, want) in [
            (PureFn::ReverseBits, 1u64, 32u64, 0x8000_0000u64),
            (PureFn::ReverseBits, 1, 64, 1 << 63),
            (PureFn::ReverseBits, 0xffff_0000_0000_0001, 32, 0x8000_0000),
            (PureFn::LeadingSignBits, 0, 64, 63),
            (PureFn::LeadingSignBits, u64::MAX, 64, 63),
            (PureFn::LeadingSignBits, 1, 64, 62),
            (PureFn::LeadingSignBits, 0xffff_ffff, 32, 31),
            (PureFn::LeadingSignBits, 0x4000_0000, 32, 0),
        ] {
            assert_eq!(f.eval(a, w), want, "{f:?}({a:#x}, {w})");
        }
    }
}
