//! Parsers for the values of qemu-system's options: `key=value` lists
//! (`-machine`, `-drive`, `-device`), sizes (`-m`), CPU counts (`-smp`) and
//! chardev/gdb addresses. Each returns a typed value or a one-line error
//! naming the option.

use super::CliError;
use crate::config::{DriveConfig, GdbConfig, GicVersion, SerialBackend};
use std::path::PathBuf;

/// Splits a qemu option list at commas; `,,` is a literal comma (how qemu
/// spells a comma inside a file name).
pub fn split_list(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ',' && chars.peek() == Some(&',') {
            chars.next();
            current.push(',');
        } else if c == ',' {
            items.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    items.push(current);
    items
}

/// `on`/`off` and qemu's synonyms.
fn parse_bool(option: &str, key: &str, value: &str) -> Result<bool, CliError> {
    match value {
        "on" | "yes" | "true" => Ok(true),
        "off" | "no" | "false" => Ok(false),
        _ => Err(CliError(format!("{option}: {key} takes on or off, not '{value}'"))),
    }
}

/// What `-machine` set.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MachineOptions {
    /// `gic-version=`.
    pub gic_version: Option<GicVersion>,
    /// `dumpdtb=`.
    pub dump_dtb: Option<PathBuf>,
}

/// `-machine [type=]virt[,gic-version=2|3|max][,dumpdtb=FILE][,accel=tcg]`.
///
/// `None` means `-machine help` was asked for.
pub fn parse_machine(text: &str) -> Result<Option<MachineOptions>, CliError> {
    let mut opts = MachineOptions::default();
    for (i, item) in split_list(text).iter().enumerate() {
        let (key, value) = match item.split_once('=') {
            Some((k, v)) => (k, v),
            None if i == 0 => ("type", item.as_str()),
            None => return Err(CliError(format!("-machine: '{item}' needs a value (key=value)"))),
        };
        match key {
            "type" => match value {
                "virt" => {}
                "help" | "?" => return Ok(None),
                _ => {
                    return Err(CliError(format!(
                        "-machine: unsupported machine type '{value}' (only 'virt'; try '-machine help')"
                    )))
                }
            },
            "gic-version" => {
                opts.gic_version = Some(match value {
                    "2" => GicVersion::V2,
                    // Without KVM, qemu's "max" is the newest GIC it emulates.
                    "3" | "max" => GicVersion::V3,
                    "host" => return Err(CliError("-machine: gic-version=host needs KVM; use 2 or 3".into())),
                    _ => return Err(CliError(format!("-machine: invalid gic-version '{value}' (2 or 3)"))),
                })
            }
            "dumpdtb" => {
                if value.is_empty() {
                    return Err(CliError("-machine: dumpdtb needs a file name".into()));
                }
                opts.dump_dtb = Some(PathBuf::from(value));
            }
            "accel" if value == "tcg" => {}
            "accel" => return Err(CliError(format!("-machine: accelerator '{value}' is not available (only tcg)"))),
            // Off is what Kestrel models; on would need EL3 / EL2.
            "secure" | "virtualization" => {
                if parse_bool("-machine", key, value)? {
                    return Err(CliError(format!("-machine: {key}=on is not supported")));
                }
            }
            _ => return Err(CliError(format!("-machine: unsupported property '{key}'"))),
        }
    }
    Ok(Some(opts))
}

const KIB: u64 = 1 << 10;
const MIB: u64 = 1 << 20;

/// `-m [size=]SIZE`: a number with an optional B/K/M/G/T suffix, megabytes
/// when there is none (qemu's rule), rounded up to 8 KiB as qemu does.
pub fn parse_ram_size(text: &str) -> Result<u64, CliError> {
    let bad = || {
        CliError(format!(
            "-m {text}: expected a size such as 1024, 512M or 2G (suffixes B, K, M, G, T; M when none)"
        ))
    };
    let mut size_text = None;
    for (i, item) in split_list(text).iter().enumerate() {
        match item.split_once('=') {
            Some(("size", v)) => size_text = Some(v.to_string()),
            None if i == 0 => size_text = Some(item.clone()),
            Some((key, _)) => return Err(CliError(format!("-m: unsupported property '{key}' (memory hotplug is not modelled)"))),
            None => return Err(bad()),
        }
    }
    let size_text = size_text.ok_or_else(bad)?;
    let (number, unit) = match size_text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&size_text[..i], c),
        _ => (size_text.as_str(), 'M'),
    };
    let shift = match unit.to_ascii_uppercase() {
        'B' => 0,
        'K' => 10,
        'M' => 20,
        'G' => 30,
        'T' => 40,
        _ => return Err(bad()),
    };
    let bytes = parse_scaled(number, shift).ok_or_else(bad)?;
    if bytes == 0 {
        return Err(CliError(format!("-m {text}: RAM size must not be zero")));
    }
    let rounded = bytes.checked_next_multiple_of(8 * KIB).ok_or_else(bad)?;
    let max = crate::board::memmap::RAM_MAX_SIZE;
    if rounded > max {
        return Err(CliError(format!("-m {text}: the virt board cannot model more than {} GiB of RAM", max >> 30)));
    }
    if rounded < MIB {
        return Err(CliError(format!("-m {text}: at least 1M of RAM is needed")));
    }
    Ok(rounded)
}

/// `digits[.digits]` times 2^shift, exactly, or `None`.
fn parse_scaled(number: &str, shift: u32) -> Option<u64> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u128 = whole.parse().ok()?;
    let mut value = whole.checked_shl(shift)?;
    if !fraction.is_empty() {
        let digits: u128 = fraction.parse().ok()?;
        let scale = 10u128.checked_pow(fraction.len() as u32)?;
        value = value.checked_add((digits << shift) / scale)?;
    }
    u64::try_from(value).ok()
}

/// `-smp [cpus=]N[,maxcpus=N][,sockets=1][,clusters=1][,cores=N][,threads=1]`.
///
/// Only the flat topology qemu picks by default (one socket, one cluster,
/// N cores of one thread) is modelled; other spellings of it are accepted.
pub fn parse_smp(text: &str) -> Result<u32, CliError> {
    let number = |key: &str, v: &str| {
        v.parse::<u32>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| CliError(format!("-smp: {key} must be a positive number, not '{v}'")))
    };
    let (mut cpus, mut cores, mut max) = (None, None, None);
    for (i, item) in split_list(text).iter().enumerate() {
        match item.split_once('=') {
            None if i == 0 => cpus = Some(number("cpus", item)?),
            Some(("cpus", v)) => cpus = Some(number("cpus", v)?),
            Some(("cores", v)) => cores = Some(number("cores", v)?),
            Some(("maxcpus", v)) => max = Some(number("maxcpus", v)?),
            Some((key @ ("sockets" | "clusters" | "threads" | "dies"), v)) => {
                if number(key, v)? != 1 {
                    return Err(CliError(format!("-smp: {key}={v}: only one socket, cluster and thread per core is modelled")));
                }
            }
            Some((key, _)) => return Err(CliError(format!("-smp: unsupported property '{key}'"))),
            None => return Err(CliError(format!("-smp: '{item}' needs a value (key=value)"))),
        }
    }
    let n = cpus.or(cores).or(max).ok_or_else(|| CliError("-smp: no CPU count given".into()))?;
    for (key, other) in [("cores", cores), ("maxcpus", max)] {
        if other.is_some_and(|o| o != n) {
            return Err(CliError(format!("-smp: {key} must equal cpus ({n}): CPU hotplug is not modelled")));
        }
    }
    Ok(n)
}

/// Where a `-drive` is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriveInterface {
    /// `if=virtio` (the virt board's default): a virtio-blk device of its own.
    Virtio,
    /// `if=none`: attached by `-device virtio-blk-device,drive=ID`.
    None,
}

/// `-drive file=F[,if=virtio|none][,format=raw][,id=ID][,readonly=on|off][,cache=...]`.
pub fn parse_drive(text: &str) -> Result<(DriveConfig, DriveInterface), CliError> {
    let (mut file, mut id, mut read_only, mut interface) = (None, None, false, DriveInterface::Virtio);
    for item in split_list(text) {
        let (key, value) = item
            .split_once('=')
            .ok_or_else(|| CliError(format!("-drive: '{item}' needs a value (key=value)")))?;
        match key {
            "file" if !value.is_empty() => file = Some(PathBuf::from(value)),
            "file" => return Err(CliError("-drive: file= is empty".into())),
            "if" => {
                interface = match value {
                    "virtio" => DriveInterface::Virtio,
                    "none" => DriveInterface::None,
                    _ => return Err(CliError(format!("-drive: interface '{value}' is not on the virt board (virtio or none)"))),
                }
            }
            "format" if value == "raw" => {}
            "format" => return Err(CliError(format!("-drive: format '{value}' is not supported (only raw)"))),
            "id" if !value.is_empty() => id = Some(value.to_string()),
            "id" => return Err(CliError("-drive: id= is empty".into())),
            "readonly" => read_only = parse_bool("-drive", key, value)?,
            // The host page cache does not change what the guest sees.
            "cache" => {}
            _ => return Err(CliError(format!("-drive: unsupported property '{key}'"))),
        }
    }
    let file = file.ok_or_else(|| CliError("-drive: file= is required".into()))?;
    Ok((DriveConfig { file, id, read_only }, interface))
}

/// A `-device` the virt board can hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceRequest {
    /// `virtio-blk-device,drive=ID`.
    VirtioBlock {
        /// The `-drive id=` it uses.
        drive: String,
    },
    /// `virtio-rng-device`.
    VirtioRng,
}

/// `-device virtio-blk-device,drive=ID` or `-device virtio-rng-device`.
///
/// `None` means `-device help`.
pub fn parse_device(text: &str) -> Result<Option<DeviceRequest>, CliError> {
    let items = split_list(text);
    let driver = items[0].strip_prefix("driver=").unwrap_or(&items[0]);
    let mut drive = None;
    for item in &items[1..] {
        match item.split_once('=') {
            Some(("drive", v)) if driver == "virtio-blk-device" && !v.is_empty() => drive = Some(v.to_string()),
            _ => return Err(CliError(format!("-device {driver}: unsupported property '{item}'"))),
        }
    }
    match driver {
        "help" | "?" => Ok(None),
        "virtio-blk-device" => drive
            .map(|drive| Some(DeviceRequest::VirtioBlock { drive }))
            .ok_or_else(|| CliError("-device virtio-blk-device: drive=ID is required".into())),
        "virtio-rng-device" => Ok(Some(DeviceRequest::VirtioRng)),
        d if d.ends_with("-pci") => Err(CliError(format!(
            "-device {d}: there is no PCI bus yet; use the virtio-mmio form ({}-device)",
            d.trim_end_matches("-pci")
        ))),
        d => Err(CliError(format!("-device: unsupported device '{d}' (try '-device help')"))),
    }
}

/// `-serial stdio|mon:stdio|none|null`.
pub fn parse_serial(text: &str) -> Result<SerialBackend, CliError> {
    match text {
        "stdio" => Ok(SerialBackend::Stdio),
        "mon:stdio" => Ok(SerialBackend::MonStdio),
        "none" | "null" => Ok(SerialBackend::None),
        _ => Err(CliError(format!("-serial: unsupported backend '{text}' (stdio, mon:stdio or none)"))),
    }
}

/// `-gdb tcp:[HOST]:PORT`.
pub fn parse_gdb(text: &str) -> Result<GdbConfig, CliError> {
    let bad = || CliError(format!("-gdb: expected tcp::PORT or tcp:HOST:PORT, not '{text}'"));
    let rest = text.strip_prefix("tcp:").ok_or_else(bad)?;
    let (host, port) = rest.rsplit_once(':').ok_or_else(bad)?;
    let port = port.parse::<u16>().ok().filter(|&p| p != 0).ok_or_else(bad)?;
    let host = (!host.is_empty()).then(|| host.to_string());
    Ok(GdbConfig { host, port })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_keep_doubled_commas() {
        assert_eq!(split_list("file=a,,b.img,if=none"), vec!["file=a,b.img", "if=none"]);
        assert_eq!(split_list("virt"), vec!["virt"]);
    }

    #[test]
    fn ram_sizes() {
        let rows: &[(&str, u64)] = &[
            ("1024", 1 << 30),
            ("512M", 512 << 20),
            ("512m", 512 << 20),
            ("2G", 2 << 30),
            ("1.5G", 3 << 29),
            ("size=256", 256 << 20),
            ("1048576B", 1 << 20),
            ("1048577B", (1 << 20) + 8192),
            ("255G", 255 << 30),
        ];
        for &(text, bytes) in rows {
            assert_eq!(parse_ram_size(text), Ok(bytes), "{text}");
        }
        for bad in ["300x", "", "G", "-1", "0", "256G", "1T", "1.G5", "100K", "64,slots=2"] {
            assert!(parse_ram_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn smp_counts() {
        assert_eq!(parse_smp("4"), Ok(4));
        assert_eq!(parse_smp("cpus=2,sockets=1,cores=2,threads=1"), Ok(2));
        assert_eq!(parse_smp("cores=3"), Ok(3));
        for bad in ["0", "x", "2,sockets=2", "2,maxcpus=4", "2,foo=1", ""] {
            assert!(parse_smp(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn machine_options() {
        assert_eq!(parse_machine("virt"), Ok(Some(MachineOptions::default())));
        let m = parse_machine("virt,gic-version=3,dumpdtb=/tmp/x.dtb").unwrap().unwrap();
        assert_eq!(m.gic_version, Some(GicVersion::V3));
        assert_eq!(m.dump_dtb, Some(PathBuf::from("/tmp/x.dtb")));
        assert_eq!(parse_machine("type=virt,gic-version=max").unwrap().unwrap().gic_version, Some(GicVersion::V3));
        assert_eq!(parse_machine("help"), Ok(None));
        for bad in ["pc", "virt,gic-version=4", "virt,gic-version=host", "virt,dumpdtb=", "virt,accel=kvm", "virt,highmem", "virt,virtualization=on"] {
            assert!(parse_machine(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn drives_and_devices() {
        let (d, i) = parse_drive("file=disk.img,if=none,format=raw,id=hd0").unwrap();
        assert_eq!((d.file.to_str(), d.id.as_deref(), d.read_only, i), (Some("disk.img"), Some("hd0"), false, DriveInterface::None));
        let (d, i) = parse_drive("file=r.img,readonly=on").unwrap();
        assert!(d.read_only);
        assert_eq!(i, DriveInterface::Virtio);
        for bad in ["if=none", "file=x,format=qcow2", "file=x,if=ide", "file=x,bogus=1", "file=x,readonly=maybe"] {
            assert!(parse_drive(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_device("virtio-blk-device,drive=hd0"), Ok(Some(DeviceRequest::VirtioBlock { drive: "hd0".into() })));
        assert_eq!(parse_device("virtio-rng-device"), Ok(Some(DeviceRequest::VirtioRng)));
        assert_eq!(parse_device("help"), Ok(None));
        for bad in ["virtio-blk-device", "virtio-blk-pci,drive=x", "e1000", "virtio-rng-device,rng=r0"] {
            assert!(parse_device(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn serial_and_gdb() {
        assert_eq!(parse_serial("mon:stdio"), Ok(SerialBackend::MonStdio));
        assert!(parse_serial("pty").is_err());
        assert_eq!(parse_gdb("tcp::1234"), Ok(GdbConfig { host: None, port: 1234 }));
        assert_eq!(parse_gdb("tcp:127.0.0.1:4321"), Ok(GdbConfig { host: Some("127.0.0.1".into()), port: 4321 }));
        for bad in ["1234", "tcp::0", "tcp::x", "udp::1"] {
            assert!(parse_gdb(bad).is_err(), "{bad}");
        }
    }
}
