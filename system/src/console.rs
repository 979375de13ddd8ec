//! The serial console on the user's terminal: standard input feeds the
//! PL011, with qemu's Ctrl-A escapes when the console is multiplexed
//! (`-nographic`, `-serial mon:stdio`): Ctrl-A x quits, Ctrl-A c switches
//! to the monitor and back, Ctrl-A h lists the escapes, Ctrl-A Ctrl-A
//! sends one Ctrl-A to the guest. The monitor knows `info registers`,
//! `cont` (which starts a machine held by `-S`), `quit` and `help`.

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::config::SerialBackend;
use crate::machine::{Machine, Shutdown};

const CTRL_A: u8 = 0x01;

/// The terminal settings to put back at exit.
static SAVED_TERMIOS: Mutex<Option<libc::termios>> = Mutex::new(None);

/// Puts a terminal on standard input into raw mode so every key reaches the
/// guest (with `keep_signals` false, Ctrl-C too, as qemu's multiplexed
/// console does). Nothing happens when standard input is not a terminal.
pub fn enter_raw_mode(keep_signals: bool) {
    // SAFETY: isatty/tcgetattr/tcsetattr on fd 0 with a zeroed termios
    // that tcgetattr fills.
    unsafe {
        if libc::isatty(0) != 1 {
            return;
        }
        let mut t: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(0, &mut t) != 0 {
            return;
        }
        *SAVED_TERMIOS.lock().unwrap_or_else(|p| p.into_inner()) = Some(t);
        t.c_iflag &= !(libc::IGNBRK | libc::BRKINT | libc::PARMRK | libc::ISTRIP | libc::INLCR | libc::IGNCR | libc::ICRNL | libc::IXON);
        t.c_lflag &= !(libc::ECHO | libc::ECHONL | libc::ICANON | libc::IEXTEN);
        if !keep_signals {
            t.c_lflag &= !libc::ISIG;
        }
        t.c_cc[libc::VMIN] = 1;
        t.c_cc[libc::VTIME] = 0;
        libc::tcsetattr(0, libc::TCSANOW, &t);
    }
}

/// Restores the terminal settings [`enter_raw_mode`] changed.
pub fn restore_terminal() {
    if let Some(t) = SAVED_TERMIOS.lock().unwrap_or_else(|p| p.into_inner()).take() {
        // SAFETY: restoring settings tcgetattr returned for fd 0.
        unsafe { libc::tcsetattr(0, libc::TCSANOW, &t) };
    }
}

/// What the escape state machine makes of one input byte.
#[derive(Debug, PartialEq, Eq)]
pub enum Key {
    /// Bytes for the guest.
    Guest(u8),
    /// Quit (Ctrl-A x).
    Quit,
    /// Print the help (Ctrl-A h).
    Help,
    /// Switch between the guest's console and the monitor (Ctrl-A c).
    Monitor,
    /// Nothing (the first byte of an escape, or an unknown escape).
    None,
}

/// Ctrl-A escape decoding.
#[derive(Debug, Default)]
pub struct Escapes {
    after_ctrl_a: bool,
}

impl Escapes {
    /// Decodes one byte.
    pub fn feed(&mut self, byte: u8) -> Key {
        if self.after_ctrl_a {
            self.after_ctrl_a = false;
            return match byte {
                b'x' | b'X' => Key::Quit,
                b'h' | b'H' | b'?' => Key::Help,
                b'c' | b'C' => Key::Monitor,
                CTRL_A => Key::Guest(CTRL_A),
                _ => Key::None,
            };
        }
        if byte == CTRL_A {
            self.after_ctrl_a = true;
            return Key::None;
        }
        Key::Guest(byte)
    }
}

const HELP: &str = "\r\nC-a h    print this help\r\nC-a x    exit emulator\r\nC-a c    switch between console and monitor\r\nC-a C-a  sends C-a\r\n";

const MONITOR_HELP: &str =
    "info registers -- show the CPU registers\r\ncont|c -- start a machine held by -S\r\nquit|q -- quit the emulator\r\nhelp|? -- show this help\r\n";

/// Prints to the terminal the monitor shares with the console.
fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Runs one monitor command line; false when the emulator must quit.
pub fn monitor_command(machine: &Machine, line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        [] => {}
        ["quit"] | ["q"] => {
            machine.request_shutdown(Shutdown::Quit);
            return false;
        }
        ["help"] | ["?"] | ["h"] => say(MONITOR_HELP),
        ["cont"] | ["c"] => machine.resume(),
        ["info", "registers"] | ["info", "r"] => {
            for (index, port) in machine.cpus.iter().enumerate() {
                match port.registers(Duration::from_millis(500)) {
                    Some(text) => say(&text.replace('\n', "\r\n")),
                    None => say(&format!("CPU#{index}: powered off\r\n")),
                }
            }
        }
        _ => say(&format!("unknown command: '{}'\r\n", line.trim())),
    }
    true
}

/// Starts the thread that reads standard input into the UART.
pub fn spawn_input(machine: Arc<Machine>, backend: SerialBackend) {
    if backend == SerialBackend::None {
        return;
    }
    let escapes_on = backend == SerialBackend::MonStdio;
    let spawned = std::thread::Builder::new().name("console".into()).spawn(move || {
        let mut stdin = std::io::stdin().lock();
        let mut escapes = Escapes::default();
        let mut buf = [0u8; 256];
        // The monitor's line being typed, while the monitor has the terminal.
        let mut monitor: Option<String> = None;
        loop {
            let n = match stdin.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let mut bytes = Vec::with_capacity(n);
            for &b in &buf[..n] {
                match if escapes_on { escapes.feed(b) } else { Key::Guest(b) } {
                    Key::Guest(b) if monitor.is_some() => {
                        let line = monitor.as_mut().expect("in the monitor");
                        match b {
                            b'\r' | b'\n' => {
                                say("\r\n");
                                let command = std::mem::take(line);
                                if !monitor_command(&machine, &command) {
                                    return;
                                }
                                say("(kestrel) ");
                            }
                            0x7f | 0x08 => {
                                if line.pop().is_some() {
                                    say("\x08 \x08");
                                }
                            }
                            _ if b.is_ascii_graphic() || b == b' ' => {
                                line.push(b as char);
                                say(&(b as char).to_string());
                            }
                            _ => {}
                        }
                    }
                    Key::Guest(b) => bytes.push(b),
                    Key::Monitor => {
                        if monitor.take().is_none() {
                            say("\r\nKestrel monitor - type 'help' for more information\r\n(kestrel) ");
                            monitor = Some(String::new());
                        } else {
                            say("\r\n");
                        }
                    }
                    Key::Quit => {
                        machine.request_shutdown(Shutdown::Quit);
                        return;
                    }
                    Key::Help => eprint!("{HELP}"),
                    Key::None => {}
                }
            }
            let mut sent = 0;
            // The FIFO holds 32 bytes; wait for the guest to drain it
            // rather than drop input.
            while sent < bytes.len() && !machine.stopping() {
                sent += machine.uart.lock().unwrap_or_else(|p| p.into_inner()).push_input(&bytes[sent..]);
                if sent < bytes.len() {
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
        }
    });
    // Without the thread the guest simply gets no input.
    let _ = spawned;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctrl_a_escapes() {
        let mut e = Escapes::default();
        assert_eq!(e.feed(b'a'), Key::Guest(b'a'));
        assert_eq!(e.feed(CTRL_A), Key::None);
        assert_eq!(e.feed(CTRL_A), Key::Guest(CTRL_A));
        assert_eq!(e.feed(CTRL_A), Key::None);
        assert_eq!(e.feed(b'h'), Key::Help);
        assert_eq!(e.feed(CTRL_A), Key::None);
        assert_eq!(e.feed(b'q'), Key::None);
        assert_eq!(e.feed(b'x'), Key::Guest(b'x'));
        assert_eq!(e.feed(CTRL_A), Key::None);
        assert_eq!(e.feed(b'c'), Key::Monitor);
        assert_eq!(e.feed(CTRL_A), Key::None);
        assert_eq!(e.feed(b'x'), Key::Quit);
    }
}
