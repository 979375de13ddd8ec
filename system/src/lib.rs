//! Kestrel's system mode: an AArch64 `virt` board that boots Linux kernels
//! on the shared translator, started with qemu-system-aarch64's options.
//!
//! - [`cli`] parses the command line into a [`config::MachineConfig`];
//! - [`board`] holds the memory map and prepares what a boot loads;
//! - [`boot`] is the arm64 boot protocol (Image header, placement);
//! - [`fdt`] writes the device tree;
//! - [`bus`] routes guest-physical addresses to [`devices`], the models
//!   behind the MMIO regions;
//! - [`cpu`] is a vCPU (EL0/EL1, software MMU, system instructions, PSCI);
//! - [`code_pages`] tracks the RAM pages translated code came from, so
//!   that writing them drops that code;
//! - [`machine`] wires RAM, bus, GIC and vCPUs; [`runner`] runs it, with
//!   the [`console`] on the terminal.

pub mod board;
pub mod boot;
pub mod bus;
pub mod cli;
pub mod code_pages;
pub mod config;
pub mod console;
pub mod cpu;
pub mod devices;
pub mod fdt;
pub mod gdb;
pub mod machine;
pub mod runner;
