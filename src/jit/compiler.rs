//! The second tier: compiles hot blocks with Cranelift.
//!
//! One `JITModule` holds the code of one generation; flushing the code cache
//! retires the whole module at once (cranelift-jit frees memory per module).
//! Other threads may still be running its code then, so the module comes
//! back as a [`RetiredModule`], which the code cache frees once every thread
//! has been back to its execution loop.

use super::cache::RegionBlock;
use super::emit::{block_signature, BlockTranslator, MAX_SLOTS_PER_BLOCK};
use crate::guest::aarch64::cpu::CpuState;
use cranelift_codegen::ir::{types, AbiParam, InstBuilder, Signature, SourceLoc, UserFuncName};
use cranelift_codegen::isa::CallConv;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Module};

/// Cranelift optimisation level for hot blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptLevel {
    /// Fastest compilation.
    None,
    /// Best code.
    Speed,
}

/// Where one compiled region's host code lies and which guest instruction
/// each piece of it implements, so a host fault inside it can be attributed
/// to the exact guest instruction.
#[derive(Debug, Clone)]
pub struct CodeMap {
    /// First byte of the region's host code.
    pub start: u64,
    /// Length of the host code.
    pub len: u64,
    /// (host offset start, end, guest pc), sorted by offset.
    pub ranges: Vec<(u32, u32, u64)>,
}

impl CodeMap {
    /// Guest pc of the instruction whose code contains `host_pc`.
    pub fn guest_pc(&self, host_pc: u64) -> Option<u64> {
        if host_pc < self.start || host_pc >= self.start + self.len {
            return None;
        }
        let off = (host_pc - self.start) as u32;
        self.ranges.iter().find(|&&(s, e, _)| s <= off && off < e).map(|&(_, _, pc)| pc)
    }
}

/// The code of an old generation, with the chain slots baked into it; its
/// memory is freed when this is dropped.
pub struct RetiredModule {
    module: Option<JITModule>,
    _slots: Vec<Box<[u64]>>,
}

impl Drop for RetiredModule {
    fn drop(&mut self) {
        if let Some(module) = self.module.take() {
            // SAFETY: the code cache drops a retired module only after every
            // thread that could have entered it has been back to its
            // execution loop (and forgotten every pointer into it), or when
            // it is the last owner of the code.
            unsafe { module.free_memory() };
        }
    }
}

/// Signature of the trampoline that enters translated code from Rust.
pub type Trampoline = unsafe extern "C" fn(*mut CpuState, *const u8) -> i32;

/// Compiles blocks into one code generation.
pub struct Compiler {
    module: Option<JITModule>,
    ctx: Context,
    fctx: FunctionBuilderContext,
    trampoline: Trampoline,
    /// Chain slots of the compiled blocks; their addresses are baked into code.
    slots: Vec<Box<[u64]>>,
    opt: OptLevel,
    /// Print each region's guest code, IR and host code to stderr (`-d out_asm`).
    pub dump: bool,
    /// Guest memory through the software MMU (system mode).
    pub soft_mmu: bool,
    /// State forwarding and dead-store removal, run on each block's IR.
    forwarding: crate::ir::forward::StateForwarding,
}

/// The state fields that flag-setting IR operations write.
const FLAG_FIELDS: [crate::ir::Field; 4] = {
    use crate::guest::aarch64::cpu::offsets;
    [crate::ir::Field(offsets::NF), crate::ir::Field(offsets::ZF), crate::ir::Field(offsets::CF), crate::ir::Field(offsets::VF)]
};

fn new_module(opt: OptLevel) -> Result<JITModule, String> {
    let mut flags = settings::builder();
    let set = |f: &mut settings::Builder, k: &str, v: &str| f.set(k, v).map_err(|e| format!("cranelift setting {k}: {e}"));
    set(&mut flags, "use_colocated_libcalls", "false")?;
    set(&mut flags, "is_pic", "false")?;
    // Cranelift's x64 tail calls rely on frame pointers in every function.
    set(&mut flags, "preserve_frame_pointers", "true")?;
    set(&mut flags, "opt_level", if opt == OptLevel::Speed { "speed" } else { "none" })?;
    set(&mut flags, "enable_verifier", if cfg!(debug_assertions) { "true" } else { "false" })?;
    if opt == OptLevel::None {
        set(&mut flags, "regalloc_algorithm", "single_pass")?;
    }
    let isa = cranelift_native::builder()
        .map_err(|e| format!("host not supported by Cranelift: {e}"))?
        .finish(settings::Flags::new(flags))
        .map_err(|e| format!("cranelift isa: {e}"))?;
    Ok(JITModule::new(JITBuilder::with_isa(isa, default_libcall_names())))
}

impl Compiler {
    /// Creates a compiler with an empty code generation.
    pub fn new(opt: OptLevel) -> Result<Self, String> {
        let mut module = new_module(opt)?;
        let trampoline = build_trampoline(&mut module)?;
        let ctx = module.make_context();
        Ok(Compiler {
            module: Some(module),
            ctx,
            fctx: FunctionBuilderContext::new(),
            trampoline,
            slots: Vec::new(),
            opt,
            dump: false,
            soft_mmu: false,
            forwarding: Default::default(),
        })
    }

    /// The function that enters translated code of the current generation:
    /// `trampoline(cpu, code)` runs `code` until it returns a status. It
    /// stays valid until the next [`Compiler::flush`].
    pub fn trampoline(&self) -> Trampoline {
        self.trampoline
    }

    /// Frees the memory of the code compiled since the last flush.
    ///
    /// # Safety
    /// No thread may run that code or hold a pointer into it any more.
    pub unsafe fn free_code(mut self) {
        if let Some(module) = self.module.take() {
            // SAFETY: forwarded from the caller.
            unsafe { module.free_memory() };
        }
    }

    /// Starts a new generation; the code compiled so far comes back, to be
    /// dropped when no thread can be running it any more.
    /// On failure nothing changes: the old code stays (other threads may
    /// be running it).
    pub fn flush(&mut self) -> Result<RetiredModule, String> {
        let mut module = new_module(self.opt)?;
        let trampoline = build_trampoline(&mut module)?;
        let old = RetiredModule { module: self.module.replace(module), _slots: std::mem::take(&mut self.slots) };
        self.trampoline = trampoline;
        self.ctx = self.module.as_ref().map_or_else(Context::new, |m| m.make_context());
        Ok(old)
    }

    /// Compiles a region of guest blocks into one function entered at the first
    /// block; returns the entry point. Exits between blocks of the region are
    /// direct jumps; the other exits chain through slots.
    pub fn compile(&mut self, region: &[RegionBlock]) -> Result<(*const u8, CodeMap), String> {
        let module = self.module.as_mut().ok_or("no code module")?;
        let head = region.first().ok_or("empty region")?;
        let sig = block_signature();
        let id = module.declare_anonymous_function(&sig).map_err(|e| e.to_string())?;
        self.ctx.func.signature = sig;
        self.ctx.func.name = UserFuncName::user(0, id.as_u32());
        let slots = vec![0u64; MAX_SLOTS_PER_BLOCK * region.len()].into_boxed_slice();
        let mut guest_pcs: Vec<u64> = Vec::new();
        let slot_addrs: Vec<u64> = slots.iter().map(|s| s as *const u64 as u64).collect();
        {
            let mut b = FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx);
            let entry = b.create_block();
            b.append_block_params_for_function_params(entry);
            b.switch_to_block(entry);
            b.seal_block(entry);
            let cpu = b.block_params(entry)[0];
            {
                let mut t = BlockTranslator::new(&mut b, cpu, &slot_addrs);
                t.soft_mmu = self.soft_mmu;
                let pcs: Vec<u64> = region.iter().map(|blk| blk.pc).collect();
                t.declare_region(&pcs);
                t.jump_to_region_block(head.pc);
                let mut srcloc = 0u32;
                guest_pcs.clear();
                for block in region {
                    // The guest semantics come from the IR, as for every backend.
                    let mut ir = crate::guest::aarch64::lower::lower_block(block.pc, &block.insns);
                    // Cranelift forwards loads of the state itself, but keeps
                    // every store: flag-setting chains (compare loops in
                    // memcmp and strcoll) stored four flag fields per
                    // instruction, and ran slower than the baseline's code.
                    // The pass drops stores overwritten before anything can
                    // see them; Cranelift's register allocator copes with
                    // any number of forwarded values.
                    self.forwarding.run(&mut ir, &FLAG_FIELDS, usize::MAX);
                    t.begin_block(block.pc);
                    t.reset_temps();
                    for op in &ir.ops {
                        if let crate::ir::Op::Insn { pc } = *op {
                            t.set_srcloc(SourceLoc::new(srcloc));
                            guest_pcs.push(pc);
                            srcloc += 1;
                        }
                        t.op(op);
                    }
                    t.exit(ir.exit);
                }
            }
            b.seal_all_blocks();
            b.finalize(module.isa().frontend_config());
        }
        if self.dump {
            self.ctx.set_disasm(true);
            eprintln!("== region at {:#x} ({} blocks)\n{}", head.pc, region.len(), self.ctx.func.display());
        }
        let result = module.define_function(id, &mut self.ctx).map_err(|e| format!("{e:?}"));
        let (ranges, len) = match self.ctx.compiled_code() {
            Some(code) => (
                code.buffer
                    .get_srclocs_sorted()
                    .iter()
                    .filter(|l| !l.loc.is_default())
                    .filter_map(|l| guest_pcs.get(l.loc.bits() as usize).map(|&pc| (l.start, l.end, pc)))
                    .collect::<Vec<_>>(),
                code.code_buffer().len() as u64,
            ),
            None => (Vec::new(), 0),
        };
        if self.dump {
            if let Some(vcode) = self.ctx.compiled_code().and_then(|c| c.vcode.clone()) {
                eprintln!("== host code\n{vcode}");
            }
        }
        module.clear_context(&mut self.ctx);
        result?;
        module.finalize_definitions().map_err(|e| e.to_string())?;
        self.slots.push(slots);
        let entry = module.get_finalized_function(id);
        Ok((entry, CodeMap { start: entry as u64, len, ranges }))
    }
}

/// Builds `fn(cpu, code) -> i32` (SystemV) that calls `code` with the blocks'
/// tail calling convention.
fn build_trampoline(module: &mut JITModule) -> Result<Trampoline, String> {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params.push(AbiParam::new(types::I64));
    sig.params.push(AbiParam::new(types::I64));
    sig.returns.push(AbiParam::new(types::I32));
    let id = module.declare_anonymous_function(&sig).map_err(|e| e.to_string())?;
    let mut ctx = module.make_context();
    ctx.func.signature = sig;
    let mut fctx = FunctionBuilderContext::new();
    {
        let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        b.seal_block(entry);
        let cpu = b.block_params(entry)[0];
        let code = b.block_params(entry)[1];
        let block_sig = b.import_signature(block_signature());
        let call = b.ins().call_indirect(block_sig, code, &[cpu]);
        let r = b.inst_results(call)[0];
        b.ins().return_(&[r]);
        b.finalize(module.isa().frontend_config());
    }
    module.define_function(id, &mut ctx).map_err(|e| format!("{e:?}"))?;
    module.finalize_definitions().map_err(|e| e.to_string())?;
    let ptr = module.get_finalized_function(id);
    // SAFETY: the function was just built with exactly this signature.
    Ok(unsafe { std::mem::transmute::<*const u8, Trampoline>(ptr) })
}
