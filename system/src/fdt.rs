//! The device tree the kernel finds in x0: what is on the board and where.
//!
//! It mirrors what qemu-system-aarch64 7.2 generates for `-M virt` (node
//! names, `compatible` strings, property names and cell layouts), so that
//! kernels configured for qemu's board probe the same drivers here. It
//! describes only what Kestrel models: qemu's flash, fw_cfg, PL061 GPIO with
//! its power key, PCIe host, GICv2m/ITS MSI frames and PMU are left out, so
//! the guest never probes a device that is not there. `kaslr-seed` is left
//! out too: KASLR makes Linux turn on KPTI, which is slow under emulation.
//!
//! One small function per node; phandles are fixed constants.

use crate::board::memmap::{self, ppi, spi, Region};
use crate::boot::Segment;
use crate::config::{CpuModel, GicVersion};
use vm_fdt::{Error, FdtWriter};

/// The `apb-pclk` fixed clock, referenced by the PL011 and PL031.
const PHANDLE_APB_CLOCK: u32 = 1;
/// The interrupt controller, the root's `interrupt-parent`.
const PHANDLE_GIC: u32 = 2;
/// CPU `n` has phandle `PHANDLE_CPU0 + n`, for the cpu-map.
const PHANDLE_CPU0: u32 = 3;

/// `interrupts` cell 0: a shared peripheral interrupt.
const GIC_SPI: u32 = 0;
/// `interrupts` cell 0: a private peripheral interrupt.
const GIC_PPI: u32 = 1;
/// `interrupts` cell 2: rising edge.
const IRQ_EDGE_RISING: u32 = 1;
/// `interrupts` cell 2: active-high level.
const IRQ_LEVEL_HIGH: u32 = 4;

/// PSCI 0.1 function IDs (the `arm,psci` binding wants them listed); they
/// are the SMC64/SMC32 IDs of PSCI 0.2, which is what qemu lists.
const PSCI_CPU_SUSPEND: u32 = 0xc400_0001;
const PSCI_CPU_OFF: u32 = 0x8400_0002;
const PSCI_CPU_ON: u32 = 0xc400_0003;
const PSCI_MIGRATE: u32 = 0xc400_0005;

/// What the device tree describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FdtConfig {
    /// CPU model, for the cpu nodes' `compatible`.
    pub cpu: CpuModel,
    /// Number of CPUs.
    pub smp: u32,
    /// Interrupt controller.
    pub gic: GicVersion,
    /// RAM.
    pub ram: Region,
    /// `/chosen/bootargs`, when non-empty.
    pub bootargs: Option<String>,
    /// Where the initrd was loaded, for `/chosen/linux,initrd-*`.
    pub initrd: Option<Segment>,
    /// 32 bytes for `/chosen/rng-seed`, so the guest's random pool is
    /// seeded before any device is probed.
    pub rng_seed: Option<[u8; 32]>,
}

/// Builds the blob.
pub fn build(cfg: &FdtConfig) -> Result<Vec<u8>, Error> {
    let mut fdt = FdtWriter::new()?;
    let root = fdt.begin_node("")?;
    root_properties(&mut fdt)?;
    psci_node(&mut fdt)?;
    memory_node(&mut fdt, cfg.ram)?;
    for slot in 0..memmap::VIRTIO_MMIO_COUNT {
        virtio_mmio_node(&mut fdt, slot)?;
    }
    pl031_node(&mut fdt)?;
    pl011_node(&mut fdt)?;
    gic_node(&mut fdt, cfg.gic)?;
    cpus_node(&mut fdt, cfg)?;
    timer_node(&mut fdt, cfg)?;
    apb_clock_node(&mut fdt)?;
    chosen_node(&mut fdt, cfg)?;
    fdt.end_node(root)?;
    fdt.finish()
}

/// Cells of a `reg` entry with #address-cells = #size-cells = 2.
fn reg(region: Region) -> [u64; 2] {
    [region.base, region.size]
}

/// The board: qemu's name for it, which distributions' kernels match on.
fn root_properties(fdt: &mut FdtWriter) -> Result<(), Error> {
    fdt.property_string("compatible", "linux,dummy-virt")?;
    fdt.property_string("model", "linux,dummy-virt")?;
    fdt.property_u32("#address-cells", 2)?;
    fdt.property_u32("#size-cells", 2)?;
    fdt.property_u32("interrupt-parent", PHANDLE_GIC)
}

/// PSCI over HVC: CPU_ON brings up secondaries, SYSTEM_OFF and
/// SYSTEM_RESET end the run.
fn psci_node(fdt: &mut FdtWriter) -> Result<(), Error> {
    let node = fdt.begin_node("psci")?;
    fdt.property_string_list(
        "compatible",
        vec!["arm,psci-1.0".into(), "arm,psci-0.2".into(), "arm,psci".into()],
    )?;
    fdt.property_string("method", "hvc")?;
    fdt.property_u32("cpu_suspend", PSCI_CPU_SUSPEND)?;
    fdt.property_u32("cpu_off", PSCI_CPU_OFF)?;
    fdt.property_u32("cpu_on", PSCI_CPU_ON)?;
    fdt.property_u32("migrate", PSCI_MIGRATE)?;
    fdt.end_node(node)
}

fn memory_node(fdt: &mut FdtWriter, ram: Region) -> Result<(), Error> {
    let node = fdt.begin_node(&format!("memory@{:x}", ram.base))?;
    fdt.property_string("device_type", "memory")?;
    fdt.property_array_u64("reg", &reg(ram))?;
    fdt.end_node(node)
}

/// One virtio-mmio transport. All 32 are listed whether or not a device
/// sits behind them, as in qemu: empty ones read device ID 0 and Linux
/// skips them. Edge-triggered, as qemu describes them.
fn virtio_mmio_node(fdt: &mut FdtWriter, slot: u32) -> Result<(), Error> {
    let region = memmap::virtio_mmio(slot);
    let node = fdt.begin_node(&format!("virtio_mmio@{:x}", region.base))?;
    fdt.property_string("compatible", "virtio,mmio")?;
    fdt.property_array_u64("reg", &reg(region))?;
    fdt.property_array_u32("interrupts", &[GIC_SPI, spi::virtio_mmio(slot), IRQ_EDGE_RISING])?;
    fdt.property_null("dma-coherent")?;
    fdt.end_node(node)
}

/// The RTC. PrimeCell devices need the `apb_pclk` clock to be probed.
fn pl031_node(fdt: &mut FdtWriter) -> Result<(), Error> {
    let node = fdt.begin_node(&format!("pl031@{:x}", memmap::RTC.base))?;
    fdt.property_string_list("compatible", vec!["arm,pl031".into(), "arm,primecell".into()])?;
    fdt.property_array_u64("reg", &reg(memmap::RTC))?;
    fdt.property_array_u32("interrupts", &[GIC_SPI, spi::RTC, IRQ_LEVEL_HIGH])?;
    fdt.property_u32("clocks", PHANDLE_APB_CLOCK)?;
    fdt.property_string("clock-names", "apb_pclk")?;
    fdt.end_node(node)
}

/// The console UART; its baud clock and bus clock are the same fixed clock.
fn pl011_node(fdt: &mut FdtWriter) -> Result<(), Error> {
    let node = fdt.begin_node(&format!("pl011@{:x}", memmap::UART.base))?;
    fdt.property_string_list("compatible", vec!["arm,pl011".into(), "arm,primecell".into()])?;
    fdt.property_array_u64("reg", &reg(memmap::UART))?;
    fdt.property_array_u32("interrupts", &[GIC_SPI, spi::UART, IRQ_LEVEL_HIGH])?;
    fdt.property_array_u32("clocks", &[PHANDLE_APB_CLOCK, PHANDLE_APB_CLOCK])?;
    fdt.property_string_list("clock-names", vec!["uartclk".into(), "apb_pclk".into()])?;
    fdt.end_node(node)
}

/// The interrupt controller: distributor plus the GICv2 CPU interface, or
/// plus the GICv3 redistributor region.
fn gic_node(fdt: &mut FdtWriter, version: GicVersion) -> Result<(), Error> {
    let node = fdt.begin_node(&format!("intc@{:x}", memmap::GIC_DIST.base))?;
    fdt.property_phandle(PHANDLE_GIC)?;
    match version {
        GicVersion::V2 => {
            fdt.property_string("compatible", "arm,cortex-a15-gic")?;
            let [db, ds] = reg(memmap::GIC_DIST);
            let [cb, cs] = reg(memmap::GIC_CPU);
            fdt.property_array_u64("reg", &[db, ds, cb, cs])?;
        }
        GicVersion::V3 => {
            fdt.property_string("compatible", "arm,gic-v3")?;
            let [db, ds] = reg(memmap::GIC_DIST);
            let [rb, rs] = reg(memmap::GIC_REDIST);
            fdt.property_array_u64("reg", &[db, ds, rb, rs])?;
            fdt.property_u32("#redistributor-regions", 1)?;
        }
    }
    fdt.property_u32("#interrupt-cells", 3)?;
    fdt.property_null("interrupt-controller")?;
    // Kept from qemu's node (whose MSI frame is a child) so the binding's
    // shape is the same whether or not a child is added later.
    fdt.property_u32("#address-cells", 2)?;
    fdt.property_u32("#size-cells", 2)?;
    fdt.property_null("ranges")?;
    fdt.end_node(node)
}

/// The MPIDR affinity of CPU `index` as the cpu node's `reg`: qemu puts 8
/// CPUs per Aff1 cluster with GICv2 and 16 with GICv3 (a GICv3 target list
/// covers 16 Aff0 values).
pub fn cpu_affinity(index: u32, gic: GicVersion) -> u32 {
    let per_cluster = match gic {
        GicVersion::V2 => 8,
        GicVersion::V3 => 16,
    };
    ((index / per_cluster) << 8) | (index % per_cluster)
}

fn cpus_node(fdt: &mut FdtWriter, cfg: &FdtConfig) -> Result<(), Error> {
    let node = fdt.begin_node("cpus")?;
    fdt.property_u32("#address-cells", 1)?;
    fdt.property_u32("#size-cells", 0)?;
    cpu_map_node(fdt, cfg.smp)?;
    for index in 0..cfg.smp {
        cpu_node(fdt, cfg, index)?;
    }
    fdt.end_node(node)
}

/// The topology qemu reports by default: one socket, one cluster, a core
/// per CPU.
fn cpu_map_node(fdt: &mut FdtWriter, smp: u32) -> Result<(), Error> {
    let map = fdt.begin_node("cpu-map")?;
    let socket = fdt.begin_node("socket0")?;
    let cluster = fdt.begin_node("cluster0")?;
    for index in 0..smp {
        let core = fdt.begin_node(&format!("core{index}"))?;
        fdt.property_u32("cpu", PHANDLE_CPU0 + index)?;
        fdt.end_node(core)?;
    }
    fdt.end_node(cluster)?;
    fdt.end_node(socket)?;
    fdt.end_node(map)
}

/// One CPU; secondaries are started with PSCI CPU_ON, so `enable-method`
/// only appears when there are any (as in qemu).
fn cpu_node(fdt: &mut FdtWriter, cfg: &FdtConfig, index: u32) -> Result<(), Error> {
    let affinity = cpu_affinity(index, cfg.gic);
    let node = fdt.begin_node(&format!("cpu@{affinity:x}"))?;
    fdt.property_string("device_type", "cpu")?;
    fdt.property_string("compatible", cfg.cpu.dt_compatible())?;
    fdt.property_u32("reg", affinity)?;
    if cfg.smp > 1 {
        fdt.property_string("enable-method", "psci")?;
    }
    fdt.property_phandle(PHANDLE_CPU0 + index)?;
    fdt.end_node(node)
}

/// The generic timer's four PPIs: secure and non-secure physical, virtual,
/// hypervisor. With GICv2 the flags also carry a mask of the CPUs the PPI
/// is wired to.
fn timer_node(fdt: &mut FdtWriter, cfg: &FdtConfig) -> Result<(), Error> {
    let flags = match cfg.gic {
        GicVersion::V2 => IRQ_LEVEL_HIGH | (((1u32 << cfg.smp.min(8)) - 1) << 8),
        GicVersion::V3 => IRQ_LEVEL_HIGH,
    };
    let node = fdt.begin_node("timer")?;
    fdt.property_string_list("compatible", vec!["arm,armv8-timer".into(), "arm,armv7-timer".into()])?;
    let mut cells = Vec::new();
    for ppi in [ppi::TIMER_SECURE_PHYS, ppi::TIMER_PHYS, ppi::TIMER_VIRT, ppi::TIMER_HYP] {
        cells.extend([GIC_PPI, ppi, flags]);
    }
    fdt.property_array_u32("interrupts", &cells)?;
    // The counter keeps running in every power state we model.
    fdt.property_null("always-on")?;
    fdt.end_node(node)
}

/// The fixed 24 MHz clock Linux's AMBA bus code needs before it probes
/// the PL011 and PL031.
fn apb_clock_node(fdt: &mut FdtWriter) -> Result<(), Error> {
    let node = fdt.begin_node("apb-pclk")?;
    fdt.property_string("compatible", "fixed-clock")?;
    fdt.property_u32("#clock-cells", 0)?;
    fdt.property_u32("clock-frequency", memmap::APB_CLOCK_HZ)?;
    fdt.property_string("clock-output-names", "clk24mhz")?;
    fdt.property_phandle(PHANDLE_APB_CLOCK)?;
    fdt.end_node(node)
}

/// Boot parameters: command line, initrd location, console, entropy.
fn chosen_node(fdt: &mut FdtWriter, cfg: &FdtConfig) -> Result<(), Error> {
    let node = fdt.begin_node("chosen")?;
    if let Some(args) = cfg.bootargs.as_deref().filter(|a| !a.is_empty()) {
        fdt.property_string("bootargs", args)?;
    }
    if let Some(initrd) = cfg.initrd {
        // One cell when it fits, as qemu writes it; two otherwise (Linux
        // reads either).
        for (name, value) in [("linux,initrd-start", initrd.addr), ("linux,initrd-end", initrd.end())] {
            match u32::try_from(value) {
                Ok(v) => fdt.property_u32(name, v)?,
                Err(_) => fdt.property_u64(name, value)?,
            }
        }
    }
    fdt.property_string("stdout-path", &format!("/pl011@{:x}", memmap::UART.base))?;
    if let Some(seed) = &cfg.rng_seed {
        fdt.property("rng-seed", seed)?;
    }
    fdt.end_node(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(smp: u32, gic: GicVersion) -> FdtConfig {
        FdtConfig {
            cpu: CpuModel::CortexA57,
            smp,
            gic,
            ram: memmap::ram(1 << 30),
            bootargs: Some("console=ttyAMA0".into()),
            initrd: Some(Segment { addr: 0x4800_0000, len: 1_000_000 }),
            rng_seed: Some([7; 32]),
        }
    }

    /// The bytes of property `name` (first match anywhere), found by walking
    /// the structure block.
    fn find_property<'a>(blob: &'a [u8], name: &str) -> Option<&'a [u8]> {
        let be = |at: usize| u32::from_be_bytes(blob[at..at + 4].try_into().unwrap()) as usize;
        let (structs, strings) = (be(8), be(12));
        let mut at = structs;
        loop {
            match be(at) {
                1 => {
                    let end = blob[at + 4..].iter().position(|&b| b == 0).unwrap();
                    at = (at + 4 + end + 1).next_multiple_of(4);
                }
                2 | 4 => at += 4,
                3 => {
                    let (len, off) = (be(at + 4), be(at + 8));
                    let s = &blob[strings + off..];
                    let pname = &s[..s.iter().position(|&b| b == 0).unwrap()];
                    if pname == name.as_bytes() {
                        return Some(&blob[at + 12..at + 12 + len]);
                    }
                    at = (at + 12 + len).next_multiple_of(4);
                }
                _ => return None,
            }
        }
    }

    fn cells(bytes: &[u8]) -> Vec<u32> {
        bytes.chunks(4).map(|c| u32::from_be_bytes(c.try_into().unwrap())).collect()
    }

    #[test]
    fn gicv2_board() {
        let blob = build(&config(2, GicVersion::V2)).unwrap();
        assert_eq!(&blob[..4], &[0xd0, 0x0d, 0xfe, 0xed]);
        assert_eq!(find_property(&blob, "compatible"), Some(&b"linux,dummy-virt\0"[..]));
        let first = cells(find_property(&blob, "interrupts").unwrap());
        // The first "interrupts" is virtio slot 0 (qemu's order).
        assert_eq!(first, [0, 16, 1]);
        assert_eq!(cells(find_property(&blob, "linux,initrd-end").unwrap()), [0x480f_4240]);
        assert_eq!(find_property(&blob, "rng-seed"), Some(&[7u8; 32][..]));
        assert!(find_property(&blob, "kaslr-seed").is_none());
        assert!(find_property(&blob, "#redistributor-regions").is_none());
    }

    #[test]
    fn gicv3_board() {
        let blob = build(&config(4, GicVersion::V3)).unwrap();
        assert_eq!(cells(find_property(&blob, "#redistributor-regions").unwrap()), [1]);
    }

    #[test]
    fn affinities() {
        assert_eq!(cpu_affinity(7, GicVersion::V2), 7);
        assert_eq!(cpu_affinity(17, GicVersion::V3), 0x101);
    }

    #[test]
    fn no_initrd_no_bootargs() {
        let mut cfg = config(1, GicVersion::V2);
        cfg.initrd = None;
        cfg.bootargs = Some(String::new());
        let blob = build(&cfg).unwrap();
        assert!(find_property(&blob, "linux,initrd-start").is_none());
        assert!(find_property(&blob, "bootargs").is_none());
        assert!(find_property(&blob, "enable-method").is_none());
    }
}
