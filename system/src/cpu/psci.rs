//! PSCI 1.1 over HVC, as the board's firmware would answer it (the device
//! tree's `psci` node says `method = "hvc"`): CPU power, system off and
//! reset. Function IDs and return codes are from Arm DEN 0022.

use super::{idregs, Step, Vcpu};
use crate::machine::{Power, Shutdown};

const PSCI_VERSION: u32 = 0x8400_0000;
const CPU_SUSPEND_32: u32 = 0x8400_0001;
const CPU_SUSPEND_64: u32 = 0xc400_0001;
const CPU_OFF: u32 = 0x8400_0002;
const CPU_ON_32: u32 = 0x8400_0003;
const CPU_ON_64: u32 = 0xc400_0003;
const AFFINITY_INFO_32: u32 = 0x8400_0004;
const AFFINITY_INFO_64: u32 = 0xc400_0004;
const MIGRATE_INFO_TYPE: u32 = 0x8400_0006;
const SYSTEM_OFF: u32 = 0x8400_0008;
const SYSTEM_RESET: u32 = 0x8400_0009;
const PSCI_FEATURES: u32 = 0x8400_000a;

const SUCCESS: i64 = 0;
const NOT_SUPPORTED: i64 = -1;
const INVALID_PARAMETERS: i64 = -2;
const ALREADY_ON: i64 = -4;
const ON_PENDING: i64 = -5;

/// PSCI 1.1.
const VERSION_1_1: i64 = 0x0001_0001;
/// MIGRATE_INFO_TYPE: no Trusted OS, nothing to migrate.
const TRUSTED_OS_NOT_PRESENT: i64 = 2;

fn implemented(function: u32) -> bool {
    matches!(
        function,
        PSCI_VERSION
            | CPU_SUSPEND_32
            | CPU_SUSPEND_64
            | CPU_OFF
            | CPU_ON_32
            | CPU_ON_64
            | AFFINITY_INFO_32
            | AFFINITY_INFO_64
            | MIGRATE_INFO_TYPE
            | SYSTEM_OFF
            | SYSTEM_RESET
            | PSCI_FEATURES
    )
}

/// Handles the HVC at EL1 whose return address is already in the PC:
/// function ID in w0, arguments in x1..x3, result in x0.
pub fn call(v: &mut Vcpu) -> Step {
    let function = v.cpu.x[0] as u32;
    let (a1, a2, a3) = (v.cpu.x[1], v.cpu.x[2], v.cpu.x[3]);
    // SMC32 calling convention: 32-bit arguments.
    let narrow = |x: u64| if function & 0x4000_0000 == 0 { x as u32 as u64 } else { x };
    let mut step = Step::Next;
    let result = match function {
        PSCI_VERSION => VERSION_1_1,
        MIGRATE_INFO_TYPE => TRUSTED_OS_NOT_PRESENT,
        PSCI_FEATURES => {
            if implemented(a1 as u32) {
                SUCCESS
            } else {
                NOT_SUPPORTED
            }
        }
        // A power-down request may be treated as standby: wait for an
        // interrupt and return success.
        CPU_SUSPEND_32 | CPU_SUSPEND_64 => {
            step = Step::WaitForInterrupt;
            SUCCESS
        }
        CPU_ON_32 | CPU_ON_64 => cpu_on(v, narrow(a1), narrow(a2), narrow(a3)),
        CPU_OFF => {
            v.machine.cpus[v.index].set_off();
            v.powering_off = true;
            step = Step::EndSlice;
            SUCCESS
        }
        AFFINITY_INFO_32 | AFFINITY_INFO_64 => affinity_info(v, narrow(a1), narrow(a2)),
        SYSTEM_OFF => {
            v.machine.request_shutdown(Shutdown::PowerOff);
            step = Step::EndSlice;
            SUCCESS
        }
        SYSTEM_RESET => {
            v.machine.request_shutdown(Shutdown::Reset);
            step = Step::EndSlice;
            SUCCESS
        }
        _ => NOT_SUPPORTED,
    };
    if super::tracing("psci") {
        eprintln!("vcpu{}: PSCI {function:#x}({a1:#x}, {a2:#x}, {a3:#x}) = {result}", v.index);
    }
    v.cpu.x[0] = result as u64;
    step
}

fn cpu_on(v: &mut Vcpu, target: u64, entry: u64, context: u64) -> i64 {
    let Some(index) = idregs::index_of_mpidr(target, v.machine.cpus.len()) else {
        return INVALID_PARAMETERS;
    };
    match v.machine.cpus[index].request_start(entry, context) {
        Power::Off => SUCCESS,
        Power::On => ALREADY_ON,
        Power::OnPending => ON_PENDING,
    }
}

fn affinity_info(v: &mut Vcpu, target: u64, level: u64) -> i64 {
    if level != 0 {
        return INVALID_PARAMETERS;
    }
    match idregs::index_of_mpidr(target, v.machine.cpus.len()) {
        None => INVALID_PARAMETERS,
        Some(index) => match v.machine.cpus[index].power() {
            Power::On => 0,
            Power::Off => 1,
            Power::OnPending => 2,
        },
    }
}
