//! The gdb connection: waiting for the debugger, then the stub's event loop
//! on a thread of its own.

use super::target::{guest, Guest};
use super::{lock, DebugMemory, Debugger, State, StopKind, ATTACHED, DEBUGGER};
use gdbstub::common::Signal;
use gdbstub::conn::{Connection, ConnectionExt};
use gdbstub::stub::run_blocking::{BlockingEventLoop, Event, WaitForStopReasonError};
use gdbstub::stub::{GdbStub, MultiThreadStopReason};
use gdbstub::target::Target;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::{TcpListener, TcpStream};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// Listens on `port` (all interfaces, as qemu does), waits for gdb to
/// connect (saying so on standard error as `program`), and starts the stub
/// on a thread of its own; the guest stops at its next instruction until
/// gdb resumes it. One connection per process.
pub fn start(port: u16, memory: Box<dyn DebugMemory>, program: &str) -> std::io::Result<()> {
    let listener = TcpListener::bind(("0.0.0.0", port))?;
    eprintln!("{program}: waiting for gdb on port {port}");
    let (stream, _) = listener.accept()?;
    let state = State {
        breakpoints: BTreeSet::new(),
        running: false,
        threads: BTreeMap::new(),
        events: VecDeque::new(),
        detached: false,
    };
    if DEBUGGER.set(Debugger { state: Mutex::new(state), memory, resumed: Condvar::new(), stopped: Condvar::new() }).is_err() {
        return Err(std::io::Error::other("a debugger was attached already"));
    }
    ATTACHED.store(true, std::sync::atomic::Ordering::Release);
    std::thread::Builder::new().name("gdb".into()).spawn(move || {
        // Guest signals are for guest threads, never this one.
        // SAFETY: a full set, applied to this thread only.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigfillset(&mut set);
            libc::pthread_sigmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
        }
        serve(stream);
    })?;
    Ok(())
}

fn serve(stream: TcpStream) {
    let Some(mut target) = guest() else { return };
    let d = target.debugger;
    {
        // gdb asks for the threads' registers at once: wait until the first
        // guest thread has registered (its engine is still being set up when
        // gdb connects), but not forever if the guest never starts.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut s = lock(d);
        while s.threads.is_empty() && std::time::Instant::now() < deadline {
            s = d.stopped.wait_timeout(s, std::time::Duration::from_millis(50)).map(|(g, _)| g).unwrap_or_else(|e| e.into_inner().0);
        }
    }
    let result = GdbStub::new(stream).run_blocking::<EventLoop>(&mut target);
    if let Err(e) = result {
        if !e.is_connection_error() {
            eprintln!("kestrel: gdb stub: {e}");
        }
    }
    // Detached (or the guest exited): everything runs freely from here on.
    let mut s = lock(d);
    ATTACHED.store(false, std::sync::atomic::Ordering::Release);
    s.detached = true;
    s.running = true;
    s.events.clear();
    d.resumed.notify_all();
    d.stopped.notify_all();
}

enum EventLoop {}

impl BlockingEventLoop for EventLoop {
    type Target = Guest;
    type Connection = TcpStream;
    type StopReason = MultiThreadStopReason<u64>;

    #[allow(clippy::type_complexity)]
    fn wait_for_stop_reason(
        target: &mut Guest,
        conn: &mut TcpStream,
    ) -> Result<
        Event<Self::StopReason>,
        WaitForStopReasonError<<Guest as Target>::Error, <TcpStream as Connection>::Error>,
    > {
        let d = target.debugger;
        loop {
            {
                let mut s = lock(d);
                if let Some((tid, kind)) = s.events.pop_front() {
                    if !matches!(kind, StopKind::Exited(_)) {
                        s = wait_until_parked(d, s);
                    }
                    drop(s);
                    d.stopped.notify_all();
                    let tid = gdbstub::common::Tid::new(tid as usize).ok_or(WaitForStopReasonError::Target("bad tid"))?;
                    return Ok(Event::TargetStopped(match kind {
                        StopKind::Breakpoint => MultiThreadStopReason::SwBreak(tid),
                        StopKind::Step => MultiThreadStopReason::DoneStep,
                        StopKind::Exited(code) => MultiThreadStopReason::Exited(code),
                    }));
                }
                if s.running {
                    let _ = d.stopped.wait_timeout(s, Duration::from_millis(10));
                }
            }
            if conn.peek().map_err(WaitForStopReasonError::Connection)?.is_some() {
                let byte = conn.read().map_err(WaitForStopReasonError::Connection)?;
                return Ok(Event::IncomingData(byte));
            }
        }
    }

    fn on_interrupt(target: &mut Guest) -> Result<Option<Self::StopReason>, <Guest as Target>::Error> {
        // Ctrl-C: stop every thread where it is.
        let d = target.debugger;
        let mut s = lock(d);
        s.running = false;
        drop(wait_until_parked(d, s));
        Ok(Some(MultiThreadStopReason::Signal(Signal::SIGINT)))
    }
}

/// All-stop: gives the other threads a moment to reach a checkpoint after a
/// stop. Threads blocked in a system call do not get there until it returns;
/// they are left where they are (their registers do not change meanwhile).
fn wait_until_parked<'a>(d: &'a Debugger, mut s: std::sync::MutexGuard<'a, State>) -> std::sync::MutexGuard<'a, State> {
    let deadline = Instant::now() + Duration::from_millis(200);
    while s.threads.values().any(|t| !t.parked && !t.in_syscall) && Instant::now() < deadline {
        s = d.stopped.wait_timeout(s, Duration::from_millis(5)).unwrap_or_else(|e| e.into_inner()).0;
    }
    s
}
