//! virtio-blk (device ID 2) on a raw image file.
//!
//! Each request is a chain: a 16-byte header the device reads (type,
//! reserved, starting sector), data buffers, and a final status byte the
//! device writes. Requests are served synchronously with positioned reads
//! and writes on the image, so written data is in the host's page cache as
//! soon as the request completes; FLUSH (and dropping the device) makes it
//! durable with fdatasync. Nothing is buffered in the emulator, so a guest
//! that powers off cleanly loses nothing.
//!
//! Every length and sector number comes from the guest: the data length must
//! be whole sectors, the byte range is computed with checked arithmetic and
//! must lie inside the image, and buffers are reached only through the
//! bounds-checked `vm-memory` accessors.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use virtio_queue::{DescriptorChain, Queue, Reader, Writer};

use vm_memory::{Address, Bytes};

use super::{GuestRam, QueueError, VirtioDevice};
use crate::code_pages::DmaWatch;

/// The virtio device ID of a block device.
pub const DEVICE_ID_BLOCK: u32 = 2;
/// The unit of `sector` fields and of `capacity`, whatever the image's
/// real block size.
pub const SECTOR_SIZE: u64 = 512;

/// VIRTIO_BLK_F_SEG_MAX: `seg_max` in config is valid.
pub const F_SEG_MAX: u64 = 1 << 2;
/// VIRTIO_BLK_F_RO: the device is read-only.
pub const F_RO: u64 = 1 << 5;
/// VIRTIO_BLK_F_BLK_SIZE: `blk_size` in config is valid.
pub const F_BLK_SIZE: u64 = 1 << 6;
/// VIRTIO_BLK_F_FLUSH: the device has a write cache and accepts FLUSH.
pub const F_FLUSH: u64 = 1 << 9;

/// Request types.
pub const T_IN: u32 = 0;
/// Write to the image.
pub const T_OUT: u32 = 1;
/// Make earlier writes durable.
pub const T_FLUSH: u32 = 4;
/// Return the device's serial number (20 bytes).
pub const T_GET_ID: u32 = 8;

/// Request status: success.
pub const S_OK: u8 = 0;
/// Request status: the request failed.
pub const S_IOERR: u8 = 1;
/// Request status: unknown request type.
pub const S_UNSUPP: u8 = 2;

/// Length of the serial number GET_ID returns.
pub const ID_BYTES: usize = 20;
/// Entries in the request queue.
const QUEUE_SIZE: u16 = 256;
/// The request header: type (4), reserved (4), sector (8).
const HEADER_LEN: usize = 16;
/// Bytes copied between guest RAM and the image at a time.
const CHUNK: usize = 64 * 1024;
/// Length of the config space we expose: capacity, size_max, seg_max,
/// geometry, blk_size.
const CONFIG_LEN: usize = 24;

/// Failure to set up a block device.
#[derive(Debug, thiserror::Error)]
pub enum BlockError {
    /// The image could not be opened or measured.
    #[error("cannot open disk image {path}: {source}")]
    Open {
        /// The image.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

/// A virtio block device backed by a raw image.
pub struct Block {
    file: File,
    read_only: bool,
    /// Size in 512-byte sectors; a partial last sector is not exposed.
    capacity: u64,
    config: [u8; CONFIG_LEN],
    serial: [u8; ID_BYTES],
    /// Written since the last fdatasync.
    dirty: bool,
    bounce: Vec<u8>,
}

impl Block {
    /// Opens the raw image at `path`, read-only if asked.
    pub fn open(path: &Path, read_only: bool) -> Result<Block, BlockError> {
        let err = |source| BlockError::Open {
            path: path.to_owned(),
            source,
        };
        let file = OpenOptions::new()
            .read(true)
            .write(!read_only)
            .open(path)
            .map_err(err)?;
        let len = file.metadata().map_err(err)?.len();
        let capacity = len / SECTOR_SIZE;
        let mut config = [0u8; CONFIG_LEN];
        config[0..8].copy_from_slice(&capacity.to_le_bytes());
        // Each request has a header and a status descriptor besides its data.
        config[12..16].copy_from_slice(&u32::from(QUEUE_SIZE - 2).to_le_bytes());
        config[20..24].copy_from_slice(&(SECTOR_SIZE as u32).to_le_bytes());
        let mut serial = [0u8; ID_BYTES];
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let n = name.len().min(ID_BYTES);
        serial[..n].copy_from_slice(&name.as_bytes()[..n]);
        Ok(Block {
            file,
            read_only,
            capacity,
            config,
            serial,
            dirty: false,
            bounce: vec![0; CHUNK],
        })
    }

    /// Sets the serial number GET_ID reports (truncated to 20 bytes).
    pub fn set_serial(&mut self, serial: &str) {
        self.serial = [0; ID_BYTES];
        let n = serial.len().min(ID_BYTES);
        self.serial[..n].copy_from_slice(&serial.as_bytes()[..n]);
    }

    /// The image size in sectors.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Makes all completed writes durable.
    fn flush(&mut self) -> io::Result<()> {
        if self.dirty {
            self.file.sync_data()?;
            self.dirty = false;
        }
        Ok(())
    }

    /// The byte offset of a `len`-byte transfer at `sector`, if it is whole
    /// sectors and inside the image.
    fn byte_range(&self, sector: u64, len: usize) -> Option<u64> {
        let len = u64::try_from(len).ok()?;
        if !len.is_multiple_of(SECTOR_SIZE) {
            return None;
        }
        let start = sector.checked_mul(SECTOR_SIZE)?;
        let end = start.checked_add(len)?;
        (end <= self.capacity * SECTOR_SIZE).then_some(start)
    }

    /// Serves one request chain and returns how many bytes it wrote into
    /// guest buffers (the used-ring length).
    fn handle(&mut self, chain: DescriptorChain<&GuestRam>, mem: &GuestRam) -> u32 {
        // The status byte is the last byte of the last writable buffer. It
        // is located on its own so that a request whose other buffers are
        // unusable can still be answered with IOERR.
        let Some(last) = chain.clone().writable().last() else {
            // Nothing can be reported; the chain is just handed back.
            return 0;
        };
        let Some(status_addr) = u64::from(last.len())
            .checked_sub(1)
            .and_then(|off| last.addr().checked_add(off))
        else {
            return 0;
        };
        let buffers = chain
            .clone()
            .reader(mem)
            .and_then(|r| Ok((r, chain.writer(mem)?)));
        let (status, written) = match buffers {
            Ok((mut data_in, mut data_out)) => {
                // Keep the status byte out of the data buffers. The chain is
                // walked again here and the guest may have changed it since,
                // so nothing is assumed about its length.
                match data_out.available_bytes().checked_sub(1) {
                    Some(n) if data_out.split_at(n).is_ok() => {
                        self.execute(&mut data_in, &mut data_out)
                    }
                    _ => (S_IOERR, 0),
                }
            }
            Err(_) => (S_IOERR, 0),
        };
        if mem.write_obj(status, status_addr).is_err() {
            return 0;
        }
        // `written` is below the chain's writable length, which the queue
        // crate checked fits in u32.
        u32::try_from(written + 1).unwrap_or(u32::MAX)
    }

    /// Executes a request; returns its status and the data bytes written.
    fn execute(&mut self, data_in: &mut Reader<'_, DmaWatch>, data_out: &mut Writer<'_, DmaWatch>) -> (u8, usize) {
        let mut header = [0u8; HEADER_LEN];
        if data_in.read_exact(&mut header).is_err() {
            return (S_IOERR, 0);
        }
        let kind = u32::from_le_bytes(header[0..4].try_into().unwrap());
        let sector = u64::from_le_bytes(header[8..16].try_into().unwrap());
        match kind {
            T_IN => {
                let len = data_out.available_bytes();
                match self.byte_range(sector, len) {
                    Some(start) if self.read_image(start, len, data_out).is_ok() => (S_OK, len),
                    _ => (S_IOERR, 0),
                }
            }
            T_OUT => {
                let len = data_in.available_bytes();
                if self.read_only {
                    return (S_IOERR, 0);
                }
                match self.byte_range(sector, len) {
                    Some(start) if self.write_image(start, len, data_in).is_ok() => (S_OK, 0),
                    _ => (S_IOERR, 0),
                }
            }
            T_FLUSH => match self.flush() {
                Ok(()) => (S_OK, 0),
                Err(_) => (S_IOERR, 0),
            },
            T_GET_ID => {
                let n = data_out.available_bytes().min(ID_BYTES);
                match data_out.write_all(&self.serial[..n]) {
                    Ok(()) => (S_OK, n),
                    Err(_) => (S_IOERR, 0),
                }
            }
            _ => (S_UNSUPP, 0),
        }
    }

    /// Copies `len` image bytes from `start` into the guest's buffers.
    fn read_image(&mut self, start: u64, len: usize, out: &mut impl Write) -> io::Result<()> {
        let mut done = 0;
        while done < len {
            let n = (len - done).min(CHUNK);
            let buf = &mut self.bounce[..n];
            self.file.read_exact_at(buf, start + done as u64)?;
            out.write_all(buf)?;
            done += n;
        }
        Ok(())
    }

    /// Copies `len` bytes of guest data to the image at `start`.
    fn write_image(&mut self, start: u64, len: usize, src: &mut impl Read) -> io::Result<()> {
        let mut done = 0;
        while done < len {
            let n = (len - done).min(CHUNK);
            let buf = &mut self.bounce[..n];
            src.read_exact(buf)?;
            self.file.write_all_at(buf, start + done as u64)?;
            self.dirty = true;
            done += n;
        }
        Ok(())
    }
}

impl Drop for Block {
    fn drop(&mut self) {
        // A clean poweroff drops the board; make the last writes durable.
        let _ = self.flush();
    }
}

impl VirtioDevice for Block {
    fn device_id(&self) -> u32 {
        DEVICE_ID_BLOCK
    }

    fn features(&self) -> u64 {
        let ro = if self.read_only { F_RO } else { 0 };
        F_SEG_MAX | F_BLK_SIZE | F_FLUSH | ro
    }

    fn queue_max_sizes(&self) -> &[u16] {
        &[QUEUE_SIZE]
    }

    fn config(&self) -> &[u8] {
        &self.config
    }

    fn process_queue(
        &mut self,
        _index: usize,
        queue: &mut Queue,
        mem: &GuestRam,
    ) -> Result<bool, QueueError> {
        super::drain_queue(queue, mem, |chain| self.handle(chain, mem))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use vm_memory::{Bytes, GuestAddress};

    use super::*;
    use crate::devices::virtio::mmio::{regs, VirtioMmio};
    use crate::devices::virtio::testutil::{self, Desc, QueueLayout, TestIrq};
    use crate::devices::MmioDevice;

    const HEADER: u64 = 0x8_0000;
    const STATUS: u64 = 0x8_0100;
    const DATA: u64 = 0x9_0000;
    const SECTORS: u64 = 64;

    /// A 64-sector image whose byte i holds i * 7 (mod 256).
    fn image() -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let bytes: Vec<u8> = (0..SECTORS * SECTOR_SIZE).map(|i| (i * 7) as u8).collect();
        f.write_all(&bytes).unwrap();
        f
    }

    struct Rig {
        t: VirtioMmio<Block>,
        q: QueueLayout,
        mem: Arc<GuestRam>,
    }

    fn rig(path: &Path, read_only: bool) -> Rig {
        let mem = testutil::ram();
        let irq = Arc::new(TestIrq::default());
        let mut t = VirtioMmio::new(Block::open(path, read_only).unwrap(), mem.clone(), irq);
        let q = testutil::activate(&mut t, 0);
        Rig { t, q, mem }
    }

    impl Rig {
        /// Submits one request; returns (status byte, used length).
        fn submit(&mut self, kind: u32, sector: u64, data: &[Desc]) -> (u8, u32) {
            let mut header = [0u8; 16];
            header[0..4].copy_from_slice(&kind.to_le_bytes());
            header[8..16].copy_from_slice(&sector.to_le_bytes());
            self.mem.write_slice(&header, GuestAddress(HEADER)).unwrap();
            self.mem.write_obj(0xffu8, GuestAddress(STATUS)).unwrap();
            let mut chain = vec![Desc::read(HEADER, 16)];
            chain.extend_from_slice(data);
            chain.push(Desc::write(STATUS, 1));
            let before = self.q.used_idx(&self.mem);
            self.q.add_chain(&self.mem, &chain);
            self.t.write(regs::QUEUE_NOTIFY, 4, 0);
            assert_eq!(
                self.q.used_idx(&self.mem),
                before.wrapping_add(1),
                "request not completed"
            );
            let status = self.mem.read_obj(GuestAddress(STATUS)).unwrap();
            (status, self.q.used_elem(&self.mem, before).1)
        }

        fn ram(&self, addr: u64, len: usize) -> Vec<u8> {
            let mut v = vec![0; len];
            self.mem.read_slice(&mut v, GuestAddress(addr)).unwrap();
            v
        }
    }

    fn file_bytes(path: &Path, start: u64, len: usize) -> Vec<u8> {
        let mut v = vec![0; len];
        File::open(path)
            .unwrap()
            .read_exact_at(&mut v, start)
            .unwrap();
        v
    }

    #[test]
    fn config_and_features() {
        let img = image();
        let rw = Block::open(img.path(), false).unwrap();
        let ro = Block::open(img.path(), true).unwrap();
        assert_eq!(rw.features(), F_SEG_MAX | F_BLK_SIZE | F_FLUSH);
        assert_eq!(ro.features(), F_SEG_MAX | F_BLK_SIZE | F_FLUSH | F_RO);
        let mut r = rig(img.path(), false);
        // (config offset, size, value)
        let rows = [(0x100, 8, SECTORS), (0x10c, 4, 254), (0x114, 4, 512)];
        for (offset, size, want) in rows {
            assert_eq!(r.t.read(offset, size), want, "config {offset:#x}");
        }
        assert_eq!(r.t.read(regs::DEVICE_ID, 4), 2);
        assert!(Block::open(Path::new("/nonexistent/disk.img"), true).is_err());
    }

    #[test]
    fn write_read_flush_round_trip() {
        let img = image();
        let mut r = rig(img.path(), false);
        let pattern: Vec<u8> = (0..1024u32).map(|i| (i % 251) as u8).collect();
        r.mem.write_slice(&pattern, GuestAddress(DATA)).unwrap();
        // Two data descriptors: the write is scattered in guest RAM.
        let out = [Desc::read(DATA, 512), Desc::read(DATA + 512, 512)];
        assert_eq!(r.submit(T_OUT, 3, &out), (S_OK, 1));
        assert_eq!(file_bytes(img.path(), 3 * 512, 1024), pattern);
        // Neighbouring sectors are untouched.
        assert_eq!(
            file_bytes(img.path(), 2 * 512, 512),
            (1024..1536u64).map(|i| (i * 7) as u8).collect::<Vec<_>>()
        );

        let back = [Desc::write(DATA + 0x1000, 1024)];
        assert_eq!(r.submit(T_IN, 3, &back), (S_OK, 1025));
        assert_eq!(r.ram(DATA + 0x1000, 1024), pattern);
        let orig = [Desc::write(DATA + 0x2000, 512)];
        assert_eq!(r.submit(T_IN, 0, &orig), (S_OK, 513));
        assert_eq!(
            r.ram(DATA + 0x2000, 512),
            (0..512u64).map(|i| (i * 7) as u8).collect::<Vec<_>>()
        );

        assert!(r.t.device().dirty);
        assert_eq!(r.submit(T_FLUSH, 0, &[]), (S_OK, 1));
        assert!(!r.t.device().dirty);

        r.t.write(regs::STATUS, 4, 0);
        drop(r);
        assert_eq!(file_bytes(img.path(), 3 * 512, 1024), pattern);
    }

    #[test]
    fn writes_survive_drop_without_flush() {
        let img = image();
        let mut r = rig(img.path(), false);
        r.mem.write_slice(&[0xab; 512], GuestAddress(DATA)).unwrap();
        assert_eq!(
            r.submit(T_OUT, SECTORS - 1, &[Desc::read(DATA, 512)]),
            (S_OK, 1)
        );
        drop(r);
        assert_eq!(
            file_bytes(img.path(), (SECTORS - 1) * 512, 512),
            vec![0xab; 512]
        );
    }

    #[test]
    fn get_id_returns_serial() {
        let img = image();
        let mut r = rig(img.path(), true);
        assert_eq!(r.submit(T_GET_ID, 0, &[Desc::write(DATA, 20)]), (S_OK, 21));
        let name = img
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let n = name.len().min(20);
        assert_eq!(&r.ram(DATA, n)[..], &name.as_bytes()[..n]);
    }

    #[test]
    fn bad_requests_fail_cleanly() {
        let img = image();
        let mut r = rig(img.path(), false);
        let w = |len| [Desc::write(DATA, len)];
        let rd = |len| [Desc::read(DATA, len)];
        // (type, sector, data, expected status)
        let rows: Vec<(u32, u64, Vec<Desc>, u8)> = vec![
            (T_IN, SECTORS, w(512).to_vec(), S_IOERR), // past the end
            (T_IN, SECTORS - 1, w(1024).to_vec(), S_IOERR), // runs off the end
            (T_IN, u64::MAX / 512 + 1, w(512).to_vec(), S_IOERR), // sector * 512 overflows
            (T_IN, u64::MAX / 512, w(512).to_vec(), S_IOERR), // end overflows
            (T_IN, 0, w(100).to_vec(), S_IOERR),       // not whole sectors
            (T_OUT, SECTORS, rd(512).to_vec(), S_IOERR),
            (T_OUT, 0, rd(511).to_vec(), S_IOERR),
            (T_IN, 0, vec![Desc::write(0xff_0000_0000, 512)], S_IOERR), // buffer outside RAM
            (T_OUT, 0, vec![Desc::read(0xff_0000_0000, 512)], S_IOERR),
            (T_OUT, 0, vec![Desc::read(DATA, 0x1000_0000)], S_IOERR), // beyond RAM
            (T_IN, 0, vec![Desc::write(DATA, 0x1000_0000)], S_IOERR),
            // Chains over 4 GiB end early, before the status byte: the
            // request is handed back without a status.
            (T_OUT, 0, vec![Desc::read(DATA, u32::MAX)], 0xff),
            (99, 0, vec![], S_UNSUPP),
            (T_IN, SECTORS - 1, w(512).to_vec(), S_OK),
        ];
        for (kind, sector, data, want) in rows {
            assert_eq!(
                r.submit(kind, sector, &data).0,
                want,
                "type {kind} sector {sector} data {data:?}"
            );
        }
        // The image was never written.
        assert_eq!(
            file_bytes(img.path(), 0, 512),
            (0..512u64).map(|i| (i * 7) as u8).collect::<Vec<_>>()
        );
    }

    #[test]
    fn short_header_and_missing_status() {
        let img = image();
        let mut r = rig(img.path(), false);
        // A 12-byte header cannot be parsed.
        r.mem.write_obj(0xffu8, GuestAddress(STATUS)).unwrap();
        r.q.add_chain(&r.mem, &[Desc::read(HEADER, 12), Desc::write(STATUS, 1)]);
        r.t.write(regs::QUEUE_NOTIFY, 4, 0);
        assert_eq!(r.mem.read_obj::<u8>(GuestAddress(STATUS)).unwrap(), S_IOERR);
        // Without a writable byte the chain is returned untouched.
        r.q.add_chain(&r.mem, &[Desc::read(HEADER, 16)]);
        r.t.write(regs::QUEUE_NOTIFY, 4, 0);
        assert_eq!(r.q.used_idx(&r.mem), 2);
        assert_eq!(r.q.used_elem(&r.mem, 1).1, 0);
    }

    #[test]
    fn read_only_image_refuses_writes() {
        let img = image();
        let mut r = rig(img.path(), true);
        r.mem.write_slice(&[0x55; 512], GuestAddress(DATA)).unwrap();
        assert_eq!(r.submit(T_OUT, 0, &[Desc::read(DATA, 512)]).0, S_IOERR);
        assert_eq!(r.submit(T_FLUSH, 0, &[]).0, S_OK);
        assert_eq!(r.submit(T_IN, 1, &[Desc::write(DATA, 512)]), (S_OK, 513));
        assert_eq!(
            file_bytes(img.path(), 0, 512),
            (0..512u64).map(|i| (i * 7) as u8).collect::<Vec<_>>()
        );
    }
}
