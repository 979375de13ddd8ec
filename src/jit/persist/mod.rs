//! The persistent translation cache: baseline translations of the code in
//! mapped files, kept on disk and installed by later processes that map the
//! same files, so that a program's second run does not translate again.
//!
//! - The front end registers every executable file mapping
//!   ([`register_mapping`]) with the file's content hash ([`hash64`] of its
//!   bytes) and unregisters ranges that go away.
//! - A block inside a registered mapping is translated with the image's
//!   address range, so every guest address in it is emitted rewritable; the
//!   translation is recorded with those addresses made relative to the
//!   image base (the guest address of file offset 0), so ASLR and PIE bases
//!   do not matter.
//! - Before translating such a block the engine asks [`ImageAt::cached`]:
//!   a record for the same image-relative pc, the same hash of the
//!   instruction words now in memory and the same translation flags is
//!   installed instead (`Baseline::install`). A changed file has another
//!   content hash, and a block whose words changed in memory has another
//!   words hash, so stale code never runs.
//! - [`save_all`] (at exit and exec) writes each image's records, old and
//!   new, to `<dir>/<image hash>-<Kestrel version>.kc` through a temporary
//!   file and a rename, so concurrent processes never see a partial file;
//!   then trims the directory to its size cap, oldest files first (a file
//!   is touched whenever a process loads it).
//! - Files are checked (`format`): a truncated or corrupt file, or record,
//!   is ignored.
//!
//! The cache is off until [`configure`] names a directory; where nothing is
//! writable the saves fail quietly and every run translates afresh.

mod format;
pub mod hash;

use crate::backend::x86::CodeRecord;
use format::{Checked, IndexEntry};
pub use hash::hash64;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

/// Where and for which Kestrel build the cache lives.
#[derive(Debug, Clone)]
pub struct Config {
    /// The cache directory (created on the first save).
    pub dir: PathBuf,
    /// Identifies the Kestrel build: translations of another build are
    /// never used.
    pub version: u64,
    /// Bytes the directory may hold; older files are deleted beyond it.
    pub max_bytes: u64,
}

static CONFIG: OnceLock<Config> = OnceLock::new();

/// Turns the cache on for this process.
pub fn configure(config: Config) {
    let _ = CONFIG.set(config);
}

/// Whether the cache is on.
pub fn enabled() -> bool {
    CONFIG.get().is_some()
}

/// Bytes after a file's end that still count as its image (its
/// zero-initialised data follows the file's contents in memory).
const IMAGE_TAIL: u64 = 256 << 20;

/// One mapped file's translations: those read from its cache file and
/// those made by this process.
struct Image {
    /// The cache file as it was when the file was first mapped (`None`:
    /// absent or unsound).
    stored: Option<Arc<MappedFile>>,
    /// Records made by this process, in the order made.
    fresh: Fresh,
}

/// New records of one image: index entries (whose `offset` and `len` say
/// where in `bytes` each record is) and the records back to back, so that
/// keeping a translation costs no allocation of its own.
#[derive(Default)]
struct Fresh {
    entries: Vec<IndexEntry>,
    bytes: Vec<u8>,
}

impl Fresh {
    fn len(&self) -> usize {
        self.entries.len()
    }

    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn record(&self, e: &IndexEntry) -> &[u8] {
        &self.bytes[e.offset as usize..e.offset as usize + e.len as usize]
    }
}

/// Every image by content hash. One lock for all of them, so that a fork
/// can hold it (see [`lock_for_fork`]).
static IMAGES: Mutex<Option<HashMap<u64, Image>>> = Mutex::new(None);

fn cache_path(config: &Config, key: u64) -> PathBuf {
    config.dir.join(format!("{key:016x}-{:016x}.kc", config.version))
}

/// A cache file mapped read-only. Files are only ever replaced by a
/// rename, never rewritten in place, so the mapping keeps the bytes it was
/// checked with; only the records a process installs are paged in.
pub struct MappedFile {
    ptr: *const u8,
    len: usize,
}

// SAFETY: the mapping is read-only and lives until the struct is dropped.
unsafe impl Send for MappedFile {}
// SAFETY: as above; shared reads only.
unsafe impl Sync for MappedFile {}

impl MappedFile {
    fn open(path: &Path) -> Option<MappedFile> {
        use std::os::fd::AsRawFd;
        let file = std::fs::File::open(path).ok()?;
        let len = file.metadata().ok()?.len() as usize;
        if len == 0 {
            return None;
        }
        // SAFETY: a private read-only mapping of a regular file, unmapped in
        // `drop`; the file descriptor may close afterwards.
        let p = unsafe { libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ, libc::MAP_PRIVATE, file.as_raw_fd(), 0) };
        (p != libc::MAP_FAILED).then_some(MappedFile { ptr: p as *const u8, len })
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: `ptr` maps `len` readable bytes for the life of `self`.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

impl Drop for MappedFile {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping made in `open`.
        unsafe { libc::munmap(self.ptr as *mut libc::c_void, self.len) };
    }
}

/// Maps and checks the cache file of image `key`.
fn read_stored(config: &Config, key: u64) -> Option<Arc<MappedFile>> {
    let path = cache_path(config, key);
    let file = MappedFile::open(&path)?;
    Checked::new(file.bytes(), key, config.version)?;
    // Recently used: the size cap deletes the oldest files first.
    let _ = std::fs::File::options().append(true).open(&path).and_then(|f| f.set_modified(std::time::SystemTime::now()));
    Some(Arc::new(file))
}

/// A registered mapping that holds a pc.
#[derive(Clone)]
pub struct ImageAt {
    /// Content hash of the file.
    pub key: u64,
    /// Guest address of file offset 0.
    pub base: u64,
    file_len: u64,
    /// The image's cache file, checked.
    stored: Option<Arc<MappedFile>>,
}

impl ImageAt {
    /// Guest addresses that belong to the image (relocated when recorded).
    pub fn range(&self) -> (u64, u64) {
        (self.base, self.base.saturating_add(self.file_len + IMAGE_TAIL))
    }

    /// Puts in `out` the stored translation of the block at `pc` whose
    /// words hash to `words` and that was translated with `flags`; false if
    /// there is none (`out` is reused, so a hit allocates nothing).
    pub fn cached(&self, pc: u64, words: u64, flags: u32, out: &mut CodeRecord) -> bool {
        let Some(stored) = &self.stored else { return false };
        let file = Checked::reopen(stored.bytes());
        let Some(e) = file.find(pc.wrapping_sub(self.base)) else { return false };
        if e.words != words || e.flags != flags {
            return false;
        }
        file.record_bytes(&e).is_some_and(|bytes| format::decode_record_into(bytes, out))
    }

    /// Keeps this process's translation of the block at `pc` for the save.
    pub fn add(&self, pc: u64, words: u64, flags: u32, record: &CodeRecord) {
        let rel = pc.wrapping_sub(self.base);
        let mut images = IMAGES.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(image) = images.as_mut().and_then(|m| m.get_mut(&self.key)) {
            let fresh = &mut image.fresh;
            let offset = fresh.bytes.len();
            format::encode_record(record, &mut fresh.bytes);
            let len = (fresh.bytes.len() - offset) as u32;
            fresh.entries.push(IndexEntry { rel, words, checksum: 0, offset: offset as u32, len, flags });
        }
    }
}

struct Mapping {
    end: u64,
    at: ImageAt,
}

static MAPPINGS: RwLock<BTreeMap<u64, Mapping>> = RwLock::new(BTreeMap::new());

/// Records that guest `[start, end)` maps bytes of a file whose content
/// hashes to `key` and is `file_len` bytes long, from `file_offset`.
pub fn register_mapping(start: u64, end: u64, file_offset: u64, key: u64, file_len: u64) {
    if !enabled() || start >= end {
        return;
    }
    let stored = {
        let mut images = IMAGES.lock().unwrap_or_else(|e| e.into_inner());
        let image = images.get_or_insert_with(HashMap::new).entry(key).or_insert_with(|| Image {
            stored: CONFIG.get().and_then(|c| read_stored(c, key)),
            fresh: Fresh::default(),
        });
        image.stored.clone()
    };
    unregister_range(start, end);
    let at = ImageAt { key, base: start.wrapping_sub(file_offset), file_len, stored };
    MAPPINGS.write().unwrap_or_else(|e| e.into_inner()).insert(start, Mapping { end, at });
}

/// Forgets the mappings of guest `[start, end)` (unmapped or replaced).
pub fn unregister_range(start: u64, end: u64) {
    if !enabled() {
        return;
    }
    let mut map = MAPPINGS.write().unwrap_or_else(|e| e.into_inner());
    let cut: Vec<u64> = map.range(..end).filter(|(_, m)| m.end > start).map(|(&s, _)| s).collect();
    for s in cut {
        if let Some(m) = map.remove(&s) {
            if s < start {
                map.insert(s, Mapping { end: start, at: m.at.clone() });
            }
            if m.end > end {
                map.insert(end, Mapping { end: m.end, at: m.at });
            }
        }
    }
}

/// The registered mapping holding `pc`.
pub fn image_at(pc: u64) -> Option<ImageAt> {
    if !enabled() {
        return None;
    }
    let map = MAPPINGS.read().unwrap_or_else(|e| e.into_inner());
    let (_, m) = map.range(..=pc).next_back()?;
    (pc < m.end).then(|| m.at.clone())
}

/// Holds the cache's locks across a `fork`, so that the child gets them
/// free whatever other threads were doing.
pub struct ForkGuard {
    _images: std::sync::MutexGuard<'static, Option<HashMap<u64, Image>>>,
    _mappings: std::sync::RwLockWriteGuard<'static, BTreeMap<u64, Mapping>>,
}

/// Takes the cache's locks (always images, then mappings).
pub fn lock_for_fork() -> ForkGuard {
    ForkGuard {
        _images: IMAGES.lock().unwrap_or_else(|e| e.into_inner()),
        _mappings: MAPPINGS.write().unwrap_or_else(|e| e.into_inner()),
    }
}

/// In a forked child: the parent's new translations are the parent's to
/// save; the child saves only its own.
pub fn forget_fresh_after_fork() {
    if let Some(images) = IMAGES.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        images.values_mut().for_each(|i| i.fresh = Fresh::default());
    }
}

/// Hash of a block's instruction words.
pub fn words_hash(words: impl Iterator<Item = u32>) -> u64 {
    let mut bytes = [0u8; 4 * 64];
    let mut n = 0;
    let mut h = 0;
    for w in words {
        if n == bytes.len() {
            h = hash64(&bytes, h);
            n = 0;
        }
        bytes[n..n + 4].copy_from_slice(&w.to_le_bytes());
        n += 4;
    }
    hash64(&bytes[..n], h ^ 2)
}

/// Counters for `-d stats`.
pub static HITS: AtomicU64 = AtomicU64::new(0);
/// Blocks in a registered image that had to be translated.
pub static MISSES: AtomicU64 = AtomicU64::new(0);

/// Writes every image that gained enough translations to be worth a
/// rewrite of its file: any when it has none yet, else 256 blocks or a
/// fiftieth of what it holds. Safe to call more than once.
pub fn save_all() {
    let Some(config) = CONFIG.get() else { return };
    let work: Vec<(u64, Fresh)> = {
        let mut images = IMAGES.lock().unwrap_or_else(|e| e.into_inner());
        let Some(images) = images.as_mut() else { return };
        images
            .iter_mut()
            .filter(|(_, i)| {
                let stored = i.stored.as_ref().map_or(0, |f| Checked::reopen(f.bytes()).len());
                !i.fresh.is_empty() && (stored == 0 || i.fresh.len() >= 256 || i.fresh.len() * 50 >= stored)
            })
            .map(|(&k, i)| (k, std::mem::take(&mut i.fresh)))
            .collect()
    };
    let mut wrote = false;
    for (key, fresh) in work {
        wrote |= save_image(config, key, fresh).is_ok();
    }
    if wrote {
        trim(&config.dir, config.max_bytes);
    }
}

/// Merges `fresh` into image `key`'s file (re-read now: another process
/// may have saved since) and replaces the file atomically.
fn save_image(config: &Config, key: u64, fresh: Fresh) -> std::io::Result<()> {
    std::fs::create_dir_all(&config.dir)?;
    let path = cache_path(config, key);
    let old = std::fs::read(&path).unwrap_or_default();
    // (entry, bytes, checksum known): the file's intact records, then this
    // process's, in the order made.
    let mut records: Vec<(IndexEntry, &[u8], bool)> = Vec::new();
    if let Some(file) = Checked::new(&old, key, config.version) {
        for i in 0..file.len() {
            let e = file.entry(i);
            if let Some(bytes) = file.record_bytes(&e) {
                records.push((e, bytes, true));
            }
        }
    }
    records.extend(fresh.entries.iter().map(|e| (*e, fresh.record(e), false)));
    // By pc; of several records of one pc the last (the newest) stays.
    records.reverse();
    records.sort_by_key(|r| r.0.rel);
    records.dedup_by_key(|r| r.0.rel);
    let bytes = format::build_file(key, config.version, &records);
    static UNIQUE: AtomicU64 = AtomicU64::new(0);
    let tmp = config.dir.join(format!(".{key:016x}.{}.{}.tmp", std::process::id(), UNIQUE.fetch_add(1, Ordering::Relaxed)));
    let result = std::fs::write(&tmp, &bytes).and_then(|_| std::fs::rename(&tmp, &path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Deletes the oldest cache files until the directory holds at most
/// `max_bytes` (down to 3/4 of it, so that not every save trims).
pub fn trim(dir: &Path, max_bytes: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut files: Vec<(std::time::SystemTime, u64, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "kc"))
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            Some((m.modified().ok()?, m.len(), e.path()))
        })
        .collect();
    let mut total: u64 = files.iter().map(|f| f.1).sum();
    if total <= max_bytes {
        return;
    }
    files.sort();
    for (_, len, path) in files {
        if total <= max_bytes / 4 * 3 {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            total -= len;
        }
    }
}

#[cfg(test)]
mod tests;
