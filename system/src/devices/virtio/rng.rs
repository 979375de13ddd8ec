//! virtio-rng (device ID 4): fills the guest's device-writable buffers with
//! bytes from the host's getrandom(2), so the guest kernel has entropy from
//! early boot instead of waiting for jitter.
//!
//! The device may fill a buffer only partly (the used length says how much),
//! which lets it bound the work one request costs however large the guest's
//! buffers claim to be.

use std::io::Write;

use virtio_queue::{DescriptorChain, Queue};

use super::{GuestRam, QueueError, VirtioDevice};

/// The virtio device ID of an entropy source.
pub const DEVICE_ID_ENTROPY: u32 = 4;
/// Entries in the request queue.
const QUEUE_SIZE: u16 = 64;
/// The most bytes one request receives (Linux asks for at most a page or so).
const MAX_PER_REQUEST: usize = 64 * 1024;

/// A virtio entropy device.
pub struct Rng {
    buf: Vec<u8>,
}

impl Rng {
    /// A new entropy device.
    pub fn new() -> Rng {
        Rng { buf: Vec::new() }
    }

    /// Fills the writable buffers of one chain; returns the bytes written.
    fn fill(&mut self, chain: DescriptorChain<&GuestRam>, mem: &GuestRam) -> u32 {
        let Ok(mut out) = chain.writer(mem) else {
            return 0;
        };
        let n = out.available_bytes().min(MAX_PER_REQUEST);
        self.buf.resize(n, 0);
        if getrandom::fill(&mut self.buf).is_err() || out.write_all(&self.buf).is_err() {
            return 0;
        }
        // n <= MAX_PER_REQUEST, so it fits.
        n as u32
    }
}

impl Default for Rng {
    fn default() -> Self {
        Self::new()
    }
}

impl VirtioDevice for Rng {
    fn device_id(&self) -> u32 {
        DEVICE_ID_ENTROPY
    }

    fn features(&self) -> u64 {
        0
    }

    fn queue_max_sizes(&self) -> &[u16] {
        &[QUEUE_SIZE]
    }

    fn config(&self) -> &[u8] {
        &[]
    }

    fn process_queue(
        &mut self,
        _index: usize,
        queue: &mut Queue,
        mem: &GuestRam,
    ) -> Result<bool, QueueError> {
        super::drain_queue(queue, mem, |chain| self.fill(chain, mem))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use vm_memory::{Bytes, GuestAddress};

    use super::*;
    use crate::devices::virtio::mmio::{regs, VirtioMmio};
    use crate::devices::virtio::testutil::{self, Desc, TestIrq};
    use crate::devices::MmioDevice;

    #[test]
    fn fills_writable_buffers() {
        let irq = Arc::new(TestIrq::default());
        let mem = testutil::ram();
        let mut t = VirtioMmio::new(Rng::new(), mem.clone(), irq.clone());
        assert_eq!(t.read(regs::DEVICE_ID, 4), 4);
        let q = testutil::activate(&mut t, 0);
        // (buffers of one chain, bytes the device reports)
        let rows: &[(&[Desc], u32)] = &[
            (&[Desc::write(0x8_0000, 64)], 64),
            (&[Desc::write(0x8_1000, 16), Desc::write(0x8_2000, 48)], 64),
            (&[Desc::read(0x8_3000, 16)], 0), // nothing the device may write
            (&[Desc::write(0x8_4000, 200_000)], 64 * 1024), // capped
            (&[Desc::write(0xff_ffff_0000, 16)], 0), // outside RAM
        ];
        for (i, &(descs, want)) in rows.iter().enumerate() {
            q.add_chain(&mem, descs);
            t.write(regs::QUEUE_NOTIFY, 4, 0);
            assert_eq!(q.used_idx(&mem), i as u16 + 1);
            assert_eq!(q.used_elem(&mem, i as u16).1, want, "row {i}");
            assert!(irq.level());
            t.write(regs::INTERRUPT_ACK, 4, 1);
        }
        // 64 random bytes are all zero with probability 2^-512.
        let mut got = [0u8; 64];
        mem.read_slice(&mut got, GuestAddress(0x8_0000)).unwrap();
        assert!(got.iter().any(|&b| b != 0));
        let mut split = [0u8; 48];
        mem.read_slice(&mut split, GuestAddress(0x8_2000)).unwrap();
        assert!(split.iter().any(|&b| b != 0));
        // The read-only buffer was left alone.
        let mut ro = [0u8; 16];
        mem.read_slice(&mut ro, GuestAddress(0x8_3000)).unwrap();
        assert_eq!(ro, [0; 16]);
    }
}
