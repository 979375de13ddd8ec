//! Arm PrimeCell PL011 UART (r1p5), as Linux's `amba-pl011` driver and its
//! `earlycon=pl011` console use it.
//!
//! Transmission is instantaneous: a byte written to DR goes straight to the
//! output, so the transmit FIFO is always empty (TXFE set, TXFF and BUSY
//! clear) and earlycon's busy-wait loops never spin. Receive bytes are
//! pushed in by the board into a 16-entry FIFO (one entry when LCR_H.FEN is
//! clear). There is no baud-rate timing, so the receive timeout interrupt
//! (RT) is raised as soon as data sits below the trigger level: the real
//! timeout would expire anyway, since nothing else arrives until the board
//! pushes more.

use std::collections::VecDeque;
use std::io::Write;

use super::{IrqLine, MmioDevice};

/// Register offsets (PL011 TRM, table 3-1).
mod reg {
    pub const DR: u64 = 0x000;
    pub const RSR_ECR: u64 = 0x004;
    pub const FR: u64 = 0x018;
    pub const ILPR: u64 = 0x020;
    pub const IBRD: u64 = 0x024;
    pub const FBRD: u64 = 0x028;
    pub const LCR_H: u64 = 0x02c;
    pub const CR: u64 = 0x030;
    pub const IFLS: u64 = 0x034;
    pub const IMSC: u64 = 0x038;
    pub const RIS: u64 = 0x03c;
    pub const MIS: u64 = 0x040;
    pub const ICR: u64 = 0x044;
    pub const DMACR: u64 = 0x048;
    pub const ID_BASE: u64 = 0xfe0;
}

/// Flag register bits.
mod fr {
    pub const BUSY: u32 = 1 << 3;
    pub const RXFE: u32 = 1 << 4;
    pub const TXFF: u32 = 1 << 5;
    pub const RXFF: u32 = 1 << 6;
    pub const TXFE: u32 = 1 << 7;
}

/// Interrupt bits, shared by IMSC, RIS, MIS and ICR.
mod int {
    pub const RX: u32 = 1 << 4;
    pub const TX: u32 = 1 << 5;
    pub const RT: u32 = 1 << 6;
    /// Every implemented interrupt bit (modem, RX, TX, RT, error bits).
    pub const ALL: u32 = 0x7ff;
}

const LCR_H_FEN: u32 = 1 << 4;
const CR_LBE: u32 = 1 << 7;
/// CR after reset: TXE and RXE set, UART disabled.
const CR_RESET: u32 = 0x300;
/// IFLS after reset: both trigger levels at half full.
const IFLS_RESET: u32 = 0x12;
const FIFO_DEPTH: usize = 16;

/// PeriphID0-3 then PCellID0-3: part 0x011, designer Arm (0x41), revision
/// r1p5 (3), and the PrimeCell preamble Linux's AMBA bus matches on.
const ID: [u8; 8] = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

/// The PL011 UART.
pub struct Pl011 {
    output: Box<dyn Write + Send>,
    irq: Box<dyn IrqLine>,
    irq_level: bool,
    rx: VecDeque<u8>,
    rsr: u32,
    ilpr: u32,
    ibrd: u32,
    fbrd: u32,
    lcr_h: u32,
    cr: u32,
    ifls: u32,
    imsc: u32,
    ris: u32,
    dmacr: u32,
}

impl Pl011 {
    /// A UART in its reset state writing transmitted bytes to `output` and
    /// signalling on `irq`.
    pub fn new(output: Box<dyn Write + Send>, irq: Box<dyn IrqLine>) -> Self {
        Self {
            output,
            irq,
            irq_level: false,
            rx: VecDeque::with_capacity(FIFO_DEPTH),
            rsr: 0,
            ilpr: 0,
            ibrd: 0,
            fbrd: 0,
            lcr_h: 0,
            cr: CR_RESET,
            ifls: IFLS_RESET,
            imsc: 0,
            ris: 0,
            dmacr: 0,
        }
    }

    /// Queues received bytes; returns how many fitted. The board keeps the
    /// rest and retries when the guest has drained the FIFO, so no input is
    /// lost to an overrun.
    pub fn push_input(&mut self, bytes: &[u8]) -> usize {
        let room = self.rx_capacity().saturating_sub(self.rx.len());
        let taken = room.min(bytes.len());
        self.rx.extend(&bytes[..taken]);
        if taken > 0 {
            self.update_rx_interrupts();
        }
        taken
    }

    /// How many more bytes [`push_input`](Self::push_input) would accept.
    pub fn input_room(&self) -> usize {
        self.rx_capacity().saturating_sub(self.rx.len())
    }

    fn fifo_enabled(&self) -> bool {
        self.lcr_h & LCR_H_FEN != 0
    }

    fn rx_capacity(&self) -> usize {
        if self.fifo_enabled() {
            FIFO_DEPTH
        } else {
            1
        }
    }

    /// Receive FIFO fill level at which RX is raised (IFLS.RXIFLSEL:
    /// 1/8, 1/4, 1/2, 3/4 or 7/8 full; 1 byte without FIFOs).
    fn rx_trigger(&self) -> usize {
        if !self.fifo_enabled() {
            return 1;
        }
        match (self.ifls >> 3) & 7 {
            0 => 2,
            1 => 4,
            2 => 8,
            3 => 12,
            _ => 14,
        }
    }

    /// Recomputes RX and RT from the FIFO fill level after it changed.
    fn update_rx_interrupts(&mut self) {
        let fill = self.rx.len();
        if fill >= self.rx_trigger() {
            self.ris |= int::RX;
        } else {
            self.ris &= !int::RX;
        }
        if fill == 0 {
            self.ris &= !int::RT;
        } else if fill < self.rx_trigger() {
            self.ris |= int::RT;
        }
        self.update_irq();
    }

    /// Drives the line from MIS, only on changes so the interrupt
    /// controller is not relocked for every register access.
    fn update_irq(&mut self) {
        let level = self.ris & self.imsc != 0;
        if level != self.irq_level {
            self.irq_level = level;
            self.irq.set_level(level);
        }
    }

    fn flags(&self) -> u32 {
        let mut flags = fr::TXFE;
        if self.rx.is_empty() {
            flags |= fr::RXFE;
        }
        if self.rx.len() >= self.rx_capacity() {
            flags |= fr::RXFF;
        }
        debug_assert_eq!(flags & (fr::TXFF | fr::BUSY), 0);
        flags
    }

    fn transmit(&mut self, byte: u8) {
        if self.cr & CR_LBE != 0 {
            // Loopback: the byte comes back on the receive side.
            self.push_input(&[byte]);
        } else {
            // A closed console must not stop the guest.
            let _ = self.output.write_all(&[byte]);
            let _ = self.output.flush();
        }
        // The byte left the (always empty) TX FIFO, which thereby fell to
        // or below its trigger level.
        self.ris |= int::TX;
        self.update_irq();
    }

    fn read_data(&mut self) -> u32 {
        let Some(byte) = self.rx.pop_front() else {
            return 0;
        };
        self.update_rx_interrupts();
        u32::from(byte)
    }

    /// The 32-bit register at a word-aligned offset.
    fn read_reg(&mut self, offset: u64) -> u32 {
        match offset {
            reg::DR => self.read_data(),
            reg::RSR_ECR => self.rsr,
            reg::FR => self.flags(),
            reg::ILPR => self.ilpr,
            reg::IBRD => self.ibrd,
            reg::FBRD => self.fbrd,
            reg::LCR_H => self.lcr_h,
            reg::CR => self.cr,
            reg::IFLS => self.ifls,
            reg::IMSC => self.imsc,
            reg::RIS => self.ris,
            reg::MIS => self.ris & self.imsc,
            reg::DMACR => self.dmacr,
            0xfe0..=0xffc => u32::from(ID[((offset - reg::ID_BASE) / 4) as usize]),
            _ => 0,
        }
    }

    fn write_reg(&mut self, offset: u64, value: u32) {
        match offset {
            reg::DR => self.transmit(value as u8),
            reg::RSR_ECR => self.rsr = 0,
            reg::ILPR => self.ilpr = value & 0xff,
            reg::IBRD => self.ibrd = value & 0xffff,
            reg::FBRD => self.fbrd = value & 0x3f,
            reg::LCR_H => {
                let old = self.lcr_h;
                self.lcr_h = value & 0xff;
                if (old ^ self.lcr_h) & LCR_H_FEN != 0 {
                    // The FIFO changes depth; its contents are dropped.
                    self.rx.clear();
                    self.update_rx_interrupts();
                }
            }
            reg::CR => self.cr = value & 0xff87,
            reg::IFLS => {
                self.ifls = value & 0x3f;
                self.update_rx_interrupts();
            }
            reg::IMSC => {
                self.imsc = value & int::ALL;
                self.update_irq();
            }
            reg::ICR => {
                self.ris &= !(value & int::ALL);
                self.update_irq();
            }
            reg::DMACR => self.dmacr = value & 0x7,
            _ => {}
        }
    }
}

impl MmioDevice for Pl011 {
    /// Registers are 32 bits; narrower reads see the addressed bytes
    /// (Linux uses 16-bit accesses by default). Only a read that covers
    /// DR's low byte pops the FIFO.
    fn read(&mut self, offset: u64, size: u8) -> u64 {
        if offset >= 0x1000 {
            return 0;
        }
        if offset & !3 == reg::DR && offset & 3 != 0 {
            // DR's upper bytes hold error flags, none of which occur here.
            return 0;
        }
        let shift = (offset & 3) * 8;
        let word = self.read_reg(offset & !3);
        let value = u64::from(word) >> shift;
        match size {
            1 => value & 0xff,
            2 => value & 0xffff,
            _ => value & 0xffff_ffff,
        }
    }

    /// Writes must start at a register; narrower ones write the low bytes.
    fn write(&mut self, offset: u64, size: u8, value: u64) {
        if offset >= 0x1000 || offset & 3 != 0 {
            return;
        }
        let value = match size {
            1 => value & 0xff,
            2 => value & 0xffff,
            _ => value & 0xffff_ffff,
        };
        self.write_reg(offset, value as u32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[derive(Clone, Default)]
    struct Line(Arc<AtomicBool>);

    impl IrqLine for Line {
        fn set_level(&self, level: bool) {
            self.0.store(level, Ordering::SeqCst);
        }
    }

    fn uart() -> (Pl011, Sink, Line) {
        let sink = Sink::default();
        let line = Line::default();
        (Pl011::new(Box::new(sink.clone()), Box::new(line.clone())), sink, line)
    }

    #[test]
    fn reset_values_and_ids() {
        let (mut u, _, _) = uart();
        let rows: &[(u64, u64)] = &[
            (reg::FR, 0x90),
            (reg::CR, 0x300),
            (reg::IFLS, 0x12),
            (reg::IMSC, 0),
            (reg::RIS, 0),
            (reg::LCR_H, 0),
            (0xfe0, 0x11),
            (0xfe4, 0x10),
            (0xfe8, 0x14),
            (0xfec, 0x00),
            (0xff0, 0x0d),
            (0xff4, 0xf0),
            (0xff8, 0x05),
            (0xffc, 0xb1),
            (0x04c, 0),
            (0xf00, 0),
            (0x1000, 0),
            (u64::MAX, 0),
        ];
        for &(offset, want) in rows {
            assert_eq!(u.read(offset, 4), want, "offset {offset:#x}");
        }
    }

    #[test]
    fn transmit_goes_to_output_and_raises_tx() {
        let (mut u, sink, line) = uart();
        u.write(reg::DR, 4, u64::from(b'h'));
        u.write(reg::DR, 2, 0x1200 | u64::from(b'i'));
        assert_eq!(&*sink.0.lock().unwrap(), b"hi");
        assert_eq!(u.read(reg::RIS, 4) as u32 & int::TX, int::TX);
        assert!(!line.0.load(Ordering::SeqCst), "TX is masked");
        u.write(reg::IMSC, 4, u64::from(int::TX));
        assert!(line.0.load(Ordering::SeqCst));
        u.write(reg::ICR, 4, u64::from(int::TX));
        assert!(!line.0.load(Ordering::SeqCst));
        assert_eq!(u.read(reg::FR, 4) as u32 & (fr::BUSY | fr::TXFF), 0);
    }

    #[test]
    fn flags_follow_input() {
        let (mut u, _, _) = uart();
        // Without FIFOs one byte fills the holding register.
        assert_eq!(u.push_input(b"ab"), 1);
        assert_eq!(u.read(reg::FR, 4) as u32, fr::TXFE | fr::RXFF);
        assert_eq!(u.read(reg::DR, 4), u64::from(b'a'));
        assert_eq!(u.read(reg::FR, 4) as u32, fr::TXFE | fr::RXFE);
        u.write(reg::LCR_H, 4, u64::from(LCR_H_FEN | 0x60));
        assert_eq!(u.push_input(&[7; 20]), 16);
        assert_eq!(u.input_room(), 0);
        assert_eq!(u.read(reg::FR, 4) as u32, fr::TXFE | fr::RXFF);
        u.read(reg::DR, 4);
        assert_eq!(u.read(reg::FR, 4) as u32, fr::TXFE);
        assert_eq!(u.input_room(), 1);
    }

    #[test]
    fn rx_interrupt_only_when_unmasked() {
        let (mut u, _, line) = uart();
        u.push_input(b"x");
        assert_eq!(u.read(reg::RIS, 4) as u32 & int::RX, int::RX);
        assert_eq!(u.read(reg::MIS, 4), 0);
        assert!(!line.0.load(Ordering::SeqCst));
        u.write(reg::IMSC, 4, u64::from(int::RX | int::RT));
        assert!(line.0.load(Ordering::SeqCst));
        assert_eq!(u.read(reg::DR, 4), u64::from(b'x'));
        assert_eq!(u.read(reg::RIS, 4), 0);
        assert!(!line.0.load(Ordering::SeqCst));
    }

    #[test]
    fn fifo_trigger_level_and_timeout() {
        let (mut u, _, _) = uart();
        u.write(reg::LCR_H, 4, u64::from(LCR_H_FEN));
        u.write(reg::IMSC, 4, u64::from(int::RX | int::RT));
        // Half full (8) is the reset trigger level.
        u.push_input(b"1234567");
        assert_eq!(u.read(reg::MIS, 4) as u32, int::RT);
        u.push_input(b"8");
        assert_eq!(u.read(reg::MIS, 4) as u32, int::RX | int::RT);
        u.read(reg::DR, 4);
        assert_eq!(u.read(reg::MIS, 4) as u32, int::RT);
        for _ in 0..7 {
            u.read(reg::DR, 4);
        }
        assert_eq!(u.read(reg::MIS, 4), 0);
        assert_eq!(u.read(reg::DR, 4), 0, "empty FIFO reads 0");
    }

    #[test]
    fn loopback_returns_transmitted_bytes() {
        let (mut u, sink, _) = uart();
        u.write(reg::CR, 4, u64::from(0x301 | CR_LBE));
        u.write(reg::DR, 4, 0x55);
        assert!(sink.0.lock().unwrap().is_empty());
        assert_eq!(u.read(reg::DR, 4), 0x55);
    }

    #[test]
    fn plain_registers_keep_their_bits() {
        let (mut u, _, _) = uart();
        let rows: &[(u64, u64, u64)] = &[
            (reg::IBRD, 0xffff_ffff, 0xffff),
            (reg::FBRD, 0xff, 0x3f),
            (reg::LCR_H, 0x170, 0x70),
            (reg::CR, 0xffff_ffff, 0xff87),
            (reg::IFLS, 0xff, 0x3f),
            (reg::IMSC, 0xffff, 0x7ff),
            (reg::DMACR, 0xff, 0x7),
            (reg::ILPR, 0x1ff, 0xff),
        ];
        for &(offset, written, want) in rows {
            u.write(offset, 4, written);
            assert_eq!(u.read(offset, 4), want, "offset {offset:#x}");
        }
        // Misaligned and unknown writes are ignored.
        u.write(reg::IBRD + 1, 1, 0);
        u.write(0x800, 4, 1);
        assert_eq!(u.read(reg::IBRD, 4), 0xffff);
        assert_eq!(u.read(reg::IBRD + 1, 1), 0xff);
        // Only a read of DR's data byte pops the FIFO.
        u.push_input(b"z");
        assert_eq!(u.read(reg::DR + 1, 1), 0);
        assert_eq!(u.read(reg::DR, 2), u64::from(b'z'));
    }
}
