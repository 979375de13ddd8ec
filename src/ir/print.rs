//! Text form of IR blocks, for `-d in_asm` and test failure messages.

use super::{Block, Cond, Exit, Op, Src, Temp, Width};
use std::fmt;

impl fmt::Display for Temp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t{}", self.0)
    }
}

impl fmt::Display for Src {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Src::T(t) => write!(f, "{t}"),
            Src::Imm(v) => write!(f, "#{v:#x}"),
        }
    }
}

impl fmt::Display for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [&str; 16] = ["eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"];
        match self {
            Cond::Flags(c) => write!(f, "flags.{}", NAMES[(*c & 15) as usize]),
            Cond::NonZero(t) => write!(f, "{t} != 0"),
            Cond::Zero(t) => write!(f, "{t} == 0"),
        }
    }
}

fn w(width: Width) -> &'static str {
    match width {
        Width::W32 => "32",
        Width::W64 => "64",
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Op::Insn { pc } => write!(f, "-- {pc:#x}"),
            Op::Const { dst, value } => write!(f, "{dst} = const {value:#x}"),
            Op::Get { dst, field } => write!(f, "{dst} = get state+{}", field.0),
            Op::Put { field, src } => write!(f, "put state+{} = {src}", field.0),
            Op::Bin { op, w: width, dst, a, b } => write!(f, "{dst} = {op:?}.{} {a}, {b}", w(width)),
            Op::Un { op, w: width, dst, a } => write!(f, "{dst} = {op:?}.{} {a}", w(width)),
            Op::Extend { dst, a, bits, signed } => write!(f, "{dst} = {}ext{bits} {a}", if signed { "s" } else { "z" }),
            Op::AddSubFlags { w: width, sub, carry, dst, a, b } => {
                let name = match (sub, carry) {
                    (false, false) => "adds",
                    (true, false) => "subs",
                    (false, true) => "adcs",
                    (true, true) => "sbcs",
                };
                write!(f, "{dst} = {name}.{} {a}, {b}", w(width))
            }
            Op::LogicFlags { w: width, a } => write!(f, "flags = logic.{} {a}", w(width)),
            Op::Set { dst, cond } => write!(f, "{dst} = set {cond}"),
            Op::Select { dst, cond, a, b } => write!(f, "{dst} = select {cond}, {a}, {b}"),
            Op::CallPure { f: func, dst, a, b } => write!(f, "{dst} = call {func:?}({a}, {b})"),
            Op::Load { dst, addr, offset, size, signed } => {
                write!(f, "{dst} = load{}{} [{addr} + {offset}]", 8 << size, if signed { "s" } else { "" })
            }
            Op::Store { addr, offset, src, size } => write!(f, "store{} [{addr} + {offset}] = {src}", 8 << size),
            Op::LoadVec { field, addr, offset, size } => write!(f, "state+{} = loadvec{} [{addr} + {offset}]", field.0, 8 << size),
            Op::StoreVec { field, addr, offset, size } => write!(f, "storevec{} [{addr} + {offset}] = state+{}", 8 << size, field.0),
            Op::Vec { op, esize, q, dst, a, b } => {
                let b = b.map_or("zero".to_string(), |b| format!("state+{}", b.0));
                write!(f, "state+{} = vec.{op:?}.{}x{} state+{}, {b}", dst.0, if q { 16 >> esize } else { 8 >> esize }, 8 << esize, a.0)
            }
            Op::VecSelect { q, dst, mask, a, b } => {
                write!(f, "state+{} = vec.select.{} state+{} ? state+{} : state+{}", dst.0, if q { 128 } else { 64 }, mask.0, a.0, b.0)
            }
            Op::VecShrn { esize, shift, dst, a } => write!(f, "state+{} = vec.shrn.{} state+{}, {shift}", dst.0, 8 << esize, a.0),
            Op::Atomic { rmw, size, dst, addr, src, expected } => {
                write!(f, "{dst} = atomic.{rmw:?}{} [{addr}] {src} (expected {expected})", 8 << size)
            }
            Op::Fence => write!(f, "fence"),
            Op::Order => write!(f, "order"),
            Op::Unprivileged => write!(f, "unprivileged"),
            Op::Interp { word, pc } => write!(f, "interp {word:#010x} at {pc:#x}"),
            Op::LandingPad { field, accepted, pc } => write!(f, "landing_pad [{}] accepts {accepted:#06b} at {pc:#x}", field.0),
        }
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Exit::Goto(pc) => write!(f, "goto {pc:#x}"),
            Exit::Branch { cond, taken, fallthrough } => write!(f, "if {cond} goto {taken:#x} else {fallthrough:#x}"),
            Exit::Indirect { target, kind } => write!(f, "{kind:?} {target}"),
            Exit::Syscall { next } => write!(f, "syscall, then {next:#x}"),
            Exit::Raise { pc } => write!(f, "raise at {pc:#x}"),
        }
    }
}

impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "block {:#x} ({} guest instructions, {} temps)", self.pc, self.guest_insns, self.temps)?;
        for op in &self.ops {
            writeln!(f, "    {op}")?;
        }
        writeln!(f, "    {}", self.exit)
    }
}
