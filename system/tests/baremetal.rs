//! Bare-metal programs of test-binaries/system/ (exceptions, MMU, timers
//! through the GIC, PSCI and SMP, the UART) run under Kestrel; their console
//! output must equal what qemu-system-aarch64 printed for the same command
//! line (test-binaries/system/expected/). Each case runs several times: the
//! multi-vCPU ones must not pass only sometimes. The default runs use both
//! translators; every case also runs once with each tier alone
//! (`KESTREL_SYSTEM_TIER`): baseline code only, Cranelift code only, and the
//! interpreter.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_kestrel-system-aarch64");
const RUNS: usize = 3;
const TIMEOUT: Duration = Duration::from_secs(60);

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-binaries/system")
}

/// The base options every case starts from; a case's -M, -cpu, -m or -smp
/// replaces the base one (as test-binaries/system/record.sh does).
const BASE: [(&str, Option<&str>); 5] =
    [("-M", Some("virt")), ("-cpu", Some("cortex-a57")), ("-m", Some("256")), ("-nographic", None), ("-no-reboot", None)];

fn same_option(a: &str, b: &str) -> bool {
    let canon = |o: &str| if o == "-machine" { "-M".to_string() } else { o.to_string() };
    canon(a) == canon(b)
}

fn case_args(image: &str, opts: &[&str]) -> Vec<String> {
    let mut args = Vec::new();
    for (opt, value) in BASE {
        if opts.iter().any(|o| same_option(o, opt)) {
            continue;
        }
        args.push(opt.to_string());
        args.extend(value.map(str::to_string));
    }
    args.extend(opts.iter().map(|s| s.to_string()));
    args.push("-kernel".into());
    args.push(dir().join("bin").join(image).display().to_string());
    args
}

/// Runs one case with the tiers `tier` names ("" for the default); its
/// console output, or why it failed.
fn run(args: &[String], tier: &str) -> Result<String, String> {
    let mut child = Command::new(BIN)
        .args(args)
        .env("KESTREL_SYSTEM_TIER", tier)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            let out = child.wait_with_output().map_err(|e| e.to_string())?;
            let stdout = String::from_utf8_lossy(&out.stdout).replace('\r', "");
            if !status.success() {
                return Err(format!("exit {status}; stderr: {}", String::from_utf8_lossy(&out.stderr)));
            }
            return Ok(stdout);
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let out = child.wait_with_output().map_err(|e| e.to_string())?;
            return Err(format!("timed out; output so far:\n{}", String::from_utf8_lossy(&out.stdout)));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The command line and the expected output of case `name`.
fn case(name: &str) -> (Vec<String>, String) {
    let cases = std::fs::read_to_string(dir().join("cases.txt")).expect("cases.txt");
    let line = cases
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no case {name} in cases.txt"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let expected = std::fs::read_to_string(dir().join("expected").join(format!("{name}.out"))).expect("expected output");
    (case_args(words[1], &words[2..]), expected)
}

fn check_case(name: &str) {
    let (args, expected) = case(name);
    for run_no in 1..=RUNS {
        match run(&args, "") {
            Ok(out) => assert_eq!(out, expected, "{name}, run {run_no}: output differs from qemu's"),
            Err(why) => panic!("{name}, run {run_no}: {why}"),
        }
    }
}

/// Every case once with only the tiers `tier` names.
fn check_every_case_with(tier: &str) {
    let cases = std::fs::read_to_string(dir().join("cases.txt")).expect("cases.txt");
    for name in cases.lines().filter_map(|l| l.split_whitespace().next()).filter(|n| !n.starts_with('#')) {
        let (args, expected) = case(name);
        match run(&args, tier) {
            Ok(out) => assert_eq!(out, expected, "{name} with KESTREL_SYSTEM_TIER={tier}: output differs from qemu's"),
            Err(why) => panic!("{name} with KESTREL_SYSTEM_TIER={tier}: {why}"),
        }
    }
}

#[test]
fn every_case_with_baseline_code_only() {
    check_every_case_with("baseline");
}

#[test]
fn every_case_with_optimised_code_only() {
    check_every_case_with("optimizing");
}

#[test]
fn every_case_in_the_interpreter() {
    check_every_case_with("interp");
}

/// Every case of cases.txt has a test below.
#[test]
fn every_case_is_tested() {
    let cases = std::fs::read_to_string(dir().join("cases.txt")).expect("cases.txt");
    let names: Vec<&str> =
        cases.lines().filter_map(|l| l.split_whitespace().next()).filter(|n| !n.starts_with('#')).collect();
    assert_eq!(names, ["uart", "exceptions", "mmu", "mmu_pan", "timer_gicv2", "timer_gicv3", "smp", "smc", "tlbi", "remap"]);
}

#[test]
fn uart() {
    check_case("uart");
}

#[test]
fn exceptions() {
    check_case("exceptions");
}

#[test]
fn mmu() {
    check_case("mmu");
}

#[test]
fn mmu_pan() {
    check_case("mmu_pan");
}

#[test]
fn timer_gicv2() {
    check_case("timer_gicv2");
}

#[test]
fn timer_gicv3() {
    check_case("timer_gicv3");
}

#[test]
fn smp() {
    check_case("smp");
}

#[test]
fn smc() {
    check_case("smc");
}

#[test]
fn tlbi() {
    check_case("tlbi");
}

#[test]
fn remap() {
    check_case("remap");
}
