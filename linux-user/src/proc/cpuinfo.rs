//! `/proc/cpuinfo` as an AArch64 kernel prints it (arch/arm64/kernel/cpuinfo.c).
//!
//! Programs parse it to count processors (glibc's fallback looks for lines
//! starting with "processor") and, against advice, to detect features; the
//! host's x86 text would tell them nothing they could use. The features are
//! exactly what `AT_HWCAP` advertises, and the identity is the `-cpu` model's.

use crate::hwcap::{self, CpuModel};
use kestrel::guest::aarch64::sysregs::COUNTER_HZ;

/// The text for `cpus` processors of `model`.
pub fn render(model: CpuModel, cpus: usize) -> String {
    let midr = model.midr();
    let features = hwcap::feature_names(hwcap::hwcap(model), hwcap::hwcap2(model));
    // The arm64 kernel derives loops_per_jiffy from the generic timer, so
    // BogoMIPS is the counter frequency / 500 kHz, printed with two decimals.
    let bogomips = format!("{}.{:02}", COUNTER_HZ / 500_000, COUNTER_HZ / 5_000 % 100);
    let mut out = String::new();
    for n in 0..cpus {
        out.push_str(&format!("processor\t: {n}\n"));
        out.push_str(&format!("BogoMIPS\t: {bogomips}\n"));
        out.push_str("Features\t:");
        for f in &features {
            out.push(' ');
            out.push_str(f);
        }
        out.push('\n');
        out.push_str(&format!("CPU implementer\t: 0x{:02x}\n", midr >> 24 & 0xff));
        out.push_str("CPU architecture: 8\n");
        out.push_str(&format!("CPU variant\t: 0x{:x}\n", midr >> 20 & 0xf));
        out.push_str(&format!("CPU part\t: 0x{:03x}\n", midr >> 4 & 0xfff));
        out.push_str(&format!("CPU revision\t: {}\n\n", midr & 0xf));
    }
    out
}

/// Online host CPUs: one block each, as the guest may run a thread on any.
pub fn host_cpus() -> usize {
    // SAFETY: sysconf has no memory effects.
    let n = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    if n > 0 {
        n as usize
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_block_per_cpu_in_kernel_format() {
        let text = render(CpuModel::NeoverseN1, 2);
        let m = CpuModel::NeoverseN1;
        let features = hwcap::feature_names(hwcap::hwcap(m), hwcap::hwcap2(m)).join(" ");
        let expected_block = |n: usize| {
            format!(
                "processor\t: {n}\n\
                 BogoMIPS\t: 2000.00\n\
                 Features\t: {features}\n\
                 CPU implementer\t: 0x41\n\
                 CPU architecture: 8\n\
                 CPU variant\t: 0x3\n\
                 CPU part\t: 0xd0c\n\
                 CPU revision\t: 1\n\n"
            )
        };
        assert_eq!(text, expected_block(0) + &expected_block(1));
        assert!(features.starts_with("fp asimd ") && features.contains(" atomics"), "{features}");
    }

    #[test]
    fn features_follow_the_model() {
        let a53 = render(CpuModel::CortexA53, 1);
        assert!(a53.contains("Features\t: fp asimd ") && !a53.contains("atomics"), "{a53}");
        assert!(a53.contains("CPU part\t: 0xd03\n") && a53.contains("CPU revision\t: 4\n"));
        let max = render(CpuModel::Max, 1);
        assert!(max.contains(" atomics"));
        assert!(host_cpus() >= 1);
    }

    /// The Armv8.3+ extensions appear on the Features line of the models
    /// that have them, in the kernel's names, and only there.
    #[test]
    fn extensions_follow_the_model() {
        let features = |model: CpuModel| {
            let text = render(model, 1);
            let line = text.lines().find(|l| l.starts_with("Features")).unwrap_or_default().to_string();
            format!("{line} ")
        };
        let max = features(CpuModel::Max);
        for name in ["fcma", "sm3", "sm4", "asimdfhm", "flagm", "paca", "pacg", "flagm2", "i8mm", "bf16", "rng", "bti", "cssc"] {
            assert!(max.contains(&format!(" {name} ")), "max lacks {name}: {max}");
        }
        let n2 = features(CpuModel::NeoverseN2);
        for name in ["fcma", "sm4", "asimdfhm", "paca", "flagm2", "i8mm", "bf16", "bti"] {
            assert!(n2.contains(&format!(" {name} ")), "neoverse-n2 lacks {name}: {n2}");
        }
        for name in ["rng", "cssc"] {
            assert!(!n2.contains(&format!(" {name} ")), "neoverse-n2 has {name}: {n2}");
        }
        for model in [CpuModel::CortexA53, CpuModel::CortexA72, CpuModel::NeoverseN1] {
            let f = features(model);
            for name in ["fcma", "paca", "bti", "i8mm", "bf16", "flagm"] {
                assert!(!f.contains(&format!(" {name} ")), "{} has {name}: {f}", model.name());
            }
        }
    }
}
