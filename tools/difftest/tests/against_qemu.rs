//! Every instruction class, a bounded number of random sequences each, run
//! under qemu-aarch64 and Kestrel (default, interpreter-only and
//! compile-everything modes); any difference, or any instruction Kestrel
//! refuses while qemu executes it, fails the class's test with a report of
//! the instruction, its inputs and both results.
//!
//! Needs qemu-aarch64 (Debian's qemu-user; scripts/test.sh installs it),
//! Debian trixie's qemu 10 for the extension classes (scripts/fetch-qemu10.sh) and
//! the release build of kestrel-aarch64 next to this test's target
//! directory. `KESTREL_DIFFTEST_SEED` and `KESTREL_DIFFTEST_COUNT` override
//! the seed and the sequences per class.

use kestrel_difftest::classes::by_name;
use kestrel_difftest::driver::{Config, Runner};
use kestrel_difftest::{report, setup};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

const SEED: u64 = 0x006b_6573_7472_656c;
const SEQUENCES: u64 = 500;

struct Env {
    qemu: PathBuf,
    qemu10: PathBuf,
    kestrel: PathBuf,
    harness: PathBuf,
}

fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let qemu = setup::find_qemu()
            .unwrap_or_else(|| panic!("qemu-aarch64 not found: install Debian's qemu-user (scripts/test.sh does) or set QEMU_AARCH64"));
        let qemu10 = setup::find_qemu10().unwrap_or_else(|| {
            panic!("qemu 10 not found: run scripts/fetch-qemu10.sh (scripts/test.sh does) or set QEMU10_AARCH64")
        });
        let kestrel = setup::find_kestrel().unwrap_or_else(|| {
            panic!("kestrel-aarch64 not found next to the test binary: run `cargo build --release` (or set KESTREL_BIN)")
        });
        let harness = setup::install_harness().expect("write the guest harness to the temporary directory");
        Env { qemu, qemu10, kestrel, harness }
    })
}

fn number(var: &str, default: u64) -> u64 {
    std::env::var(var).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

fn check(name: &str) {
    let class = by_name(name).expect("class exists");
    let e = env();
    let cfg = Config {
        seed: number("KESTREL_DIFFTEST_SEED", SEED),
        max_insns: 8,
        harness: e.harness.clone(),
        qemu: setup::qemu_oracle(&e.qemu),
        qemu10: Some(setup::qemu10_oracle(&e.qemu10)),
        subjects: ["default", "interp", "baseline", "jit"].iter().map(|m| setup::kestrel_mode(&e.kestrel, m).expect("mode")).collect(),
        stall: Duration::from_secs(120),
        show: 2,
        verbose: false,
    };
    let mut runner = Runner::new(cfg);
    let count = number("KESTREL_DIFFTEST_COUNT", SEQUENCES);
    runner.run_batch(class, 0, count).unwrap_or_else(|e| panic!("{name}: cannot run the emulators: {e}"));
    let summary = report::summary(&runner.stats, &[class.name]);
    let stats = &runner.stats[class.name];
    eprintln!("{summary}");
    assert!(
        stats.mismatches == 0 && stats.unimplemented == 0,
        "class {name}: {} mismatching sequences, {} unimplemented instructions\n\n{}\n{summary}",
        stats.mismatches,
        stats.unimplemented,
        runner.reports.join("\n")
    );
    assert!(
        stats.sequences >= count * 9 / 10,
        "class {name}: only {} of {count} sequences could be generated and run\n{summary}",
        stats.sequences
    );
}

macro_rules! classes {
    ($($test:ident => $name:expr,)*) => {
        $(
            #[test]
            fn $test() {
                check($name);
            }
        )*
    };
}

classes! {
    add_sub_imm => "add-sub-imm",
    logical_imm => "logical-imm",
    move_wide => "move-wide",
    bitfield => "bitfield",
    extract => "extract",
    logical_shifted => "logical-shifted",
    add_sub_shifted => "add-sub-shifted",
    add_sub_extended => "add-sub-extended",
    add_sub_carry => "add-sub-carry",
    cond_compare => "cond-compare",
    cond_select => "cond-select",
    dp_1src => "dp-1src",
    dp_2src => "dp-2src",
    dp_3src => "dp-3src",
    pc_relative => "pc-relative",
    ldst_uimm => "ldst-uimm",
    ldst_imm9 => "ldst-imm9",
    ldst_regoff => "ldst-regoff",
    ldst_pair => "ldst-pair",
    ldst_exclusive => "ldst-exclusive",
    ldst_atomic => "ldst-atomic",
    ldst_simd_multi => "ldst-simd-multi",
    ldst_simd_single => "ldst-simd-single",
    fp_1src => "fp-1src",
    fp_2src => "fp-2src",
    fp_3src => "fp-3src",
    fp_compare => "fp-compare",
    fp_ccmp => "fp-ccmp",
    fp_csel => "fp-csel",
    fp_imm => "fp-imm",
    fp_int_convert => "fp-int-convert",
    fp_fixed_convert => "fp-fixed-convert",
    simd_three_same => "simd-three-same",
    simd_three_diff => "simd-three-diff",
    simd_two_misc => "simd-two-misc",
    simd_across => "simd-across",
    simd_copy => "simd-copy",
    simd_permute => "simd-permute",
    simd_ext => "simd-ext",
    simd_table => "simd-table",
    simd_modified_imm => "simd-modified-imm",
    simd_shift_imm => "simd-shift-imm",
    simd_by_element => "simd-by-element",
    simd_scalar_three_same => "simd-scalar-three-same",
    simd_scalar_three_diff => "simd-scalar-three-diff",
    simd_scalar_two_misc => "simd-scalar-two-misc",
    simd_scalar_pairwise => "simd-scalar-pairwise",
    simd_scalar_copy => "simd-scalar-copy",
    simd_scalar_shift_imm => "simd-scalar-shift-imm",
    simd_scalar_by_element => "simd-scalar-by-element",
    simd_three_same_extra => "simd-three-same-extra",
    simd_scalar_three_same_extra => "simd-scalar-three-same-extra",
    simd_fp16_three_same => "simd-fp16-three-same",
    simd_fp16_two_misc => "simd-fp16-two-misc",
    simd_scalar_fp16_three_same => "simd-scalar-fp16-three-same",
    simd_scalar_fp16_two_misc => "simd-scalar-fp16-two-misc",
    crypto_aes => "crypto-aes",
    crypto_sha => "crypto-sha",
    crypto_sha512_sha3 => "crypto-sha512-sha3",
    fcma => "fcma",
    fhm => "fhm",
    i8mm => "i8mm",
    bf16 => "bf16",
    sm3 => "sm3",
    sm4 => "sm4",
    flagm => "flagm",
    pauth => "pauth",
    branch => "branch",
    mixed => "mixed",
}

/// Every class of the table has a test above.
#[test]
fn every_class_is_tested() {
    let source = include_str!("against_qemu.rs");
    for c in kestrel_difftest::classes::CLASSES {
        assert!(source.contains(&format!("=> \"{}\",", c.name)), "class {} has no test", c.name);
    }
}
