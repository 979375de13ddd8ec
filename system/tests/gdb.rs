//! The gdb stub in system mode, driven by gdb-multiarch in batch mode: a
//! machine started with `-S` waits for gdb at the kernel's first
//! instruction; gdb reads the PC, stops at a breakpoint, reads registers
//! and memory (through the vCPU's translation regime), single-steps, and
//! continues until the guest powers off, which gdb sees as the end of its
//! inferior.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_kestrel-system-aarch64");

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// An Image that branches past its header to: movz x5, #0x1234;
/// movz x6, #7; movz w0, #8; movk w0, #0x8400, lsl #16; hvc #0 (PSCI
/// SYSTEM_OFF). Loaded at 0x40200000, so the code is at 0x40200040.
fn kernel() -> std::path::PathBuf {
    let mut image = vec![0u8; 4096];
    image[0..4].copy_from_slice(&0x1400_0010u32.to_le_bytes());
    for (i, word) in [0xd282_4685u32, 0xd280_00e6, 0x5280_0100, 0x72b0_8000, 0xd400_0002].iter().enumerate() {
        image[64 + 4 * i..64 + 4 * i + 4].copy_from_slice(&word.to_le_bytes());
    }
    image[16..24].copy_from_slice(&(8u64 << 20).to_le_bytes());
    image[56..60].copy_from_slice(b"ARM\x64");
    let path = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("gdb-Image-{}", std::process::id()));
    std::fs::write(&path, image).unwrap();
    path
}

#[test]
fn gdb_stops_steps_reads_and_continues_to_power_off() {
    let gdb = "gdb-multiarch";
    assert!(
        Command::new(gdb).arg("--version").output().is_ok_and(|o| o.status.success()),
        "{gdb} is missing (scripts/test.sh installs it)"
    );
    let kernel = kernel();
    let port = free_port();
    let mut machine = Command::new(BIN)
        .args(["-M", "virt", "-cpu", "cortex-a57", "-nographic", "-S", "-gdb", &format!("tcp::{port}")])
        .arg("-kernel")
        .arg(&kernel)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start kestrel-system-aarch64");
    let mut stderr = BufReader::new(machine.stderr.take().expect("stderr"));
    let mut line = String::new();
    stderr.read_line(&mut line).expect("read stderr");
    assert_eq!(line.trim(), format!("kestrel-system-aarch64: waiting for gdb on port {port}"));
    let out = Command::new(gdb)
        .args(["-batch", "-nx"])
        .args(["-ex", "set architecture aarch64"])
        .args(["-ex", &format!("target remote 127.0.0.1:{port}")])
        .args(["-ex", "print/x $pc"])
        .args(["-ex", "break *0x40200048", "-ex", "continue"])
        .args(["-ex", "print/x $x5", "-ex", "print/x $x6"])
        .args(["-ex", "stepi", "-ex", "print/x $pc"])
        .args(["-ex", "x/wx 0x40200040"])
        .args(["-ex", "delete", "-ex", "continue"])
        .stdin(Stdio::null())
        .output()
        .expect("run gdb");
    let gdb_out = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let deadline = Instant::now() + Duration::from_secs(30);
    while machine.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = machine.kill();
            panic!("the machine still runs after the session:\n{gdb_out}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = machine.wait().expect("status");
    std::fs::remove_file(kernel).ok();
    assert!(status.success(), "exit {status}\n{gdb_out}");
    for want in ["$1 = 0x40200000", "$2 = 0x1234", "$3 = 0x7", "$4 = 0x4020004c", "0xd2824685", "exited normally"] {
        assert!(gdb_out.contains(want), "gdb output lacks {want:?}:\n{gdb_out}");
    }
}
