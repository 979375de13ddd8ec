//! The arm64 Linux boot protocol, placed the way qemu-system-aarch64's `virt`
//! places it.
//!
//! The kernel's Documentation/arch/arm64/booting.rst defines a 64-byte
//! header at the start of the `Image`: `text_offset` (u64 at 8), `image_size`
//! (u64 at 16, the memory the kernel needs including its BSS), `flags` (u64
//! at 24: endianness, page size, placement) and the magic "ARM\x64" at 56.
//! The boot loader loads the Image `text_offset` bytes above a 2 MiB aligned
//! base, passes the device tree's physical address in x0 (x1-x3 zero) and
//! enters at the first byte with the MMU off and interrupts masked.
//!
//! qemu 7.2's rules (hw/arm/boot.c), which guests and scripts rely on:
//! - a gzip'd Image (Debian's `vmlinuz`) is inflated by the loader, since
//!   arm64 kernels do not decompress themselves (at most 256 MiB);
//! - the kernel goes at RAM base + `text_offset`, moved up by 2 MiB when that
//!   would fall in the first 4 KiB (where qemu's boot stub lives) — so
//!   kernels since 5.8 (`text_offset` 0) land at RAM base + 2 MiB. Headers
//!   with `image_size` 0 (before 3.17) go at RAM base + 512 KiB;
//! - the initrd starts at RAM base + min(RAM / 2, 128 MiB), or just above the
//!   kernel's `image_size` if that is higher, page aligned;
//! - the DTB follows the initrd (or where the initrd would start), aligned
//!   up to 2 MiB, because early arm64 kernels map the 2 MiB block around it.
//!
//! Everything here is a pure function of sizes and headers; reading files and
//! writing guest memory is the board's job.

use crate::board::memmap::Region;
use std::io::Read;

const KIB: u64 = 1 << 10;
const MIB: u64 = 1 << 20;

/// Offset of the "ARM\x64" magic in the Image header.
pub const MAGIC_OFFSET: usize = 56;
/// The magic itself.
pub const MAGIC: [u8; 4] = *b"ARM\x64";
/// Bytes of the Image header.
pub const HEADER_SIZE: usize = 64;
/// Where qemu puts kernels whose header leaves `image_size` zero.
pub const LEGACY_TEXT_OFFSET: u64 = 0x8_0000;
/// RAM qemu keeps below the kernel for its boot stub.
pub const BOOT_STUB_SIZE: u64 = 4 * KIB;
/// Largest kernel a gzip'd file may inflate to (qemu's limit).
pub const MAX_INFLATED_KERNEL: u64 = 256 * MIB;
/// The granule the initrd start is rounded up to.
pub const PAGE_SIZE: u64 = 4 * KIB;
/// The alignment of the DTB.
pub const DTB_ALIGN: u64 = 2 * MIB;

/// Why a kernel, initrd or DTB cannot be booted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BootError {
    /// No "ARM\x64" magic: not an arm64 Image.
    #[error("not an arm64 Linux Image (no \"ARM\\x64\" magic at offset 56)")]
    NotAnImage,
    /// An ELF file (vmlinux) was given instead of the Image.
    #[error("this is an ELF file (vmlinux); give the Image (arch/arm64/boot/Image or vmlinuz)")]
    ElfKernel,
    /// Header flag bit 0: a big-endian kernel.
    #[error("big-endian kernels are not supported")]
    BigEndian,
    /// The gzip stream is damaged.
    #[error("gzip'd kernel could not be inflated: {0}")]
    Gzip(String),
    /// The gzip stream inflates beyond [`MAX_INFLATED_KERNEL`].
    #[error("gzip'd kernel inflates to more than {} MiB", MAX_INFLATED_KERNEL >> 20)]
    InflatedTooLarge,
    /// The kernel does not fit in RAM.
    #[error("kernel is too large to fit in RAM (needs {needed:#x} bytes from {addr:#x}, RAM ends at {ram_end:#x})")]
    KernelTooLarge {
        /// Load address.
        addr: u64,
        /// Bytes it occupies there.
        needed: u64,
        /// End of RAM.
        ram_end: u64,
    },
    /// The kernel leaves no RAM for the initrd.
    #[error("not enough space after kernel to load initrd")]
    NoRoomForInitrd,
    /// The initrd runs past the end of RAM.
    #[error("initrd of {len:#x} bytes is too big to fit into RAM after the kernel (from {addr:#x}, RAM ends at {ram_end:#x})")]
    InitrdTooLarge {
        /// Where it would start.
        addr: u64,
        /// Its size.
        len: u64,
        /// End of RAM.
        ram_end: u64,
    },
    /// The DTB does not fit after the initrd.
    #[error("not enough space for the DTB after kernel/initrd (needs {len:#x} bytes at {addr:#x}, RAM ends at {ram_end:#x})")]
    NoRoomForDtb {
        /// Where it would start.
        addr: u64,
        /// Its size.
        len: u64,
        /// End of RAM.
        ram_end: u64,
    },
}

/// The fields of the arm64 Image header the loader uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageHeader {
    /// Load offset from a 2 MiB aligned base (0 since Linux 5.8).
    pub text_offset: u64,
    /// Memory the kernel occupies from its load address, BSS included; 0
    /// in kernels before 3.17.
    pub image_size: u64,
    /// Bit 0 endianness, bits 1-2 page size, bit 3 placement.
    pub flags: u64,
}

impl ImageHeader {
    /// Reads the header at the start of an (inflated) Image.
    pub fn parse(image: &[u8]) -> Result<Self, BootError> {
        if image.starts_with(b"\x7fELF") {
            return Err(BootError::ElfKernel);
        }
        if image.len() < HEADER_SIZE || image[MAGIC_OFFSET..MAGIC_OFFSET + 4] != MAGIC {
            return Err(BootError::NotAnImage);
        }
        let field = |at: usize| u64::from_le_bytes(image[at..at + 8].try_into().unwrap_or_default());
        let header = Self { text_offset: field(8), image_size: field(16), flags: field(24) };
        if header.image_size != 0 && header.flags & 1 != 0 {
            return Err(BootError::BigEndian);
        }
        Ok(header)
    }

    /// The kernel's page size from flags bits 1-2, if it states one.
    pub fn page_size(&self) -> Option<u64> {
        match (self.flags >> 1) & 3 {
            1 => Some(4 * KIB),
            2 => Some(16 * KIB),
            3 => Some(64 * KIB),
            _ => None,
        }
    }
}

/// A kernel ready to place: the Image bytes (inflated) and its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelImage {
    /// The Image as it goes into guest memory.
    pub bytes: Vec<u8>,
    /// Its header.
    pub header: ImageHeader,
    /// Whether the file was gzip'd.
    pub was_gzipped: bool,
}

impl KernelImage {
    /// Decodes a kernel file: inflates it if it is gzip'd, then checks the
    /// Image header.
    pub fn from_file(file: Vec<u8>) -> Result<Self, BootError> {
        let was_gzipped = file.starts_with(&[0x1f, 0x8b]);
        let bytes = if was_gzipped { inflate(&file)? } else { file };
        let header = ImageHeader::parse(&bytes)?;
        Ok(Self { bytes, header, was_gzipped })
    }

    /// Offset from the RAM base the kernel is loaded at (qemu's rule).
    pub fn load_offset(&self) -> u64 {
        if self.header.image_size == 0 {
            LEGACY_TEXT_OFFSET
        } else if self.header.text_offset < BOOT_STUB_SIZE {
            self.header.text_offset + 2 * MIB
        } else {
            self.header.text_offset
        }
    }

    /// Bytes the kernel occupies once loaded: `image_size`, or the file
    /// itself for kernels that leave it zero (never less than the file).
    pub fn footprint(&self) -> u64 {
        self.header.image_size.max(self.bytes.len() as u64)
    }
}

/// Inflates a gzip stream, refusing output beyond [`MAX_INFLATED_KERNEL`].
fn inflate(file: &[u8]) -> Result<Vec<u8>, BootError> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(file)
        .take(MAX_INFLATED_KERNEL + 1)
        .read_to_end(&mut out)
        .map_err(|e| BootError::Gzip(e.to_string()))?;
    if out.len() as u64 > MAX_INFLATED_KERNEL {
        return Err(BootError::InflatedTooLarge);
    }
    Ok(out)
}

/// A guest-physical byte range something is loaded into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Guest-physical address of the first byte.
    pub addr: u64,
    /// Bytes copied there.
    pub len: u64,
}

impl Segment {
    /// One past the last byte.
    pub const fn end(&self) -> u64 {
        self.addr + self.len
    }
}

/// Where the kernel and initrd go, and where the DTB will; the DTB's size
/// is only known once the device tree (which names the initrd) is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// The kernel's bytes.
    pub kernel: Segment,
    /// End of the memory the kernel claims (`image_size`, BSS included).
    pub kernel_end: u64,
    /// The initrd, if any.
    pub initrd: Option<Segment>,
    /// Where the DTB goes.
    pub dtb_addr: u64,
    /// The RAM everything is placed in.
    pub ram: Region,
}

/// Register state the boot CPU starts the kernel with (booting.rst): EL1h
/// with DAIF masked and the MMU off; x1-x3 and every other register zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryState {
    /// First instruction: the start of the Image.
    pub pc: u64,
    /// The DTB's physical address.
    pub x0: u64,
}

/// The complete boot layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadPlan {
    /// The kernel's bytes.
    pub kernel: Segment,
    /// End of the memory the kernel claims.
    pub kernel_end: u64,
    /// The initrd, if any.
    pub initrd: Option<Segment>,
    /// The device tree blob.
    pub dtb: Segment,
    /// How the boot CPU enters the kernel.
    pub entry: EntryState,
}

/// Places the kernel and an initrd of `initrd_len` bytes in `ram`.
pub fn place(ram: Region, kernel: &KernelImage, initrd_len: Option<u64>) -> Result<Placement, BootError> {
    let ram_end = ram.end();
    let addr = ram.base + kernel.load_offset();
    let needed = kernel.footprint();
    if addr.checked_add(needed).is_none_or(|end| end > ram_end) {
        return Err(BootError::KernelTooLarge { addr, needed, ram_end });
    }
    let kernel_segment = Segment { addr, len: kernel.bytes.len() as u64 };
    let kernel_end = addr + needed;

    let initrd_start = (ram.base + (ram.size / 2).min(128 * MIB)).max(kernel_end).next_multiple_of(PAGE_SIZE);
    let initrd = match initrd_len {
        None => None,
        Some(_) if initrd_start >= ram_end => return Err(BootError::NoRoomForInitrd),
        Some(len) if initrd_start + len > ram_end => {
            return Err(BootError::InitrdTooLarge { addr: initrd_start, len, ram_end })
        }
        Some(len) => Some(Segment { addr: initrd_start, len }),
    };
    let dtb_addr = (initrd_start + initrd_len.unwrap_or(0)).next_multiple_of(DTB_ALIGN);
    Ok(Placement { kernel: kernel_segment, kernel_end, initrd, dtb_addr, ram })
}

impl Placement {
    /// Completes the plan with a DTB of `dtb_len` bytes.
    pub fn with_dtb(self, dtb_len: u64) -> Result<LoadPlan, BootError> {
        let ram_end = self.ram.end();
        if self.dtb_addr >= ram_end || self.dtb_addr + dtb_len > ram_end {
            return Err(BootError::NoRoomForDtb { addr: self.dtb_addr, len: dtb_len, ram_end });
        }
        let dtb = Segment { addr: self.dtb_addr, len: dtb_len };
        Ok(LoadPlan {
            kernel: self.kernel,
            kernel_end: self.kernel_end,
            initrd: self.initrd,
            dtb,
            entry: EntryState { pc: self.kernel.addr, x0: dtb.addr },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::memmap::{ram, RAM_BASE};
    use std::io::Write;

    /// A synthetic Image: header fields plus `len` bytes in all.
    fn image(text_offset: u64, image_size: u64, flags: u64, len: usize) -> Vec<u8> {
        let mut bytes = vec![0u8; len.max(HEADER_SIZE)];
        bytes[0..4].copy_from_slice(&0x1400_0010u32.to_le_bytes()); // b +0x40, as real kernels
        bytes[8..16].copy_from_slice(&text_offset.to_le_bytes());
        bytes[16..24].copy_from_slice(&image_size.to_le_bytes());
        bytes[24..32].copy_from_slice(&flags.to_le_bytes());
        bytes[MAGIC_OFFSET..MAGIC_OFFSET + 4].copy_from_slice(&MAGIC);
        bytes
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn header_fields() {
        let k = KernelImage::from_file(image(0, 32 * MIB, 0b1010, 4096)).unwrap();
        assert_eq!(k.header, ImageHeader { text_offset: 0, image_size: 32 * MIB, flags: 0b1010 });
        assert_eq!(k.header.page_size(), Some(4096));
        assert!(!k.was_gzipped);
    }

    #[test]
    fn modern_kernel_at_ram_plus_2mib_with_qemu_layout() {
        // A 6.1 kernel: text_offset 0, 30 MiB image_size; 1 GiB RAM.
        let k = KernelImage::from_file(image(0, 30 * MIB, 0xa, 20 << 20)).unwrap();
        let p = place(ram(1 << 30), &k, Some(1_000_000)).unwrap().with_dtb(0x10_0000).unwrap();
        assert_eq!(p.kernel, Segment { addr: RAM_BASE + 2 * MIB, len: 20 << 20 });
        assert_eq!(p.kernel_end, RAM_BASE + 32 * MIB);
        // qemu-system-aarch64 7.2 -m 1024 puts a 1000000-byte initrd at
        // 0x48000000 (linux,initrd-end 0x480f4240) and the DTB at 0x48200000.
        assert_eq!(p.initrd, Some(Segment { addr: 0x4800_0000, len: 1_000_000 }));
        assert_eq!(p.dtb.addr, 0x4820_0000);
        assert_eq!(p.entry, EntryState { pc: 0x4020_0000, x0: 0x4820_0000 });
    }

    #[test]
    fn older_layouts() {
        // text_offset 0x80000 (before 5.8) is kept as is.
        let k = KernelImage::from_file(image(0x8_0000, 16 * MIB, 0, 4096)).unwrap();
        assert_eq!(place(ram(1 << 30), &k, None).unwrap().kernel.addr, RAM_BASE + 0x8_0000);
        // No image_size (before 3.17): qemu's fixed 512 KiB offset.
        let k = KernelImage::from_file(image(0x1234, 0, 0, 8192)).unwrap();
        assert_eq!(place(ram(1 << 30), &k, None).unwrap().kernel.addr, RAM_BASE + 0x8_0000);
    }

    #[test]
    fn small_ram_puts_initrd_half_way_and_dtb_without_initrd() {
        let k = KernelImage::from_file(image(0, 8 * MIB, 0, 4096)).unwrap();
        let p = place(ram(128 * MIB), &k, Some(4096)).unwrap();
        assert_eq!(p.initrd.unwrap().addr, RAM_BASE + 64 * MIB);
        assert_eq!(p.dtb_addr, RAM_BASE + 66 * MIB);
        let p = place(ram(1 << 30), &k, None).unwrap();
        assert_eq!((p.initrd, p.dtb_addr), (None, RAM_BASE + 128 * MIB));
    }

    #[test]
    fn initrd_moves_above_a_big_kernel() {
        // 100 MiB image_size in 128 MiB of RAM ends past RAM / 2.
        let k = KernelImage::from_file(image(0, 100 * MIB + 123, 0, 4096)).unwrap();
        let p = place(ram(128 * MIB), &k, Some(1)).unwrap();
        assert_eq!(p.initrd.unwrap().addr, RAM_BASE + 102 * MIB + PAGE_SIZE);
    }

    #[test]
    fn sizes_near_the_end_of_ram() {
        let k = KernelImage::from_file(image(0, 30 * MIB, 0, 4096)).unwrap();
        let r = ram(256 * MIB);
        // The initrd may end exactly at the end of RAM...
        let fits = 128 * MIB;
        let p = place(r, &k, Some(fits)).unwrap();
        assert_eq!(p.initrd.unwrap().end(), r.end());
        // ...but then the DTB has nowhere to go.
        assert!(matches!(p.with_dtb(0x1000), Err(BootError::NoRoomForDtb { .. })));
        // One byte more and the initrd itself does not fit.
        assert!(matches!(place(r, &k, Some(fits + 1)), Err(BootError::InitrdTooLarge { .. })));
        // A DTB that ends exactly at the end of RAM is fine.
        let p = place(r, &k, Some(fits - 2 * MIB)).unwrap();
        assert_eq!(p.with_dtb(2 * MIB).unwrap().dtb.end(), r.end());
        assert!(p.with_dtb(2 * MIB + 1).is_err());
        // A kernel whose image_size runs past RAM.
        let big = KernelImage::from_file(image(0, 255 * MIB, 0, 4096)).unwrap();
        assert!(matches!(place(r, &big, None), Err(BootError::KernelTooLarge { .. })));
        let edge = KernelImage::from_file(image(0, 254 * MIB, 0, 4096)).unwrap();
        let p = place(r, &edge, None).unwrap();
        assert_eq!(p.kernel_end, r.end());
        // Kernel fills RAM up to the end: the initrd has no room.
        assert_eq!(place(r, &edge, Some(1)), Err(BootError::NoRoomForInitrd));
    }

    #[test]
    fn gzipped_image_is_inflated() {
        let plain = image(0, 4 * MIB, 0xa, 100_000);
        let k = KernelImage::from_file(gzip(&plain)).unwrap();
        assert!(k.was_gzipped);
        assert_eq!(k.bytes, plain);
        assert_eq!(k.header.image_size, 4 * MIB);
    }

    #[test]
    fn damaged_gzip_is_an_error() {
        let mut g = gzip(&image(0, 4 * MIB, 0, 100_000));
        let n = g.len();
        g.truncate(n / 2);
        assert!(matches!(KernelImage::from_file(g), Err(BootError::Gzip(_))));
    }

    #[test]
    fn not_an_image() {
        assert_eq!(KernelImage::from_file(b"#!/bin/sh\necho hello\n".to_vec()), Err(BootError::NotAnImage));
        assert_eq!(KernelImage::from_file(vec![0; 4096]), Err(BootError::NotAnImage));
        assert_eq!(KernelImage::from_file(gzip(b"just text")), Err(BootError::NotAnImage));
        let mut elf = vec![0u8; 4096];
        elf[..4].copy_from_slice(b"\x7fELF");
        assert_eq!(KernelImage::from_file(elf), Err(BootError::ElfKernel));
        assert_eq!(KernelImage::from_file(image(0, MIB, 1, 4096)), Err(BootError::BigEndian));
        let msg = BootError::NotAnImage.to_string();
        assert!(msg.contains("ARM\\x64") && !msg.contains('\n'));
    }
}
