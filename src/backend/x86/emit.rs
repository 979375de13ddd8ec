//! Emission of one IR block as x86-64 code.
//!
//! Layout of a translation (all references inside it are relative, so the
//! bytes can be copied anywhere in the arena):
//!
//! ```text
//!   +0  entry: cmp dword [rbp + exit_request], 0   (7 bytes; `retire`
//!              overwrites it with a jump to the leave stub)
//!              jne leave
//!              sub dword [rip + counter], 1; je hot  (when counting; the
//!              counter lives in the arena's data area, see `arena`)
//!       body: one sequence per IR operation
//!       exit: jumps whose rel32 fields are chain sites
//!   stubs: leave / hot / one per chain site / raise
//! ```
//!
//! Guest state lives in the CPU state struct addressed by RBP; every `Put`
//! the IR keeps is a store (`ir::forward` drops only those overwritten
//! before anything can observe them), so the state is exact at each load or
//! store, helper call and exit (the fault map names the guest instruction
//! of every host instruction that touches guest memory).

mod atomic;
mod vec;

use super::encode::{cc, regs::*, Alu, Asm, Label, Reg, ShiftOp, Unary};
use super::regs::RegAlloc;
use super::{JUMP_CACHE_ENTRIES, JUMP_CACHE_FOLD};
use crate::mem::soft_tlb;
use crate::ir::{BinOp, Block, Cond, Exit, ExitStatus, Op, Src, Temp, UnOp, Width};

/// Offsets of the CPU state fields the emitted code touches itself.
#[derive(Debug, Clone, Copy)]
pub struct StateLayout {
    /// The guest program counter (u64).
    pub pc: i32,
    /// Exit request flag (u32, non-zero: leave at the next block entry).
    pub exit_request: i32,
    /// Where a chainable exit leaves the address of its rel32 field (u64).
    pub chain_slot: i32,
    /// Flag carriers (u64 each); see the guest's CPU state.
    pub nf: i32,
    /// Z carrier: Z is set when it is zero.
    pub zf: i32,
    /// C flag, 0 or 1.
    pub cf: i32,
    /// V carrier: V is its sign bit.
    pub vf: i32,
    /// The current software TLB table (u64 address; system mode).
    pub soft_tlb: i32,
    /// EL0's table, for LDTR/STTR (u64 address; system mode).
    pub soft_tlb_el0: i32,
    /// The running thread's indirect-branch table (u64 address of
    /// [`super::JUMP_CACHE_ENTRIES`] entries of [`super::JumpCacheEntry`]).
    pub jump_targets: i32,
}

/// How guest memory accesses reach host memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryStrategy {
    /// User mode: the host address is the guest address.
    Identity,
    /// System mode: every access calls the software MMU's helpers
    /// ([`Helpers::soft_load`] and friends), which translate, check
    /// permissions, reach RAM or device registers, and abandon the block on
    /// a fault.
    SoftMmu,
}

/// Helpers the emitted code calls.
#[derive(Debug, Clone, Copy)]
pub struct Helpers {
    /// `extern "C" fn(cpu, word, pc) -> i32`: runs one instruction in the
    /// reference semantics; non-zero if it raised (it leaves `pc` set).
    pub interp_one: usize,
    /// `extern "C" fn(cpu, accepted, pc) -> i32`: the branch-target check
    /// (`Op::LandingPad`); non-zero if the block must raise.
    pub landing_pad: usize,
    /// `extern "C" fn(cpu, va, size_signed, pc) -> u64`: a load through
    /// the software MMU (system mode).
    pub soft_load: usize,
    /// `extern "C" fn(cpu, va, value, size, pc)`: a store.
    pub soft_store: usize,
    /// `extern "C" fn(cpu, va, field, size, pc)`: a SIMD&FP register load.
    pub soft_load_vec: usize,
    /// `extern "C" fn(cpu, va, field, size, pc)`: a SIMD&FP register store.
    pub soft_store_vec: usize,
}

/// Host addresses the emitted code holds as 64-bit immediates: each
/// process has its own (Kestrel is position-independent), so a translation
/// kept on disk records where they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum HelperId {
    /// [`Helpers::interp_one`].
    InterpOne = 0,
    /// [`Helpers::landing_pad`].
    LandingPad = 1,
    /// `PureFn::ReverseBits`.
    ReverseBits = 2,
    /// `PureFn::LeadingSignBits`.
    LeadingSignBits = 3,
    /// [`Helpers::soft_load`].
    SoftLoad = 4,
    /// [`Helpers::soft_store`].
    SoftStore = 5,
    /// [`Helpers::soft_load_vec`].
    SoftLoadVec = 6,
    /// [`Helpers::soft_store_vec`].
    SoftStoreVec = 7,
}

impl HelperId {
    /// The id of an identifier read back from a file.
    pub fn from_u32(v: u32) -> Option<HelperId> {
        [
            HelperId::InterpOne,
            HelperId::LandingPad,
            HelperId::ReverseBits,
            HelperId::LeadingSignBits,
            HelperId::SoftLoad,
            HelperId::SoftStore,
            HelperId::SoftLoadVec,
            HelperId::SoftStoreVec,
        ]
        .get(v as usize)
        .copied()
    }

    /// Its address in this process.
    pub fn address(self, helpers: &Helpers) -> u64 {
        match self {
            HelperId::InterpOne => helpers.interp_one as u64,
            HelperId::LandingPad => helpers.landing_pad as u64,
            HelperId::ReverseBits => crate::ir::PureFn::ReverseBits.address() as u64,
            HelperId::LeadingSignBits => crate::ir::PureFn::LeadingSignBits.address() as u64,
            HelperId::SoftLoad => helpers.soft_load as u64,
            HelperId::SoftStore => helpers.soft_store as u64,
            HelperId::SoftLoadVec => helpers.soft_load_vec as u64,
            HelperId::SoftStoreVec => helpers.soft_store_vec as u64,
        }
    }

    fn of_pure(f: crate::ir::PureFn) -> HelperId {
        match f {
            crate::ir::PureFn::ReverseBits => HelperId::ReverseBits,
            crate::ir::PureFn::LeadingSignBits => HelperId::LeadingSignBits,
        }
    }
}

/// Where a translation depends on where things are in this process, so
/// that a copy made in another process can be fixed up (see
/// `jit::persist`). Recorded only when emission is given a guest image
/// range.
#[derive(Debug, Default, Clone)]
pub struct Relocations {
    /// Offsets of 64-bit immediates holding guest addresses inside the
    /// image (guest pcs, PC-relative results).
    pub image: Vec<u32>,
    /// Offsets of 64-bit immediates holding helper addresses.
    pub helpers: Vec<(u32, HelperId)>,
    /// Offset of the rel32 field of the hot-counter decrement; the field
    /// is relative to the end of its instruction, 5 bytes after it.
    pub counter: Option<u32>,
}

/// What emission produced besides the bytes (and `Scratch::fault_map`).
pub struct Emitted {
    /// Offset of the entry point.
    pub entry: usize,
    /// Offset of the stub that leaves to the execution loop at the block's pc.
    pub leave: usize,
}

/// Why a block could not be translated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmitError {
    /// More temporaries live at once than the register pool holds.
    OutOfRegisters,
    /// A helper call with temporaries live across it.
    LiveAcrossCall,
}

#[derive(Clone, Copy)]
enum Stub {
    /// Leave towards a known pc through a patchable site.
    Chain { site: Label, target: u64 },
}

/// Buffers emission reuses from block to block (allocation was a fifth of
/// the translation time).
#[derive(Default)]
pub struct Scratch {
    ra: RegAlloc,
    stubs: Vec<Stub>,
    /// Relocations of the last `emit`, when it was given an image range.
    pub relocations: Relocations,
    /// (host offset, guest instruction index) for every instruction that
    /// accesses guest memory, by offset: filled by the last `emit`.
    pub fault_map: Vec<(u32, u32)>,
}

pub(super) struct Emitter<'a> {
    a: &'a mut Asm,
    ra: &'a mut RegAlloc,
    layout: StateLayout,
    helpers: Helpers,
    stubs: &'a mut Vec<Stub>,
    fault_map: &'a mut Vec<(u32, u32)>,
    insn_index: u32,
    insn_noted: bool,
    /// The guest image's address range when relocations are recorded.
    image: Option<(u64, u64)>,
    relocations: &'a mut Relocations,
    /// How guest memory is reached.
    mem: MemoryStrategy,
    /// The guest address of the instruction being emitted.
    insn_pc: u64,
    /// The instruction's accesses are LDTR/STTR's (`Op::Unprivileged`).
    unprivileged: bool,
}

const STATE: Reg = RBP;

impl<'a> Emitter<'a> {
    /// Emits `block` into `a` (which must be empty). `hot_counter` is the
    /// position of the block's hot counter relative to the start of the code.
    /// With `image` (the guest address range of the mapped file the block
    /// lies in), every constant in that range and every process-specific
    /// address is emitted in a rewritable form and recorded in
    /// `scratch.relocations`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn emit(
        a: &'a mut Asm,
        scratch: &'a mut Scratch,
        block: &Block,
        layout: StateLayout,
        helpers: Helpers,
        hot_counter: Option<i64>,
        mem: MemoryStrategy,
        image: Option<(u64, u64)>,
    ) -> Result<Emitted, EmitError> {
        scratch.ra.reset(block);
        scratch.stubs.clear();
        scratch.fault_map.clear();
        scratch.relocations = Relocations::default();
        let mut e = Emitter {
            a,
            ra: &mut scratch.ra,
            layout,
            helpers,
            stubs: &mut scratch.stubs,
            fault_map: &mut scratch.fault_map,
            insn_index: 0,
            insn_noted: false,
            image,
            relocations: &mut scratch.relocations,
            mem,
            insn_pc: block.pc,
            unprivileged: false,
        };
        let entry = e.a.pos();
        e.a.cmp_m32_zero_wide(STATE, layout.exit_request);
        let to_leave = e.a.jcc(cc::NE);
        // The hot counter counts down to zero, where the block leaves with
        // `Hot` once; from then on it is only read. Threads running the same
        // code share the counter: decrementing it at every run for ever
        // bounced its cache line between their cores (GNU sort's two threads
        // ran 3x slower than without counters).
        let to_hot = hot_counter.map(|counter| {
            e.relocations.counter = Some(e.a.pos() as u32 + 3);
            e.a.lea_rip_signed(RAX, counter);
            e.a.cmp_m32_zero(RAX);
            // Signed: two threads may both decrement a counter of 1.
            let spent = e.a.jcc(cc::LE);
            e.a.dec_m32(RAX);
            let hot = e.a.jcc(cc::E);
            e.a.bind(spent);
            hot
        });
        let mut first = true;
        for (i, op) in block.ops.iter().enumerate() {
            if let Op::Insn { .. } = op {
                if !first {
                    e.insn_index += 1;
                }
                first = false;
                e.insn_noted = false;
            }
            let defined = e.op(op)?;
            e.ra.release_after(i, defined);
        }
        e.exit(block.exit)?;

        // Out-of-line stubs.
        let leave = e.a.pos();
        e.a.bind(to_leave);
        e.leave_with(block.pc, ExitStatus::Continue);
        if let Some(hot) = to_hot {
            e.a.bind(hot);
            e.leave_with(block.pc, ExitStatus::Hot);
        }
        for i in 0..e.stubs.len() {
            match e.stubs[i] {
                Stub::Chain { site, target } => {
                    e.a.bind(site);
                    e.set_pc(target);
                    e.a.lea_rip(RAX, Asm::field(site));
                    e.a.store(3, STATE, layout.chain_slot, RAX);
                    e.a.mov_ri(RAX, ExitStatus::Continue as u64);
                    e.a.ret();
                }
            }
        }
        Ok(Emitted { entry, leave })
    }

    fn set_pc(&mut self, pc: u64) {
        self.constant(RAX, pc);
        self.a.store(3, STATE, self.layout.pc, RAX);
    }

    /// True if `v` may be a guest address inside the image being recorded.
    fn in_image(&self, v: u64) -> bool {
        self.image.is_some_and(|(lo, hi)| (lo..hi).contains(&v))
    }

    /// `mov dst, v` for a value from the guest program: a guest address in
    /// the image is emitted rewritable and recorded.
    fn constant(&mut self, dst: Reg, v: u64) {
        if self.in_image(v) {
            self.a.mov_abs(dst, v);
            self.relocations.image.push(self.a.pos() as u32 - 8);
        } else {
            self.a.mov_ri(dst, v);
        }
    }

    /// `mov dst, address of helper`, recorded.
    fn helper_address(&mut self, dst: Reg, id: HelperId) {
        self.a.mov_abs(dst, id.address(&self.helpers));
        if self.image.is_some() {
            self.relocations.helpers.push((self.a.pos() as u32 - 8, id));
        }
    }

    /// `pc = pc; chain_slot = 0; return status`.
    fn leave_with(&mut self, pc: u64, status: ExitStatus) {
        self.set_pc(pc);
        self.a.store_imm(STATE, self.layout.chain_slot, 0);
        self.a.mov_ri(RAX, status as u64);
        self.a.ret();
    }

    fn reg(&self, t: Temp) -> Reg {
        self.ra.reg(t)
    }

    fn define(&mut self, t: Temp) -> Result<Reg, EmitError> {
        self.ra.define(t).ok_or(EmitError::OutOfRegisters)
    }

    /// Notes that the current guest instruction touches guest memory here.
    fn note_access(&mut self) {
        if !self.insn_noted {
            self.fault_map.push((self.a.pos() as u32, self.insn_index));
            self.insn_noted = true;
        }
    }

    /// An operand as a register or an immediate that fits a sign-extended
    /// 32-bit field; other constants are put in `scratch`.
    fn operand(&mut self, s: Src, w: Width, scratch: Reg) -> Result<Reg, i32> {
        match s {
            Src::T(t) => Ok(self.reg(t)),
            Src::Imm(v) => {
                let v = if w == Width::W32 { v as u32 as i32 as i64 as u64 } else { v };
                match i32::try_from(v as i64) {
                    Ok(i) if !self.in_image(v) => Err(i),
                    _ => {
                        self.constant(scratch, v);
                        Ok(scratch)
                    }
                }
            }
        }
    }

    /// The operand in a register (constants in `scratch`).
    fn operand_reg(&mut self, s: Src, scratch: Reg) -> Reg {
        match s {
            Src::T(t) => self.reg(t),
            Src::Imm(v) => {
                self.constant(scratch, v);
                scratch
            }
        }
    }

    /// Emits one operation; returns the temporary it defined.
    fn op(&mut self, op: &Op) -> Result<Option<Temp>, EmitError> {
        let l = self.layout;
        match *op {
            Op::Insn { pc } => {
                self.insn_pc = pc;
                self.unprivileged = false;
                return Ok(None);
            }
            Op::Const { dst, value } => {
                let d = self.define(dst)?;
                self.constant(d, value);
                return Ok(Some(dst));
            }
            Op::Get { dst, field } => {
                let d = self.define(dst)?;
                self.a.load(3, false, d, STATE, field.0);
                return Ok(Some(dst));
            }
            Op::Put { field, src } => match src {
                Src::T(t) => {
                    let r = self.reg(t);
                    self.a.store(3, STATE, field.0, r)
                }
                Src::Imm(v) => match i32::try_from(v as i64) {
                    Ok(i) if !self.in_image(v) => self.a.store_imm(STATE, field.0, i),
                    _ => {
                        self.constant(RAX, v);
                        self.a.store(3, STATE, field.0, RAX);
                    }
                },
            },
            Op::Bin { op, w, dst, a, b } => {
                let d = self.define(dst)?;
                self.bin(op, w, d, a, b);
                return Ok(Some(dst));
            }
            Op::Un { op, w, dst, a } => {
                let d = self.define(dst)?;
                let ra = self.reg(a);
                let w64 = w == Width::W64;
                match op {
                    UnOp::Not | UnOp::Neg | UnOp::Bswap => {
                        self.a.mov_rr(w64, d, ra);
                        match op {
                            UnOp::Not => self.a.unary(Unary::Not, w64, d),
                            UnOp::Neg => self.a.unary(Unary::Neg, w64, d),
                            _ => self.a.bswap(w64, d),
                        }
                    }
                    UnOp::Clz => {
                        // bsr leaves ZF set for a zero input: take -1 then, so
                        // that (width - 1) - index gives the width.
                        self.a.mov_ri(RCX, u64::MAX);
                        self.a.bsr(w64, RAX, ra);
                        self.a.cmov(cc::E, true, RAX, RCX);
                        self.a.mov_ri(d, (w.bits() - 1) as u64);
                        self.a.alu_rr(Alu::Sub, true, d, RAX);
                    }
                }
                return Ok(Some(dst));
            }
            Op::Extend { dst, a, bits, signed } => {
                let d = self.define(dst)?;
                let ra = self.reg(a);
                self.a.extend(bits, signed, d, ra);
                return Ok(Some(dst));
            }
            Op::AddSubFlags { w, sub, carry, dst, a, b } => {
                let d = self.define(dst)?;
                let w64 = w == Width::W64;
                let ra = self.reg(a);
                let rb = self.operand(b, w, RDX);
                self.a.mov_rr(w64, d, ra);
                let op = if carry {
                    // Host CF must be C for ADC and !C (a borrow) for SBB.
                    self.a.load(3, false, RAX, STATE, l.cf);
                    if sub {
                        self.a.alu_ri(Alu::Cmp, false, RAX, 1);
                        Alu::Sbb
                    } else {
                        self.a.unary(Unary::Neg, true, RAX);
                        Alu::Adc
                    }
                } else if sub {
                    Alu::Sub
                } else {
                    Alu::Add
                };
                match rb {
                    Ok(r) => self.a.alu_rr(op, w64, d, r),
                    Err(i) => self.a.alu_ri(op, w64, d, i),
                }
                // C: carry for additions, no borrow for subtractions.
                self.a.setcc(if sub { cc::AE } else { cc::B }, RAX);
                self.a.setcc(cc::O, RCX);
                self.store_nz(w, d);
                self.a.extend(8, false, RAX, RAX);
                self.a.store(3, STATE, l.cf, RAX);
                self.a.extend(8, false, RCX, RCX);
                self.a.shift_ri(ShiftOp::Shl, true, RCX, 63);
                self.a.store(3, STATE, l.vf, RCX);
                return Ok(Some(dst));
            }
            Op::LogicFlags { w, a } => {
                let ra = self.reg(a);
                self.store_nz(w, ra);
                self.a.store_imm(STATE, l.cf, 0);
                self.a.store_imm(STATE, l.vf, 0);
            }
            Op::Set { dst, cond } => {
                let code = self.cond(cond);
                let d = self.define(dst)?;
                self.a.setcc(code, d);
                self.a.extend(8, false, d, d);
                return Ok(Some(dst));
            }
            Op::Select { dst, cond, a, b } => {
                let code = self.cond(cond);
                let d = self.define(dst)?;
                let (ra, rb) = (self.reg(a), self.reg(b));
                self.a.mov_rr(true, d, rb);
                self.a.cmov(code, true, d, ra);
                return Ok(Some(dst));
            }
            Op::CallPure { f, dst, a, b } => {
                let saved = self.ra.live_caller_saved();
                for &r in &saved {
                    self.a.push(r);
                }
                // RSP is 8 bytes off alignment in translated code (see
                // `enter_code`): an even number of pushes needs the pad.
                let pad = saved.len() % 2 == 0;
                if pad {
                    self.a.alu_ri(Alu::Sub, true, RSP, 8);
                }
                let ra = self.reg(a);
                self.a.mov_rr(true, RAX, ra);
                let rb = self.operand_reg(b, RCX);
                self.a.mov_rr(true, RCX, rb);
                self.a.mov_rr(true, RDI, RAX);
                self.a.mov_rr(true, RSI, RCX);
                self.helper_address(RAX, HelperId::of_pure(f));
                self.a.call_r(RAX);
                if pad {
                    self.a.alu_ri(Alu::Add, true, RSP, 8);
                }
                for &r in saved.iter().rev() {
                    self.a.pop(r);
                }
                let d = self.define(dst)?;
                self.a.mov_rr(true, d, RAX);
                return Ok(Some(dst));
            }
            Op::Load { dst, addr, offset, size, signed } if self.mem == MemoryStrategy::SoftMmu => {
                let d = self.define(dst)?;
                let slow = self.tlb_lookup(addr, offset, 1 << size, soft_tlb::READ);
                self.a.load(size, signed, d, RAX, 0);
                let done = self.a.jmp();
                self.a.bind(slow);
                let size_signed = size as u64 | (signed as u64) << 2;
                self.soft_access(HelperId::SoftLoad, addr, offset, None, size_signed);
                self.a.mov_rr(true, d, RAX);
                self.a.bind(done);
                return Ok(Some(dst));
            }
            Op::Store { addr, offset, src, size } if self.mem == MemoryStrategy::SoftMmu => {
                let slow = self.tlb_lookup(addr, offset, 1 << size, soft_tlb::WRITE);
                let rs = self.reg(src);
                self.a.store(size, RAX, 0, rs);
                let done = self.a.jmp();
                self.a.bind(slow);
                self.soft_access(HelperId::SoftStore, addr, offset, Some(src), size as u64);
                self.a.bind(done);
            }
            Op::LoadVec { field, addr, offset, size } if self.mem == MemoryStrategy::SoftMmu => {
                let slow = self.tlb_lookup(addr, offset, 1 << size, soft_tlb::READ);
                self.a.mov_rr(true, RDX, RAX);
                if size == 4 {
                    self.a.load(3, false, RAX, RDX, 0);
                    self.a.load(3, false, RCX, RDX, 8);
                    self.a.store(3, STATE, field.0, RAX);
                    self.a.store(3, STATE, field.0 + 8, RCX);
                } else {
                    self.a.load(size, false, RAX, RDX, 0);
                    self.a.store(3, STATE, field.0, RAX);
                    self.a.store_imm(STATE, field.0 + 8, 0);
                }
                let done = self.a.jmp();
                self.a.bind(slow);
                self.soft_vec_access(HelperId::SoftLoadVec, addr, offset, field.0, size);
                self.a.bind(done);
            }
            Op::StoreVec { field, addr, offset, size } if self.mem == MemoryStrategy::SoftMmu => {
                let slow = self.tlb_lookup(addr, offset, 1 << size, soft_tlb::WRITE);
                self.a.mov_rr(true, RDX, RAX);
                self.a.load(3, false, RAX, STATE, field.0);
                if size == 4 {
                    self.a.load(3, false, RCX, STATE, field.0 + 8);
                }
                self.a.store(size.min(3), RDX, 0, RAX);
                if size == 4 {
                    self.a.store(3, RDX, 8, RCX);
                }
                let done = self.a.jmp();
                self.a.bind(slow);
                self.soft_vec_access(HelperId::SoftStoreVec, addr, offset, field.0, size);
                self.a.bind(done);
            }
            Op::Load { dst, addr, offset, size, signed } => {
                let d = self.define(dst)?;
                let ra = self.reg(addr);
                self.note_access();
                self.a.load(size, signed, d, ra, offset);
                return Ok(Some(dst));
            }
            Op::Store { addr, offset, src, size } => {
                let (ra, rs) = (self.reg(addr), self.reg(src));
                self.note_access();
                self.a.store(size, ra, offset, rs);
            }
            Op::LoadVec { field, addr, offset, size } => {
                let ra = self.reg(addr);
                self.note_access();
                if size == 4 {
                    // Both halves are read before either is written.
                    self.a.load(3, false, RAX, ra, offset);
                    self.a.load(3, false, RCX, ra, offset.wrapping_add(8));
                    self.a.store(3, STATE, field.0, RAX);
                    self.a.store(3, STATE, field.0 + 8, RCX);
                } else {
                    self.a.load(size, false, RAX, ra, offset);
                    self.a.store(3, STATE, field.0, RAX);
                    self.a.store_imm(STATE, field.0 + 8, 0);
                }
            }
            Op::StoreVec { field, addr, offset, size } => {
                let ra = self.reg(addr);
                self.a.load(3, false, RAX, STATE, field.0);
                if size == 4 {
                    self.a.load(3, false, RCX, STATE, field.0 + 8);
                }
                self.note_access();
                self.a.store(size.min(3), ra, offset, RAX);
                if size == 4 {
                    self.a.store(3, ra, offset.wrapping_add(8), RCX);
                }
            }
            Op::Vec { op, esize, q, dst, a, b } => self.vec(op, esize, q, dst, a, b),
            Op::VecSelect { q, dst, mask, a, b } => self.vec_select(q, dst, mask, a, b),
            Op::VecShrn { esize, shift, dst, a } => self.vec_shrn(esize, shift, dst, a),
            Op::Atomic { rmw, size, dst, addr, src, expected } => {
                self.atomic(rmw, size, dst, addr, src, expected)?;
                return Ok(Some(dst));
            }
            Op::Fence => self.a.mfence(),
            // Emitted code keeps every access in program order already.
            Op::Order => {}
            Op::Unprivileged => self.unprivileged = true,
            Op::Interp { word, pc } => {
                if !self.ra.all_free() {
                    return Err(EmitError::LiveAcrossCall);
                }
                self.call_helper(HelperId::InterpOne, word as u64, pc);
            }
            Op::LandingPad { field, accepted, pc } => {
                if !self.ra.all_free() {
                    return Err(EmitError::LiveAcrossCall);
                }
                self.a.load(3, false, RAX, STATE, field.0);
                self.a.test_rr(true, RAX, RAX);
                let clear = self.a.jcc(cc::E);
                self.call_helper(HelperId::LandingPad, accepted as u64, pc);
                self.a.bind(clear);
            }
        }
        Ok(None)
    }

    /// The inline software-TLB lookup of an access of `bytes` bytes at
    /// `addr + offset` whose entry field `tag_field` (read or write) must
    /// match: on a hit RAX holds the host address and execution falls
    /// through; on a miss it jumps to the returned label (RAX, RCX, RDX
    /// clobbered, the address temporary intact).
    fn tlb_lookup(&mut self, addr: Temp, offset: i32, bytes: i32, tag_field: i32) -> Label {
        let ra = self.reg(addr);
        self.a.mov_rr(true, RAX, ra);
        if offset != 0 {
            self.a.alu_ri(Alu::Add, true, RAX, offset);
        }
        self.a.mov_rr(true, RDX, RAX);
        self.a.shift_ri(ShiftOp::Shr, true, RDX, soft_tlb::PAGE_BITS as u8);
        self.a.alu_ri(Alu::And, false, RDX, (soft_tlb::ENTRIES - 1) as i32);
        self.a.shift_ri(ShiftOp::Shl, true, RDX, soft_tlb::ENTRY_BITS);
        let table = if self.unprivileged { self.layout.soft_tlb_el0 } else { self.layout.soft_tlb };
        self.a.alu_rm(Alu::Add, true, RDX, STATE, table);
        self.a.lea(RCX, RAX, bytes - 1);
        self.a.alu_ri(Alu::And, true, RCX, -(1 << soft_tlb::PAGE_BITS));
        self.a.alu_rm(Alu::Cmp, true, RCX, RDX, tag_field);
        let miss = self.a.jcc(cc::NE);
        self.a.alu_rm(Alu::Add, true, RAX, RDX, soft_tlb::ADDEND);
        miss
    }

    /// The helpers' flag for an access checked as EL0's (see `Op::Unprivileged`).
    fn privilege_flag(&self) -> u64 {
        if self.unprivileged { crate::jit::helpers::UNPRIVILEGED } else { 0 }
    }

    /// Calls a software-MMU helper with live caller-saved temporaries kept
    /// on the stack: `helper(cpu, addr + offset, value-or-size, size, pc)`
    /// for a store (`value` given), `helper(cpu, addr + offset, size, pc)`
    /// for a load (its result stays in RAX).
    fn soft_access(&mut self, helper: HelperId, addr: Temp, offset: i32, value: Option<Temp>, size: u64) {
        let saved = self.push_caller_saved();
        let ra = self.reg(addr);
        self.a.mov_rr(true, RAX, ra);
        if offset != 0 {
            self.a.alu_ri(Alu::Add, true, RAX, offset);
        }
        let pc = self.insn_pc;
        let size = size | self.privilege_flag();
        match value {
            Some(v) => {
                let rv = self.reg(v);
                self.a.mov_rr(true, RDX, rv);
                self.a.mov_rr(true, RSI, RAX);
                self.a.mov_ri(RCX, size);
                self.constant(R8, pc);
            }
            None => {
                self.a.mov_rr(true, RSI, RAX);
                self.a.mov_ri(RDX, size);
                self.constant(RCX, pc);
            }
        }
        self.a.mov_rr(true, RDI, STATE);
        self.helper_address(RAX, helper);
        self.a.call_r(RAX);
        self.pop_caller_saved(&saved);
    }

    /// A SIMD&FP load or store through the software MMU:
    /// `helper(cpu, addr + offset, field, size, pc)`.
    fn soft_vec_access(&mut self, helper: HelperId, addr: Temp, offset: i32, field: i32, size: u8) {
        let saved = self.push_caller_saved();
        let ra = self.reg(addr);
        self.a.mov_rr(true, RAX, ra);
        if offset != 0 {
            self.a.alu_ri(Alu::Add, true, RAX, offset);
        }
        self.a.mov_rr(true, RSI, RAX);
        self.a.mov_ri(RDX, field as u64);
        self.a.mov_ri(RCX, size as u64 | self.privilege_flag());
        let pc = self.insn_pc;
        self.constant(R8, pc);
        self.a.mov_rr(true, RDI, STATE);
        self.helper_address(RAX, helper);
        self.a.call_r(RAX);
        self.pop_caller_saved(&saved);
    }

    /// Pushes the live caller-saved registers (and a pad that keeps the
    /// stack aligned for a call, see `enter_code`); returns them.
    fn push_caller_saved(&mut self) -> Vec<Reg> {
        let saved = self.ra.live_caller_saved();
        for &r in &saved {
            self.a.push(r);
        }
        if saved.len() % 2 == 0 {
            self.a.alu_ri(Alu::Sub, true, RSP, 8);
        }
        saved
    }

    /// Undoes [`push_caller_saved`](Self::push_caller_saved).
    fn pop_caller_saved(&mut self, saved: &[Reg]) {
        if saved.len() % 2 == 0 {
            self.a.alu_ri(Alu::Add, true, RSP, 8);
        }
        for &r in saved.iter().rev() {
            self.a.pop(r);
        }
    }

    /// Calls `helper(cpu, arg, pc)`; when it returns non-zero (it has set
    /// `pc`), the block leaves with `Raise`.
    fn call_helper(&mut self, helper: HelperId, arg: u64, pc: u64) {
        self.a.mov_rr(true, RDI, STATE);
        self.a.mov_ri(RSI, arg);
        self.constant(RDX, pc);
        self.helper_address(RAX, helper);
        // Align the stack for the call (see `enter_code`).
        self.a.alu_ri(Alu::Sub, true, RSP, 8);
        self.a.call_r(RAX);
        self.a.alu_ri(Alu::Add, true, RSP, 8);
        self.a.test_rr(false, RAX, RAX);
        let ok = self.a.jcc(cc::E);
        self.a.store_imm(STATE, self.layout.chain_slot, 0);
        self.a.mov_ri(RAX, ExitStatus::Raise as u64);
        self.a.ret();
        self.a.bind(ok);
    }

    /// N and Z carriers from a result of width `w`.
    fn store_nz(&mut self, w: Width, r: Reg) {
        let l = self.layout;
        self.a.store(3, STATE, l.zf, r);
        if w == Width::W64 {
            self.a.store(3, STATE, l.nf, r);
        } else {
            self.a.extend(32, true, RDX, r);
            self.a.store(3, STATE, l.nf, RDX);
        }
    }

    fn bin(&mut self, op: BinOp, w: Width, d: Reg, a: Temp, b: Src) {
        let w64 = w == Width::W64;
        let ra = self.reg(a);
        match op {
            BinOp::Add | BinOp::Sub | BinOp::And | BinOp::Or | BinOp::Xor => {
                let alu = match op {
                    BinOp::Add => Alu::Add,
                    BinOp::Sub => Alu::Sub,
                    BinOp::And => Alu::And,
                    BinOp::Or => Alu::Or,
                    _ => Alu::Xor,
                };
                let rb = self.operand(b, w, RDX);
                self.a.mov_rr(w64, d, ra);
                match rb {
                    Ok(r) => self.a.alu_rr(alu, w64, d, r),
                    Err(i) => self.a.alu_ri(alu, w64, d, i),
                }
            }
            BinOp::Shl | BinOp::Lshr | BinOp::Ashr | BinOp::Ror => {
                let sop = match op {
                    BinOp::Shl => ShiftOp::Shl,
                    BinOp::Lshr => ShiftOp::Shr,
                    BinOp::Ashr => ShiftOp::Sar,
                    _ => ShiftOp::Ror,
                };
                match b {
                    Src::Imm(n) => {
                        self.a.mov_rr(w64, d, ra);
                        let n = (n as u32 & (w.bits() - 1)) as u8;
                        if n != 0 {
                            self.a.shift_ri(sop, w64, d, n);
                        }
                    }
                    Src::T(t) => {
                        // x86 masks CL to 5 or 6 bits, as A64 takes the
                        // amount modulo the width.
                        let rb = self.reg(t);
                        self.a.mov_rr(true, RCX, rb);
                        self.a.mov_rr(w64, d, ra);
                        self.a.shift_rcl(sop, w64, d);
                    }
                }
            }
            BinOp::Mul => {
                let rb = self.operand_reg(b, RDX);
                self.a.mov_rr(w64, d, ra);
                self.a.imul_rr(w64, d, rb);
            }
            BinOp::UMulHi | BinOp::SMulHi => {
                let rb = self.operand_reg(b, RCX);
                self.a.mov_rr(true, RAX, ra);
                self.a.unary(if op == BinOp::UMulHi { Unary::Mul } else { Unary::Imul }, true, rb);
                self.a.mov_rr(true, d, RDX);
            }
            BinOp::UDiv | BinOp::SDiv => {
                let rb = self.operand_reg(b, RCX);
                self.a.mov_rr(w64, RCX, rb);
                self.a.test_rr(w64, RCX, RCX);
                let by_zero = self.a.jcc(cc::E);
                let mut by_minus_one = None;
                if op == BinOp::SDiv {
                    // x86 traps on MIN / -1; A64 gives MIN, which is -a.
                    self.a.alu_ri(Alu::Cmp, w64, RCX, -1);
                    by_minus_one = Some(self.a.jcc(cc::E));
                }
                self.a.mov_rr(w64, RAX, ra);
                if op == BinOp::SDiv {
                    self.a.sign_extend_rax(w64);
                    self.a.unary(Unary::Idiv, w64, RCX);
                } else {
                    self.a.mov_ri(RDX, 0);
                    self.a.unary(Unary::Div, w64, RCX);
                }
                self.a.mov_rr(w64, d, RAX);
                let done = self.a.jmp();
                if let Some(l) = by_minus_one {
                    self.a.bind(l);
                    self.a.mov_rr(w64, d, ra);
                    self.a.unary(Unary::Neg, w64, d);
                }
                let done2 = self.a.jmp();
                self.a.bind(by_zero);
                self.a.mov_ri(d, 0);
                self.a.bind(done);
                self.a.bind(done2);
            }
        }
    }

    /// Sets the host flags for `c`; returns the x86 condition code that holds
    /// exactly when `c` does.
    fn cond(&mut self, c: Cond) -> u8 {
        let l = self.layout;
        match c {
            Cond::NonZero(t) => {
                let r = self.reg(t);
                self.a.test_rr(true, r, r);
                cc::NE
            }
            Cond::Zero(t) => {
                let r = self.reg(t);
                self.a.test_rr(true, r, r);
                cc::E
            }
            Cond::Flags(code) => {
                let invert = code & 1 == 1 && code < 14;
                let base = match code >> 1 {
                    // EQ: the Z carrier is zero.
                    0 => {
                        self.a.alu_mi8(Alu::Cmp, true, STATE, l.zf, 0);
                        cc::E
                    }
                    // CS: the C flag is 1.
                    1 => {
                        self.a.alu_mi8(Alu::Cmp, true, STATE, l.cf, 0);
                        cc::NE
                    }
                    // MI: the N carrier is negative.
                    2 => {
                        self.a.alu_mi8(Alu::Cmp, true, STATE, l.nf, 0);
                        cc::L
                    }
                    // VS: the V carrier is negative.
                    3 => {
                        self.a.alu_mi8(Alu::Cmp, true, STATE, l.vf, 0);
                        cc::L
                    }
                    // HI: C set and Z clear.
                    4 => {
                        self.a.alu_mi8(Alu::Cmp, true, STATE, l.zf, 0);
                        self.a.setcc(cc::NE, RAX);
                        self.a.and_r8_m(RAX, STATE, l.cf);
                        cc::NE
                    }
                    // GE: N == V, the sign of N ^ V is clear.
                    5 => {
                        self.a.load(3, false, RAX, STATE, l.nf);
                        self.a.alu_rm(Alu::Xor, true, RAX, STATE, l.vf);
                        cc::NS
                    }
                    // GT: Z clear and N == V.
                    6 => {
                        self.a.load(3, false, RAX, STATE, l.nf);
                        self.a.alu_rm(Alu::Xor, true, RAX, STATE, l.vf);
                        self.a.shift_ri(ShiftOp::Shr, true, RAX, 63);
                        self.a.alu_mi8(Alu::Cmp, true, STATE, l.zf, 0);
                        self.a.setcc(cc::E, RCX);
                        self.a.or_r8_r8(RAX, RCX);
                        cc::E
                    }
                    // AL and NV: always.
                    _ => {
                        self.a.alu_rr(Alu::Cmp, false, RAX, RAX);
                        cc::E
                    }
                };
                if invert {
                    base ^ 1
                } else {
                    base
                }
            }
        }
    }

    /// A patchable jump (or conditional jump) towards `target`.
    fn chain_site(&mut self, site: Label, target: u64) {
        self.stubs.push(Stub::Chain { site, target });
    }

    /// Emits a jump whose rel32 field is 4-byte aligned, so that patching it
    /// is one aligned store.
    fn aligned_jmp(&mut self) -> Label {
        self.a.align(4, 3);
        self.a.jmp()
    }

    fn aligned_jcc(&mut self, code: u8) -> Label {
        self.a.align(4, 2);
        self.a.jcc(code)
    }

    fn exit(&mut self, exit: Exit) -> Result<(), EmitError> {
        let l = self.layout;
        match exit {
            Exit::Goto(target) => {
                let site = self.aligned_jmp();
                self.chain_site(site, target);
            }
            Exit::Branch { cond, taken, fallthrough } => {
                let code = self.cond(cond);
                let site = self.aligned_jcc(code);
                self.chain_site(site, taken);
                let site = self.aligned_jmp();
                self.chain_site(site, fallthrough);
            }
            Exit::Indirect { target, .. } => {
                let t = self.reg(target);
                self.a.store(3, STATE, l.pc, t);
                // RAX = ((t >> 2) ^ (t >> FOLD)) & (entries - 1): see
                // `jump_cache_index`.
                self.a.mov_rr(true, RAX, t);
                self.a.shift_ri(ShiftOp::Shr, true, RAX, 2);
                self.a.mov_rr(true, RCX, t);
                self.a.shift_ri(ShiftOp::Shr, true, RCX, JUMP_CACHE_FOLD);
                self.a.alu_rr(Alu::Xor, true, RAX, RCX);
                self.a.alu_ri(Alu::And, false, RAX, (JUMP_CACHE_ENTRIES - 1) as i32);
                self.a.shift_ri(ShiftOp::Shl, false, RAX, 4);
                // The running thread's table (code is shared by threads).
                self.a.load(3, false, RCX, STATE, l.jump_targets);
                self.a.alu_rr(Alu::Add, true, RAX, RCX);
                self.a.alu_rm(Alu::Cmp, true, t, RAX, 0);
                let miss = self.a.jcc(cc::NE);
                self.a.jmp_mem(RAX, 8);
                self.a.bind(miss);
                self.a.store_imm(STATE, l.chain_slot, 0);
                self.a.mov_ri(RAX, ExitStatus::Continue as u64);
                self.a.ret();
            }
            Exit::Syscall { next } => {
                self.leave_with(next, ExitStatus::Syscall);
            }
            Exit::Raise { pc } => {
                self.leave_with(pc, ExitStatus::Raise);
            }
        }
        Ok(())
    }
}
