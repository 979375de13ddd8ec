//! Malformed queues thrown at the block and entropy devices.
//!
//! Each round resets the device through its registers, sets a queue up
//! (sometimes at bad addresses), fills the descriptor table, the available
//! ring and a scratch area with random but adversarial contents (loops,
//! indices beyond the queue, buffers outside RAM or straddling a hole,
//! lengths up to 4 GiB, nested indirect tables, every flag combination),
//! notifies, and requires that the notify returns quickly. A panic, a hang
//! or a write outside the image fails the test. The seed is fixed so a
//! failure reproduces.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use vm_memory::{Bytes, GuestAddress};

use super::blk::{Block, SECTOR_SIZE};
use super::mmio::{regs, VirtioMmio};
use super::rng::Rng;
use super::testutil::{self, Desc, TestIrq, F_INDIRECT, F_NEXT, F_WRITE};
use super::{status, GuestRam, VirtioDevice};
use crate::devices::MmioDevice;

const ROUNDS: usize = 3000;
/// Far above what a round costs (microseconds); only a hang gets near it.
const ROUND_LIMIT: Duration = Duration::from_secs(2);
/// The whole run, in case a round never returns at all.
const RUN_LIMIT: Duration = Duration::from_secs(120);

/// Low RAM, then a hole, then high RAM.
const LOW: (u64, usize) = (0, 0x4_0000);
const HIGH: (u64, usize) = (0x8_0000, 0x4_0000);
const DESC_TABLE: u64 = 0x1000;
const AVAIL_RING: u64 = 0x2000;
const USED_RING: u64 = 0x3000;
/// Random bytes, often pointed at as an indirect table.
const SCRATCH: u64 = 0x1_0000;
const SCRATCH_LEN: usize = 0x1000;
/// Plausible block request headers.
const HEADERS: u64 = 0x1_2000;
const IMAGE_SECTORS: u64 = 32;

/// SplitMix64: small, seedable, good enough to pick test cases.
struct Prng(u64);

impl Prng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn percent(&mut self) -> u64 {
        self.below(100)
    }

    fn addr(&mut self) -> u64 {
        match self.percent() {
            0..=29 => 0x1_4000 + self.below(0x2_c000),
            30..=49 => HEADERS + 16 * self.below(8),
            50..=59 => HIGH.0 + self.below(HIGH.1 as u64),
            60..=69 => LOW.1 as u64 - self.below(0x800), // runs into the hole
            70..=74 => LOW.1 as u64 + self.below(0x4_0000), // in the hole
            75..=79 => u64::MAX - self.below(0x1000),
            80..=84 => self.next(),
            _ => SCRATCH + 16 * self.below(SCRATCH_LEN as u64 / 16),
        }
    }

    fn len(&mut self) -> u32 {
        match self.percent() {
            0..=29 => 512 * (1 + self.below(8) as u32),
            30..=49 => 16,
            50..=64 => self.below(64) as u32,
            65..=74 => 1,
            75..=79 => 0,
            80..=84 => u32::MAX - self.below(16) as u32,
            85..=89 => 0x8000_0000,
            _ => self.next() as u32,
        }
    }

    fn desc(&mut self, size: u16) -> Desc {
        let flags = match self.percent() {
            0..=89 => {
                let mut f = 0;
                if self.percent() < 60 {
                    f |= F_NEXT;
                }
                if self.percent() < 50 {
                    f |= F_WRITE;
                }
                if self.percent() < 10 {
                    f |= F_INDIRECT;
                }
                f
            }
            _ => self.next() as u16,
        };
        let next = if self.percent() < 85 {
            self.below(u64::from(size)) as u16
        } else {
            self.next() as u16
        };
        Desc {
            addr: self.addr(),
            len: self.len(),
            flags,
            next,
        }
    }
}

fn ram() -> Arc<GuestRam> {
    let ranges = [(GuestAddress(LOW.0), LOW.1), (GuestAddress(HIGH.0), HIGH.1)];
    Arc::new(GuestRam::from_ranges(&ranges).unwrap())
}

/// Fills guest RAM's queue area with one random round's worth of chaos.
fn scramble(rng: &mut Prng, mem: &GuestRam, size: u16) {
    for i in 0..size {
        testutil::write_desc(mem, DESC_TABLE, i, rng.desc(size));
    }
    let mut scratch = vec![0u8; SCRATCH_LEN];
    scratch.iter_mut().for_each(|b| *b = rng.next() as u8);
    mem.write_slice(&scratch, GuestAddress(SCRATCH)).unwrap();
    for k in 0..8u64 {
        let kind = [0u32, 1, 4, 8, 2, rng.next() as u32][rng.below(6) as usize];
        let sector = match rng.percent() {
            0..=59 => rng.below(IMAGE_SECTORS),
            60..=79 => IMAGE_SECTORS - rng.below(3),
            _ => rng.next(),
        };
        let mut header = [0u8; 16];
        header[0..4].copy_from_slice(&kind.to_le_bytes());
        header[8..16].copy_from_slice(&sector.to_le_bytes());
        mem.write_slice(&header, GuestAddress(HEADERS + 16 * k))
            .unwrap();
    }
    // Available ring: flags, index, entries.
    mem.write_obj(rng.next() as u16, GuestAddress(AVAIL_RING))
        .unwrap();
    let idx = if rng.percent() < 85 {
        rng.below(u64::from(size) + 1) as u16
    } else {
        rng.next() as u16
    };
    mem.write_obj(idx, GuestAddress(AVAIL_RING + 2)).unwrap();
    for i in 0..u64::from(size) {
        // An entry beyond the queue breaks the whole ring, so keep them
        // rare enough that most rounds get to the descriptors.
        let head = if rng.below(1000) < 995 {
            rng.below(u64::from(size)) as u16
        } else {
            rng.next() as u16
        };
        mem.write_obj(head, GuestAddress(AVAIL_RING + 4 + 2 * i))
            .unwrap();
    }
    // The device keeps its own used index; starting the ring's at 0 lets
    // the test count completed chains.
    mem.write_obj(0u16, GuestAddress(USED_RING + 2)).unwrap();
}

/// Runs the rounds against one device; `check` runs after each round.
fn fuzz<D: VirtioDevice>(
    seed: u64,
    device: D,
    mut check: impl FnMut(&VirtioMmio<D>),
) -> VirtioMmio<D> {
    let mut rng = Prng(seed);
    let mem = ram();
    let mut t = VirtioMmio::new(device, mem.clone(), Arc::new(TestIrq::default()));
    let max = t.device().queue_max_sizes()[0];
    let start = Instant::now();
    let mut broken = 0;
    let mut completed = 0u64;
    for round in 0..ROUNDS {
        let size = 1u16 << rng.below(u64::from(max.trailing_zeros()) + 1);
        let addrs = if rng.percent() < 90 {
            [DESC_TABLE, AVAIL_RING, USED_RING]
        } else {
            [rng.addr() & !0xf, rng.addr() & !0x1, rng.addr() & !0x3]
        };
        testutil::activate_with(&mut t, 0, size, addrs);
        scramble(&mut rng, &mem, size);
        let began = Instant::now();
        for _ in 0..1 + rng.below(3) {
            let queue = if rng.percent() < 90 {
                0
            } else {
                rng.next() as u32
            };
            t.write(regs::QUEUE_NOTIFY, 4, u64::from(queue));
        }
        let took = began.elapsed();
        assert!(
            took < ROUND_LIMIT,
            "round {round} (seed {seed:#x}) took {took:?}"
        );
        if t.status() & status::DEVICE_NEEDS_RESET != 0 {
            broken += 1;
        }
        if addrs[2] == USED_RING {
            completed += u64::from(mem.read_obj::<u16>(GuestAddress(USED_RING + 2)).unwrap());
        }
        check(&t);
    }
    // Both outcomes must have happened, or the generator is too tame (or
    // too wild) to test anything.
    assert!(
        broken > 0 && broken < ROUNDS / 2,
        "{broken} of {ROUNDS} rounds broke the queue"
    );
    assert!(
        completed > 5 * ROUNDS as u64,
        "only {completed} chains completed"
    );
    eprintln!(
        "{ROUNDS} rounds in {:?}: {completed} chains completed, {broken} rounds needed a reset",
        start.elapsed()
    );
    t
}

/// Runs `f` on its own thread and fails if it does not finish within
/// `limit`: a hang must fail the test, not stall the test run.
fn with_deadline<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(value) => value,
        Err(RecvTimeoutError::Timeout) => panic!("fuzzing did not finish within {limit:?}"),
        // The worker dropped its sender without sending: it panicked.
        Err(RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("worker finished without a result"),
        },
    }
}

#[test]
fn block_survives_malformed_queues() {
    with_deadline(RUN_LIMIT, || {
        let mut img = tempfile::NamedTempFile::new().unwrap();
        let fill = vec![0x5a; (IMAGE_SECTORS * SECTOR_SIZE) as usize];
        std::io::Write::write_all(&mut img, &fill).unwrap();
        let path = img.path().to_owned();
        let image_len = || std::fs::metadata(&path).unwrap().len();
        let block = Block::open(img.path(), false).unwrap();
        let mut t = fuzz(0x6b65_7374_7265_6c01, block, |_| {
            assert_eq!(
                image_len(),
                IMAGE_SECTORS * SECTOR_SIZE,
                "write past the end of the image"
            );
        });
        // Some random writes were well-formed enough to land.
        let image = std::fs::read(&path).unwrap();
        assert!(image != fill, "no write request ever succeeded");
        // The device still works after a reset: read sector 0 back.
        recover(&mut t, |mem, q| {
            let header = [0u8; 16]; // IN, sector 0
            mem.write_slice(&header, GuestAddress(HEADERS)).unwrap();
            let chain = [
                Desc::read(HEADERS, 16),
                Desc::write(0x2_0000, 512),
                Desc::write(0x2_1000, 1),
            ];
            q.add_chain(mem, &chain);
        });
        let mem = t.memory().clone();
        assert_eq!(mem.read_obj::<u8>(GuestAddress(0x2_1000)).unwrap(), 0);
        let mut sector0 = vec![0u8; 512];
        mem.read_slice(&mut sector0, GuestAddress(0x2_0000))
            .unwrap();
        assert_eq!(sector0, image[..512]);
    });
}

#[test]
fn rng_survives_malformed_queues() {
    with_deadline(RUN_LIMIT, || {
        let mut t = fuzz(0x6b65_7374_7265_6c02, Rng::new(), |_| {});
        recover(&mut t, |mem, q| {
            q.add_chain(mem, &[Desc::write(0x2_0000, 32)]);
        });
    });
}

/// Resets the device, submits one good request and checks it completes.
fn recover<D: VirtioDevice>(
    t: &mut VirtioMmio<D>,
    submit: impl FnOnce(&GuestRam, &testutil::QueueLayout),
) {
    let mem = t.memory().clone();
    // Clean rings at a fresh place.
    mem.write_slice(&[0u8; 0x3000], GuestAddress(0x3_0000))
        .unwrap();
    let q = testutil::QueueLayout::new(8, 16);
    testutil::activate_with(t, 0, 16, [q.desc, q.avail, q.used]);
    submit(&mem, &q);
    t.write(regs::QUEUE_NOTIFY, 4, 0);
    assert_eq!(t.status(), 0xf);
    assert_eq!(q.used_idx(&mem), 1);
}
