//! `/tmp/perf-PID.map`: tells `perf report` which guest code each piece of
//! translated code implements, so profiles of a guest name its hot blocks
//! (`perf record -g kestrel-aarch64 -perfmap prog; perf report`).
//!
//! One line per translation, `START SIZE NAME` in hex, the format perf reads
//! for JIT-generated code. The file is shared by every thread of the process
//! and written a line at a time.

use std::fs::File;
use std::io::Write;
use std::sync::Mutex;

static MAP: Mutex<Option<File>> = Mutex::new(None);

/// Starts writing the map for this process (idempotent).
pub fn enable() {
    let mut map = MAP.lock().unwrap_or_else(|e| e.into_inner());
    if map.is_none() {
        let path = format!("/tmp/perf-{}.map", std::process::id());
        *map = File::create(path).ok();
    }
}

/// Records that host code `[start, start + len)` implements the guest code
/// at `guest_pc` in the named tier.
pub fn record(start: u64, len: u64, guest_pc: u64, tier: &str) {
    let mut map = MAP.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(f) = map.as_mut() {
        let _ = writeln!(f, "{start:x} {len:x} guest_{guest_pc:x}_{tier}");
    }
}

/// True once [`enable`] has opened the map.
pub fn enabled() -> bool {
    MAP.lock().unwrap_or_else(|e| e.into_inner()).is_some()
}
