//! `kestrel-system-aarch64`: an AArch64 `virt` board on Kestrel's
//! translator, started with qemu-system-aarch64's command line.

use kestrel_system::board;
use kestrel_system::config::Tiers;
use kestrel_system::machine::Shutdown;
use kestrel_system::runner;
use kestrel_system::cli::{self, Parsed, PROGRAM_NAME};
use std::process::exit;

/// Prints `message` as the one line of an error and exits 1.
fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("{PROGRAM_NAME}: {message}");
    exit(1)
}

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let mut config = match cli::parse(&args) {
        Ok(Parsed::Run(config)) => config,
        Ok(Parsed::Print(text)) => {
            print!("{text}");
            exit(0)
        }
        Err(err) => fail(err),
    };
    config.tiers = Tiers::from_env().unwrap_or_else(|err| fail(err));
    let images = board::prepare_boot(&config).unwrap_or_else(|err| fail(err));
    if let Some(path) = &config.dump_dtb {
        board::dump_dtb(&images, path).unwrap_or_else(|err| fail(err));
        // qemu says the same on standard error before exiting 0.
        eprintln!("{PROGRAM_NAME}: info: dtb dumped to {}. Exiting.", path.display());
        exit(0);
    }
    loop {
        match runner::run(&config, &images) {
            Err(err) => fail(err),
            // A reset reboots the machine, unless -no-reboot says to exit.
            Ok(Shutdown::Reset) if !config.no_reboot => continue,
            Ok(Shutdown::Quit) => {
                eprintln!("{PROGRAM_NAME}: terminating");
                exit(0)
            }
            Ok(_) => exit(0),
        }
    }
}
