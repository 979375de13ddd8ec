//! The persistent translation cache as users meet it: a second run installs
//! what the first kept, a changed binary never runs stale code, damaged
//! cache files are ignored, many processes can fill one directory at once,
//! the switches turn it off, and the size cap evicts the oldest files.
//!
//! `cache_pie` is position independent, so every run loads it at another
//! address and installed translations are relocated.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn program() -> PathBuf {
    repo_root().join("test-binaries/bin/cache_pie")
}

fn expected() -> String {
    std::fs::read_to_string(repo_root().join("test-binaries/expected/cache_pie.stdout")).expect("expected output")
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kestrel-cache-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn run_with(prog: &Path, env: &[(&str, &str)], options: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kestrel-aarch64"));
    cmd.env_remove("KESTREL_CACHE_DIR").env_remove("XDG_CACHE_HOME").env("HOME", "/nonexistent");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.arg("-d").arg("stats").args(options).arg(prog).stdin(Stdio::null()).output().expect("run kestrel")
}

/// Runs `prog` with the cache in `dir`; checks the output against `want`
/// and returns (hits, misses).
fn run_in(dir: &Path, prog: &Path, want: &str) -> (u64, u64) {
    let out = run_with(prog, &[("KESTREL_CACHE_DIR", dir.to_str().expect("utf-8 path"))], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}\n{stderr}", out.status);
    assert_eq!(String::from_utf8_lossy(&out.stdout), want, "{stderr}");
    counts(&stderr)
}

/// (hits, misses) from the `-d stats` line.
fn counts(stderr: &str) -> (u64, u64) {
    let line = stderr.lines().find(|l| l.contains("persistent cache:")).unwrap_or_else(|| panic!("no cache stats in:\n{stderr}"));
    let numbers: Vec<u64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    (numbers[0], numbers[1])
}

fn cache_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    files.sort();
    files
}

#[test]
fn warm_runs_install_what_cold_runs_kept() {
    let dir = scratch("warm");
    let (hits, misses) = run_in(&dir, &program(), &expected());
    assert_eq!(hits, 0);
    assert!(misses > 200, "{misses} blocks translated");
    assert_eq!(cache_files(&dir).len(), 1, "{:?}", cache_files(&dir));
    for _ in 0..3 {
        let (hits, misses_now) = run_in(&dir, &program(), &expected());
        assert!(hits >= misses * 9 / 10 && misses_now <= misses / 10, "{hits} hits, {misses_now} misses");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_changed_binary_never_runs_stale_code() {
    let dir = scratch("changed");
    let prog = dir.join("prog");
    std::fs::copy(program(), &prog).expect("copy");
    run_in(&dir.join("cache"), &prog, &expected());
    let (hits, _) = run_in(&dir.join("cache"), &prog, &expected());
    assert!(hits > 0);
    // `mov w0, #0x1234` in magic() becomes `mov w0, #0x4321`.
    let mut bytes = std::fs::read(&prog).expect("read");
    let old = 0x5282_4680u32.to_le_bytes();
    let at = bytes.windows(4).position(|w| w == old).expect("magic's instruction");
    bytes[at..at + 4].copy_from_slice(&0x5288_6420u32.to_le_bytes());
    std::fs::write(&prog, &bytes).expect("patch");
    let changed = expected().replace("magic 0x1234", "magic 0x4321");
    assert_ne!(changed, expected());
    let (hits, misses) = run_in(&dir.join("cache"), &prog, &changed);
    assert_eq!(hits, 0, "the changed file is another image");
    assert!(misses > 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn damaged_cache_files_are_ignored() {
    let dir = scratch("damaged");
    run_in(&dir, &program(), &expected());
    let file = cache_files(&dir).pop().expect("a cache file");
    let good = std::fs::read(&file).expect("read");
    let mut flipped = good.clone();
    for i in (0..flipped.len()).step_by(997) {
        flipped[i] ^= 0x5a;
    }
    let variants: [(&str, Vec<u8>); 4] = [
        ("truncated", good[..good.len() / 2].to_vec()),
        ("header only", good[..48].to_vec()),
        ("bytes flipped", flipped),
        ("garbage", vec![0xa5; 5000]),
    ];
    for (what, bytes) in variants {
        std::fs::write(&file, &bytes).expect("damage");
        let (hits, misses) = run_in(&dir, &program(), &expected());
        assert_eq!(hits, 0, "{what}: nothing may be installed from it");
        assert!(misses > 0, "{what}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn concurrent_processes_share_one_directory() {
    let dir = scratch("concurrent");
    let children: Vec<_> = (0..8)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_kestrel-aarch64"))
                .env("KESTREL_CACHE_DIR", &dir)
                .arg(program())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected());
    }
    let files = cache_files(&dir);
    assert_eq!(files.len(), 1, "one cache file and no temporary ones left: {files:?}");
    let (hits, _) = run_in(&dir, &program(), &expected());
    assert!(hits > 200, "{hits}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn switches_and_unwritable_places_turn_it_off() {
    let dir = scratch("off");
    let out = run_with(&program(), &[("KESTREL_CACHE_DIR", "off"), ("XDG_CACHE_HOME", dir.to_str().expect("utf-8"))], &[]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("persistent cache:"));
    assert!(cache_files(&dir).is_empty());

    let cache = dir.join("c");
    let out = run_with(&program(), &[("KESTREL_CACHE_DIR", cache.to_str().expect("utf-8"))], &["--code-cache", "off"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected());
    assert!(!cache.exists());

    // Off unless asked for; `on` means XDG_CACHE_HOME/kestrel.
    let out = run_with(&program(), &[("XDG_CACHE_HOME", dir.to_str().expect("utf-8"))], &[]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected());
    assert!(!dir.join("kestrel").exists());
    let out = run_with(&program(), &[("XDG_CACHE_HOME", dir.to_str().expect("utf-8")), ("KESTREL_CACHE_DIR", "on")], &[]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected());
    assert_eq!(cache_files(&dir.join("kestrel")).len(), 1);

    // Nowhere writable: the program runs as without a cache.
    let out = run_with(&program(), &[("KESTREL_CACHE_DIR", "/proc/kestrel-no-such-dir")], &[]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_size_cap_evicts_the_oldest_files() {
    let dir = scratch("cap");
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for (i, name) in ["a.kc", "b.kc", "c.kc"].iter().enumerate() {
        let f = dir.join(name);
        std::fs::write(&f, vec![0u8; 300 << 10]).expect("filler");
        let when = old + std::time::Duration::from_secs(i as u64);
        std::fs::File::options().append(true).open(&f).and_then(|f| f.set_modified(when)).expect("age");
    }
    let out = run_with(&program(), &[("KESTREL_CACHE_DIR", dir.to_str().expect("utf-8")), ("KESTREL_CACHE_MAX_MB", "1")], &[]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected());
    let names: Vec<String> = cache_files(&dir).iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert!(!names.contains(&"a.kc".to_string()) && !names.contains(&"b.kc".to_string()), "{names:?}");
    assert_eq!(names.len(), 2, "the newest filler and the new cache file: {names:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
