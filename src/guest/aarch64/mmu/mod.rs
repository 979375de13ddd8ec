//! Stage 1 address translation of the EL1&0 regime (VMSAv8-64), for
//! system mode: the table walk that a software TLB's slow path calls.
//!
//! [`translate`] walks the tables that TTBR0_EL1 or TTBR1_EL1 point at, as
//! TCR_EL1 describes them (4 KiB, 16 KiB or 64 KiB granules, any VA size
//! the granule allows, top-byte-ignore, walks disabled by EPD0/EPD1), and
//! returns the physical page with every permission the descriptors grant
//! (so that one walk can fill a TLB entry for reads, writes and fetches at
//! both exception levels), or the fault the architecture raises: its kind,
//! the level it was found at, and hence the fault status code of ESR_EL1.
//! Hierarchical permissions (APTable, UXNTable, PXNTable, unless HPD) and
//! SCTLR_EL1.WXN are applied; PSTATE.PAN and the access type are checked by
//! [`Translation::check`]. The access flag is not updated by hardware
//! (TCR_EL1.HA is not advertised): a clear AF faults.
//!
//! Reading descriptors goes through [`PhysMem`], so the walker knows
//! nothing of how guest RAM is held.

mod walk;

pub use walk::translate;

/// Guest physical memory as the table walker reads it.
pub trait PhysMem {
    /// The little-endian 64-bit word at `pa`, or `None` where no RAM is
    /// (a synchronous external abort on the walk).
    fn read_u64(&self, pa: u64) -> Option<u64>;
}

/// The registers that define the EL1&0 translation regime.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Regime {
    /// SCTLR_EL1 (M enables the MMU; WXN; ...).
    pub sctlr: u64,
    /// TCR_EL1.
    pub tcr: u64,
    /// TTBR0_EL1 (lower VA range; ASID in bits 63:48 unless TCR.A1).
    pub ttbr0: u64,
    /// TTBR1_EL1 (upper VA range).
    pub ttbr1: u64,
}

/// What an access does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// A data read.
    Read,
    /// A data write.
    Write,
    /// An instruction fetch.
    Fetch,
}

/// Permissions granted by a translation, per exception level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Permissions {
    /// EL1 may read.
    pub el1_read: bool,
    /// EL1 may write.
    pub el1_write: bool,
    /// EL1 may execute.
    pub el1_exec: bool,
    /// EL0 may read.
    pub el0_read: bool,
    /// EL0 may write.
    pub el0_write: bool,
    /// EL0 may execute.
    pub el0_exec: bool,
}

/// A successful translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Translation {
    /// The physical address of the access.
    pub pa: u64,
    /// log2 of the size of the block or page that maps it.
    pub size_log2: u8,
    /// What the descriptors allow.
    pub perms: Permissions,
    /// MAIR_EL1 attribute index (AttrIndx).
    pub attr_index: u8,
    /// nG: the translation belongs to the current ASID only.
    pub not_global: bool,
    /// The level of the final descriptor.
    pub level: u8,
}

/// Kinds of stage 1 faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// No valid descriptor, or the address outside both ranges.
    Translation,
    /// The access flag of the descriptor is clear.
    AccessFlag,
    /// The descriptors do not permit the access.
    Permission,
    /// An output or table address wider than TCR_EL1.IPS allows.
    AddressSize,
    /// Reading a descriptor found no memory.
    ExternalAbortOnWalk,
    /// The access itself found neither memory nor a device (a synchronous
    /// external abort, not on a walk; reported at level 0).
    External,
}

/// A stage 1 fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    /// What went wrong.
    pub kind: FaultKind,
    /// The lookup level it was found at (0-3).
    pub level: u8,
}

impl Fault {
    /// The fault status code (DFSC/IFSC of ESR_ELx).
    pub fn status_code(&self) -> u32 {
        let base = match self.kind {
            FaultKind::AddressSize => 0b00_0000,
            FaultKind::Translation => 0b00_0100,
            FaultKind::AccessFlag => 0b00_1000,
            FaultKind::Permission => 0b00_1100,
            FaultKind::ExternalAbortOnWalk => 0b01_0100,
            FaultKind::External => 0b01_0000,
        };
        base | (self.level as u32 & 3)
    }
}

impl Translation {
    /// Checks an access against the permissions: `unprivileged` for EL0
    /// accesses and for LDTR/STTR at EL1; `pan` is PSTATE.PAN, which keeps
    /// privileged data accesses away from memory EL0 can reach.
    pub fn check(&self, access: Access, unprivileged: bool, pan: bool) -> Result<(), Fault> {
        let p = self.perms;
        let ok = match (access, unprivileged) {
            (Access::Read, true) => p.el0_read,
            (Access::Write, true) => p.el0_write,
            (Access::Fetch, true) => p.el0_exec,
            (Access::Read, false) => p.el1_read && !(pan && p.el0_read),
            (Access::Write, false) => p.el1_write && !(pan && p.el0_read),
            (Access::Fetch, false) => p.el1_exec,
        };
        if ok {
            Ok(())
        } else {
            Err(Fault { kind: FaultKind::Permission, level: self.level })
        }
    }
}

/// The exception syndrome (ESR_EL1) of a stage 1 abort: a data abort
/// (`Read`/`Write`, with WnR) or an instruction abort (`Fetch`), taken
/// from EL0 (`from_el0`) or from EL1.
pub fn abort_syndrome(fault: &Fault, access: Access, from_el0: bool) -> u64 {
    let ec: u64 = match (access, from_el0) {
        (Access::Fetch, true) => 0x20,
        (Access::Fetch, false) => 0x21,
        (_, true) => 0x24,
        (_, false) => 0x25,
    };
    let wnr = (access == Access::Write) as u64;
    (ec << 26) | (1 << 25) | (wnr << 6) | fault.status_code() as u64
}

#[cfg(test)]
mod tests;
