//! Which tiers run guest code: the `--tiers` option.
//!
//! `baseline,opt` (the default) starts every block in baseline code and
//! compiles hot regions with Cranelift; `baseline` never optimises; `opt`
//! compiles every block with Cranelift before it first runs; `interp,opt` is
//! the interpreter with Cranelift for hot regions; `interp` interprets only.

use super::EngineConfig;
use std::fmt;
use std::str::FromStr;

/// Where a new block first runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstTier {
    /// The reference interpreter.
    Interpreter,
    /// Baseline x86-64 code.
    Baseline,
    /// Nowhere: the optimising tier compiles it before it runs.
    Optimizing,
}

/// A choice of tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tiers {
    /// Where a new block runs.
    pub first: FirstTier,
    /// Whether hot regions are compiled by Cranelift.
    pub optimizing: bool,
}

impl Tiers {
    /// Sets `config` to run these tiers (a threshold of 1 for `opt`).
    pub fn apply(self, config: &mut EngineConfig) {
        config.interpret_only = self.first == FirstTier::Interpreter && !self.optimizing;
        config.baseline = self.first == FirstTier::Baseline;
        config.optimizing = self.optimizing;
        if self.first == FirstTier::Optimizing {
            config.jit_threshold = 1;
        }
    }
}

impl FromStr for Tiers {
    type Err = String;
    fn from_str(s: &str) -> Result<Tiers, String> {
        let (first, optimizing) = match s.trim() {
            "baseline,opt" | "opt,baseline" => (FirstTier::Baseline, true),
            "baseline" => (FirstTier::Baseline, false),
            "opt" => (FirstTier::Optimizing, true),
            "interp,opt" | "opt,interp" => (FirstTier::Interpreter, true),
            "interp" => (FirstTier::Interpreter, false),
            other => return Err(format!("unknown tiers '{other}' (baseline,opt | baseline | opt | interp,opt | interp)")),
        };
        Ok(Tiers { first, optimizing })
    }
}

impl fmt::Display for Tiers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match (self.first, self.optimizing) {
            (FirstTier::Baseline, true) => "baseline,opt",
            (FirstTier::Baseline, false) => "baseline",
            (FirstTier::Optimizing, _) => "opt",
            (FirstTier::Interpreter, true) => "interp,opt",
            (FirstTier::Interpreter, false) => "interp",
        };
        f.write_str(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_parse_print_and_configure() {
        for (text, interpret_only, baseline, optimizing, threshold) in [
            ("baseline,opt", false, true, true, 50_000),
            ("baseline", false, true, false, 50_000),
            ("opt", false, false, true, 1),
            ("interp,opt", false, false, true, 50_000),
            ("interp", true, false, false, 50_000),
        ] {
            let t: Tiers = text.parse().unwrap();
            assert_eq!(t.to_string(), text);
            let mut c = EngineConfig::default();
            t.apply(&mut c);
            assert_eq!((c.interpret_only, c.baseline, c.optimizing, c.jit_threshold), (interpret_only, baseline, optimizing, threshold), "{text}");
        }
        assert!("fast".parse::<Tiers>().is_err());
    }
}
