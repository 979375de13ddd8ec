//! Translation of one guest block to Cranelift IR.
//!
//! Guest registers live in `CpuState` memory and every guest instruction reads
//! and writes them there, so guest state is exact at every instruction boundary
//! (a faulting load leaves all earlier writes visible, none later). Each
//! CpuState field is its own Cranelift alias region, distinct from guest memory,
//! so Cranelift's alias analysis keeps a register's value in a host register
//! across instructions (store-to-load forwarding, redundant-load elimination)
//! while every write still reaches memory in order.
//!
//! Cranelift's alias analysis assumes no other thread writes memory, so within
//! one function it may reuse a load from before a loop inside the loop. Guest
//! memory is shared with other guest threads (a spin-wait must see their
//! stores), and `exit_request` is set by signal handlers and other threads. Both
//! therefore live in the "guest" alias region, and every backward edge of a
//! compiled loop first stores to `CpuState::loop_scratch` in that region, which
//! makes every later load of the region a fresh load in each iteration.
//!
//! Instructions without a native translation here call the interpreter through
//! [`super::helpers::interp_one`]; the result is identical by construction.

mod simd;

use super::helpers;
use crate::guest::aarch64::cpu::{offsets, CpuState};
use crate::guest::aarch64::decode::*;
use crate::guest::aarch64::sysregs;
use cranelift_codegen::ir::{self, condcodes::IntCC, types, AbiParam, InstBuilder, MemFlagsData, Signature, Value};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::FunctionBuilder;

/// Return codes of translated code (and of the trampoline that enters it).
pub mod status {
    /// Continue at `cpu.pc`; `cpu.chain_slot` may name a slot to patch.
    pub const CONTINUE: i32 = 0;
    /// System call; `cpu.pc` is past the SVC.
    pub const SYSCALL: i32 = 1;
    /// Run the instruction at `cpu.pc` in the interpreter (it raises an exception).
    pub const INTERPRET: i32 = 2;
}

/// Direct-mapped cache for indirect branches: guest PC -> code.
pub const JUMP_CACHE_ENTRIES: usize = 4096;

/// One entry of the indirect-branch cache.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct JumpCacheEntry {
    /// Guest PC (u64::MAX when empty).
    pub pc: u64,
    /// Host code for that PC.
    pub code: u64,
}

/// Index of `pc` in the jump cache.
#[inline(always)]
pub fn jump_cache_index(pc: u64) -> usize {
    ((pc >> 2) as usize) & (JUMP_CACHE_ENTRIES - 1)
}

/// Signature of translated blocks: `fn(cpu) -> status` with the tail calling
/// convention, so blocks can jump to each other without growing the stack.
pub fn block_signature() -> Signature {
    let mut sig = Signature::new(CallConv::Tail);
    sig.params.push(AbiParam::new(types::I64));
    sig.returns.push(AbiParam::new(types::I32));
    sig
}

/// Builds the IR of one block.
pub struct BlockTranslator<'a, 'b> {
    b: &'a mut FunctionBuilder<'b>,
    cpu: Value,
    /// Flags for CpuState fields, one alias region per field offset.
    field_flags: std::collections::HashMap<i32, MemFlagsData>,
    /// Flags for chain slots and the jump cache (written only by the engine).
    tables: MemFlagsData,
    guest: MemFlagsData,
    /// Flags for CpuState fields that other threads write (`exit_request`) or
    /// that force reloads (`loop_scratch`): in the guest memory region.
    shared_field: MemFlagsData,
    block_sig: ir::SigRef,
    helper_sig: ir::SigRef,
    /// Chain slots this block exits through (addresses, allocated by the caller).
    pub slots: &'a [u64],
    next_slot: usize,
    jump_cache: u64,
    /// Guest blocks compiled into this same function: exits to them become
    /// direct jumps (with an exit-request check on backward edges).
    region: std::collections::HashMap<u64, ir::Block>,
    /// Guest address of the instruction being translated.
    current_pc: u64,
    /// The host has fused multiply-add (FMA3), so FMADD/FMLA compile natively.
    host_has_fma: bool,
}

impl<'a, 'b> BlockTranslator<'a, 'b> {
    /// Starts translating into `b`, whose entry block has the `cpu` parameter.
    pub fn new(b: &'a mut FunctionBuilder<'b>, cpu: Value, slots: &'a [u64], jump_cache: u64) -> Self {
        let tables_region = b.func.dfg.alias_regions.insert(ir::AliasRegionData { user_id: 1, description: "tables".into() });
        let guest_region = b.func.dfg.alias_regions.insert(ir::AliasRegionData { user_id: 2, description: "guest".into() });
        let tables = MemFlagsData::trusted().with_alias_region(Some(tables_region));
        let guest = MemFlagsData::new().with_alias_region(Some(guest_region));
        let shared_field = MemFlagsData::trusted().with_alias_region(Some(guest_region));
        let block_sig = b.import_signature(block_signature());
        let mut hs = Signature::new(CallConv::SystemV);
        for _ in 0..3 {
            hs.params.push(AbiParam::new(types::I64));
        }
        hs.returns.push(AbiParam::new(types::I32));
        let helper_sig = b.import_signature(hs);
        BlockTranslator {
            b,
            cpu,
            field_flags: std::collections::HashMap::new(),
            tables,
            guest,
            shared_field,
            block_sig,
            helper_sig,
            slots,
            next_slot: 0,
            jump_cache,
            region: std::collections::HashMap::new(),
            current_pc: 0,
            host_has_fma: std::is_x86_feature_detected!("fma"),
        }
    }

    /// Declares the guest blocks of a multi-block region; returns the IR block
    /// for each (in the order given).
    pub fn declare_region(&mut self, pcs: &[u64]) -> Vec<ir::Block> {
        pcs.iter()
            .map(|&pc| {
                let blk = self.b.create_block();
                self.region.insert(pc, blk);
                blk
            })
            .collect()
    }

    /// Starts emitting the guest block at `pc` (declared with `declare_region`).
    pub fn begin_block(&mut self, pc: u64) {
        let blk = self.region[&pc];
        self.b.switch_to_block(blk);
    }

    /// Jumps from the current position to the region block for `pc`.
    pub fn jump_to_region_block(&mut self, pc: u64) {
        let blk = self.region[&pc];
        self.b.ins().jump(blk, &[]);
    }

    /// Tags following IR with the index of the guest instruction it implements.
    pub fn set_srcloc(&mut self, loc: ir::SourceLoc) {
        self.b.set_srcloc(loc);
    }

    // ----- guest state access -------------------------------------------------

    fn iconst(&mut self, v: u64) -> Value {
        self.b.ins().iconst(types::I64, v as i64)
    }

    /// Loads `exit_request` afresh (see the module comment).
    fn load_exit_request(&mut self) -> Value {
        self.b.ins().load(types::I32, self.shared_field, self.cpu, offsets::EXIT_REQUEST)
    }

    /// Memory flags for the CpuState field at `offset` (its own alias region;
    /// all parts of one vector register share the register's region).
    fn field(&mut self, offset: i32) -> MemFlagsData {
        let v0 = CpuState::offset_of_v(0);
        let offset = if (v0..CpuState::offset_of_v(32)).contains(&offset) { offset - (offset - v0) % 16 } else { offset };
        if let Some(f) = self.field_flags.get(&offset) {
            return *f;
        }
        let region = self.b.func.dfg.alias_regions.insert(ir::AliasRegionData {
            user_id: 0x1000 + offset as u32,
            description: format!("cpu+{offset}").into(),
        });
        let f = MemFlagsData::trusted().with_alias_region(Some(region));
        self.field_flags.insert(offset, f);
        f
    }

    fn load_state(&mut self, ty: ir::Type, offset: i32) -> Value {
        let f = self.field(offset);
        self.b.ins().load(ty, f, self.cpu, offset)
    }

    fn store_state(&mut self, v: Value, offset: i32) {
        let f = self.field(offset);
        self.b.ins().store(f, v, self.cpu, offset);
    }

    /// Reads X[r] with 31 as XZR.
    fn xr(&mut self, r: u8) -> Value {
        if r == 31 {
            self.iconst(0)
        } else {
            self.load_state(types::I64, CpuState::offset_of_x(r as usize))
        }
    }

    /// Reads X[r] with 31 as SP.
    fn xs(&mut self, r: u8) -> Value {
        self.load_state(types::I64, CpuState::offset_of_x(r as usize))
    }

    /// Writes X[r] with 31 as XZR.
    fn set_xr(&mut self, r: u8, v: Value) {
        if r != 31 {
            self.store_state(v, CpuState::offset_of_x(r as usize));
        }
    }

    /// Writes X[r] with 31 as SP.
    fn set_xs(&mut self, r: u8, v: Value) {
        self.store_state(v, CpuState::offset_of_x(r as usize));
    }

    /// Reads a register operand at the operation width (I64 or I32).
    fn operand(&mut self, sf: bool, r: u8) -> Value {
        let v = self.xr(r);
        self.narrow(sf, v)
    }

    fn narrow(&mut self, sf: bool, v: Value) -> Value {
        if sf {
            v
        } else {
            self.b.ins().ireduce(types::I32, v)
        }
    }

    /// Zero-extends a result of the operation width to 64 bits.
    fn widen(&mut self, sf: bool, v: Value) -> Value {
        if sf {
            v
        } else {
            self.b.ins().uextend(types::I64, v)
        }
    }

    fn width_const(&mut self, sf: bool, v: u64) -> Value {
        if sf {
            self.iconst(v)
        } else {
            self.b.ins().iconst(types::I32, v as u32 as i64)
        }
    }

    // ----- flags ----------------------------------------------------------

    /// Stores N and Z for a result of the operation width.
    fn set_nz(&mut self, sf: bool, res: Value) {
        let (n, z) = if sf {
            (res, res)
        } else {
            (self.b.ins().sextend(types::I64, res), self.b.ins().uextend(types::I64, res))
        };
        self.store_state(n, offsets::NF);
        self.store_state(z, offsets::ZF);
    }

    /// `a + b + carry` with flags, at the operation width (`b` already inverted for subtraction).
    fn add_flags(&mut self, sf: bool, a: Value, b: Value, carry: Option<Value>, set_flags: bool) -> Value {
        match carry {
            None => {
                let res = self.b.ins().iadd(a, b);
                if set_flags {
                    self.set_nz(sf, res);
                    let c = self.b.ins().icmp(IntCC::UnsignedLessThan, res, a);
                    let c = self.b.ins().uextend(types::I64, c);
                    self.store_state(c, offsets::CF);
                    self.store_overflow(sf, a, b, res);
                }
                res
            }
            Some(cin) => {
                let (r1, c1) = self.b.ins().uadd_overflow(a, b);
                let cin_w = self.narrow(sf, cin);
                let (res, c2) = self.b.ins().uadd_overflow(r1, cin_w);
                if set_flags {
                    self.set_nz(sf, res);
                    let c = self.b.ins().bor(c1, c2);
                    let c = self.b.ins().uextend(types::I64, c);
                    self.store_state(c, offsets::CF);
                    self.store_overflow(sf, a, b, res);
                }
                res
            }
        }
    }

    /// Subtraction `a - b` with flags (C = no borrow).
    fn sub_flags(&mut self, sf: bool, a: Value, b: Value, set_flags: bool) -> Value {
        let res = self.b.ins().isub(a, b);
        if set_flags {
            self.set_nz(sf, res);
            let c = self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, a, b);
            let c = self.b.ins().uextend(types::I64, c);
            self.store_state(c, offsets::CF);
            let nb = self.b.ins().bnot(b);
            self.store_overflow(sf, a, nb, res);
        }
        res
    }

    /// V for `res = a + b (+c)`: sign of (a ^ res) & (b ^ res).
    fn store_overflow(&mut self, sf: bool, a: Value, b: Value, res: Value) {
        let x = self.b.ins().bxor(a, res);
        let y = self.b.ins().bxor(b, res);
        let v = self.b.ins().band(x, y);
        let v = if sf { v } else { self.b.ins().sextend(types::I64, v) };
        self.store_state(v, offsets::VF);
    }

    fn set_logic_flags(&mut self, sf: bool, res: Value) {
        self.set_nz(sf, res);
        let zero = self.iconst(0);
        self.store_state(zero, offsets::CF);
        self.store_state(zero, offsets::VF);
    }

    /// Evaluates condition `cond` to an I8 truth value.
    fn condition(&mut self, cond: u8) -> Value {
        let base = match cond >> 1 {
            0 => {
                let z = self.load_state(types::I64, offsets::ZF);
                self.b.ins().icmp_imm_s(IntCC::Equal, z, 0)
            }
            1 => {
                let c = self.load_state(types::I64, offsets::CF);
                self.b.ins().icmp_imm_s(IntCC::NotEqual, c, 0)
            }
            2 => {
                let n = self.load_state(types::I64, offsets::NF);
                self.b.ins().icmp_imm_s(IntCC::SignedLessThan, n, 0)
            }
            3 => {
                let v = self.load_state(types::I64, offsets::VF);
                self.b.ins().icmp_imm_s(IntCC::SignedLessThan, v, 0)
            }
            4 => {
                let c = self.load_state(types::I64, offsets::CF);
                let z = self.load_state(types::I64, offsets::ZF);
                let c = self.b.ins().icmp_imm_s(IntCC::NotEqual, c, 0);
                let nz = self.b.ins().icmp_imm_s(IntCC::NotEqual, z, 0);
                self.b.ins().band(c, nz)
            }
            5 => {
                let n = self.load_state(types::I64, offsets::NF);
                let v = self.load_state(types::I64, offsets::VF);
                let x = self.b.ins().bxor(n, v);
                self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, x, 0)
            }
            6 => {
                let n = self.load_state(types::I64, offsets::NF);
                let v = self.load_state(types::I64, offsets::VF);
                let z = self.load_state(types::I64, offsets::ZF);
                let x = self.b.ins().bxor(n, v);
                let ge = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, x, 0);
                let nz = self.b.ins().icmp_imm_s(IntCC::NotEqual, z, 0);
                self.b.ins().band(ge, nz)
            }
            _ => return self.b.ins().iconst(types::I8, 1),
        };
        if cond & 1 == 1 {
            self.b.ins().bxor_imm_s(base, 1)
        } else {
            base
        }
    }

    // ----- operands -------------------------------------------------------

    fn shifted(&mut self, sf: bool, r: u8, shift: Shift, amount: u8) -> Value {
        let v = self.operand(sf, r);
        if amount == 0 {
            return v;
        }
        let a = amount as i64;
        match shift {
            Shift::Lsl => self.b.ins().ishl_imm_s(v, a),
            Shift::Lsr => self.b.ins().ushr_imm_s(v, a),
            Shift::Asr => self.b.ins().sshr_imm_s(v, a),
            Shift::Ror => self.b.ins().rotr_imm_s(v, a),
        }
    }

    /// Extends register `r` per `extend`, shifted left by `amount`, as 64 bits.
    fn extended(&mut self, r: u8, extend: Extend, amount: u8) -> Value {
        let v = self.xr(r);
        let size = extend.0 & 3;
        let v = if size == 3 {
            v
        } else {
            let ty = [types::I8, types::I16, types::I32][size as usize];
            let n = self.b.ins().ireduce(ty, v);
            if extend.0 & 4 != 0 {
                self.b.ins().sextend(types::I64, n)
            } else {
                self.b.ins().uextend(types::I64, n)
            }
        };
        if amount == 0 {
            v
        } else {
            self.b.ins().ishl_imm_s(v, amount as i64)
        }
    }

    // ----- control flow -----------------------------------------------------

    /// Leaves the block towards the known guest address `target`, chaining
    /// directly to its code when the slot has been patched.
    pub fn exit_to(&mut self, target: u64) {
        if let Some(&blk) = self.region.get(&target) {
            if target > self.current_pc {
                self.b.ins().jump(blk, &[]);
                return;
            }
            // Backward edge (a loop): stay inside the function unless asked to
            // leave, so a tight guest loop can still be interrupted. The store
            // makes the next iteration reload guest memory and exit_request.
            let zero = self.iconst(0);
            self.b.ins().store(self.shared_field, zero, self.cpu, offsets::LOOP_SCRATCH);
            let req = self.load_exit_request();
            let leave = self.b.create_block();
            self.b.ins().brif(req, leave, &[], blk, &[]);
            self.b.switch_to_block(leave);
            self.b.seal_block(leave);
            let pc = self.iconst(target);
            self.store_state(pc, offsets::PC);
            let zero = self.iconst(0);
            self.store_state(zero, offsets::CHAIN_SLOT);
            self.ret(status::CONTINUE);
            return;
        }
        let slot = self.slots[self.next_slot];
        self.next_slot += 1;
        let slot_addr = self.iconst(slot);
        let code = self.b.ins().load(types::I64, self.tables, slot_addr, 0);
        let req = self.load_exit_request();
        let have = self.b.ins().icmp_imm_s(IntCC::NotEqual, code, 0);
        let calm = self.b.ins().icmp_imm_s(IntCC::Equal, req, 0);
        let go = self.b.ins().band(have, calm);
        let chain = self.b.create_block();
        let leave = self.b.create_block();
        self.b.ins().brif(go, chain, &[], leave, &[]);

        self.b.switch_to_block(chain);
        self.b.seal_block(chain);
        let cpu = self.cpu;
        self.b.ins().return_call_indirect(self.block_sig, code, &[cpu]);

        self.b.switch_to_block(leave);
        self.b.seal_block(leave);
        let pc = self.iconst(target);
        self.store_state(pc, offsets::PC);
        self.store_state(slot_addr, offsets::CHAIN_SLOT);
        self.ret(status::CONTINUE);
    }

    /// Leaves towards a computed guest address via the indirect-branch cache.
    fn exit_indirect(&mut self, target: Value) {
        self.store_state(target, offsets::PC);
        let idx = self.b.ins().ushr_imm_s(target, 2);
        let idx = self.b.ins().band_imm_s(idx, (JUMP_CACHE_ENTRIES - 1) as i64);
        let off = self.b.ins().ishl_imm_s(idx, 4);
        let base = self.iconst(self.jump_cache);
        let entry = self.b.ins().iadd(base, off);
        let cached_pc = self.b.ins().load(types::I64, self.tables, entry, 0);
        let code = self.b.ins().load(types::I64, self.tables, entry, 8);
        let req = self.load_exit_request();
        let hit = self.b.ins().icmp(IntCC::Equal, cached_pc, target);
        let calm = self.b.ins().icmp_imm_s(IntCC::Equal, req, 0);
        let go = self.b.ins().band(hit, calm);
        let chain = self.b.create_block();
        let leave = self.b.create_block();
        self.b.ins().brif(go, chain, &[], leave, &[]);

        self.b.switch_to_block(chain);
        self.b.seal_block(chain);
        let cpu = self.cpu;
        self.b.ins().return_call_indirect(self.block_sig, code, &[cpu]);

        self.b.switch_to_block(leave);
        self.b.seal_block(leave);
        let zero = self.iconst(0);
        self.store_state(zero, offsets::CHAIN_SLOT);
        self.ret(status::CONTINUE);
    }

    fn ret(&mut self, code: i32) {
        let v = self.b.ins().iconst(types::I32, code as i64);
        self.b.ins().return_(&[v]);
    }

    /// Leaves with `cpu.pc = pc` and the given status.
    fn exit_status(&mut self, pc: u64, code: i32) {
        let v = self.iconst(pc);
        self.store_state(v, offsets::PC);
        self.ret(code);
    }

    /// Branches to `target` if `cond` (I8) holds, else to `fallthrough`.
    fn exit_conditional(&mut self, cond: Value, target: u64, fallthrough: u64) {
        let taken = self.b.create_block();
        let not_taken = self.b.create_block();
        self.b.ins().brif(cond, taken, &[], not_taken, &[]);
        self.b.switch_to_block(taken);
        self.b.seal_block(taken);
        self.exit_to(target);
        self.b.switch_to_block(not_taken);
        self.b.seal_block(not_taken);
        self.exit_to(fallthrough);
    }

    /// Runs one instruction in the interpreter; leaves the block if it raised.
    fn call_interpreter(&mut self, word: u32, pc: u64) {
        let f = self.iconst(helpers::interp_one as *const () as u64);
        let cpu = self.cpu;
        let w = self.iconst(word as u64);
        let p = self.iconst(pc);
        let call = self.b.ins().call_indirect(self.helper_sig, f, &[cpu, w, p]);
        let r = self.b.inst_results(call)[0];
        let fail = self.b.create_block();
        let ok = self.b.create_block();
        self.b.ins().brif(r, fail, &[], ok, &[]);
        self.b.switch_to_block(fail);
        self.b.seal_block(fail);
        self.exit_status(pc, status::INTERPRET);
        self.b.switch_to_block(ok);
        self.b.seal_block(ok);
    }

    // ----- memory -----------------------------------------------------------

    fn address(&mut self, rn: u8, mode: AddrMode) -> (Value, Option<Value>) {
        let base = self.xs(rn);
        match mode {
            AddrMode::Offset(imm) => (self.b.ins().iadd_imm_s(base, imm), None),
            AddrMode::PreIndex(imm) => {
                let a = self.b.ins().iadd_imm_s(base, imm);
                (a, Some(a))
            }
            AddrMode::PostIndex(imm) => {
                let wb = self.b.ins().iadd_imm_s(base, imm);
                (base, Some(wb))
            }
            AddrMode::Register { rm, extend, shift } => {
                let off = self.extended(rm, extend, shift);
                (self.b.ins().iadd(base, off), None)
            }
        }
    }

    fn load_gpr(&mut self, kind: LdStKind, size: u8, addr: Value) -> Value {
        let ty = [types::I8, types::I16, types::I32, types::I64][size as usize];
        let v = self.b.ins().load(ty, self.guest, addr, 0);
        if size == 3 {
            return v;
        }
        match kind {
            LdStKind::LoadSigned64 => self.b.ins().sextend(types::I64, v),
            LdStKind::LoadSigned32 => {
                let w = if size == 2 { v } else { self.b.ins().sextend(types::I32, v) };
                self.b.ins().uextend(types::I64, w)
            }
            _ => self.b.ins().uextend(types::I64, v),
        }
    }

    /// Transfers one register; returns a loaded GPR value to be written later
    /// (so pair loads can read both before writing either).
    fn transfer(&mut self, kind: LdStKind, size: u8, rt: u8, addr: Value) -> Option<Value> {
        match kind {
            LdStKind::Store => {
                let v = self.xr(rt);
                let v = if size == 3 {
                    v
                } else {
                    let ty = [types::I8, types::I16, types::I32][size as usize];
                    self.b.ins().ireduce(ty, v)
                };
                self.b.ins().store(self.guest, v, addr, 0);
                None
            }
            LdStKind::Load | LdStKind::LoadSigned32 | LdStKind::LoadSigned64 => Some(self.load_gpr(kind, size, addr)),
            LdStKind::StoreVec => {
                let off = CpuState::offset_of_v(rt as usize);
                if size == 4 {
                    // One 128-bit access: two 64-bit halves would defeat the
                    // host's store-to-load forwarding for a following Q access.
                    let v = self.load_state(types::I8X16, off);
                    self.b.ins().store(self.guest, v, addr, 0);
                } else {
                    let ty = [types::I8, types::I16, types::I32, types::I64][size as usize];
                    let v = self.load_state(ty, off);
                    self.b.ins().store(self.guest, v, addr, 0);
                }
                None
            }
            LdStKind::LoadVec => {
                let off = CpuState::offset_of_v(rt as usize);
                if size == 4 {
                    let v = self.b.ins().load(types::I8X16, self.guest, addr, 0);
                    self.store_state(v, off);
                } else {
                    let v = self.load_gpr(LdStKind::Load, size, addr);
                    let zero = self.iconst(0);
                    self.store_state(v, off);
                    self.store_state(zero, off + 8);
                }
                None
            }
            LdStKind::Prefetch => None,
        }
    }

    // ----- instructions -----------------------------------------------------

    /// Emits one instruction at `pc`. Returns true if it ended the block
    /// (emitted its own exits).
    pub fn emit(&mut self, word: u32, insn: &Insn, pc: u64) -> bool {
        self.current_pc = pc;
        match *insn {
            Insn::AddSubImm { sf, sub, set_flags, rd, rn, imm } => {
                let a = self.xs(rn);
                let a = self.narrow(sf, a);
                let b = self.width_const(sf, imm);
                let r = if sub { self.sub_flags(sf, a, b, set_flags) } else { self.add_flags(sf, a, b, None, set_flags) };
                let r = self.widen(sf, r);
                if set_flags {
                    self.set_xr(rd, r)
                } else {
                    self.set_xs(rd, r)
                }
            }
            Insn::LogicImm { sf, op, rd, rn, imm } => {
                let a = self.operand(sf, rn);
                let r = match op {
                    LogicOp::And | LogicOp::Ands => self.b.ins().band_imm_s(a, imm as i64),
                    LogicOp::Orr => self.b.ins().bor_imm_s(a, imm as i64),
                    LogicOp::Eor => self.b.ins().bxor_imm_s(a, imm as i64),
                };
                if op == LogicOp::Ands {
                    self.set_logic_flags(sf, r);
                }
                let r = self.widen(sf, r);
                if op == LogicOp::Ands {
                    self.set_xr(rd, r)
                } else {
                    self.set_xs(rd, r)
                }
            }
            Insn::MovWide { sf, opc, rd, imm16, shift } => {
                let imm = (imm16 as u64) << shift;
                let mask = if sf { u64::MAX } else { 0xffff_ffff };
                let r = match opc {
                    0 => self.iconst(!imm & mask),
                    2 => self.iconst(imm),
                    _ => {
                        let old = self.xr(rd);
                        let kept = self.b.ins().band_imm_s(old, (!(0xffffu64 << shift) & mask) as i64);
                        self.b.ins().bor_imm_s(kept, imm as i64)
                    }
                };
                self.set_xr(rd, r);
            }
            Insn::Adr { rd, value_from_pc, page } => {
                let base = if page { pc & !0xfff } else { pc };
                let v = self.iconst(base.wrapping_add(value_from_pc as u64));
                self.set_xr(rd, v);
            }
            Insn::Bitfield { sf, opc, rd, rn, immr, imms } => self.emit_bitfield(sf, opc, rd, rn, immr, imms),
            Insn::Extr { sf, rd, rn, rm, lsb } => {
                let lo = self.operand(sf, rm);
                let r = if lsb == 0 {
                    lo
                } else {
                    let hi = self.operand(sf, rn);
                    let width = if sf { 64 } else { 32 };
                    let l = self.b.ins().ushr_imm_s(lo, lsb as i64);
                    let h = self.b.ins().ishl_imm_s(hi, (width - lsb as i64) as i64);
                    self.b.ins().bor(l, h)
                };
                let r = self.widen(sf, r);
                self.set_xr(rd, r);
            }
            Insn::AddSubShifted { sf, sub, set_flags, rd, rn, rm, shift, amount } => {
                let a = self.operand(sf, rn);
                let b = self.shifted(sf, rm, shift, amount);
                let r = if sub { self.sub_flags(sf, a, b, set_flags) } else { self.add_flags(sf, a, b, None, set_flags) };
                let r = self.widen(sf, r);
                self.set_xr(rd, r);
            }
            Insn::AddSubExt { sf, sub, set_flags, rd, rn, rm, extend, amount } => {
                let a = self.xs(rn);
                let a = self.narrow(sf, a);
                let b = self.extended(rm, extend, amount);
                let b = self.narrow(sf, b);
                let r = if sub { self.sub_flags(sf, a, b, set_flags) } else { self.add_flags(sf, a, b, None, set_flags) };
                let r = self.widen(sf, r);
                if set_flags {
                    self.set_xr(rd, r)
                } else {
                    self.set_xs(rd, r)
                }
            }
            Insn::LogicShifted { sf, op, invert, rd, rn, rm, shift, amount } => {
                let a = self.operand(sf, rn);
                let mut b = self.shifted(sf, rm, shift, amount);
                if invert {
                    b = self.b.ins().bnot(b);
                }
                let r = match op {
                    LogicOp::And | LogicOp::Ands => self.b.ins().band(a, b),
                    LogicOp::Orr => self.b.ins().bor(a, b),
                    LogicOp::Eor => self.b.ins().bxor(a, b),
                };
                if op == LogicOp::Ands {
                    self.set_logic_flags(sf, r);
                }
                let r = self.widen(sf, r);
                self.set_xr(rd, r);
            }
            Insn::AddSubCarry { sf, sub, set_flags, rd, rn, rm } => {
                let a = self.operand(sf, rn);
                let mut b = self.operand(sf, rm);
                if sub {
                    b = self.b.ins().bnot(b);
                }
                let c = self.load_state(types::I64, offsets::CF);
                let r = self.add_flags(sf, a, b, Some(c), set_flags);
                let r = self.widen(sf, r);
                self.set_xr(rd, r);
            }
            Insn::CondCompare { sf, sub, rn, rm_or_imm, is_imm, nzcv, cond } => {
                let holds = self.condition(cond);
                let a = self.operand(sf, rn);
                let b = if is_imm { self.width_const(sf, rm_or_imm as u64) } else { self.operand(sf, rm_or_imm) };
                if sub {
                    self.sub_flags(sf, a, b, true);
                } else {
                    self.add_flags(sf, a, b, None, true);
                }
                // Replace the computed flags with the immediate ones when the
                // condition fails.
                let mut fixed = CpuState::default();
                fixed.set_nzcv((nzcv as u64) << 28);
                for (off, val) in [(offsets::NF, fixed.nf), (offsets::ZF, fixed.zf), (offsets::CF, fixed.cf), (offsets::VF, fixed.vf)] {
                    let computed = self.load_state(types::I64, off);
                    let imm = self.iconst(val);
                    let v = self.b.ins().select(holds, computed, imm);
                    self.store_state(v, off);
                }
            }
            Insn::CondSelect { sf, invert, increment, rd, rn, rm, cond } => {
                let holds = self.condition(cond);
                let a = self.operand(sf, rn);
                let mut b = self.operand(sf, rm);
                if invert {
                    b = self.b.ins().bnot(b);
                }
                if increment {
                    b = self.b.ins().iadd_imm_s(b, 1);
                }
                let r = self.b.ins().select(holds, a, b);
                let r = self.widen(sf, r);
                self.set_xr(rd, r);
            }
            Insn::Dp1 { sf, op, rd, rn } => {
                let a = self.operand(sf, rn);
                let r = match op {
                    Dp1Op::Rbit => self.b.ins().bitrev(a),
                    Dp1Op::Rev => self.b.ins().bswap(a),
                    Dp1Op::Rev32 => {
                        let s = self.b.ins().bswap(a);
                        self.b.ins().rotr_imm_s(s, 32)
                    }
                    Dp1Op::Rev16 => {
                        let m = if sf { 0x00ff_00ff_00ff_00ffu64 } else { 0x00ff_00ff };
                        let lo = self.b.ins().band_imm_s(a, m as i64);
                        let lo = self.b.ins().ishl_imm_s(lo, 8);
                        let hi = self.b.ins().ushr_imm_s(a, 8);
                        let hi = self.b.ins().band_imm_s(hi, m as i64);
                        self.b.ins().bor(lo, hi)
                    }
                    Dp1Op::Clz => self.b.ins().clz(a),
                    Dp1Op::Cls => self.b.ins().cls(a),
                };
                let r = self.widen(sf, r);
                self.set_xr(rd, r);
            }
            Insn::Dp2 { sf, op, rd, rn, rm } => {
                let a = self.operand(sf, rn);
                let b = self.operand(sf, rm);
                let r = match op {
                    Dp2Op::Udiv => {
                        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, b, 0);
                        let one = self.width_const(sf, 1);
                        let safe = self.b.ins().select(zero, one, b);
                        let q = self.b.ins().udiv(a, safe);
                        let z = self.width_const(sf, 0);
                        self.b.ins().select(zero, z, q)
                    }
                    Dp2Op::Sdiv => {
                        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, b, 0);
                        let minus1 = self.b.ins().icmp_imm_s(IntCC::Equal, b, -1);
                        let bad = self.b.ins().bor(zero, minus1);
                        let one = self.width_const(sf, 1);
                        let safe = self.b.ins().select(bad, one, b);
                        let q = self.b.ins().sdiv(a, safe);
                        let neg = self.b.ins().ineg(a);
                        let q = self.b.ins().select(minus1, neg, q);
                        let z = self.width_const(sf, 0);
                        self.b.ins().select(zero, z, q)
                    }
                    Dp2Op::Lslv | Dp2Op::Lsrv | Dp2Op::Asrv | Dp2Op::Rorv => {
                        // Cranelift shifts take the amount modulo the width,
                        // exactly as the A64 variable shifts do.
                        match op {
                            Dp2Op::Lslv => self.b.ins().ishl(a, b),
                            Dp2Op::Lsrv => self.b.ins().ushr(a, b),
                            Dp2Op::Asrv => self.b.ins().sshr(a, b),
                            _ => self.b.ins().rotr(a, b),
                        }
                    }
                    Dp2Op::Crc32 { .. } | Dp2Op::Crc32c { .. } => {
                        self.call_interpreter(word, pc);
                        return false;
                    }
                };
                let r = self.widen(sf, r);
                self.set_xr(rd, r);
            }
            Insn::Dp3 { sf, op, rd, rn, rm, ra } => {
                let r = match op {
                    Dp3Op::Madd | Dp3Op::Msub => {
                        let n = self.operand(sf, rn);
                        let m = self.operand(sf, rm);
                        let a = self.operand(sf, ra);
                        let p = self.b.ins().imul(n, m);
                        let r = if op == Dp3Op::Madd { self.b.ins().iadd(a, p) } else { self.b.ins().isub(a, p) };
                        self.widen(sf, r)
                    }
                    Dp3Op::Smaddl | Dp3Op::Smsubl | Dp3Op::Umaddl | Dp3Op::Umsubl => {
                        let n = self.operand(false, rn);
                        let m = self.operand(false, rm);
                        let signed = matches!(op, Dp3Op::Smaddl | Dp3Op::Smsubl);
                        let (n, m) = if signed {
                            (self.b.ins().sextend(types::I64, n), self.b.ins().sextend(types::I64, m))
                        } else {
                            (self.b.ins().uextend(types::I64, n), self.b.ins().uextend(types::I64, m))
                        };
                        let a = self.xr(ra);
                        let p = self.b.ins().imul(n, m);
                        if matches!(op, Dp3Op::Smaddl | Dp3Op::Umaddl) {
                            self.b.ins().iadd(a, p)
                        } else {
                            self.b.ins().isub(a, p)
                        }
                    }
                    Dp3Op::Smulh => {
                        let n = self.xr(rn);
                        let m = self.xr(rm);
                        self.b.ins().smulhi(n, m)
                    }
                    Dp3Op::Umulh => {
                        let n = self.xr(rn);
                        let m = self.xr(rm);
                        self.b.ins().umulhi(n, m)
                    }
                };
                self.set_xr(rd, r);
            }

            Insn::Branch { offset, link } => {
                if link {
                    let ret = self.iconst(pc + 4);
                    self.set_xr(30, ret);
                }
                self.exit_to(pc.wrapping_add(offset as u64));
                return true;
            }
            Insn::BranchCond { cond, offset } => {
                let c = self.condition(cond);
                self.exit_conditional(c, pc.wrapping_add(offset as u64), pc + 4);
                return true;
            }
            Insn::CompareBranch { sf, nonzero, rt, offset } => {
                let v = self.operand(sf, rt);
                let cc = if nonzero { IntCC::NotEqual } else { IntCC::Equal };
                let c = self.b.ins().icmp_imm_s(cc, v, 0);
                self.exit_conditional(c, pc.wrapping_add(offset as u64), pc + 4);
                return true;
            }
            Insn::TestBranch { nonzero, bit, rt, offset } => {
                let v = self.xr(rt);
                let t = self.b.ins().band_imm_s(v, (1u64 << bit) as i64);
                let cc = if nonzero { IntCC::NotEqual } else { IntCC::Equal };
                let c = self.b.ins().icmp_imm_s(cc, t, 0);
                self.exit_conditional(c, pc.wrapping_add(offset as u64), pc + 4);
                return true;
            }
            Insn::BranchReg { kind, rn } => {
                let target = self.xr(rn);
                if kind == BranchRegKind::Blr {
                    let ret = self.iconst(pc + 4);
                    self.set_xr(30, ret);
                }
                self.exit_indirect(target);
                return true;
            }
            Insn::Svc { .. } => {
                self.exit_status(pc + 4, status::SYSCALL);
                return true;
            }
            Insn::Brk { .. } | Insn::Undefined(_) => {
                self.exit_status(pc, status::INTERPRET);
                return true;
            }
            Insn::Nop | Insn::MsrImm => {}
            Insn::Mrs { rt, sysreg: sysregs::TPIDR_EL0 } => {
                let v = self.load_state(types::I64, offsets::TPIDR_EL0);
                self.set_xr(rt, v);
            }
            Insn::Msr { rt, sysreg: sysregs::TPIDR_EL0 } => {
                let v = self.xr(rt);
                self.store_state(v, offsets::TPIDR_EL0);
            }
            Insn::LdSt { kind, size, rt, rn, mode } => {
                let (addr, wb) = self.address(rn, mode);
                if let Some(v) = self.transfer(kind, size, rt, addr) {
                    self.set_xr(rt, v);
                }
                if let Some(wb) = wb {
                    self.set_xs(rn, wb);
                }
            }
            Insn::LdLiteral { kind, size, rt, offset } => {
                let addr = self.iconst(pc.wrapping_add(offset as u64));
                if let Some(v) = self.transfer(kind, size, rt, addr) {
                    self.set_xr(rt, v);
                }
            }
            Insn::LdStPair { kind, size, rt, rt2, rn, mode } => {
                let (addr, wb) = self.address(rn, mode);
                let addr2 = self.b.ins().iadd_imm_s(addr, 1i64 << size);
                let v1 = self.transfer(kind, size, rt, addr);
                let v2 = self.transfer(kind, size, rt2, addr2);
                if let Some(v) = v1 {
                    self.set_xr(rt, v);
                }
                if let Some(v) = v2 {
                    self.set_xr(rt2, v);
                }
                if let Some(wb) = wb {
                    self.set_xs(rn, wb);
                }
            }
            Insn::LoadAcquire { size, rt, rn } => {
                let addr = self.xs(rn);
                let v = self.load_gpr(LdStKind::Load, size, addr);
                self.set_xr(rt, v);
            }
            Insn::StoreRelease { size, rt, rn } => {
                let addr = self.xs(rn);
                self.transfer(LdStKind::Store, size, rt, addr);
                self.b.ins().fence();
            }
            Insn::SimdFp(w) if self.emit_simd(w, pc) => {}
            _ => {
                self.call_interpreter(word, pc);
                if insn.ends_block() {
                    self.exit_to(pc + 4);
                    return true;
                }
            }
        }
        false
    }

    fn emit_bitfield(&mut self, sf: bool, opc: u8, rd: u8, rn: u8, immr: u8, imms: u8) {
        let esize: u32 = if sf { 64 } else { 32 };
        let ones = |n: u32| if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
        let (r, s) = (immr as u32, imms as u32);
        let welem = ones(s + 1);
        let wmask = if r == 0 { welem } else { ((welem >> r) | (welem << (esize - r))) & ones(esize) };
        let tmask = ones((s.wrapping_sub(r) & (esize - 1)) + 1);
        let src = self.operand(sf, rn);
        let rot = if r == 0 { src } else { self.b.ins().rotr_imm_s(src, r as i64) };
        let res = match opc {
            2 => self.b.ins().band_imm_s(rot, (wmask & tmask) as i64),
            0 => {
                let bot = self.b.ins().band_imm_s(rot, (wmask & tmask) as i64);
                // Replicate bit S of the source into every bit above the field.
                let up = self.b.ins().ishl_imm_s(src, (esize - 1 - s) as i64);
                let top = self.b.ins().sshr_imm_s(up, (esize - 1) as i64);
                let top = self.b.ins().band_imm_s(top, (!tmask & ones(esize)) as i64);
                self.b.ins().bor(top, bot)
            }
            _ => {
                let dst = self.operand(sf, rd);
                let keep = self.b.ins().band_imm_s(dst, (!(wmask & tmask) & ones(esize)) as i64);
                let ins = self.b.ins().band_imm_s(rot, (wmask & tmask) as i64);
                self.b.ins().bor(keep, ins)
            }
        };
        let res = self.widen(sf, res);
        self.set_xr(rd, res);
    }

    /// Number of chain slots the block used.
    pub fn slots_used(&self) -> usize {
        self.next_slot
    }
}

/// Chain slots a guest block needs at most: a conditional branch has two exits.
pub const MAX_SLOTS_PER_BLOCK: usize = 2;
/// Most guest blocks compiled into one region.
pub const MAX_REGION_BLOCKS: usize = 64;
