//! Command-line options that change what the guest sees, checked by running
//! the prebuilt test programs (test-binaries/bin).

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const KESTREL: &str = env!("CARGO_BIN_EXE_kestrel-aarch64");

fn program(name: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    root.join("test-binaries/bin").join(name)
}

fn kestrel(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(KESTREL);
    cmd.args(args).stdin(Stdio::null());
    for var in ["KESTREL_STRACE", "KESTREL_LOG", "KESTREL_SET_ENV", "KESTREL_UNSET_ENV", "KESTREL_ARGV0", "TB_GREETING"] {
        cmd.env_remove(var);
    }
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("run kestrel-aarch64")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn environment_and_argv0_options() {
    let auxinfo = program("auxinfo");
    let auxinfo = auxinfo.to_str().unwrap();
    let out = kestrel(&["-E", "TB_GREETING=hello", "-0", "renamed", auxinfo, "x"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    assert!(text.contains("TB_GREETING = hello"), "{text}");
    assert!(text.contains("argv[0] basename = renamed"), "{text}");
    assert!(text.contains("argv[1] = \"x\""), "{text}");

    let out = kestrel(&["-U", "TB_GREETING", auxinfo], &[("TB_GREETING", "inherited")]);
    assert!(stdout(&out).contains("TB_GREETING = (unset)"));

    let out = kestrel(&[auxinfo], &[("KESTREL_SET_ENV", "TB_GREETING=from-env"), ("KESTREL_ARGV0", "viaenv")]);
    let text = stdout(&out);
    assert!(text.contains("TB_GREETING = from-env"), "{text}");
    assert!(text.contains("argv[0] basename = viaenv"), "{text}");
}

#[test]
fn strace_and_log_file() {
    let hello = program("hello");
    let hello = hello.to_str().unwrap();
    let out = kestrel(&["-strace", hello], &[]);
    assert_eq!(out.status.code(), Some(0));
    let log = String::from_utf8_lossy(&out.stderr);
    let pid_prefix = |line: &str| line.split(' ').next().is_some_and(|p| p.parse::<u32>().is_ok());
    assert!(log.lines().all(pid_prefix), "{log}");
    assert!(log.lines().any(|l| l.contains(" write(1,") && l.ends_with(" = 36")), "{log}");
    assert!(log.lines().any(|l| l.ends_with(" exit_group(0)")), "{log}");

    let dir = std::env::temp_dir().join(format!("kestrel-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("trace.log");
    let out = kestrel(&["-d", "strace", "-D", file.to_str().unwrap(), hello], &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let logged = std::fs::read_to_string(&file).unwrap();
    assert!(logged.contains("exit_group(0)"), "{logged}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cpu_models_change_hwcaps() {
    let auxinfo = program("auxinfo");
    let auxinfo = auxinfo.to_str().unwrap();
    for model in ["cortex-a53", "cortex-a72", "neoverse-n1", "max"] {
        let out = kestrel(&["-cpu", model, auxinfo], &[]);
        assert_eq!(out.status.code(), Some(0), "{model}: {}", stdout(&out));
    }
}
