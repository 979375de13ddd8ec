//! Reference semantics: executes decoded instructions on a [`CpuState`].
//!
//! This is the first execution tier and the oracle the Cranelift tier is tested
//! against. The JIT also calls [`exec`] (through a helper) for instruction
//! classes it does not compile itself, so this file is the one definition of
//! every instruction's behaviour.

use super::cpu::CpuState;
use super::decode::*;
use super::{atomics, bti, flags_cssc, pac_insns, simd, sysregs};
use crate::mem;

/// Why an instruction could not complete normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exception {
    /// Unallocated or unimplemented encoding (SIGILL in the guest).
    Undefined(u32),
    /// BRK #imm (SIGTRAP in the guest).
    Breakpoint(u16),
    /// Misaligned exclusive or atomic access at this address (SIGBUS).
    Alignment(u64),
    /// An indirect branch landed on an instruction of a guarded page that
    /// does not accept its BTYPE (SIGILL, ILL_ILLOPC).
    BranchTarget,
}

/// Where execution continues after an instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// The next sequential instruction.
    Next,
    /// A taken branch to this address.
    Branch(u64),
    /// SVC: the front end must handle a system call, then continue at pc + 4.
    Syscall,
}

#[inline(always)]
fn mask(sf: bool, v: u64) -> u64 {
    if sf {
        v
    } else {
        v as u32 as u64
    }
}

/// Adds `a + b + carry_in` in 32 or 64 bits, setting NZCV when `set_flags`.
#[inline(always)]
pub fn add_with_carry(cpu: &mut CpuState, sf: bool, a: u64, b: u64, carry_in: u64, set_flags: bool) -> u64 {
    if sf {
        let (r1, c1) = a.overflowing_add(b);
        let (res, c2) = r1.overflowing_add(carry_in);
        if set_flags {
            cpu.nf = res;
            cpu.zf = res;
            cpu.cf = (c1 | c2) as u64;
            cpu.vf = (a ^ res) & (b ^ res);
        }
        res
    } else {
        let (a, b) = (a as u32, b as u32);
        let sum = a as u64 + b as u64 + carry_in;
        let res = sum as u32;
        if set_flags {
            cpu.nf = res as i32 as i64 as u64;
            cpu.zf = res as u64;
            cpu.cf = sum >> 32;
            cpu.vf = ((a ^ res) & (b ^ res)) as i32 as i64 as u64;
        }
        res as u64
    }
}

/// Sets N and Z from a logical result and clears C and V.
#[inline(always)]
fn set_logic_flags(cpu: &mut CpuState, sf: bool, res: u64) {
    cpu.nf = if sf { res } else { res as u32 as i32 as i64 as u64 };
    cpu.zf = res;
    cpu.cf = 0;
    cpu.vf = 0;
}

/// Applies a register-operand shift in the given width.
#[inline(always)]
pub fn shift_value(sf: bool, v: u64, shift: Shift, amount: u8) -> u64 {
    let amount = amount as u32;
    if sf {
        match shift {
            Shift::Lsl => v << amount,
            Shift::Lsr => v >> amount,
            Shift::Asr => ((v as i64) >> amount) as u64,
            Shift::Ror => v.rotate_right(amount),
        }
    } else {
        let v = v as u32;
        (match shift {
            Shift::Lsl => v << amount,
            Shift::Lsr => v >> amount,
            Shift::Asr => ((v as i32) >> amount) as u32,
            Shift::Ror => v.rotate_right(amount),
        }) as u64
    }
}

#[inline(always)]
fn ones(n: u32) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

/// SBFM/BFM/UBFM in `datasize` bits (the Arm ARM's bitfield move).
pub fn bitfield(sf: bool, opc: u8, dst: u64, src: u64, immr: u8, imms: u8) -> u64 {
    let esize = if sf { 64 } else { 32 };
    let (r, s) = (immr as u32, imms as u32);
    let welem = ones(s + 1);
    let wmask = if r == 0 { welem } else { ((welem >> r) | (welem << (esize - r))) & ones(esize) };
    let d = s.wrapping_sub(r) & (esize - 1);
    let tmask = ones(d + 1);
    let src = mask(sf, src);
    let rotated = if r == 0 { src } else { ((src >> r) | (src << (esize - r))) & ones(esize) };
    let dst = if opc == 1 { dst } else { 0 };
    let bot = (dst & !wmask) | (rotated & wmask);
    let top = match opc {
        0 => {
            if (src >> s) & 1 != 0 {
                ones(esize)
            } else {
                0
            }
        }
        _ => dst,
    };
    mask(sf, (top & !tmask) | (bot & tmask))
}

fn dp1(sf: bool, op: Dp1Op, v: u64) -> u64 {
    let width = if sf { 64 } else { 32 };
    let v = mask(sf, v);
    match op {
        Dp1Op::Rbit => {
            if sf {
                v.reverse_bits()
            } else {
                (v as u32).reverse_bits() as u64
            }
        }
        Dp1Op::Rev16 => {
            let r = ((v & 0x00ff_00ff_00ff_00ff) << 8) | ((v >> 8) & 0x00ff_00ff_00ff_00ff);
            mask(sf, r)
        }
        Dp1Op::Rev32 => {
            let lo = (v as u32).swap_bytes() as u64;
            let hi = ((v >> 32) as u32).swap_bytes() as u64;
            (hi << 32) | lo
        }
        Dp1Op::Rev => {
            if sf {
                v.swap_bytes()
            } else {
                (v as u32).swap_bytes() as u64
            }
        }
        Dp1Op::Clz => {
            if sf {
                v.leading_zeros() as u64
            } else {
                (v as u32).leading_zeros() as u64
            }
        }
        Dp1Op::Cls => {
            // Bits below the top one that equal it: CLZ of (x[N-1:1] ^ x[N-2:0]).
            let x = (v ^ (v >> 1)) & ones(width - 1);
            (x.leading_zeros() - (64 - (width - 1))) as u64
        }
        Dp1Op::Ctz => flags_cssc::ctz(sf, v),
        Dp1Op::Cnt => flags_cssc::cnt(sf, v),
        Dp1Op::Abs => flags_cssc::abs(sf, v),
    }
}

/// CRC32/CRC32C update over the low `1 << size` bytes of `data`, bit-reflected.
pub fn crc32_update(acc: u32, data: u64, size: u8, castagnoli: bool) -> u32 {
    let poly: u32 = if castagnoli { 0x82f6_3b78 } else { 0xedb8_8320 };
    let mut crc = acc;
    for i in 0..(1u32 << size) {
        crc ^= ((data >> (8 * i)) & 0xff) as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ poly } else { crc >> 1 };
        }
    }
    crc
}

fn dp2(cpu: &CpuState, sf: bool, op: Dp2Op, rn: u8, rm: u8) -> u64 {
    let a = mask(sf, cpu.xzr(rn));
    let b = mask(sf, cpu.xzr(rm));
    let width = if sf { 64 } else { 32 };
    match op {
        Dp2Op::Udiv => a.checked_div(b).unwrap_or(0),
        Dp2Op::Sdiv => {
            if b == 0 {
                0
            } else if sf {
                (a as i64).wrapping_div(b as i64) as u64
            } else {
                (a as i32).wrapping_div(b as i32) as u32 as u64
            }
        }
        Dp2Op::Lslv => shift_value(sf, a, Shift::Lsl, (b % width) as u8),
        Dp2Op::Lsrv => shift_value(sf, a, Shift::Lsr, (b % width) as u8),
        Dp2Op::Asrv => shift_value(sf, a, Shift::Asr, (b % width) as u8),
        Dp2Op::Rorv => shift_value(sf, a, Shift::Ror, (b % width) as u8),
        Dp2Op::Crc32 { size } => crc32_update(a as u32, cpu.xzr(rm), size, false) as u64,
        Dp2Op::Crc32c { size } => crc32_update(a as u32, cpu.xzr(rm), size, true) as u64,
        Dp2Op::MinMax(op) => flags_cssc::min_max(sf, op, a, cpu.xzr(rm)),
        Dp2Op::Pacga => pac_insns::pacga(cpu, rn, rm),
    }
}

fn dp3(cpu: &CpuState, sf: bool, op: Dp3Op, rn: u8, rm: u8, ra: u8) -> u64 {
    let n = cpu.xzr(rn);
    let m = cpu.xzr(rm);
    let a = cpu.xzr(ra);
    let r = match op {
        Dp3Op::Madd => a.wrapping_add(n.wrapping_mul(m)),
        Dp3Op::Msub => a.wrapping_sub(n.wrapping_mul(m)),
        Dp3Op::Smaddl => a.wrapping_add(((n as i32 as i64) * (m as i32 as i64)) as u64),
        Dp3Op::Smsubl => a.wrapping_sub(((n as i32 as i64) * (m as i32 as i64)) as u64),
        Dp3Op::Umaddl => a.wrapping_add((n as u32 as u64) * (m as u32 as u64)),
        Dp3Op::Umsubl => a.wrapping_sub((n as u32 as u64) * (m as u32 as u64)),
        Dp3Op::Smulh => (((n as i64 as i128) * (m as i64 as i128)) >> 64) as u64,
        Dp3Op::Umulh => (((n as u128) * (m as u128)) >> 64) as u64,
    };
    mask(sf, r)
}

/// Computes the access address and the written-back base of a load/store.
#[inline(always)]
pub fn address(cpu: &CpuState, rn: u8, mode: AddrMode) -> (u64, Option<u64>) {
    let base = cpu.xsp(rn);
    match mode {
        AddrMode::Offset(imm) => (base.wrapping_add(imm as u64), None),
        AddrMode::PreIndex(imm) => {
            let a = base.wrapping_add(imm as u64);
            (a, Some(a))
        }
        AddrMode::PostIndex(imm) => (base, Some(base.wrapping_add(imm as u64))),
        AddrMode::Register { rm, extend, shift } => (base.wrapping_add(extend.apply(cpu.xzr(rm), shift)), None),
    }
}

/// Loads `1 << size` bytes (size 0..=3) zero-extended.
///
/// # Safety
/// Guest memory access; see [`mem::read`].
#[inline(always)]
pub unsafe fn load_sized(addr: u64, size: u8) -> u64 {
    // SAFETY: forwarded from the caller.
    unsafe {
        match size {
            0 => mem::read::<u8>(addr) as u64,
            1 => mem::read::<u16>(addr) as u64,
            2 => mem::read::<u32>(addr) as u64,
            _ => mem::read::<u64>(addr),
        }
    }
}

/// Stores the low `1 << size` bytes (size 0..=3) of `value`.
///
/// # Safety
/// Guest memory access; see [`mem::write`].
#[inline(always)]
pub unsafe fn store_sized(addr: u64, size: u8, value: u64) {
    // SAFETY: forwarded from the caller.
    unsafe {
        match size {
            0 => mem::write::<u8>(addr, value as u8),
            1 => mem::write::<u16>(addr, value as u16),
            2 => mem::write::<u32>(addr, value as u32),
            _ => mem::write::<u64>(addr, value),
        }
    }
}

/// Loads a general-register value with the extension `kind` asks for.
fn load_gpr_value(kind: LdStKind, size: u8, addr: u64) -> u64 {
    // SAFETY: guest memory access, faults become guest signals.
    let v = unsafe { load_sized(addr, size) };
    let bits = 8u32 << size;
    match kind {
        LdStKind::LoadSigned64 => sign_extend(v, bits) as u64,
        LdStKind::LoadSigned32 => sign_extend(v, bits) as u32 as u64,
        _ => v,
    }
}

/// Performs the data transfer of one register of a load/store.
fn transfer(cpu: &mut CpuState, kind: LdStKind, size: u8, rt: u8, addr: u64) {
    // SAFETY: guest memory is identity mapped; an invalid guest address faults
    // the host thread and becomes the guest's SIGSEGV, as on real hardware.
    unsafe {
        match kind {
            LdStKind::Store => store_sized(addr, size, cpu.xzr(rt)),
            LdStKind::Load => {
                let v = load_sized(addr, size);
                cpu.set_xzr(rt, v);
            }
            LdStKind::LoadSigned64 => {
                let v = load_sized(addr, size);
                let bits = 8u32 << size;
                cpu.set_xzr(rt, sign_extend(v, bits) as u64);
            }
            LdStKind::LoadSigned32 => {
                let v = load_sized(addr, size);
                let bits = 8u32 << size;
                cpu.set_xzr(rt, sign_extend(v, bits) as u32 as u64);
            }
            LdStKind::StoreVec => {
                let v = cpu.v[rt as usize];
                if size == 4 {
                    mem::write::<u128>(addr, v);
                } else {
                    store_sized(addr, size, v as u64);
                }
            }
            LdStKind::LoadVec => {
                cpu.v[rt as usize] = if size == 4 { mem::read::<u128>(addr) } else { load_sized(addr, size) as u128 };
            }
            LdStKind::Prefetch => {}
        }
    }
}

/// Executes one decoded instruction located at `pc`. Does not update `cpu.pc`;
/// the caller does, from the returned [`Flow`].
pub fn exec(cpu: &mut CpuState, insn: &Insn, pc: u64) -> Result<Flow, Exception> {
    match *insn {
        Insn::AddSubImm { sf, sub, set_flags, rd, rn, imm } => {
            let a = cpu.xsp(rn);
            let r = if sub {
                add_with_carry(cpu, sf, a, !imm, 1, set_flags)
            } else {
                add_with_carry(cpu, sf, a, imm, 0, set_flags)
            };
            if set_flags {
                cpu.set_xzr(rd, r);
            } else {
                cpu.set_xsp(rd, r);
            }
        }
        Insn::LogicImm { sf, op, rd, rn, imm } => {
            let a = cpu.xzr(rn);
            let r = mask(
                sf,
                match op {
                    LogicOp::And | LogicOp::Ands => a & imm,
                    LogicOp::Orr => a | imm,
                    LogicOp::Eor => a ^ imm,
                },
            );
            if op == LogicOp::Ands {
                set_logic_flags(cpu, sf, r);
                cpu.set_xzr(rd, r);
            } else {
                cpu.set_xsp(rd, r);
            }
        }
        Insn::MovWide { sf, opc, rd, imm16, shift } => {
            let imm = (imm16 as u64) << shift;
            let r = match opc {
                0 => !imm,
                2 => imm,
                _ => (cpu.xzr(rd) & !(0xffffu64 << shift)) | imm,
            };
            cpu.set_xzr(rd, mask(sf, r));
        }
        Insn::Adr { rd, value_from_pc, page } => {
            let base = if page { pc & !0xfff } else { pc };
            cpu.set_xzr(rd, base.wrapping_add(value_from_pc as u64));
        }
        Insn::Bitfield { sf, opc, rd, rn, immr, imms } => {
            let r = bitfield(sf, opc, cpu.xzr(rd), cpu.xzr(rn), immr, imms);
            cpu.set_xzr(rd, r);
        }
        Insn::Extr { sf, rd, rn, rm, lsb } => {
            let (hi, lo) = (cpu.xzr(rn), cpu.xzr(rm));
            let r = if lsb == 0 {
                lo
            } else if sf {
                (lo >> lsb) | (hi << (64 - lsb))
            } else {
                ((lo as u32 >> lsb) | ((hi as u32) << (32 - lsb))) as u64
            };
            cpu.set_xzr(rd, mask(sf, r));
        }
        Insn::AddSubShifted { sf, sub, set_flags, rd, rn, rm, shift, amount } => {
            let a = cpu.xzr(rn);
            let b = shift_value(sf, cpu.xzr(rm), shift, amount);
            let r = if sub {
                add_with_carry(cpu, sf, a, !b, 1, set_flags)
            } else {
                add_with_carry(cpu, sf, a, b, 0, set_flags)
            };
            cpu.set_xzr(rd, r);
        }
        Insn::AddSubExt { sf, sub, set_flags, rd, rn, rm, extend, amount } => {
            let a = cpu.xsp(rn);
            let b = extend.apply(cpu.xzr(rm), amount);
            let r = if sub {
                add_with_carry(cpu, sf, a, !b, 1, set_flags)
            } else {
                add_with_carry(cpu, sf, a, b, 0, set_flags)
            };
            if set_flags {
                cpu.set_xzr(rd, r);
            } else {
                cpu.set_xsp(rd, r);
            }
        }
        Insn::LogicShifted { sf, op, invert, rd, rn, rm, shift, amount } => {
            let a = cpu.xzr(rn);
            let mut b = shift_value(sf, cpu.xzr(rm), shift, amount);
            if invert {
                b = !b;
            }
            let r = mask(
                sf,
                match op {
                    LogicOp::And | LogicOp::Ands => a & b,
                    LogicOp::Orr => a | b,
                    LogicOp::Eor => a ^ b,
                },
            );
            if op == LogicOp::Ands {
                set_logic_flags(cpu, sf, r);
            }
            cpu.set_xzr(rd, r);
        }
        Insn::AddSubCarry { sf, sub, set_flags, rd, rn, rm } => {
            let a = cpu.xzr(rn);
            let b = cpu.xzr(rm);
            let c = cpu.cf;
            let r = add_with_carry(cpu, sf, a, if sub { !b } else { b }, c, set_flags);
            cpu.set_xzr(rd, r);
        }
        Insn::CondCompare { sf, sub, rn, rm_or_imm, is_imm, nzcv, cond } => {
            if cpu.condition_holds(cond) {
                let a = cpu.xzr(rn);
                let b = if is_imm { rm_or_imm as u64 } else { cpu.xzr(rm_or_imm) };
                if sub {
                    add_with_carry(cpu, sf, a, !b, 1, true);
                } else {
                    add_with_carry(cpu, sf, a, b, 0, true);
                }
            } else {
                cpu.set_nzcv((nzcv as u64) << 28);
            }
        }
        Insn::CondSelect { sf, invert, increment, rd, rn, rm, cond } => {
            let r = if cpu.condition_holds(cond) {
                cpu.xzr(rn)
            } else {
                let mut v = cpu.xzr(rm);
                if invert {
                    v = !v;
                }
                if increment {
                    v = v.wrapping_add(1);
                }
                v
            };
            cpu.set_xzr(rd, mask(sf, r));
        }
        Insn::Dp1 { sf, op, rd, rn } => {
            let r = dp1(sf, op, cpu.xzr(rn));
            cpu.set_xzr(rd, r);
        }
        Insn::Dp2 { sf, op, rd, rn, rm } => {
            let r = dp2(cpu, sf, op, rn, rm);
            cpu.set_xzr(rd, r);
        }
        Insn::Dp3 { sf, op, rd, rn, rm, ra } => {
            let r = dp3(cpu, sf, op, rn, rm, ra);
            cpu.set_xzr(rd, r);
        }

        Insn::Branch { offset, link } => {
            if link {
                cpu.x[30] = pc.wrapping_add(4);
            }
            return Ok(Flow::Branch(pc.wrapping_add(offset as u64)));
        }
        Insn::BranchCond { cond, offset } => {
            if cpu.condition_holds(cond) {
                return Ok(Flow::Branch(pc.wrapping_add(offset as u64)));
            }
        }
        Insn::CompareBranch { sf, nonzero, rt, offset } => {
            let v = mask(sf, cpu.xzr(rt));
            if (v != 0) == nonzero {
                return Ok(Flow::Branch(pc.wrapping_add(offset as u64)));
            }
        }
        Insn::TestBranch { nonzero, bit, rt, offset } => {
            let set = (cpu.xzr(rt) >> bit) & 1 != 0;
            if set == nonzero {
                return Ok(Flow::Branch(pc.wrapping_add(offset as u64)));
            }
        }
        Insn::BranchReg { kind, rn } => {
            let target = cpu.xzr(rn);
            if kind == BranchRegKind::Blr {
                cpu.x[30] = pc.wrapping_add(4);
            }
            if bti::active() {
                cpu.btype = bti::btype_after(kind, rn, bti::is_guarded(pc));
            }
            return Ok(Flow::Branch(target));
        }
        Insn::Svc { .. } => return Ok(Flow::Syscall),
        Insn::Brk { imm } => return Err(Exception::Breakpoint(imm)),
        Insn::Nop => {}
        Insn::MsrImm { op2, imm } => {
            // A front end that gives PSTATE fields a meaning (system mode)
            // either writes the field or has the instruction raised.
            if let Some(hook) = MSR_HOOK.get() {
                if !hook(cpu, sysregs::pstate_field(op2 as u16), imm as u64) {
                    return Err(Exception::Undefined(0xd500_401f | 3 << 16 | (imm as u32) << 8 | (op2 as u32) << 5));
                }
            }
        }
        // x86-64 keeps loads and stores in order except a store before a
        // later load; a full barrier forbids that too.
        Insn::Barrier { full } => {
            if full {
                std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
            }
        }
        Insn::Clrex => cpu.excl_addr = u64::MAX,
        Insn::Mrs { rt, sysreg } => match sysregs::read(cpu, sysreg).or_else(|| MRS_HOOK.get().and_then(|hook| hook(cpu, sysreg))) {
            Some(v) => cpu.set_xzr(rt, v),
            None => return Err(Exception::Undefined(mrs_word(true, rt, sysreg))),
        },
        Insn::Msr { rt, sysreg } => {
            let v = cpu.xzr(rt);
            if !sysregs::write(cpu, sysreg, v) && !MSR_HOOK.get().is_some_and(|hook| hook(cpu, sysreg, v)) {
                return Err(Exception::Undefined(mrs_word(false, rt, sysreg)));
            }
        }
        Insn::Cache { op, rt } => {
            let addr = cpu.xzr(rt);
            match op {
                CacheOp::DcZva => {
                    let start = addr & !(sysregs::DC_ZVA_BYTES - 1);
                    for i in 0..sysregs::DC_ZVA_BYTES / 8 {
                        // SAFETY: guest memory access, faults become guest signals.
                        unsafe { mem::write::<u64>(start + 8 * i, 0) };
                    }
                }
                CacheOp::IcIvau => crate::jit::cache::invalidate_icache_line(addr),
                CacheOp::DcClean => {}
            }
        }

        Insn::LdSt { kind, size, rt, rn, mode } => {
            let (addr, writeback) = address(cpu, rn, mode);
            transfer(cpu, kind, size, rt, addr);
            if let Some(wb) = writeback {
                cpu.set_xsp(rn, wb);
            }
        }
        Insn::LdLiteral { kind, size, rt, offset } => {
            transfer(cpu, kind, size, rt, pc.wrapping_add(offset as u64));
        }
        Insn::LdStPair { kind, size, rt, rt2, rn, mode } => {
            let (addr, writeback) = address(cpu, rn, mode);
            let step = 1u64 << size;
            if matches!(kind, LdStKind::Store | LdStKind::StoreVec) {
                transfer(cpu, kind, size, rt, addr);
                transfer(cpu, kind, size, rt2, addr.wrapping_add(step));
            } else if matches!(kind, LdStKind::LoadVec) {
                transfer(cpu, kind, size, rt, addr);
                transfer(cpu, kind, size, rt2, addr.wrapping_add(step));
            } else {
                // Read both before writing either, so a destination that is also
                // the base cannot change the second address.
                let first = load_gpr_value(kind, size, addr);
                let second = load_gpr_value(kind, size, addr.wrapping_add(step));
                cpu.set_xzr(rt, first);
                cpu.set_xzr(rt2, second);
            }
            if let Some(wb) = writeback {
                cpu.set_xsp(rn, wb);
            }
        }
        Insn::LoadExclusive { size, pair, rt, rt2, rn } => atomics::load_exclusive(cpu, size, pair, rt, rt2, rn)?,
        Insn::StoreExclusive { size, pair, rs, rt, rt2, rn } => {
            atomics::store_exclusive(cpu, size, pair, rs, rt, rt2, rn)?
        }
        Insn::LoadAcquire { size, rt, rn } => {
            let addr = cpu.xsp(rn);
            // SAFETY: guest memory access, faults become guest signals.
            let v = unsafe { load_sized(addr, size) };
            cpu.set_xzr(rt, v);
        }
        Insn::StoreRelease { size, rt, rn } => {
            let addr = cpu.xsp(rn);
            // SAFETY: guest memory access, faults become guest signals.
            unsafe { store_sized(addr, size, cpu.xzr(rt)) };
            // x86-64 may reorder a store with a later load; STLR followed by
            // LDAR must not be reordered, so make the store globally visible.
            std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
        }
        Insn::Cas { size, rs, rt, rn } => atomics::cas(cpu, size, rs, rt, rn)?,
        Insn::Casp { size, rs, rt, rn } => atomics::casp(cpu, size, rs, rt, rn)?,
        Insn::Atomic { op, size, rs, rt, rn } => atomics::rmw(cpu, op, size, rs, rt, rn)?,

        Insn::MinMaxImm { sf, op, rd, rn, imm } => {
            let r = flags_cssc::min_max(sf, op, cpu.xzr(rn), imm);
            cpu.set_xzr(rd, r);
        }
        Insn::Flags(op) => flags_cssc::flags(cpu, op),
        Insn::Pac { op, rd, modifier } => pac_insns::exec(cpu, op, rd, modifier),
        Insn::BranchRegPac { kind, rn, key_b, modifier } => {
            let target = pac_insns::branch_target(cpu, rn, key_b, modifier);
            if kind == BranchRegKind::Blr {
                cpu.x[30] = pc.wrapping_add(4);
            }
            if bti::active() {
                cpu.btype = bti::btype_after(kind, rn, bti::is_guarded(pc));
            }
            return Ok(Flow::Branch(target));
        }
        Insn::LoadPac { key_b, rt, rn, offset, writeback } => {
            let addr = pac_insns::load_base(cpu, rn, key_b).wrapping_add(offset as u64);
            // SAFETY: guest memory access, faults become guest signals (an
            // address whose authentication failed is non-canonical).
            let value = unsafe { load_sized(addr, 3) };
            if writeback {
                cpu.set_xsp(rn, addr);
            }
            cpu.set_xzr(rt, value);
        }

        Insn::SimdFp(word) => simd::exec(cpu, word)?,
        Insn::Undefined(word) => return Err(Exception::Undefined(word)),
    }
    Ok(Flow::Next)
}

/// A front end's reader of system registers the core does not hold (system
/// mode's EL1 state): `None` when the register cannot be read at the
/// current exception level, and the instruction raises.
pub type MrsHook = fn(&CpuState, u16) -> Option<u64>;

static MRS_HOOK: std::sync::OnceLock<MrsHook> = std::sync::OnceLock::new();

/// The front end's writes of system registers beyond the EL0 ones (system
/// mode's hot EL1 writes): true when it wrote the register, false to raise
/// the instruction as undefined (the front end then executes it itself).
pub type MsrHook = fn(&mut CpuState, u16, u64) -> bool;

static MSR_HOOK: std::sync::OnceLock<MsrHook> = std::sync::OnceLock::new();

/// Installs the process's [`MsrHook`] (once; later calls are ignored).
pub fn set_msr_hook(hook: MsrHook) {
    let _ = MSR_HOOK.set(hook);
}

/// Installs the process's [`MrsHook`] (once; later calls are ignored).
pub fn set_mrs_hook(hook: MrsHook) {
    let _ = MRS_HOOK.set(hook);
}

/// Re-encodes an MRS/MSR for the "undefined instruction" log line.
fn mrs_word(read: bool, rt: u8, sysreg: u16) -> u32 {
    0xd510_0000 | ((read as u32) << 21) | ((sysreg as u32) << 5) | rt as u32
}

/// Executes the instruction at `cpu.pc` (decoding it from memory) and advances
/// `cpu.pc`. Used by tests and as the JIT's slow path.
pub fn step(cpu: &mut CpuState) -> Result<Flow, Exception> {
    let pc = cpu.pc;
    // SAFETY: instruction fetch from guest memory.
    let word = unsafe { mem::read::<u32>(pc) };
    if cpu.btype != 0 {
        bti::check(cpu, word, pc)?;
    }
    let flow = exec(cpu, &decode(word), pc)?;
    cpu.pc = match flow {
        Flow::Branch(t) => t,
        _ => pc.wrapping_add(4),
    };
    Ok(flow)
}
