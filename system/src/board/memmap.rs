//! The `virt` board's physical memory map and interrupt numbers.
//!
//! These are the addresses qemu-system-aarch64's `virt` machine uses, so that
//! kernels, device trees and firmware written for it (and guests' habits such
//! as `console=ttyAMA0` or `earlycon=pl011,0x9000000`) work unchanged. Only
//! the regions Kestrel models are listed; the rest of qemu's map (flash,
//! fw_cfg, GPIO, PCIe, the GICv2m and ITS frames) stays unmapped.
//!
//! ```text
//!   0x0000_0000 +---------------------------+
//!               | (flash in qemu: unmapped) |
//!   0x0800_0000 +---------------------------+
//!               | GIC distributor   64 KiB  |  GICD, both GIC versions
//!   0x0801_0000 | GICv2 CPU iface   64 KiB  |  GICC, GICv2 only
//!               | ...                       |
//!   0x080A_0000 | GICv3 redistributors      |  128 KiB per CPU, 123 CPUs max
//!   0x0900_0000 +---------------------------+
//!               | PL011 UART         4 KiB  |  SPI 1
//!   0x0901_0000 | PL031 RTC          4 KiB  |  SPI 2
//!   0x0A00_0000 +---------------------------+
//!               | virtio-mmio slot 0..31    |  0x200 each, SPI 16..47
//!   0x0A00_4000 +---------------------------+
//!               | (PCIe etc. in qemu)       |
//!   0x4000_0000 +---------------------------+
//!               | RAM (-m), up to 255 GiB   |
//!               +---------------------------+
//! ```

/// A guest-physical address range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// First byte.
    pub base: u64,
    /// Length in bytes.
    pub size: u64,
}

impl Region {
    /// A region of `size` bytes at `base`.
    pub const fn new(base: u64, size: u64) -> Self {
        Self { base, size }
    }

    /// One past the last byte.
    pub const fn end(&self) -> u64 {
        self.base + self.size
    }

    /// Whether `addr` falls inside the region.
    pub const fn contains(&self, addr: u64) -> bool {
        addr >= self.base && addr < self.end()
    }
}

const KIB: u64 = 1 << 10;
const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// GIC distributor (GICD), shared by GICv2 and GICv3.
pub const GIC_DIST: Region = Region::new(0x0800_0000, 64 * KIB);
/// GICv2 CPU interface (GICC); GICv3 reaches it through system registers.
pub const GIC_CPU: Region = Region::new(0x0801_0000, 64 * KIB);
/// GICv3 redistributors: one 128 KiB frame pair (RD + SGI) per CPU, up to
/// the UART. The device tree describes the whole region, as qemu does.
pub const GIC_REDIST: Region = Region::new(0x080A_0000, 0x00F6_0000);
/// Bytes of redistributor space each CPU needs (RD_base + SGI_base frames).
pub const GIC_REDIST_STRIDE: u64 = 128 * KIB;

/// PL011 UART, the console (`ttyAMA0`).
pub const UART: Region = Region::new(0x0900_0000, 4 * KIB);
/// PL031 real-time clock.
pub const RTC: Region = Region::new(0x0901_0000, 4 * KIB);

/// First virtio-mmio transport.
pub const VIRTIO_MMIO_BASE: u64 = 0x0A00_0000;
/// Size of one virtio-mmio transport.
pub const VIRTIO_MMIO_SIZE: u64 = 0x200;
/// Number of virtio-mmio transports; the device tree lists all of them,
/// and empty ones answer with device ID 0 so the guest skips them.
pub const VIRTIO_MMIO_COUNT: u32 = 32;

/// Start of RAM (the base `-m` memory is placed at).
pub const RAM_BASE: u64 = 0x4000_0000;
/// The most RAM the map has room for below the 256 GiB line (qemu's limit
/// for this layout).
pub const RAM_MAX_SIZE: u64 = 255 * GIB;
/// `-m` without a value: qemu's default for `virt`.
pub const RAM_DEFAULT_SIZE: u64 = 128 * MIB;

/// The guest-physical region of virtio-mmio transport `slot`.
pub const fn virtio_mmio(slot: u32) -> Region {
    Region::new(VIRTIO_MMIO_BASE + slot as u64 * VIRTIO_MMIO_SIZE, VIRTIO_MMIO_SIZE)
}

/// The transport the `index`-th virtio device (command-line order) sits on.
///
/// qemu hands out transports from the top: the first `-device` lands in slot
/// 31 (0x0a003e00), the next in slot 30 and so on. Linux probes the device
/// tree lowest address first, so the last device on the command line is
/// found first (`/dev/vda` with several disks); following qemu keeps guests
/// and scripts written for it seeing the same names.
pub const fn virtio_slot_for_device(index: u32) -> Option<u32> {
    if index < VIRTIO_MMIO_COUNT {
        Some(VIRTIO_MMIO_COUNT - 1 - index)
    } else {
        None
    }
}

/// The RAM region for `size` bytes of `-m`.
pub const fn ram(size: u64) -> Region {
    Region::new(RAM_BASE, size)
}

/// Shared peripheral interrupts (SPI numbers as the device tree writes them;
/// the GIC INTID is 32 + the number).
pub mod spi {
    /// PL011 UART.
    pub const UART: u32 = 1;
    /// PL031 RTC.
    pub const RTC: u32 = 2;
    /// virtio-mmio slot 0; slot n uses `VIRTIO_MMIO_FIRST + n`.
    pub const VIRTIO_MMIO_FIRST: u32 = 16;

    /// The SPI of virtio-mmio transport `slot`.
    pub const fn virtio_mmio(slot: u32) -> u32 {
        VIRTIO_MMIO_FIRST + slot
    }

    /// The GIC interrupt ID of SPI `spi`.
    pub const fn intid(spi: u32) -> u32 {
        32 + spi
    }
}

/// Private peripheral interrupts of the generic timer (PPI numbers as the
/// device tree writes them; the GIC INTID is 16 + the number).
pub mod ppi {
    /// Secure EL1 physical timer (INTID 29).
    pub const TIMER_SECURE_PHYS: u32 = 13;
    /// Non-secure EL1 physical timer (INTID 30).
    pub const TIMER_PHYS: u32 = 14;
    /// Virtual timer (INTID 27), the one Linux uses at EL1.
    pub const TIMER_VIRT: u32 = 11;
    /// EL2 physical timer (INTID 26).
    pub const TIMER_HYP: u32 = 10;

    /// The GIC interrupt ID of PPI `ppi`.
    pub const fn intid(ppi: u32) -> u32 {
        16 + ppi
    }
}

/// The generic timer's counter frequency (CNTFRQ_EL0): 62.5 MHz, as qemu.
pub const TIMER_FREQUENCY_HZ: u64 = 62_500_000;

/// Frequency of the fixed APB clock the PL011 and PL031 nodes name.
pub const APB_CLOCK_HZ: u32 = 24_000_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_do_not_overlap() {
        let mut regions = vec![GIC_DIST, GIC_CPU, GIC_REDIST, UART, RTC, ram(RAM_MAX_SIZE)];
        regions.extend((0..VIRTIO_MMIO_COUNT).map(virtio_mmio));
        regions.sort_by_key(|r| r.base);
        for pair in regions.windows(2) {
            assert!(pair[0].end() <= pair[1].base, "{:x?} overlaps {:x?}", pair[0], pair[1]);
        }
    }

    #[test]
    fn virtio_slots_match_qemu() {
        assert_eq!(virtio_mmio(0).base, 0x0a00_0000);
        assert_eq!(virtio_mmio(31).base, 0x0a00_3e00);
        assert_eq!(spi::virtio_mmio(31), 47);
        assert_eq!(virtio_slot_for_device(0), Some(31));
        assert_eq!(virtio_slot_for_device(31), Some(0));
        assert_eq!(virtio_slot_for_device(32), None);
    }

    #[test]
    fn interrupt_ids() {
        assert_eq!(spi::intid(spi::UART), 33);
        assert_eq!(ppi::intid(ppi::TIMER_VIRT), 27);
        assert_eq!(ppi::intid(ppi::TIMER_PHYS), 30);
        assert_eq!(GIC_REDIST.size / GIC_REDIST_STRIDE, 123);
    }
}
