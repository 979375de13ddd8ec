//! The guest's `/proc` files where the reference emulator (qemu-user 7.2)
//! cannot give the expected output: `procfs strict` checks what Linux on
//! AArch64 shows and qemu does not emulate, and `procfs cpuinfo` must follow
//! the `-cpu` model. (The plain `procfs` case is in test-binaries/cases.txt.)

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// Runs `procfs ARGS` under Kestrel with `options`; returns stdout, asserting
/// that every check passed.
fn run(options: &[&str], args: &[&str]) -> String {
    let root = repo_root();
    let out = Command::new(env!("CARGO_BIN_EXE_kestrel-aarch64"))
        .args(options)
        .arg(root.join("test-binaries/bin/procfs"))
        .args(args)
        .current_dir(&root)
        .stdin(Stdio::null())
        .output()
        .expect("run kestrel");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && !stdout.contains("FAIL"),
        "{options:?} {args:?}: {:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn strict_linux_behaviour() {
    let out = run(&[], &["strict"]);
    for group in ["exe: ok", "strict: ok", "stat: ok", "heap: ok"] {
        assert!(out.contains(group), "{group} missing:\n{out}");
    }
    // Both tiers agree.
    run(&["--interp"], &["strict"]);
}

#[test]
fn cpuinfo_follows_the_cpu_model() {
    let cases = [
        ("cortex-a53", "0x0", "0xd03", "4", false),
        ("cortex-a72", "0x0", "0xd08", "3", false),
        ("neoverse-n1", "0x3", "0xd0c", "1", true),
        ("neoverse-n2", "0x0", "0xd49", "0", true),
    ];
    for (model, variant, part, revision, atomics) in cases {
        let out = run(&["-cpu", model], &["cpuinfo"]);
        assert!(out.contains("CPU implementer\t: 0x41\n"), "{model}:\n{out}");
        assert!(out.contains(&format!("CPU variant\t: {variant}\n")), "{model}:\n{out}");
        assert!(out.contains(&format!("CPU part\t: {part}\n")), "{model}:\n{out}");
        assert!(out.contains(&format!("CPU revision\t: {revision}\n")), "{model}:\n{out}");
        assert!(out.contains("Features\t: fp asimd "), "{model}:\n{out}");
        assert_eq!(out.contains(" atomics"), atomics, "{model}:\n{out}");
        assert!(out.contains("cpuinfo: ok"), "{model}:\n{out}");
    }
}
