//! The gdb stub driven by gdb-multiarch in batch mode: a breakpoint hit in a
//! second thread, arguments read through the debug information, both threads
//! listed, a variable changed, a single step, and the program continued to
//! its exit, whose status shows the change. Also `QEMU_GDB`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Runs the debug session against `kestrel` started with `how` (a `-g`
/// option or a variable); returns gdb's output and Kestrel's stdout.
fn session(how: &dyn Fn(&mut Command, u16)) -> (String, String) {
    let gdb = "gdb-multiarch";
    assert!(
        Command::new(gdb).arg("--version").output().is_ok_and(|o| o.status.success()),
        "{gdb} is missing (scripts/test.sh installs it)"
    );
    let program = repo_root().join("test-binaries/bin/gdbtarget");
    assert!(program.exists(), "fixture missing: {}", program.display());
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kestrel-aarch64"));
    how(&mut cmd, port);
    let mut kestrel = cmd
        .arg(&program)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start kestrel");
    let mut stderr = BufReader::new(kestrel.stderr.take().expect("stderr"));
    let mut line = String::new();
    stderr.read_line(&mut line).expect("read stderr");
    assert_eq!(line.trim(), format!("kestrel: waiting for gdb on port {port}"));
    let out = Command::new(gdb)
        .args(["-batch", "-nx"])
        .args(["-ex", &format!("file {}", program.display())])
        .args(["-ex", &format!("target remote 127.0.0.1:{port}")])
        .args(["-ex", "break add_numbers", "-ex", "continue"])
        .args(["-ex", "print a + b", "-ex", "info threads"])
        .args(["-ex", "set var counter = 9", "-ex", "print counter"])
        .args(["-ex", "print (long)$pc - (long)&add_numbers", "-ex", "stepi"])
        .args(["-ex", "print (long)$pc - (long)&add_numbers", "-ex", "print/x (long)$sp % 16"])
        .args(["-ex", "delete", "-ex", "continue"])
        .stdin(Stdio::null())
        .output()
        .expect("run gdb");
    let deadline = Instant::now() + Duration::from_secs(30);
    while kestrel.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = kestrel.kill();
            panic!("kestrel still running after the session:\n{}", String::from_utf8_lossy(&out.stdout));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let guest = kestrel.wait_with_output().expect("kestrel output");
    (
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&guest.stdout).into_owned(),
    )
}

fn check(gdb: &str, guest: &str) {
    for want in [
        "hit Breakpoint 1, add_numbers (a=a@entry=40, b=b@entry=2)",
        "$1 = 42",
        "$2 = 9",
        "$5 = 0x0",
        "[Inferior 1 (process 1) exited with code 03]",
    ] {
        assert!(gdb.contains(want), "gdb output lacks {want:?}:\n{gdb}");
    }
    // A single step moves one instruction on.
    let value = |n: &str| -> i64 {
        let line = gdb.lines().find(|l| l.starts_with(&format!("${n} = "))).unwrap_or_else(|| panic!("no ${n}:\n{gdb}"));
        line.rsplit(' ').next().and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{line}"))
    };
    assert_eq!(value("4") - value("3"), 4, "stepi:\n{gdb}");
    // Both threads are listed, the current one in add_numbers.
    let threads = gdb.lines().filter(|l| l.trim_start().starts_with(['1', '2', '*']) && l.contains("Thread 1.")).count();
    assert_eq!(threads, 2, "info threads:\n{gdb}");
    assert_eq!(guest, "worker 51\ncounter 9\n");
}

#[test]
fn gdb_breakpoints_threads_registers_memory_and_exit() {
    let (gdb, guest) = session(&|cmd, port| {
        cmd.args(["-g", &port.to_string()]);
    });
    check(&gdb, &guest);
}

#[test]
fn qemu_gdb_variable_starts_the_stub() {
    let (gdb, guest) = session(&|cmd, port| {
        cmd.env("QEMU_GDB", port.to_string());
    });
    check(&gdb, &guest);
}
