//! A minimal virtio driver for the device tests: guest RAM, an interrupt
//! line that records its level, and split virtqueues laid out in RAM by hand
//! (descriptor table, available and used rings written byte by byte, as a
//! guest driver would).

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

use vm_memory::{Bytes, GuestAddress};

use super::mmio::{regs, VirtioMmio};
use super::{GuestRam, VirtioDevice};
use crate::devices::{IrqLine, MmioDevice};

/// Descriptor flag: the chain continues at `next`.
pub const F_NEXT: u16 = 1;
/// Descriptor flag: the device writes this buffer.
pub const F_WRITE: u16 = 2;
/// Descriptor flag: the buffer is a table of descriptors.
pub const F_INDIRECT: u16 = 4;

/// Size of the RAM from [`ram`], which starts at guest address 0.
pub const RAM_SIZE: usize = 1 << 20;

/// 1 MiB of guest RAM at address 0.
pub fn ram() -> Arc<GuestRam> {
    Arc::new(GuestRam::from_ranges(&[(GuestAddress(0), RAM_SIZE)]).unwrap())
}

/// An interrupt line that remembers its level and how often it moved.
#[derive(Default)]
pub struct TestIrq {
    level: AtomicBool,
    changes: AtomicU32,
}

impl TestIrq {
    /// The current level.
    pub fn level(&self) -> bool {
        self.level.load(Ordering::SeqCst)
    }

    /// How many times the level changed.
    pub fn changes(&self) -> u32 {
        self.changes.load(Ordering::SeqCst)
    }
}

impl IrqLine for TestIrq {
    fn set_level(&self, level: bool) {
        if self.level.swap(level, Ordering::SeqCst) != level {
            self.changes.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// One descriptor as the driver writes it (NEXT/next are filled in by
/// [`QueueLayout::add_chain`]).
#[derive(Debug, Clone, Copy)]
pub struct Desc {
    /// Guest address of the buffer.
    pub addr: u64,
    /// Length of the buffer.
    pub len: u32,
    /// Flags.
    pub flags: u16,
    /// Index of the next descriptor.
    pub next: u16,
}

impl Desc {
    /// A buffer the device reads.
    pub fn read(addr: u64, len: u32) -> Desc {
        Desc {
            addr,
            len,
            flags: 0,
            next: 0,
        }
    }

    /// A buffer the device writes.
    pub fn write(addr: u64, len: u32) -> Desc {
        Desc {
            addr,
            len,
            flags: F_WRITE,
            next: 0,
        }
    }
}

/// Writes one raw descriptor at `index` of the table at `table`.
pub fn write_desc(mem: &GuestRam, table: u64, index: u16, d: Desc) {
    let at = GuestAddress(table + 16 * u64::from(index));
    let mut raw = [0u8; 16];
    raw[0..8].copy_from_slice(&d.addr.to_le_bytes());
    raw[8..12].copy_from_slice(&d.len.to_le_bytes());
    raw[12..14].copy_from_slice(&d.flags.to_le_bytes());
    raw[14..16].copy_from_slice(&d.next.to_le_bytes());
    mem.write_slice(&raw, at).unwrap();
}

/// Where a test queue lives: slot `n` uses 16 KiB from 0x10000 + n * 0x4000,
/// with the descriptor table, available and used rings 4 KiB apart.
pub struct QueueLayout {
    /// Descriptor table address.
    pub desc: u64,
    /// Available ring address.
    pub avail: u64,
    /// Used ring address.
    pub used: u64,
    /// Queue size.
    pub size: u16,
    next_desc: std::cell::Cell<u16>,
}

impl QueueLayout {
    /// The layout of slot `slot` for a queue of `size` entries (at most 256).
    pub fn new(slot: u64, size: u16) -> QueueLayout {
        let base = 0x10000 + slot * 0x4000;
        QueueLayout {
            desc: base,
            avail: base + 0x1000,
            used: base + 0x2000,
            size,
            next_desc: std::cell::Cell::new(0),
        }
    }

    /// Writes `descs` as one chain and makes its head available.
    pub fn add_chain(&self, mem: &GuestRam, descs: &[Desc]) -> u16 {
        let head = self.next_desc.get();
        for (i, d) in descs.iter().enumerate() {
            let index = (head + i as u16) % self.size;
            let mut d = *d;
            if i + 1 < descs.len() {
                d.flags |= F_NEXT;
                d.next = (index + 1) % self.size;
            }
            write_desc(mem, self.desc, index, d);
        }
        self.next_desc.set((head + descs.len() as u16) % self.size);
        self.push_avail(mem, head);
        head
    }

    /// Appends `head` to the available ring and bumps its index.
    pub fn push_avail(&self, mem: &GuestRam, head: u16) {
        let idx: u16 = mem.read_obj(GuestAddress(self.avail + 2)).unwrap();
        let slot = self.avail + 4 + 2 * u64::from(idx % self.size);
        mem.write_obj(head, GuestAddress(slot)).unwrap();
        self.set_avail_idx(mem, idx.wrapping_add(1));
    }

    /// Sets the available ring's index.
    pub fn set_avail_idx(&self, mem: &GuestRam, idx: u16) {
        mem.write_obj(idx, GuestAddress(self.avail + 2)).unwrap();
    }

    /// The used ring's index.
    pub fn used_idx(&self, mem: &GuestRam) -> u16 {
        mem.read_obj(GuestAddress(self.used + 2)).unwrap()
    }

    /// Used ring entry `i`: (head index, bytes written).
    pub fn used_elem(&self, mem: &GuestRam, i: u16) -> (u32, u32) {
        let at = self.used + 4 + 8 * u64::from(i % self.size);
        let id = mem.read_obj(GuestAddress(at)).unwrap();
        let len = mem.read_obj(GuestAddress(at + 4)).unwrap();
        (id, len)
    }
}

/// Drives a transport through the driver's initialisation (all offered
/// features accepted) with queue 0 at the layout of `slot`, at its maximum
/// size.
pub fn activate<D: VirtioDevice>(t: &mut VirtioMmio<D>, slot: u64) -> QueueLayout {
    t.write(regs::QUEUE_SEL, 4, 0);
    let size = t.read(regs::QUEUE_NUM_MAX, 4) as u16;
    let q = QueueLayout::new(slot, size);
    activate_with(t, 0, size, [q.desc, q.avail, q.used]);
    q
}

/// Like [`activate`], with queue `queue` of `size` entries at the given
/// descriptor table, available ring and used ring addresses.
pub fn activate_with<D: VirtioDevice>(
    t: &mut VirtioMmio<D>,
    queue: u32,
    size: u16,
    addrs: [u64; 3],
) {
    t.write(regs::STATUS, 4, 0);
    t.write(regs::STATUS, 4, 1);
    t.write(regs::STATUS, 4, 3);
    for sel in 0..2 {
        t.write(regs::DEVICE_FEATURES_SEL, 4, sel);
        let features = t.read(regs::DEVICE_FEATURES, 4);
        t.write(regs::DRIVER_FEATURES_SEL, 4, sel);
        t.write(regs::DRIVER_FEATURES, 4, features);
    }
    t.write(regs::STATUS, 4, 0xb);
    assert_eq!(t.read(regs::STATUS, 4), 0xb, "features refused");
    t.write(regs::QUEUE_SEL, 4, u64::from(queue));
    t.write(regs::QUEUE_NUM, 4, u64::from(size));
    let [desc, avail, used] = addrs;
    let pairs = [
        (regs::QUEUE_DESC_LOW, desc),
        (regs::QUEUE_DRIVER_LOW, avail),
        (regs::QUEUE_DEVICE_LOW, used),
    ];
    for (low, addr) in pairs {
        t.write(low, 4, addr & 0xffff_ffff);
        t.write(low + 4, 4, addr >> 32);
    }
    t.write(regs::QUEUE_READY, 4, 1);
    t.write(regs::STATUS, 4, 0xf);
}
