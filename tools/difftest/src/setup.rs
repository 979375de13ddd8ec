//! Finding the programs a run needs: the guest harness (embedded in this
//! crate), qemu-aarch64 and Kestrel's `kestrel-aarch64`.

use crate::emulator::Emulator;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The prebuilt harness (`guest/harness`, rebuilt by `guest/Makefile`).
pub const HARNESS: &[u8] = include_bytes!("../guest/harness");

/// Writes the embedded harness to a file named after its contents in the
/// temporary directory (so concurrent runs share it safely) and returns its
/// path.
pub fn install_harness() -> std::io::Result<PathBuf> {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in HARNESS {
        h = (h ^ *b as u64).wrapping_mul(0x100_0000_01b3);
    }
    let path = std::env::temp_dir().join(format!("kestrel-difftest-harness-{h:016x}"));
    if std::fs::read(&path).is_ok_and(|b| b == HARNESS) {
        return Ok(path);
    }
    static UNIQUE: AtomicU64 = AtomicU64::new(0);
    let tmp = path.with_extension(format!("tmp{}-{}", std::process::id(), UNIQUE.fetch_add(1, Ordering::Relaxed)));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(HARNESS)?;
    f.set_permissions(std::fs::Permissions::from_mode(0o755))?;
    drop(f);
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

fn executable(p: &Path) -> bool {
    p.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// `name` on `PATH`.
pub fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(name)).find(|p| executable(p))
}

/// qemu-aarch64: `$QEMU_AARCH64`, else on `PATH`.
pub fn find_qemu() -> Option<PathBuf> {
    match std::env::var_os("QEMU_AARCH64") {
        Some(p) => Some(PathBuf::from(p)),
        None => which("qemu-aarch64"),
    }
}

/// qemu 10's qemu-aarch64, the oracle of the Armv8.6+ extension classes:
/// `$QEMU10_AARCH64`, else where scripts/fetch-qemu10.sh caches it
/// (`.cache/qemu10` of the repository this program was built in).
pub fn find_qemu10() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("QEMU10_AARCH64") {
        return Some(PathBuf::from(p));
    }
    let cached = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/qemu10/root/usr/bin/qemu-aarch64");
    executable(&cached).then_some(cached)
}

/// kestrel-aarch64: `$KESTREL_BIN`, else next to this executable (the same
/// cargo target directory), or one level up (from `target/*/deps`).
pub fn find_kestrel() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KESTREL_BIN") {
        return Some(PathBuf::from(p));
    }
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    [dir.join("kestrel-aarch64"), dir.parent()?.join("kestrel-aarch64")].into_iter().find(|p| executable(p))
}

/// The Kestrel modes a run can check.
pub const MODES: &[(&str, &[&str])] = &[
    // The default: the tests' code runs once, in baseline code, while the
    // harness around it gets hot and optimised.
    ("default", &[]),
    // Each tier alone: the reference interpreter, baseline code only, and
    // every block compiled by the optimising tier before its first run.
    ("interp", &["--interp"]),
    ("baseline", &["--tiers", "baseline"]),
    ("jit", &["--tiers", "opt"]),
];

/// Kestrel in mode `name`.
pub fn kestrel_mode(kestrel: &Path, name: &str) -> Option<Emulator> {
    let (_, args) = MODES.iter().find(|(n, _)| *n == name)?;
    Some(Emulator {
        name: name.to_string(),
        program: kestrel.to_path_buf(),
        args: args.iter().map(|s| s.to_string()).collect(),
        is_qemu: false,
    })
}

/// qemu as the oracle.
pub fn qemu_oracle(qemu: &Path) -> Emulator {
    Emulator { name: "qemu".into(), program: qemu.to_path_buf(), args: Vec::new(), is_qemu: true }
}

/// qemu 10 as the oracle of the classes that name it.
pub fn qemu10_oracle(qemu: &Path) -> Emulator {
    Emulator { name: "qemu10".into(), ..qemu_oracle(qemu) }
}
