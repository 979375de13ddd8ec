//! One code cache per process: the threads of a guest run the same
//! translations (a block is translated once, whichever thread runs it), and
//! code is retired and freed while other threads may be inside it.
//!
//! `shared_code N` runs the same tour through libc on N threads; `threads`,
//! `smc_threads` (code rewritten while other threads call it) and
//! `atomics_mt` are the thread tests of `programs.rs`, run here with a code
//! arena so small that it fills, and is replaced under running threads,
//! many times a run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn run(program: &str, args: &[&str], options: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kestrel-aarch64"));
    cmd.env_remove("KESTREL_CACHE_DIR").env_remove("KESTREL_CODE_ARENA_KB").env_remove("KESTREL_COMPILE_THREAD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let bin = repo_root().join("test-binaries/bin").join(program);
    cmd.arg("-d").arg("stats").args(options).arg(bin).args(args).stdin(Stdio::null()).output().expect("run kestrel")
}

fn expected(program: &str) -> String {
    std::fs::read_to_string(repo_root().join(format!("test-binaries/expected/{program}.stdout"))).expect("expected output")
}

/// A number from the `kestrel stats:` line: the one before `word`.
fn stat(stderr: &str, word: &str) -> u64 {
    let line = stderr.lines().find(|l| l.starts_with("kestrel stats:")).unwrap_or_else(|| panic!("no stats in:\n{stderr}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| *w == word).unwrap_or_else(|| panic!("no `{word}` in {line}"));
    words[at - 1].parse().unwrap_or_else(|_| panic!("no number before `{word}` in {line}"))
}

/// Runs `program` and checks its output; returns its stderr.
fn run_checked(program: &str, args: &[&str], options: &[&str], env: &[(&str, &str)]) -> String {
    let out = run(program, args, options, env);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{program} {options:?} {env:?}: {:?}\n{stderr}", out.status);
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected(program), "{program} {options:?} {env:?}\n{stderr}");
    stderr
}

#[test]
fn threads_running_the_same_code_translate_it_once() {
    for options in [&[][..], &["--tiers", "baseline"][..]] {
        let one = stat(&run_checked("shared_code", &["1"], options, &[]), "blocks");
        let eight = stat(&run_checked("shared_code", &["8"], options, &[]), "blocks");
        // With a translator per thread, eight threads decoded the tour eight
        // times (13,205 blocks against 3,115 for one thread, measured).
        assert!(eight * 4 < one * 5, "{options:?}: 8 threads decoded {eight} blocks, 1 thread {one}");
    }
}

#[test]
fn code_is_retired_safely_while_other_threads_run_it() {
    // 256 KiB holds about a third of the tour's baseline code: over a
    // hundred arenas are retired while the eight threads run.
    for options in [&[][..], &["--tiers", "baseline"][..]] {
        let stderr = run_checked("shared_code", &["8"], options, &[("KESTREL_CODE_ARENA_KB", "256")]);
        let flushes = stat(&stderr, "code");
        assert!(flushes >= 20, "{options:?}: the small arena filled only {flushes} times");
    }
    for options in [&[][..], &["--tiers", "baseline"][..], &["--jit-threshold", "20"][..]] {
        for program in ["threads", "smc_threads", "atomics_mt"] {
            run_checked(program, &[], options, &[("KESTREL_CODE_ARENA_KB", "64")]);
        }
    }
}

/// The share of execution-loop dispatches that went without the code
/// cache's lock, from the `execution loop:` stats line.
fn lockless_share(stderr: &str) -> f64 {
    let line = stderr.lines().find(|l| l.trim_start().starts_with("execution loop:")).unwrap_or_else(|| panic!("no execution loop stats in:\n{stderr}"));
    let percent = line.split_whitespace().find(|w| w.ends_with('%')).unwrap_or_else(|| panic!("no share in {line}"));
    percent.trim_end_matches('%').parse().unwrap_or_else(|_| panic!("bad share in {line}"))
}

/// Runs the `shared_code-syscalls` case (four threads, a hundred rounds,
/// 25 system calls a round) and checks its output; returns its stderr.
fn run_syscalls_case(options: &[&str], env: &[(&str, &str)]) -> String {
    let out = run("shared_code", &["4", "100", "25"], options, env);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{options:?} {env:?}: {:?}\n{stderr}", out.status);
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected("shared_code-syscalls"), "{options:?} {env:?}\n{stderr}");
    stderr
}

#[test]
fn threads_find_known_code_without_the_lock() {
    // After the tour is translated, a return from a system call finds its
    // block in the thread's own table (70% of all dispatches, measured;
    // every dispatch took the lock before).
    for options in [&[][..], &["--tiers", "baseline"][..]] {
        let stderr = run_syscalls_case(options, &[]);
        let share = lockless_share(&stderr);
        assert!(share > 50.0, "{options:?}: only {share}% of dispatches went without the lock");
    }
}

/// The numbers of the `optimising:` stats line: regions compiled, and those
/// compiled on the compiler thread.
fn optimised_regions(stderr: &str) -> (u64, u64) {
    let line = stderr.lines().find(|l| l.trim_start().starts_with("optimising:")).unwrap_or_else(|| panic!("no optimising stats in:\n{stderr}"));
    let numbers: Vec<u64> = line.split(|c: char| !c.is_ascii_digit()).filter(|w| !w.is_empty()).take(2).map(|w| w.parse().expect("a number")).collect();
    (numbers[0], numbers[1])
}

#[test]
fn hot_regions_compile_on_the_compiler_thread() {
    // The threads keep running baseline code while the regions compile; the
    // output is the same as with regions compiled on the guest thread.
    let stderr = run_syscalls_case(&["--jit-threshold", "200"], &[]);
    let (regions, on_thread) = optimised_regions(&stderr);
    assert!(regions > 20 && on_thread == regions, "{regions} regions, {on_thread} on the compiler thread\n{stderr}");
    let stderr = run_syscalls_case(&["--jit-threshold", "200"], &[("KESTREL_COMPILE_THREAD", "0")]);
    let (regions, on_thread) = optimised_regions(&stderr);
    assert!(regions > 20 && on_thread == 0, "KESTREL_COMPILE_THREAD=0: {regions} regions, {on_thread} on the compiler thread\n{stderr}");
}
