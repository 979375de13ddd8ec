//! The binary's behaviour at its edges: help, one-line errors with a
//! non-zero exit, and the exit status of a guest that powers off.

use std::path::PathBuf;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_kestrel-system-aarch64");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}-{}", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Fails with exactly one line on standard error containing `expected`.
fn assert_one_line_error(args: &[&str], expected: &str) {
    let o = run(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: not one line: {err}");
    assert!(err.contains(expected), "{args:?}: '{err}' lacks '{expected}'");
}

#[test]
fn help_prints_usage() {
    let o = run(&["-h"]);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("usage: kestrel-system-aarch64"));
    assert!(out.contains("-kernel") && out.contains("-drive"));
}

#[test]
fn errors_are_one_line() {
    assert_one_line_error(&["-M", "virt", "-bogus"], "-bogus: invalid option");
    assert_one_line_error(&["-M", "virt", "-m", "300x", "-kernel", "k"], "-m 300x");
    assert_one_line_error(&["-M", "virt", "-d", "stats,bogus", "-kernel", "k"], "-d: unknown log item 'bogus'");
    assert_one_line_error(&["-M", "virt", "-kernel", "/nonexistent/Image"], "could not load kernel '/nonexistent/Image'");
    let text = scratch("text", b"#!/bin/sh\necho not a kernel\n");
    assert_one_line_error(&["-M", "virt", "-kernel", text.to_str().unwrap()], "not an arm64 Linux Image");
    std::fs::remove_file(text).ok();
}

#[test]
fn a_kernel_that_powers_off_ends_the_run_with_status_0() {
    let mut image = vec![0u8; 4096];
    // b 64, past the header; there: movz w0, #0x8; movk w0, #0x8400,
    // lsl #16; hvc #0 (PSCI SYSTEM_OFF).
    image[0..4].copy_from_slice(&0x1400_0010u32.to_le_bytes());
    for (i, word) in [0x5280_0100u32, 0x72b0_8000, 0xd400_0002].iter().enumerate() {
        image[64 + 4 * i..64 + 4 * i + 4].copy_from_slice(&word.to_le_bytes());
    }
    image[16..24].copy_from_slice(&(8u64 << 20).to_le_bytes());
    image[56..60].copy_from_slice(b"ARM\x64");
    let kernel = scratch("Image", &image);
    let initrd = scratch("initrd", &[1; 1000]);
    let o = run(&[
        "-M", "virt", "-cpu", "cortex-a57", "-m", "512", "-nographic",
        "-kernel", kernel.to_str().unwrap(), "-initrd", initrd.to_str().unwrap(), "-append", "console=ttyAMA0",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    // An initrd that cannot fit in RAM is caught while loading.
    // (16 MiB of RAM: the kernel claims up to 10 MiB, leaving 6 for 8.)
    let big = scratch("big-initrd", &vec![1; 8 << 20]);
    let o = run(&["-M", "virt", "-m", "16", "-kernel", kernel.to_str().unwrap(), "-initrd", big.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("initrd of 0x800000 bytes is too big"), "{}", stderr(&o));
    std::fs::remove_file(big).ok();
    std::fs::remove_file(kernel).ok();
    std::fs::remove_file(initrd).ok();
}

/// An Image whose code is `words` after a branch past the header.
fn image_running(words: &[u32]) -> Vec<u8> {
    let mut image = vec![0u8; 4096];
    image[0..4].copy_from_slice(&0x1400_0010u32.to_le_bytes());
    for (i, word) in words.iter().enumerate() {
        image[64 + 4 * i..64 + 4 * i + 4].copy_from_slice(&word.to_le_bytes());
    }
    image[16..24].copy_from_slice(&(8u64 << 20).to_le_bytes());
    image[56..60].copy_from_slice(b"ARM\x64");
    image
}

#[test]
fn start_paused_waits_for_the_monitors_cont() {
    use std::io::Write;
    use std::process::Stdio;
    // movz w0, #0x8; movk w0, #0x8400, lsl #16; hvc #0: power off at once.
    let kernel = scratch("S-Image", &image_running(&[0x5280_0100, 0x72b0_8000, 0xd400_0002]));
    let mut child = Command::new(BIN)
        .args(["-M", "virt", "-nographic", "-S", "-kernel", kernel.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(child.try_wait().unwrap().is_none(), "a machine started with -S ran before 'cont'");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"\x01ccont\r").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::remove_file(kernel).ok();
}

#[test]
fn the_monitor_shows_registers_and_quits() {
    use std::io::Write;
    use std::process::Stdio;
    // movz x5, #0x1234; b . (a guest that spins with a known register).
    let kernel = scratch("monitor-Image", &image_running(&[0xd282_4685, 0x1400_0000]));
    let mut child = Command::new(BIN)
        .args(["-M", "virt", "-nographic", "-kernel", kernel.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    stdin.write_all(b"\x01cinfo registers\rquit\r").unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout.contains("(kestrel) "), "{stdout}");
    assert!(stdout.contains("CPU#0 EL1h PC=0000000040200044"), "{stdout}");
    assert!(stdout.contains("X05=0000000000001234"), "{stdout}");
    std::fs::remove_file(kernel).ok();
}

/// The PSCI SYSTEM_OFF Image: movz w0, #0x8; movk w0, #0x8400, lsl #16; hvc #0.
fn power_off_image(name: &str) -> PathBuf {
    scratch(name, &image_running(&[0x5280_0100, 0x72b0_8000, 0xd400_0002]))
}

#[test]
fn an_unknown_tier_is_a_one_line_error() {
    let kernel = power_off_image("tier-Image");
    let o = Command::new(BIN)
        .args(["-M", "virt", "-nographic", "-kernel", kernel.to_str().unwrap()])
        .env("KESTREL_SYSTEM_TIER", "fast")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("KESTREL_SYSTEM_TIER=fast"), "{}", stderr(&o));
    std::fs::remove_file(kernel).ok();
}

#[test]
fn stats_are_printed_at_exit() {
    let kernel = power_off_image("stats-Image");
    let o = run(&["-M", "virt", "-nographic", "-d", "stats", "-kernel", kernel.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    // The branch past the header and the two moves run translated (two
    // blocks), then the HVC goes to the vCPU loop, from one page of code.
    assert!(err.contains("kestrel stats: 2 blocks (3 guest instructions) decoded"), "{err}");
    assert!(err.contains("1 RAM pages became code, 0 code pages written"), "{err}");
    // Which instruction it was.
    assert!(err.contains("         1  d4000002  exception generation"), "{err}");
    assert!(err.contains("  system: 1 returns to the vCPU loop"), "{err}");
    std::fs::remove_file(kernel).ok();
}
