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
mod soft_mmu;

use super::helpers;
use crate::guest::aarch64::cpu::{offsets, CpuState};
use crate::guest::aarch64::decode::{decode, Insn};
use crate::ir as kir;
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

/// Indirect branches look their target up in the running thread's table,
/// of the same shape as the baseline backend's.
pub use crate::backend::x86::{jump_cache_index, JumpCacheEntry, JUMP_CACHE_ENTRIES, JUMP_CACHE_FOLD};

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
    /// Guest blocks compiled into this same function: exits to them become
    /// direct jumps (with an exit-request check on backward edges).
    region: std::collections::HashMap<u64, ir::Block>,
    /// Guest address of the instruction being translated.
    current_pc: u64,
    /// The host has fused multiply-add (FMA3), so FMADD/FMLA compile natively.
    host_has_fma: bool,
    /// Values of the current IR block's temporaries.
    temps: Vec<Option<Value>>,
    /// Signature of `PureFn` helpers: (i64, i64) -> i64.
    pure_sig: ir::SigRef,
    /// Guest memory goes through the software MMU (system mode), not
    /// straight to host memory (see `soft_mmu`).
    pub soft_mmu: bool,
    /// The current instruction's accesses are LDTR/STTR's (`Op::Unprivileged`).
    unprivileged: bool,
    /// Signatures of the software MMU's slow paths: `soft_load` and the
    /// five-argument ones.
    soft_load_sig: ir::SigRef,
    soft_store_sig: ir::SigRef,
    /// Values of the flag fields (N, Z, C, V, in [`FLAG_OFFSETS`] order)
    /// written but not stored yet (see `store_state`).
    pending_flags: [Option<Value>; 4],
}

/// CpuState offsets of the flag fields whose stores are deferred.
const FLAG_OFFSETS: [i32; 4] = [offsets::NF, offsets::ZF, offsets::CF, offsets::VF];

impl<'a, 'b> BlockTranslator<'a, 'b> {
    /// Starts translating into `b`, whose entry block has the `cpu` parameter.
    pub fn new(b: &'a mut FunctionBuilder<'b>, cpu: Value, slots: &'a [u64]) -> Self {
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
        let mut ps = Signature::new(CallConv::SystemV);
        ps.params.push(AbiParam::new(types::I64));
        ps.params.push(AbiParam::new(types::I64));
        ps.returns.push(AbiParam::new(types::I64));
        let pure_sig = b.import_signature(ps);
        let i64_params = |n: usize, ret: bool| {
            let mut s = Signature::new(CallConv::SystemV);
            s.params.extend(std::iter::repeat_n(AbiParam::new(types::I64), n));
            if ret {
                s.returns.push(AbiParam::new(types::I64));
            }
            s
        };
        let soft_load_sig = b.import_signature(i64_params(4, true));
        let soft_store_sig = b.import_signature(i64_params(5, false));
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
            region: std::collections::HashMap::new(),
            current_pc: 0,
            host_has_fma: std::is_x86_feature_detected!("fma"),
            temps: Vec::new(),
            pure_sig,
            soft_mmu: false,
            unprivileged: false,
            soft_load_sig,
            soft_store_sig,
            pending_flags: [None; 4],
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

    /// A store into the guest alias region (see the module comment): no
    /// guest-region load (guest memory, `exit_request`) after it may reuse a
    /// value loaded before it. Each site stores its own constant: Cranelift
    /// drops a store of the value a dominating store already wrote, and with
    /// it the ordering (a loop's acquire loads then saw an exit request read
    /// before them, and ran code another thread had invalidated).
    fn ordering_store(&mut self, site: u64) {
        let v = self.iconst(site);
        self.b.ins().store(self.shared_field, v, self.cpu, offsets::LOOP_SCRATCH);
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
        if let Some(i) = FLAG_OFFSETS.iter().position(|&o| o == offset) {
            match self.pending_flags[i] {
                Some(v) if ty == types::I64 => return v,
                Some(_) => self.flush_flags(),
                None => {}
            }
        }
        let f = self.field(offset);
        self.b.ins().load(ty, f, self.cpu, offset)
    }

    /// Stores a state field. The flag fields are only noted, and stored
    /// when something can see them (`flush_flags`): Cranelift keeps every
    /// store, and a chain of flag-setting instructions (the compare loops
    /// of memcmp and strcoll: SUBS, CCMP, CCMP, B.cond) stored four fields
    /// per instruction, which made such loops slower than the baseline
    /// backend's, which computes flags only where they are live.
    fn store_state(&mut self, v: Value, offset: i32) {
        if let Some(i) = FLAG_OFFSETS.iter().position(|&o| o == offset) {
            if self.b.func.dfg.value_type(v) == types::I64 {
                self.pending_flags[i] = Some(v);
                return;
            }
            self.pending_flags[i] = None;
        }
        let f = self.field(offset);
        self.b.ins().store(f, v, self.cpu, offset);
    }

    /// Stores the flag fields written since the last flush: before anything
    /// that can observe the state (an exit, a memory access, which may
    /// fault, a call into Kestrel).
    fn flush_flags(&mut self) {
        for (i, &offset) in FLAG_OFFSETS.iter().enumerate() {
            if let Some(v) = self.pending_flags[i].take() {
                let f = self.field(offset);
                self.b.ins().store(f, v, self.cpu, offset);
            }
        }
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
            self.ordering_store(target);
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
        // See `jump_cache_index`.
        let low = self.b.ins().ushr_imm_s(target, 2);
        let high = self.b.ins().ushr_imm_s(target, JUMP_CACHE_FOLD as i64);
        let idx = self.b.ins().bxor(low, high);
        let idx = self.b.ins().band_imm_s(idx, (JUMP_CACHE_ENTRIES - 1) as i64);
        let off = self.b.ins().ishl_imm_s(idx, 4);
        // The running thread's table (code is shared by threads).
        let base = self.load_state(types::I64, offsets::REGION_TARGETS);
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
        self.call_raising_helper(helpers::interp_one as *const () as u64, word as u64, pc);
    }

    /// Calls `helper(cpu, arg, pc)`; a non-zero result (the helper set
    /// `pc`) leaves the region for the execution loop to raise.
    fn call_raising_helper(&mut self, helper: u64, arg: u64, pc: u64) {
        let f = self.iconst(helper);
        let cpu = self.cpu;
        let w = self.iconst(arg);
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

    // ----- IR operations ------------------------------------------------------

    /// A temporary's value (I64).
    fn t(&self, t: kir::Temp) -> Value {
        self.temps[t.0 as usize].expect("IR temporary read before it was defined")
    }

    fn def(&mut self, t: kir::Temp, v: Value) {
        let i = t.0 as usize;
        if self.temps.len() <= i {
            self.temps.resize(i + 1, None);
        }
        self.temps[i] = Some(v);
    }

    /// An operand as I64.
    fn src(&mut self, s: kir::Src) -> Value {
        match s {
            kir::Src::T(t) => self.t(t),
            kir::Src::Imm(v) => self.iconst(v),
        }
    }

    /// A condition as an I8 truth value.
    fn cond(&mut self, c: kir::Cond) -> Value {
        match c {
            kir::Cond::Flags(code) => self.condition(code),
            kir::Cond::NonZero(t) => {
                let v = self.t(t);
                self.b.ins().icmp_imm_s(IntCC::NotEqual, v, 0)
            }
            kir::Cond::Zero(t) => {
                let v = self.t(t);
                self.b.ins().icmp_imm_s(IntCC::Equal, v, 0)
            }
        }
    }

    fn bin(&mut self, op: kir::BinOp, sf: bool, a: Value, b: Value) -> Value {
        use kir::BinOp::*;
        let (a, b) = (self.narrow(sf, a), self.narrow(sf, b));
        let r = match op {
            Add => self.b.ins().iadd(a, b),
            Sub => self.b.ins().isub(a, b),
            And => self.b.ins().band(a, b),
            Or => self.b.ins().bor(a, b),
            Xor => self.b.ins().bxor(a, b),
            // Cranelift takes shift amounts modulo the width, as A64 does.
            Shl => self.b.ins().ishl(a, b),
            Lshr => self.b.ins().ushr(a, b),
            Ashr => self.b.ins().sshr(a, b),
            Ror => self.b.ins().rotr(a, b),
            Mul => self.b.ins().imul(a, b),
            UMulHi => self.b.ins().umulhi(a, b),
            SMulHi => self.b.ins().smulhi(a, b),
            UDiv => {
                let zero = self.b.ins().icmp_imm_s(IntCC::Equal, b, 0);
                let one = self.width_const(sf, 1);
                let safe = self.b.ins().select(zero, one, b);
                let q = self.b.ins().udiv(a, safe);
                let z = self.width_const(sf, 0);
                self.b.ins().select(zero, z, q)
            }
            SDiv => {
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
        };
        self.widen(sf, r)
    }

    /// Emits one IR operation.
    pub fn op(&mut self, op: &kir::Op) {
        use kir::Op;
        // Operations that can fault or call into Kestrel see the state in
        // memory: the deferred flags are stored first.
        if matches!(
            op,
            Op::Load { .. } | Op::Store { .. } | Op::LoadVec { .. } | Op::StoreVec { .. } | Op::Atomic { .. } | Op::LandingPad { .. } | Op::Interp { .. }
        ) {
            self.flush_flags();
        }
        match *op {
            Op::Insn { pc } => {
                self.current_pc = pc;
                self.unprivileged = false;
            }
            Op::Const { dst, value } => {
                let v = self.iconst(value);
                self.def(dst, v);
            }
            Op::Get { dst, field } => {
                let v = self.load_state(types::I64, field.0);
                self.def(dst, v);
            }
            Op::Put { field, src } => {
                let v = self.src(src);
                self.store_state(v, field.0);
            }
            Op::Bin { op, w, dst, a, b } => {
                let (a, b) = (self.t(a), self.src(b));
                let r = self.bin(op, w == kir::Width::W64, a, b);
                self.def(dst, r);
            }
            Op::Un { op, w, dst, a } => {
                let sf = w == kir::Width::W64;
                let a = self.t(a);
                let a = self.narrow(sf, a);
                let r = match op {
                    kir::UnOp::Not => self.b.ins().bnot(a),
                    kir::UnOp::Neg => self.b.ins().ineg(a),
                    kir::UnOp::Clz => self.b.ins().clz(a),
                    kir::UnOp::Bswap => self.b.ins().bswap(a),
                };
                let r = self.widen(sf, r);
                self.def(dst, r);
            }
            Op::Extend { dst, a, bits, signed } => {
                let ty = match bits {
                    8 => types::I8,
                    16 => types::I16,
                    _ => types::I32,
                };
                let a = self.t(a);
                let n = self.b.ins().ireduce(ty, a);
                let r = if signed { self.b.ins().sextend(types::I64, n) } else { self.b.ins().uextend(types::I64, n) };
                self.def(dst, r);
            }
            Op::AddSubFlags { w, sub, carry, dst, a, b } => {
                let sf = w == kir::Width::W64;
                let (a, b) = (self.t(a), self.src(b));
                let (a, mut b) = (self.narrow(sf, a), self.narrow(sf, b));
                let r = if carry {
                    // a - b - !C is a + !b + C.
                    if sub {
                        b = self.b.ins().bnot(b);
                    }
                    let c = self.load_state(types::I64, offsets::CF);
                    self.add_flags(sf, a, b, Some(c), true)
                } else if sub {
                    self.sub_flags(sf, a, b, true)
                } else {
                    self.add_flags(sf, a, b, None, true)
                };
                let r = self.widen(sf, r);
                self.def(dst, r);
            }
            Op::LogicFlags { w, a } => {
                let sf = w == kir::Width::W64;
                let a = self.t(a);
                let a = self.narrow(sf, a);
                self.set_logic_flags(sf, a);
            }
            Op::Set { dst, cond } => {
                let c = self.cond(cond);
                let r = self.b.ins().uextend(types::I64, c);
                self.def(dst, r);
            }
            Op::Select { dst, cond, a, b } => {
                let c = self.cond(cond);
                let (a, b) = (self.t(a), self.t(b));
                let r = self.b.ins().select(c, a, b);
                self.def(dst, r);
            }
            Op::CallPure { f, dst, a, b } => {
                let (a, b) = (self.t(a), self.src(b));
                let func = self.iconst(f.address() as u64);
                let call = self.b.ins().call_indirect(self.pure_sig, func, &[a, b]);
                let r = self.b.inst_results(call)[0];
                self.def(dst, r);
            }
            Op::Load { dst, addr, offset, size, signed } => {
                let a = self.t(addr);
                let v = self.guest_load(a, offset, size, signed);
                self.def(dst, v);
            }
            Op::Store { addr, offset, src, size } => {
                let (a, v) = (self.t(addr), self.t(src));
                self.guest_store(a, offset, v, size);
            }
            Op::LoadVec { field, addr, offset, size } => {
                let a = self.t(addr);
                self.guest_vec_access(true, field.0, a, offset, size);
            }
            Op::StoreVec { field, addr, offset, size } => {
                let a = self.t(addr);
                self.guest_vec_access(false, field.0, a, offset, size);
            }
            Op::Vec { op, esize, q, dst, a, b } => self.vec_op(op, esize, q, dst, a, b),
            Op::VecSelect { q, dst, mask, a, b } => self.vec_select(q, dst, mask, a, b),
            Op::VecShrn { esize, shift, dst, a } => self.vec_shrn(esize, shift, dst, a),
            Op::Atomic { rmw, size, dst, addr, src, expected } => {
                let (a, s, e) = (self.t(addr), self.t(src), self.t(expected));
                let v = self.guest_atomic(rmw, size, a, s, e);
                self.def(dst, v);
            }
            Op::Fence => {
                self.b.ins().fence();
            }
            Op::Unprivileged => self.unprivileged = true,
            Op::Order => {
                let pc = self.current_pc;
                self.ordering_store(pc);
            }
            Op::LandingPad { field, accepted, pc } => {
                let btype = self.load_state(types::I64, field.0);
                let check = self.b.create_block();
                let done = self.b.create_block();
                self.b.ins().brif(btype, check, &[], done, &[]);
                self.b.switch_to_block(check);
                self.b.seal_block(check);
                self.call_raising_helper(helpers::landing_pad as *const () as u64, accepted as u64, pc);
                self.b.ins().jump(done, &[]);
                self.b.switch_to_block(done);
                self.b.seal_block(done);
            }
            Op::Interp { word, pc } => {
                // FP and AdvSIMD instructions with a native translation here;
                // everything else runs in the reference semantics.
                let native = matches!(decode(word), Insn::SimdFp(_)) && self.emit_simd(word, pc);
                if !native {
                    self.call_interpreter(word, pc);
                }
            }
        }
    }

    /// Emits the block's exit.
    pub fn exit(&mut self, exit: kir::Exit) {
        // Every way out (and into the region's next block) sees the state in
        // memory; the branch condition reads the flags' values directly.
        let condition = match exit {
            kir::Exit::Branch { cond, .. } => Some(self.cond(cond)),
            _ => None,
        };
        self.flush_flags();
        match exit {
            kir::Exit::Goto(target) => self.exit_to(target),
            kir::Exit::Branch { taken, fallthrough, .. } => {
                let c = condition.expect("evaluated above");
                self.exit_conditional(c, taken, fallthrough);
            }
            kir::Exit::Indirect { target, .. } => {
                let t = self.t(target);
                self.exit_indirect(t);
            }
            kir::Exit::Syscall { next } => self.exit_status(next, status::SYSCALL),
            kir::Exit::Raise { pc } => self.exit_status(pc, status::INTERPRET),
        }
    }

    /// Starts a new guest block: its temporaries are its own.
    pub fn reset_temps(&mut self) {
        self.temps.clear();
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
