//! Guest memory in optimised code, in both memory strategies: user mode's
//! identity mapping (a guest address is a host address) and system mode's
//! software MMU.
//!
//! The software MMU is the lookup the baseline backend also emits, on the
//! layout of [`crate::mem::soft_tlb`]: the entry of the access's page in
//! the current context's table (`CpuState::soft_tlb`), its tag for the
//! access kind compared with the page of the access's last byte, and on a
//! hit the host address is the guest address plus the entry's addend. A
//! miss, an access crossing a page, device memory and every fault go to
//! the `helpers::soft_*` functions, which fill the TLB or abandon the
//! translated code with the abort recorded for the vCPU. The TLB entries
//! change only inside those calls (and outside translated code), which
//! Cranelift treats as clobbering memory, so no entry is reused stale.

use super::BlockTranslator;
use crate::guest::aarch64::cpu::offsets;
use crate::jit::helpers;
use crate::mem::soft_tlb;
use cranelift_codegen::ir::{self, condcodes::IntCC, types, InstBuilder, Value};

impl BlockTranslator<'_, '_> {
    /// Loads `1 << size` bytes at host address `a + offset`, extended to 64
    /// bits. One extending load, not a load and an extension: Cranelift may
    /// rewrite an extension into a new instruction without a source
    /// location and fold the load into it, and a host fault there could
    /// not be attributed to its guest instruction.
    fn host_load(&mut self, a: Value, offset: i32, size: u8, signed: bool) -> Value {
        let g = self.guest;
        match (size, signed) {
            (0, false) => self.b.ins().uload8(types::I64, g, a, offset),
            (0, true) => self.b.ins().sload8(types::I64, g, a, offset),
            (1, false) => self.b.ins().uload16(types::I64, g, a, offset),
            (1, true) => self.b.ins().sload16(types::I64, g, a, offset),
            (2, false) => self.b.ins().uload32(g, a, offset),
            (2, true) => self.b.ins().sload32(g, a, offset),
            _ => self.b.ins().load(types::I64, g, a, offset),
        }
    }

    /// Stores the low `1 << size` bytes of `v` at host address `a + offset`.
    fn host_store(&mut self, a: Value, offset: i32, v: Value, size: u8) {
        let v = if size >= 3 { v } else { self.b.ins().ireduce([types::I8, types::I16, types::I32][size as usize], v) };
        self.b.ins().store(self.guest, v, a, offset);
    }

    /// Loads `1 << size` bytes (up to 16) at host address `a + offset` into
    /// the SIMD&FP state field at `field`, zeroing the rest of it.
    fn host_load_vec(&mut self, field: i32, a: Value, offset: i32, size: u8) {
        if size == 4 {
            // One 128-bit access: two 64-bit halves would defeat the
            // host's store-to-load forwarding for a following Q access.
            let v = self.b.ins().load(types::I8X16, self.guest, a, offset);
            self.store_state(v, field);
        } else {
            let v = self.host_load(a, offset, size, false);
            let zero = self.iconst(0);
            self.store_state(v, field);
            self.store_state(zero, field + 8);
        }
    }

    /// Stores the low `1 << size` bytes of the state field at `field` to
    /// host address `a + offset`.
    fn host_store_vec(&mut self, field: i32, a: Value, offset: i32, size: u8) {
        let ty = [types::I8, types::I16, types::I32, types::I64, types::I8X16][size as usize & 7];
        let v = self.load_state(ty, field);
        self.b.ins().store(self.guest, v, a, offset);
    }

    /// The software TLB lookup of an access of `bytes` at guest address
    /// `va` whose tag is at `tag_field` of the entry. Leaves the builder in
    /// the hit block and returns the host address there, and the block a
    /// miss goes to (not yet filled).
    fn tlb_lookup(&mut self, va: Value, bytes: i64, tag_field: i32) -> (Value, ir::Block) {
        let table = self.load_state(types::I64, if self.unprivileged { offsets::SOFT_TLB_EL0 } else { offsets::SOFT_TLB });
        let index = self.b.ins().ushr_imm_u(va, i64::from(soft_tlb::PAGE_BITS));
        let index = self.b.ins().band_imm_s(index, (soft_tlb::ENTRIES - 1) as i64);
        let index = self.b.ins().ishl_imm_u(index, i64::from(soft_tlb::ENTRY_BITS));
        let entry = self.b.ins().iadd(table, index);
        let last = self.b.ins().iadd_imm_s(va, bytes - 1);
        let page = self.b.ins().band_imm_s(last, !((1i64 << soft_tlb::PAGE_BITS) - 1));
        let tag = self.b.ins().load(types::I64, self.guest, entry, tag_field);
        let hit = self.b.ins().icmp(IntCC::Equal, tag, page);
        let (fast, slow) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(hit, fast, &[], slow, &[]);
        self.b.switch_to_block(fast);
        self.b.seal_block(fast);
        let addend = self.b.ins().load(types::I64, self.guest, entry, soft_tlb::ADDEND);
        (self.b.ins().iadd(va, addend), slow)
    }

    /// Calls a `helpers::soft_*` function as `f(cpu, va, arg, [arg2,] pc)`.
    fn call_soft_helper(&mut self, f: usize, va: Value, args: &[u64]) -> Option<Value> {
        let func = self.iconst(f as u64);
        let mut values = vec![self.cpu, va];
        // The size is the last constant argument.
        let flag = if self.unprivileged { helpers::UNPRIVILEGED } else { 0 };
        for (i, &a) in args.iter().enumerate() {
            let v = self.iconst(if i + 1 == args.len() { a | flag } else { a });
            values.push(v);
        }
        let pc = self.iconst(self.current_pc);
        values.push(pc);
        let sig = if args.len() == 1 { self.soft_load_sig } else { self.soft_store_sig };
        let call = self.b.ins().call_indirect(sig, func, &values);
        self.b.inst_results(call).first().copied()
    }

    /// The guest address `addr + offset` in system mode (the TLB is looked
    /// up with the whole address), or `None` in user mode, where the
    /// offset folds into the host access.
    fn soft_va(&mut self, addr: Value, offset: i32) -> Option<Value> {
        self.soft_mmu.then(|| self.b.ins().iadd_imm_s(addr, i64::from(offset)))
    }

    /// IR `Load`.
    pub(super) fn guest_load(&mut self, addr: Value, offset: i32, size: u8, signed: bool) -> Value {
        let Some(va) = self.soft_va(addr, offset) else { return self.host_load(addr, offset, size, signed) };
        let (host, slow) = self.tlb_lookup(va, 1 << size, soft_tlb::READ);
        let done = self.b.create_block();
        let result = self.b.append_block_param(done, types::I64);
        let v = self.host_load(host, 0, size, signed);
        self.b.ins().jump(done, &[v.into()]);
        self.b.switch_to_block(slow);
        self.b.seal_block(slow);
        let size_signed = u64::from(size) | (signed as u64) << 2;
        let v = self.call_soft_helper(helpers::soft_load as *const () as usize, va, &[size_signed]).expect("soft_load returns the value");
        self.b.ins().jump(done, &[v.into()]);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
        result
    }

    /// IR `Store`.
    pub(super) fn guest_store(&mut self, addr: Value, offset: i32, v: Value, size: u8) {
        let Some(va) = self.soft_va(addr, offset) else { return self.host_store(addr, offset, v, size) };
        let (host, slow) = self.tlb_lookup(va, 1 << size, soft_tlb::WRITE);
        let done = self.b.create_block();
        self.host_store(host, 0, v, size);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(slow);
        self.b.seal_block(slow);
        let func = self.iconst(helpers::soft_store as *const () as u64);
        let flag = if self.unprivileged { helpers::UNPRIVILEGED } else { 0 };
        let (size_v, pc) = (self.iconst(u64::from(size) | flag), self.iconst(self.current_pc));
        self.b.ins().call_indirect(self.soft_store_sig, func, &[self.cpu, va, v, size_v, pc]);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
    }

    /// IR `LoadVec` (`load`) or `StoreVec`.
    pub(super) fn guest_vec_access(&mut self, load: bool, field: i32, addr: Value, offset: i32, size: u8) {
        let Some(va) = self.soft_va(addr, offset) else {
            return if load { self.host_load_vec(field, addr, offset, size) } else { self.host_store_vec(field, addr, offset, size) };
        };
        let tag = if load { soft_tlb::READ } else { soft_tlb::WRITE };
        let (host, slow) = self.tlb_lookup(va, 1 << size, tag);
        let done = self.b.create_block();
        if load {
            self.host_load_vec(field, host, 0, size);
        } else {
            self.host_store_vec(field, host, 0, size);
        }
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(slow);
        self.b.seal_block(slow);
        let helper = if load { helpers::soft_load_vec as *const () as usize } else { helpers::soft_store_vec as *const () as usize };
        self.call_soft_helper(helper, va, &[field as u64, u64::from(size)]);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
    }

    /// IR `Atomic`: one atomic host instruction on the guest's bytes; a
    /// misaligned address or a software-TLB miss leaves the region for the
    /// instruction to run in the reference semantics.
    pub(super) fn guest_atomic(&mut self, rmw: crate::ir::AtomicRmw, size: u8, addr: Value, src: Value, expected: Value) -> Value {
        let ty = [types::I8, types::I16, types::I32, types::I64][size as usize];
        let slow = self.b.create_block();
        if size > 0 {
            let low = self.b.ins().band_imm_s(addr, (1i64 << size) - 1);
            let aligned = self.b.create_block();
            self.b.ins().brif(low, slow, &[], aligned, &[]);
            self.b.switch_to_block(aligned);
            self.b.seal_block(aligned);
        }
        let host = if self.soft_mmu {
            let (host, miss) = self.tlb_lookup(addr, 1 << size, soft_tlb::WRITE);
            let hit = self.b.current_block().expect("the lookup leaves the builder in its hit block");
            self.b.switch_to_block(miss);
            self.b.seal_block(miss);
            self.b.ins().jump(slow, &[]);
            self.b.switch_to_block(hit);
            host
        } else {
            addr
        };
        let narrow = |b: &mut Self, v: Value| if size == 3 { v } else { b.b.ins().ireduce(ty, v) };
        let (s, e) = (narrow(self, src), narrow(self, expected));
        let g = self.guest;
        let found = match rmw {
            crate::ir::AtomicRmw::Swap => self.b.ins().atomic_rmw(ty, g, ir::AtomicRmwOp::Xchg, host, s),
            crate::ir::AtomicRmw::Add => self.b.ins().atomic_rmw(ty, g, ir::AtomicRmwOp::Add, host, s),
            crate::ir::AtomicRmw::Cas => self.b.ins().atomic_cas(g, host, e, s),
        };
        let found = if size == 3 { found } else { self.b.ins().uextend(types::I64, found) };
        let done = self.b.create_block();
        let result = self.b.append_block_param(done, types::I64);
        self.b.ins().jump(done, &[found.into()]);
        self.b.switch_to_block(slow);
        self.b.seal_block(slow);
        self.exit_status(self.current_pc, super::status::INTERPRET);
        self.b.switch_to_block(done);
        self.b.seal_block(done);
        result
    }
}
