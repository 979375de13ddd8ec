//! Walks over hand-built tables, each checked against the architecture's
//! rules (descriptor formats, fault kinds and levels, permissions).

use super::*;
use std::collections::HashMap;

#[derive(Default)]
struct Mem(HashMap<u64, u64>);

impl PhysMem for Mem {
    fn read_u64(&self, pa: u64) -> Option<u64> {
        // RAM is 0x4000_0000..0x8000_0000; unset words there read as 0.
        (0x4000_0000..0x8000_0000).contains(&pa).then(|| self.0.get(&pa).copied().unwrap_or(0))
    }
}

impl Mem {
    fn set(&mut self, table: u64, index: u64, desc: u64) {
        self.0.insert(table + 8 * index, desc);
    }
}

const TABLE: u64 = 0b11;
const PAGE: u64 = 0b11;
const BLOCK: u64 = 0b01;
const AF: u64 = 1 << 10;
const AP_EL0: u64 = 1 << 6;
const AP_RO: u64 = 1 << 7;
const PXN: u64 = 1 << 53;
const UXN: u64 = 1 << 54;

/// TCR with 4K granules, 48-bit VAs both ways, 48-bit PAs.
const TCR_4K_48: u64 = 16 | (16 << 16) | (0b10 << 30) | (5 << 32);
const MMU_ON: u64 = 1;

fn regime(tcr: u64, ttbr0: u64) -> Regime {
    Regime { sctlr: MMU_ON, tcr, ttbr0, ttbr1: 0x4000_8000 }
}

/// Tables at 0x4000_0000 (L0), 0x4000_1000 (L1), 0x4000_2000 (L2),
/// 0x4000_3000 (L3) mapping `va` to page `pa` with `attrs`.
fn four_levels(mem: &mut Mem, va: u64, pa: u64, attrs: u64) {
    let idx = |level: u32| (va >> (12 + 9 * (3 - level))) & 0x1ff;
    mem.set(0x4000_0000, idx(0), 0x4000_1000 | TABLE);
    mem.set(0x4000_1000, idx(1), 0x4000_2000 | TABLE);
    mem.set(0x4000_2000, idx(2), 0x4000_3000 | TABLE);
    mem.set(0x4000_3000, idx(3), pa | attrs | PAGE);
}

#[test]
fn mmu_off_maps_flat() {
    let t = translate(&Mem::default(), &Regime { tcr: TCR_4K_48, ..Regime::default() }, 0x1234_5678, false).unwrap();
    assert_eq!(t.pa, 0x1234_5678);
    assert!(t.check(Access::Write, true, false).is_ok());
}

#[test]
fn four_level_walk_with_4k_pages() {
    let mut mem = Mem::default();
    let va = 0x0000_1234_5678_9abc;
    four_levels(&mut mem, va & !0xfff, 0x4567_8000, AF | AP_EL0 | (3 << 2) | (1 << 11));
    let t = translate(&mem, &regime(TCR_4K_48, 0x4000_0000), va, false).unwrap();
    assert_eq!(t.pa, 0x4567_8abc);
    assert_eq!((t.size_log2, t.level, t.attr_index, t.not_global), (12, 3, 3, true));
    assert_eq!(
        t.perms,
        Permissions { el1_read: true, el1_write: true, el1_exec: false, el0_read: true, el0_write: true, el0_exec: true }
    );
    // The neighbouring page has no descriptor: a level 3 translation fault.
    let e = translate(&mem, &regime(TCR_4K_48, 0x4000_0000), va + 0x1000, false).unwrap_err();
    assert_eq!((e.kind, e.level, e.status_code()), (FaultKind::Translation, 3, 0b000111));
}

#[test]
fn blocks_and_start_levels() {
    // 39-bit VAs: the walk starts at level 1 (a 4 KiB table of 512 GiB).
    let tcr = 25 | (0b10 << 30) | (5 << 32);
    let mut mem = Mem::default();
    mem.set(0x4000_0000, 1, 0x4000_0000 | AF | BLOCK); // 1 GiB block at VA 1 GiB
    mem.set(0x4000_0000, 2, 0x4000_1000 | TABLE);
    mem.set(0x4000_1000, 3, 0x4060_0000 | AF | BLOCK); // 2 MiB block
    let r = regime(tcr, 0x4000_0000);
    let t = translate(&mem, &r, 0x4123_4567, false).unwrap();
    assert_eq!((t.pa, t.size_log2, t.level), (0x4123_4567, 30, 1));
    let t = translate(&mem, &r, 0x8000_0000 + 3 * 0x20_0000 + 0x1234, false).unwrap();
    assert_eq!((t.pa, t.size_log2, t.level), (0x4060_1234, 21, 2));
    // Above 39 bits (and no TBI): outside the range, a level 0 fault.
    let e = translate(&mem, &r, 1 << 40, false).unwrap_err();
    assert_eq!((e.kind, e.level), (FaultKind::Translation, 0));
    // A level 0 block does not exist with 4K granules.
    let mut mem = Mem::default();
    mem.set(0x4000_0000, 0, 0x4000_0000 | AF | BLOCK);
    let e = translate(&mem, &regime(TCR_4K_48, 0x4000_0000), 0x1000, false).unwrap_err();
    assert_eq!((e.kind, e.level), (FaultKind::Translation, 0));
}

#[test]
fn upper_range_and_top_byte_ignore() {
    let mut mem = Mem::default();
    // TTBR1's level 0 table at 0x4000_8000; VA 0xffff_8000_0000_0000 is
    // index 256 at level 0.
    let va = 0xffff_8000_0000_0000u64;
    let idx = |level: u32| (va >> (12 + 9 * (3 - level))) & 0x1ff;
    mem.set(0x4000_8000, idx(0), 0x4000_9000 | TABLE);
    mem.set(0x4000_9000, idx(1), 0x4000_a000 | TABLE);
    mem.set(0x4000_a000, idx(2), 0x4020_0000 | AF | BLOCK);
    let r = regime(TCR_4K_48, 0x4000_0000);
    assert_eq!(translate(&mem, &r, va + 0x42, false).unwrap().pa, 0x4020_0042);
    // A tag in the top byte: a fault without TBI1, the same page with it.
    let tagged = (va & !(0xff << 56)) | (0x5a << 56);
    assert_eq!(translate(&mem, &r, tagged, false).unwrap_err().level, 0);
    let tbi1 = regime(TCR_4K_48 | (1 << 38), 0x4000_0000);
    assert_eq!(translate(&mem, &tbi1, tagged, false).unwrap().pa, 0x4020_0000);
    // TBID1 keeps instruction fetches checked.
    let tbid1 = regime(TCR_4K_48 | (1 << 38) | (1 << 52), 0x4000_0000);
    assert!(translate(&mem, &tbid1, tagged, true).is_err());
    // EPD1 disables walks of the upper range.
    let epd1 = regime(TCR_4K_48 | (1 << 23), 0x4000_0000);
    assert_eq!(translate(&mem, &epd1, va, false).unwrap_err(), Fault { kind: FaultKind::Translation, level: 0 });
}

#[test]
fn permissions_follow_ap_xn_tables_pan_and_wxn() {
    let va = 0x0000_0000_0040_0000;
    let walk = |attrs: u64, table_bits: u64, sctlr: u64| {
        let mut mem = Mem::default();
        four_levels(&mut mem, va, 0x4100_0000, attrs);
        let i1 = (va >> 30) & 0x1ff;
        mem.set(0x4000_1000, i1, 0x4000_2000 | TABLE | table_bits);
        let r = Regime { sctlr, ..regime(TCR_4K_48, 0x4000_0000) };
        translate(&mem, &r, va, false).unwrap()
    };
    // AP = 00: EL1 read/write only.
    let t = walk(AF, 0, MMU_ON);
    assert!(t.check(Access::Write, false, false).is_ok());
    assert_eq!(t.check(Access::Read, true, false).unwrap_err(), Fault { kind: FaultKind::Permission, level: 3 });
    // AP = 10: read-only at EL1.
    let t = walk(AF | AP_RO, 0, MMU_ON);
    assert!(t.check(Access::Read, false, false).is_ok());
    assert!(t.check(Access::Write, false, false).is_err());
    // AP = 01: EL0 read/write; PAN stops EL1 data accesses, not fetches;
    // EL1 may never execute what EL0 can write.
    let t = walk(AF | AP_EL0, 0, MMU_ON);
    assert!(t.check(Access::Write, true, false).is_ok());
    assert!(t.check(Access::Read, false, true).is_err());
    assert!(t.check(Access::Read, false, false).is_ok());
    assert!(!t.perms.el1_exec && t.perms.el0_exec);
    // AP = 11 with UXN: EL0 may read, not write or execute; EL1 executes.
    let t = walk(AF | AP_EL0 | AP_RO | UXN, 0, MMU_ON);
    assert!(t.check(Access::Read, true, false).is_ok());
    assert!(t.check(Access::Write, true, false).is_err());
    assert!(t.check(Access::Fetch, true, false).is_err());
    assert!(t.check(Access::Fetch, false, false).is_ok());
    // PXN.
    assert!(walk(AF | AP_EL0 | AP_RO | PXN, 0, MMU_ON).check(Access::Fetch, false, false).is_err());
    // APTable[0] (bit 61) removes EL0 access; APTable[1] (bit 62) writes;
    // PXNTable (bit 59).
    let t = walk(AF | AP_EL0, 1 << 61, MMU_ON);
    assert!(!t.perms.el0_read && t.perms.el1_write);
    let t = walk(AF | AP_EL0, 1 << 62, MMU_ON);
    assert!(!t.perms.el0_write && !t.perms.el1_write && t.perms.el0_read);
    assert!(!walk(AF | AP_EL0 | AP_RO, 1 << 59, MMU_ON).perms.el1_exec);
    // WXN: writable memory is not executable.
    let t = walk(AF, 0, MMU_ON | (1 << 19));
    assert!(!t.perms.el1_exec);
}

#[test]
fn access_flag_external_abort_and_address_size() {
    let va = 0x2000;
    let mut mem = Mem::default();
    four_levels(&mut mem, va, 0x4100_0000, 0);
    let e = translate(&mem, &regime(TCR_4K_48, 0x4000_0000), va, false).unwrap_err();
    assert_eq!((e.kind, e.level, e.status_code()), (FaultKind::AccessFlag, 3, 0b001011));
    // A table pointer outside RAM: the walk's read aborts at level 1.
    let mut mem = Mem::default();
    mem.set(0x4000_0000, 0, 0x1_0000_0000 | TABLE);
    let e = translate(&mem, &regime(TCR_4K_48, 0x4000_0000), va, false).unwrap_err();
    assert_eq!((e.kind, e.level, e.status_code()), (FaultKind::ExternalAbortOnWalk, 1, 0b010101));
    // 32-bit PAs (IPS 0): an output address above 4 GiB is an address size fault.
    let mut mem = Mem::default();
    four_levels(&mut mem, va, 0x1_4000_0000, AF);
    let tcr = TCR_4K_48 & !(7 << 32);
    let e = translate(&mem, &regime(tcr, 0x4000_0000), va, false).unwrap_err();
    assert_eq!((e.kind, e.level), (FaultKind::AddressSize, 3));
}

#[test]
fn other_granules() {
    // 64 KiB granule, 48-bit VAs: three levels starting at 1, 13 bits each
    // below a 6-bit level 1.
    let tcr = 16 | (0b01 << 14) | (5 << 32);
    let va = 0x0000_1234_5678_9abc_u64;
    let mut mem = Mem::default();
    let idx = |level: u32| (va >> (16 + 13 * (3 - level))) & 0x1fff;
    mem.set(0x4000_0000, idx(1) & 0x3f, 0x4001_0000 | TABLE);
    mem.set(0x4001_0000, idx(2), 0x4002_0000 | TABLE);
    mem.set(0x4002_0000, idx(3), 0x4050_0000 | AF | PAGE);
    let t = translate(&mem, &regime(tcr, 0x4000_0000), va, false).unwrap();
    assert_eq!((t.pa, t.size_log2), (0x4050_0000 | (va & 0xffff), 16));
    // 16 KiB granule, 47-bit VAs (T0SZ 17): levels 1-3, 11 bits each.
    let tcr = 17 | (0b10 << 14) | (5 << 32);
    let va = 0x0000_0123_4567_89ab_u64;
    let mut mem = Mem::default();
    let idx = |level: u32| (va >> (14 + 11 * (3 - level))) & 0x7ff;
    mem.set(0x4000_0000, idx(1), 0x4000_4000 | TABLE);
    mem.set(0x4000_4000, idx(2), 0x4200_0000 | AF | BLOCK); // 32 MiB block
    let t = translate(&mem, &regime(tcr, 0x4000_0000), va, false).unwrap();
    assert_eq!((t.pa, t.size_log2, t.level), (0x4200_0000 | (va & 0x1ff_ffff), 25, 2));
}

#[test]
fn syndromes() {
    let f = Fault { kind: FaultKind::Permission, level: 2 };
    assert_eq!(abort_syndrome(&f, Access::Write, true), (0x24 << 26) | (1 << 25) | (1 << 6) | 0b001110);
    assert_eq!(abort_syndrome(&f, Access::Read, false), (0x25 << 26) | (1 << 25) | 0b001110);
    assert_eq!(abort_syndrome(&f, Access::Fetch, true) >> 26, 0x20);
    assert_eq!(abort_syndrome(&f, Access::Fetch, false) >> 26, 0x21);
}
