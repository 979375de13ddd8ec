//! Runs the prebuilt AArch64 test programs (test-binaries/) under Kestrel and
//! compares stdout and exit status with the reference outputs recorded from
//! qemu-aarch64 (test-binaries/expected/). Each case runs on both tiers: with
//! the default JIT threshold and interpreter-only, so a difference between the
//! tiers shows up as a failing case.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

struct Case {
    name: String,
    binary: String,
    args: Vec<String>,
}

fn cases() -> Vec<Case> {
    let manifest = repo_root().join("test-binaries/cases.txt");
    let text = std::fs::read_to_string(&manifest).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut f = l.split('\t');
            let name = f.next().unwrap_or_default().to_string();
            let binary = f.next().unwrap_or_default().to_string();
            let args = f.next().unwrap_or_default().split_whitespace().map(str::to_string).collect();
            Case { name, binary, args }
        })
        .collect()
}

/// Exit status the way a shell reports it: the code, or 128 + signal.
fn shell_status(status: std::process::ExitStatus) -> i32 {
    status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}

fn run_all(extra: &[&str]) {
    let root = repo_root();
    let kestrel = env!("CARGO_BIN_EXE_kestrel-aarch64");
    let cases = cases();
    assert!(!cases.is_empty(), "no test cases in test-binaries/cases.txt");
    let mut failures = Vec::new();
    for case in &cases {
        let binary = root.join("test-binaries/bin").join(&case.binary);
        assert!(binary.exists(), "fixture missing: {} (run `make -C test-binaries`)", binary.display());
        let expected_out = std::fs::read(root.join(format!("test-binaries/expected/{}.stdout", case.name)))
            .unwrap_or_else(|e| panic!("reference output for {}: {e}", case.name));
        let expected_status: i32 = std::fs::read_to_string(root.join(format!("test-binaries/expected/{}.status", case.name)))
            .unwrap_or_else(|e| panic!("reference status for {}: {e}", case.name))
            .trim()
            .parse()
            .expect("status file holds a number");
        let out = Command::new(kestrel)
            .args(extra)
            .arg(&binary)
            .args(&case.args)
            .current_dir(&root)
            .stdin(Stdio::null())
            .output()
            .expect("run kestrel");
        let status = shell_status(out.status);
        if out.stdout != expected_out || status != expected_status {
            failures.push(format!(
                "{} ({:?}): status {status} (expected {expected_status})\n--- expected\n{}\n--- got\n{}\n--- stderr\n{}",
                case.name,
                extra,
                String::from_utf8_lossy(&expected_out),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn programs_match_reference_outputs() {
    run_all(&[]);
}

#[test]
fn programs_match_reference_outputs_when_compiled_immediately() {
    run_all(&["--jit-threshold", "1"]);
}

#[test]
fn programs_match_reference_outputs_interpreted() {
    run_all(&["--interp"]);
}

/// Baseline code first, optimised on a compiler thread soon after: the
/// two tiers mix within every program.
#[test]
fn programs_match_reference_outputs_with_early_optimisation() {
    run_all(&["--jit-threshold", "20"]);
}
