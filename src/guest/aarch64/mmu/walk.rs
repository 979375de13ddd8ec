//! The stage 1 table walk (see the module above for what it covers).

use super::{Fault, FaultKind, Permissions, PhysMem, Regime, Translation};

/// One VA range's configuration from TCR_EL1.
struct Range {
    /// Bits of virtual address (64 - TxSZ).
    va_bits: u32,
    /// log2 of the granule (12, 14 or 16).
    granule: u32,
    /// Walks of this range are disabled (EPDx).
    disabled: bool,
    /// Top-byte-ignore applies to this access.
    tbi: bool,
    /// Hierarchical permissions are disabled (HPDx).
    hpd: bool,
    /// The table base register.
    ttbr: u64,
}

fn bit(v: u64, n: u32) -> bool {
    (v >> n) & 1 != 0
}

fn field(v: u64, lo: u32, width: u32) -> u64 {
    (v >> lo) & ((1 << width) - 1)
}

/// The range bit 55 selects, for an access that is (`fetch`) or is not an
/// instruction fetch.
fn range(regime: &Regime, va: u64, fetch: bool) -> Range {
    let tcr = regime.tcr;
    let upper = bit(va, 55);
    // VA sizes outside what 4K/16K/64K granules allow without FEAT_LVA act
    // as the nearest allowed size.
    let va_bits = |tsz: u64| 64 - (tsz as u32).clamp(16, 39);
    if upper {
        let granule = match field(tcr, 30, 2) {
            0b01 => 14,
            0b11 => 16,
            _ => 12,
        };
        let tbi = bit(tcr, 38) && !(fetch && bit(tcr, 52));
        Range { va_bits: va_bits(field(tcr, 16, 6)), granule, disabled: bit(tcr, 23), tbi, hpd: bit(tcr, 42), ttbr: regime.ttbr1 }
    } else {
        let granule = match field(tcr, 14, 2) {
            0b01 => 16,
            0b10 => 14,
            _ => 12,
        };
        let tbi = bit(tcr, 37) && !(fetch && bit(tcr, 51));
        Range { va_bits: va_bits(field(tcr, 0, 6)), granule, disabled: bit(tcr, 7), tbi, hpd: bit(tcr, 41), ttbr: regime.ttbr0 }
    }
}

/// Physical address bits TCR_EL1.IPS allows (52 treated as 48: no FEAT_LPA).
fn pa_bits(tcr: u64) -> u32 {
    match field(tcr, 32, 3) {
        0 => 32,
        1 => 36,
        2 => 40,
        3 => 42,
        4 => 44,
        _ => 48,
    }
}

/// Translates `va` for a data access or (`fetch`) an instruction fetch in
/// the EL1&0 regime. With the MMU off (SCTLR_EL1.M clear) addresses map
/// flat and everything is permitted.
pub fn translate(mem: &dyn PhysMem, regime: &Regime, va: u64, fetch: bool) -> Result<Translation, Fault> {
    let pa_limit = 1u64 << pa_bits(regime.tcr);
    if !bit(regime.sctlr, 0) {
        if va >= pa_limit {
            return Err(Fault { kind: FaultKind::AddressSize, level: 0 });
        }
        let all = Permissions { el1_read: true, el1_write: true, el1_exec: true, el0_read: true, el0_write: true, el0_exec: true };
        return Ok(Translation { pa: va, size_log2: 12, perms: all, attr_index: 0, not_global: false, level: 0 });
    }
    let r = range(regime, va, fetch);
    let translation_fault = |level| Fault { kind: FaultKind::Translation, level };
    // Every bit above the VA size (up to bit 55 with TBI) must equal the
    // range-selecting bit.
    let top = if r.tbi { 55 } else { 63 };
    let above = (va >> r.va_bits) & ((1u64 << (top + 1 - r.va_bits)) - 1);
    let expected = if bit(va, 55) { (1u64 << (top + 1 - r.va_bits)) - 1 } else { 0 };
    if r.disabled || above != expected {
        return Err(translation_fault(0));
    }
    let stride = r.granule - 3;
    let levels = (r.va_bits - r.granule).div_ceil(stride);
    let start = 4 - levels;
    let addr_mask = ((1u64 << 48) - 1) & !((1u64 << r.granule) - 1);
    // The start table's index width, and its base (aligned to its size).
    let start_bits = r.va_bits - r.granule - (levels - 1) * stride;
    let start_align = (start_bits + 3).max(6);
    let mut table = r.ttbr & ((1u64 << 48) - 1) & !((1u64 << start_align) - 1);
    let (mut ap_table, mut uxn_table, mut pxn_table) = (0u64, false, false);
    for level in start..=3 {
        if table >= pa_limit {
            return Err(Fault { kind: FaultKind::AddressSize, level: level as u8 });
        }
        let shift = r.granule + (3 - level) * stride;
        let bits = if level == start { start_bits } else { stride };
        let index = (va >> shift) & ((1u64 << bits) - 1);
        let desc = mem.read_u64(table + 8 * index).ok_or(Fault { kind: FaultKind::ExternalAbortOnWalk, level: level as u8 })?;
        if !bit(desc, 0) {
            return Err(translation_fault(level as u8));
        }
        if level < 3 && bit(desc, 1) {
            if !r.hpd {
                ap_table |= field(desc, 61, 2);
                uxn_table |= bit(desc, 60);
                pxn_table |= bit(desc, 59);
            }
            table = desc & addr_mask;
            continue;
        }
        // A block (levels 1-2 with 4K, 2 with 16K/64K) or a page (level 3).
        let block_ok = match (r.granule, level) {
            (_, 3) => bit(desc, 1),
            (12, 1) | (12, 2) | (14, 2) | (16, 2) => true,
            _ => false,
        };
        if !block_ok {
            return Err(translation_fault(level as u8));
        }
        let out = desc & addr_mask & !((1u64 << shift) - 1);
        if out >= pa_limit {
            return Err(Fault { kind: FaultKind::AddressSize, level: level as u8 });
        }
        if !bit(desc, 10) {
            return Err(Fault { kind: FaultKind::AccessFlag, level: level as u8 });
        }
        let perms = permissions(desc, ap_table, uxn_table, pxn_table, bit(regime.sctlr, 19));
        return Ok(Translation {
            pa: out | (va & ((1u64 << shift) - 1)),
            size_log2: shift as u8,
            perms,
            attr_index: field(desc, 2, 3) as u8,
            not_global: bit(desc, 11),
            level: level as u8,
        });
    }
    Err(translation_fault(3))
}

/// The permissions of a block or page descriptor under the table
/// descriptors' limits: AP[2] read-only, AP[1] EL0 access; APTable[1] no
/// writes, APTable[0] no EL0 access; UXN/PXN and their table forms; memory
/// EL0 can write is never executable at EL1; with WXN writable memory is
/// never executable.
fn permissions(desc: u64, ap_table: u64, uxn_table: bool, pxn_table: bool, wxn: bool) -> Permissions {
    let read_only = bit(desc, 7) || ap_table & 0b10 != 0;
    let el0 = bit(desc, 6) && ap_table & 0b01 == 0;
    let (uxn, pxn) = (bit(desc, 54) || uxn_table, bit(desc, 53) || pxn_table);
    let el0_write = el0 && !read_only;
    let el1_write = !read_only;
    Permissions {
        el1_read: true,
        el1_write,
        el1_exec: !(pxn || el0_write || (wxn && el1_write)),
        el0_read: el0,
        el0_write,
        el0_exec: !(uxn || (wxn && el0_write)),
    }
}
