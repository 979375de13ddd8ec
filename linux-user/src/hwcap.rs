//! CPU models selectable with `-cpu` and the feature bits they advertise in
//! `AT_HWCAP` / `AT_HWCAP2`.
//!
//! A guest's libc picks code paths (string functions, atomics) from these bits,
//! so advertising a feature the translator does not implement turns into SIGILL
//! deep inside libc. Every model is therefore the intersection of what that CPU
//! has and what [`IMPLEMENTED`] says Kestrel can run; widen `IMPLEMENTED` as the
//! core grows.

/// `HWCAP_FP`: scalar floating point.
pub const HWCAP_FP: u64 = 1 << 0;
/// `HWCAP_ASIMD`: Advanced SIMD.
pub const HWCAP_ASIMD: u64 = 1 << 1;
/// `HWCAP_EVTSTRM`: generic timer event stream.
pub const HWCAP_EVTSTRM: u64 = 1 << 2;
/// `HWCAP_AES`.
pub const HWCAP_AES: u64 = 1 << 3;
/// `HWCAP_PMULL`.
pub const HWCAP_PMULL: u64 = 1 << 4;
/// `HWCAP_SHA1`.
pub const HWCAP_SHA1: u64 = 1 << 5;
/// `HWCAP_SHA2`.
pub const HWCAP_SHA2: u64 = 1 << 6;
/// `HWCAP_CRC32`.
pub const HWCAP_CRC32: u64 = 1 << 7;
/// `HWCAP_ATOMICS`: the LSE atomic instructions (CAS, LDADD, SWP, ...).
pub const HWCAP_ATOMICS: u64 = 1 << 8;
/// `HWCAP_FPHP`: half-precision scalar FP.
pub const HWCAP_FPHP: u64 = 1 << 9;
/// `HWCAP_ASIMDHP`: half-precision Advanced SIMD.
pub const HWCAP_ASIMDHP: u64 = 1 << 10;
/// `HWCAP_CPUID`: EL0 reads of the ID registers are emulated.
pub const HWCAP_CPUID: u64 = 1 << 11;
/// `HWCAP_ASIMDRDM`.
pub const HWCAP_ASIMDRDM: u64 = 1 << 12;
/// `HWCAP_JSCVT`: FJCVTZS.
pub const HWCAP_JSCVT: u64 = 1 << 13;
/// `HWCAP_LRCPC`.
pub const HWCAP_LRCPC: u64 = 1 << 15;
/// `HWCAP_DCPOP`.
pub const HWCAP_DCPOP: u64 = 1 << 16;
/// `HWCAP_SHA3`: EOR3, RAX1, XAR, BCAX.
pub const HWCAP_SHA3: u64 = 1 << 17;
/// `HWCAP_SHA512`.
pub const HWCAP_SHA512: u64 = 1 << 21;
/// `HWCAP_ASIMDDP`: dot product.
pub const HWCAP_ASIMDDP: u64 = 1 << 20;
/// `HWCAP_SSBS`.
pub const HWCAP_SSBS: u64 = 1 << 28;
/// `HWCAP_FCMA`: FCMLA, FCADD.
pub const HWCAP_FCMA: u64 = 1 << 14;
/// `HWCAP_SM3`.
pub const HWCAP_SM3: u64 = 1 << 18;
/// `HWCAP_SM4`.
pub const HWCAP_SM4: u64 = 1 << 19;
/// `HWCAP_ASIMDFHM`: FMLAL, FMLSL.
pub const HWCAP_ASIMDFHM: u64 = 1 << 23;
/// `HWCAP_FLAGM`: CFINV, RMIF, SETF8, SETF16.
pub const HWCAP_FLAGM: u64 = 1 << 27;
/// `HWCAP_PACA`: address authentication.
pub const HWCAP_PACA: u64 = 1 << 30;
/// `HWCAP_PACG`: generic authentication (PACGA).
pub const HWCAP_PACG: u64 = 1 << 31;

/// Features the translator can execute today. Only these are ever advertised.
pub const IMPLEMENTED: u64 = HWCAP_FP
    | HWCAP_ASIMD
    | HWCAP_AES
    | HWCAP_PMULL
    | HWCAP_SHA1
    | HWCAP_SHA2
    | HWCAP_CRC32
    | HWCAP_ATOMICS
    | HWCAP_FPHP
    | HWCAP_ASIMDHP
    | HWCAP_CPUID
    | HWCAP_ASIMDRDM
    | HWCAP_JSCVT
    | HWCAP_LRCPC
    | HWCAP_DCPOP
    | HWCAP_SHA3
    | HWCAP_ASIMDDP
    | HWCAP_SHA512
    | HWCAP_FCMA
    | HWCAP_SM3
    | HWCAP_SM4
    | HWCAP_ASIMDFHM
    | HWCAP_FLAGM
    | HWCAP_PACA
    | HWCAP_PACG;

/// `HWCAP2_FLAGM2`: AXFLAG, XAFLAG.
pub const HWCAP2_FLAGM2: u64 = 1 << 7;
/// `HWCAP2_FRINT`: FRINT32Z/X, FRINT64Z/X.
pub const HWCAP2_FRINT: u64 = 1 << 8;
/// `HWCAP2_I8MM`: SMMLA, UMMLA, USMMLA, USDOT, SUDOT.
pub const HWCAP2_I8MM: u64 = 1 << 13;
/// `HWCAP2_BF16`: BFDOT, BFMMLA, BFMLALB/T, BFCVT, BFCVTN.
pub const HWCAP2_BF16: u64 = 1 << 14;
/// `HWCAP2_RNG`: RNDR, RNDRRS.
pub const HWCAP2_RNG: u64 = 1 << 16;
/// `HWCAP2_BTI`: branch target identification (PROT_BTI pages).
pub const HWCAP2_BTI: u64 = 1 << 17;
/// `HWCAP2_CSSC`: ABS, CNT, CTZ, SMAX, SMIN, UMAX, UMIN.
pub const HWCAP2_CSSC: u64 = 1 << 34;
/// `AT_HWCAP2` features the translator can execute.
pub const IMPLEMENTED2: u64 =
    HWCAP2_FLAGM2 | HWCAP2_FRINT | HWCAP2_I8MM | HWCAP2_BF16 | HWCAP2_RNG | HWCAP2_BTI | HWCAP2_CSSC;

/// Armv8.0 baseline with the crypto extension, as on Cortex-A53/A72 boards.
const ARMV8_0_CRYPTO: u64 = HWCAP_FP
    | HWCAP_ASIMD
    | HWCAP_EVTSTRM
    | HWCAP_AES
    | HWCAP_PMULL
    | HWCAP_SHA1
    | HWCAP_SHA2
    | HWCAP_CRC32
    | HWCAP_CPUID;

/// Armv8.2 as on Neoverse-N1.
const ARMV8_2_N1: u64 = ARMV8_0_CRYPTO
    | HWCAP_ATOMICS
    | HWCAP_FPHP
    | HWCAP_ASIMDHP
    | HWCAP_ASIMDRDM
    | HWCAP_LRCPC
    | HWCAP_DCPOP
    | HWCAP_ASIMDDP
    | HWCAP_SSBS;

/// Armv8.5 and Armv9.0 additions of Neoverse-N2 (without SVE2, which
/// Kestrel does not implement, and without PAuth2/FPAC: its pointer
/// authentication is presented as FEAT_PAuth with QARMA5).
const N2_ADDED: u64 = HWCAP_SHA3
    | HWCAP_SHA512
    | HWCAP_SM3
    | HWCAP_SM4
    | HWCAP_JSCVT
    | HWCAP_FCMA
    | HWCAP_ASIMDFHM
    | HWCAP_FLAGM
    | HWCAP_PACA
    | HWCAP_PACG;
/// Neoverse-N2's `AT_HWCAP2` (within what Kestrel implements).
const N2_HWCAP2: u64 = HWCAP2_FLAGM2 | HWCAP2_FRINT | HWCAP2_I8MM | HWCAP2_BF16 | HWCAP2_BTI;

/// A CPU model the guest can be told it runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[derive(Default)]
pub enum CpuModel {
    /// Arm Cortex-A53 (Armv8.0).
    CortexA53,
    /// Arm Cortex-A72 (Armv8.0).
    CortexA72,
    /// Arm Neoverse-N1 (Armv8.2).
    NeoverseN1,
    /// Arm Neoverse-N2 (Armv9.0, without SVE2).
    NeoverseN2,
    /// Everything Kestrel implements.
    #[default]
    Max,
}

impl CpuModel {
    /// Every model, in the order `-cpu help` lists them.
    pub const ALL: [CpuModel; 5] =
        [CpuModel::CortexA53, CpuModel::CortexA72, CpuModel::NeoverseN1, CpuModel::NeoverseN2, CpuModel::Max];

    /// The name accepted by `-cpu`.
    pub fn name(self) -> &'static str {
        match self {
            CpuModel::CortexA53 => "cortex-a53",
            CpuModel::CortexA72 => "cortex-a72",
            CpuModel::NeoverseN1 => "neoverse-n1",
            CpuModel::NeoverseN2 => "neoverse-n2",
            CpuModel::Max => "max",
        }
    }

    /// One-line description for `-cpu help`.
    pub fn description(self) -> &'static str {
        match self {
            CpuModel::CortexA53 => "Arm Cortex-A53 (Armv8.0)",
            CpuModel::CortexA72 => "Arm Cortex-A72 (Armv8.0)",
            CpuModel::NeoverseN1 => "Arm Neoverse-N1 (Armv8.2)",
            CpuModel::NeoverseN2 => "Arm Neoverse-N2 (Armv9.0 without SVE2)",
            CpuModel::Max => "all features Kestrel implements (default)",
        }
    }

    /// Parses a `-cpu` name (case-insensitive).
    pub fn from_name(name: &str) -> Option<CpuModel> {
        CpuModel::ALL.into_iter().find(|m| m.name().eq_ignore_ascii_case(name))
    }

    /// What the real CPU has, before limiting to what Kestrel implements.
    fn architectural_hwcap(self) -> u64 {
        match self {
            CpuModel::CortexA53 | CpuModel::CortexA72 => ARMV8_0_CRYPTO,
            CpuModel::NeoverseN1 => ARMV8_2_N1,
            CpuModel::NeoverseN2 => ARMV8_2_N1 | N2_ADDED,
            CpuModel::Max => u64::MAX,
        }
    }

    /// The pointer-authentication algorithm the model uses unless
    /// `pauth-impdef` says otherwise: real Arm cores use QARMA5; `max`
    /// uses Kestrel's faster implementation-defined function.
    pub fn default_pauth_impdef(self) -> bool {
        self != CpuModel::NeoverseN2
    }
}


impl CpuModel {
    /// `MIDR_EL1` of the real CPU: implementer, variant, architecture, part
    /// number and revision, as `/proc/cpuinfo` reports them. `max` keeps the
    /// identity the translator's `MRS MIDR_EL1` returns.
    pub fn midr(self) -> u64 {
        match self {
            CpuModel::CortexA53 => 0x410f_d034, // r0p4
            CpuModel::CortexA72 => 0x410f_d083, // r0p3
            CpuModel::NeoverseN1 => 0x413f_d0c1, // r3p1
            CpuModel::NeoverseN2 => 0x410f_d490, // r0p0
            CpuModel::Max => kestrel::guest::aarch64::sysregs::DEFAULT_MIDR,
        }
    }
}

/// Names of the `AT_HWCAP` bits, by bit number, as the arm64 kernel prints
/// them on the `Features` line of `/proc/cpuinfo` (arch/arm64/kernel/cpuinfo.c).
const HWCAP_NAMES: [&str; 32] = [
    "fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32", "atomics", "fphp",
    "asimdhp", "cpuid", "asimdrdm", "jscvt", "fcma", "lrcpc", "dcpop", "sha3", "sm3", "sm4",
    "asimddp", "sha512", "sve", "asimdfhm", "dit", "uscat", "ilrcpc", "flagm", "ssbs", "sb",
    "paca", "pacg",
];

/// Names of the `AT_HWCAP2` bits, by bit number; the kernel prints them after
/// the `AT_HWCAP` ones.
const HWCAP2_NAMES: [&str; 35] = [
    "dcpodp", "sve2", "sveaes", "svepmull", "svebitperm", "svesha3", "svesm4", "flagm2", "frint",
    "svei8mm", "svef32mm", "svef64mm", "svebf16", "i8mm", "bf16", "dgh", "rng", "bti", "mte",
    "ecv", "afp", "rpres", "mte3", "sme", "smei16i64", "smef64f64", "smei8i32", "smef16f32",
    "smeb16f32", "smef32f32", "smefa64", "wfxt", "ebf16", "sveebf16", "cssc",
];

/// The feature names for a pair of hwcap words, in the kernel's order.
pub fn feature_names(hwcap: u64, hwcap2: u64) -> Vec<&'static str> {
    let pick = |word: u64, names: &'static [&'static str]| {
        names.iter().enumerate().filter(move |(bit, _)| word & (1u64 << bit) != 0).map(|(_, n)| *n)
    };
    pick(hwcap, &HWCAP_NAMES).chain(pick(hwcap2, &HWCAP2_NAMES)).collect()
}

/// The `AT_HWCAP` value for a model.
pub fn hwcap(model: CpuModel) -> u64 {
    model.architectural_hwcap() & IMPLEMENTED
}

/// The `AT_HWCAP2` value for a model: these are all Armv8.5 and later.
pub fn hwcap2(model: CpuModel) -> u64 {
    match model {
        CpuModel::Max => IMPLEMENTED2,
        CpuModel::NeoverseN2 => N2_HWCAP2 & IMPLEMENTED2,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_never_advertise_unimplemented_features() {
        for m in CpuModel::ALL {
            assert_eq!(hwcap(m) & !IMPLEMENTED, 0, "{}", m.name());
            assert_eq!(hwcap(m) & (HWCAP_FP | HWCAP_ASIMD), HWCAP_FP | HWCAP_ASIMD);
        }
        assert_eq!(hwcap(CpuModel::CortexA53) & HWCAP_ATOMICS, 0);
        assert_ne!(hwcap(CpuModel::Max) & HWCAP_ATOMICS, 0);
    }

    #[test]
    fn older_models_keep_what_they_had() {
        let added = HWCAP_FCMA | HWCAP_SM3 | HWCAP_SM4 | HWCAP_ASIMDFHM | HWCAP_FLAGM | HWCAP_PACA | HWCAP_PACG;
        for m in [CpuModel::CortexA53, CpuModel::CortexA72, CpuModel::NeoverseN1] {
            assert_eq!(hwcap(m) & added, 0, "{}", m.name());
            assert_eq!(hwcap2(m), 0, "{}", m.name());
        }
        assert_eq!(hwcap(CpuModel::Max) & added, added);
        assert_eq!(hwcap2(CpuModel::Max), IMPLEMENTED2);
        assert_eq!(hwcap(CpuModel::NeoverseN2) & added, added);
        // Neoverse-N2 is Armv9.0: no RNDR, no CSSC (Armv8.9).
        assert_eq!(hwcap2(CpuModel::NeoverseN2) & (HWCAP2_RNG | HWCAP2_CSSC), 0);
        assert_eq!(hwcap2(CpuModel::NeoverseN2) & HWCAP2_BTI, HWCAP2_BTI);
        assert_eq!(
            feature_names(0, hwcap2(CpuModel::Max)),
            ["flagm2", "frint", "i8mm", "bf16", "rng", "bti", "cssc"]
        );
    }

    #[test]
    fn feature_names_follow_the_bits() {
        assert_eq!(feature_names(HWCAP_FP | HWCAP_ASIMD | HWCAP_CPUID, 0), ["fp", "asimd", "cpuid"]);
        assert_eq!(feature_names(HWCAP_SSBS, 1), ["ssbs", "dcpodp"]);
        assert_eq!(HWCAP_NAMES[HWCAP_ATOMICS.trailing_zeros() as usize], "atomics");
        assert_eq!(HWCAP_NAMES[HWCAP_ASIMDDP.trailing_zeros() as usize], "asimddp");
        assert_eq!(HWCAP_NAMES[HWCAP_LRCPC.trailing_zeros() as usize], "lrcpc");
    }

    #[test]
    fn models_have_arm_identities() {
        for m in CpuModel::ALL {
            assert_eq!(m.midr() >> 24, 0x41, "{}", m.name());
            assert_eq!((m.midr() >> 16) & 0xf, 0xf, "{}", m.name());
        }
        assert_eq!((CpuModel::CortexA53.midr() >> 4) & 0xfff, 0xd03);
        assert_eq!((CpuModel::NeoverseN1.midr() >> 4) & 0xfff, 0xd0c);
    }

    #[test]
    fn names_round_trip() {
        for m in CpuModel::ALL {
            assert_eq!(CpuModel::from_name(m.name()), Some(m));
        }
        assert_eq!(CpuModel::from_name("Cortex-A72"), Some(CpuModel::CortexA72));
        assert_eq!(CpuModel::from_name("pentium"), None);
    }
}
