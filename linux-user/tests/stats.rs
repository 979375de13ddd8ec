//! `-d stats`: what it says about the instructions translated code leaves
//! to the reference semantics.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// Runs test program `program` with `-d stats` and `options`; its stderr.
fn stats_of(program: &str, options: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_kestrel-aarch64"))
        .env_remove("KESTREL_CACHE_DIR")
        .arg("-d")
        .arg("stats")
        .args(options)
        .arg(repo_root().join("test-binaries/bin").join(program))
        .stdin(Stdio::null())
        .output()
        .expect("run kestrel");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{program}: {:?}\n{stderr}", out.status);
    stderr
}

#[test]
fn scalar_fp_calls_into_the_reference_semantics_are_counted_by_instruction() {
    for options in [&[][..], &["--tiers", "baseline"][..]] {
        let stderr = stats_of("fpscalar", options);
        let mut lines = stderr.lines().skip_while(|l| !l.contains("reference semantics called from translated code"));
        let header = lines.next().unwrap_or_else(|| panic!("{options:?}: no reference-semantics line in:\n{stderr}"));
        let total: u64 = header
            .split_whitespace()
            .skip_while(|w| *w != "code:")
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count in {header}"));
        // Each listed instruction: a count, then its 8-digit word.
        let listed: Vec<(u64, u32)> = lines
            .map_while(|l| {
                let mut f = l.split_whitespace();
                Some((f.next()?.parse().ok()?, u32::from_str_radix(f.next()?, 16).ok()?))
            })
            .collect();
        assert!(!listed.is_empty(), "{options:?}: no instructions listed:\n{stderr}");
        let listed_sum: u64 = listed.iter().map(|&(c, _)| c).sum();
        assert!(listed_sum <= total && listed[0].0 > 0, "{options:?}: {listed:?} against {total}");
        // Scalar FP data processing (bits 28-24 = 11110) is among them.
        assert!(listed.iter().any(|&(_, w)| w & 0x1f00_0000 == 0x1e00_0000), "{options:?}: no scalar FP in {listed:?}");
    }
}
