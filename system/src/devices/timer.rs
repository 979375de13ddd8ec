//! The Arm generic timer of one vCPU, as its system registers see it.
//!
//! The counter runs at [`CNTFRQ_HZ`] (62.5 MHz, what qemu's `virt` board
//! reports), derived from a host monotonic clock: one tick is exactly 16 ns,
//! so converting between ticks and host time is exact integer arithmetic.
//! CNTVOFF is 0 (there is no EL2), so the virtual and physical counts agree.
//!
//! Two timers are modelled, the EL1 virtual timer (CNTV_*, PPI INTID 27) and
//! the EL1 physical timer (CNTP_*, PPI INTID 30). Nothing here runs on its
//! own: the vCPU loop asks for the interrupt levels at the current counter
//! value and for the next [`Instant`] at which a level can change, and
//! sleeps in WFI until then. The clock is a trait so that tests can move time
//! by hand.

use std::sync::Arc;
use std::time::{Duration, Instant};

/// The counter frequency reported in CNTFRQ_EL0.
pub const CNTFRQ_HZ: u64 = 62_500_000;
/// Host nanoseconds per counter tick (1e9 / 62.5e6).
const NANOS_PER_TICK: u64 = 16;

/// Interrupt ID of the EL1 virtual timer (PPI 11 in a device tree).
pub const VIRTUAL_TIMER_INTID: u32 = 27;
/// Interrupt ID of the EL1 physical timer (PPI 14 in a device tree).
pub const PHYSICAL_TIMER_INTID: u32 = 30;

/// CNTx_CTL_EL0.ENABLE: the timer compares at all.
pub const CTL_ENABLE: u64 = 1 << 0;
/// CNTx_CTL_EL0.IMASK: the condition is met but must not raise the line.
pub const CTL_IMASK: u64 = 1 << 1;
/// CNTx_CTL_EL0.ISTATUS (read-only): the timer condition is met.
pub const CTL_ISTATUS: u64 = 1 << 2;

/// A source of host monotonic time.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> Instant;
}

/// The host's monotonic clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct HostClock;

impl Clock for HostClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> Instant {
        (**self).now()
    }
}

/// The timer system registers, named as in the Arm ARM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerReg {
    /// Counter frequency (read-only here: firmware would set it, we have none).
    CntfrqEl0,
    /// Physical count.
    CntpctEl0,
    /// Virtual count (physical count minus CNTVOFF, which is 0).
    CntvctEl0,
    /// EL1 physical timer control.
    CntpCtlEl0,
    /// EL1 physical timer compare value.
    CntpCvalEl0,
    /// EL1 physical timer value (signed 32-bit view of CVAL - count).
    CntpTvalEl0,
    /// Virtual timer control.
    CntvCtlEl0,
    /// Virtual timer compare value.
    CntvCvalEl0,
    /// Virtual timer value.
    CntvTvalEl0,
    /// EL0 access control; stored for the CPU, which enforces it.
    CntkctlEl1,
}

impl TimerReg {
    /// Maps an MRS/MSR encoding (op0, op1, CRn, CRm, op2) to a timer
    /// register, so the CPU's system-register decoder can route it here.
    pub fn from_encoding(op0: u8, op1: u8, crn: u8, crm: u8, op2: u8) -> Option<TimerReg> {
        use TimerReg::*;
        Some(match (op0, op1, crn, crm, op2) {
            (3, 3, 14, 0, 0) => CntfrqEl0,
            (3, 3, 14, 0, 1) => CntpctEl0,
            (3, 3, 14, 0, 2) => CntvctEl0,
            (3, 3, 14, 2, 0) => CntpTvalEl0,
            (3, 3, 14, 2, 1) => CntpCtlEl0,
            (3, 3, 14, 2, 2) => CntpCvalEl0,
            (3, 3, 14, 3, 0) => CntvTvalEl0,
            (3, 3, 14, 3, 1) => CntvCtlEl0,
            (3, 3, 14, 3, 2) => CntvCvalEl0,
            (3, 0, 14, 1, 0) => CntkctlEl1,
            _ => return None,
        })
    }
}

/// The interrupt outputs of the two timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimerIrqLevels {
    /// Level of PPI [`VIRTUAL_TIMER_INTID`].
    pub virtual_timer: bool,
    /// Level of PPI [`PHYSICAL_TIMER_INTID`].
    pub physical_timer: bool,
}

/// One comparator: its control bits (ENABLE, IMASK) and compare value.
#[derive(Debug, Clone, Copy, Default)]
struct Comparator {
    ctl: u64,
    cval: u64,
}

impl Comparator {
    fn enabled(&self) -> bool {
        self.ctl & CTL_ENABLE != 0
    }

    /// ISTATUS: the condition is met (count >= CVAL, unsigned) while enabled.
    fn condition_met(&self, count: u64) -> bool {
        self.enabled() && count >= self.cval
    }

    fn level(&self, count: u64) -> bool {
        self.condition_met(count) && self.ctl & CTL_IMASK == 0
    }

    fn read_ctl(&self, count: u64) -> u64 {
        let istatus = if self.condition_met(count) {
            CTL_ISTATUS
        } else {
            0
        };
        (self.ctl & (CTL_ENABLE | CTL_IMASK)) | istatus
    }

    /// TVAL reads as the low 32 bits of CVAL - count (bits 63:32 are RES0).
    fn read_tval(&self, count: u64) -> u64 {
        u64::from(self.cval.wrapping_sub(count) as u32)
    }

    /// A TVAL write sets CVAL to count + the sign-extended low 32 bits.
    fn write_tval(&mut self, count: u64, value: u64) {
        let delta = value as u32 as i32 as i64;
        self.cval = count.wrapping_add(delta as u64);
    }

    /// The counter value at which the output level can next change without a
    /// register write: only a live, unmasked, not-yet-fired comparator has one.
    fn next_edge(&self, count: u64) -> Option<u64> {
        let armed = self.enabled() && self.ctl & CTL_IMASK == 0;
        (armed && count < self.cval).then_some(self.cval)
    }
}

/// The generic timer of one vCPU.
#[derive(Debug)]
pub struct GenericTimer<C: Clock = HostClock> {
    clock: C,
    /// The host instant at which the counter read 0.
    epoch: Instant,
    virt: Comparator,
    phys: Comparator,
    cntkctl: u64,
}

impl GenericTimer<HostClock> {
    /// A timer on the host clock whose counter starts now.
    pub fn new() -> Self {
        Self::with_clock(HostClock)
    }
}

impl Default for GenericTimer<HostClock> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: Clock> GenericTimer<C> {
    /// A timer on `clock`; the counter reads 0 at the clock's current time.
    pub fn with_clock(clock: C) -> Self {
        let epoch = clock.now();
        Self::with_epoch(clock, epoch)
    }

    /// A timer whose counter reads 0 at `epoch`. All vCPUs of a board share
    /// one epoch so that their counters agree, as the architecture requires.
    pub fn with_epoch(clock: C, epoch: Instant) -> Self {
        GenericTimer {
            clock,
            epoch,
            virt: Comparator::default(),
            phys: Comparator::default(),
            cntkctl: 0,
        }
    }

    /// The counter value now (CNTPCT_EL0 == CNTVCT_EL0).
    pub fn counter(&self) -> u64 {
        self.counter_at(self.clock.now())
    }

    /// The counter value at host time `t` (0 before the epoch).
    pub fn counter_at(&self, t: Instant) -> u64 {
        let nanos = t.saturating_duration_since(self.epoch).as_nanos();
        u64::try_from(nanos / u128::from(NANOS_PER_TICK)).unwrap_or(u64::MAX)
    }

    /// The host instant at which the counter reaches `count`, or `None` if
    /// that is too far away to represent (a timer that never fires).
    pub fn instant_of(&self, count: u64) -> Option<Instant> {
        let nanos = count.checked_mul(NANOS_PER_TICK)?;
        self.epoch.checked_add(Duration::from_nanos(nanos))
    }

    /// Reads a timer register at the current counter value.
    pub fn read(&self, reg: TimerReg) -> u64 {
        self.read_at(reg, self.counter())
    }

    /// Reads a timer register as of counter value `count`.
    pub fn read_at(&self, reg: TimerReg, count: u64) -> u64 {
        match reg {
            TimerReg::CntfrqEl0 => CNTFRQ_HZ,
            TimerReg::CntpctEl0 | TimerReg::CntvctEl0 => count,
            TimerReg::CntpCtlEl0 => self.phys.read_ctl(count),
            TimerReg::CntpCvalEl0 => self.phys.cval,
            TimerReg::CntpTvalEl0 => self.phys.read_tval(count),
            TimerReg::CntvCtlEl0 => self.virt.read_ctl(count),
            TimerReg::CntvCvalEl0 => self.virt.cval,
            TimerReg::CntvTvalEl0 => self.virt.read_tval(count),
            TimerReg::CntkctlEl1 => self.cntkctl,
        }
    }

    /// Writes a timer register at the current counter value.
    pub fn write(&mut self, reg: TimerReg, value: u64) {
        let count = self.counter();
        self.write_at(reg, value, count);
    }

    /// Writes a timer register as of counter value `count`. Writes to the
    /// read-only registers (frequency, counts, ISTATUS) are ignored.
    pub fn write_at(&mut self, reg: TimerReg, value: u64, count: u64) {
        let ctl_bits = CTL_ENABLE | CTL_IMASK;
        match reg {
            TimerReg::CntfrqEl0 | TimerReg::CntpctEl0 | TimerReg::CntvctEl0 => {}
            TimerReg::CntpCtlEl0 => self.phys.ctl = value & ctl_bits,
            TimerReg::CntpCvalEl0 => self.phys.cval = value,
            TimerReg::CntpTvalEl0 => self.phys.write_tval(count, value),
            TimerReg::CntvCtlEl0 => self.virt.ctl = value & ctl_bits,
            TimerReg::CntvCvalEl0 => self.virt.cval = value,
            TimerReg::CntvTvalEl0 => self.virt.write_tval(count, value),
            TimerReg::CntkctlEl1 => self.cntkctl = value & 0x3ff,
        }
    }

    /// The interrupt levels the two timers drive at counter value `count`.
    pub fn irq_levels_at(&self, count: u64) -> TimerIrqLevels {
        TimerIrqLevels {
            virtual_timer: self.virt.level(count),
            physical_timer: self.phys.level(count),
        }
    }

    /// The interrupt levels now.
    pub fn irq_levels(&self) -> TimerIrqLevels {
        self.irq_levels_at(self.counter())
    }

    /// The earliest host instant after counter value `count` at which an
    /// interrupt level can change without a register write, or `None` if no
    /// armed timer is pending (a WFI then sleeps until another event).
    pub fn next_deadline(&self, count: u64) -> Option<Instant> {
        let edge = match (self.virt.next_edge(count), self.phys.next_edge(count)) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        self.instant_of(edge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A clock that moves only when told to.
    struct ManualClock(Mutex<Instant>);

    impl ManualClock {
        fn advance(&self, d: Duration) {
            *self.0.lock().unwrap() += d;
        }
    }

    impl Clock for ManualClock {
        fn now(&self) -> Instant {
            *self.0.lock().unwrap()
        }
    }

    fn manual() -> (Arc<ManualClock>, GenericTimer<Arc<ManualClock>>) {
        let clock = Arc::new(ManualClock(Mutex::new(Instant::now())));
        let timer = GenericTimer::with_clock(clock.clone());
        (clock, timer)
    }

    #[test]
    fn encodings_map_to_registers() {
        /// (op0, op1, CRn, CRm, op2)
        type Encoding = (u8, u8, u8, u8, u8);
        let rows: &[(Encoding, Option<TimerReg>)] = &[
            ((3, 3, 14, 0, 0), Some(TimerReg::CntfrqEl0)),
            ((3, 3, 14, 0, 1), Some(TimerReg::CntpctEl0)),
            ((3, 3, 14, 0, 2), Some(TimerReg::CntvctEl0)),
            ((3, 3, 14, 2, 0), Some(TimerReg::CntpTvalEl0)),
            ((3, 3, 14, 2, 1), Some(TimerReg::CntpCtlEl0)),
            ((3, 3, 14, 2, 2), Some(TimerReg::CntpCvalEl0)),
            ((3, 3, 14, 3, 0), Some(TimerReg::CntvTvalEl0)),
            ((3, 3, 14, 3, 1), Some(TimerReg::CntvCtlEl0)),
            ((3, 3, 14, 3, 2), Some(TimerReg::CntvCvalEl0)),
            ((3, 0, 14, 1, 0), Some(TimerReg::CntkctlEl1)),
            ((3, 3, 14, 4, 0), None),
            ((3, 0, 1, 0, 0), None),
        ];
        for &((op0, op1, crn, crm, op2), want) in rows {
            assert_eq!(TimerReg::from_encoding(op0, op1, crn, crm, op2), want);
        }
    }

    #[test]
    fn counter_runs_at_62_5_mhz() {
        let (clock, timer) = manual();
        assert_eq!(timer.read(TimerReg::CntfrqEl0), 62_500_000);
        assert_eq!(timer.counter(), 0);
        clock.advance(Duration::from_secs(1));
        assert_eq!(timer.read(TimerReg::CntvctEl0), 62_500_000);
        assert_eq!(timer.read(TimerReg::CntpctEl0), 62_500_000);
        clock.advance(Duration::from_nanos(31));
        assert_eq!(timer.counter(), 62_500_001);
    }

    #[test]
    fn ctl_istatus_and_levels() {
        let (_clock, mut t) = manual();
        // (ctl written, cval, count) -> (ctl read back, virtual level)
        let rows: &[(u64, u64, u64, u64, bool)] = &[
            (0, 100, 200, 0, false),                                    // disabled
            (CTL_ENABLE, 100, 99, CTL_ENABLE, false),                   // not yet
            (CTL_ENABLE, 100, 100, CTL_ENABLE | CTL_ISTATUS, true),     // fires at CVAL
            (CTL_ENABLE, 100, 1 << 40, CTL_ENABLE | CTL_ISTATUS, true), // stays
            (
                CTL_ENABLE | CTL_IMASK,
                100,
                150,
                CTL_ENABLE | CTL_IMASK | CTL_ISTATUS,
                false,
            ),
            (CTL_ENABLE | CTL_ISTATUS, 100, 50, CTL_ENABLE, false), // ISTATUS is read-only
            (CTL_ENABLE, u64::MAX, u64::MAX - 1, CTL_ENABLE, false), // unsigned compare
        ];
        for &(ctl, cval, count, want_ctl, want_level) in rows {
            t.write_at(TimerReg::CntvCtlEl0, ctl, count);
            t.write_at(TimerReg::CntvCvalEl0, cval, count);
            assert_eq!(
                t.read_at(TimerReg::CntvCtlEl0, count),
                want_ctl,
                "ctl {ctl:#x} cval {cval} count {count}"
            );
            let levels = t.irq_levels_at(count);
            assert_eq!(
                levels.virtual_timer, want_level,
                "ctl {ctl:#x} cval {cval} count {count}"
            );
            assert!(!levels.physical_timer);
        }
    }

    #[test]
    fn tval_is_signed_32_bit_view_of_cval_minus_count() {
        let (_clock, mut t) = manual();
        // (TVAL written, count at write) -> CVAL
        let rows: &[(u64, u64, u64)] = &[
            (1000, 5000, 6000),
            (0xffff_ffff, 5000, 4999), // -1
            (0x8000_0000, 1 << 32, (1 << 32) - (1 << 31)),
            (0xdead_0000_0000_0010, 7, 23), // upper bits ignored
        ];
        for &(tval, count, cval) in rows {
            t.write_at(TimerReg::CntpTvalEl0, tval, count);
            assert_eq!(t.read_at(TimerReg::CntpCvalEl0, count), cval);
            assert_eq!(t.read_at(TimerReg::CntpTvalEl0, count), tval & 0xffff_ffff);
        }
        t.write_at(TimerReg::CntpCvalEl0, 100, 0);
        assert_eq!(
            t.read_at(TimerReg::CntpTvalEl0, 150),
            (-50i32) as u32 as u64
        );
    }

    #[test]
    fn physical_and_virtual_are_independent() {
        let (_clock, mut t) = manual();
        t.write_at(TimerReg::CntpCtlEl0, CTL_ENABLE, 0);
        t.write_at(TimerReg::CntpCvalEl0, 10, 0);
        t.write_at(TimerReg::CntvCtlEl0, CTL_ENABLE, 0);
        t.write_at(TimerReg::CntvCvalEl0, 20, 0);
        assert_eq!(
            t.irq_levels_at(15),
            TimerIrqLevels {
                virtual_timer: false,
                physical_timer: true
            }
        );
        assert_eq!(
            t.irq_levels_at(25),
            TimerIrqLevels {
                virtual_timer: true,
                physical_timer: true
            }
        );
    }

    #[test]
    fn next_deadline_is_the_earliest_armed_compare() {
        let (_clock, mut t) = manual();
        assert_eq!(t.next_deadline(0), None);
        t.write_at(TimerReg::CntvCtlEl0, CTL_ENABLE, 0);
        t.write_at(TimerReg::CntvCvalEl0, 1000, 0);
        t.write_at(TimerReg::CntpCtlEl0, CTL_ENABLE, 0);
        t.write_at(TimerReg::CntpCvalEl0, 500, 0);
        assert_eq!(t.next_deadline(0), t.instant_of(500));
        assert_eq!(
            t.instant_of(500),
            Some(t.epoch + Duration::from_nanos(8000))
        );
        // Once the physical timer fired, only the virtual one can change.
        assert_eq!(t.next_deadline(600), t.instant_of(1000));
        // Masked timers never change level on their own.
        t.write_at(TimerReg::CntvCtlEl0, CTL_ENABLE | CTL_IMASK, 600);
        assert_eq!(t.next_deadline(600), None);
        // A compare value too far away to be a host instant never fires.
        t.write_at(TimerReg::CntvCtlEl0, CTL_ENABLE, 600);
        t.write_at(TimerReg::CntvCvalEl0, u64::MAX, 600);
        assert_eq!(t.next_deadline(600), None);
    }

    #[test]
    fn deadline_and_clock_agree() {
        let (clock, mut t) = manual();
        t.write(TimerReg::CntvTvalEl0, 62_500); // 1 ms from now
        t.write(TimerReg::CntvCtlEl0, CTL_ENABLE);
        let deadline = t.next_deadline(t.counter()).unwrap();
        assert_eq!(deadline - clock.now(), Duration::from_millis(1));
        clock.advance(Duration::from_micros(999));
        assert!(!t.irq_levels().virtual_timer);
        clock.advance(Duration::from_micros(1));
        assert!(t.irq_levels().virtual_timer);
        assert_eq!(t.read(TimerReg::CntvCtlEl0), CTL_ENABLE | CTL_ISTATUS);
    }
}
