//! The virtio-mmio transport, version 2 (virtio 1.2, section 4.2.2).
//!
//! One 0x200-byte register window per device: identification, feature
//! negotiation, queue setup, notification, interrupt status and the device
//! status byte below 0x100, the device's configuration space from 0x100.
//! Only the modern interface is offered (Version 2, VIRTIO_F_VERSION_1), the
//! one Linux has preferred since 4.0.
//!
//! Queues are serviced synchronously on the vCPU that writes QueueNotify.
//! A driver that breaks a queue's rules (a ring outside RAM, an available
//! index running more than a queue's worth ahead) gets DEVICE_NEEDS_RESET and
//! a configuration-change interrupt, as the spec asks, instead of a device
//! that keeps reading garbage.

use std::sync::Arc;

use virtio_queue::{Queue, QueueT};

use super::{status, GuestRam, VirtioDevice, VIRTIO_F_VERSION_1};
use crate::devices::{IrqLine, MmioDevice};

/// Register offsets of the version 2 layout.
pub mod regs {
    /// "virt" in little-endian ASCII.
    pub const MAGIC_VALUE: u64 = 0x000;
    /// 2 for the modern layout.
    pub const VERSION: u64 = 0x004;
    /// The virtio device type.
    pub const DEVICE_ID: u64 = 0x008;
    /// The subsystem vendor.
    pub const VENDOR_ID: u64 = 0x00c;
    /// 32 feature bits of the device, chosen by DEVICE_FEATURES_SEL.
    pub const DEVICE_FEATURES: u64 = 0x010;
    /// Which 32 bits DEVICE_FEATURES shows.
    pub const DEVICE_FEATURES_SEL: u64 = 0x014;
    /// 32 feature bits the driver accepts, chosen by DRIVER_FEATURES_SEL.
    pub const DRIVER_FEATURES: u64 = 0x020;
    /// Which 32 bits DRIVER_FEATURES sets.
    pub const DRIVER_FEATURES_SEL: u64 = 0x024;
    /// The queue the QUEUE_* registers refer to.
    pub const QUEUE_SEL: u64 = 0x030;
    /// The largest size the selected queue may have (0: no such queue).
    pub const QUEUE_NUM_MAX: u64 = 0x034;
    /// The size the driver chose.
    pub const QUEUE_NUM: u64 = 0x038;
    /// The selected queue is set up and may be used.
    pub const QUEUE_READY: u64 = 0x044;
    /// Written with a queue index when it has new buffers.
    pub const QUEUE_NOTIFY: u64 = 0x050;
    /// Why the interrupt line is high.
    pub const INTERRUPT_STATUS: u64 = 0x060;
    /// Clears INTERRUPT_STATUS bits.
    pub const INTERRUPT_ACK: u64 = 0x064;
    /// The device status byte; writing 0 resets the device.
    pub const STATUS: u64 = 0x070;
    /// Descriptor table address, low and high halves.
    pub const QUEUE_DESC_LOW: u64 = 0x080;
    /// See [`QUEUE_DESC_LOW`].
    pub const QUEUE_DESC_HIGH: u64 = 0x084;
    /// Available (driver) ring address.
    pub const QUEUE_DRIVER_LOW: u64 = 0x090;
    /// See [`QUEUE_DRIVER_LOW`].
    pub const QUEUE_DRIVER_HIGH: u64 = 0x094;
    /// Used (device) ring address.
    pub const QUEUE_DEVICE_LOW: u64 = 0x0a0;
    /// See [`QUEUE_DEVICE_LOW`].
    pub const QUEUE_DEVICE_HIGH: u64 = 0x0a4;
    /// Shared memory region selector (no regions here).
    pub const SHM_SEL: u64 = 0x0ac;
    /// Shared memory region length and base: all ones means "no region".
    pub const SHM_LEN_LOW: u64 = 0x0b0;
    /// Last shared memory register.
    pub const SHM_BASE_HIGH: u64 = 0x0bc;
    /// Changes whenever the configuration space changes.
    pub const CONFIG_GENERATION: u64 = 0x0fc;
    /// Start of the device's configuration space.
    pub const CONFIG: u64 = 0x100;
}

/// MagicValue: "virt".
pub const MAGIC: u32 = 0x7472_6976;
/// VendorID: "QEMU", what guests see on qemu's virt board.
pub const VENDOR_QEMU: u32 = 0x554d_4551;
/// InterruptStatus bit: the device used buffers.
pub const INT_USED_BUFFER: u32 = 1;
/// InterruptStatus bit: the configuration (or the device status) changed.
pub const INT_CONFIG_CHANGE: u32 = 2;

/// A virtio device behind a virtio-mmio register window.
pub struct VirtioMmio<D: VirtioDevice> {
    device: D,
    mem: Arc<GuestRam>,
    irq: Arc<dyn IrqLine>,
    queues: Vec<Queue>,
    device_features_sel: u32,
    driver_features_sel: u32,
    driver_features: u64,
    queue_sel: u32,
    interrupt_status: u32,
    irq_level: bool,
    status: u32,
    config_generation: u32,
}

impl<D: VirtioDevice> VirtioMmio<D> {
    /// Wraps `device`, whose queues live in `mem` and whose interrupt is
    /// `irq`.
    pub fn new(device: D, mem: Arc<GuestRam>, irq: Arc<dyn IrqLine>) -> Self {
        let queues = device
            .queue_max_sizes()
            .iter()
            .map(|&max| {
                // A zero or non-power-of-two maximum is a bug in the device
                // model, not something a guest can cause.
                Queue::new(max).expect("virtio device declared an invalid queue size")
            })
            .collect();
        VirtioMmio {
            device,
            mem,
            irq,
            queues,
            device_features_sel: 0,
            driver_features_sel: 0,
            driver_features: 0,
            queue_sel: 0,
            interrupt_status: 0,
            irq_level: false,
            status: 0,
            config_generation: 0,
        }
    }

    /// The device model.
    pub fn device(&self) -> &D {
        &self.device
    }

    /// The guest RAM the queues live in.
    pub fn memory(&self) -> &Arc<GuestRam> {
        &self.mem
    }

    /// The device status byte.
    pub fn status(&self) -> u32 {
        self.status
    }

    /// The feature bits offered to the driver.
    fn offered_features(&self) -> u64 {
        self.device.features() | VIRTIO_F_VERSION_1
    }

    fn selected_queue(&mut self) -> Option<&mut Queue> {
        self.queues.get_mut(self.queue_sel as usize)
    }

    /// The selected queue, if the driver may still change its setup.
    fn configurable_queue(&mut self) -> Option<&mut Queue> {
        self.selected_queue().filter(|q| !q.ready())
    }

    fn update_irq(&mut self) {
        let level = self.interrupt_status != 0;
        if level != self.irq_level {
            self.irq_level = level;
            self.irq.set_level(level);
        }
    }

    fn reset(&mut self) {
        self.status = 0;
        self.device_features_sel = 0;
        self.driver_features_sel = 0;
        self.driver_features = 0;
        self.queue_sel = 0;
        self.interrupt_status = 0;
        self.queues.iter_mut().for_each(Queue::reset);
        self.device.reset();
        self.update_irq();
    }

    fn write_status(&mut self, value: u32) {
        if value == 0 {
            self.reset();
            return;
        }
        let mut value = value & 0xff;
        let newly_features_ok =
            value & status::FEATURES_OK != 0 && self.status & status::FEATURES_OK == 0;
        if newly_features_ok {
            let offered = self.offered_features();
            let acceptable = self.driver_features & !offered == 0
                && self.driver_features & VIRTIO_F_VERSION_1 != 0;
            if !acceptable {
                // The driver reads the status back and gives up.
                value &= !status::FEATURES_OK;
            }
        }
        // DEVICE_NEEDS_RESET belongs to the device; only a reset clears it.
        self.status =
            value & !status::DEVICE_NEEDS_RESET | self.status & status::DEVICE_NEEDS_RESET;
    }

    /// Services a QueueNotify write.
    fn notify(&mut self, index: u32) {
        let live = status::DRIVER_OK;
        if self.status & (live | status::DEVICE_NEEDS_RESET) != live {
            return;
        }
        let Some(queue) = self.queues.get_mut(index as usize) else {
            return;
        };
        if !queue.ready() {
            return;
        }
        let result = if queue.is_valid(&*self.mem) {
            self.device
                .process_queue(index as usize, queue, &self.mem)
                .map_err(Some)
        } else {
            Err(None)
        };
        match result {
            Ok(true) => self.interrupt_status |= INT_USED_BUFFER,
            Ok(false) => {}
            Err(_) => {
                self.status |= status::DEVICE_NEEDS_RESET;
                self.interrupt_status |= INT_CONFIG_CHANGE;
            }
        }
        self.update_irq();
    }

    fn read_register(&mut self, offset: u64) -> u32 {
        use regs::*;
        match offset {
            MAGIC_VALUE => MAGIC,
            VERSION => 2,
            DEVICE_ID => self.device.device_id(),
            VENDOR_ID => VENDOR_QEMU,
            DEVICE_FEATURES => match self.device_features_sel {
                0 => self.offered_features() as u32,
                1 => (self.offered_features() >> 32) as u32,
                _ => 0,
            },
            QUEUE_NUM_MAX => self.selected_queue().map_or(0, |q| q.max_size().into()),
            QUEUE_NUM => self.selected_queue().map_or(0, |q| q.size().into()),
            QUEUE_READY => self.selected_queue().map_or(0, |q| q.ready().into()),
            INTERRUPT_STATUS => self.interrupt_status,
            STATUS => self.status,
            QUEUE_DESC_LOW => self.selected_queue().map_or(0, |q| q.desc_table() as u32),
            QUEUE_DESC_HIGH => self
                .selected_queue()
                .map_or(0, |q| (q.desc_table() >> 32) as u32),
            QUEUE_DRIVER_LOW => self.selected_queue().map_or(0, |q| q.avail_ring() as u32),
            QUEUE_DRIVER_HIGH => self
                .selected_queue()
                .map_or(0, |q| (q.avail_ring() >> 32) as u32),
            QUEUE_DEVICE_LOW => self.selected_queue().map_or(0, |q| q.used_ring() as u32),
            QUEUE_DEVICE_HIGH => self
                .selected_queue()
                .map_or(0, |q| (q.used_ring() >> 32) as u32),
            SHM_LEN_LOW..=SHM_BASE_HIGH => u32::MAX,
            CONFIG_GENERATION => self.config_generation,
            _ => 0,
        }
    }

    fn write_register(&mut self, offset: u64, value: u32) {
        use regs::*;
        let features_open = self.status & (status::DRIVER | status::FEATURES_OK) == status::DRIVER;
        match offset {
            DEVICE_FEATURES_SEL => self.device_features_sel = value,
            DRIVER_FEATURES_SEL => self.driver_features_sel = value,
            DRIVER_FEATURES if features_open => match self.driver_features_sel {
                0 => self.driver_features = self.driver_features & !0xffff_ffff | u64::from(value),
                1 => {
                    self.driver_features =
                        self.driver_features & 0xffff_ffff | u64::from(value) << 32
                }
                _ => {}
            },
            QUEUE_SEL => self.queue_sel = value,
            QUEUE_NUM => {
                if let Some(q) = self.configurable_queue() {
                    // An invalid size (0, too big, not a power of two) is
                    // ignored; the queue keeps its previous size.
                    let _ = u16::try_from(value).map(|size| q.try_set_size(size));
                }
            }
            QUEUE_READY => {
                if let Some(q) = self.selected_queue() {
                    q.set_ready(value & 1 != 0);
                }
            }
            QUEUE_NOTIFY => self.notify(value),
            INTERRUPT_ACK => {
                self.interrupt_status &= !value;
                self.update_irq();
            }
            STATUS => self.write_status(value),
            QUEUE_DESC_LOW => self.configure(|q| q.set_desc_table_address(Some(value), None)),
            QUEUE_DESC_HIGH => self.configure(|q| q.set_desc_table_address(None, Some(value))),
            QUEUE_DRIVER_LOW => self.configure(|q| q.set_avail_ring_address(Some(value), None)),
            QUEUE_DRIVER_HIGH => self.configure(|q| q.set_avail_ring_address(None, Some(value))),
            QUEUE_DEVICE_LOW => self.configure(|q| q.set_used_ring_address(Some(value), None)),
            QUEUE_DEVICE_HIGH => self.configure(|q| q.set_used_ring_address(None, Some(value))),
            _ => {}
        }
    }

    /// Applies a setup change to the selected queue unless it is live.
    fn configure(&mut self, f: impl FnOnce(&mut Queue)) {
        if let Some(q) = self.configurable_queue() {
            f(q);
        }
    }
}

impl<D: VirtioDevice> MmioDevice for VirtioMmio<D> {
    fn read(&mut self, offset: u64, size: u8) -> u64 {
        if offset >= regs::CONFIG {
            // Configuration space allows 8-, 16-, 32- and 64-bit accesses;
            // bytes beyond its end read as zero.
            let config = self.device.config();
            let start = offset - regs::CONFIG;
            let mut bytes = [0u8; 8];
            for (i, byte) in bytes.iter_mut().take(usize::from(size.min(8))).enumerate() {
                let at = start
                    .checked_add(i as u64)
                    .and_then(|a| usize::try_from(a).ok());
                *byte = at.and_then(|a| config.get(a)).copied().unwrap_or(0);
            }
            return u64::from_le_bytes(bytes);
        }
        // The registers are 32 bits wide and must be accessed as such.
        if size != 4 || !offset.is_multiple_of(4) {
            return 0;
        }
        u64::from(self.read_register(offset))
    }

    fn write(&mut self, offset: u64, size: u8, value: u64) {
        if offset >= regs::CONFIG {
            let len = usize::from(size.min(8));
            let bytes = value.to_le_bytes();
            self.device
                .write_config(offset - regs::CONFIG, &bytes[..len]);
            return;
        }
        if size != 4 || !offset.is_multiple_of(4) {
            return;
        }
        self.write_register(offset, value as u32);
    }
}

#[cfg(test)]
mod tests {
    use super::regs::*;
    use super::*;
    use crate::devices::virtio::testutil::{self, Desc, TestIrq};
    use crate::devices::virtio::QueueError;
    use virtio_queue::QueueOwnedT;

    /// A device with two queues that returns every buffer unused.
    struct Echo {
        config: [u8; 8],
        resets: u32,
    }

    impl VirtioDevice for Echo {
        fn device_id(&self) -> u32 {
            42
        }
        fn features(&self) -> u64 {
            1 << 0 | 1 << 40
        }
        fn queue_max_sizes(&self) -> &[u16] {
            &[16, 8]
        }
        fn config(&self) -> &[u8] {
            &self.config
        }
        fn write_config(&mut self, offset: u64, data: &[u8]) {
            for (i, b) in data.iter().enumerate() {
                if let Some(slot) = self.config.get_mut(offset as usize + i) {
                    *slot = *b;
                }
            }
        }
        fn reset(&mut self) {
            self.resets += 1;
        }
        fn process_queue(
            &mut self,
            _index: usize,
            queue: &mut Queue,
            mem: &GuestRam,
        ) -> Result<bool, QueueError> {
            let mut used = false;
            while let Some(chain) = queue.iter(mem)?.next() {
                queue.add_used(mem, chain.head_index(), 0)?;
                used = true;
            }
            Ok(used)
        }
    }

    fn transport() -> (VirtioMmio<Echo>, Arc<TestIrq>) {
        let irq = Arc::new(TestIrq::default());
        let echo = Echo {
            config: [1, 2, 3, 4, 5, 6, 7, 8],
            resets: 0,
        };
        (VirtioMmio::new(echo, testutil::ram(), irq.clone()), irq)
    }

    fn r(t: &mut VirtioMmio<Echo>, offset: u64) -> u64 {
        t.read(offset, 4)
    }

    fn w(t: &mut VirtioMmio<Echo>, offset: u64, value: u64) {
        t.write(offset, 4, value)
    }

    #[test]
    fn identification_registers() {
        let (mut t, _) = transport();
        let rows = [
            (MAGIC_VALUE, 0x7472_6976),
            (VERSION, 2),
            (DEVICE_ID, 42),
            (VENDOR_ID, 0x554d_4551),
            (QUEUE_NUM_MAX, 16),
            (QUEUE_NUM, 16),
            (QUEUE_READY, 0),
            (INTERRUPT_STATUS, 0),
            (STATUS, 0),
            (SHM_LEN_LOW, 0xffff_ffff),
            (CONFIG_GENERATION, 0),
            (0x0fe, 0), // unaligned
        ];
        for (offset, want) in rows {
            assert_eq!(r(&mut t, offset), want, "offset {offset:#x}");
        }
        assert_eq!(t.read(MAGIC_VALUE, 2), 0, "registers are 32-bit only");
    }

    #[test]
    fn feature_negotiation() {
        let (mut t, _) = transport();
        // Offered: bit 0, bit 40 and VERSION_1 (bit 32).
        let rows = [(0, 0x1), (1, 0x101), (2, 0)];
        for (sel, want) in rows {
            w(&mut t, DEVICE_FEATURES_SEL, sel);
            assert_eq!(r(&mut t, DEVICE_FEATURES), want, "sel {sel}");
        }
        // (driver features low, high) -> FEATURES_OK accepted?
        let cases = [
            ((0x1, 0x101), true),
            ((0x0, 0x1), true),
            ((0x1, 0x0), false),   // without VERSION_1
            ((0x3, 0x1), false),   // bit 1 was not offered
            ((0x0, 0x201), false), // bit 41 was not offered
        ];
        for ((low, high), accepted) in cases {
            w(&mut t, STATUS, 0);
            w(
                &mut t,
                STATUS,
                u64::from(status::ACKNOWLEDGE | status::DRIVER),
            );
            w(&mut t, DRIVER_FEATURES_SEL, 0);
            w(&mut t, DRIVER_FEATURES, low);
            w(&mut t, DRIVER_FEATURES_SEL, 1);
            w(&mut t, DRIVER_FEATURES, high);
            w(&mut t, STATUS, 0xb);
            let ok = r(&mut t, STATUS) as u32 & status::FEATURES_OK != 0;
            assert_eq!(ok, accepted, "driver features {high:#x}:{low:#x}");
        }
        // Once FEATURES_OK is set, the accepted features are frozen.
        w(&mut t, STATUS, 0);
        w(&mut t, STATUS, 3);
        w(&mut t, DRIVER_FEATURES_SEL, 1);
        w(&mut t, DRIVER_FEATURES, 1);
        w(&mut t, STATUS, 0xb);
        w(&mut t, DRIVER_FEATURES, 0);
        assert_eq!(t.driver_features, VIRTIO_F_VERSION_1);
    }

    #[test]
    fn queue_setup_registers() {
        let (mut t, _) = transport();
        w(&mut t, QUEUE_SEL, 1);
        // (register, value written, value read back)
        let rows = [
            (QUEUE_NUM_MAX, 99, 8),
            (QUEUE_NUM, 4, 4),
            (QUEUE_NUM, 3, 4),  // not a power of two: ignored
            (QUEUE_NUM, 16, 4), // above the maximum: ignored
            (QUEUE_NUM, 0, 4),
            (QUEUE_DESC_LOW, 0x1000, 0x1000),
            (QUEUE_DESC_HIGH, 0x2, 0x2),
            (QUEUE_DESC_LOW, 0x1008, 0x1000), // misaligned: ignored
            (QUEUE_DRIVER_LOW, 0x2000, 0x2000),
            (QUEUE_DRIVER_HIGH, 0, 0),
            (QUEUE_DEVICE_LOW, 0x3000, 0x3000),
            (QUEUE_DEVICE_HIGH, 1, 1),
            (QUEUE_READY, 1, 1),
            (QUEUE_NUM, 8, 4), // live queues cannot be resized
            (QUEUE_DEVICE_LOW, 0x4000, 0x3000),
        ];
        for (reg, value, want) in rows {
            w(&mut t, reg, value);
            assert_eq!(r(&mut t, reg), want, "reg {reg:#x} <- {value:#x}");
        }
        assert_eq!(t.queues[1].desc_table(), 0x2_0000_1000);
        assert_eq!(t.queues[1].used_ring(), 0x1_0000_3000);
        // Queue 0 was left alone; queue 2 does not exist.
        w(&mut t, QUEUE_SEL, 0);
        assert_eq!((r(&mut t, QUEUE_NUM), r(&mut t, QUEUE_READY)), (16, 0));
        w(&mut t, QUEUE_SEL, 2);
        assert_eq!(r(&mut t, QUEUE_NUM_MAX), 0);
        w(&mut t, QUEUE_READY, 1);
        w(&mut t, QUEUE_NOTIFY, 2);
    }

    #[test]
    fn status_reset_clears_queues_and_interrupts() {
        let (mut t, irq) = transport();
        testutil::activate(&mut t, 0);
        let q = testutil::QueueLayout::new(0, 16);
        q.add_chain(&t.mem, &[Desc::read(0x8000, 16)]);
        w(&mut t, QUEUE_NOTIFY, 0);
        assert_eq!(r(&mut t, INTERRUPT_STATUS), 1);
        assert!(irq.level());
        let resets = t.device().resets;
        w(&mut t, STATUS, 0);
        let rows = [
            (STATUS, 0),
            (INTERRUPT_STATUS, 0),
            (QUEUE_READY, 0),
            (QUEUE_NUM, 16),
            (QUEUE_DESC_LOW, 0),
            (QUEUE_DRIVER_LOW, 0),
            (QUEUE_DEVICE_LOW, 0),
        ];
        for (reg, want) in rows {
            assert_eq!(r(&mut t, reg), want, "reg {reg:#x}");
        }
        assert!(!irq.level());
        assert_eq!(t.device().resets, resets + 1);
        assert_eq!(t.driver_features, 0);
        assert_eq!(t.queues[0].next_avail(), 0);
    }

    #[test]
    fn notify_interrupt_and_ack() {
        let (mut t, irq) = transport();
        w(&mut t, QUEUE_NOTIFY, 0); // before DRIVER_OK: nothing happens
        testutil::activate(&mut t, 0);
        let q = testutil::QueueLayout::new(0, 16);
        q.add_chain(&t.mem, &[Desc::read(0x8000, 16)]);
        q.add_chain(&t.mem, &[Desc::write(0x9000, 16)]);
        w(&mut t, QUEUE_NOTIFY, 1); // queue 1 is not ready
        assert!(!irq.level());
        w(&mut t, QUEUE_NOTIFY, 0);
        assert!(irq.level());
        assert_eq!(q.used_idx(&t.mem), 2);
        assert_eq!(q.used_elem(&t.mem, 1), (1, 0));
        w(&mut t, INTERRUPT_ACK, 2);
        assert!(irq.level());
        w(&mut t, INTERRUPT_ACK, 1);
        assert!(!irq.level());
        assert_eq!(irq.changes(), 2);
    }

    #[test]
    fn broken_ring_needs_reset() {
        let (mut t, irq) = transport();
        testutil::activate(&mut t, 0);
        let q = testutil::QueueLayout::new(0, 16);
        // The driver claims 100 new buffers in a 16-entry ring.
        q.set_avail_idx(&t.mem, 100);
        w(&mut t, QUEUE_NOTIFY, 0);
        assert_ne!(r(&mut t, STATUS) as u32 & status::DEVICE_NEEDS_RESET, 0);
        assert_eq!(r(&mut t, INTERRUPT_STATUS), u64::from(INT_CONFIG_CHANGE));
        assert!(irq.level());
        // The driver cannot clear it; a reset does.
        w(&mut t, STATUS, 0xf);
        assert_ne!(r(&mut t, STATUS) as u32 & status::DEVICE_NEEDS_RESET, 0);
        w(&mut t, STATUS, 0);
        assert_eq!(r(&mut t, STATUS), 0);
    }

    #[test]
    fn ring_outside_ram_needs_reset() {
        let (mut t, _) = transport();
        testutil::activate(&mut t, 0);
        w(&mut t, STATUS, 0);
        testutil::activate_with(&mut t, 0, 16, [0x1000, 0x2000, 0xffff_ff00_0000]);
        w(&mut t, QUEUE_NOTIFY, 0);
        assert_ne!(r(&mut t, STATUS) as u32 & status::DEVICE_NEEDS_RESET, 0);
    }

    #[test]
    fn config_space_access() {
        let (mut t, _) = transport();
        // (offset, size, expected)
        let rows = [
            (0x100, 1, 0x01),
            (0x101, 2, 0x0302),
            (0x104, 4, 0x0807_0605),
            (0x100, 8, 0x0807_0605_0403_0201),
            (0x106, 4, 0x0807), // runs off the end
            (0x1f0, 4, 0),
        ];
        for (offset, size, want) in rows {
            assert_eq!(t.read(offset, size), want, "offset {offset:#x} size {size}");
        }
        t.write(0x102, 2, 0xbbaa);
        assert_eq!(t.read(0x100, 4), 0xbbaa_0201);
    }
}
