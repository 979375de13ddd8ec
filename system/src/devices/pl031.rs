//! Arm PrimeCell PL031 real-time clock: a 32-bit seconds counter that Linux's
//! `rtc-pl031` driver reads at boot to set the system time.
//!
//! The counter is the host's wall-clock time when the device was created,
//! advanced by a monotonic clock (so host clock steps do not move it) and
//! rebased by every LR write. The match interrupt is evaluated whenever the
//! guest touches the device and when the board calls [`Pl031::tick`]; the
//! board can ask [`Pl031::seconds_to_match`] how long to sleep before that.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use super::{IrqLine, MmioDevice};

/// Register offsets (PL031 TRM, table 3-1).
mod reg {
    pub const DR: u64 = 0x00;
    pub const MR: u64 = 0x04;
    pub const LR: u64 = 0x08;
    pub const CR: u64 = 0x0c;
    pub const IMSC: u64 = 0x10;
    pub const RIS: u64 = 0x14;
    pub const MIS: u64 = 0x18;
    pub const ICR: u64 = 0x1c;
    pub const ID_BASE: u64 = 0xfe0;
}

/// PeriphID0-3 then PCellID0-3: part 0x031, designer Arm, revision r1p0.
const ID: [u8; 8] = [0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

/// Seconds elapsed on a monotonic clock; replaceable so tests control time.
pub type Clock = Box<dyn Fn() -> u64 + Send>;

/// The PL031 RTC.
pub struct Pl031 {
    clock: Clock,
    irq: Box<dyn IrqLine>,
    irq_level: bool,
    /// Counter value at `base_clock`.
    base_count: u32,
    /// `clock()` when the counter was last loaded.
    base_clock: u64,
    mr: u32,
    imsc: u32,
    ris: u32,
    /// Counter value at the last match check, so a match is seen once when
    /// the counter passes MR even if no access happened at that second.
    last_checked: u32,
}

impl Pl031 {
    /// An RTC starting at the host's current wall-clock time.
    pub fn new(irq: Box<dyn IrqLine>) -> Self {
        let start = Instant::now();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        // The PL031 counter is 32 bits; it wraps in 2106 like the hardware.
        Self::with_clock(now as u32, Box::new(move || start.elapsed().as_secs()), irq)
    }

    /// An RTC whose counter reads `start` when `clock` reads its current value.
    pub fn with_clock(start: u32, clock: Clock, irq: Box<dyn IrqLine>) -> Self {
        let base_clock = clock();
        Self {
            clock,
            irq,
            irq_level: false,
            base_count: start,
            base_clock,
            mr: 0,
            imsc: 0,
            ris: 0,
            last_checked: start,
        }
    }

    /// The current counter value.
    pub fn count(&self) -> u32 {
        let elapsed = (self.clock)().saturating_sub(self.base_clock);
        self.base_count.wrapping_add(elapsed as u32)
    }

    /// Seconds until the counter reaches MR (0 if it is there now).
    pub fn seconds_to_match(&self) -> u32 {
        self.mr.wrapping_sub(self.count())
    }

    /// Raises the match interrupt if the counter reached MR since the last
    /// check. The board calls this from a timer; register accesses call it
    /// too.
    pub fn tick(&mut self) {
        let now = self.count();
        // Distance travelled since the last check, and where MR lies on it
        // (both modulo 2^32, so the counter may wrap).
        let travelled = now.wrapping_sub(self.last_checked);
        let to_match = self.mr.wrapping_sub(self.last_checked);
        if to_match != 0 && to_match <= travelled {
            self.ris = 1;
        }
        self.last_checked = now;
        self.update_irq();
    }

    fn update_irq(&mut self) {
        let level = self.ris & self.imsc != 0;
        if level != self.irq_level {
            self.irq_level = level;
            self.irq.set_level(level);
        }
    }

    fn read_reg(&mut self, offset: u64) -> u32 {
        self.tick();
        match offset {
            reg::DR => self.count(),
            reg::MR => self.mr,
            // LR reads back the value last loaded.
            reg::LR => self.base_count,
            // The counter cannot be stopped: CR.RTCStart reads as 1.
            reg::CR => 1,
            reg::IMSC => self.imsc,
            reg::RIS => self.ris,
            reg::MIS => self.ris & self.imsc,
            0xfe0..=0xffc => u32::from(ID[((offset - reg::ID_BASE) / 4) as usize]),
            _ => 0,
        }
    }

    fn write_reg(&mut self, offset: u64, value: u32) {
        self.tick();
        match offset {
            reg::MR => {
                self.mr = value;
                // Matching the current second counts at once.
                if value == self.count() {
                    self.ris = 1;
                }
            }
            reg::LR => {
                self.base_count = value;
                self.base_clock = (self.clock)();
                self.last_checked = value;
            }
            reg::IMSC => self.imsc = value & 1,
            reg::ICR => self.ris &= !(value & 1),
            _ => {}
        }
        self.update_irq();
    }
}

impl MmioDevice for Pl031 {
    fn read(&mut self, offset: u64, size: u8) -> u64 {
        if offset >= 0x1000 {
            return 0;
        }
        let value = u64::from(self.read_reg(offset & !3)) >> ((offset & 3) * 8);
        match size {
            1 => value & 0xff,
            2 => value & 0xffff,
            _ => value & 0xffff_ffff,
        }
    }

    fn write(&mut self, offset: u64, size: u8, value: u64) {
        // Only whole-register writes: a partial LR load would be meaningless.
        if offset >= 0x1000 || offset & 3 != 0 || size < 4 {
            return;
        }
        self.write_reg(offset, value as u32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::sync::Arc;

    #[derive(Clone, Default)]
    struct Line(Arc<AtomicBool>);

    impl IrqLine for Line {
        fn set_level(&self, level: bool) {
            self.0.store(level, Ordering::SeqCst);
        }
    }

    fn rtc(start: u32) -> (Pl031, Arc<AtomicU64>, Line) {
        let time = Arc::new(AtomicU64::new(100));
        let t = time.clone();
        let line = Line::default();
        let dev = Pl031::with_clock(
            start,
            Box::new(move || t.load(Ordering::SeqCst)),
            Box::new(line.clone()),
        );
        (dev, time, line)
    }

    #[test]
    fn counts_seconds_and_loads() {
        let (mut r, time, _) = rtc(1_000_000);
        assert_eq!(r.read(reg::DR, 4), 1_000_000);
        time.store(105, Ordering::SeqCst);
        assert_eq!(r.read(reg::DR, 4), 1_000_005);
        r.write(reg::LR, 4, 42);
        assert_eq!(r.read(reg::DR, 4), 42);
        assert_eq!(r.read(reg::LR, 4), 42);
        time.store(110, Ordering::SeqCst);
        assert_eq!(r.read(reg::DR, 4), 47);
        // DR is read-only.
        r.write(reg::DR, 4, 0);
        assert_eq!(r.read(reg::DR, 4), 47);
    }

    #[test]
    fn match_interrupt_follows_mask() {
        let (mut r, time, line) = rtc(500);
        r.write(reg::MR, 4, 503);
        assert_eq!(r.seconds_to_match(), 3);
        time.store(102, Ordering::SeqCst);
        assert_eq!(r.read(reg::RIS, 4), 0);
        time.store(110, Ordering::SeqCst);
        r.tick();
        assert_eq!(r.read(reg::RIS, 4), 1, "passed MR between checks");
        assert_eq!(r.read(reg::MIS, 4), 0);
        assert!(!line.0.load(Ordering::SeqCst));
        r.write(reg::IMSC, 4, 1);
        assert!(line.0.load(Ordering::SeqCst));
        r.write(reg::ICR, 4, 1);
        assert!(!line.0.load(Ordering::SeqCst));
        assert_eq!(r.read(reg::RIS, 4), 0);
    }

    #[test]
    fn ids_control_and_unknown_offsets() {
        let (mut r, _, _) = rtc(0);
        let rows: &[(u64, u64)] = &[
            (reg::CR, 1),
            (0xfe0, 0x31),
            (0xfe4, 0x10),
            (0xfe8, 0x14),
            (0xfec, 0x00),
            (0xff0, 0x0d),
            (0xff4, 0xf0),
            (0xff8, 0x05),
            (0xffc, 0xb1),
            (0x20, 0),
            (0x1000, 0),
            (u64::MAX, 0),
        ];
        for &(offset, want) in rows {
            assert_eq!(r.read(offset, 4), want, "offset {offset:#x}");
        }
        r.write(reg::CR, 4, 0);
        assert_eq!(r.read(reg::CR, 4), 1);
        r.write(u64::MAX, 8, u64::MAX);
        r.write(reg::LR, 1, 9);
        assert_eq!(r.read(reg::LR, 4), 0);
    }
}
