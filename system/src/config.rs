//! The machine a command line asked for, as typed values.
//!
//! [`MachineConfig`] is what the rest of the system crate sees: the board,
//! the device tree and the boot loader never look at option strings. The
//! command line ([`crate::cli`]) is one way to build it; tests build it
//! directly.

use std::path::PathBuf;

/// The CPU model (`-cpu`). All are presented with the same features today;
/// the model decides the device tree's `compatible` and the ID registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CpuModel {
    /// Cortex-A53 (`-cpu cortex-a53`).
    CortexA53,
    /// Cortex-A57 (`-cpu cortex-a57`), the default.
    #[default]
    CortexA57,
    /// Cortex-A72 (`-cpu cortex-a72`).
    CortexA72,
    /// Everything Kestrel implements (`-cpu max`).
    Max,
}

impl CpuModel {
    /// Every model, in the order `-cpu help` lists them.
    pub const ALL: [CpuModel; 4] = [Self::CortexA53, Self::CortexA57, Self::CortexA72, Self::Max];

    /// The name `-cpu` takes.
    pub const fn name(self) -> &'static str {
        match self {
            Self::CortexA53 => "cortex-a53",
            Self::CortexA57 => "cortex-a57",
            Self::CortexA72 => "cortex-a72",
            Self::Max => "max",
        }
    }

    /// The model named `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The cpu nodes' `compatible`. qemu 7.2 builds `max` on top of the
    /// Cortex-A57 under TCG and describes it as one, so guests see the same.
    pub const fn dt_compatible(self) -> &'static str {
        match self {
            Self::CortexA53 => "arm,cortex-a53",
            Self::CortexA57 | Self::Max => "arm,cortex-a57",
            Self::CortexA72 => "arm,cortex-a72",
        }
    }
}

/// The interrupt controller (`-machine gic-version=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GicVersion {
    /// GICv2: memory-mapped CPU interface, at most 8 CPUs. qemu's default
    /// without KVM, so also Kestrel's.
    #[default]
    V2,
    /// GICv3: system-register CPU interface, redistributors, more CPUs.
    V3,
}

impl GicVersion {
    /// The most CPUs the board can wire to this controller: GICv2 addresses
    /// 8 CPU interfaces; GICv3 is limited by the redistributor region below
    /// the UART (qemu adds a second region in high memory, Kestrel not yet).
    pub const fn max_cpus(self) -> u32 {
        match self {
            Self::V2 => 8,
            Self::V3 => {
                (crate::board::memmap::GIC_REDIST.size / crate::board::memmap::GIC_REDIST_STRIDE) as u32
            }
        }
    }
}

/// Where the PL011's bytes go (`-serial`, `-nographic`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SerialBackend {
    /// The terminal Kestrel runs in.
    Stdio,
    /// The terminal, with qemu's Ctrl-A escapes (Ctrl-A x quits); what
    /// `-nographic` gives.
    MonStdio,
    /// Discarded (`-serial none` / `null`).
    None,
}

/// A disk image (`-drive`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriveConfig {
    /// The raw image file.
    pub file: PathBuf,
    /// `id=`, for `-device virtio-blk-device,drive=ID`.
    pub id: Option<String>,
    /// `readonly=on`.
    pub read_only: bool,
}

/// A device on a virtio-mmio transport, in command-line order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VirtioDeviceConfig {
    /// virtio-blk backed by a raw image.
    Block(DriveConfig),
    /// virtio-rng fed from the host's random source.
    Rng,
}

/// A gdb remote-protocol listener (`-gdb tcp:HOST:PORT`, `-s`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GdbConfig {
    /// Interface to listen on; `None` means every interface, as qemu.
    pub host: Option<String>,
    /// TCP port.
    pub port: u16,
}

/// The default gdb port of `-s`.
pub const DEFAULT_GDB_PORT: u16 = 1234;

/// Everything the command line decided about the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineConfig {
    /// Interrupt controller.
    pub gic_version: GicVersion,
    /// `-machine dumpdtb=FILE`: write the device tree there and exit.
    pub dump_dtb: Option<PathBuf>,
    /// CPU model.
    pub cpu: CpuModel,
    /// Number of CPUs (`-smp`).
    pub smp: u32,
    /// Bytes of RAM (`-m`).
    pub ram_size: u64,
    /// The Linux `Image` (plain or gzip'd).
    pub kernel: Option<PathBuf>,
    /// The initial ramdisk, loaded verbatim.
    pub initrd: Option<PathBuf>,
    /// The kernel command line.
    pub append: Option<String>,
    /// A device tree blob to pass instead of the generated one.
    pub dtb: Option<PathBuf>,
    /// `-nographic`.
    pub nographic: bool,
    /// The UART's backend.
    pub serial: SerialBackend,
    /// `-no-reboot`: a guest reset exits instead.
    pub no_reboot: bool,
    /// virtio devices, in the order transports are handed out
    /// (see [`crate::board::memmap::virtio_slot_for_device`]).
    pub virtio_devices: Vec<VirtioDeviceConfig>,
    /// gdb stub.
    pub gdb: Option<GdbConfig>,
    /// `-S`: wait for the debugger (or the monitor) before the first
    /// instruction.
    pub start_paused: bool,
    /// How guest code runs (`KESTREL_SYSTEM_TIER`).
    pub tiers: Tiers,
    /// `-d stats`: print translation statistics at exit.
    pub stats: bool,
}

/// How the vCPUs run guest code. The default is both translators: baseline
/// code first, Cranelift for hot regions. The others exist to test each
/// tier alone on the same guests, chosen with `KESTREL_SYSTEM_TIER`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Tiers {
    /// Baseline code, then optimised code for hot regions.
    #[default]
    Both,
    /// `baseline`: baseline code only.
    Baseline,
    /// `optimizing`: every block compiled by Cranelift before it first runs.
    Optimizing,
    /// `interp`: the interpreter, one instruction at a time.
    Interpreter,
}

impl Tiers {
    /// The tiers `KESTREL_SYSTEM_TIER` names (unset or empty: [`Tiers::Both`]).
    pub fn from_env() -> Result<Tiers, String> {
        match std::env::var("KESTREL_SYSTEM_TIER").unwrap_or_default().as_str() {
            "" | "both" => Ok(Tiers::Both),
            "baseline" => Ok(Tiers::Baseline),
            "optimizing" => Ok(Tiers::Optimizing),
            "interp" => Ok(Tiers::Interpreter),
            other => Err(format!("KESTREL_SYSTEM_TIER={other}: expected both, baseline, optimizing or interp")),
        }
    }
}

impl Default for MachineConfig {
    fn default() -> Self {
        Self {
            gic_version: GicVersion::default(),
            dump_dtb: None,
            cpu: CpuModel::default(),
            smp: 1,
            ram_size: crate::board::memmap::RAM_DEFAULT_SIZE,
            kernel: None,
            initrd: None,
            append: None,
            dtb: None,
            nographic: false,
            serial: SerialBackend::Stdio,
            no_reboot: false,
            virtio_devices: Vec::new(),
            gdb: None,
            start_paused: false,
            tiers: Tiers::Both,
            stats: false,
        }
    }
}
