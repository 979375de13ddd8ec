//! `kestrel-difftest`: compares Kestrel with qemu-aarch64 on random
//! instruction sequences. Exit status: 0 if no mismatch, 1 if any, 2 if the
//! run could not be set up.

use clap::Parser;
use kestrel_difftest::classes::{self, Class, CLASSES};
use kestrel_difftest::driver::{Config, Runner};
use kestrel_difftest::report;
use kestrel_difftest::setup;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(name = "kestrel-difftest", about = "Differential instruction tester: Kestrel against qemu-aarch64")]
struct Args {
    /// Seed of the run (default: from the clock; printed either way).
    #[arg(long, value_parser = parse_u64)]
    seed: Option<u64>,
    /// Comma-separated class names, or "all" (see --list-classes).
    #[arg(long, default_value = "all")]
    class: String,
    /// Sequences per class.
    #[arg(long, default_value_t = 100)]
    count: u64,
    /// Run for this many seconds instead, cycling through the classes.
    #[arg(long)]
    duration: Option<u64>,
    /// Index of the first test (tests are numbered per class).
    #[arg(long, default_value_t = 0)]
    first: u64,
    /// Most instructions per sequence (1-16).
    #[arg(long, default_value_t = 8)]
    max_insns: usize,
    /// Kestrel modes to compare with qemu: default, interp, baseline, jit.
    #[arg(long, default_value = "default,interp,baseline,jit")]
    modes: String,
    /// Sequences per emulator process.
    #[arg(long, default_value_t = 500)]
    batch: u64,
    /// Detailed reports per class.
    #[arg(long, default_value_t = 1)]
    show: usize,
    /// Stop at the first batch with a mismatch.
    #[arg(long)]
    stop_on_mismatch: bool,
    /// kestrel-aarch64 to test (default: next to this program, or $KESTREL_BIN).
    #[arg(long)]
    kestrel: Option<PathBuf>,
    /// qemu-aarch64 (default: $QEMU_AARCH64 or on PATH).
    #[arg(long)]
    qemu: Option<PathBuf>,
    /// qemu-aarch64 10, the oracle of the extension classes (default:
    /// $QEMU10_AARCH64, or .cache/qemu10 as scripts/fetch-qemu10.sh leaves it).
    #[arg(long)]
    qemu10: Option<PathBuf>,
    /// Guest harness (default: the one built into this program).
    #[arg(long)]
    harness: Option<PathBuf>,
    /// List the classes and exit.
    #[arg(long)]
    list_classes: bool,
    /// No progress lines.
    #[arg(long)]
    quiet: bool,
    /// Print every test's words and qemu's outcome.
    #[arg(long)]
    verbose: bool,
}

fn parse_u64(s: &str) -> Result<u64, String> {
    match s.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    }
    .map_err(|e| e.to_string())
}

fn fail(msg: &str) -> ! {
    eprintln!("kestrel-difftest: {msg}");
    std::process::exit(2)
}

fn main() {
    let args = Args::parse();
    if args.list_classes {
        for c in CLASSES {
            println!("{:<24} {:?} ({:?} qemu -cpu {})", c.name, c.group, c.oracle, c.qemu_cpu);
        }
        return;
    }
    let selected: Vec<&'static Class> = if args.class == "all" {
        CLASSES.iter().collect()
    } else {
        args.class
            .split(',')
            .map(|n| classes::by_name(n.trim()).unwrap_or_else(|| fail(&format!("unknown class '{n}' (see --list-classes)"))))
            .collect()
    };
    let qemu = args.qemu.clone().or_else(setup::find_qemu).unwrap_or_else(|| fail("qemu-aarch64 not found (install qemu-user)"));
    let kestrel = args
        .kestrel
        .clone()
        .or_else(setup::find_kestrel)
        .unwrap_or_else(|| fail("kestrel-aarch64 not found (cargo build --release, or --kestrel PATH)"));
    let harness = match args.harness.clone() {
        Some(h) => h,
        None => setup::install_harness().unwrap_or_else(|e| fail(&format!("cannot write the harness: {e}"))),
    };
    let subjects = args
        .modes
        .split(',')
        .map(|m| setup::kestrel_mode(&kestrel, m.trim()).unwrap_or_else(|| fail(&format!("unknown mode '{m}' (default, interp, jit)"))))
        .collect();
    let seed = args
        .seed
        .unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1));
    let cfg = Config {
        seed,
        max_insns: args.max_insns.clamp(1, 16),
        harness,
        qemu: setup::qemu_oracle(&qemu),
        qemu10: args.qemu10.clone().or_else(setup::find_qemu10).map(|q| setup::qemu10_oracle(&q)),
        subjects,
        stall: Duration::from_secs(60),
        show: args.show,
        verbose: args.verbose,
    };
    println!("kestrel-difftest: seed {seed:#x}, kestrel {}, qemu {}, modes {}", kestrel.display(), qemu.display(), args.modes);
    let mut runner = Runner::new(cfg);
    let start = Instant::now();
    let mut next_index = vec![args.first; selected.len()];
    let batch = args.batch.max(1);
    'outer: loop {
        let mut progressed = false;
        for (ci, class) in selected.iter().enumerate() {
            let done = next_index[ci] - args.first;
            let count = match args.duration {
                Some(_) => batch,
                None if done >= args.count => continue,
                None => batch.min(args.count - done),
            };
            let reports = runner.run_batch(class, next_index[ci], count).unwrap_or_else(|e| fail(&e));
            next_index[ci] += count;
            progressed = true;
            for r in &reports {
                println!("{r}");
            }
            if !args.quiet {
                let s = &runner.stats[class.name];
                eprintln!(
                    "[{:>6.1}s] {:<30} {:>7} seqs {:>9} insns {:>4} mismatches {:>5} unimplemented",
                    start.elapsed().as_secs_f64(),
                    class.name,
                    s.sequences,
                    s.insns,
                    s.mismatches,
                    s.unimplemented
                );
            }
            if args.stop_on_mismatch && !reports.is_empty() {
                break 'outer;
            }
            if args.duration.is_some_and(|d| start.elapsed() >= Duration::from_secs(d)) {
                break 'outer;
            }
        }
        if !progressed {
            break;
        }
    }
    let order: Vec<&'static str> = selected.iter().map(|c| c.name).collect();
    println!("{}", report::summary(&runner.stats, &order));
    println!("elapsed {:.1}s", start.elapsed().as_secs_f64());
    std::process::exit(if runner.total_mismatches() > 0 { 1 } else { 0 });
}
