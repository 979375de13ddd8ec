//! The persistent translation cache (`kestrel::jit::persist`) as this
//! process uses it: where it lives, which Kestrel build this is, which
//! mapped files are images, and when translations are saved.
//!
//! It is off unless asked for: `--code-cache DIR` or `KESTREL_CACHE_DIR=DIR`
//! names the directory, `on` means `$XDG_CACHE_HOME/kestrel`, else
//! `$HOME/.cache/kestrel`; `off` is the default. (Measured on `python3 -c
//! pass`, a first run that fills the cache costs about a third more and a
//! warm run saves only a few per cent, because installing a stored block
//! still costs most of what translating it does; it becomes the default
//! when that changes.) Where the directory cannot be created or written (a
//! read-only chroot, a container without a home), saves fail quietly and
//! programs run as without a cache. `KESTREL_CACHE_MAX_MB` caps its size
//! (default 512).

use kestrel::jit::persist;
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The directory `chosen` (`--code-cache` or `KESTREL_CACHE_DIR`) names,
/// with `on` the default location from the environment; `None` when the
/// cache is off.
pub fn cache_dir(chosen: Option<&Path>, var: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let nonempty = |k: &str| var(k).filter(|v| !v.is_empty());
    match chosen.filter(|c| !c.as_os_str().is_empty()) {
        None => None,
        Some(c) if c == Path::new("off") => None,
        Some(c) if c == Path::new("on") => nonempty("XDG_CACHE_HOME")
            .map(|x| PathBuf::from(x).join("kestrel"))
            .or_else(|| nonempty("HOME").map(|h| PathBuf::from(h).join(".cache/kestrel"))),
        Some(c) => Some(c.to_path_buf()),
    }
}

/// Turns the cache on in the directory `chosen` names (see [`cache_dir`]).
pub fn configure(chosen: Option<&Path>) {
    let Some(dir) = cache_dir(chosen, |k| std::env::var(k).ok()) else { return };
    let max_mb = std::env::var("KESTREL_CACHE_MAX_MB").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(512);
    persist::configure(persist::Config { dir, version: build_version(), max_bytes: max_mb << 20 });
}

/// Identifies this Kestrel build: its GNU build ID (the linker's hash of
/// the executable), else the executable's size and modification time.
fn build_version() -> u64 {
    if let Some(id) = own_build_id() {
        return persist::hash64(&id, 3);
    }
    let meta = std::fs::metadata("/proc/self/exe").ok();
    let (len, mtime) = meta.map(|m| (m.len(), m.mtime_nsec() as u64 ^ (m.mtime() as u64) << 30)).unwrap_or((0, 0));
    persist::hash64(&[len.to_le_bytes(), mtime.to_le_bytes()].concat(), 4)
}

/// The NT_GNU_BUILD_ID note of the running executable, from its program
/// headers in memory.
fn own_build_id() -> Option<Vec<u8>> {
    // SAFETY: getauxval only reads the auxiliary vector.
    let (phdr, phnum) = unsafe { (libc::getauxval(libc::AT_PHDR), libc::getauxval(libc::AT_PHNUM)) };
    if phdr == 0 {
        return None;
    }
    // SAFETY: AT_PHDR/AT_PHNUM describe this executable's program headers,
    // mapped for the life of the process.
    let headers = unsafe { std::slice::from_raw_parts(phdr as *const libc::Elf64_Phdr, phnum as usize) };
    // The load bias: where PT_PHDR says the headers are versus where they are.
    let bias = headers.iter().find(|h| h.p_type == libc::PT_PHDR).map(|h| phdr.wrapping_sub(h.p_vaddr))?;
    for h in headers.iter().filter(|h| h.p_type == libc::PT_NOTE) {
        // SAFETY: a PT_NOTE segment of this executable lies in a loaded
        // (readable) segment.
        let notes = unsafe { std::slice::from_raw_parts(bias.wrapping_add(h.p_vaddr) as *const u8, h.p_memsz as usize) };
        let mut at = 0;
        while at + 12 <= notes.len() {
            let word = |o: usize| u32::from_le_bytes(notes[o..o + 4].try_into().unwrap_or_default()) as usize;
            let (namesz, descsz, kind) = (word(at), word(at + 4), word(at + 8));
            let name_at = at + 12;
            let desc_at = name_at + namesz.next_multiple_of(4);
            let end = desc_at + descsz.next_multiple_of(4);
            if end > notes.len() {
                break;
            }
            if kind == 3 && &notes[name_at..name_at + namesz] == b"GNU\0" {
                return Some(notes[desc_at..desc_at + descsz].to_vec());
            }
            at = end;
        }
    }
    None
}

/// A file's identity while unchanged: device, inode, size, modification
/// time (seconds, nanoseconds).
type FileId = (u64, u64, u64, i64, i64);

/// Content hashes of files by [`FileId`], so a file mapped several times is
/// read once.
static KEYS: Mutex<Option<HashMap<FileId, u64>>> = Mutex::new(None);

/// The content hash and length of the file open as `fd`.
fn file_key(fd: i32) -> Option<(u64, u64)> {
    // SAFETY: fstat writes into the struct we pass.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstat(fd, &mut st) } != 0 || st.st_mode & libc::S_IFMT != libc::S_IFREG || st.st_size <= 0 {
        return None;
    }
    let id = (st.st_dev, st.st_ino, st.st_size as u64, st.st_mtime, st.st_mtime_nsec);
    if let Some(&k) = KEYS.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(HashMap::new).get(&id) {
        return Some((k, st.st_size as u64));
    }
    let len = st.st_size as usize;
    // SAFETY: a private read-only mapping of a regular file, unmapped
    // below; a file that shrinks meanwhile would fault, which the
    // length from fstat taken just before makes unlikely and which only a
    // racing writer could cause.
    let p = unsafe { libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ, libc::MAP_PRIVATE, fd, 0) };
    if p == libc::MAP_FAILED {
        return None;
    }
    // SAFETY: the mapping just made, `len` bytes.
    let key = persist::hash64(unsafe { std::slice::from_raw_parts(p as *const u8, len) }, 5);
    // SAFETY: unmaps only the mapping made above.
    unsafe { libc::munmap(p, len) };
    KEYS.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(HashMap::new).insert(id, key);
    Some((key, st.st_size as u64))
}

/// Notes a guest mapping of `[start, end)`: executable mappings of a file
/// become images; anything else replaces what was registered there.
pub fn mapped(start: u64, end: u64, prot: i32, fd: i32, offset: u64) {
    if !persist::enabled() {
        return;
    }
    match (prot & libc::PROT_EXEC != 0 && fd >= 0).then(|| file_key(fd)).flatten() {
        Some((key, len)) => persist::register_mapping(start, end, offset, key, len),
        None => persist::unregister_range(start, end),
    }
}

/// Notes that `[start, end)` was unmapped.
pub fn unmapped(start: u64, end: u64) {
    persist::unregister_range(start, end);
}

/// Saves this process's new translations (at exit and before exec).
pub fn save() {
    persist::save_all();
}

#[cfg(test)]
mod tests {
    use super::cache_dir;
    use std::path::{Path, PathBuf};

    #[test]
    fn directory_from_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        let (c, on) = (Some(Path::new("/c")), Some(Path::new("on")));
        assert_eq!(cache_dir(c, env(&[("HOME", "/h")])), Some(PathBuf::from("/c")));
        assert_eq!(cache_dir(Some(Path::new("off")), env(&[("HOME", "/h")])), None);
        assert_eq!(cache_dir(None, env(&[("HOME", "/h")])), None, "off unless asked for");
        assert_eq!(cache_dir(on, env(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")])), Some(PathBuf::from("/x/kestrel")));
        assert_eq!(cache_dir(on, env(&[("HOME", "/h")])), Some(PathBuf::from("/h/.cache/kestrel")));
        assert_eq!(cache_dir(on, env(&[])), None);
    }
}
