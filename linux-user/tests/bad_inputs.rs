//! Runs the built `kestrel-aarch64` on bad command lines and malformed
//! programs: each must give one clear line on stderr and a non-zero exit, never
//! a panic.

use object::write::Object;
use object::{Architecture, BinaryFormat, Endianness};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const KESTREL: &str = env!("CARGO_BIN_EXE_kestrel-aarch64");

fn run(args: &[&str]) -> Output {
    Command::new(KESTREL)
        .args(args)
        .stdin(Stdio::null())
        .env_remove("KESTREL_STRACE")
        .env_remove("KESTREL_LOG")
        .output()
        .expect("run kestrel-aarch64")
}

fn stderr_lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr).lines().map(str::to_string).collect()
}

/// A scratch directory removed at the end of the test.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("kestrel-bad-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A minimal ELF64 executable: header, one PT_LOAD, padding.
fn elf_exec(machine: u16, load_filesz: u64) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"\x7fELF\x02\x01\x01\x00");
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    out.extend_from_slice(&machine.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&0x400078u64.to_le_bytes()); // entry
    out.extend_from_slice(&64u64.to_le_bytes()); // phoff
    out.extend_from_slice(&0u64.to_le_bytes()); // shoff
    out.extend_from_slice(&0u32.to_le_bytes()); // flags
    for v in [64u16, 56, 1, 64, 0, 0] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&1u32.to_le_bytes()); // PT_LOAD
    out.extend_from_slice(&5u32.to_le_bytes()); // R+X
    for v in [0u64, 0x400000, 0x400000, load_filesz, load_filesz.max(0x100), 0x1000] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.resize(0x100, 0);
    out
}

fn assert_load_error(path: &Path, reason: &str) {
    let out = run(&[path.to_str().unwrap()]);
    let lines = stderr_lines(&out);
    assert_eq!(out.status.code(), Some(1), "{lines:?}");
    assert_eq!(lines, vec![format!("kestrel: {}: {reason}", path.display())]);
}

#[test]
fn unknown_option_is_one_line_and_a_hint() {
    let out = run(&["-bogus", "prog"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr_lines(&out),
        vec![
            "kestrel-aarch64: unknown option '-bogus'".to_string(),
            "Try 'kestrel-aarch64 -h' for more information.".to_string()
        ]
    );
}

#[test]
fn missing_program_and_bad_values() {
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr_lines(&out)[0], "kestrel-aarch64: no program given");
    let out = run(&["-cpu", "pentium", "/bin/true"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_lines(&out)[0].contains("unknown CPU model 'pentium'"));
    let out = run(&["-L"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr_lines(&out)[0], "kestrel-aarch64: option '-L' needs an argument");
    let out = run(&["--jit-threshold", "lots", "/bin/true"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr_lines(&out).len(), 2);
}

#[test]
fn help_version_and_lists() {
    for args in [&["-h"][..], &["--help"], &["-version"], &["-cpu", "help"], &["-d", "help"]] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(!out.stdout.is_empty(), "{args:?}");
    }
    let out = run(&["-cpu", "help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for model in ["cortex-a53", "cortex-a72", "neoverse-n1", "max"] {
        assert!(text.contains(model), "{text}");
    }
}

#[test]
fn files_that_are_not_aarch64_programs() {
    let dir = Scratch::new("files");
    assert_load_error(&dir.0.join("missing"), "No such file or directory");
    assert_load_error(&dir.0, "Is a directory");
    assert_load_error(&dir.file("empty", b""), "not an ELF executable");
    assert_load_error(&dir.file("script", b"#!/bin/sh\necho hi\n"), "not an ELF executable");
    let full = elf_exec(183, 0x100);
    assert_load_error(&dir.file("truncated", &full[..40]), "truncated ELF header");
    assert_load_error(
        &dir.file("short-phdrs", &full[..80]),
        "truncated file: program headers extend beyond the end of the file",
    );
    assert_load_error(
        &dir.file("past-eof", &elf_exec(183, 0x10000)),
        "truncated file: segment 0 extends beyond the end of the file",
    );
    assert_load_error(
        &dir.file("x86", &elf_exec(62, 0x100)),
        "wrong architecture: x86-64 executable (expected AArch64)",
    );
    let mut class32 = full.clone();
    class32[4] = 1;
    assert_load_error(
        &dir.file("class32", &class32),
        "32-bit ELF is not supported (Kestrel runs 64-bit AArch64 programs)",
    );
}

#[test]
fn object_files_are_refused() {
    let dir = Scratch::new("objects");
    let aarch64 = Object::new(BinaryFormat::Elf, Architecture::Aarch64, Endianness::Little)
        .write()
        .unwrap();
    assert_load_error(&dir.file("a64.o", &aarch64), "not an executable (relocatable object file)");
    let x86 = Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little)
        .write()
        .unwrap();
    assert_load_error(&dir.file("x86.o", &x86), "wrong architecture: x86-64 executable (expected AArch64)");
}

#[test]
fn host_binary_is_refused() {
    // Kestrel itself is an x86-64 program.
    let out = run(&[KESTREL]);
    assert_eq!(out.status.code(), Some(1));
    let lines = stderr_lines(&out);
    assert_eq!(lines.len(), 1);
    assert!(lines[0].ends_with("wrong architecture: x86-64 executable (expected AArch64)"), "{lines:?}");
}
