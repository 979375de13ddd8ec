//! Our device tree against qemu-system-aarch64 7.2's for the same command
//! line: both dumped with `-machine dumpdtb=`, decompiled with `dtc`, then
//! compared node by node and property by property.
//!
//! Needs qemu-system-aarch64 (Debian package qemu-system-arm) and dtc
//! (device-tree-compiler); scripts/test.sh installs both. A missing tool is a
//! failure, never a skip.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const OURS: &str = env!("CARGO_BIN_EXE_kestrel-system-aarch64");

/// Nodes qemu's board has and Kestrel's deliberately lacks: each is a device
/// Kestrel does not model, and describing it would make Linux probe
/// registers that are not there.
const ONLY_IN_QEMU: &[(&str, &str)] = &[
    ("/platform-bus@c000000", "dynamic sysbus devices are not modelled"),
    ("/fw-cfg@9020000", "no fw_cfg: the kernel is loaded directly, not by firmware"),
    ("/gpio-keys", "no PL061 GPIO, so no power-button key"),
    ("/gpio-keys/poweroff", "no PL061 GPIO, so no power-button key"),
    ("/pl061@9030000", "no PL061 GPIO model"),
    ("/pcie@10000000", "no PCIe host yet: virtio devices sit on virtio-mmio"),
    ("/pmu", "no PMU model; Linux must not touch PMU registers"),
    ("/flash@0", "no CFI flash (no firmware boot)"),
    ("/intc@8000000/v2m@8020000", "no GICv2m MSI frame (only PCIe uses it)"),
    ("/intc@8000000/its@8080000", "no GICv3 ITS (only PCIe uses it)"),
];

/// Properties qemu writes and Kestrel deliberately does not.
const PROPERTIES_ONLY_IN_QEMU: &[(&str, &str, &str)] = &[(
    "/chosen",
    "kaslr-seed",
    "KASLR makes Linux enable KPTI, which is slow under emulation",
)];

/// Properties whose values are implementation details: phandle numbers
/// (and the references to them) and random seeds.
const VALUE_IGNORED: &[&str] = &["phandle", "interrupt-parent", "clocks", "cpu", "rng-seed", "kaslr-seed"];

/// node path -> property name -> value text, from `dtc -O dts` output.
type Tree = BTreeMap<String, BTreeMap<String, String>>;

fn parse_dts(dts: &str) -> Tree {
    let mut tree = Tree::new();
    let mut stack: Vec<String> = Vec::new();
    let path = |stack: &[String]| {
        let joined = stack.iter().skip(1).map(String::as_str).collect::<Vec<_>>().join("/");
        format!("/{joined}")
    };
    for line in dts.lines().map(str::trim) {
        if line.is_empty() || line.starts_with("/dts-v1/") || line.starts_with("/memreserve/") {
            continue;
        }
        if let Some(name) = line.strip_suffix(" {") {
            stack.push(name.to_string());
            tree.entry(path(&stack)).or_default();
        } else if line == "};" {
            stack.pop();
        } else if let Some(prop) = line.strip_suffix(';') {
            let (name, value) = prop.split_once(" = ").unwrap_or((prop, ""));
            tree.entry(path(&stack)).or_default().insert(name.to_string(), value.to_string());
        } else {
            panic!("unexpected dts line: {line}");
        }
    }
    tree
}

/// Every difference between qemu's tree and ours that is not on the lists.
fn differences(qemu: &Tree, ours: &Tree) -> Vec<String> {
    let mut out = Vec::new();
    let excused: BTreeSet<&str> = ONLY_IN_QEMU.iter().map(|(n, _)| *n).collect();
    for node in qemu.keys().filter(|n| !excused.contains(n.as_str())) {
        if !ours.contains_key(node) {
            out.push(format!("node {node} is missing"));
        }
    }
    for node in ours.keys() {
        if !qemu.contains_key(node) {
            out.push(format!("node {node} is not in qemu's tree"));
        }
    }
    for (node, q_props) in qemu {
        let Some(o_props) = ours.get(node) else { continue };
        for (name, q_value) in q_props {
            let excused = PROPERTIES_ONLY_IN_QEMU.iter().any(|(n, p, _)| n == node && p == name);
            match o_props.get(name) {
                None if excused => {}
                None => out.push(format!("{node}: property {name} is missing")),
                Some(_) if VALUE_IGNORED.contains(&name.as_str()) => {}
                Some(o_value) if o_value != q_value => {
                    out.push(format!("{node}: {name} is {o_value}, qemu has {q_value}"))
                }
                Some(_) => {}
            }
        }
        for name in o_props.keys() {
            if !q_props.contains_key(name) {
                out.push(format!("{node}: property {name} is not in qemu's node"));
            }
        }
    }
    out
}

fn require_tool(program: &str, package: &str) {
    let found = Command::new(program).arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(found, "{program} is not installed: install the Debian package {package} (scripts/test.sh does)");
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dumpdtb-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `program args... -machine virt[,extra],dumpdtb=FILE` and returns the
/// decompiled tree.
fn dump(program: &str, machine_extra: &str, args: &[&str], out: &Path) -> Tree {
    let machine = format!("virt{machine_extra},dumpdtb={}", out.display());
    let result = Command::new(program).arg("-M").arg(&machine).args(args).output().unwrap();
    assert!(
        result.status.success(),
        "{program} -M {machine} {args:?} failed: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    let dts = Command::new("dtc").args(["-I", "dtb", "-O", "dts"]).arg(out).output().unwrap();
    assert!(dts.status.success(), "dtc could not decompile {}: {}", out.display(), String::from_utf8_lossy(&dts.stderr));
    parse_dts(&String::from_utf8(dts.stdout).unwrap())
}

fn compare_with_qemu(name: &str, machine_extra: &str, args: &[&str]) -> (Tree, Tree) {
    require_tool("qemu-system-aarch64", "qemu-system-arm");
    require_tool("dtc", "device-tree-compiler");
    let dir = scratch_dir(name);
    let qemu = dump("qemu-system-aarch64", machine_extra, args, &dir.join("qemu.dtb"));
    let ours = dump(OURS, machine_extra, args, &dir.join("ours.dtb"));
    let diffs = differences(&qemu, &ours);
    assert!(diffs.is_empty(), "{name}: device trees differ:\n  {}", diffs.join("\n  "));
    std::fs::remove_dir_all(&dir).ok();
    (qemu, ours)
}

#[test]
fn gicv2_two_cpus_like_qemu() {
    let (_, ours) = compare_with_qemu("v2", "", &["-cpu", "cortex-a57", "-smp", "2", "-m", "1024", "-nographic"]);
    assert_eq!(ours["/timer"]["interrupts"], "<0x01 0x0d 0x304 0x01 0x0e 0x304 0x01 0x0b 0x304 0x01 0x0a 0x304>");
    assert_eq!(ours.keys().filter(|n| n.starts_with("/virtio_mmio@")).count(), 32);
}

#[test]
fn gicv3_four_cpus_like_qemu() {
    let (_, ours) =
        compare_with_qemu("v3", ",gic-version=3", &["-cpu", "cortex-a57", "-smp", "4", "-m", "2G", "-nographic"]);
    assert_eq!(ours["/intc@8000000"]["compatible"], "\"arm,gic-v3\"");
}

#[test]
fn single_cpu_and_other_models_like_qemu() {
    compare_with_qemu("a53", "", &["-cpu", "cortex-a53", "-smp", "1", "-m", "256M", "-nographic"]);
    compare_with_qemu("a72", "", &["-cpu", "cortex-a72", "-smp", "8", "-m", "512", "-nographic"]);
    compare_with_qemu("max", "", &["-cpu", "max", "-smp", "3", "-m", "1G", "-nographic"]);
}

/// With a kernel, initrd and command line, /chosen must also agree —
/// including where the initrd is, which checks our placement against qemu's.
#[test]
fn chosen_with_kernel_and_initrd_like_qemu() {
    let dir = scratch_dir("files");
    let kernel = dir.join("Image");
    let mut image = vec![0u8; 8192];
    image[16..24].copy_from_slice(&(24u64 << 20).to_le_bytes()); // image_size
    image[56..60].copy_from_slice(b"ARM\x64");
    std::fs::write(&kernel, &image).unwrap();
    let initrd = dir.join("initrd");
    std::fs::write(&initrd, vec![0x5a; 1_000_000]).unwrap();
    let (k, i) = (kernel.to_str().unwrap(), initrd.to_str().unwrap());
    for (name, ram) in [("chosen-1g", "1024"), ("chosen-128m", "128")] {
        let (qemu, ours) = compare_with_qemu(
            name,
            "",
            &["-cpu", "cortex-a57", "-m", ram, "-nographic", "-kernel", k, "-initrd", i, "-append", "console=ttyAMA0 root=/dev/vda"],
        );
        let chosen = &ours["/chosen"];
        assert_eq!(chosen["bootargs"], "\"console=ttyAMA0 root=/dev/vda\"");
        assert_eq!(chosen["linux,initrd-start"], qemu["/chosen"]["linux,initrd-start"]);
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The comparison itself must notice differences.
#[test]
fn comparison_catches_differences() {
    let qemu = parse_dts("/dts-v1/;\n/ {\n\tmodel = \"a\";\n\tpmu {\n\t};\n\tuart {\n\t\treg = <0x01>;\n\t\tphandle = <0x8000>;\n\t};\n};\n");
    let same = parse_dts("/ {\n\tmodel = \"a\";\n\tuart {\n\t\treg = <0x01>;\n\t\tphandle = <0x01>;\n\t};\n};\n");
    assert!(differences(&qemu, &same).is_empty());
    let other = parse_dts("/ {\n\tmodel = \"b\";\n\tuart {\n\t\tphandle = <0x01>;\n\t\textra;\n\t};\n\tnew {\n\t};\n};\n");
    let diffs = differences(&qemu, &other);
    assert_eq!(diffs.len(), 4, "{diffs:?}");
}
