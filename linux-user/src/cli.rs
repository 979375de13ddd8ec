//! Command line and environment settings.
//!
//! Kestrel accepts QEMU's user-mode spellings — single-dash long options such as
//! `-cpu max` and `-strace` — so scripts and binfmt setups written for
//! `qemu-aarch64` work unchanged. Options end at the first argument that is not
//! an option (or at `--`): that is the guest program, and everything after it is
//! the guest's own argument list, even if it looks like an option.
//!
//! Parsing is two steps: [`normalize`] walks the arguments with the option table
//! below, finds where the guest command starts and rewrites QEMU spellings into
//! clap's (`-cpu` -> `--cpu`); clap then validates and extracts the values.
//! Every option can also come from a `KESTREL_*` environment variable; an option
//! on the command line wins over its variable.

use crate::hwcap::CpuModel;
use crate::logging::{LogItems, ITEM_HELP};
use clap::{Arg, ArgAction, ArgMatches, Command};
use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

/// The binary's name as shown in messages.
pub const PROGRAM_NAME: &str = "kestrel-aarch64";

/// Default size of the guest's initial stack (Linux's default RLIMIT_STACK).
pub const DEFAULT_STACK_SIZE: u64 = 8 << 20;

/// One option as typed by the user.
struct OptionSpec {
    /// Spelling after the dash(es).
    name: &'static str,
    /// Clap argument id.
    id: &'static str,
    /// Placeholder for the value, or `None` for a flag.
    value: Option<&'static str>,
    /// Environment variable providing a default.
    env: Option<&'static str>,
    /// Help text.
    help: &'static str,
}

const OPTIONS: &[OptionSpec] = &[
    OptionSpec { name: "h", id: "help", value: None, env: None, help: "print this help and exit" },
    OptionSpec { name: "help", id: "help", value: None, env: None, help: "print this help and exit" },
    OptionSpec { name: "version", id: "version", value: None, env: None, help: "print the version and exit" },
    OptionSpec {
        name: "L",
        id: "ld_prefix",
        value: Some("path"),
        env: Some("KESTREL_LD_PREFIX"),
        help: "sysroot: look up the ELF interpreter and absolute guest paths here first",
    },
    OptionSpec {
        name: "E",
        id: "set_env",
        value: Some("var=value"),
        env: Some("KESTREL_SET_ENV"),
        help: "set a variable in the guest environment (repeatable; env: comma list)",
    },
    OptionSpec {
        name: "U",
        id: "unset_env",
        value: Some("var"),
        env: Some("KESTREL_UNSET_ENV"),
        help: "remove a variable from the guest environment (repeatable; env: comma list)",
    },
    OptionSpec {
        name: "0",
        id: "argv0",
        value: Some("argv0"),
        env: Some("KESTREL_ARGV0"),
        help: "pass this as the guest's argv[0] instead of the program path",
    },
    OptionSpec {
        name: "cpu",
        id: "cpu",
        value: Some("model"),
        env: Some("KESTREL_CPU"),
        help: "CPU model to present to the guest ('-cpu help' lists them)",
    },
    OptionSpec {
        name: "s",
        id: "stack_size",
        value: Some("size"),
        env: Some("KESTREL_STACK_SIZE"),
        help: "size of the guest's initial stack, with optional k/M/G suffix (default 8M)",
    },
    OptionSpec {
        name: "r",
        id: "uname_release",
        value: Some("release"),
        env: Some("KESTREL_UNAME_RELEASE"),
        help: "kernel release reported by uname",
    },
    OptionSpec {
        name: "strace",
        id: "strace",
        value: None,
        env: Some("KESTREL_STRACE"),
        help: "log system calls and their results",
    },
    OptionSpec {
        name: "d",
        id: "log_items",
        value: Some("item[,...]"),
        env: Some("KESTREL_LOG"),
        help: "enable logging of the given items ('-d help' lists them)",
    },
    OptionSpec {
        name: "D",
        id: "log_file",
        value: Some("logfile"),
        env: Some("KESTREL_LOG_FILENAME"),
        help: "write logs to this file instead of standard error",
    },
    OptionSpec {
        name: "interp",
        id: "interp",
        value: None,
        env: Some("KESTREL_INTERP"),
        help: "interpret only: never compile guest code with the JIT",
    },
    OptionSpec {
        name: "code-cache",
        id: "code_cache",
        value: Some("dir|on|off"),
        env: Some("KESTREL_CACHE_DIR"),
        help: "persistent translation cache directory; on: $XDG_CACHE_HOME/kestrel or ~/.cache/kestrel; off (default): none",
    },
    OptionSpec {
        name: "perfmap",
        id: "perfmap",
        value: None,
        env: Some("KESTREL_PERFMAP"),
        help: "write /tmp/perf-PID.map so that perf report names translated guest code",
    },
    OptionSpec {
        name: "tiers",
        id: "tiers",
        value: Some("list"),
        env: Some("KESTREL_TIERS"),
        help: "translation tiers: baseline,opt (default) | baseline | opt | interp,opt | interp",
    },
    OptionSpec {
        name: "jit-threshold",
        id: "jit_threshold",
        value: Some("N"),
        env: Some("KESTREL_JIT_THRESHOLD"),
        help: "executions of a block before it is compiled",
    },
    OptionSpec {
        name: "g",
        id: "gdb_port",
        value: Some("port"),
        env: Some("KESTREL_GDB"),
        help: "wait for gdb on this TCP port before running the guest (gdb remote protocol)",
    },
    OptionSpec {
        name: "binfmt",
        id: "binfmt",
        value: Some("action"),
        env: None,
        help: "register, unregister, status, or conf (print a binfmt.d line): run AArch64 programs through binfmt_misc",
    },
    OptionSpec {
        name: "binfmt-flags",
        id: "binfmt_flags",
        value: Some("flags"),
        env: None,
        help: "binfmt_misc flags for register (default POCF)",
    },
    OptionSpec {
        name: "binfmt-name",
        id: "binfmt_name",
        value: Some("name"),
        env: None,
        help: "binfmt_misc entry name (default kestrel-aarch64)",
    },
];

/// A change to the guest environment, applied in command-line order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvEdit {
    /// `-E VAR=value`.
    Set(OsString),
    /// `-U VAR`.
    Unset(OsString),
}

/// Everything the command line and environment decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// `-L`: sysroot for the interpreter and absolute guest paths.
    pub ld_prefix: Option<PathBuf>,
    /// `-E` / `-U`, in order.
    pub env_edits: Vec<EnvEdit>,
    /// `-0`: the guest's argv[0].
    pub argv0: Option<OsString>,
    /// `-cpu`.
    pub cpu: CpuModel,
    /// `-cpu MODEL,pauth-impdef=on|off`.
    pub pauth_impdef: Option<bool>,
    /// `--code-cache DIR|off`.
    pub code_cache: Option<PathBuf>,
    /// `-d` items, with `-strace` folded in.
    pub log_items: LogItems,
    /// `-D`.
    pub log_file: Option<PathBuf>,
    /// `-s`: bytes of initial stack.
    pub stack_size: u64,
    /// `-r`: uname release override.
    pub uname_release: Option<String>,
    /// `--interp`.
    pub interpret_only: bool,
    /// `--jit-threshold`.
    pub jit_threshold: Option<u32>,
    /// `--tiers`.
    pub tiers: Option<kestrel::jit::Tiers>,
    /// `-perfmap`.
    pub perfmap: bool,
    /// The guest program path as given.
    pub program: OsString,
    /// The guest's arguments after the program (argv[1..]).
    pub args: Vec<OsString>,
    /// binfmt_misc's `O` flag: the program, already open. Set by `main` from
    /// the auxiliary vector, never by an option.
    pub exec_fd: Option<i32>,
    /// `-g PORT`: the gdb stub's port.
    pub gdb_port: Option<u16>,
}

/// What `main` should do after parsing.
#[derive(Debug)]
pub enum Parsed {
    /// Run a guest program.
    Run(Box<Options>),
    /// Help, a version or a list was printed; exit with this status.
    Exit(i32),
    /// `--binfmt`: manage the binfmt_misc entry.
    Binfmt(crate::binfmt::Request),
}

/// A command-line mistake, reported as one line plus a usage hint.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct CliError(pub String);

fn find_option(name: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|o| o.name == name)
}

/// Rewrites QEMU spellings to clap's and marks where the guest command starts
/// with `--`. Only options from the table are accepted before the program.
pub fn normalize(args: &[OsString]) -> Result<Vec<OsString>, CliError> {
    let mut out = vec![OsString::from(PROGRAM_NAME)];
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        let text = arg.to_str().unwrap_or("");
        if text == "--" {
            out.push("--".into());
            out.extend(args[i + 1..].iter().cloned());
            return Ok(out);
        }
        if !text.starts_with('-') || text == "-" {
            out.push("--".into());
            out.extend(args[i..].iter().cloned());
            return Ok(out);
        }
        let name = text.strip_prefix("--").unwrap_or(&text[1..]);
        let spec = find_option(name)
            .ok_or_else(|| CliError(format!("unknown option '{}'", arg.to_string_lossy())))?;
        let spelled = if spec.name.len() == 1 {
            format!("-{}", spec.name)
        } else {
            format!("--{}", spec.name)
        };
        out.push(spelled.into());
        if spec.value.is_some() {
            i += 1;
            let value = args
                .get(i)
                .ok_or_else(|| CliError(format!("option '{text}' needs an argument")))?;
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
        .no_binary_name(false);
    let mut seen = Vec::new();
    for spec in OPTIONS {
        if seen.contains(&spec.id) {
            continue;
        }
        seen.push(spec.id);
        let mut arg = Arg::new(spec.id);
        for alias in OPTIONS.iter().filter(|o| o.id == spec.id) {
            if alias.name.len() == 1 {
                arg = arg.short(alias.name.chars().next().unwrap_or('?'));
            } else if arg.get_long().is_none() {
                arg = arg.long(alias.name);
            } else {
                arg = arg.alias(alias.name);
            }
        }
        arg = match spec.value {
            None => arg.action(ArgAction::SetTrue),
            Some(_) if spec.id == "set_env" || spec.id == "unset_env" => arg
                .action(ArgAction::Append)
                .allow_hyphen_values(true)
                .value_parser(clap::value_parser!(OsString)),
            Some(_) if spec.id == "jit_threshold" => arg
                .action(ArgAction::Set)
                .allow_hyphen_values(true)
                .value_parser(clap::value_parser!(u32)),
            Some(_) => arg
                .action(ArgAction::Set)
                .allow_hyphen_values(true)
                .value_parser(clap::value_parser!(OsString)),
        };
        cmd = cmd.arg(arg);
    }
    cmd.arg(
        Arg::new("command")
            .num_args(1..)
            .trailing_var_arg(true)
            .allow_hyphen_values(true)
            .value_parser(clap::value_parser!(OsString)),
    )
}

/// Help text listing options in the spelling users type.
pub fn help_text() -> String {
    let mut text = format!(
        "usage: {PROGRAM_NAME} [options] program [arguments...]\n\
         Run an AArch64 Linux program on this host.\n\nOptions:\n"
    );
    for spec in OPTIONS.iter().filter(|o| o.name != "help") {
        let kestrel_only = ["interp", "jit-threshold", "tiers", "code-cache"].contains(&spec.name) || spec.name.starts_with("binfmt");
        let dash = if kestrel_only {
            "--"
        } else {
            "-"
        };
        let left = match spec.value {
            Some(v) => format!("{dash}{} {v}", spec.name),
            None => format!("{dash}{}", spec.name),
        };
        let env = spec.env.map(|e| format!(" [{e}]")).unwrap_or_default();
        text.push_str(&format!("  {left:<22} {}{env}\n", spec.help));
    }
    text.push_str("\nOptions end at the program name; later arguments go to the program.\n");
    text
}

/// `-cpu MODEL[,PROPERTY=VALUE...]`; the one property is qemu's
/// `pauth-impdef=on|off` (the pointer-authentication algorithm).
fn parse_cpu(text: &str) -> Result<(CpuModel, Option<bool>), CliError> {
    let mut parts = text.split(',');
    let name = parts.next().unwrap_or_default();
    let model = CpuModel::from_name(name)
        .ok_or_else(|| CliError(format!("unknown CPU model '{name}' (try '-cpu help')")))?;
    let mut pauth_impdef = None;
    for property in parts {
        let value = match property.split_once('=') {
            Some(("pauth-impdef", v)) => v,
            _ => return Err(CliError(format!("unknown -cpu property '{property}' (known: pauth-impdef=on|off)"))),
        };
        pauth_impdef = Some(match value {
            "on" | "true" | "yes" => true,
            "off" | "false" | "no" => false,
            _ => return Err(CliError(format!("-cpu: pauth-impdef takes on or off, not '{value}'"))),
        });
    }
    Ok((model, pauth_impdef))
}

fn cpu_help() -> String {
    let mut text = String::from("Available CPU models:\n");
    for m in CpuModel::ALL {
        text.push_str(&format!("  {:<12} {}\n", m.name(), m.description()));
    }
    text
}

fn log_help() -> String {
    let mut text = String::from("Log items (comma separated):\n");
    for (name, help) in ITEM_HELP {
        text.push_str(&format!("  {name:<13} {help}\n"));
    }
    text
}

/// Parses a size with an optional k/M/G suffix.
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, shift) = match text.chars().last()? {
        'k' | 'K' => (&text[..text.len() - 1], 10),
        'm' | 'M' => (&text[..text.len() - 1], 20),
        'g' | 'G' => (&text[..text.len() - 1], 30),
        _ => (text, 0),
    };
    digits.parse::<u64>().ok()?.checked_mul(1 << shift)
}

fn os_value(m: &ArgMatches, id: &str) -> Option<OsString> {
    m.get_one::<OsString>(id).cloned()
}

fn split_env_list(value: &OsStr) -> Vec<OsString> {
    value
        .to_string_lossy()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(OsString::from)
        .collect()
}

/// qemu-user's names for Kestrel's variables, so Dockerfiles, CI scripts and
/// binfmt setups written for `qemu-aarch64` work unchanged. The `KESTREL_*`
/// spelling wins when both are set.
pub const QEMU_ALIASES: &[(&str, &str)] = &[
    ("KESTREL_LD_PREFIX", "QEMU_LD_PREFIX"),
    ("KESTREL_CPU", "QEMU_CPU"),
    ("KESTREL_STRACE", "QEMU_STRACE"),
    ("KESTREL_SET_ENV", "QEMU_SET_ENV"),
    ("KESTREL_UNSET_ENV", "QEMU_UNSET_ENV"),
    ("KESTREL_ARGV0", "QEMU_ARGV0"),
    ("KESTREL_STACK_SIZE", "QEMU_STACK_SIZE"),
    ("KESTREL_UNAME_RELEASE", "QEMU_UNAME"),
    ("KESTREL_LOG", "QEMU_LOG"),
    ("KESTREL_LOG_FILENAME", "QEMU_LOG_FILENAME"),
    ("KESTREL_GDB", "QEMU_GDB"),
    ("KESTREL_PERFMAP", "QEMU_PERFMAP"),
];

/// Looks `var` up with `lookup`, falling back to its qemu-user alias.
pub fn env_with_qemu_alias(var: &str, lookup: &dyn Fn(&str) -> Option<OsString>) -> Option<OsString> {
    lookup(var).or_else(|| {
        let (_, alias) = QEMU_ALIASES.iter().find(|(ours, _)| *ours == var)?;
        lookup(alias)
    })
}

/// Parses `args` (without the binary name), with `env` giving `KESTREL_*`
/// defaults.
pub fn parse(
    args: &[OsString],
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Result<Parsed, CliError> {
    let env = |var: &str| env_with_qemu_alias(var, env);
    let normalized = normalize(args)?;
    let m = command().try_get_matches_from(normalized).map_err(|e| {
        let text = e.to_string();
        let first = text.lines().next().unwrap_or("invalid arguments");
        CliError(first.trim_start_matches("error: ").to_string())
    })?;

    if m.get_flag("help") {
        print!("{}", help_text());
        return Ok(Parsed::Exit(0));
    }
    if m.get_flag("version") {
        println!("{PROGRAM_NAME} version {}", env!("CARGO_PKG_VERSION"));
        return Ok(Parsed::Exit(0));
    }

    if let Some(action) = os_value(&m, "binfmt") {
        return binfmt_request(&m, &action).map(Parsed::Binfmt);
    }
    for (id, spelled) in [("binfmt_flags", "--binfmt-flags"), ("binfmt_name", "--binfmt-name")] {
        if os_value(&m, id).is_some() {
            return Err(CliError(format!("{spelled} needs --binfmt")));
        }
    }

    let text_or_env = |id: &str, var: &str| os_value(&m, id).or_else(|| env(var));

    let (cpu, pauth_impdef) = match text_or_env("cpu", "KESTREL_CPU") {
        None => (CpuModel::default(), None),
        Some(text) => {
            let text = text.to_string_lossy();
            if text == "help" || text == "?" {
                print!("{}", cpu_help());
                return Ok(Parsed::Exit(0));
            }
            parse_cpu(&text)?
        }
    };

    let mut log_items = LogItems::default();
    if let Some(list) = text_or_env("log_items", "KESTREL_LOG") {
        let list = list.to_string_lossy();
        if list == "help" || list == "?" {
            print!("{}", log_help());
            return Ok(Parsed::Exit(0));
        }
        log_items = LogItems::parse(&list)
            .map_err(|item| CliError(format!("unknown log item '{item}' (try '-d help')")))?;
    }
    if m.get_flag("strace") || env("KESTREL_STRACE").is_some() {
        log_items.strace = true;
    }

    let stack_size = match text_or_env("stack_size", "KESTREL_STACK_SIZE") {
        None => DEFAULT_STACK_SIZE,
        Some(v) => parse_size(&v.to_string_lossy())
            .filter(|&s| (64 << 10..=1 << 36).contains(&s))
            .ok_or_else(|| {
                CliError(format!("invalid stack size '{}'", v.to_string_lossy()))
            })?,
    };

    let tiers = match text_or_env("tiers", "KESTREL_TIERS") {
        None => None,
        Some(v) => Some(v.to_string_lossy().parse::<kestrel::jit::Tiers>().map_err(CliError)?),
    };

    let jit_threshold = match m.get_one::<u32>("jit_threshold") {
        Some(&n) => Some(n),
        None => match env("KESTREL_JIT_THRESHOLD") {
            None => None,
            Some(v) => Some(v.to_string_lossy().trim().parse::<u32>().map_err(|_| {
                CliError(format!(
                    "invalid KESTREL_JIT_THRESHOLD '{}'",
                    v.to_string_lossy()
                ))
            })?),
        },
    };

    let gdb_port = match text_or_env("gdb_port", "KESTREL_GDB") {
        None => None,
        Some(v) => {
            let text = v.to_string_lossy();
            // qemu accepts a plain port; also take gdb's "tcp::PORT" spelling.
            let digits = text.rsplit(':').next().unwrap_or("");
            Some(digits.parse::<u16>().ok().filter(|&p| p != 0).ok_or_else(|| CliError(format!("invalid gdb port '{text}'")))?)
        }
    };

    // Environment-variable edits first, then the command line's in the order typed.
    let mut env_edits = Vec::new();
    if let Some(list) = env("KESTREL_UNSET_ENV") {
        env_edits.extend(split_env_list(&list).into_iter().map(EnvEdit::Unset));
    }
    if let Some(list) = env("KESTREL_SET_ENV") {
        env_edits.extend(split_env_list(&list).into_iter().map(EnvEdit::Set));
    }
    let mut ordered: Vec<(usize, EnvEdit)> = Vec::new();
    for (id, make) in [
        ("set_env", EnvEdit::Set as fn(OsString) -> EnvEdit),
        ("unset_env", EnvEdit::Unset as fn(OsString) -> EnvEdit),
    ] {
        if let (Some(values), Some(indices)) = (m.get_many::<OsString>(id), m.indices_of(id)) {
            ordered.extend(indices.zip(values.cloned().map(make)));
        }
    }
    ordered.sort_by_key(|(index, _)| *index);
    env_edits.extend(ordered.into_iter().map(|(_, edit)| edit));
    for edit in &env_edits {
        if let EnvEdit::Set(kv) = edit {
            if !kv.to_string_lossy().contains('=') {
                return Err(CliError(format!(
                    "-E needs var=value, got '{}'",
                    kv.to_string_lossy()
                )));
            }
        }
    }

    let mut command: Vec<OsString> =
        m.get_many::<OsString>("command").map(|v| v.cloned().collect()).unwrap_or_default();
    if command.is_empty() {
        return Err(CliError("no program given".to_string()));
    }
    let program = command.remove(0);

    Ok(Parsed::Run(Box::new(Options {
        // Made absolute now: the guest may chdir before it opens a path that
        // is looked up under the prefix, and a re-executed Kestrel inherits it.
        ld_prefix: text_or_env("ld_prefix", "KESTREL_LD_PREFIX")
            .map(|p| std::path::absolute(&p).unwrap_or_else(|_| PathBuf::from(p))),
        env_edits,
        argv0: text_or_env("argv0", "KESTREL_ARGV0"),
        cpu,
        pauth_impdef,
        log_items,
        log_file: text_or_env("log_file", "KESTREL_LOG_FILENAME").map(PathBuf::from),
        stack_size,
        uname_release: text_or_env("uname_release", "KESTREL_UNAME_RELEASE")
            .map(|s| s.to_string_lossy().into_owned()),
        interpret_only: m.get_flag("interp") || env("KESTREL_INTERP").is_some(),
        jit_threshold,
        tiers,
        perfmap: m.get_flag("perfmap") || env("KESTREL_PERFMAP").is_some(),
        code_cache: text_or_env("code_cache", "KESTREL_CACHE_DIR").map(PathBuf::from),
        program,
        args: command,
        exec_fd: None,
        gdb_port,
    })))
}

/// `--binfmt ACTION [--binfmt-flags F] [--binfmt-name N]`.
fn binfmt_request(m: &ArgMatches, action: &OsStr) -> Result<crate::binfmt::Request, CliError> {
    use crate::binfmt;
    let text = |v: OsString| v.to_string_lossy().into_owned();
    let action_name = action.to_string_lossy();
    let action = binfmt::Action::from_name(&action_name).ok_or_else(|| {
        CliError(format!("unknown --binfmt action '{action_name}' (register, unregister, status or conf)"))
    })?;
    let name = os_value(m, "binfmt_name").map(text).unwrap_or_else(|| binfmt::DEFAULT_NAME.into());
    binfmt::validate_name(&name).map_err(|e| CliError(e.to_string()))?;
    let flags = os_value(m, "binfmt_flags").map(text).unwrap_or_else(|| binfmt::DEFAULT_FLAGS.into());
    let flags = binfmt::normalize_flags(&flags).map_err(|e| CliError(e.to_string()))?;
    if m.get_many::<OsString>("command").is_some() {
        return Err(CliError("--binfmt takes no program".into()));
    }
    Ok(binfmt::Request { action, name, flags })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    fn no_env(_: &str) -> Option<OsString> {
        None
    }

    fn run(args: &[&str]) -> Options {
        match parse(&os(args), &no_env) {
            Ok(Parsed::Run(o)) => *o,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn qemu_spellings() {
        let o = run(&[
            "-L", "/sysroot", "-cpu", "cortex-a53", "-strace", "-0", "-sh", "-E", "A=1", "-U",
            "B", "-E", "C=2", "-d", "unimp", "-D", "/tmp/log", "--interp", "-jit-threshold",
            "7", "prog", "-x", "--", "y",
        ]);
        assert_eq!(o.ld_prefix, Some(PathBuf::from("/sysroot")));
        assert_eq!(o.cpu, CpuModel::CortexA53);
        assert!(o.log_items.strace && o.log_items.unimp);
        assert_eq!(o.argv0, Some("-sh".into()));
        assert_eq!(
            o.env_edits,
            vec![
                EnvEdit::Set("A=1".into()),
                EnvEdit::Unset("B".into()),
                EnvEdit::Set("C=2".into())
            ]
        );
        assert_eq!(o.log_file, Some(PathBuf::from("/tmp/log")));
        assert!(o.interpret_only);
        assert_eq!(o.jit_threshold, Some(7));
        assert_eq!(o.program, OsString::from("prog"));
        assert_eq!(o.args, os(&["-x", "--", "y"]));
    }

    #[test]
    fn relative_prefix_becomes_absolute() {
        let o = run(&["-L", "root/./sub", "prog"]);
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(o.ld_prefix, Some(cwd.join("root/sub")));
    }

    #[test]
    fn options_stop_at_program() {
        let o = run(&["prog", "-strace"]);
        assert!(!o.log_items.strace);
        assert_eq!(o.args, os(&["-strace"]));
        let o = run(&["--", "-weird-name", "a"]);
        assert_eq!(o.program, OsString::from("-weird-name"));
    }

    #[test]
    fn environment_defaults_and_precedence() {
        let env = |k: &str| -> Option<OsString> {
            match k {
                "KESTREL_CPU" => Some("neoverse-n1".into()),
                "KESTREL_STRACE" => Some("1".into()),
                "KESTREL_SET_ENV" => Some("X=1,Y=2".into()),
                "KESTREL_UNSET_ENV" => Some("Z".into()),
                "KESTREL_LD_PREFIX" => Some("/env-root".into()),
                "KESTREL_JIT_THRESHOLD" => Some("3".into()),
                _ => None,
            }
        };
        let Ok(Parsed::Run(o)) = parse(&os(&["-L", "/cli-root", "p"]), &env) else {
            panic!("parse failed")
        };
        assert_eq!(o.cpu, CpuModel::NeoverseN1);
        assert!(o.log_items.strace);
        assert_eq!(o.ld_prefix, Some(PathBuf::from("/cli-root")));
        assert_eq!(o.jit_threshold, Some(3));
        assert_eq!(
            o.env_edits,
            vec![
                EnvEdit::Unset("Z".into()),
                EnvEdit::Set("X=1".into()),
                EnvEdit::Set("Y=2".into())
            ]
        );
    }

    #[test]
    fn qemu_variables_are_aliases() {
        let env = |k: &str| -> Option<OsString> {
            match k {
                "QEMU_CPU" => Some("cortex-a53".into()),
                "QEMU_STRACE" => Some("".into()),
                "QEMU_LD_PREFIX" => Some("/qemu-root".into()),
                "QEMU_SET_ENV" => Some("A=1".into()),
                "QEMU_UNSET_ENV" => Some("B".into()),
                "QEMU_ARGV0" => Some("zero".into()),
                "QEMU_STACK_SIZE" => Some("2M".into()),
                "QEMU_UNAME" => Some("6.1.0".into()),
                "QEMU_LOG" => Some("unimp".into()),
                "QEMU_LOG_FILENAME" => Some("/tmp/q.log".into()),
                // The KESTREL_ spelling wins over the alias.
                "KESTREL_LOG_FILENAME" => Some("/tmp/k.log".into()),
                _ => None,
            }
        };
        let Ok(Parsed::Run(o)) = parse(&os(&["p"]), &env) else { panic!("parse failed") };
        assert_eq!(o.cpu, CpuModel::CortexA53);
        assert!(o.log_items.strace && o.log_items.unimp);
        assert_eq!(o.ld_prefix, Some(PathBuf::from("/qemu-root")));
        assert_eq!(o.env_edits, vec![EnvEdit::Unset("B".into()), EnvEdit::Set("A=1".into())]);
        assert_eq!(o.argv0, Some("zero".into()));
        assert_eq!(o.stack_size, 2 << 20);
        assert_eq!(o.uname_release.as_deref(), Some("6.1.0"));
        assert_eq!(o.log_file, Some(PathBuf::from("/tmp/k.log")));
        for (ours, alias) in QEMU_ALIASES {
            assert!(ours.starts_with("KESTREL_") && alias.starts_with("QEMU_"));
        }
    }

    #[test]
    fn errors_are_one_line() {
        let err = |args: &[&str]| match parse(&os(args), &no_env) {
            Err(CliError(msg)) => msg,
            other => panic!("expected an error, got {other:?}"),
        };
        assert_eq!(err(&["-bogus", "prog"]), "unknown option '-bogus'");
        assert_eq!(err(&["-L"]), "option '-L' needs an argument");
        assert_eq!(err(&[]), "no program given");
        assert!(err(&["-cpu", "pentium", "p"]).contains("unknown CPU model"));
        assert!(err(&["-cpu", "max,sve=on", "p"]).contains("unknown -cpu property"));
        assert!(err(&["-cpu", "max,pauth-impdef=maybe", "p"]).contains("on or off"));
        assert!(err(&["-d", "nonsense", "p"]).contains("unknown log item"));
        assert!(err(&["--jit-threshold", "abc", "p"]).contains("abc"));
        for msg in [err(&["--jit-threshold", "abc", "p"]), err(&["-E", "novalue", "p"])] {
            assert!(!msg.contains('\n'), "{msg}");
        }
    }

    #[test]
    fn binfmt_commands() {
        let parsed = |args: &[&str]| parse(&os(args), &no_env);
        let Ok(Parsed::Binfmt(r)) = parsed(&["--binfmt", "register"]) else { panic!("not binfmt") };
        assert_eq!((r.action, r.name.as_str(), r.flags.as_str()), (crate::binfmt::Action::Register, "kestrel-aarch64", "POCF"));
        let Ok(Parsed::Binfmt(r)) = parsed(&["--binfmt-name", "t1", "--binfmt", "status", "--binfmt-flags", "f"]) else {
            panic!("not binfmt")
        };
        assert_eq!((r.action, r.name.as_str(), r.flags.as_str()), (crate::binfmt::Action::Status, "t1", "F"));
        let err = |args: &[&str]| match parsed(args) {
            Err(CliError(msg)) => msg,
            other => panic!("expected an error, got {other:?}"),
        };
        assert!(err(&["--binfmt", "install"]).contains("unknown --binfmt action"));
        assert!(err(&["--binfmt", "register", "--binfmt-flags", "Q"]).contains("flags"));
        assert!(err(&["--binfmt", "register", "--binfmt-name", "a/b"]).contains("name"));
        assert!(err(&["--binfmt-flags", "F", "prog"]).contains("needs --binfmt"));
        assert!(err(&["--binfmt", "register", "prog"]).contains("no program"));
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("8M"), Some(8 << 20));
        assert_eq!(parse_size("512k"), Some(512 << 10));
        assert_eq!(parse_size("4096"), Some(4096));
        assert_eq!(parse_size("x"), None);
        assert_eq!(run(&["-s", "1M", "p"]).stack_size, 1 << 20);
    }
}
