//! One vCPU: AArch64 at EL0 and EL1 on a host thread of its own.
//!
//! The vCPU executes the core's instruction semantics (`interp::exec`, the
//! one definition of every instruction) with guest memory behind its
//! [`softmmu::SoftMmu`]. What only an operating system does (EL1 system
//! registers, exception entry and return, TLB maintenance, WFI, PSCI calls)
//! is in [`sysinsn`] and [`psci`]. Between slices of instructions the loop
//! looks at the outside world: TLB shootdowns from other vCPUs, the generic
//! timer's interrupt lines, pending interrupts, shutdown.
//!
//! A memory access that faults abandons its instruction
//! ([`kestrel::guard`]): nothing of it is committed to the PC, and the
//! loop raises the abort the MMU recorded, with ELR_EL1 at the instruction.

pub mod decode_cache;
pub mod engines;
pub mod idregs;
pub mod psci;
pub mod softmmu;
pub mod sysinsn;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use kestrel::guard;
use kestrel::guest::aarch64::cpu::CpuState;
use kestrel::guest::aarch64::decode::is_unprivileged_load_store;
use kestrel::guest::aarch64::el1::{El1State, ExceptionKind, SCTLR_EL1};
use kestrel::guest::aarch64::interp::{self, Exception, Flow};
use kestrel::guest::aarch64::mmu::Regime;
use kestrel::guest::aarch64::sysregs::sysreg;
use kestrel::jit::ExitReason;

use kestrel::mem::{self, SystemMemory};

use crate::devices::gic;
use crate::devices::timer::{GenericTimer, HostClock, TimerIrqLevels, PHYSICAL_TIMER_INTID, VIRTUAL_TIMER_INTID};
use crate::machine::Machine;
use softmmu::{MmuContext, SoftMmu};

/// Instructions run between looks at interrupts and requests. Anything
/// that can unmask or raise an interrupt ends a slice early.
const SLICE: u32 = 4096;

/// What an instruction means for the slice it is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Keep going.
    Next,
    /// Stop the slice: PSTATE, the MMU or the interrupt state may have
    /// changed.
    EndSlice,
    /// WFI: idle until an interrupt is pending.
    WaitForInterrupt,
}

const TCR_EL1: u16 = sysreg(3, 0, 2, 0, 2);
const TTBR0_EL1: u16 = sysreg(3, 0, 2, 0, 0);
const TTBR1_EL1: u16 = sysreg(3, 0, 2, 0, 1);

/// One vCPU's state and its thread's loop.
pub struct Vcpu {
    /// Index in the machine (MPIDR Aff0 within clusters of 8).
    pub index: usize,
    /// Registers of EL0 (general, FP/SIMD, flags, PC).
    pub cpu: Box<CpuState>,
    /// EL1 registers and PSTATE beyond the flags.
    pub el1: El1State,
    /// The generic timer.
    pub timer: GenericTimer<HostClock>,
    /// Guest memory as this vCPU sees it.
    pub mmu: Box<SoftMmu>,
    /// The board.
    pub machine: Arc<Machine>,
    /// Decoded instructions by encoding.
    decoded: decode_cache::DecodeCache,
    /// Translated code (absent when the vCPU only interprets).
    code: Option<Box<engines::CodeCaches>>,
    /// Debug registers the guest programs but nothing here uses.
    pub debug_regs: std::collections::HashMap<u16, u64>,
    timer_levels: TimerIrqLevels,
    /// The GIC's IRQ and FIQ outputs to this vCPU, as last read.
    irq_lines: (bool, bool),
    halted: bool,
    /// PSCI CPU_OFF: leave the loop and wait for CPU_ON.
    pub powering_off: bool,
    /// Instructions translated code left to this loop (for `-d stats`).
    system_exits: u64,
    /// With `-d stats`: how often each system instruction (its word, with
    /// Rt cleared for MSR, MRS and SYS) left translated code.
    exit_words: Option<std::collections::HashMap<u32, u64>>,
}

impl Drop for Vcpu {
    /// The engines go first: they registered `cpu`'s exit flag, which
    /// invalidations (from any thread) write until it is unregistered.
    fn drop(&mut self) {
        self.code = None;
    }
}

/// ESR_EL1.IL: a 32-bit instruction.
const IL: u64 = 1 << 25;

impl Vcpu {
    /// vCPU `index` of `machine`, in its reset state.
    pub fn new(index: usize, machine: Arc<Machine>) -> Vcpu {
        let mmu = Box::new(SoftMmu::new(machine.ram_window, machine.bus.clone(), machine.code_pages.clone()));
        let el1 = El1State::at_reset(machine_has_pan(&machine));
        let machine_stats = machine.config.stats;
        let code = machine.code_caches.clone().map(|shared| Box::new(engines::CodeCaches::new(shared)));
        Vcpu {
            index,
            cpu: Box::default(),
            el1,
            timer: GenericTimer::with_epoch(HostClock, machine.epoch),
            mmu,
            machine,
            decoded: decode_cache::DecodeCache::new(),
            code,
            debug_regs: Default::default(),
            timer_levels: TimerIrqLevels::default(),
            irq_lines: (false, false),
            halted: false,
            powering_off: false,
            system_exits: 0,
            exit_words: machine_stats.then(std::collections::HashMap::new),
        }
    }

    /// Resets to the state a boot loader or PSCI CPU_ON hands over: EL1h,
    /// interrupts masked, MMU off, `pc`, x0 = `x0`.
    pub fn reset_to(&mut self, pc: u64, x0: u64) {
        *self.cpu = CpuState::default();
        self.el1 = El1State::at_reset(machine_has_pan(&self.machine));
        self.cpu.pc = pc;
        self.cpu.x[0] = x0;
        self.halted = false;
        self.sync_mmu();
    }

    /// Tells the MMU about the current exception level, PAN and regime.
    pub fn sync_mmu(&mut self) {
        let regime = Regime {
            sctlr: self.el1.get(SCTLR_EL1),
            tcr: self.el1.get(TCR_EL1),
            ttbr0: self.el1.get(TTBR0_EL1),
            ttbr1: self.el1.get(TTBR1_EL1),
        };
        self.mmu.set_context(MmuContext { el: self.el1.el, pan: self.el1.pan, regime });
        if kestrel::gdb::attached() {
            self.machine.cpus[self.index].set_regime(&regime);
        }
        // Translated code reads the table of the context it runs in.
        self.cpu.soft_tlb = self.mmu.table_address(false);
        self.cpu.soft_tlb_el0 = self.mmu.table_address(true);
    }

    /// Runs the vCPU until the machine stops. vCPUs other than 0 start
    /// powered off and wait for PSCI CPU_ON.
    pub fn run(mut self, entry: Option<(u64, u64)>) {
        let memory: &dyn SystemMemory = &*self.mmu;
        // SAFETY: the MMU is boxed, owned by `self` and outlives this
        // thread's guest execution; it is uninstalled before it is dropped.
        unsafe { mem::set_system_memory(Some(memory as *const dyn SystemMemory)) };
        gic::set_current_cpu(self.index);
        // Clear host FP flags: they feed the guest's FPSR.IXC.
        kestrel::guest::aarch64::sysregs::take_host_inexact();
        self.port().set_exit_flag(&self.cpu.exit_request);
        self.machine.wait_while_paused();
        let mut start = entry;
        loop {
            let Some((pc, x0)) = start.take().or_else(|| self.port().wait_for_start(self.stopping_flag())) else { break };
            self.reset_to(pc, x0);
            if !self.run_powered_on() {
                break;
            }
        }
        self.port().clear_exit_flag();
        self.machine.system_exits.fetch_add(self.system_exits, Ordering::Relaxed);
        if let Some(words) = self.exit_words.take() {
            self.machine.add_exit_words(words);
        }
        // SAFETY: removing the hook installed above.
        unsafe { mem::set_system_memory(None) };
    }

    fn port(&self) -> &crate::machine::CpuPort {
        &self.machine.cpus[self.index]
    }

    fn stopping_flag(&self) -> &std::sync::atomic::AtomicBool {
        self.machine.stopping_flag()
    }

    /// Runs until CPU_OFF (returns true) or the machine stops (false).
    fn run_powered_on(&mut self) -> bool {
        loop {
            if self.machine.stopping() {
                return false;
            }
            if self.powering_off {
                self.powering_off = false;
                return true;
            }
            self.take_tlb_shootdown();
            if self.port().take_tick() {
                self.update_timer_lines();
            }
            if self.port().registers_wanted() {
                let text = self.register_dump();
                self.port().answer_registers(text);
            }
            if self.port().take_gic_change() {
                let g = self.machine.gic();
                self.irq_lines = (g.cpu_irq_pending(self.index), g.cpu_fiq_pending(self.index));
            }
            if kestrel::gdb::attached() {
                self.run_debugged();
                continue;
            }
            if self.halted {
                self.idle();
                continue;
            }
            for what in self.port().take_code_flushes() {
                if let Some(code) = self.code.as_mut() {
                    code.flush(what, false);
                }
            }
            self.take_pending_interrupt();
            self.mmu.sync_code_pages();
            // From here to the end of the run, TLB shootdowns wait for this
            // vCPU (see `TlbShootdown`); requests made until now are taken.
            self.port().tlb_shootdown.set_in_guest(true);
            self.take_tlb_shootdown();
            let mut outcome = Step::Next;
            let abandoned = if self.code.is_some() {
                guard::guarded(|| outcome = self.run_translated())
            } else {
                guard::guarded(|| outcome = self.run_slice())
            };
            self.port().tlb_shootdown.set_in_guest(false);
            self.after_guarded(abandoned, outcome);
        }
    }

    /// After guest code ran inside `guarded`: raises the abort that
    /// abandoned it, or idles on WFI.
    fn after_guarded(&mut self, abandoned: bool, outcome: Step) {
        if abandoned {
            self.mmu.set_unprivileged(false);
            if let Some(abort) = self.mmu.take_abort() {
                let pc = self.cpu.pc;
                self.exception(ExceptionKind::Sync, pc, Some(abort.esr), Some(abort.far));
            }
        } else if outcome == Step::WaitForInterrupt {
            self.halted = true;
        }
    }

    /// One instruction under the debugger: the checkpoint where gdb may
    /// stop the vCPU (breakpoints, steps, all-stop), then the interpreter.
    fn run_debugged(&mut self) {
        let tid = crate::gdb::tid(self.index);
        if !kestrel::gdb::knows_thread(tid) {
            let regime = self.mmu.context().regime;
            self.port().set_regime(&regime);
            kestrel::gdb::thread_started(tid, &mut *self.cpu);
        }
        if self.halted {
            // Idle in WFI: gdb does not wait for this vCPU to stop.
            kestrel::gdb::in_syscall(tid, true);
            self.idle();
            kestrel::gdb::in_syscall(tid, false);
            return;
        }
        self.take_pending_interrupt();
        let stepping = kestrel::gdb::checkpoint(tid, &self.cpu);
        let mut outcome = Step::Next;
        let abandoned = guard::guarded(|| outcome = self.step());
        self.after_guarded(abandoned, outcome);
        if stepping {
            kestrel::gdb::step_done(tid);
        }
    }

    /// Runs translated code until it hands back control, then executes the
    /// instruction it stopped at if that is one translated code leaves to
    /// the vCPU (system instructions, exceptions).
    fn run_translated(&mut self) -> Step {
        // A user address space is its table and its ASID, which TCR_EL1.A1
        // puts in TTBR1 (as Linux does) or in TTBR0.
        let regime = self.mmu.context().regime;
        let code = self.code.as_mut().expect("translated mode");
        CURRENT_EL1.with(|c| c.set(&mut self.el1));
        let exit = code.run(&mut self.cpu, &regime);
        CURRENT_EL1.with(|c| c.set(std::ptr::null_mut()));
        if let (ExitReason::System { word, .. }, Some(words)) = (&exit, self.exit_words.as_mut()) {
            // MSR, MRS and SYS are counted without their register.
            let key = if word & 0xffc0_0000 == 0xd500_0000 { word & !0x1f } else { *word };
            *words.entry(key).or_default() += 1;
        }
        match exit {
            ExitReason::ExitRequest => Step::Next,
            ExitReason::System { pc, .. }
            | ExitReason::Undefined { pc, .. }
            | ExitReason::Breakpoint { pc, .. }
            | ExitReason::Alignment { pc, .. }
            | ExitReason::BranchTarget { pc } => {
                // The instruction has not completed: run it here, where
                // system instructions have their EL1 meaning and exceptions
                // are taken to EL1.
                self.system_exits += 1;
                self.cpu.pc = pc;
                self.step()
            }
            // SVC is a system instruction: translated code never takes it.
            ExitReason::Syscall => {
                self.cpu.pc = self.cpu.pc.wrapping_sub(4);
                self.step()
            }
        }
    }

    fn run_slice(&mut self) -> Step {
        for _ in 0..SLICE {
            match self.step() {
                Step::Next => {}
                other => return other,
            }
            self.take_tlb_shootdown();
        }
        Step::Next
    }

    /// Broadcasts a TLB invalidation of `page` (`None`: everything) to the
    /// other vCPUs and waits until none of them can use the old entries,
    /// taking their broadcasts meanwhile (two vCPUs may broadcast at once).
    pub fn broadcast_tlb_invalidation(&mut self, page: Option<u64>) {
        let machine = self.machine.clone();
        let requests: Vec<(usize, u64)> = machine
            .cpus
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != self.index)
            .map(|(i, port)| {
                let number = port.tlb_shootdown.request(page);
                port.kick();
                (i, number)
            })
            .collect();
        for (i, number) in requests {
            while machine.cpus[i].tlb_shootdown.outstanding(number) && !machine.stopping() {
                self.take_tlb_shootdown();
                std::hint::spin_loop();
                std::thread::yield_now();
            }
        }
        machine.tlb_broadcasts.fetch_add(1, Ordering::Relaxed);
    }

    /// Drops the TLB entries other vCPUs invalidated.
    fn take_tlb_shootdown(&mut self) {
        if let Some(work) = self.port().tlb_shootdown.take() {
            if work.all {
                self.mmu.flush();
            } else {
                work.pages.iter().for_each(|&page| self.mmu.flush_page(page));
            }
        }
    }

    /// Executes one instruction.
    fn step(&mut self) -> Step {
        let pc = self.cpu.pc;
        if pc & 3 != 0 {
            // PC alignment fault.
            self.exception(ExceptionKind::Sync, pc, Some((0x22 << 26) | IL), Some(pc));
            return Step::EndSlice;
        }
        if self.el1.illegal {
            self.exception(ExceptionKind::Sync, pc, Some((0x0e << 26) | IL), None);
            return Step::EndSlice;
        }
        let word = self.mmu.fetch_word(pc);
        if sysinsn::is_system(word) {
            if let Some(step) = sysinsn::exec(self, word, pc) {
                return step;
            }
        }
        let unprivileged = self.el1.el == 1 && is_unprivileged_load_store(word);
        if unprivileged {
            self.mmu.set_unprivileged(true);
        }
        let insn = self.decoded.get(word);
        let result = interp::exec(&mut self.cpu, &insn, pc);
        if unprivileged {
            self.mmu.set_unprivileged(false);
        }
        match result {
            Ok(Flow::Branch(target)) => self.cpu.pc = target,
            Ok(_) => self.cpu.pc = pc.wrapping_add(4),
            Err(e) => {
                self.synchronous(e, pc);
                return Step::EndSlice;
            }
        }
        Step::Next
    }

    /// Raises the exception an instruction at `pc` ended with.
    pub fn synchronous(&mut self, e: Exception, pc: u64) {
        let (esr, far) = match e {
            Exception::Undefined(_) => (IL, None),
            Exception::Breakpoint(imm) => ((0x3c << 26) | IL | imm as u64, None),
            Exception::Alignment(addr) => {
                let ec = if self.el1.el == 0 { 0x24 } else { 0x25 };
                ((ec << 26) | IL | 0x21, Some(addr))
            }
            Exception::BranchTarget => ((0x0d << 26) | IL, None),
        };
        self.exception(ExceptionKind::Sync, pc, Some(esr), far);
    }

    /// Takes an exception to EL1.
    pub fn exception(&mut self, kind: ExceptionKind, return_to: u64, esr: Option<u64>, far: Option<u64>) {
        if trace_exceptions() {
            eprintln!(
                "vcpu{}: {kind:?} exception from EL{} at {return_to:#x} esr={:#x} far={:#x}",
                self.index,
                self.el1.el,
                esr.unwrap_or(0),
                far.unwrap_or(0)
            );
        }
        self.el1.take_exception(&mut self.cpu, kind, return_to, esr, far);
        self.halted = false;
        self.sync_mmu();
    }

    /// The monitor's `info registers` for this vCPU.
    pub fn register_dump(&self) -> String {
        use kestrel::guest::aarch64::el1::{ELR_EL1, ESR_EL1, FAR_EL1, SPSR_EL1, VBAR_EL1};
        use std::fmt::Write;
        let mut out = String::new();
        let mode = if self.el1.el == 0 { "EL0t" } else if self.el1.spsel { "EL1h" } else { "EL1t" };
        let _ = writeln!(out, "CPU#{} {mode} PC={:016x} PSTATE={:08x}", self.index, self.cpu.pc, self.el1.pstate(&self.cpu));
        for row in 0..8 {
            let regs: Vec<String> = (0..4)
                .map(|c| row * 4 + c)
                .filter(|&r| r < 31)
                .map(|r| format!("X{r:02}={:016x}", self.cpu.x[r]))
                .collect();
            let _ = writeln!(out, "{}", regs.join(" "));
        }
        let (sp_el0, sp_el1) = if self.el1.el == 1 && self.el1.spsel {
            (self.el1.banked_sp, self.cpu.x[31])
        } else {
            (self.cpu.x[31], self.el1.banked_sp)
        };
        let _ = writeln!(out, "SP_EL0={sp_el0:016x} SP_EL1={sp_el1:016x}");
        let get = |r| self.el1.get(r);
        let _ = writeln!(
            out,
            "ELR_EL1={:016x} SPSR_EL1={:08x} ESR_EL1={:08x} FAR_EL1={:016x} VBAR_EL1={:016x}",
            get(ELR_EL1),
            get(SPSR_EL1),
            get(ESR_EL1),
            get(FAR_EL1),
            get(VBAR_EL1)
        );
        let _ = writeln!(
            out,
            "SCTLR_EL1={:016x} TCR_EL1={:016x} TTBR0_EL1={:016x} TTBR1_EL1={:016x}",
            get(SCTLR_EL1),
            get(TCR_EL1),
            get(TTBR0_EL1),
            get(TTBR1_EL1)
        );
        out
    }

    /// Drops translations of this vCPU and, with `broadcast`, asks the
    /// others to do the same.
    pub fn flush_code(&mut self, what: engines::Flush, broadcast: bool) {
        if let Some(code) = self.code.as_mut() {
            code.flush(what, true);
        }
        if broadcast {
            for (i, port) in self.machine.cpus.iter().enumerate() {
                if i != self.index {
                    port.request_code_flush(what);
                }
            }
        }
    }

    /// Drives the timer's PPIs from the counter.
    pub fn update_timer_lines(&mut self) {
        let levels = self.timer.irq_levels();
        if levels != self.timer_levels {
            self.timer_levels = levels;
            let mut g = self.machine.gic();
            g.set_ppi(self.index, VIRTUAL_TIMER_INTID, levels.virtual_timer);
            g.set_ppi(self.index, PHYSICAL_TIMER_INTID, levels.physical_timer);
        }
    }

    /// Takes an IRQ or FIQ if one is pending and PSTATE does not mask it.
    fn take_pending_interrupt(&mut self) {
        const PSTATE_I: u64 = 1 << 7;
        const PSTATE_F: u64 = 1 << 6;
        let (irq, fiq) = self.irq_lines;
        let pc = self.cpu.pc;
        if fiq && self.el1.daif & PSTATE_F == 0 {
            self.exception(ExceptionKind::Fiq, pc, None, None);
        } else if irq && self.el1.daif & PSTATE_I == 0 {
            self.exception(ExceptionKind::Irq, pc, None, None);
        }
    }

    /// Whether the GIC asserts this vCPU's IRQ or FIQ input.
    fn interrupt_pending(&mut self) -> bool {
        let g = self.machine.gic();
        self.irq_lines = (g.cpu_irq_pending(self.index), g.cpu_fiq_pending(self.index));
        drop(g);
        self.irq_lines.0 || self.irq_lines.1
    }

    /// WFI: sleeps until an interrupt is pending (masked or not, as the
    /// architecture says), the timer is due or another thread needs this
    /// vCPU; the loop then looks again.
    fn idle(&mut self) {
        self.port().arm_wake();
        // The timer may have fired since the loop last looked (it looks
        // once a millisecond while code runs).
        self.update_timer_lines();
        if self.interrupt_pending() {
            self.halted = false;
            return;
        }
        if self.machine.stopping() || self.port().tlb_shootdown.pending() {
            return;
        }
        let deadline = self.timer.next_deadline(self.timer.counter());
        self.port().sleep(deadline);
        self.update_timer_lines();
    }
}

thread_local! {
    /// The EL1 state of the vCPU whose translated code this thread is
    /// running, for [`read_el1_register`]; null outside `run_translated`.
    static CURRENT_EL1: std::cell::Cell<*mut El1State> = const { std::cell::Cell::new(std::ptr::null_mut()) };
}

/// The core's MRS hook (`interp::set_mrs_hook`): the EL1 registers that
/// translated code reads without leaving (see
/// `kestrel::jit::cache::exits_in_system_mode`). `None` sends the
/// instruction back to the vCPU, which raises what the architecture says.
pub fn read_el1_register(cpu: &CpuState, reg: u16) -> Option<u64> {
    const DAIF: u16 = sysreg(3, 3, 4, 2, 1);
    let p = CURRENT_EL1.with(|c| c.get());
    if p.is_null() {
        return None;
    }
    // SAFETY: `run_translated` points CURRENT_EL1 at its vCPU's EL1 state
    // only while that vCPU's translated code runs on this thread, and
    // nothing else reads or writes the state meanwhile (the vCPU's own code
    // is inside the engine, which does not touch it).
    let el1 = unsafe { &*p };
    if reg == DAIF && el1.el == 0 && el1.get(SCTLR_EL1) & (1 << 9) == 0 {
        // EL0 without SCTLR_EL1.UMA: the access traps.
        return None;
    }
    el1.read(cpu, reg)
}

/// The core's MSR hook (`interp::set_msr_hook`): DAIF (also through
/// DAIFSet/DAIFClr), SP_EL0 and TPIDRRO_EL0, which translated code writes
/// without leaving, unless it unmasks an interrupt. False sends the
/// instruction back to the vCPU, which executes it (an unmasking write,
/// after which the loop takes a pending interrupt) or raises what the
/// architecture says (EL0 without SCTLR_EL1.UMA traps, EL0 cannot write
/// SP_EL0).
pub fn write_el1_register(cpu: &mut CpuState, reg: u16, value: u64) -> bool {
    use kestrel::guest::aarch64::sysregs::{DAIFCLR, DAIFSET};
    const DAIF: u16 = sysreg(3, 3, 4, 2, 1);
    const SP_EL0: u16 = sysreg(3, 0, 4, 1, 0);
    const TPIDRRO_EL0: u16 = sysreg(3, 3, 13, 0, 3);
    let p = CURRENT_EL1.with(|c| c.get());
    if p.is_null() {
        return false;
    }
    // SAFETY: as in `read_el1_register`; `run_translated` lent the state
    // mutably and uses it only after translated code returns.
    let el1 = unsafe { &mut *p };
    let masks = el1.daif;
    let (reg, value) = match reg {
        DAIFSET => (DAIF, masks | (value & 0xf) << 6),
        DAIFCLR => (DAIF, masks & !((value & 0xf) << 6)),
        _ => (reg, value),
    };
    match reg {
        // An interrupt this unmasks must be taken before the next
        // instruction: the vCPU executes the write and looks.
        DAIF if masks & !value != 0 => false,
        // El1State::write applies EL0's rules (UMA) and the SP selection.
        DAIF | SP_EL0 => el1.write(cpu, reg, value),
        TPIDRRO_EL0 if el1.el == 1 => {
            cpu.tpidrro_el0 = value;
            true
        }
        _ => false,
    }
}

/// FEAT_PAN is part of `-cpu max` only (the Armv8.0 cores lack it).
fn machine_has_pan(machine: &Machine) -> bool {
    machine.config.cpu == crate::config::CpuModel::Max
}

/// Whether `KESTREL_TRACE` (a comma-separated list) names `what`: with
/// `exceptions` every exception taken is logged to standard error, with
/// `psci` every PSCI call.
pub fn tracing(what: &str) -> bool {
    static LIST: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    LIST.get_or_init(|| std::env::var("KESTREL_TRACE").map(|v| v.split(',').map(str::to_string).collect()).unwrap_or_default())
        .iter()
        .any(|w| w == what)
}

fn trace_exceptions() -> bool {
    tracing("exceptions")
}

