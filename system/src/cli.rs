//! qemu-system-aarch64's command line.
//!
//! Scripts, CI jobs and tutorials start `virt` guests with qemu's spellings —
//! single-dash long options (`-machine`, `-nographic`), comma lists
//! (`-drive file=F,if=virtio`) — so Kestrel takes the same ones. As in
//! linux-user, [`normalize`] rewrites them into clap's (`-cpu` -> `--cpu`)
//! using the table below, clap checks arity and repetition, and the
//! [`values`] parsers turn each value into the typed [`MachineConfig`].
//! Like qemu, a later single-valued option overrides an earlier one.

pub mod values;

pub use crate::config::MachineConfig;
use crate::config::{CpuModel, GdbConfig, GicVersion, SerialBackend, VirtioDeviceConfig, DEFAULT_GDB_PORT};
use clap::{Arg, ArgAction, ArgMatches, Command};
use std::ffi::OsString;
use std::path::PathBuf;
use values::{DeviceRequest, DriveInterface};

/// The binary's name as shown in messages.
pub const PROGRAM_NAME: &str = "kestrel-system-aarch64";

/// A command-line mistake, reported as one line.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct CliError(pub String);

/// One option as typed by the user.
struct OptionSpec {
    /// Spelling after the dash.
    name: &'static str,
    /// Clap argument id; aliases share one.
    id: &'static str,
    /// Placeholder for the value, or `None` for a flag.
    value: Option<&'static str>,
    /// Whether the option may be given several times, each adding a value.
    repeats: bool,
    /// Help text.
    help: &'static str,
}

const fn opt(name: &'static str, id: &'static str, value: Option<&'static str>, help: &'static str) -> OptionSpec {
    OptionSpec { name, id, value, repeats: false, help }
}

const OPTIONS: &[OptionSpec] = &[
    opt("h", "help", None, "print this help and exit"),
    opt("help", "help", None, "print this help and exit"),
    opt("version", "version", None, "print the version and exit"),
    opt("M", "machine", Some("virt[,gic-version=2|3][,dumpdtb=FILE]"), "the board ('-M help' lists it)"),
    opt("machine", "machine", Some("virt[,...]"), "same as -M"),
    opt("cpu", "cpu", Some("model"), "CPU model ('-cpu help' lists them; default cortex-a57)"),
    opt("smp", "smp", Some("n"), "number of CPUs (GICv2: up to 8)"),
    opt("m", "memory", Some("size"), "RAM size: megabytes, or with a K/M/G/T suffix (default 128M)"),
    opt("kernel", "kernel", Some("Image"), "Linux kernel Image to boot (plain or gzip'd)"),
    opt("initrd", "initrd", Some("file"), "initial ramdisk"),
    opt("append", "append", Some("cmdline"), "kernel command line"),
    opt("dtb", "dtb", Some("file"), "pass this device tree blob instead of the generated one"),
    opt("nographic", "nographic", None, "no display: the serial port and monitor use the terminal"),
    opt("serial", "serial", Some("stdio|mon:stdio|none"), "where the PL011 UART is connected"),
    opt("no-reboot", "no_reboot", None, "exit instead of rebooting when the guest resets"),
    OptionSpec {
        name: "drive",
        id: "drive",
        value: Some("file=F[,if=virtio|none][,format=raw][,id=ID][,readonly=on]"),
        repeats: true,
        help: "a raw disk image",
    },
    OptionSpec {
        name: "device",
        id: "device",
        value: Some("virtio-blk-device,drive=ID|virtio-rng-device"),
        repeats: true,
        help: "add a virtio-mmio device",
    },
    opt("s", "gdb_default", None, "same as -gdb tcp::1234"),
    opt("S", "paused", None, "do not start the CPUs until the debugger says so"),
    opt("gdb", "gdb", Some("tcp::port"), "wait for gdb on this TCP port (gdb remote protocol)"),
    opt("d", "log", Some("stats"), "at exit, print translation statistics to standard error"),
];

fn find_option(name: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|o| o.name == name)
}

/// Rewrites qemu spellings into clap's. Every argument must be an option
/// from the table or the value of the one before it.
pub fn normalize(args: &[OsString]) -> Result<Vec<OsString>, CliError> {
    let mut out = vec![OsString::from(PROGRAM_NAME)];
    let mut i = 0;
    while i < args.len() {
        let text = args[i].to_string_lossy();
        let name = match text.strip_prefix("--").or_else(|| text.strip_prefix('-')) {
            Some(name) if !name.is_empty() => name,
            _ => {
                return Err(CliError(format!(
                    "unexpected argument '{text}' (disk images are given with -drive file={text},format=raw)"
                )))
            }
        };
        let spec = find_option(name).ok_or_else(|| CliError(format!("{text}: invalid option")))?;
        let dashes = if spec.name.len() == 1 { "-" } else { "--" };
        out.push(format!("{dashes}{}", spec.name).into());
        if spec.value.is_some() {
            i += 1;
            let value = args.get(i).ok_or_else(|| CliError(format!("{text}: requires an argument")))?;
            out.push(value.clone());
        }
        i += 1;
    }
    Ok(out)
}

/// The clap definition matching [`OPTIONS`].
fn command() -> Command {
    let mut cmd = Command::new(PROGRAM_NAME)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .args_override_self(true);
    let mut seen = Vec::new();
    for spec in OPTIONS {
        if seen.contains(&spec.id) {
            continue;
        }
        seen.push(spec.id);
        let mut arg = Arg::new(spec.id);
        for alias in OPTIONS.iter().filter(|o| o.id == spec.id) {
            let mut chars = alias.name.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => arg = arg.short(c),
                _ if arg.get_long().is_none() => arg = arg.long(alias.name),
                _ => arg = arg.alias(alias.name),
            }
        }
        let os_value = |arg: Arg, action| {
            arg.action(action).allow_hyphen_values(true).value_parser(clap::builder::ValueParser::os_string())
        };
        arg = match (spec.value, spec.repeats) {
            (None, _) => arg.action(ArgAction::SetTrue),
            (Some(_), true) => os_value(arg, ArgAction::Append),
            (Some(_), false) => os_value(arg, ArgAction::Set),
        };
        cmd = cmd.arg(arg);
    }
    cmd
}

/// Help text listing options as users type them.
pub fn help_text() -> String {
    let mut text = format!(
        "usage: {PROGRAM_NAME} -M virt -cpu cortex-a57 -kernel Image [options]\n\
         Boot an AArch64 Linux kernel on an emulated virt board.\n\nOptions:\n"
    );
    for spec in OPTIONS.iter().filter(|o| o.name != "help") {
        let left = match spec.value {
            Some(v) => format!("-{} {v}", spec.name),
            None => format!("-{}", spec.name),
        };
        if left.len() > 24 {
            text.push_str(&format!("  {left}\n  {:<24} {}\n", "", spec.help));
        } else {
            text.push_str(&format!("  {left:<24} {}\n", spec.help));
        }
    }
    text
}

/// What `main` should do after parsing.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// Build (and boot) this machine.
    Run(Box<MachineConfig>),
    /// Text for standard output (help, a version, a list); exit 0.
    Print(String),
}

fn text(m: &ArgMatches, id: &str) -> Option<String> {
    m.get_one::<OsString>(id).map(|v| v.to_string_lossy().into_owned())
}

fn path(m: &ArgMatches, id: &str) -> Option<PathBuf> {
    m.get_one::<OsString>(id).map(PathBuf::from)
}

/// Values of a repeatable option with their positions on the command line.
fn indexed(m: &ArgMatches, id: &str) -> Vec<(usize, String)> {
    match (m.get_many::<OsString>(id), m.indices_of(id)) {
        (Some(values), Some(indices)) => indices.zip(values.map(|v| v.to_string_lossy().into_owned())).collect(),
        _ => Vec::new(),
    }
}

/// Parses `args` (without the binary name).
pub fn parse(args: &[OsString]) -> Result<Parsed, CliError> {
    let m = command().try_get_matches_from(normalize(args)?).map_err(|e| {
        let text = e.to_string();
        let first = text.lines().next().unwrap_or("invalid arguments");
        CliError(first.trim_start_matches("error: ").to_string())
    })?;
    if m.get_flag("help") {
        return Ok(Parsed::Print(help_text()));
    }
    if m.get_flag("version") {
        return Ok(Parsed::Print(format!("{PROGRAM_NAME} version {}\n", env!("CARGO_PKG_VERSION"))));
    }

    let mut config = MachineConfig::default();
    if let Some(machine) = text(&m, "machine") {
        match values::parse_machine(&machine)? {
            None => return Ok(Parsed::Print("Supported machines are:\nvirt                 QEMU's ARM Virtual Machine layout\n".into())),
            Some(opts) => {
                config.gic_version = opts.gic_version.unwrap_or_default();
                config.dump_dtb = opts.dump_dtb;
            }
        }
    }
    if let Some(cpu) = text(&m, "cpu") {
        if cpu == "help" || cpu == "?" {
            let mut list = String::from("Available CPUs:\n");
            CpuModel::ALL.iter().for_each(|c| list.push_str(&format!("  {}\n", c.name())));
            return Ok(Parsed::Print(list));
        }
        config.cpu = CpuModel::from_name(&cpu)
            .ok_or_else(|| CliError(format!("unable to find CPU model '{cpu}' (try '-cpu help')")))?;
    }
    if let Some(smp) = text(&m, "smp") {
        config.smp = values::parse_smp(&smp)?;
    }
    let max_cpus = config.gic_version.max_cpus();
    if config.smp > max_cpus {
        return Err(CliError(format!(
            "Number of SMP CPUs requested ({}) exceeds the {max_cpus} the virt board supports with {}{}",
            config.smp,
            match config.gic_version {
                GicVersion::V2 => "GICv2",
                GicVersion::V3 => "GICv3",
            },
            if config.gic_version == GicVersion::V2 { " (try -machine gic-version=3)" } else { "" }
        )));
    }
    if let Some(size) = text(&m, "memory") {
        config.ram_size = values::parse_ram_size(&size)?;
    }

    config.kernel = path(&m, "kernel");
    config.initrd = path(&m, "initrd");
    config.append = text(&m, "append");
    config.dtb = path(&m, "dtb");
    if config.kernel.is_none() {
        for (id, given) in [("initrd", config.initrd.is_some()), ("append", config.append.is_some()), ("dtb", config.dtb.is_some())] {
            if given {
                return Err(CliError(format!("-{id} only allowed with -kernel option")));
            }
        }
        if config.dump_dtb.is_none() {
            return Err(CliError("no -kernel given (booting firmware is not supported)".into()));
        }
    }

    if let Some(items) = text(&m, "log") {
        for item in items.split(',') {
            match item {
                "stats" => config.stats = true,
                _ => return Err(CliError(format!("-d: unknown log item '{item}' (supported: stats)"))),
            }
        }
    }

    config.nographic = m.get_flag("nographic");
    config.serial = match text(&m, "serial") {
        Some(s) => values::parse_serial(&s)?,
        None if config.nographic => SerialBackend::MonStdio,
        // qemu would open a window here; Kestrel has no display, so the
        // console goes to the terminal either way.
        None => SerialBackend::Stdio,
    };
    config.no_reboot = m.get_flag("no_reboot");
    config.virtio_devices = virtio_devices(&m)?;
    config.gdb = match text(&m, "gdb") {
        Some(g) => Some(values::parse_gdb(&g)?),
        None if m.get_flag("gdb_default") => Some(GdbConfig { host: None, port: DEFAULT_GDB_PORT }),
        None => None,
    };
    config.start_paused = m.get_flag("paused");
    Ok(Parsed::Run(Box::new(config)))
}

/// The virtio devices in the order qemu creates them: every `-device` in
/// command-line order, then one virtio-blk per `if=virtio` drive (qemu
/// adds those after parsing the whole command line).
fn virtio_devices(m: &ArgMatches) -> Result<Vec<VirtioDeviceConfig>, CliError> {
    let mut drives = Vec::new();
    for (_, text) in indexed(m, "drive") {
        drives.push(values::parse_drive(&text)?);
    }
    for (i, (drive, _)) in drives.iter().enumerate() {
        if let Some(id) = &drive.id {
            if drives[..i].iter().any(|(d, _)| d.id.as_ref() == Some(id)) {
                return Err(CliError(format!("-drive: duplicate id '{id}'")));
            }
        }
    }
    let mut used = vec![false; drives.len()];
    let mut devices = Vec::new();
    for (_, text) in indexed(m, "device") {
        match values::parse_device(&text)? {
            None => {
                return Err(CliError(
                    "-device help: the virt board takes virtio-blk-device,drive=ID and virtio-rng-device".into(),
                ))
            }
            Some(DeviceRequest::VirtioRng) => devices.push(VirtioDeviceConfig::Rng),
            Some(DeviceRequest::VirtioBlock { drive }) => {
                let index = drives
                    .iter()
                    .position(|(d, _)| d.id.as_deref() == Some(drive.as_str()))
                    .ok_or_else(|| CliError(format!("-device virtio-blk-device: no -drive with id={drive}")))?;
                if used[index] || drives[index].1 == DriveInterface::Virtio {
                    return Err(CliError(format!(
                        "-device virtio-blk-device: drive '{drive}' is already in use (give it if=none)"
                    )));
                }
                used[index] = true;
                devices.push(VirtioDeviceConfig::Block(drives[index].0.clone()));
            }
        }
    }
    for (drive, interface) in drives {
        if interface == DriveInterface::Virtio {
            devices.push(VirtioDeviceConfig::Block(drive));
        }
    }
    if devices.len() > crate::board::memmap::VIRTIO_MMIO_COUNT as usize {
        return Err(CliError(format!(
            "too many virtio devices ({}; the virt board has {} virtio-mmio slots)",
            devices.len(),
            crate::board::memmap::VIRTIO_MMIO_COUNT
        )));
    }
    Ok(devices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DriveConfig;

    fn run(line: &str) -> Result<MachineConfig, CliError> {
        let args: Vec<OsString> = line.split_whitespace().map(OsString::from).collect();
        match parse(&args)? {
            Parsed::Run(config) => Ok(*config),
            Parsed::Print(text) => panic!("{line}: printed {text}"),
        }
    }

    #[test]
    fn a_typical_debian_boot() {
        let c = run("-M virt -cpu cortex-a72 -smp 4 -m 2G -nographic -kernel vmlinuz -initrd initrd.img \
                     -append console=ttyAMA0 -drive file=disk.img,if=none,format=raw,id=hd0 \
                     -device virtio-blk-device,drive=hd0 -device virtio-rng-device -no-reboot")
        .unwrap();
        assert_eq!(c.cpu, CpuModel::CortexA72);
        assert_eq!(c.smp, 4);
        assert_eq!(c.ram_size, 2 << 30);
        assert_eq!(c.kernel, Some(PathBuf::from("vmlinuz")));
        assert_eq!(c.initrd, Some(PathBuf::from("initrd.img")));
        assert_eq!(c.append.as_deref(), Some("console=ttyAMA0"));
        assert_eq!(c.serial, SerialBackend::MonStdio);
        assert!(c.no_reboot && c.nographic && !c.start_paused);
        assert_eq!(c.gic_version, GicVersion::V2);
        assert_eq!(
            c.virtio_devices,
            vec![
                VirtioDeviceConfig::Block(DriveConfig { file: "disk.img".into(), id: Some("hd0".into()), read_only: false }),
                VirtioDeviceConfig::Rng,
            ]
        );
    }

    #[test]
    fn defaults_and_spellings() {
        let c = run("-kernel Image").unwrap();
        assert_eq!((c.cpu, c.smp, c.ram_size, c.serial), (CpuModel::CortexA57, 1, 128 << 20, SerialBackend::Stdio));
        let c = run("--machine virt,gic-version=3 -kernel Image -smp 16 -m 1024 -serial stdio -nographic").unwrap();
        assert_eq!((c.gic_version, c.smp, c.ram_size, c.serial), (GicVersion::V3, 16, 1 << 30, SerialBackend::Stdio));
        // Later options override earlier ones, as in qemu.
        assert_eq!(run("-kernel a -m 256 -m 512").unwrap().ram_size, 512 << 20);
        let c = run("-M virt,dumpdtb=out.dtb").unwrap();
        assert_eq!(c.dump_dtb, Some(PathBuf::from("out.dtb")));
        assert_eq!(c.kernel, None);
    }

    #[test]
    fn if_virtio_drives_come_after_explicit_devices() {
        let c = run("-kernel k -drive file=a.img,if=virtio -device virtio-rng-device -drive file=b.img,format=raw").unwrap();
        let files: Vec<_> = c
            .virtio_devices
            .iter()
            .map(|d| match d {
                VirtioDeviceConfig::Block(d) => d.file.to_string_lossy().into_owned(),
                VirtioDeviceConfig::Rng => "rng".into(),
            })
            .collect();
        assert_eq!(files, ["rng", "a.img", "b.img"]);
    }

    #[test]
    fn gdb_options() {
        assert_eq!(run("-kernel k -s -S").unwrap().gdb, Some(GdbConfig { host: None, port: 1234 }));
        assert!(run("-kernel k -s -S").unwrap().start_paused);
        assert_eq!(run("-kernel k -gdb tcp::4444").unwrap().gdb, Some(GdbConfig { host: None, port: 4444 }));
    }

    #[test]
    fn help_and_lists_print() {
        for line in [vec!["-h"], vec!["--help"], vec!["-cpu", "help"], vec!["-M", "help"], vec!["-version"]] {
            let args: Vec<OsString> = line.iter().map(OsString::from).collect();
            assert!(matches!(parse(&args), Ok(Parsed::Print(_))), "{line:?}");
        }
        assert!(help_text().contains("-nographic"));
    }

    #[test]
    fn bad_command_lines_are_one_line_errors() {
        let rows = [
            ("-kernel k -bogus", "-bogus: invalid option"),
            ("-kernel k -cpu cortex-a99", "unable to find CPU model 'cortex-a99'"),
            ("-kernel k -m 300x", "-m 300x"),
            ("-kernel k -smp 9", "exceeds the 8"),
            ("-kernel k -smp 124 -M virt,gic-version=3", "exceeds the 123"),
            ("-kernel k -M pc", "unsupported machine type 'pc'"),
            ("-kernel", "-kernel: requires an argument"),
            ("-M virt", "no -kernel given"),
            ("-initrd i -M virt,dumpdtb=x", "-initrd only allowed with -kernel"),
            ("-kernel k disk.img", "unexpected argument 'disk.img'"),
            ("-kernel k -device virtio-blk-device,drive=nope", "no -drive with id=nope"),
            ("-kernel k -drive file=a,id=d -device virtio-blk-device,drive=d", "already in use"),
            ("-kernel k -drive file=a,id=d,if=none -drive file=b,id=d,if=none", "duplicate id"),
            ("-kernel k -serial pty", "unsupported backend"),
            ("-kernel k -gdb 1234", "-gdb"),
            ("-kernel k -nographic=1", "invalid option"),
        ];
        for (line, expected) in rows {
            let err = run(line).expect_err(line).0;
            assert!(err.contains(expected), "{line}: got '{err}', expected '{expected}'");
            assert!(!err.contains('\n'), "{line}: '{err}' is not one line");
        }
    }

    #[test]
    fn more_devices_than_slots_is_an_error() {
        let line = format!("-kernel k{}", " -device virtio-rng-device".repeat(33));
        assert!(run(&line).unwrap_err().0.contains("too many virtio devices"));
        let line = format!("-kernel k{}", " -device virtio-rng-device".repeat(32));
        assert_eq!(run(&line).unwrap().virtio_devices.len(), 32);
    }
}
