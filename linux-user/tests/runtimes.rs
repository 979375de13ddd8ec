//! What language runtimes need from threads, signals and system calls, run
//! repeatedly (a hang or a crash on any run fails):
//!
//! - `test-binaries/bin/runtime` (blocked threads, fork under threads,
//!   sigwait, futex, robust mutexes, mmap hints, double-mapped code, ...)
//!   five times in a row, at three JIT thresholds;
//! - `newsys strict`: the newer system calls, clone3 and epoll_pwait2
//!   included, on every tier;
//! - SIGTERM, SIGINT and SIGHUP end a guest whose threads are blocked in
//!   epoll_wait, read and futex within a second, with and without a guest
//!   handler.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn binary(name: &str) -> PathBuf {
    let path = repo_root().join("test-binaries/bin").join(name);
    assert!(path.exists(), "fixture missing: {} (run `make -C test-binaries`)", path.display());
    path
}

/// Runs a test program under Kestrel with a time limit; returns its output.
fn run(args: &[&str], program: &str, program_args: &[&str]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kestrel-aarch64"))
        .args(args)
        .arg(binary(program))
        .args(program_args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start kestrel");
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{program} {program_args:?} under {args:?} did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

fn assert_all_ok(out: &std::process::Output, what: &str) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && !stdout.contains("FAIL"),
        "{what}: {:?}\n{stdout}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn runtime_behaviours_hold_every_time() {
    // The default tier mix (baseline code), every block optimised first, and
    // code optimised on the compiler thread early (more of it compiled while
    // threads fork and signal each other).
    let modes: [&[&str]; 5] = [&[], &["--jit-threshold", "1"], &["--tiers", "baseline"], &["--jit-threshold", "50"], &[]];
    for (round, args) in modes.iter().enumerate() {
        let out = run(args, "runtime", &[]);
        assert_all_ok(&out, &format!("runtime, run {round} {args:?}"));
    }
}

#[test]
fn newer_system_calls_strictly() {
    for args in [&[][..], &["--interp"], &["--jit-threshold", "1"]] {
        let out = run(args, "newsys", &["strict"]);
        assert_all_ok(&out, &format!("newsys strict {args:?}"));
    }
}

/// Starts `runtime MODE`, waits until its threads block, sends `signal`, and
/// returns how the process ended and how long that took.
fn signal_sleeping_guest(mode: &str, signal: i32) -> (std::process::ExitStatus, Duration, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kestrel-aarch64"))
        .arg(binary("runtime"))
        .arg(mode)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start kestrel");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("read the first line");
    assert_eq!(line, "sleeping\n");
    // Let the three threads reach their blocking calls.
    std::thread::sleep(Duration::from_millis(200));
    let sent = Instant::now();
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, signal) };
    let deadline = sent + Duration::from_secs(5);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut rest = String::new();
            let _ = std::io::Read::read_to_string(&mut stdout, &mut rest);
            return (status, sent.elapsed(), rest);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("runtime {mode}: still running 5 s after signal {signal}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn terminating_signals_end_a_blocked_guest() {
    for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        for _ in 0..3 {
            let (status, took, _) = signal_sleeping_guest("sleep", signal);
            assert_eq!(status.signal(), Some(signal), "killed by the signal: {status:?}");
            assert!(took < Duration::from_secs(1), "signal {signal} took {took:?}");
        }
    }
}

#[test]
fn a_guest_sigterm_handler_runs_while_threads_block() {
    for _ in 0..5 {
        let (status, took, rest) = signal_sleeping_guest("sleep-handler", libc::SIGTERM);
        assert_eq!(status.code(), Some(3), "the handler's exit status: {status:?}");
        assert_eq!(rest, "terminated\n");
        assert!(took < Duration::from_secs(1), "SIGTERM took {took:?}");
    }
}
