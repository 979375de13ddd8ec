//! The registry of mappings and a save/load round trip through a real
//! directory (the process-wide configuration is set once, here).

use super::*;

fn record(n: u8) -> CodeRecord {
    CodeRecord { code: vec![n; 24], entry: 0, leave: 12, guest_insns: 2, ..CodeRecord::default() }
}

/// As if a new process mapped the file at `start`: the image is forgotten
/// and registered again, which reads its cache file.
fn remap(key: u64, start: u64) -> ImageAt {
    IMAGES.lock().unwrap().as_mut().unwrap().remove(&key);
    register_mapping(start, start + 0x40_000, 0x1000, key, 0x50_000);
    image_at(start).expect("mapped")
}

fn lookup(at: &ImageAt, pc: u64, words: u64, flags: u32) -> Option<CodeRecord> {
    let mut out = CodeRecord::default();
    at.cached(pc, words, flags, &mut out).then_some(out)
}

#[test]
fn mappings_records_and_files() {
    let dir = std::env::temp_dir().join(format!("kestrel-persist-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    configure(Config { dir: dir.clone(), version: 7, max_bytes: 1 << 30 });

    // A file mapped at 0x10_0000 from offset 0x1000; part of it unmapped.
    let key = 0x1234_5678;
    register_mapping(0x10_0000, 0x14_0000, 0x1000, key, 0x50_000);
    let at = image_at(0x10_0040).expect("mapped");
    assert_eq!(at.base, 0x0f_f000);
    assert!(image_at(0x14_0000).is_none());
    unregister_range(0x11_0000, 0x12_0000);
    assert!(image_at(0x11_0004).is_none());
    assert!(image_at(0x12_0004).is_some() && image_at(0x10_fffc).is_some());

    // Nothing stored yet; a record made now is saved and found by the next
    // process with the same words and flags only.
    assert!(lookup(&at, 0x10_0040, 99, 1).is_none());
    at.add(0x10_0040, 99, 1, &record(5));
    save_all();
    let file = dir.join(format!("{key:016x}-{:016x}.kc", 7));
    assert!(file.exists(), "{}", file.display());
    // The file mapped elsewhere: the same relative pc.
    let moved = remap(key, 0x30_1000);
    assert_eq!(moved.base, 0x30_0000);
    assert_eq!(lookup(&moved, 0x30_1040, 99, 1), Some(record(5)));
    assert!(lookup(&moved, 0x30_1040, 98, 1).is_none(), "other words");
    assert!(lookup(&moved, 0x30_1040, 99, 0).is_none(), "other flags");
    assert!(lookup(&moved, 0x30_1044, 99, 1).is_none(), "other pc");

    // A corrupt file is ignored as a whole.
    let mut bytes = std::fs::read(&file).expect("cache file");
    bytes[format::HEADER + 1] ^= 0x10;
    std::fs::write(&file, &bytes).expect("rewrite");
    let damaged = remap(key, 0x30_1000);
    assert!(lookup(&damaged, 0x30_1040, 99, 1).is_none());

    // The size cap deletes the oldest files.
    std::fs::write(dir.join("old.kc"), vec![0u8; 4000]).expect("write");
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(dir.join("new.kc"), vec![0u8; 4000]).expect("write");
    trim(&dir, 6000);
    assert!(!dir.join("old.kc").exists() && dir.join("new.kc").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
