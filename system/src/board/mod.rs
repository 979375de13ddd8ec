//! The `virt` board: its memory map, and the images a boot puts in RAM.
//!
//! [`prepare_boot`] is the one place that reads the user's files: it turns a
//! [`MachineConfig`] into the bytes to copy into guest RAM and where they go
//! ([`BootImages`]). The rules themselves live in [`crate::boot`] (placement)
//! and [`crate::fdt`] (the device tree), both pure.

pub mod memmap;

use crate::boot::{self, BootError, KernelImage, LoadPlan, Segment};
use crate::config::MachineConfig;
use crate::fdt::{self, FdtConfig};
use std::path::{Path, PathBuf};

/// Why a boot could not be prepared; each is one line for the user.
#[derive(Debug, thiserror::Error)]
pub enum BoardError {
    /// A file could not be read.
    #[error("could not load {what} '{}': {source}", path.display())]
    Read {
        /// "kernel", "initrd" or "dtb".
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
    /// The kernel file is not a bootable Image.
    #[error("could not load kernel '{}': {source}", path.display())]
    Kernel {
        /// The file.
        path: PathBuf,
        /// The reason.
        source: BootError,
    },
    /// The images do not fit in RAM.
    #[error("{0}")]
    Placement(#[from] BootError),
    /// The device tree could not be built.
    #[error("could not build the device tree: {0}")]
    Fdt(String),
    /// `dumpdtb` could not write its file.
    #[error("could not write the device tree to '{}': {source}", path.display())]
    DumpDtb {
        /// The file.
        path: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
}

/// What a boot copies into RAM, and where.
#[derive(Debug, Clone)]
pub struct BootImages {
    /// Addresses, sizes and the entry state; `None` without `-kernel`
    /// (only `dumpdtb` runs then).
    pub plan: Option<LoadPlan>,
    /// The (inflated) kernel Image.
    pub kernel: Vec<u8>,
    /// The initrd, verbatim.
    pub initrd: Vec<u8>,
    /// The device tree blob.
    pub dtb: Vec<u8>,
}

impl BootImages {
    /// Each byte range paired with the guest-physical segment it fills.
    pub fn segments(&self) -> Vec<(Segment, &[u8])> {
        let Some(plan) = &self.plan else { return Vec::new() };
        let mut out = vec![(plan.kernel, self.kernel.as_slice())];
        if let Some(initrd) = plan.initrd {
            out.push((initrd, self.initrd.as_slice()));
        }
        out.push((plan.dtb, self.dtb.as_slice()));
        out
    }
}

fn read(what: &'static str, path: &Path) -> Result<Vec<u8>, BoardError> {
    std::fs::read(path).map_err(|source| BoardError::Read { what, path: path.to_path_buf(), source })
}

/// 32 bytes from the host's random source for `/chosen/rng-seed`; none if
/// it cannot be read (the guest then seeds itself more slowly).
fn host_rng_seed() -> Option<[u8; 32]> {
    use std::io::Read;
    let mut seed = [0u8; 32];
    std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut seed)).ok()?;
    Some(seed)
}

/// Reads the kernel, initrd and (if given) DTB, builds the device tree and
/// places everything in RAM.
pub fn prepare_boot(config: &MachineConfig) -> Result<BootImages, BoardError> {
    let ram = memmap::ram(config.ram_size);
    let kernel = match &config.kernel {
        None => None,
        Some(path) => {
            let file = read("kernel", path)?;
            Some(KernelImage::from_file(file).map_err(|source| BoardError::Kernel { path: path.clone(), source })?)
        }
    };
    let initrd = match &config.initrd {
        Some(path) => Some(read("initrd", path)?),
        None => None,
    };
    let placement = match &kernel {
        Some(k) => Some(boot::place(ram, k, initrd.as_ref().map(|i| i.len() as u64))?),
        None => None,
    };
    let dtb = match &config.dtb {
        Some(path) => read("dtb", path)?,
        None => fdt::build(&FdtConfig {
            cpu: config.cpu,
            smp: config.smp,
            gic: config.gic_version,
            ram,
            bootargs: config.append.clone(),
            initrd: placement.and_then(|p| p.initrd),
            rng_seed: host_rng_seed(),
        })
        .map_err(|e| BoardError::Fdt(e.to_string()))?,
    };
    let plan = match placement {
        Some(p) => Some(p.with_dtb(dtb.len() as u64)?),
        None => None,
    };
    Ok(BootImages {
        plan,
        kernel: kernel.map(|k| k.bytes).unwrap_or_default(),
        initrd: initrd.unwrap_or_default(),
        dtb,
    })
}

/// `-machine dumpdtb=FILE`: writes the blob.
pub fn dump_dtb(images: &BootImages, path: &Path) -> Result<(), BoardError> {
    std::fs::write(path, &images.dtb).map_err(|source| BoardError::DumpDtb { path: path.to_path_buf(), source })
}
