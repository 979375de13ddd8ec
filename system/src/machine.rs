//! A running board: guest RAM, the devices on the bus, the interrupt
//! controller and one host thread per vCPU (qemu's multi-threaded model).
//!
//! [`Machine::build`] wires the devices of the memory map to the bus and
//! the GIC; [`run`] loads the boot images, starts vCPU 0 at the kernel's
//! entry (the others wait for PSCI CPU_ON), feeds the UART from standard
//! input and waits until the guest powers off, resets or the user quits.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use vm_memory::{GuestAddress, GuestMemoryBackend};

use crate::board::{memmap, BootImages};
use crate::bus::{Bus, SharedDevice};
use crate::config::{GicVersion, MachineConfig, SerialBackend, VirtioDeviceConfig};
use crate::cpu::softmmu::RamWindow;
use crate::devices::gic::v2::{GicV2, GicV2CpuInterface, GicV2Distributor};
use crate::devices::gic::v3::{GicV3, GicV3Distributor, GicV3Redistributors};
use crate::devices::gic::{lock_shared, InterruptController, SharedGic, SpiLine};
use crate::devices::pl011::Pl011;
use crate::devices::pl031::Pl031;
use crate::devices::virtio::blk::Block;
use crate::devices::virtio::mmio::VirtioMmio;
use crate::devices::virtio::rng::Rng;
use crate::code_pages::{self, CodePages};
use crate::devices::virtio::GuestRam;
use crate::devices::{IrqLine, MmioDevice};

/// Why a machine could not be built or run; one line for the user.
#[derive(Debug, thiserror::Error)]
pub enum MachineError {
    /// Guest RAM could not be mapped.
    #[error("cannot allocate {size} bytes of guest RAM: {reason}")]
    Ram {
        /// Bytes asked for.
        size: u64,
        /// What the host said.
        reason: String,
    },
    /// A disk image could not be opened.
    #[error("could not open disk image '{path}': {reason}")]
    Drive {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// Something the board does not model yet.
    #[error("{0} is not supported yet")]
    Unsupported(&'static str),
    /// The gdb stub could not listen.
    #[error("gdb stub: {0}")]
    Gdb(String),
    /// The images did not fit (checked earlier; kept for completeness).
    #[error("{0}")]
    Load(String),
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shutdown {
    /// PSCI SYSTEM_OFF.
    PowerOff,
    /// PSCI SYSTEM_RESET (the run ends with `-no-reboot`).
    Reset,
    /// The user quit (Ctrl-A x, the monitor's `quit`, SIGTERM).
    Quit,
}

/// Whether a vCPU is running, per PSCI's AFFINITY_INFO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Power {
    /// Running (or idle in WFI).
    On,
    /// Powered off: waiting for CPU_ON.
    Off,
    /// CPU_ON accepted, the vCPU not yet running.
    OnPending,
}

/// What other threads may ask of one vCPU.
#[derive(Debug)]
struct PortState {
    power: Power,
    /// CPU_ON's entry point and context ID.
    start: Option<(u64, u64)>,
    /// Something happened that a vCPU in WFI must look at.
    wake: bool,
}

/// Broadcast TLB invalidations waiting for one vCPU: a few pages, or
/// everything.
///
/// A broadcast is complete, as the architecture requires of a TLBI ... IS
/// by the DSB after it, only when no vCPU can still use what it
/// invalidated: the sender waits until every vCPU that is running guest
/// code has taken the request ([`TlbShootdown::wait_for`]). A vCPU marks
/// itself as running guest code before it looks for requests, and the
/// sender publishes its request before it looks at that mark (both
/// sequentially consistent), so either the vCPU sees the request before it
/// runs or the sender sees the vCPU running and waits for it.
#[derive(Default)]
pub struct TlbShootdown {
    /// Something is waiting (a plain load in the vCPU's loop).
    pending: AtomicBool,
    work: Mutex<ShootdownWork>,
    /// Requests made and requests taken, counted.
    requested: AtomicU64,
    taken: AtomicU64,
    /// The vCPU is between its loop's checks and the end of a run of
    /// guest code.
    in_guest: AtomicBool,
}

/// What a [`TlbShootdown`] holds.
#[derive(Default, Debug, PartialEq, Eq)]
pub struct ShootdownWork {
    /// Empty the whole TLB.
    pub all: bool,
    /// Virtual pages to drop (when not `all`).
    pub pages: Vec<u64>,
}

/// Pages a shootdown remembers before it falls back to a full flush.
const SHOOTDOWN_PAGES: usize = 16;

impl TlbShootdown {
    /// Asks for `page` (or, with `None`, everything) to be dropped; returns
    /// the request's number for [`Self::wait_for`].
    pub fn request(&self, page: Option<u64>) -> u64 {
        let mut w = lock(&self.work);
        match page {
            Some(p) if !w.all && w.pages.len() < SHOOTDOWN_PAGES => w.pages.push(p),
            _ => {
                w.all = true;
                w.pages.clear();
            }
        }
        let number = self.requested.fetch_add(1, Ordering::SeqCst) + 1;
        self.pending.store(true, Ordering::SeqCst);
        number
    }

    /// Whether anything is waiting.
    pub fn pending(&self) -> bool {
        self.pending.load(Ordering::Acquire)
    }

    /// Takes what is waiting, if anything.
    pub fn take(&self) -> Option<ShootdownWork> {
        if !self.pending.load(Ordering::SeqCst) {
            return None;
        }
        let mut w = lock(&self.work);
        self.pending.store(false, Ordering::Release);
        self.taken.store(self.requested.load(Ordering::SeqCst), Ordering::Release);
        Some(std::mem::take(&mut *w))
    }

    /// Marks the vCPU as running guest code (before its loop looks for
    /// requests), or as not.
    pub fn set_in_guest(&self, running: bool) {
        self.in_guest.store(running, Ordering::SeqCst);
    }

    /// Whether request `number` may still be outstanding: the vCPU runs
    /// guest code and has not taken it.
    pub fn outstanding(&self, number: u64) -> bool {
        self.in_guest.load(Ordering::SeqCst) && self.taken.load(Ordering::Acquire) < number
    }
}

/// One vCPU's doorbell: power state, start requests and wake-ups.
pub struct CpuPort {
    state: Mutex<PortState>,
    cv: Condvar,
    /// TLB entries other vCPUs invalidated (TLBI ... IS), for this vCPU to
    /// drop before its next instruction.
    pub tlb_shootdown: TlbShootdown,
    /// Translations another vCPU invalidated, for this vCPU to drop its
    /// engines on; `code_flush_pending` tells the loop to look.
    code_flushes: Mutex<Vec<crate::cpu::engines::Flush>>,
    code_flush_pending: AtomicBool,
    /// The vCPU's `CpuState::exit_request`, to stop its translated code.
    exit_flag: AtomicPtr<AtomicU32>,
    /// The GIC's outputs to this vCPU changed since the vCPU last looked.
    gic_changed: AtomicBool,
    /// The ticker ticked since the vCPU last looked at its timer.
    ticked: AtomicBool,
    /// The monitor asked for the registers.
    registers_wanted: AtomicBool,
    /// The vCPU's answer.
    registers: Mutex<Option<String>>,
    registers_cv: Condvar,
    /// The vCPU's translation regime (SCTLR, TCR, TTBR0, TTBR1), for the
    /// debugger's memory accesses.
    regime: [AtomicU64; 4],
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl CpuPort {
    fn new(power: Power) -> CpuPort {
        CpuPort {
            state: Mutex::new(PortState { power, start: None, wake: false }),
            cv: Condvar::new(),
            tlb_shootdown: TlbShootdown::default(),
            code_flushes: Mutex::new(Vec::new()),
            code_flush_pending: AtomicBool::new(false),
            exit_flag: AtomicPtr::new(std::ptr::null_mut()),
            gic_changed: AtomicBool::new(true),
            ticked: AtomicBool::new(true),
            registers_wanted: AtomicBool::new(false),
            registers: Mutex::new(None),
            registers_cv: Condvar::new(),
            regime: [const { AtomicU64::new(0) }; 4],
        }
    }

    /// Publishes the vCPU's translation regime.
    pub fn set_regime(&self, r: &kestrel::guest::aarch64::mmu::Regime) {
        for (slot, v) in self.regime.iter().zip([r.sctlr, r.tcr, r.ttbr0, r.ttbr1]) {
            slot.store(v, Ordering::Relaxed);
        }
    }

    /// The vCPU's translation regime as last published.
    pub fn regime(&self) -> kestrel::guest::aarch64::mmu::Regime {
        let v = |i: usize| self.regime[i].load(Ordering::Relaxed);
        kestrel::guest::aarch64::mmu::Regime { sctlr: v(0), tcr: v(1), ttbr0: v(2), ttbr1: v(3) }
    }

    /// The monitor's `info registers`: asks the vCPU for a dump of its
    /// registers and waits for it; `None` if the vCPU does not answer in
    /// time (it is powered off).
    pub fn registers(&self, timeout: std::time::Duration) -> Option<String> {
        *lock(&self.registers) = None;
        self.registers_wanted.store(true, Ordering::Release);
        self.wake();
        let deadline = Instant::now() + timeout;
        let mut reply = lock(&self.registers);
        while reply.is_none() {
            let now = Instant::now();
            if now >= deadline {
                self.registers_wanted.store(false, Ordering::Release);
                return None;
            }
            reply = self.registers_cv.wait_timeout(reply, deadline - now).unwrap_or_else(|p| p.into_inner()).0;
        }
        reply.take()
    }

    /// Whether the monitor waits for this vCPU's registers.
    pub fn registers_wanted(&self) -> bool {
        self.registers_wanted.load(Ordering::Relaxed) && self.registers_wanted.swap(false, Ordering::AcqRel)
    }

    /// The vCPU's answer to [`registers`](Self::registers).
    pub fn answer_registers(&self, text: String) {
        *lock(&self.registers) = Some(text);
        self.registers_cv.notify_all();
    }

    /// Tells the vCPU its interrupt inputs changed (and stops its code).
    pub fn note_gic_change(&self) {
        self.gic_changed.store(true, Ordering::Release);
        self.wake();
    }

    /// Whether the interrupt inputs changed since the last call.
    pub fn take_gic_change(&self) -> bool {
        self.gic_changed.load(Ordering::Relaxed) && self.gic_changed.swap(false, Ordering::AcqRel)
    }

    /// A millisecond passed: the vCPU looks at its timer (and stops its code).
    pub fn tick(&self) {
        self.ticked.store(true, Ordering::Release);
        self.kick();
    }

    /// Whether the ticker ticked since the last call.
    pub fn take_tick(&self) -> bool {
        self.ticked.load(Ordering::Relaxed) && self.ticked.swap(false, Ordering::AcqRel)
    }

    /// Records where the vCPU's exit-request flag is while it runs.
    pub fn set_exit_flag(&self, flag: &AtomicU32) {
        self.exit_flag.store(flag as *const AtomicU32 as *mut AtomicU32, Ordering::Release);
    }

    /// Forgets the flag (the vCPU thread ends).
    pub fn clear_exit_flag(&self) {
        self.exit_flag.store(std::ptr::null_mut(), Ordering::Release);
    }

    /// Makes the vCPU's translated code return to its loop at the next
    /// block boundary.
    pub fn kick(&self) {
        let flag = self.exit_flag.load(Ordering::Acquire);
        if !flag.is_null() {
            // SAFETY: the flag lives in the vCPU's boxed CpuState, which
            // outlives its registration (cleared before the thread ends).
            unsafe { (*flag).store(1, Ordering::Release) };
        }
    }

    /// Asks the vCPU to drop translations (see `cpu::engines::Flush`).
    pub fn request_code_flush(&self, what: crate::cpu::engines::Flush) {
        {
            // A vCPU that is off collects requests without taking them:
            // past a few, checking all mappings again covers every ASID's.
            const MAX_PENDING: usize = 16;
            let mut flushes = lock(&self.code_flushes);
            if !flushes.contains(&what) {
                flushes.push(what);
            }
            if flushes.len() > MAX_PENDING {
                let all = flushes.contains(&crate::cpu::engines::Flush::All);
                flushes.clear();
                flushes.push(crate::cpu::engines::Flush::Mappings);
                if all {
                    flushes.push(crate::cpu::engines::Flush::All);
                }
            }
        }
        self.code_flush_pending.store(true, Ordering::Release);
        self.kick();
    }

    /// The translations to drop that other vCPUs asked for since the last
    /// call.
    pub fn take_code_flushes(&self) -> Vec<crate::cpu::engines::Flush> {
        if !self.code_flush_pending.swap(false, Ordering::AcqRel) {
            return Vec::new();
        }
        std::mem::take(&mut *lock(&self.code_flushes))
    }

    /// The vCPU's power state.
    pub fn power(&self) -> Power {
        lock(&self.state).power
    }

    /// Wakes the vCPU from WFI (an interrupt, a start request, shutdown)
    /// and stops its translated code so that it looks.
    pub fn wake(&self) {
        lock(&self.state).wake = true;
        self.cv.notify_all();
        self.kick();
    }

    /// Asks an Off vCPU to start at `entry` with x0 = `context`; returns
    /// the state it was in (only an Off vCPU is started).
    pub fn request_start(&self, entry: u64, context: u64) -> Power {
        let mut s = lock(&self.state);
        let was = s.power;
        if was == Power::Off {
            s.power = Power::OnPending;
            s.start = Some((entry, context));
            s.wake = true;
            self.cv.notify_all();
        }
        was
    }

    /// Marks the vCPU off (PSCI CPU_OFF).
    pub fn set_off(&self) {
        lock(&self.state).power = Power::Off;
    }

    /// Blocks an Off vCPU until it is started (returns entry and context)
    /// or `stopping` says the machine ends (returns `None`).
    pub fn wait_for_start(&self, stopping: &AtomicBool) -> Option<(u64, u64)> {
        let mut s = lock(&self.state);
        loop {
            if stopping.load(Ordering::Acquire) {
                return None;
            }
            if let Some(start) = s.start.take() {
                s.power = Power::On;
                return Some(start);
            }
            s = self.cv.wait(s).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Clears the wake flag; call before checking for work, then
    /// [`sleep`](Self::sleep) if there was none, so no wake-up is lost.
    pub fn arm_wake(&self) {
        lock(&self.state).wake = false;
    }

    /// Sleeps until woken or until `deadline`.
    pub fn sleep(&self, deadline: Option<Instant>) {
        let mut s = lock(&self.state);
        while !s.wake {
            match deadline {
                None => s = self.cv.wait(s).unwrap_or_else(|p| p.into_inner()),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return;
                    }
                    s = self.cv.wait_timeout(s, d - now).unwrap_or_else(|p| p.into_inner()).0;
                }
            }
        }
    }
}

/// Everything the vCPU threads share.
pub struct Machine {
    /// The command line's choices.
    pub config: MachineConfig,
    /// Guest RAM, as devices see it.
    pub ram: Arc<GuestRam>,
    /// Guest RAM, as the CPUs see it.
    pub ram_window: RamWindow,
    /// The RAM pages translated code came from.
    pub code_pages: Arc<CodePages>,
    /// The translated code of every vCPU, by translation regime (`None`
    /// for the interpreter).
    pub code_caches: Option<Arc<crate::cpu::engines::SharedCodeCaches>>,
    /// MMIO devices.
    pub bus: Arc<Bus>,
    /// The interrupt controller.
    pub gic: SharedGic,
    /// One port per vCPU.
    pub cpus: Vec<CpuPort>,
    /// The counter's zero, shared by every vCPU's generic timer.
    pub epoch: Instant,
    /// The UART, for standard input.
    pub uart: Arc<Mutex<Pl011>>,
    stopping: AtomicBool,
    /// `-S`: the vCPUs wait until the monitor's `cont`.
    paused: Mutex<bool>,
    paused_cv: Condvar,
    shutdown: Mutex<Option<Shutdown>>,
    shutdown_cv: Condvar,
    /// Bumped by every broadcast TLB invalidation (statistics).
    pub tlb_broadcasts: AtomicU64,
    /// Instructions translated code left to the vCPU loop (statistics).
    pub system_exits: AtomicU64,
    /// With `-d stats`: the vCPUs' counts of each system instruction that
    /// left translated code, merged as each vCPU ends.
    exit_words: Mutex<std::collections::HashMap<u32, u64>>,
}

/// A UART output that writes straight through to standard output.
struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut out = std::io::stdout().lock();
        out.write_all(buf)?;
        out.flush()?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stdout().flush()
    }
}

/// An empty virtio-mmio slot: the magic value and version, device ID 0,
/// so the guest's driver skips it.
struct EmptyVirtioSlot;

impl MmioDevice for EmptyVirtioSlot {
    fn read(&mut self, offset: u64, _size: u8) -> u64 {
        match offset {
            0x000 => 0x7472_6976, // "virt"
            0x004 => 2,
            0x00c => 0x554d_4551, // vendor ID, as qemu's
            _ => 0,
        }
    }
    fn write(&mut self, _offset: u64, _size: u8, _value: u64) {}
}

fn spi_line(gic: &SharedGic, spi: u32) -> SpiLine {
    SpiLine { gic: gic.clone(), intid: memmap::spi::intid(spi) }
}

/// Interrupt lines of the board's GIC: SGIs, PPIs and 256 SPIs, as qemu's.
const GIC_IRQS: usize = 32 + 256;

/// Builds the interrupt controller the configuration asks for and maps
/// its frames.
fn build_gic(config: &MachineConfig, bus: &mut Bus) -> Result<SharedGic, MachineError> {
    let num_cpus = config.smp as usize;
    match config.gic_version {
        GicVersion::V2 => {
            let gic = Arc::new(Mutex::new(GicV2::new(num_cpus, GIC_IRQS)));
            map(bus, memmap::GIC_DIST.base, memmap::GIC_DIST.size, Arc::new(Mutex::new(GicV2Distributor(gic.clone()))));
            map(bus, memmap::GIC_CPU.base, memmap::GIC_CPU.size, Arc::new(Mutex::new(GicV2CpuInterface(gic.clone()))));
            Ok(gic)
        }
        GicVersion::V3 => {
            let gic = Arc::new(Mutex::new(GicV3::new(num_cpus, GIC_IRQS)));
            map(bus, memmap::GIC_DIST.base, memmap::GIC_DIST.size, Arc::new(Mutex::new(GicV3Distributor(gic.clone()))));
            // The whole region the device tree describes; frames past the
            // last CPU read as zero.
            let redist = Arc::new(Mutex::new(GicV3Redistributors(gic.clone())));
            map(bus, memmap::GIC_REDIST.base, memmap::GIC_REDIST.size, redist);
            Ok(gic)
        }
    }
}

/// Maps a device; the memory map's regions never overlap.
fn map(bus: &mut Bus, base: u64, size: u64, device: SharedDevice) {
    bus.add(base, size, device).expect("the memory map's regions are disjoint")
}

impl Machine {
    /// Adds a vCPU's counts of system instructions that left translated code.
    pub fn add_exit_words(&self, words: std::collections::HashMap<u32, u64>) {
        let mut all = lock(&self.exit_words);
        for (word, n) in words {
            *all.entry(word).or_default() += n;
        }
    }

    /// The `n` system instructions that left translated code most often.
    pub fn top_exit_words(&self, n: usize) -> Vec<(u32, u64)> {
        let mut all: Vec<(u32, u64)> = lock(&self.exit_words).iter().map(|(&w, &c)| (w, c)).collect();
        all.sort_by_key(|&(w, c)| (std::cmp::Reverse(c), w));
        all.truncate(n);
        all
    }

    /// Allocates RAM and wires every device of the configuration.
    pub fn build(config: &MachineConfig) -> Result<Arc<Machine>, MachineError> {
        let ram_region = memmap::ram(config.ram_size);
        let code_pages = Arc::new(CodePages::new(ram_region.size));
        let ram = code_pages::map_ram(ram_region.base, ram_region.size, code_pages.clone())
            .map_err(|reason| MachineError::Ram { size: ram_region.size, reason })?;
        let ram = Arc::new(ram);
        // One region, so one contiguous host mapping.
        let host = ram
            .get_host_address(GuestAddress(ram_region.base))
            .map_err(|e| MachineError::Ram { size: ram_region.size, reason: e.to_string() })?;
        let ram_window = RamWindow { base: ram_region.base, size: ram_region.size, host };

        let num_cpus = config.smp as usize;
        let mut bus = Bus::new();
        let gic = build_gic(config, &mut bus)?;
        let add = map;

        let output: Box<dyn Write + Send> = match config.serial {
            SerialBackend::None => Box::new(std::io::sink()),
            _ => Box::new(Stdout),
        };
        let uart = Arc::new(Mutex::new(Pl011::new(output, Box::new(spi_line(&gic, memmap::spi::UART)))));
        add(&mut bus, memmap::UART.base, memmap::UART.size, uart.clone());
        let rtc = Arc::new(Mutex::new(Pl031::new(Box::new(spi_line(&gic, memmap::spi::RTC)))));
        add(&mut bus, memmap::RTC.base, memmap::RTC.size, rtc);

        let mut used_slots = Vec::new();
        for (i, device) in config.virtio_devices.iter().enumerate() {
            let slot = memmap::virtio_slot_for_device(i as u32).ok_or(MachineError::Unsupported("more than 32 virtio devices"))?;
            let irq: Arc<dyn IrqLine> = Arc::new(spi_line(&gic, memmap::spi::virtio_mmio(slot)));
            let dev: SharedDevice = match device {
                VirtioDeviceConfig::Block(drive) => {
                    let blk = Block::open(&drive.file, drive.read_only).map_err(|e| MachineError::Drive {
                        path: drive.file.display().to_string(),
                        reason: e.to_string(),
                    })?;
                    Arc::new(Mutex::new(VirtioMmio::new(blk, ram.clone(), irq)))
                }
                VirtioDeviceConfig::Rng => Arc::new(Mutex::new(VirtioMmio::new(Rng::new(), ram.clone(), irq))),
            };
            let region = memmap::virtio_mmio(slot);
            add(&mut bus, region.base, region.size, dev);
            used_slots.push(slot);
        }
        for slot in 0..memmap::VIRTIO_MMIO_COUNT {
            if !used_slots.contains(&slot) {
                let region = memmap::virtio_mmio(slot);
                add(&mut bus, region.base, region.size, Arc::new(Mutex::new(EmptyVirtioSlot)));
            }
        }

        let cpus = (0..num_cpus).map(|i| CpuPort::new(if i == 0 { Power::On } else { Power::Off })).collect();
        let machine = Arc::new(Machine {
            config: config.clone(),
            ram,
            ram_window,
            code_pages,
            code_caches: crate::cpu::engines::SharedCodeCaches::for_tiers(config.tiers, num_cpus),
            bus: Arc::new(bus),
            gic: gic.clone(),
            cpus,
            epoch: Instant::now(),
            uart,
            stopping: AtomicBool::new(false),
            paused: Mutex::new(false),
            paused_cv: Condvar::new(),
            shutdown: Mutex::new(None),
            shutdown_cv: Condvar::new(),
            tlb_broadcasts: AtomicU64::new(0),
            system_exits: AtomicU64::new(0),
            exit_words: Mutex::new(std::collections::HashMap::new()),
        });
        // The GIC wakes a vCPU whose interrupt outputs changed. A weak
        // reference: the GIC lives inside the machine.
        let weak = Arc::downgrade(&machine);
        lock_shared(&gic).set_notifier(Box::new(move |cpu| {
            if let Some(m) = weak.upgrade() {
                if let Some(port) = m.cpus.get(cpu) {
                    port.note_gic_change();
                }
            }
        }));
        Ok(machine)
    }

    /// Copies the boot images into RAM.
    pub fn load(&self, images: &BootImages) -> Result<(), MachineError> {
        use vm_memory::Bytes;
        for (segment, bytes) in images.segments() {
            self.ram.write_slice(bytes, GuestAddress(segment.addr)).map_err(|e| MachineError::Load(e.to_string()))?;
        }
        Ok(())
    }

    /// Whether the machine is shutting down (vCPU threads return).
    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    /// Holds the vCPUs before their first instruction (`-S`).
    pub fn pause(&self) {
        *lock(&self.paused) = true;
    }

    /// Lets paused vCPUs go (the monitor's `cont`).
    pub fn resume(&self) {
        *lock(&self.paused) = false;
        self.paused_cv.notify_all();
    }

    /// Blocks while the machine is paused and not stopping.
    pub fn wait_while_paused(&self) {
        let mut p = lock(&self.paused);
        while *p && !self.stopping() {
            p = self.paused_cv.wait_timeout(p, std::time::Duration::from_millis(50)).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// The flag [`stopping`](Self::stopping) reads.
    pub fn stopping_flag(&self) -> &AtomicBool {
        &self.stopping
    }

    /// Ends the run; the first reason wins.
    pub fn request_shutdown(&self, why: Shutdown) {
        let mut s = lock(&self.shutdown);
        if s.is_none() {
            *s = Some(why);
        }
        self.stopping.store(true, Ordering::Release);
        self.shutdown_cv.notify_all();
        drop(s);
        for port in &self.cpus {
            port.wake();
        }
    }

    /// Blocks until some thread asks for a shutdown.
    pub fn wait_for_shutdown(&self) -> Shutdown {
        let mut s = lock(&self.shutdown);
        loop {
            if let Some(why) = *s {
                return why;
            }
            s = self.shutdown_cv.wait(s).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Locks the GIC.
    pub fn gic(&self) -> MutexGuard<'_, dyn InterruptController + 'static> {
        lock_shared(&self.gic)
    }
}
