//! Virtio devices: the virtio-mmio transport ([`mmio`]) and the device
//! backends it drives ([`blk`], [`rng`]).
//!
//! A backend knows its device type, features and configuration space and
//! how to consume the buffers of its queues; the transport owns the queues,
//! feature negotiation, status and interrupts. Queues are split virtqueues
//! from the `virtio-queue` crate over guest RAM from `vm-memory`, whose
//! accessors bounds-check every guest address and length, so a malformed
//! descriptor can make a request fail but never touches host memory outside
//! guest RAM.

pub mod blk;
pub mod mmio;
pub mod rng;

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod testutil;

use virtio_queue::Queue;
use vm_memory::GuestMemoryMmap;

/// Guest RAM as the devices see it; writes through it are reported to the
/// machine's translated-code tracking (`crate::code_pages`).
pub type GuestRam = GuestMemoryMmap<crate::code_pages::DmaWatch>;

/// VIRTIO_F_VERSION_1: the modern (virtio 1.x) interface; always offered.
pub const VIRTIO_F_VERSION_1: u64 = 1 << 32;

/// Device status bits (virtio 1.2, 2.1).
pub mod status {
    /// The guest noticed the device.
    pub const ACKNOWLEDGE: u32 = 1;
    /// The guest has a driver for it.
    pub const DRIVER: u32 = 2;
    /// The driver is ready; queues may be used.
    pub const DRIVER_OK: u32 = 4;
    /// Feature negotiation is complete.
    pub const FEATURES_OK: u32 = 8;
    /// The device met an error it cannot recover from without a reset.
    pub const DEVICE_NEEDS_RESET: u32 = 0x40;
    /// The driver gave up on the device.
    pub const FAILED: u32 = 0x80;
}

/// What went wrong while servicing a queue. Any of these puts the device
/// into DEVICE_NEEDS_RESET: the driver broke the queue's rules and the
/// device cannot tell which buffers it still owns.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The available ring, the used ring or an index in them is invalid.
    #[error("virtqueue: {0}")]
    Ring(#[from] virtio_queue::Error),
}

/// Hands every available chain of `queue` to `handle`, which returns the
/// bytes it wrote, and puts the chain in the used ring; whether any was.
pub fn drain_queue(
    queue: &mut Queue,
    mem: &GuestRam,
    mut handle: impl FnMut(virtio_queue::DescriptorChain<&GuestRam>) -> u32,
) -> Result<bool, QueueError> {
    use virtio_queue::{QueueOwnedT, QueueT};
    let mut used = false;
    while let Some(chain) = queue.iter(mem)?.next() {
        let head = chain.head_index();
        let len = handle(chain);
        queue.add_used(mem, head, len)?;
        used = true;
    }
    Ok(used)
}

/// A virtio device model behind a transport.
pub trait VirtioDevice: Send {
    /// The virtio device ID (2 block, 4 entropy, ...).
    fn device_id(&self) -> u32;
    /// Device-specific feature bits; the transport adds its own.
    fn features(&self) -> u64;
    /// The maximum size of each queue; its length is the number of queues.
    fn queue_max_sizes(&self) -> &[u16];
    /// The configuration space, read from offset 0x100 of the transport.
    fn config(&self) -> &[u8];
    /// Writes to the configuration space; read-only by default.
    fn write_config(&mut self, _offset: u64, _data: &[u8]) {}
    /// Called when the driver reset the device (status written with 0).
    fn reset(&mut self) {}
    /// Consumes the available buffers of queue `index` and returns whether
    /// any were placed in the used ring (so the driver must be interrupted).
    fn process_queue(
        &mut self,
        index: usize,
        queue: &mut Queue,
        mem: &GuestRam,
    ) -> Result<bool, QueueError>;
}
