//! Which pages of guest RAM hold code that has been translated, so that a
//! write to one of them — by any vCPU, through any virtual address that
//! maps it, or by a device's DMA — drops the translations made from it.
//!
//! Translated code is found by virtual address (in the code cache of its
//! address space, see `cpu::engines`), but it is made from a physical
//! page, and each translation registers that page here with the virtual
//! page it was fetched through. A marked page gets no write entry in any
//! vCPU's software TLB, so the first store to it takes the slow path,
//! which calls [`CodePages::written`]: that unmarks the page and drops the
//! translations of every virtual page registered for it
//! (`kestrel::jit::invalidate_range`, which reaches every vCPU). Later
//! stores run at full speed until code is translated from the page again.
//!
//! Devices write guest RAM through `vm-memory`, whose dirty-page hook
//! ([`DmaWatch`], the bitmap type of `GuestRam`) reports every write here.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use vm_memory::bitmap::{Bitmap, BitmapSlice, NewBitmap, WithBitmapSlice};
use vm_memory::mmap::MmapRegionBuilder;
use vm_memory::{GuestAddress, GuestMemoryMmap, GuestRegionMmap};

/// Bytes per tracked page.
pub const PAGE_SIZE: u64 = 4096;

/// The translated-code pages of guest RAM, by page index from RAM's start.
pub struct CodePages {
    /// One bit per RAM page: code has been translated from it.
    marked: Box<[AtomicU64]>,
    /// For each marked page, the virtual pages (page-aligned addresses)
    /// code was fetched through.
    aliases: Mutex<HashMap<u64, Vec<u64>>>,
    /// Bumped whenever a page becomes marked: vCPUs then drop the write
    /// entries of their TLBs that lead to marked pages.
    marks: AtomicU64,
    /// Bumped whenever a page is unmarked by a write.
    unmarks: AtomicU64,
}

impl fmt::Debug for CodePages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodePages")
            .field("pages", &(self.marked.len() * 64))
            .finish()
    }
}

impl CodePages {
    /// Tracking for `ram_bytes` of RAM.
    pub fn new(ram_bytes: u64) -> CodePages {
        let pages = ram_bytes.div_ceil(PAGE_SIZE);
        CodePages {
            marked: (0..pages.div_ceil(64)).map(|_| AtomicU64::new(0)).collect(),
            aliases: Mutex::new(HashMap::new()),
            marks: AtomicU64::new(0),
            unmarks: AtomicU64::new(0),
        }
    }

    fn bit(&self, page: u64) -> Option<(&AtomicU64, u64)> {
        let word = self.marked.get((page / 64) as usize)?;
        Some((word, 1 << (page % 64)))
    }

    /// Whether code has been translated from RAM page `page`.
    #[inline]
    pub fn is_code(&self, page: u64) -> bool {
        self.bit(page)
            .is_some_and(|(word, bit)| word.load(Ordering::Acquire) & bit != 0)
    }

    /// How many times a page has become marked; see [`Self::note_translation`].
    pub fn marks(&self) -> u64 {
        self.marks.load(Ordering::Acquire)
    }

    /// How many times a write has unmarked a page.
    pub fn unmarks(&self) -> u64 {
        self.unmarks.load(Ordering::Acquire)
    }

    /// Code is being translated from RAM page `page`, fetched through the
    /// virtual page at `va_page`. Returns true if the page was not marked
    /// before: the caller must drop its own TLB's write entries for it
    /// (other vCPUs notice [`Self::marks`] change).
    pub fn note_translation(&self, page: u64, va_page: u64) -> bool {
        let Some((word, bit)) = self.bit(page) else {
            return false;
        };
        let mut aliases = self.aliases.lock().unwrap_or_else(|e| e.into_inner());
        let vas = aliases.entry(page).or_default();
        if !vas.contains(&va_page) {
            vas.push(va_page);
        }
        let newly = word.fetch_or(bit, Ordering::AcqRel) & bit == 0;
        if newly {
            self.marks.fetch_add(1, Ordering::AcqRel);
        }
        newly
    }

    /// RAM page `page` is about to be written: if code was translated from
    /// it, unmark it and drop those translations everywhere. Returns
    /// whether it held code.
    pub fn written(&self, page: u64) -> bool {
        if !self.is_code(page) {
            return false;
        }
        let vas = {
            let mut aliases = self.aliases.lock().unwrap_or_else(|e| e.into_inner());
            let Some((word, bit)) = self.bit(page) else {
                return false;
            };
            if word.fetch_and(!bit, Ordering::AcqRel) & bit == 0 {
                // Another writer got here first.
                return false;
            }
            aliases.remove(&page).unwrap_or_default()
        };
        self.unmarks.fetch_add(1, Ordering::AcqRel);
        for va in vas {
            kestrel::jit::invalidate_range(va, PAGE_SIZE);
        }
        true
    }

    /// `len` bytes at byte offset `offset` of RAM were written.
    pub fn written_range(&self, offset: u64, len: u64) {
        if len == 0 {
            return;
        }
        let last = offset.saturating_add(len - 1) / PAGE_SIZE;
        for page in offset / PAGE_SIZE..=last {
            self.written(page);
        }
    }
}

/// The `vm-memory` bitmap of guest RAM as devices see it: every write a
/// device makes through it is reported to the [`CodePages`] it watches.
/// A bitmap made by `vm-memory` itself ([`NewBitmap::with_len`], as unit
/// tests' RAM is) watches nothing.
#[derive(Clone, Default)]
pub struct DmaWatch {
    pages: Option<Arc<CodePages>>,
    /// Byte offset of this slice from the start of RAM.
    offset: usize,
}

impl fmt::Debug for DmaWatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DmaWatch")
            .field("watching", &self.pages.is_some())
            .field("offset", &self.offset)
            .finish()
    }
}

impl DmaWatch {
    /// A bitmap reporting writes to `pages`.
    pub fn new(pages: Arc<CodePages>) -> DmaWatch {
        DmaWatch {
            pages: Some(pages),
            offset: 0,
        }
    }
}

/// Maps `size` bytes of guest RAM at guest-physical `base`, with device
/// writes reported to `pages`.
pub fn map_ram(
    base: u64,
    size: u64,
    pages: Arc<CodePages>,
) -> Result<GuestMemoryMmap<DmaWatch>, String> {
    let size = usize::try_from(size).map_err(|e| e.to_string())?;
    let mapping = MmapRegionBuilder::new_with_bitmap(size, DmaWatch::new(pages))
        .with_mmap_prot(libc::PROT_READ | libc::PROT_WRITE)
        .with_mmap_flags(libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | libc::MAP_PRIVATE)
        .build()
        .map_err(|e| e.to_string())?;
    let region = GuestRegionMmap::new(mapping, GuestAddress(base))
        .ok_or("RAM ends beyond the address space")?;
    GuestMemoryMmap::from_regions(vec![region]).map_err(|e| e.to_string())
}

impl WithBitmapSlice<'_> for DmaWatch {
    type S = DmaWatch;
}

impl BitmapSlice for DmaWatch {}

impl Bitmap for DmaWatch {
    fn mark_dirty(&self, offset: usize, len: usize) {
        if let Some(pages) = &self.pages {
            pages.written_range((self.offset + offset) as u64, len as u64);
        }
    }

    fn dirty_at(&self, _offset: usize) -> bool {
        // Nothing here asks which pages are dirty; only writes matter.
        false
    }

    fn slice_at(&self, offset: usize) -> DmaWatch {
        DmaWatch {
            pages: self.pages.clone(),
            offset: self.offset + offset,
        }
    }
}

impl NewBitmap for DmaWatch {
    fn with_len(_len: usize) -> DmaWatch {
        DmaWatch::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vm_memory::Bytes;

    #[test]
    fn a_write_unmarks_only_its_page() {
        let pages = CodePages::new(16 * PAGE_SIZE);
        assert!(pages.note_translation(3, 0xffff_0000_0000_3000));
        assert!(
            !pages.note_translation(3, 0x40_3000),
            "a second alias does not mark again"
        );
        assert!(pages.note_translation(4, 0x40_4000));
        assert_eq!(pages.marks(), 2);
        assert!(pages.is_code(3) && pages.is_code(4) && !pages.is_code(5));
        assert!(!pages.written(5));
        assert!(pages.written(3));
        assert!(!pages.is_code(3) && pages.is_code(4));
        assert!(!pages.written(3), "already unmarked");
        assert_eq!(pages.unmarks(), 1);
        // Pages beyond RAM are never code.
        assert!(!pages.note_translation(1 << 40, 0));
    }

    #[test]
    fn device_writes_through_vm_memory_are_reported() {
        let pages = Arc::new(CodePages::new(8 * PAGE_SIZE));
        let base = 0x4000_0000;
        let ram = map_ram(base, 8 * PAGE_SIZE, pages.clone()).unwrap();
        pages.note_translation(2, 0x2000);
        pages.note_translation(6, 0x6000);
        ram.write_obj(7u32, GuestAddress(base + PAGE_SIZE + 8))
            .unwrap();
        assert!(
            pages.is_code(2) && pages.is_code(6),
            "a write to another page unmarks nothing"
        );
        // A slice crossing from page 1 into page 2.
        ram.write_slice(&[1u8; 16], GuestAddress(base + 2 * PAGE_SIZE - 8))
            .unwrap();
        assert!(!pages.is_code(2) && pages.is_code(6));
        ram.write_slice(&[2u8; 4], GuestAddress(base + 6 * PAGE_SIZE + 100))
            .unwrap();
        assert!(!pages.is_code(6));
    }
}
