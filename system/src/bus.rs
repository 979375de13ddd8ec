//! The MMIO bus: routes a guest physical address to the device mapped there
//! and hands the device only the offset from its base, so devices never
//! know the memory map. Ranges may not overlap: two devices answering one
//! address would make every access ambiguous.

use std::sync::{Arc, Mutex, MutexGuard};

use thiserror::Error;

use crate::devices::MmioDevice;

/// A device shared between the bus and whoever else drives it (the board
/// pushes UART input, a timer thread ticks the RTC).
pub type SharedDevice = Arc<Mutex<dyn MmioDevice>>;

/// Why a device could not be mapped.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum BusError {
    /// The range has no bytes.
    #[error("MMIO range at {base:#x} has size 0")]
    Empty {
        /// Guest physical base of the refused range.
        base: u64,
    },
    /// `base + size` does not fit in 64 bits.
    #[error("MMIO range at {base:#x} of size {size:#x} wraps past the end of the address space")]
    Wraps {
        /// Guest physical base of the refused range.
        base: u64,
        /// Size of the refused range.
        size: u64,
    },
    /// The range shares addresses with one already mapped.
    #[error("MMIO range {base:#x}+{size:#x} overlaps {other_base:#x}+{other_size:#x}")]
    Overlap {
        /// Guest physical base of the refused range.
        base: u64,
        /// Size of the refused range.
        size: u64,
        /// Base of the range already mapped.
        other_base: u64,
        /// Size of the range already mapped.
        other_size: u64,
    },
}

struct Mapping {
    base: u64,
    size: u64,
    device: SharedDevice,
}

impl Mapping {
    fn end(&self) -> u64 {
        self.base + self.size
    }
}

/// Guest physical ranges mapped to devices, kept sorted by base so a lookup
/// is a binary search.
#[derive(Default)]
pub struct Bus {
    mappings: Vec<Mapping>,
}

impl Bus {
    /// An empty bus.
    pub fn new() -> Self {
        Self::default()
    }

    /// Maps `device` at `[base, base + size)`.
    pub fn add(&mut self, base: u64, size: u64, device: SharedDevice) -> Result<(), BusError> {
        if size == 0 {
            return Err(BusError::Empty { base });
        }
        let end = base.checked_add(size).ok_or(BusError::Wraps { base, size })?;
        let at = self.mappings.partition_point(|m| m.base < base);
        // Sorted and disjoint: only the neighbours can overlap.
        let before = at.checked_sub(1).map(|i| &self.mappings[i]);
        let after = self.mappings.get(at);
        for other in before.into_iter().chain(after) {
            if base < other.end() && other.base < end {
                return Err(BusError::Overlap {
                    base,
                    size,
                    other_base: other.base,
                    other_size: other.size,
                });
            }
        }
        self.mappings.insert(at, Mapping { base, size, device });
        Ok(())
    }

    /// The device mapped at `addr` and the offset of `addr` from its base.
    pub fn lookup(&self, addr: u64) -> Option<(u64, &SharedDevice)> {
        let at = self.mappings.partition_point(|m| m.base <= addr);
        let m = &self.mappings[at.checked_sub(1)?];
        (addr < m.end()).then(|| (addr - m.base, &m.device))
    }

    /// Reads `size` bytes at `addr`; `None` when nothing is mapped there.
    pub fn read(&self, addr: u64, size: u8) -> Option<u64> {
        let (offset, device) = self.lookup(addr)?;
        Some(lock(device).read(offset, size))
    }

    /// Writes `size` bytes at `addr`; `None` when nothing is mapped there.
    pub fn write(&self, addr: u64, size: u8, value: u64) -> Option<()> {
        let (offset, device) = self.lookup(addr)?;
        lock(device).write(offset, size, value);
        Some(())
    }
}

/// Locks a device even if another thread panicked while holding it: device
/// state stays usable, and the guest must not bring the emulator down.
fn lock(device: &SharedDevice) -> MutexGuard<'_, dyn MmioDevice + 'static> {
    device.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Remembers the last write and answers reads with offset + size.
    #[derive(Default)]
    struct Probe {
        last_write: Option<(u64, u8, u64)>,
    }

    impl MmioDevice for Probe {
        fn read(&mut self, offset: u64, size: u8) -> u64 {
            offset * 0x100 + u64::from(size)
        }
        fn write(&mut self, offset: u64, size: u8, value: u64) {
            self.last_write = Some((offset, size, value));
        }
    }

    fn probe() -> Arc<Mutex<Probe>> {
        Arc::new(Mutex::new(Probe::default()))
    }

    #[test]
    fn routes_by_offset_and_misses_unmapped() {
        let mut bus = Bus::new();
        bus.add(0x0900_0000, 0x1000, probe()).unwrap();
        bus.add(0x0800_0000, 0x1_0000, probe()).unwrap();
        let rows: &[(u64, Option<u64>)] = &[
            (0x0900_0000, Some(0x0004)),
            (0x0900_0018, Some(0x1804)),
            (0x0900_0fff, Some(0xfff04)),
            (0x0900_1000, None),
            (0x08ff_ffff, None),
            (0x0800_0004, Some(0x0404)),
            (0x07ff_ffff, None),
            (0, None),
            (u64::MAX, None),
        ];
        for &(addr, want) in rows {
            assert_eq!(bus.read(addr, 4), want, "read at {addr:#x}");
        }
    }

    #[test]
    fn write_reaches_the_device_with_its_offset() {
        let mut bus = Bus::new();
        let dev = probe();
        bus.add(0x0a00_0000, 0x200, dev.clone()).unwrap();
        assert_eq!(bus.write(0x0a00_0070, 4, 0xdead), Some(()));
        assert_eq!(dev.lock().unwrap().last_write, Some((0x70, 4, 0xdead)));
        assert_eq!(bus.write(0x0a00_0200, 4, 1), None);
    }

    #[test]
    fn refuses_overlaps_empty_and_wrapping_ranges() {
        let mut bus = Bus::new();
        bus.add(0x1000, 0x1000, probe()).unwrap();
        bus.add(0x3000, 0x1000, probe()).unwrap();
        let rows: &[(u64, u64, bool)] = &[
            (0x1000, 0x1000, false), // same range
            (0x0800, 0x0900, false), // tail into the first
            (0x1fff, 0x0001, false), // last byte of the first
            (0x2fff, 0x0002, false), // head of the second
            (0x0000, 0x8000, false), // covers both
            (0x0000, 0x1000, true),  // touches the first from below
            (0x2000, 0x1000, true),  // fills the gap exactly
        ];
        for &(base, size, ok) in rows {
            let mut b = Bus::new();
            b.add(0x1000, 0x1000, probe()).unwrap();
            b.add(0x3000, 0x1000, probe()).unwrap();
            assert_eq!(b.add(base, size, probe()).is_ok(), ok, "{base:#x}+{size:#x}");
        }
        assert_eq!(bus.add(0x9000, 0, probe()), Err(BusError::Empty { base: 0x9000 }));
        assert!(matches!(bus.add(u64::MAX, 2, probe()), Err(BusError::Wraps { .. })));
    }

    #[test]
    fn lookup_gives_offset_and_device() {
        let mut bus = Bus::new();
        let dev = probe();
        bus.add(0x4000_0000, 0x10, dev.clone()).unwrap();
        let (offset, found) = bus.lookup(0x4000_000c).unwrap();
        assert_eq!(offset, 0xc);
        let dev: SharedDevice = dev;
        assert!(Arc::ptr_eq(found, &dev));
        assert!(bus.lookup(0x4000_0010).is_none());
    }
}
