//! Device models of the `virt` board. Each device sees only offsets from
//! its base address (the bus routes guest physical addresses to it) and
//! raises interrupts through an [`IrqLine`], so no device knows the memory
//! map or the interrupt controller it is wired to.

// Not wired into the board yet; the board will construct them.
pub mod gic;
pub mod pl011;
pub mod pl031;
pub mod timer;
pub mod virtio;

/// A device's registers as the bus presents them.
pub trait MmioDevice: Send {
    /// Reads `size` bytes (1, 2, 4 or 8) at `offset` from the device's base.
    fn read(&mut self, offset: u64, size: u8) -> u64;
    /// Writes the low `size` bytes of `value` at `offset`.
    fn write(&mut self, offset: u64, size: u8, value: u64);
}

/// A level-triggered interrupt line from a device to the interrupt
/// controller.
pub trait IrqLine: Send + Sync {
    /// Drives the line high (`true`) or low.
    fn set_level(&self, level: bool);
}
